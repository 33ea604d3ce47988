//! The value diff: keyed and sequence lists, quantities, embedded documents, secrets.

use super::leaves::parse_document;
use super::*;
use crate::diff::path::DocFormat;
use serde_json::json;

fn changes(kind: &str, old: Value, new: Value) -> Vec<(String, Op, Option<Value>, Option<Value>)> {
    diff(kind, &old, &new, &ValueOptions::default())
        .into_iter()
        .map(|c| (c.path.human(), c.op, c.old, c.new))
        .collect()
}

fn paths(kind: &str, old: Value, new: Value) -> Vec<String> {
    changes(kind, old, new).into_iter().map(|c| c.0).collect()
}

#[test]
fn containers_match_by_name_not_position() {
    let old = json!({"spec": {"containers": [
        {"name": "web", "image": "web:1", "readinessProbe": {"httpGet": {"path": "/healthz"}}},
        {"name": "sidecar", "image": "proxy:1"}]}});
    let new = json!({"spec": {"containers": [
        {"name": "sidecar", "image": "proxy:1"},
        {"name": "web", "image": "web:1", "readinessProbe": {"httpGet": {"path": "/ready"}}}]}});
    let found = changes("Deployment", old, new);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].0, "spec.containers");
    assert_eq!(found[0].1, Op::Move);
    assert_eq!(
        found[1].0,
        "spec.containers[web].readinessProbe.httpGet.path"
    );
    assert_eq!(found[1].2, Some(json!("/healthz")));
    assert_eq!(found[1].3, Some(json!("/ready")));
}

#[test]
fn pure_reorder_of_a_keyed_list_is_only_an_order_change() {
    let old = json!({"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]});
    let new = json!({"env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]});
    let found = changes("Pod", old, new);
    assert_eq!(
        found,
        vec![(
            "env".into(),
            Op::Move,
            Some(json!(["A", "B"])),
            Some(json!(["B", "A"]))
        )]
    );
}

#[test]
fn volume_mounts_by_mount_path_and_ports_by_port_and_protocol() {
    let old = json!({"volumeMounts": [{"name": "a", "mountPath": "/data"}],
                     "ports": [{"containerPort": 8080, "protocol": "TCP", "name": "http"}]});
    let new = json!({"volumeMounts": [{"name": "b", "mountPath": "/data"}],
                     "ports": [{"containerPort": 8080, "name": "web"}]});
    assert_eq!(
        paths("Pod", old, new),
        [
            "volumeMounts[/data].name",
            "ports[8080/TCP].protocol",
            "ports[8080/TCP].name"
        ]
    );
}

#[test]
fn service_ports_by_port() {
    let old = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "targetPort": 8443}]}});
    let new = json!({"spec": {"ports": [{"port": 443, "targetPort": 8443}, {"port": 80, "targetPort": 9090}]}});
    let found = paths("Service", old, new);
    assert_eq!(found, ["spec.ports", "spec.ports[80/TCP].targetPort"]);
}

#[test]
fn quantities_compare_as_numbers() {
    let old =
        json!({"resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": 1}}});
    let new = json!({"resources": {"requests": {"cpu": "0.5", "memory": "1024Mi"}, "limits": {"cpu": "1000m"}}});
    assert!(paths("Pod", old, new).is_empty());
    let old = json!({"spec": {"hard": {"pods": "10"}}});
    let new = json!({"spec": {"hard": {"pods": "11"}}});
    assert_eq!(paths("ResourceQuota", old, new), ["spec.hard.pods"]);
}

#[test]
fn type_changes_are_differences() {
    let found = changes("Service", json!({"port": "8080"}), json!({"port": 8080}));
    assert_eq!(
        found,
        vec![(
            "port".into(),
            Op::Replace,
            Some(json!("8080")),
            Some(json!(8080))
        )]
    );
}

#[test]
fn unkeyed_lists_report_inserted_elements_without_shifting_the_rest() {
    let old = json!({"args": ["--a", "--b", "--c", "--d"]});
    let new = json!({"args": ["--a", "--x", "--b", "--c", "--d"]});
    let found = changes("Pod", old, new);
    assert_eq!(
        found,
        vec![("args[1]".into(), Op::Add, None, Some(json!("--x")))]
    );
}

#[test]
fn unkeyed_lists_report_changed_elements_in_place() {
    let old = json!({"rules": [{"verbs": ["get"], "resources": ["pods"]}, {"verbs": ["list"], "resources": ["svc"]}]});
    let new = json!({"rules": [{"verbs": ["get"], "resources": ["pods"]}, {"verbs": ["watch"], "resources": ["svc"]}]});
    assert_eq!(paths("Role", old, new), ["rules[1].verbs[0]"]);
}

#[test]
fn pure_reorder_of_a_sequence_is_one_order_change() {
    let found = changes(
        "Pod",
        json!({"args": ["a", "b", "c"]}),
        json!({"args": ["c", "a", "b"]}),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, Op::Move);
}

#[test]
fn an_element_moved_within_a_changed_sequence_is_a_move() {
    let found = changes(
        "X",
        json!({"l": ["a", "b", "c", "d"]}),
        json!({"l": ["b", "c", "a", "e"]}),
    );
    let ops: Vec<(String, Op)> = found.into_iter().map(|c| (c.0, c.1)).collect();
    assert!(ops.contains(&("l[2]".into(), Op::Move)), "{ops:?}");
    assert!(
        !ops.iter().any(|(p, op)| p == "l[0]" && *op == Op::Remove),
        "{ops:?}"
    );
}

#[test]
fn embedded_yaml_is_diffed_structurally() {
    let old = json!({"data": {"app.yaml": "server:\n  port: 8080\n  timeout: 30s\n"}});
    let new = json!({"data": {"app.yaml": "server:\n  timeout: 3s # tuned\n  port: 8080\n"}});
    let found = changes("ConfigMap", old, new);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, r#"data["app.yaml"].server.timeout"#);
    assert_eq!(found[0].2, Some(json!("30s")));
}

#[test]
fn embedded_document_with_only_comments_changed_is_a_format_change() {
    let old = json!({"data": {"a.yaml": "x: 1\n"}});
    let new = json!({"data": {"a.yaml": "# note\nx: 1\n"}});
    let found = diff("ConfigMap", &old, &new, &ValueOptions::default());
    assert_eq!(found.len(), 1);
    assert!(found[0].format_only);
}

#[test]
fn annotations_holding_json_are_diffed_structurally() {
    let old = json!({"metadata": {"annotations": {"cfg": "{\"a\": 1, \"b\": 2}"}}});
    let new = json!({"metadata": {"annotations": {"cfg": "{\"b\": 2, \"a\": 3}"}}});
    assert_eq!(
        paths("Deployment", old, new),
        ["metadata.annotations.cfg.a"]
    );
}

#[test]
fn invalid_embedded_documents_fall_back_to_text() {
    let old = json!({"data": {"a.json": "{\"a\": 1}"}});
    let new = json!({"data": {"a.json": "{\"a\": "}});
    let found = changes("ConfigMap", old, new);
    assert_eq!(found[0].0, r#"data["a.json"]"#);
}

#[test]
fn secret_values_are_fingerprints_unless_revealed() {
    let old = json!({"kind": "Secret", "data": {"password": "czNjcjN0", "same": "eA=="}});
    let new = json!({"kind": "Secret", "data": {"password": "bmV3", "same": "eA=="}});
    let found = diff("Secret", &old, &new, &ValueOptions::default());
    assert_eq!(found.len(), 1);
    assert!(found[0].secret);
    let shown = format!("{:?}", found[0]);
    assert!(
        !shown.contains("czNjcjN0") && !shown.contains("bmV3"),
        "{shown}"
    );
    assert!(
        found[0]
            .old
            .as_ref()
            .unwrap()
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );

    let revealed = diff(
        "Secret",
        &old,
        &new,
        &ValueOptions {
            show_secrets: true,
            ..ValueOptions::default()
        },
    );
    assert_eq!(revealed[0].old, Some(json!("s3cr3t")));
    assert_eq!(revealed[0].new, Some(json!("new")));
}

#[test]
fn secret_data_added_whole_is_still_fingerprinted() {
    let old = json!({"kind": "Secret"});
    let new = json!({"kind": "Secret", "data": {"token": "c2VjcmV0"}});
    let found = diff("Secret", &old, &new, &ValueOptions::default());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].path.human(), "data.token");
    assert!(!format!("{found:?}").contains("c2VjcmV0"));
}

#[test]
fn exported_hash_equals_the_raw_value() {
    let raw = json!({"data": {"password": "czNjcjN0"}});
    let hashed_value = secret::hash_for_archive(&json!("czNjcjN0"), true, None);
    let hashed = json!({"data": {"password": hashed_value}});
    assert!(paths("Secret", raw, hashed).is_empty());
}

#[test]
fn lists_changed_in_too_many_elements_are_one_summary() {
    let many = |offset: usize| -> Value {
        json!({"spec": {"x": (0..50).map(|i| i * 3 + offset).collect::<Vec<_>>(),
            "env": (0..50).map(|i| json!({"name": format!("V{}", i + 50 * offset), "value": "v"})).collect::<Vec<_>>()}})
    };
    let options = ValueOptions {
        max_list_changes: 10,
        ..ValueOptions::default()
    };
    let found = diff("Pod", &many(0), &many(1), &options);
    let elided: Vec<_> = found
        .iter()
        .filter_map(|c| c.elided.map(|e| (c.path.human(), e)))
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(elided[0].0, "spec.x");
    assert_eq!(
        elided[0].1,
        Elided {
            old_len: 50,
            new_len: 50,
            changes: 50
        }
    );
    assert_eq!(elided[1].0, "spec.env");
    assert_eq!(elided[1].1.changes, 100);
    // No limit: every element.
    let all = ValueOptions {
        max_list_changes: 0,
        ..ValueOptions::default()
    };
    assert!(diff("Pod", &many(0), &many(1), &all).len() > 50);
}

/// The limit is on changed elements: a long keyed list in the same order with one element
/// changed shows that change, however long the list.
#[test]
fn a_long_list_with_one_change_is_not_summarised() {
    let env = |value: &str| -> Value {
        json!({"env": (0..50).map(|i| json!({"name": format!("V{i}"),
            "value": if i == 7 { value } else { "v" }})).collect::<Vec<_>>()})
    };
    let options = ValueOptions {
        max_list_changes: 10,
        ..ValueOptions::default()
    };
    let found = diff("Pod", &env("a"), &env("b"), &options);
    let paths: Vec<String> = found.iter().map(|c| c.path.human()).collect();
    assert_eq!(paths, ["env[V7].value"]);
    assert!(found[0].elided.is_none());
}

/// An annotation is a JSON document only when both sides look like one (`{…}` or `[…]`): a
/// bare `5` parses as JSON too, but is a value someone wrote, compared as text.
#[test]
fn an_annotation_that_stops_being_json_is_a_text_change() {
    for text in ["5", "off"] {
        let old = json!({"metadata": {"annotations": {"cfg": "[\"a\"]"}}});
        let new = json!({"metadata": {"annotations": {"cfg": text}}});
        for (a, b) in [(&old, &new), (&new, &old)] {
            let found = diff("Deployment", a, b, &ValueOptions::default());
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].path.human(), "metadata.annotations.cfg");
            assert!(found[0].path.embedded().is_none(), "{text}: {found:?}");
            assert_eq!(found[0].op, Op::Replace);
        }
    }
}

#[test]
fn a_removed_secret_value_is_a_removal() {
    let old = json!({"data": {"password": "czNjcjN0", "user": "YQ=="}});
    let new = json!({"data": {"user": "YQ=="}});
    let found = changes("Secret", old.clone(), new.clone());
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].0.as_str(), found[0].1),
        ("data.password", Op::Remove)
    );
    assert!(found[0].3.is_none());
    let added = changes("Secret", new, old);
    assert_eq!(
        (added[0].0.as_str(), added[0].1),
        ("data.password", Op::Add)
    );
}

#[test]
fn a_yaml_document_of_comments_only_is_nothing() {
    assert_eq!(
        parse_document(DocFormat::Yaml, "# nothing here yet\n"),
        Some(Value::Null)
    );
    assert_eq!(parse_document(DocFormat::Yaml, ""), Some(Value::Null));
    assert_eq!(
        parse_document(DocFormat::Yaml, "a: 1\n---\nb: 2\n"),
        Some(json!([{"a": 1}, {"b": 2}]))
    );
}

/// Within the deadline Myers finds the fewest changes: the first element dropped and one
/// appended is two changes, not forty.
#[test]
fn a_sequence_shifted_by_one_is_two_changes() {
    let old: Vec<u32> = (0..40).collect();
    let mut new: Vec<u32> = (1..40).collect();
    new.push(99);
    let found = changes("Pod", json!({"args": old}), json!({"args": new}));
    let ops: Vec<Op> = found.iter().map(|c| c.1).collect();
    assert_eq!(ops, [Op::Remove, Op::Add], "{found:?}");
}
