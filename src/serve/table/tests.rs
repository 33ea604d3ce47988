//! Tables: ages as kubectl prints them, the printers of built-in kinds, printer columns.

use super::*;

#[test]
fn ages_read_like_kubectl() {
    for (seconds, text) in [
        (-5, "<invalid>"),
        (-1, "0s"),
        (45, "45s"),
        (119, "119s"),
        (192, "3m12s"),
        (600, "10m"),
        (3 * 3600 + 12 * 60, "3h12m"),
        (10 * 3600, "10h"),
        (5 * 86_400, "5d"),
        (5 * 86_400 + 3 * 3600, "5d3h"),
        (40 * 86_400, "40d"),
        (2 * 365 * 86_400, "2y"),
        (3 * 365 * 86_400 + 86_400, "3y1d"),
        (10 * 365 * 86_400 + 86_400, "10y"),
    ] {
        assert_eq!(human_duration(seconds), text, "{seconds}");
    }
    let now = Timestamp::parse_rfc3339("2024-01-10T12:00:00Z")
        .unwrap()
        .to_unix();
    assert_eq!(age_of("2024-01-05T12:00:00Z", now), "5d");
    assert_eq!(age_of("", now), "<unknown>");
    assert_eq!(age_of("yesterday", now), "<invalid>");
}

fn cells(table: &Value, row: usize) -> Vec<Value> {
    table["rows"][row]["cells"].as_array().unwrap().clone()
}

fn headers(table: &Value) -> Vec<String> {
    table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["priority"] == 0)
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn pods_show_ready_status_restarts_and_age() {
    let now = Timestamp::parse_rfc3339("2024-01-10T12:00:00Z")
        .unwrap()
        .to_unix();
    let pod = json!({
        "metadata": {"name": "web-1", "namespace": "shop", "creationTimestamp": "2024-01-07T12:00:00Z",
                     "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "a"}, {"name": "b"}]},
        "status": {"phase": "Running", "containerStatuses": [
            {"name": "a", "ready": true, "restartCount": 2, "state": {"running": {}},
             "lastState": {"terminated": {"finishedAt": "2024-01-10T11:00:00Z"}}},
            {"name": "b", "ready": false, "restartCount": 1, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
        ]}
    });
    let table = table(
        Printer::BuiltIn {
            group: "",
            kind: "Pod",
        },
        &[pod],
        now,
        json!({}),
    );
    assert_eq!(
        headers(&table),
        ["Name", "Ready", "Status", "Restarts", "Age"]
    );
    assert_eq!(
        cells(&table, 0)[..5],
        [
            json!("web-1"),
            json!("1/2"),
            json!("CrashLoopBackOff"),
            json!("3 (60m ago)"),
            json!("3d")
        ]
    );
    let object = &table["rows"][0]["object"];
    assert_eq!(object["kind"], "PartialObjectMetadata");
    assert_eq!(object["metadata"]["labels"]["app"], "web");
}

#[test]
fn services_and_deployments_print_their_columns() {
    let service = json!({"metadata": {"name": "web"}, "spec": {"type": "NodePort", "clusterIP": "10.0.0.1",
        "ports": [{"port": 80, "nodePort": 30080}, {"port": 53, "protocol": "UDP"}]}});
    let table = table(
        Printer::BuiltIn {
            group: "",
            kind: "Service",
        },
        &[service],
        0,
        json!({}),
    );
    assert_eq!(
        cells(&table, 0)[..5],
        [
            json!("web"),
            json!("NodePort"),
            json!("10.0.0.1"),
            json!("<none>"),
            json!("80:30080/TCP,53/UDP")
        ]
    );
    let deployment = json!({"metadata": {"name": "api"}, "spec": {"replicas": 3},
        "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
    let table = super::table(
        Printer::BuiltIn {
            group: "apps",
            kind: "Deployment",
        },
        &[deployment],
        0,
        json!({}),
    );
    assert_eq!(
        headers(&table),
        ["Name", "Ready", "Up-to-date", "Available", "Age"]
    );
    assert_eq!(
        cells(&table, 0)[..4],
        [json!("api"), json!("2/3"), json!(3), json!(2)]
    );
}

#[test]
fn custom_resources_print_their_columns_and_a_bad_path_is_an_empty_cell() {
    let columns = vec![
        PrinterColumn {
            name: "Hostnames".into(),
            kind: "string".into(),
            json_path: ".spec.hostnames".into(),
            ..PrinterColumn::default()
        },
        PrinterColumn {
            name: "Ready".into(),
            kind: "string".into(),
            json_path: r#".status.conditions[?(@.type=="Ready")].status"#.into(),
            ..PrinterColumn::default()
        },
        PrinterColumn {
            name: "Replicas".into(),
            kind: "integer".into(),
            json_path: ".spec.replicas".into(),
            priority: 1,
            ..PrinterColumn::default()
        },
        PrinterColumn {
            name: "Broken".into(),
            kind: "string".into(),
            json_path: "{range .items[*]}[[[".repeat(50),
            ..PrinterColumn::default()
        },
        PrinterColumn {
            name: "Age".into(),
            kind: "date".into(),
            json_path: ".metadata.creationTimestamp".into(),
            ..PrinterColumn::default()
        },
    ];
    let object = json!({"metadata": {"name": "r", "creationTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {"hostnames": ["a.example"], "replicas": 2},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]}});
    let now = Timestamp::parse_rfc3339("2024-01-01T00:00:45Z")
        .unwrap()
        .to_unix();
    let table = table(Printer::Crd(&columns), &[object], now, json!({}));
    assert_eq!(
        cells(&table, 0),
        [
            json!("r"),
            json!("[\"a.example\"]"),
            json!("True"),
            json!(2),
            Value::Null,
            json!("45s")
        ]
    );
    assert_eq!(table["columnDefinitions"][3]["priority"], 1);
    assert_eq!(table["columnDefinitions"][3]["type"], "integer");
    // A definition without columns: Name and Age.
    let bare = super::table(Printer::Crd(&[]), &[json!({})], now, json!({}));
    assert_eq!(headers(&bare), ["Name", "Age"]);
    assert_eq!(cells(&bare, 0), [json!(""), Value::Null]);
}

#[test]
fn openshift_kinds_print_like_oc() {
    let printer = |group, kind| Printer::BuiltIn { group, kind };
    let dc = json!({"metadata": {"name": "web"}, "spec": {"replicas": 2, "triggers": [
        {"type": "ConfigChange"},
        {"type": "ImageChange", "imageChangeParams": {"from": {"name": "web:latest"}}}]},
        "status": {"latestVersion": 3, "replicas": 2}});
    let table = table(
        printer("apps.openshift.io", "DeploymentConfig"),
        &[dc],
        0,
        json!({}),
    );
    assert_eq!(
        headers(&table),
        ["Name", "Revision", "Desired", "Current", "Triggered By"]
    );
    assert_eq!(
        cells(&table, 0),
        [
            json!("web"),
            json!(3),
            json!(2),
            json!(2),
            json!("config,image(web)")
        ]
    );
    let route = json!({"metadata": {"name": "web"}, "spec": {"host": "web.apps.example",
        "to": {"name": "web", "weight": 75}, "alternateBackends": [{"name": "canary", "weight": 25}],
        "port": {"targetPort": "http"}, "tls": {"termination": "edge",
        "insecureEdgeTerminationPolicy": "Redirect"}}});
    let table = super::table(
        printer("route.openshift.io", "Route"),
        &[route],
        0,
        json!({}),
    );
    assert_eq!(
        cells(&table, 0),
        [
            json!("web"),
            json!("web.apps.example"),
            json!(""),
            json!("web(75%),canary(25%)"),
            json!("http"),
            json!("edge/Redirect"),
            json!("None")
        ]
    );
    let bc = json!({"metadata": {"name": "web"}, "spec": {"strategy": {"type": "Source"},
        "source": {"type": "Git", "git": {"uri": "https://example/web.git", "ref": "main"}}}});
    let table = super::table(
        printer("build.openshift.io", "BuildConfig"),
        &[bc],
        0,
        json!({}),
    );
    assert_eq!(
        cells(&table, 0),
        [json!("web"), json!("Source"), json!("Git@main"), json!(0)]
    );
}

#[test]
fn hostile_numbers_do_not_overflow() {
    let pod = json!({"metadata": {"name": "p"}, "status": {"containerStatuses": [
        {"restartCount": i64::MAX}, {"restartCount": i64::MAX}]}});
    let table = table(
        Printer::BuiltIn {
            group: "",
            kind: "Pod",
        },
        &[pod],
        0,
        json!({}),
    );
    assert_eq!(cells(&table, 0)[3], json!(i64::MAX.to_string()));
    let route = json!({"metadata": {"name": "r"}, "spec": {"to": {"name": "a", "weight": i64::MAX},
        "alternateBackends": [{"name": "b", "weight": i64::MAX}]}});
    let table = super::table(
        Printer::BuiltIn {
            group: "route.openshift.io",
            kind: "Route",
        },
        &[route],
        0,
        json!({}),
    );
    assert!(cells(&table, 0)[3].as_str().unwrap().starts_with("a("));
}
