//! Ranking: which changes are likely to have broken a deployment. Pod-template changes of
//! workloads first, then pods edited by hand, then what changes how things are reached or who may
//! reach them, then configuration a workload uses, then quotas, other spec changes, labels and
//! annotations; noise last (hidden).

use serde::Serialize;
use serde_json::Value;

use super::attribution::Attributions;

use super::refs::{Uses, WORKLOADS};
use super::security::Comparison;
use super::templates::Mismatch;
use super::{Culprit, Entry, Owner, Repeated};
use crate::diff::ObjectChange;
use crate::diff::path::Segment;
use crate::diff::value::{Change, Op};

/// Where a change ranks, most likely culprit first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// A change of the security table ([`super::security`]): privileges, host access, who may
    /// do what. It ranks above every routine change.
    Security,
    /// A pod-template change of a workload controller: it triggers a rollout.
    RolloutTrigger,
    /// A pod that differs from its own controller's template.
    PodEdited,
    /// Service selectors and ports, Route/Ingress backends and TLS, NetworkPolicy, RBAC, SCCs.
    Access,
    /// Content of a ConfigMap or Secret that a workload uses.
    UsedConfiguration,
    /// Quotas and limit ranges.
    Quota,
    /// Other spec changes.
    Spec,
    /// A container image rewritten by the DeploymentConfig's own ImageChange trigger.
    TriggeredImage,
    /// Labels, annotations, apiVersion.
    Metadata,
    /// Generated objects replaced or added as their owners do.
    Churn,
}

impl Category {
    /// Every category, rank 1 first (the metrics name each, changed or not).
    pub const ALL: [Category; 10] = [
        Category::Security,
        Category::RolloutTrigger,
        Category::PodEdited,
        Category::Access,
        Category::UsedConfiguration,
        Category::Quota,
        Category::Spec,
        Category::TriggeredImage,
        Category::Metadata,
        Category::Churn,
    ];

    /// 1 for the most likely culprits.
    pub fn rank(self) -> u8 {
        self as u8 + 1
    }

    /// The category's name in the JSON report.
    pub fn name(self) -> &'static str {
        match self {
            Category::Security => "security",
            Category::RolloutTrigger => "rollout-trigger",
            Category::PodEdited => "pod-edited",
            Category::Access => "access",
            Category::UsedConfiguration => "used-configuration",
            Category::Quota => "quota",
            Category::Spec => "spec",
            Category::TriggeredImage => "triggered-image",
            Category::Metadata => "metadata",
            Category::Churn => "churn",
        }
    }

    /// What it means, for the culprits list.
    pub fn describe(self) -> &'static str {
        match self {
            Category::Security => "security-sensitive",
            Category::RolloutTrigger => "triggers a rollout",
            Category::PodEdited => "differs from its controller's template",
            Category::Access => "changes how it is reached or who may",
            Category::UsedConfiguration => "configuration a workload uses",
            Category::Quota => "quota or limit",
            Category::Spec => "spec change",
            Category::TriggeredImage => "image updated by its ImageChange trigger",
            Category::Metadata => "labels, annotations or format",
            Category::Churn => "generated",
        }
    }
}

/// Kinds whose spec decides how things are reached, or who may act.
const ACCESS_KINDS: &[&str] = &[
    "Route",
    "Ingress",
    "NetworkPolicy",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "SecurityContextConstraints",
    "EgressNetworkPolicy",
];

const QUOTA_KINDS: &[&str] = &["ResourceQuota", "LimitRange", "ClusterResourceQuota"];

/// Whether a DeploymentConfig's automatic ImageChange trigger rewrote this container image.
fn triggered_image(object: &Value, change: &Change) -> bool {
    let container = match change.path.0.as_slice() {
        [
            Segment::Field(a),
            Segment::Field(b),
            Segment::Field(c),
            Segment::Field(d),
            Segment::Item { label, .. },
            Segment::Field(image),
        ] if (a, b, c, d, image.as_str())
            == (
                &"spec".into(),
                &"template".into(),
                &"spec".into(),
                &"containers".into(),
                "image",
            ) =>
        {
            label.text()
        }
        _ => return false,
    };
    let new_image = change.new.as_ref().and_then(Value::as_str);
    object
        .pointer("/spec/triggers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|trigger| {
            let Some(params) = trigger.get("imageChangeParams") else {
                return false;
            };
            let automatic = params
                .get("automatic")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let covers = params
                .get("containerNames")
                .and_then(Value::as_array)
                .is_some_and(|names| names.iter().any(|n| n.as_str() == Some(container.as_str())));
            // Where the export kept lastTriggeredImage, it must be the new image.
            let consistent = params
                .get("lastTriggeredImage")
                .and_then(Value::as_str)
                .is_none_or(|last| Some(last) == new_image);
            automatic && covers && consistent
        })
}

/// The category and reasons of one change of `entry`.
fn categorize_change(entry: &Entry, change: &Change, uses: &[String]) -> (Category, Vec<String>) {
    let kind = entry.key.kind.as_str();
    let f: Vec<&str> = change.path.fields().collect();
    if change.format_only {
        return (
            Category::Metadata,
            vec!["formatting or comments only".into()],
        );
    }
    if f.first() == Some(&"apiVersion") {
        return (
            Category::Metadata,
            vec!["apiVersion only: the same object".into()],
        );
    }
    if f.first() == Some(&"metadata") && matches!(f.get(1), Some(&"labels" | &"annotations") | None)
    {
        return (Category::Metadata, Vec::new());
    }
    if WORKLOADS.contains(&kind) {
        let template: &[&str] = if kind == "CronJob" {
            &["spec", "jobTemplate", "spec", "template"]
        } else {
            &["spec", "template"]
        };
        if f.len() > template.len() && f[..template.len()] == *template {
            if kind == "DeploymentConfig"
                && entry
                    .new
                    .as_ref()
                    .is_some_and(|o| triggered_image(o, change))
            {
                return (
                    Category::TriggeredImage,
                    vec![Category::TriggeredImage.describe().into()],
                );
            }
            return (
                Category::RolloutTrigger,
                vec![Category::RolloutTrigger.describe().into()],
            );
        }
        return (Category::Spec, Vec::new());
    }
    if kind == "Service"
        && matches!(
            f.get(1),
            Some(&"selector" | &"ports" | &"type" | &"externalName")
        )
    {
        return (
            Category::Access,
            vec!["changes what the Service sends traffic to".into()],
        );
    }
    if ACCESS_KINDS.contains(&kind) {
        return (Category::Access, vec![Category::Access.describe().into()]);
    }
    if matches!(kind, "ConfigMap" | "Secret")
        && matches!(f.first(), Some(&"data" | &"stringData" | &"binaryData"))
    {
        if uses.is_empty() {
            return (
                Category::Spec,
                vec!["not used by any workload in the snapshot".into()],
            );
        }
        return (
            Category::UsedConfiguration,
            vec![format!("used by {}", uses.join(", "))],
        );
    }
    if QUOTA_KINDS.contains(&kind) {
        return (Category::Quota, vec![Category::Quota.describe().into()]);
    }
    if change.op == Op::Move {
        return (Category::Metadata, vec!["order only".into()]);
    }
    (Category::Spec, Vec::new())
}

/// Gives every visible change of `entry`, and the entry itself, a category and reasons.
pub fn categorize(entry: &mut Entry, uses: &Uses, old_uses: &Uses) {
    let use_key = (
        entry.key.namespace.clone(),
        entry.key.kind.clone(),
        entry.key.name.clone(),
    );
    let users: Vec<String> = uses
        .get(&use_key)
        .or_else(|| old_uses.get(&use_key))
        .cloned()
        .unwrap_or_default();
    if !users.is_empty() && matches!(entry.key.kind.as_str(), "ConfigMap" | "Secret") {
        entry.notes.push(format!("used by {}", users.join(", ")));
    }
    // Worked out only for an added or removed object, or a change that may concern the table:
    // most changed objects of a night hold noise alone.
    let shows = entry.change != ObjectChange::Changed
        || entry
            .visible()
            .any(|f| super::security::may_touch(&entry.key.kind, &f.change));
    let security = if shows {
        Comparison::of(&entry.key.kind, entry.old.as_ref(), entry.new.as_ref())
    } else {
        Comparison::default()
    };
    let mut best = None;
    for i in 0..entry.findings.len() {
        if entry.findings[i].hidden_by.is_some() {
            continue;
        }
        let change = &entry.findings[i].change;
        let (category, reasons) = match security.touched_by(change) {
            Some(touched) => (Category::Security, vec![touched.describe()]),
            None => categorize_change(entry, change, &users),
        };
        entry.findings[i].category = category;
        entry.findings[i].reasons = reasons;
        best = Some(best.map_or(category, |b: Category| b.min(category)));
    }
    if entry.category == Category::Churn {
        return;
    }
    entry.category = match (entry.change, best) {
        (ObjectChange::Changed, Some(best)) => best,
        (ObjectChange::Changed, None) => Category::Metadata,
        _ => {
            let grants = grants(&entry.key.kind, &security);
            if grants.is_empty() {
                added_or_removed(entry, &users)
            } else {
                let verb = if entry.change == ObjectChange::Added {
                    "grants"
                } else {
                    "granted"
                };
                entry
                    .notes
                    .push(format!("{verb} {}", summarize_facts(&grants)));
                Category::Security
            }
        }
    };
}

/// What an added or removed object grants, worth ranking first: every fact of the security
/// table but a workload's own service account and token mount, which most workloads have.
pub fn grants<'a>(kind: &str, security: &'a Comparison) -> Vec<&'a str> {
    let pod_spec = super::security::pod_spec_location(kind).is_some();
    security
        .gained()
        .chain(security.lost())
        .filter(|what| {
            !pod_spec
                || !(what.contains(".serviceAccountName: ")
                    || what.contains(".automountServiceAccountToken: "))
        })
        .collect()
}

/// Facts for a culprit line: the first three, then how many more.
fn summarize_facts(facts: &[&str]) -> String {
    let mut text = facts.iter().take(3).copied().collect::<Vec<_>>().join(", ");
    if facts.len() > 3 {
        text.push_str(&format!(" and {} more", facts.len() - 3));
    }
    text
}

/// How an added or removed object ranks, by its kind.
fn added_or_removed(entry: &Entry, users: &[String]) -> Category {
    let kind = entry.key.kind.as_str();
    if WORKLOADS.contains(&kind) {
        Category::RolloutTrigger
    } else if kind == "Service" || ACCESS_KINDS.contains(&kind) {
        Category::Access
    } else if matches!(kind, "ConfigMap" | "Secret") && !users.is_empty() {
        Category::UsedConfiguration
    } else if QUOTA_KINDS.contains(&kind) {
        Category::Quota
    } else if matches!(kind, "Endpoints" | "EndpointSlice" | "Event") {
        Category::Churn
    } else {
        Category::Spec
    }
}

fn label(kind: &str, namespace: &str, title: &str) -> String {
    if namespace.is_empty() {
        format!("{kind} {title}")
    } else {
        format!("{kind} {namespace}/{title}")
    }
}

/// The likely culprits: the visible changes grouped by object and category, the repeated
/// changes, added and removed objects, and pods that differ from their template; most likely
/// first.
pub fn culprits(
    entries: &[Entry],
    repeated: &[Repeated],
    mismatches: &[Mismatch],
    earlier: &[Mismatch],
    by: &Attributions,
) -> Vec<Culprit> {
    let mut found: Vec<Culprit> = entries.iter().flat_map(entry_culprits).collect();
    found.extend(repeated.iter().map(repeated_culprit));
    found.extend(mismatches.iter().map(|m| mismatch_culprit(m, earlier)));
    // A change a person made by hand says more than one a pipeline or controller made: within
    // its category it comes first, and says so.
    let by_hand: Vec<bool> = found
        .iter_mut()
        .map(|culprit| {
            let hand = culprit
                .changes
                .iter()
                .filter_map(|c| by.get(&culprit.key, &c.path))
                .find(|a| a.interactive);
            if let Some(who) = hand {
                culprit.reason =
                    format!("{}; changed by hand ({})", culprit.reason, who.describe());
            }
            hand.is_some()
        })
        .collect();
    let mut ranked: Vec<(bool, Culprit)> = by_hand.into_iter().zip(found).collect();
    // Stable: within a category, the report's order (namespace, kind, name).
    ranked.sort_by_key(|(hand, c)| (c.category, !*hand));
    ranked.into_iter().map(|(_, c)| c).collect()
}

/// An entry's culprits: one for an added or removed object, one per category of its visible
/// changes otherwise; none for churn.
fn entry_culprits(entry: &Entry) -> Vec<Culprit> {
    if entry.category == Category::Churn && entry.visible().next().is_none() {
        return Vec::new();
    }
    let culprit = |category, reason, changes| Culprit {
        category,
        label: label(&entry.key.kind, &entry.key.namespace, &entry.title_name()),
        key: entry.key.clone(),
        objects: vec![entry.key.clone()],
        title: entry.title_name(),
        reason,
        changes,
    };
    if entry.change != ObjectChange::Changed && !entry.is_pair() {
        let mut reason = if entry.change == ObjectChange::Added {
            "added".to_string()
        } else {
            "removed".to_string()
        };
        for note in &entry.notes {
            reason.push_str(&format!("; {note}"));
        }
        return vec![culprit(entry.category, reason, Vec::new())];
    }
    let mut categories: Vec<Category> = entry
        .visible()
        .map(|f| f.category)
        .filter(|c| *c != Category::Churn)
        .collect();
    categories.sort();
    categories.dedup();
    categories
        .into_iter()
        .map(|category| {
            let of_category = || entry.visible().filter(move |f| f.category == category);
            let changes: Vec<Change> = of_category().map(|f| f.change.clone()).collect();
            let reason = of_category()
                .find_map(|f| f.reasons.first().cloned())
                .unwrap_or_else(|| category.describe().to_string());
            culprit(category, reason, changes)
        })
        .collect()
}

fn grants_of(mismatch: &Mismatch) -> Vec<&str> {
    mismatch.grants.iter().map(String::as_str).collect()
}

/// The same change on many objects, as one culprit covering all of them.
fn repeated_culprit(group: &Repeated) -> Culprit {
    let first = &group.objects[0];
    let mut kinds: Vec<&str> = group.objects.iter().map(|k| k.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    Culprit {
        category: group.category,
        label: format!("{} objects", group.objects.len()),
        key: first.clone(),
        objects: group.objects.clone(),
        title: first.name.clone(),
        reason: format!(
            "the same change on {} objects ({})",
            group.objects.len(),
            kinds.join(", ")
        ),
        changes: vec![group.change.clone()],
    }
}

/// A pod that differs from its controller's template; said so when it already did before.
fn mismatch_culprit(mismatch: &Mismatch, earlier: &[Mismatch]) -> Culprit {
    let already = earlier
        .iter()
        .any(|m| m.object == mismatch.object && m.changes == mismatch.changes);
    let Owner { kind, name } = &mismatch.owner;
    let mut reason = format!("differs from {kind} {name}'s template: edited by hand?");
    if already {
        reason.push_str(" (already so in the old snapshot)");
    }
    // A generated object that holds more privileges than its template is the security table's.
    let category = if !mismatch.grants.is_empty() {
        reason = format!("{reason}; grants {}", summarize_facts(&grants_of(mismatch)));
        Category::Security
    } else {
        Category::PodEdited
    };
    Culprit {
        category,
        label: label(
            &mismatch.object.kind,
            &mismatch.object.namespace,
            &mismatch.object.name,
        ),
        key: mismatch.object.clone(),
        objects: vec![mismatch.object.clone()],
        title: mismatch.object.name.clone(),
        reason,
        changes: mismatch.changes.clone(),
    }
}

#[cfg(test)]
mod tests;
