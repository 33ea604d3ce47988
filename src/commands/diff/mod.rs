//! `driftlab diff OLD NEW`.

use super::{announce_implicit_ignore_file, print_diagnostics};
use crate::analyze::{self, AnalyzeOptions};
use crate::cluster::ClusterOptions;
use crate::diff::{DiffOptions, diff_snapshots};
use crate::error::{ExitStatus, Result};
use crate::report::{self, Findings, Format, RenderOptions, output};
use crate::schema;
use crate::snapshot::Snapshot;
use crate::source::ReadOptions;

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
    /// Accepted drift: what to accept, what to write.
    pub baseline: BaselineRun,
    /// Exit 0 even when differences are found.
    pub exit_zero: bool,
    /// Suppress warnings about the input.
    pub quiet: bool,
    /// `.driftlabignore`, when it was read from the current directory without being named.
    pub implicit_ignore_file: Option<std::path::PathBuf>,
    /// How to reach a cluster for a `live` side.
    pub cluster: ClusterOptions,
    /// Compare what a `live` side could read even when some of it could not be read.
    pub allow_partial: bool,
    /// Compare a side that holds no object instead of refusing it.
    pub allow_empty: bool,
    /// `(old, new)` namespaces compared with each other (`--map-namespace`).
    pub namespace_map: Vec<(String, String)>,
    /// Noise rules and what to show.
    pub analyze: AnalyzeOptions,
    /// `--crds`: files or folders of CustomResourceDefinitions.
    pub crds: Vec<String>,
}

/// What a diff does with a baseline of accepted drift.
#[derive(Debug, Default)]
pub struct BaselineRun {
    /// The entries of every `--baseline` file (also set, empty, for `--update-baseline` alone,
    /// so that the analysis lists each change as an entry).
    pub accepted: Option<std::sync::Arc<crate::analyze::baseline::Baseline>>,
    /// `--update-baseline FILE`.
    pub update: Option<std::path::PathBuf>,
    /// The entries already in that file, whose reasons and expiry dates an update keeps.
    pub previous: Vec<crate::analyze::baseline::Accepted>,
    /// `--strict-baseline`: stale entries exit 1.
    pub strict: bool,
}

/// Reads both snapshots (in parallel), compares them and writes the report to stdout.
pub fn run(command: &DiffCommand) -> Result<ExitStatus> {
    let (old, new, options) = read_and_check(command)?;
    let report = diff_snapshots(&old, &new, &options);
    let findings = Findings::new(command.format, report, |report| {
        analyze::analyze(&old, &new, report, &command.analyze)
    });
    let context = match &findings {
        Findings::Analysis(analysis, _) if command.format.needs_context() => {
            places::context(analysis, &old, &new)
        }
        _ => Default::default(),
    };
    drop((old, new));
    let analysis = match &findings {
        Findings::Analysis(analysis, _) => Some(analysis),
        Findings::Identity(_) => None,
    };
    announce_implicit_ignore_file(
        command.implicit_ignore_file.as_deref(),
        &command.analyze.noise,
        analysis.map(|a| {
            a.user_hidden
                .count_from(analyze::ignored::RuleSource::Implicit)
        }),
        command.quiet,
    );
    if let Some(analysis) = analysis {
        warn_about_rules(analysis, command.quiet);
    }
    let outcome = analysis.and_then(|a| a.baseline.as_ref());
    if let (Some(file), Some(outcome)) = (&command.baseline.update, outcome) {
        let written = baseline::write_update(file, outcome, &command.baseline.previous)?;
        if !command.quiet {
            crate::messages::note(&format!(
                "wrote {written} accepted change{} to {}",
                if written == 1 { "" } else { "s" },
                file.display()
            ));
        }
    }
    output::to_stdout(|out| report::render_in(&findings, &command.render, &context, out))?;
    let stale = outcome.is_some_and(|o| !o.stale.is_empty());
    let failed = findings.has_differences() || (command.baseline.strict && stale);
    Ok(
        if failed && !command.exit_zero && command.baseline.update.is_none() {
            ExitStatus::Differences
        } else {
            ExitStatus::Clean
        },
    )
}

/// Warns of annotations whose patterns could not be read and, whatever `--quiet` says, of each
/// security-sensitive change a baseline accepts: every format says so, the machine-read ones on
/// standard error.
fn warn_about_rules(analysis: &analyze::Analysis, quiet: bool) {
    if !quiet {
        for problem in &analysis.user_hidden.annotation_problems {
            crate::messages::warning(&format!("{problem}; its changes stay visible"));
        }
    }
    if let Some(outcome) = &analysis.baseline {
        for accepted in outcome.security() {
            crate::messages::warning(&format!(
                "a baseline accepts a security-sensitive change: {}",
                accepted.describe(&outcome.entries)
            ));
        }
    }
}

/// Reads both sides as `command` asks (a `live` side restricted to what the other holds), refuses
/// what matched nothing, maps namespaces, finds the custom resources' schemas (both sides' and
/// `--crds`), and prints what reading had to say: the sides of a diff, and of a revert, which
/// compares the same way. The options returned are `command.diff` with those schemas.
pub(crate) fn read_and_check(command: &DiffCommand) -> Result<(Snapshot, Snapshot, DiffOptions)> {
    let (extra, warnings) = crate::source::definitions(&command.crds, &command.read)?;
    crate::messages::diagnostics(&warnings, command.quiet);
    let (mut old, mut new) = read::read_both(command)?;
    checks::refuse_what_matched_nothing(command, &old, &new)?;
    checks::refuse_unused_mapping(command, &old, &new)?;
    if !command.namespace_map.is_empty() {
        crate::snapshot::map_namespaces(&mut old, &command.namespace_map);
    }
    checks::warn_about_secret_hashes(&old, &new, &command.diff, command.quiet);
    let options = DiffOptions {
        schemas: std::sync::Arc::new(schema::prepare(
            &mut old,
            &mut new,
            &extra,
            crate::analyze::security::same_grants,
        )),
        ..command.diff.clone()
    };
    for snapshot in [&old, &new] {
        print_diagnostics(snapshot, command.quiet);
    }
    Ok((old, new, options))
}

mod baseline;
mod checks;
mod places;
mod read;
