//! The CI drift gate through the binary: a baseline of accepted drift, ignore rules carried by
//! the object (`driftlab.io/ignore`), and the formats CI systems read (GitHub workflow commands,
//! SARIF validated against the OASIS schema, JUnit parsed as XML).
//!
//! The fixture (`tests/ci_gate/`) is a manifests folder and a "cluster" (a `v1` List) with
//! several kinds of drift: replicas scaled, a hotfix image, a probe path, a ConfigMap value, an
//! annotation-ignored feature flag and an object only the cluster has.

mod common;

use std::path::{Path, PathBuf};

use common::{driftlab, repo, stderr, stdout};
use serde_json::Value;

const MANIFESTS: &str = "tests/ci_gate/manifests";
const CLUSTER: &str = "tests/ci_gate/cluster.json";

/// `driftlab diff --desired MANIFESTS CLUSTER ARGS…`: (status, stdout, stderr).
fn gate(cluster: &Path, args: &[&str]) -> (i32, String, String) {
    let output = driftlab()
        .args(["diff", "--desired", MANIFESTS])
        .arg(cluster)
        .args(args)
        .current_dir(repo(""))
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        stdout(&output),
        stderr(&output),
    )
}

fn cluster() -> PathBuf {
    repo(CLUSTER)
}

/// The fixture's cluster with `edit` applied, written into `dir`.
fn edited_cluster(dir: &Path, edit: impl FnOnce(&mut Value)) -> PathBuf {
    let mut list: Value =
        serde_json::from_str(&std::fs::read_to_string(cluster()).unwrap()).unwrap();
    edit(&mut list);
    let path = dir.join("cluster.json");
    std::fs::write(&path, serde_json::to_string_pretty(&list).unwrap()).unwrap();
    path
}

fn item<'a>(list: &'a mut Value, kind: &str, name: &str) -> &'a mut Value {
    list["items"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i["kind"] == kind && i["metadata"]["name"] == name)
        .unwrap()
}

/// Writes a baseline of every change of the fixture into `dir`.
fn baseline(dir: &Path) -> PathBuf {
    let file = dir.join("baseline.yaml");
    let (code, _, err) = gate(&cluster(), &["--update-baseline", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote 5 accepted changes"), "{err}");
    file
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn the_fixture_drifts_without_a_baseline() {
    let (code, out, _) = gate(&cluster(), &[]);
    assert_eq!(code, 1, "{out}");
    for path in [
        "spec.replicas",
        "containers[web].image",
        "httpGet.path",
        "data.mode",
        "data.checkout",
    ] {
        assert!(out.contains(path), "{path}: {out}");
    }
}

#[test]
fn a_baseline_accepts_the_same_drift_and_only_new_drift_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = baseline(dir.path());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("path: spec.replicas\n  value: 5\n"), "{text}");
    let flag = file.to_str().unwrap();

    let (code, out, err) = gate(&cluster(), &["--baseline", flag]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Accepted by the baseline: 5 changes"), "{out}");
    let (_, out, _) = gate(&cluster(), &["--baseline", flag, "-o", "json"]);
    let report = json(&out);
    assert_eq!(report["summary"]["accepted_changes"], 5);
    assert_eq!(report["summary"]["stale_baseline_entries"], 0);
    assert_eq!(report["summary"]["changed"], 0);

    // --all lists what was accepted, with the entry, and still exits 0.
    let (code, out, _) = gate(&cluster(), &["--baseline", flag, "--all"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("spec.replicas") && out.contains("[baseline "),
        "{out}"
    );

    // One new change: exit 1, and only it is shown.
    let changed = edited_cluster(dir.path(), |list| {
        item(list, "ConfigMap", "settings")["data"]["log-level"] = "debug".into();
    });
    let (code, out, _) = gate(&changed, &["--baseline", flag, "-o", "json"]);
    assert_eq!(code, 1, "{out}");
    let report = json(&out);
    let paths: Vec<String> = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["changes"].as_array().unwrap().clone())
        .map(|c| c["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["data.log-level"], "{out}");
    assert_eq!(report["summary"]["accepted_changes"], 5);
}

#[test]
fn an_accepted_value_that_moved_on_is_drift_again_and_its_entry_stale() {
    let dir = tempfile::tempdir().unwrap();
    let file = baseline(dir.path());
    let moved = edited_cluster(dir.path(), |list| {
        item(list, "Deployment", "web")["spec"]["replicas"] = 7.into();
    });
    let (code, out, _) = gate(&moved, &["--baseline", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("spec.replicas") && out.contains("2 → 7"),
        "{out}"
    );
    assert!(out.contains("Stale baseline entries: 1"), "{out}");
    assert!(out.contains("its value moved on"), "{out}");
}

/// Sets `expires` (and a reason) on the entry of `path` in `file`.
fn annotate_entry(file: &Path, path: &str, expires: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let needle = format!("  path: {path}\n");
    assert!(text.contains(&needle), "{text}");
    let text = text.replacen(
        &needle,
        &format!("{needle}  reason: the HPA scales it\n  expires: {expires}\n"),
        1,
    );
    std::fs::write(file, text).unwrap();
}

#[test]
fn an_expired_entry_accepts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = baseline(dir.path());
    annotate_entry(&file, "spec.replicas", "2000-01-31");
    let (code, out, _) = gate(&cluster(), &["--baseline", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("spec.replicas"), "{out}");
    assert!(out.contains("expired"), "{out}");

    // A date still to come holds.
    let dir = tempfile::tempdir().unwrap();
    let file = baseline(dir.path());
    annotate_entry(&file, "spec.replicas", "2999-12-31");
    let (code, out, _) = gate(&cluster(), &["--baseline", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn an_update_keeps_reasons_and_expiry_dates() {
    let dir = tempfile::tempdir().unwrap();
    let file = baseline(dir.path());
    annotate_entry(&file, "spec.replicas", "2999-12-31");
    let (code, _, err) = gate(
        &cluster(),
        &["--update-baseline", file.to_str().unwrap(), "-q"],
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("path: spec.replicas\n  value: 5\n  reason: the HPA scales it\n  expires: \"2999-12-31\"\n"),
        "{text}"
    );
    assert_eq!(text.matches("- ").count(), 5, "{text}");
}

#[test]
fn stale_entries_are_counted_and_strict_makes_them_fail() {
    let dir = tempfile::tempdir().unwrap();
    let file = baseline(dir.path());
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(
        "- kind: ConfigMap\n  namespace: shop\n  name: long-gone\n  path: data.x\n  value: '1'\n",
    );
    std::fs::write(&file, &text).unwrap();
    let flag = file.to_str().unwrap();
    let (code, out, _) = gate(&cluster(), &["--baseline", flag]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Stale baseline entries: 1"), "{out}");
    assert!(out.contains("long-gone"), "{out}");
    let (_, out, _) = gate(&cluster(), &["--baseline", flag, "-o", "json"]);
    assert_eq!(json(&out)["summary"]["stale_baseline_entries"], 1);
    let (code, _, _) = gate(&cluster(), &["--baseline", flag, "--strict-baseline"]);
    assert_eq!(code, 1);
}

#[test]
fn a_malformed_baseline_is_exit_2_with_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // A typo that would otherwise make an entry never lapse.
        (
            "accepted:\n- kind: ConfigMap\n  name: a\n  path: data.x\n  value: 1\n  expire: 2027-01-01\n",
            "bad.yaml:6: not a driftlab baseline: unknown field `expire`",
        ),
        (
            "accepted:\n- kind: ConfigMap\n  name: a\n    path: data.x\n",
            "bad.yaml:4: not a driftlab baseline",
        ),
        (
            "accepted:\n- kind: ConfigMap\n  name: a\n  path: data.x\n  value: 1\n- kind: ConfigMap\n  name: b\n  path: data.x\n  value: 1\n  expires: next week\n",
            ":6",
        ),
        ("accepted: [\n", "bad.yaml"),
        ("accepted:\n- kind: ConfigMap\n  name: a\n", ":2"),
        ("apiVersion: v9\naccepted: []\n", "apiVersion"),
    ];
    for (text, expected) in cases {
        let file = dir.path().join("bad.yaml");
        std::fs::write(&file, text).unwrap();
        let (code, out, err) = gate(&cluster(), &["--baseline", file.to_str().unwrap()]);
        assert_eq!(code, 2, "{text}\n{out}{err}");
        assert!(err.contains("bad.yaml"), "{err}");
        assert!(err.contains(expected), "{expected}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        // --update-baseline refuses it too, and leaves it as it was.
        let (code, _, _) = gate(&cluster(), &["--update-baseline", file.to_str().unwrap()]);
        assert_eq!(code, 2);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
    }
}

#[test]
fn noise_shown_by_all_does_not_change_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let deployment = |revision: &str| {
        format!(
            r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"web","namespace":"shop","annotations":{{"deployment.kubernetes.io/revision":"{revision}"}}}},"spec":{{"replicas":1}}}}"#
        )
    };
    let old = common::write(dir.path(), "old.json", deployment("3").as_bytes());
    let new = common::write(dir.path(), "new.json", deployment("4").as_bytes());
    for extra in [&[][..], &["--all"][..]] {
        let output = driftlab()
            .args(["diff", &old, &new])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{extra:?}: {}",
            stdout(&output)
        );
    }
    let output = driftlab()
        .args(["diff", &old, &new, "--all"])
        .output()
        .unwrap();
    assert!(stdout(&output).contains("deployment.kubernetes.io/revision"));
}

#[test]
fn the_objects_own_annotation_hides_its_paths_and_explain_names_it() {
    let (code, out, _) = gate(&cluster(), &["--explain"]);
    assert_eq!(code, 1);
    assert!(!out.contains("data.beta: "), "{out}");
    assert!(
        out.contains("driftlab.io/ignore data.beta (ConfigMap shop/feature-flags)"),
        "{out}"
    );
    // Not hidden: what the annotation does not name.
    assert!(out.contains("data.checkout"), "{out}");
}

#[test]
fn an_annotation_only_the_side_under_test_carries_hides_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // The cluster's object names the path it changed; the manifests do not.
    let changed = edited_cluster(dir.path(), |list| {
        let settings = item(list, "ConfigMap", "settings");
        settings["metadata"]["annotations"] = serde_json::json!({"driftlab.io/ignore": "data"});
    });
    let (code, out, _) = gate(&changed, &[]);
    assert_eq!(code, 1);
    assert!(out.contains("data.mode"), "{out}");
    assert!(!out.contains("by driftlab.io/ignore data ("), "{out}");
}

#[test]
fn an_annotation_hiding_a_privilege_is_said_on_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let manifests = dir.path().join("manifests");
    std::fs::create_dir(&manifests).unwrap();
    let pod = |privileged: bool| {
        serde_json::json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "debug", "namespace": "shop",
                "annotations": {"driftlab.io/ignore": "spec.containers"}},
            "spec": {"containers": [{"name": "c", "image": "busybox",
                "securityContext": {"privileged": privileged}}]}})
    };
    std::fs::write(manifests.join("pod.json"), pod(false).to_string()).unwrap();
    let live = common::write(dir.path(), "live.json", pod(true).to_string().as_bytes());
    let output = driftlab()
        .args(["diff", "--desired"])
        .arg(&manifests)
        .arg(&live)
        .output()
        .unwrap();
    let out = stdout(&output);
    assert!(
        out.contains("Your rules hide 1 security-sensitive change"),
        "{out}"
    );
}

#[test]
fn a_baseline_accepting_a_privilege_says_so_on_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let escalated = edited_cluster(dir.path(), |list| {
        item(list, "Deployment", "web")["spec"]["template"]["spec"]["containers"][0]["securityContext"] =
            serde_json::json!({"privileged": true});
    });
    let file = dir.path().join("b.yaml");
    let (code, _, _) = gate(&escalated, &["--update-baseline", file.to_str().unwrap()]);
    assert_eq!(code, 0);
    let (code, out, err) = gate(&escalated, &["--baseline", file.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Your baseline accepts 1 security-sensitive change"),
        "{out}"
    );
    assert!(err.contains("accepts a security-sensitive change"), "{err}");
    // Even where the report is for machines, and under --quiet.
    let (_, _, err) = gate(
        &escalated,
        &["--baseline", file.to_str().unwrap(), "-o", "sarif", "-q"],
    );
    assert!(err.contains("privileged"), "{err}");
}

/// A workflow command: level, properties, message.
type Command = (String, Vec<(String, String)>, String);

/// The `::error`/`::warning` lines of a GitHub report.
fn workflow_commands(text: &str) -> Vec<Command> {
    text.lines()
        .filter(|l| l.starts_with("::error") || l.starts_with("::warning"))
        .map(|line| {
            let rest = &line[2..];
            let (head, message) = rest.split_once("::").unwrap();
            let (level, properties) = head.split_once(' ').unwrap_or((head, ""));
            let properties = properties
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap();
                    (k.to_string(), v.to_string())
                })
                .collect();
            (level.to_string(), properties, message.to_string())
        })
        .collect()
}

fn property<'a>(properties: &'a [(String, String)], name: &str) -> Option<&'a str> {
    properties
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn github_annotations_point_at_the_changed_line_of_the_manifest() {
    let (code, out, _) = gate(&cluster(), &["-o", "github"]);
    assert_eq!(code, 1);
    let commands = workflow_commands(&out);
    assert_eq!(commands.len(), 5, "{out}");
    for (level, properties, message) in &commands {
        assert_eq!(level, "error", "{out}");
        let file = property(properties, "file").expect("a file");
        let line: usize = property(properties, "line").unwrap().parse().unwrap();
        let text = std::fs::read_to_string(repo(file)).unwrap();
        let at = text.lines().nth(line - 1).unwrap();
        // The message starts with the path; its last field is what the line holds.
        let path = message.split(": ").next().unwrap();
        let last = path.rsplit('.').next().unwrap();
        assert!(
            at.trim_start()
                .trim_start_matches("- ")
                .starts_with(&format!("{last}:")),
            "{file}:{line} is {at:?}, not {path}"
        );
        assert!(
            property(properties, "title")
                .unwrap()
                .contains("driftlab%3A")
        );
    }
    assert!(
        out.lines()
            .last()
            .unwrap()
            .starts_with("::notice title=driftlab::"),
        "{out}"
    );
}

#[test]
fn github_annotations_of_fields_the_file_lacks_point_at_the_object() {
    let dir = tempfile::tempdir().unwrap();
    // A field only the cluster sets, not at its default: drift at the object's first line.
    let changed = edited_cluster(dir.path(), |list| {
        item(list, "Deployment", "web")["spec"]["minReadySeconds"] = 30.into();
    });
    let (_, out, _) = gate(&changed, &["-o", "github"]);
    let commands = workflow_commands(&out);
    let (_, properties, _) = commands
        .iter()
        .find(|(_, _, m)| m.starts_with("spec.minReadySeconds"))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(
        property(properties, "file"),
        Some("tests/ci_gate/manifests/web.yaml")
    );
    // Line 1 is a comment: the object starts at its apiVersion.
    assert_eq!(property(properties, "line"), Some("2"));
}

#[test]
fn github_messages_escape_what_would_break_the_command() {
    let dir = tempfile::tempdir().unwrap();
    let changed = edited_cluster(dir.path(), |list| {
        item(list, "ConfigMap", "settings")["data"]["mode"] = "100%\r\n::error::forged".into();
    });
    let (_, out, _) = gate(&changed, &["-o", "github"]);
    assert!(
        !out.lines().any(|l| l.starts_with("::error::forged")),
        "{out}"
    );
    assert!(out.contains("100%25"), "{out}");
}

#[test]
fn github_annotations_from_archives_name_the_object_without_a_file() {
    let output = driftlab()
        .args(["diff", common::NIGHT1, common::NIGHT2, "-o", "github"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    let commands = workflow_commands(&out);
    assert!(!commands.is_empty(), "{out}");
    for (_, properties, message) in &commands {
        assert!(property(properties, "file").is_none(), "{out}");
        assert!(message.contains(' ') && message.contains(": "), "{message}");
    }
    assert!(out.contains("readinessProbe.httpGet.path"), "{out}");
}

fn sarif_schema() -> Option<jsonschema::Validator> {
    let dir = common::skip::corpus("sarif-schema")?;
    let schema: Value =
        json(&std::fs::read_to_string(dir.join("sarif-schema-2.1.0.json")).unwrap());
    Some(jsonschema::draft4::new(&schema).expect("the SARIF schema compiles"))
}

fn assert_valid_sarif(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{log:#}");
}

#[test]
fn sarif_is_valid_and_its_fingerprints_are_stable() {
    let Some(validator) = sarif_schema() else {
        return;
    };
    let (code, out, _) = gate(&cluster(), &["-o", "sarif"]);
    assert_eq!(code, 1);
    let log = json(&out);
    assert_valid_sarif(&validator, &log);
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        assert_eq!(rules[result["ruleIndex"].as_u64().unwrap() as usize], id);
        let place = &result["locations"][0]["physicalLocation"];
        assert!(
            place["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with(MANIFESTS)
        );
        assert!(place["region"]["startLine"].as_u64().unwrap() > 1);
    }
    assert!(results.iter().any(|r| r["ruleId"] == "rollout-trigger"));

    // The same alert keeps its fingerprint when its value moves on.
    let fingerprint = |log: &Value| {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .contains("spec.replicas")
            })
            .map(|r| r["partialFingerprints"].clone())
            .unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let moved = edited_cluster(dir.path(), |list| {
        item(list, "Deployment", "web")["spec"]["replicas"] = 9.into();
    });
    let (_, again, _) = gate(&moved, &["-o", "sarif"]);
    assert_eq!(fingerprint(&log), fingerprint(&json(&again)));
}

#[test]
fn sarif_of_archives_and_of_an_empty_comparison_is_valid() {
    let Some(validator) = sarif_schema() else {
        return;
    };
    let output = driftlab()
        .args(["diff", common::NIGHT1, common::NIGHT2, "-o", "sarif"])
        .output()
        .unwrap();
    let log = json(&stdout(&output));
    assert_valid_sarif(&validator, &log);
    assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());
    let output = driftlab()
        .args(["diff", common::NIGHT1, common::NIGHT1, "-o", "sarif"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let log = json(&stdout(&output));
    assert_valid_sarif(&validator, &log);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
}

/// (tests, failures, skipped) of a JUnit report, counted from its test cases.
fn junit_counts(text: &str) -> (usize, usize, usize) {
    let document = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    let cases: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let with = |tag: &str| {
        cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
            .count()
    };
    let root = document.root_element();
    let counted = (cases.len(), with("failure"), with("skipped"));
    assert_eq!(
        root.attribute("tests"),
        Some(counted.0.to_string().as_str())
    );
    assert_eq!(
        root.attribute("failures"),
        Some(counted.1.to_string().as_str())
    );
    assert_eq!(
        root.attribute("skipped"),
        Some(counted.2.to_string().as_str())
    );
    counted
}

#[test]
fn junit_has_a_case_per_object_and_a_failure_per_drifted_one() {
    let (code, out, _) = gate(&cluster(), &["-o", "junit"]);
    assert_eq!(code, 1);
    // web, Service web, settings, feature-flags, and debug-dump only in the cluster.
    assert_eq!(junit_counts(&out), (5, 3, 1));
    let document = roxmltree::Document::parse(&out).unwrap();
    let web = document
        .descendants()
        .find(|n| n.attribute("classname") == Some("shop/Deployment"))
        .unwrap();
    assert_eq!(web.attribute("name"), Some("web"));
    let failure = web.children().find(|n| n.has_tag_name("failure")).unwrap();
    let listed = failure.text().unwrap();
    assert_eq!(listed.trim().lines().count(), 3, "{listed}");

    // With the baseline everything passes; a hostile value stays well-formed XML.
    let dir = tempfile::tempdir().unwrap();
    let file = baseline(dir.path());
    let (code, out, _) = gate(
        &cluster(),
        &["-o", "junit", "--baseline", file.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    assert_eq!(junit_counts(&out), (5, 0, 1));
    let hostile = edited_cluster(dir.path(), |list| {
        item(list, "ConfigMap", "settings")["data"]["mode"] = "</failure>&\u{1}]]>".into();
    });
    let (_, out, _) = gate(&hostile, &["-o", "junit"]);
    assert_eq!(junit_counts(&out), (5, 3, 1));
}

#[test]
fn ci_formats_work_against_a_live_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let served = common::cluster::Served::start(&cluster().to_string_lossy());
    let config = common::cluster::kubeconfig(dir.path(), &served.url);
    for format in ["github", "sarif", "junit"] {
        let output = driftlab()
            .env("KUBECONFIG", &config)
            .args(["diff", "--desired", MANIFESTS, "live", "-o", format])
            .current_dir(repo(""))
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: {}",
            stderr(&output)
        );
        let out = stdout(&output);
        match format {
            "github" => {
                let commands = workflow_commands(&out);
                assert_eq!(commands.len(), 5, "{out}");
                assert!(
                    commands
                        .iter()
                        .all(|(_, p, _)| property(p, "line").is_some())
                );
            }
            "sarif" => {
                if let Some(validator) = sarif_schema() {
                    assert_valid_sarif(&validator, &json(&out));
                }
            }
            _ => assert_eq!(junit_counts(&out).1, 3, "{out}"),
        }
    }
}

#[test]
fn history_reports_the_newest_night_for_ci() {
    // Three nights: the image its trigger rewrote, then the probe path that broke.
    let archives: Vec<PathBuf> = ["11", "12", "13"]
        .iter()
        .map(|day| {
            repo(&format!(
                "fixtures/week/openshift-backup201809{day}0015.zip"
            ))
        })
        .collect();
    let run = |format: &str| {
        let output = driftlab()
            .arg("history")
            .args(&archives)
            .args(["--output", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    let github = run("github");
    let newest: Value = json(&run("json"));
    let nights = newest["nights"].as_array().unwrap();
    let last = nights.last().unwrap();
    let drifted = last["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["category"] != "churn")
        .count();
    let commands = workflow_commands(&github);
    assert!(!commands.is_empty(), "{github}");
    assert!(
        github.lines().last().unwrap().starts_with("::notice"),
        "{github}"
    );
    let (tests, failures, _) = junit_counts(&run("junit"));
    assert_eq!(failures, drifted, "{last:#}");
    assert!(tests > failures);
}
