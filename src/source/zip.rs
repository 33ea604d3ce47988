//! Zip archives: driftlab's, the original openshift-backup tool's, or any zip of manifests.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};

use zip::ZipArchive;

use super::{EntryFiles, Ingest, PlannedEntry, ReadOptions, file_name_of, one_line};
use crate::error::{Error, Result};
use crate::format::layout;
use crate::snapshot::{Snapshot, SourceFormat};

/// Reads a zip archive from `reader` (a file, or bytes in memory): its directory, then each
/// entry that holds manifests, one at a time. `label` names it in messages.
pub fn read_zip<R: Read + Seek>(reader: R, label: &str, options: &ReadOptions) -> Result<Snapshot> {
    let open = |reader| {
        ZipArchive::new(reader).map_err(|e| {
            Error::input(
                label,
                format!(
                    "not a readable zip archive ({}); truncated or corrupt?",
                    one_line(&e)
                ),
            )
        })
    };
    let mut archive = open(reader)?;
    let mut ingest = Ingest::new(label, options);
    if archive.has_duplicate_names() {
        // The zip crate keeps one entry per name (the last): name the others, then reopen.
        let start = archive.central_directory_start();
        let mut reader = archive.into_inner();
        for (name, count) in duplicate_names(&mut reader, start) {
            ingest.builder.warn(format!(
                "{label}: entry {name:?} appears {count} times; only the last copy is read"
            ));
        }
        archive = open(reader)?;
    }

    let mut paths = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let name = match archive.name_for_index(index) {
            Some(Ok(name)) => name.into_owned(),
            Some(Err(e)) => {
                return Err(Error::input(
                    label,
                    format!("entry {index} has an unreadable name ({})", one_line(&e)),
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

    ingest.read_all(paths, options.max_bytes, &mut ZipEntries { archive, label })?;
    Ok(ingest.finish(SourceFormat::Zip, file_name_of(label)))
}

/// The entries of an open zip archive.
struct ZipEntries<'a, R> {
    archive: ZipArchive<R>,
    label: &'a str,
}

impl<R: Read + Seek> EntryFiles for ZipEntries<'_, R> {
    fn open(&mut self, entry: &PlannedEntry) -> Result<(Box<dyn Read + '_>, String)> {
        let display = format!("{}: {}", self.label, one_line(&entry.path));
        let file = self.archive.by_index(entry.index).map_err(|e| {
            Error::input(
                &display,
                format!("cannot be read ({}); corrupt archive?", one_line(&e)),
            )
        })?;
        Ok((Box::new(file), display))
    }
}

/// The names that appear more than once in the central directory starting at `start`, with
/// their counts.
fn duplicate_names<R: Read + Seek>(reader: &mut R, start: u64) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    // A header that cannot be read ends the walk: the warning is a courtesy, the entries that
    // matter are read (and checked) through the zip crate.
    let _ = walk_central_directory(reader, start, |name| {
        *counts.entry(name).or_default() += 1;
    });
    counts.retain(|_, count| *count > 1);
    counts
}

/// Calls `each` with the name of every central directory header from `start` on.
fn walk_central_directory<R: Read + Seek>(
    reader: &mut R,
    start: u64,
    mut each: impl FnMut(String),
) -> std::io::Result<()> {
    const SIGNATURE: &[u8; 4] = b"PK\x01\x02";
    const FIXED: usize = 46;
    reader.seek(SeekFrom::Start(start))?;
    let mut header = [0u8; FIXED];
    loop {
        if reader.read_exact(&mut header).is_err() || &header[..4] != SIGNATURE {
            return Ok(());
        }
        let field = |at: usize| u64::from(u16::from_le_bytes([header[at], header[at + 1]]));
        let (name_len, extra_len, comment_len) = (field(28), field(30), field(32));
        let mut name = Vec::new();
        reader.by_ref().take(name_len).read_to_end(&mut name)?;
        each(String::from_utf8_lossy(&name).into_owned());
        reader.seek(SeekFrom::Current((extra_len + comment_len) as i64))?;
    }
}
