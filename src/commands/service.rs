//! What an export tells the monitoring of an unattended service ([`crate::metrics`]): the facts
//! of the run gathered as it goes ([`Outcome`]), the drift against the previous good archive
//! found by the same comparison `driftlab diff` makes, and the metrics written and pushed once
//! the run is over, whether it succeeded or not.

use crate::analyze::{self, AnalyzeOptions, Category, NoiseProfile};
use crate::archive::rotate::{self, Plan};
use crate::diff::{DiffOptions, ObjectChange, diff_snapshots};
use crate::error::{ExitStatus, Result};
use crate::messages;
use crate::metrics::{self, ArchiveCounts, MetricsOptions, Run};
use crate::source::{ReadOptions, stored};
use crate::storage::Store;
use crate::timestamp::Timestamp;

/// What an export came to, as far as it got.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Objects in the archive written.
    pub objects: Option<u64>,
    /// Size of the archive written.
    pub bytes: Option<u64>,
    /// Lists skipped as forbidden and discovery warnings.
    pub warnings: Option<u64>,
    /// Lists and API groups that could not be read.
    pub failed_resources: Option<u64>,
    /// The archives after rotation.
    pub archives: Option<ArchiveCounts>,
    /// Visible changes against the previous good archive, by category.
    pub drift: Option<Vec<(&'static str, u64)>>,
}

/// The archives a rotation plan leaves, by state: rotation reads every archive it keeps.
pub fn counts(plan: &Plan, prune_broken: bool) -> ArchiveCounts {
    let partial = plan.kept.iter().filter(|kept| kept.partial).count();
    ArchiveCounts {
        good: (plan.kept.len() - partial) as u64,
        partial: partial as u64,
        broken: if prune_broken {
            0
        } else {
            plan.broken.len() as u64
        },
        suspicious: plan.suspicious.len() as u64,
    }
}

/// The newest good archive of `store` other than `written`: the first good one rotation kept,
/// when it ran, else the archives read newest first until one proves good.
pub fn previous_good(
    store: &Store,
    prefix: &str,
    written: &str,
    plan: Option<&Plan>,
) -> Result<Option<String>> {
    if let Some(plan) = plan {
        return Ok(plan
            .kept
            .iter()
            .find(|kept| !kept.partial && kept.name != written)
            .map(|kept| kept.name.clone()));
    }
    let now = Timestamp::now();
    let (archives, _) = rotate::archives(store, prefix)?;
    for archive in archives.iter().filter(|a| a.name != written) {
        let verified = store.verify(&archive.name, archive.size);
        let trusted =
            crate::format::verify::suspicion(archive.stamp, verified.started, now).is_none();
        if trusted && verified.state == crate::format::verify::ArchiveState::Complete {
            return Ok(Some(archive.name.clone()));
        }
    }
    Ok(None)
}

/// The visible changes from archive `old` to archive `new` of `store`, by report category
/// (every category named, zero or not), as `driftlab diff` with its default noise rules sees
/// them.
pub fn drift(store: &Store, old: &str, new: &str) -> Result<Vec<(&'static str, u64)>> {
    let read = ReadOptions::default();
    let mut old = stored::read_stored(store, old, &read)?;
    let mut new = stored::read_stored(store, new, &read)?;
    let schemas = crate::schema::prepare(
        &mut old,
        &mut new,
        &crate::schema::Schemas::default(),
        analyze::security::same_grants,
    );
    let options = DiffOptions {
        schemas: std::sync::Arc::new(schemas),
        ..DiffOptions::default()
    };
    let report = diff_snapshots(&old, &new, &options);
    let analyze_options = AnalyzeOptions {
        noise: NoiseProfile::new(true, Vec::new()),
        show_all: false,
        desired: false,
        baseline: None,
    };
    let analysis = analyze::analyze(&old, &new, report, &analyze_options);
    let mut counts = [0u64; Category::ALL.len()];
    let slot = |category: Category| Category::ALL.iter().position(|&c| c == category);
    for entry in &analysis.entries {
        let mut visible = 0;
        for finding in entry.visible() {
            visible += 1;
            if let Some(i) = slot(finding.category) {
                counts[i] += 1;
            }
        }
        // An object added or removed is one change, however many fields it has.
        if visible == 0
            && entry.change != ObjectChange::Changed
            && let Some(i) = slot(entry.category)
        {
            counts[i] += entry.count() as u64;
        }
    }
    Ok(Category::ALL
        .iter()
        .zip(counts)
        .map(|(category, count)| (category.name(), count))
        .collect())
}

/// Writes and pushes the metrics of a run that started at `started` and ended in `result`,
/// after what `outcome` gathered; every place that fails is one warning line.
pub fn report(
    options: &MetricsOptions,
    started: Timestamp,
    result: &Result<ExitStatus>,
    outcome: &Outcome,
) {
    let finished = Timestamp::now();
    let complete = matches!(result, Ok(ExitStatus::Clean));
    let last_success = if complete {
        Some(finished.to_unix() as f64)
    } else {
        let (previous, trouble) = metrics::previous_success(options);
        if let Some(line) = trouble {
            messages::warning(&line);
        }
        previous
    };
    let run = Run {
        started: started.to_unix() as f64,
        duration: (finished.to_unix() - started.to_unix()).max(0) as f64,
        complete,
        last_success,
        objects: outcome.objects,
        bytes: outcome.bytes,
        warnings: outcome.warnings,
        failed_resources: outcome.failed_resources,
        drift: outcome.drift.clone().filter(|_| complete),
        archives: outcome.archives,
    };
    for line in metrics::publish(options, &run) {
        messages::warning(&line);
    }
}
