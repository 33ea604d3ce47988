//! Zip archives: driftlab's, the original openshift-backup tool's, or any zip of manifests.

use std::io::Cursor;

use zip::ZipArchive;

use super::{Ingest, ReadOptions, file_name_of, layout, plan, read_limited};
use crate::error::{Error, Result};
use crate::snapshot::{Snapshot, SourceFormat};

/// Reads a zip archive held in memory. `label` names it in messages.
pub fn read_zip(bytes: Vec<u8>, label: &str, options: &ReadOptions) -> Result<Snapshot> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        Error::input(
            label,
            format!("not a readable zip archive ({e}); truncated or corrupt?"),
        )
    })?;

    let mut paths = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let name = match archive.name_for_index(index) {
            Some(Ok(name)) => name.into_owned(),
            Some(Err(e)) => {
                return Err(Error::input(
                    label,
                    format!("entry {index} has an unreadable name ({e})"),
                ));
            }
            None => continue,
        };
        if !layout::is_safe_entry_path(&name) {
            return Err(Error::input(
                label,
                format!(
                    "entry {name:?} has an unsafe path (absolute or containing ..); refusing to read this archive"
                ),
            ));
        }
        if !name.ends_with('/') {
            paths.push((name, index));
        }
    }

    let mut ingest = Ingest::new(label, options);
    let mut remaining = options.max_bytes;
    let mut buffer = Vec::new();
    for entry in plan(paths) {
        if !Ingest::wants(&entry) {
            ingest.skip(&entry);
            continue;
        }
        let display = format!("{label}: {}", entry.path);
        let file = archive.by_index(entry.index).map_err(|e| {
            Error::input(&display, format!("cannot be read ({e}); corrupt archive?"))
        })?;
        buffer.clear();
        read_limited(file, remaining, &mut buffer, &display).map_err(|err| match err {
            // A bomb is the archive's problem, not one entry's: name the archive and the cap.
            Error::Input { problem, .. } if problem.contains("--max-bytes") => {
                Error::input(label, problem)
            }
            other => other,
        })?;
        remaining -= buffer.len() as u64;
        ingest.add(&entry, &buffer, &display)?;
    }
    Ok(ingest.finish(SourceFormat::Zip, file_name_of(label)))
}
