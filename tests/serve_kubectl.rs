//! `driftlab serve` as the real kubectl sees it, and its discovery documents beside real ones.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use common::cluster::Served;
use common::{NIGHT1, stdout};
use driftlab::snapshot::Snapshot;
use driftlab::source::{self, ReadOptions};
use serde_json::Value;

/// kubectl against `server`, with an empty kubeconfig so the host's is never used.
fn kubectl(server: &str, home: &Path, args: &[&str]) -> std::process::Output {
    let kubectl = common::skip::kubectl().expect("kubectl_or_skip! found it");
    common::skip::kubectl_command(&kubectl, home)
        .arg("--server")
        .arg(server)
        .args(args)
        .output()
        .expect("kubectl runs")
}

/// Returns from the test when kubectl is missing, after a visible `SKIPPED:` line.
macro_rules! kubectl_or_skip {
    () => {
        if common::skip::kubectl().is_none() {
            return;
        }
    };
}

fn night1() -> Snapshot {
    source::read(
        &common::repo(NIGHT1).to_string_lossy(),
        &ReadOptions::default(),
    )
    .unwrap()
}

#[test]
fn kubectl_api_resources_lists_the_snapshot_types() {
    kubectl_or_skip!();
    let served = Served::start(NIGHT1);
    let home = tempfile::tempdir().unwrap();
    let output = kubectl(&served.url, home.path(), &["api-resources"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = stdout(&output);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} missing:\n{text}"))
            .to_string()
    };
    let dc: Vec<String> = line("deploymentconfigs")
        .split_whitespace()
        .map(String::from)
        .collect();
    assert_eq!(
        dc,
        [
            "deploymentconfigs",
            "dc",
            "apps.openshift.io/v1",
            "true",
            "DeploymentConfig"
        ]
    );
    let ns: Vec<String> = line("namespaces")
        .split_whitespace()
        .map(String::from)
        .collect();
    assert_eq!(ns, ["namespaces", "ns", "v1", "false", "Namespace"]);
    assert!(line("routes").contains("route.openshift.io/v1"));
}

#[test]
fn kubectl_get_everything_as_json_agrees_with_the_snapshot() {
    kubectl_or_skip!();
    let served = Served::start(NIGHT1);
    let home = tempfile::tempdir().unwrap();
    let output = kubectl(
        &served.url,
        home.path(),
        &["get", "all,cm,secrets", "-A", "-o", "json"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let list: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut got: BTreeMap<String, usize> = BTreeMap::new();
    for item in list["items"].as_array().unwrap() {
        *got.entry(item["kind"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let wanted_kinds = [
        "Pod",
        "Service",
        "ReplicationController",
        "DeploymentConfig",
        "BuildConfig",
        "Build",
        "ImageStream",
        "Route",
        "ConfigMap",
        "Secret",
    ];
    let mut expected: BTreeMap<String, usize> = BTreeMap::new();
    for (key, _) in night1().iter() {
        if wanted_kinds.contains(&key.kind.as_str()) {
            *expected.entry(key.kind.clone()).or_default() += 1;
        }
    }
    assert_eq!(got, expected);
    // Secrets are served hashed unless `serve --show-secrets`.
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("czNjcjN0LXBhc3N3b3Jk") && text.contains("sha256:"));
}

#[test]
fn kubectl_get_one_object_as_yaml_is_the_snapshot_object() {
    kubectl_or_skip!();
    let served = Served::start(NIGHT1);
    let home = tempfile::tempdir().unwrap();
    let output = kubectl(
        &served.url,
        home.path(),
        &["get", "dc/web", "-n", "myproject", "-o", "yaml"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let documents = driftlab::format::documents::parse(&output.stdout, "kubectl output").unwrap();
    let key = driftlab::snapshot::ObjectKey {
        namespace: "myproject".into(),
        kind: "DeploymentConfig".into(),
        name: "web".into(),
        group: "apps.openshift.io".into(),
    };
    assert_eq!(documents, [night1().get(&key).unwrap().value()]);
}

#[test]
fn kubectl_errors_selectors_tables_and_pages() {
    kubectl_or_skip!();
    let served = Served::start(NIGHT1);
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| kubectl(&served.url, home.path(), args);

    let missing = run(&["get", "dc", "nope", "-n", "myproject"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains(r#"deploymentconfigs.apps.openshift.io "nope" not found"#)
    );

    let delete = run(&["delete", "pod", "web-3-abcde", "-n", "myproject"]);
    assert_eq!(delete.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&delete.stderr).contains("MethodNotAllowed"),
        "{}",
        String::from_utf8_lossy(&delete.stderr)
    );

    let selected = run(&[
        "get",
        "pods",
        "-n",
        "myproject",
        "-l",
        "deploymentconfig=web",
        "-o",
        "name",
    ]);
    assert_eq!(stdout(&selected), "pod/web-3-abcde\npod/web-3-fghij\n");

    let table = run(&["get", "pods", "-A"]);
    let text = stdout(&table);
    assert!(text.starts_with("NAMESPACE"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().take(3).collect::<Vec<_>>()
                == ["myproject", "web-3-abcde", "0/1"]),
        "{text}"
    );

    let paged = run(&[
        "get",
        "pods",
        "-n",
        "myproject",
        "--chunk-size=1",
        "-o",
        "name",
    ]);
    assert_eq!(stdout(&paged).lines().count(), 3);

    let namespaces = run(&["get", "ns", "-o", "name"]);
    assert_eq!(
        stdout(&namespaces),
        "namespace/myproject\nnamespace/tools\n"
    );
}

/// A raw GET against the server: the status code and the JSON body.
fn get(url: &str, path: &str) -> (u16, Value) {
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: application/json\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[test]
fn discovery_documents_have_the_shape_of_a_real_api_server() {
    let Some(corpus) = common::skip::corpus("k8s-discovery") else {
        return;
    };
    let real = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(corpus.join(name)).unwrap()).unwrap()
    };
    let served = Served::start(NIGHT1);
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };

    let (status, api) = get(&served.url, "/api");
    assert_eq!(status, 200);
    let expected = real("api.json");
    assert_eq!(api["kind"], expected["kind"]);
    assert_eq!(api["versions"], expected["versions"]);

    for (ours, theirs) in [
        ("/api/v1", "api__v1.json"),
        (
            "/apis/rbac.authorization.k8s.io/v1",
            "apis__rbac.authorization.k8s.io__v1.json",
        ),
    ] {
        let (status, doc) = get(&served.url, ours);
        assert_eq!(status, 200, "{ours}");
        let expected = real(theirs);
        assert_eq!(doc["kind"], "APIResourceList");
        assert_eq!(doc["groupVersion"], expected["groupVersion"]);
        // Every resource entry uses only fields a real server uses, and every field kubectl needs.
        let real_fields: std::collections::BTreeSet<String> = expected["resources"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(keys)
            .chain(["categories".to_string()])
            .collect();
        for resource in doc["resources"].as_array().unwrap() {
            for field in keys(resource) {
                assert!(
                    real_fields.contains(&field),
                    "{ours}: {field} is not a discovery field"
                );
            }
            for needed in ["name", "singularName", "namespaced", "kind", "verbs"] {
                assert!(
                    resource.get(needed).is_some(),
                    "{ours}: {needed} missing in {resource}"
                );
            }
        }
        // The types a real server lists (and that can be read) are served too.
        let ours_names: Vec<&str> = doc["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        for resource in expected["resources"].as_array().unwrap() {
            let name = resource["name"].as_str().unwrap();
            let listable = resource["verbs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|v| v == "list");
            if listable && !name.contains('/') {
                assert!(ours_names.contains(&name), "{ours}: {name} not served");
            }
        }
    }

    let (status, groups) = get(&served.url, "/apis");
    assert_eq!(status, 200);
    assert_eq!(groups["kind"], "APIGroupList");
    let apps = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "apps.openshift.io")
        .unwrap();
    assert_eq!(
        apps["preferredVersion"]["groupVersion"],
        "apps.openshift.io/v1"
    );

    let (status, missing) = get(&served.url, "/api/v1/namespaces/myproject/pods/nope");
    assert_eq!(status, 404);
    assert_eq!(missing["kind"], "Status");
    assert_eq!(missing["reason"], "NotFound");
    assert_eq!(missing["code"], 404);
    assert_eq!(missing["message"], "pods \"nope\" not found");
}

#[test]
fn real_discovery_documents_are_read_by_the_client_side() {
    let Some(corpus) = common::skip::corpus("k8s-discovery") else {
        return;
    };
    use driftlab::cluster::ClusterOptions;
    use driftlab::cluster::discovery::{resources_of, select};
    let core: k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList =
        serde_json::from_slice(&std::fs::read(corpus.join("api__v1.json")).unwrap()).unwrap();
    let rbac: k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList =
        serde_json::from_slice(
            &std::fs::read(corpus.join("apis__rbac.authorization.k8s.io__v1.json")).unwrap(),
        )
        .unwrap();
    let mut gaps = Vec::new();
    let mut candidates = resources_of("", "v1", core, &mut gaps);
    candidates.extend(resources_of(
        "rbac.authorization.k8s.io",
        "v1",
        rbac,
        &mut gaps,
    ));
    // Real discovery documents follow Kubernetes' naming rules throughout.
    assert_eq!(gaps, []);
    // Subresources (pods/log) and create-only types (bindings) are never candidates.
    assert!(
        candidates
            .iter()
            .all(|r| !r.plural.contains('/') && r.plural != "bindings")
    );
    let selected: Vec<String> = select(candidates, &ClusterOptions::default())
        .iter()
        .map(|r| r.qualified_name())
        .collect();
    for wanted in [
        "configmaps",
        "pods",
        "secrets",
        "namespaces",
        "rolebindings.rbac.authorization.k8s.io",
    ] {
        assert!(
            selected.contains(&wanted.to_string()),
            "{wanted}: {selected:?}"
        );
    }
    for unwanted in ["events", "componentstatuses"] {
        assert!(
            !selected.contains(&unwanted.to_string()),
            "{unwanted}: {selected:?}"
        );
    }
}
