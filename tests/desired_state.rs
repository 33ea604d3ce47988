//! `driftlab diff MANIFESTS live --desired` end to end: the shop's manifests against a cluster
//! (`driftlab serve` on loopback, serving objects with their managedFields and last-applied
//! configuration), clean and with four hand edits planted (see tests/desired/README.md).

mod common;

use common::cluster::{Served, kubeconfig};
use common::{driftlab, stderr, stdout};
use serde_json::Value;

const MANIFESTS: &str = "tests/desired/manifests";

fn desired_against(live: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let served = Served::start(live);
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &served.url);
    let output = driftlab()
        .env("KUBECONFIG", &config)
        .args(["diff", MANIFESTS, "live", "-n", "shop", "--desired"])
        .args(extra)
        .output()
        .unwrap();
    (output.status.code(), stdout(&output), stderr(&output))
}

#[test]
fn the_undrifted_cluster_is_clean() {
    let (code, out, err) = desired_against("tests/desired/live-clean.json", &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.starts_with("Desired state tests/desired/manifests against live"),
        "{out}"
    );
    assert!(
        out.contains("0 changed, 0 missing in the cluster, 3 unchanged · 3 objects in the cluster are not in the manifests; --all lists them"),
        "{out}"
    );
}

#[test]
fn each_planted_drift_is_reported_with_who_made_it() {
    let (code, out, err) = desired_against("tests/desired/live-drifted.json", &[]);
    assert_eq!(code, Some(1), "{out}{err}");
    let culprits = out.split("\nshop\n").next().expect("the culprits");
    let changes: Vec<&str> = culprits
        .lines()
        .filter(|l| l.starts_with("      ") && !l.starts_with("       "))
        .collect();
    assert_eq!(
        changes,
        [
            r#"      ~ spec.template.spec.containers[web].image   "registry.example.com/shop/web:1.8.3" → "registry.example.com/shop/web:1.8.3-hotfix"   by kubectl-edit, 2026-11-24 14:02"#,
            r#"      + spec.template.spec.containers[web].env[FEATURE_X]   {"name":"FEATURE_X","value":"on"}   by kubectl-set, 2026-11-25 08:10"#,
            r#"      ~ spec.template.spec.containers[web].readinessProbe.timeoutSeconds   5 → 1   by kubectl-patch, 2026-11-25 09:30"#,
            r#"      ~ data.MODE   "prod" → "debug"   by kubectl-patch, 2026-11-25 22:47"#,
        ],
        "{out}"
    );
    // The env var the manifests lack says so where the Deployment's changes are listed.
    assert!(
        out.contains("\n~ Deployment web\n") && out.contains("        (not in the manifests)\n"),
        "{out}"
    );
    assert!(
        out.contains("\n~ ConfigMap web-config   see culprit 2\n"),
        "{out}"
    );
    // A change by hand ranks first and says so.
    assert!(
        out.contains(
            " 1  Deployment shop/web         triggers a rollout; changed by hand (kubectl-edit, 2026-11-24 14:02)"
        ),
        "{out}"
    );
    assert!(out.contains("2 changed, 0 missing in the cluster"), "{out}");
}

#[test]
fn the_json_report_carries_managers() {
    let (code, out, _) = desired_against("tests/desired/live-drifted.json", &["-o", "json"]);
    assert_eq!(code, Some(1));
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["desired"], true);
    assert_eq!(report["summary"]["cluster_only"], 3);
    let changes: Vec<(String, String, String, String)> = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["changes"].as_array().unwrap().iter())
        .map(|c| {
            let text = |f: &str| c[f].as_str().unwrap_or("").to_string();
            (
                text("path"),
                text("manager"),
                text("managerTime"),
                text("operation"),
            )
        })
        .collect();
    assert!(
        changes.contains(&(
            "spec.template.spec.containers[web].image".into(),
            "kubectl-edit".into(),
            "2026-11-24T14:02:00Z".into(),
            "Update".into()
        )),
        "{changes:?}"
    );
    assert_eq!(changes.len(), 4, "{changes:?}");
}

#[test]
fn objects_only_in_the_cluster_are_listed_with_all_and_manifest_only_objects_are_missing() {
    // --all shows what is hidden (and, as always with --all, counts it).
    let (_, out, _) = desired_against("tests/desired/live-clean.json", &["--all"]);
    assert!(
        out.contains("3 objects in the cluster are not in the manifests\n")
            && !out.contains("--all lists them"),
        "{out}"
    );
    assert!(
        out.contains("+ ServiceAccount default   in the cluster, not in the manifests"),
        "{out}"
    );

    // A manifest the cluster lacks.
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(MANIFESTS).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        dir.path().join("worker.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: worker}\nspec:\n  selector: {matchLabels: {app: worker}}\n  template:\n    metadata: {labels: {app: worker}}\n    spec:\n      containers: [{name: worker, image: worker:1}]\n",
    )
    .unwrap();
    let served = Served::start("tests/desired/live-clean.json");
    let config = kubeconfig(dir.path(), &served.url);
    let output = driftlab()
        .env("KUBECONFIG", &config)
        .args([
            "diff",
            dir.path().to_str().unwrap(),
            "live",
            "-n",
            "shop",
            "--desired",
        ])
        .output()
        .unwrap();
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("- Deployment worker   missing in the cluster"),
        "{out}"
    );
    assert!(out.contains("1 missing in the cluster"), "{out}");
}

#[test]
fn a_field_dropped_from_the_manifests_but_still_applied_is_reported() {
    // The manifests no longer set LOG_LEVEL; the cluster still has it, and kubectl apply's
    // last-applied configuration says it was applied: apply would prune it.
    let dir = tempfile::tempdir().unwrap();
    let web = std::fs::read_to_string(format!("{MANIFESTS}/web.yaml")).unwrap();
    let dropped = web.replace(
        "            - name: LOG_LEVEL\n              value: info\n",
        "",
    );
    assert_ne!(dropped, web);
    std::fs::write(dir.path().join("web.yaml"), dropped).unwrap();
    std::fs::copy(
        format!("{MANIFESTS}/config.yaml"),
        dir.path().join("config.yaml"),
    )
    .unwrap();
    let (code, out, _) = {
        let served = Served::start("tests/desired/live-clean.json");
        let config = kubeconfig(dir.path(), &served.url);
        let output = driftlab()
            .env("KUBECONFIG", &config)
            .args(["diff", dir.path().to_str().unwrap(), "live", "-n", "shop"])
            .arg("--desired")
            .output()
            .unwrap();
        (output.status.code(), stdout(&output), stderr(&output))
    };
    assert_eq!(code, Some(1), "{out}");
    // LOG_LEVEL was the only env var: the whole list is what the manifests dropped.
    assert!(
        out.contains(
            r#"    + spec.template.spec.containers[web].env   [{"name":"LOG_LEVEL","value":"info"}]   by kubectl-client-side-apply, 2026-11-20 09:00"#
        ),
        "{out}"
    );
    assert!(
        out.contains("(removed from the manifests, still in the cluster)"),
        "{out}"
    );
}

#[test]
fn without_desired_the_cluster_only_fields_are_noise_or_drift_as_before() {
    // The same drifted cluster without --desired: the cluster-only objects are added (Endpoints
    // count as generated).
    let served = Served::start("tests/desired/live-drifted.json");
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &served.url);
    let output = driftlab()
        .env("KUBECONFIG", &config)
        .args(["diff", MANIFESTS, "live", "-n", "shop"])
        .output()
        .unwrap();
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("2 added"), "{out}");
    assert!(!out.contains("missing in the cluster"), "{out}");
}

#[test]
fn history_refuses_desired() {
    let output = driftlab()
        .args(["history", "fixtures/week", "--desired"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--desired"), "{}", stderr(&output));
}

#[test]
fn markdown_names_the_managers_and_the_desired_state() {
    let (code, out, _) = desired_against("tests/desired/live-drifted.json", &["-o", "markdown"]);
    assert_eq!(code, Some(1));
    assert!(
        out.starts_with("### driftlab: the cluster drifted from the desired state\n"),
        "{out}"
    );
    assert!(
        out.contains("`data.MODE`: `\"prod\"` → `\"debug\"` — by kubectl-patch, 2026-11-25 22:47"),
        "{out}"
    );
}
