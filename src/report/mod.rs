//! Renderers: a [`DiffReport`] in, bytes out. Each format lives in its own module and none of them
//! reads a snapshot or computes a difference.

mod brief;
mod json;
mod markdown;
mod patch;
mod text;
pub mod theme;
mod values;

use std::io::{self, Write};

use crate::diff::DiffReport;
use crate::snapshot::SourceInfo;

/// The output formats of `driftlab diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Grouped by namespace, for people (the default).
    Text,
    /// The documented JSON report.
    Json,
    /// RFC 6902 JSON Patch per object.
    Patch,
    /// Markdown for a pull-request comment or a CI step summary.
    Markdown,
    /// One line per object with its number of changes.
    Stat,
    /// One line per object.
    NameOnly,
}

/// How to render.
#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    /// Use colour (text formats only).
    pub color: bool,
    /// Secret values were revealed (`--show-secrets`); otherwise they are fingerprints.
    pub show_secrets: bool,
}

/// Writes `report` in `format` to `out`.
pub fn render(
    report: &DiffReport,
    format: Format,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::render(report, options, out),
        Format::Json => json::render(report, out),
        Format::Patch => patch::render(report, out),
        Format::Markdown => markdown::render(report, options, out),
        Format::Stat => brief::render_stat(report, options, out),
        Format::NameOnly => brief::render_names(report, options, out),
    }
}

/// `old.zip (2018-09-11 00:15)`.
pub fn describe_source(info: &SourceInfo) -> String {
    match info.taken {
        Some(taken) => format!("{} ({taken})", info.label),
        None => info.label.clone(),
    }
}

/// `3 changed, 1 added, 0 removed, 41 unchanged` and what `--ignore` left out.
pub fn summary_line(report: &DiffReport) -> String {
    let s = report.summary;
    let mut line = format!(
        "{} changed, {} added, {} removed, {} unchanged",
        s.changed, s.added, s.removed, s.unchanged
    );
    if report.ignored_changes > 0 {
        line.push_str(&format!(
            " · {} change{} ignored (--ignore)",
            report.ignored_changes,
            if report.ignored_changes == 1 { "" } else { "s" }
        ));
    }
    line
}
