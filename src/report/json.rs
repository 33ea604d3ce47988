//! The JSON report. Its wire types are private and documented here and in docs/guide.md; fields
//! may be added, none renamed or removed.
//!
//! ```text
//! {
//!   "format": "driftlab.diff/v1",
//!   "old": {"source": "a.zip", "format": "openshift-backup archive", "taken": "2018-09-11T00:15:00Z",
//!           "namespace_map": {"shop-staging": "shop-prod"}},
//!   "new": {...},
//!   "summary": {"changed": 1, "added": 0, "removed": 0, "unchanged": 41, "churn": 3, "noise_hidden": 12},
//!   "ignored_changes": 2,
//!   "ignored_by_rule": [{"rule": "--ignore spec.replicas", "source": "--ignore", "changes": 2}],
//!   "security_ignored": [],
//!   "culprits": [{"position": 1, "rank": 1, "category": "rollout-trigger", "kind": "DeploymentConfig",
//!                 "namespace": "myproject", "name": "web", "reason": "triggers a rollout", "changes": [...]}],
//!   "repeated": [{"path": ..., "op": ..., "old": ..., "new": ..., "category": ..., "objects": [...]}],
//!   "objects": [
//!     {"change": "changed", "apiVersion": "apps.openshift.io/v1", "group": "apps.openshift.io",
//!      "kind": "DeploymentConfig", "namespace": "myproject", "name": "web", "rank": 1,
//!      "category": "rollout-trigger",
//!      "changes": [{"path": "spec.template.spec.containers[web].readinessProbe.httpGet.path",
//!                   "pointer": "/spec/template/spec/containers/0/readinessProbe/httpGet/path",
//!                   "op": "replace", "old": "/healthz", "new": "/ready",
//!                   "rank": 1, "category": "rollout-trigger", "reasons": ["triggers a rollout"]}]}
//!   ]
//! }
//! ```
//!
//! A change whose new value a field manager owns carries `manager`, `managerTime` and
//! `operation`; `--desired` adds `"desired": true` at the top, `note` on changes the cluster has
//! and the manifests lack, and `cluster_set`/`cluster_only` to the summary. `--explain` adds
//! `ignored`: each change a user rule hid, with its object (`kind`, `group`, `namespace`,
//! `name`) and the rule in `hidden`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use super::RenderOptions;
use crate::analyze::attribution::{Attribution, Attributions};
use crate::analyze::ignored::{RuleSource, UserHidden};
use crate::analyze::{Analysis, Category, Culprit, Entry, Finding, Repeated, Subject, Summary};
use crate::diff::{Change, ObjectChange, Op};
use crate::snapshot::{ObjectKey, SourceInfo};

/// The format identifier of this version of the report.
pub const FORMAT: &str = "driftlab.diff/v1";

#[derive(Serialize)]
struct Report<'a> {
    format: &'static str,
    old: Source<'a>,
    new: Source<'a>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    desired: bool,
    summary: Summary,
    ignored_changes: usize,
    ignored_by_rule: Vec<RuleCount<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ignored: Option<Vec<IgnoredOut<'a>>>,
    /// Changes a user rule hides that gain or lose a setting of the security table: always
    /// listed, whatever the flags.
    security_ignored: Vec<IgnoredOut<'a>>,
    culprits: Vec<CulpritOut<'a>>,
    repeated: Vec<RepeatedOut<'a>>,
    objects: Vec<Object<'a>>,
}

#[derive(Serialize)]
struct Source<'a> {
    source: &'a str,
    format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    taken: Option<String>,
    /// `--map-namespace`, on the old side: `{"shop-staging": "shop-prod"}`.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    namespace_map: std::collections::BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct ObjectRef<'a> {
    kind: &'a str,
    group: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
}

/// A user rule in force and how many changes it hid.
#[derive(Serialize)]
struct RuleCount<'a> {
    rule: &'a str,
    source: RuleSource,
    changes: usize,
}

/// A change a user rule hid (`--explain`): its object, the change, and the rule in `hidden`.
#[derive(Serialize)]
struct IgnoredOut<'a> {
    #[serde(flatten)]
    object: ObjectRef<'a>,
    #[serde(flatten)]
    change: ChangeOut<'a>,
}

#[derive(Serialize)]
struct CulpritOut<'a> {
    position: usize,
    rank: u8,
    category: &'static str,
    kind: &'a str,
    group: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    title: &'a str,
    label: &'a str,
    reason: &'a str,
    changes: Vec<ChangeOut<'a>>,
}

#[derive(Serialize)]
struct RepeatedOut<'a> {
    #[serde(flatten)]
    change: ChangeOut<'a>,
    objects: Vec<ObjectRef<'a>>,
}

#[derive(Serialize)]
struct Object<'a> {
    change: ObjectChange,
    #[serde(rename = "apiVersion")]
    api_version: &'a str,
    #[serde(rename = "oldApiVersion", skip_serializing_if = "Option::is_none")]
    old_api_version: Option<&'a str>,
    group: &'a str,
    kind: &'a str,
    namespace: Option<&'a str>,
    name: &'a str,
    #[serde(rename = "oldName", skip_serializing_if = "Option::is_none")]
    old_name: Option<&'a str>,
    #[serde(rename = "newPattern", skip_serializing_if = "Option::is_none")]
    new_pattern: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    relation: Option<String>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    members: Vec<[&'a str; 2]>,
    rank: u8,
    category: &'static str,
    changes: Vec<ChangeOut<'a>>,
}

#[derive(Serialize)]
struct ChangeOut<'a> {
    path: String,
    pointer: String,
    op: Op,
    #[serde(skip_serializing_if = "Option::is_none")]
    old: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new: Option<&'a Value>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    secret: bool,
    #[serde(rename = "formatOnly", skip_serializing_if = "std::ops::Not::not")]
    format_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    embedded: Option<Embedded>,
    #[serde(skip_serializing_if = "Option::is_none")]
    elided: Option<ElidedOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rank: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'static str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    reasons: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    hidden: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    /// The field manager that last wrote the new value, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    manager: Option<&'a str>,
    #[serde(rename = "managerTime", skip_serializing_if = "Option::is_none")]
    manager_time: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operation: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ElidedOut {
    old_length: usize,
    new_length: usize,
    changes: usize,
}

#[derive(Serialize)]
struct Embedded {
    format: &'static str,
    pointer: String,
}

fn source(info: &SourceInfo) -> Source<'_> {
    Source {
        source: &info.label,
        format: info.format.name(),
        taken: info.taken.map(|t| t.rfc3339()),
        namespace_map: info
            .namespace_map
            .iter()
            .map(|(old, new)| (old.as_str(), new.as_str()))
            .collect(),
    }
}

fn change<'a>(
    change: &'a Change,
    category: Option<Category>,
    reasons: &'a [String],
    hidden: Option<&'a str>,
    by: Option<&'a Attribution>,
) -> ChangeOut<'a> {
    ChangeOut {
        path: change.path.human(),
        pointer: if change.op == Op::Remove {
            change.path.old_pointer()
        } else {
            change.path.pointer()
        },
        op: change.op,
        old: change.old.as_ref(),
        new: change.new.as_ref(),
        secret: change.secret,
        format_only: change.format_only,
        embedded: change.path.embedded().map(|(format, pointer)| Embedded {
            format: format.name(),
            pointer,
        }),
        elided: change.elided.map(|e| ElidedOut {
            old_length: e.old_len,
            new_length: e.new_len,
            changes: e.changes,
        }),
        rank: category.map(Category::rank),
        category: category.map(Category::name),
        reasons,
        hidden,
        note: None,
        manager: by.map(|b| b.manager.as_str()),
        manager_time: by.and_then(|b| b.time.as_deref()),
        operation: by.map(|b| b.operation.as_str()),
    }
}

fn finding<'a>(f: &'a Finding, by: Option<&'a Attribution>) -> ChangeOut<'a> {
    let mut out = match &f.hidden_by {
        Some(rule) => change(&f.change, None, &[], Some(rule), by),
        None => change(&f.change, Some(f.category), &f.reasons, None, by),
    };
    out.note = f.note.as_deref();
    out
}

fn namespace(key: &ObjectKey) -> Option<&str> {
    (!key.namespace.is_empty()).then_some(key.namespace.as_str())
}

fn object<'a>(entry: &'a Entry, with_hidden: bool, attributions: &'a Attributions) -> Object<'a> {
    let versions = entry.api_version.map(|v| v.as_deref());
    let api_version = versions.new.or(versions.old).unwrap_or_default();
    let old_api_version = versions
        .old
        .filter(|old| versions.new.is_some_and(|new| new != *old));
    Object {
        change: entry.change,
        api_version,
        old_api_version,
        group: &entry.key.group,
        kind: &entry.key.kind,
        namespace: namespace(&entry.key),
        name: &entry.key.name,
        old_name: entry.old_name(),
        new_pattern: match &entry.subject {
            Subject::Group { patterns, members } if members.len() > 1 => {
                Some(patterns.new.as_str())
            }
            _ => None,
        },
        relation: entry.relation.as_ref().map(ToString::to_string),
        notes: &entry.notes,
        members: entry
            .members()
            .iter()
            .map(|names| [names.old.as_str(), names.new.as_str()])
            .collect(),
        rank: entry.category.rank(),
        category: entry.category.name(),
        changes: entry
            .findings
            .iter()
            .filter(|f| with_hidden || f.hidden_by.is_none())
            .map(|f| finding(f, attributions.get(&entry.key, &f.change.path)))
            .collect(),
    }
}

fn culprit<'a>(position: usize, c: &'a Culprit, attributions: &'a Attributions) -> CulpritOut<'a> {
    CulpritOut {
        position,
        rank: c.category.rank(),
        category: c.category.name(),
        kind: &c.key.kind,
        group: &c.key.group,
        namespace: namespace(&c.key),
        name: &c.key.name,
        title: &c.title,
        label: &c.label,
        reason: &c.reason,
        changes: c
            .changes
            .iter()
            .map(|ch| {
                let by = attributions.get(&c.key, &ch.path);
                change(ch, Some(c.category), &[], None, by)
            })
            .collect(),
    }
}

fn object_ref(key: &ObjectKey) -> ObjectRef<'_> {
    ObjectRef {
        kind: &key.kind,
        group: &key.group,
        namespace: namespace(key),
        name: &key.name,
    }
}

fn ignored(hidden: &UserHidden) -> Vec<IgnoredOut<'_>> {
    hidden
        .by_object()
        .into_iter()
        .map(|c| IgnoredOut {
            object: object_ref(&c.key),
            change: change(&c.change, None, &[], Some(&hidden.rule_of(c).name), None),
        })
        .collect()
}

fn security_ignored(hidden: &UserHidden) -> Vec<IgnoredOut<'_>> {
    hidden
        .security
        .iter()
        .map(|(index, what)| {
            let c = &hidden.changes[*index];
            IgnoredOut {
                object: object_ref(&c.key),
                change: change(
                    &c.change,
                    Some(Category::Security),
                    std::slice::from_ref(what),
                    Some(&hidden.rule_of(c).name),
                    None,
                ),
            }
        })
        .collect()
}

fn repeated(r: &Repeated) -> RepeatedOut<'_> {
    RepeatedOut {
        change: change(&r.change, Some(r.category), &[], None, None),
        objects: r.objects.iter().map(object_ref).collect(),
    }
}

pub fn render(analysis: &Analysis, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &analysis_value(analysis, options))?;
    writeln!(out)
}

/// The JSON report of `analysis` as a value (the history report nests one per night).
pub fn analysis_value(analysis: &Analysis, options: &RenderOptions) -> Value {
    let with_hidden = analysis.show_all || options.explain;
    let wire = Report {
        format: FORMAT,
        old: source(&analysis.old),
        new: source(&analysis.new),
        desired: analysis.desired,
        summary: analysis.summary,
        ignored_changes: analysis.ignored_changes,
        ignored_by_rule: analysis
            .user_hidden
            .per_rule()
            .into_iter()
            .map(|(rule, changes)| RuleCount {
                rule: &rule.name,
                source: rule.source,
                changes,
            })
            .collect(),
        ignored: options.explain.then(|| ignored(&analysis.user_hidden)),
        security_ignored: security_ignored(&analysis.user_hidden),
        culprits: analysis
            .culprits
            .iter()
            .enumerate()
            .map(|(i, c)| culprit(i + 1, c, &analysis.attributions))
            .collect(),
        repeated: analysis.repeated.iter().map(repeated).collect(),
        objects: analysis
            .entries
            .iter()
            .filter(|e| e.differs() || (with_hidden && !e.findings.is_empty()))
            .map(|e| object(e, with_hidden, &analysis.attributions))
            .collect(),
    };
    serde_json::to_value(&wire).expect("the report serialises")
}
