//! `--desired`: the old side is what a team means (manifests, a Helm or kustomize render, an
//! archive), the new side what runs; only what the desired side sets is compared.
//!
//! - A field only the cluster has is hidden and counted ("set by the cluster") only when it holds
//!   the server's default (the noise rules, earlier) or a controller owns it by
//!   [`CONTROLLER_OWNED`] (an HPA's replicas, an injected caBundle, …). Anything else is drift,
//!   whoever wrote it: a manager's name is evidence, not proof, since anyone can send any name.
//!   It says so when a person's tool wrote it, or when `kubectl apply` applied it before and the
//!   manifests dropped it (its last-applied configuration). A field of the security table is
//!   never hidden.
//! - Objects only in the cluster are not drift: counted, listed with `--all`.
//! - Objects only in the manifests are missing in the cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde_json::Value;

use super::attribution::Attributions;
use super::rank::Category;
use super::relation::Danger;
use super::security::{self, Comparison};
use super::{Entry, Finding, Relation};
use crate::diff::path::{ItemLabel, Segment};
use crate::diff::{ObjectChange, Op, PathPattern, keys};
use crate::snapshot::Snapshot;

/// The name under which fields only the cluster sets are hidden.
pub const CLUSTER_SET: &str = "set-by-the-cluster";

/// What the desired-state comparison left out, for the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Objects in the cluster that the manifests do not mention.
    pub cluster_only: usize,
}

/// Applies the desired-state rules to `entries` (after noise and categories).
pub fn apply(
    entries: &mut Vec<Entry>,
    by: &Attributions,
    desired: &Snapshot,
    new: &Snapshot,
    show_all: bool,
) -> Counts {
    let mut counts = Counts::default();
    // The namespaces the manifests describe.
    let namespaces: BTreeSet<String> = desired
        .namespaces()
        .into_iter()
        .filter(|ns| !ns.is_empty())
        .collect();
    entries.retain_mut(|entry| {
        match entry.change {
            // Pairs are changes (`ObjectChange::Changed`): only a lone addition gets here.
            ObjectChange::Added => {
                // A generated object whose owner the snapshot holds is checked against the
                // owner's template later, like any generated object.
                let generated = entry.category == Category::Churn && entry.relation.is_some();
                if let Some(grants) = dangerous_cluster_only(entry, &namespaces, new) {
                    if generated {
                        return true;
                    }
                    entry.relation = Some(Relation::ClusterOnly {
                        danger: Some(grants),
                    });
                    entry.category = Category::Security;
                    return true;
                }
                counts.cluster_only += 1;
                entry.relation = Some(Relation::ClusterOnly { danger: None });
                entry.category = Category::Churn;
                return show_all;
            }
            ObjectChange::Removed => {
                entry.relation = Some(Relation::MissingInCluster);
                return true;
            }
            _ => {}
        }
        let last_applied = new
            .get(&entry.key)
            .and_then(|stored| stored.provenance())
            .and_then(|p| p.last_applied);
        // Read only when a field the cluster added may concern the table.
        let security = std::cell::OnceCell::new();
        for finding in entry
            .findings
            .iter_mut()
            .filter(|f| f.hidden_by.is_none() && f.change.op == Op::Add)
        {
            // A manager's name is evidence, not proof: anyone can send any name. What grants a
            // privilege is drift whoever wrote it.
            let touched = security::may_touch(&entry.key.kind, &finding.change)
                .then(|| {
                    security
                        .get_or_init(|| {
                            Comparison::of(&entry.key.kind, entry.old.as_ref(), entry.new.as_ref())
                        })
                        .touched_by(&finding.change)
                })
                .flatten();
            if let Some(touched) = touched {
                let note = "in the cluster, not in the manifests".to_string();
                finding.reasons.insert(0, touched.describe());
                finding.note = Some(note);
                continue;
            }
            judge(finding, &entry.key, by, last_applied.as_ref());
        }
        true
    });
    counts
}

/// Whether an object only the cluster has concerns what the manifests describe and grants what
/// no manifest asked for: a workload in their namespaces with privileged containers, host
/// namespaces or host paths; a binding that gives their service accounts (or everyone) the
/// cluster-admin, admin or edit role, or a role that may escalate, bind, impersonate or do
/// anything; a webhook configuration that intercepts them. Its name proves nothing
/// (`system:…` included).
fn dangerous_cluster_only(
    entry: &Entry,
    namespaces: &BTreeSet<String>,
    new: &Snapshot,
) -> Option<Danger> {
    let object = entry.new.as_ref()?;
    let kind = entry.key.kind.as_str();
    if security::pod_spec_location(kind).is_some() {
        if !namespaces.contains(&entry.key.namespace) {
            return None;
        }
        let facts = security::Facts::of(kind, object);
        let danger: Vec<String> = facts
            .iter()
            .map(|f| f.what)
            .filter(|what| {
                [
                    "privileged: true",
                    "hostNetwork: true",
                    "hostPID: true",
                    "hostIPC: true",
                    "hostPath",
                ]
                .iter()
                .any(|word| what.contains(word))
            })
            .collect();
        return (!danger.is_empty()).then_some(Danger::Grants(danger));
    }
    match kind {
        "RoleBinding" | "ClusterRoleBinding" => {
            let binding_ns = entry.key.namespace.as_str();
            let subjects = security::subjects(object, binding_ns);
            let reaches = subjects.iter().any(|s| {
                s.strip_prefix("ServiceAccount ")
                    .and_then(|sa| sa.split_once('/'))
                    .is_some_and(|(ns, _)| namespaces.contains(ns))
                    || matches!(
                        s.as_str(),
                        "Group system:serviceaccounts"
                            | "Group system:authenticated"
                            | "Group system:unauthenticated"
                    )
                    || s.strip_prefix("Group system:serviceaccounts:")
                        .is_some_and(|ns| namespaces.contains(ns))
            });
            let (role_kind, role_name) = security::role_ref(object)?;
            let strong = matches!(role_name.as_str(), "cluster-admin" | "admin" | "edit")
                || role_is_powerful(new, &role_kind, &role_name, binding_ns);
            (reaches && strong).then(|| Danger::Binding {
                role_kind,
                role_name,
                subjects: subjects.into_iter().collect(),
            })
        }
        "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => {
            let hooks = object.get("webhooks").and_then(Value::as_array)?;
            let selects = hooks.iter().any(|hook| {
                namespaces.iter().any(|ns| {
                    let labels = namespace_labels(new, ns);
                    security::selects(hook.get("namespaceSelector"), &labels)
                })
            });
            selects.then_some(Danger::Intercepts)
        }
        _ => None,
    }
}

/// Whether a role may escalate, bind, impersonate, or use every verb.
fn role_is_powerful(snapshot: &Snapshot, kind: &str, name: &str, namespace: &str) -> bool {
    let key = crate::snapshot::ObjectKey {
        namespace: if kind == "Role" {
            namespace.to_string()
        } else {
            String::new()
        },
        group: "rbac.authorization.k8s.io".into(),
        kind: kind.to_string(),
        name: name.to_string(),
    };
    let Some(role) = snapshot.get(&key).map(|s| s.value()) else {
        return false;
    };
    role.get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|rule| {
            rule.get("verbs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        })
        .any(|verb| {
            matches!(
                verb.as_str(),
                Some("escalate" | "bind" | "impersonate" | "*")
            )
        })
}

/// The labels of namespace `name` in `snapshot`, with the `kubernetes.io/metadata.name` label
/// every namespace carries.
fn namespace_labels(snapshot: &Snapshot, name: &str) -> BTreeMap<String, String> {
    let key = crate::snapshot::ObjectKey {
        namespace: String::new(),
        group: String::new(),
        kind: "Namespace".into(),
        name: name.to_string(),
    };
    let mut labels: BTreeMap<String, String> = snapshot
        .get(&key)
        .and_then(|s| s.value().pointer("/metadata/labels").cloned())
        .and_then(|l| serde_json::from_value(l).ok())
        .unwrap_or_default();
    labels.insert("kubernetes.io/metadata.name".into(), name.to_string());
    labels
}

/// Decides about one field the cluster has and the manifests lack.
fn judge(
    finding: &mut Finding,
    key: &crate::snapshot::ObjectKey,
    by: &Attributions,
    last_applied: Option<&Value>,
) {
    let path = &finding.change.path;
    let (reason, note) = if let Some(who) = by.get(key, path).filter(|a| a.interactive) {
        // The change's line names the manager already.
        (
            format!(
                "set in the cluster by {}, not in the manifests",
                who.manager
            ),
            "not in the manifests".to_string(),
        )
    } else if last_applied.is_some_and(|applied| holds(applied, &path.0)) {
        let text = "removed from the manifests, still in the cluster".to_string();
        (text.clone(), text)
    } else if matches!(
        path.0.last(),
        Some(Segment::Item {
            label: ItemLabel::Key(_),
            ..
        })
    ) {
        let text = "in the cluster, not in the manifests".to_string();
        (text.clone(), text)
    } else if let Some(owner) = controller_owned(key, path) {
        // Counted under one name; `--explain` says whose field it is.
        finding.hidden_by = Some(CLUSTER_SET.to_string());
        finding.reasons.insert(0, format!("written by {owner}"));
        return;
    } else {
        // Not a default, not a field a known controller owns: whoever wrote it (the manager's
        // name is evidence, not proof), the cluster holds what the manifests do not say.
        let text = match by.get(key, path) {
            Some(who) => format!(
                "set in the cluster by {}, not in the manifests",
                who.manager
            ),
            None => "in the cluster, not in the manifests".to_string(),
        };
        (text, "not in the manifests".to_string())
    };
    finding.reasons.insert(0, reason);
    finding.note = Some(note);
}

/// Fields that controllers and admission plugins own, which manifests leave out on purpose:
/// `(kinds (empty: every kind), path patterns, who writes them)`. Under `--desired`, a field the
/// manifests do not set is hidden only when it is here or holds the server's default (the
/// `server-default` noise rule); whatever else the cluster holds is drift, whoever wrote it. The
/// security table ([`super::security`]) comes first: nothing here hides a privilege.
pub const CONTROLLER_OWNED: &[(&[&str], &[&str], &str)] = &[
    (
        &[
            "Deployment",
            "StatefulSet",
            "ReplicaSet",
            "ReplicationController",
            "DeploymentConfig",
        ],
        &["spec.replicas"],
        "a HorizontalPodAutoscaler (or KEDA) scaling it",
    ),
    (
        &[
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
        ],
        &["webhooks[*].clientConfig.caBundle"],
        "cert-manager's cainjector or OpenShift's service CA operator",
    ),
    (
        &["CustomResourceDefinition"],
        &["spec.conversion.webhook.clientConfig.caBundle"],
        "cert-manager's cainjector or OpenShift's service CA operator",
    ),
    (
        &["APIService"],
        &["spec.caBundle"],
        "cert-manager's cainjector or OpenShift's service CA operator",
    ),
    (
        &["Namespace", "Project"],
        &[
            r#"metadata.annotations["openshift.io/sa.scc.*"]"#,
            r#"metadata.annotations["security.openshift.io/MinimallySufficientPodSecurityStandard"]"#,
            r#"metadata.labels["pod-security.kubernetes.io/audit*"]"#,
            r#"metadata.labels["pod-security.kubernetes.io/warn*"]"#,
        ],
        "OpenShift's namespace SCC allocation and pod security label sync",
    ),
    (
        &["PersistentVolumeClaim"],
        &["spec.storageClassName"],
        "the DefaultStorageClass admission plugin",
    ),
    (
        &["Ingress"],
        &["spec.ingressClassName"],
        "the default IngressClass admission",
    ),
    (
        &["Route"],
        &[r#"metadata.annotations["openshift.io/host.generated"]"#],
        "OpenShift's router (a generated host)",
    ),
    (
        &["Job"],
        &[
            r#"metadata.labels["job-name"]"#,
            r#"metadata.labels["batch.kubernetes.io/job-name"]"#,
            r#"spec.template.metadata.labels["job-name"]"#,
            r#"spec.template.metadata.labels["batch.kubernetes.io/job-name"]"#,
        ],
        "the Job controller",
    ),
    (
        &[],
        &[
            "metadata.finalizers",
            "metadata.ownerReferences",
            r#"metadata.annotations["meta.helm.sh/*"]"#,
            r#"metadata.annotations["argocd.argoproj.io/tracking-id"]"#,
        ],
        "the controllers that adopt, protect and track objects (garbage collector, Helm, Argo CD)",
    ),
];

/// [`CONTROLLER_OWNED`] with its patterns parsed, once.
type OwnedField = (&'static [&'static str], Vec<PathPattern>, &'static str);
static OWNED: LazyLock<Vec<OwnedField>> = LazyLock::new(|| {
    CONTROLLER_OWNED
        .iter()
        .map(|(kinds, patterns, who)| {
            let patterns = patterns
                .iter()
                .map(|p| PathPattern::parse(p).expect("the controller-owned patterns parse"))
                .collect();
            (*kinds, patterns, *who)
        })
        .collect()
});

/// Who owns the field at `path` of `key` by [`CONTROLLER_OWNED`], if a controller does.
pub fn controller_owned(
    key: &crate::snapshot::ObjectKey,
    path: &crate::diff::Path,
) -> Option<&'static str> {
    OWNED.iter().find_map(|(kinds, patterns, who)| {
        let kind_ok = kinds.is_empty() || kinds.contains(&key.kind.as_str());
        (kind_ok && patterns.iter().any(|p| p.matches(path))).then_some(*who)
    })
}

/// Whether `value` (a last-applied configuration) holds the field at `segments`: keyed list
/// elements are found by their merge key, as the diff labelled them.
fn holds(value: &Value, segments: &[Segment]) -> bool {
    let mut here = value;
    let mut field: Option<&str> = None;
    for segment in segments {
        let next = match segment {
            Segment::Field(name) => {
                field = Some(name);
                here.get(name.as_str())
            }
            Segment::Item { label, .. } => {
                let Some(items) = here.as_array() else {
                    return false;
                };
                match label {
                    ItemLabel::Key(wanted) => {
                        let key_of = field.and_then(keys::for_field).unwrap_or(keys::name);
                        items
                            .iter()
                            .find(|item| key_of(item).as_deref() == Some(wanted.as_str()))
                    }
                    ItemLabel::Index(i) => items.get(*i),
                }
            }
            Segment::Document(_) => return true,
        };
        match next {
            Some(value) => here = value,
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::value::{ValueOptions, diff};
    use serde_json::json;

    #[test]
    fn last_applied_holds_fields_by_merge_key() {
        let applied = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": "a", "env": [{"name": "DEBUG", "value": "1"}]}]}}}});
        let old = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": "a", "env": []}]}}}});
        let new = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "web", "image": "a", "env": [{"name": "DEBUG", "value": "1"}, {"name": "X", "value": "2"}]}]}}}});
        let changes = diff("Deployment", &old, &new, &ValueOptions::default());
        let held: Vec<(String, bool)> = changes
            .iter()
            .map(|c| (c.path.human(), holds(&applied, &c.path.0)))
            .collect();
        assert_eq!(
            held,
            [
                (
                    "spec.template.spec.containers[web].env[DEBUG]".to_string(),
                    true
                ),
                (
                    "spec.template.spec.containers[web].env[X]".to_string(),
                    false
                ),
            ]
        );
    }

    /// What only the cluster has: a field a controller owns (an HPA's replicas, Helm's release
    /// annotations) is hidden and counted; labels and an env var someone added are shown, whoever
    /// wrote them; an object only in the cluster is counted, not drift; an object only in the
    /// manifests is missing.
    #[test]
    fn fields_and_objects_only_the_cluster_has() {
        use crate::analyze::tests::{analysis_with, entry, object, words};
        let deployment = |metadata: Value, env: Value, replicas: Option<u32>| {
            let mut spec = json!({"template": {"spec": {"containers": [{"name": "web", "image": "web:1", "env": env}]}}});
            if let Some(replicas) = replicas {
                spec["replicas"] = json!(replicas);
            }
            object(
                "apps/v1",
                "Deployment",
                "web",
                json!({"metadata": metadata, "spec": spec}),
            )
        };
        let manifests = vec![
            deployment(
                json!({"labels": {"app": "web"}}),
                json!([{"name": "A", "value": "1"}]),
                None,
            ),
            object("v1", "ConfigMap", "settings", json!({"data": {"a": "1"}})),
        ];
        let cluster = vec![
            deployment(
                json!({"labels": {"app": "web", "team": "shop"},
                    "annotations": {"meta.helm.sh/release-name": "shop"}}),
                json!([{"name": "A", "value": "1"}, {"name": "FEATURE_X", "value": "on"}]),
                Some(4),
            ),
            object("v1", "ConfigMap", "extra", json!({"data": {"b": "2"}})),
        ];
        let analysis = analysis_with(manifests, cluster, true);
        let web = entry(&analysis, "Deployment", "web");
        let shown: Vec<String> = web.visible().map(|f| f.change.path.human()).collect();
        assert_eq!(
            shown,
            [
                "metadata.labels.team",
                "spec.template.spec.containers[web].env[FEATURE_X]"
            ]
        );
        let hidden: Vec<String> = web
            .findings
            .iter()
            .filter(|f| f.hidden_by.as_deref() == Some(CLUSTER_SET))
            .map(|f| f.change.path.human())
            .collect();
        assert_eq!(
            hidden,
            [
                r#"metadata.annotations["meta.helm.sh/release-name"]"#,
                "spec.replicas"
            ]
        );
        let missing = entry(&analysis, "ConfigMap", "settings");
        assert_eq!(words(missing).as_deref(), Some("missing in the cluster"));
        assert_eq!(analysis.summary.cluster_set, 2);
        assert_eq!(analysis.summary.cluster_only, 1);
        assert_eq!((analysis.summary.changed, analysis.summary.removed), (1, 1));
    }
}
