//! `driftlab diff OLD NEW`.

use std::io::{self, BufWriter, Write};

use super::print_diagnostics;
use crate::diff::{DiffOptions, diff_snapshots};
use crate::error::{Error, ExitStatus, Result};
use crate::report::{self, Format, RenderOptions};
use crate::source::{self, ReadOptions};

/// Everything `driftlab diff` needs, settled.
#[derive(Debug)]
pub struct DiffCommand {
    /// The old snapshot argument.
    pub old: String,
    /// The new snapshot argument.
    pub new: String,
    /// How to read both.
    pub read: ReadOptions,
    /// How to compare.
    pub diff: DiffOptions,
    /// How to write the report.
    pub format: Format,
    /// Rendering settings.
    pub render: RenderOptions,
    /// Exit 0 even when differences are found.
    pub exit_zero: bool,
    /// Suppress warnings about the input.
    pub quiet: bool,
}

/// Reads both snapshots (in parallel), compares them and writes the report to stdout.
pub fn run(command: &DiffCommand) -> Result<ExitStatus> {
    let (old, new) = std::thread::scope(|scope| {
        let old = scope.spawn(|| source::read(&command.old, &command.read));
        let new = source::read(&command.new, &command.read);
        let old = old
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (old, new)
    });
    let (old, new) = (old?, new?);
    print_diagnostics(&old, command.quiet);
    print_diagnostics(&new, command.quiet);

    let report = diff_snapshots(&old, &new, &command.diff);
    drop((old, new));

    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = report::render(&report, command.format, &command.render, &mut out)
        .and_then(|_| out.flush());
    match written {
        Ok(()) => {}
        // A closed pipe (`driftlab diff … | head`) is the reader's choice, not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(Error::io("standard output", e)),
    }
    Ok(if report.summary.has_differences() && !command.exit_zero {
        ExitStatus::Differences
    } else {
        ExitStatus::Clean
    })
}
