//! Property: for random pod specs, in each mode (a plain comparison, `--desired`, a new pod of a
//! ReplicaSet, a replaced pod), granting any setting of the security table makes the exit status
//! 1 and the report names the field. No rule (noise, pairing, set-by-the-cluster) may hide it.
//! `PROPTEST_CASES` runs more cases.

mod common;

use common::{driftlab, stderr, stdout};
use proptest::prelude::*;
use serde_json::{Value, json};

/// One setting of the security table, granted: the word the report must show, and how to set it.
type Grant = (&'static str, fn(&mut Value));

const GRANTS: &[Grant] = &[
    ("privileged", |s| {
        s["containers"][0]["securityContext"]["privileged"] = json!(true)
    }),
    ("allowPrivilegeEscalation", |s| {
        s["containers"][0]["securityContext"]["allowPrivilegeEscalation"] = json!(true)
    }),
    ("SYS_ADMIN", |s| {
        s["containers"][0]["securityContext"]["capabilities"] = json!({"add": ["SYS_ADMIN"]})
    }),
    ("runAsUser", |s| {
        s["containers"][0]["securityContext"]["runAsUser"] = json!(0)
    }),
    ("runAsUser", |s| {
        s["securityContext"] = json!({"runAsUser": 0})
    }),
    ("runAsNonRoot", |s| {
        s["securityContext"] = json!({"runAsNonRoot": false})
    }),
    ("spc_t", |s| {
        s["containers"][0]["securityContext"]["seLinuxOptions"] = json!({"type": "spc_t"})
    }),
    ("Unconfined", |s| {
        s["securityContext"] = json!({"seccompProfile": {"type": "Unconfined"}})
    }),
    ("hostNetwork", |s| s["hostNetwork"] = json!(true)),
    ("hostPID", |s| s["hostPID"] = json!(true)),
    ("hostIPC", |s| s["hostIPC"] = json!(true)),
    ("hostPath", |s| {
        s["volumes"] = json!([{"name": "host", "hostPath": {"path": "/var/run"}}]);
        s["containers"][0]["volumeMounts"] = json!([{"name": "host", "mountPath": "/host"}]);
    }),
    ("hostPort", |s| {
        s["containers"][0]["ports"] = json!([{"containerPort": 8080, "hostPort": 80}])
    }),
    ("automountServiceAccountToken", |s| {
        s["automountServiceAccountToken"] = json!(true)
    }),
    ("serviceAccountName", |s| {
        s["serviceAccountName"] = json!("deployer")
    }),
];

#[derive(Clone, Copy, Debug)]
enum Mode {
    Plain,
    Desired,
    GeneratedPod,
    ReplacedPod,
}

fn pod_specs() -> impl Strategy<Value = Value> {
    (
        "[a-z]{1,8}",
        "[a-z]{1,8}:[0-9]\\.[0-9]",
        proptest::collection::btree_map("[A-Z]{1,6}", "[a-z0-9]{0,6}", 0..4),
        prop::option::of(1024u16..9000),
        prop::option::of(0u8..3),
    )
        .prop_map(|(name, image, env, port, context)| {
            let mut container =
                json!({"name": name, "image": format!("registry.example.com/{image}")});
            if !env.is_empty() {
                container["env"] = env
                    .into_iter()
                    .map(|(k, v)| json!({"name": k, "value": v}))
                    .collect();
            }
            if let Some(port) = port {
                container["ports"] = json!([{"containerPort": port}]);
            }
            // Settings that grant nothing, as restricted SCCs write them.
            match context {
                Some(0) => {
                    container["securityContext"] =
                        json!({"runAsNonRoot": true, "allowPrivilegeEscalation": false})
                }
                Some(1) => {
                    container["securityContext"] =
                        json!({"capabilities": {"drop": ["ALL"]}, "runAsUser": 1000680000})
                }
                _ => {}
            }
            json!({"containers": [container]})
        })
}

fn deployment(spec: &Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec}}})
}

fn replica_set(spec: &Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": "web-7d4b9", "namespace": "shop", "ownerReferences":
            [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "controller": true}]},
        "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec}}})
}

fn pod(name: &str, spec: &Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "ownerReferences":
            [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4b9", "controller": true}]},
        "spec": spec})
}

/// The old and new sides of `mode`, with `granted` the spec that holds the privilege.
fn sides(mode: Mode, spec: &Value, granted: &Value) -> (Vec<Value>, Vec<Value>) {
    let base = [deployment(spec), replica_set(spec)];
    let plus = |extra: Vec<Value>| base.iter().cloned().chain(extra).collect::<Vec<_>>();
    match mode {
        Mode::Plain => (vec![deployment(spec)], vec![deployment(granted)]),
        Mode::Desired => {
            let mut live = deployment(granted);
            live["metadata"]["managedFields"] = json!([{"manager": "kube-controller-manager",
                "operation": "Update", "apiVersion": "apps/v1", "time": "2026-12-01T02:00:00Z",
                "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:template": {}}}}]);
            (vec![deployment(spec)], vec![live])
        }
        Mode::GeneratedPod => (
            plus(vec![pod("web-7d4b9-aaaaa", spec)]),
            plus(vec![
                pod("web-7d4b9-aaaaa", spec),
                pod("web-7d4b9-bbbbb", granted),
            ]),
        ),
        Mode::ReplacedPod => (
            plus(vec![pod("web-7d4b9-aaaaa", spec)]),
            plus(vec![pod("web-7d4b9-ccccc", granted)]),
        ),
    }
}

fn run(old: &[Value], new: &[Value], mode: Mode) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, items: &[Value]| {
        let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
        common::write(dir.path(), name, list.to_string().as_bytes())
    };
    let (old, new) = (write("old.json", old), write("new.json", new));
    let mut command = driftlab();
    command.args(["diff", &old, &new, "--color", "never"]);
    if let Mode::Desired = mode {
        command.arg("--desired");
    }
    let output = command.output().unwrap();
    (
        output.status.code(),
        format!("{}{}", stdout(&output), stderr(&output)),
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(12),
        ..ProptestConfig::default()
    })]

    #[test]
    fn granting_any_setting_of_the_security_table_fails_the_check(
        spec in pod_specs(),
        grant in 0..GRANTS.len(),
        mode in prop_oneof![Just(Mode::Plain), Just(Mode::Desired), Just(Mode::GeneratedPod), Just(Mode::ReplacedPod)],
    ) {
        let (word, apply) = GRANTS[grant];
        let mut granted = spec.clone();
        apply(&mut granted);
        // The control: the same sides without the grant pass.
        let (old, quiet) = sides(mode, &spec, &spec);
        let (status, report) = run(&old, &quiet, mode);
        prop_assert_eq!(status, Some(0), "{:?} without {}: {}", mode, word, report);
        let (old, new) = sides(mode, &spec, &granted);
        let (status, report) = run(&old, &new, mode);
        prop_assert_eq!(status, Some(1), "{:?} with {}: {}", mode, word, report);
        prop_assert!(report.contains(word), "{:?}: {} not shown: {}", mode, word, report);
    }
}
