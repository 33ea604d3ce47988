//! README promises that had no test through the command: each test is named after the sentence
//! it proves and runs `driftlab` as a user would (see tests/README.md for the map).

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
