//! Each injection recognised, and — as much — what it must not claim.

use super::*;
use serde_json::json;

fn token_volume(name: &str) -> Value {
    json!({"name": name, "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                    "path": "namespace"}]}}]}})
}

fn mount(name: &str) -> Value {
    json!({"name": name, "mountPath": TOKEN_MOUNT_PATH, "readOnly": true})
}

fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n"}, "spec": spec})
}

fn rules(object: &Value) -> Vec<(String, &'static str)> {
    injected_fields(object)
        .into_iter()
        .map(|f| (f.pointer, f.rule))
        .collect()
}

#[test]
fn the_table_is_documented() {
    let mut names = std::collections::HashSet::new();
    for injection in INJECTIONS {
        assert!(names.insert(injection.name), "{}", injection.name);
        assert!(
            !injection.doc.is_empty() && !injection.source.is_empty(),
            "{}",
            injection.name
        );
    }
}

#[test]
fn the_token_volume_and_its_mounts() {
    let object = pod(json!({
        "containers": [{"name": "a", "volumeMounts": [mount("kube-api-access-x7k2p")]}],
        "initContainers": [{"name": "i", "volumeMounts": [mount("kube-api-access-x7k2p")]}],
        "volumes": [token_volume("kube-api-access-x7k2p")]}));
    assert_eq!(
        rules(&object),
        vec![
            ("/spec/volumes/0".into(), "service-account-token-volume"),
            (
                "/spec/containers/0/volumeMounts/0".into(),
                "service-account-token-mount"
            ),
            (
                "/spec/initContainers/0/volumeMounts/0".into(),
                "service-account-token-mount"
            ),
        ]
    );
}

#[test]
fn the_openshift_service_ca_source_belongs_to_the_token_volume() {
    let mut volume = token_volume("kube-api-access-9wzbl");
    if let Some(Value::Array(sources)) = volume.pointer_mut("/projected/sources") {
        sources.push(json!({"configMap": {"name": "openshift-service-ca.crt",
            "items": [{"key": "service-ca.crt", "path": "service-ca.crt"}]}}));
    }
    let object = pod(json!({"containers": [], "volumes": [volume]}));
    assert_eq!(
        is_injected(&object, "/spec/volumes/0/projected/sources/3"),
        Some("service-account-token-volume")
    );
}

#[test]
fn look_alike_volumes_are_not_claimed() {
    let mut extra_source = token_volume("kube-api-access-x7k2p");
    if let Some(Value::Array(sources)) = extra_source.pointer_mut("/projected/sources") {
        sources.push(json!({"secret": {"name": "mine"}}));
    }
    for volume in [
        token_volume("kube-api-access-abc"),   // not a generated suffix
        token_volume("kube-api-access-aeiou"), // vowels are never generated
        token_volume("my-api-access-x7k2p"),
        extra_source,
        json!({"name": "kube-api-access-x7k2p", "configMap": {"name": "c"}}),
    ] {
        let name = volume["name"].as_str().unwrap_or("").to_string();
        let object = pod(
            json!({"containers": [{"name": "a", "volumeMounts": [mount(&name)]}],
                                "volumes": [volume]}),
        );
        assert!(rules(&object).is_empty(), "{name}: {:?}", rules(&object));
    }
}

#[test]
fn legacy_token_secrets_need_their_mount() {
    let volume = json!({"name": "default-token-7m6xs",
                        "secret": {"secretName": "default-token-7m6xs", "defaultMode": 420}});
    let mounted = pod(
        json!({"containers": [{"name": "a", "volumeMounts": [mount("default-token-7m6xs")]}],
                             "volumes": [volume.clone()]}),
    );
    assert_eq!(
        rules(&mounted),
        vec![
            (
                "/spec/volumes/0".into(),
                "legacy-service-account-token-volume"
            ),
            (
                "/spec/containers/0/volumeMounts/0".into(),
                "service-account-token-mount"
            ),
        ]
    );
    let unmounted = pod(json!({"containers": [{"name": "a"}], "volumes": [volume]}));
    assert!(rules(&unmounted).is_empty());
    let other_secret = pod(
        json!({"containers": [{"name": "a", "volumeMounts": [mount("default-token-7m6xs")]}],
        "volumes": [{"name": "default-token-7m6xs", "secret": {"secretName": "mine"}}]}),
    );
    assert!(rules(&other_secret).is_empty());
}

#[test]
fn default_tolerations_exactly() {
    let not_ready = json!({"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                           "effect": "NoExecute", "tolerationSeconds": 300});
    let mut longer = not_ready.clone();
    longer["tolerationSeconds"] = json!(600);
    let mut with_value = not_ready.clone();
    with_value["value"] = json!("x");
    let object = pod(json!({"containers": [], "tolerations": [
        {"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"},
        not_ready, longer, with_value,
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
         "tolerationSeconds": 300}]}));
    assert_eq!(
        rules(&object),
        vec![
            ("/spec/tolerations/1".into(), "default-tolerations"),
            ("/spec/tolerations/4".into(), "default-tolerations"),
        ]
    );
}

#[test]
fn priority_from_no_class_or_a_builtin_class() {
    let case = |spec: Value| rules(&pod(spec));
    assert_eq!(
        case(json!({"priority": 0})),
        vec![("/spec/priority".into(), "priority")]
    );
    assert!(case(json!({"priority": 1000})).is_empty());
    assert!(case(json!({"priority": 0, "priorityClassName": "batch-low"})).is_empty());
    assert_eq!(
        case(json!({"priority": 2_000_001_000, "priorityClassName": "system-node-critical"})),
        vec![("/spec/priority".into(), "priority")]
    );
    assert_eq!(
        case(json!({"preemptionPolicy": "PreemptLowerPriority", "enableServiceLinks": true})),
        vec![
            ("/spec/enableServiceLinks".into(), "enable-service-links"),
            ("/spec/preemptionPolicy".into(), "preemption-policy"),
        ]
    );
    assert!(case(json!({"preemptionPolicy": "Never", "enableServiceLinks": false})).is_empty());
}

#[test]
fn pod_only_fields_are_not_claimed_in_templates() {
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": {
        "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority",
        "serviceAccountName": "default", "containers": []}}}});
    assert_eq!(
        rules(&deployment),
        vec![(
            "/spec/template/spec/serviceAccountName".into(),
            "service-account-default"
        )]
    );
}

#[test]
fn dockercfg_pull_secrets_of_the_pods_own_account() {
    let object = pod(
        json!({"serviceAccountName": "builder", "containers": [], "imagePullSecrets": [
        {"name": "builder-dockercfg-t6x4r"}, {"name": "default-dockercfg-t6x4r"}, {"name": "registry-creds"}]}),
    );
    assert_eq!(
        rules(&object),
        vec![(
            "/spec/imagePullSecrets/0".into(),
            "openshift-dockercfg-pull-secret"
        )]
    );
    let default_account =
        pod(json!({"containers": [], "imagePullSecrets": [{"name": "default-dockercfg-t6x4r"}]}));
    assert_eq!(rules(&default_account).len(), 1);
}

#[test]
fn scc_fields_only_on_admitted_pods() {
    let spec = json!({
        "securityContext": {"fsGroup": 1_000_680_000, "seLinuxOptions": {"level": "s0:c26,c15"}},
        "containers": [
            {"name": "a", "securityContext": {"runAsUser": 1_000_680_000,
             "capabilities": {"drop": ["KILL", "MKNOD", "SETGID", "SETUID"]}}},
            {"name": "b", "securityContext": {"runAsUser": 1001, "capabilities": {"drop": ["ALL"]},
             "runAsNonRoot": true}}]});
    assert!(
        rules(&pod(spec.clone())).is_empty(),
        "no openshift.io/scc annotation"
    );
    let mut admitted = pod(spec);
    admitted["metadata"]["annotations"] = json!({"openshift.io/scc": "restricted"});
    assert_eq!(
        rules(&admitted),
        vec![
            (
                "/spec/securityContext/fsGroup".into(),
                "openshift-scc-assigned"
            ),
            (
                "/spec/securityContext/seLinuxOptions".into(),
                "openshift-scc-assigned"
            ),
            (
                "/spec/containers/0/securityContext/runAsUser".into(),
                "openshift-scc-assigned"
            ),
            (
                "/spec/containers/0/securityContext/capabilities/drop".into(),
                "openshift-scc-assigned"
            ),
        ]
    );
    let mut typed = admitted.clone();
    typed["spec"]["securityContext"]["seLinuxOptions"]["type"] = json!("spc_t");
    assert!(
        !rules(&typed)
            .iter()
            .any(|(p, _)| p.ends_with("seLinuxOptions"))
    );
}

#[test]
fn strip_removes_injections_and_what_they_leave_empty() {
    let mut object = pod(json!({
        "serviceAccountName": "default", "serviceAccount": "default", "priority": 0,
        "containers": [{"name": "a", "image": "x:1", "volumeMounts": [mount("kube-api-access-x7k2p")]}],
        "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                         "effect": "NoExecute", "tolerationSeconds": 300}],
        "volumes": [token_volume("kube-api-access-x7k2p")]}));
    let stripped = strip_injected(&mut object);
    assert_eq!(stripped.len(), 6, "{stripped:?}");
    assert_eq!(
        object["spec"],
        json!({"containers": [{"name": "a", "image": "x:1"}]})
    );
    assert!(strip_injected(&mut object).is_empty());
}

#[test]
fn strip_keeps_indices_straight() {
    let volumes: Vec<Value> = (0..12)
        .map(|i| {
            if i % 5 == 0 {
                token_volume("kube-api-access-x7k2p")
            } else {
                json!({"name": format!("v{i}")})
            }
        })
        .collect();
    let mut object = pod(json!({"containers": [], "volumes": volumes}));
    strip_injected(&mut object);
    let names: Vec<&str> = object["spec"]["volumes"]
        .as_array()
        .map(|v| v.iter().filter_map(|v| v["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        names,
        ["v1", "v2", "v3", "v4", "v6", "v7", "v8", "v9", "v11"]
    );
}

#[test]
fn service_account_generated_secrets() {
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder"},
        "secrets": [{"name": "builder-token-7m6xs"}, {"name": "builder-dockercfg-t6x4r"}, {"name": "mine"}],
        "imagePullSecrets": [{"name": "builder-dockercfg-t6x4r"}, {"name": "other-dockercfg-t6x4r"}]});
    assert_eq!(
        rules(&sa),
        vec![
            ("/secrets/0".into(), "service-account-generated-secrets"),
            ("/secrets/1".into(), "service-account-generated-secrets"),
            (
                "/imagePullSecrets/0".into(),
                "service-account-generated-secrets"
            ),
        ]
    );
}

#[test]
fn ca_bundles_only_where_injection_was_asked_for() {
    let webhook = |annotations: Value| {
        json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
               "metadata": {"name": "w", "annotations": annotations},
               "webhooks": [{"name": "a", "clientConfig": {"caBundle": "LS0t"}}]})
    };
    assert!(rules(&webhook(json!({}))).is_empty());
    assert!(
        rules(&webhook(
            json!({"cert-manager.io/inject-apiserver-ca": "false"})
        ))
        .is_empty()
    );
    for annotations in [
        json!({"cert-manager.io/inject-ca-from": "ns/cert"}),
        json!({"service.beta.openshift.io/inject-cabundle": "true"}),
    ] {
        assert_eq!(
            rules(&webhook(annotations)),
            vec![(
                "/webhooks/0/clientConfig/caBundle".into(),
                "injected-ca-bundle"
            )]
        );
    }
    let config_map = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ca",
        "annotations": {"service.beta.openshift.io/inject-cabundle": "true"}},
        "data": {"service-ca.crt": "-----BEGIN", "other": "x"}});
    assert_eq!(
        rules(&config_map),
        vec![("/data/service-ca.crt".into(), "injected-ca-bundle")]
    );
}

#[test]
fn job_selectors_generated_by_the_server() {
    let uid = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    let job = |manual: bool| {
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
               "spec": {"manualSelector": manual,
                        "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}},
                        "template": {"metadata": {"labels": {"job-name": "migrate", "app": "m",
                                                            "controller-uid": "not-a-uid"}}}}})
    };
    assert_eq!(
        rules(&job(false)),
        vec![
            (
                "/spec/selector/matchLabels/batch.kubernetes.io~1controller-uid".into(),
                "job-generated-selector"
            ),
            (
                "/spec/template/metadata/labels/job-name".into(),
                "job-generated-selector"
            ),
        ]
    );
    assert!(rules(&job(true)).is_empty());
}

#[test]
fn namespace_and_storage_housekeeping() {
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n",
        "annotations": {"openshift.io/sa.scc.uid-range": "1000680000/10000", "team": "web"}}});
    assert_eq!(
        rules(&namespace),
        vec![(
            "/metadata/annotations/openshift.io~1sa.scc.uid-range".into(),
            "openshift-namespace-scc-annotations"
        )]
    );
    let pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": "c", "finalizers": ["example.com/keep", "kubernetes.io/pvc-protection"]}});
    assert_eq!(
        rules(&pvc),
        vec![(
            "/metadata/finalizers/1".into(),
            "storage-protection-finalizer"
        )]
    );
}

#[test]
fn malformed_objects_find_nothing() {
    for object in [
        json!(null),
        json!({"apiVersion": "v1", "kind": "Pod", "spec": "x"}),
        json!({"apiVersion": "v1", "kind": "Pod", "spec": {"volumes": "x", "containers": [1, null],
               "tolerations": [[]], "imagePullSecrets": {}}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "secrets": [{"name": 3}]}),
    ] {
        assert!(rules(&object).is_empty(), "{object}");
        let mut copy = object.clone();
        assert!(strip_injected(&mut copy).is_empty());
        assert_eq!(copy, object);
    }
}
