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
use crate::format::integrity;
use crate::format::layout::MANIFEST_NAME;
use crate::format::manifest::{EntryDigest, Manifest, ResourceCount};
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
    /// Encrypted, and no identity given opens it: its content cannot be judged, good or bad;
    /// with why. Never counted as a backup, never taken for a broken one.
    Sealed(String),
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
            ArchiveState::Unreadable(why) | ArchiveState::Sealed(why) => write!(f, "{why}"),
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
    inspect(reader, len).verified
}

/// What [`inspect`] found: the verdict, and each problem it rests on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// What the archive is worth, as [`verify_reader`] says.
    pub verified: Verified,
    /// Whether its manifest records the entries' checksums.
    pub checksums: Checksums,
    /// Every entry that is missing, extra, altered or corrupt, one phrase each naming it (the
    /// verdict quotes the first).
    pub problems: Vec<String>,
}

impl Inspection {
    /// An inspection that found `verified` before any entry was read.
    pub fn of(verified: Verified) -> Inspection {
        Inspection {
            verified,
            checksums: Checksums::Unknown,
            problems: Vec::new(),
        }
    }
}

/// Whether an archive's entries could be checked against recorded checksums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksums {
    /// Its manifest lists every entry with its size and SHA-256: each was recomputed.
    Recorded(usize),
    /// An archive of an older driftlab or of the original tool: readable and counted, but an
    /// altered entry that still parses cannot be told.
    NotRecorded,
    /// The archive could not be opened far enough to tell.
    Unknown,
}

/// [`verify_reader`], with every problem named: `driftlab verify` and `check --verify`. One
/// streaming pass: each entry is decompressed, hashed and parsed as it is read, one at a time.
pub fn inspect(reader: impl Read + Seek, len: u64) -> Inspection {
    let failed = |why: String| Inspection {
        verified: Verified::broken(why),
        checksums: Checksums::Unknown,
        problems: Vec::new(),
    };
    if len == 0 {
        return failed("0 bytes".into());
    }
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(e) => {
            return failed(format!(
                "not a readable zip archive ({}); truncated or corrupt?",
                crate::messages::one_line(&e.to_string())
            ));
        }
    };
    let manifest = match read_manifest(&mut archive) {
        Ok(manifest) => manifest,
        Err(why) => return failed(why),
    };
    let started = manifest
        .as_ref()
        .and_then(|m| m.start_time.as_deref())
        .and_then(Timestamp::parse_rfc3339);
    let recorded = manifest.as_ref().and_then(|m| m.entries.as_deref());
    let checksums = recorded.map_or(Checksums::NotRecorded, |r| Checksums::Recorded(r.len()));
    let partial = manifest.as_ref().is_some_and(|m| !m.complete);
    // A partial archive never counts, and without checksums reading it would prove nothing
    // more; with them, it is read to tell an altered one (which is broken) from a partial one.
    if partial && recorded.is_none() {
        return Inspection {
            verified: Verified {
                state: ArchiveState::Partial,
                started,
            },
            checksums,
            problems: Vec::new(),
        };
    }
    let read = count_objects(&mut archive);
    let mut problems = read.problems;
    if let Some(recorded) = recorded {
        problems.extend(integrity::compare(recorded, &read.digests, &read.corrupt));
    }
    let state = if let Some(fatal) = read.fatal {
        ArchiveState::Unreadable(fatal)
    } else if let Some(first) = problems.first() {
        let more = match problems.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more)"),
        };
        ArchiveState::Unreadable(format!("{first}{more}"))
    } else if partial {
        ArchiveState::Partial
    } else {
        judge(manifest.as_ref(), &read.counts)
    };
    Inspection {
        verified: Verified { state, started },
        checksums,
        problems,
    }
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

/// What one pass over an archive's entries found.
#[derive(Default)]
struct EntriesRead {
    /// The objects of each `.json` entry, by the entry's file stem (`pods`,
    /// `routes.route.openshift.io`), summed over namespaces.
    counts: BTreeMap<String, usize>,
    /// The size and SHA-256 of every entry that decompressed (the manifest aside).
    digests: Vec<EntryDigest>,
    /// Each entry that does not decompress or parse, named.
    problems: Vec<String>,
    /// The names of those entries (not to be reported again as missing).
    corrupt: Vec<String>,
    /// What stopped the pass (more than the decompression budget).
    fatal: Option<String>,
}

/// Reads every entry once, one at a time: decompressed (the zip library checks its CRC at the
/// end), hashed as it passes, and its objects counted when it is JSON. An entry that does not
/// decompress or parse is named and the pass goes on, so that every problem is reported.
fn count_objects<R: Read + Seek>(archive: &mut zip::ZipArchive<R>) -> EntriesRead {
    let mut read = EntriesRead::default();
    let mut budget = DEFAULT_MAX_BYTES;
    for index in 0..archive.len() {
        let mut entry = match archive.by_index(index) {
            Ok(entry) => entry,
            Err(e) => {
                read.problems
                    .push(format!("entry {index} cannot be read ({e})"));
                continue;
            }
        };
        let name = entry.name().unwrap_or_default().to_string();
        if entry.is_dir() || name == MANIFEST_NAME {
            continue;
        }
        let mut limited = integrity::Hashing::new((&mut entry).take(budget));
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
        let (limited, digest) = limited.finish(&name);
        // Read to its end (where the zip library checks the checksum), unless the budget ran out.
        if limited.limit() == 0 {
            read.fatal = Some(format!(
                "decompresses to more than {DEFAULT_MAX_BYTES} bytes"
            ));
            return read;
        }
        budget = limited.limit();
        match result {
            Ok(count) => {
                if let Some(stem) = stem {
                    *read.counts.entry(stem.to_string()).or_default() += count;
                }
                read.digests.push(digest);
            }
            Err(e) => {
                read.problems.push(format!("entry {name} is corrupt ({e})"));
                read.corrupt.push(name);
            }
        }
    }
    read
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
mod tests;
