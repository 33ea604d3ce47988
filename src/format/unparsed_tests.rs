//! The two ways a list item becomes an object (kept as its compact text and parsed when asked, or
//! parsed at once) must give the same identity, apiVersion, body and provenance for any item:
//! checked on generated items written the way attackers and odd tools write JSON (repeated keys,
//! escapes where the identity is read, non-string names, nulls, housekeeping fields).

use proptest::prelude::*;
use serde_json::Value;

use super::json::add_json;
use crate::snapshot::builder_tests::info;
use crate::snapshot::{
    DuplicateRule, FileOrigin, ObjectFilter, Snapshot, SnapshotBuilder, TextPool,
};

fn origin(folder: Option<&str>) -> FileOrigin {
    FileOrigin {
        path: "p/items.json".into(),
        display: "test: p/items.json".into(),
        folder_namespace: folder.map(String::from),
        duplicates: DuplicateRule::Report,
    }
}

fn builder(as_served: bool) -> SnapshotBuilder {
    // Only Pods are compared: the rest of the owner kinds are kept aside, the others dropped.
    let mut builder = SnapshotBuilder::new(ObjectFilter {
        kinds: vec!["Pod".into(), "ConfigMap".into(), "Secret".into()],
        ..ObjectFilter::default()
    });
    builder.keep_as_served(as_served);
    builder
}

/// Reads `text` both ways: through the JSON reader (items kept unparsed where it can), and as
/// parsed documents (every item parsed at once).
fn both_ways(text: &str, folder: Option<&str>, as_served: bool) -> (Snapshot, Snapshot) {
    let mut scanned = builder(as_served);
    scanned.share_texts(TextPool::default());
    let invalid = add_json(&mut scanned, text, &origin(folder)).expect("valid JSON");
    scanned.warn_invalid(invalid, &origin(folder));
    let mut parsed = builder(as_served);
    let document: Value = serde_json::from_str(text).expect("valid JSON");
    parsed.add_documents([document], &origin(folder));
    (scanned.finish(info()), parsed.finish(info()))
}

/// Everything a reader of a snapshot can see of its objects.
fn seen(snapshot: &Snapshot) -> Vec<String> {
    let mut seen: Vec<String> = snapshot
        .iter()
        .map(|(key, stored)| {
            format!(
                "{key:?} {} {} {:?} {}",
                stored.api_version,
                stored.body(),
                stored
                    .provenance()
                    .map(|p| (p.managers.len(), p.last_applied)),
                stored.value_as_served()
            )
        })
        .collect();
    seen.extend(snapshot.diagnostics.iter().map(|d| d.message.clone()));
    seen
}

/// A JSON string literal for `s`, escaped (`\uXXXX` for every other character) when asked.
fn literal(s: &str, escaped: bool) -> String {
    if !escaped {
        return serde_json::to_string(s).unwrap();
    }
    let mut out = String::from("\"");
    for (i, c) in s.chars().enumerate() {
        if i % 2 == 0 && (c as u32) < 0x10000 {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            let one = serde_json::to_string(&c.to_string()).unwrap();
            out.push_str(&one[1..one.len() - 1]);
        }
    }
    out.push('"');
    out
}

/// One generated field of an item: its key and its value, as JSON text.
fn field() -> impl Strategy<Value = (String, String)> {
    let name = prop_oneof!["web", "db-0", "", "x\"y", "é☃"];
    let text = prop_oneof![
        Just("\"v1\"".to_string()),
        Just("\"apps/v1\"".to_string()),
        Just("null".to_string()),
        Just("7".to_string()),
        Just("1.50".to_string()),
        Just("\"\\ud83d\\ude00 \\n\"".to_string()),
        Just("{\"k\": [1, null, {\"a\": \"\\\"\"}]}".to_string()),
    ];
    let metadata = (
        proptest::option::of((name.clone(), any::<bool>())),
        proptest::option::of(prop_oneof!["p", "q", ""]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(name, namespace, housekeeping, applied)| {
            let mut fields = Vec::new();
            if let Some((name, escaped)) = name {
                fields.push(format!("\"name\": {}", literal(&name, escaped)));
            }
            if let Some(namespace) = namespace {
                fields.push(format!("\"namespace\" : \"{namespace}\""));
            }
            if housekeeping {
                fields.push("\"uid\": \"1\", \"resourceVersion\": \"5\", \"labels\": {}, \"managedFields\": [{\"manager\": \"kubectl\", \"operation\": \"Update\", \"fieldsV1\": {\"f:data\": {}}}]".into());
            }
            if applied {
                fields.push("\"annotations\": {\"kubectl.kubernetes.io/last-applied-configuration\": \"{\\\"kind\\\":\\\"Pod\\\"}\", \"a\": null}".into());
            }
            format!("{{\n   {}\n}}", fields.join(",\n   "))
        });
    prop_oneof![
        (
            prop_oneof!["Pod", "ConfigMap", "Secret", "", "Deployment", "Namespace"],
            any::<bool>()
        )
            .prop_map(|(kind, escaped)| ("kind".to_string(), literal(&kind, escaped))),
        text.clone().prop_map(|v| ("kind".to_string(), v)),
        text.clone().prop_map(|v| ("apiVersion".to_string(), v)),
        metadata.prop_map(|m| ("metadata".to_string(), m)),
        prop_oneof![Just("null"), Just("[\"name\", \"x\"]"), Just("\"m\"")]
            .prop_map(|v| ("metadata".to_string(), v.to_string())),
        text.clone().prop_map(|v| ("status".to_string(), v)),
        text.clone().prop_map(|v| ("data".to_string(), v)),
        Just(("data".to_string(), "{\"a\": null, \"b\": \"\"}".to_string())),
        text.prop_map(|v| ("\\u006bind".to_string(), v)),
    ]
}

fn item() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (field(), prop_oneof![Just(""), Just(" "), Just("\n    ")]),
        0..8,
    )
    .prop_map(|fields| {
        let fields: Vec<String> = fields
            .into_iter()
            .map(|((key, value), space)| format!("{space}\"{key}\"{space}:{space}{value}"))
            .collect();
        format!("{{{}}}", fields.join(","))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn an_item_kept_unparsed_reads_as_the_same_object_as_one_parsed_at_once(
        items in proptest::collection::vec(item(), 1..6),
        list in prop_oneof![Just(("List", "v1")), Just(("PodList", "v1")), Just(("ConfigMapList", "v1"))],
        folder in proptest::option::of(Just("p")),
        as_served in any::<bool>(),
    ) {
        let text = format!(
            "{{\"apiVersion\": \"{}\", \"items\": [\n  {}\n], \"kind\": \"{}\"}}",
            list.1,
            items.join(",\n  "),
            list.0
        );
        let (scanned, parsed) = both_ways(&text, folder, as_served);
        prop_assert_eq!(seen(&scanned), seen(&parsed), "{}", text);
    }
}

#[test]
fn objects_read_from_equal_texts_share_them_and_are_equal_unbuilt() {
    let text = r#"{"kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "p"}, "spec": {"x": 1}}]}"#;
    let changed = text.replace("\"x\": 1", "\"x\": 2");
    let pool = TextPool::default();
    let read = |text: &str| {
        let mut builder = builder(false);
        builder.share_texts(pool.clone());
        add_json(&mut builder, text, &origin(None)).unwrap();
        builder.finish(info())
    };
    let (old, same, new) = (read(text), read(text), read(&changed));
    let (_, a) = old.iter().next().unwrap();
    let (_, b) = same.iter().next().unwrap();
    let (_, c) = new.iter().next().unwrap();
    assert!(a.same_body(b));
    assert!(!a.same_body(c));
    assert_eq!(
        c.body(),
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"p"},"spec":{"x":2}}"#
    );
}

#[test]
fn a_token_the_body_holds_is_never_missed_by_the_text() {
    // The namespace comes from the folder: the body holds `"p"`, the text does not.
    let text = r#"{"kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": {"sa": "web"}}]}"#;
    let mut builder = builder(false);
    add_json(&mut builder, text, &origin(Some("p"))).unwrap();
    let snapshot = builder.finish(info());
    let (_, pod) = snapshot.iter().next().unwrap();
    for token in ["\"p\"", "\"web\"", "\"a\""] {
        assert!(
            pod.body().contains(token) && pod.may_contain(token),
            "{token}"
        );
    }
    assert!(!pod.may_contain("\"nothere\""));
}

#[test]
fn an_item_nested_as_deep_as_a_parse_refuses_is_refused_while_reading() {
    let nested = |depth: usize| {
        let inner = format!("{}1{}", "[".repeat(depth - 1), "]".repeat(depth - 1));
        format!(
            r#"{{"kind": "List", "items": [{{"apiVersion": "v1", "kind": "Pod", "metadata": {{"name": "a"}}, "spec": {inner}}}]}}"#
        )
    };
    // The deepest a parse accepts is kept, unparsed, and builds its body.
    let mut deepest = builder(false);
    add_json(&mut deepest, &nested(127), &origin(Some("p"))).expect("127 levels parse");
    let snapshot = deepest.finish(info());
    let (_, pod) = snapshot.iter().next().unwrap();
    assert!(pod.body().contains("[[[1]]]"));
    // One more level is an error of the read (as before), never a failure when the body is built.
    let mut too_deep = builder(false);
    let err = add_json(&mut too_deep, &nested(128), &origin(Some("p"))).unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
}
