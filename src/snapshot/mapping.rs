//! Comparing two environments: objects of namespace OLD on one side compared with those of NEW on
//! the other (`--map-namespace shop-staging=shop-prod`). The old side is rewritten as if it had
//! lived in NEW: its identity, `metadata.namespace`, fields named `namespace` that name OLD
//! (RoleBinding subjects, backend references), in-cluster host names `*.OLD.svc` (and
//! `*.OLD.svc.cluster.local`) in any string, service account user and group names
//! (`system:serviceaccount:OLD:ci`, `system:serviceaccounts:OLD`), and the Namespace object
//! itself with its `kubernetes.io/metadata.name` label. What still differs after that is what
//! really differs between the environments.
//!
//! Each string is rewritten once, by the first pair that names it: `a=b` and `b=a` swap the two
//! namespaces instead of mapping `a` back onto itself.

use serde_json::Value;

use super::Snapshot;

/// Rewrites `snapshot` so that each `(old, new)` namespace of `map` reads as `new`, and records
/// the map in its source info for the reports.
pub fn map_namespaces(snapshot: &mut Snapshot, map: &[(String, String)]) {
    if map.is_empty() {
        return;
    }
    snapshot.info.namespace_map = map.to_vec();
    let objects = std::mem::take(&mut snapshot.objects);
    for (mut key, mut stored) in objects {
        let mut value = stored.value();
        let mut touched = false;
        if let Some(new) = mapped(map, &key.namespace) {
            key.namespace = new.to_string();
            touched = true;
        }
        if key.kind == "Namespace"
            && key.group.is_empty()
            && let Some(new) = mapped(map, &key.name)
        {
            key.name = new.to_string();
            if let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) {
                metadata.insert("name".into(), Value::String(new.to_string()));
            }
            touched = true;
        }
        touched |= rewrite(&mut value, None, map);
        if touched {
            stored = stored.with_body(
                serde_json::to_string(&value).expect("a serde_json Value always serialises"),
            );
        }
        snapshot.objects.insert(key, stored);
    }
}

/// The namespace `namespace` is mapped to, if any.
fn mapped<'a>(map: &'a [(String, String)], namespace: &str) -> Option<&'a str> {
    map.iter()
        .find(|(old, _)| old == namespace)
        .map(|(_, new)| new.as_str())
}

/// Replaces, below `value` (the value of the field `field`), a `namespace` field (or the
/// `kubernetes.io/metadata.name` label) that names a mapped namespace, and the references inside
/// strings ([`rewrite_text`]). Returns whether anything changed.
fn rewrite(value: &mut Value, field: Option<&str>, map: &[(String, String)]) -> bool {
    match value {
        Value::String(text) => {
            let names_namespace =
                matches!(field, Some("namespace" | "kubernetes.io/metadata.name"));
            if names_namespace && let Some(new) = mapped(map, text) {
                *text = new.to_string();
                return true;
            }
            match rewrite_text(text, map) {
                Some(rewritten) => {
                    *text = rewritten;
                    true
                }
                None => false,
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, item| rewrite(item, field, map) | changed),
        Value::Object(object) => object.iter_mut().fold(false, |changed, (key, item)| {
            rewrite(item, Some(key), map) | changed
        }),
        _ => false,
    }
}

/// `text` with the namespaces it references mapped, or `None` when it references none: host names
/// `NAME.OLD.svc…` anywhere in it, and the whole of `system:serviceaccount:OLD:NAME` or
/// `system:serviceaccounts:OLD`. A namespace's name in free text is data, not a reference.
fn rewrite_text(text: &str, map: &[(String, String)]) -> Option<String> {
    for prefix in ["system:serviceaccount:", "system:serviceaccounts:"] {
        if let Some(rest) = text.strip_prefix(prefix) {
            let (namespace, name) = match rest.split_once(':') {
                Some((namespace, name)) if prefix.ends_with("account:") => (namespace, Some(name)),
                None if prefix.ends_with("accounts:") => (rest, None),
                _ => continue,
            };
            let new = mapped(map, namespace)?;
            return Some(match name {
                Some(name) => format!("{prefix}{new}:{name}"),
                None => format!("{prefix}{new}"),
            });
        }
    }
    if !text.contains(".svc") {
        return None;
    }
    // One pass over the text: at each `.`, the first pair whose `.OLD.svc` starts there (and is
    // not followed by more of a DNS label, as in `.OLD.svcx`) is replaced.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut changed = false;
    while let Some(dot) = rest.find('.') {
        out.push_str(&rest[..dot]);
        let at = &rest[dot..];
        let hit = map.iter().find_map(|(old, new)| {
            let tail = at
                .strip_prefix('.')?
                .strip_prefix(old.as_str())?
                .strip_prefix(".svc")?;
            let label_goes_on = tail
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '-');
            (!label_goes_on).then(|| (old.len() + 1, new))
        });
        match hit {
            Some((skip, new)) => {
                out.push('.');
                out.push_str(new);
                rest = &at[skip..];
                changed = true;
            }
            None => {
                out.push('.');
                rest = &at[1..];
            }
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn snapshot(objects: Vec<Value>) -> Snapshot {
        Snapshot::of(objects)
    }

    #[test]
    fn staging_reads_as_production() {
        let mut staging = snapshot(vec![
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop-staging",
                "labels": {"kubernetes.io/metadata.name": "shop-staging"}}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app", "namespace": "shop-staging"},
                "data": {"DB_URL": "postgres://db.shop-staging.svc:5432/app", "NOTE": "shop-staging"}}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": "deployer", "namespace": "shop-staging"},
                "subjects": [{"kind": "ServiceAccount", "name": "ci", "namespace": "shop-staging"}],
                "roleRef": {"kind": "ClusterRole", "name": "edit", "apiGroup": "rbac.authorization.k8s.io"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other", "namespace": "tools"}}),
        ]);
        map_namespaces(&mut staging, &[("shop-staging".into(), "shop-prod".into())]);
        let names: Vec<String> = staging.iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(
            names,
            [
                "Namespace shop-prod",
                "ConfigMap shop-prod/app",
                "RoleBinding shop-prod/deployer",
                "ConfigMap tools/other"
            ]
        );
        let object = |kind: &str, ns: &str, name: &str| {
            staging
                .iter()
                .find(|(k, _)| k.kind == kind && k.namespace == ns && k.name == name)
                .unwrap()
                .1
                .value()
        };
        let config = object("ConfigMap", "shop-prod", "app");
        assert_eq!(config["metadata"]["namespace"], "shop-prod");
        assert_eq!(
            config["data"]["DB_URL"],
            "postgres://db.shop-prod.svc:5432/app"
        );
        // Free text that merely mentions the name is data, not a reference.
        assert_eq!(config["data"]["NOTE"], "shop-staging");
        let binding = object("RoleBinding", "shop-prod", "deployer");
        assert_eq!(binding["subjects"][0]["namespace"], "shop-prod");
        let namespace = object("Namespace", "", "shop-prod");
        assert_eq!(
            namespace["metadata"]["labels"]["kubernetes.io/metadata.name"],
            "shop-prod"
        );
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(o, n)| (o.to_string(), n.to_string()))
            .collect()
    }

    #[test]
    fn host_names_and_service_accounts_in_strings() {
        let map = pairs(&[("shop-staging", "shop-prod"), ("shop", "store")]);
        let cases = [
            (
                "http://api.shop-staging.svc:8080",
                Some("http://api.shop-prod.svc:8080"),
            ),
            (
                "db.shop-staging.svc.cluster.local,cache.shop.svc",
                Some("db.shop-prod.svc.cluster.local,cache.store.svc"),
            ),
            ("api.shop-staging.svc", Some("api.shop-prod.svc")),
            // Not a host name of the namespace: another label, or the label goes on.
            ("api.old-shop.svc", None),
            ("api.shop-staging.svcx", None),
            ("api.shop-staging:8080", None),
            (
                "system:serviceaccount:shop-staging:ci",
                Some("system:serviceaccount:shop-prod:ci"),
            ),
            (
                "system:serviceaccounts:shop",
                Some("system:serviceaccounts:store"),
            ),
            ("system:serviceaccounts:tools", None),
            ("shop-staging", None),
        ];
        for (text, expected) in cases {
            assert_eq!(rewrite_text(text, &map).as_deref(), expected, "{text}");
        }
    }

    #[test]
    fn two_namespaces_swap_instead_of_mapping_back() {
        let mut old = snapshot(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "a"},
                "data": {"URL": "http://api.a.svc", "OTHER": "http://api.b.svc"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "y", "namespace": "b"}}),
        ]);
        map_namespaces(&mut old, &pairs(&[("a", "b"), ("b", "a")]));
        let names: Vec<String> = old.iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(names, ["ConfigMap a/y", "ConfigMap b/x"]);
        let (_, x) = old.iter().find(|(k, _)| k.name == "x").unwrap();
        let x = x.value();
        assert_eq!(x["metadata"]["namespace"], "b");
        assert_eq!(x["data"]["URL"], "http://api.b.svc");
        assert_eq!(x["data"]["OTHER"], "http://api.a.svc");
        assert_eq!(old.info.namespace_map, pairs(&[("a", "b"), ("b", "a")]));
    }
}
