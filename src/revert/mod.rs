//! `driftlab revert`'s engine: what it takes to bring today's objects (CURRENT) back to a good
//! snapshot's state (GOOD), as a plan of guarded JSON patches, manifests to re-create, deletions
//! and what is left alone, with the reason.
//!
//! Pure functions: both snapshots, their diff and its analysis in, a [`Plan`] out. Patches are
//! made against today's object as the API server holds it ([`StoredObject::value_as_served`]),
//! so their pointers use today's list indices; every `replace` and `remove` is guarded by a `test`
//! (`guard.rs`). Only what people own is reverted: noise, generated objects, values a controller
//! sets and secret values the snapshot holds only fingerprints of are `skip`s that say why.

mod guard;
mod objects;
pub mod output;
mod plan;
mod target;
#[cfg(test)]
mod tests;

use json_patch::PatchOperation;
use serde_json::Value;

use crate::analyze::Analysis;
use crate::diff::{DiffReport, PathPattern};
use crate::snapshot::{ObjectKey, Snapshot, StoredObject};

/// The `schema` of the JSON plan.
pub const SCHEMA: &str = "driftlab.revert/v1";

/// What to do with one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionKind {
    /// Patch today's object.
    Patch,
    /// Create GOOD's object again.
    Create,
    /// Delete an object added since GOOD (`--delete-added`).
    Delete,
    /// Leave it: `reason` says why and what to do instead.
    Skip,
}

/// One step of the plan.
#[derive(Clone, Debug)]
pub struct Action {
    /// What to do.
    pub action: ActionKind,
    /// Which object.
    pub key: ObjectKey,
    /// Its `apiVersion`: today's for a patch or deletion, the one to create it with.
    pub api_version: String,
    /// The name kubectl takes for its type (`deploymentconfigs.apps.openshift.io`).
    pub resource: String,
    /// The guarded RFC 6902 operations of a patch.
    pub patch: Vec<PatchOperation>,
    /// The object to create.
    pub manifest: Option<Value>,
    /// The paths it undoes, as driftlab writes them.
    pub reverts: Vec<String>,
    /// Why it is skipped, or what is unusual about it.
    pub reason: Option<String>,
}

/// A warning that goes with the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// One line.
    pub message: String,
}

/// What it takes to bring CURRENT back to GOOD.
#[derive(Clone, Debug)]
pub struct Plan {
    /// GOOD, as the user named it.
    pub good: String,
    /// CURRENT, as the user named it.
    pub current: String,
    /// The steps, in the diff's object order.
    pub actions: Vec<Action>,
    /// What the user should know: objects added since GOOD, references today's side lacks,
    /// secret values that cannot be restored.
    pub warnings: Vec<Warning>,
}

/// Whether an object is selected: its key, and a pair's old name.
pub type ObjectFilter<'a> = &'a dyn Fn(&ObjectKey, Option<&str>) -> bool;

/// Which changes to revert; everything visible when empty.
#[derive(Default)]
pub struct Selection<'a> {
    /// Only objects this accepts (`--object`): the key, and a pair's old name.
    pub object: Option<ObjectFilter<'a>>,
    /// Only changes at or below this path (`--path`).
    pub path: Option<&'a PathPattern>,
    /// Only the N-th likely culprit, counted from 1 as `driftlab diff` numbers them.
    pub culprit: Option<usize>,
}

impl Selection<'_> {
    fn narrows(&self) -> bool {
        self.object.is_some() || self.path.is_some() || self.culprit.is_some()
    }
}

/// How to plan.
#[derive(Clone, Copy, Debug, Default)]
pub struct RevertOptions {
    /// Write secret values (raw ones; fingerprints never).
    pub show_secrets: bool,
    /// Delete objects added since GOOD instead of listing them.
    pub delete_added: bool,
}

/// Why no plan was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `--culprit N` beyond the culprits of the comparison.
    NoSuchCulprit {
        /// N.
        asked: usize,
        /// How many there are.
        count: usize,
    },
    /// The selection matched no change, though the sides differ.
    NothingSelected,
}

/// The two sides.
#[derive(Clone, Copy)]
pub struct Sides<'a> {
    /// GOOD.
    pub good: &'a Snapshot,
    /// CURRENT.
    pub current: &'a Snapshot,
}

impl<'a> Sides<'a> {
    fn good(self, key: &ObjectKey) -> Option<&'a StoredObject> {
        self.good.get(key)
    }

    fn current(self, key: &ObjectKey) -> Option<&'a StoredObject> {
        self.current.get(key)
    }
}

/// The plan that brings `sides.current` back to `sides.good` for the `selection` of the changes
/// of `report` (their diff) that `analysis` (its analysis) leaves visible.
pub fn plan(
    sides: Sides<'_>,
    report: &DiffReport,
    analysis: &Analysis,
    selection: &Selection<'_>,
    options: RevertOptions,
) -> Result<Plan, Refusal> {
    let items = plan::select(report, analysis, selection)?;
    if items.is_empty() && selection.narrows() && analysis.summary.has_differences() {
        return Err(Refusal::NothingSelected);
    }
    let mut planner = plan::Planner::new(sides, options);
    for item in &items {
        planner.object(item);
    }
    let (actions, warnings) = planner.finish();
    if actions.is_empty() && warnings.is_empty() && selection.narrows() {
        return Err(Refusal::NothingSelected);
    }
    Ok(Plan {
        good: report.old.label.clone(),
        current: report.new.label.clone(),
        actions,
        warnings,
    })
}
