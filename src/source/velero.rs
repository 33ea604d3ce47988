//! Velero backup tarballs: `resources/<resource>.<group>/namespaces/<ns>/<name>.json` and
//! `resources/<resource>.<group>/cluster/<name>.json`. Velero also stores each object again under
//! `<version>-preferredversion/` (and other versions when API group versions are enabled): those
//! copies are skipped, so each object is read once.

use std::io::Read;

use flate2::read::MultiGzDecoder;

use super::{
    CappedReader, Ingest, PlannedEntry, ReadOptions, file_name_of, larger_than_cap, one_line,
    too_large,
};
use crate::error::{Error, Result};
use crate::format::layout::{self, EntryRole};
use crate::snapshot::{DuplicateRule, Snapshot, SourceFormat};

/// The decompressed stream of a tarball, capped, over its compressed stream, capped.
type Capped<R> = CappedReader<MultiGzDecoder<CappedReader<R>>>;

/// The size of a tar block; the end of an archive is marked by two zero blocks.
const BLOCK: usize = 512;

/// Reads a gzip-compressed Velero backup tarball from `reader`, as a stream.
///
/// Every gzip member is read (a tarball may be several members one after another, as `gzip`
/// itself reads them), and the tar stream must end with its end-of-archive marker: a tarball cut
/// at an entry boundary would otherwise read as a smaller, valid backup.
pub fn read_velero(reader: impl Read, label: &str, options: &ReadOptions) -> Result<Snapshot> {
    let cap = options.max_bytes;
    // The compressed stream is capped too: a pipe of empty gzip members never ends otherwise.
    let compressed = CappedReader::new(reader, cap);
    // The whole tar stream counts against the cap, headers and skipped copies included.
    let mut archive = tar::Archive::new(CappedReader::new(MultiGzDecoder::new(compressed), cap));
    let files = object_files(&mut archive, label);
    let mut stream = archive.into_inner();
    // Past the cap, the error the tar crate saw is a consequence: say what happened.
    let over_cap = |stream: &mut Capped<_>| {
        if stream.exceeded() {
            Err(too_large(label, cap))
        } else if stream.get_mut().get_mut().exceeded() {
            Err(larger_than_cap(label, cap))
        } else {
            Ok(())
        }
    };
    over_cap(&mut stream)?;
    let mut files = files?;
    let trailing = check_end_of_archive(&mut stream, label);
    over_cap(&mut stream)?;
    let trailing = trailing?;
    files.sort_by(|a, b| a.0.path.cmp(&b.0.path));

    let mut ingest = Ingest::new(label, options);
    if trailing {
        ingest.builder.warn(format!(
            "{label}: data after the tar end-of-archive marker ignored (archives concatenated?)"
        ));
    }
    for (entry, bytes) in &files {
        let display = format!("{label}: {}", one_line(&entry.path));
        ingest.add(entry, bytes, &display)?;
    }
    Ok(ingest.finish(SourceFormat::Velero, file_name_of(label)))
}

/// The object files of the tar stream, with their bytes (other entries are skipped unread).
fn object_files(
    archive: &mut tar::Archive<impl Read>,
    label: &str,
) -> Result<Vec<(PlannedEntry, Vec<u8>)>> {
    let entries = archive.entries().map_err(|e| {
        Error::input(
            label,
            format!("not a readable tar archive ({})", one_line(&e)),
        )
    })?;
    let mut files = Vec::new();
    for (index, entry) in entries.enumerate() {
        let mut entry = entry.map_err(|e| {
            Error::input(
                label,
                format!("corrupt tar entry {index} ({}); truncated?", one_line(&e)),
            )
        })?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| {
                Error::input(
                    label,
                    format!(
                        "tar entry {index} has an unreadable name ({})",
                        one_line(&e)
                    ),
                )
            })?
            .to_string_lossy()
            .replace('\\', "/");
        if !layout::is_safe_entry_path(&path) {
            return Err(Error::input(
                label,
                format!(
                    "entry {path:?} has an unsafe path (absolute or containing ..); refusing to read this archive"
                ),
            ));
        }
        let Some(folder_namespace) = velero_namespace(&path) else {
            continue;
        };
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).map_err(|e| {
            Error::input(
                format!("{label}: {path}"),
                format!("cannot be read ({}); truncated?", one_line(&e)),
            )
        })?;
        let role = EntryRole::Objects {
            folder_namespace,
            duplicates: DuplicateRule::Report,
        };
        files.push((PlannedEntry { path, role, index }, bytes));
    }
    Ok(files)
}

/// After the tar crate stopped at the first zero block (or at the end of the stream, which it
/// takes for the end of the archive), checks that the second zero block follows, then reads the
/// rest of the stream: the gzip checksums are verified at the end of each member. Returns whether
/// anything but zeros followed the marker.
fn check_end_of_archive(stream: &mut impl Read, label: &str) -> Result<bool> {
    let gzip_error = |e: std::io::Error| {
        Error::input(
            label,
            format!("corrupt or truncated gzip stream ({})", one_line(&e)),
        )
    };
    let mut block = Vec::with_capacity(BLOCK);
    stream
        .by_ref()
        .take(BLOCK as u64)
        .read_to_end(&mut block)
        .map_err(gzip_error)?;
    if block.len() < BLOCK || block.iter().any(|b| *b != 0) {
        return Err(Error::input(
            label,
            "truncated tar: no end-of-archive marker (an interrupted copy?)",
        ));
    }
    let mut trailing = false;
    let mut chunk = [0u8; 8192];
    loop {
        let read = stream.read(&mut chunk).map_err(gzip_error)?;
        if read == 0 {
            return Ok(trailing);
        }
        trailing |= chunk[..read].iter().any(|b| *b != 0);
    }
}

/// For an object file of a Velero backup, `Some(namespace)` (`Some(None)` when cluster-scoped);
/// `None` for every other file, preferred-version copies included.
fn velero_namespace(path: &str) -> Option<Option<String>> {
    let parts: Vec<&str> = path.trim_start_matches("./").split('/').collect();
    if !path.ends_with(".json") {
        return None;
    }
    match parts.as_slice() {
        ["resources", _resource, "namespaces", namespace, _file] => {
            Some(Some(namespace.to_string()))
        }
        ["resources", _resource, "cluster", _file] => Some(None),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::velero_namespace;

    #[test]
    fn velero_paths() {
        assert_eq!(
            velero_namespace("resources/deployments.apps/namespaces/shop/web.json"),
            Some(Some("shop".into()))
        );
        assert_eq!(
            velero_namespace("resources/persistentvolumes/cluster/pv-1.json"),
            Some(None)
        );
        assert_eq!(
            velero_namespace(
                "resources/deployments.apps/v1-preferredversion/namespaces/shop/web.json"
            ),
            None
        );
        assert_eq!(velero_namespace("metadata/version"), None);
    }
}
