//! Accepted drift: a baseline of changes a team has looked at and let stand (`diff --baseline`).
//!
//! Unlike an ignore rule, an entry hides one change exactly: the same object, the same path and
//! the same new value. When the value moves on, or the entry's `expires` date has passed, the
//! change is drift again. An entry that accepts nothing is stale, and said so, so a baseline
//! cannot rot quietly (`--strict-baseline` makes it fail).
//!
//! Accepted changes are counted apart from noise and from the user's rules, listed by `--all`
//! and never count as differences. An accepted change that touches the security table is named
//! on every run, as for a user rule: a baseline may accept it, never hide it.

pub mod file;

use std::collections::HashMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{Category, Entry, Finding};
use crate::diff::{Change, ObjectChange, Op};
use crate::snapshot::ObjectKey;
use crate::timestamp::Timestamp;

/// The last day an entry holds (UTC), as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expiry {
    /// `2027-01-31`.
    pub text: String,
    /// That day, at midnight.
    pub last_day: Timestamp,
}

impl Expiry {
    /// Whether the entry no longer holds on `today`.
    pub fn has_passed(&self, today: Timestamp) -> bool {
        (today.year, today.month, today.day)
            > (self.last_day.year, self.last_day.month, self.last_day.day)
    }
}

/// What an entry accepts.
#[derive(Clone, Debug, PartialEq)]
pub enum AcceptedValue {
    /// A field set or changed to `value`.
    Field {
        /// The driftlab path (`spec.template.spec.containers[web].image`).
        path: String,
        /// The new value (a secret's as its fingerprint).
        value: Value,
    },
    /// A field removed.
    FieldRemoved {
        /// The driftlab path.
        path: String,
    },
    /// The object added whole, with this content (`sha256:` of its normalised JSON).
    ObjectAdded {
        /// `sha256:<hex>`.
        digest: String,
    },
    /// The object removed whole.
    ObjectRemoved,
}

impl AcceptedValue {
    /// The path it is at; empty for a whole object.
    pub fn path(&self) -> &str {
        match self {
            AcceptedValue::Field { path, .. } | AcceptedValue::FieldRemoved { path } => path,
            _ => "",
        }
    }
}

/// One entry of a baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Accepted {
    /// API group; empty for the core group.
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Namespace; empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The change accepted.
    pub value: AcceptedValue,
    /// Why, in the team's words.
    pub reason: Option<String>,
    /// The last day it holds.
    pub expires: Option<Expiry>,
    /// The file it was read from (empty for entries not read from one).
    pub file: String,
    /// Its line there.
    pub line: usize,
}

impl Accepted {
    /// `ci/baseline.yaml:12`: how reports name the entry.
    pub fn rule_name(&self) -> String {
        format!("baseline {}:{}", self.file, self.line)
    }

    /// `Deployment shop/web spec.replicas`.
    pub fn describe(&self) -> String {
        let object = if self.namespace.is_empty() {
            format!("{} {}", self.kind, self.name)
        } else {
            format!("{} {}/{}", self.kind, self.namespace, self.name)
        };
        match &self.value {
            AcceptedValue::ObjectAdded { .. } => format!("{object} (added)"),
            AcceptedValue::ObjectRemoved => format!("{object} (removed)"),
            other => format!("{object} {}", other.path()),
        }
    }

    fn identity(&self) -> (&str, &str, &str, &str, &str) {
        (
            &self.group,
            &self.kind,
            &self.namespace,
            &self.name,
            self.value.path(),
        )
    }
}

/// The entries of every `--baseline` file, in the order given.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    /// The entries.
    pub entries: Vec<Accepted>,
    /// The files read (for messages).
    pub files: Vec<String>,
    /// The day entries are judged against (UTC).
    pub today: Option<Timestamp>,
}

/// Why an entry accepted nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum Stale {
    /// Its object and path changed no more.
    NoMatch,
    /// Its change is there with another value.
    MovedOn,
    /// Its change is there, but the entry has expired.
    Expired,
}

impl Stale {
    /// For people.
    pub fn describe(&self) -> &'static str {
        match self {
            Stale::NoMatch => "matches no change any more",
            Stale::MovedOn => "its value moved on",
            Stale::Expired => "expired",
        }
    }
}

/// A change an entry accepted.
#[derive(Clone, Debug)]
pub struct AcceptedChange {
    /// Its object.
    pub key: ObjectKey,
    /// The change; `None` for an object added or removed whole.
    pub change: Option<Change>,
    /// The entry (an index into [`Outcome::entries`]).
    pub entry: usize,
    /// What it grants or takes, when it touches the security table.
    pub security: Option<String>,
}

impl AcceptedChange {
    /// `baseline b.yaml:12 accepts spec.template.spec.hostPID of Deployment shop/web
    /// (security-sensitive: grants spec.template.spec.hostPID: true)`, with `entries` the
    /// baseline's ([`Outcome::entries`]).
    pub fn describe(&self, entries: &[Accepted]) -> String {
        let what = self
            .change
            .as_ref()
            .map(|c| format!("{} of ", c.path.human()))
            .unwrap_or_default();
        let mut text = format!(
            "{} accepts {what}{} {}",
            entries[self.entry].rule_name(),
            self.key.kind,
            self.key.qualified_name()
        );
        if let Some(security) = &self.security {
            text.push_str(&format!(" ({security})"));
        }
        text
    }
}

/// What the baseline did in one comparison.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The baseline's entries.
    pub entries: Vec<Accepted>,
    /// Each change an entry accepted.
    pub accepted: Vec<AcceptedChange>,
    /// The entries that accepted nothing, and why.
    pub stale: Vec<(usize, Stale)>,
    /// Every change that is drift without a baseline, as an entry: what `--update-baseline`
    /// writes.
    pub candidates: Vec<Accepted>,
}

impl Outcome {
    /// The accepted changes that touch the security table.
    pub fn security(&self) -> impl Iterator<Item = &AcceptedChange> {
        self.accepted.iter().filter(|a| a.security.is_some())
    }
}

type Identity<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

/// Marks what `baseline` accepts in `entries` (after noise, user rules and ranking, before
/// repeated changes are grouped) and lists every change that is drift without it.
pub fn apply(entries: &mut [Entry], baseline: &Baseline) -> Outcome {
    let today = baseline.today.unwrap_or_else(Timestamp::now);
    let mut index: HashMap<Identity<'_>, Vec<usize>> = HashMap::new();
    for (i, entry) in baseline.entries.iter().enumerate() {
        index.entry(entry.identity()).or_default().push(i);
    }
    let mut used = vec![false; baseline.entries.len()];
    let mut why: Vec<Option<Stale>> = vec![None; baseline.entries.len()];
    let mut outcome = Outcome {
        entries: baseline.entries.clone(),
        ..Outcome::default()
    };
    let mut judge = |candidate: &Accepted| -> Option<usize> {
        let ids = index.get(&candidate.identity())?;
        let mut found = None;
        for &i in ids {
            let entry = &baseline.entries[i];
            if !same(&entry.value, &candidate.value) {
                why[i].get_or_insert(Stale::MovedOn);
            } else if entry.expires.as_ref().is_some_and(|e| e.has_passed(today)) {
                why[i] = Some(Stale::Expired);
            } else {
                used[i] = true;
                found.get_or_insert(i);
            }
        }
        found
    };
    for entry in entries.iter_mut() {
        if entry.is_churn() {
            continue;
        }
        if let Some(value) = object_value(entry) {
            let candidate = candidate(&entry.key, value);
            if let Some(i) = judge(&candidate) {
                entry.accepted = Some(baseline.entries[i].rule_name());
                outcome.accepted.push(AcceptedChange {
                    key: entry.key.clone(),
                    change: None,
                    entry: i,
                    security: object_security(entry),
                });
            }
            outcome.candidates.push(candidate);
            continue;
        }
        for finding in entry.findings.iter_mut().filter(|f| f.hidden_by.is_none()) {
            let Some(value) = field_value(finding) else {
                continue;
            };
            let candidate = candidate(&entry.key, value);
            if let Some(i) = judge(&candidate) {
                accept(finding, &baseline.entries[i]);
                outcome.accepted.push(AcceptedChange {
                    key: entry.key.clone(),
                    change: Some(finding.change.clone()),
                    entry: i,
                    security: (finding.category == Category::Security)
                        .then(|| finding.reasons.first().cloned().unwrap_or_default()),
                });
            }
            outcome.candidates.push(candidate);
        }
    }
    outcome.stale = used
        .iter()
        .zip(why)
        .enumerate()
        .filter(|(_, (used, _))| !**used)
        .map(|(i, (_, why))| (i, why.unwrap_or(Stale::NoMatch)))
        .collect();
    outcome
}

/// What an object added or removed whole grants or takes, when that touches the security table.
fn object_security(entry: &Entry) -> Option<String> {
    let comparison =
        super::security::Comparison::of(&entry.key.kind, entry.old.as_ref(), entry.new.as_ref());
    let gained = comparison
        .gained()
        .next()
        .map(|g| format!("security-sensitive: grants {g}"));
    gained.or_else(|| {
        comparison
            .lost()
            .next()
            .map(|l| format!("security-sensitive: takes away {l}"))
    })
}

/// Whether two accepted values are the same change: numbers by value (`5`, `5.0` and `5e0`
/// alike, as a YAML round trip may write them), everything else exactly.
fn same(a: &AcceptedValue, b: &AcceptedValue) -> bool {
    match (a, b) {
        (
            AcceptedValue::Field { path: p, value: x },
            AcceptedValue::Field { path: q, value: y },
        ) => p == q && same_json(x, y),
        _ => a == b,
    }
}

fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(x), Some(y)) if x == y)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn accept(finding: &mut Finding, entry: &Accepted) {
    finding.hidden_by = Some(entry.rule_name());
    finding.accepted = true;
}

fn candidate(key: &ObjectKey, value: AcceptedValue) -> Accepted {
    Accepted {
        group: key.group.clone(),
        kind: key.kind.clone(),
        namespace: key.namespace.clone(),
        name: key.name.clone(),
        value,
        reason: None,
        expires: None,
        file: String::new(),
        line: 0,
    }
}

/// What an object added or removed whole is accepted as; `None` for a changed object.
fn object_value(entry: &Entry) -> Option<AcceptedValue> {
    if entry.is_pair() {
        return None;
    }
    match entry.change {
        ObjectChange::Added => Some(AcceptedValue::ObjectAdded {
            digest: digest(entry.new.as_ref().unwrap_or(&Value::Null)),
        }),
        ObjectChange::Removed => Some(AcceptedValue::ObjectRemoved),
        _ => None,
    }
}

/// What a change of a field is accepted as; `None` for a list too long to list, whose new
/// value the change does not hold (it stays drift).
fn field_value(finding: &Finding) -> Option<AcceptedValue> {
    let change = &finding.change;
    if change.elided.is_some() {
        return None;
    }
    let path = change.path.human();
    match (change.op, &change.new) {
        (Op::Remove, _) => Some(AcceptedValue::FieldRemoved { path }),
        (_, Some(value)) => Some(AcceptedValue::Field {
            path,
            value: value.clone(),
        }),
        (_, None) => None,
    }
}

/// `sha256:<hex>` of `object`'s compact JSON.
pub fn digest(object: &Value) -> String {
    let text = serde_json::to_string(object).unwrap_or_default();
    let hash = Sha256::digest(text.as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The entries `--update-baseline` writes: every candidate, each keeping the `reason` and
/// `expires` of an entry of `previous` at the same object and path; sorted by object and path.
pub fn updated(candidates: &[Accepted], previous: &[Accepted]) -> Vec<Accepted> {
    let kept: HashMap<Identity<'_>, &Accepted> =
        previous.iter().map(|e| (e.identity(), e)).collect();
    let mut out: Vec<Accepted> = candidates
        .iter()
        .map(|c| {
            let mut entry = c.clone();
            if let Some(old) = kept.get(&c.identity()) {
                entry.reason = old.reason.clone();
                entry.expires = old.expires.clone();
            }
            entry
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.namespace, &a.kind, &a.group, &a.name, a.value.path()).cmp(&(
            &b.namespace,
            &b.kind,
            &b.group,
            &b.name,
            b.value.path(),
        ))
    });
    out.dedup_by(|a, b| a.identity() == b.identity() && same(&a.value, &b.value));
    out
}

#[cfg(test)]
mod tests;
