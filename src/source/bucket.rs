//! Snapshots in object storage: `s3://bucket/prefix/archive.zip` is that object;
//! `s3://bucket/prefix` (no such object) is the newest good archive directly under it, as a
//! nightly job left them, so that `driftlab diff s3://backups/prod live` compares with last night.
//!
//! The object is fetched whole into memory, no more than [`ReadOptions::max_bytes`], and read like
//! a local file of the same name. Choosing a folder's newest archive verifies the fetched bytes
//! as rotation does ([`verify`]): a broken archive or one with a suspicious name (dated in the
//! future, or far from its manifest's start time) is passed over with a warning naming it. Keys
//! under the prefix that are not dated archives are ignored, with one warning line.

use super::ReadOptions;
use crate::archive::verify::{self, ArchiveState};
use crate::error::{Error, Result};
use crate::snapshot::{Diagnostic, Level, Snapshot};
use crate::storage::{self, Bucket, BucketUrl};
use crate::timestamp::{self, Timestamp};

/// One dated archive in a bucket folder.
#[derive(Clone, Debug)]
pub struct DatedArchive {
    /// The date stamp in its name.
    pub stamp: Timestamp,
    /// Its name in the folder.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
}

/// The archives directly in `folder` whose names end in a date stamp (`…YYYYMMDD.zip` or
/// `…YYYYMMDDHHMM.zip`), oldest first, and the warning line for the keys that are not.
pub fn dated_archives(
    bucket: &Bucket,
    folder: &BucketUrl,
) -> Result<(Vec<DatedArchive>, Option<String>)> {
    let listing = bucket.list(folder)?;
    let mut others = listing.others;
    let mut archives = Vec::new();
    for object in listing.objects {
        let stamp = Some(&object.name)
            .filter(|name| name.ends_with(".zip"))
            .and_then(|name| timestamp::stamp_in_file_name(name));
        match stamp {
            Some(stamp) => archives.push(DatedArchive {
                stamp,
                name: object.name,
                size: object.size,
            }),
            None => others.push(folder.key(&object.name)),
        }
    }
    others.sort();
    archives.sort_by(|a, b| (a.stamp, &a.name).cmp(&(b.stamp, &b.name)));
    Ok((archives, storage::ignored_keys(folder, &others)))
}

/// What an `s3://` argument names: the object itself, or the folder's dated archives.
pub enum Named {
    /// An object with this key.
    Object(String),
    /// A folder: its dated archives, oldest first, and the warning line for the keys under it
    /// that are not.
    Folder(Vec<DatedArchive>, Option<String>),
}

/// Tells whether `url` names an object or a folder of archives; an error when it is neither.
pub fn resolve(bucket: &Bucket, url: &BucketUrl) -> Result<Named> {
    if !url.prefix.is_empty() && bucket.size(&url.prefix)?.is_some() {
        return Ok(Named::Object(url.prefix.clone()));
    }
    let (archives, ignored) = dated_archives(bucket, url)?;
    if archives.is_empty() {
        return Err(Error::input(
            url.to_string(),
            "no such object, and no dated archive (…YYYYMMDDHHMM.zip) directly under it",
        ));
    }
    Ok(Named::Folder(archives, ignored))
}

/// Reads the snapshot `url` names (see the module documentation).
pub fn read_bucket(url: &BucketUrl, options: &ReadOptions) -> Result<Snapshot> {
    let bucket = Bucket::open(url)?;
    let (label, bytes, notes) = match resolve(&bucket, url)? {
        Named::Object(key) => {
            let bytes = bucket.read(&key, options.max_bytes)?;
            (bucket.url(&key), bytes, Vec::new())
        }
        Named::Folder(archives, ignored) => {
            let mut notes: Vec<Diagnostic> = ignored
                .into_iter()
                .map(|message| Diagnostic {
                    level: Level::Warning,
                    message,
                })
                .collect();
            let (name, bytes) = newest_good(&bucket, url, &archives, options, &mut notes)?;
            notes.push(Diagnostic {
                level: Level::Note,
                message: format!("{url}: reading its newest complete archive, {name}"),
            });
            (url.url_of(&name), bytes, notes)
        }
    };
    let mut snapshot = super::read_bytes(bytes, &label, options)?;
    snapshot.diagnostics.splice(0..0, notes);
    Ok(snapshot)
}

/// The newest archive of `archives` proven good and honestly named, fetched and verified (the
/// bytes read are the bytes verified); those passed over are named in `notes`.
fn newest_good(
    bucket: &Bucket,
    folder: &BucketUrl,
    archives: &[DatedArchive],
    options: &ReadOptions,
    notes: &mut Vec<Diagnostic>,
) -> Result<(String, Vec<u8>)> {
    let now = Timestamp::now();
    let mut pass_over = |name: &str, why: String| {
        notes.push(Diagnostic {
            level: Level::Warning,
            message: format!("{}: {why}; passed over", folder.url_of(name)),
        });
    };
    for archive in archives.iter().rev() {
        if let Some(why) = verify::suspicion(archive.stamp, None, now) {
            pass_over(&archive.name, format!("suspicious: {why}"));
            continue;
        }
        let bytes = bucket.read(&folder.key(&archive.name), options.max_bytes)?;
        let verified = verify::verify_reader(std::io::Cursor::new(&bytes), bytes.len() as u64);
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
        folder.to_string(),
        format!(
            "none of its {} dated archives is complete (the newest is {}); name one to read it anyway",
            archives.len(),
            archives.last().map_or("", |a| a.name.as_str())
        ),
    ))
}
