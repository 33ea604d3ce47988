//! Manifests as people write them against objects as the API server returns them, old backups
//! against upgraded clusters, modern pods against their templates: through the `driftlab diff`
//! command, so that the noise rules `server-default`, `admission-injected` and `api-upgrade` are
//! tested where users meet them.

mod common;

use std::path::{Path, PathBuf};

use common::{driftlab, repo, stderr, stdout};

/// The two documents of a `tests/kube/*.yaml` fixture: the manifest and its live form.
fn split_fixture(path: &Path) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let docs: Vec<&str> = text
        .split("\n---")
        .filter(|d| {
            d.lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        })
        .collect();
    assert_eq!(docs.len(), 2, "{}: manifest and live form", path.display());
    (docs[0].to_string(), docs[1].to_string())
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn diff(args: &[&str]) -> (Option<i32>, String, String) {
    let output = driftlab().arg("diff").args(args).output().unwrap();
    (output.status.code(), stdout(&output), stderr(&output))
}

#[test]
fn every_minimal_manifest_matches_its_live_form() {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(repo("tests/kube"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| !p.to_string_lossy().contains("pod-vs-"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 25);
    let dir = tempfile::tempdir().unwrap();
    for fixture in &fixtures {
        let (manifest, live) = split_fixture(fixture);
        let manifest = write(dir.path(), "manifest.yaml", &manifest);
        let live = write(dir.path(), "live.yaml", &live);
        let (code, out, err) = diff(&[manifest.to_str().unwrap(), live.to_str().unwrap()]);
        assert_eq!(code, Some(0), "{}:\n{out}{err}", fixture.display());
        assert!(
            out.contains("0 changed, 0 added, 0 removed, 1 unchanged"),
            "{}:\n{out}",
            fixture.display()
        );
    }
}

#[test]
fn defaults_are_named_by_explain_and_a_non_default_value_is_a_difference() {
    let (manifest, live) = split_fixture(&repo("tests/kube/deployment.yaml"));
    let dir = tempfile::tempdir().unwrap();
    let live = write(dir.path(), "live.yaml", &live);
    let clean = write(dir.path(), "manifest.yaml", &manifest);
    let (_, out, _) = diff(&[clean.to_str().unwrap(), live.to_str().unwrap(), "--explain"]);
    assert!(out.contains("imagePullPolicy   [server-default]"), "{out}");

    // The manifest asks for a pull on every start; the cluster runs the default: drift.
    let always = manifest.replacen(
        "          image: registry.example.com:5000/shop/web:1.4.2\n          ports:",
        "          image: registry.example.com:5000/shop/web:1.4.2\n          imagePullPolicy: Always\n          ports:",
        1,
    );
    assert_ne!(always, manifest, "the fixture's container layout changed");
    let drifted = write(dir.path(), "always.yaml", &always);
    let (code, out, _) = diff(&[drifted.to_str().unwrap(), live.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(
            r#"~ spec.template.spec.containers[web].imagePullPolicy   "Always" → "IfNotPresent""#
        ),
        "{out}"
    );
}

/// The Argo CD gitops-engine pairs: configs and the live objects Argo CD compares them with.
fn argo_corpus() -> Option<PathBuf> {
    common::skip::corpus("argo-gitops-engine")
}

#[test]
fn argo_cd_in_sync_pairs_are_in_sync() {
    let Some(dir) = argo_corpus() else {
        return;
    };
    // (config, live, extra arguments): every pair Argo CD's tests expect "not modified".
    // Configs without a namespace take the one Argo CD's Application would give them.
    let in_sync: &[(&str, &str, &[&str])] = &[
        (
            "elasticsearch-config.json",
            "elasticsearch-live.json",
            &["--default-namespace", "elasticsearch4"],
        ),
        ("smd-deploy-config.yaml", "smd-deploy-live.yaml", &[]),
        ("spinnaker-sa-config.json", "spinnaker-sa-live.json", &[]),
        (
            "mutatingwebhookconfig-config.json",
            "mutatingwebhookconfig-live.json",
            &[],
        ),
        (
            "wordpress-config.json",
            "wordpress-live.json",
            &["--default-namespace", "argocd"],
        ),
        (
            "grafana-clusterrole-config.json",
            "grafana-clusterrole-live.json",
            &[],
        ),
        ("sealedsecret-config.json", "sealedsecret-live.json", &[]),
        ("endpoints-config.json", "endpoints-live.json", &[]),
        (
            "aggr-clusterrole-config.json",
            "aggr-clusterrole-live.json",
            &[],
        ),
    ];
    for (config, live, extra) in in_sync {
        let (config, live) = (dir.join(config), dir.join(live));
        let mut args = vec![config.to_str().unwrap(), live.to_str().unwrap()];
        args.extend_from_slice(extra);
        let (code, out, err) = diff(&args);
        assert_eq!(code, Some(0), "{}:\n{out}{err}", config.display());
    }

    // Argo CD's three-way diff ignores the env var added in the cluster because the
    // last-applied configuration never had it; a two-way comparison rightly shows it.
    let (code, out, _) = diff(&[
        dir.join("deployment-config.json").to_str().unwrap(),
        dir.join("deployment-live.json").to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("+ spec.template.spec.containers[guestbook-ui].env[VAR2]"),
        "{out}"
    );
    assert!(out.contains("1 changed, 0 added, 0 removed"), "{out}");

    // The structured-merge-diff service pair is modified in Argo CD's tests too.
    let (code, out, _) = diff(&[
        dir.join("smd-service-config.yaml").to_str().unwrap(),
        dir.join("smd-service-live.yaml").to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("targetPort   1936 → 1935"), "{out}");
}

/// An OpenShift 3 backup of a project, as its `oc get -o json` wrote it.
const OPENSHIFT3: &str = r#"{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}, "spec": {"finalizers": ["openshift.io/origin", "kubernetes"]}},
 {"apiVersion": "v1", "kind": "DeploymentConfig", "metadata": {"name": "web", "namespace": "shop"},
  "spec": {"replicas": 2, "selector": {"app": "web"}, "strategy": {"type": "Rolling"},
   "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web",
     "image": "registry.example.com/shop/web:2.0", "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]}}}},
 {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "web-3", "namespace": "shop",
   "annotations": {"openshift.io/deployment-config.name": "web"},
   "ownerReferences": [{"apiVersion": "v1", "kind": "DeploymentConfig", "name": "web", "controller": true}]},
  "spec": {"replicas": 2, "selector": {"app": "web"}}},
 {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
  "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}],
   "type": "ClusterIP", "sessionAffinity": "None"}},
 {"apiVersion": "v1", "kind": "RoleBinding", "metadata": {"name": "admin", "namespace": "shop"},
  "userNames": ["alice"], "groupNames": null, "roleRef": {"name": "admin"},
  "subjects": [{"kind": "User", "name": "alice"}]},
 {"apiVersion": "v1", "kind": "RoleBinding", "metadata": {"name": "builders", "namespace": "shop"},
  "userNames": null, "groupNames": ["ci"], "roleRef": {"name": "builder", "namespace": "shop"},
  "subjects": [{"kind": "Group", "name": "ci"}]}
]}"#;

/// The same project as OpenShift 4 returns it after the upgrade, with one real change: the
/// DeploymentConfig's image.
const OPENSHIFT4: &str = r#"{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"kubernetes.io/metadata.name": "shop"}}, "spec": {"finalizers": ["kubernetes"]}},
 {"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig", "metadata": {"name": "web", "namespace": "shop"},
  "spec": {"replicas": 2, "selector": {"app": "web"}, "revisionHistoryLimit": 10, "test": false, "triggers": [{"type": "ConfigChange"}],
   "strategy": {"type": "Rolling", "activeDeadlineSeconds": 21600, "resources": {},
     "rollingParams": {"intervalSeconds": 1, "maxSurge": "25%", "maxUnavailable": "25%", "timeoutSeconds": 600, "updatePeriodSeconds": 1}},
   "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web",
     "image": "registry.example.com/shop/web:2.1", "imagePullPolicy": "IfNotPresent",
     "ports": [{"containerPort": 8080, "protocol": "TCP"}], "resources": {},
     "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
     "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
     "securityContext": {}, "terminationGracePeriodSeconds": 30}}}},
 {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "web-3", "namespace": "shop",
   "annotations": {"openshift.io/deployment-config.name": "web"},
   "ownerReferences": [{"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig", "name": "web", "controller": true}]},
  "spec": {"replicas": 2, "selector": {"app": "web"}}},
 {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
  "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}],
   "type": "ClusterIP", "sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
   "internalTrafficPolicy": "Cluster"}},
 {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "admin", "namespace": "shop"},
  "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
  "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]},
 {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "builders", "namespace": "shop"},
  "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "builder"},
  "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "ci"}]}
]}"#;

#[test]
fn an_openshift3_backup_against_openshift4_shows_only_the_real_change() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "ocp3.json", OPENSHIFT3);
    let new = write(dir.path(), "ocp4.json", OPENSHIFT4);
    let (code, out, err) = diff(&[old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}{err}");
    let changes: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("      ") && !l.starts_with("       "))
        .collect();
    assert_eq!(
        changes,
        [
            r#"      ~ spec.template.spec.containers[web].image   "registry.example.com/shop/web:2.0" → "registry.example.com/shop/web:2.1""#
        ],
        "{out}"
    );
    assert!(
        out.contains("1 changed, 0 added, 0 removed, 5 unchanged"),
        "{out}"
    );
    let (_, explained, _) = diff(&[old.to_str().unwrap(), new.to_str().unwrap(), "--explain"]);
    for rule in ["[api-upgrade]", "[server-default]"] {
        assert!(explained.contains(rule), "{rule}: {explained}");
    }

    // The same backup with the image as it is today: an upgrade alone exits 0.
    let same = OPENSHIFT3.replace("web:2.0", "web:2.1");
    let same = write(dir.path(), "ocp3-same.json", &same);
    let (code, out, _) = diff(&[same.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");

    // Another subject in the binding is an access change, upgrade or not.
    let widened = OPENSHIFT4.replace(
        r#""kind": "User", "name": "alice"}]"#,
        r#""kind": "User", "name": "mallory"}]"#,
    );
    assert_ne!(widened, OPENSHIFT4);
    let widened = write(dir.path(), "ocp4-widened.json", &widened);
    let (code, out, _) = diff(&[same.to_str().unwrap(), widened.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("RoleBinding shop/admin"), "{out}");
}

#[test]
fn a_modern_pod_is_not_edited_by_hand_but_an_edited_one_is() {
    let text = std::fs::read_to_string(repo("tests/kube/pod-vs-replicaset.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let old = write(dir.path(), "old.yaml", &text);
    // The pod changes between the nights (a label), not against its template.
    let relabelled = text.replacen(
        "{app: web, pod-template-hash: 7c5ddbdf54}\n  name: web-7c5ddbdf54-x2x8q",
        "{app: web, tier: front, pod-template-hash: 7c5ddbdf54}\n  name: web-7c5ddbdf54-x2x8q",
        1,
    );
    assert_ne!(relabelled, text);
    let relabelled = write(dir.path(), "relabelled.yaml", &relabelled);
    let (_, out, err) = diff(&[old.to_str().unwrap(), relabelled.to_str().unwrap()]);
    assert!(!out.contains("edited by hand"), "{out}{err}");

    // The pod's image changed in place: edited by hand.
    let pod_at = text.find("kind: Pod").unwrap();
    let (replica_set, pod) = text.split_at(pod_at);
    let edited = format!(
        "{replica_set}{}",
        pod.replacen("shop/web:1.4.2", "shop/web:1.4.2-hotfix", 1)
    );
    let edited = write(dir.path(), "edited.yaml", &edited);
    let (_, out, _) = diff(&[old.to_str().unwrap(), edited.to_str().unwrap()]);
    assert!(out.contains("edited by hand"), "{out}");
}
