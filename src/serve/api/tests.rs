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
