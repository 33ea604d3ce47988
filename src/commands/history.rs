//! `driftlab history DIR|ARCHIVE…`.

use crate::analyze::ignored::RuleSource;
use crate::error::{ExitStatus, Result};
use crate::history::{self, HistoryOptions};
use crate::messages;
use crate::report::RenderOptions;
use crate::report::history::{self as render, HistoryFormat};
use crate::report::output;

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
    /// `.driftlabignore`, when it was read from the current directory without being named.
    pub implicit_ignore_file: Option<std::path::PathBuf>,
}

/// Reads the archives, compares each consecutive pair, writes the history to stdout.
pub fn run(command: &HistoryCommand) -> Result<ExitStatus> {
    let archives = history::archives(&command.archives, command.options.since)?;
    let history = history::build(&archives, &command.options)?;
    messages::diagnostics(&history.diagnostics, command.quiet);
    let hidden = history
        .nights
        .iter()
        .map(|night| night.analysis.user_hidden.count_from(RuleSource::Implicit))
        .sum();
    super::announce_implicit_ignore_file(
        command.implicit_ignore_file.as_deref(),
        &command.options.analyze.noise,
        Some(hidden),
        command.quiet,
    );
    output::to_stdout(|out| render::render(&history, command.format, &command.render, out))?;
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
