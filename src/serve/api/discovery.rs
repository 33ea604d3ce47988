//! Discovery: which groups, versions and resources the server has, in the shape a real API
//! server gives them. Built-in kinds come from the kinds table (with kubectl's short names) and
//! the `all` category below; custom resources from their CustomResourceDefinitions in the
//! snapshot, served even when the snapshot holds none of their objects.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::schema::crd::Crd;
use crate::snapshot::kinds;

/// Kinds in kubectl's (and oc's) `all` category.
const CATEGORY_ALL: &[&str] = &[
    "Pod",
    "Service",
    "ReplicationController",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "HorizontalPodAutoscaler",
    "DeploymentConfig",
    "BuildConfig",
    "Build",
    "ImageStream",
    "Route",
];

/// One resource type.
#[derive(Debug)]
pub(super) struct Resource {
    pub(super) kind: String,
    pub(super) namespaced: bool,
    pub(super) singular: String,
    pub(super) short: Vec<String>,
    pub(super) categories: Vec<String>,
    /// The versions it is served in; `None`: every version of its group.
    pub(super) versions: Option<BTreeSet<String>>,
}

impl Resource {
    /// A resource of a kind the kinds table does not know, seen in the snapshot.
    pub(super) fn seen(kind: &str, namespaced: bool) -> Resource {
        Resource {
            kind: kind.to_string(),
            namespaced,
            singular: kind.to_ascii_lowercase(),
            short: Vec::new(),
            categories: Vec::new(),
            versions: None,
        }
    }

    /// Whether it is served in `version` of its group.
    pub(super) fn served_in(&self, version: &str) -> bool {
        self.versions.as_ref().is_none_or(|v| v.contains(version))
    }
}

#[derive(Debug, Default)]
pub(super) struct Group {
    pub(super) versions: BTreeSet<String>,
    pub(super) resources: BTreeMap<String, Resource>,
}

impl Group {
    /// The versions, most preferred first (GA before beta before alpha, higher first).
    pub(super) fn ordered_versions(&self) -> Vec<String> {
        let mut versions: Vec<String> = self.versions.iter().cloned().collect();
        versions.sort_by_key(|v| std::cmp::Reverse(version_rank(v)));
        versions
    }

    pub(super) fn preferred(&self) -> String {
        self.ordered_versions()
            .into_iter()
            .next()
            .unwrap_or_else(|| "v1".into())
    }
}

/// Kubernetes version priority: `v2` > `v1` > `v1beta2` > `v1beta1` > `v1alpha1`.
pub(super) fn version_rank(version: &str) -> (u32, u32, u32) {
    let Some(rest) = version.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (stability, minor) = if tail.is_empty() {
        (3, 0)
    } else if let Some(n) = tail.strip_prefix("beta") {
        (2, n.parse().unwrap_or(0))
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n.parse().unwrap_or(0))
    } else {
        (0, 0)
    };
    (stability, major, minor)
}

/// Every well-known type, empty or not, as a real cluster would serve it; then every type the
/// snapshot's definitions define, in their served versions.
pub(super) fn built_in_and_defined<'a>(
    crds: impl Iterator<Item = &'a Crd>,
) -> BTreeMap<String, Group> {
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for info in kinds::KINDS {
        let group = groups.entry(info.group.to_string()).or_default();
        let mut resource = Resource::seen(info.kind, info.namespaced);
        resource.short = info.short.iter().map(|s| s.to_string()).collect();
        if CATEGORY_ALL.contains(&info.kind) {
            resource.categories.push("all".into());
        }
        group.resources.insert(info.plural.to_string(), resource);
    }
    for crd in crds {
        let served: BTreeSet<String> = crd
            .versions
            .iter()
            .filter(|v| v.served)
            .map(|v| v.name.clone())
            .collect();
        if served.is_empty() {
            continue;
        }
        let group = groups.entry(crd.group.clone()).or_default();
        group.versions.extend(served.iter().cloned());
        group.resources.insert(
            crd.names.plural.clone(),
            Resource {
                kind: crd.names.kind.clone(),
                namespaced: crd.namespaced,
                singular: crd.names.singular.clone(),
                short: crd.names.short_names.clone(),
                categories: crd.names.categories.clone(),
                versions: Some(served),
            },
        );
    }
    groups
}

/// The `APIResourceList` of `group_name/version`.
pub(super) fn resource_list(group_name: &str, version: &str, group: &Group) -> String {
    let resources: Vec<Value> = group
        .resources
        .iter()
        .filter(|(_, r)| r.served_in(version))
        .map(|(plural, r)| {
            let mut doc = json!({
                "name": plural,
                "singularName": r.singular,
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": ["get", "list", "watch"],
            });
            if !r.short.is_empty() {
                doc["shortNames"] = json!(r.short);
            }
            if !r.categories.is_empty() {
                doc["categories"] = json!(r.categories);
            }
            doc
        })
        .collect();
    let group_version = if group_name.is_empty() {
        version.to_string()
    } else {
        format!("{group_name}/{version}")
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}).to_string()
}

/// The `APIGroup` document of `name`.
pub(super) fn group_document(name: &str, group: &Group) -> Value {
    let versions: Vec<Value> = group
        .ordered_versions()
        .iter()
        .map(|v| json!({"groupVersion": format!("{name}/{v}"), "version": v}))
        .collect();
    let preferred = group.preferred();
    json!({"kind": "APIGroup", "apiVersion": "v1", "name": name, "versions": versions,
           "preferredVersion": {"groupVersion": format!("{name}/{preferred}"), "version": preferred}})
}
