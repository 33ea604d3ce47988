//! Readers: turn an argument (`old.zip`, `backups/`, `manifests.yaml`, `-`, a Velero tarball) into
//! a [`Snapshot`]. The kind of source is detected from the argument and its first bytes, never
//! from a flag.
//!
//! Archives are read in memory; nothing is ever extracted to disk. Every reader counts the bytes it
//! decompresses against [`ReadOptions::max_bytes`], so a zip bomb ends in a clear error.

pub mod documents;
mod json;
pub mod layout;
mod tree;
mod velero;
mod zip;

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::snapshot::{
    FileOrigin, ObjectFilter, Snapshot, SnapshotBuilder, SourceFormat, SourceInfo,
};
use crate::timestamp::{self, Timestamp};
use layout::EntryRole;

pub use json::{MAX_NESTING, MAX_OBJECT_VALUES};

/// The default cap on the bytes decompressed from one source: 4 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 4 << 30;

/// How to read a source.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Stop with an error when a source decompresses to more than this many bytes.
    pub max_bytes: u64,
    /// Which objects to keep.
    pub filter: ObjectFilter,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_bytes: DEFAULT_MAX_BYTES,
            filter: ObjectFilter::default(),
        }
    }
}

/// Reads the snapshot named by `argument`: `-` for standard input, a directory, a zip archive, a
/// Velero tarball, or a single JSON or YAML file.
pub fn read(argument: &str, options: &ReadOptions) -> Result<Snapshot> {
    if argument == "-" {
        let mut bytes = Vec::new();
        read_limited(
            std::io::stdin().lock(),
            options.max_bytes,
            &mut bytes,
            "standard input",
        )?;
        return read_single_file(&bytes, "-", "standard input", SourceFormat::Stdin, options);
    }
    let path = Path::new(argument);
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(argument, e))?;
    if metadata.is_dir() {
        return tree::read_directory(path, argument, options);
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(argument, e))?;
    read_bytes(bytes, argument, options)
}

/// Reads a snapshot from the bytes of a file named `label`: a zip archive, a Velero tarball, or
/// JSON or YAML, told apart by their first bytes.
pub fn read_bytes(bytes: Vec<u8>, label: &str, options: &ReadOptions) -> Result<Snapshot> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        zip::read_zip(bytes, label, options)
    } else if bytes.starts_with(&[0x1f, 0x8b]) {
        velero::read_velero(&bytes, label, options)
    } else {
        if bytes.len() as u64 > options.max_bytes {
            return Err(too_large(label, options.max_bytes));
        }
        read_single_file(&bytes, label, label, SourceFormat::File, options)
    }
}

fn read_single_file(
    bytes: &[u8],
    label: &str,
    display: &str,
    format: SourceFormat,
    options: &ReadOptions,
) -> Result<Snapshot> {
    let mut builder = SnapshotBuilder::new(options.filter.clone());
    let origin = FileOrigin {
        path: display.into(),
        display: display.to_string(),
        folder_namespace: None,
        duplicates: crate::snapshot::DuplicateRule::Report,
    };
    documents::add_file(&mut builder, bytes, &origin)?;
    let file_name = Path::new(label)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(label);
    Ok(builder.finish(SourceInfo {
        label: label.to_string(),
        format,
        taken: timestamp::stamp_in_file_name(file_name),
        manifest: None,
    }))
}

/// Reads `reader` to its end into `buffer`, failing once more than `limit` bytes came out.
pub(crate) fn read_limited(
    reader: impl Read,
    limit: u64,
    buffer: &mut Vec<u8>,
    display: &str,
) -> Result<()> {
    let mut limited = reader.take(limit.saturating_add(1));
    limited
        .read_to_end(buffer)
        .map_err(|e| Error::input(display, format!("cannot be read: {e}")))?;
    if buffer.len() as u64 > limit {
        return Err(too_large(display, limit));
    }
    Ok(())
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

/// Reads planned entries into a builder; `fetch` returns the bytes of one entry.
pub(crate) struct Ingest {
    pub builder: SnapshotBuilder,
    pub manifest: Option<Value>,
    derived: Vec<String>,
    label: String,
}

impl Ingest {
    pub fn new(label: &str, options: &ReadOptions) -> Ingest {
        Ingest {
            builder: SnapshotBuilder::new(options.filter.clone()),
            manifest: None,
            derived: Vec::new(),
            label: label.to_string(),
        }
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
                let manifest: Value = serde_json::from_slice(bytes).map_err(|e| {
                    documents::json_error(display, &String::from_utf8_lossy(bytes), &e)
                })?;
                self.manifest = Some(manifest);
            }
            EntryRole::Objects {
                folder_namespace,
                duplicates,
            } => {
                if bytes.iter().all(u8::is_ascii_whitespace) {
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
            .and_then(|m| m.get("startTime"))
            .and_then(Value::as_str)
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
            manifest: self.manifest,
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
