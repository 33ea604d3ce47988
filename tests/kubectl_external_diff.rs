//! `KUBECTL_EXTERNAL_DIFF="driftlab diff" kubectl diff -f manifests/`: kubectl writes the live and
//! the would-be-applied objects into two temporary directories, one extensionless YAML file per
//! object named `[<group>.]<version>.<Kind>.<namespace>.<name>` (empty on the side where the
//! object is absent), and runs `$KUBECTL_EXTERNAL_DIFF LIVE-dir MERGED-dir`, the variable's extra
//! words after the directories. Its exit status is kubectl's: 0 no differences, 1 differences,
//! more than 1 trouble.
//!
//! These tests build such directory pairs by hand. The real `kubectl diff` cannot be run here:
//! it asks the API server for a server-side dry-run of each object (a PATCH or a POST with
//! `dryRun=All`), and `driftlab serve` is read-only.

mod common;

use std::path::Path;

use common::{driftlab, stderr, stdout};
use serde_json::Value;

const LIVE_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  uid: 3c1e2f4a-0000-4000-8000-000000000001
  resourceVersion: \"4711\"
  generation: 3
  creationTimestamp: \"2026-11-20T10:00:00Z\"
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: registry.example.com/shop/web:1.4.2
";

const CONFIG_MAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-root-ca.crt
  namespace: shop
data:
  ca.crt: not-a-real-certificate
";

const CLUSTER_ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: shop-view
rules:
- apiGroups: [\"\"]
  resources: [configmaps]
  verbs: [get]
";

const NEW_SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
";

/// Writes `files` (name, YAML) into `dir/name` and returns its path.
fn kubectl_dir(dir: &Path, name: &str, files: &[(&str, &str)]) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(&path).unwrap();
    for (file, text) in files {
        std::fs::write(path.join(file), text).unwrap();
    }
    path.to_str().unwrap().to_string()
}

/// The LIVE and MERGED directories of a `kubectl diff` that changes the image and creates a
/// Service (absent from the live side: its LIVE file is empty).
fn pair(dir: &Path, merged_image: &str) -> (String, String) {
    let merged_deployment = LIVE_DEPLOYMENT
        .replace("web:1.4.2", merged_image)
        .replace("generation: 3", "generation: 4");
    let live = kubectl_dir(
        dir,
        "LIVE-1234",
        &[
            ("apps.v1.Deployment.shop.web", LIVE_DEPLOYMENT),
            ("v1.ConfigMap.shop.kube-root-ca.crt", CONFIG_MAP),
            (
                "rbac.authorization.k8s.io.v1.ClusterRole..shop-view",
                CLUSTER_ROLE,
            ),
            ("v1.Service.shop.web", ""),
        ],
    );
    let merged = kubectl_dir(
        dir,
        "MERGED-5678",
        &[
            ("apps.v1.Deployment.shop.web", &merged_deployment),
            ("v1.ConfigMap.shop.kube-root-ca.crt", CONFIG_MAP),
            (
                "rbac.authorization.k8s.io.v1.ClusterRole..shop-view",
                CLUSTER_ROLE,
            ),
            ("v1.Service.shop.web", NEW_SERVICE),
        ],
    );
    (live, merged)
}

#[test]
fn a_kubectl_diff_pair_is_read_as_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let (live, merged) = pair(dir.path(), "web:1.4.3");
    let output = driftlab()
        .args(["diff", &live, &merged, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // An empty file is an object absent on that side, not a failed export.
    assert_eq!(stderr(&output), "");
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["old"]["format"], "kubectl diff directory");
    let summary = &report["summary"];
    assert_eq!(summary["changed"], 1, "{summary}");
    assert_eq!(summary["added"], 1, "{summary}");
    assert_eq!(summary["removed"], 0, "{summary}");
    assert_eq!(summary["unchanged"], 2, "{summary}");
    let objects = report["objects"].as_array().unwrap();
    let labels: Vec<String> = objects
        .iter()
        .map(|o| {
            format!(
                "{} {} {}/{}",
                o["change"], o["kind"], o["namespace"], o["name"]
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            r#""changed" "Deployment" "shop"/"web""#,
            r#""added" "Service" "shop"/"web""#
        ]
    );
    assert_eq!(
        objects[0]["changes"][0]["path"],
        "spec.template.spec.containers[web].image"
    );
}

#[test]
fn kubectl_argument_order_runs_a_diff() {
    let dir = tempfile::tempdir().unwrap();
    let (live, merged) = pair(dir.path(), "web:1.4.3");
    // KUBECTL_EXTERNAL_DIFF="driftlab diff": the directories first, then the variable's words.
    let output = driftlab().args([&live, &merged, "diff"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("Comparing "), "{out}");
    assert!(
        out.contains("1 changed, 1 added, 0 removed, 2 unchanged"),
        "{out}"
    );
    // KUBECTL_EXTERNAL_DIFF=driftlab, and words that are flags.
    let output = driftlab().args([&live, &merged]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let output = driftlab()
        .args([&live, &merged, "diff", "--exit-zero", "--output=markdown"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("Deployment"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn an_apply_that_changes_nothing_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let (live, merged) = pair(dir.path(), "web:1.4.2");
    // Only the Service to create differs; without it, nothing does.
    std::fs::remove_file(Path::new(&live).join("v1.Service.shop.web")).unwrap();
    std::fs::remove_file(Path::new(&merged).join("v1.Service.shop.web")).unwrap();
    let output = driftlab().args([&live, &merged, "diff"]).output().unwrap();
    // The generation the dry-run bumps is server bookkeeping, not drift.
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
}

#[test]
fn a_live_side_of_empty_files_is_every_object_created() {
    let dir = tempfile::tempdir().unwrap();
    let live = kubectl_dir(dir.path(), "LIVE-1", &[("v1.Service.shop.web", "")]);
    let merged = kubectl_dir(
        dir.path(),
        "MERGED-2",
        &[("v1.Service.shop.web", NEW_SERVICE)],
    );
    let output = driftlab().args([&live, &merged, "diff"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("0 changed, 1 added, 0 removed, 0 unchanged"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn broken_yaml_in_a_kubectl_file_is_trouble() {
    let dir = tempfile::tempdir().unwrap();
    let live = kubectl_dir(
        dir.path(),
        "LIVE-1",
        &[("v1.Service.shop.web", NEW_SERVICE)],
    );
    let merged = kubectl_dir(
        dir.path(),
        "MERGED-2",
        &[("v1.Service.shop.web", "kind: [")],
    );
    let output = driftlab().args([&live, &merged, "diff"]).output().unwrap();
    // kubectl reads more than 1 as trouble, not as differences.
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}
