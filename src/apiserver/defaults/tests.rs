//! The engine's contract (never overwrite, idempotent, explain) and the conditional defaults.

use super::*;
use proptest::prelude::*;
use serde_json::json;

fn deployment(pod_spec: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
           "spec": {"template": {"spec": pod_spec}}})
}

fn container_of(object: &Value) -> &Value {
    object
        .pointer("/spec/template/spec/containers/0")
        .expect("a container")
}

#[test]
fn the_table_is_well_formed() {
    let mut names = std::collections::HashSet::new();
    for entry in TABLE.iter() {
        assert!(names.insert(entry.name), "duplicate name {}", entry.name);
        assert!(
            !entry.doc.is_empty() && !entry.source.is_empty(),
            "{} undocumented",
            entry.name
        );
        assert!(!entry.path.is_empty(), "{}", entry.name);
        for kind in entry.kinds {
            assert!(
                kind.split_once(' ').is_some(),
                "{}: kind {kind:?}",
                entry.name
            );
        }
        if let Fill::Json(text) = entry.fill {
            assert!(
                serde_json::from_str::<Value>(text).is_ok(),
                "{}: bad JSON",
                entry.name
            );
        }
        assert_eq!(rule(entry.name).map(|r| r.name), Some(entry.name));
    }
    assert!(TABLE.len() > 100, "{} entries", TABLE.len());
}

#[test]
fn image_pull_policy_follows_the_tag() {
    let cases = [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("registry:5000/app", "Always"),
        ("registry:5000/app:1.0", "IfNotPresent"),
        (
            "app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "IfNotPresent",
        ),
    ];
    for (image, expected) in cases {
        let object = defaulted(&deployment(
            json!({"containers": [{"name": "a", "image": image}]}),
        ));
        assert_eq!(
            container_of(&object)["imagePullPolicy"],
            expected,
            "{image}"
        );
    }
    let explicit = deployment(
        json!({"containers": [{"name": "a", "image": "nginx", "imagePullPolicy": "Never"}]}),
    );
    assert_eq!(
        container_of(&defaulted(&explicit))["imagePullPolicy"],
        "Never"
    );
}

#[test]
fn service_target_port_is_the_port() {
    let service = json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [
        {"port": 80},
        {"port": 443, "targetPort": "https"},
        {"port": 8080, "targetPort": 0},
        {"port": 9090, "targetPort": ""},
    ]}});
    let d = defaulted(&service);
    let ports = &d["spec"]["ports"];
    assert_eq!(
        ports[0],
        json!({"port": 80, "protocol": "TCP", "targetPort": 80})
    );
    assert_eq!(ports[1]["targetPort"], "https");
    assert_eq!(ports[2]["targetPort"], 8080, "0 is unset upstream");
    assert_eq!(ports[3]["targetPort"], 9090, "\"\" is unset upstream");
    assert_eq!(d["spec"]["type"], "ClusterIP");
    assert_eq!(d["spec"]["sessionAffinity"], "None");
    assert_eq!(d["spec"]["internalTrafficPolicy"], "Cluster");
    assert_eq!(d["spec"]["ipFamilies"], json!(["IPv4"]));
    assert_eq!(d["spec"]["ipFamilyPolicy"], "SingleStack");
    assert!(d["spec"].get("externalTrafficPolicy").is_none());
    assert!(d["spec"].get("allocateLoadBalancerNodePorts").is_none());
}

#[test]
fn service_type_dependent_defaults() {
    let service =
        |spec: Value| defaulted(&json!({"apiVersion": "v1", "kind": "Service", "spec": spec}));
    let node_port = service(json!({"type": "NodePort"}));
    assert_eq!(node_port["spec"]["externalTrafficPolicy"], "Cluster");
    assert!(
        node_port["spec"]
            .get("allocateLoadBalancerNodePorts")
            .is_none()
    );
    let lb = service(json!({"type": "LoadBalancer"}));
    assert_eq!(lb["spec"]["allocateLoadBalancerNodePorts"], true);
    let external_ips = service(json!({"externalIPs": ["198.51.100.7"]}));
    assert_eq!(external_ips["spec"]["externalTrafficPolicy"], "Cluster");
    let external_name = service(json!({"type": "ExternalName", "externalName": "db.example.com"}));
    for absent in ["ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy"] {
        assert!(external_name["spec"].get(absent).is_none(), "{absent}");
    }
    let headless = service(json!({"clusterIP": "None"}));
    assert_eq!(headless["spec"]["ipFamilyPolicy"], "RequireDualStack");
    assert_eq!(headless["spec"]["clusterIPs"], json!(["None"]));
    let headless_selected = service(json!({"clusterIP": "None", "selector": {"app": "db"}}));
    assert_eq!(headless_selected["spec"]["ipFamilyPolicy"], "SingleStack");
    let sticky = service(json!({"sessionAffinity": "ClientIP"}));
    assert_eq!(
        sticky["spec"]["sessionAffinityConfig"],
        json!({"clientIP": {"timeoutSeconds": 10800}})
    );
}

#[test]
fn job_templates_get_no_restart_policy() {
    let pod_spec = json!({"containers": [{"name": "a", "image": "busybox:1"}]});
    let job = json!({"apiVersion": "batch/v1", "kind": "Job",
                     "spec": {"template": {"spec": pod_spec.clone()}}});
    let cronjob = json!({"apiVersion": "batch/v1", "kind": "CronJob",
        "spec": {"schedule": "@daily", "jobTemplate": {"spec": {"template": {"spec": pod_spec.clone()}}}}});
    let job = defaulted(&job);
    assert!(job.pointer("/spec/template/spec/restartPolicy").is_none());
    assert_eq!(
        job.pointer("/spec/template/spec/dnsPolicy"),
        Some(&json!("ClusterFirst"))
    );
    let cronjob = defaulted(&cronjob);
    assert!(
        cronjob
            .pointer("/spec/jobTemplate/spec/template/spec/restartPolicy")
            .is_none()
    );
    assert!(
        cronjob
            .pointer("/spec/jobTemplate/spec/backoffLimit")
            .is_none(),
        "JobSpec of a CronJob"
    );
    assert_eq!(cronjob["spec"]["concurrencyPolicy"], "Allow");
    let deployment = defaulted(&deployment(pod_spec));
    assert_eq!(
        deployment.pointer("/spec/template/spec/restartPolicy"),
        Some(&json!("Always"))
    );
}

#[test]
fn job_completions_only_without_parallelism() {
    let job =
        |spec: Value| defaulted(&json!({"apiVersion": "batch/v1", "kind": "Job", "spec": spec}));
    let plain = job(json!({}));
    assert_eq!(
        (&plain["spec"]["completions"], &plain["spec"]["parallelism"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(plain["spec"]["backoffLimit"], 6);
    assert_eq!(plain["spec"]["podReplacementPolicy"], "TerminatingOrFailed");
    let parallel = job(json!({"parallelism": 3}));
    assert!(parallel["spec"].get("completions").is_none());
    let per_index = job(
        json!({"backoffLimitPerIndex": 1, "podFailurePolicy": {"rules": [
        {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]}}),
    );
    assert_eq!(per_index["spec"]["backoffLimit"], 2_147_483_647);
    assert_eq!(per_index["spec"]["podReplacementPolicy"], "Failed");
    assert_eq!(
        per_index.pointer("/spec/podFailurePolicy/rules/0/onPodConditions/0/status"),
        Some(&json!("True"))
    );
}

#[test]
fn network_policy_types() {
    let policy = |spec: Value| {
        defaulted(
            &json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "spec": spec}),
        )
    };
    assert_eq!(policy(json!({}))["spec"]["policyTypes"], json!(["Ingress"]));
    assert_eq!(
        policy(json!({"egress": []}))["spec"]["policyTypes"],
        json!(["Ingress"])
    );
    let egress = policy(json!({"egress": [{"ports": [{"port": 53}]}]}));
    assert_eq!(egress["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
    assert_eq!(
        egress.pointer("/spec/egress/0/ports/0/protocol"),
        Some(&json!("TCP"))
    );
    assert_eq!(egress["spec"]["podSelector"], json!({}));
    let explicit = policy(json!({"policyTypes": ["Egress"]}));
    assert_eq!(explicit["spec"]["policyTypes"], json!(["Egress"]));
}

#[test]
fn probes_are_defaulted_only_where_they_exist() {
    let object = defaulted(&deployment(
        json!({"containers": [{"name": "a", "image": "x:1",
        "livenessProbe": {"httpGet": {"port": 8080}, "periodSeconds": 0},
        "lifecycle": {"preStop": {"httpGet": {"port": 8080, "path": "/stop"}}}}]}),
    ));
    let c = container_of(&object);
    assert_eq!(
        c["livenessProbe"],
        json!({"httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"}, "periodSeconds": 10,
               "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3})
    );
    assert_eq!(c["lifecycle"]["preStop"]["httpGet"]["scheme"], "HTTP");
    assert_eq!(c["lifecycle"]["preStop"]["httpGet"]["path"], "/stop");
    assert!(c.get("readinessProbe").is_none() && c.get("startupProbe").is_none());
}

#[test]
fn strategies_depend_on_their_type() {
    let recreate = defaulted(&json!({"apiVersion": "apps/v1", "kind": "Deployment",
                                     "spec": {"strategy": {"type": "Recreate"}}}));
    assert_eq!(recreate["spec"]["strategy"], json!({"type": "Recreate"}));
    let sts = |spec: Value| {
        defaulted(&json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "spec": spec}))
    };
    assert_eq!(
        sts(json!({}))["spec"]["updateStrategy"],
        json!({"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"})
    );
    assert_eq!(
        sts(json!({"updateStrategy": {"type": "RollingUpdate"}}))["spec"]["updateStrategy"],
        json!({"type": "RollingUpdate"}),
        "upstream creates rollingUpdate only when it defaults the type"
    );
    let ds = defaulted(&json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
                               "spec": {"updateStrategy": {"type": "RollingUpdate"}}}));
    assert_eq!(
        ds["spec"]["updateStrategy"]["rollingUpdate"],
        json!({"maxUnavailable": 1, "maxSurge": 0})
    );
}

#[test]
fn hpa_behavior_only_when_set() {
    let hpa = |spec: Value| {
        defaulted(
            &json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "spec": spec}),
        )
    };
    let plain = hpa(json!({"maxReplicas": 5}));
    assert_eq!(plain["spec"]["minReplicas"], 1);
    assert!(plain["spec"].get("behavior").is_none());
    assert_eq!(
        plain.pointer("/spec/metrics/0/resource/target/averageUtilization"),
        Some(&json!(80))
    );
    let custom = hpa(
        json!({"behavior": {"scaleDown": {"stabilizationWindowSeconds": 60,
        "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}]}}}),
    );
    let behavior = &custom["spec"]["behavior"];
    assert_eq!(behavior["scaleUp"]["stabilizationWindowSeconds"], 0);
    assert_eq!(
        behavior["scaleUp"]["policies"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        behavior["scaleDown"]["policies"],
        json!([{"type": "Pods", "value": 1, "periodSeconds": 60}])
    );
    assert_eq!(behavior["scaleDown"]["stabilizationWindowSeconds"], 60);
    assert_eq!(behavior["scaleDown"]["selectPolicy"], "Max");
}

#[test]
fn deployment_config_rolling_parameters() {
    let dc = |strategy: Value| {
        defaulted(
            &json!({"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig",
                          "metadata": {"namespace": "shop"}, "spec": {"strategy": strategy,
                          "triggers": [{"type": "ImageChange", "imageChangeParams": {"from": {"name": "web:latest"}}}]}}),
        )
    };
    let plain = dc(json!({}));
    assert_eq!(
        plain["spec"]["strategy"],
        json!({"type": "Rolling", "rollingParams": {"updatePeriodSeconds": 1, "intervalSeconds": 1,
               "timeoutSeconds": 600, "maxUnavailable": "25%", "maxSurge": "25%"},
               "activeDeadlineSeconds": 21600, "resources": {}})
    );
    assert_eq!(
        plain.pointer("/spec/triggers/0/imageChangeParams/from"),
        Some(&json!({"name": "web:latest", "kind": "ImageStreamTag", "namespace": "shop"}))
    );
    assert_eq!(plain["spec"]["revisionHistoryLimit"], 10);
    let params =
        |p: Value| dc(json!({"rollingParams": p}))["spec"]["strategy"]["rollingParams"].clone();
    assert_eq!(params(json!({"maxSurge": 0}))["maxUnavailable"], "25%");
    assert_eq!(params(json!({"maxUnavailable": "0%"}))["maxSurge"], "25%");
    let only_surge = params(json!({"maxSurge": "50%"}));
    assert!(
        only_surge.get("maxUnavailable").is_none(),
        "upstream leaves it unset"
    );
    let recreate = dc(json!({"type": "Recreate"}));
    assert_eq!(
        recreate["spec"]["strategy"]["recreateParams"],
        json!({"timeoutSeconds": 600})
    );
    assert!(recreate["spec"]["strategy"].get("rollingParams").is_none());
    let legacy = defaulted(&json!({"apiVersion": "v1", "kind": "DeploymentConfig", "spec": {}}));
    assert!(
        legacy["spec"].get("revisionHistoryLimit").is_none(),
        "legacy API"
    );
}

#[test]
fn pod_only_defaults() {
    let spec = json!({"containers": [{"name": "a", "image": "x:1",
        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "100m"}}}]});
    let mut as_pod = spec.clone();
    apply_pod_spec(&mut as_pod, PodSpecOwner::Pod);
    assert_eq!(as_pod["enableServiceLinks"], true);
    assert_eq!(
        as_pod["containers"][0]["resources"]["requests"],
        json!({"cpu": "100m", "memory": "1Gi"})
    );
    let mut as_template = spec;
    apply_pod_spec(&mut as_template, PodSpecOwner::Template);
    assert!(as_template.get("enableServiceLinks").is_none());
    assert_eq!(
        as_template["containers"][0]["resources"]["requests"],
        json!({"cpu": "100m"})
    );
    assert_eq!(as_template["restartPolicy"], "Always");
}

#[test]
fn service_account_alias_both_ways() {
    let d = defaulted(&deployment(
        json!({"serviceAccountName": "builder", "containers": []}),
    ));
    assert_eq!(
        d.pointer("/spec/template/spec/serviceAccount"),
        Some(&json!("builder"))
    );
    let d = defaulted(&deployment(
        json!({"serviceAccount": "old", "containers": []}),
    ));
    assert_eq!(
        d.pointer("/spec/template/spec/serviceAccountName"),
        Some(&json!("old"))
    );
}

#[test]
fn explained_defaults_name_their_entry() {
    let mut object = deployment(json!({"containers": [{"name": "a", "image": "x:1"}]}));
    let filled = apply_explained(&mut object);
    assert!(filled.contains(&Filled {
        pointer: "/spec/template/spec/containers/0/imagePullPolicy".into(),
        rule: "container-image-pull-policy",
    }));
    assert!(filled.contains(&Filled {
        pointer: "/spec/strategy/rollingUpdate/maxSurge".into(),
        rule: "deployment-max-surge",
    }));
    assert!(apply_explained(&mut object).is_empty(), "idempotent");
}

#[test]
fn default_for_and_is_default() {
    let live = defaulted(&deployment(
        json!({"containers": [{"name": "a", "image": "x:1"}]}),
    ));
    let pointer = "/spec/template/spec/containers/0/imagePullPolicy";
    assert_eq!(
        is_default(&live, pointer),
        Some("container-image-pull-policy")
    );
    assert_eq!(
        is_default(&live, "/spec/strategy"),
        Some("deployment-strategy-type")
    );
    let mut changed = live.clone();
    if let Some(p) = changed.pointer_mut(pointer) {
        *p = json!("Always");
    }
    assert_eq!(
        is_default(&changed, pointer),
        None,
        "Always is not the default for x:1"
    );
    let (rules, value) = default_for(&changed, pointer).expect("a default");
    assert_eq!(
        (rules, value),
        (vec!["container-image-pull-policy"], json!("IfNotPresent"))
    );
    assert_eq!(
        is_default(&live, "/spec/template/spec/containers/0/name"),
        None
    );
    assert_eq!(is_default(&live, "/spec/template/spec/containers/0"), None);
}

#[test]
fn untyped_and_malformed_objects_are_left_alone() {
    for object in [
        json!(null),
        json!([1, 2]),
        json!({"kind": "Deployment"}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": "oops"}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"strategy": 3,
               "template": {"spec": {"containers": "no", "volumes": [null, 1]}}}}),
    ] {
        let d = defaulted(&object);
        if !object.is_object() || object.get("apiVersion").is_none() || object["spec"].is_string() {
            assert_eq!(d, object);
        }
        assert_eq!(defaulted(&d), d);
    }
    assert!(!covers(&json!({"apiVersion": "v1", "kind": "ConfigMap"})));
    assert!(covers(&json!({"apiVersion": "v1", "kind": "Pod"})));
}

// ---- The contract, on random objects --------------------------------------------------------

/// Field names the table knows, so random objects hit its paths.
const KEYS: &[&str] = &[
    "spec",
    "template",
    "containers",
    "initContainers",
    "image",
    "imagePullPolicy",
    "ports",
    "port",
    "targetPort",
    "protocol",
    "containerPort",
    "strategy",
    "type",
    "rollingUpdate",
    "maxSurge",
    "replicas",
    "volumes",
    "secret",
    "configMap",
    "defaultMode",
    "livenessProbe",
    "httpGet",
    "scheme",
    "periodSeconds",
    "policyTypes",
    "egress",
    "behavior",
    "selector",
    "metadata",
    "labels",
    "name",
    "updateStrategy",
    "partition",
    "sessionAffinity",
    "clusterIP",
    "hostNetwork",
    "resources",
    "limits",
    "requests",
    "triggers",
    "rollingParams",
    "roleRef",
    "subjects",
    "kind",
    "webhooks",
    "tls",
    "to",
    "jobTemplate",
    "completions",
    "parallelism",
];

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-2i64..100).prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "RollingUpdate",
            "nginx",
            "x:1",
            "ClientIP",
            "User",
            "Rolling"
        ])
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|pairs| {
                Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

fn arb_object() -> impl Strategy<Value = Value> {
    let types = vec![
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("batch/v1", "Job"),
        ("batch/v1", "CronJob"),
        ("v1", "Pod"),
        ("v1", "Service"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("apps.openshift.io/v1", "DeploymentConfig"),
        ("route.openshift.io/v1", "Route"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("v1", "ReplicationController"),
        (
            "admissionregistration.k8s.io/v1",
            "MutatingWebhookConfiguration",
        ),
    ];
    (prop::sample::select(types), arb_json(), arb_json()).prop_map(|((api, kind), spec, extra)| {
        json!({"apiVersion": api, "kind": kind, "metadata": {"name": "x", "namespace": "n"},
               "spec": spec, "webhooks": extra.clone(), "subjects": extra.clone(), "roleRef": extra})
    })
}

/// Every leaf of `value` that holds something other than a Go zero value, with its pointer.
fn set_leaves(value: &Value, pointer: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                set_leaves(v, format!("{pointer}/{}", crate::apiserver::escape(k)), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                set_leaves(v, format!("{pointer}/{i}"), out);
            }
        }
        v if !crate::apiserver::is_go_zero(v) => out.push((pointer, v.clone())),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn apply_never_changes_a_set_field_and_is_idempotent(object in arb_object()) {
        let once = defaulted(&object);
        let mut leaves = Vec::new();
        set_leaves(&object, String::new(), &mut leaves);
        for (pointer, value) in leaves {
            prop_assert_eq!(once.pointer(&pointer), Some(&value), "{} changed", pointer);
        }
        prop_assert_eq!(defaulted(&once), once);
    }
}

/// Realistic objects, fully defaulted, whose fields the property below removes or rewrites.
fn rich_objects() -> Vec<Value> {
    let pod_spec = json!({"hostNetwork": true, "serviceAccountName": "sa",
        "containers": [{"name": "a", "image": "registry:5000/app",
            "ports": [{"containerPort": 8080}],
            "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
            "readinessProbe": {"httpGet": {"port": 8080}},
            "resources": {"limits": {"cpu": "1"}}}],
        "volumes": [{"name": "s", "secret": {"secretName": "s"}}, {"name": "e"},
                    {"name": "p", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}}]});
    vec![
        defaulted(&json!({"apiVersion": "v1", "kind": "Pod", "spec": pod_spec.clone()})),
        defaulted(&deployment(pod_spec.clone())),
        defaulted(
            &json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "spec": {
            "template": {"spec": pod_spec},
            "volumeClaimTemplates": [{"metadata": {"name": "d"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]}}),
        ),
        defaulted(
            &json!({"apiVersion": "v1", "kind": "Service", "spec": {"type": "LoadBalancer",
            "sessionAffinity": "ClientIP", "ports": [{"port": 80}]}}),
        ),
        defaulted(
            &json!({"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig",
            "metadata": {"namespace": "n"}, "spec": {"triggers": [{"type": "ImageChange",
            "imageChangeParams": {"from": {"name": "i:1"}}}]}}),
        ),
        defaulted(
            &json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "spec": {"behavior": {}}}),
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn removed_or_rewritten_fields_come_back_or_stay(
        which in 0usize..6,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..4), 1..8),
    ) {
        let mut object = rich_objects()[which].clone();
        for (index, edit) in edits {
            let mut leaves = Vec::new();
            set_leaves(&object, String::new(), &mut leaves);
            if leaves.is_empty() {
                break;
            }
            let (pointer, _) = leaves[index.index(leaves.len())].clone();
            let Some((parent, key)) = pointer.rsplit_once('/') else { continue };
            let replacement = match edit {
                0 => None,
                1 => Some(json!("Custom")),
                2 => Some(json!(7)),
                _ => Some(json!({"nested": true})),
            };
            match (object.pointer_mut(parent), replacement) {
                (Some(Value::Object(map)), None) => { map.shift_remove(key); }
                (Some(Value::Object(map)), Some(v)) => { map.insert(key.to_string(), v); }
                (Some(Value::Array(items)), Some(v)) => {
                    if let Ok(i) = key.parse::<usize>() { items[i] = v; }
                }
                _ => {}
            }
        }
        let once = defaulted(&object);
        let mut leaves = Vec::new();
        set_leaves(&object, String::new(), &mut leaves);
        for (pointer, value) in leaves {
            prop_assert_eq!(once.pointer(&pointer), Some(&value), "{} changed", pointer);
        }
        prop_assert_eq!(defaulted(&once), once);
    }
}
