//! Finding the impurity on the culprits fixture: ranked suspects, paired generated objects,
//! repeated changes, pods edited by hand, configuration used by workloads, noise rules.

mod common;

use common::{driftlab, stderr, stdout};
use serde_json::Value;

const OLD: &str = "fixtures/culprits/openshift-backup201809110015.zip";
const NEW: &str = "fixtures/culprits/openshift-backup201809120015.zip";

fn text(args: &[&str]) -> String {
    let output = driftlab()
        .args(["diff", OLD, NEW])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    stdout(&output)
}

/// The culprit lines (number, object, reason) in order.
fn culprit_lines(text: &str) -> Vec<String> {
    let section = text
        .split("\nLikely culprits\n")
        .nth(1)
        .expect("culprits")
        .split("\n\n")
        .next()
        .unwrap();
    section
        .lines()
        .filter(|l| l.chars().nth(1).is_some_and(|c| c.is_ascii_digit()))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn culprits_come_in_the_order_of_likelihood() {
    let report = text(&[]);
    let lines = culprit_lines(&report);
    let expected_starts = [
        "1 DeploymentConfig myproject/web triggers a rollout",
        "2 Pod myproject/web-4-x7k2p differs from ReplicationController web-4's template: edited by hand?",
        "3 ConfigMap myproject/app-env-9bfbmfgt2f → app-env-296567ccmt used by DeploymentConfig web (envFrom)",
        "4 ConfigMap myproject/web-config used by DeploymentConfig web (volume config)",
        "5 Secret myproject/web-creds used by DeploymentConfig postgresql (env POSTGRESQL_USER, env POSTGRESQL_PASSWORD), DeploymentConfig web (env DB_PASSWORD)",
        "6 DeploymentConfig myproject/web image updated by its ImageChange trigger",
        "7 19 objects the same change on 19 objects",
    ];
    assert_eq!(lines.len(), expected_starts.len(), "{report}");
    for (line, expected) in lines.iter().zip(expected_starts) {
        assert!(
            line.starts_with(expected),
            "{line:?} should start with {expected:?}\n{report}"
        );
    }
    // The edited pod shows template value → pod value.
    assert!(
        report.contains(
            r#"      ~ spec.containers[web].image   "…/web@sha256:9f2c77e0a1b2…" → "…/web:debug""#
        ),
        "{report}"
    );
    // The readiness probe is in the first culprit.
    let first = report.split("\n 2  ").next().unwrap();
    assert!(
        first.contains(r#"readinessProbe.httpGet.path   "/healthz" → "/ready""#),
        "{report}"
    );
}

#[test]
fn generated_objects_are_paired_and_repeated_changes_shown_once() {
    let report = text(&[]);
    // The pair is one line that names the culprit showing its change, which is not repeated.
    assert!(
        report.contains(
            "\n~ ConfigMap app-env-9bfbmfgt2f → app-env-296567ccmt   renamed (content hash); see culprit 3\n"
        ),
        "{report}"
    );
    assert_eq!(report.matches("data.LOG_LEVEL").count(), 1, "{report}");
    // The workload's reference follows the rename: one change of the name, not a removal and an
    // addition.
    assert!(
        report.contains(r#"      ~ spec.template.spec.containers[web].envFrom[configMap:app-env-296567ccmt].configMapRef.name   "app-env-9bfbmfgt2f" → "app-env-296567ccmt""#),
        "{report}"
    );
    assert!(
        !report.contains("envFrom[configMap:app-env-9bfbmfgt2f]"),
        "{report}"
    );
    assert!(
        report.contains("\n~ DeploymentConfig web   see culprits 1, 6\n"),
        "{report}"
    );
    // The whole report fits a screen.
    assert!(
        report.lines().count() <= 40,
        "{} lines:\n{report}",
        report.lines().count()
    );
    assert!(report.contains("\n~ Pod web-3-* → web-4-*   2 pods replaced; 1 differs from its template (web-4-x7k2p)\n"), "{report}");
    assert!(report.contains("\n~ ReplicationController web-3 → web-4   replaced; same template changes as DeploymentConfig web\n"), "{report}");
    assert!(
        !report.contains("\n- ConfigMap")
            && !report.contains("\n+ ConfigMap")
            && !report.contains("\n- Pod"),
        "{report}"
    );
    // The chart bump is printed once, with the objects it is on, and nowhere else.
    let repeated = report
        .split("\nSame change on many objects\n")
        .nth(1)
        .expect("repeated section");
    assert!(repeated.starts_with("    ~ metadata.labels[\"helm.sh/chart\"]   \"web-1.4.0\" → \"web-1.4.1\"\n        on 19 objects: "), "{repeated}");
    assert_eq!(
        report.matches("helm.sh/chart").count(),
        2,
        "once in the culprits, once in the repeated section:\n{report}"
    );
}

#[test]
fn json_carries_rank_category_and_reasons_for_gating() {
    let output = driftlab()
        .args(["diff", OLD, NEW, "--output", "json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let categories: Vec<&str> = report["culprits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["category"].as_str().unwrap())
        .collect();
    assert_eq!(
        categories,
        [
            "rollout-trigger",
            "pod-edited",
            "used-configuration",
            "used-configuration",
            "used-configuration",
            "triggered-image",
            "metadata"
        ]
    );
    // A CI job can gate on "no rollout-triggering drift".
    let rollout: Vec<&Value> = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["changes"].as_array().unwrap())
        .filter(|c| c["category"] == "rollout-trigger")
        .collect();
    assert_eq!(
        rollout.len(),
        2,
        "the probe and the envFrom reference to the renamed config map: {rollout:?}"
    );
    assert!(
        rollout
            .iter()
            .all(|c| c["rank"] == 2 && c["reasons"][0] == "triggers a rollout")
    );
    let config = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "web-config")
        .unwrap();
    assert_eq!(
        config["changes"][0]["reasons"][0],
        "used by DeploymentConfig web (volume config)"
    );
    let pods = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "Pod")
        .unwrap();
    assert_eq!(
        pods["members"],
        serde_json::json!([
            ["web-3-abcde", "web-4-q9w8e"],
            ["web-3-fghij", "web-4-x7k2p"]
        ])
    );
    assert_eq!(
        report["repeated"][0]["objects"].as_array().unwrap().len(),
        19
    );
    // Secrets stay hidden in every part of the report.
    let raw = String::from_utf8_lossy(&output.stdout);
    assert!(
        !raw.contains("bjN3LXMzY3IzdC0yMDE4") && !raw.contains("n3w-s3cr3t"),
        "{raw}"
    );
}

#[test]
fn top_limits_the_culprits_list() {
    let report = text(&["--top", "2"]);
    assert_eq!(culprit_lines(&report).len(), 2);
    assert!(
        report.contains("    … 5 more suspects, less likely (--top N shows more)\n"),
        "{report}"
    );
    let report = text(&["--top", "0"]);
    assert!(!report.contains("Likely culprits"));
}

#[test]
fn user_rules_from_an_ignore_file_and_from_driftlabignore() {
    let dir = tempfile::tempdir().unwrap();
    let rules = common::write(
        dir.path(),
        "rules.yaml",
        b"ignoreDifferences:\n- description: chart version bumps\n  paths: ['metadata.labels[\"helm.sh/chart\"]']\n- kind: Secret\n  name: web-*\n  jsonPointers: [/data/database-password]\n",
    );
    let report = text(&["--ignore-file", &rules, "--explain"]);
    assert!(!report.contains("Same change on many objects"), "{report}");
    assert!(!report.contains("~ Secret web-creds"), "{report}");
    assert!(
        report.contains("[chart version bumps (") && report.contains("rules.yaml#1)]"),
        "{report}"
    );
    assert!(
        report.contains("data.database-password   [") && report.contains("rules.yaml#2]"),
        "{report}"
    );

    // .driftlabignore in the current directory is read without being named.
    std::fs::copy(&rules, dir.path().join(".driftlabignore")).unwrap();
    let old = common::repo(OLD);
    let new = common::repo(NEW);
    let output = driftlab()
        .current_dir(dir.path())
        .args(["diff", old.to_str().unwrap(), new.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        !stdout(&output).contains("Same change on many objects"),
        "{}",
        stdout(&output)
    );

    // A broken rules file is trouble: one line naming it.
    let bad = common::write(
        dir.path(),
        "bad.yaml",
        b"- kind: Secret\n  jqPathExpressions: ['.data']\n",
    );
    let output = driftlab()
        .args(["diff", OLD, NEW, "--ignore-file", &bad])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output).trim_end(),
        format!(
            "driftlab: error: {bad}: rule 1: jqPathExpressions is not supported (use jsonPointers or paths)"
        )
    );
}

#[test]
fn a_restart_is_not_noise() {
    let dir = tempfile::tempdir().unwrap();
    let deployment = |annotation: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: p, annotations: {{deployment.kubernetes.io/revision: '{}'}}}}\n\
             spec:\n  template:\n    metadata:\n      annotations: {{{annotation}}}\n    spec:\n      containers: [{{name: web, image: web:1}}]\n",
            if annotation.is_empty() { 3 } else { 4 }
        )
    };
    let old = common::write(dir.path(), "old.yaml", deployment("").as_bytes());
    let new = common::write(
        dir.path(),
        "new.yaml",
        deployment("kubectl.kubernetes.io/restartedAt: '2018-09-12T08:00:00Z'").as_bytes(),
    );
    let output = driftlab().args(["diff", &old, &new]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = stdout(&output);
    assert!(
        culprit_lines(&report)[0].starts_with("1 Deployment p/web triggers a rollout"),
        "{report}"
    );
    assert!(
        report
            .contains(r#"spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]"#),
        "{report}"
    );
    assert!(
        report.ends_with("1 noise change hidden (--all shows them, --explain says why)\n"),
        "the revision bump is noise: {report}"
    );
}

#[test]
fn a_night_of_churn_and_noise_only_is_no_drift() {
    // Week fixture, 12th → 13th without the probe change would be churn only; 13th → 14th is
    // identical, and 10th → 11th is a build rolled out by its trigger.
    let week = |day: u32| format!("fixtures/week/openshift-backup201809{day}0015.zip");
    let output = driftlab()
        .args(["diff", &week(13), &week(14)])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let output = driftlab()
        .args(["diff", &week(10), &week(11)])
        .output()
        .unwrap();
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    let lines = culprit_lines(&report);
    assert_eq!(lines.len(), 1, "{report}");
    assert!(
        lines[0].ends_with("image updated by its ImageChange trigger"),
        "{report}"
    );
}

#[test]
fn kustomize_rename_from_the_dyff_corpus_is_one_pair() {
    let Some(corpus) = common::skip::corpus("dyff/kubernetes/rename") else {
        return;
    };
    let from = corpus.join("from.yaml");
    let to = corpus.join("to.yaml");
    let output = driftlab()
        .args([
            "diff",
            from.to_str().unwrap(),
            to.to_str().unwrap(),
            "--name-only",
        ])
        .output()
        .unwrap();
    let lines: Vec<String> = stdout(&output).lines().map(String::from).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("~ ConfigMap ") && lines[0].contains(" → "),
        "{lines:?}"
    );
}
