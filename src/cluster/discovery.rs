//! Discovery, one API group at a time: a broken aggregated API (metrics.k8s.io answering 503)
//! costs a warning for that group, not the whole export.

use futures::StreamExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroupList, APIResourceList};
use serde_json::Value;

use super::{Cluster, ClusterOptions, Fetch};
use crate::error::{Error, Result};
use crate::snapshot::kinds;

/// A resource type the cluster serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceType {
    /// The API group; empty for core.
    pub group: String,
    /// The group's preferred version.
    pub version: String,
    /// The resource name, e.g. `deploymentconfigs`.
    pub plural: String,
    /// The kind, e.g. `DeploymentConfig`.
    pub kind: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
}

impl ResourceType {
    /// `apps.openshift.io/v1`, or `v1` for core.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deploymentconfigs.apps.openshift.io`, or `pods` for core: how kubectl names it.
    pub fn qualified_name(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The list URL path, in `namespace` or cluster-wide.
    pub fn list_path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace {
            Some(ns) => format!("{base}/namespaces/{ns}/{}", self.plural),
            None => format!("{base}/{}", self.plural),
        }
    }
}

/// Types left out unless `--include-kind` names them: `(group, resource, why)`; `*` is any
/// resource of the group.
pub const DEFAULT_EXCLUSIONS: &[(&str, &str, &str)] = &[
    ("", "events", "events come and go"),
    ("events.k8s.io", "events", "events come and go"),
    (
        "coordination.k8s.io",
        "leases",
        "leader-election heartbeats",
    ),
    ("", "componentstatuses", "a deprecated health probe"),
    ("metrics.k8s.io", "*", "live usage figures"),
    (
        "image.openshift.io",
        "imagestreamtags",
        "virtual: a view of image streams",
    ),
    (
        "image.openshift.io",
        "imagetags",
        "virtual: a view of image streams",
    ),
    (
        "image.openshift.io",
        "imagestreamimages",
        "virtual: a view of image streams",
    ),
    (
        "project.openshift.io",
        "projects",
        "the same objects as namespaces",
    ),
    ("authorization.openshift.io", "roles", "a mirror of RBAC"),
    (
        "authorization.openshift.io",
        "rolebindings",
        "a mirror of RBAC",
    ),
    (
        "authorization.openshift.io",
        "clusterroles",
        "a mirror of RBAC",
    ),
    (
        "authorization.openshift.io",
        "clusterrolebindings",
        "a mirror of RBAC",
    ),
    (
        "quota.openshift.io",
        "appliedclusterresourcequotas",
        "a per-project view of cluster quotas",
    ),
    (
        "packages.operators.coreos.com",
        "packagemanifests",
        "catalog contents, not cluster state",
    ),
];

/// Groups whose resources are served again, under the same kind, by a newer group.
const DEPRECATED_GROUPS: &[&str] = &["extensions"];

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The types to read, ordered by group and resource.
    pub resources: Vec<ResourceType>,
    /// `/version` as the server answered it.
    pub server_version: Option<Value>,
    /// Groups that could not be discovered, one line each.
    pub warnings: Vec<String>,
}

/// Whether a word of `--include-kind`/`--exclude-kind` names this type.
fn names(word: &str, resource: &ResourceType) -> bool {
    kinds::kind_matches(word, &resource.kind, &resource.group)
        || word.eq_ignore_ascii_case(&resource.plural)
        || word.eq_ignore_ascii_case(&resource.qualified_name())
}

/// Why a type is excluded by default, if it is.
pub fn default_exclusion(resource: &ResourceType) -> Option<&'static str> {
    DEFAULT_EXCLUSIONS
        .iter()
        .find(|(group, plural, _)| {
            *group == resource.group && (*plural == "*" || *plural == resource.plural)
        })
        .map(|(_, _, why)| *why)
}

/// Walks `/version`, `/api/v1`, `/apis` and each group's preferred version.
pub async fn discover(cluster: &Cluster, options: &ClusterOptions) -> Result<Discovered> {
    let server_version = match cluster.get("/version").await {
        Fetch::Ok(body) => serde_json::from_slice(&body).ok(),
        Fetch::Failed(problem) => {
            return Err(Error::Cluster(format!(
                "cannot reach the cluster at {}: {problem}",
                cluster.url
            )));
        }
        Fetch::Unauthorized(problem) => {
            return Err(Error::Cluster(format!(
                "{}: credentials not accepted: {problem}",
                cluster.url
            )));
        }
        Fetch::Skip(_) | Fetch::Gone => None,
    };
    let mut found = Discovered {
        server_version,
        ..Discovered::default()
    };

    let mut candidates = Vec::new();
    match cluster.get_json::<APIResourceList>("/api/v1").await {
        Ok(list) => candidates.extend(resources_of("", "v1", list)),
        Err(Fetch::Unauthorized(problem)) => {
            return Err(Error::Cluster(format!(
                "{}: credentials not accepted: {problem}",
                cluster.url
            )));
        }
        Err(other) => found.warnings.push(format!(
            "core API (/api/v1) not discovered: {}",
            describe(&other)
        )),
    }

    let groups = match cluster.get_json::<APIGroupList>("/apis").await {
        Ok(groups) => groups.groups,
        Err(other) => {
            found.warnings.push(format!(
                "API groups (/apis) not discovered: {}",
                describe(&other)
            ));
            Vec::new()
        }
    };
    let targets: Vec<(String, String)> = groups
        .into_iter()
        .filter_map(|group| {
            let version = group
                .preferred_version
                .map(|v| v.version)
                .or_else(|| group.versions.first().map(|v| v.version.clone()))?;
            Some((group.name, version))
        })
        .collect();
    let mut answers = futures::stream::iter(targets)
        .map(|(group, version)| async move {
            let path = format!("/apis/{group}/{version}");
            let answer = cluster.get_json::<APIResourceList>(&path).await;
            (group, version, answer)
        })
        .buffered(options.concurrency.max(1));
    while let Some((group, version, answer)) = answers.next().await {
        match answer {
            Ok(list) => candidates.extend(resources_of(&group, &version, list)),
            Err(problem) => found.warnings.push(format!(
                "API group {group}/{version} not discovered: {}",
                describe(&problem)
            )),
        }
    }

    found.resources = select(candidates, options);
    Ok(found)
}

/// The listable, gettable top-level resources of one group version.
pub fn resources_of(group: &str, version: &str, list: APIResourceList) -> Vec<ResourceType> {
    list.resources
        .into_iter()
        .filter(|r| !r.name.contains('/'))
        .filter(|r| r.verbs.iter().any(|v| v == "list") && r.verbs.iter().any(|v| v == "get"))
        .map(|r| ResourceType {
            group: r
                .group
                .filter(|g| !g.is_empty())
                .unwrap_or_else(|| group.to_string()),
            version: r
                .version
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| version.to_string()),
            plural: r.name,
            kind: r.kind,
            namespaced: r.namespaced,
        })
        .collect()
}

/// Applies the default exclusions, `--include-kind`, `--exclude-kind`, `--no-cluster-scoped`,
/// and drops types a deprecated group serves again.
pub fn select(mut candidates: Vec<ResourceType>, options: &ClusterOptions) -> Vec<ResourceType> {
    let newer: std::collections::HashSet<(String, String)> = candidates
        .iter()
        .filter(|r| !DEPRECATED_GROUPS.contains(&r.group.as_str()))
        .map(|r| (r.kind.clone(), r.plural.clone()))
        .collect();
    candidates.retain(|r| {
        let included = options.include_kinds.iter().any(|w| names(w, r));
        let excluded = options.exclude_kinds.iter().any(|w| names(w, r));
        let superseded = DEPRECATED_GROUPS.contains(&r.group.as_str())
            && newer.contains(&(r.kind.clone(), r.plural.clone()));
        (included || default_exclusion(r).is_none())
            && !excluded
            && !superseded
            && (r.namespaced || options.cluster_scoped)
    });
    candidates.sort_by(|a, b| (&a.group, &a.plural).cmp(&(&b.group, &b.plural)));
    candidates.dedup_by(|a, b| a.group == b.group && a.plural == b.plural);
    candidates
}

/// Namespaces to read: `-n`, else every one the account can list (on OpenShift a non-admin
/// account lists its projects through the projects API).
pub async fn namespaces(cluster: &Cluster, options: &ClusterOptions) -> Result<Vec<String>> {
    if !options.namespaces.is_empty() {
        let mut named = options.namespaces.clone();
        named.sort();
        named.dedup();
        return Ok(named);
    }
    let names_of = |list: Value| -> Vec<String> {
        let mut names: Vec<String> = list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| {
                item.pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .map(String::from)
            })
            .collect();
        names.sort();
        names
    };
    match cluster.get_json::<Value>("/api/v1/namespaces").await {
        Ok(list) => return Ok(names_of(list)),
        Err(Fetch::Unauthorized(problem)) => {
            return Err(Error::Cluster(format!(
                "{}: credentials not accepted: {problem}",
                cluster.url
            )));
        }
        Err(_) => {}
    }
    match cluster
        .get_json::<Value>("/apis/project.openshift.io/v1/projects")
        .await
    {
        Ok(list) => Ok(names_of(list)),
        Err(problem) => Err(Error::Cluster(format!(
            "{}: cannot list namespaces or projects ({}); name them with -n",
            cluster.url,
            describe(&problem)
        ))),
    }
}

/// A fetch outcome in words.
pub fn describe(fetch: &Fetch) -> String {
    match fetch {
        Fetch::Ok(_) => "ok".into(),
        Fetch::Skip(reason) | Fetch::Failed(reason) | Fetch::Unauthorized(reason) => reason.clone(),
        Fetch::Gone => "410 Gone".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(group: &str, plural: &str, kind: &str, namespaced: bool) -> ResourceType {
        ResourceType {
            group: group.into(),
            version: "v1".into(),
            plural: plural.into(),
            kind: kind.into(),
            namespaced,
        }
    }

    #[test]
    fn defaults_exclude_noise_and_mirrors() {
        let candidates = vec![
            rt("", "pods", "Pod", true),
            rt("", "events", "Event", true),
            rt("metrics.k8s.io", "pods", "PodMetrics", true),
            rt(
                "authorization.openshift.io",
                "rolebindings",
                "RoleBinding",
                true,
            ),
            rt(
                "rbac.authorization.k8s.io",
                "rolebindings",
                "RoleBinding",
                true,
            ),
            rt(
                "image.openshift.io",
                "imagestreamtags",
                "ImageStreamTag",
                true,
            ),
            rt("", "namespaces", "Namespace", false),
        ];
        let selected = select(candidates.clone(), &ClusterOptions::new());
        let names: Vec<String> = selected.iter().map(ResourceType::qualified_name).collect();
        assert_eq!(
            names,
            [
                "namespaces",
                "pods",
                "rolebindings.rbac.authorization.k8s.io"
            ]
        );

        let options = ClusterOptions {
            include_kinds: vec!["events".into(), "istag".into()],
            exclude_kinds: vec!["pods".into()],
            cluster_scoped: false,
            ..ClusterOptions::new()
        };
        let names: Vec<String> = select(candidates, &options)
            .iter()
            .map(ResourceType::qualified_name)
            .collect();
        assert_eq!(
            names,
            [
                "events",
                "imagestreamtags.image.openshift.io",
                "rolebindings.rbac.authorization.k8s.io"
            ]
        );
    }

    #[test]
    fn deprecated_groups_give_way() {
        let candidates = vec![
            rt("extensions", "deployments", "Deployment", true),
            rt("apps", "deployments", "Deployment", true),
            rt(
                "extensions",
                "podsecuritypolicies",
                "PodSecurityPolicy",
                false,
            ),
        ];
        let names: Vec<String> = select(candidates, &ClusterOptions::new())
            .iter()
            .map(ResourceType::qualified_name)
            .collect();
        assert_eq!(
            names,
            ["deployments.apps", "podsecuritypolicies.extensions"]
        );
    }

    #[test]
    fn paths() {
        let dc = rt(
            "apps.openshift.io",
            "deploymentconfigs",
            "DeploymentConfig",
            true,
        );
        assert_eq!(
            dc.list_path(Some("p")),
            "/apis/apps.openshift.io/v1/namespaces/p/deploymentconfigs"
        );
        assert_eq!(
            rt("", "nodes", "Node", false).list_path(None),
            "/api/v1/nodes"
        );
    }
}
