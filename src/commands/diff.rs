//! `driftlab diff OLD NEW`.

use super::print_diagnostics;
use crate::analyze::{self, AnalyzeOptions};
use crate::cluster::live;
use crate::cluster::read::ReadReport;
use crate::cluster::{ClusterOptions, ClusterScoped, names};
use crate::diff::{DiffOptions, diff_snapshots};
use crate::error::{Error, ExitStatus, Result};
use crate::messages;
use crate::report::{self, Findings, Format, RenderOptions, output};
use crate::secret::{self, Scheme};
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
    /// Compare what a `live` side could read even when some of it could not be read.
    pub allow_partial: bool,
    /// Noise rules and what to show.
    pub analyze: AnalyzeOptions,
}

/// Reads both snapshots (in parallel), compares them and writes the report to stdout.
pub fn run(command: &DiffCommand) -> Result<ExitStatus> {
    let (old, new) = read_both(command)?;
    warn_about_secret_hashes(&old, &new, &command.diff, command.quiet);
    for snapshot in [&old, &new] {
        print_diagnostics(snapshot, command.quiet);
        if snapshot.is_empty() && !command.quiet {
            messages::warning(&format!(
                "{}: no Kubernetes objects found",
                snapshot.info.label
            ));
        }
    }

    let report = diff_snapshots(&old, &new, &command.diff);
    let findings = if command.format.needs_analysis() {
        Findings::Analysis(analyze::analyze(&old, &new, report, &command.analyze))
    } else {
        Findings::Identity(report)
    };
    drop((old, new));
    output::to_stdout(|out| report::render(&findings, command.format, &command.render, out))?;
    let drifted = findings.has_differences();
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
            let mut new = source::read(&command.new, &command.read)?;
            let old = read_live(command, context, &command.old, Some(&mut new))?;
            Ok((old, new))
        }
        (None, Some(context)) => {
            let mut old = source::read(&command.old, &command.read)?;
            let new = read_live(command, context, &command.new, Some(&mut old))?;
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
    other: Option<&mut Snapshot>,
) -> Result<Snapshot> {
    let mut options = command.cluster.clone();
    if context.is_some() {
        options.context = context;
    }
    options.max_bytes = command.read.max_bytes;
    let filter = &command.read.filter;
    options.namespaces = if filter.namespaces.is_empty() {
        other.as_ref().map(|s| s.namespaces()).unwrap_or_default()
    } else {
        filter.namespaces.clone()
    };
    // Names from a file are data: only valid namespace names go into a URL.
    options.namespaces.retain(|ns| {
        let valid = names::is_dns1123_label(ns);
        if !valid && !command.quiet {
            messages::warning(&format!(
                "{ns:?} is not a valid namespace name; not read from {label}"
            ));
        }
        valid
    });
    if let Some(other) = other.as_ref() {
        options.cluster_scoped = ClusterScoped::Only(
            other
                .iter()
                .filter(|(key, _)| key.is_cluster_scoped())
                .map(|(key, _)| (key.group.clone(), key.kind.clone()))
                .collect(),
        );
    }
    let (snapshot, report) = live::read(&options, filter, label)?;
    if !report.is_complete() && !command.allow_partial {
        let missing = report.missing();
        return Err(Error::Cluster(format!(
            "{label}: the cluster could not be read completely ({} missing, first: {}); --allow-partial compares what could be read",
            missing.len(),
            missing.first().map(String::as_str).unwrap_or("?")
        )));
    }
    if let Some(other) = other {
        leave_out_unread(other, &report, label, command.quiet);
    }
    Ok(snapshot)
}

/// Takes out of the other side the objects of types the live side could not read (forbidden
/// to the account, or failed with `--allow-partial`): unread is not removed.
fn leave_out_unread(other: &mut Snapshot, report: &ReadReport, label: &str, quiet: bool) {
    for gap in &report.gaps {
        let left_out = other.remove_where(|key| gap.scope.covers(&key.group, &key.namespace));
        if left_out > 0 && !quiet {
            messages::warning(&format!(
                "{label}: {gap}; {left_out} object{} left out of the comparison",
                if left_out == 1 { "" } else { "s" }
            ));
        }
    }
    for problem in report.forbidden.iter().chain(&report.failed) {
        let Some(resource) = report
            .resources
            .iter()
            .find(|r| r.qualified_name() == problem.resource)
        else {
            continue;
        };
        let namespace = problem.namespace.clone().unwrap_or_default();
        let left_out = other.remove_where(|key| {
            key.group == resource.group && key.kind == resource.kind && key.namespace == namespace
        });
        if left_out > 0 && !quiet {
            messages::warning(&format!(
                "{label}: {} could not be read ({}); {left_out} object{} of it left out of the comparison",
                problem.resource,
                problem.reason,
                if left_out == 1 { "" } else { "s" }
            ));
        }
    }
}

/// Warns once when the two sides hold secret values hashed in ways that cannot be compared
/// (different keys, a key on one side only): their changes cannot be seen, and the report must
/// not pretend otherwise.
fn warn_about_secret_hashes(old: &Snapshot, new: &Snapshot, options: &DiffOptions, quiet: bool) {
    if quiet {
        return;
    }
    let key = options.values.secret_key.as_deref();
    let (old_schemes, new_schemes) = (secret_schemes(old), secret_schemes(new));
    for a in &old_schemes {
        for b in &new_schemes {
            if !secret::comparable(a, b, key) {
                let hint = match (a, b) {
                    (Scheme::Hmac(id), _) | (_, Scheme::Hmac(id))
                        if key.is_none_or(|k| k.id() != id) =>
                    {
                        format!("--secret-key-file with key {id} compares them with raw values")
                    }
                    _ => "export both with the same --secret-key-file".into(),
                };
                messages::warning(&format!(
                    "secret values cannot be compared: {} holds {a}, {} holds {b}; changes to them are not shown ({hint})",
                    old.info.label, new.info.label
                ));
            }
        }
    }
}

/// The forms the secret values of a snapshot are stored in.
fn secret_schemes(snapshot: &Snapshot) -> std::collections::BTreeSet<Scheme> {
    snapshot
        .iter()
        .filter(|(key, _)| secret::is_secret_kind(&key.kind))
        .flat_map(|(_, stored)| secret::schemes_of(&stored.value()))
        .collect()
}
