//! Markdown for a pull-request comment or a CI step summary: a verdict, a table of objects, then
//! one collapsible block per object with its changes in `diff` syntax. Secrets stay hidden.

use std::io::{self, Write};

use serde_json::Value;

use super::values::{self, DiffLine};
use super::{RenderOptions, describe_source, summary_line};
use crate::diff::{Change, DiffReport, ObjectChange, Op};

pub fn render(
    report: &DiffReport,
    _options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let verdict = if report.summary.has_differences() {
        "Drift found"
    } else {
        "No drift"
    };
    writeln!(out, "### driftlab: {verdict}")?;
    writeln!(out)?;
    writeln!(
        out,
        "**{}** · `{}` → `{}`",
        summary_line(report),
        describe_source(&report.old),
        describe_source(&report.new)
    )?;
    if report.objects.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "| | Kind | Namespace | Name | Changes |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for object in &report.objects {
        let (marker, count) = match object.change {
            ObjectChange::Added => ("added", String::from("—")),
            ObjectChange::Removed => ("removed", String::from("—")),
            ObjectChange::Changed => ("changed", object.changes.len().to_string()),
        };
        writeln!(
            out,
            "| {marker} | {} | {} | {} | {count} |",
            cell(&object.key.kind),
            cell(&object.key.namespace),
            cell(&object.key.name)
        )?;
    }
    for object in report
        .objects
        .iter()
        .filter(|o| o.change == ObjectChange::Changed)
    {
        writeln!(out)?;
        let n = object.changes.len();
        writeln!(
            out,
            "<details><summary><code>{}</code> ({n} change{})</summary>",
            html_escape(&object.key.to_string()),
            if n == 1 { "" } else { "s" }
        )?;
        writeln!(out)?;
        writeln!(out, "```diff")?;
        for change in &object.changes {
            write_change(out, change)?;
        }
        writeln!(out, "```")?;
        writeln!(out)?;
        writeln!(out, "</details>")?;
    }
    Ok(())
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
