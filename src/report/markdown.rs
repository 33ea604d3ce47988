//! Markdown for a pull-request comment or a CI step summary: a verdict, the likely culprits, a
//! table of objects, then one collapsible block per object with its changes in `diff` syntax.
//! Secrets stay hidden.

use std::io::{self, Write};

use serde_json::Value;

use super::values::{self, DiffLine};
use super::{RenderOptions, describe_source, summary_line};
use crate::analyze::{Analysis, Culprit, Entry};
use crate::diff::{Change, ObjectChange, Op};

pub fn render(analysis: &Analysis, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let verdict = if analysis.summary.has_differences() {
        "Drift found"
    } else {
        "No drift"
    };
    writeln!(out, "### driftlab: {verdict}")?;
    writeln!(out)?;
    writeln!(
        out,
        "**{}** · {} → {}",
        text(&summary_line(analysis)),
        code_span(&describe_source(&analysis.old)),
        code_span(&describe_source(&analysis.new))
    )?;
    let shown: Vec<&Entry> = analysis.entries.iter().filter(|e| e.shows()).collect();
    if !analysis.culprits.is_empty() && options.top > 0 {
        writeln!(out)?;
        writeln!(out, "**Likely culprits**")?;
        writeln!(out)?;
        for (n, culprit) in analysis.culprits.iter().take(options.top).enumerate() {
            writeln!(out, "{}", culprit_line(n + 1, culprit))?;
        }
    }
    if shown.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "| | Kind | Namespace | Name | Changes |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for entry in &shown {
        let (marker, count) = match entry.change {
            ObjectChange::Added => (
                "added",
                entry.relation.clone().unwrap_or_else(|| "—".into()),
            ),
            ObjectChange::Removed => (
                "removed",
                entry.relation.clone().unwrap_or_else(|| "—".into()),
            ),
            ObjectChange::Changed => (
                "changed",
                match (&entry.relation, entry.visible().count()) {
                    (Some(relation), 0) => relation.clone(),
                    (_, n) => n.to_string(),
                },
            ),
        };
        writeln!(
            out,
            "| {marker} | {} | {} | {} | {} |",
            cell(&entry.key.kind),
            cell(&entry.key.namespace),
            cell(&entry.title_name()),
            cell(&count)
        )?;
    }
    for entry in shown.iter().filter(|e| e.visible().next().is_some()) {
        writeln!(out)?;
        let n = entry.visible().count();
        let ns = if entry.key.namespace.is_empty() {
            String::new()
        } else {
            format!("{}/", entry.key.namespace)
        };
        writeln!(
            out,
            "<details><summary><code>{}</code> ({n} change{})</summary>",
            html_escape(&format!("{} {ns}{}", entry.key.kind, entry.title_name())),
            if n == 1 { "" } else { "s" }
        )?;
        writeln!(out)?;
        // The block's fence must be longer than any run of backticks in what it holds.
        let mut block = Vec::new();
        for finding in entry.visible() {
            write_change(&mut block, &finding.change)?;
        }
        let block = String::from_utf8_lossy(&block);
        let fence = code_fence(&block);
        writeln!(out, "{fence}diff")?;
        out.write_all(block.as_bytes())?;
        writeln!(out, "{fence}")?;
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    Ok(())
}

/// `1. `DeploymentConfig myproject/web`: `spec…path` — triggers a rollout`.
pub fn culprit_line(position: usize, culprit: &Culprit) -> String {
    let first = culprit
        .changes
        .first()
        .map(|c| format!(": {}", code_span(&c.path.human())))
        .unwrap_or_default();
    format!(
        "{position}. {}{first} — {}",
        code_span(&culprit.label),
        text(&culprit.reason)
    )
}

/// `text` as an inline code span that nothing in it can end: the fence is one backtick longer
/// than the longest run of backticks inside (CommonMark), padded when the text starts or ends
/// with one. Code spans render no HTML, so a key like `` a`<img src=x>` `` stays text.
pub fn code_span(text: &str) -> String {
    let text = one_line(text);
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    if text.starts_with('`') || text.ends_with('`') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// A fence for a code block holding `content`: longer than any run of backticks inside it.
pub fn code_fence(content: &str) -> String {
    "`".repeat(longest_backtick_run(content).max(2) + 1)
}

/// Plain text in Markdown outside code: HTML-escaped, Markdown punctuation that could start
/// markup escaped, on one line.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in one_line(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn write_change(out: &mut dyn Write, change: &Change) -> io::Result<()> {
    let path = change.path.human();
    let show = |v: Option<&Value>| match (change.secret, v) {
        (true, Some(Value::String(s))) => s.clone(),
        (_, Some(v)) => values::inline(v),
        (_, None) => String::new(),
    };
    let (old, new) = (change.old.as_ref(), change.new.as_ref());
    if let Some(elided) = &change.elided {
        return writeln!(out, "! {path}: {}", values::elided(elided));
    }
    match change.op {
        Op::Replace if !change.secret && values::is_multiline(old, new) => {
            writeln!(out, "! {path}")?;
            let (a, b) = (
                old.and_then(Value::as_str).unwrap_or(""),
                new.and_then(Value::as_str).unwrap_or(""),
            );
            for line in values::line_diff(a, b) {
                match line {
                    DiffLine::Hunk(h) => writeln!(out, "  {h}")?,
                    DiffLine::Context(t) => writeln!(out, "  {t}")?,
                    DiffLine::Removed(t) => writeln!(out, "-   {t}")?,
                    DiffLine::Added(t) => writeln!(out, "+   {t}")?,
                }
            }
        }
        Op::Replace => {
            writeln!(out, "- {path}: {}", show(old))?;
            writeln!(out, "+ {path}: {}", show(new))?;
        }
        Op::Add => writeln!(out, "+ {path}: {}", show(new))?,
        Op::Remove => writeln!(out, "- {path}: {}", show(old))?,
        Op::Move => writeln!(out, "! {path}: order changed {} → {}", show(old), show(new))?,
    }
    Ok(())
}

fn cell(content: &str) -> String {
    if content.is_empty() {
        return "—".into();
    }
    text(content)
}

fn html_escape(text: &str) -> String {
    one_line(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code_span("data.a"), "`data.a`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x`"), "`` `x` ``");
        assert_eq!(code_span("a``b\nc"), "```a``b c```");
    }

    #[test]
    fn fences_outgrow_their_content() {
        assert_eq!(code_fence("plain"), "```");
        assert_eq!(code_fence("a ``` b"), "````");
    }

    #[test]
    fn text_cannot_become_markup() {
        assert_eq!(text("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(text("a|b *c*"), "a\\|b \\*c\\*");
    }
}
