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
        "**{}** · `{}` → `{}`",
        summary_line(analysis),
        describe_source(&analysis.old),
        describe_source(&analysis.new)
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
        writeln!(out, "```diff")?;
        for finding in entry.visible() {
            write_change(out, &finding.change)?;
        }
        writeln!(out, "```")?;
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
        .map(|c| format!(": `{}`", c.path.human()))
        .unwrap_or_default();
    format!(
        "{position}. `{}`{first} — {}",
        culprit.label, culprit.reason
    )
}

fn write_change(out: &mut dyn Write, change: &Change) -> io::Result<()> {
    let path = change.path.human();
    let show = |v: Option<&Value>| match (change.secret, v) {
        (true, Some(Value::String(s))) => s.clone(),
        (_, Some(v)) => values::inline(v),
        (_, None) => String::new(),
    };
    let (old, new) = (change.old.as_ref(), change.new.as_ref());
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

fn cell(text: &str) -> String {
    if text.is_empty() {
        return "—".into();
    }
    text.replace('|', "\\|")
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
