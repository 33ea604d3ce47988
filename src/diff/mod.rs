//! Comparing two snapshots, object by object.
//!
//! Objects are paired by identity. A pair whose canonical bodies are byte-identical is unchanged
//! without further work (most objects, most nights); only the others are parsed again and diffed
//! in depth by [`value::diff`].

pub mod equality;
pub mod filter;
pub mod keys;
pub mod patch;
pub mod path;
pub mod pattern;
pub mod quantity;
pub mod value;

use std::cmp::Ordering;

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;

use crate::schema::{Node, SchemaSides, defaulting};
use crate::secret;
use crate::snapshot::{ObjectKey, Snapshot, SourceInfo, StoredObject};
pub use path::Path;
pub use pattern::PathPattern;
pub use value::{Change, Op, ValueOptions};

/// Settings of a snapshot diff.
#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    /// Settings of the value diff.
    pub values: ValueOptions,
    /// Changes at or below these paths are left out (`--ignore`).
    pub ignore: Vec<PathPattern>,
    /// The custom resource schemas of each side ([`crate::schema::prepare`]): objects with one
    /// are defaulted as the API server defaults them, and their lists keyed as it declares.
    pub schemas: Arc<SchemaSides>,
}

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectChange {
    /// Only in the new snapshot.
    Added,
    /// Only in the old snapshot.
    Removed,
    /// In both, different.
    Changed,
}

/// The difference for one object.
#[derive(Clone, Debug)]
pub struct ObjectDiff {
    /// Which object.
    pub key: ObjectKey,
    /// Added, removed or changed.
    pub change: ObjectChange,
    /// Its `apiVersion` in the old snapshot.
    pub old_api_version: Option<String>,
    /// Its `apiVersion` in the new snapshot.
    pub new_api_version: Option<String>,
    /// The changes, for a changed object.
    pub changes: Vec<Change>,
    /// The normalised old object (secret values hashed unless revealed).
    pub old: Option<Value>,
    /// The normalised new object (secret values hashed unless revealed).
    pub new: Option<Value>,
}

/// Object counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Objects in both snapshots that differ.
    pub changed: usize,
    /// Objects only in the new snapshot.
    pub added: usize,
    /// Objects only in the old snapshot.
    pub removed: usize,
    /// Objects in both that do not differ.
    pub unchanged: usize,
}

impl Summary {
    /// Whether anything differs.
    pub fn has_differences(&self) -> bool {
        self.changed + self.added + self.removed > 0
    }
}

/// The result of comparing two snapshots.
#[derive(Clone, Debug)]
pub struct DiffReport {
    /// The old snapshot's source.
    pub old: SourceInfo,
    /// The new snapshot's source.
    pub new: SourceInfo,
    /// The objects that differ, ordered by namespace, kind and name.
    pub objects: Vec<ObjectDiff>,
    /// Object counts.
    pub summary: Summary,
    /// The `--ignore` patterns, as the user wrote them: what [`IgnoredChange::rule`] indexes.
    pub ignore_patterns: Vec<String>,
    /// Changes left out by `--ignore` patterns, in object order.
    pub ignored: Vec<IgnoredChange>,
}

/// A change a rule of the user's hid (an `--ignore` pattern here; analysis adds those of ignore
/// files), kept so that it can be counted per rule, listed by `--explain` and checked.
#[derive(Clone, Debug)]
pub struct IgnoredChange {
    /// The object it is in.
    pub key: ObjectKey,
    /// The change.
    pub change: Change,
    /// The rule that hid it: an index into the list of rules that goes with the change (here
    /// [`DiffReport::ignore_patterns`]; after analysis, the list of every user rule, which starts
    /// with the same patterns).
    pub rule: usize,
}

/// Compares two snapshots.
pub fn diff_snapshots(old: &Snapshot, new: &Snapshot, options: &DiffOptions) -> DiffReport {
    let mut report = DiffReport {
        old: old.info.clone(),
        new: new.info.clone(),
        objects: Vec::new(),
        summary: Summary::default(),
        ignore_patterns: options.ignore.iter().map(ToString::to_string).collect(),
        ignored: Vec::new(),
    };
    let mut old_iter = old.iter().peekable();
    let mut new_iter = new.iter().peekable();
    loop {
        let order = match (old_iter.peek(), new_iter.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((a, _)), Some((b, _))) => a.cmp(b),
        };
        match order {
            Ordering::Less => {
                let (key, stored) = old_iter.next().expect("peeked");
                report.summary.removed += 1;
                report
                    .objects
                    .push(one_sided(key, stored, ObjectChange::Removed, options));
            }
            Ordering::Greater => {
                let (key, stored) = new_iter.next().expect("peeked");
                report.summary.added += 1;
                report
                    .objects
                    .push(one_sided(key, stored, ObjectChange::Added, options));
            }
            Ordering::Equal => {
                let (key, old_stored) = old_iter.next().expect("peeked");
                let (_, new_stored) = new_iter.next().expect("peeked");
                match compare_pair(key, old_stored, new_stored, options, &mut report.ignored) {
                    Some(diff) => {
                        report.summary.changed += 1;
                        report.objects.push(diff);
                    }
                    None => report.summary.unchanged += 1,
                }
            }
        }
    }
    report
}

fn body_for_report(stored: &StoredObject, options: &DiffOptions) -> Value {
    let mut value = stored.value();
    if !options.values.show_secrets {
        secret::fingerprint_object(&mut value, options.values.secret_key.as_deref());
    }
    value
}

fn one_sided(
    key: &ObjectKey,
    stored: &StoredObject,
    change: ObjectChange,
    options: &DiffOptions,
) -> ObjectDiff {
    let body = Some(body_for_report(stored, options));
    let api_version = Some(stored.api_version.clone());
    let (old, new, old_api_version, new_api_version) = match change {
        ObjectChange::Removed => (body, None, api_version, None),
        _ => (None, body, None, api_version),
    };
    ObjectDiff {
        key: key.clone(),
        change,
        old_api_version,
        new_api_version,
        changes: Vec::new(),
        old,
        new,
    }
}

/// The diff of an object present on both sides, or `None` when it is unchanged.
fn compare_pair(
    key: &ObjectKey,
    old: &StoredObject,
    new: &StoredObject,
    options: &DiffOptions,
    ignored: &mut Vec<IgnoredChange>,
) -> Option<ObjectDiff> {
    let schemas = &options.schemas;
    let old_resource = schemas.old.resource(&key.group, &key.kind);
    let new_resource = schemas.new.resource(&key.group, &key.kind);
    let same_schema = match (old_resource, new_resource) {
        (None, None) => true,
        (Some(a), Some(b)) => a.digest == b.digest && old.api_version == new.api_version,
        _ => false,
    };
    if same_schema && old.same_body(new) {
        return None;
    }
    let old_schema = old_resource.and_then(|r| r.schema(&old.api_version));
    let new_schema = new_resource.and_then(|r| r.schema(&new.api_version));
    let read = |stored: &StoredObject, schema: Option<&Arc<Node>>, borrows: &HashSet<_>| {
        let mut value = stored.value();
        let Some(schema) = schema else {
            return value;
        };
        // A default lent by the other side must not decide this side's security table: the
        // object as read is kept to tell, only when the definition is borrowed.
        let borrowed = borrows.contains(&(key.group.clone(), key.kind.clone()));
        let guard = schemas.same_grants.filter(|_| borrowed);
        let raw = guard.map(|_| value.clone());
        let mut budget = defaulting::budget_for(stored.body().len());
        defaulting::apply_to_object(&mut value, schema, &mut budget);
        match (guard, raw) {
            (Some(same), Some(raw)) if !same(&key.kind, &raw, &value) => raw,
            _ => value,
        }
    };
    let old_value = read(old, old_schema, &schemas.old_borrows);
    let new_value = read(new, new_schema, &schemas.new_borrows);
    let schema = new_schema.or(old_schema).map(|node| &**node);
    let mut changes =
        value::diff_with_schema(&key.kind, &old_value, &new_value, schema, &options.values);
    if !options.ignore.is_empty() {
        let (shown, hidden) = filter::split(changes, &filter::IgnorePatterns(&options.ignore));
        ignored.extend(hidden.into_iter().map(|(change, rule)| IgnoredChange {
            key: key.clone(),
            change,
            rule,
        }));
        changes = shown;
    }
    if changes.is_empty() {
        return None;
    }
    let redact = |mut value: Value| {
        if !options.values.show_secrets {
            secret::fingerprint_object(&mut value, options.values.secret_key.as_deref());
        }
        value
    };
    Some(ObjectDiff {
        key: key.clone(),
        change: ObjectChange::Changed,
        old_api_version: Some(old.api_version.clone()),
        new_api_version: Some(new.api_version.clone()),
        changes,
        old: Some(redact(old_value)),
        new: Some(redact(new_value)),
    })
}
