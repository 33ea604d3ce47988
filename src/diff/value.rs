//! The semantic value diff: two versions of one object in, a list of [`Change`]s out.
//!
//! Maps compare by key; lists by merge key ([`super::keys`]), or as a sequence (similar's Myers
//! over element hashes) when they have none; quantities as numbers; secret values by digest;
//! strings holding a JSON or YAML document structurally, the path continuing into the document.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};
use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};

use super::equality::{hash, same};
use super::keys;
use super::path::{DocFormat, ItemLabel, Path, Segment};
use super::quantity::{Quantity, is_quantity_path};
use crate::secret::{self, Comparison, SecretKey};

/// What happened at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// The value is new.
    Add,
    /// The value is gone.
    Remove,
    /// The value changed.
    Replace,
    /// Only the order changed: of a whole list (old and new are the orders), or of one element
    /// of a list without keys (old and new are its positions).
    Move,
}

/// One difference between two versions of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Where.
    pub path: Path,
    /// What happened.
    pub op: Op,
    /// The old value (absent for [`Op::Add`]).
    pub old: Option<Value>,
    /// The new value (absent for [`Op::Remove`]).
    pub new: Option<Value>,
    /// The values are secret fingerprints (or, with `--show-secrets`, revealed secret values).
    pub secret: bool,
    /// An embedded document whose text changed but whose content did not (comments, layout).
    pub format_only: bool,
    /// A list whose element changes were too many to list one by one: their count, with
    /// `old` and `new` left out.
    pub elided: Option<Elided>,
}

/// A list changed in more elements than a report lists one by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elided {
    /// Elements before.
    pub old_len: usize,
    /// Elements after.
    pub new_len: usize,
    /// Elements added, removed or changed.
    pub changes: usize,
}

/// How many element changes of one list are listed one by one by default; beyond that the list
/// is one summary change. A list of a million changed elements is a broken generator or an
/// attack, not something a person reads line by line.
pub const DEFAULT_MAX_LIST_CHANGES: usize = 1000;

/// How long the sequence diff of one list may search for the shortest edit before it settles
/// for a good one: a pathological list must not stall the report.
const SEQUENCE_DEADLINE: std::time::Duration = std::time::Duration::from_millis(500);

/// Settings of the value diff.
#[derive(Clone, Debug)]
pub struct ValueOptions {
    /// Show decoded secret values instead of fingerprints.
    pub show_secrets: bool,
    /// The key of archives whose secret values are keyed hashes (`--secret-key-file`): raw values
    /// are hashed with it to compare them, and fingerprinted with it.
    pub secret_key: Option<std::sync::Arc<SecretKey>>,
    /// Lists with more element changes than this are one summary change (0: no limit).
    pub max_list_changes: usize,
}

impl Default for ValueOptions {
    fn default() -> ValueOptions {
        ValueOptions {
            show_secrets: false,
            secret_key: None,
            max_list_changes: DEFAULT_MAX_LIST_CHANGES,
        }
    }
}

/// The changes that turn `old` into `new`, two versions of an object of `kind`.
pub fn diff(kind: &str, old: &Value, new: &Value, options: &ValueOptions) -> Vec<Change> {
    let mut walker = Walker {
        kind,
        show_secrets: options.show_secrets,
        secret_key: options.secret_key.as_deref(),
        max_list_changes: options.max_list_changes,
        path: Vec::new(),
        changes: Vec::new(),
    };
    walker.walk(old, new);
    walker.changes
}

struct Walker<'a> {
    kind: &'a str,
    show_secrets: bool,
    secret_key: Option<&'a SecretKey>,
    max_list_changes: usize,
    path: Vec<Segment>,
    changes: Vec<Change>,
}

impl Walker<'_> {
    fn fields(&self) -> Vec<&str> {
        self.path
            .iter()
            .filter_map(|s| match s {
                Segment::Field(name) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }

    fn in_secret_value(&self) -> bool {
        secret::is_secret_path(self.kind, &self.fields())
    }

    fn push(&mut self, op: Op, old: Option<Value>, new: Option<Value>) {
        self.changes.push(Change {
            path: Path(self.path.clone()),
            op,
            old,
            new,
            secret: false,
            format_only: false,
            elided: None,
        });
    }

    /// Whether `changes` element changes of one list are more than a report lists.
    fn too_many(&self, changes: usize) -> bool {
        self.max_list_changes > 0 && changes > self.max_list_changes
    }

    /// One summary change for a list changed in too many elements.
    fn elide(&mut self, old_len: usize, new_len: usize, changes: usize) {
        self.changes.push(Change {
            path: Path(self.path.clone()),
            op: Op::Replace,
            old: None,
            new: None,
            secret: false,
            format_only: false,
            elided: Some(Elided {
                old_len,
                new_len,
                changes,
            }),
        });
    }

    fn walk(&mut self, old: &Value, new: &Value) {
        if self.in_secret_value() {
            self.secret_leaf(Some(old), Some(new));
            return;
        }
        if same(old, new) {
            return;
        }
        if is_quantity_path(&self.fields())
            && let (Some(a), Some(b)) = (Quantity::from_value(old), Quantity::from_value(new))
            && a.same_amount(&b)
        {
            return;
        }
        match (old, new) {
            (Value::Object(a), Value::Object(b)) => self.walk_maps(a, b),
            (Value::Array(a), Value::Array(b)) => self.walk_lists(a, b),
            (Value::String(a), Value::String(b)) => self.walk_strings(a, b),
            _ => self.push(Op::Replace, Some(old.clone()), Some(new.clone())),
        }
    }

    fn walk_maps(&mut self, old: &Map<String, Value>, new: &Map<String, Value>) {
        for (key, old_value) in old {
            self.path.push(Segment::Field(key.clone()));
            match new.get(key) {
                Some(new_value) => self.walk(old_value, new_value),
                None => self.removed(old_value),
            }
            self.path.pop();
        }
        for (key, new_value) in new {
            if !old.contains_key(key) {
                self.path.push(Segment::Field(key.clone()));
                self.added(new_value);
                self.path.pop();
            }
        }
    }

    /// A whole value removed. In a Secret, maps are opened so each secret value is fingerprinted.
    fn removed(&mut self, value: &Value) {
        if self.in_secret_value() {
            self.secret_leaf(Some(value), None);
        } else if let (true, Value::Object(map)) = (self.guards_secrets(), value) {
            self.walk_maps(map, &Map::new());
        } else {
            self.push(Op::Remove, Some(value.clone()), None);
        }
    }

    fn added(&mut self, value: &Value) {
        if self.in_secret_value() {
            self.secret_leaf(None, Some(value));
        } else if let (true, Value::Object(map)) = (self.guards_secrets(), value) {
            self.walk_maps(&Map::new(), map);
        } else {
            self.push(Op::Add, None, Some(value.clone()));
        }
    }

    /// Whether values below here may hold secrets, so whole maps must not be printed at once.
    fn guards_secrets(&self) -> bool {
        secret::is_secret_kind(self.kind) && !self.show_secrets
    }

    fn secret_leaf(&mut self, old: Option<&Value>, new: Option<&Value>) {
        let base64 = self.fields().first() == Some(&"data");
        // Values hashed in ways that cannot be compared are not reported as changed: the
        // command warns about them once (see `secret::comparable`).
        if let (Some(a), Some(b)) = (old, new)
            && secret::compare(a, b, base64, self.secret_key) != Comparison::Different
        {
            return;
        }
        let show = |v: &Value| {
            if self.show_secrets {
                secret::revealed(v, base64)
            } else {
                secret::fingerprint(v, base64, self.secret_key)
            }
        };
        let op = match (old, new) {
            (Some(_), Some(_)) => Op::Replace,
            (Some(_), None) => Op::Remove,
            _ => Op::Add,
        };
        let (old, new) = (old.map(show), new.map(show));
        self.changes.push(Change {
            path: Path(self.path.clone()),
            op,
            old,
            new,
            secret: true,
            format_only: false,
            elided: None,
        });
    }

    fn walk_strings(&mut self, old: &str, new: &str) {
        if let Some(format) = self.embedded_format(old, new)
            && let (Some(a), Some(b)) = (parse_document(format, old), parse_document(format, new))
        {
            let before = self.changes.len();
            self.path.push(Segment::Document(format));
            self.walk(&a, &b);
            self.path.pop();
            if self.changes.len() == before {
                let mut change = Change {
                    path: Path(self.path.clone()),
                    op: Op::Replace,
                    old: Some(Value::String(old.to_string())),
                    new: Some(Value::String(new.to_string())),
                    secret: false,
                    format_only: true,
                    elided: None,
                };
                change.format_only = true;
                self.changes.push(change);
            }
            return;
        }
        self.push(
            Op::Replace,
            Some(Value::String(old.to_string())),
            Some(Value::String(new.to_string())),
        );
    }

    /// Whether the strings at this path hold documents to compare structurally: ConfigMap keys
    /// named `*.json`, `*.yaml`, `*.yml`, and annotations holding JSON.
    fn embedded_format(&self, old: &str, new: &str) -> Option<DocFormat> {
        if self.path.iter().any(|s| matches!(s, Segment::Document(_))) {
            return None;
        }
        let fields = self.fields();
        match fields.as_slice() {
            ["data", key] if self.kind == "ConfigMap" => {
                let key = key.to_ascii_lowercase();
                if key.ends_with(".json") {
                    Some(DocFormat::Json)
                } else if key.ends_with(".yaml") || key.ends_with(".yml") {
                    Some(DocFormat::Yaml)
                } else {
                    None
                }
            }
            ["metadata", "annotations", _] => {
                let looks_json =
                    |s: &str| s.trim_start().starts_with('{') || s.trim_start().starts_with('[');
                (looks_json(old) && looks_json(new)).then_some(DocFormat::Json)
            }
            _ => None,
        }
    }

    fn current_field(&self) -> Option<&str> {
        match self.path.last() {
            Some(Segment::Field(name)) => Some(name),
            _ => None,
        }
    }

    fn walk_lists(&mut self, old: &[Value], new: &[Value]) {
        match keys::choose(self.current_field(), old, new) {
            Some((old_keys, new_keys)) => self.walk_keyed(old, new, &old_keys, &new_keys),
            None => self.walk_sequence(old, new),
        }
    }

    fn walk_keyed(
        &mut self,
        old: &[Value],
        new: &[Value],
        old_keys: &[String],
        new_keys: &[String],
    ) {
        let old_at: HashMap<&str, usize> = old_keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let new_at: HashMap<&str, usize> = new_keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let one_sided = old_keys
            .iter()
            .filter(|k| !new_at.contains_key(k.as_str()))
            .count()
            + new_keys
                .iter()
                .filter(|k| !old_at.contains_key(k.as_str()))
                .count();
        if self.too_many(one_sided) {
            self.elide(old.len(), new.len(), one_sided);
            return;
        }

        // A changed order of the elements both sides share is reported once, for the list.
        let old_order: Vec<&str> = old_keys
            .iter()
            .map(String::as_str)
            .filter(|k| new_at.contains_key(k))
            .collect();
        let new_order: Vec<&str> = new_keys
            .iter()
            .map(String::as_str)
            .filter(|k| old_at.contains_key(k))
            .collect();
        if old_order != new_order && self.too_many(old_order.len()) {
            self.elide(old.len(), new.len(), old_order.len());
            return;
        }
        if old_order != new_order {
            let labels =
                |order: &[&str]| Value::Array(order.iter().map(|k| Value::from(*k)).collect());
            self.push(Op::Move, Some(labels(&old_order)), Some(labels(&new_order)));
        }

        for (i, key) in old_keys.iter().enumerate() {
            let j = new_at.get(key.as_str()).copied();
            self.path.push(Segment::Item {
                label: ItemLabel::Key(key.clone()),
                old: Some(i),
                new: j,
            });
            match j {
                Some(j) => self.walk(&old[i], &new[j]),
                None => self.removed(&old[i]),
            }
            self.path.pop();
        }
        for (j, key) in new_keys.iter().enumerate() {
            if !old_at.contains_key(key.as_str()) {
                self.path.push(Segment::Item {
                    label: ItemLabel::Key(key.clone()),
                    old: None,
                    new: Some(j),
                });
                self.added(&new[j]);
                self.path.pop();
            }
        }
    }

    fn walk_sequence(&mut self, old: &[Value], new: &[Value]) {
        let old_hashes: Vec<u64> = old.iter().map(hash).collect();
        let new_hashes: Vec<u64> = new.iter().map(hash).collect();

        let mut old_sorted = old_hashes.clone();
        let mut new_sorted = new_hashes.clone();
        old_sorted.sort_unstable();
        new_sorted.sort_unstable();
        if old_sorted == new_sorted {
            if self.too_many(old.len()) {
                self.elide(old.len(), new.len(), old.len());
                return;
            }
            // The same elements in another order: one order change, not a change per element.
            self.push(
                Op::Move,
                Some(Value::Array(old.to_vec())),
                Some(Value::Array(new.to_vec())),
            );
            return;
        }

        let deadline = std::time::Instant::now() + SEQUENCE_DEADLINE;
        let ops = capture_diff_slices_deadline(
            Algorithm::Myers,
            &old_hashes,
            &new_hashes,
            Some(deadline),
        );
        let changed: usize = ops
            .iter()
            .filter(|op| op.tag() != DiffTag::Equal)
            .map(|op| op.old_range().len().max(op.new_range().len()))
            .sum();
        if self.too_many(changed) {
            self.elide(old.len(), new.len(), changed);
            return;
        }
        // Elements removed in one place and inserted in another are moves, not a removal and an
        // addition. Replace ops count on both sides.
        let mut inserted_at: HashMap<u64, Vec<usize>> = HashMap::new();
        for op in &ops {
            for j in op.new_range().rev() {
                if op.tag() != DiffTag::Equal {
                    inserted_at.entry(new_hashes[j]).or_default().push(j);
                }
            }
        }
        let mut moved_from: HashMap<usize, usize> = HashMap::new();
        for op in &ops {
            if op.tag() == DiffTag::Equal {
                continue;
            }
            for i in op.old_range() {
                if let Some(j) = inserted_at.get_mut(&old_hashes[i]).and_then(Vec::pop) {
                    moved_from.insert(j, i);
                }
            }
        }
        let moved_away: std::collections::HashSet<usize> = moved_from.values().copied().collect();

        for op in ops {
            if op.tag() == DiffTag::Equal {
                continue;
            }
            let removed: Vec<usize> = op.old_range().filter(|i| !moved_away.contains(i)).collect();
            let mut inserted = Vec::new();
            for j in op.new_range() {
                match moved_from.get(&j) {
                    Some(&i) => self.item(j, Some(i), Some(j), |w| {
                        w.push(Op::Move, Some(Value::from(i)), Some(Value::from(j)))
                    }),
                    None => inserted.push(j),
                }
            }
            // What is left of a replaced range is paired by position: a changed element.
            let paired = removed.len().min(inserted.len());
            for (&i, &j) in removed.iter().zip(&inserted) {
                self.item(j, Some(i), Some(j), |w| w.walk(&old[i], &new[j]));
            }
            for &i in &removed[paired..] {
                self.item(i, Some(i), None, |w| w.removed(&old[i]));
            }
            for &j in &inserted[paired..] {
                self.item(j, None, Some(j), |w| w.added(&new[j]));
            }
        }
    }

    fn item(
        &mut self,
        label: usize,
        old: Option<usize>,
        new: Option<usize>,
        f: impl FnOnce(&mut Self),
    ) {
        self.path.push(Segment::Item {
            label: ItemLabel::Index(label),
            old,
            new,
        });
        f(self);
        self.path.pop();
    }
}

/// Parses an embedded document; several YAML documents become a list.
fn parse_document(format: DocFormat, text: &str) -> Option<Value> {
    match format {
        DocFormat::Json => serde_json::from_str(text).ok(),
        DocFormat::Yaml => {
            let mut documents = crate::format::documents::yaml_values(text).ok()?;
            documents.retain(|d| !d.is_null());
            match documents.len() {
                0 => Some(Value::Null),
                1 => documents.pop(),
                _ => Some(Value::Array(documents)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(
        kind: &str,
        old: Value,
        new: Value,
    ) -> Vec<(String, Op, Option<Value>, Option<Value>)> {
        diff(kind, &old, &new, &ValueOptions::default())
            .into_iter()
            .map(|c| (c.path.human(), c.op, c.old, c.new))
            .collect()
    }

    fn paths(kind: &str, old: Value, new: Value) -> Vec<String> {
        changes(kind, old, new).into_iter().map(|c| c.0).collect()
    }

    #[test]
    fn containers_match_by_name_not_position() {
        let old = json!({"spec": {"containers": [
            {"name": "web", "image": "web:1", "readinessProbe": {"httpGet": {"path": "/healthz"}}},
            {"name": "sidecar", "image": "proxy:1"}]}});
        let new = json!({"spec": {"containers": [
            {"name": "sidecar", "image": "proxy:1"},
            {"name": "web", "image": "web:1", "readinessProbe": {"httpGet": {"path": "/ready"}}}]}});
        let found = changes("Deployment", old, new);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, "spec.containers");
        assert_eq!(found[0].1, Op::Move);
        assert_eq!(
            found[1].0,
            "spec.containers[web].readinessProbe.httpGet.path"
        );
        assert_eq!(found[1].2, Some(json!("/healthz")));
        assert_eq!(found[1].3, Some(json!("/ready")));
    }

    #[test]
    fn pure_reorder_of_a_keyed_list_is_only_an_order_change() {
        let old = json!({"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]});
        let new = json!({"env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]});
        let found = changes("Pod", old, new);
        assert_eq!(
            found,
            vec![(
                "env".into(),
                Op::Move,
                Some(json!(["A", "B"])),
                Some(json!(["B", "A"]))
            )]
        );
    }

    #[test]
    fn volume_mounts_by_mount_path_and_ports_by_port_and_protocol() {
        let old = json!({"volumeMounts": [{"name": "a", "mountPath": "/data"}],
                         "ports": [{"containerPort": 8080, "protocol": "TCP", "name": "http"}]});
        let new = json!({"volumeMounts": [{"name": "b", "mountPath": "/data"}],
                         "ports": [{"containerPort": 8080, "name": "web"}]});
        assert_eq!(
            paths("Pod", old, new),
            [
                "volumeMounts[/data].name",
                "ports[8080/TCP].protocol",
                "ports[8080/TCP].name"
            ]
        );
    }

    #[test]
    fn service_ports_by_port() {
        let old = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "targetPort": 8443}]}});
        let new = json!({"spec": {"ports": [{"port": 443, "targetPort": 8443}, {"port": 80, "targetPort": 9090}]}});
        let found = paths("Service", old, new);
        assert_eq!(found, ["spec.ports", "spec.ports[80/TCP].targetPort"]);
    }

    #[test]
    fn quantities_compare_as_numbers() {
        let old = json!({"resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": 1}}});
        let new = json!({"resources": {"requests": {"cpu": "0.5", "memory": "1024Mi"}, "limits": {"cpu": "1000m"}}});
        assert!(paths("Pod", old, new).is_empty());
        let old = json!({"spec": {"hard": {"pods": "10"}}});
        let new = json!({"spec": {"hard": {"pods": "11"}}});
        assert_eq!(paths("ResourceQuota", old, new), ["spec.hard.pods"]);
    }

    #[test]
    fn type_changes_are_differences() {
        let found = changes("Service", json!({"port": "8080"}), json!({"port": 8080}));
        assert_eq!(
            found,
            vec![(
                "port".into(),
                Op::Replace,
                Some(json!("8080")),
                Some(json!(8080))
            )]
        );
    }

    #[test]
    fn unkeyed_lists_report_inserted_elements_without_shifting_the_rest() {
        let old = json!({"args": ["--a", "--b", "--c", "--d"]});
        let new = json!({"args": ["--a", "--x", "--b", "--c", "--d"]});
        let found = changes("Pod", old, new);
        assert_eq!(
            found,
            vec![("args[1]".into(), Op::Add, None, Some(json!("--x")))]
        );
    }

    #[test]
    fn unkeyed_lists_report_changed_elements_in_place() {
        let old = json!({"rules": [{"verbs": ["get"], "resources": ["pods"]}, {"verbs": ["list"], "resources": ["svc"]}]});
        let new = json!({"rules": [{"verbs": ["get"], "resources": ["pods"]}, {"verbs": ["watch"], "resources": ["svc"]}]});
        assert_eq!(paths("Role", old, new), ["rules[1].verbs[0]"]);
    }

    #[test]
    fn pure_reorder_of_a_sequence_is_one_order_change() {
        let found = changes(
            "Pod",
            json!({"args": ["a", "b", "c"]}),
            json!({"args": ["c", "a", "b"]}),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, Op::Move);
    }

    #[test]
    fn an_element_moved_within_a_changed_sequence_is_a_move() {
        let found = changes(
            "X",
            json!({"l": ["a", "b", "c", "d"]}),
            json!({"l": ["b", "c", "a", "e"]}),
        );
        let ops: Vec<(String, Op)> = found.into_iter().map(|c| (c.0, c.1)).collect();
        assert!(ops.contains(&("l[2]".into(), Op::Move)), "{ops:?}");
        assert!(
            !ops.iter().any(|(p, op)| p == "l[0]" && *op == Op::Remove),
            "{ops:?}"
        );
    }

    #[test]
    fn embedded_yaml_is_diffed_structurally() {
        let old = json!({"data": {"app.yaml": "server:\n  port: 8080\n  timeout: 30s\n"}});
        let new = json!({"data": {"app.yaml": "server:\n  timeout: 3s # tuned\n  port: 8080\n"}});
        let found = changes("ConfigMap", old, new);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, r#"data["app.yaml"].server.timeout"#);
        assert_eq!(found[0].2, Some(json!("30s")));
    }

    #[test]
    fn embedded_document_with_only_comments_changed_is_a_format_change() {
        let old = json!({"data": {"a.yaml": "x: 1\n"}});
        let new = json!({"data": {"a.yaml": "# note\nx: 1\n"}});
        let found = diff("ConfigMap", &old, &new, &ValueOptions::default());
        assert_eq!(found.len(), 1);
        assert!(found[0].format_only);
    }

    #[test]
    fn annotations_holding_json_are_diffed_structurally() {
        let old = json!({"metadata": {"annotations": {"cfg": "{\"a\": 1, \"b\": 2}"}}});
        let new = json!({"metadata": {"annotations": {"cfg": "{\"b\": 2, \"a\": 3}"}}});
        assert_eq!(
            paths("Deployment", old, new),
            ["metadata.annotations.cfg.a"]
        );
    }

    #[test]
    fn invalid_embedded_documents_fall_back_to_text() {
        let old = json!({"data": {"a.json": "{\"a\": 1}"}});
        let new = json!({"data": {"a.json": "{\"a\": "}});
        let found = changes("ConfigMap", old, new);
        assert_eq!(found[0].0, r#"data["a.json"]"#);
    }

    #[test]
    fn secret_values_are_fingerprints_unless_revealed() {
        let old = json!({"kind": "Secret", "data": {"password": "czNjcjN0", "same": "eA=="}});
        let new = json!({"kind": "Secret", "data": {"password": "bmV3", "same": "eA=="}});
        let found = diff("Secret", &old, &new, &ValueOptions::default());
        assert_eq!(found.len(), 1);
        assert!(found[0].secret);
        let shown = format!("{:?}", found[0]);
        assert!(
            !shown.contains("czNjcjN0") && !shown.contains("bmV3"),
            "{shown}"
        );
        assert!(
            found[0]
                .old
                .as_ref()
                .unwrap()
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );

        let revealed = diff(
            "Secret",
            &old,
            &new,
            &ValueOptions {
                show_secrets: true,
                ..ValueOptions::default()
            },
        );
        assert_eq!(revealed[0].old, Some(json!("s3cr3t")));
        assert_eq!(revealed[0].new, Some(json!("new")));
    }

    #[test]
    fn secret_data_added_whole_is_still_fingerprinted() {
        let old = json!({"kind": "Secret"});
        let new = json!({"kind": "Secret", "data": {"token": "c2VjcmV0"}});
        let found = diff("Secret", &old, &new, &ValueOptions::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path.human(), "data.token");
        assert!(!format!("{found:?}").contains("c2VjcmV0"));
    }

    #[test]
    fn exported_hash_equals_the_raw_value() {
        let raw = json!({"data": {"password": "czNjcjN0"}});
        let hashed_value = secret::hash_for_archive(&json!("czNjcjN0"), true, None);
        let hashed = json!({"data": {"password": hashed_value}});
        assert!(paths("Secret", raw, hashed).is_empty());
    }

    #[test]
    fn lists_changed_in_too_many_elements_are_one_summary() {
        let many = |offset: usize| -> Value {
            json!({"spec": {"x": (0..50).map(|i| i * 3 + offset).collect::<Vec<_>>(),
                "env": (0..50).map(|i| json!({"name": format!("V{}", i + 50 * offset), "value": "v"})).collect::<Vec<_>>()}})
        };
        let options = ValueOptions {
            max_list_changes: 10,
            ..ValueOptions::default()
        };
        let found = diff("Pod", &many(0), &many(1), &options);
        let elided: Vec<_> = found
            .iter()
            .filter_map(|c| c.elided.map(|e| (c.path.human(), e)))
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(elided[0].0, "spec.x");
        assert_eq!(
            elided[0].1,
            Elided {
                old_len: 50,
                new_len: 50,
                changes: 50
            }
        );
        assert_eq!(elided[1].0, "spec.env");
        assert_eq!(elided[1].1.changes, 100);
        // No limit: every element.
        let all = ValueOptions {
            max_list_changes: 0,
            ..ValueOptions::default()
        };
        assert!(diff("Pod", &many(0), &many(1), &all).len() > 50);
    }

    /// The limit is on changed elements: a long keyed list in the same order with one element
    /// changed shows that change, however long the list.
    #[test]
    fn a_long_list_with_one_change_is_not_summarised() {
        let env = |value: &str| -> Value {
            json!({"env": (0..50).map(|i| json!({"name": format!("V{i}"),
                "value": if i == 7 { value } else { "v" }})).collect::<Vec<_>>()})
        };
        let options = ValueOptions {
            max_list_changes: 10,
            ..ValueOptions::default()
        };
        let found = diff("Pod", &env("a"), &env("b"), &options);
        let paths: Vec<String> = found.iter().map(|c| c.path.human()).collect();
        assert_eq!(paths, ["env[V7].value"]);
        assert!(found[0].elided.is_none());
    }

    /// An annotation is a JSON document only when both sides look like one (`{…}` or `[…]`): a
    /// bare `5` parses as JSON too, but is a value someone wrote, compared as text.
    #[test]
    fn an_annotation_that_stops_being_json_is_a_text_change() {
        for text in ["5", "off"] {
            let old = json!({"metadata": {"annotations": {"cfg": "[\"a\"]"}}});
            let new = json!({"metadata": {"annotations": {"cfg": text}}});
            for (a, b) in [(&old, &new), (&new, &old)] {
                let found = diff("Deployment", a, b, &ValueOptions::default());
                assert_eq!(found.len(), 1, "{text}: {found:?}");
                assert_eq!(found[0].path.human(), "metadata.annotations.cfg");
                assert!(found[0].path.embedded().is_none(), "{text}: {found:?}");
                assert_eq!(found[0].op, Op::Replace);
            }
        }
    }

    #[test]
    fn a_removed_secret_value_is_a_removal() {
        let old = json!({"data": {"password": "czNjcjN0", "user": "YQ=="}});
        let new = json!({"data": {"user": "YQ=="}});
        let found = changes("Secret", old.clone(), new.clone());
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].0.as_str(), found[0].1),
            ("data.password", Op::Remove)
        );
        assert!(found[0].3.is_none());
        let added = changes("Secret", new, old);
        assert_eq!(
            (added[0].0.as_str(), added[0].1),
            ("data.password", Op::Add)
        );
    }

    #[test]
    fn a_yaml_document_of_comments_only_is_nothing() {
        assert_eq!(
            parse_document(DocFormat::Yaml, "# nothing here yet\n"),
            Some(Value::Null)
        );
        assert_eq!(parse_document(DocFormat::Yaml, ""), Some(Value::Null));
        assert_eq!(
            parse_document(DocFormat::Yaml, "a: 1\n---\nb: 2\n"),
            Some(json!([{"a": 1}, {"b": 2}]))
        );
    }

    /// Within the deadline Myers finds the fewest changes: the first element dropped and one
    /// appended is two changes, not forty.
    #[test]
    fn a_sequence_shifted_by_one_is_two_changes() {
        let old: Vec<u32> = (0..40).collect();
        let mut new: Vec<u32> = (1..40).collect();
        new.push(99);
        let found = changes("Pod", json!({"args": old}), json!({"args": new}));
        let ops: Vec<Op> = found.iter().map(|c| c.1).collect();
        assert_eq!(ops, [Op::Remove, Op::Add], "{found:?}");
    }
}
