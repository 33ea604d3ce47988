use serde_json::{Value, json};

use super::*;
use crate::snapshot::Snapshot;

fn definition(scope: &str) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets"},
            "scope": scope,
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                    "spec": {"type": "object", "properties": {
                        "size": {"type": "integer", "default": 3}}}}}}}]
        }
    })
}

fn widget(namespace: Option<&str>) -> Value {
    let mut widget = json!({"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w"}, "spec": {}});
    if let Some(namespace) = namespace {
        widget["metadata"]["namespace"] = json!(namespace);
    }
    widget
}

#[test]
fn cluster_scoped_custom_resources_leave_the_namespace_a_folder_gave_them() {
    let mut old = Snapshot::of(vec![definition("Cluster"), widget(Some("default"))]);
    let mut new = Snapshot::of(vec![widget(None)]);
    let sides = prepare(&mut old, &mut new, &Schemas::default(), |_, _, _| true);
    assert!(
        !sides.new.is_empty(),
        "the new side borrows the old side's definition"
    );
    let keys: Vec<String> = old.iter().map(|(k, _)| k.to_string()).collect();
    assert!(keys.contains(&"Widget w".to_string()), "{keys:?}");
    let (_, stored) = old.iter().find(|(k, _)| k.kind == "Widget").unwrap();
    assert!(stored.value()["metadata"].get("namespace").is_none());
}

#[test]
fn namespaced_custom_resources_keep_their_namespace() {
    let mut old = Snapshot::of(vec![definition("Namespaced"), widget(Some("shop"))]);
    let mut new = Snapshot::of(vec![]);
    prepare(&mut old, &mut new, &Schemas::default(), |_, _, _| true);
    assert!(
        old.iter()
            .any(|(k, _)| k.kind == "Widget" && k.namespace == "shop")
    );
}

#[test]
fn unusable_and_conflicting_definitions_are_named_once_and_dropped() {
    let mut broken = definition("Namespaced");
    broken["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
        ["ports"] = json!({"type": "array", "x-kubernetes-list-type": "map"});
    let (schemas, warnings) = Schemas::from_definitions([("crds.yaml".into(), broken)]);
    assert!(schemas.is_empty());
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0]
            .message
            .starts_with("crds.yaml: CustomResourceDefinition widgets.example.com: version v1:"),
        "{:?}",
        warnings[0]
    );

    let mut other = definition("Namespaced");
    other["metadata"]["name"] = json!("gadgets.example.com");
    let (schemas, warnings) =
        Schemas::from_definitions([("a".into(), definition("Namespaced")), ("b".into(), other)]);
    assert!(schemas.resource("example.com", "Widget").is_none());
    assert!(
        warnings[0].message.contains("neither schema is used"),
        "{warnings:?}"
    );
}

#[test]
fn each_side_reads_its_own_definition_first() {
    let own = Schemas::from_definitions([("a".into(), definition("Namespaced"))]).0;
    let mut changed = definition("Cluster");
    changed["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
        ["size"]["default"] = json!(5);
    let other = Schemas::from_definitions([("b".into(), changed)]).0;
    let layered = own.then(&other);
    let resource = layered.resource("example.com", "Widget").unwrap();
    assert!(resource.namespaced);
    assert_ne!(
        resource.digest,
        other.resource("example.com", "Widget").unwrap().digest
    );
}

#[test]
fn only_the_definitions_of_kinds_the_comparison_holds_are_compiled() {
    let mut gadget = definition("Namespaced");
    gadget["metadata"]["name"] = json!("gadgets.example.com");
    gadget["spec"]["names"] = json!({"kind": "Gadget", "plural": "gadgets"});
    let mut old = Snapshot::of(vec![definition("Namespaced"), gadget, widget(Some("shop"))]);
    let mut new = Snapshot::of(vec![]);
    let sides = prepare(&mut old, &mut new, &Schemas::default(), |_, _, _| true);
    assert!(sides.old.resource("example.com", "Widget").is_some());
    assert!(
        sides.old.resource("example.com", "Gadget").is_none(),
        "no Gadget to compare"
    );
    // A definition whose kind cannot be read is still read, to say what is wrong with it.
    let broken = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "broken.example.com"}, "spec": {"group": 7}});
    let mut old = Snapshot::of(vec![broken, widget(Some("shop"))]);
    prepare(
        &mut old,
        &mut Snapshot::of(vec![]),
        &Schemas::default(),
        |_, _, _| true,
    );
    assert!(
        old.diagnostics
            .iter()
            .any(|d| d.message.contains("broken.example.com"))
    );
}
