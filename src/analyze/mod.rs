//! Finding the impurity: what a diff means. Noise hidden by named rules, generated objects paired
//! instead of "N removed, N added", repeated changes grouped, pods checked against their
//! controller's template, and every change ranked, so the likely culprits come first.
//!
//! Analysis sits between the diff and the reports: it takes a [`DiffReport`] and both snapshots
//! and returns an [`Analysis`]; it never reads files and never prints.

pub mod attribution;
pub mod baseline;
pub mod desired;
pub mod ignored;
pub mod noise;
mod pairing;
pub mod rank;
pub mod refs;
pub mod relation;
mod renames;
pub mod security;
pub mod sides;
pub mod templates;

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use serde_json::Value;

use crate::diff::filter::{self, PathRules};
use crate::diff::{Change, DiffReport, ObjectChange, ObjectDiff, Path};
use crate::snapshot::{ObjectKey, Snapshot, SourceInfo};
pub use noise::NoiseProfile;
pub use rank::Category;
pub use relation::{Owner, Relation};
pub use sides::Sides;

/// How to analyse.
#[derive(Debug)]
pub struct AnalyzeOptions {
    /// The noise rules in force.
    pub noise: NoiseProfile,
    /// Show what noise rules hide and what a baseline accepts (`--all`): listed, never drift.
    pub show_all: bool,
    /// Compare only what the old side (the desired state) sets ([`desired`]).
    pub desired: bool,
    /// Accepted drift (`--baseline`), when given or when `--update-baseline` needs the
    /// changes listed as entries.
    pub baseline: Option<std::sync::Arc<baseline::Baseline>>,
}

/// A change with what analysis says of it.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The change.
    pub change: Change,
    /// Where it ranks.
    pub category: Category,
    /// Why, in words (`used by DeploymentConfig web (volume config)`).
    pub reasons: Vec<String>,
    /// The rule that hides it, if one does.
    pub hidden_by: Option<String>,
    /// A word the report prints beside the change (`set in the cluster by kubectl-edit, not in
    /// the manifests`).
    pub note: Option<String>,
    /// Accepted by a baseline entry (`hidden_by` names it): counted apart from noise.
    pub accepted: bool,
}

impl Finding {
    /// A change no rule hides (yet), before it is ranked.
    pub fn shown(change: Change) -> Finding {
        Finding {
            change,
            category: Category::Spec,
            reasons: Vec::new(),
            hidden_by: None,
            note: None,
            accepted: false,
        }
    }

    /// A change the rule `rule` hides.
    pub fn hidden(change: Change, rule: String) -> Finding {
        Finding {
            hidden_by: Some(rule),
            ..Finding::shown(change)
        }
    }
}

/// What one line of the report is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// One object, by its identity.
    Object,
    /// A generated object and the one it replaced (`web-3 → web-4`), or a ConfigMap or Secret
    /// renamed by its content hash.
    Pair {
        /// The old object's name (the entry's key names the new one).
        old_name: String,
    },
    /// The pods of one controller replaced by a rollout, on one line (`web-3-* → web-4-*`).
    Group {
        /// The old and the new names' common pattern, or the names of a single pod.
        patterns: Sides<String>,
        /// The old and the new name of each pod.
        members: Vec<Sides<String>>,
    },
}

/// One line of the report: an object, a pair of generated objects, or a collapsed group.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The object (its new name for a pair, the first new pod of a group).
    pub key: ObjectKey,
    /// Added, removed or changed (pairs and groups are changed).
    pub change: ObjectChange,
    /// What the line is about.
    pub subject: Subject,
    /// What relates the pair or the object to others: `replaced`, `new build of BuildConfig web`.
    pub relation: Option<Relation>,
    /// Further notes: `used by DeploymentConfig web (volume config)`.
    pub notes: Vec<String>,
    /// How the entry as a whole ranks.
    pub category: Category,
    /// Its changes.
    pub findings: Vec<Finding>,
    /// The controller a pair of generated objects belongs to.
    pub owner: Option<Owner>,
    /// Some of its changes are shown once, with the repeated changes.
    pub in_repeated: bool,
    /// The object's old and new `apiVersion`.
    pub api_version: Sides<Option<String>>,
    /// The normalised old object.
    pub old: Option<Value>,
    /// The normalised new object.
    pub new: Option<Value>,
    /// An object added or removed whole that a baseline entry accepts: the entry's name.
    pub accepted: Option<String>,
}

impl Entry {
    fn from_diff(diff: ObjectDiff) -> Entry {
        Entry {
            key: diff.key,
            change: diff.change,
            subject: Subject::Object,
            relation: None,
            notes: Vec::new(),
            category: Category::Spec,
            findings: diff.changes.into_iter().map(Finding::shown).collect(),
            owner: None,
            in_repeated: false,
            api_version: Sides::new(diff.old_api_version, diff.new_api_version),
            old: diff.old,
            new: diff.new,
            accepted: None,
        }
    }

    /// The changes no rule hides.
    pub fn visible(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.hidden_by.is_none())
    }

    /// Whether this is a pair or a group of generated objects.
    pub fn is_pair(&self) -> bool {
        self.subject != Subject::Object
    }

    /// The old name of a pair, or the old names' pattern of a group.
    pub fn old_name(&self) -> Option<&str> {
        match &self.subject {
            Subject::Object => None,
            Subject::Pair { old_name } => Some(old_name),
            Subject::Group { patterns, .. } => Some(&patterns.old),
        }
    }

    /// The old and the new name of each pod of a group; empty otherwise.
    pub fn members(&self) -> &[Sides<String>] {
        match &self.subject {
            Subject::Group { members, .. } => members,
            _ => &[],
        }
    }

    /// How many objects the line stands for.
    pub fn count(&self) -> usize {
        self.members().len().max(1)
    }

    /// Whether the entry is churn only: generated objects replaced or added as their owners do,
    /// with nothing else to show.
    pub fn is_churn(&self) -> bool {
        self.category == Category::Churn && self.visible().all(|f| f.category == Category::Churn)
    }

    /// Whether the entry has a line of its own in the text report without `--all` (objects whose
    /// only changes are repeated on many are named in the repeated change's line instead).
    pub fn shows(&self) -> bool {
        self.accepted.is_none() && self.change != ObjectChange::Changed
            || self.is_pair()
            || self.visible().next().is_some()
    }

    /// Whether the object differs, visibly (its own line or a repeated change).
    pub fn differs(&self) -> bool {
        self.shows() || self.in_repeated
    }

    /// `web-3 → web-4`, `web-3-* → web-4-*`, `web`.
    pub fn title_name(&self) -> String {
        match &self.subject {
            Subject::Object => self.key.name.clone(),
            Subject::Pair { old_name } => format!("{old_name} → {}", self.key.name),
            Subject::Group { patterns, .. } => format!("{} → {}", patterns.old, patterns.new),
        }
    }
}

/// The same change on many objects, shown once.
#[derive(Clone, Debug)]
pub struct Repeated {
    /// The change (its path, old and new value).
    pub change: Change,
    /// How it ranks.
    pub category: Category,
    /// The objects it is on.
    pub objects: Vec<ObjectKey>,
}

/// A likely culprit.
#[derive(Clone, Debug)]
pub struct Culprit {
    /// How it ranks.
    pub category: Category,
    /// How to name it: `DeploymentConfig myproject/web`, `17 objects`.
    pub label: String,
    /// The object (the first of them, for a repeated change).
    pub key: ObjectKey,
    /// Every object it covers: its key, or each object a repeated change is on.
    pub objects: Vec<ObjectKey>,
    /// The name to show (`web-3 → web-4` for pairs).
    pub title: String,
    /// Why it is a suspect.
    pub reason: String,
    /// What changed (for a pod that differs from its template: template value → pod value).
    pub changes: Vec<Change>,
}

/// Object counts after analysis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Objects with visible changes.
    pub changed: usize,
    /// Objects added (not generated churn).
    pub added: usize,
    /// Objects removed (not generated churn).
    pub removed: usize,
    /// Objects with no visible change.
    pub unchanged: usize,
    /// Generated objects replaced or added as their owners do (pods, controllers, builds).
    pub churn: usize,
    /// Changes hidden by noise rules.
    pub noise_hidden: usize,
    /// `--desired`: fields the cluster sets that the manifests do not (hidden, not drift).
    #[serde(skip_serializing_if = "is_zero")]
    pub cluster_set: usize,
    /// `--desired`: objects in the cluster the manifests do not mention (not drift).
    #[serde(skip_serializing_if = "is_zero")]
    pub cluster_only: usize,
    /// Changes a baseline accepted (`--baseline`; absent without one). Not drift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accepted_changes: Option<usize>,
    /// Baseline entries that accepted nothing (`--baseline`; absent without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_baseline_entries: Option<usize>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    /// Whether anything drifted (churn and noise do not count).
    pub fn has_differences(&self) -> bool {
        self.changed + self.added + self.removed > 0
    }
}

/// What a diff means.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The old snapshot's source.
    pub old: SourceInfo,
    /// The new snapshot's source.
    pub new: SourceInfo,
    /// The report's lines, ordered by namespace, kind and name.
    pub entries: Vec<Entry>,
    /// Changes repeated on many objects.
    pub repeated: Vec<Repeated>,
    /// The likely culprits, most likely first.
    pub culprits: Vec<Culprit>,
    /// Pods that already differed from their template in the old snapshot.
    pub earlier_mismatches: Vec<templates::Mismatch>,
    /// Counts.
    pub summary: Summary,
    /// Changes hidden by the user's rules (`--ignore`, ignore files): `user_hidden`'s total.
    pub ignored_changes: usize,
    /// The user's rules and each change they hid, with its object and rule.
    pub user_hidden: ignored::UserHidden,
    /// Whether hidden changes are shown (`--all`).
    pub show_all: bool,
    /// Whether this is a desired-state comparison (`--desired`): old is what the manifests set.
    pub desired: bool,
    /// Who made the changes, where the new side's field managers say.
    pub attributions: attribution::Attributions,
    /// What a baseline accepted, and which of its entries are stale (`--baseline`).
    pub baseline: Option<Box<baseline::Outcome>>,
    /// Whether anything is drift: what the exit status says. Unlike the summary's counts it
    /// does not follow `--all`: noise shown is still noise, accepted drift still accepted.
    pub drifted: bool,
}

impl Analysis {
    /// Whether anything is drift (noise, churn, accepted and ignored changes are not), whatever
    /// `--all` shows.
    pub fn has_drift(&self) -> bool {
        self.drifted
    }
}

/// A change repeated on at least this many objects is shown once.
pub const REPEAT_THRESHOLD: usize = 3;

struct NoiseRules<'a> {
    profile: &'a NoiseProfile,
    cx: noise::Context<'a>,
}

impl PathRules for NoiseRules<'_> {
    type Reason = String;

    fn hides(&self, change: &Change) -> Option<String> {
        self.profile.hides(&self.cx, change)
    }

    fn reaches_below(&self, path: &Path) -> bool {
        self.profile.reaches_below(self.cx.key, path)
    }
}

/// Analyses `report`, the diff of `old` and `new`.
pub fn analyze(
    old: &Snapshot,
    new: &Snapshot,
    report: DiffReport,
    options: &AnalyzeOptions,
) -> Analysis {
    let unchanged_before = report.summary.unchanged;
    let mut entries: Vec<Entry> = report.objects.into_iter().map(Entry::from_diff).collect();
    pairing::pair(&mut entries, old, new);
    let mut user_hidden =
        ignored::UserHidden::new(report.ignore_patterns, report.ignored, &options.noise);
    for entry in &mut entries {
        apply_noise(entry, &options.noise);
        user_hidden.hide_in(entry, &options.noise);
        user_hidden.hide_by_annotation(entry);
    }
    renames::fold(&mut entries);
    categorize(&mut entries, old, new);
    let attributions = attribution::attribute(&entries, new);
    let desired = options
        .desired
        .then(|| desired::apply(&mut entries, &attributions, old, new, options.show_all));
    let mismatches = template_checks(&entries, old, new);
    unverified_churn(&mut entries, &mismatches.new);
    let baseline = options
        .baseline
        .as_deref()
        .map(|b| Box::new(baseline::apply(&mut entries, b)));
    pairing::collapse(&mut entries, &mismatches.new);
    let repeated = group_repeated(&mut entries);
    mark_replaced_controllers(&mut entries);
    let culprits = rank::culprits(
        &entries,
        &repeated,
        &mismatches.new,
        &mismatches.old,
        &attributions,
    );
    let mut summary = summarize(&entries, unchanged_before, options.show_all);
    let drifted = summarize(&entries, unchanged_before, false).has_differences();
    if let Some(outcome) = &baseline {
        summary.accepted_changes = Some(outcome.accepted.len());
        summary.stale_baseline_entries = Some(outcome.stale.len());
    }
    if let Some(counts) = desired {
        summary.cluster_only = counts.cluster_only;
        if options.show_all {
            // Listed with --all, but still not drift.
            summary.churn -= counts.cluster_only.min(summary.churn);
        }
    }
    user_hidden.check_security(old, new);
    Analysis {
        old: report.old,
        new: report.new,
        entries,
        repeated,
        culprits,
        earlier_mismatches: mismatches.old,
        summary,
        ignored_changes: user_hidden.total(),
        user_hidden,
        show_all: options.show_all,
        desired: options.desired,
        attributions,
        baseline,
        drifted,
    }
}

/// Gives each entry and change its category. References are looked up only for the ConfigMaps
/// and Secrets that differ: on a large cluster most workloads need not be parsed.
fn categorize(entries: &mut [Entry], old: &Snapshot, new: &Snapshot) {
    let mut wanted = refs::Wanted::new();
    for entry in entries
        .iter()
        .filter(|e| matches!(e.key.kind.as_str(), "ConfigMap" | "Secret"))
    {
        let names = wanted.entry(entry.key.namespace.clone()).or_default();
        names.insert(entry.key.name.clone());
        names.extend(entry.old_name().map(String::from));
    }
    let uses = refs::uses(new, &wanted);
    let old_uses = refs::uses(old, &wanted);
    for entry in entries {
        rank::categorize(entry, &uses, &old_uses);
    }
}

/// The pods of both snapshots that differ from their controller's template, checking only the
/// pods worth it: those that differ, and those of controllers that differ.
fn template_checks(
    entries: &[Entry],
    old: &Snapshot,
    new: &Snapshot,
) -> Sides<Vec<templates::Mismatch>> {
    let mut pods: HashSet<(String, String)> = HashSet::new();
    let mut controllers: HashSet<(String, String)> = HashSet::new();
    for entry in entries {
        let ns = &entry.key.namespace;
        match entry.key.kind.as_str() {
            "Pod" => {
                pods.insert((ns.clone(), entry.key.name.clone()));
                pods.extend(
                    entry
                        .members()
                        .iter()
                        .map(|names| (ns.clone(), names.new.clone())),
                );
            }
            "ReplicationController" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" => {
                controllers.insert((ns.clone(), entry.key.name.clone()));
                // A new generated controller is checked against its owner's template too (an
                // older revision, scaled down, follows an older template).
                if entry.change == ObjectChange::Added || entry.is_pair() {
                    pods.insert((ns.clone(), entry.key.name.clone()));
                }
            }
            _ => {}
        }
    }
    let wanted = |key: &ObjectKey| {
        pods.contains(&(key.namespace.clone(), key.name.clone()))
            || key.name.rsplit_once('-').is_some_and(|(controller, _)| {
                controllers.contains(&(key.namespace.clone(), controller.to_string()))
            })
    };
    Sides {
        new: templates::mismatches(new, wanted),
        old: templates::mismatches(old, wanted),
    }
}

/// Generated objects that differ from their owner's template are no churn: a privileged pod
/// dressed as a new pod of some ReplicaSet, a Job "of" a CronJob that the CronJob would not make.
/// They rank with the pods edited by hand and count as differences.
fn unverified_churn(entries: &mut [Entry], mismatches: &[templates::Mismatch]) {
    for entry in entries
        .iter_mut()
        .filter(|e| e.change != ObjectChange::Removed)
    {
        if entry.category == Category::Churn && mismatches.iter().any(|m| m.object == entry.key) {
            entry.category = Category::PodEdited;
            let before = entry.relation.take().map(Box::new);
            entry.relation = Some(Relation::DiffersFromOwnerTemplate(before));
        }
    }
}

/// A replaced controller whose every change follows its owner is churn, and says so.
fn mark_replaced_controllers(entries: &mut [Entry]) {
    for entry in entries {
        // Pods and jobs keep the relation pairing gave them (`next job of CronJob report`).
        if let (Some(owner), false) = (
            &entry.owner,
            matches!(entry.key.kind.as_str(), "Pod" | "Job"),
        ) && entry.is_pair()
            && entry.category != Category::PodEdited
            && entry.findings.iter().all(|f| f.hidden_by.is_some())
        {
            entry.relation = Some(Relation::SameTemplateChanges(owner.clone()));
            entry.category = Category::Churn;
        }
    }
}

/// The object counts of the entries, on top of `unchanged` objects the diff found equal.
pub(crate) fn summarize(entries: &[Entry], unchanged: usize, show_all: bool) -> Summary {
    let mut summary = Summary {
        unchanged,
        ..Summary::default()
    };
    for entry in entries {
        for finding in entry.findings.iter() {
            match finding.hidden_by.as_deref() {
                Some(_) if finding.accepted => {}
                Some(desired::CLUSTER_SET) => summary.cluster_set += 1,
                Some(_) => summary.noise_hidden += 1,
                None => {}
            }
        }
        if entry.accepted.is_some() {
            // Accepted whole: counted with the accepted changes.
        } else if entry.is_churn() {
            summary.churn += entry.count();
        } else if entry.change == ObjectChange::Added && !entry.is_pair() {
            summary.added += 1;
        } else if entry.change == ObjectChange::Removed {
            summary.removed += 1;
        } else if entry.visible().next().is_some()
            || entry.is_pair()
            || entry.in_repeated
            || (show_all && !entry.findings.is_empty())
        {
            summary.changed += entry.count();
        } else {
            summary.unchanged += 1;
        }
    }
    if show_all {
        summary.noise_hidden = 0;
        summary.cluster_set = 0;
    }
    summary
}

/// Hides what the noise rules name, opening up whole maps that hold noise.
fn apply_noise(entry: &mut Entry, profile: &NoiseProfile) {
    let findings = std::mem::take(&mut entry.findings);
    let (already_hidden, open): (Vec<Finding>, Vec<Finding>) =
        findings.into_iter().partition(|f| f.hidden_by.is_some());
    let rules = NoiseRules {
        profile,
        cx: noise::Context::new(&entry.key, entry.old.as_ref(), entry.new.as_ref()),
    };
    let changes: Vec<Change> = open.into_iter().map(|f| f.change).collect();
    let (shown, hidden) = filter::split(changes, &rules);
    let mut findings = already_hidden;
    findings.extend(shown.into_iter().map(Finding::shown));
    findings.extend(
        hidden
            .into_iter()
            .map(|(change, rule)| Finding::hidden(change, rule)),
    );
    entry.findings = findings;
}

/// Moves changes found identically (same path, old and new value) on many objects into one
/// group each.
fn group_repeated(entries: &mut [Entry]) -> Vec<Repeated> {
    let mut seen: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (e, entry) in entries.iter().enumerate() {
        if entry.change != ObjectChange::Changed {
            continue;
        }
        for (f, finding) in entry.findings.iter().enumerate() {
            if finding.hidden_by.is_some() || finding.change.secret {
                continue;
            }
            let c = &finding.change;
            let signature = format!(
                "{}\u{0}{:?}\u{0}{:?}\u{0}{:?}",
                c.path.human(),
                c.op,
                c.old,
                c.new
            );
            seen.entry(signature).or_default().push((e, f));
        }
    }
    let mut groups = Vec::new();
    let mut taken: Vec<(usize, usize)> = Vec::new();
    for places in seen.into_values() {
        let mut objects: Vec<usize> = places.iter().map(|(e, _)| *e).collect();
        objects.dedup();
        if objects.len() < REPEAT_THRESHOLD {
            continue;
        }
        let (e, f) = places[0];
        let finding = &entries[e].findings[f];
        groups.push(Repeated {
            change: finding.change.clone(),
            category: finding.category,
            objects: objects.iter().map(|&e| entries[e].key.clone()).collect(),
        });
        taken.extend(places);
    }
    taken.sort_unstable_by(|a, b| b.cmp(a));
    for (e, f) in taken {
        entries[e].findings.remove(f);
        entries[e].in_repeated = true;
    }
    groups.sort_by(|a, b| (a.category, b.objects.len()).cmp(&(b.category, a.objects.len())));
    groups
}

#[cfg(test)]
mod tests;
