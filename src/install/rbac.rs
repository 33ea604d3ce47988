//! Who may read what. The export only ever lists and gets, so no role here holds any other verb;
//! secrets are granted by a role of their own, left out with `--secrets skip`.
//!
//! - Cluster mode on OpenShift: the built-in `cluster-reader` role (everything but secrets).
//! - Cluster mode on Kubernetes: there is no such role. `view` leaves out RBAC objects and the
//!   cluster-scoped types (nodes, persistent volumes, storage classes, CRDs…), so driftlab brings
//!   its own, written out group by group from what export reads.
//! - Namespace mode (`--target-namespaces`): in each namespace the built-in `view` role, a role
//!   for the RBAC objects `view` leaves out, and the secret reader, all bound to the account of
//!   the backup namespace.

use k8s_openapi::api::rbac::v1::{
    AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef,
    Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::{Flavor, InstallOptions, Manifest, Scope, SecretHandling, metadata};
use crate::error::Result;

/// The only verbs any role of the service holds: export lists every type, and gets single
/// objects and discovery documents.
pub const READ_VERBS: &[&str] = &["get", "list"];

/// The core-group types export reads, named one by one because `resources: ["*"]` in the core
/// group would grant secrets too. Events and component statuses are left out by export's
/// defaults (`DEFAULT_EXCLUSIONS`).
pub const CORE_RESOURCES: &[&str] = &[
    "configmaps",
    "endpoints",
    "limitranges",
    "namespaces",
    "nodes",
    "persistentvolumeclaims",
    "persistentvolumes",
    "pods",
    "podtemplates",
    "replicationcontrollers",
    "resourcequotas",
    "serviceaccounts",
    "services",
];

/// The API groups whose every type export reads, granted as `resources: ["*"]`: they hold
/// workload, policy and cluster configuration (no secret values), and a type a later Kubernetes
/// release adds to one of them is then read without a new install. Left out: the groups export
/// skips by default (`coordination.k8s.io` leases, `events.k8s.io`, `metrics.k8s.io`) and the
/// create-only review APIs (`authentication.k8s.io`, `authorization.k8s.io`). The last two
/// entries are SIG APIs served through CRDs that most clusters install.
pub const READ_GROUPS: &[&str] = &[
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "discovery.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "gateway.networking.k8s.io",
    "snapshot.storage.k8s.io",
];

/// The label that adds a ClusterRole's rules to the reader role (aggregation): how a cluster
/// admin lets the export read the custom resources of an operator that ships no `view` rules.
pub const AGGREGATE_TO_READER: &str = "driftlab.io/aggregate-to-reader";

/// Kubernetes' own aggregation label of the `view` role. Operators label read-only roles for
/// their custom resources with it; the reader role picks those up too.
const AGGREGATE_TO_VIEW: &str = "rbac.authorization.k8s.io/aggregate-to-view";

/// The RBAC objects of a namespace, which `view` does not show.
const RBAC_RESOURCES: &[&str] = &["roles", "rolebindings"];

/// The roles and bindings of `options`, in the order to apply them.
pub fn manifests(options: &InstallOptions) -> Result<Vec<Manifest>> {
    let mut out = Vec::new();
    match &options.scope {
        Scope::Cluster => cluster_roles(options, &mut out)?,
        Scope::Namespaces(namespaces) => {
            for namespace in namespaces {
                namespace_roles(options, namespace, &mut out)?;
            }
        }
    }
    Ok(out)
}

/// Read access everywhere: the reader role and, unless secrets are skipped, the secret reader.
fn cluster_roles(options: &InstallOptions, out: &mut Vec<Manifest>) -> Result<()> {
    match options.flavor {
        Flavor::OpenShift => {
            push_cluster_binding(
                options,
                &format!("{}-cluster-reader", options.name),
                "cluster-reader",
                out,
            )?;
        }
        Flavor::Kubernetes => {
            let reader = format!("{}-reader", options.name);
            let rules = ClusterRole {
                metadata: {
                    let mut metadata =
                        metadata(options, None, &format!("{reader}-rules"), Some("export"));
                    metadata
                        .labels
                        .get_or_insert_default()
                        .insert(AGGREGATE_TO_READER.into(), "true".into());
                    metadata
                },
                rules: Some(reader_rules()),
                ..ClusterRole::default()
            };
            out.push(Manifest::of(&rules)?);
            let aggregated = ClusterRole {
                metadata: metadata(options, None, &reader, Some("export")),
                aggregation_rule: Some(AggregationRule {
                    cluster_role_selectors: Some(
                        [AGGREGATE_TO_READER, AGGREGATE_TO_VIEW]
                            .iter()
                            .map(|label| selector(label))
                            .collect(),
                    ),
                }),
                // Filled in by the aggregation controller from the roles selected.
                rules: None,
            };
            out.push(Manifest::of(&aggregated)?);
            push_cluster_binding(options, &reader, &reader, out)?;
        }
    }
    if options.secrets != SecretHandling::Skip {
        let name = format!("{}-secret-reader", options.name);
        let role = ClusterRole {
            metadata: metadata(options, None, &name, Some("export")),
            rules: Some(vec![secret_rule()]),
            ..ClusterRole::default()
        };
        out.push(Manifest::of(&role)?);
        push_cluster_binding(options, &name, &name, out)?;
    }
    Ok(())
}

/// Read access in one target namespace.
fn namespace_roles(
    options: &InstallOptions,
    namespace: &str,
    out: &mut Vec<Manifest>,
) -> Result<()> {
    let view = format!("{}-view", options.name);
    push_binding(options, namespace, &view, ("ClusterRole", "view"), out)?;
    let reader = format!("{}-reader", options.name);
    push_role(
        options,
        namespace,
        &reader,
        rule(&["rbac.authorization.k8s.io"], RBAC_RESOURCES),
        out,
    )?;
    if options.secrets != SecretHandling::Skip {
        let name = format!("{}-secret-reader", options.name);
        push_role(options, namespace, &name, secret_rule(), out)?;
    }
    Ok(())
}

/// The rules of the Kubernetes reader role: the core types one by one, the other groups whole.
pub fn reader_rules() -> Vec<PolicyRule> {
    vec![rule(&[""], CORE_RESOURCES), rule(READ_GROUPS, &["*"])]
}

fn rule(groups: &[&str], resources: &[&str]) -> PolicyRule {
    PolicyRule {
        api_groups: Some(groups.iter().map(|g| g.to_string()).collect()),
        resources: Some(resources.iter().map(|r| r.to_string()).collect()),
        verbs: READ_VERBS.iter().map(|v| v.to_string()).collect(),
        ..PolicyRule::default()
    }
}

fn secret_rule() -> PolicyRule {
    rule(&[""], &["secrets"])
}

fn selector(label: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some([(label.to_string(), "true".to_string())].into()),
        ..LabelSelector::default()
    }
}

/// The export's service account, as a subject of bindings anywhere in the cluster.
fn subject(options: &InstallOptions) -> Vec<Subject> {
    vec![Subject {
        api_group: None,
        kind: "ServiceAccount".into(),
        name: options.name.clone(),
        namespace: Some(options.namespace.clone()),
    }]
}

fn role_ref(kind: &str, name: &str) -> RoleRef {
    RoleRef {
        api_group: Some("rbac.authorization.k8s.io".into()),
        kind: kind.into(),
        name: name.into(),
    }
}

fn push_cluster_binding(
    options: &InstallOptions,
    name: &str,
    cluster_role: &str,
    out: &mut Vec<Manifest>,
) -> Result<()> {
    let binding = ClusterRoleBinding {
        metadata: metadata(options, None, name, Some("export")),
        role_ref: role_ref("ClusterRole", cluster_role),
        subjects: Some(subject(options)),
    };
    out.push(Manifest::of(&binding)?);
    Ok(())
}

/// A Role named `name` in `namespace` holding `rule`, and its binding of the same name.
fn push_role(
    options: &InstallOptions,
    namespace: &str,
    name: &str,
    rule: PolicyRule,
    out: &mut Vec<Manifest>,
) -> Result<()> {
    let role = Role {
        metadata: metadata(options, Some(namespace), name, Some("export")),
        rules: Some(vec![rule]),
    };
    out.push(Manifest::of(&role)?);
    push_binding(options, namespace, name, ("Role", name), out)
}

fn push_binding(
    options: &InstallOptions,
    namespace: &str,
    name: &str,
    (kind, role): (&str, &str),
    out: &mut Vec<Manifest>,
) -> Result<()> {
    let binding = RoleBinding {
        metadata: metadata(options, Some(namespace), name, Some("export")),
        role_ref: role_ref(kind, role),
        subjects: Some(subject(options)),
    };
    out.push(Manifest::of(&binding)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_rules_grant_no_secret() {
        for rule in reader_rules() {
            let groups = rule.api_groups.unwrap();
            let resources = rule.resources.unwrap();
            assert!(!groups.contains(&"*".to_string()));
            if groups.contains(&String::new()) {
                assert!(!resources.iter().any(|r| r == "secrets" || r == "*"));
            }
        }
    }

    #[test]
    fn export_exclusions_are_not_granted() {
        use crate::cluster::discovery::DEFAULT_EXCLUSIONS;
        for (group, plural, _) in DEFAULT_EXCLUSIONS {
            if group.is_empty() {
                assert!(!CORE_RESOURCES.contains(plural), "{plural}");
            } else {
                assert!(!READ_GROUPS.contains(group), "{group}");
            }
        }
    }
}
