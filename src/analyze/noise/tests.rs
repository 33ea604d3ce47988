//! The noise profile: built-in rules and their conditions, user rules and ignore files.

use super::conditions::admission_injected;
use super::*;
use crate::analyze::ignored::RuleSource;
use crate::diff::value::{ValueOptions, diff};
use serde_json::json;

fn key(kind: &str) -> ObjectKey {
    ObjectKey {
        namespace: "p".into(),
        kind: kind.into(),
        name: "web".into(),
        group: String::new(),
    }
}

fn hidden(
    kind: &str,
    old: Value,
    new: Value,
    profile: &NoiseProfile,
) -> Vec<(String, Option<String>)> {
    let key = key(kind);
    let cx = Context::new(&key, Some(&old), Some(&new));
    diff(kind, &old, &new, &ValueOptions::default())
        .into_iter()
        .map(|c| (c.path.human(), profile.hides(&cx, &c)))
        .collect()
}

#[test]
fn builtin_rules_hide_housekeeping_but_not_restarts() {
    let profile = NoiseProfile::new(true, Vec::new());
    let old = json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "3", "openshift.io/generated-by": "x"}},
        "spec": {"template": {"metadata": {"annotations": {}}}}});
    let new = json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "4", "openshift.io/generated-by": "y"}},
        "spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2018-09-12T00:00:00Z"}}}}});
    let result = hidden("Deployment", old, new, &profile);
    assert_eq!(
        result,
        [
            (
                r#"metadata.annotations["deployment.kubernetes.io/revision"]"#.to_string(),
                Some("deployment-revision".to_string())
            ),
            (
                r#"metadata.annotations["openshift.io/generated-by"]"#.to_string(),
                Some("openshift-generated-by".to_string())
            ),
            (
                r#"spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]"#
                    .to_string(),
                None
            ),
        ]
    );
    assert!(
        NoiseProfile::new(false, Vec::new())
            .hides(
                &Context::new(&key("Deployment"), None, None),
                &diff(
                    "X",
                    &json!({"metadata": {"generateName": "a"}}),
                    &json!({"metadata": {"generateName": "b"}}),
                    &ValueOptions::default()
                )[0]
            )
            .is_none()
    );
}

#[test]
fn conditions_of_builtin_rules() {
    let profile = NoiseProfile::new(true, Vec::new());
    let generated = json!({"metadata": {"annotations": {"openshift.io/host.generated": "true"}}, "spec": {"host": "a"}});
    let mut chosen = generated.clone();
    chosen["metadata"]["annotations"] = json!({});
    let mut other = generated.clone();
    other["spec"]["host"] = json!("b");
    assert_eq!(
        hidden("Route", generated.clone(), other.clone(), &profile)[0]
            .1
            .as_deref(),
        Some("route-generated-host")
    );
    let mut chosen_other = chosen.clone();
    chosen_other["spec"]["host"] = json!("b");
    assert_eq!(hidden("Route", chosen, chosen_other, &profile)[0].1, None);

    let owned = json!({"metadata": {"ownerReferences": [{"kind": "Deployment", "name": "web", "controller": true}]}, "spec": {"replicas": 2}});
    let mut scaled = owned.clone();
    scaled["spec"]["replicas"] = json!(0);
    assert_eq!(
        hidden("ReplicaSet", owned, scaled, &profile)[0]
            .1
            .as_deref(),
        Some("controller-replicas")
    );
    let alone = json!({"spec": {"replicas": 2}});
    assert_eq!(
        hidden(
            "ReplicaSet",
            alone,
            json!({"spec": {"replicas": 0}}),
            &profile
        )[0]
        .1,
        None
    );
}

#[test]
fn user_rules_in_argo_shape() {
    let text = "ignoreDifferences:\n- group: apps\n  kind: Deployment\n  name: 'web*'\n  jsonPointers: [/spec/replicas]\n- kind: ConfigMap\n  description: app settings\n  paths: ['data[\"app.properties\"]']\n";
    let rules = parse_ignore_file(text, ".driftlabignore").unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[1].name, "app settings (.driftlabignore#2)");
    assert_eq!(rules[0].source, RuleSource::IgnoreFile);
    let profile = NoiseProfile::new(true, rules);
    let mut key = key("Deployment");
    key.group = "apps".into();
    let change = &diff(
        "Deployment",
        &json!({"spec": {"replicas": 1}}),
        &json!({"spec": {"replicas": 2}}),
        &ValueOptions::default(),
    )[0];
    assert_eq!(profile.user_rule_hiding(&key, change), Some(0));
    assert_eq!(profile.user_rules()[0].name, ".driftlabignore#1");
    // What a user rule hides is the user's choice, not noise: the built-in rules say nothing.
    let cx = Context::new(&key, None, None);
    assert_eq!(profile.hides(&cx, change), None);
    key.name = "db".into();
    assert_eq!(profile.user_rule_hiding(&key, change), None);
}

#[test]
fn bad_ignore_files_say_what_is_wrong() {
    let err = parse_ignore_file("- kind: X\n  jqPathExpressions: ['.a']\n", "rules.yaml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "rules.yaml: rule 1: jqPathExpressions is not supported (use jsonPointers or paths)"
    );
    let err = parse_ignore_file("- kind: X\n", "rules.yaml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("needs jsonPointers or paths"), "{err}");
    let err = parse_ignore_file("- kind: X\n  jsonPointers: [spec]\n", "r")
        .unwrap_err()
        .to_string();
    assert!(err.contains("is not a JSON pointer"), "{err}");
    let err = parse_ignore_file("- kind: X\n  paths: [a]\n  colour: red\n", "r")
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field \"colour\""), "{err}");
}

fn typed_hidden(kind: &str, old: Value, new: Value) -> Vec<(String, Option<String>)> {
    hidden(kind, old, new, &NoiseProfile::new(true, Vec::new()))
}

#[test]
fn server_defaults_hide_only_the_default_value() {
    let manifest = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "web:1.2"}]}}}});
    let mut live = manifest.clone();
    live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
    live["spec"]["template"]["spec"]["dnsPolicy"] = json!("ClusterFirst");
    live["spec"]["revisionHistoryLimit"] = json!(10);
    let result = typed_hidden("Deployment", manifest.clone(), live.clone());
    assert_eq!(result.len(), 3, "{result:?}");
    assert!(
        result
            .iter()
            .all(|(_, rule)| rule.as_deref() == Some("server-default")),
        "{result:?}"
    );
    // The same field at another value is a difference, both ways.
    live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("Always");
    let result = typed_hidden("Deployment", manifest.clone(), live.clone());
    assert!(
        result.contains(&(
            "spec.template.spec.containers[web].imagePullPolicy".to_string(),
            None
        )),
        "{result:?}"
    );
    let result = typed_hidden("Deployment", live, manifest);
    assert!(
        result.contains(&(
            "spec.template.spec.containers[web].imagePullPolicy".to_string(),
            None
        )),
        "{result:?}"
    );
}

/// A ClusterRole's rules are the aggregation controller's only when it has an
/// aggregationRule; otherwise someone changed them.
#[test]
fn only_aggregated_cluster_roles_have_their_rules_hidden() {
    let role = |verbs: Value, aggregated: bool| {
        let mut role =
            json!({"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": verbs}]});
        if aggregated {
            role["aggregationRule"] =
                json!({"clusterRoleSelectors": [{"matchLabels": {"x": "true"}}]});
        }
        role
    };
    // The aggregation controller rewrites the rules: their order is its business.
    let two = |first: &str, second: &str, aggregated: bool| {
        let mut role = role(json!(["get"]), aggregated);
        role["rules"] = json!([
            {"apiGroups": [""], "resources": [first], "verbs": ["get"]},
            {"apiGroups": [""], "resources": [second], "verbs": ["get"]}]);
        role
    };
    for (aggregated, expected) in [(true, Some("aggregated-rules")), (false, None)] {
        let result = typed_hidden(
            "ClusterRole",
            two("pods", "services", aggregated),
            two("services", "pods", aggregated),
        );
        assert!(!result.is_empty());
        assert!(
            result.iter().all(|(_, rule)| rule.as_deref() == expected),
            "{result:?}"
        );
    }
    // An aggregated role's rules are the controller's copy (the selected roles' rules are
    // the security table's); a plain role's new verb shows.
    for (aggregated, expected) in [(true, Some("aggregated-rules")), (false, None)] {
        let result = typed_hidden(
            "ClusterRole",
            role(json!(["get"]), aggregated),
            role(json!(["get", "delete"]), aggregated),
        );
        assert!(!result.is_empty());
        assert!(
            result.iter().all(|(_, rule)| rule.as_deref() == expected),
            "{result:?}"
        );
    }
}

/// Only an order change is the keyed-list-order rule's: a list of strings removed whole
/// (a container's command) is a change.
#[test]
fn a_removed_list_of_strings_is_not_an_order_change() {
    let pod = |command: Option<Value>| {
        let mut container = json!({"name": "web", "image": "web:1"});
        if let Some(command) = command {
            container["command"] = command;
        }
        json!({"spec": {"containers": [container]}})
    };
    let result = typed_hidden("Pod", pod(Some(json!(["sleep", "1"]))), pod(None));
    assert_eq!(result, [("spec.containers[web].command".to_string(), None)]);
}

/// An empty list has no injected element: it is not the cluster's doing (the `empty-list`
/// rule, which comes first, says why it is noise).
#[test]
fn an_empty_list_is_not_admission_injected() {
    let template = json!({"apiVersion": "v1", "kind": "Pod",
        "spec": {"containers": [{"name": "web", "image": "web:1.2"}]}});
    let mut pod = template.clone();
    pod["spec"]["tolerations"] = json!([]);
    let key = key("Pod");
    let cx = Context::new(&key, Some(&template), Some(&pod));
    let changes = diff("Pod", &template, &pod, &ValueOptions::default());
    assert_eq!(changes.len(), 1);
    assert!(!admission_injected(&cx, &changes[0]));
    assert_eq!(
        typed_hidden("Pod", template, pod),
        [(
            "spec.tolerations".to_string(),
            Some("empty-list".to_string())
        )]
    );
}

#[test]
fn injected_fields_hide_as_admission_injected() {
    let template = json!({"apiVersion": "v1", "kind": "Pod",
        "spec": {"containers": [{"name": "web", "image": "web:1.2"}]}});
    let mut pod = template.clone();
    pod["spec"]["enableServiceLinks"] = json!(true);
    pod["spec"]["tolerations"] = json!([
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]);
    let result = typed_hidden("Pod", template, pod);
    assert!(!result.is_empty());
    for (path, rule) in &result {
        assert!(
            matches!(
                rule.as_deref(),
                Some("admission-injected") | Some("server-default")
            ),
            "{path}: {rule:?}"
        );
    }
}

#[test]
fn api_upgrades_are_not_changes_but_new_apis_are() {
    let old = json!({"apiVersion": "v1", "kind": "ReplicationController",
        "metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "DeploymentConfig", "name": "web", "controller": true}]}});
    let mut new = old.clone();
    new["apiVersion"] = json!("v1");
    new["metadata"]["ownerReferences"][0]["apiVersion"] = json!("apps.openshift.io/v1");
    let result = typed_hidden("ReplicationController", old.clone(), new);
    assert_eq!(result.len(), 1, "{result:?}");
    assert_eq!(result[0].1.as_deref(), Some("api-upgrade"));
    let mut other = old.clone();
    other["metadata"]["ownerReferences"][0]["apiVersion"] = json!("example.com/v1");
    assert_eq!(typed_hidden("ReplicationController", old, other)[0].1, None);

    let binding3 = json!({"apiVersion": "v1", "kind": "RoleBinding",
        "userNames": ["dev"], "groupNames": null,
        "roleRef": {"name": "admin"},
        "subjects": [{"kind": "User", "name": "dev"}]});
    let binding4 = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "dev"}]});
    let result = typed_hidden("RoleBinding", binding3.clone(), binding4.clone());
    assert!(
        result
            .iter()
            .all(|(_, rule)| rule.as_deref() == Some("api-upgrade")),
        "{result:?}"
    );
    // Another subject is an access change, upgrade or not.
    let mut widened = binding4.clone();
    widened["subjects"][0]["name"] = json!("intruder");
    let result = typed_hidden("RoleBinding", binding3.clone(), widened);
    assert!(result.iter().any(|(_, rule)| rule.is_none()), "{result:?}");
    // A role reference to a namespaced role of the same name is not the cluster role.
    let mut local = binding4;
    local["roleRef"]["kind"] = json!("Role");
    let result = typed_hidden("RoleBinding", binding3, local);
    assert!(
        result.contains(&("roleRef.kind".to_string(), None)),
        "{result:?}"
    );
}

/// Whether the api-upgrade rule takes the change at `path` of `old` → `new` for a rewrite.
fn upgrade_at(kind: &str, old: &Value, new: &Value, path: &str) -> bool {
    let changes = diff(kind, old, new, &ValueOptions::default());
    let change = changes
        .iter()
        .find(|c| c.path.human() == path)
        .unwrap_or_else(|| panic!("no change at {path}: {changes:?}"));
    is_api_upgrade(kind, Some(old), Some(new), change)
}

/// Each arm of the api-upgrade rule, both ways: a rewrite that keeps the meaning is one, the
/// same field with another meaning is not.
#[test]
fn every_arm_of_the_api_upgrade_rule() {
    let binding = |role_ref: Value| {
        json!({"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "shop"},
            "roleRef": role_ref, "subjects": [{"kind": "User", "name": "dev"}]})
    };
    // OpenShift 3's roleRef.namespace: gone where RBAC v1 says Role, not where it says
    // ClusterRole (that widens a Role `admin` into the ClusterRole `admin`).
    let ocp3 = binding(json!({"name": "admin", "namespace": "shop"}));
    let role = binding(json!({"kind": "Role", "name": "admin"}));
    let cluster_role = binding(json!({"kind": "ClusterRole", "name": "admin"}));
    assert!(upgrade_at("RoleBinding", &ocp3, &role, "roleRef.namespace"));
    assert!(!upgrade_at(
        "RoleBinding",
        &ocp3,
        &cluster_role,
        "roleRef.namespace"
    ));
    let elsewhere = binding(json!({"name": "admin", "namespace": "other"}));
    assert!(!upgrade_at(
        "RoleBinding",
        &elsewhere,
        &role,
        "roleRef.namespace"
    ));
    // The kind RBAC v1 writes: Role where a namespace was named, else ClusterRole.
    assert!(upgrade_at("RoleBinding", &ocp3, &role, "roleRef.kind"));
    assert!(!upgrade_at(
        "RoleBinding",
        &ocp3,
        &cluster_role,
        "roleRef.kind"
    ));
    let unscoped = binding(json!({"name": "admin"}));
    assert!(upgrade_at(
        "RoleBinding",
        &unscoped,
        &cluster_role,
        "roleRef.kind"
    ));
    assert!(!upgrade_at("RoleBinding", &unscoped, &role, "roleRef.kind"));
    // A kind that changes is no rewrite.
    assert!(!upgrade_at(
        "RoleBinding",
        &role,
        &cluster_role,
        "roleRef.kind"
    ));
    // apiGroup: only RBAC's own.
    let mut grouped = role.clone();
    grouped["roleRef"]["apiGroup"] = json!("rbac.authorization.k8s.io");
    assert!(upgrade_at(
        "RoleBinding",
        &role,
        &grouped,
        "roleRef.apiGroup"
    ));
    grouped["roleRef"]["apiGroup"] = json!("example.com");
    assert!(!upgrade_at(
        "RoleBinding",
        &role,
        &grouped,
        "roleRef.apiGroup"
    ));
    let mut names = role.clone();
    names["userNames"] = json!(["dev"]);
    assert!(upgrade_at("RoleBinding", &names, &role, "userNames"));
    // The namespace's bookkeeping, and only the namespace's.
    let ns = json!({"kind": "Namespace", "metadata": {"name": "shop", "labels": {"x": "1"}},
        "spec": {"x": 1}});
    let mut labelled = ns.clone();
    labelled["metadata"]["labels"]["kubernetes.io/metadata.name"] = json!("shop");
    let path = r#"metadata.labels["kubernetes.io/metadata.name"]"#;
    assert!(upgrade_at("Namespace", &ns, &labelled, path));
    assert!(!upgrade_at("ConfigMap", &ns, &labelled, path));
    let mut finalized = ns.clone();
    finalized["spec"]["finalizers"] = json!(["kubernetes"]);
    assert!(upgrade_at("Namespace", &ns, &finalized, "spec.finalizers"));
    labelled["metadata"]["labels"] = json!({"x": "1", "team": "a"});
    assert!(!upgrade_at(
        "Namespace",
        &ns,
        &labelled,
        "metadata.labels.team"
    ));
}

#[test]
fn a_service_made_headless_is_a_change_a_new_cluster_ip_is_not() {
    let svc = |ip: &str| json!({"kind": "Service", "spec": {"clusterIP": ip}});
    assert_eq!(
        typed_hidden("Service", svc("10.0.0.1"), svc("10.0.0.2"))[0]
            .1
            .as_deref(),
        Some("service-cluster-ip")
    );
    assert_eq!(
        typed_hidden("Service", svc("10.0.0.1"), svc("None"))[0].1,
        None
    );
}
