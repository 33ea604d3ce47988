//! The API server's defaults: what it fills in, on create and on every read, when a field is
//! absent. One table, [`TABLE`], says it all; each entry is named, documented and cites the
//! upstream defaulting function it comes from. The table is data (`defaults/table.yaml`, read
//! once, on first use); the functions of its conditional entries are code (`defaults_fns.rs`).
//!
//! [`apply`] fills in every absent field the table knows of and never changes a present one, so
//! `defaulted(manifest) == defaulted(live)` holds when the live object differs from the manifest
//! only by defaults. Applying is idempotent.
//!
//! "Absent" means what it means to the server: a missing key or `null`; and, for fields that
//! upstream tests with `== ""`, `== 0` or `len(…) == 0` (Go non-pointer fields), also the zero
//! value (an entry's [`Unset::AbsentOrZero`]). Such a zero is replaced, as the server would.
//!
//! The table describes a Kubernetes 1.28–1.32 server (and OpenShift 4's for its kinds), on a
//! single-stack IPv4 cluster with default feature gates. Entries that depend on a version or on
//! the cluster say so in their documentation.
//!
//! # What the table leaves out, on purpose
//!
//! - Kinds with no defaults: `networking.k8s.io/v1` Ingress (`pathType` is required, not
//!   defaulted; only the v1beta1 APIs defaulted it), `policy/v1` PodDisruptionBudget,
//!   ConfigMap (its `data: {}` default is never written), ServiceAccount.
//! - Values the cluster allocates or decides: `clusterIP`, `nodePort`, `healthCheckNodePort`,
//!   a PVC's `volumeName` and default `storageClassName`, a Route's generated `host`, a Job's
//!   generated selector (see [`super::injected`]).
//! - Rewrites of present values: quantities rounded up to milli-units (driftlab compares
//!   quantities by amount), the `kubernetes` finalizer appended to a non-empty list, the legacy
//!   BuildConfig trigger type `imageChange` renamed `ImageChange`.
//! - Defaults behind alpha feature gates (pod-level resources, container `resizePolicy`,
//!   StatefulSet `maxUnavailable`), LimitRange item defaults, and the container names that
//!   DeploymentConfig lifecycle hooks get from a single-container template.

use serde_json::{Map, Value};

pub use super::locate::Where;
use super::locate::{has_pod_spec, locate};
use super::{TypeInfo, escape, is_go_zero};
pub use table::TABLE;

pub(in crate::apiserver) mod table;

/// One default of the table.
#[derive(Clone, Copy, Debug)]
pub struct Default {
    /// Its name, for explanations (`container-image-pull-policy`).
    pub name: &'static str,
    /// What it fills in and when; uncertainties about values or versions are stated here.
    pub doc: &'static str,
    /// The upstream file (and function) the value comes from.
    pub source: &'static str,
    /// The types it applies to, each `group/version Kind` (`apps/* Deployment`); empty: every
    /// type that has the place [`Default::at`].
    pub kinds: &'static [&'static str],
    /// The place it applies to.
    pub at: Where,
    /// The field, relative to that place; missing intermediate maps are created.
    pub path: &'static [&'static str],
    /// The value.
    pub fill: Fill,
    /// When the field counts as unset.
    pub unset: Unset,
    /// A further condition on the place, if any.
    pub when: Option<Condition>,
}

/// A condition on a place of the object (the type is there for kind-dependent rules).
pub type Condition = fn(&Value, &TypeInfo) -> bool;

/// A value computed from the place; `None` fills nothing.
pub type Compute = fn(&Value, &TypeInfo) -> Option<Value>;

/// What a default fills in.
#[derive(Clone, Copy, Debug)]
pub enum Fill {
    /// A string.
    Str(&'static str),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// An empty map, `{}`.
    EmptyMap,
    /// A JSON literal (lists and maps).
    Json(&'static str),
    /// A value computed from the place (conditional defaults).
    Computed(Compute),
    /// Keys computed from the place, each filled into the map at the path where it is absent
    /// (a Pod's `resources.requests` from its `limits`).
    Keys(Compute),
}

/// When a field counts as unset (in the table: `unset: absent-or-zero`; absent means `Absent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unset {
    /// Absent or `null` (upstream: a pointer is `nil`).
    Absent,
    /// Absent, `null`, or the Go zero value `""`, `0`, `false`, `[]`, `{}` (upstream: a
    /// non-pointer field is tested against its zero value).
    AbsentOrZero,
}

/// One field that [`apply_explained`] filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filled {
    /// The JSON pointer of the field.
    pub pointer: String,
    /// The name of the table entry that filled it.
    pub rule: &'static str,
}

/// Who owns a PodSpec, for [`apply_pod_spec`]: some defaults are for Pods only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodSpecOwner {
    /// A Pod: every PodSpec default, plus the Pod-only ones (`enableServiceLinks`, requests from
    /// limits, host ports).
    Pod,
    /// A pod template of a workload (what `spec.template.spec` gets).
    Template,
}

/// Fills in, in place, every field the API server would set by default on `object` (by its
/// `apiVersion` and `kind`) where it is absent; never changes a present field.
pub fn apply(object: &mut Value) {
    apply_explained(object);
}

/// `object` with the server's defaults filled in (see [`apply`]).
pub fn defaulted(object: &Value) -> Value {
    let mut copy = object.clone();
    apply(&mut copy);
    copy
}

/// [`apply`], saying which fields it filled and by which entry, in table order.
pub fn apply_explained(object: &mut Value) -> Vec<Filled> {
    let t = TypeInfo::of(object);
    let mut filled = Vec::new();
    for entry in TABLE.iter() {
        if !entry.kinds.is_empty() && !t.is_any(entry.kinds) {
            continue;
        }
        for place in locate(object, entry.at, &t) {
            let Some(node) = object.pointer_mut(&place) else {
                continue;
            };
            for relative in fill_place(entry, node, &t) {
                filled.push(Filled {
                    pointer: format!("{place}{relative}"),
                    rule: entry.name,
                });
            }
        }
    }
    filled
}

/// Applies the defaults of a PodSpec on its own (for a pod-versus-template check): `spec` is
/// handled as the PodSpec of a Pod or of a pod template.
pub fn apply_pod_spec(spec: &mut Value, owner: PodSpecOwner) {
    let (api_version, kind) = match owner {
        PodSpecOwner::Pod => ("v1", "Pod"),
        PodSpecOwner::Template => ("v1", "PodTemplate"),
    };
    let spec_value = std::mem::take(spec);
    let mut object = match owner {
        PodSpecOwner::Pod => {
            serde_json::json!({"apiVersion": api_version, "kind": kind, "spec": spec_value})
        }
        PodSpecOwner::Template => {
            serde_json::json!({"apiVersion": api_version, "kind": kind,
                "template": {"spec": spec_value}})
        }
    };
    apply(&mut object);
    let pointer = match owner {
        PodSpecOwner::Pod => "/spec",
        PodSpecOwner::Template => "/template/spec",
    };
    if let Some(defaulted) = object.pointer_mut(pointer) {
        *spec = std::mem::take(defaulted);
    }
}

/// What the server would put at `pointer` in `object` if that field were absent, and the
/// entries that put it there; `None` when no default fills it (or `pointer` is not a field of
/// a map).
///
/// A noise rule asks this of the side that has a field the other lacks: the field is a server
/// default when the answer's value equals the one present.
pub fn default_for(object: &Value, pointer: &str) -> Option<(Vec<&'static str>, Value)> {
    let (parent, key) = pointer.rsplit_once('/')?;
    let mut copy = object.clone();
    copy.pointer_mut(parent)?
        .as_object_mut()?
        .shift_remove(&unescape(key));
    let rules: Vec<&'static str> = apply_explained(&mut copy)
        .into_iter()
        .filter(|f| f.pointer == pointer || f.pointer.starts_with(&format!("{pointer}/")))
        .map(|f| f.rule)
        .collect();
    if rules.is_empty() {
        return None;
    }
    Some((rules, copy.pointer(pointer)?.clone()))
}

/// The entry that explains the value at `pointer` in `object` as a server default: what the
/// server would fill in there, had the field been absent, equals what is there.
pub fn is_default(object: &Value, pointer: &str) -> Option<&'static str> {
    let present = object.pointer(pointer)?;
    let (rules, value) = default_for(object, pointer)?;
    (value == *present).then(|| rules[0])
}

/// The table entry named `name`.
pub fn rule(name: &str) -> Option<&'static Default> {
    TABLE.iter().find(|entry| entry.name == name)
}

/// Whether the table has anything to say about objects of this type (besides pod specs).
pub fn covers(object: &Value) -> bool {
    let t = TypeInfo::of(object);
    has_pod_spec(&t)
        || TABLE
            .iter()
            .any(|e| !e.kinds.is_empty() && t.is_any(e.kinds))
}

/// Fills one entry at one place; returns the relative pointers it filled.
fn fill_place(entry: &Default, node: &mut Value, t: &TypeInfo) -> Vec<String> {
    if !node.is_object() || entry.when.is_some_and(|when| !when(node, t)) {
        return Vec::new();
    }
    let value = match entry.fill {
        Fill::Str(s) => Value::from(s),
        Fill::Int(i) => Value::from(i),
        Fill::Bool(b) => Value::Bool(b),
        Fill::EmptyMap => Value::Object(Map::new()),
        Fill::Json(text) => match serde_json::from_str(text) {
            Ok(value) => value,
            Err(_) => return Vec::new(),
        },
        Fill::Computed(compute) | Fill::Keys(compute) => match compute(node, t) {
            Some(value) => value,
            None => return Vec::new(),
        },
    };
    let Some((last, parents)) = entry.path.split_last() else {
        return Vec::new();
    };
    // Check before creating anything, so a field that is set leaves no empty map behind.
    if !is_unset_in(node, parents, last, entry) {
        return Vec::new();
    }
    let Some(map) = parent_map(node, parents) else {
        return Vec::new();
    };
    let base: String = entry
        .path
        .iter()
        .map(|k| format!("/{}", escape(k)))
        .collect();
    match (entry.fill, value) {
        (Fill::Keys(_), Value::Object(keys)) => {
            let target = map
                .entry(last.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if target.is_null() {
                *target = Value::Object(Map::new());
            }
            let Some(target) = target.as_object_mut() else {
                return Vec::new();
            };
            let mut filled = Vec::new();
            for (key, value) in keys {
                if target.get(&key).is_none_or(Value::is_null) {
                    filled.push(format!("{base}/{}", escape(&key)));
                    target.insert(key, value);
                }
            }
            filled
        }
        (Fill::Keys(_), _) => Vec::new(),
        (_, value) => {
            map.insert(last.to_string(), value);
            vec![base]
        }
    }
}

/// Whether the field is unset (for [`Fill::Keys`]: whether the map can take keys).
fn is_unset_in(node: &Value, parents: &[&str], last: &str, entry: &Default) -> bool {
    let mut current = node;
    for key in parents {
        match current.get(*key) {
            None | Some(Value::Null) => return true,
            Some(child) if child.is_object() => current = child,
            Some(_) => return false,
        }
    }
    match (current.get(last), entry.fill) {
        (None | Some(Value::Null), _) => true,
        (Some(present), Fill::Keys(_)) => present.is_object(),
        (Some(present), _) => entry.unset == Unset::AbsentOrZero && is_go_zero(present),
    }
}

/// The map at `parents` under `node`, creating missing (or `null`) maps on the way.
fn parent_map<'a>(node: &'a mut Value, parents: &[&str]) -> Option<&'a mut Map<String, Value>> {
    let mut current = node;
    for key in parents {
        let map = current.as_object_mut()?;
        let child = map
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if child.is_null() {
            *child = Value::Object(Map::new());
        }
        current = child;
    }
    current.as_object_mut()
}

/// Undoes [`escape`].
fn unescape(key: &str) -> String {
    key.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests;
