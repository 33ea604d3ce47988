//! The security table: facts per kind, the comparison and what a change touches.

use super::*;
use crate::diff::Op;
use crate::diff::value::{ValueOptions, diff};
use serde_json::json;

fn facts(kind: &str, object: Value) -> Vec<String> {
    Facts::of(kind, &object).iter().map(|f| f.what).collect()
}

fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}, "spec": spec})
}

/// Every setting of the pod part of the table, where a template keeps it too.
#[test]
fn pod_settings_that_grant_are_facts_and_those_that_restrict_are_not() {
    let granting = json!({
        "hostNetwork": true, "hostPID": true, "hostIPC": true, "hostUsers": false,
        "automountServiceAccountToken": true, "serviceAccountName": "deployer",
        "securityContext": {"runAsUser": 0, "runAsNonRoot": false,
            "seLinuxOptions": {"type": "spc_t"}, "seccompProfile": {"type": "Unconfined"}},
        "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
        "containers": [{"name": "c", "ports": [{"containerPort": 80, "hostPort": 80}],
            "volumeMounts": [{"name": "root", "mountPath": "/host"}],
            "securityContext": {"privileged": true, "allowPrivilegeEscalation": true,
                "capabilities": {"add": ["sys_admin"]}, "procMount": "Unmasked",
                "appArmorProfile": {"type": "Unconfined"}}}]});
    let found = facts("Pod", pod(granting.clone()));
    for expected in [
        "spec.hostNetwork: true",
        "spec.hostPID: true",
        "spec.hostIPC: true",
        "spec.hostUsers: false",
        "spec.automountServiceAccountToken: true",
        "spec.serviceAccountName: deployer",
        "spec.securityContext.runAsUser: 0",
        "spec.securityContext.runAsNonRoot: false",
        "spec.securityContext.seLinuxOptions.type: \"spc_t\"",
        "spec.securityContext.seccompProfile.type: \"Unconfined\"",
        "spec.volumes[root].hostPath: {\"path\":\"/\",\"type\":\"\"}",
        "spec.containers[c].ports[80].hostPort: 80",
        "spec.containers[c].volumeMounts[/host]: hostPath \"/\" writable",
        "spec.containers[c].securityContext.privileged: true",
        "spec.containers[c].securityContext.allowPrivilegeEscalation: true",
        "spec.containers[c].securityContext.capabilities.add: \"SYS_ADMIN\"",
        "spec.containers[c].securityContext.procMount: \"Unmasked\"",
        "spec.containers[c].securityContext.appArmorProfile.type: \"Unconfined\"",
    ] {
        assert!(
            found.contains(&expected.to_string()),
            "{expected}: {found:?}"
        );
    }
    // The same settings in a Deployment's template, and in a CronJob's.
    let deployment =
        json!({"kind": "Deployment", "spec": {"template": {"spec": granting.clone()}}});
    assert!(
        facts("Deployment", deployment).contains(&"spec.template.spec.hostPID: true".to_string())
    );
    let cron = json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": granting}}}}});
    assert!(
        facts("CronJob", cron)
            .contains(&"spec.jobTemplate.spec.template.spec.hostPID: true".to_string())
    );
    // What restricted SCCs and admission write grants nothing.
    let restricted = json!({"serviceAccountName": "default", "serviceAccount": "default",
        "securityContext": {"runAsNonRoot": true, "fsGroup": 1000680000,
            "seLinuxOptions": {"level": "s0:c26,c15"}, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "securityContext": {"runAsUser": 1000680000,
            "allowPrivilegeEscalation": false, "privileged": false, "capabilities": {"drop": ["ALL"]}}}]});
    assert_eq!(facts("Pod", pod(restricted)), Vec::<String>::new());
}

#[test]
fn unconfined_profiles_by_annotation_are_facts() {
    let mut object = pod(json!({"containers": [{"name": "c"}]}));
    object["metadata"]["annotations"] = json!({
        "container.apparmor.security.beta.kubernetes.io/c": "unconfined",
        "seccomp.security.alpha.kubernetes.io/pod": "runtime/default"});
    assert_eq!(
        facts("Pod", object),
        [
            "metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/c\"]: \"unconfined\""
        ]
    );
    let template = json!({"kind": "Deployment", "spec": {"template": {"metadata": {"annotations":
        {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}}, "spec": {"containers": []}}}});
    assert_eq!(
        facts("Deployment", template),
        [
            "spec.template.metadata.annotations[\"seccomp.security.alpha.kubernetes.io/pod\"]: \"unconfined\""
        ]
    );
}

/// OpenShift 3's binding and its RBAC v1 form grant the same; another role or subject does not.
#[test]
fn bindings_are_read_alike_in_either_spelling() {
    let ocp3 = json!({"kind": "RoleBinding", "metadata": {"namespace": "shop"},
        "roleRef": {"name": "admin", "namespace": "shop"},
        "userNames": ["dev", "system:serviceaccount:shop:builder"], "groupNames": ["ops"],
        "subjects": [{"kind": "SystemUser", "name": "dev"}]});
    let v1 = json!({"kind": "RoleBinding", "metadata": {"namespace": "shop"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "admin"},
        "subjects": [{"kind": "User", "name": "dev", "apiGroup": "rbac.authorization.k8s.io"},
            {"kind": "ServiceAccount", "name": "builder"}, {"kind": "Group", "name": "ops"}]});
    assert_eq!(
        Facts::of("RoleBinding", &ocp3),
        Facts::of("RoleBinding", &v1)
    );
    assert!(Comparison::of("RoleBinding", Some(&ocp3), Some(&v1)).is_same());
    let mut cluster_wide = v1.clone();
    cluster_wide["roleRef"]["kind"] = json!("ClusterRole");
    assert!(!Comparison::of("RoleBinding", Some(&v1), Some(&cluster_wide)).is_same());
    assert_eq!(
        role_ref(&json!({"roleRef": {"name": "view"}})),
        Some(("ClusterRole".into(), "view".into()))
    );
}

#[test]
fn role_rules_are_sets_and_aggregated_rules_are_the_controllers() {
    let role = |rules: Value| json!({"kind": "ClusterRole", "rules": rules});
    let a = role(
        json!([{"apiGroups": [""], "resources": ["pods", "services"], "verbs": ["get", "list"]},
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}]),
    );
    let reordered = role(
        json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]},
        {"apiGroups": [""], "resources": ["services", "pods"], "verbs": ["list", "get"]}]),
    );
    assert!(Comparison::of("ClusterRole", Some(&a), Some(&reordered)).is_same());
    let mut wider = a.clone();
    wider["rules"][1]["verbs"] = json!(["*"]);
    assert!(!Comparison::of("ClusterRole", Some(&a), Some(&wider)).is_same());
    // An aggregated role's rules are a copy; its selector and the labels that feed it count.
    let mut aggregated = wider.clone();
    aggregated["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": {"x": "1"}}]});
    let mut copy = aggregated.clone();
    copy["rules"] = a["rules"].clone();
    assert!(Comparison::of("ClusterRole", Some(&aggregated), Some(&copy)).is_same());
    let mut feeding = a.clone();
    feeding["metadata"] =
        json!({"labels": {"rbac.authorization.k8s.io/aggregate-to-admin": "true"}});
    assert!(!Comparison::of("ClusterRole", Some(&a), Some(&feeding)).is_same());
}

#[test]
fn a_webhook_counts_but_its_injected_ca_bundle_does_not() {
    let hook = |bundle: &str, policy: &str| {
        json!({"kind": "MutatingWebhookConfiguration", "webhooks": [{"name": "w.example.com",
            "failurePolicy": policy, "clientConfig": {"caBundle": bundle, "service": {"name": "w", "namespace": "x"}}}]})
    };
    let kind = "MutatingWebhookConfiguration";
    assert!(Comparison::of(kind, Some(&hook("AAA", "Fail")), Some(&hook("BBB", "Fail"))).is_same());
    assert!(
        !Comparison::of(
            kind,
            Some(&hook("AAA", "Fail")),
            Some(&hook("AAA", "Ignore"))
        )
        .is_same()
    );
}

#[test]
fn other_kinds_of_the_table() {
    let policy = |types: Value| json!({"kind": "NetworkPolicy", "spec": {"podSelector": {}, "policyTypes": types}});
    assert!(
        !Comparison::of(
            "NetworkPolicy",
            Some(&policy(json!(["Ingress"]))),
            Some(&policy(json!(["Ingress", "Egress"])))
        )
        .is_same()
    );
    let account = json!({"kind": "ServiceAccount", "automountServiceAccountToken": false});
    assert_eq!(
        facts("ServiceAccount", account),
        ["automountServiceAccountToken: false"]
    );
    let ns = json!({"kind": "Namespace", "metadata": {"labels": {
        "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "restricted"}}});
    assert_eq!(
        facts("Namespace", ns),
        ["metadata.labels[\"pod-security.kubernetes.io/enforce\"]: privileged"]
    );
    let scc = json!({"kind": "SecurityContextConstraints", "metadata": {"name": "x"}, "allowPrivilegedContainer": true});
    assert_eq!(
        facts("SecurityContextConstraints", scc),
        ["allowPrivilegedContainer: true"]
    );
    assert!(
        facts(
            "ConfigMap",
            json!({"kind": "ConfigMap", "data": {"privileged": "true"}})
        )
        .is_empty()
    );
    assert!(!covers("ConfigMap") && covers("Pod") && covers("ClusterRoleBinding"));
    let template = json!({"kind": "PodTemplate", "template": {"spec": {"hostIPC": true}}});
    assert_eq!(
        facts("PodTemplate", template),
        ["template.spec.hostIPC: true"]
    );
    // Sysctls are the pod's (unsafe ones reach the node); a container has none.
    let sysctls = pod(
        json!({"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]},
        "containers": [{"name": "c", "securityContext": {"sysctls": [{"name": "x", "value": "1"}]}}]}),
    );
    assert_eq!(
        facts("Pod", sysctls),
        ["spec.securityContext.sysctls: {\"name\":\"kernel.msgmax\",\"value\":\"1\"}"]
    );
}

/// A change is sensitive where a gained or lost fact is: at it, above it (a whole container
/// or object) or below it; elsewhere in the same object it is not.
#[test]
fn a_change_touches_the_facts_where_it_is() {
    let old = pod(json!({"containers": [{"name": "c", "image": "a"}]}));
    let mut new = old.clone();
    new["spec"]["containers"][0]["image"] = json!("b");
    new["spec"]["containers"][0]["securityContext"] = json!({"privileged": true});
    let comparison = Comparison::of("Pod", Some(&old), Some(&new));
    let changes = diff("Pod", &old, &new, &ValueOptions::default());
    let touched: Vec<(String, bool)> = changes
        .iter()
        .map(|c| (c.path.human(), comparison.touched_by(c).is_some()))
        .collect();
    assert!(
        touched.contains(&("spec.containers[c].image".into(), false)),
        "{touched:?}"
    );
    assert!(
        touched.contains(&("spec.containers[c].securityContext".into(), true)),
        "{touched:?}"
    );
    let gone = Comparison::of("Pod", Some(&new), Some(&old));
    let removal = diff("Pod", &new, &old, &ValueOptions::default());
    let lost = removal
        .iter()
        .find_map(|c| gone.touched_by(c))
        .expect("losing privileged is a security change");
    assert!(
        !lost.gained && lost.describe().contains("no longer"),
        "{lost:?}"
    );
    // A whole object added touches everything it grants.
    let added = Comparison::of("Pod", None, Some(&new));
    let whole = Change {
        path: crate::diff::Path::default(),
        op: Op::Add,
        old: None,
        new: Some(new.clone()),
        secret: false,
        format_only: false,
        elided: None,
    };
    assert!(added.touched_by(&whole).is_some_and(|t| t.gained));
    assert_eq!(added.gained().count(), 1);
}

/// The first look rules out only what cannot concern a fact.
#[test]
fn may_touch_rules_out_only_places_without_facts() {
    let at = |pointer: &str| Change {
        path: crate::diff::Path(
            pointer
                .split('/')
                .skip(1)
                .map(|s| crate::diff::path::Segment::Field(s.into()))
                .collect(),
        ),
        op: Op::Replace,
        old: Some(json!(1)),
        new: Some(json!(2)),
        secret: false,
        format_only: false,
        elided: None,
    };
    for (kind, pointer, expected) in [
        ("Pod", "/spec/nodeName", false),
        ("Pod", "/status/podIP", false),
        ("Pod", "/metadata/labels/pod-template-hash", false),
        ("Pod", "/spec/containers/web/image", false),
        ("Pod", "/spec/containers/web/securityContext", true),
        ("Pod", "/spec/containers/web", true),
        ("Pod", "/spec/containers/web/ports", true),
        ("Pod", "/spec/volumes/token", true),
        ("Pod", "/spec/hostPID", true),
        ("Pod", "/spec", true),
        (
            "Pod",
            "/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod",
            true,
        ),
        ("Deployment", "/spec/replicas", false),
        ("Deployment", "/spec/template", true),
        ("Deployment", "/spec/template/spec/serviceAccountName", true),
        ("Deployment", "/spec/template/metadata/annotations/x", true),
        ("ConfigMap", "/data/x", false),
        ("RoleBinding", "/metadata/labels/x", true),
    ] {
        assert_eq!(may_touch(kind, &at(pointer)), expected, "{kind} {pointer}");
    }
}

#[test]
fn label_selectors_select_as_the_api_server_does() {
    let labels: BTreeMap<String, String> = [("team".to_string(), "shop".to_string())]
        .into_iter()
        .collect();
    assert!(selects(None, &labels));
    assert!(selects(Some(&json!({})), &labels));
    assert!(selects(
        Some(&json!({"matchLabels": {"team": "shop"}})),
        &labels
    ));
    assert!(!selects(
        Some(&json!({"matchLabels": {"team": "ops"}})),
        &labels
    ));
    let expression = |op: &str, values: Value| json!({"matchExpressions": [{"key": "team", "operator": op, "values": values}]});
    assert!(selects(Some(&expression("In", json!(["shop"]))), &labels));
    assert!(!selects(
        Some(&expression("NotIn", json!(["shop"]))),
        &labels
    ));
    assert!(selects(Some(&expression("Exists", json!([]))), &labels));
    assert!(!selects(
        Some(&expression("DoesNotExist", json!([]))),
        &labels
    ));
}

#[test]
fn a_gateway_listener_is_a_fact_only_when_open_to_other_namespaces() {
    let gateway = |allowed: Value| {
        json!({"kind": "Gateway", "spec": {"listeners": [
            {"name": "web", "port": 80},
            {"name": "https", "port": 443, "allowedRoutes": allowed}
        ]}})
    };
    let facts = |object: Value| -> Vec<String> {
        Facts::of("Gateway", &object)
            .iter()
            .map(|f| f.what.to_string())
            .collect()
    };
    assert!(facts(gateway(json!({"namespaces": {"from": "Same"}}))).is_empty());
    assert!(
        facts(gateway(json!({"namespaces": {}}))).is_empty(),
        "Same by default"
    );
    assert_eq!(
        facts(gateway(json!({"namespaces": {"from": "All"}}))),
        [r#"spec.listeners[https].allowedRoutes.namespaces: {"from":"All"}"#]
    );
    let selector = facts(gateway(json!({"namespaces": {"from": "Selector",
        "selector": {"matchLabels": {"shared": "yes"}}}})));
    assert_eq!(selector.len(), 1);
    assert!(selector[0].contains("shared"), "{selector:?}");
}
