//! Tests of archive verification.

use super::*;
use std::io::{Cursor, Write};

/// A zip holding `entries` (deflated).
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn state(bytes: &[u8]) -> ArchiveState {
    verify_reader(Cursor::new(bytes), bytes.len() as u64).state
}

const LIST2: &[u8] = br#"{"kind":"List","items":[{"kind":"Pod"},{"kind":"Pod"}]}"#;

fn manifest(objects: usize, pods: usize) -> String {
    format!(
        r#"{{"complete":true,"objects":{objects},"startTime":"2026-09-19T00:15:00Z",
            "resources":[{{"resource":"pods","apiVersion":"v1","kind":"Pod",
            "namespaced":true,"count":{pods}}}]}}"#
    )
}

#[test]
fn a_complete_archive_whose_content_matches_its_manifest_is_good() {
    let m = manifest(2, 2);
    let verified = verify_reader(
        Cursor::new(zip_of(&[
            (MANIFEST_NAME, m.as_bytes()),
            ("p/pods.json", LIST2),
        ])),
        1,
    );
    assert_eq!(verified.state, ArchiveState::Complete);
    assert_eq!(
        verified.started,
        Timestamp::parse_stamp("202609190015"),
        "the start time is the manifest's"
    );
}

/// A manifest of 2 pods recording the checksums of `entries`.
fn manifest_with_checksums(complete: bool, entries: &[(&str, &[u8])]) -> String {
    let digests: Vec<EntryDigest> = entries
        .iter()
        .map(|(name, bytes)| {
            let mut d = crate::format::manifest::Digesting::default();
            d.update(bytes);
            d.finish(name)
        })
        .collect();
    let mut m: serde_json::Value = serde_json::from_str(&manifest(2, 2)).unwrap();
    m["complete"] = complete.into();
    m["entries"] = serde_json::to_value(digests).unwrap();
    m.to_string()
}

#[test]
fn an_entry_altered_but_still_valid_with_the_same_counts_is_broken() {
    let altered: &[u8] = br#"{"kind":"List","items":[{"kind":"Pod"},{"kind":"Pxd"}]}"#;
    let m = manifest_with_checksums(true, &[("p/pods.json", LIST2)]);
    let good = zip_of(&[(MANIFEST_NAME, m.as_bytes()), ("p/pods.json", LIST2)]);
    let found = inspect(Cursor::new(&good), 1);
    assert_eq!(found.verified.state, ArchiveState::Complete);
    assert_eq!(found.checksums, Checksums::Recorded(1));
    let bad = zip_of(&[(MANIFEST_NAME, m.as_bytes()), ("p/pods.json", altered)]);
    assert_eq!(
        state(&bad),
        ArchiveState::Unreadable(
            "entry p/pods.json is altered: its SHA-256 is not the one its manifest records".into()
        )
    );
    // Extra and missing entries, each named; the verdict quotes the first.
    let bad = zip_of(&[(MANIFEST_NAME, m.as_bytes()), ("p/svc.json", LIST2)]);
    let found = inspect(Cursor::new(&bad), 1);
    assert_eq!(found.problems.len(), 2, "{:?}", found.problems);
    assert!(found.problems[0].contains("p/svc.json is extra"));
    assert!(found.problems[1].contains("p/pods.json is missing"));
    assert!(
        matches!(found.verified.state, ArchiveState::Unreadable(w) if w.ends_with("(and 1 more)"))
    );
    // Without checksums the same alteration cannot be told: said so, not hidden.
    let old = zip_of(&[
        (MANIFEST_NAME, manifest(2, 2).as_bytes()),
        ("p/pods.json", altered),
    ]);
    let found = inspect(Cursor::new(&old), 1);
    assert_eq!(found.verified.state, ArchiveState::Complete);
    assert_eq!(found.checksums, Checksums::NotRecorded);
}

#[test]
fn a_partial_archive_with_checksums_is_read_to_tell_an_altered_one() {
    let m = manifest_with_checksums(false, &[("p/pods.json", LIST2)]);
    let good = zip_of(&[(MANIFEST_NAME, m.as_bytes()), ("p/pods.json", LIST2)]);
    assert_eq!(state(&good), ArchiveState::Partial);
    let bad = zip_of(&[(MANIFEST_NAME, m.as_bytes()), ("p/pods.json", b"[]")]);
    assert!(state(&bad).is_broken());
}

#[test]
fn a_partial_archive_is_partial_whatever_it_holds() {
    let m = br#"{"complete":false,"objects":9}"#;
    assert_eq!(state(&zip_of(&[(MANIFEST_NAME, m)])), ArchiveState::Partial);
}

#[test]
fn zero_bytes_not_a_zip_and_a_truncated_zip_are_broken() {
    assert_eq!(state(b""), ArchiveState::Unreadable("0 bytes".into()));
    assert!(
        matches!(state(b"<html>"), ArchiveState::Unreadable(w) if w.contains("not a readable zip"))
    );
    let m = manifest(2, 2);
    let whole = zip_of(&[(MANIFEST_NAME, m.as_bytes()), ("p/pods.json", LIST2)]);
    let cut = &whole[..whole.len() / 2];
    assert!(matches!(state(cut), ArchiveState::Unreadable(w) if w.contains("not a readable zip")));
}

#[test]
fn an_entry_that_does_not_decompress_is_broken() {
    let m = manifest(2, 2);
    let big = format!(
        r#"{{"kind":"List","items":[{}]}}"#,
        [r#"{"kind":"Pod","data":"abcdefghijklmnopqrstuvwxyz"}"#; 2].join(",")
    );
    let mut bytes = zip_of(&[
        (MANIFEST_NAME, m.as_bytes()),
        ("p/pods.json", big.as_bytes()),
    ]);
    // Flip bytes in the middle of the second entry's deflate data (after its local header).
    let at = bytes.windows(11).position(|w| w == b"p/pods.json").unwrap() + 11 + 10;
    for b in &mut bytes[at..at + 8] {
        *b ^= 0x5a;
    }
    assert!(
        matches!(state(&bytes), ArchiveState::Unreadable(w) if w.contains("entry p/pods.json is corrupt")),
        "{:?}",
        state(&bytes)
    );
}

#[test]
fn an_entry_that_is_not_json_is_broken() {
    let m = manifest(2, 2);
    let bytes = zip_of(&[
        (MANIFEST_NAME, m.as_bytes()),
        ("p/pods.json", b"{\"items\":[1,"),
    ]);
    assert!(
        matches!(state(&bytes), ArchiveState::Unreadable(w) if w.contains("entry p/pods.json is corrupt"))
    );
    let bytes = zip_of(&[(MANIFEST_NAME, b"{")]);
    assert!(matches!(state(&bytes), ArchiveState::Unreadable(w) if w.contains("is not valid")));
}

#[test]
fn a_manifest_alone_counting_objects_is_broken() {
    let m = manifest(2, 2);
    assert_eq!(
        state(&zip_of(&[(MANIFEST_NAME, m.as_bytes())])),
        ArchiveState::Unreadable("its manifest counts 2 objects, the archive holds 0".into())
    );
}

#[test]
fn an_archive_of_no_objects_is_empty() {
    let m = br#"{"complete":true,"objects":0}"#;
    assert_eq!(state(&zip_of(&[(MANIFEST_NAME, m)])), ArchiveState::Empty);
    assert!(ArchiveState::Empty.is_broken());
    assert_eq!(
        state(&zip_of(&[("p/dcs.json", b"[]")])),
        ArchiveState::Empty
    );
    assert_eq!(
        state(&zip_of(&[("p/dcs.json", b" \n")])),
        ArchiveState::Empty
    );
}

#[test]
fn counts_per_type_must_match_the_manifest() {
    // The total matches, the types do not: 2 pods claimed as 1 pod and 1 of nothing.
    let m = manifest(2, 1);
    assert_eq!(
        state(&zip_of(&[
            (MANIFEST_NAME, m.as_bytes()),
            ("p/pods.json", LIST2)
        ])),
        ArchiveState::Unreadable("its manifest counts 1 pods, the archive holds 2".into())
    );
    // A type the manifest counts that is not there at all.
    let m = r#"{"complete":true,"objects":2,"resources":[
        {"resource":"pods","apiVersion":"v1","kind":"Pod","namespaced":true,"count":2},
        {"resource":"secrets","apiVersion":"v1","kind":"Secret","namespaced":true,"count":0},
        {"resource":"routes.route.openshift.io","apiVersion":"route.openshift.io/v1",
         "kind":"Route","namespaced":true,"count":1}]}"#;
    let bytes = zip_of(&[(MANIFEST_NAME, m.as_bytes()), ("p/pods.json", LIST2)]);
    assert_eq!(
        state(&bytes),
        ArchiveState::Unreadable("its manifest counts 1 routes, the archive holds none".into())
    );
}

#[test]
fn files_of_types_sharing_a_plural_carry_their_group() {
    let m = r#"{"complete":true,"objects":3,"resources":[
        {"resource":"events","apiVersion":"v1","kind":"Event","namespaced":true,"count":1},
        {"resource":"events.events.k8s.io","apiVersion":"events.k8s.io/v1","kind":"Event",
         "namespaced":true,"count":2}]}"#;
    let one = br#"{"items":[{}]}"#;
    let bytes = zip_of(&[
        (MANIFEST_NAME, m.as_bytes()),
        ("p/events.json", one),
        ("p/events.events.k8s.io.json", LIST2),
    ]);
    assert_eq!(state(&bytes), ArchiveState::Complete);
}

#[test]
fn archives_of_the_original_tool_need_json_that_holds_something() {
    assert_eq!(
        state(&zip_of(&[("p/dcs.json", LIST2), ("README.txt", b"notes")])),
        ArchiveState::Complete
    );
    // Stacked JSON values, as `oc get -o json >> file` leaves them; YAML read to its end.
    let stacked = br#"{"kind":"Pod"} {"items":[{},{}]}"#;
    assert_eq!(
        state(&zip_of(&[("p/x.json", stacked)])),
        ArchiveState::Complete
    );
    assert_eq!(
        state(&zip_of(&[("p/x.json", b"kind: Pod")])),
        ArchiveState::Complete
    );
    assert!(matches!(
        state(&zip_of(&[("p/dcs.json", b"{\"items\": [1,")])),
        ArchiveState::Unreadable(_)
    ));
}

#[test]
fn names_in_the_future_or_far_from_the_start_time_are_suspicious() {
    let at = |s: &str| Timestamp::parse_stamp(s).unwrap();
    let now = at("202609200015");
    assert_eq!(
        suspicion(at("202609200115"), None, now),
        None,
        "within the skew"
    );
    assert!(
        suspicion(at("202609200116"), None, now)
            .unwrap()
            .contains("in the future")
    );
    assert!(suspicion(at("209912310000"), Some(at("202609200000")), now).is_some());
    assert_eq!(
        suspicion(at("20260919"), Some(at("202609192359")), now),
        None
    );
    let far = suspicion(at("202609190015"), Some(at("202609010015")), now).unwrap();
    assert_eq!(
        far,
        "its name says 2026-09-19 00:15, its manifest says it was taken 2026-09-01 00:15"
    );
    assert_eq!(
        suspicion(at("202609190015"), Some(at("202609200015")), now),
        None,
        "a day exactly"
    );
}

#[test]
fn counting_sees_lists_arrays_objects_and_scalars() {
    let count = |text: &str| {
        serde_json::Deserializer::from_str(text)
            .deserialize_any(CountVisitor)
            .unwrap()
    };
    assert_eq!(count(r#"{"items":[1,2,3],"kind":"List"}"#), 3);
    assert_eq!(count(r#"{"items":null}"#), 0);
    assert_eq!(count(r#"[{},{}]"#), 2);
    assert_eq!(count(r#"{"kind":"Pod"}"#), 1);
    assert_eq!(count("7"), 0);
    assert_eq!(count("\"s\""), 0);
    assert_eq!(count("true"), 0);
    assert_eq!(count("null"), 0);
    assert_eq!(count("-1.5"), 0);
}
