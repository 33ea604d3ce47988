//! `driftlab revert`, through the binary. Its patches are applied offline by the real kubectl
//! (`kubectl patch --local`) to today's object, which must then compare clean with GOOD's; the
//! same patch on an object changed since must be refused by kubectl (the `test` operations).
//! Re-created manifests must pass `kubectl create --dry-run=client` against `driftlab serve`.
//! Fixtures: `tests/revert/good` and `tests/revert/current` (a Deployment with reordered
//! containers, removed and hand-added env entries, annotations with `/` and `~`; a deleted
//! ConfigMap and Service; an added ConfigMap; a controller-owned pod; a Secret; custom
//! resources), `tests/revert/hashed` (the Secret as a hashed export holds it).

mod common;

use std::path::{Path, PathBuf};

use common::cluster::{Served, kubeconfig};
use common::skip::{kubectl, kubectl_command};
use common::{driftlab, repo, stderr, stdout};
use serde_json::{Value, json};

const GOOD: &str = "tests/revert/good";
const CURRENT: &str = "tests/revert/current";
const CULPRITS_OLD: &str = "fixtures/culprits/openshift-backup201809110015.zip";
const CULPRITS_NEW: &str = "fixtures/culprits/openshift-backup201809120015.zip";

fn revert(args: &[&str]) -> std::process::Output {
    driftlab().arg("revert").args(args).output().unwrap()
}

/// The JSON plan of `driftlab revert GOOD CURRENT args…`.
fn plan(good: &str, current: &str, args: &[&str]) -> (Value, String) {
    let output = revert(&[&[good, current, "-o", "json"], args].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    (
        serde_json::from_str(&stdout(&output)).unwrap(),
        stderr(&output),
    )
}

fn action<'a>(plan: &'a Value, verb: &str, kind: &str, name: &str) -> &'a Value {
    plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == verb && a["kind"] == kind && a["name"] == name)
        .unwrap_or_else(|| panic!("no {verb} of {kind} {name} in {plan:#}"))
}

/// `kubectl patch --local -f object --type json -p patch -o json`: the patched object, or
/// kubectl's complaint.
fn kubectl_patch(
    kubectl: &Path,
    home: &Path,
    object: &Path,
    patch: &Value,
) -> Result<Value, String> {
    let output = kubectl_command(kubectl, home)
        .args(["patch", "--local", "-f"])
        .arg(object)
        .args(["--type", "json", "-o", "json", "-p"])
        .arg(patch.to_string())
        .output()
        .unwrap();
    if output.status.success() {
        Ok(serde_json::from_slice(&output.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
    path
}

/// `driftlab diff GOOD after args…`: its exit status and report.
fn diff(good: &Path, after: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = driftlab()
        .arg("diff")
        .arg(good)
        .arg(after)
        .args(args)
        .output()
        .unwrap();
    (output.status.code(), stdout(&output))
}

#[test]
fn patches_apply_to_todays_objects_and_leave_no_difference() {
    let Some(kubectl) = kubectl() else { return };
    let home = tempfile::tempdir().unwrap();
    let (plan, _) = plan(GOOD, CURRENT, &[]);
    for (object, file) in [("Deployment", "web.json"), ("Widget", "widget.json")] {
        let name = if object == "Widget" { "w1" } else { "web" };
        let patch = &action(&plan, "patch", object, name)["patch"];
        let today = repo(&format!("{CURRENT}/{file}"));
        let after = kubectl_patch(&kubectl, home.path(), &today, patch)
            .unwrap_or_else(|e| panic!("{object}: {e}\n{patch:#}"));
        let after = write_json(home.path(), file, &after);
        // The autoscaler's replicas are left to it (a skip, below).
        let args = ["--ignore", "spec.replicas"];
        let (code, report) = diff(&repo(&format!("{GOOD}/{file}")), &after, &args);
        assert_eq!(code, Some(0), "{object} still differs:\n{report}");
    }
    // The Deployment: today's indices (web is container 1 today), the hand-added entries
    // removed from the highest index down, GOOD's put back, keys with / and ~ escaped.
    let text = action(&plan, "patch", "Deployment", "web")["patch"].to_string();
    for expected in [
        r#"{"op":"test","path":"/spec/template/spec/containers/1/name","value":"web"}"#,
        r#"{"op":"remove","path":"/spec/template/spec/containers/1/env/4"}"#,
        r#"{"op":"replace","path":"/metadata/annotations/app.kubernetes.io~1name","value":"web"}"#,
        r#"{"op":"replace","path":"/metadata/annotations/odd~0key","value":"one"}"#,
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    // Noise (the revision a controller writes), status and server-set metadata are left alone.
    for untouched in [
        "revision",
        "/status",
        "uid",
        "resourceVersion",
        "last-applied",
    ] {
        assert!(!text.contains(untouched), "{untouched} in {text}");
    }
    let removes: Vec<usize> = text
        .match_indices(r#""op":"remove","path":"/spec/template/spec/containers/1/env/"#)
        .map(|(at, m)| {
            text[at + m.len()..]
                .split('"')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(removes, [4, 2, 0], "{text}");
}

#[test]
fn a_patch_on_an_object_changed_since_is_refused() {
    let Some(kubectl) = kubectl() else { return };
    let home = tempfile::tempdir().unwrap();
    let (plan, _) = plan(GOOD, CURRENT, &[]);
    let patch = &action(&plan, "patch", "Deployment", "web")["patch"];
    let today: Value =
        serde_json::from_slice(&std::fs::read(repo(&format!("{CURRENT}/web.json"))).unwrap())
            .unwrap();
    // Someone rolled out another image since the plan was made.
    let mut image = today.clone();
    image["spec"]["template"]["spec"]["containers"][1]["image"] = json!("shop/web:1.4.4");
    // Someone put the containers back in GOOD's order: index 1 is no longer web.
    let mut reordered = today.clone();
    let containers = reordered["spec"]["template"]["spec"]["containers"]
        .as_array_mut()
        .unwrap();
    containers.swap(0, 1);
    // Someone removed a hand-added variable already.
    let mut fewer = today.clone();
    fewer["spec"]["template"]["spec"]["containers"][1]["env"]
        .as_array_mut()
        .unwrap()
        .remove(2);
    for (what, changed) in [("image", image), ("order", reordered), ("env", fewer)] {
        let file = write_json(home.path(), "changed.json", &changed);
        let refused = kubectl_patch(&kubectl, home.path(), &file, patch);
        assert!(
            refused.as_ref().is_err_and(|e| e.contains("test")),
            "{what}: {refused:?}"
        );
    }
}

/// The script, run with a stand-in kubectl that records its arguments (NUL-separated, one
/// command per line) and standard input: what kubectl would be given.
fn run_script(script: &str, dir: &Path) -> Vec<Vec<String>> {
    let fake = dir.join("kubectl");
    std::fs::write(
        &fake,
        "#!/bin/sh\nstdin=no\nfor a in \"$@\"; do printf '%s\\0' \"$a\" >> \"$LOG\"; [ \"$a\" = apply ] && stdin=yes; done\n\
         if [ $stdin = yes ]; then printf 'STDIN\\0' >> \"$LOG\"; tr -d '\\n' >> \"$LOG\"; printf '\\0' >> \"$LOG\"; fi\n\
         printf '\\n' >> \"$LOG\"\n",
    )
    .unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&fake)
        .status()
        .unwrap();
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap());
    let log = dir.join("log");
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("PATH", path)
        .env("LOG", &log)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            l.split('\0')
                .filter(|a| !a.is_empty())
                .map(String::from)
                .collect()
        })
        .collect()
}

#[test]
fn the_script_is_valid_bash_and_hands_kubectl_the_exact_patches() {
    let output = revert(&[GOOD, CURRENT, "--context", "prod-cluster", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let script = stdout(&output);
    assert!(script.starts_with("#!/usr/bin/env bash\n"), "{script}");
    assert!(script.contains("\nset -euo pipefail\n"), "{script}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("revert.sh");
    std::fs::write(&file, &script).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    let commands = run_script(&script, dir.path());
    let (plan, _) = plan(GOOD, CURRENT, &[]);
    let patch = &action(&plan, "patch", "Deployment", "web")["patch"];
    let web = commands
        .iter()
        .find(|c| c.contains(&"patch".to_string()) && c.contains(&"deployments.apps".to_string()))
        .expect("the Deployment's patch");
    assert_eq!(&web[..2], ["--context", "prod-cluster"]);
    assert!(web.contains(&"--dry-run=server".to_string()), "{web:?}");
    let at = web.iter().position(|a| a == "-p").unwrap();
    // The annotation value holds a ': it reaches kubectl intact.
    let given: Value = serde_json::from_str(&web[at + 1]).unwrap();
    assert_eq!(&given, patch);
    assert!(given.to_string().contains("web-it's-mine"));
    let apply = commands
        .iter()
        .find(|c| c.contains(&"apply".to_string()) && c.join(" ").contains("\"Service\""))
        .expect("the Service re-created");
    assert!(apply.contains(&"--dry-run=server".to_string()), "{apply:?}");
}

#[test]
fn deleted_objects_come_back_clean_and_kubectl_accepts_them() {
    let (plan, stderr) = plan(GOOD, CURRENT, &[]);
    let service = &action(&plan, "create", "Service", "web")["manifest"];
    assert_eq!(service["spec"].get("clusterIP"), None, "{service:#}");
    assert_eq!(service["spec"].get("clusterIPs"), None, "{service:#}");
    assert_eq!(service["spec"]["selector"], json!({"app": "web"}));
    assert!(service["metadata"].get("uid").is_none());
    let settings = &action(&plan, "create", "ConfigMap", "settings")["manifest"];
    assert_eq!(settings["data"], json!({"MODE": "production"}));
    // A custom resource whose CustomResourceDefinition today's side lacks: said so.
    action(&plan, "create", "Gadget", "g1");
    let warnings = plan["warnings"].to_string();
    assert!(
        warnings.contains("CustomResourceDefinition gadgets.example.com"),
        "{warnings}"
    );
    // What the patched Deployment uses and today's side lacks; not the ConfigMap the plan
    // creates again.
    assert!(
        warnings.contains("Secret web-tls (volume tls)"),
        "{warnings}"
    );
    assert!(!warnings.contains("ConfigMap settings"), "{warnings}");
    // An object of a namespace today's side does not hold: the namespace is named.
    action(&plan, "create", "ConfigMap", "old-settings");
    assert!(
        warnings.contains("ConfigMap legacy/old-settings refers to Namespace legacy"),
        "{warnings}"
    );
    assert!(stderr.contains("Secret web-tls"), "{stderr}");
    assert!(warnings.contains("ServiceAccount web-sa"), "{warnings}");

    let Some(kubectl) = kubectl() else { return };
    let served = Served::start(GOOD);
    let home = tempfile::tempdir().unwrap();
    let config = kubeconfig(home.path(), &served.url);
    for manifest in [service, settings] {
        let file = write_json(home.path(), "create.json", manifest);
        let output = kubectl_command(&kubectl, home.path())
            .arg("--kubeconfig")
            .arg(&config)
            .args([
                "create",
                "--dry-run=client",
                "--validate=false",
                "-o",
                "json",
                "-f",
            ])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn added_objects_are_named_unless_delete_added() {
    let (kept, _) = plan(GOOD, CURRENT, &[]);
    assert!(
        !kept["actions"].to_string().contains("\"delete\""),
        "{kept:#}"
    );
    assert!(
        kept["warnings"]
            .to_string()
            .contains("ConfigMap shop/debug was added since"),
        "{kept:#}"
    );
    let (deleted, _) = plan(GOOD, CURRENT, &["--delete-added"]);
    action(&deleted, "delete", "ConfigMap", "debug");
    // Deleting a namespace takes everything in it: the plan says so.
    let namespace = action(&deleted, "delete", "Namespace", "scratch");
    assert!(
        namespace["reason"]
            .as_str()
            .unwrap()
            .contains("every object in it"),
        "{namespace:#}"
    );
    let script = stdout(&revert(&[GOOD, CURRENT, "--delete-added"]));
    assert!(
        script.contains("\nkubectl delete configmaps debug -n shop\n"),
        "{script}"
    );
}

#[test]
fn what_controllers_set_is_skipped_naming_the_controller() {
    let (plan, _) = plan(GOOD, CURRENT, &[]);
    // Replicas an autoscaler sets are its own.
    let replicas = action(&plan, "skip", "Deployment", "web");
    assert!(
        replicas["reason"]
            .as_str()
            .unwrap()
            .contains("HorizontalPodAutoscaler web"),
        "{replicas:#}"
    );
    assert_eq!(replicas["reverts"], json!(["spec.replicas"]));
    let patch = action(&plan, "patch", "Deployment", "web")["patch"].to_string();
    assert!(!patch.contains("/spec/replicas"), "{patch}");
    // A pod a ReplicaSet made is the ReplicaSet's.
    let pod = action(&plan, "skip", "Pod", "web-5d9c-abcde");
    assert!(
        pod["reason"]
            .as_str()
            .unwrap()
            .contains("ReplicaSet web-5d9c"),
        "{pod:#}"
    );
    assert_eq!(pod["reverts"], json!(["spec.containers[web].image"]));
    assert!(!plan["actions"].to_string().contains("shop/web:debug"));
}

#[test]
fn secret_values_only_with_show_secrets_and_never_from_a_fingerprint() {
    let (hidden, _) = plan(GOOD, CURRENT, &["--kind", "secret"]);
    let skip = action(&hidden, "skip", "Secret", "creds");
    assert!(skip["reason"].as_str().unwrap().contains("--show-secrets"));
    let text = hidden.to_string();
    assert!(!text.contains("b2xk") && !text.contains("bmV3"), "{text}");

    // A deleted Secret comes back only with its values, and those only when asked.
    let gone = action(&hidden, "skip", "Secret", "api-token");
    assert!(gone["reason"].as_str().unwrap().contains("--show-secrets"));
    assert!(!text.contains("dG9rZW4"), "{text}");

    let (shown, _) = plan(GOOD, CURRENT, &["--kind", "secret", "--show-secrets"]);
    let manifest = &action(&shown, "create", "Secret", "api-token")["manifest"];
    assert_eq!(manifest["data"], json!({"token": "dG9rZW4tdmFsdWU="}));
    let patch = &action(&shown, "patch", "Secret", "creds")["patch"];
    assert_eq!(
        patch,
        &json!([
            {"op": "test", "path": "/data/password", "value": "bmV3LXBhc3M="},
            {"op": "replace", "path": "/data/password", "value": "b2xkLXBhc3M="}
        ])
    );

    // An export holds only the values' hashes: nothing can restore them.
    let hashed = "tests/revert/hashed";
    let hash = "sha256:0c1d24e5b7f3a1e9d0b6c7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8";
    for args in [
        &["--kind", "secret"][..],
        &["--kind", "secret", "--show-secrets"],
    ] {
        let (plan, stderr) = plan(hashed, CURRENT, args);
        let skip = action(&plan, "skip", "Secret", "creds");
        assert!(
            skip["reason"].as_str().unwrap().contains("fingerprints"),
            "{skip:#}"
        );
        assert!(!plan.to_string().contains(&hash[7..]), "{plan:#}");
        assert!(stderr.contains("Secret shop/creds"), "{stderr}");
        let script = stdout(&revert(&[&[hashed, CURRENT], args].concat()));
        assert!(!script.contains(&hash[7..]), "{script}");
        assert!(!script.contains("kubectl patch"), "{script}");
    }
}

#[test]
fn what_the_users_own_rules_hide_is_not_reverted() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("ignore.yaml");
    std::fs::write(
        &rules,
        "- kind: Deployment\n  paths: ['spec.template.spec.containers[*].image']\n",
    )
    .unwrap();
    let (plan, _) = plan(GOOD, CURRENT, &["--ignore-file", rules.to_str().unwrap()]);
    let web = action(&plan, "patch", "Deployment", "web");
    assert!(!web["patch"].to_string().contains("/image"), "{web:#}");
    assert!(web["reverts"].to_string().contains("env[X]"), "{web:#}");
}

#[test]
fn a_secrets_whole_data_map_is_secret_values_too() {
    let dir = tempfile::tempdir().unwrap();
    let secret = |data: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: shop}}\ntype: Opaque\n{data}"
        )
    };
    let hash = "sha256:0c1d24e5b7f3a1e9d0b6c7a8f9e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8";
    let good = common::write(
        dir.path(),
        "good.yaml",
        secret("data: {password: c2VjcmV0}\n").as_bytes(),
    );
    let hashed = common::write(
        dir.path(),
        "hashed.yaml",
        secret(&format!("data: {{password: \"{hash}\"}}\n")).as_bytes(),
    );
    let today = common::write(dir.path(), "today.yaml", secret("").as_bytes());
    let (hidden, _) = plan(&good, &today, &[]);
    action(&hidden, "skip", "Secret", "s");
    assert!(!hidden.to_string().contains("c2VjcmV0"), "{hidden:#}");
    let (shown, _) = plan(&good, &today, &["--show-secrets"]);
    assert!(
        shown["actions"].to_string().contains("c2VjcmV0"),
        "{shown:#}"
    );
    let (from_hash, _) = plan(&hashed, &today, &["--show-secrets"]);
    assert!(!from_hash.to_string().contains(&hash[7..]), "{from_hash:#}");
    action(&from_hash, "skip", "Secret", "s");
}

#[test]
fn a_secret_value_today_holds_only_as_a_fingerprint_cannot_be_tested() {
    let (plan, _) = plan(
        CURRENT,
        "tests/revert/hashed",
        &["--kind", "secret", "--show-secrets"],
    );
    let skip = action(&plan, "skip", "Secret", "creds");
    assert!(
        skip["reason"]
            .as_str()
            .unwrap()
            .contains("fingerprint of the value today"),
        "{skip:#}"
    );
    assert!(
        !plan["actions"].to_string().contains("\"patch\""),
        "{plan:#}"
    );
}

/// An OpenShift 3 archive (`v1` DeploymentConfig) against today's `apps.openshift.io/v1` one.
#[test]
fn an_openshift_3_archive_reverts_todays_deployment_config() {
    let Some(kubectl) = kubectl() else { return };
    let dir = tempfile::tempdir().unwrap();
    let dc = |api: &str, path: &str, extra: Value| {
        let mut object = json!({"apiVersion": api, "kind": "DeploymentConfig",
            "metadata": {"name": "web", "namespace": "myproject"},
            "spec": {"replicas": 1, "selector": {"name": "web"},
              "template": {"metadata": {"labels": {"name": "web"}},
                "spec": {"containers": [{"name": "web", "image": "web:1",
                  "readinessProbe": {"httpGet": {"path": path, "port": 8080}}}]}}}});
        if let (Some(map), Value::Object(extra)) = (object.as_object_mut(), extra) {
            map.extend(extra);
        }
        object
    };
    let good = dc("v1", "/healthz", json!({}));
    let list = json!({"kind": "List", "apiVersion": "v1", "items": [good]});
    let archive = dir.path().join("openshift-backup201809110015.zip");
    let body = serde_json::to_vec(&list).unwrap();
    std::fs::write(
        &archive,
        common::zip_bytes(&[("myproject/dcs.json", body.as_slice())], false),
    )
    .unwrap();
    let today = dc(
        "apps.openshift.io/v1",
        "/ready",
        json!({"status": {"latestVersion": 4}}),
    );
    let current = dir.path().join("today");
    std::fs::create_dir(&current).unwrap();
    let today_file = write_json(&current, "dc.json", &today);

    let (plan, _) = plan(archive.to_str().unwrap(), current.to_str().unwrap(), &[]);
    let patch_action = action(&plan, "patch", "DeploymentConfig", "web");
    assert_eq!(patch_action["apiVersion"], "apps.openshift.io/v1");
    assert!(!patch_action["patch"].to_string().contains("apiVersion"));
    let after = kubectl_patch(&kubectl, dir.path(), &today_file, &patch_action["patch"]).unwrap();
    assert_eq!(after["apiVersion"], "apps.openshift.io/v1");
    assert_eq!(
        after.pointer("/spec/template/spec/containers/0/readinessProbe/httpGet/path"),
        Some(&json!("/healthz"))
    );
}

#[test]
fn live_through_driftlab_serve() {
    let Some(kubectl) = kubectl() else { return };
    let served = Served::start(CURRENT);
    let home = tempfile::tempdir().unwrap();
    let config = kubeconfig(home.path(), &served.url);
    let output = driftlab()
        .args([
            "revert",
            GOOD,
            "live",
            "-n",
            "shop",
            "-o",
            "json",
            "--kubeconfig",
        ])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let plan: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(plan["current"], "live");
    let patch = &action(&plan, "patch", "Deployment", "web")["patch"];
    // The object as the API serves it today, patched offline.
    let served_object = kubectl_command(&kubectl, home.path())
        .arg("--kubeconfig")
        .arg(&config)
        .args(["get", "deployments.apps", "web", "-n", "shop", "-o", "json"])
        .output()
        .unwrap();
    assert!(served_object.status.success());
    let file = home.path().join("served.json");
    std::fs::write(&file, &served_object.stdout).unwrap();
    let after = kubectl_patch(&kubectl, home.path(), &file, patch).unwrap();
    let after = write_json(home.path(), "after.json", &after);
    let (code, report) = diff(
        &repo(&format!("{GOOD}/web.json")),
        &after,
        &["--ignore", "spec.replicas"],
    );
    assert_eq!(code, Some(0), "{report}");

    // A plan read from live:<context> is made for that context.
    let script = driftlab()
        .args(["revert", GOOD, "live:test", "-n", "shop", "--kubeconfig"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(script.status.code(), Some(0), "{}", stderr(&script));
    let script = stdout(&script);
    assert!(
        script.contains("#   made for kubectl context test\n"),
        "{script}"
    );
    assert!(
        script.contains("\nkubectl --context test patch deployments.apps web -n shop "),
        "{script}"
    );
    // Every patch names its object as kubectl resolves it (a custom resource by its singular).
    let patched: Vec<Vec<&str>> = script
        .lines()
        .filter(|l| l.starts_with("kubectl --context test patch "))
        .map(|l| l.split(' ').skip(4).take(4).collect())
        .collect();
    assert!(patched.len() >= 2, "{script}");
    for words in patched {
        let found = kubectl_command(&kubectl, home.path())
            .arg("--kubeconfig")
            .arg(&config)
            .args(["get", words[0], words[1], words[2], words[3], "-o", "name"])
            .output()
            .unwrap();
        assert!(
            found.status.success(),
            "{words:?}: {}",
            String::from_utf8_lossy(&found.stderr)
        );
    }
}

#[test]
fn culprit_1_of_the_culprits_fixture_reverts_that_culprit_alone() {
    let (plan, _) = plan(CULPRITS_OLD, CULPRITS_NEW, &["--culprit", "1"]);
    let actions = plan["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{plan:#}");
    let dc = action(&plan, "patch", "DeploymentConfig", "web");
    let reverts = dc["reverts"].to_string();
    assert!(
        reverts.contains("spec.template.spec.containers[web].readinessProbe.httpGet.path"),
        "{reverts}"
    );
    assert!(!reverts.contains("helm.sh/chart"), "{reverts}");
    assert!(
        dc["patch"]
            .to_string()
            .contains(r#""path":"/spec/template/spec/containers/0/readinessProbe/httpGet/path","value":"/healthz""#)
    );
    // The ConfigMap it points back to is gone today: the plan says so.
    assert!(
        plan["warnings"]
            .to_string()
            .contains("ConfigMap app-env-9bfbmfgt2f"),
        "{plan:#}"
    );

    // Culprit 2, a pod edited by hand, is its controller's to put right.
    let (pod, _) = self::plan(CULPRITS_OLD, CULPRITS_NEW, &["--culprit", "2"]);
    let skip = action(&pod, "skip", "Pod", "web-4-x7k2p");
    assert!(
        skip["reason"]
            .as_str()
            .unwrap()
            .contains("DeploymentConfig web"),
        "{skip:#}"
    );
    assert_eq!(pod["actions"].as_array().unwrap().len(), 1, "{pod:#}");

    let beyond = revert(&[CULPRITS_OLD, CULPRITS_NEW, "--culprit", "99"]);
    assert_eq!(beyond.status.code(), Some(2));
    assert!(stdout(&beyond).is_empty());
    assert!(
        stderr(&beyond).contains("--culprit 99"),
        "{}",
        stderr(&beyond)
    );
}

#[test]
fn a_selection_that_matches_nothing_is_an_error_not_an_empty_script() {
    let typo = revert(&[GOOD, CURRENT, "--object", "deploy/wbe"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(stdout(&typo).is_empty(), "{}", stdout(&typo));
    let error = stderr(&typo);
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(error.contains("deploy/wbe"), "{error}");

    let path = revert(&[GOOD, CURRENT, "--path", "spec.nosuchfield"]);
    assert_eq!(path.status.code(), Some(2));
    assert!(stdout(&path).is_empty());

    // --object and --path together select one change.
    let (plan, _) = plan(
        GOOD,
        CURRENT,
        &[
            "--object",
            "deploy/web",
            "--path",
            "spec.template.spec.containers[*].image",
        ],
    );
    let web = action(&plan, "patch", "Deployment", "web");
    assert_eq!(
        web["reverts"],
        json!(["spec.template.spec.containers[web].image"])
    );

    // Nothing differs: an empty plan, exit 0.
    let same = revert(&[GOOD, GOOD]);
    assert_eq!(same.status.code(), Some(0));
    assert!(stdout(&same).contains("# nothing to revert"));
}

#[test]
fn yaml_output_holds_the_objects_to_create_and_the_patches() {
    let output = revert(&[GOOD, CURRENT, "-o", "yaml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("# create Service shop/web"), "{text}");
    assert!(text.contains("# patch Deployment shop/web"), "{text}");
    assert!(text.contains("# skipped Pod shop/web-5d9c-abcde"), "{text}");
    assert!(
        text.contains("path: /metadata/annotations/app.kubernetes.io~1name"),
        "{text}"
    );
}

#[test]
fn the_guide_example_is_what_the_binary_prints() {
    let guide = std::fs::read_to_string(repo("docs/guide.md")).unwrap();
    let section = guide
        .split("## Putting it back: `driftlab revert`")
        .nth(1)
        .expect("the guide's section");
    let shown = section
        .split("```bash\n")
        .nth(1)
        .and_then(|block| block.split("\n```").next())
        .expect("the example's output");
    let output = revert(&[
        CULPRITS_OLD,
        CULPRITS_NEW,
        "--culprit",
        "1",
        "--context",
        "prod",
    ]);
    assert_eq!(
        stdout(&output).trim_end(),
        shown,
        "docs/guide.md is out of date"
    );
}

/// The JSON plan is a contract (`driftlab.revert/v1`): the bytes written for the culprits pair
/// are pinned in `tests/revert/culprits-plan.json` (`DRIFTLAB_BLESS=1` rewrites it; review the
/// diff before committing).
#[test]
fn the_json_plan_of_the_culprits_pair_is_pinned() {
    let output = revert(&[CULPRITS_OLD, CULPRITS_NEW, "-o", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let actual = stdout(&output);
    let path = repo("tests/revert/culprits-plan.json");
    if std::env::var_os("DRIFTLAB_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert!(actual == expected, "the JSON plan changed:\n{actual}");
    let plan: Value = serde_json::from_str(&actual).unwrap();
    assert_eq!(plan["schema"], "driftlab.revert/v1");
    for action in plan["actions"].as_array().unwrap() {
        for field in [
            "action",
            "apiVersion",
            "kind",
            "namespace",
            "name",
            "reverts",
        ] {
            assert!(action.get(field).is_some(), "{field} missing: {action:#}");
        }
    }
}
