//! Readers: turn an argument (`old.zip`, `backups/`, `manifests.yaml`, `-`, a Velero tarball) into
//! a [`Snapshot`]. The kind of source is detected from the argument and its first bytes, never
//! from a flag.
//!
//! Archives are read in memory; nothing is ever extracted to disk. Every reader counts the bytes it
//! decompresses against [`ReadOptions::max_bytes`], so a zip bomb ends in a clear error.

pub mod locate;
pub mod stored;
mod tree;
mod velero;
mod zip;

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek};
use std::path::Path;

use crate::crypto::seal;
use crate::error::{Error, Result};
use crate::format::layout::{self, EntryRole};
use crate::format::{Manifest, documents};
use crate::snapshot::{
    Completeness, FileOrigin, ObjectFilter, Snapshot, SnapshotBuilder, SourceFormat, SourceInfo,
    TextPool,
};
use crate::storage::{Location, Named, Store};
use crate::timestamp::{self, Timestamp};

use crate::format::DEFAULT_MAX_BYTES;

/// How standard input is named in messages.
const STDIN: &str = "standard input";

/// How to read a source.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Stop with an error when a source decompresses to more than this many bytes.
    pub max_bytes: u64,
    /// Which objects to keep.
    pub filter: ObjectFilter,
    /// The namespace of namespaced objects that name none (and are not in an archive's
    /// namespace folder): `--default-namespace`, a single `-n`, the context's, else `default`.
    pub default_namespace: Option<String>,
    /// Keep beside each object what normalisation removes but an API server shows (its
    /// `status` and `creationTimestamp`), for `driftlab serve`; a comparison never needs them.
    pub keep_as_served: bool,
    /// Where the texts of objects are kept: shared by the two sides of a comparison, so that an
    /// object both hold is kept once (`None`: a pool of this read's own).
    pub texts: Option<TextPool>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            filter: ObjectFilter::default(),
            default_namespace: None,
            keep_as_served: false,
            texts: None,
        }
    }
}

/// A snapshot builder set up as `options` say.
fn builder_for(options: &ReadOptions) -> SnapshotBuilder {
    let mut builder = SnapshotBuilder::new(options.filter.clone());
    builder.set_default_namespace(options.default_namespace.clone());
    builder.keep_as_served(options.keep_as_served);
    if let Some(texts) = &options.texts {
        builder.share_texts(texts.clone());
    }
    builder
}

/// Reads the snapshot named by `argument`: `-` for standard input, a directory, a zip archive, a
/// Velero tarball, a single JSON or YAML file, or an archive of a [`Store`] or its folder's newest
/// good archive ([`stored`]).
///
/// No more than [`ReadOptions::max_bytes`] are read from any file, device or pipe, or
/// decompressed from any archive: the cap is checked while reading.
pub fn read(argument: &str, options: &ReadOptions) -> Result<Snapshot> {
    match Store::resolve(&Location::of_snapshot(argument)?)? {
        Named::Stdin => read_stdin(options),
        Named::Path(_) => read_path(argument, options),
        Named::Archive(store, archive) => stored::read_stored(&store, &archive.name, options),
        Named::Folder(store, archives, ignored) => {
            stored::read_newest(&store, &archives, ignored, options)
        }
    }
}

/// Reads the CustomResourceDefinitions of `paths` (`--crds`: files, folders, archives), with
/// one diagnostic per definition whose schema cannot be used. A path that holds no definition
/// is an error: the flag was given for a reason, and a typo must not compare without schemas.
pub fn definitions(
    paths: &[String],
    options: &ReadOptions,
) -> Result<(crate::schema::Schemas, Vec<crate::snapshot::Diagnostic>)> {
    let options = ReadOptions {
        max_bytes: options.max_bytes,
        ..ReadOptions::default()
    };
    let mut found = Vec::new();
    for path in paths {
        let snapshot = read(path, &options)?;
        let definitions = crate::schema::definitions_in(&snapshot, None);
        if definitions.is_empty() {
            return Err(Error::input(
                path,
                "holds no CustomResourceDefinition (--crds)",
            ));
        }
        found.extend(definitions);
    }
    Ok(crate::schema::Schemas::from_definitions(found))
}

/// Reads the local file or folder `argument`.
fn read_path(argument: &str, options: &ReadOptions) -> Result<Snapshot> {
    let path = Path::new(argument);
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(argument, e))?;
    if metadata.is_dir() {
        return tree::read_directory(path, argument, options);
    }
    // A regular file larger than the cap is refused before anything is read (devices, pipes and
    // sockets have no size: the cap stops them while reading).
    if metadata.is_file() && metadata.len() > options.max_bytes {
        return Err(larger_than_cap(argument, options.max_bytes));
    }
    let mut file = File::open(path).map_err(|e| Error::io(argument, e))?;
    let head = read_head(&mut file, argument)?;
    let format = sniff(&head, argument)?;
    match format {
        // A zip is read where it lies (its directory is at the end); only entries are loaded.
        Sniffed::Zip if metadata.is_file() => {
            zip::read_zip(BufReader::new(file), argument, options)
        }
        Sniffed::Gzip => velero::read_velero(Cursor::new(head).chain(file), argument, options),
        // Decrypted as it is read, seeking within the file: no decrypted copy anywhere.
        Sniffed::Sealed if metadata.is_file() => {
            file.seek(io::SeekFrom::Start(0))
                .map_err(|e| Error::io(argument, e))?;
            read_sealed(BufReader::new(file), argument, options)
        }
        Sniffed::Zip | Sniffed::Text | Sniffed::Sealed => {
            let mut bytes = head;
            read_raw(file, options.max_bytes, &mut bytes, argument)?;
            read_sniffed(bytes, format, argument, SourceFormat::File, options)
        }
    }
}

/// Reads a snapshot from the bytes of a file named `label`: a zip archive, a Velero tarball, or
/// JSON or YAML, told apart by their first bytes (and by the name: a `.zip` that is not a zip is
/// an error, not an empty snapshot).
pub fn read_bytes(bytes: Vec<u8>, label: &str, options: &ReadOptions) -> Result<Snapshot> {
    if bytes.len() as u64 > options.max_bytes {
        return Err(larger_than_cap(label, options.max_bytes));
    }
    let format = sniff(&bytes, label)?;
    read_sniffed(bytes, format, label, SourceFormat::File, options)
}

/// Reads standard input, to its end or to the cap, then like a file.
fn read_stdin(options: &ReadOptions) -> Result<Snapshot> {
    let mut bytes = Vec::new();
    read_raw(io::stdin().lock(), options.max_bytes, &mut bytes, STDIN)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::input(STDIN, "nothing to read"));
    }
    let format = sniff(&bytes, STDIN)?;
    let mut snapshot = read_sniffed(bytes, format, STDIN, SourceFormat::Stdin, options)?;
    snapshot.info.label = "-".to_string();
    Ok(snapshot)
}

/// What the first bytes of a file say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sniffed {
    Zip,
    Gzip,
    Text,
    /// An archive encrypted with age: a zip inside.
    Sealed,
}

/// How many first bytes [`sniff`] needs: an age file's version line.
const HEAD_BYTES: usize = seal::MAGIC.len();

const ZIP_MAGIC: [&[u8]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// Tells the format from the first bytes of a file named `label`. A name that promises an
/// archive must be kept: an empty `.zip` is an interrupted copy, not an empty snapshot.
fn sniff(head: &[u8], label: &str) -> Result<Sniffed> {
    let name = file_name_of(label).to_ascii_lowercase();
    let format = if head.starts_with(seal::MAGIC) {
        Sniffed::Sealed
    } else if ZIP_MAGIC.iter().any(|magic| head.starts_with(magic)) {
        Sniffed::Zip
    } else if head.starts_with(GZIP_MAGIC) {
        Sniffed::Gzip
    } else {
        Sniffed::Text
    };
    let promised = if name.ends_with(".zip.age") {
        Some((Sniffed::Sealed, "an encrypted archive"))
    } else if name.ends_with(".zip") {
        Some((Sniffed::Zip, "a zip archive"))
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        Some((Sniffed::Gzip, "a gzip-compressed tarball"))
    } else {
        None
    };
    match promised {
        Some((expected, what)) if format != expected => {
            let problem = if head.is_empty() {
                format!("0 bytes: not {what} (an interrupted copy?)")
            } else {
                format!(
                    "not {what}: its first bytes are not a {} signature (truncated at the start, or another kind of file?)",
                    match expected {
                        Sniffed::Zip => "zip",
                        Sniffed::Sealed => "age",
                        _ => "gzip",
                    }
                )
            };
            Err(Error::input(label, problem))
        }
        _ => Ok(format),
    }
}

/// Reads up to [`HEAD_BYTES`] first bytes (fewer only at the end of the file).
fn read_head(file: &mut File, label: &str) -> Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    file.take(HEAD_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(label, e))?;
    Ok(head)
}

/// Reads a source held in memory, of a known format.
fn read_sniffed(
    bytes: Vec<u8>,
    format: Sniffed,
    label: &str,
    source: SourceFormat,
    options: &ReadOptions,
) -> Result<Snapshot> {
    match format {
        Sniffed::Zip => zip::read_zip(Cursor::new(bytes), label, options),
        Sniffed::Sealed => read_sealed(Cursor::new(bytes), label, options),
        Sniffed::Gzip => velero::read_velero(bytes.as_slice(), label, options),
        Sniffed::Text => read_single_file(&bytes, label, source, options),
    }
}

/// Reads an archive encrypted with age (a zip inside) from `reader`, at its start, with the
/// process's identities: decrypted a chunk at a time as the zip reader seeks. Without an
/// identity that opens it, an error that says how to pass one.
fn read_sealed<R: Read + io::Seek>(
    reader: R,
    label: &str,
    options: &ReadOptions,
) -> Result<Snapshot> {
    let opened = seal::open(reader).map_err(|why| Error::input(label, why.to_string()))?;
    zip::read_zip(BufReader::new(opened), label, options)
}

/// Reads a single JSON or YAML file. One that is empty or blank is an error, not an empty
/// snapshot: it would read as "everything removed" in a diff.
fn read_single_file(
    bytes: &[u8],
    label: &str,
    format: SourceFormat,
    options: &ReadOptions,
) -> Result<Snapshot> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        let what = if bytes.is_empty() {
            "0 bytes"
        } else {
            "only blank space"
        };
        return Err(Error::input(
            label,
            format!("{what}: nothing to read (an interrupted copy?)"),
        ));
    }
    let mut builder = builder_for(options);
    let origin = FileOrigin {
        path: label.into(),
        display: label.to_string(),
        folder_namespace: None,
        duplicates: crate::snapshot::DuplicateRule::Report,
    };
    documents::add_file(&mut builder, bytes, &origin)?;
    Ok(builder.finish(SourceInfo {
        label: label.to_string(),
        format,
        taken: timestamp::stamp_in_file_name(file_name_of(label)),
        completeness: None,
        namespace_map: Vec::new(),
    }))
}

/// Reads `reader` to its end into `buffer`, failing once more than `limit` bytes came out.
pub(crate) fn read_limited(
    reader: impl Read,
    limit: u64,
    buffer: &mut Vec<u8>,
    display: &str,
) -> Result<()> {
    let room = limit.saturating_sub(buffer.len() as u64);
    let mut limited = reader.take(room.saturating_add(1));
    limited
        .read_to_end(buffer)
        .map_err(|e| Error::input(display, format!("cannot be read: {}", one_line(&e))))?;
    if buffer.len() as u64 > limit {
        return Err(too_large(display, limit));
    }
    Ok(())
}

/// The text of an error from another crate on one line: some quote the bytes they choke on.
pub(crate) fn one_line(err: &impl std::fmt::Display) -> String {
    err.to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Like [`read_limited`], for bytes read as they are (a file, a pipe): past the cap, the error says
/// the input is larger than the cap, not that it decompresses to more.
fn read_raw(reader: impl Read, limit: u64, buffer: &mut Vec<u8>, display: &str) -> Result<()> {
    read_limited(reader, limit, buffer, display).map_err(|err| {
        if buffer.len() as u64 > limit {
            larger_than_cap(display, limit)
        } else {
            err
        }
    })
}

/// A reader that fails once more than a cap of bytes came out of `inner`: for streams read by
/// another crate (tar), where [`read_limited`] cannot be used. [`CappedReader::exceeded`] tells
/// that error apart from the others.
pub(crate) struct CappedReader<R> {
    inner: R,
    remaining: u64,
    exceeded: bool,
}

impl<R: Read> CappedReader<R> {
    pub fn new(inner: R, cap: u64) -> Self {
        CappedReader {
            inner,
            remaining: cap,
            exceeded: false,
        }
    }

    /// Whether reading stopped at the cap.
    pub fn exceeded(&self) -> bool {
        self.exceeded
    }

    /// The reader it reads from.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // Ask for one byte more than the room left, to tell "exactly at the cap" from "past it".
        let room = usize::try_from(self.remaining.saturating_add(1)).unwrap_or(usize::MAX);
        let len = buf.len().min(room);
        let read = self.inner.read(&mut buf[..len])?;
        if read as u64 > self.remaining {
            self.exceeded = true;
            return Err(io::Error::other("decompresses past --max-bytes"));
        }
        self.remaining -= read as u64;
        Ok(read)
    }
}

fn too_large(display: &str, limit: u64) -> Error {
    Error::input(
        display,
        format!(
            "decompresses to more than {} (a zip bomb?); --max-bytes raises the limit",
            human_bytes(limit)
        ),
    )
}

/// A file (or stream) itself bigger than the cap.
fn larger_than_cap(display: &str, limit: u64) -> Error {
    Error::input(
        display,
        format!(
            "larger than {}; --max-bytes raises the limit",
            human_bytes(limit)
        ),
    )
}

/// `4 GiB`, `512 MiB`, `1500 bytes`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

/// One file of an archive or directory, planned before it is read.
pub(crate) struct PlannedEntry {
    /// `/`-separated path relative to the source root.
    pub path: String,
    /// What the file holds.
    pub role: EntryRole,
    /// An index the reader uses to find it again.
    pub index: usize,
}

/// Orders the files of an archive or directory for reading: manifest first, primary copies before
/// secondary ones, then by path, so that "the first copy wins" is the same on every run.
pub(crate) fn plan(paths: Vec<(String, usize)>) -> Vec<PlannedEntry> {
    let archive_layout = layout::looks_like_archive(paths.iter().map(|(p, _)| p.as_str()));
    let mut entries: Vec<PlannedEntry> = paths
        .into_iter()
        .map(|(path, index)| PlannedEntry {
            role: layout::classify(&path, archive_layout),
            path,
            index,
        })
        .collect();
    entries.sort_by(|a, b| (a.role.read_order(), &a.path).cmp(&(b.role.read_order(), &b.path)));
    entries
}

/// Where the files of an archive or directory are opened, one at a time.
pub(crate) trait EntryFiles {
    /// A reader of `entry`'s bytes and how to name it in messages.
    fn open(&mut self, entry: &PlannedEntry) -> Result<(Box<dyn Read + '_>, String)>;
}

/// Reads planned entries into a builder.
pub(crate) struct Ingest {
    pub builder: SnapshotBuilder,
    pub manifest: Option<Manifest>,
    derived: Vec<String>,
    label: String,
}

impl Ingest {
    pub fn new(label: &str, options: &ReadOptions) -> Ingest {
        Ingest {
            builder: builder_for(options),
            manifest: None,
            derived: Vec::new(),
            label: label.to_string(),
        }
    }

    /// Reads the files of an archive or directory, planned from `paths` (`(path, index)`), one
    /// at a time: `open` gives the reader of an entry and how to name it. Everything read counts
    /// against `max_bytes`; a source that passes it is refused as a whole, under `label`.
    pub fn read_all(
        &mut self,
        paths: Vec<(String, usize)>,
        max_bytes: u64,
        files: &mut impl EntryFiles,
    ) -> Result<()> {
        let mut remaining = max_bytes;
        let mut buffer = Vec::new();
        for entry in plan(paths) {
            if !Ingest::wants(&entry) {
                self.skip(&entry);
                continue;
            }
            let (reader, display) = files.open(&entry)?;
            buffer.clear();
            read_limited(reader, remaining, &mut buffer, &display).map_err(|err| match err {
                // Too much is the whole source's problem, not one entry's: name the source.
                Error::Input { problem, .. } if problem.contains("--max-bytes") => {
                    Error::input(&self.label, problem)
                }
                other => other,
            })?;
            remaining -= buffer.len() as u64;
            self.add(&entry, &buffer, &display)?;
        }
        Ok(())
    }

    /// Whether the entry's bytes are needed at all.
    pub fn wants(entry: &PlannedEntry) -> bool {
        matches!(entry.role, EntryRole::Objects { .. } | EntryRole::Manifest)
    }

    /// Takes note of an entry that is not read (derived copies).
    pub fn skip(&mut self, entry: &PlannedEntry) {
        if entry.role == EntryRole::Derived {
            self.derived.push(entry.path.clone());
        }
    }

    /// Parses the bytes of one entry named `display` and adds its objects.
    pub fn add(&mut self, entry: &PlannedEntry, bytes: &[u8], display: &str) -> Result<()> {
        match &entry.role {
            EntryRole::Manifest => {
                let manifest = Manifest::from_slice(bytes).map_err(|e| {
                    documents::json_error(display, &String::from_utf8_lossy(bytes), &e)
                })?;
                self.manifest = Some(manifest);
            }
            EntryRole::Objects {
                folder_namespace,
                duplicates,
            } => {
                if bytes.iter().all(u8::is_ascii_whitespace) {
                    // kubectl diff writes an empty file where the object is absent on that side.
                    let file_name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
                    if layout::is_kubectl_diff_name(file_name) {
                        return Ok(());
                    }
                    self.builder.warn(format!(
                        "{display}: empty file ({} bytes), skipped; a failed export run?",
                        bytes.len()
                    ));
                    return Ok(());
                }
                let origin = FileOrigin {
                    path: entry.path.as_str().into(),
                    display: display.to_string(),
                    folder_namespace: folder_namespace.clone(),
                    duplicates: *duplicates,
                };
                documents::add_file(&mut self.builder, bytes, &origin)?;
            }
            EntryRole::Derived | EntryRole::Other => {}
        }
        Ok(())
    }

    /// The snapshot, with its source information.
    pub fn finish(mut self, format: SourceFormat, file_name: &str) -> Snapshot {
        if !self.derived.is_empty() {
            let count = self.derived.len();
            let shown: Vec<&str> = self.derived.iter().take(3).map(String::as_str).collect();
            let more = if count > 3 { ", …" } else { "" };
            self.builder.note(format!(
                "{}: ignored {count} derived dc_<name>_patched.json file{} ({}{more}): patched copies the old tool made for restores",
                self.label,
                if count == 1 { "" } else { "s" },
                shown.join(", ")
            ));
        }
        let taken = self
            .manifest
            .as_ref()
            .and_then(|m| m.start_time.as_deref())
            .and_then(Timestamp::parse_rfc3339)
            .or_else(|| timestamp::stamp_in_file_name(file_name));
        let format = match format {
            SourceFormat::Zip | SourceFormat::Directory if self.manifest.is_some() => {
                SourceFormat::DriftlabArchive
            }
            SourceFormat::Zip if file_name.starts_with("openshift-backup") => {
                SourceFormat::OpenshiftBackup
            }
            other => other,
        };
        self.builder.finish(SourceInfo {
            label: self.label,
            format,
            taken,
            completeness: self.manifest.map(|m| Completeness {
                complete: m.complete,
                missing: m.missing_parts(),
            }),
            namespace_map: Vec::new(),
        })
    }
}

/// The last component of a path argument, for date stamps.
pub(crate) fn file_name_of(label: &str) -> &str {
    Path::new(label)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_sizes_for_people() {
        assert_eq!(human_bytes(4 << 30), "4 GiB");
        assert_eq!(human_bytes(1 << 20), "1 MiB");
        assert_eq!(human_bytes(1500), "1500 bytes");
    }
}
