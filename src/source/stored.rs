//! Snapshots kept in a [`Store`]: one archive of it, or the newest good archive of its folder,
//! as a nightly job left them, so that diffing a bucket prefix with `live` compares with last
//! night. Where the store is (a bucket) is its own business.
//!
//! An archive that is not a local file is fetched whole into memory, no more than
//! [`ReadOptions::max_bytes`], and read like a local file of the same name. Choosing a folder's
//! newest archive verifies the fetched bytes as rotation does ([`verify`]): a broken archive or
//! one with a suspicious name (dated in the future, or far from its manifest's start time) is
//! passed over with a warning naming it. Entries of the folder that are not dated archives are
//! ignored, with one warning line.

use super::ReadOptions;
use crate::crypto::seal;
use crate::error::{Error, Result};
use crate::format::verify::{self, ArchiveState};
use crate::snapshot::{Diagnostic, Level, Snapshot};
use crate::storage::{DatedArchive, Store};
use crate::timestamp::Timestamp;

/// Reads the archive `name` of `store`: a local file where it lies, else fetched whole.
pub fn read_stored(store: &Store, name: &str, options: &ReadOptions) -> Result<Snapshot> {
    match store.local_path(name) {
        Some(path) => super::read(&path.to_string_lossy(), options),
        None => {
            let bytes = store.read(name, options.max_bytes)?;
            super::read_bytes(bytes, &store.show(name), options)
        }
    }
}

/// Reads the newest archive of `archives` (of `store`, oldest first) proven good; `ignored` is
/// the warning line for what else the folder holds.
pub(super) fn read_newest(
    store: &Store,
    archives: &[DatedArchive],
    ignored: Option<String>,
    options: &ReadOptions,
) -> Result<Snapshot> {
    let mut notes: Vec<Diagnostic> = ignored
        .into_iter()
        .map(|message| Diagnostic {
            level: Level::Warning,
            message,
        })
        .collect();
    let (name, bytes) = newest_good(store, archives, options, &mut notes)?;
    notes.push(Diagnostic {
        level: Level::Note,
        message: format!("{store}: reading its newest complete archive, {name}"),
    });
    let mut snapshot = super::read_bytes(bytes, &store.show(&name), options)?;
    snapshot.diagnostics.splice(0..0, notes);
    Ok(snapshot)
}

/// The newest archive of `archives` proven good and honestly named, fetched and verified (the
/// bytes read are the bytes verified); those passed over are named in `notes`.
fn newest_good(
    store: &Store,
    archives: &[DatedArchive],
    options: &ReadOptions,
    notes: &mut Vec<Diagnostic>,
) -> Result<(String, Vec<u8>)> {
    let now = Timestamp::now();
    let mut pass_over = |name: &str, why: String| {
        notes.push(Diagnostic {
            level: Level::Warning,
            message: format!("{}: {why}; passed over", store.show(name)),
        });
    };
    for archive in archives.iter().rev() {
        if let Some(why) = verify::suspicion(archive.stamp, None, now) {
            pass_over(&archive.name, format!("suspicious: {why}"));
            continue;
        }
        let bytes = store.read(&archive.name, options.max_bytes)?;
        let verified = match seal::open(std::io::Cursor::new(&bytes)) {
            Ok(opened) => {
                verify::verify_reader(std::io::BufReader::new(opened), bytes.len() as u64)
            }
            // No identity opens it: reading it would fail the same way; say why.
            Err(why) => verify::Verified::broken(why.to_string()),
        };
        if let Some(why) = verify::suspicion(archive.stamp, verified.started, now) {
            pass_over(&archive.name, format!("suspicious: {why}"));
            continue;
        }
        match verified.state {
            ArchiveState::Complete => return Ok((archive.name.clone(), bytes)),
            ArchiveState::Partial => {}
            broken => pass_over(&archive.name, format!("broken: {broken}")),
        }
    }
    // The archives passed over explain the error that follows.
    crate::messages::diagnostics(notes.iter(), false);
    Err(Error::input(
        store.to_string(),
        format!(
            "none of its {} dated archives is complete (the newest is {}); name one to read it anyway",
            archives.len(),
            archives.last().map_or("", |a| a.name.as_str())
        ),
    ))
}
