//! "Exit 0 must mean no dangerous drift" (docs/promises.md), tried as an attacker
//! would: generated-looking objects, noise rules, field managers, burial and ignore rules, each
//! through the binary, each with a control that must stay quiet.

mod common;

use common::{driftlab, stderr, stdout};
use serde_json::{Value, json};

/// Writes `old` and `new` as Lists and runs `driftlab diff OLD NEW` with `extra`.
fn run(old: &[Value], new: &[Value], extra: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, items: &[Value]| {
        let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
        common::write(dir.path(), name, list.to_string().as_bytes())
    };
    let (old, new) = (write("old.json", old), write("new.json", new));
    driftlab()
        .args(["diff", &old, &new])
        .args(extra)
        .output()
        .unwrap()
}

/// The exit status and the JSON report of `diff OLD NEW --output json` with `extra`.
fn diff(old: &[Value], new: &[Value], extra: &[&str]) -> (i32, Value) {
    let output = run(old, new, &[extra, &["--output", "json"]].concat());
    let report = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&output), stderr(&output)));
    (output.status.code().unwrap(), report)
}

/// The exit status and the text report.
fn text(old: &[Value], new: &[Value], extra: &[&str]) -> (i32, String) {
    let output = run(old, new, extra);
    (output.status.code().unwrap(), stdout(&output))
}

fn spec() -> Value {
    json!({"containers": [{"name": "web", "image": "registry.example.com/web:1.0",
        "ports": [{"containerPort": 8080}]}]})
}

fn deployment(name: &str, pod_spec: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec}}})
}

fn owned(kind: &str, name: &str) -> Value {
    json!([{"apiVersion": "apps/v1", "kind": kind, "name": name, "uid": "u-1", "controller": true}])
}

fn replica_set(name: &str, pod_spec: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name, "namespace": "shop", "ownerReferences": owned("Deployment", "web"),
            "labels": {"app": "web", "pod-template-hash": "abc"}},
        "spec": {"replicas": 1, "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod_spec}}})
}

fn pod(name: &str, owner: Option<(&str, &str)>, pod_spec: Value) -> Value {
    let mut pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "labels": {"app": "web"}}, "spec": pod_spec});
    if let Some((kind, owner)) = owner {
        pod["metadata"]["ownerReferences"] = owned(kind, owner);
    }
    pod
}

fn privileged(mut spec: Value) -> Value {
    spec["hostPID"] = json!(true);
    spec["containers"][0]["securityContext"] = json!({"privileged": true});
    spec
}

/// A Deployment, its ReplicaSet and one pod: what every night of a quiet namespace holds.
fn workload() -> Vec<Value> {
    vec![
        deployment("web", spec()),
        replica_set("web-abc", spec()),
        pod("web-abc-11111", Some(("ReplicaSet", "web-abc")), spec()),
    ]
}

fn with(mut objects: Vec<Value>, more: Value) -> Vec<Value> {
    objects.push(more);
    objects
}

fn culprit_categories(report: &Value) -> Vec<String> {
    report["culprits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["category"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_new_pod_that_follows_its_replica_set_is_churn() {
    let new = with(
        workload(),
        pod("web-abc-22222", Some(("ReplicaSet", "web-abc")), spec()),
    );
    let (status, report) = diff(&workload(), &new, &[]);
    assert_eq!(status, 0, "{report}");
    assert_eq!(report["summary"]["churn"], 1);
}

#[test]
fn a_privileged_pod_dressed_as_a_new_pod_of_a_replica_set_is_drift() {
    let new = with(
        workload(),
        pod(
            "web-abc-evil1",
            Some(("ReplicaSet", "web-abc")),
            privileged(spec()),
        ),
    );
    let (status, report) = diff(&workload(), &new, &[]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(culprit_categories(&report)[0], "security", "{report}");
    let (_, shown) = text(&workload(), &new, &[]);
    assert!(shown.contains("hostPID"), "{shown}");
    assert!(shown.contains("privileged"), "{shown}");
}

#[test]
fn a_pod_of_a_replica_set_that_does_not_exist_is_no_churn() {
    let new = with(
        workload(),
        pod("web-zzz-evil1", Some(("ReplicaSet", "web-zzz")), spec()),
    );
    let (status, report) = diff(&workload(), &new, &[]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(report["summary"]["added"], 1);
    assert_eq!(report["summary"]["churn"], 0);
}

#[test]
fn a_label_alone_proves_no_owner() {
    let mut labelled = pod("web-1-evil1", None, spec());
    labelled["metadata"]["labels"]["deployment"] = json!("web-1");
    labelled["metadata"]["labels"]["deploymentconfig"] = json!("web");
    let (status, report) = diff(&workload(), &with(workload(), labelled), &[]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(report["summary"]["added"], 1);
}

#[test]
fn a_replaced_pod_that_became_privileged_is_drift() {
    let mut new = workload();
    new[2] = pod(
        "web-abc-22222",
        Some(("ReplicaSet", "web-abc")),
        privileged(spec()),
    );
    let (status, report) = diff(&workload(), &new, &[]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(culprit_categories(&report)[0], "security", "{report}");
    // The same replacement without the privileges is a rollout's churn.
    let mut quiet = workload();
    quiet[2] = pod("web-abc-22222", Some(("ReplicaSet", "web-abc")), spec());
    assert_eq!(diff(&workload(), &quiet, &[]).0, 0);
}

#[test]
fn a_privileged_job_of_an_existing_cron_job_is_drift() {
    let job_spec =
        json!({"restartPolicy": "Never", "containers": [{"name": "run", "image": "job:1"}]});
    let cron = json!({"apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "nightly", "namespace": "shop"},
        "spec": {"schedule": "0 1 * * *", "jobTemplate": {"spec": {"template": {"spec": job_spec}}}}});
    let job = |name: &str, spec: Value| {
        json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": "shop", "ownerReferences":
                [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly", "controller": true}]},
            "spec": {"template": {"spec": spec}}})
    };
    let mut evil = job_spec.clone();
    evil["hostNetwork"] = json!(true);
    evil["containers"][0]["securityContext"] = json!({"privileged": true});
    let old = vec![cron.clone()];
    let (status, report) = diff(&old, &[cron.clone(), job("nightly-200", evil)], &[]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(culprit_categories(&report)[0], "security", "{report}");
    let (status, report) = diff(&old, &[cron, job("nightly-201", job_spec)], &[]);
    assert_eq!(status, 0, "a job as its CronJob makes it: {report}");
}

#[test]
fn a_pod_edited_by_hand_fails_the_gate() {
    let mut edited = spec();
    edited["containers"][0]["image"] = json!("registry.example.com/web:debug");
    let new = with(
        workload(),
        pod("web-abc-22222", Some(("ReplicaSet", "web-abc")), edited),
    );
    let (status, report) = diff(&workload(), &new, &[]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(culprit_categories(&report)[0], "pod-edited", "{report}");
}

/// OpenShift's SCC assigns a user and an SELinux level: noise. Root and spc_t are not.
#[test]
fn scc_assigned_fields_hide_only_what_grants_nothing() {
    let with_context = |context: Value| {
        let mut s = spec();
        s["containers"][0]["securityContext"] = context;
        vec![
            deployment("web", spec()),
            replica_set("web-abc", spec()),
            pod("web-abc-11111", Some(("ReplicaSet", "web-abc")), s),
        ]
    };
    let old = with_context(json!({"runAsUser": 1000680000}));
    let assigned = with_context(json!({"runAsUser": 1000690000}));
    assert_eq!(diff(&old, &assigned, &[]).0, 0);
    let root = with_context(json!({"runAsUser": 0}));
    let (status, report) = diff(&old, &root, &[]);
    assert_eq!(status, 1, "{report}");
    let spc = |level: &str| {
        let mut objects = workload();
        objects[2]["spec"]["securityContext"] =
            json!({"seLinuxOptions": {"level": level, "type": "spc_t"}});
        objects
    };
    let mut plain = workload();
    plain[2]["spec"]["securityContext"] = json!({"seLinuxOptions": {"level": "s0:c26,c15"}});
    let mut relevelled = workload();
    relevelled[2]["spec"]["securityContext"] = json!({"seLinuxOptions": {"level": "s0:c27,c4"}});
    assert_eq!(diff(&plain, &relevelled, &[]).0, 0);
    let (status, report) = diff(&plain, &spc("s0:c26,c15"), &[]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(culprit_categories(&report)[0], "security");
}

#[test]
fn a_token_volume_swapped_for_the_host_root_is_drift() {
    let token = |volume: Value| {
        let mut s = spec();
        s["volumes"] = json!([volume]);
        s["containers"][0]["volumeMounts"] = json!([{"name": "default-token-x2b4z", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]);
        let mut objects = workload();
        objects[2] = pod("web-abc-11111", Some(("ReplicaSet", "web-abc")), s);
        objects
    };
    let old = token(json!({"name": "default-token-x2b4z",
        "secret": {"secretName": "default-token-x2b4z", "defaultMode": 420}}));
    let new = token(json!({"name": "default-token-x2b4z", "hostPath": {"path": "/"}}));
    let (status, report) = diff(&old, &new, &[]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(culprit_categories(&report)[0], "security", "{report}");
}

fn role_binding(api_version: &str, role_ref: Value) -> Value {
    json!({"apiVersion": api_version, "kind": "RoleBinding",
        "metadata": {"name": "admins", "namespace": "shop"},
        "roleRef": role_ref, "subjects": [{"kind": "User", "name": "dev"}]})
}

#[test]
fn an_api_upgrade_that_widens_a_role_binding_is_drift() {
    let old = vec![role_binding(
        "v1",
        json!({"name": "admin", "namespace": "shop"}),
    )];
    let same = vec![role_binding(
        "rbac.authorization.k8s.io/v1",
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "admin"}),
    )];
    assert_eq!(diff(&old, &same, &[]).0, 0, "the same Role, written anew");
    let widened = vec![role_binding(
        "rbac.authorization.k8s.io/v1",
        json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"}),
    )];
    let (status, report) = diff(&old, &widened, &[]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(culprit_categories(&report)[0], "security", "{report}");
}

fn cluster_admin_binding() -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "system:controller:helper"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "ServiceAccount", "name": "builder", "namespace": "shop"}]})
}

/// Twelve routine image bumps and one new cluster-admin binding: the binding comes first, and
/// its line says what it grants.
#[test]
fn danger_is_not_buried_under_routine_changes() {
    let names: Vec<String> = (1..=12).map(|i| format!("app-{i:02}")).collect();
    let old: Vec<Value> = names.iter().map(|n| deployment(n, spec())).collect();
    let mut new: Vec<Value> = names
        .iter()
        .map(|n| {
            let mut s = spec();
            s["containers"][0]["image"] = json!(format!("registry.example.com/{n}:2.0"));
            deployment(n, s)
        })
        .collect();
    new.push(cluster_admin_binding());
    let (status, report) = diff(&old, &new, &[]);
    assert_eq!(status, 1);
    let first = &report["culprits"][0];
    assert_eq!(first["kind"], "ClusterRoleBinding", "{report}");
    assert_eq!(first["category"], "security");
    let reason = first["reason"].as_str().unwrap();
    assert!(reason.contains("ClusterRole/cluster-admin"), "{reason}");
    assert!(reason.contains("ServiceAccount shop/builder"), "{reason}");
}

fn managed_by(manager: &str) -> Value {
    json!([{"manager": manager, "operation": "Update", "apiVersion": "apps/v1",
        "time": "2026-12-01T02:00:00Z", "fieldsType": "FieldsV1",
        "fieldsV1": {"f:spec": {"f:template": {"f:spec": {
            "f:hostNetwork": {},
            "f:containers": {"k:{\"name\":\"web\"}": {"f:securityContext": {"f:privileged": {}, "f:runAsUser": {}, "f:capabilities": {"f:add": {}}}}}}}}}}])
}

/// Under `--desired`, a manager's name is evidence, not proof: privileges written under a
/// controller's name, or with no managedFields at all, are drift.
#[test]
fn desired_state_reports_privileges_whoever_wrote_them() {
    let manifest = vec![deployment("web", spec())];
    let mut escalated = spec();
    escalated["hostNetwork"] = json!(true);
    escalated["containers"][0]["securityContext"] =
        json!({"privileged": true, "runAsUser": 0, "capabilities": {"add": ["SYS_ADMIN"]}});
    for manager in [Some("kube-controller-manager"), Some("helm"), None] {
        let mut live = deployment("web", escalated.clone());
        if let Some(manager) = manager {
            live["metadata"]["managedFields"] = managed_by(manager);
        }
        let (status, report) = diff(&manifest, &[live], &["--desired"]);
        assert_eq!(status, 1, "{manager:?}: {report}");
        assert_eq!(culprit_categories(&report)[0], "security", "{report}");
        let (_, shown) = text(
            &manifest,
            &[deployment("web", escalated.clone())],
            &["--desired"],
        );
        for field in ["hostNetwork", "privileged", "runAsUser", "capabilities"] {
            assert!(shown.contains(field), "{field}: {shown}");
        }
    }
    // What the server fills in is still no drift.
    let mut defaulted = deployment("web", spec());
    defaulted["spec"]["progressDeadlineSeconds"] = json!(600);
    defaulted["spec"]["revisionHistoryLimit"] = json!(10);
    assert_eq!(diff(&manifest, &[defaulted], &["--desired"]).0, 0);
}

#[test]
fn desired_state_reports_dangerous_objects_only_the_cluster_has() {
    let manifest = vec![deployment("web", spec())];
    let live = deployment("web", spec());
    let config = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "kube-root-ca.crt", "namespace": "shop"}, "data": {"ca.crt": "x"}});
    assert_eq!(
        diff(&manifest, &[live.clone(), config], &["--desired"]).0,
        0,
        "an ordinary object only the cluster has is no drift"
    );
    let (status, report) = diff(
        &manifest,
        &[live.clone(), cluster_admin_binding()],
        &["--desired"],
    );
    assert_eq!(status, 1, "{report}");
    let mut daemon_spec = spec();
    daemon_spec["volumes"] = json!([{"name": "root", "hostPath": {"path": "/"}}]);
    daemon_spec["containers"][0]["securityContext"] = json!({"privileged": true});
    let daemon = json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "system-agent", "namespace": "shop"},
        "spec": {"selector": {"matchLabels": {"app": "a"}}, "template": {"spec": daemon_spec}}});
    let (status, report) = diff(&manifest, &[live, daemon], &["--desired"]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(culprit_categories(&report)[0], "security", "{report}");
}

/// A user's rule may hide a security-sensitive change, but every report says so.
#[test]
fn an_ignore_rule_that_hides_privileges_is_named_on_every_run() {
    let mut new = workload();
    new[0] = deployment("web", privileged(spec()));
    let ignore = ["--ignore", "spec.template.spec"];
    let (status, report) = diff(&workload(), &new, &ignore);
    assert_eq!(status, 0, "the user chose to hide it: {report}");
    let flagged = report["security_ignored"].as_array().unwrap();
    assert!(!flagged.is_empty(), "{report}");
    assert_eq!(flagged[0]["hidden"], "--ignore spec.template.spec");
    let (_, shown) = text(&workload(), &new, &ignore);
    assert!(
        shown.contains("security-sensitive change")
            && shown.contains("--ignore spec.template.spec"),
        "{shown}"
    );
    // A rule that hides only routine changes raises nothing.
    let (_, report) = diff(&workload(), &new, &["--ignore", "spec.replicas"]);
    assert_eq!(report["security_ignored"], json!([]));
}

/// A profile set by annotation is outside the pod spec, and still the security table's.
#[test]
fn a_new_pod_with_an_unconfined_profile_annotation_is_drift() {
    let mut unconfined = pod("web-abc-33333", Some(("ReplicaSet", "web-abc")), spec());
    unconfined["metadata"]["annotations"] =
        json!({"container.apparmor.security.beta.kubernetes.io/web": "unconfined"});
    let (status, report) = diff(&workload(), &with(workload(), unconfined), &[]);
    assert_eq!(status, 1, "{report}");
    assert_eq!(culprit_categories(&report)[0], "security", "{report}");
}
