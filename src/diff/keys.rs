//! How list elements are matched between two versions of an object: by the Kubernetes merge keys,
//! in one table, so a reordered list is not a change and a changed element keeps its name.

use serde_json::Value;

/// Computes the key of a list element, or `None` when the element has none.
pub type KeyFn = fn(&Value) -> Option<String>;

/// The merge key of a list, by the name of the field that holds it, and the fields it reads.
///
/// Kubernetes publishes the keys of its lists (`x-kubernetes-list-map-keys`); this table follows
/// them, and `tests/builtin_list_keys.rs` checks it against the k8s-openapi crate's generated
/// merge code, so a list Kubernetes keys by anything but `name` cannot be missing here. Lists
/// Kubernetes calls atomic may still be keyed here (subjects, triggers, rules): a diff names the
/// element that changed where a merge would replace the list.
///
/// A key applies only when every element of both lists has one and no two elements share one;
/// otherwise the list is compared as a sequence.
const MERGE_KEYS: &[(&str, KeyFn, &[&str])] = &[
    ("containers", name, &["name"]),
    ("initContainers", name, &["name"]),
    ("ephemeralContainers", name, &["name"]),
    ("env", name, &["name"]),
    ("volumes", name, &["name"]),
    ("imagePullSecrets", name, &["name"]),
    ("secrets", name, &["name"]),
    ("tags", name, &["name"]),
    ("webhooks", name, &["name"]),
    ("hostAliases", ip, &["ip"]),
    ("volumeMounts", mount_path, &["mountPath"]),
    ("volumeDevices", device_path, &["devicePath"]),
    ("ports", port, &["containerPort", "port", "protocol"]),
    ("subjects", subject, &["kind", "name", "namespace"]),
    ("ownerReferences", owner, &["kind", "name"]),
    ("conditions", condition_type, &["type"]),
    ("readinessGates", condition_type_field, &["conditionType"]),
    ("resizePolicy", resource_name, &["resourceName"]),
    (
        "topologySpreadConstraints",
        topology,
        &["topologyKey", "whenUnsatisfiable"],
    ),
    ("triggers", trigger, &["type"]),
    (
        "envFrom",
        env_from,
        &["prefix", "configMapRef", "secretRef"],
    ),
    ("items", key_field, &["key"]),
    ("addresses", address, &["ip", "type"]),
    ("notReadyAddresses", ip, &["ip"]),
    ("hostIPs", ip, &["ip"]),
    ("podIPs", ip, &["ip"]),
    ("devices", device, &["driver", "pool", "device", "shareID"]),
    ("volumeClaimTemplates", metadata_name, &["metadata"]),
    ("x-kubernetes-validations", rule, &["rule"]),
    ("rules", host, &["host"]),
    ("paths", path, &["path"]),
];

/// The key function for a list held by `field`.
pub fn for_field(field: &str) -> Option<KeyFn> {
    MERGE_KEYS
        .iter()
        .find(|(name, ..)| *name == field)
        .map(|(_, key, _)| *key)
}

/// The fields the key of an element of the list held by `field` is made of (those present make
/// it): what a patch tests to be sure it addresses the same element. `name` for a list the
/// table does not know, as [`choose`] falls back to it.
pub fn key_fields(field: &str) -> &'static [&'static str] {
    MERGE_KEYS
        .iter()
        .find(|(name, ..)| *name == field)
        .map_or(&["name"], |(_, _, fields)| *fields)
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The generic fallback: elements keyed by their `name`.
pub fn name(item: &Value) -> Option<String> {
    text(item.get("name"))
}

fn ip(item: &Value) -> Option<String> {
    text(item.get("ip"))
}

/// Endpoints addresses by `ip`; a Node's by `type` (InternalIP, Hostname, …).
fn address(item: &Value) -> Option<String> {
    ip(item).or_else(|| condition_type(item))
}

/// Allocated devices of a ResourceClaim: driver, pool, device and share.
fn device(item: &Value) -> Option<String> {
    let mut key = format!(
        "{}/{}/{}",
        text(item.get("driver"))?,
        text(item.get("pool"))?,
        text(item.get("device"))?
    );
    if let Some(share) = text(item.get("shareID")) {
        key = format!("{key}/{share}");
    }
    Some(key)
}

fn metadata_name(item: &Value) -> Option<String> {
    text(item.get("metadata")?.get("name"))
}

/// CEL validation rules of a CustomResourceDefinition's schema, by their expression.
fn rule(item: &Value) -> Option<String> {
    text(item.get("rule"))
}

fn mount_path(item: &Value) -> Option<String> {
    text(item.get("mountPath"))
}

fn device_path(item: &Value) -> Option<String> {
    text(item.get("devicePath"))
}

fn key_field(item: &Value) -> Option<String> {
    text(item.get("key"))
}

fn host(item: &Value) -> Option<String> {
    text(item.get("host"))
}

fn path(item: &Value) -> Option<String> {
    text(item.get("path"))
}

fn resource_name(item: &Value) -> Option<String> {
    text(item.get("resourceName"))
}

fn condition_type(item: &Value) -> Option<String> {
    text(item.get("type"))
}

fn condition_type_field(item: &Value) -> Option<String> {
    text(item.get("conditionType"))
}

/// Container ports by `containerPort/protocol`, Service and Endpoints ports by `port/protocol`;
/// the protocol defaults to TCP as the API server defaults it.
fn port(item: &Value) -> Option<String> {
    let number = text(item.get("containerPort")).or_else(|| text(item.get("port")))?;
    let protocol = item
        .get("protocol")
        .and_then(Value::as_str)
        .unwrap_or("TCP");
    Some(format!("{number}/{protocol}"))
}

fn subject(item: &Value) -> Option<String> {
    let kind = text(item.get("kind"))?;
    let name = text(item.get("name"))?;
    Some(match text(item.get("namespace")) {
        Some(namespace) => format!("{kind}/{namespace}/{name}"),
        None => format!("{kind}/{name}"),
    })
}

fn owner(item: &Value) -> Option<String> {
    Some(format!(
        "{}/{}",
        text(item.get("kind"))?,
        text(item.get("name"))?
    ))
}

fn topology(item: &Value) -> Option<String> {
    let key = text(item.get("topologyKey"))?;
    let when = text(item.get("whenUnsatisfiable")).unwrap_or_default();
    Some(format!("{key}/{when}"))
}

/// DeploymentConfig and BuildConfig triggers: by type, image triggers also by their image.
fn trigger(item: &Value) -> Option<String> {
    let kind = text(item.get("type"))?;
    let image = item
        .get("imageChangeParams")
        .or_else(|| item.get("imageChange"))
        .and_then(|params| params.get("from"))
        .and_then(|from| text(from.get("name")));
    Some(match image {
        Some(image) => format!("{kind}/{image}"),
        None => kind,
    })
}

fn env_from(item: &Value) -> Option<String> {
    let prefix = text(item.get("prefix")).unwrap_or_default();
    let source = if let Some(cm) = item.get("configMapRef") {
        format!("configMap:{}", text(cm.get("name"))?)
    } else {
        format!("secret:{}", text(item.get("secretRef")?.get("name"))?)
    };
    Some(if prefix.is_empty() {
        source
    } else {
        format!("{prefix}{source}")
    })
}

/// The keys of `items` under `key`, or `None` when an element lacks one or two share one.
pub fn keys_of(items: &[Value], key: impl Fn(&Value) -> Option<String>) -> Option<Vec<String>> {
    let keys: Vec<String> = items.iter().map(key).collect::<Option<_>>()?;
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    keys.iter().all(|k| seen.insert(k.as_str())).then_some(keys)
}

/// Keys two versions of a list by the values of `fields` (a schema's
/// `x-kubernetes-list-map-keys`), joined by `/`: `8080/TCP` for `[containerPort, protocol]`.
/// `None` when an element is not an object, lacks the first key, or two share a key: the list is
/// then compared as any list is.
pub fn by_fields(
    fields: &[String],
    old: &[Value],
    new: &[Value],
) -> Option<(Vec<String>, Vec<String>)> {
    let key = |item: &Value| {
        let item = item.as_object()?;
        let mut parts = Vec::with_capacity(fields.len());
        for (i, field) in fields.iter().enumerate() {
            match text(item.get(field)) {
                Some(part) => parts.push(part),
                // A key field the API server left unset (it may, when the field has no
                // default and is optional): the element is still told apart by the others.
                None if i > 0 => parts.push(String::new()),
                None => return None,
            }
        }
        Some(parts.join("/"))
    };
    Some((keys_of(old, key)?, keys_of(new, key)?))
}

/// Chooses how to key two versions of the list held by `field`: the table's key when it fits
/// both, else `name` when every element of both has a unique one, else `None` (a sequence).
pub fn choose(
    field: Option<&str>,
    old: &[Value],
    new: &[Value],
) -> Option<(Vec<String>, Vec<String>)> {
    if !old.iter().chain(new).all(Value::is_object) {
        return None;
    }
    let candidates = field.and_then(for_field).into_iter().chain([name as KeyFn]);
    for key in candidates {
        if let (Some(old_keys), Some(new_keys)) = (keys_of(old, key), keys_of(new, key)) {
            return Some((old_keys, new_keys));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ports_default_to_tcp() {
        assert_eq!(port(&json!({"containerPort": 8080})).unwrap(), "8080/TCP");
        assert_eq!(
            port(&json!({"port": 53, "protocol": "UDP"})).unwrap(),
            "53/UDP"
        );
    }

    #[test]
    fn duplicate_keys_fall_back_to_a_sequence() {
        let old = [
            json!({"name": "A", "value": "1"}),
            json!({"name": "A", "value": "2"}),
        ];
        let new = [json!({"name": "A", "value": "1"})];
        assert!(choose(Some("env"), &old, &new).is_none());
    }

    #[test]
    fn unknown_lists_of_named_objects_use_the_name() {
        let old = [json!({"name": "a"}), json!({"name": "b"})];
        let new = [json!({"name": "b"})];
        let (old_keys, new_keys) = choose(Some("widgets"), &old, &new).unwrap();
        assert_eq!(old_keys, ["a", "b"]);
        assert_eq!(new_keys, ["b"]);
    }

    /// Each list of the table is keyed by its own field: a wrong or missing key function would
    /// pair elements by position (or by a constant) instead.
    #[test]
    fn every_list_is_keyed_by_its_merge_key() {
        let cases = [
            ("containers", json!({"name": "web"}), "web"),
            ("hostAliases", json!({"ip": "10.0.0.1"}), "10.0.0.1"),
            ("volumeMounts", json!({"mountPath": "/etc/app"}), "/etc/app"),
            (
                "volumeDevices",
                json!({"devicePath": "/dev/xvda"}),
                "/dev/xvda",
            ),
            (
                "subjects",
                json!({"kind": "User", "name": "ann"}),
                "User/ann",
            ),
            (
                "subjects",
                json!({"kind": "ServiceAccount", "name": "ci", "namespace": "p"}),
                "ServiceAccount/p/ci",
            ),
            (
                "ownerReferences",
                json!({"kind": "ReplicaSet", "name": "web-5d8f"}),
                "ReplicaSet/web-5d8f",
            ),
            ("conditions", json!({"type": "Ready"}), "Ready"),
            (
                "readinessGates",
                json!({"conditionType": "www.example.com/lb"}),
                "www.example.com/lb",
            ),
            ("resizePolicy", json!({"resourceName": "cpu"}), "cpu"),
            (
                "topologySpreadConstraints",
                json!({"topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}),
                "zone/DoNotSchedule",
            ),
            ("triggers", json!({"type": "ConfigChange"}), "ConfigChange"),
            (
                "envFrom",
                json!({"configMapRef": {"name": "env"}}),
                "configMap:env",
            ),
            (
                "envFrom",
                json!({"prefix": "DB_", "secretRef": {"name": "db"}}),
                "DB_secret:db",
            ),
            ("items", json!({"key": "ca.crt"}), "ca.crt"),
            ("addresses", json!({"ip": "10.1.2.3"}), "10.1.2.3"),
            (
                "addresses",
                json!({"type": "InternalIP", "address": "10.0.0.5"}),
                "InternalIP",
            ),
            (
                "devices",
                json!({"driver": "gpu.example.com", "pool": "node-1", "device": "gpu-0"}),
                "gpu.example.com/node-1/gpu-0",
            ),
            (
                "volumeClaimTemplates",
                json!({"metadata": {"name": "data"}}),
                "data",
            ),
            (
                "x-kubernetes-validations",
                json!({"rule": "self.replicas >= 1"}),
                "self.replicas >= 1",
            ),
            (
                "rules",
                json!({"host": "shop.example.com"}),
                "shop.example.com",
            ),
            ("paths", json!({"path": "/api"}), "/api"),
        ];
        for (field, item, expected) in cases {
            let key = for_field(field).unwrap_or_else(|| panic!("no key for {field}"));
            assert_eq!(key(&item).as_deref(), Some(expected), "{field}: {item}");
        }
        // Without the key field there is no key, so the list falls back to `name` or a sequence.
        for field in [
            "volumeDevices",
            "readinessGates",
            "resizePolicy",
            "topologySpreadConstraints",
            "rules",
            "paths",
        ] {
            assert_eq!(
                for_field(field).unwrap()(&json!({"other": 1})),
                None,
                "{field}"
            );
        }
    }

    #[test]
    fn numbers_and_booleans_are_keys_too() {
        assert_eq!(name(&json!({"name": 8080})).as_deref(), Some("8080"));
        assert_eq!(name(&json!({"name": true})).as_deref(), Some("true"));
        assert_eq!(name(&json!({"name": null})), None);
        assert_eq!(name(&json!({"name": {"a": 1}})), None);
    }

    #[test]
    fn image_triggers_are_keyed_by_image() {
        let t =
            json!({"type": "ImageChange", "imageChangeParams": {"from": {"name": "web:latest"}}});
        assert_eq!(trigger(&t).unwrap(), "ImageChange/web:latest");
    }
}
