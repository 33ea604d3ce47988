//! Custom resources compared through their CustomResourceDefinitions: real upstream CRDs (from
//! `../shared/corpus/crds/`), objects written as their projects' docs show them
//! (`tests/custom_resources/manifests/`) and as an API server returns them, defaults filled in,
//! with managed fields and status (`tests/custom_resources/cluster/`).

mod common;

use std::path::{Path, PathBuf};

use common::skip::corpus;
use common::{driftlab, repo, stderr, stdout};
use serde_json::{Value, json};

fn manifests() -> String {
    repo("tests/custom_resources/manifests")
        .to_string_lossy()
        .into_owned()
}

/// The cluster side in a temporary folder: the fixture objects, `change` applied to them (by
/// file name), and the corpus's CRDs when `with_definitions`.
fn cluster(
    dir: &Path,
    with_definitions: bool,
    change: impl Fn(&str, &mut Value),
) -> Option<String> {
    let crds = corpus("crds")?;
    let target = dir.join("cluster");
    std::fs::create_dir_all(&target).unwrap();
    for entry in std::fs::read_dir(repo("tests/custom_resources/cluster")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut object: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        change(&name, &mut object);
        std::fs::write(target.join(&name), object.to_string()).unwrap();
    }
    if with_definitions {
        for project in std::fs::read_dir(crds).unwrap() {
            for file in std::fs::read_dir(project.unwrap().path()).unwrap() {
                let file = file.unwrap().path();
                if file.extension().is_some_and(|e| e == "yaml") {
                    std::fs::copy(&file, target.join(file.file_name().unwrap())).unwrap();
                }
            }
        }
    }
    Some(target.to_string_lossy().into_owned())
}

fn diff(args: &[&str]) -> (Option<i32>, String, String) {
    let output = driftlab().arg("diff").args(args).output().unwrap();
    (output.status.code(), stdout(&output), stderr(&output))
}

/// The visible changes of a JSON report, as `(object name, path)`.
fn changes(json_report: &str) -> Vec<(String, String)> {
    let report: Value = serde_json::from_str(json_report).unwrap();
    let mut found = Vec::new();
    for object in report["objects"].as_array().unwrap() {
        for change in object["changes"].as_array().unwrap() {
            found.push((
                object["name"].as_str().unwrap().to_string(),
                change["path"].as_str().unwrap().to_string(),
            ));
        }
    }
    found
}

fn managed_by(object: &mut Value, manager: &str, fields: Value) {
    let api_version = object["apiVersion"].clone();
    object["metadata"]["managedFields"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "manager": manager, "operation": "Update", "apiVersion": api_version,
            "time": "2026-12-06T23:10:00Z", "fieldsType": "FieldsV1", "fieldsV1": fields
        }));
}

#[test]
fn git_manifests_match_a_cluster_that_defaulted_them() {
    let dir = tempfile::tempdir().unwrap();
    let Some(live) = cluster(dir.path(), true, |_, _| {}) else {
        return;
    };
    // The definitions are on the cluster's side: the manifests are read with them.
    let (code, out, err) = diff(&[&manifests(), &live, "--desired"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("5 unchanged"), "{out}");
    let kinds = [
        "--kind",
        "Alertmanager",
        "--kind",
        "GRPCRoute",
        "--kind",
        "Issuer",
        "--kind",
        "PodMonitor",
        "--kind",
        "Application",
    ];
    let (code, out, err) = diff(&[&[manifests().as_str(), &live], &kinds[..]].concat());
    assert_eq!(
        code,
        Some(0),
        "a --kind filter keeps the definitions: {out}{err}"
    );
    assert!(
        out.contains("0 changed, 0 added, 0 removed, 5 unchanged"),
        "{out}"
    );
}

#[test]
fn crds_kept_apart_are_read_with_the_crds_flag_and_without_them_defaults_read_as_drift() {
    let dir = tempfile::tempdir().unwrap();
    let (Some(live), Some(crds)) = (cluster(dir.path(), false, |_, _| {}), corpus("crds")) else {
        return;
    };
    let crds = crds.to_string_lossy().into_owned();
    let (code, out, err) = diff(&[&manifests(), &live, "--crds", &crds]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("0 changed, 0 added, 0 removed, 5 unchanged"),
        "{out}"
    );
    // The control: without a schema the server's defaults are changes.
    let (code, out, _) = diff(&[&manifests(), &live, "-o", "json"]);
    assert_eq!(code, Some(1));
    let found = changes(&out);
    assert!(
        found.contains(&("main".into(), "spec.retention".into())),
        "{found:?}"
    );
    // A path that holds no definition is a mistake, not an empty set of schemas.
    let (code, _, err) = diff(&[&manifests(), &live, "--crds", &manifests()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("holds no CustomResourceDefinition"), "{err}");
}

#[test]
fn a_non_default_value_a_script_wrote_is_drift_under_desired_with_its_manager() {
    let dir = tempfile::tempdir().unwrap();
    let Some(live) = cluster(dir.path(), true, |name, object| {
        if name == "alertmanager.json" {
            object["spec"]["retention"] = json!("24h");
            object["spec"]["hostAliases"][0]["hostnames"]
                .as_array_mut()
                .unwrap()
                .push(json!("smtp.attacker.example"));
            let fields = json!({"f:spec": {"f:retention": {}, "f:hostAliases": {}}});
            managed_by(object, "night-fix.sh", fields);
        }
    }) else {
        return;
    };
    let (code, out, err) = diff(&[&manifests(), &live, "--desired", "-o", "json"]);
    assert_eq!(code, Some(1), "{out}{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let alertmanager = report["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "Alertmanager")
        .expect("the Alertmanager drifted");
    let paths: Vec<&str> = alertmanager["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["spec.hostAliases[10.0.0.10].hostnames[1]", "spec.retention"],
        "the default portName stays hidden, the script's values do not"
    );
    for change in alertmanager["changes"].as_array().unwrap() {
        assert_eq!(change["manager"], "night-fix.sh", "{change}");
    }
}

#[test]
fn map_keys_from_the_schema_match_reordered_elements_and_name_the_changed_one() {
    let dir = tempfile::tempdir().unwrap();
    let reorder = |rename: bool| {
        move |name: &str, object: &mut Value| {
            if name == "alertmanager.json" {
                let ports = object["spec"]["containers"][0]["ports"]
                    .as_array_mut()
                    .unwrap();
                ports.reverse();
                if rename {
                    // Now first: the UDP port, keyed by containerPort and protocol.
                    ports[0]["name"] = json!("gossip");
                }
            }
        }
    };
    let Some(live) = cluster(&dir.path().join("a"), true, reorder(false)) else {
        return;
    };
    let (code, out, err) = diff(&[&manifests(), &live, "--desired", "-o", "json"]);
    assert_eq!(code, Some(0), "a reorder alone is no drift: {out}{err}");

    let live = cluster(&dir.path().join("b"), true, reorder(true)).unwrap();
    let (code, out, _) = diff(&[&manifests(), &live, "--desired", "-o", "json"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        changes(&out),
        [(
            "main".to_string(),
            "spec.containers[alertmanager].ports[9094/UDP].name".to_string()
        )]
    );
}

#[test]
fn an_atomic_list_changes_as_one_value_and_its_defaults_do_not_leak() {
    let dir = tempfile::tempdir().unwrap();
    let Some(live) = cluster(dir.path(), true, |name, object| {
        if name == "grpcroute.json" {
            // A person adds a second backend, as the API server stores it (defaults filled in).
            object["spec"]["rules"][0]["backendRefs"]
                .as_array_mut()
                .unwrap()
                .push(json!({"group": "", "kind": "Service", "name": "user-canary", "port": 50051, "weight": 1}));
            managed_by(object, "kubectl-edit", json!({"f:spec": {"f:rules": {}}}));
        }
    }) else {
        return;
    };
    let (code, out, err) = diff(&[&manifests(), &live, "--desired", "-o", "json"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(
        changes(&out),
        [("grpc-app".to_string(), "spec.rules".to_string())],
        "one change for the atomic list, none for the defaults inside it"
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    let change = &report["objects"][0]["changes"][0];
    assert_eq!(change["op"], "replace");
    assert_eq!(
        change["old"][0]["backendRefs"][0]["weight"], 1,
        "the manifest, defaulted"
    );
    assert_eq!(change["new"][0]["backendRefs"][1]["name"], "user-canary");
    // People read what differs inside the list, at paths under it.
    let (_, text, _) = diff(&[&manifests(), &live, "--desired"]);
    assert!(
        text.contains("~ spec.rules   (one value: replaced whole)"),
        "{text}"
    );
    assert!(
        text.contains("+ spec.rules[0].backendRefs[user-canary]"),
        "{text}"
    );
    assert!(
        !text.contains(".weight"),
        "the defaults inside are not changes: {text}"
    );
}

/// A cluster-scoped kind of our own: nothing built in knows it.
fn widget_definition(scope: &str) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "storagepools.example.com"},
        "spec": {"group": "example.com", "scope": scope,
            "names": {"kind": "StoragePool", "plural": "storagepools", "shortNames": ["sp"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {
                        "tier": {"type": "string", "default": "standard"},
                        "zones": {"type": "array", "x-kubernetes-list-type": "set",
                                  "items": {"type": "string"}}}}}}}}]}
    })
}

fn write_json(dir: &Path, name: &str, value: &Value) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path
}

#[test]
fn a_cluster_scoped_custom_resource_from_manifests_is_not_put_in_a_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let pool = json!({"apiVersion": "example.com/v1", "kind": "StoragePool",
        "metadata": {"name": "fast"}, "spec": {"zones": ["a", "b"]}});
    let manifests = dir.path().join("manifests");
    write_json(&manifests, "pool.json", &pool);
    let live = dir.path().join("live");
    write_json(&live, "crd.json", &widget_definition("Cluster"));
    let mut stored = pool.clone();
    stored["spec"] = json!({"tier": "standard", "zones": ["b", "a"]});
    write_json(&live, "pool.json", &stored);
    let (manifests, live) = (manifests.to_string_lossy(), live.to_string_lossy());
    let (code, out, err) = diff(&[&manifests, &live, "--kind", "StoragePool"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("0 changed, 0 added, 0 removed, 1 unchanged"),
        "{out}"
    );

    // The control: under a namespaced definition the manifest's object lands in the default
    // namespace, and the live one in its own: two objects.
    let dir2 = tempfile::tempdir().unwrap();
    let other = dir2.path().join("live");
    write_json(&other, "crd.json", &widget_definition("Namespaced"));
    let mut elsewhere = stored.clone();
    elsewhere["metadata"]["namespace"] = json!("storage");
    write_json(&other, "pool.json", &elsewhere);
    let (code, out, _) = diff(&[
        &manifests,
        &other.to_string_lossy(),
        "--kind",
        "StoragePool",
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("1 added, 1 removed"), "{out}");
}

#[test]
fn a_set_compares_without_order_and_names_the_element() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old");
    write_json(&old, "crd.json", &widget_definition("Cluster"));
    let pool = |zones: Value| {
        json!({"apiVersion": "example.com/v1", "kind": "StoragePool",
            "metadata": {"name": "fast"}, "spec": {"zones": zones}})
    };
    write_json(&old, "pool.json", &pool(json!(["a", "b", "c"])));
    let new = dir.path().join("new");
    write_json(&new, "crd.json", &widget_definition("Cluster"));
    write_json(&new, "pool.json", &pool(json!(["c", "d", "a"])));
    let (code, out, err) = diff(&[&old.to_string_lossy(), &new.to_string_lossy(), "-o", "json"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(
        changes(&out),
        [
            ("fast".to_string(), "spec.zones[b]".to_string()),
            ("fast".to_string(), "spec.zones[d]".to_string())
        ]
    );
}

#[test]
fn an_unusable_schema_is_named_once_and_its_objects_compare_without_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut broken = widget_definition("Cluster");
    broken["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
        ["zones"]["x-kubernetes-list-type"] = json!("map");
    let old = dir.path().join("old");
    write_json(&old, "crd.json", &broken);
    let pool = json!({"apiVersion": "example.com/v1", "kind": "StoragePool",
        "metadata": {"name": "fast"}, "spec": {"zones": ["a"]}});
    write_json(&old, "pool.json", &pool);
    let new = dir.path().join("new");
    write_json(&new, "crd.json", &broken);
    write_json(&new, "pool.json", &pool);
    let (code, out, err) = diff(&[&old.to_string_lossy(), &new.to_string_lossy()]);
    assert_eq!(code, Some(0), "{out}{err}");
    let named: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("storagepools.example.com"))
        .collect();
    assert_eq!(named.len(), 2, "once per side that holds it: {err}");
    assert!(named[0].contains("x-kubernetes-list-map-keys"), "{err}");
    assert!(named[0].contains("compared without a schema"), "{err}");
}

#[test]
fn a_live_cluster_lends_its_definitions_to_manifests_that_have_none() {
    let dir = tempfile::tempdir().unwrap();
    let Some(live) = cluster(dir.path(), true, |name, object| {
        if name == "alertmanager.json" {
            object["spec"]["retention"] = json!("24h");
        }
    }) else {
        return;
    };
    let served = common::cluster::Served::start(&live);
    let config = common::cluster::kubeconfig(dir.path(), &served.url);
    let output = driftlab()
        .env("KUBECONFIG", &config)
        .args(["diff", &manifests(), "live", "-o", "json"])
        .output()
        .unwrap();
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{out}{err}");
    // Only the value that differs from the default: the definitions were read, used, and
    // left out of the comparison (the manifests hold none).
    assert_eq!(
        changes(&out),
        [("main".to_string(), "spec.retention".to_string())]
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["summary"]["added"], 0, "{}", report["summary"]);
}

#[test]
fn status_and_generation_churn_of_custom_resources_stay_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let Some(night1) = cluster(&dir.path().join("1"), true, |_, _| {}) else {
        return;
    };
    let night2 = cluster(&dir.path().join("2"), true, |_, object| {
        let generation = object["metadata"]["generation"].as_i64().unwrap_or(1);
        object["metadata"]["generation"] = json!(generation + 3);
        object["metadata"]["resourceVersion"] = json!("99999");
        object["status"]["observedGeneration"] = json!(generation + 3);
        if let Some(conditions) = object["status"]["conditions"].as_array_mut() {
            for condition in conditions {
                condition["status"] = json!("False");
                condition["lastTransitionTime"] = json!("2026-12-07T01:00:00Z");
            }
        }
    })
    .unwrap();
    let (code, out, err) = diff(&[&night1, &night2, "--all"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("11 unchanged"), "{out}");
}

/// A night's archive as a plain zip of manifests (driftlab reads any zip of manifests), named
/// with its date so that `history` orders it.
fn night_archive(dir: &Path, stamp: &str, objects: &[Value]) {
    let items: Vec<(String, Vec<u8>)> = objects
        .iter()
        .enumerate()
        .map(|(i, o)| (format!("objects/{i}.json"), o.to_string().into_bytes()))
        .collect();
    let entries: Vec<(&str, &[u8])> = items
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    std::fs::write(
        dir.join(format!("driftlab-{stamp}.zip")),
        common::zip_bytes(&entries, false),
    )
    .unwrap();
}

#[test]
fn history_reads_each_night_through_its_definitions() {
    let Some(crd) = corpus("crds/prometheus-operator/monitoring.coreos.com_alertmanagers.yaml")
    else {
        return;
    };
    let definition = yaml_file(&crd);
    let manifest = |reordered: bool| {
        let mut ports = vec![
            json!({"containerPort": 9093, "name": "web", "protocol": "TCP"}),
            json!({"containerPort": 9094, "name": "mesh", "protocol": "UDP"}),
        ];
        if reordered {
            ports.reverse();
        }
        json!({"apiVersion": "monitoring.coreos.com/v1", "kind": "Alertmanager",
            "metadata": {"name": "main", "namespace": "shop"},
            "spec": {"replicas": 3, "containers": [{"name": "alertmanager", "ports": ports}]}})
    };
    // Night 2 as the operator's API server stores it: defaults filled in, the ports reordered.
    let mut defaulted = manifest(true);
    defaulted["spec"]["portName"] = json!("web");
    defaulted["spec"]["retention"] = json!("120h");
    let dir = tempfile::tempdir().unwrap();
    for (with_definition, folder) in [(true, "with"), (false, "without")] {
        let folder = dir.path().join(folder);
        std::fs::create_dir_all(&folder).unwrap();
        let mut one = vec![manifest(false)];
        let mut two = vec![defaulted.clone()];
        if with_definition {
            one.push(definition.clone());
            two.push(definition.clone());
        }
        night_archive(&folder, "202612050015", &one);
        night_archive(&folder, "202612060015", &two);
    }
    let history = |folder: &str| {
        let output = driftlab()
            .args(["history", "-o", "json"])
            .arg(dir.path().join(folder))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
        report["nights"][0]["summary"]["changed"].clone()
    };
    assert_eq!(
        history("with"),
        json!(0),
        "defaults and a reorder are no change"
    );
    assert_eq!(
        history("without"),
        json!(1),
        "the control: without the CRD they are"
    );
}

/// The corpus's YAML definition as a JSON value.
fn yaml_file(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).expect("the corpus definition is YAML")
}

fn gateway(from: Option<&str>) -> Value {
    let mut listener =
        json!({"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "shop.example.com"});
    if let Some(from) = from {
        listener["allowedRoutes"] = json!({"namespaces": {"from": from}});
    }
    json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"name": "shop", "namespace": "shop"},
        "spec": {"gatewayClassName": "envoy", "listeners": [listener]}})
}

/// The part of the Gateway API's Gateway definition that matters here, as upstream writes it:
/// listeners keyed by name, `allowedRoutes` and its `from` defaulted to `Same`.
fn gateway_definition() -> Value {
    let from = json!({"type": "string", "default": "Same", "enum": ["All", "Selector", "Same"]});
    let allowed = json!({"type": "object", "default": {"namespaces": {"from": "Same"}},
        "properties": {"namespaces": {"type": "object", "default": {"from": "Same"},
            "properties": {"from": from}}}});
    let listener = json!({"type": "object", "properties": {
        "name": {"type": "string"}, "port": {"type": "integer"}, "protocol": {"type": "string"},
        "hostname": {"type": "string"}, "allowedRoutes": allowed}});
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "gatewayClassName": {"type": "string"},
        "listeners": {"type": "array", "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"], "items": listener}}}}});
    json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gateways.gateway.networking.k8s.io"},
        "spec": {"group": "gateway.networking.k8s.io", "scope": "Namespaced",
            "names": {"kind": "Gateway", "plural": "gateways", "shortNames": ["gtw"]},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": schema}}]}})
}

#[test]
fn a_gateway_listener_opened_to_every_namespace_is_a_security_change() {
    let dir = tempfile::tempdir().unwrap();
    let git = dir.path().join("git");
    write_json(&git, "gateway.json", &gateway(None));
    let run = |live: &Value| {
        let folder = dir.path().join("live");
        write_json(&folder, "gateway.json", live);
        write_json(&folder, "crd.json", &gateway_definition());
        let output = driftlab()
            .args(["diff", "--desired", "-o", "json"])
            .arg(&git)
            .arg(&folder)
            .output()
            .unwrap();
        let report: Value = serde_json::from_str(&stdout(&output)).unwrap();
        (output.status.code(), report)
    };
    // The cluster's default (Same) is no drift; a script's `All` is, and ranks as security.
    let (code, report) = run(&gateway(Some("Same")));
    assert_eq!(code, Some(0), "{report}");
    let mut opened = gateway(Some("All"));
    opened["metadata"]["managedFields"] = json!([{"manager": "night-fix.sh", "operation": "Update",
        "apiVersion": "gateway.networking.k8s.io/v1", "time": "2026-12-06T23:10:00Z",
        "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:listeners": {}}}}]);
    let (code, report) = run(&opened);
    assert_eq!(code, Some(1), "{report}");
    let culprit = &report["culprits"][0];
    assert_eq!(culprit["category"], "security", "{report}");
    assert_eq!(culprit["kind"], "Gateway");
    let change = &report["objects"][0]["changes"][0];
    assert_eq!(
        change["path"],
        "spec.listeners[https].allowedRoutes.namespaces.from"
    );
    assert_eq!(change["manager"], "night-fix.sh");
}

#[test]
fn a_forged_definition_of_a_built_in_kind_cannot_hide_a_privileged_container() {
    // An archive that carries a "CRD" for apps/Deployment whose schema defaults the container
    // to privileged: were it used, the old side would be defaulted to privileged too, and the
    // escalation would compare equal.
    let privileged = json!({"type": "boolean", "default": true});
    let container = json!({"type": "object", "properties": {"securityContext": {"type": "object",
        "default": {"privileged": true}, "properties": {"privileged": privileged}}}});
    let template = json!({"type": "object", "properties": {"spec": {"type": "object",
        "properties": {"containers": {"type": "array", "items": container}}}}});
    let schema = json!({"type": "object", "properties": {"spec": {"type": "object",
        "properties": {"template": template}}}});
    let forged = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "deployments.apps"},
        "spec": {"group": "apps", "scope": "Namespaced",
            "names": {"kind": "Deployment", "plural": "deployments"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": schema}}]}});
    let deployment = |security: Option<Value>| {
        let mut container = json!({"name": "web", "image": "web:1"});
        if let Some(security) = security {
            container["securityContext"] = security;
        }
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [container]}}}})
    };
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    for side in [&old, &new] {
        write_json(side, "crd.json", &forged);
    }
    write_json(&old, "web.json", &deployment(None));
    write_json(
        &new,
        "web.json",
        &deployment(Some(json!({"privileged": true}))),
    );
    let output = driftlab()
        .args(["diff", "-o", "json"])
        .arg(&old)
        .arg(&new)
        .output()
        .unwrap();
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{out}{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["culprits"][0]["category"], "security", "{out}");
    assert!(
        err.contains("claims the built-in kind Deployment of apps"),
        "the forged definition is named: {err}"
    );
}

#[test]
fn a_default_the_cluster_lends_cannot_open_a_listener_unseen() {
    // Someone with rights over CRDs changes the Gateway definition to default listeners to
    // `All`; the API server then serves every listener that names none as open. Git manifests
    // without the CRD borrow the cluster's: that default must not make the manifest read `All`.
    let mut tampered = gateway_definition();
    let from = "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/listeners/items/properties/allowedRoutes";
    let allowed = tampered.pointer_mut(from).unwrap();
    allowed["default"] = json!({"namespaces": {"from": "All"}});
    allowed["properties"]["namespaces"]["default"] = json!({"from": "All"});
    allowed["properties"]["namespaces"]["properties"]["from"]["default"] = json!("All");
    let dir = tempfile::tempdir().unwrap();
    let (git, live) = (dir.path().join("git"), dir.path().join("live"));
    write_json(&git, "gateway.json", &gateway(None));
    write_json(&live, "crd.json", &tampered);
    write_json(&live, "gateway.json", &gateway(Some("All")));
    let output = driftlab()
        .args(["diff", "--desired", "-o", "json"])
        .arg(&git)
        .arg(&live)
        .output()
        .unwrap();
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{out}{}", stderr(&output));
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["culprits"][0]["category"], "security", "{out}");
    // The control: when the manifests carry that definition themselves, its default is theirs
    // and nothing differs.
    write_json(&git, "crd.json", &tampered);
    let output = driftlab()
        .args(["diff", "--desired", "-o", "json"])
        .arg(&git)
        .arg(&live)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}
