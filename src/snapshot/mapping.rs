//! Comparing two environments: objects of namespace OLD on one side compared with those of NEW on
//! the other (`--map-namespace shop-staging=shop-prod`). The old side is rewritten as if it had
//! lived in NEW: its identity, `metadata.namespace`, fields named `namespace` that name OLD
//! (RoleBinding subjects, backend references), in-cluster host names `*.OLD.svc` in any string, and
//! the Namespace object itself with its `kubernetes.io/metadata.name` label. What still differs
//! after that is what really differs between the environments.

use serde_json::Value;

use super::{ObjectKey, Snapshot, StoredObject};

/// Rewrites `snapshot` so that each `(old, new)` namespace of `map` reads as `new`.
pub fn map_namespaces(snapshot: &mut Snapshot, map: &[(String, String)]) {
    if map.is_empty() {
        return;
    }
    let objects = std::mem::take(&mut snapshot.objects);
    for (mut key, mut stored) in objects {
        let mut value = stored.value();
        let mut touched = false;
        for (old, new) in map {
            if key.namespace == *old {
                key.namespace = new.clone();
                touched = true;
            }
            if is_namespace_object(&key, old) {
                key.name = new.clone();
                if let Some(metadata) = value.get_mut("metadata").and_then(Value::as_object_mut) {
                    metadata.insert("name".into(), Value::String(new.clone()));
                }
                touched = true;
            }
            touched |= rewrite(&mut value, None, old, new);
        }
        if touched {
            stored = StoredObject {
                body: serde_json::to_string(&value)
                    .expect("a serde_json Value always serialises")
                    .into_boxed_str(),
                ..stored
            };
        }
        snapshot.objects.insert(key, stored);
    }
}

fn is_namespace_object(key: &ObjectKey, name: &str) -> bool {
    key.kind == "Namespace" && key.group.is_empty() && key.name == name
}

/// Replaces, below `value` (the value of the field `field`), a `namespace` field (or the
/// `kubernetes.io/metadata.name` label) equal to `old`, and `.old.svc` inside strings. Returns
/// whether anything changed.
fn rewrite(value: &mut Value, field: Option<&str>, old: &str, new: &str) -> bool {
    match value {
        Value::String(text) => {
            let names_namespace =
                matches!(field, Some("namespace" | "kubernetes.io/metadata.name"));
            if names_namespace && text == old {
                *text = new.to_string();
                return true;
            }
            let host = format!(".{old}.svc");
            if text.contains(&host) {
                *text = text.replace(&host, &format!(".{new}.svc"));
                return true;
            }
            false
        }
        Value::Array(items) => items.iter_mut().fold(false, |changed, item| {
            rewrite(item, field, old, new) | changed
        }),
        Value::Object(map) => map.iter_mut().fold(false, |changed, (key, item)| {
            rewrite(item, Some(key), old, new) | changed
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::{
        DuplicateRule, FileOrigin, ObjectFilter, SnapshotBuilder, SourceFormat, SourceInfo,
    };
    use serde_json::json;

    fn snapshot(objects: Vec<Value>) -> Snapshot {
        let mut builder = SnapshotBuilder::new(ObjectFilter::default());
        let origin = FileOrigin {
            path: "x.yaml".into(),
            display: "x.yaml".into(),
            folder_namespace: None,
            duplicates: DuplicateRule::Report,
        };
        builder.add_documents(objects, &origin);
        builder.finish(SourceInfo {
            label: "x".into(),
            format: SourceFormat::File,
            taken: None,
            completeness: None,
        })
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
}
