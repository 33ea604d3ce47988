//! The kinds table: lookups, groups, plurals, OpenShift 3's legacy `v1`, suggestions.

use super::*;

#[test]
fn legacy_openshift_kinds_move_to_their_groups() {
    assert_eq!(group_of("v1", "DeploymentConfig"), "apps.openshift.io");
    assert_eq!(
        group_of("apps.openshift.io/v1", "DeploymentConfig"),
        "apps.openshift.io"
    );
    assert_eq!(group_of("v1", "Route"), "route.openshift.io");
    assert_eq!(
        group_of("v1", "RoleBindingRestriction"),
        "authorization.openshift.io"
    );
    // OpenShift's RBAC mirrors are the RBAC objects.
    assert_eq!(group_of("v1", "RoleBinding"), "rbac.authorization.k8s.io");
    assert_eq!(
        group_of("authorization.openshift.io/v1", "ClusterRole"),
        "rbac.authorization.k8s.io"
    );
    assert_eq!(group_of("v1", "ConfigMap"), "");
    assert_eq!(group_of("apps/v1", "Deployment"), "apps");
    // Kinds that left extensions/v1beta1 pair with their objects of today.
    assert_eq!(group_of("extensions/v1beta1", "Deployment"), "apps");
    assert_eq!(
        group_of("extensions/v1beta1", "Ingress"),
        "networking.k8s.io"
    );
    assert_eq!(
        group_of("extensions/v1beta1", "SomethingElse"),
        "extensions"
    );
}

#[test]
fn same_api_across_upgrades_but_not_across_apis() {
    assert!(same_api("batch/v1beta1", "batch/v1"));
    assert!(same_api("v1", "apps.openshift.io/v1"));
    assert!(same_api("route.openshift.io/v1", "v1"));
    assert!(same_api("extensions/v1beta1", "apps/v1"));
    assert!(same_api("v1", "rbac.authorization.k8s.io/v1"));
    assert!(same_api(
        "authorization.openshift.io/v1",
        "rbac.authorization.k8s.io/v1"
    ));
    assert!(!same_api("v1", "apps/v1"));
    assert!(!same_api("apps/v1", "batch/v1"));
    assert!(!same_api("example.com/v1", "example.org/v1"));
}

#[test]
fn kind_words_as_kubectl_takes_them() {
    assert!(kind_matches("dc", "DeploymentConfig", "apps.openshift.io"));
    assert!(kind_matches("deploy", "Deployment", "apps"));
    assert!(kind_matches("svc", "Service", ""));
    assert!(kind_matches("cm", "ConfigMap", ""));
    assert!(kind_matches("configmaps", "ConfigMap", ""));
    assert!(kind_matches("Deployment", "Deployment", "apps"));
    assert!(kind_matches("deployments.apps", "Deployment", "apps"));
    assert!(!kind_matches(
        "deployments.extensions",
        "Deployment",
        "apps"
    ));
    assert!(!kind_matches("dc", "Deployment", "apps"));
    assert!(kind_matches("widgets", "Widget", "example.com"));
}

#[test]
fn plurals() {
    assert_eq!(plural_of("NetworkPolicy", "example.com"), "networkpolicies");
    assert_eq!(plural_of("Gateway", "example.com"), "gateways");
    assert_eq!(plural_of("Endpoints", ""), "endpoints");
    assert_eq!(plural_of("Ingress", "example.com"), "ingresses");
}

#[test]
fn scope() {
    assert!(is_cluster_scoped("Namespace", ""));
    assert!(is_cluster_scoped(
        "ClusterRole",
        "authorization.openshift.io"
    ));
    assert!(!is_cluster_scoped("Role", "authorization.openshift.io"));
    assert!(!is_cluster_scoped("Widget", "example.com"));
}

#[test]
fn typos_get_a_suggestion_and_real_words_are_known() {
    assert!(is_known_word("dc"));
    assert!(is_known_word("deploymentconfigs.apps.openshift.io"));
    assert!(!is_known_word("deploymentconfg"));
    assert_eq!(
        suggest("deploymentconfg", Vec::new()).as_deref(),
        Some("deploymentconfigs")
    );
    assert_eq!(suggest("secrit", Vec::new()).as_deref(), Some("secrets"));
    assert_eq!(suggest("foo", Vec::new()), None);
    assert_eq!(
        suggest("widgts", vec!["Widget".into()]).as_deref(),
        Some("widgets")
    );
    assert_eq!(edit_distance("kitten", "sitting"), 3);
}
