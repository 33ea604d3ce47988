//! The facts of RBAC: a role's rules (as sets), its aggregation; a binding's role and subjects,
//! in RBAC v1's form and OpenShift 3's alike.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Facts, canonical, items, label_pointer, labels, str_field};

impl Facts {
    pub(super) fn role(&mut self, object: &Value) {
        // An aggregated ClusterRole's rules are the aggregation controller's copy of the rules of
        // the roles it selects (it rewrites them at once): what grants is its aggregationRule
        // and those roles' rules and aggregate-to labels, each a fact of its own object.
        if object.get("aggregationRule").is_none() {
            for (_, rule) in items(object, "rules") {
                self.add(format!("rule: {}", canonical_rule(rule)), "/rules".into());
            }
        }
        if let Some(aggregation) = object.get("aggregationRule") {
            self.add(
                format!("aggregationRule: {}", canonical(aggregation)),
                "/aggregationRule".into(),
            );
        }
        for (label, value) in labels(object) {
            if label.starts_with("rbac.authorization.k8s.io/aggregate-to-") {
                self.add(
                    format!("metadata.labels[{label:?}]: {value}"),
                    label_pointer(&label),
                );
            }
        }
    }

    pub(super) fn binding(&mut self, object: &Value) {
        let namespace = object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let anchors = ["/roleRef", "/subjects", "/userNames", "/groupNames"];
        let mut add = |what: String| {
            for at in anchors {
                self.add(what.clone(), at.into());
            }
        };
        if let Some((kind, name)) = role_ref(object) {
            add(format!("roleRef: {kind}/{name}"));
        }
        for subject in subjects(object, namespace) {
            add(format!("subject: {subject}"));
        }
    }
}

/// `(kind, name)` of the role a binding grants. OpenShift 3 wrote no `kind` and named the role's
/// namespace for a Role; without a namespace it meant a ClusterRole.
pub fn role_ref(object: &Value) -> Option<(String, String)> {
    let role = object.get("roleRef")?;
    let name = role.get("name")?.as_str()?.to_string();
    let kind = match role.get("kind").and_then(Value::as_str) {
        Some(kind) => kind.to_string(),
        None if role
            .get("namespace")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty()) =>
        {
            "Role".to_string()
        }
        None => "ClusterRole".to_string(),
    };
    Some((kind, name))
}

/// A binding's subjects as `Kind namespace/name` (service accounts) or `Kind name`, from RBAC
/// v1's `subjects` and OpenShift 3's `userNames` and `groupNames` alike.
pub fn subjects(object: &Value, binding_namespace: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (_, subject) in items(object, "subjects") {
        let kind = match str_field(subject, "kind") {
            "SystemUser" => "User",
            "SystemGroup" => "Group",
            other => other,
        };
        let name = str_field(subject, "name");
        if kind == "ServiceAccount" {
            let namespace = subject
                .get("namespace")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .unwrap_or(binding_namespace);
            found.insert(format!("ServiceAccount {namespace}/{name}"));
        } else {
            found.insert(format!("{kind} {name}"));
        }
    }
    for (field, kind) in [("userNames", "User"), ("groupNames", "Group")] {
        for (_, name) in items(object, field) {
            let name = name.as_str().unwrap_or_default();
            // OpenShift 3 listed service accounts among the users.
            match name
                .strip_prefix("system:serviceaccount:")
                .and_then(|r| r.split_once(':'))
            {
                Some((namespace, account)) => {
                    found.insert(format!("ServiceAccount {namespace}/{account}"))
                }
                None => found.insert(format!("{kind} {name}")),
            };
        }
    }
    found
}

/// A rule as a set: the order of groups, resources and verbs means nothing.
fn canonical_rule(rule: &Value) -> String {
    let mut parts = Vec::new();
    for field in [
        "apiGroups",
        "resources",
        "resourceNames",
        "nonResourceURLs",
        "verbs",
    ] {
        let mut values: Vec<String> = items(rule, field)
            .map(|(_, v)| {
                v.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect();
        values.sort();
        values.dedup();
        if !values.is_empty() {
            parts.push(format!("{field}={}", values.join(",")));
        }
    }
    parts.join(" ")
}
