//! `driftlab rotate DIR|s3://bucket/prefix`: rotation on its own.

use crate::archive::rotate::{self, Folder, Retention, Rules};
use crate::error::{Error, ExitStatus, Result};
use crate::messages;
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
    /// Delete the broken archives met on the way (`--prune-broken`).
    pub prune_broken: bool,
    /// Only say what would be deleted.
    pub dry_run: bool,
}

/// Deletes (or lists) the archives the retention rules let go, one line each on stdout; the
/// broken and suspicious archives met on the way are named on stderr, one line each.
pub fn run(command: &RotateCommand) -> Result<ExitStatus> {
    if !command.retention.is_set() && !command.prune_broken {
        return Err(Error::Usage(
            "rotate needs --retain-days, --retain-count or --prune-broken".into(),
        ));
    }
    let verb = if command.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    let bucket;
    let folder = match &command.place {
        Place::Local(dir) => {
            if !command.dry_run {
                let now = std::time::SystemTime::now();
                for stale in rotate::remove_stale_partials(dir, &command.prefix, now) {
                    println!(
                        "deleted {} (left behind by a killed export)",
                        stale.display()
                    );
                }
            }
            Folder::Local(dir)
        }
        // A bucket holds no temporary objects: an upload is invisible until complete.
        Place::Bucket(url) => {
            bucket = Bucket::open(url)?;
            Folder::Bucket(&bucket, url)
        }
    };
    let rules = Rules {
        retention: command.retention,
        prune_broken: command.prune_broken,
        protect: None,
        now: Timestamp::now(),
    };
    let plan = rotate::plan(folder, &command.prefix, &rules)?;
    for line in rotate::warnings(folder, &plan, command.prune_broken) {
        messages::warning(&line);
    }
    let done = rotate::execute(folder, &plan, command.prune_broken, command.dry_run)?;
    for shown in done.expired {
        println!("{verb} {shown}");
    }
    for shown in done.pruned {
        println!("{verb} {shown} (broken)");
    }
    Ok(ExitStatus::Clean)
}
