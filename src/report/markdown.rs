//! Markdown for a pull-request comment or a CI step summary: a verdict, the likely culprits, a
//! table of objects, then one collapsible block per object with its changes in `diff` syntax.
//! Secrets stay hidden.

use std::io::{self, Write};

use super::present::{self, CULPRIT_CHANGES_MARKDOWN, Shape};
use super::values::{self, DiffLine};
use super::words::plural;
use super::{
    RenderOptions, baseline_lines, describe_source, ignored_line, namespace_map_line,
    security_ignored_line, summary_line,
};
use crate::analyze::attribution::Attributions;
use crate::analyze::{Analysis, Culprit, Entry, Finding};
use crate::diff::{Change, ObjectChange};

pub fn render(analysis: &Analysis, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let verdict = match (analysis.has_drift(), analysis.desired) {
        (true, false) => "Drift found",
        (false, false) => "No drift",
        (true, true) => "the cluster drifted from the desired state",
        (false, true) => "the cluster matches the desired state",
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
    if let Some(line) = namespace_map_line(analysis) {
        writeln!(out)?;
        writeln!(out, "Namespaces compared: {}", text(&line))?;
    }
    if let Some(line) = security_ignored_line(analysis) {
        writeln!(out)?;
        writeln!(out, "**{}**", text(&line))?;
    }
    if let Some(line) = ignored_line(analysis) {
        writeln!(out)?;
        writeln!(out, "{}", text(&line))?;
    }
    for (line, loud) in baseline_lines(analysis) {
        writeln!(out)?;
        match loud {
            true => writeln!(out, "**{}**", text(&line))?,
            false => writeln!(out, "{}", text(&line))?,
        }
    }
    let in_table = |e: &&Entry| e.shows() || (analysis.show_all && !e.findings.is_empty());
    let shown: Vec<&Entry> = analysis.entries.iter().filter(in_table).collect();
    if !analysis.culprits.is_empty() && options.top > 0 {
        writeln!(out)?;
        writeln!(out, "**Likely culprits**")?;
        writeln!(out)?;
        for (n, culprit) in analysis.culprits.iter().take(options.top).enumerate() {
            write_culprit(out, n + 1, culprit, &analysis.attributions)?;
        }
    }
    if shown.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    if let Some(line) = left_out_line(analysis, &shown) {
        writeln!(out, "{line}")?;
        writeln!(out)?;
    }
    write_table(out, analysis, &shown)?;
    for entry in &shown {
        write_details(out, entry, analysis.show_all)?;
    }
    Ok(())
}

/// The table: a row per object shown, with its number of changes or its relation.
fn write_table(out: &mut dyn Write, analysis: &Analysis, shown: &[&Entry]) -> io::Result<()> {
    writeln!(out, "| | Kind | Namespace | Name | Changes |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for entry in shown {
        let findings = table_findings(entry, analysis.show_all).count();
        let count = match (entry.change, &entry.relation, findings) {
            (ObjectChange::Changed, Some(relation), 0) => relation.to_string(),
            (ObjectChange::Changed, _, n) => n.to_string(),
            (_, Some(relation), _) => relation.to_string(),
            (_, None, _) => "—".into(),
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            row_marker(entry),
            cell(&entry.key.kind),
            cell(&entry.key.namespace),
            cell(&entry.title_name()),
            cell(&count)
        )?;
    }
    Ok(())
}

/// An object's changes, folded under its name, as a `diff` block.
fn write_details(out: &mut dyn Write, entry: &Entry, show_all: bool) -> io::Result<()> {
    let n = table_findings(entry, show_all).count();
    if n == 0 {
        return Ok(());
    }
    writeln!(out)?;
    let ns = if entry.key.namespace.is_empty() {
        String::new()
    } else {
        format!("{}/", entry.key.namespace)
    };
    writeln!(
        out,
        "<details><summary><code>{}</code> ({})</summary>",
        html_escape(&format!("{} {ns}{}", entry.key.kind, entry.title_name())),
        plural(n, "change")
    )?;
    writeln!(out)?;
    // The block's fence must be longer than any run of backticks in what it holds.
    let mut block = Vec::new();
    for finding in table_findings(entry, show_all) {
        write_change(&mut block, &finding.change)?;
    }
    let block = String::from_utf8_lossy(&block);
    let fence = code_fence(&block);
    writeln!(out, "{fence}diff")?;
    out.write_all(block.as_bytes())?;
    writeln!(out, "{fence}")?;
    writeln!(out)?;
    writeln!(out, "</details>")?;
    Ok(())
}

/// The findings of an entry the table counts and the blocks show: the visible ones, or all with
/// `--all`.
fn table_findings(entry: &Entry, show_all: bool) -> impl Iterator<Item = &Finding> {
    entry
        .findings
        .iter()
        .filter(move |f| show_all || f.hidden_by.is_none())
}

/// The first column of a row, in the words of the summary line: generated objects replaced or
/// added as their owners do are counted apart from changed and added objects, and said so.
fn row_marker(entry: &Entry) -> &'static str {
    match (entry.is_churn(), entry.change) {
        (true, ObjectChange::Added) => "generated",
        (true, _) => "replaced",
        (false, ObjectChange::Added) => "added",
        (false, ObjectChange::Removed) => "removed",
        (false, ObjectChange::Changed) => "changed",
    }
}

/// What the table leaves out of the summary's count, when anything: changed objects whose only
/// change is one repeated on many objects (listed once, with the objects, among the culprits).
fn left_out_line(analysis: &Analysis, shown: &[&Entry]) -> Option<String> {
    let left_out: usize = analysis
        .entries
        .iter()
        .filter(|e| e.in_repeated && !e.is_churn() && !shown.iter().any(|s| std::ptr::eq(*s, *e)))
        .map(Entry::count)
        .sum();
    if left_out == 0 {
        return None;
    }
    let paths: Vec<String> = analysis
        .repeated
        .iter()
        .map(|r| code_span(&present::path(&r.change)))
        .collect();
    let listed = analysis.summary.changed.saturating_sub(left_out);
    Some(format!(
        "The table lists {listed} of the {} changed objects; the other {left_out} only have a change repeated on many objects ({}).",
        analysis.summary.changed,
        paths.join(", ")
    ))
}

/// A numbered culprit and, under it, each of its changes on one line (up to
/// [`CULPRIT_CHANGES_MARKDOWN`]).
fn write_culprit(
    out: &mut dyn Write,
    position: usize,
    culprit: &Culprit,
    by: &Attributions,
) -> io::Result<()> {
    let marker = format!("{position}. ");
    writeln!(
        out,
        "{marker}{} — {}",
        code_span(&culprit.label),
        text(&culprit.reason)
    )?;
    // A nested list item is indented to the text of its parent item (CommonMark).
    let indent = " ".repeat(marker.len());
    let (changes, more) = present::culprit_changes(culprit, CULPRIT_CHANGES_MARKDOWN);
    for change in changes {
        let who = by
            .get(&culprit.key, &change.path)
            .map(|who| format!(" — by {}", text(&who.describe())))
            .unwrap_or_default();
        writeln!(out, "{indent}- {}{who}", change_item(change))?;
    }
    if more > 0 {
        writeln!(out, "{indent}- and {more} more")?;
    }
    Ok(())
}

/// Values longer than this are not repeated in a culprit's list: the block below holds them.
const ITEM_VALUE_CHARS: usize = 60;

/// One change as a list item: its path, and its values when they are short.
fn change_item(change: &Change) -> String {
    let path = code_span(&present::path(change));
    let short = |value: &str| value.chars().count() <= ITEM_VALUE_CHARS;
    let what = match present::shape(change) {
        Shape::Elided(elided) => text(&values::elided(elided)),
        Shape::Lines(lines) => {
            let changed = lines
                .iter()
                .filter(|l| matches!(l, DiffLine::Added(_) | DiffLine::Removed(_)))
                .count();
            format!("text changed ({changed} lines added or removed)")
        }
        Shape::Atomic(inside) => format!(
            "replaced whole (one value), {} inside",
            plural(inside.len(), "change")
        ),
        Shape::Replaced { old, new } if short(&old) && short(&new) => {
            format!("{} → {}", code_span(&old), code_span(&new))
        }
        Shape::Replaced { .. } | Shape::ReplacedBlocks { .. } => "changed".into(),
        Shape::OneSided { added, value } if short(&value) => {
            let verb = if added { "added" } else { "removed" };
            format!("{verb} {}", code_span(&value))
        }
        Shape::OneSided { added, .. } | Shape::OneSidedBlock { added, .. } => {
            (if added { "added" } else { "removed" }).into()
        }
        Shape::Moved { from, to } => format!("moved from position {from} to {to}"),
        Shape::Reordered(_) => "order changed".into(),
    };
    format!("{path}: {what}")
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

/// One change in `diff` syntax: `-` old, `+` new, `!` what is neither.
fn write_change(out: &mut dyn Write, change: &Change) -> io::Result<()> {
    let path = present::path(change);
    let sign = |added: bool| if added { "+" } else { "-" };
    match present::shape(change) {
        Shape::Elided(elided) => writeln!(out, "! {path}: {}", values::elided(elided)),
        Shape::Lines(lines) => {
            writeln!(out, "! {path}")?;
            for line in lines {
                match line {
                    DiffLine::Hunk(h) => writeln!(out, "  {h}")?,
                    DiffLine::Context(t) => writeln!(out, "  {t}")?,
                    DiffLine::Removed(t) => writeln!(out, "-   {t}")?,
                    DiffLine::Added(t) => writeln!(out, "+   {t}")?,
                }
            }
            Ok(())
        }
        Shape::Atomic(inside) => {
            writeln!(out, "! {path}: replaced whole (one value)")?;
            inside
                .iter()
                .try_for_each(|change| write_change(out, change))
        }
        Shape::Replaced { old, new } => {
            writeln!(out, "- {path}: {old}")?;
            writeln!(out, "+ {path}: {new}")
        }
        Shape::ReplacedBlocks { old, new } => {
            write_block(out, "-", &path, &old)?;
            write_block(out, "+", &path, &new)
        }
        Shape::OneSided { added, value } => writeln!(out, "{} {path}: {value}", sign(added)),
        Shape::OneSidedBlock { added, lines } => write_block(out, sign(added), &path, &lines),
        Shape::Moved { from, to } => {
            writeln!(out, "! {path}: moved from position {from} to {to}")
        }
        Shape::Reordered(Some((old, new))) => {
            writeln!(out, "! {path}: order changed {old} → {new}")
        }
        Shape::Reordered(None) => writeln!(out, "! {path}: order changed"),
    }
}

/// A value written as a block of lines under its path, each line marked with `sign`.
fn write_block(out: &mut dyn Write, sign: &str, path: &str, lines: &[String]) -> io::Result<()> {
    writeln!(out, "{sign} {path}:")?;
    for line in lines {
        writeln!(out, "{sign}     {line}")?;
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
    present::html_escape(&one_line(text))
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
