//! `driftlab diff OLD NEW`.

use std::io::{self, BufWriter, Write};

use super::print_diagnostics;
use crate::analyze::{self, AnalyzeOptions};
use crate::cluster::ClusterOptions;
use crate::cluster::live::{self, LiveScope};
use crate::diff::{DiffOptions, diff_snapshots};
use crate::error::{Error, ExitStatus, Result};
use crate::report::{self, Format, RenderOptions};
use crate::snapshot::Snapshot;
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
    /// How to reach a cluster for a `live` side.
    pub cluster: ClusterOptions,
    /// Noise rules and what to show.
    pub analyze: AnalyzeOptions,
}

/// Reads both snapshots (in parallel), compares them and writes the report to stdout.
pub fn run(command: &DiffCommand) -> Result<ExitStatus> {
    let (old, new) = read_both(command)?;
    for snapshot in [&old, &new] {
        print_diagnostics(snapshot, command.quiet);
        if snapshot.is_empty() && !command.quiet {
            eprintln!(
                "driftlab: warning: {}: no Kubernetes objects found",
                snapshot.info.label
            );
        }
    }

    let report = diff_snapshots(&old, &new, &command.diff);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    // A JSON Patch is by identity; everything else reads the analysis.
    let (written, drifted) = if command.format == Format::Patch {
        let drifted = report.summary.has_differences();
        (report::render_patch(&report, &mut out), drifted)
    } else {
        let analysis = analyze::analyze(&old, &new, report, &command.analyze);
        drop((old, new));
        let drifted = analysis.summary.has_differences();
        (
            report::render(&analysis, command.format, &command.render, &mut out),
            drifted,
        )
    };
    match written.and_then(|_| out.flush()) {
        Ok(()) => {}
        // A closed pipe (`driftlab diff … | head`) is the reader's choice, not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(Error::io("standard output", e)),
    }
    Ok(if drifted && !command.exit_zero {
        ExitStatus::Differences
    } else {
        ExitStatus::Clean
    })
}

/// Reads both sides: files in parallel; a `live` side after the other, restricted to the
/// namespaces (and cluster-scoped kinds) the other side holds.
fn read_both(command: &DiffCommand) -> Result<(Snapshot, Snapshot)> {
    let live_side = |argument: &str| live::parse_argument(argument);
    match (live_side(&command.old), live_side(&command.new)) {
        (None, None) => {
            let (old, new) = std::thread::scope(|scope| {
                let old = scope.spawn(|| source::read(&command.old, &command.read));
                let new = source::read(&command.new, &command.read);
                let old = old
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (old, new)
            });
            Ok((old?, new?))
        }
        (Some(context), None) => {
            let new = source::read(&command.new, &command.read)?;
            let old = read_live(command, context, &command.old, Some(&new))?;
            Ok((old, new))
        }
        (None, Some(context)) => {
            let old = source::read(&command.old, &command.read)?;
            let new = read_live(command, context, &command.new, Some(&old))?;
            Ok((old, new))
        }
        (Some(old_context), Some(new_context)) => {
            let old = read_live(command, old_context, &command.old, None)?;
            let new = read_live(command, new_context, &command.new, None)?;
            Ok((old, new))
        }
    }
}

fn read_live(
    command: &DiffCommand,
    context: Option<String>,
    label: &str,
    other: Option<&Snapshot>,
) -> Result<Snapshot> {
    let mut options = command.cluster.clone();
    if context.is_some() {
        options.context = context;
    }
    let filter = &command.read.filter;
    let scope = LiveScope {
        namespaces: if filter.namespaces.is_empty() {
            other.map(Snapshot::namespaces).unwrap_or_default()
        } else {
            filter.namespaces.clone()
        },
        cluster_kinds: other.map(|snapshot| {
            snapshot
                .iter()
                .filter(|(key, _)| key.is_cluster_scoped())
                .map(|(key, _)| (key.group.clone(), key.kind.clone()))
                .collect()
        }),
    };
    live::read(&options, &scope, filter, label)
}
