//! The API over a snapshot: version priority, query strings, paging.

use super::discovery::version_rank;
use super::query::decode;
use super::*;

#[test]
fn version_priority() {
    let mut versions = vec!["v1beta1", "v1", "v2", "v1alpha1", "v1beta2"];
    versions.sort_by_key(|v| std::cmp::Reverse(version_rank(v)));
    assert_eq!(versions, ["v2", "v1", "v1beta2", "v1beta1", "v1alpha1"]);
}

#[test]
fn query_decoding() {
    let q = parse_query("labelSelector=app%3Dweb%2Ctier&limit=5&x&limit=6");
    assert_eq!(q["labelSelector"], "app=web,tier");
    assert_eq!(q["limit"], "5");
    assert_eq!(q["x"], "");
    assert_eq!(decode("a%2"), "a%2");
    assert_eq!(decode("%é"), "%é");
    assert_eq!(decode("%"), "%");
    // A `%XX` at the very end is decoded too.
    assert_eq!(decode("a%2C"), "a,");
    assert_eq!(decode("%2C"), ",");
    // Two hex digits, not a signed number.
    assert_eq!(decode("%+1"), "% 1");
    assert_eq!(decode("%-1x"), "%-1x");
}

fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn pages() {
    let range = |pairs: &[(&str, &str)]| page_range(&query(pairs), 3);
    assert_eq!(range(&[]), Ok(0..3));
    assert_eq!(range(&[("limit", "1")]), Ok(0..1));
    assert_eq!(range(&[("limit", "2"), ("continue", "o2")]), Ok(2..3));
    assert_eq!(range(&[("limit", "0")]), Ok(0..3));
    assert_eq!(range(&[("limit", "-1"), ("continue", "o1")]), Ok(1..3));
    assert_eq!(range(&[("continue", "o3")]), Ok(3..3));
    let max = i64::MAX.to_string();
    assert_eq!(range(&[("limit", &max), ("continue", "o1")]), Ok(1..3));
    for bad in [
        &[("limit", "1"), ("continue", "o18446744073709551615")][..],
        &[("continue", "o4")],
        &[("continue", "o+1")],
        &[("continue", "1")],
        &[("limit", "x")],
        &[("limit", "18446744073709551616")],
    ] {
        assert!(range(bad).is_err(), "{bad:?}");
    }
}

/// Percent-encodes every byte of `text`, or leaves it as it is where that is allowed.
fn encode(text: &str, all: bool) -> String {
    text.bytes()
        .map(|b| {
            if !all && (b.is_ascii_alphanumeric() || b"-._~".contains(&b)) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

proptest::proptest! {
    #![proptest_config(crate::serve::proptest_config(512))]

    #[test]
    fn decoding_undoes_encoding(text in "\\PC{0,40}", all in proptest::bool::ANY) {
        proptest::prop_assert_eq!(decode(&encode(&text, all)), text);
    }

    #[test]
    fn any_query_string_is_read(text in "[%+=&0-9a-fA-Fo\\PC]{0,60}") {
        let q = parse_query(&text);
        let _ = page_range(&q, 3);
    }
}

/// The API over the first night of the fixture pair (pods `web-3-abcde`, `web-3-fghij`, … in
/// `myproject`).
fn night1() -> Api {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/openshift-backup/openshift-backup201809110015.zip"
    );
    let snapshot = crate::source::read(path, &crate::source::ReadOptions::default()).unwrap();
    Api::new(&snapshot, false)
}

fn events(answer: &Answer) -> Vec<Value> {
    let watch = answer.watch.as_ref().expect("a watch");
    watch
        .events
        .iter()
        .map(|e| serde_json::from_str(e).unwrap())
        .collect()
}

#[test]
fn watches_as_tables_send_column_definitions_once() {
    let api = night1();
    let table = "application/json;as=Table;v=v1;g=meta.k8s.io";
    let answer = api.handle("GET", "/api/v1/namespaces/myproject/pods", "watch=1", table);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type, "application/json;stream=watch");
    let events = events(&answer);
    assert_eq!(events.len(), 3);
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event["type"], "ADDED");
        let object = &event["object"];
        assert_eq!(object["kind"], "Table");
        assert_eq!(object["rows"].as_array().unwrap().len(), 1);
        let definitions = object["columnDefinitions"].as_array().unwrap();
        assert_eq!(definitions.is_empty(), i > 0, "{object}");
    }
    assert_eq!(events[0]["object"]["columnDefinitions"][1]["name"], "Ready");
}

#[test]
fn a_watch_of_one_object_and_its_timeout() {
    let api = night1();
    let answer = api.handle(
        "GET",
        "/api/v1/watch/namespaces/myproject/pods/web-3-abcde",
        "timeoutSeconds=7&allowWatchBookmarks=true",
        "",
    );
    let events = events(&answer);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["object"]["metadata"]["name"], "web-3-abcde");
    assert_eq!(events[1]["type"], "BOOKMARK");
    assert_eq!(events[1]["object"]["kind"], "Pod");
    let watch = answer.watch.unwrap();
    assert_eq!(watch.timeout, std::time::Duration::from_secs(7));
    // A HEAD or a selector error is no watch.
    let bad = api.handle("GET", "/api/v1/pods", "watch=true&labelSelector=a%20in", "");
    assert_eq!(bad.status, 400);
    assert!(bad.watch.is_none());
}
