//! `driftlab history DIR|ARCHIVE…`.

use std::io::{self, BufWriter, Write};

use crate::cli::args::HistoryFormat;
use crate::error::{Error, ExitStatus, Result};
use crate::history::{self, HistoryOptions};
use crate::messages;
use crate::report::{RenderOptions, history as render};

/// Everything `driftlab history` needs, settled.
#[derive(Debug)]
pub struct HistoryCommand {
    /// Archive folders or archives.
    pub archives: Vec<String>,
    /// Output format.
    pub format: HistoryFormat,
    /// Rendering settings.
    pub render: RenderOptions,
    /// What to show.
    pub options: HistoryOptions,
    /// Suppress warnings about the input.
    pub quiet: bool,
}

/// Reads the archives, compares each consecutive pair, writes the history to stdout.
pub fn run(command: &HistoryCommand) -> Result<ExitStatus> {
    let archives = history::archives(&command.archives, command.options.since)?;
    let history = history::build(&archives, &command.options)?;
    messages::diagnostics(&history.diagnostics, command.quiet);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match command.format {
        HistoryFormat::Text => render::render_text(&history, &command.render, &mut out),
        HistoryFormat::Json => render::render_json(&history, &command.render, &mut out),
        HistoryFormat::Markdown => render::render_markdown(&history, &command.render, &mut out),
        HistoryFormat::Html => render::render_html(&history, &command.render, &mut out),
    };
    match written.and_then(|_| out.flush()) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(Error::io("standard output", e)),
    }
    // The report of the readable archives is out; the unreadable ones make this trouble.
    for err in &history.unreadable {
        messages::error(err);
    }
    Ok(if history.unreadable.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Trouble
    })
}
