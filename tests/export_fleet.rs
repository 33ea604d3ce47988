//! `driftlab export -A` at fleet scale: each namespaced type listed once across all namespaces
//! and handed over per namespace, the same archive as one list per type and namespace
//! (`--list-per-namespace`), the per-namespace fallback for types an account may not list
//! across namespaces, servers that do not keep namespace order, and failures mid-list.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::cluster::{Fault, FaultProxy, Served, kubeconfig};
use common::fake_api::{self, FakeApi, Reply};
use common::{driftlab, stderr, stdout};
use serde_json::{Value, json};

/// Namespaces of the fleet snapshot: `app-db` sorts before `app` in etcd's key order
/// (`app-db/…` < `app/…`), after it by name; `empty` holds nothing.
fn fleet_namespaces() -> Vec<String> {
    let mut namespaces: Vec<String> = ["app", "app-db", "app0", "empty", "shop", "tools"]
        .map(String::from)
        .to_vec();
    namespaces.extend((0..34).map(|i| format!("team-{i:02}")));
    namespaces
}

/// A snapshot of 40 namespaces: ConfigMaps in most (about 1,900 in all: several pages across
/// namespaces, runs crossing page boundaries), Secrets (one a service-account token), Deployments
/// in a few, and the Namespace objects.
fn fleet_snapshot(dir: &Path) -> String {
    let mut items = Vec::new();
    for (i, namespace) in fleet_namespaces().iter().enumerate() {
        items.push(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}),
        );
        if namespace == "empty" {
            continue;
        }
        for j in 0..(i * 53 + 7) % 97 {
            items.push(json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": format!("cm-{j:03}"), "namespace": namespace, "labels": {"n": j.to_string()}},
                "data": {"key": format!("{namespace}-{j}")}}));
        }
        if i % 3 == 0 {
            items.push(
                json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": {"name": "db", "namespace": namespace},
                "data": {"password": "aHVudGVyMg=="}}),
            );
            items.push(json!({"apiVersion": "v1", "kind": "Secret",
                "type": "kubernetes.io/service-account-token",
                "metadata": {"name": "default-token", "namespace": namespace},
                "data": {"token": "dG9rZW4="}}));
        }
        if i % 4 == 1 {
            items.push(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": namespace},
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}}));
        }
    }
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
    common::write(dir, "fleet.json", list.to_string().as_bytes())
}

/// What one export came to.
struct Exported {
    output: std::process::Output,
    archive: PathBuf,
    /// The requests the proxy (or fake server) saw during the export.
    requests: Vec<String>,
}

impl Exported {
    /// Every entry but the manifest (which holds times): name → bytes.
    fn entries(&self) -> BTreeMap<String, Vec<u8>> {
        common::unzip(&std::fs::read(&self.archive).unwrap())
            .into_iter()
            .filter(|(name, _)| name != "driftlab-manifest.json")
            .collect()
    }

    fn manifest(&self) -> Value {
        let (_, data) = common::unzip(&std::fs::read(&self.archive).unwrap())
            .into_iter()
            .find(|(name, _)| name == "driftlab-manifest.json")
            .expect("manifest");
        serde_json::from_slice(&data).unwrap()
    }

    /// The manifest without what differs from run to run (times) and from mode to mode (the
    /// request count).
    fn manifest_content(&self) -> Value {
        let mut manifest = self.manifest();
        let map = manifest.as_object_mut().unwrap();
        map.remove("requests");
        map.remove("startTime");
        map.remove("endTime");
        map.remove("start_time");
        map.remove("end_time");
        manifest
    }

    /// The request count the export reports on its last line.
    fn reported_requests(&self) -> usize {
        let out = stdout(&self.output);
        let line = out.lines().last().unwrap_or_default();
        let before = line
            .split(" requests")
            .next()
            .and_then(|s| s.rsplit(", ").next())
            .unwrap_or_default();
        before
            .parse()
            .unwrap_or_else(|_| panic!("no request count in {out:?}"))
    }

    /// The summary line of empty lists.
    fn empty_line(&self) -> String {
        stderr(&self.output)
            .lines()
            .find(|l| l.contains(" empty list"))
            .unwrap_or_default()
            .to_string()
    }
}

/// Exports through `url` into a new folder under `dir`; `seen` counts the requests so far.
fn export(dir: &Path, url: &str, seen: &dyn Fn() -> Vec<String>, args: &[&str]) -> Exported {
    let out = dir.join(format!("out-{}", args.join("_").replace('-', "")));
    std::fs::create_dir_all(&out).unwrap();
    let config = kubeconfig(&out, url);
    let before = seen().len();
    let output = driftlab()
        .args(["export", "--kubeconfig"])
        .arg(&config)
        .arg("--output-dir")
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    let requests = seen()[before..].to_vec();
    let archive = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "zip"))
        .unwrap_or_else(|| panic!("no archive: {}", stderr(&output)));
    Exported {
        output,
        archive,
        requests,
    }
}

fn proxy_seen(proxy: &FaultProxy) -> impl Fn() -> Vec<String> + '_ {
    move || proxy.seen().into_iter().map(|s| s.target).collect()
}

/// Whether a request target lists a type in one namespace (`…/namespaces/<ns>/<plural>`).
fn per_namespace_list(target: &str) -> bool {
    let path = target.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    segments
        .iter()
        .position(|s| *s == "namespaces")
        .is_some_and(|i| segments.len() == i + 3)
}

fn forbidden() -> Fault {
    Fault::Status(
        403,
        vec![],
        r#"{"kind":"Status","code":403,"reason":"Forbidden"}"#.into(),
    )
}

#[test]
fn all_namespaces_lists_each_type_once_and_writes_the_same_archive_as_per_namespace_lists() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&fleet_snapshot(dir.path()));
    let proxy = FaultProxy::start(&served.url);
    let seen = proxy_seen(&proxy);

    let wide = export(dir.path(), &proxy.url, &seen, &["-A"]);
    let per_namespace = export(
        dir.path(),
        &proxy.url,
        &seen,
        &["-A", "--list-per-namespace"],
    );
    for run in [&wide, &per_namespace] {
        assert_eq!(run.output.status.code(), Some(0), "{}", stderr(&run.output));
        // The count on the last line, and in the manifest, is the requests the server answered.
        assert_eq!(run.reported_requests(), run.requests.len());
        assert_eq!(run.manifest()["requests"], run.requests.len());
    }

    // One list per namespaced type (and page), not one per type and namespace.
    assert!(
        !wide.requests.iter().any(|t| per_namespace_list(t)),
        "{:?}",
        wide.requests
    );
    let namespaced_types = wide.manifest()["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["namespaced"] == true)
        .count();
    let namespaces = fleet_namespaces().len();
    assert!(namespaced_types > 20, "{namespaced_types}");
    assert!(
        per_namespace.requests.len() >= namespaced_types * namespaces,
        "{} requests per namespace",
        per_namespace.requests.len()
    );
    assert!(
        wide.requests.len() * 10 < namespaced_types * namespaces,
        "{} requests across namespaces for {namespaced_types} types in {namespaces} namespaces",
        wide.requests.len()
    );
    // The ConfigMaps took several pages of the list across namespaces.
    let config_map_pages: Vec<&String> = wide
        .requests
        .iter()
        .filter(|t| t.starts_with("/api/v1/configmaps?"))
        .collect();
    assert_eq!(config_map_pages.len(), 4, "{config_map_pages:?}");
    assert!(config_map_pages[1].contains("&continue="));

    // The same archive: every entry byte for byte, the same manifest and the same log summary.
    let (a, b) = (wide.entries(), per_namespace.entries());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, bytes) in &a {
        assert!(b[name] == *bytes, "{name} differs");
    }
    assert!(a.contains_key("app-db/configmaps.json") && a.contains_key("app/configmaps.json"));
    assert!(!a.keys().any(|k| k.starts_with("empty/")), "{:?}", a.keys());
    assert_eq!(wide.manifest_content(), per_namespace.manifest_content());
    assert_eq!(wide.manifest()["complete"], true);
    assert!(wide.manifest()["objects"].as_u64().unwrap() > 1500);
    assert_eq!(
        wide.manifest()["serviceAccountTokenSecrets"],
        per_namespace.manifest()["serviceAccountTokenSecrets"]
    );
    assert!(
        wide.empty_line().starts_with("Skipped "),
        "{}",
        stderr(&wide.output)
    );
    assert_eq!(wide.empty_line(), per_namespace.empty_line());
}

#[test]
fn types_forbidden_across_namespaces_fall_back_to_per_namespace_lists() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(&fleet_snapshot(dir.path()));
    let proxy = FaultProxy::start(&served.url);
    // An account that may not list these types across namespaces, only in each namespace; and
    // not secrets in tools at all.
    for path in [
        "/api/v1/configmaps$",
        "/api/v1/secrets$",
        "/apis/apps/v1/deployments$",
        "/api/v1/namespaces/tools/secrets$",
    ] {
        proxy.fault(path, "", usize::MAX, forbidden());
    }
    let seen = proxy_seen(&proxy);
    let wide = export(dir.path(), &proxy.url, &seen, &["-A"]);
    let per_namespace = export(
        dir.path(),
        &proxy.url,
        &seen,
        &["-A", "--list-per-namespace"],
    );
    for run in [&wide, &per_namespace] {
        assert_eq!(run.output.status.code(), Some(0), "{}", stderr(&run.output));
    }
    // The forbidden types were listed in each namespace, the others across namespaces.
    for namespace in fleet_namespaces() {
        for plural in ["configmaps", "secrets"] {
            let path = format!("/api/v1/namespaces/{namespace}/{plural}?");
            assert_eq!(
                wide.requests
                    .iter()
                    .filter(|t| t.starts_with(&path))
                    .count(),
                1,
                "{path}"
            );
        }
    }
    assert!(
        wide.requests
            .iter()
            .any(|t| t.starts_with("/api/v1/services?"))
    );
    assert!(
        !wide
            .requests
            .iter()
            .any(|t| t.starts_with("/api/v1/namespaces/app/services")),
    );
    // The same archive, and the 403 in tools recorded as skipped, as without -A's lists.
    assert_eq!(wide.entries(), per_namespace.entries());
    assert_eq!(wide.manifest_content(), per_namespace.manifest_content());
    let manifest = wide.manifest();
    assert_eq!(manifest["complete"], true);
    assert_eq!(
        manifest["skipped"],
        json!([{"resource": "secrets", "namespace": "tools", "reason": "forbidden"}])
    );
    assert!(wide.entries().contains_key("app/configmaps.json"));
}

/// ConfigMaps of namespaces `a`, `b`, `c` (`d` has none; `x` is not a namespace of the list of
/// namespaces), served per namespace in name order and across namespaces by `pages`: each page
/// `(items, next page)`, the token being the page's number.
fn fake_cluster(
    pages: Vec<Vec<(&'static str, &'static str)>>,
    failing_page: Option<usize>,
) -> FakeApi {
    FakeApi::start(move |path, query| {
        if let Some(reply) = fake_api::core_discovery(path) {
            return reply;
        }
        let all: Vec<(&str, &str)> = pages.iter().flatten().copied().collect();
        if path == "/api/v1/namespaces" {
            return Reply::Json(200, fake_api::namespace_list(&["a", "b", "c", "d"]));
        }
        if path == "/api/v1/configmaps" {
            let page: usize = query
                .split('&')
                .find_map(|p| p.strip_prefix("continue="))
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            if failing_page == Some(page) {
                return Reply::Json(
                    503,
                    r#"{"kind":"Status","code":503,"message":"etcd is sad"}"#.into(),
                );
            }
            let next = (page + 1 < pages.len()).then(|| (page + 1).to_string());
            return Reply::Json(
                200,
                fake_api::namespaced_config_map_list(&pages[page], next.as_deref()),
            );
        }
        if let Some(namespace) = path
            .strip_prefix("/api/v1/namespaces/")
            .and_then(|rest| rest.strip_suffix("/configmaps"))
        {
            let mut mine: Vec<(&str, &str)> = all
                .iter()
                .filter(|(ns, _)| *ns == namespace)
                .copied()
                .collect();
            mine.sort();
            return Reply::Json(200, fake_api::namespaced_config_map_list(&mine, None));
        }
        Reply::Json(404, r#"{"kind":"Status","code":404}"#.into())
    })
}

fn fake_seen(api: &FakeApi) -> impl Fn() -> Vec<String> + '_ {
    move || api.seen()
}

#[test]
fn a_list_across_namespaces_out_of_namespace_order_still_gives_the_same_archive() {
    let dir = tempfile::tempdir().unwrap();
    // Names falling within a namespace, namespaces coming back across pages.
    let api = fake_cluster(
        vec![
            vec![("b", "2"), ("a", "1"), ("b", "1")],
            vec![("c", "1"), ("a", "3"), ("x", "1")],
            vec![("b", "3"), ("a", "2")],
        ],
        None,
    );
    let seen = fake_seen(&api);
    let wide = export(dir.path(), &api.url, &seen, &["-A"]);
    let per_namespace = export(dir.path(), &api.url, &seen, &["-A", "--list-per-namespace"]);
    for run in [&wide, &per_namespace] {
        assert_eq!(run.output.status.code(), Some(0), "{}", stderr(&run.output));
    }
    assert_eq!(
        wide.requests
            .iter()
            .filter(|t| t.starts_with("/api/v1/configmaps?"))
            .count(),
        3
    );
    assert!(!wide.requests.iter().any(|t| per_namespace_list(t)));
    let entries = wide.entries();
    assert_eq!(entries, per_namespace.entries());
    assert_eq!(
        entries
            .keys()
            .filter(|k| k.ends_with("configmaps.json"))
            .collect::<Vec<_>>(),
        [
            "a/configmaps.json",
            "b/configmaps.json",
            "c/configmaps.json"
        ]
    );
    let a: Value = serde_json::from_slice(&entries["a/configmaps.json"]).unwrap();
    let names: Vec<&str> = a["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["1", "2", "3"]);
    // x is no namespace of this export: left out, as a list per namespace would.
    assert!(!entries.keys().any(|k| k.starts_with("x/")));
    assert_eq!(wide.manifest_content(), per_namespace.manifest_content());
}

#[test]
fn a_namespace_coming_back_after_it_was_written_makes_the_archive_partial() {
    let dir = tempfile::tempdir().unwrap();
    // The first page is in order, so `a` is written once the stream moved to `b`; then more
    // of `a` comes.
    let api = fake_cluster(
        vec![vec![("a", "1"), ("b", "1")], vec![("a", "2"), ("c", "1")]],
        None,
    );
    let seen = fake_seen(&api);
    let wide = export(dir.path(), &api.url, &seen, &["-A"]);
    assert_eq!(
        wide.output.status.code(),
        Some(3),
        "{}",
        stderr(&wide.output)
    );
    assert!(
        stdout(&wide.output).contains("PARTIAL"),
        "{}",
        stdout(&wide.output)
    );
    let manifest = wide.manifest();
    assert_eq!(manifest["complete"], false);
    let failed = manifest["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["namespace"], "a");
    assert!(
        failed[0]["reason"]
            .as_str()
            .unwrap()
            .contains("not in namespace order"),
        "{failed:?}"
    );
    // Written once, never twice.
    let names: Vec<String> = common::unzip(&std::fs::read(&wide.archive).unwrap())
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        names.iter().filter(|n| *n == "a/configmaps.json").count(),
        1
    );
    assert!(names.contains(&"b/configmaps.json".to_string()));
    assert!(names.contains(&"c/configmaps.json".to_string()));
}

#[test]
fn a_list_across_namespaces_failing_midway_gives_a_partial_archive_exit_3() {
    let dir = tempfile::tempdir().unwrap();
    let api = fake_cluster(
        vec![vec![("a", "1"), ("b", "1")], vec![("b", "2"), ("c", "1")]],
        Some(1),
    );
    let seen = fake_seen(&api);
    let wide = export(dir.path(), &api.url, &seen, &["-A"]);
    assert_eq!(
        wide.output.status.code(),
        Some(3),
        "{}",
        stderr(&wide.output)
    );
    let out = stdout(&wide.output);
    assert!(out.contains("PARTIAL"), "{out}");
    let manifest = wide.manifest();
    assert_eq!(manifest["complete"], false);
    assert_eq!(manifest["partial"], true);
    // `a` was whole before the failure and is in the archive; `b` (half read), `c` and `d`
    // are failed, as lists per namespace that failed would be.
    let entries = wide.entries();
    assert!(
        entries.contains_key("a/configmaps.json"),
        "{:?}",
        entries.keys()
    );
    assert!(
        !entries.contains_key("b/configmaps.json"),
        "{:?}",
        entries.keys()
    );
    let failed: Vec<&str> = manifest["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["b", "c", "d"]);
    assert!(
        manifest["failed"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("etcd is sad"),
        "{manifest}"
    );
    assert!(stderr(&wide.output).contains("not in the archive: configmaps in b"));
    // The failing page was tried three times; no list per namespace was taken instead.
    assert_eq!(
        wide.requests
            .iter()
            .filter(|t| t.starts_with("/api/v1/configmaps?") && t.contains("continue=1"))
            .count(),
        3
    );
    assert!(!wide.requests.iter().any(|t| per_namespace_list(t)));
}
