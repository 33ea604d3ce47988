//! Where an argument points, settled once: standard input, a local path, or a place in an object
//! store. Readers, rotation and export open a [`Store`](super::Store) from it and never look
//! at the variant again.

use std::path::PathBuf;

use super::BucketUrl;
use crate::error::Result;

/// Where an argument points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// `-`: standard input (only where a snapshot is read).
    Stdin,
    /// A local path (a folder, or a file).
    Local(PathBuf),
    /// An `s3://` URL: a folder of a bucket, or an object.
    Bucket(BucketUrl),
}

impl Location {
    /// The place `argument` of `flag` names: an `s3://` URL or a local path. A URL of another
    /// store is refused with one line, rather than taken for a folder named `gs:` (a nightly job
    /// would write into its own container and lose the archive).
    pub fn parse(flag: &str, argument: PathBuf) -> Result<Location> {
        match argument
            .to_str()
            .and_then(|text| BucketUrl::parse(flag, text))
        {
            Some(url) => url.map(Location::Bucket),
            None => Ok(Location::Local(argument)),
        }
    }

    /// The snapshot a positional argument names: `-` for standard input, else as
    /// [`Location::parse`] says.
    pub fn of_snapshot(argument: &str) -> Result<Location> {
        if argument == "-" {
            return Ok(Location::Stdin);
        }
        Location::parse("", PathBuf::from(argument))
    }
}
