//! Who set a field: the API server's field managers (`metadata.managedFields`, Kubernetes 1.18+).
//!
//! Every write records, per manager (`kubectl-edit`, `argocd-controller`, `helm`,
//! `kube-controller-manager`, …), the set of fields that manager last wrote, with the operation
//! and the time. [`owner`] answers for one field of an object; [`is_interactive`] says whether a
//! manager is a person's tool, from one documented table, [`INTERACTIVE`].
//!
//! The field sets are `FieldsV1`: a tree of `f:<field>` for map keys, `k:{<merge key>}` for list
//! elements by key, `v:<value>` for elements of sets, `i:<index>` for elements by position, and
//! `.` for the node itself. A leaf `{}` names a whole value (an atomic map or list, or a scalar).

use serde_json::{Map, Value};

/// One manager's entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manager {
    /// Its name (`kubectl-edit`).
    pub name: String,
    /// `Update` or `Apply`.
    pub operation: String,
    /// When it last wrote, as the server gave it (RFC 3339), if it did.
    pub time: Option<String>,
    /// `status`, `scale`, … when it wrote through a subresource.
    pub subresource: Option<String>,
    fields: Value,
}

/// Managers that are people at a keyboard: `kubectl` and `oc` commands that edit objects in place,
/// and the web consoles (their browser's user agent). Apply, Helm, Argo CD, Flux, operators and
/// controllers are not: they write what a file or a controller says.
pub const INTERACTIVE: &[&str] = &[
    "kubectl-edit",
    "kubectl-patch",
    "kubectl-set",
    "kubectl-scale",
    "kubectl-label",
    "kubectl-annotate",
    "kubectl-replace",
    "kubectl-rollout",
    "kubectl-autoscale",
    "kubectl-expose",
    "kubectl-create",
    "kubectl-run",
    "kubectl",
    "oc-edit",
    "oc-patch",
    "oc-set",
    "oc-scale",
    "oc-label",
    "oc-annotate",
    "oc-replace",
    "oc-rollout",
    "oc-create",
    "oc",
    "Mozilla",
    "kubernetes-dashboard",
    "dashboard",
];

/// Whether `manager` is a person's tool ([`INTERACTIVE`]; web consoles by their `Mozilla/…` user
/// agent prefix).
pub fn is_interactive(manager: &str) -> bool {
    INTERACTIVE.contains(&manager) || manager.starts_with("Mozilla")
}

/// The managers of `object` (its `metadata.managedFields`), in order; entries that are not
/// `FieldsV1` or have no name are left out.
pub fn managers(object: &Value) -> Vec<Manager> {
    object
        .pointer("/metadata/managedFields")
        .map(from_list)
        .unwrap_or_default()
}

/// One entry of a `managedFields` list, borrowed, once it names a manager and holds a FieldsV1
/// field set (an object as served, or the compact string of [`compact`]).
struct Entry<'a> {
    name: &'a str,
    operation: &'a str,
    time: Option<&'a str>,
    subresource: Option<&'a str>,
    fields: &'a Value,
}

fn entries(list: &Value) -> impl Iterator<Item = Entry<'_>> {
    list.as_array().into_iter().flatten().filter_map(|entry| {
        let text = |field: &str| entry.get(field).and_then(Value::as_str);
        let fields = entry.get("fieldsV1")?;
        if text("fieldsType").is_some_and(|t| t != "FieldsV1")
            || !(fields.is_object() || fields.is_string())
        {
            return None;
        }
        Some(Entry {
            name: text("manager")?,
            operation: text("operation").unwrap_or_default(),
            time: text("time"),
            subresource: text("subresource").filter(|s| !s.is_empty()),
            fields,
        })
    })
}

/// The managers of a `managedFields` list.
pub fn from_list(list: &Value) -> Vec<Manager> {
    entries(list)
        .filter_map(|entry| {
            // Archives keep the field set as one compact JSON string ([`compact`]).
            let fields = match entry.fields {
                Value::String(text) => serde_json::from_str(text).ok()?,
                other => other.clone(),
            };
            fields.is_object().then(|| Manager {
                name: entry.name.to_string(),
                operation: entry.operation.to_string(),
                time: entry.time.map(String::from),
                subresource: entry.subresource.map(String::from),
                fields,
            })
        })
        .collect()
}

impl Manager {
    /// The entry as the API server returns it (`fieldsType: FieldsV1`, the field set an object).
    pub fn as_served(&self, api_version: &Value) -> Value {
        let mut entry = Map::new();
        entry.insert("manager".into(), Value::String(self.name.clone()));
        entry.insert("operation".into(), Value::String(self.operation.clone()));
        entry.insert("apiVersion".into(), api_version.clone());
        if let Some(time) = &self.time {
            entry.insert("time".into(), Value::String(time.clone()));
        }
        entry.insert("fieldsType".into(), Value::String("FieldsV1".into()));
        entry.insert("fieldsV1".into(), self.fields.clone());
        if let Some(sub) = &self.subresource {
            entry.insert("subresource".into(), Value::String(sub.clone()));
        }
        Value::Object(entry)
    }
}

/// The compact form of a `managedFields` list kept in archives: what attribution needs
/// (`manager`, `operation`, `time`, `subresource`, `fieldsV1`), without the per-entry
/// `apiVersion` and `fieldsType`, and without the writes through the `status` subresource,
/// which [`owner`] never names. The field set is kept as one compact JSON string: as a nested
/// object in a pretty-printed archive its indentation alone doubled the archive (measured in
/// BENCHMARKS.md); [`from_list`] reads both forms.
pub fn compact(list: &Value) -> Value {
    // Straight from the borrowed entries: export compacts every object it reads, and cloning
    // each field set first cost a tenth of the export's time.
    Value::Array(
        entries(list)
            .filter(|entry| entry.subresource != Some("status"))
            .map(|entry| {
                let text = |s: &str| Value::String(s.to_string());
                let mut kept = Map::new();
                kept.insert("manager".into(), text(entry.name));
                kept.insert("operation".into(), text(entry.operation));
                if let Some(time) = entry.time {
                    kept.insert("time".into(), text(time));
                }
                if let Some(sub) = entry.subresource {
                    kept.insert("subresource".into(), text(sub));
                }
                let fields = match entry.fields {
                    Value::String(compacted) => compacted.clone(),
                    fields => fields.to_string(),
                };
                kept.insert("fieldsV1".into(), Value::String(fields));
                Value::Object(kept)
            })
            .collect(),
    )
}

/// One step from an object's root to a field: a map key, or a list element by its index in the
/// object (its key in the field set is worked out from the element).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step<'a> {
    /// A map key.
    Field(&'a str),
    /// A list element at this index.
    Item(usize),
}

/// The manager that last wrote the field at `steps` of `object`: of those whose field set holds
/// it (or a whole value above it), the most recent. Writes through the `status` subresource do
/// not count: drift is in what people and tools write to the object itself.
pub fn owner<'m>(
    managers: &'m [Manager],
    object: &Value,
    steps: &[Step<'_>],
) -> Option<&'m Manager> {
    managers
        .iter()
        .filter(|m| m.subresource.as_deref() != Some("status"))
        .filter(|m| holds(&m.fields, object, steps))
        .max_by(|a, b| a.time.cmp(&b.time))
}

/// Whether the field set `set` holds the field at `steps` of `value`.
fn holds(set: &Value, value: &Value, steps: &[Step<'_>]) -> bool {
    let Some(map) = set.as_object() else {
        return false;
    };
    let Some((step, rest)) = steps.split_first() else {
        return true;
    };
    // A leaf names the whole value: everything below it is the manager's.
    if map.is_empty() {
        return true;
    }
    match step {
        Step::Field(name) => map
            .get(&format!("f:{name}"))
            .is_some_and(|child| holds(child, value.get(*name).unwrap_or(&Value::Null), rest)),
        Step::Item(index) => {
            let Some(element) = value.as_array().and_then(|items| items.get(*index)) else {
                return false;
            };
            map.iter()
                .find(|(key, _)| names_element(key, element, *index))
                .is_some_and(|(_, child)| holds(child, element, rest))
        }
    }
}

/// Whether a field-set key (`k:{"name":"web"}`, `v:"x"`, `i:2`) names `element`.
fn names_element(key: &str, element: &Value, index: usize) -> bool {
    if let Some(merge_key) = key.strip_prefix("k:") {
        let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(merge_key) else {
            return false;
        };
        return !fields.is_empty()
            && fields
                .iter()
                .all(|(field, wanted)| same_scalar(element.get(field), wanted));
    }
    if let Some(set_value) = key.strip_prefix("v:") {
        return serde_json::from_str::<Value>(set_value).is_ok_and(|v| v == *element);
    }
    if let Some(position) = key.strip_prefix("i:") {
        return position.parse::<usize>() == Ok(index);
    }
    false
}

/// Merge keys are compared as JSON values, numbers by value (`8080` and `8080.0` are one port).
fn same_scalar(found: Option<&Value>, wanted: &Value) -> bool {
    match (found, wanted) {
        (Some(Value::Number(a)), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Some(a), b) => a == b,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object() -> Value {
        json!({
            "metadata": {"managedFields": [
                {"manager": "argocd-controller", "operation": "Apply", "time": "2026-11-20T10:00:00Z",
                 "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}, "f:args": {},
                        "f:ports": {"k:{\"containerPort\":8080,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}}}}}}}},
                {"manager": "kubectl-edit", "operation": "Update", "time": "2026-11-24T14:02:00Z",
                 "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"web\"}": {"f:image": {}, "f:env": {"k:{\"name\":\"FEATURE_X\"}": {".": {}, "f:name": {}, "f:value": {}}}}}}}}}},
                {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status",
                 "time": "2026-11-25T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {"f:replicas": {}}}}
            ]},
            "spec": {"template": {"spec": {"containers": [
                {"name": "sidecar", "image": "proxy:1"},
                {"name": "web", "image": "web:1.8.3-hotfix", "args": ["--a"],
                 "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                 "env": [{"name": "A", "value": "1"}, {"name": "FEATURE_X", "value": "on"}]}]}}},
            "status": {"replicas": 2}
        })
    }

    fn who(steps: &[Step<'_>]) -> Option<String> {
        let o = object();
        owner(&managers(&o), &o, steps).map(|m| m.name.clone())
    }

    const WEB: [Step<'static>; 5] = [
        Step::Field("spec"),
        Step::Field("template"),
        Step::Field("spec"),
        Step::Field("containers"),
        Step::Item(1),
    ];

    #[test]
    fn the_latest_manager_of_a_field_owns_it() {
        let image = [&WEB[..], &[Step::Field("image")]].concat();
        assert_eq!(who(&image).as_deref(), Some("kubectl-edit"));
        let env = [&WEB[..], &[Step::Field("env"), Step::Item(1)]].concat();
        assert_eq!(who(&env).as_deref(), Some("kubectl-edit"));
        let value = [
            &WEB[..],
            &[Step::Field("env"), Step::Item(1), Step::Field("value")],
        ]
        .concat();
        assert_eq!(who(&value).as_deref(), Some("kubectl-edit"));
        // A port, by its two-field merge key; an atomic list, below its leaf.
        let port = [
            &WEB[..],
            &[
                Step::Field("ports"),
                Step::Item(0),
                Step::Field("containerPort"),
            ],
        ]
        .concat();
        assert_eq!(who(&port).as_deref(), Some("argocd-controller"));
        let arg = [&WEB[..], &[Step::Field("args"), Step::Item(0)]].concat();
        assert_eq!(who(&arg).as_deref(), Some("argocd-controller"));
    }

    #[test]
    fn unowned_fields_and_status_writes_have_no_owner() {
        // Env var A: nobody's (written by a manager since gone, or before 1.18).
        let env_a = [&WEB[..], &[Step::Field("env"), Step::Item(0)]].concat();
        assert_eq!(who(&env_a), None);
        // The sidecar container.
        let sidecar = [&WEB[..4], &[Step::Item(0), Step::Field("image")]].concat();
        assert_eq!(who(&sidecar), None);
        assert_eq!(who(&[Step::Field("status"), Step::Field("replicas")]), None);
    }

    #[test]
    fn interactive_managers() {
        assert!(is_interactive("kubectl-edit"));
        assert!(is_interactive("oc-set"));
        assert!(is_interactive("Mozilla/5.0 (X11; Linux x86_64)"));
        assert!(!is_interactive("kubectl-client-side-apply"));
        assert!(!is_interactive("argocd-controller"));
        assert!(!is_interactive("helm"));
    }

    #[test]
    fn compact_keeps_what_attribution_needs() {
        let o = object();
        let compacted = compact(o.pointer("/metadata/managedFields").unwrap());
        let mut kept = managers(&o);
        kept.retain(|m| m.subresource.is_none());
        assert_eq!(from_list(&compacted), kept);
        assert!(compacted[0].get("fieldsType").is_none());
        // One compact string per field set, not an indented tree.
        assert!(compacted[0]["fieldsV1"].is_string());
        // Served again in the API's form.
        let served = kept[0].as_served(&json!("apps/v1"));
        assert_eq!(served["fieldsType"], "FieldsV1");
        assert!(served["fieldsV1"].is_object());
        // Entries of another field-set format are left out rather than misread.
        let other = json!([{"manager": "x", "fieldsType": "FieldsV2", "fieldsV1": {}}]);
        assert!(from_list(&other).is_empty());
    }
}
