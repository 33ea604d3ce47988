//! Documented promises (README, docs/) that had no test through the command: each test is named
//! after the sentence it proves and runs `driftlab` as a user would (see tests/README.md for the
//! map).

mod common;

use std::path::Path;

use common::{driftlab, stderr, stdout};
use serde_json::Value;

/// Writes `old` and `new` (YAML or JSON manifests) into `dir` and runs `driftlab diff` on them
/// with `extra` arguments.
fn diff_docs(dir: &Path, old: &str, new: &str, extra: &[&str]) -> std::process::Output {
    let old = common::write(dir, "old/objects.yaml", old.as_bytes());
    let new = common::write(dir, "new/objects.yaml", new.as_bytes());
    driftlab()
        .args(["diff", &old, &new])
        .args(extra)
        .output()
        .unwrap()
}

fn json_report(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(output), stderr(output)))
}

// ---- What "semantic" means here: normalisation (src/normalize.rs) ----

/// "`null` values … are dropped", at any depth: inside list elements too.
#[test]
fn null_values_are_dropped_inside_list_elements_too() {
    let dir = tempfile::tempdir().unwrap();
    let old = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: p}\n\
spec:\n  template:\n    spec:\n      containers:\n      - {name: web, image: 'web:1', command: null, env: [{name: A, value: '1', valueFrom: null}]}\n";
    let new = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: p}\n\
spec:\n  template:\n    spec:\n      containers:\n      - {name: web, image: 'web:1', env: [{name: A, value: '1'}]}\n";
    let output = diff_docs(dir.path(), old, new, &["--all"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    // Not a null-only artefact of the test: a real value in the same place is a difference.
    let changed = new.replace("image: 'web:1', env", "image: 'web:1', command: [sh], env");
    let output = diff_docs(dir.path(), old, &changed, &["--name-only"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

/// A Secret's `data` value `null` is the empty value (`""`), not an absent key.
#[test]
fn a_null_secret_value_is_the_empty_value_not_a_removed_key() {
    let dir = tempfile::tempdir().unwrap();
    let secret = |data: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: p}}\ntype: Opaque\ndata: {data}\n"
        )
    };
    let output = diff_docs(
        dir.path(),
        &secret("{a: null, b: Yg==}"),
        &secret("{a: '', b: Yg==}"),
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let output = diff_docs(
        dir.path(),
        &secret("{a: null, b: Yg==}"),
        &secret("{b: Yg==}"),
        &["--output", "json"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_report(&output);
    let changes = &report["objects"][0]["changes"];
    assert_eq!(changes[0]["path"], "data.a", "{changes}");
    assert_eq!(changes[0]["op"], "remove", "{changes}");
}

// ---- Finding the impurity: noise rules (src/analyze/noise.rs, BUILTIN) ----

/// One object in `namespace: p`, as YAML.
fn object(api_version: &str, kind: &str, name: &str, body: &str) -> String {
    format!(
        "apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: p\n{body}"
    )
}

/// Each built-in noise rule that no other test names, with a pair of objects that differ only in
/// what the rule hides: hidden by default (exit 0), named by `--explain`, and a difference again
/// under `--no-default-noise`.
#[test]
fn each_builtin_noise_rule_hides_its_change_and_explain_names_it() {
    let pod = |extra: &str| {
        object(
            "v1",
            "Pod",
            "solo",
            &format!("spec:\n  containers:\n  - {{name: app, image: 'app:1'}}\n{extra}"),
        )
    };
    let cases: Vec<(&str, String, String)> = vec![
        (
            "deployment-revision",
            object("apps/v1", "Deployment", "web", "  annotations: {deployment.kubernetes.io/revision: '3'}\nspec:\n  replicas: 2\n"),
            object("apps/v1", "Deployment", "web", "  annotations: {deployment.kubernetes.io/revision: '4'}\nspec:\n  replicas: 2\n"),
        ),
        (
            "controller-labels",
            object("batch/v1", "Job", "pi", "  labels: {controller-uid: aaaa}\nspec:\n  backoffLimit: 2\n"),
            object("batch/v1", "Job", "pi", "  labels: {controller-uid: bbbb}\nspec:\n  backoffLimit: 2\n"),
        ),
        (
            "owner-uid",
            object("v1", "ConfigMap", "cfg", "  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: parent, uid: aaaa}]\ndata: {a: b}\n"),
            object("v1", "ConfigMap", "cfg", "  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: parent, uid: bbbb}]\ndata: {a: b}\n"),
        ),
        (
            "generate-name",
            object("v1", "ConfigMap", "cfg", "  generateName: cfg-\ndata: {a: b}\n"),
            object("v1", "ConfigMap", "cfg", "  generateName: cfg-x-\ndata: {a: b}\n"),
        ),
        (
            "service-cluster-ip",
            object("v1", "Service", "web", "spec:\n  clusterIP: 172.30.0.10\n  ports: [{port: 80}]\n  selector: {app: web}\n"),
            object("v1", "Service", "web", "spec:\n  clusterIP: 172.30.0.20\n  ports: [{port: 80}]\n  selector: {app: web}\n"),
        ),
        (
            "pv-claim-ref",
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv1}\nspec:\n  capacity: {storage: 1Gi}\n  claimRef: {namespace: p, name: data, uid: aaaa}\n".to_string(),
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv1}\nspec:\n  capacity: {storage: 1Gi}\n  claimRef: {namespace: p, name: data, uid: bbbb}\n".to_string(),
        ),
        (
            "pod-placement",
            pod("  nodeName: node-1\n"),
            pod("  nodeName: node-2\n"),
        ),
        (
            "service-account-token",
            object("v1", "ServiceAccount", "builder", "secrets: [{name: builder-token-aaaaa}]\n"),
            object("v1", "ServiceAccount", "builder", "secrets: [{name: builder-token-bbbbb}]\n"),
        ),
        (
            "openshift-generated-by",
            object("v1", "ConfigMap", "cfg", "  annotations: {openshift.io/generated-by: OpenShiftNewApp}\ndata: {a: b}\n"),
            object("v1", "ConfigMap", "cfg", "  annotations: {openshift.io/generated-by: OpenShiftWebConsole}\ndata: {a: b}\n"),
        ),
        (
            "openshift-deployment",
            object("v1", "ReplicationController", "web-1", "  annotations: {openshift.io/deployment.phase: Running}\nspec:\n  replicas: 1\n"),
            object("v1", "ReplicationController", "web-1", "  annotations: {openshift.io/deployment.phase: Complete}\nspec:\n  replicas: 1\n"),
        ),
        (
            "openshift-build",
            object("build.openshift.io/v1", "BuildConfig", "web", "  annotations: {openshift.io/build.number: '1'}\nspec:\n  runPolicy: Serial\n"),
            object("build.openshift.io/v1", "BuildConfig", "web", "  annotations: {openshift.io/build.number: '2'}\nspec:\n  runPolicy: Serial\n"),
        ),
        (
            "scc-assigned",
            pod("  securityContext: {fsGroup: 1000620000}\n"),
            pod("  securityContext: {fsGroup: 1000710000}\n"),
        ),
        (
            "route-generated-host",
            object("route.openshift.io/v1", "Route", "web", "  annotations: {openshift.io/host.generated: 'true'}\nspec:\n  host: web-p.apps.one.example\n  to: {kind: Service, name: web}\n"),
            object("route.openshift.io/v1", "Route", "web", "  annotations: {openshift.io/host.generated: 'true'}\nspec:\n  host: web-p.apps.two.example\n  to: {kind: Service, name: web}\n"),
        ),
        (
            "imagestream-tag-history",
            object("image.openshift.io/v1", "ImageStream", "web", "spec:\n  tags: [{name: latest, generation: 2}]\n"),
            object("image.openshift.io/v1", "ImageStream", "web", "spec:\n  tags: [{name: latest, generation: 3}]\n"),
        ),
        (
            "empty-list",
            object("rbac.authorization.k8s.io/v1", "Role", "reader", "rules: []\n"),
            object("rbac.authorization.k8s.io/v1", "Role", "reader", ""),
        ),
        (
            "service-node-port",
            object("v1", "Service", "web", "spec:\n  type: NodePort\n  ports: [{port: 80, nodePort: 30080}]\n  selector: {app: web}\n"),
            object("v1", "Service", "web", "spec:\n  type: NodePort\n  ports: [{port: 80}]\n  selector: {app: web}\n"),
        ),
        (
            "aggregated-rules",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: monitoring}\naggregationRule:\n  clusterRoleSelectors: [{matchLabels: {aggregate: 'true'}}]\nrules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n".to_string(),
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: monitoring}\naggregationRule:\n  clusterRoleSelectors: [{matchLabels: {aggregate: 'true'}}]\nrules: [{apiGroups: [''], resources: [pods, services], verbs: [get, list]}]\n".to_string(),
        ),
        (
            "pvc-binding",
            object("v1", "PersistentVolumeClaim", "data", "spec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n  volumeName: pv1\n"),
            object("v1", "PersistentVolumeClaim", "data", "spec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 1Gi}}\n"),
        ),
        (
            "admission-injected",
            pod(""),
            pod("  tolerations:\n  - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}\n  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 300}\n"),
        ),
        (
            "server-default",
            object("apps/v1", "Deployment", "web", "spec:\n  template:\n    spec:\n      containers:\n      - {name: web, image: 'web:1.2'}\n"),
            object("apps/v1", "Deployment", "web", "spec:\n  template:\n    spec:\n      containers:\n      - {name: web, image: 'web:1.2', imagePullPolicy: IfNotPresent}\n"),
        ),
    ];
    let mut failures = Vec::new();
    for (rule, old, new) in &cases {
        let dir = tempfile::tempdir().unwrap();
        let explained = diff_docs(dir.path(), old, new, &["--explain"]);
        let text = stdout(&explained);
        if explained.status.code() != Some(0) {
            failures.push(format!(
                "{rule}: exit {:?} by default\n{text}{}",
                explained.status.code(),
                stderr(&explained)
            ));
            continue;
        }
        if !text.contains(&format!("[{rule}]")) {
            failures.push(format!("{rule}: --explain does not name it\n{text}"));
            continue;
        }
        // The pair really differs: without the built-in rules it is a difference.
        let bare = diff_docs(dir.path(), old, new, &["--no-default-noise", "--name-only"]);
        if bare.status.code() != Some(1) {
            failures.push(format!(
                "{rule}: exit {:?} with --no-default-noise",
                bare.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ---- Finding the impurity: ranking; the JSON report's fields ----

/// Old and new sides of a pair with one change in each ranking category below rollouts and
/// used configuration, and the embedded-document, formatting-only and secret changes.
const RANKED_OLD: &str = r#"apiVersion: v1
kind: Service
metadata: {name: web, namespace: p}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: p}
spec: {podSelector: {}, policyTypes: [Ingress]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: edit, namespace: p}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}]
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: quota, namespace: p}
spec: {hard: {pods: "10"}}
---
apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: p}
spec: {limits: [{type: Container, default: {memory: 512Mi}}]}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: p}
spec: {maxReplicas: 5, minReplicas: 1, scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app, namespace: p}
data:
  app.json: '{"a": 1, "b": [1, 2]}'
  app.yaml: "server:\n  timeout: 30s\n"
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: p}
data: {password: czNjcjN0}
"#;

fn ranked_new() -> String {
    RANKED_OLD
        .replace("{app: web}, ports", "{app: web2}, ports")
        .replace("policyTypes: [Ingress]", "policyTypes: [Ingress, Egress]")
        .replace("name: alice", "name: mallory")
        .replace(r#"pods: "10""#, r#"pods: "20""#)
        .replace("memory: 512Mi", "memory: 1Gi")
        .replace("maxReplicas: 5", "maxReplicas: 9")
        .replace(
            r#"'{"a": 1, "b": [1, 2]}'"#,
            r#"'{ "a" : 1 , "b" : [ 1 , 2 ] }'"#,
        )
        .replace("timeout: 30s", "timeout: 3s")
        .replace("czNjcjN0", "b3RoZXI=")
}

/// The object `kind`/`name` of a JSON report.
fn report_object<'a>(report: &'a Value, kind: &str, name: &str) -> &'a Value {
    report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == kind && o["name"] == name)
        .unwrap_or_else(|| panic!("{kind} {name} not in {report}"))
}

/// "security-sensitive changes (RBAC grants, NetworkPolicy, …) first; … Service selectors and
/// ports, Route/Ingress backends and TLS; … quotas and limit ranges; other spec changes":
/// `security`, then `access`, then `quota`, then `spec`.
#[test]
fn ranking_puts_access_before_quotas_before_other_spec_changes() {
    let dir = tempfile::tempdir().unwrap();
    let output = diff_docs(dir.path(), RANKED_OLD, &ranked_new(), &["--output", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_report(&output);
    let expected = [
        ("Service", "web", "access"),
        ("NetworkPolicy", "deny", "security"),
        ("RoleBinding", "edit", "security"),
        ("ResourceQuota", "quota", "quota"),
        ("LimitRange", "limits", "quota"),
        ("HorizontalPodAutoscaler", "web", "spec"),
    ];
    for (kind, name, category) in expected {
        assert_eq!(
            report_object(&report, kind, name)["category"],
            category,
            "{kind} {name}"
        );
    }
    // The culprits list, most likely first, follows the categories' order.
    let order = ["security", "access", "quota", "spec", "metadata"];
    let positions: Vec<usize> = report["culprits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            order
                .iter()
                .position(|o| c["category"] == *o)
                .unwrap_or_else(|| panic!("unexpected category in {c}"))
        })
        .collect();
    assert!(positions.is_sorted(), "{}", report["culprits"]);
    for category in ["security", "access", "quota", "spec"] {
        assert!(
            report["culprits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["category"] == category),
            "no {category} culprit"
        );
    }
    let rank = |category: &str| {
        report["culprits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == category)
            .unwrap()["rank"]
            .as_u64()
            .unwrap()
    };
    assert!(rank("access") < rank("quota") && rank("quota") < rank("spec"));
}

/// `changes[].formatOnly`, `changes[].embedded`, `changes[].secret`.
#[test]
fn json_report_marks_format_only_embedded_and_secret_changes() {
    let dir = tempfile::tempdir().unwrap();
    let output = diff_docs(dir.path(), RANKED_OLD, &ranked_new(), &["--output", "json"]);
    let report = json_report(&output);
    let config = report_object(&report, "ConfigMap", "app")["changes"]
        .as_array()
        .unwrap();
    let json_change = config
        .iter()
        .find(|c| c["path"] == r#"data["app.json"]"#)
        .expect("the app.json change");
    assert_eq!(json_change["formatOnly"], true, "{json_change}");
    let yaml_change = config
        .iter()
        .find(|c| c["path"] == r#"data["app.yaml"].server.timeout"#)
        .expect("the change inside app.yaml");
    assert_eq!(yaml_change["pointer"], "/data/app.yaml", "{yaml_change}");
    assert_eq!(
        yaml_change["embedded"],
        serde_json::json!({"format": "yaml", "pointer": "/server/timeout"})
    );
    assert_eq!(
        (&yaml_change["old"], &yaml_change["new"]),
        (&Value::from("30s"), &Value::from("3s"))
    );
    assert!(yaml_change.get("formatOnly").is_none(), "{yaml_change}");
    // Only changes that are so carry the marks.
    let hpa = &report_object(&report, "HorizontalPodAutoscaler", "web")["changes"][0];
    for mark in ["formatOnly", "embedded", "secret", "hidden"] {
        assert!(hpa.get(mark).is_none(), "{mark} on {hpa}");
    }

    let secret = &report_object(&report, "Secret", "creds")["changes"][0];
    assert_eq!(secret["secret"], true);
    for side in ["old", "new"] {
        let shown = secret[side].as_str().unwrap();
        let hex = shown.strip_prefix("sha256:").unwrap_or("");
        assert!(
            hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit()),
            "{side} is not a fingerprint"
        );
    }
    assert_ne!(secret["old"], secret["new"]);
    let text = stdout(&output);
    for raw in ["czNjcjN0", "s3cr3t", "b3RoZXI=", "\"other\""] {
        assert!(!text.contains(raw), "a secret value is in the report");
    }
}

/// `changes[].hidden` (with `--all` or `--explain` only) and `objects[].oldApiVersion`.
#[test]
fn json_report_names_hidden_changes_and_the_old_api_version() {
    let dir = tempfile::tempdir().unwrap();
    let old = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web, namespace: p}\nspec: {replicas: 2}\n";
    let new = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: p}\nspec: {replicas: 3}\n";
    let all = json_report(&diff_docs(
        dir.path(),
        old,
        new,
        &["--output", "json", "--all"],
    ));
    let web = report_object(&all, "Deployment", "web");
    assert_eq!(web["apiVersion"], "apps/v1");
    assert_eq!(web["oldApiVersion"], "extensions/v1beta1");
    let changes = web["changes"].as_array().unwrap();
    let upgrade = changes
        .iter()
        .find(|c| c["path"] == "apiVersion")
        .expect("the apiVersion change, shown by --all");
    assert_eq!(upgrade["hidden"], "api-upgrade");
    let replicas = changes
        .iter()
        .find(|c| c["path"] == "spec.replicas")
        .unwrap();
    assert!(replicas.get("hidden").is_none(), "{replicas}");

    // By default the hidden change is left out and nothing is marked hidden.
    let plain = json_report(&diff_docs(dir.path(), old, new, &["--output", "json"]));
    let web = report_object(&plain, "Deployment", "web");
    assert_eq!(web["oldApiVersion"], "extensions/v1beta1");
    let changes = web["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{web}");
    assert!(changes[0].get("hidden").is_none());
    assert_eq!(plain["summary"]["noise_hidden"], 1);

    // No oldApiVersion when the version did not change.
    let same = new.replace("replicas: 3", "replicas: 4");
    let report = json_report(&diff_docs(dir.path(), new, &same, &["--output", "json"]));
    assert!(
        report_object(&report, "Deployment", "web")
            .get("oldApiVersion")
            .is_none()
    );
}

/// `ignored_changes`: changes left out by `--ignore`.
#[test]
fn json_report_counts_the_changes_ignore_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let new = ranked_new();
    let plain = json_report(&diff_docs(
        dir.path(),
        RANKED_OLD,
        &new,
        &["--output", "json"],
    ));
    assert_eq!(plain["ignored_changes"], 0);
    let ignored = json_report(&diff_docs(
        dir.path(),
        RANKED_OLD,
        &new,
        &[
            "--output",
            "json",
            "--ignore",
            "spec.maxReplicas",
            "--ignore",
            "spec.hard.*",
        ],
    ));
    assert_eq!(ignored["ignored_changes"], 2);
    // Both objects are unchanged now, and the others are still reported.
    let kinds: Vec<&str> = ignored["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert!(
        !kinds.contains(&"HorizontalPodAutoscaler") && !kinds.contains(&"ResourceQuota"),
        "{kinds:?}"
    );
    assert!(kinds.contains(&"Service"), "{kinds:?}");
    assert_eq!(
        ignored["summary"]["unchanged"].as_u64().unwrap(),
        plain["summary"]["unchanged"].as_u64().unwrap() + 2
    );
}

/// `objects[].newPattern` and `members` for a collapsed group of replaced pods.
#[test]
fn json_report_gives_a_collapsed_group_its_pattern_and_members() {
    let output = driftlab()
        .args(["diff", common::NIGHT1, common::NIGHT2, "--output", "json"])
        .output()
        .unwrap();
    let report = json_report(&output);
    let group = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o.get("newPattern").is_some())
        .expect("a collapsed group");
    assert_eq!(group["kind"], "Pod");
    assert_eq!(group["oldName"], "web-3-*");
    assert_eq!(group["newPattern"], "web-4-*");
    assert_eq!(group["category"], "churn");
    let members = group["members"].as_array().unwrap();
    assert_eq!(members.len(), 2, "{group}");
    for pair in members {
        let (old, new) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        assert!(
            old.starts_with("web-3-") && new.starts_with("web-4-"),
            "{pair}"
        );
    }
    assert!(
        group["relation"]
            .as_str()
            .unwrap()
            .contains("2 pods replaced")
    );
}

// ---- Exit status, warnings, colour ----

/// "Replaced and generated objects are churn: shown, counted, and not a reason for exit status 1."
#[test]
fn a_diff_of_churn_only_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = |pod: &str, owned: bool| {
        let text = r#"apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d8f
  namespace: p
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: 'web:1'}]
---
apiVersion: v1
kind: Pod
metadata:
  name: POD
  namespace: p
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8f, uid: u2, controller: true}]
spec:
  containers: [{name: web, image: 'web:1'}]
"#
        .replace("POD", pod);
        if owned {
            text
        } else {
            text.replace(
                "  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8f, uid: u2, controller: true}]\n",
                "",
            )
        }
    };
    let output = diff_docs(
        dir.path(),
        &snapshot("web-5d8f-aaaaa", true),
        &snapshot("web-5d8f-bbbbb", true),
        &[],
    );
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(
        text.contains("~ Pod web-5d8f-aaaaa → web-5d8f-bbbbb   replaced"),
        "shown: {text}"
    );
    assert!(text.contains("1 replaced or generated"), "counted: {text}");
    // The same pods without an owner are a removal and an addition: a difference.
    let output = diff_docs(
        dir.path(),
        &snapshot("web-5d8f-aaaaa", false),
        &snapshot("web-5d8f-bbbbb", false),
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
}

/// "Warnings about the input … go to stderr as `driftlab: warning: …` lines and do not change the
/// status; `--quiet` hides them."
#[test]
fn quiet_hides_warnings_and_notes_but_not_the_report_or_the_status() {
    let args = ["diff", common::NIGHT1, common::NIGHT2, "--name-only"];
    let loud = driftlab().args(args).output().unwrap();
    let quiet = driftlab().args(args).arg("--quiet").output().unwrap();
    assert!(
        stderr(&loud).contains("driftlab: warning: ") && stderr(&loud).contains("empty file"),
        "{}",
        stderr(&loud)
    );
    assert_eq!(stderr(&quiet), "");
    assert_eq!(loud.status.code(), Some(1));
    assert_eq!(quiet.status.code(), loud.status.code());
    assert_eq!(stdout(&quiet), stdout(&loud));
    // An error still gets its line.
    let error = driftlab()
        .args(["diff", common::NIGHT1, "/nonexistent.zip", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(error.status.code(), Some(2));
    assert!(
        stderr(&error).contains("/nonexistent.zip"),
        "{}",
        stderr(&error)
    );
}

/// `driftlab diff` on a terminal (through `script`, which gives it one), with `NO_COLOR` as set.
fn diff_on_a_terminal(no_color: Option<&str>) -> String {
    let binary = env!("CARGO_BIN_EXE_driftlab");
    let mut command = std::process::Command::new("script");
    command
        .args(["-qec"])
        .arg(format!(
            "{binary} diff {} {}",
            common::NIGHT1,
            common::NIGHT2
        ))
        .arg("/dev/null")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR");
    if let Some(value) = no_color {
        command.env("NO_COLOR", value);
    }
    let output = command.output().expect("script(1) runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// "Colour on a terminal (`--color auto|always|never`, `NO_COLOR` honoured)", end to end.
#[test]
fn no_color_turns_colour_off_on_a_terminal() {
    let coloured = diff_on_a_terminal(None);
    assert!(coloured.contains("Likely culprits"), "{coloured}");
    assert!(
        coloured.contains("\x1b["),
        "no colour on a terminal: {coloured}"
    );
    let plain = diff_on_a_terminal(Some("1"));
    assert!(plain.contains("Likely culprits"), "{plain}");
    assert!(!plain.contains('\x1b'), "colour despite NO_COLOR: {plain}");
    // An empty NO_COLOR does not count (no-color.org).
    assert!(diff_on_a_terminal(Some("")).contains("\x1b["));
}

// ---- Browsing an old backup with kubectl: serve is read-only ----

/// "`405` for every write", through `driftlab serve` over HTTP, and nothing changes.
#[test]
fn serve_answers_every_write_verb_with_405_and_changes_nothing() {
    let served = common::cluster::Served::start(common::NIGHT1);
    let object = "/apis/apps.openshift.io/v1/namespaces/myproject/deploymentconfigs/web";
    let before = common::cluster::get(&served.url, object);
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        for path in [
            object,
            "/apis/apps.openshift.io/v1/namespaces/myproject/deploymentconfigs",
            "/api/v1/namespaces/myproject/configmaps/does-not-exist",
            "/api/v1/namespaces",
        ] {
            let (status, body) = common::cluster::request(&served.url, method, path);
            assert_eq!(status, 405, "{method} {path}: {body}");
            let document: Value = serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("{method} {path}: {e}: {body}"));
            assert_eq!(document["kind"], "Status", "{method} {path}");
            assert_eq!(document["reason"], "MethodNotAllowed", "{method} {path}");
            assert_eq!(document["code"], 405, "{method} {path}");
        }
    }
    assert_eq!(common::cluster::get(&served.url, object), before);
}

// ---- Finding the impurity: generated objects are paired ----

/// A Deployment with its ReplicaSet, a CronJob with its Job, a content-hashed Secret, a DaemonSet
/// with its pod: the night before a rollout of each.
const ROLLOUT_OLD: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: p}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: 'web:1'}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d8f
  namespace: p
  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u1, controller: true}]
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: 'web:1'}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report, namespace: p}
spec:
  schedule: "0 1 * * *"
  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: r, image: 'report:1'}]}}}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: report-29000000
  namespace: p
  ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: report, uid: u3, controller: true}]
spec: {template: {spec: {restartPolicy: Never, containers: [{name: r, image: 'report:1'}]}}}
---
apiVersion: v1
kind: Secret
metadata: {name: creds-7h2k9m4b5t, namespace: p}
type: Opaque
data: {user: YWRtaW4=, password: czNjcjN0}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: p}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: 'agent:1'}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: agent-x7k2p
  namespace: p
  labels: {app: agent}
  ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: agent, uid: u4, controller: true}]
spec: {containers: [{name: agent, image: 'agent:1'}]}
"#;

fn rollout_new(old: &str) -> String {
    old.replace("web-5d8f", "web-7c9a")
        .replace("image: 'web:1'", "image: 'web:2'")
        .replace("report-29000000", "report-29000060")
        .replace("creds-7h2k9m4b5t", "creds-9c4f8d2m6k")
        .replace("czNjcjN0", "b3RoZXI=")
        .replace("agent-x7k2p", "agent-q9w8e")
        .replace("image: 'agent:1'", "image: 'agent:2'")
        .replace("image: 'db:1'", "image: 'db:2'")
}

/// "ReplicaSets of a Deployment, … jobs of a CronJob, ConfigMaps and Secrets with a content-hash
/// suffix (by content similarity)", and pods of a DaemonSet: pairs, not removals and additions.
#[test]
fn rollouts_pair_replica_sets_jobs_hashed_secrets_and_daemon_set_pods() {
    let dir = tempfile::tempdir().unwrap();
    let output = diff_docs(dir.path(), ROLLOUT_OLD, &rollout_new(ROLLOUT_OLD), &[]);
    let text = stdout(&output);
    for line in [
        "~ ReplicaSet web-5d8f → web-7c9a   replaced; same template changes as Deployment web\n",
        "~ Job report-29000000 → report-29000060   next job of CronJob report\n",
        "~ Secret creds-7h2k9m4b5t → creds-9c4f8d2m6k   renamed (content hash); see culprit 3\n",
        "~ Pod agent-x7k2p → agent-q9w8e   replaced\n",
    ] {
        assert!(text.contains(line), "{line}{text}");
    }
    // The changes that matter are the controllers' own and the secret's value.
    let json = json_report(&diff_docs(
        dir.path(),
        ROLLOUT_OLD,
        &rollout_new(ROLLOUT_OLD),
        &["--output", "json"],
    ));
    assert_eq!(json["summary"]["added"], 0, "{}", json["summary"]);
    assert_eq!(json["summary"]["removed"], 0, "{}", json["summary"]);
    // The ReplicaSet pair, the DaemonSet's pod pair and the CronJob's job pair.
    assert_eq!(json["summary"]["churn"], 3, "{}", json["summary"]);
    let changed: Vec<String> = json["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["category"] != "churn")
        .map(|o| {
            format!(
                "{} {}",
                o["kind"].as_str().unwrap(),
                o["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            "DaemonSet agent",
            "Deployment web",
            "Secret creds-9c4f8d2m6k"
        ]
    );
}

/// A StatefulSet with its pod, whose name survives a rollout.
const STATEFUL_OLD: &str = r#"apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: p}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: 'db:1'}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: db-0
  namespace: p
  labels: {app: db}
  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, uid: u5, controller: true}]
spec: {containers: [{name: db, image: 'db:1'}]}
"#;

/// "Changes that only follow … the template … are hidden": a StatefulSet's pod, updated in place
/// to its new template, is churn.
#[test]
fn a_stateful_set_rollout_hides_the_pod_that_follows_its_template() {
    let dir = tempfile::tempdir().unwrap();
    let output = diff_docs(
        dir.path(),
        STATEFUL_OLD,
        &rollout_new(STATEFUL_OLD),
        &["--output", "json"],
    );
    let json = json_report(&output);
    let kinds: Vec<&str> = json["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["category"] != "churn")
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["StatefulSet"], "{}", stdout(&output));

    // A pod of the set edited by hand besides the rollout is still a change.
    let new = rollout_new(STATEFUL_OLD);
    let pod_spec = "\nspec: {containers: [{name: db, image: 'db:2'}]}\n";
    let at = new.rfind(pod_spec).expect("the pod's spec");
    let edited = format!(
        "{}\nspec: {{containers: [{{name: db, image: 'db:2', args: [--debug]}}]}}\n{}",
        &new[..at],
        &new[at + pod_spec.len()..]
    );
    let output = diff_docs(dir.path(), STATEFUL_OLD, &edited, &["--output", "json"]);
    let json = json_report(&output);
    let kinds: Vec<&str> = json["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["category"] != "churn")
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Pod", "StatefulSet"], "{}", stdout(&output));
}

/// The names of the items of a list served at `path`.
fn served_names(url: &str, path: &str) -> Vec<String> {
    let list: Value = serde_json::from_str(&common::cluster::get(url, path)).unwrap();
    let mut names: Vec<String> = list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: {list}"))
        .iter()
        .map(|i| {
            format!(
                "{}/{}",
                i["metadata"]["namespace"].as_str().unwrap_or(""),
                i["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    names.sort();
    names
}

/// "label and `metadata.name`/`metadata.namespace` field selectors".
#[test]
fn serve_filters_lists_by_field_and_label_selectors() {
    let served = common::cluster::Served::start(common::NIGHT1);
    let all = served_names(&served.url, "/api/v1/pods");
    assert!(all.len() > 1, "{all:?}");
    let one = &all[0];
    let (namespace, name) = one.split_once('/').unwrap();
    assert_eq!(
        served_names(
            &served.url,
            &format!("/api/v1/pods?fieldSelector=metadata.name%3D{name}")
        ),
        std::slice::from_ref(one)
    );
    let in_namespace = served_names(
        &served.url,
        &format!("/api/v1/services?fieldSelector=metadata.namespace%3D{namespace}"),
    );
    let services = served_names(&served.url, "/api/v1/services");
    assert!(
        !in_namespace.is_empty() && in_namespace.len() < services.len(),
        "{in_namespace:?} of {services:?}"
    );
    assert!(
        in_namespace
            .iter()
            .all(|n| n.starts_with(&format!("{namespace}/")))
    );
    assert_eq!(
        served_names(
            &served.url,
            &format!(
                "/api/v1/services?fieldSelector=metadata.name!%3D{}",
                &services[0][services[0].find('/').unwrap() + 1..]
            )
        )
        .len(),
        services.len() - 1
    );
    // A label selector: the pods labelled deploymentconfig=web, and no other.
    let labelled = served_names(
        &served.url,
        "/api/v1/pods?labelSelector=deploymentconfig%3Dweb",
    );
    assert!(
        !labelled.is_empty() && labelled.len() < all.len(),
        "{labelled:?} of {all:?}"
    );
    assert!(labelled.iter().all(|n| n.contains("/web-")), "{labelled:?}");
}

/// "Secret values are served hashed unless `--show-secrets`."
#[test]
fn serve_hashes_secret_values_unless_show_secrets() {
    // The value as the archive holds it.
    let archive = std::fs::read(common::repo(common::NIGHT1)).unwrap();
    let (_, secrets) = common::unzip(&archive)
        .into_iter()
        .find(|(n, _)| n == "myproject/secrets.json")
        .unwrap();
    let secrets: Value = serde_json::from_slice(&secrets).unwrap();
    let raw = secrets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metadata"]["name"] == "web-creds")
        .unwrap()["data"]["database-password"]
        .as_str()
        .unwrap()
        .to_string();
    let path = "/api/v1/namespaces/myproject/secrets/web-creds";
    let value = |served: &common::cluster::Served| -> String {
        let secret: Value = serde_json::from_str(&common::cluster::get(&served.url, path)).unwrap();
        secret["data"]["database-password"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let hashed = common::cluster::Served::start(common::NIGHT1);
    let served_hashed = value(&hashed);
    assert!(served_hashed.starts_with("sha256:"), "not a hash");
    assert!(served_hashed != raw, "the raw value was served");
    let list = common::cluster::get(&hashed.url, "/api/v1/secrets");
    assert!(!list.contains(&raw), "the raw value was served in a list");
    let shown = common::cluster::Served::start_with(
        common::NIGHT1,
        &common::cluster::ServeSetup {
            flags: vec!["--show-secrets".into()],
            ..Default::default()
        },
    );
    assert!(
        value(&shown) == raw,
        "--show-secrets did not serve the value as stored"
    );
}

/// "(`jqPathExpressions` and `managedFieldsManagers` are refused with a clear message.)"
#[test]
fn an_ignore_file_with_managed_fields_managers_is_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for wrapped in [false, true] {
        let rule = "- kind: Deployment\n  managedFieldsManagers: [kube-controller-manager]\n";
        let text = if wrapped {
            format!(
                "ignoreDifferences:\n{}",
                rule.replace("\n  ", "\n    ").replace("- ", "  - ")
            )
        } else {
            rule.to_string()
        };
        let file = common::write(dir.path(), "rules.yaml", text.as_bytes());
        let output = driftlab()
            .args([
                "diff",
                common::NIGHT1,
                common::NIGHT2,
                "--ignore-file",
                &file,
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{text}{}", stdout(&output));
        assert_eq!(stdout(&output), "");
        assert_eq!(
            stderr(&output).trim_end(),
            format!(
                "driftlab: error: {file}: rule 1: managedFieldsManagers is not supported (use jsonPointers or paths)"
            ),
            "{text}"
        );
    }
}
