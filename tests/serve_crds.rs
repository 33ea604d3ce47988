//! `driftlab serve` answering the real kubectl like an API server: custom resources from their
//! definitions (real ones from the corpus, and `tests/serve_crds/widgets-crd.yaml`), short names
//! and categories, printer columns, kubectl's columns for built-in kinds with ages counted to the
//! snapshot's time, watches, and `kubectl explain`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::cluster::Served;

/// The corpus definitions served: GRPCRoute (one object), Alertmanager (one object, short name
/// `am`), PodMonitor (no object).
const CORPUS_CRDS: &[&str] = &[
    "crds/gateway-api/gateway.networking.k8s.io_grpcroutes.yaml",
    "crds/prometheus-operator/monitoring.coreos.com_alertmanagers.yaml",
    "crds/prometheus-operator/monitoring.coreos.com_podmonitors.yaml",
];

/// A snapshot folder taken 2024-01-10 12:00 (its name says so): the corpus definitions, ours,
/// and the objects of `tests/serve_crds/objects.yaml`. `None` after a `SKIPPED:` line when the
/// corpus or kubectl is missing.
fn snapshot(dir: &Path) -> Option<PathBuf> {
    common::skip::kubectl()?;
    let folder = dir.join("night-202401101200");
    std::fs::create_dir_all(&folder).unwrap();
    for relative in CORPUS_CRDS {
        let source = common::skip::corpus(relative)?;
        let name = source.file_name().unwrap();
        std::fs::copy(&source, folder.join(name)).unwrap();
    }
    for fixture in ["widgets-crd.yaml", "objects.yaml"] {
        let source = common::repo(&format!("tests/serve_crds/{fixture}"));
        std::fs::copy(source, folder.join(fixture)).unwrap();
    }
    Some(folder)
}

/// A served snapshot and a home for kubectl.
struct Setup {
    served: Served,
    home: tempfile::TempDir,
    _dir: tempfile::TempDir,
}

fn setup() -> Option<Setup> {
    let dir = tempfile::tempdir().unwrap();
    let folder = snapshot(dir.path())?;
    let served = Served::start(&folder.to_string_lossy());
    Some(Setup {
        served,
        home: tempfile::tempdir().unwrap(),
        _dir: dir,
    })
}

impl Setup {
    fn command(&self, args: &[&str]) -> Command {
        let kubectl = common::skip::kubectl().expect("found before");
        let mut command = common::skip::kubectl_command(&kubectl, self.home.path());
        command.arg("--server").arg(&self.served.url).args(args);
        command
    }

    /// kubectl `args`, which must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.command(args).output().expect("kubectl runs");
        assert!(
            output.status.success(),
            "kubectl {args:?}: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            self.served.stderr()
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

/// The cells of the line of kubectl's table `text` whose first cell is `first`, cut where its
/// table's header starts columns (kubectl pads columns by three spaces), so empty cells count.
fn row(text: &str, first: &str) -> Vec<String> {
    text.split("\n\n")
        .find_map(|table| {
            let header = table.lines().next()?;
            let starts = column_starts(header);
            table
                .lines()
                .map(|line| cut(line, &starts))
                .find(|cells| cells.first().map(String::as_str) == Some(first))
        })
        .unwrap_or_else(|| panic!("no line starting with {first}:\n{text}"))
}

/// Where the columns of a header start: after two spaces or more.
fn column_starts(header: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut gap = 0;
    for (i, c) in header.char_indices() {
        if c == ' ' {
            gap += 1;
        } else {
            if gap >= 2 {
                starts.push(i);
            }
            gap = 0;
        }
    }
    starts
}

fn cut(line: &str, starts: &[usize]) -> Vec<String> {
    (0..starts.len())
        .map(|i| {
            let end = starts.get(i + 1).map_or(line.len(), |&s| s.min(line.len()));
            line.get(starts[i].min(end)..end)
                .unwrap_or("")
                .trim()
                .to_string()
        })
        .collect()
}

#[test]
fn custom_resources_print_their_definitions_columns() {
    let Some(setup) = setup() else { return };
    let text = setup.ok(&["get", "grpcroutes", "-A"]);
    assert_eq!(
        row(&text, "NAMESPACE"),
        ["NAMESPACE", "NAME", "HOSTNAMES", "AGE"]
    );
    // The definition's Age column, counted to the snapshot's time.
    assert_eq!(
        row(&text, "shop"),
        ["shop", "checkout", "[\"grpc.shop.example\"]", "2d"]
    );
    // By short name, with typed columns (integers), a filter, and the definition's Age.
    let text = setup.ok(&["get", "am", "-n", "shop"]);
    let header = row(&text, "NAME");
    assert_eq!(header[..4], ["NAME", "VERSION", "REPLICAS", "READY"]);
    // READY is status.availableReplicas: serve keeps the status a comparison prunes.
    let main = row(&text, "main");
    assert_eq!(main[..4], ["main", "0.27.0", "2", "1"]);
    // Our own: a column whose path no server would take is empty, priority 1 only with -o wide.
    // A date column is an age counted to the snapshot's time (taken 2024-01-10 12:00, due five
    // days before), not to now.
    let text = setup.ok(&["get", "wdg", "-n", "shop"]);
    assert_eq!(
        row(&text, "NAME"),
        ["NAME", "SIZE", "READY", "BROKEN", "DUE"]
    );
    assert_eq!(row(&text, "sprocket"), ["sprocket", "7", "True", "", "5d"]);
    let text = setup.ok(&[
        "get",
        "widgets.example.driftlab.io",
        "-n",
        "shop",
        "-o",
        "wide",
    ]);
    assert_eq!(
        row(&text, "NAME"),
        ["NAME", "SIZE", "READY", "OWNER", "BROKEN", "DUE"]
    );
    assert_eq!(row(&text, "sprocket")[3], "ops");
    // A category of the definition, and the version it serves beside the preferred one.
    let text = setup.ok(&["get", "driftlab", "-n", "shop", "-o", "name"]);
    assert!(
        text.contains("widget.example.driftlab.io/sprocket"),
        "{text}"
    );
    let text = setup.ok(&["get", "widgets.v1beta1.example.driftlab.io", "-n", "shop"]);
    assert_eq!(row(&text, "NAME"), ["NAME", "AGE"]);
    assert_eq!(row(&text, "sprocket"), ["sprocket", "45s"]);
}

#[test]
fn a_defined_type_without_objects_is_served_empty() {
    let Some(setup) = setup() else { return };
    let output = setup
        .command(&["get", "pmon", "-A"])
        .output()
        .expect("kubectl runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("No resources found"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn api_resources_lists_short_names_of_definitions_and_built_ins() {
    let Some(setup) = setup() else { return };
    let text = setup.ok(&["api-resources"]);
    assert_eq!(
        row(&text, "alertmanagers"),
        [
            "alertmanagers",
            "am",
            "monitoring.coreos.com/v1",
            "true",
            "Alertmanager"
        ]
    );
    assert_eq!(
        row(&text, "podmonitors"),
        [
            "podmonitors",
            "pmon",
            "monitoring.coreos.com/v1",
            "true",
            "PodMonitor"
        ]
    );
    assert_eq!(
        row(&text, "grpcroutes"),
        [
            "grpcroutes",
            "",
            "gateway.networking.k8s.io/v1",
            "true",
            "GRPCRoute"
        ]
    );
    assert_eq!(row(&text, "pods"), ["pods", "po", "v1", "true", "Pod"]);
    assert_eq!(
        row(&text, "deployments"),
        ["deployments", "deploy", "apps/v1", "true", "Deployment"]
    );
    let all = setup.ok(&["api-resources", "--categories", "all", "-o", "name"]);
    for name in ["pods", "services", "deployments.apps", "cronjobs.batch"] {
        assert!(all.lines().any(|l| l == name), "{name} not in all:\n{all}");
    }
    assert!(!all.lines().any(|l| l == "configmaps"), "{all}");
}

#[test]
fn built_in_kinds_print_kubectls_columns() {
    let Some(setup) = setup() else { return };
    let text = setup.ok(&["get", "pods", "-n", "shop"]);
    assert_eq!(
        row(&text, "NAME"),
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    );
    // serve keeps what a comparison prunes (status, creationTimestamp) beside each object: one
    // of two containers ready, four restarts, the last two hours before the snapshot was taken,
    // and an age counted to the snapshot's time (2024-01-10 12:00), not to now.
    assert_eq!(
        row(&text, "web-1"),
        ["web-1", "1/2", "Running", "4 (120m ago)", "5d"]
    );
    let text = setup.ok(&["get", "all", "-n", "shop"]);
    assert_eq!(row(&text, "pod/web-1")[..2], ["pod/web-1", "1/2"]);
    assert_eq!(
        row(&text, "service/web"),
        [
            "service/web",
            "ClusterIP",
            "172.30.0.10",
            "<none>",
            "80/TCP",
            "3h"
        ]
    );
    assert_eq!(
        row(&text, "deployment.apps/web"),
        ["deployment.apps/web", "2/3", "3", "2", "40d"]
    );
    assert!(!text.contains("grpcroute"), "{text}");
    let text = setup.ok(&["get", "svc", "-n", "shop", "-o", "wide"]);
    assert_eq!(row(&text, "web").last().unwrap(), "app=web");
}

#[test]
fn kubectl_get_watch_prints_the_objects_and_ends_at_its_timeout() {
    let Some(setup) = setup() else { return };
    let timeout = "--request-timeout=3s";
    let cases: [(&[&str], &[&str]); 4] = [
        (&["get", "pods", "-n", "shop", "-w", timeout], &["web-1"]),
        (&["get", "grpcroutes", "-A", "-w", timeout], &["checkout"]),
        // No list printed, and the watch resumes from the list's version: nothing.
        (&["get", "pods", "-n", "shop", "--watch-only", timeout], &[]),
        // One object: kubectl watches it from version 0, and the server replays it as an ADDED
        // event, a table of one row.
        (
            &[
                "get",
                "pod",
                "web-1",
                "-n",
                "shop",
                "-w",
                "--output-watch-events",
                timeout,
            ],
            &["ADDED", "web-1", "1/2"],
        ),
    ];
    for (args, expected) in cases {
        let start = Instant::now();
        let output = common::run_with_deadline(&mut setup.command(args), Duration::from_secs(30));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        // kubectl ends a watch at its request timeout quietly, with success.
        assert!(
            output.status.success(),
            "{args:?}: {:?}\n{stdout}\n{stderr}",
            output.status
        );
        assert!(
            start.elapsed() >= Duration::from_secs(2),
            "{args:?} ended early"
        );
        if expected.is_empty() {
            assert!(stdout.trim().is_empty(), "{args:?}: {stdout}");
        }
        for word in expected {
            assert!(stdout.contains(word), "{args:?}: {word} not in\n{stdout}");
        }
    }
}

#[test]
fn kubectl_explain_reads_custom_and_built_in_fields_from_openapi_v3() {
    let Some(setup) = setup() else { return };
    // Through a proxy that records what kubectl asks for.
    let proxy = common::cluster::FaultProxy::start(&setup.served.url);
    let explain = |what: &str| {
        let kubectl = common::skip::kubectl().expect("found before");
        let output = common::skip::kubectl_command(&kubectl, setup.home.path())
            .args(["--server", &proxy.url, "explain", what])
            .output()
            .expect("kubectl runs");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "explain {what}: {}\n{text}",
            String::from_utf8_lossy(&output.stderr)
        );
        text
    };
    let text = explain("grpcroutes.spec.hostnames");
    assert!(text.contains("KIND:       GRPCRoute"), "{text}");
    assert!(text.contains("FIELD: hostnames <[]string>"), "{text}");
    assert!(
        text.contains("Hostnames defines a set of hostnames"),
        "{text}"
    );
    let text = explain("wdg.spec");
    assert!(
        text.contains("How big the widget is, in furlongs."),
        "{text}"
    );
    let text = explain("pods.spec.containers");
    assert!(text.contains("KIND:       Pod"), "{text}");
    assert!(
        text.contains("List of containers belonging to the pod."),
        "{text}"
    );
    assert!(text.contains("livenessProbe"), "{text}");
    let text = explain("deployments.spec.replicas");
    assert!(text.contains("GROUP:      apps"), "{text}");
    // kubectl 1.27 and later read the v3 root, then one document per group version.
    assert!(!proxy.seen_paths("/openapi/v3").is_empty());
    let documents = proxy.seen_paths("/openapi/v3/");
    for path in [
        "/openapi/v3/apis/gateway.networking.k8s.io/v1?hash=",
        "/openapi/v3/api/v1?hash=",
    ] {
        assert!(
            documents.iter().any(|d| d.starts_with(path)),
            "{path}: {documents:?}"
        );
    }
}

/// A definition of `kind` whose schema has `fields` properties under `spec` and nests `depth`
/// objects below `spec.deep`, as JSON.
fn hostile_definition(kind: &str, fields: usize, depth: usize) -> String {
    let mut deep = serde_json::json!({"type": "string", "description": "the bottom"});
    for _ in 0..depth {
        deep = serde_json::json!({"type": "object", "properties": {"down": deep}});
    }
    let mut properties = serde_json::Map::new();
    for i in 0..fields {
        properties.insert(
            format!("field{i}"),
            serde_json::json!({"type": "string", "description": "x".repeat(100)}),
        );
    }
    properties.insert("deep".into(), deep);
    let lower = kind.to_lowercase();
    serde_json::json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{lower}s.hostile.example")},
        "spec": {
            "group": "hostile.example",
            "names": {"kind": kind, "plural": format!("{lower}s")},
            "scope": "Cluster",
            "versions": [{"name": "v1", "served": true, "storage": true,
                "additionalPrinterColumns": [
                    {"name": "Greedy", "type": "string", "jsonPath": ".spec[*][*][*][*][*][*]"},
                    {"name": "Filter", "type": "string", "jsonPath": format!(".a[?(@.{}==1)]", "b.".repeat(300))}
                ],
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": properties}}}}}]
        }
    })
    .to_string()
}

#[test]
fn huge_or_deep_definitions_do_not_stop_serve() {
    if common::skip::kubectl().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("hostile");
    std::fs::create_dir(&folder).unwrap();
    common::write(
        &folder,
        "huge.json",
        hostile_definition("Huge", 20_000, 2).as_bytes(),
    );
    common::write(
        &folder,
        "deep.json",
        hostile_definition("Deep", 1, 50).as_bytes(),
    );
    let spec: serde_json::Map<String, serde_json::Value> = (0..200)
        .map(|i| (format!("field{i}"), serde_json::json!([[[[["x"]]]]])))
        .collect();
    let object = serde_json::json!({"apiVersion": "hostile.example/v1", "kind": "Huge",
        "metadata": {"name": "one"}, "spec": spec});
    common::write(&folder, "object.json", object.to_string().as_bytes());
    let setup = Setup {
        served: Served::start(&folder.to_string_lossy()),
        home: tempfile::tempdir().unwrap(),
        _dir: dir,
    };
    let start = Instant::now();
    let text = setup.ok(&["get", "huges"]);
    assert_eq!(row(&text, "one"), ["one", "x", ""]);
    let text = setup.ok(&["explain", "huges.spec.field19999"]);
    assert!(text.contains("FIELD: field19999 <string>"), "{text}");
    let text = setup.ok(&["explain", &format!("deeps.spec.deep{}", ".down".repeat(50))]);
    assert!(text.contains("the bottom"), "{text}");
    assert!(
        start.elapsed() < Duration::from_secs(60),
        "{:?}",
        start.elapsed()
    );
    assert!(
        !setup.served.stderr().contains("panicked"),
        "{}",
        setup.served.stderr()
    );
}
