//! `driftlab diff` as a user runs it: the fixture pair, every output format, filters, exit codes.

mod common;

use common::{NIGHT1, NIGHT2, driftlab, stderr, stdout};
use serde::Deserialize;
use serde_json::Value;

#[test]
fn fixture_pair_puts_the_readiness_probe_first_and_collapses_the_churn() {
    let output = driftlab().args(["diff", NIGHT1, NIGHT2]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(
        text.starts_with(&format!(
            "Comparing {NIGHT1} (2018-09-11 00:15) → {NIGHT2} (2018-09-12 00:15)\n"
        )),
        "{text}"
    );
    // The culprit is the first thing after the header.
    let culprits = text
        .split("\nLikely culprits\n")
        .nth(1)
        .expect("culprits section");
    let mut lines = culprits.lines();
    let first: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        first,
        [
            "1",
            "DeploymentConfig",
            "myproject/web",
            "triggers",
            "a",
            "rollout"
        ]
    );
    assert_eq!(
        lines.next().unwrap(),
        r#"      ~ spec.template.spec.containers[web].readinessProbe.httpGet.path   "/healthz" → "/ready""#
    );
    // Its changes are not repeated below: the culprits show them.
    assert!(
        text.contains("\n~ DeploymentConfig web   see culprits 1, 2\n"),
        "{text}"
    );
    // Rollout churn collapses into one line each; the noise is counted, not shown.
    assert!(
        text.contains("\n~ Pod web-3-* → web-4-*   2 pods replaced\n"),
        "{text}"
    );
    assert!(text.contains("\n~ ReplicationController web-3 → web-4   replaced; same template changes as DeploymentConfig web\n"), "{text}");
    assert!(
        text.contains("\n+ Build web-8   new build of BuildConfig web\n"),
        "{text}"
    );
    assert!(
        !text.contains("Endpoints")
            && !text.contains("lastTriggeredImage")
            && !text.contains("- Pod"),
        "{text}"
    );
    assert!(
        text.ends_with("\n1 changed, 0 added, 0 removed, 33 unchanged · 4 replaced or generated · 48 noise changes hidden (--all shows them, --explain says why)\n"),
        "{text}"
    );
    // No ANSI escapes when stdout is not a terminal.
    assert!(!text.contains('\x1b'));

    let errors = stderr(&output);
    assert!(
        errors.contains("driftlab: note: ") && errors.contains("tools/dc_jenkins_patched.json"),
        "{errors}"
    );
    assert!(
        errors.contains("driftlab: warning: ")
            && errors.contains("tools/templates.json: empty file (0 bytes)"),
        "{errors}"
    );
}

#[test]
fn all_shows_the_noise_and_explain_accounts_for_every_hidden_change() {
    let output = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "--all"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(text.contains("~ Endpoints web\n"), "{text}");
    assert!(
        text.contains("lastTriggeredImage") && text.contains("[dc-last-triggered-image]"),
        "{text}"
    );
    assert!(!text.contains("noise changes hidden"), "{text}");

    let output = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "--explain"])
        .output()
        .unwrap();
    let text = stdout(&output);
    let explained = text
        .split("\nHidden, and why\n")
        .nth(1)
        .expect("explanations");
    let rules = explained
        .lines()
        .filter(|l| l.starts_with("    ") && l.ends_with(']'))
        .count();
    assert_eq!(rules, 48, "{explained}");
    for rule in [
        "[api-upgrade]",
        "[endpoint-addresses]",
        "[dc-last-triggered-image]",
        "[keyed-list-order]",
        "[controller-replicas]",
        "[follows-owner]",
        "[follows-template]",
    ] {
        assert!(explained.contains(rule), "{rule}: {explained}");
    }
    // Without the built-in table, housekeeping is a difference again.
    let output = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "--no-default-noise", "--name-only"])
        .output()
        .unwrap();
    assert!(
        stdout(&output).contains("~ Endpoints myproject/web"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn an_api_upgrade_alone_is_not_a_change() {
    // tools/jenkins moved from OpenShift 3's `v1` to `apps.openshift.io/v1` between the nights:
    // the same object, hidden by api-upgrade and counted.
    let output = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "-n", "tools"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.ends_with("0 changed, 0 added, 0 removed, 5 unchanged · 1 noise change hidden (--all shows them, --explain says why)\n"),
        "{text}"
    );
    let output = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "-n", "tools", "--explain"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.contains("DeploymentConfig tools/jenkins\n    apiVersion   [api-upgrade]"),
        "{text}"
    );
}

#[test]
fn identical_snapshots_exit_0() {
    let output = driftlab().args(["diff", NIGHT1, NIGHT1]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).ends_with("0 changed, 0 added, 0 removed, 36 unchanged\n"));
}

#[test]
fn exit_zero_keeps_drift_from_failing_the_command() {
    let output = driftlab()
        .args(["diff", "--exit-zero", NIGHT1, NIGHT2])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("1 changed"));
}

// The JSON report is a contract: these test-side types are what a consumer relies on.
#[derive(Deserialize)]
struct Report {
    format: String,
    old: Source,
    new: Source,
    summary: Summary,
    ignored_changes: usize,
    ignored_by_rule: Vec<RuleCount>,
    culprits: Vec<Culprit>,
    objects: Vec<Object>,
}

#[derive(Deserialize, PartialEq, Debug)]
struct RuleCount {
    rule: String,
    source: String,
    changes: usize,
}

#[derive(Deserialize)]
struct Culprit {
    position: usize,
    rank: u8,
    category: String,
    kind: String,
    name: String,
    reason: String,
    changes: Vec<ChangeOut>,
}

#[derive(Deserialize)]
struct Source {
    source: String,
    taken: Option<String>,
}

#[derive(Deserialize, PartialEq, Debug)]
struct Summary {
    changed: usize,
    added: usize,
    removed: usize,
    unchanged: usize,
    churn: usize,
    noise_hidden: usize,
}

#[derive(Deserialize)]
struct Object {
    change: String,
    #[serde(rename = "apiVersion")]
    api_version: String,
    kind: String,
    namespace: Option<String>,
    name: String,
    #[serde(rename = "oldName")]
    old_name: Option<String>,
    relation: Option<String>,
    category: String,
    changes: Vec<ChangeOut>,
}

#[derive(Deserialize)]
struct ChangeOut {
    path: String,
    pointer: String,
    op: String,
    old: Option<Value>,
    new: Option<Value>,
    rank: Option<u8>,
    category: Option<String>,
}

#[test]
fn json_report_follows_the_documented_schema() {
    let output = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: Report = serde_json::from_slice(&output.stdout).expect("valid report");
    assert_eq!(report.format, "driftlab.diff/v1");
    assert_eq!(report.old.source, NIGHT1);
    assert_eq!(report.old.taken.as_deref(), Some("2018-09-11T00:15:00Z"));
    assert_eq!(report.new.taken.as_deref(), Some("2018-09-12T00:15:00Z"));
    assert_eq!(
        report.summary,
        Summary {
            changed: 1,
            added: 0,
            removed: 0,
            unchanged: 33,
            churn: 4,
            noise_hidden: 48
        }
    );
    assert_eq!(
        (report.ignored_changes, report.ignored_by_rule),
        (0, Vec::new())
    );
    let first = &report.culprits[0];
    assert_eq!(
        (first.position, first.rank, first.category.as_str()),
        (1, 2, "rollout-trigger")
    );
    assert_eq!(
        (
            first.kind.as_str(),
            first.name.as_str(),
            first.reason.as_str()
        ),
        ("DeploymentConfig", "web", "triggers a rollout")
    );
    assert_eq!(
        first.changes[0].path,
        "spec.template.spec.containers[web].readinessProbe.httpGet.path"
    );

    let dc = report
        .objects
        .iter()
        .find(|o| o.kind == "DeploymentConfig" && o.name == "web")
        .expect("DC web in report");
    assert_eq!(dc.change, "changed");
    assert_eq!(dc.api_version, "apps.openshift.io/v1");
    assert_eq!(dc.namespace.as_deref(), Some("myproject"));
    let probe = dc
        .changes
        .iter()
        .find(|c| c.path.ends_with("readinessProbe.httpGet.path"))
        .expect("probe change");
    assert_eq!(
        probe.path,
        "spec.template.spec.containers[web].readinessProbe.httpGet.path"
    );
    assert_eq!(
        probe.pointer,
        "/spec/template/spec/containers/0/readinessProbe/httpGet/path"
    );
    assert_eq!(probe.op, "replace");
    assert_eq!(probe.old, Some(Value::from("/healthz")));
    assert_eq!(probe.new, Some(Value::from("/ready")));

    assert_eq!(
        (probe.rank, probe.category.as_deref()),
        (Some(2), Some("rollout-trigger"))
    );
    let image = dc
        .changes
        .iter()
        .find(|c| c.path.ends_with(".image"))
        .expect("image change");
    assert_eq!(image.category.as_deref(), Some("triggered-image"));

    // Generated objects are paired, not removed and added.
    let rc = report
        .objects
        .iter()
        .find(|o| o.name == "web-4")
        .expect("web-4");
    assert_eq!(rc.change, "changed");
    assert_eq!(rc.old_name.as_deref(), Some("web-3"));
    assert_eq!(
        rc.relation.as_deref(),
        Some("replaced; same template changes as DeploymentConfig web")
    );
    assert_eq!(rc.category, "churn");
    assert!(rc.changes.is_empty());
    assert!(!report.objects.iter().any(|o| o.change == "removed"));
}

#[test]
fn patch_output_turns_each_old_object_into_the_new_one() {
    use driftlab::snapshot::ObjectKey;
    let output = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "--output", "patch"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let entries: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(entries.len(), 10);

    let options = driftlab::source::ReadOptions::default();
    let old = driftlab::source::read(&common::repo(NIGHT1).to_string_lossy(), &options).unwrap();
    let new = driftlab::source::read(&common::repo(NIGHT2).to_string_lossy(), &options).unwrap();
    let mut checked = 0;
    for entry in entries.iter().filter(|e| e["change"] == "changed") {
        let key = |snapshot: &driftlab::snapshot::Snapshot| {
            snapshot
                .iter()
                .find(|(k, _): &(&ObjectKey, _)| {
                    k.kind == entry["kind"]
                        && k.name == entry["name"]
                        && Some(k.namespace.as_str()) == entry["namespace"].as_str()
                })
                .map(|(_, stored)| stored.value())
                .expect("object in snapshot")
        };
        let mut document = key(&old);
        let patch: json_patch::Patch = serde_json::from_value(entry["patch"].clone()).unwrap();
        json_patch::patch(&mut document, &patch).expect("patch applies");
        assert_eq!(document, key(&new), "{}", entry["name"]);
        checked += 1;
    }
    assert_eq!(checked, 4);
}

#[test]
fn markdown_has_a_verdict_culprits_a_table_and_a_block_per_object() {
    let output = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "--output", "markdown"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(text.starts_with("### driftlab: Drift found\n"), "{text}");
    assert!(text.contains("**Likely culprits**\n\n1. `DeploymentConfig myproject/web` — triggers a rollout\n   - `spec.template.spec.containers[web].readinessProbe.httpGet.path`: `\"/healthz\"` → `\"/ready\"`\n"), "{text}");
    assert!(
        text.contains("| changed | DeploymentConfig | myproject | web | 2 |"),
        "{text}"
    );
    assert!(text.contains("| replaced | ReplicationController | myproject | web-3 → web-4 | replaced; same template changes as DeploymentConfig web |"), "{text}");
    assert!(
        text.contains(
            "<details><summary><code>DeploymentConfig myproject/web</code> (2 changes)</summary>"
        ),
        "{text}"
    );
    assert!(text.contains("- spec.template.spec.containers[web].readinessProbe.httpGet.path: \"/healthz\"\n+ spec.template.spec.containers[web].readinessProbe.httpGet.path: \"/ready\""), "{text}");
}

#[test]
fn stat_and_name_only() {
    let output = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "--stat"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(text.lines().any(|l| l.starts_with("~ DeploymentConfig myproject/web ") && l.ends_with("2 changes")), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("+ Build myproject/web-8")
                && l.ends_with("new build of BuildConfig web")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("~ Pod myproject/web-3-* → web-4-*")
                && l.ends_with("2 pods replaced")),
        "{text}"
    );
    assert_eq!(text.lines().count(), 5, "{text}");

    let output = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "--name-only"])
        .output()
        .unwrap();
    let lines: Vec<String> = stdout(&output).lines().map(String::from).collect();
    assert_eq!(
        lines,
        [
            "+ Build myproject/web-8",
            "~ DeploymentConfig myproject/web",
            "~ Pod myproject/web-3-* → web-4-*",
            "~ ReplicationController myproject/web-3 → web-4",
        ]
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn filters_by_namespace_kind_name_and_path() {
    let run = |args: &[&str]| {
        let output = driftlab()
            .args(["diff", NIGHT1, NIGHT2, "--name-only"])
            .args(args)
            .output()
            .unwrap();
        stdout(&output)
            .lines()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert!(run(&["-n", "tools"]).is_empty());
    assert_eq!(
        run(&["--kind", "dc", "--no-default-noise"]),
        [
            "~ DeploymentConfig myproject/web",
            "~ DeploymentConfig tools/jenkins"
        ]
    );
    assert_eq!(
        run(&["--kind", "rc", "--name", "web-*"]),
        ["~ ReplicationController myproject/web-3 → web-4"]
    );

    let output = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "--kind", "dc", "-n", "myproject"])
        .args([
            "--ignore",
            "spec.template.spec.containers[*].image",
            "--ignore",
            "/spec/triggers",
        ])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(!text.contains(".image "), "{text}");
    assert!(!text.contains("lastTriggeredImage"), "{text}");
    assert!(text.contains("readinessProbe.httpGet.path"), "{text}");
    assert!(
        text.ends_with(
            "1 changed, 0 added, 0 removed, 1 unchanged · 1 noise change hidden (--all shows them, --explain says why) · 2 changes ignored by your rules\n"
        ),
        "{text}"
    );
}

#[test]
fn ignoring_every_change_of_an_object_makes_it_unchanged() {
    let output = driftlab()
        .args([
            "diff",
            NIGHT1,
            NIGHT2,
            "-n",
            "tools",
            "--ignore",
            "apiVersion",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).ends_with(
        "0 changed, 0 added, 0 removed, 5 unchanged · 1 change ignored by your rules\n"
    ));
}

#[test]
fn color_only_when_asked_or_on_a_terminal() {
    let colored = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "--color", "always"])
        .output()
        .unwrap();
    let text = stdout(&colored);
    assert!(text.contains("\x1b["), "{text}");
    let plain = driftlab()
        .args(["diff", NIGHT1, NIGHT2, "--color", "never"])
        .output()
        .unwrap();
    assert!(!stdout(&plain).contains('\x1b'));
    // Colour adds escapes only: the text without them is the plain report.
    let stripped = strip_ansi(&text);
    assert_eq!(stripped, stdout(&plain));
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn secret_values_never_appear_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let old = common::write(dir.path(), "old.yaml", b"apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: p}\ndata: {password: czNjcjN0, user: YWRtaW4=}\n");
    let new = common::write(dir.path(), "new.yaml", b"apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: p}\ndata: {password: bjN3LXMzY3IzdA==, user: YWRtaW4=, token: dG9rZW4tdmFsdWU=}\n");
    for format in ["text", "json", "patch", "markdown"] {
        let output = driftlab()
            .args(["diff", &old, &new, "--output", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        let text = stdout(&output);
        for secret in [
            "czNjcjN0",
            "s3cr3t",
            "bjN3LXMzY3IzdA==",
            "n3w-s3cr3t",
            "dG9rZW4tdmFsdWU=",
            "token-value",
        ] {
            assert!(!text.contains(secret), "{format} leaks {secret}: {text}");
        }
        assert!(text.contains("sha256:"), "{format}: {text}");
    }
    let output = driftlab().args(["diff", &old, &new]).output().unwrap();
    let text = stdout(&output);
    assert!(text.contains("~ data.password   sha256:"), "{text}");
    assert!(text.contains("(values hidden; --show-secrets)"), "{text}");
    assert!(
        !text.contains("data.user"),
        "an unchanged secret value is not a change: {text}"
    );

    let output = driftlab()
        .args(["diff", &old, &new, "--show-secrets"])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.contains(r#"~ data.password   s3cr3t → n3w-s3cr3t"#),
        "{text}"
    );
    assert!(text.contains("+ data.token   token-value"), "{text}");
}

#[test]
fn standard_input_is_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let new = common::write(dir.path(), "new.json", br#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "p"}, "data": {"k": "2"}}"#);
    let output = driftlab()
        .args(["diff", "-", &new])
        .write_stdin("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: p}\ndata: {k: \"1\"}\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.starts_with("Comparing - → "), "{text}");
    assert!(text.contains(r#"~ data.k   "1" → "2""#), "{text}");
}

#[test]
fn help_documents_exit_status_and_formats() {
    let output = driftlab().args(["diff", "--help"]).output().unwrap();
    let text = stdout(&output);
    assert!(
        text.contains("Exit status: 0 no differences, 1 differences, 2 trouble"),
        "{text}"
    );
    for word in [
        "--output",
        "--stat",
        "--name-only",
        "--ignore",
        "--ignore-file",
        "--no-ignore-file",
        "--show-secrets",
        "--color",
        "--max-bytes",
        "--kind",
    ] {
        assert!(text.contains(word), "{word} missing from help");
    }
}

#[test]
fn integers_beyond_64_bits_that_differ_are_a_difference() {
    let dir = tempfile::tempdir().unwrap();
    let object = |value: &str| {
        format!(
            r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"a","namespace":"p"}},"spec":{{"x":{value}}}}}"#
        )
    };
    let old = common::write(
        dir.path(),
        "old.json",
        object("123456789012345678901234567890").as_bytes(),
    );
    let new = common::write(
        dir.path(),
        "new.json",
        object("123456789012345678901234567891").as_bytes(),
    );
    let same = common::write(
        dir.path(),
        "same.json",
        object("123456789012345678901234567890").as_bytes(),
    );
    let output = driftlab()
        .args(["diff", &old, &new, "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(
        stdout(&output)
            .contains("~ spec.x   123456789012345678901234567890 → 123456789012345678901234567891"),
        "{}",
        stdout(&output)
    );
    let output = driftlab().args(["diff", &old, &same]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn markdown_keeps_hostile_keys_inside_code() {
    let dir = tempfile::tempdir().unwrap();
    let object = |v: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: web, namespace: p}}\n\
             data: {{\"a`<img src=x>`\": \"{v}\", \"b\": \"```\\n{v}\"}}\n"
        )
    };
    let old = common::write(dir.path(), "old.yaml", object("1").as_bytes());
    let new = common::write(dir.path(), "new.yaml", object("2").as_bytes());
    let output = driftlab()
        .args(["diff", &old, &new, "--output", "markdown"])
        .output()
        .unwrap();
    let text = stdout(&output);
    // The key's backticks cannot end the code span, so the <img> stays text.
    assert!(
        text.contains("1. `ConfigMap p/web` — ")
            && text.contains("\n   - ``data[\"a`<img src=x>`\"]``: "),
        "{text}"
    );
    // The block holding a ``` line is fenced with four backticks.
    assert!(
        text.contains("\n````diff\n") && text.contains("\n````\n"),
        "{text}"
    );
    let outside_code: Vec<&str> = text
        .split("````")
        .step_by(2)
        .flat_map(str::lines)
        .filter(|l| l.contains("<img"))
        .filter(|l| !l.contains("``data["))
        .collect();
    assert!(outside_code.is_empty(), "{outside_code:?}");
}

#[test]
fn a_list_with_very_many_changed_elements_is_one_summary_line() {
    let dir = tempfile::tempdir().unwrap();
    let object = |offset: usize| {
        let items: Vec<String> = (0..200_000).map(|i| (i * 7 + offset).to_string()).collect();
        format!(
            r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"a","namespace":"p"}},"spec":{{"x":[{}]}}}}"#,
            items.join(",")
        )
    };
    let old = common::write(dir.path(), "old.json", object(0).as_bytes());
    let new = common::write(dir.path(), "new.json", object(1).as_bytes());
    let output = driftlab()
        .args(["diff", &old, &new, "--color", "never"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.lines().count() < 20, "{} lines", text.lines().count());
    assert!(
        text.contains("~ spec.x   list of 200000 elements → 200000 elements: 200000 element changes, not listed one by one"),
        "{text}"
    );
    let output = driftlab()
        .args(["diff", &old, &new, "--output", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let change = &report["objects"][0]["changes"][0];
    assert_eq!(change["elided"]["changes"], 200000, "{change}");
    assert!(change.get("old").is_none());
}

/// Rules of the user's (issue 21: a `.driftlabignore` in the working directory hiding every
/// container change) are counted per rule, apart from the built-in noise.
fn diff_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let (old, new) = (common::repo(NIGHT1), common::repo(NIGHT2));
    driftlab()
        .current_dir(dir)
        .args([
            "diff",
            old.to_str().unwrap(),
            new.to_str().unwrap(),
            "-n",
            "myproject",
        ])
        .args(["--color", "never"])
        .args(args)
        .output()
        .unwrap()
}

/// A directory holding the attacker's `.driftlabignore` and a named rules file.
fn rules_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        ".driftlabignore",
        b"- kind: \"*\"\n  paths: ['spec.template.spec.containers[*]']\n",
    );
    common::write(
        dir.path(),
        "rules.yaml",
        b"- description: the pods' placement\n  kind: Pod\n  paths: [spec.nodeName, /metadata/labels]\n",
    );
    dir
}

#[test]
fn json_counts_what_each_user_rule_hid_apart_from_noise() {
    let dir = rules_dir();
    let output = diff_in(
        dir.path(),
        &[
            "--ignore-file",
            "rules.yaml",
            "--ignore",
            "/spec/triggers",
            "--output",
            "json",
        ],
    );
    let contract: Report = serde_json::from_slice(&output.stdout).unwrap();
    let rule = |rule: &str, source: &str, changes| RuleCount {
        rule: rule.into(),
        source: source.into(),
        changes,
    };
    assert_eq!(
        contract.ignored_by_rule,
        [
            rule("--ignore /spec/triggers", "--ignore", 1),
            rule(".driftlabignore#1", ".driftlabignore", 2),
            rule("the pods' placement (rules.yaml#1)", "--ignore-file", 0),
        ]
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["ignored_changes"], 3);
    // What the user's rules hide is not noise: the count is the built-in rules' alone, less the
    // lastTriggeredImage change --ignore took first.
    let clean = tempfile::tempdir().unwrap();
    let plain: Value =
        serde_json::from_slice(&diff_in(clean.path(), &["--output", "json"]).stdout).unwrap();
    assert_eq!(plain["ignored_changes"], 0);
    assert_eq!(
        report["summary"]["noise_hidden"].as_u64().unwrap() + 1,
        plain["summary"]["noise_hidden"].as_u64().unwrap(),
    );
    // Nothing visible is left in DeploymentConfig web: not a difference.
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        report.get("ignored").is_none(),
        "listed with --explain only"
    );

    let explained = diff_in(
        dir.path(),
        &[
            "--ignore",
            "/spec/triggers",
            "--output",
            "json",
            "--explain",
        ],
    );
    let report: Value = serde_json::from_slice(&explained.stdout).unwrap();
    let listed: Vec<(&str, &str, &str)> = report["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["path"].as_str().unwrap(),
                c["hidden"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                "web",
                "spec.triggers[ImageChange/web:latest].imageChangeParams.lastTriggeredImage",
                "--ignore /spec/triggers"
            ),
            (
                "web",
                "spec.template.spec.containers[web].image",
                ".driftlabignore#1"
            ),
            (
                "web",
                "spec.template.spec.containers[web].readinessProbe.httpGet.path",
                ".driftlabignore#1"
            ),
        ]
    );
}

#[test]
fn text_names_the_rules_that_hid_changes_and_explain_lists_them() {
    let dir = rules_dir();
    let output = diff_in(dir.path(), &["--kind", "dc", "--ignore", "/spec/triggers"]);
    let text = stdout(&output);
    assert!(
        text.ends_with(
            "\nIgnored by your rules: 2 by .driftlabignore#1, 1 by --ignore /spec/triggers (--explain lists them)\n\
             0 changed, 0 added, 0 removed, 2 unchanged · 1 noise change hidden (--all shows them, --explain says why) · 3 changes ignored by your rules\n"
        ),
        "{text}"
    );
    let output = diff_in(
        dir.path(),
        &["--kind", "dc", "--ignore", "/spec/triggers", "--explain"],
    );
    let text = stdout(&output);
    let ignored = text
        .split("\nIgnored by your rules\n")
        .nth(1)
        .expect("the --explain section");
    assert!(
        ignored.starts_with(
            "  DeploymentConfig myproject/web\n    \
             spec.triggers[ImageChange/web:latest].imageChangeParams.lastTriggeredImage   [--ignore /spec/triggers]\n    \
             spec.template.spec.containers[web].image   [.driftlabignore#1]\n"
        ),
        "{text}"
    );
    // --all shows the built-in noise, never what the user's rules hide.
    let output = diff_in(dir.path(), &["--kind", "dc", "--all"]);
    assert!(
        !stdout(&output).contains("readinessProbe"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "noise shown is still noise: --all never changes the exit status"
    );

    let output = diff_in(dir.path(), &["--kind", "dc", "--output", "markdown"]);
    assert!(
        stdout(&output).contains("\n\nIgnored by your rules: 2 by .driftlabignore\\#1\n"),
        "{}",
        stdout(&output)
    );
}

/// A `.driftlabignore` nobody named is said on stderr, with its full path and what it hid (0
/// included); `--quiet` silences it as it silences every note, `--no-ignore-file` skips the file.
#[test]
fn an_implicit_driftlabignore_is_announced_and_can_be_skipped() {
    let dir = rules_dir();
    let file = dir.path().canonicalize().unwrap().join(".driftlabignore");
    let note = |hid: &str| {
        format!(
            "driftlab: note: read {} from the current directory: its 1 rule hid {hid} (--no-ignore-file skips it)\n",
            file.display()
        )
    };
    let output = diff_in(dir.path(), &[]);
    assert!(
        stderr(&output).contains(&note("2 changes")),
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(0));

    // Named by a flag, it is the user's choice: no note.
    let output = diff_in(dir.path(), &["--ignore-file", "./.driftlabignore"]);
    assert!(
        !stderr(&output).contains(".driftlabignore"),
        "{}",
        stderr(&output)
    );
    let report: Value = serde_json::from_slice(
        &diff_in(
            dir.path(),
            &["--ignore-file", "./.driftlabignore", "-o", "json"],
        )
        .stdout,
    )
    .unwrap();
    assert_eq!(
        report["ignored_by_rule"].as_array().unwrap().len(),
        1,
        "read once"
    );
    assert_eq!(report["ignored_by_rule"][0]["source"], "--ignore-file");

    let output = diff_in(dir.path(), &["--quiet"]);
    assert_eq!(stderr(&output), "");

    let output = diff_in(dir.path(), &["--no-ignore-file", "-o", "json"]);
    assert!(
        !stderr(&output).contains(".driftlabignore"),
        "{}",
        stderr(&output)
    );
    assert_eq!(output.status.code(), Some(1), "the probe change is back");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["ignored_changes"], 0);
    assert_eq!(report["ignored_by_rule"], serde_json::json!([]));

    // A rule that hides nothing is still said.
    common::write(
        dir.path(),
        ".driftlabignore",
        b"- kind: Nothing\n  paths: [spec]\n",
    );
    let output = diff_in(dir.path(), &[]);
    assert!(
        stderr(&output).contains(&note("0 changes")),
        "{}",
        stderr(&output)
    );
}
