//! Snapshots in object storage: `s3://bucket/prefix/archive.zip` is that object;
//! `s3://bucket/prefix` (no such object) is the newest complete archive directly under it, as a
//! nightly job left them, so that `driftlab diff s3://backups/prod live` compares with last night.
//!
//! The object is fetched whole into memory, no more than [`ReadOptions::max_bytes`], and read like
//! a local file of the same name.

use super::ReadOptions;
use crate::archive::manifest::{self, ArchiveState};
use crate::error::{Error, Result};
use crate::snapshot::{Diagnostic, Level, Snapshot};
use crate::storage::{Bucket, BucketUrl};
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
/// `…YYYYMMDDHHMM.zip`), oldest first.
pub fn dated_archives(bucket: &Bucket, folder: &BucketUrl) -> Result<Vec<DatedArchive>> {
    let mut archives: Vec<DatedArchive> = bucket
        .list(folder)?
        .into_iter()
        .filter(|object| object.name.ends_with(".zip"))
        .filter_map(|object| {
            Some(DatedArchive {
                stamp: timestamp::stamp_in_file_name(&object.name)?,
                name: object.name,
                size: object.size,
            })
        })
        .collect();
    archives.sort_by(|a, b| (a.stamp, &a.name).cmp(&(b.stamp, &b.name)));
    Ok(archives)
}

/// What an `s3://` argument names: the object itself, or the folder's dated archives.
pub enum Named {
    /// An object with this key.
    Object(String),
    /// A folder, and its dated archives, oldest first.
    Folder(Vec<DatedArchive>),
}

/// Tells whether `url` names an object or a folder of archives; an error when it is neither.
pub fn resolve(bucket: &Bucket, url: &BucketUrl) -> Result<Named> {
    if !url.prefix.is_empty() && bucket.size(&url.prefix)?.is_some() {
        return Ok(Named::Object(url.prefix.clone()));
    }
    let archives = dated_archives(bucket, url)?;
    if archives.is_empty() {
        return Err(Error::input(
            url.to_string(),
            "no such object, and no dated archive (…YYYYMMDDHHMM.zip) directly under it",
        ));
    }
    Ok(Named::Folder(archives))
}

/// Reads the snapshot `url` names (see the module documentation).
pub fn read_bucket(url: &BucketUrl, options: &ReadOptions) -> Result<Snapshot> {
    let bucket = Bucket::open(url)?;
    let (key, note) = match resolve(&bucket, url)? {
        Named::Object(key) => (key, None),
        Named::Folder(archives) => {
            let newest = newest_complete(&bucket, url, &archives)?;
            let note = format!(
                "{url}: reading its newest complete archive, {}",
                newest.name
            );
            (url.key(&newest.name), Some(note))
        }
    };
    let label = bucket.url(&key);
    let bytes = bucket.read(&key, options.max_bytes)?;
    let mut snapshot = super::read_bytes(bytes, &label, options)?;
    if let Some(message) = note {
        snapshot.diagnostics.insert(
            0,
            Diagnostic {
                level: Level::Note,
                message,
            },
        );
    }
    Ok(snapshot)
}

/// The newest archive of `archives` that its export marked complete (looked at in place).
fn newest_complete<'a>(
    bucket: &Bucket,
    folder: &BucketUrl,
    archives: &'a [DatedArchive],
) -> Result<&'a DatedArchive> {
    for archive in archives.iter().rev() {
        let state = manifest::inspect_in_bucket(bucket, folder.key(&archive.name), archive.size);
        if state == ArchiveState::Complete {
            return Ok(archive);
        }
    }
    Err(Error::input(
        folder.to_string(),
        format!(
            "none of its {} dated archives is complete (the newest is {}); name one to read it anyway",
            archives.len(),
            archives.last().map_or("", |a| a.name.as_str())
        ),
    ))
}
