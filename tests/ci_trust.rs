//! Trustworthy in CI and across environments: a gate that compared nothing by mistake exits 2
//! and says which filter matched nothing; manifests without a namespace take the default one;
//! staging compares with production through `--map-namespace`.

mod common;

use std::path::Path;

use common::{NIGHT1, NIGHT2, driftlab, stderr, stdout};
use serde_json::Value;

/// Runs `driftlab ARGS` and returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let output = driftlab().args(args).output().unwrap();
    (output.status.code(), stdout(&output), stderr(&output))
}

/// Asserts a refusal: exit 2, nothing on stdout, exactly one line on stderr, holding `message`.
fn assert_refused(args: &[&str], message: &str) {
    let (code, out, err) = run(args);
    assert_eq!(code, Some(2), "{args:?}:\n{out}{err}");
    assert_eq!(out, "", "{args:?}: a refusal reports nothing");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line:\n{err}");
    assert!(err.contains(message), "{args:?}:\n{err}");
}

#[test]
fn a_kind_typo_is_refused_with_a_suggestion() {
    assert_refused(
        &["diff", NIGHT1, NIGHT2, "--kind", "deploymentconfg"],
        r#"driftlab: error: unknown kind "deploymentconfg" (did you mean deploymentconfigs?)"#,
    );
}

#[test]
fn a_kind_nobody_knows_is_refused_without_a_guess() {
    let (code, _, err) = run(&["diff", NIGHT1, NIGHT2, "--kind", "foo"]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.trim_end(), r#"driftlab: error: unknown kind "foo""#);
}

#[test]
fn a_known_kind_that_matches_nothing_names_itself() {
    assert_refused(
        &["diff", NIGHT1, NIGHT2, "--kind", "cronjobs"],
        &format!(r#"--kind "cronjobs" matched no object in {NIGHT1} or {NIGHT2}"#),
    );
}

#[test]
fn a_namespace_that_matches_nothing_names_itself() {
    assert_refused(
        &["diff", NIGHT1, NIGHT2, "-n", "nosuchns"],
        &format!(r#"-n "nosuchns" matched no object in {NIGHT1} or {NIGHT2}"#),
    );
    // One word that matches is not enough: every word must match something.
    assert_refused(
        &["diff", NIGHT1, NIGHT2, "-n", "tools", "-n", "nosuchns"],
        r#"-n "nosuchns" matched no object"#,
    );
}

#[test]
fn a_name_glob_that_matches_nothing_names_itself() {
    assert_refused(
        &["diff", NIGHT1, NIGHT2, "--name", "nosuch-*"],
        r#"--name "nosuch-*" matched no object"#,
    );
}

#[test]
fn an_invalid_name_glob_is_refused() {
    assert_refused(
        &["diff", NIGHT1, NIGHT2, "--name", "web-["],
        r#"--name "web-[": '[' cannot be in an object name"#,
    );
}

#[test]
fn two_empty_directories_are_refused_unless_empty_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    assert_refused(
        &["diff", a, b],
        &format!("{a}: holds no Kubernetes object; --allow-empty compares it anyway"),
    );

    let (code, out, err) = run(&["diff", a, b, "--allow-empty"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("0 changed, 0 added, 0 removed, 0 unchanged"),
        "{out}"
    );
    // Allowed, but not silent: each empty side is still named.
    assert!(
        err.contains(&format!("{a}: holds no Kubernetes object")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{b}: holds no Kubernetes object")),
        "{err}"
    );

    // One empty side against a full one: everything is added, exit 1.
    let (code, out, err) = run(&["diff", a, NIGHT1, "--allow-empty"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(out.contains("0 changed"), "{out}");
    assert!(!out.contains(" 0 added"), "{out}");
}

#[test]
fn history_of_an_object_or_path_that_is_nowhere_is_refused() {
    assert_refused(
        &["history", "fixtures/week", "--object", "dc/wbe"],
        r#"--object "dc/wbe" matched no object in any archive"#,
    );
    assert_refused(
        &["history", "fixtures/week", "--path", "spec.nosuch"],
        r#"--path "spec.nosuch" names nothing in any object"#,
    );
    // The same object spelt right is found.
    let (code, out, err) = run(&["history", "fixtures/week", "--object", "dc/web"]);
    assert!(matches!(code, Some(0 | 1)), "{out}{err}");
}

/// The objects of one environment of the shop, in namespace `namespace` (left out when `None`),
/// with the web image at `tag`.
fn shop(namespace: Option<&str>, tag: &str) -> String {
    let ns = namespace
        .map(|ns| format!("\n  namespace: {ns}"))
        .unwrap_or_default();
    // The subject's namespace is required by the API for a ServiceAccount; a manifest names it.
    let subject_ns = namespace.unwrap_or("shop");
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web{ns}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: web
        image: registry.example.com/shop/web:{tag}
        env:
        - name: API_URL
          value: http://api.{subject_ns}.svc:8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config{ns}
data:
  DB_HOST: db.{subject_ns}.svc.cluster.local
  MODE: live
---
apiVersion: v1
kind: Service
metadata:
  name: web{ns}
spec:
  selector: {{app: web}}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: deployer{ns}
subjects:
- kind: ServiceAccount
  name: ci
  namespace: {subject_ns}
roleRef:
  kind: ClusterRole
  name: edit
  apiGroup: rbac.authorization.k8s.io
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web{ns}
spec:
  parentRefs:
  - name: public
    namespace: gateways
  rules:
  - backendRefs:
    - name: web
      namespace: {subject_ns}
      port: 80
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: shop-reader
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get]
"#
    )
}

/// A directory `dir/name` holding `manifests` as `app.yaml`; its path as a string.
fn manifests_dir(dir: &Path, name: &str, manifests: &str) -> String {
    common::write(dir, &format!("{name}/app.yaml"), manifests.as_bytes());
    dir.join(name).to_str().unwrap().to_string()
}

/// The JSON report of `driftlab diff ARGS -o json`, with the exit code.
fn json_diff(args: &[&str]) -> (Option<i32>, Value) {
    let (code, out, err) = run(&[&["diff"], args, &["-o", "json"]].concat());
    assert!(matches!(code, Some(0 | 1)), "{args:?}:\n{out}{err}");
    (code, serde_json::from_str(&out).unwrap())
}

#[test]
fn manifests_without_a_namespace_take_the_default_one() {
    let dir = tempfile::tempdir().unwrap();
    let git = manifests_dir(dir.path(), "git", &shop(None, "1.4.2"));
    let cluster = manifests_dir(dir.path(), "cluster", &shop(Some("shop"), "1.4.2"));

    for flags in [&["--default-namespace", "shop"][..], &["-n", "shop"][..]] {
        let (code, report) = json_diff(&[&[git.as_str(), cluster.as_str()], flags].concat());
        let summary = &report["summary"];
        assert_eq!(code, Some(0), "{flags:?}: {summary}");
        assert_eq!(summary["added"], 0, "{flags:?}: {summary}");
        assert_eq!(summary["removed"], 0, "{flags:?}: {summary}");
        assert_eq!(summary["changed"], 0, "{flags:?}: {summary}");
        // -n shop filters the cluster-scoped ClusterRole out; --default-namespace keeps it.
        let expected = if flags[0] == "-n" { 5 } else { 6 };
        assert_eq!(summary["unchanged"], expected, "{flags:?}: {summary}");
    }

    // Without either, they go to `default`, as kubectl would put them: nothing matches but the
    // cluster-scoped ClusterRole, which never takes a namespace.
    let (code, report) = json_diff(&[git.as_str(), cluster.as_str()]);
    assert_eq!(code, Some(1));
    assert_eq!(report["summary"]["added"], 5, "{}", report["summary"]);
    assert_eq!(report["summary"]["removed"], 5, "{}", report["summary"]);
    assert_eq!(report["summary"]["unchanged"], 1, "{}", report["summary"]);
    let (_, out, _) = run(&["diff", &git, &cluster]);
    assert!(out.contains("\ndefault\n"), "{out}");
    assert!(!out.contains("default/shop-reader"), "{out}");
}

#[test]
fn a_manifest_that_names_its_namespace_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let git = manifests_dir(dir.path(), "git", &shop(Some("shop"), "1.4.2"));
    let cluster = manifests_dir(dir.path(), "cluster", &shop(Some("shop"), "1.4.2"));
    let (code, err) = {
        let (code, _, err) = run(&["diff", &git, &cluster, "--default-namespace", "other"]);
        (code, err)
    };
    assert_eq!(code, Some(0), "{err}");
}

/// What changed between two environments: `(kind namespace/name, path)` of every change.
fn changes(report: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for object in report["objects"].as_array().unwrap() {
        let label = format!(
            "{} {}/{}",
            object["kind"].as_str().unwrap(),
            object["namespace"].as_str().unwrap(),
            object["name"].as_str().unwrap()
        );
        for change in object["changes"].as_array().into_iter().flatten() {
            found.push((label.clone(), change["path"].as_str().unwrap().to_string()));
        }
    }
    found
}

#[test]
fn staging_against_production_shows_only_what_really_differs() {
    let dir = tempfile::tempdir().unwrap();
    let staging = manifests_dir(dir.path(), "staging", &shop(Some("shop-staging"), "1.4.2"));
    let prod = manifests_dir(dir.path(), "prod", &shop(Some("shop-prod"), "1.4.3"));

    let map = ["--map-namespace", "shop-staging=shop-prod"];
    let (code, report) = json_diff(&[&[staging.as_str(), prod.as_str()], &map[..]].concat());
    assert_eq!(code, Some(1));
    let summary = &report["summary"];
    assert_eq!(summary["changed"], 1, "{summary}");
    assert_eq!(summary["added"], 0, "{summary}");
    assert_eq!(summary["removed"], 0, "{summary}");
    assert_eq!(summary["unchanged"], 5, "{summary}");
    assert_eq!(
        changes(&report),
        [(
            "Deployment shop-prod/web".to_string(),
            "spec.template.spec.containers[web].image".to_string()
        )]
    );

    // Without the mapping: nothing is compared, everything namespaced is added and removed.
    let (code, report) = json_diff(&[staging.as_str(), prod.as_str()]);
    assert_eq!(code, Some(1));
    let summary = &report["summary"];
    assert_eq!(summary["changed"], 0, "{summary}");
    assert_eq!(summary["added"], 5, "{summary}");
    assert_eq!(summary["removed"], 5, "{summary}");

    // The same environment mapped onto itself (same tag) is clean.
    let same = manifests_dir(dir.path(), "same", &shop(Some("shop-prod"), "1.4.2"));
    let (code, report) = json_diff(&[&[staging.as_str(), same.as_str()], &map[..]].concat());
    assert_eq!(code, Some(0), "{}", report["summary"]);
}

#[test]
fn a_namespace_filter_names_either_side_of_a_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let staging = manifests_dir(dir.path(), "staging", &shop(Some("shop-staging"), "1.4.2"));
    let prod = manifests_dir(dir.path(), "prod", &shop(Some("shop-prod"), "1.4.3"));
    for namespace in ["shop-prod", "shop-staging"] {
        let (code, report) = json_diff(&[
            &staging,
            &prod,
            "--map-namespace",
            "shop-staging=shop-prod",
            "-n",
            namespace,
        ]);
        assert_eq!(code, Some(1), "-n {namespace}");
        let summary = &report["summary"];
        assert_eq!(summary["changed"], 1, "-n {namespace}: {summary}");
        assert_eq!(summary["unchanged"], 4, "-n {namespace}: {summary}");
    }
}

#[test]
fn a_mapping_that_names_nothing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let staging = manifests_dir(dir.path(), "staging", &shop(Some("shop-staging"), "1.4.2"));
    let prod = manifests_dir(dir.path(), "prod", &shop(Some("shop-prod"), "1.4.3"));
    assert_refused(
        &[
            "diff",
            &staging,
            &prod,
            "--map-namespace",
            "shop-stagin=shop-prod",
        ],
        &format!(
            "--map-namespace shop-stagin=shop-prod: {staging} holds no object in namespace shop-stagin"
        ),
    );
    assert_refused(
        &[
            "diff",
            &staging,
            &prod,
            "--map-namespace",
            "shop-staging=shop-pro",
        ],
        &format!(
            "--map-namespace shop-staging=shop-pro: {prod} holds no object in namespace shop-pro"
        ),
    );
}

#[test]
fn staging_manifests_against_the_live_production_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let staging = manifests_dir(dir.path(), "staging", &shop(Some("shop-staging"), "1.4.2"));
    let prod = manifests_dir(dir.path(), "prod", &shop(Some("shop-prod"), "1.4.3"));
    let served = common::cluster::Served::start(&prod);
    let config = common::cluster::kubeconfig(dir.path(), &served.url);
    // The live side is read in the namespaces staging holds, as production names them.
    let output = driftlab()
        .env("KUBECONFIG", &config)
        .args(["diff", &staging, "live", "--map-namespace"])
        .arg("shop-staging=shop-prod")
        .args(["-o", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        changes(&report),
        [(
            "Deployment shop-prod/web".to_string(),
            "spec.template.spec.containers[web].image".to_string()
        )]
    );
    assert_eq!(report["summary"]["added"], 0, "{}", report["summary"]);
    assert_eq!(report["summary"]["removed"], 0, "{}", report["summary"]);
}

#[test]
fn references_to_the_namespace_inside_objects_are_compared_after_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let staging = shop(Some("shop-staging"), "1.4.2");
    // The RoleBinding's subject, the env value, the ConfigMap's host name and the route's backend
    // all name the staging namespace: mapped, they read as production's.
    for reference in [
        "  namespace: shop-staging\nroleRef",
        "http://api.shop-staging.svc:8080",
        "db.shop-staging.svc.cluster.local",
        "      namespace: shop-staging\n      port: 80",
    ] {
        assert!(staging.contains(reference), "{reference}");
    }
    let staging = manifests_dir(dir.path(), "staging", &staging);
    let prod = manifests_dir(dir.path(), "prod", &shop(Some("shop-prod"), "1.4.2"));
    let map = ["--map-namespace", "shop-staging=shop-prod"];
    let (code, report) = json_diff(&[&[staging.as_str(), prod.as_str()], &map[..]].concat());
    assert_eq!(code, Some(0), "{}", report["objects"]);
    assert_eq!(report["summary"]["unchanged"], 6, "{}", report["summary"]);

    // A reference to another namespace is still a difference.
    let elsewhere = shop(Some("shop-prod"), "1.4.2")
        .replace("api.shop-prod.svc", "api.shop-qa.svc")
        .replace(
            "  namespace: shop-prod\nroleRef",
            "  namespace: shop-qa\nroleRef",
        );
    let elsewhere = manifests_dir(dir.path(), "elsewhere", &elsewhere);
    let (code, report) = json_diff(&[&[staging.as_str(), elsewhere.as_str()], &map[..]].concat());
    assert_eq!(code, Some(1));
    let changed: Vec<String> = changes(&report)
        .into_iter()
        .map(|(o, p)| format!("{o} {p}"))
        .collect();
    assert_eq!(changed.len(), 3, "{changed:?}");
    assert!(
        changed
            .iter()
            .any(|c| c
                .starts_with("Deployment shop-prod/web spec.template.spec.containers[web].env")),
        "{changed:?}"
    );
    assert!(
        changed
            .iter()
            .any(|c| c.starts_with("RoleBinding shop-prod/deployer subjects")),
        "{changed:?}"
    );
}

#[test]
fn reports_name_both_namespaces_of_a_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let staging = manifests_dir(dir.path(), "staging", &shop(Some("shop-staging"), "1.4.2"));
    let prod = manifests_dir(dir.path(), "prod", &shop(Some("shop-prod"), "1.4.3"));
    let args = [
        "diff",
        &staging,
        &prod,
        "--map-namespace",
        "shop-staging=shop-prod",
    ];

    let (code, out, _) = run(&args);
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[1], "Namespaces compared: shop-staging → shop-prod",
        "{out}"
    );
    // The namespace section is headed by both names.
    assert!(lines.contains(&"shop-staging → shop-prod"), "{out}");

    let (_, out, _) = run(&[&args[..], &["-o", "markdown"]].concat());
    assert!(
        out.contains("\nNamespaces compared: shop-staging → shop-prod\n"),
        "{out}"
    );

    let (_, report) = json_diff(&args[1..]);
    assert_eq!(
        report["old"]["namespace_map"]["shop-staging"], "shop-prod",
        "{}",
        report["old"]
    );
    assert!(
        report["new"].get("namespace_map").is_none(),
        "{}",
        report["new"]
    );

    // Without a mapping, nothing changes in the reports.
    let (_, out, _) = run(&["diff", &staging, &prod]);
    assert!(!out.contains("Namespaces compared"), "{out}");
    let (_, report) = json_diff(&[staging.as_str(), prod.as_str()]);
    assert!(
        report["old"].get("namespace_map").is_none(),
        "{}",
        report["old"]
    );
}

/// The markdown report's culprit list: from "**Likely culprits**" to the next blank line after it.
fn markdown_culprits(markdown: &str) -> String {
    let start = markdown
        .find("**Likely culprits**")
        .expect("a culprit list");
    let list = &markdown[start..];
    let body = list.split("\n\n").nth(1).unwrap_or("");
    body.to_string()
}

/// The number before `word` in the summary line (`20 changed`).
fn header_count(markdown: &str, word: &str) -> usize {
    let line = markdown.lines().find(|l| l.starts_with("**")).unwrap();
    let before = &line[..line.find(&format!(" {word}")).unwrap()];
    before
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn markdown_culprits_list_every_change_not_only_the_first() {
    let (code, out, _) = run(&["diff", NIGHT1, NIGHT2, "--output", "markdown"]);
    assert_eq!(code, Some(1));
    let culprits = markdown_culprits(&out);
    assert!(
        culprits.contains("readinessProbe.httpGet.path`: `\"/healthz\"` → `\"/ready\"`"),
        "{culprits}"
    );

    // The culprits pair: the first culprit's readinessProbe change comes after its envFrom change
    // (the reference that follows the renamed config map).
    let (_, out, _) = run(&[
        "diff",
        "fixtures/culprits/openshift-backup201809110015.zip",
        "fixtures/culprits/openshift-backup201809120015.zip",
        "--output",
        "markdown",
    ]);
    let culprits = markdown_culprits(&out);
    let first: Vec<&str> = culprits
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("   - "))
        .collect();
    assert_eq!(first.len(), 2, "{culprits}");
    assert!(
        first.iter().any(|l| l.contains("readinessProbe")),
        "{culprits}"
    );
    assert!(
        first.iter().filter(|l| l.contains("envFrom")).count() == 1,
        "{culprits}"
    );
}

#[test]
fn markdown_header_and_table_agree() {
    // The fixture pair: 1 changed and 4 generated objects replaced; the table marks the latter as
    // such, not as added or changed.
    let (_, out, _) = run(&["diff", NIGHT1, NIGHT2, "--output", "markdown"]);
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| |"))
        .collect();
    let marked = |marker: &str| {
        rows.iter()
            .filter(|r| r.starts_with(&format!("| {marker} |")))
            .count()
    };
    assert_eq!(marked("changed"), header_count(&out, "changed"), "{out}");
    assert_eq!(marked("added"), header_count(&out, "added"), "{out}");
    assert_eq!(marked("removed"), header_count(&out, "removed"), "{out}");
    assert_eq!(marked("generated") + marked("replaced"), 3, "{out}");
    assert!(!out.contains("The table lists"), "{out}");

    // The culprits pair: objects whose only change is a repeated one are left out, and said so.
    let (_, out, _) = run(&[
        "diff",
        "fixtures/culprits/openshift-backup201809110015.zip",
        "fixtures/culprits/openshift-backup201809120015.zip",
        "--output",
        "markdown",
    ]);
    let changed = header_count(&out, "changed");
    assert_eq!(changed, 20);
    let sentence = out
        .lines()
        .find(|l| l.starts_with("The table lists"))
        .expect(&out);
    assert!(
        sentence.contains(&format!("of the {changed} changed objects")),
        "{sentence}"
    );
    assert!(
        sentence.contains("metadata.labels[\"helm.sh/chart\"]"),
        "{sentence}"
    );
}

#[test]
fn a_culprit_with_many_changes_says_how_many_more() {
    let dir = tempfile::tempdir().unwrap();
    let deployment = |value: &str| {
        let env: String = (0..13)
            .map(|i| format!("        - name: VAR_{i:02}\n          value: \"{value}\"\n"))
            .collect();
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n      - name: web\n        image: web:1\n        env:\n{env}"
        )
    };
    let old = manifests_dir(dir.path(), "old", &deployment("a"));
    let new = manifests_dir(dir.path(), "new", &deployment("b"));
    let (code, out, err) = run(&["diff", &old, &new, "--output", "markdown"]);
    assert_eq!(code, Some(1), "{err}");
    let culprits = markdown_culprits(&out);
    let items: Vec<&str> = culprits
        .lines()
        .filter(|l| l.starts_with("   - "))
        .collect();
    assert_eq!(items.len(), 11, "{culprits}");
    assert_eq!(items[10], "   - and 3 more", "{culprits}");
    // The collapsible block still holds all 13.
    assert!(out.contains("(13 changes)"), "{out}");
}
