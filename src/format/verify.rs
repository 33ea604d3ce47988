//! Verifying an archive: is it a backup one could restore from? Rotation, `check` and the
//! choice of a folder's newest archive all ask here, so that they never disagree.
//!
//! A manifest saying `complete: true` is a claim, not a proof: a disk, a copy or an attacker can
//! leave an archive whose manifest is fine and whose content is not. So an archive is read whole,
//! in one streaming pass (a local file, or an object of a `crate::storage::Store` read in place): every
//! entry must decompress (its checksum checked), every `.json` entry must parse as JSON, and the
//! objects it holds, per type, must be what the manifest counts. Objects are counted, never kept:
//! the pass holds one entry at a time (as the readers do), whatever the archive's size.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Seek};

use serde::Deserializer;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::format::DEFAULT_MAX_BYTES;
use crate::format::layout::MANIFEST_NAME;
use crate::format::manifest::{Manifest, ResourceCount};
use crate::timestamp::Timestamp;

/// What an archive is worth as a backup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArchiveState {
    /// Proven good: a driftlab archive whose manifest says complete and whose content matches
    /// it, or an archive of the original tool (no manifest) whose JSON files all parse and hold
    /// at least one object.
    Complete,
    /// A driftlab archive whose manifest says its export was partial (its content not read).
    Partial,
    /// An archive that holds no object.
    Empty,
    /// Not a backup: 0 bytes, not a zip, truncated, an entry that does not decompress or parse,
    /// or counts that disagree with the manifest; with what is wrong.
    Unreadable(String),
}

impl ArchiveState {
    /// Whether the archive is broken (empty or unreadable): never counted as a backup.
    pub fn is_broken(&self) -> bool {
        matches!(self, ArchiveState::Empty | ArchiveState::Unreadable(_))
    }
}

impl fmt::Display for ArchiveState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArchiveState::Complete => write!(f, "complete"),
            ArchiveState::Partial => write!(f, "partial (its export was incomplete)"),
            ArchiveState::Empty => write!(f, "empty: holds no objects"),
            ArchiveState::Unreadable(why) => write!(f, "{why}"),
        }
    }
}

/// What verifying an archive found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// What it is worth.
    pub state: ArchiveState,
    /// When its manifest says its export started (none without a manifest).
    pub started: Option<Timestamp>,
}

impl Verified {
    /// A broken archive, for `why`.
    pub fn broken(why: impl Into<String>) -> Verified {
        Verified {
            state: ArchiveState::Unreadable(why.into()),
            started: None,
        }
    }
}

/// How far in the future an archive's name may be dated (clocks of different machines disagree).
pub const CLOCK_SKEW: i64 = 60 * 60;

/// How far an archive's name may be from its manifest's start time: a name of 8 digits is the
/// day's midnight, and an export may start late in that day.
pub const NAME_DRIFT: i64 = 24 * 60 * 60;

/// Why an archive named with `stamp`, whose manifest says it started at `started`, is not to be
/// trusted as what its name says at `now`: dated in the future (beyond [`CLOCK_SKEW`]), or more
/// than a day ([`NAME_DRIFT`]) from its start time. Such an archive is never taken as the
/// newest: a copy of an old archive named `…209912310000.zip` would otherwise stay "the newest"
/// for ever.
pub fn suspicion(stamp: Timestamp, started: Option<Timestamp>, now: Timestamp) -> Option<String> {
    if stamp.to_unix() > now.to_unix() + CLOCK_SKEW {
        return Some(format!(
            "its name is dated in the future ({stamp}, now {now})"
        ));
    }
    let started = started?;
    (stamp.to_unix().abs_diff(started.to_unix()) > NAME_DRIFT as u64)
        .then(|| format!("its name says {stamp}, its manifest says it was taken {started}"))
}

/// Verifies an archive read through `reader`, `len` bytes long: the one code path behind every
/// verification (a stored archive is read in place: `crate::storage::Store::verify`).
pub fn verify_reader(reader: impl Read + Seek, len: u64) -> Verified {
    if len == 0 {
        return Verified::broken("0 bytes");
    }
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(e) => {
            return Verified::broken(format!(
                "not a readable zip archive ({}); truncated or corrupt?",
                crate::messages::one_line(&e.to_string())
            ));
        }
    };
    let manifest = match read_manifest(&mut archive) {
        Ok(manifest) => manifest,
        Err(why) => return Verified::broken(why),
    };
    let started = manifest
        .as_ref()
        .and_then(|m| m.start_time.as_deref())
        .and_then(Timestamp::parse_rfc3339);
    let state = match &manifest {
        // A partial archive never counts; reading its content would prove nothing more.
        Some(manifest) if !manifest.complete => ArchiveState::Partial,
        _ => match count_objects(&mut archive) {
            Err(why) => ArchiveState::Unreadable(why),
            Ok(counts) => judge(manifest.as_ref(), &counts),
        },
    };
    Verified { state, started }
}

/// The manifest, if the archive has one; an error when it is there but unreadable.
fn read_manifest<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
) -> Result<Option<Manifest>, String> {
    /// Manifests are small; a huge one is not ours.
    const MAX_MANIFEST_BYTES: u64 = 16 << 20;
    let Ok(entry) = archive.by_name(MANIFEST_NAME) else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    entry
        .take(MAX_MANIFEST_BYTES)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{MANIFEST_NAME} cannot be read ({e})"))?;
    Manifest::from_slice(&bytes)
        .map(Some)
        .map_err(|e| format!("{MANIFEST_NAME} is not valid ({e})"))
}

/// The objects of each `.json` entry, by the entry's file stem (`pods`, `routes.route.openshift.io`),
/// summed over namespaces; an error naming the first entry that does not decompress or parse.
fn count_objects<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
) -> Result<BTreeMap<String, usize>, String> {
    let mut counts = BTreeMap::new();
    let mut budget = DEFAULT_MAX_BYTES;
    for index in 0..archive.len() {
        let mut entry = archive
            .by_index(index)
            .map_err(|e| format!("entry {index} cannot be read ({e})"))?;
        let name = entry.name().unwrap_or_default().to_string();
        if entry.is_dir() || name == MANIFEST_NAME {
            continue;
        }
        let mut limited = (&mut entry).take(budget);
        let stem = name
            .rsplit('/')
            .next()
            .and_then(|file| file.strip_suffix(".json"));
        let result = match stem {
            Some(_) => count_documents(&mut limited),
            // Not JSON: decompressed to its end all the same, which checks its checksum.
            None => std::io::copy(&mut limited, &mut std::io::sink())
                .map(|_| 0)
                .map_err(|e| e.to_string()),
        };
        // Read to its end (where the zip library checks the checksum), unless the budget ran out.
        if limited.limit() == 0 {
            return Err(format!(
                "decompresses to more than {DEFAULT_MAX_BYTES} bytes"
            ));
        }
        budget = limited.limit();
        let count = result.map_err(|e| format!("entry {name} is corrupt ({e})"))?;
        if let Some(stem) = stem {
            *counts.entry(stem.to_string()).or_default() += count;
        }
    }
    Ok(counts)
}

/// The objects of a `.json` entry: one JSON value or several concatenated (`oc get -o json >>`
/// files of the original tool), after a byte-order mark; none in a blank file (the old tool left
/// empty ones). An entry that is not JSON at all (the readers take YAML there too) counts as one
/// object. The entry is held while it is parsed, as the readers hold it: parsing from memory is
/// about twice as fast as from a reader.
fn count_documents(reader: &mut impl Read) -> Result<usize, String> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match text.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Ok(0),
        Some(b'{' | b'[') => {
            let mut total = 0;
            for document in serde_json::Deserializer::from_slice(text).into_iter::<Counted>() {
                total += document.map_err(|e| e.to_string())?.0;
            }
            Ok(total)
        }
        Some(_) => Ok(1),
    }
}

/// Compares the objects found with what the manifest counts.
fn judge(manifest: Option<&Manifest>, found: &BTreeMap<String, usize>) -> ArchiveState {
    let total: usize = found.values().sum();
    let Some(manifest) = manifest else {
        // The original tool writes no manifest: JSON that parses and holds something is a backup.
        return if total > 0 {
            ArchiveState::Complete
        } else {
            ArchiveState::Empty
        };
    };
    if manifest.objects == 0 && total == 0 {
        return ArchiveState::Empty;
    }
    if total != manifest.objects {
        return ArchiveState::Unreadable(format!(
            "its manifest counts {} objects, the archive holds {total}",
            manifest.objects
        ));
    }
    let expected = expected_by_file(&manifest.resources);
    if expected.is_empty() {
        return ArchiveState::Complete;
    }
    for (file, &count) in found {
        let claimed = expected.get(file.as_str()).copied().unwrap_or(0);
        if claimed != count {
            return ArchiveState::Unreadable(format!(
                "its manifest counts {claimed} {file}, the archive holds {count}"
            ));
        }
    }
    if let Some((file, claimed)) = expected
        .iter()
        .find(|(file, claimed)| **claimed > 0 && !found.contains_key(**file))
    {
        return ArchiveState::Unreadable(format!(
            "its manifest counts {claimed} {file}, the archive holds none"
        ));
    }
    ArchiveState::Complete
}

/// The objects the manifest counts per file stem: a type's plural, or `plural.group` where two
/// groups share a plural (as export names the files).
fn expected_by_file(resources: &[ResourceCount]) -> BTreeMap<&str, usize> {
    fn plural(r: &ResourceCount) -> &str {
        r.resource.split('.').next().unwrap_or_default()
    }
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for r in resources {
        *uses.entry(plural(r)).or_default() += 1;
    }
    let mut expected = BTreeMap::new();
    for r in resources {
        let shared = uses[plural(r)] > 1 && r.resource.contains('.');
        let file = if shared {
            r.resource.as_str()
        } else {
            plural(r)
        };
        *expected.entry(file).or_default() += r.count;
    }
    expected
}

/// Counts the objects of a JSON document without keeping them: the items of a `List` (an object
/// with `items`), the elements of an array, 1 for any other object, 0 for a scalar.
struct CountVisitor;

impl<'de> Visitor<'de> for CountVisitor {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<usize, A::Error> {
        let mut items = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == ARBITRARY_NUMBER {
                // serde_json (arbitrary_precision) hands a number over as this one-key map.
                map.next_value::<IgnoredAny>()?;
                return Ok(0);
            }
            if key == "items" {
                items = Some(map.next_value::<Counted>()?.0);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(items.unwrap_or(1))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
        let mut count = 0;
        while seq.next_element::<IgnoredAny>()?.is_some() {
            count += 1;
        }
        Ok(count)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<usize, E> {
        Ok(0)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<usize, E> {
        Ok(0)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<usize, E> {
        Ok(0)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<usize, E> {
        Ok(0)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<usize, E> {
        Ok(0)
    }
    fn visit_unit<E: de::Error>(self) -> Result<usize, E> {
        Ok(0)
    }
}

/// The key under which serde_json, built with `arbitrary_precision`, hands over a number.
const ARBITRARY_NUMBER: &str = "$serde_json::private::Number";

/// The objects of one JSON value, counted by [`CountVisitor`]: for an `items` array, its
/// elements (`null`: none).
struct Counted(usize);

impl<'de> serde::Deserialize<'de> for Counted {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CountVisitor).map(Counted)
    }
}

#[cfg(test)]
mod tests {
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
        assert!(
            matches!(state(cut), ArchiveState::Unreadable(w) if w.contains("not a readable zip"))
        );
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
}
