//! `driftlab rotate DIR|s3://bucket/prefix`: rotation on its own.

use crate::archive::rotate::{self, Retention};
use crate::error::{Error, ExitStatus, Result};
use crate::storage::{Bucket, Place};
use crate::timestamp::Timestamp;

/// Everything `driftlab rotate` needs.
#[derive(Debug)]
pub struct RotateCommand {
    /// The archive folder: local, or in a bucket.
    pub place: Place,
    /// The archive name prefix.
    pub prefix: String,
    /// What to keep.
    pub retention: Retention,
    /// Only say what would be deleted.
    pub dry_run: bool,
}

/// Deletes (or lists) the archives the retention rules let go, one line each on stdout.
pub fn run(command: &RotateCommand) -> Result<ExitStatus> {
    if !command.retention.is_set() {
        return Err(Error::Usage(
            "rotate needs --retain-days or --retain-count".into(),
        ));
    }
    let now = Timestamp::now();
    let verb = if command.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    let dir = match &command.place {
        Place::Local(dir) => dir,
        Place::Bucket(folder) => {
            // A bucket holds no temporary objects: an upload is invisible until complete.
            let bucket = Bucket::open(folder)?;
            let gone = rotate::rotate_bucket(
                &bucket,
                folder,
                &command.prefix,
                command.retention,
                now,
                None,
                !command.dry_run,
            )?;
            for url in gone {
                println!("{verb} {url}");
            }
            return Ok(ExitStatus::Clean);
        }
    };
    if !command.dry_run {
        for stale in
            rotate::remove_stale_partials(dir, &command.prefix, std::time::SystemTime::now())
        {
            println!(
                "deleted {} (left behind by a killed export)",
                stale.display()
            );
        }
    }
    let paths = if command.dry_run {
        rotate::plan(dir, &command.prefix, command.retention, now, None)?
    } else {
        rotate::rotate(dir, &command.prefix, command.retention, now, None)?
    };
    for path in paths {
        println!("{verb} {}", path.display());
    }
    Ok(ExitStatus::Clean)
}
