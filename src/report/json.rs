//! The JSON report. Its wire types are private and documented here and in the README; fields may
//! be added, none renamed or removed.
//!
//! ```text
//! {
//!   "format": "driftlab.diff/v1",
//!   "old": {"source": "a.zip", "format": "openshift-backup archive", "taken": "2018-09-11T00:15:00Z"},
//!   "new": {...},
//!   "summary": {"changed": 1, "added": 0, "removed": 0, "unchanged": 41},
//!   "ignored_changes": 0,
//!   "objects": [
//!     {"change": "changed", "apiVersion": "apps.openshift.io/v1", "group": "apps.openshift.io",
//!      "kind": "DeploymentConfig", "namespace": "myproject", "name": "web",
//!      "changes": [{"path": "spec.template.spec.containers[web].readinessProbe.httpGet.path",
//!                   "pointer": "/spec/template/spec/containers/0/readinessProbe/httpGet/path",
//!                   "op": "replace", "old": "/healthz", "new": "/ready"}]}
//!   ]
//! }
//! ```

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use crate::diff::{Change, DiffReport, ObjectChange, ObjectDiff, Op, Summary};
use crate::snapshot::SourceInfo;

/// The format identifier of this version of the report.
pub const FORMAT: &str = "driftlab.diff/v1";

#[derive(Serialize)]
struct Report<'a> {
    format: &'static str,
    old: Source<'a>,
    new: Source<'a>,
    summary: Summary,
    ignored_changes: usize,
    objects: Vec<Object<'a>>,
}

#[derive(Serialize)]
struct Source<'a> {
    source: &'a str,
    format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    taken: Option<String>,
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
    }
}

fn object(diff: &ObjectDiff) -> Object<'_> {
    let api_version = diff
        .new_api_version
        .as_deref()
        .or(diff.old_api_version.as_deref())
        .unwrap_or_default();
    let old_api_version = diff.old_api_version.as_deref().filter(|old| {
        diff.new_api_version
            .as_deref()
            .is_some_and(|new| new != *old)
    });
    Object {
        change: diff.change,
        api_version,
        old_api_version,
        group: &diff.key.group,
        kind: &diff.key.kind,
        namespace: (!diff.key.namespace.is_empty()).then_some(diff.key.namespace.as_str()),
        name: &diff.key.name,
        changes: diff.changes.iter().map(change).collect(),
    }
}

/// The wire form of one change; shared with other JSON outputs.
fn change(change: &Change) -> ChangeOut<'_> {
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
    }
}

pub fn render(report: &DiffReport, out: &mut dyn Write) -> io::Result<()> {
    let wire = Report {
        format: FORMAT,
        old: source(&report.old),
        new: source(&report.new),
        summary: report.summary,
        ignored_changes: report.ignored_changes,
        objects: report.objects.iter().map(object).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &wire)?;
    writeln!(out)
}
