//! The history report: per night its ranked changes, then the timelines of the object or path
//! asked for. Text, JSON, Markdown, and a self-contained HTML page.

mod html;

use std::io::{self, Write};

use serde_json::{Value, json};

use super::present;
use super::theme::{Role, Theme};
use super::{RenderOptions, analysis_value, summary_counts, write_change};
use crate::history::{History, Timeline, archive_name};

pub use html::render as render_html;

/// The output formats of `driftlab history`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryFormat {
    /// Night by night, for people.
    Text,
    /// The nights as diff reports, and the timelines.
    Json,
    /// Markdown.
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// GitHub Actions workflow commands for the newest night.
    Github,
    /// JUnit XML for the newest night.
    Junit,
}

/// Writes `history` in `format` to `out`.
pub fn render(
    history: &History,
    format: HistoryFormat,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        HistoryFormat::Text => render_text(history, options, out),
        HistoryFormat::Json => render_json(history, options, out),
        HistoryFormat::Markdown => render_markdown(history, options, out),
        HistoryFormat::Html => render_html(history, options, out),
        HistoryFormat::Github | HistoryFormat::Junit => {
            // CI reads the state of tonight: the newest night, as `diff` would report it.
            let Some(night) = history.nights.last() else {
                return Ok(());
            };
            let context = crate::report::ci::Context {
                compared: history.newest_compared.clone(),
                ..Default::default()
            };
            match format {
                HistoryFormat::Github => {
                    crate::report::ci::github::render(&night.analysis, &context, out)
                }
                _ => crate::report::ci::junit::render(&night.analysis, &context, out),
            }
        }
    }
}

/// `2018-09-12 00:15`, or the archive's name when it has no date.
fn when(info: &crate::snapshot::SourceInfo) -> String {
    info.taken
        .map(|t| t.to_string())
        .unwrap_or_else(|| archive_name(info))
}

/// A value in a timeline, on one line.
pub fn timeline_value(value: Option<&Value>) -> String {
    match value {
        None => "(absent)".to_string(),
        Some(v) => super::values::short_digests(&super::values::inline(v)),
    }
}

/// `"/healthz" (2018-09-11 00:15) → "/ready" (2018-09-12 00:15), first seen in X.zip`.
pub fn timeline_line(timeline: &Timeline) -> String {
    let steps: Vec<String> = timeline
        .points
        .iter()
        .map(|p| {
            format!(
                "{} ({})",
                timeline_value(p.value.as_ref()),
                when(&p.archive)
            )
        })
        .collect();
    // The archive where the latest value first appeared.
    let latest = timeline
        .points
        .last()
        .map(|p| archive_name(&p.archive))
        .unwrap_or_default();
    format!(
        "{}: {}, first seen in {latest}",
        timeline.path,
        steps.join(" → ")
    )
}

/// Writes the text history.
pub fn render_text(
    history: &History,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = Theme::new(options.color);
    let (first, last) = (
        &history.archives[0],
        &history.archives[history.archives.len() - 1],
    );
    writeln!(
        out,
        "History of {} archives: {} ({}) → {} ({})",
        history.archives.len(),
        archive_name(first),
        when(first),
        archive_name(last),
        when(last)
    )?;
    for night in &history.nights {
        let a = &night.analysis;
        writeln!(out)?;
        writeln!(
            out,
            "{}   {}",
            theme.paint(
                Role::Heading,
                &format!("{} → {}", when(&a.old), when(&a.new))
            ),
            theme.paint(Role::Dim, &archive_name(&a.new))
        )?;
        if a.culprits.is_empty() {
            writeln!(out, "    no drift")?;
        }
        for (n, culprit) in a.culprits.iter().take(options.top.max(1)).enumerate() {
            writeln!(
                out,
                "{:>3}  {}   {}",
                n + 1,
                theme.paint(Role::Object, &culprit.label),
                theme.paint(Role::Dim, &culprit.reason)
            )?;
            let (changes, _) = present::culprit_changes(culprit, present::CULPRIT_CHANGES);
            for change in changes {
                write_change(out, change, &theme, options, 7)?;
            }
        }
        if a.culprits.len() > options.top.max(1) {
            writeln!(
                out,
                "{}",
                theme.paint(
                    Role::Dim,
                    &format!("     … {} more", a.culprits.len() - options.top.max(1))
                )
            )?;
        }
        writeln!(out, "    {}", theme.paint(Role::Dim, &summary_counts(a)))?;
    }
    if !history.timelines.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", theme.paint(Role::Heading, "Timeline"))?;
        let mut object: Option<&str> = None;
        for timeline in &history.timelines {
            if object != Some(timeline.object.as_str()) {
                writeln!(out, "  {}", theme.paint(Role::Object, &timeline.object))?;
                object = Some(&timeline.object);
            }
            writeln!(out, "    {}", timeline_line(timeline))?;
        }
    }
    Ok(())
}

/// The history as JSON: `{"format": "driftlab.history/v1", "archives", "nights", "timelines"}`,
/// each night in the form of the diff report.
pub fn render_json(
    history: &History,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let source = |info: &crate::snapshot::SourceInfo| json!({"source": info.label, "taken": info.taken.map(|t| t.rfc3339())});
    let value = json!({
        "format": "driftlab.history/v1",
        "archives": history.archives.iter().map(source).collect::<Vec<_>>(),
        "nights": history.nights.iter().map(|n| analysis_value(&n.analysis, options)).collect::<Vec<_>>(),
        "timelines": history.timelines.iter().map(|t| json!({
            "object": t.object,
            "path": t.path,
            "values": t.points.iter().map(|p| json!({"value": p.value, "since": p.archive.taken.map(|t| t.rfc3339()), "archive": archive_name(&p.archive)})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

/// The history as Markdown: a section per night with its culprits, then the timelines.
pub fn render_markdown(
    history: &History,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "### driftlab history: {} archives",
        history.archives.len()
    )?;
    for night in &history.nights {
        let a = &night.analysis;
        writeln!(out)?;
        writeln!(
            out,
            "#### {} → {} ({})",
            when(&a.old),
            when(&a.new),
            super::markdown::code_span(&archive_name(&a.new))
        )?;
        writeln!(out)?;
        if a.culprits.is_empty() {
            writeln!(out, "No drift. {}", summary_counts(a))?;
            continue;
        }
        for (n, culprit) in a.culprits.iter().take(options.top.max(1)).enumerate() {
            writeln!(out, "{}", super::markdown::culprit_line(n + 1, culprit))?;
        }
        writeln!(out)?;
        writeln!(out, "_{}_", super::markdown::text(&summary_counts(a)))?;
    }
    if !history.timelines.is_empty() {
        writeln!(out)?;
        writeln!(out, "#### Timeline")?;
        writeln!(out)?;
        for timeline in &history.timelines {
            writeln!(
                out,
                "- {}: {}",
                super::markdown::text(&timeline.object),
                super::markdown::code_span(&timeline_line(timeline))
            )?;
        }
    }
    Ok(())
}
