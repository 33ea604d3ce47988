//! Velero backup tarballs: `resources/<resource>.<group>/namespaces/<ns>/<name>.json` and
//! `resources/<resource>.<group>/cluster/<name>.json`. Velero also stores each object again under
//! `<version>-preferredversion/` (and other versions when API group versions are enabled): those
//! copies are skipped, so each object is read once.

use std::io::Read;

use flate2::read::GzDecoder;

use super::{Ingest, PlannedEntry, ReadOptions, file_name_of, layout, read_limited};
use crate::error::{Error, Result};
use crate::snapshot::{DuplicateRule, Snapshot, SourceFormat};
use layout::EntryRole;

/// Reads a gzip-compressed Velero backup tarball held in memory.
pub fn read_velero(bytes: &[u8], label: &str, options: &ReadOptions) -> Result<Snapshot> {
    // The whole tar stream counts against the cap, headers and skipped copies included.
    let mut decompressed = Vec::new();
    read_limited(
        GzDecoder::new(bytes),
        options.max_bytes,
        &mut decompressed,
        label,
    )?;
    let mut archive = tar::Archive::new(decompressed.as_slice());
    let entries = archive
        .entries()
        .map_err(|e| Error::input(label, format!("not a readable tar archive ({e})")))?;

    let mut files: Vec<(PlannedEntry, Vec<u8>)> = Vec::new();
    for (index, entry) in entries.enumerate() {
        let mut entry =
            entry.map_err(|e| Error::input(label, format!("corrupt tar entry {index} ({e})")))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| {
                Error::input(
                    label,
                    format!("tar entry {index} has an unreadable name ({e})"),
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
            Error::input(format!("{label}: {path}"), format!("cannot be read ({e})"))
        })?;
        let role = EntryRole::Objects {
            folder_namespace,
            duplicates: DuplicateRule::Report,
        };
        files.push((PlannedEntry { path, role, index }, bytes));
    }
    files.sort_by(|a, b| a.0.path.cmp(&b.0.path));

    let mut ingest = Ingest::new(label, options);
    for (entry, bytes) in &files {
        let display = format!("{label}: {}", entry.path);
        ingest.add(entry, bytes, &display)?;
    }
    Ok(ingest.finish(SourceFormat::Velero, file_name_of(label)))
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
