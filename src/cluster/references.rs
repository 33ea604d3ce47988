//! The cluster-scoped objects a set of namespaces refers to, for `export -n`: a project's backup
//! needs the PersistentVolumes its claims are bound to, not every node and user of the cluster.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The cluster-scoped kinds, as `(group, kind)`, that namespaced objects refer to by name.
pub const KINDS: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "PersistentVolume"),
    ("storage.k8s.io", "StorageClass"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
];

/// Names of cluster-scoped objects referred to, by `(group, kind)`.
#[derive(Clone, Debug, Default)]
pub struct Referenced(BTreeMap<(String, String), BTreeSet<String>>);

impl Referenced {
    /// Referred to from the namespaces themselves: their Namespace objects.
    pub fn namespaces(names: &[String]) -> Referenced {
        let mut found = Referenced::default();
        for name in names {
            found.add("", "Namespace", name);
        }
        found
    }

    fn add(&mut self, group: &str, kind: &str, name: &str) {
        if !name.is_empty() {
            self.0
                .entry((group.to_string(), kind.to_string()))
                .or_default()
                .insert(name.to_string());
        }
    }

    /// Notes what one namespaced object of `kind` refers to.
    pub fn note(&mut self, kind: &str, object: &Value) {
        let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
        match kind {
            "PersistentVolumeClaim" => {
                if let Some(volume) = text("/spec/volumeName") {
                    self.add("", "PersistentVolume", volume);
                }
                if let Some(class) = text("/spec/storageClassName") {
                    self.add("storage.k8s.io", "StorageClass", class);
                }
            }
            "RoleBinding" => {
                if text("/roleRef/kind") == Some("ClusterRole")
                    && let Some(role) = text("/roleRef/name")
                {
                    self.add("rbac.authorization.k8s.io", "ClusterRole", role);
                }
            }
            "Pod" => {
                if let Some(class) = text("/spec/priorityClassName") {
                    self.add("scheduling.k8s.io", "PriorityClass", class);
                }
            }
            _ => {}
        }
    }

    /// Notes that objects of a custom resource type (`plural` of `group`) were read: its
    /// CustomResourceDefinition says how to compare them, so the archive keeps it.
    pub fn note_custom(&mut self, plural: &str, group: &str) {
        let definition = format!("{plural}.{group}");
        self.add(
            "apiextensions.k8s.io",
            "CustomResourceDefinition",
            &definition,
        );
    }

    /// Whether the object `name` of `group`/`kind` is referred to.
    pub fn contains(&self, group: &str, kind: &str, name: &str) -> bool {
        self.0
            .get(&(group.to_string(), kind.to_string()))
            .is_some_and(|names| names.contains(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_bindings_and_pods_name_what_they_use() {
        let mut found = Referenced::namespaces(&["shop".into()]);
        found.note(
            "PersistentVolumeClaim",
            &json!({"spec": {"volumeName": "pvc-1", "storageClassName": "fast"}}),
        );
        found.note(
            "RoleBinding",
            &json!({"roleRef": {"kind": "ClusterRole", "name": "view"}}),
        );
        found.note(
            "RoleBinding",
            &json!({"roleRef": {"kind": "Role", "name": "local"}}),
        );
        found.note("Pod", &json!({"spec": {"priorityClassName": "high"}}));
        assert!(found.contains("", "Namespace", "shop"));
        assert!(found.contains("", "PersistentVolume", "pvc-1"));
        assert!(found.contains("storage.k8s.io", "StorageClass", "fast"));
        assert!(found.contains("rbac.authorization.k8s.io", "ClusterRole", "view"));
        assert!(!found.contains("rbac.authorization.k8s.io", "ClusterRole", "local"));
        assert!(found.contains("scheduling.k8s.io", "PriorityClass", "high"));
        assert!(!found.contains("", "Namespace", "other"));
    }
}
