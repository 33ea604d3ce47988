//! The OpenAPI documents: built-in and custom schemas, where kubectl finds them.

use super::*;

fn gateway() -> Crd {
    Crd::from_object(&json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "gateways.gateway.networking.k8s.io"},
        "spec": {
            "group": "gateway.networking.k8s.io",
            "names": {"kind": "Gateway", "plural": "gateways"},
            "scope": "Namespaced",
            "versions": [
                {"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "properties": {"spec": {"type": "object", "properties": {
                        "listeners": {"type": "array", "description": "Listeners associated with this Gateway."}}}}}}},
                {"name": "v1alpha1", "served": false, "storage": false}
            ]
        }
    }))
    .unwrap()
}

fn documents() -> (Documents, BTreeMap<(String, String), Crd>) {
    let crd = gateway();
    let crds = BTreeMap::from([(("gateway.networking.k8s.io".into(), "gateways".into()), crd)]);
    (Documents::default(), crds)
}

#[test]
fn the_root_names_a_document_per_group_version() {
    let (documents, crds) = documents();
    let root: Value = serde_json::from_str(documents.get(&crds, &["v3"]).unwrap()).unwrap();
    let paths = root["paths"].as_object().unwrap();
    for path in [
        "api/v1",
        "apis/apps/v1",
        "apis/batch/v1",
        "apis/gateway.networking.k8s.io/v1",
    ] {
        let url = paths[path]["serverRelativeURL"].as_str().unwrap();
        assert!(
            url.starts_with(&format!("/openapi/v3/{path}?hash=")),
            "{url}"
        );
    }
    assert!(!paths.contains_key("apis/gateway.networking.k8s.io/v1alpha1"));
}

#[test]
fn custom_resources_are_named_and_tagged_as_the_api_server_does() {
    let (documents, crds) = documents();
    let text = documents
        .get(&crds, &["v3", "apis", "gateway.networking.k8s.io", "v1"])
        .unwrap();
    let document: Value = serde_json::from_str(text).unwrap();
    let schemas = &document["components"]["schemas"];
    let gateway = &schemas["io.k8s.networking.gateway.v1.Gateway"];
    assert_eq!(
        gateway["x-kubernetes-group-version-kind"],
        json!([{"group": "gateway.networking.k8s.io", "version": "v1", "kind": "Gateway"}])
    );
    assert_eq!(
        gateway["properties"]["spec"]["properties"]["listeners"]["description"],
        "Listeners associated with this Gateway."
    );
    // metadata refers to ObjectMeta, which the document holds.
    assert!(schemas[OBJECT_META]["properties"]["labels"].is_object());
    // Only what it needs: no pod.
    assert!(schemas.get("io.k8s.api.core.v1.Pod").is_none());
}

#[test]
fn built_in_kinds_have_their_descriptions() {
    let (documents, crds) = documents();
    let document: Value =
        serde_json::from_str(documents.get(&crds, &["v3", "api", "v1"]).unwrap()).unwrap();
    let schemas = &document["components"]["schemas"];
    let pod = &schemas["io.k8s.api.core.v1.Pod"];
    assert_eq!(pod["x-kubernetes-group-version-kind"][0]["kind"], "Pod");
    let containers = &schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
    assert!(
        containers["description"]
            .as_str()
            .unwrap()
            .contains("containers")
    );
    assert!(schemas["io.k8s.api.core.v1.Container"].is_object());
    let swagger: Value = serde_json::from_str(documents.get(&crds, &["v2"]).unwrap()).unwrap();
    assert_eq!(swagger["swagger"], "2.0");
    let spec = &swagger["definitions"]["io.k8s.api.core.v1.Pod"]["properties"]["spec"];
    assert_eq!(
        spec["allOf"][0]["$ref"],
        "#/definitions/io.k8s.api.core.v1.PodSpec"
    );
    assert!(
        documents
            .get(&crds, &["v3", "apis", "nothing", "v1"])
            .is_none()
    );
    assert!(documents.get(&crds, &["v4"]).is_none());
}

#[test]
fn a_deep_schema_is_walked_without_recursion() {
    let mut deep = json!({"type": "string"});
    for _ in 0..100_000 {
        let mut properties = Map::new();
        properties.insert("x".into(), deep);
        let mut object = Map::new();
        object.insert("type".into(), json!("object"));
        object.insert("properties".into(), Value::Object(properties));
        deep = Value::Object(object);
    }
    assert!(references(&deep).is_empty());
    // Dropping a value this deep recurses in serde_json: take it apart by hand.
    let mut stack = vec![deep];
    while let Some(mut value) = stack.pop() {
        if let Some(Value::Object(properties)) = value.get_mut("properties") {
            stack.extend(std::mem::take(properties).into_iter().map(|(_, v)| v));
        }
    }
}
