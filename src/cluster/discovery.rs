//! Discovery, one API group at a time: a broken aggregated API (metrics.k8s.io answering 503)
//! costs a warning for that group, not the whole export.

use futures::StreamExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroupList, APIResourceList};
use serde_json::Value;

use super::{Cluster, ClusterOptions, Fetch, names};
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

    /// Whether every name of the type follows Kubernetes' rules, so that it may become part of a
    /// URL path or an archive entry name.
    pub fn has_valid_names(&self) -> bool {
        (self.group.is_empty() || names::is_dns1123_subdomain(&self.group))
            && names::is_dns1123_label(&self.version)
            && names::is_dns1123_label(&self.plural)
            && names::is_kind(&self.kind)
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

/// Something discovery could not read, whose types may therefore be missing from what is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// What is missing: `API group apps.openshift.io/v1`, `namespace shop`.
    pub what: String,
    /// Why.
    pub reason: String,
    /// Which objects may be missing because of it.
    pub scope: GapScope,
}

/// The objects a [`Gap`] may have cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GapScope {
    /// Those of one API group.
    Group(String),
    /// Those of every API group but the core one (`/apis` failed).
    AllGroups,
    /// Those of one namespace.
    Namespace(String),
    /// Nothing that can be named by group or namespace (a type the server misnamed).
    Unnamed,
}

impl GapScope {
    /// Whether an object of `group` in `namespace` may be missing.
    pub fn covers(&self, group: &str, namespace: &str) -> bool {
        match self {
            GapScope::Group(g) => g == group,
            GapScope::AllGroups => !group.is_empty(),
            GapScope::Namespace(ns) => ns == namespace,
            GapScope::Unnamed => false,
        }
    }
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.reason)
    }
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The types to read, ordered by group and resource.
    pub resources: Vec<ResourceType>,
    /// `/version` as the server answered it.
    pub server_version: Option<Value>,
    /// Groups that could not be discovered: what is read is not complete.
    pub gaps: Vec<Gap>,
    /// Problems that lose nothing (a group whose types are all excluded by default).
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

/// Whether every type of `group` is excluded by default and none is asked for: its discovery
/// failing loses nothing (metrics.k8s.io answering 503 when its server is down).
fn group_wholly_excluded(group: &str, options: &ClusterOptions) -> bool {
    DEFAULT_EXCLUSIONS
        .iter()
        .any(|(excluded, plural, _)| *excluded == group && *plural == "*")
        && options.include_kinds.is_empty()
}

/// The error for credentials the server does not accept.
pub fn unauthorized(cluster: &Cluster, problem: &str) -> Error {
    Error::Cluster(format!(
        "{}: credentials not accepted: {problem}",
        cluster.url
    ))
}

/// Walks `/version`, `/api/v1`, `/apis` and each group's preferred version.
///
/// The core API must be discovered: a URL whose `/api/v1` is not a Kubernetes resource list is
/// not an API server, and nothing read from it could be trusted. A group that cannot be
/// discovered is a [`Gap`].
pub async fn discover(cluster: &Cluster, options: &ClusterOptions) -> Result<Discovered> {
    let server_version = match cluster.get("/version").await {
        Fetch::Ok(body) => serde_json::from_slice(&body).ok(),
        Fetch::Unauthorized(problem) => return Err(unauthorized(cluster, &problem)),
        Fetch::Failed(problem) => {
            return Err(Error::Cluster(format!(
                "cannot reach the cluster at {}: {problem}",
                cluster.url
            )));
        }
        _ => None,
    };
    let mut found = Discovered {
        server_version,
        ..Discovered::default()
    };
    let mut candidates = core_resources(cluster).await?;

    let groups = match cluster.get_json::<APIGroupList>("/apis").await {
        Ok(groups) => groups.groups,
        Err(Fetch::Unauthorized(problem)) => return Err(unauthorized(cluster, &problem)),
        Err(other) => {
            found.gaps.push(Gap {
                what: "API groups (/apis)".into(),
                reason: describe(&other),
                scope: GapScope::AllGroups,
            });
            Vec::new()
        }
    };
    let mut targets: Vec<(String, String)> = Vec::new();
    for group in groups {
        let version = group
            .preferred_version
            .map(|v| v.version)
            .or_else(|| group.versions.first().map(|v| v.version.clone()));
        match version {
            Some(version)
                if names::is_dns1123_subdomain(&group.name)
                    && names::is_dns1123_label(&version) =>
            {
                targets.push((group.name, version))
            }
            _ => found.gaps.push(Gap {
                what: format!("API group {:?}", group.name),
                reason: "the server sent an invalid group or version name; skipped".into(),
                scope: GapScope::Unnamed,
            }),
        }
    }
    let mut answers = futures::stream::iter(targets)
        .map(|(group, version)| async move {
            let path = format!("/apis/{group}/{version}");
            let answer = cluster.get_json::<APIResourceList>(&path).await;
            (group, version, answer)
        })
        .buffered(options.concurrency.max(1));
    while let Some((group, version, answer)) = answers.next().await {
        match answer {
            Ok(list) => candidates.extend(resources_of(&group, &version, list, &mut found.gaps)),
            Err(Fetch::Unauthorized(problem)) => return Err(unauthorized(cluster, &problem)),
            Err(problem) if group_wholly_excluded(&group, options) => found.warnings.push(format!(
                "API group {group}/{version} not discovered: {} (its types are not exported by default)",
                describe(&problem)
            )),
            Err(problem) => found.gaps.push(Gap {
                what: format!("API group {group}/{version}"),
                reason: format!("not discovered: {}", describe(&problem)),
                scope: GapScope::Group(group),
            }),
        }
    }

    found.resources = select(candidates, options);
    Ok(found)
}

/// The core API's types; an error when there is none, since then this is no API server.
async fn core_resources(cluster: &Cluster) -> Result<Vec<ResourceType>> {
    let problem = match cluster.get_json::<APIResourceList>("/api/v1").await {
        Ok(list) if list.group_version == "v1" => {
            let mut gaps = Vec::new();
            let resources = resources_of("", "v1", list, &mut gaps);
            if let Some(gap) = gaps.first() {
                return Err(Error::Cluster(format!(
                    "{}: the core API (/api/v1) lists {gap}",
                    cluster.url
                )));
            }
            return Ok(resources);
        }
        Ok(list) => format!(
            "it answered for group version {:?}, not v1",
            list.group_version
        ),
        Err(Fetch::Unauthorized(problem)) => return Err(unauthorized(cluster, &problem)),
        Err(other) => describe(&other),
    };
    Err(Error::Cluster(format!(
        "{}: no Kubernetes API found: the core API (/api/v1) could not be discovered: {problem}",
        cluster.url
    )))
}

/// The listable, gettable top-level resources of one group version; resources whose names the
/// server spelt against Kubernetes' rules become gaps.
pub fn resources_of(
    group: &str,
    version: &str,
    list: APIResourceList,
    gaps: &mut Vec<Gap>,
) -> Vec<ResourceType> {
    let mut resources = Vec::new();
    for r in list.resources {
        if r.name.contains('/')
            || !(r.verbs.iter().any(|v| v == "list") && r.verbs.iter().any(|v| v == "get"))
        {
            continue;
        }
        let resource = ResourceType {
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
        };
        if resource.has_valid_names() {
            resources.push(resource);
        } else {
            gaps.push(Gap {
                what: format!("resource {:?} of {group}/{version}", resource.plural),
                reason: format!(
                    "invalid name (kind {:?}) from the server; skipped",
                    resource.kind
                ),
                scope: GapScope::Unnamed,
            });
        }
    }
    resources
}

/// Applies the default exclusions, `--include-kind`, `--exclude-kind`, the cluster-scoped choice,
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
            && (r.namespaced || options.cluster_scoped.includes(&r.group, &r.kind))
    });
    candidates.sort_by(|a, b| (&a.group, &a.plural).cmp(&(&b.group, &b.plural)));
    candidates.dedup_by(|a, b| a.group == b.group && a.plural == b.plural);
    candidates
}

/// Namespaces to read, and the ones a server listed under names that break Kubernetes' rules.
///
/// Named namespaces (`-n`) must exist: a typo would otherwise give an archive with nothing of it.
/// Without `-n`: every namespace the account can list (on OpenShift a non-admin account lists its
/// projects through the projects API).
pub async fn namespaces(
    cluster: &Cluster,
    options: &ClusterOptions,
) -> Result<(Vec<String>, Vec<Gap>)> {
    if !options.namespaces.is_empty() {
        let mut named = options.namespaces.clone();
        named.sort();
        named.dedup();
        for namespace in &named {
            if !names::is_dns1123_label(namespace) {
                return Err(Error::Usage(format!(
                    "{namespace:?} is not a valid namespace name"
                )));
            }
            if options.require_namespaces {
                check_namespace_exists(cluster, namespace).await?;
            }
        }
        return Ok((named, Vec::new()));
    }
    let list = match cluster.get_json::<Value>("/api/v1/namespaces").await {
        Ok(list) => list,
        Err(Fetch::Unauthorized(problem)) => return Err(unauthorized(cluster, &problem)),
        Err(Fetch::OverBudget(problem)) => {
            return Err(Error::Cluster(format!("{}: {problem}", cluster.url)));
        }
        Err(_) => cluster
            .get_json::<Value>("/apis/project.openshift.io/v1/projects")
            .await
            .map_err(|problem| {
                Error::Cluster(format!(
                    "{}: cannot list namespaces or projects ({}); name them with -n",
                    cluster.url,
                    describe(&problem)
                ))
            })?,
    };
    let mut valid = Vec::new();
    let mut gaps = Vec::new();
    for name in names_in(&list) {
        if names::is_dns1123_label(&name) {
            valid.push(name);
        } else {
            gaps.push(Gap {
                what: format!("namespace {name:?}"),
                reason: "not a valid namespace name (DNS-1123 label); skipped".into(),
                scope: GapScope::Unnamed,
            });
        }
    }
    if valid.is_empty() {
        return Err(Error::Cluster(format!(
            "{}: the server lists no namespace that could be read",
            cluster.url
        )));
    }
    Ok((valid, gaps))
}

/// The `metadata.name` of each item of a list document, sorted.
fn names_in(list: &Value) -> Vec<String> {
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
    names.dedup();
    names
}

/// Fails when the server says that a namespace named with `-n` does not exist. An account that
/// may not read the namespace object (nor the project) cannot tell, and goes on.
async fn check_namespace_exists(cluster: &Cluster, namespace: &str) -> Result<()> {
    let not_found = || {
        Err(Error::Cluster(format!(
            "{}: namespace {namespace:?} not found",
            cluster.url
        )))
    };
    match cluster
        .get(&format!("/api/v1/namespaces/{namespace}"))
        .await
    {
        Fetch::NotServed(_) => not_found(),
        Fetch::Unauthorized(problem) => Err(unauthorized(cluster, &problem)),
        Fetch::Forbidden(_) => {
            let project = format!("/apis/project.openshift.io/v1/projects/{namespace}");
            match cluster.get(&project).await {
                Fetch::NotServed(reason) if reason.contains("404") => {
                    // 404 also means "no projects API": only an OpenShift server can tell.
                    match cluster.get("/apis/project.openshift.io/v1").await {
                        Fetch::Ok(_) => not_found(),
                        _ => Ok(()),
                    }
                }
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// A fetch outcome in words.
pub fn describe(fetch: &Fetch) -> String {
    match fetch {
        Fetch::Ok(_) => "ok".into(),
        Fetch::Forbidden(reason)
        | Fetch::NotServed(reason)
        | Fetch::TooLarge(reason)
        | Fetch::Failed(reason)
        | Fetch::Unauthorized(reason)
        | Fetch::OverBudget(reason) => reason.clone(),
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
        let selected = select(candidates.clone(), &ClusterOptions::default());
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
            cluster_scoped: crate::cluster::ClusterScoped::None,
            ..ClusterOptions::default()
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
        let names: Vec<String> = select(candidates, &ClusterOptions::default())
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
