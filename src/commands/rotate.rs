//! `driftlab rotate DIR`: rotation on its own.

use std::path::PathBuf;

use crate::archive::rotate::{self, Retention};
use crate::error::{Error, ExitStatus, Result};
use crate::timestamp::Timestamp;

/// Everything `driftlab rotate` needs.
#[derive(Debug)]
pub struct RotateCommand {
    /// The archive folder.
    pub dir: PathBuf,
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
    if !command.dry_run {
        for stale in rotate::remove_stale_partials(
            &command.dir,
            &command.prefix,
            std::time::SystemTime::now(),
        ) {
            println!(
                "deleted {} (left behind by a killed export)",
                stale.display()
            );
        }
    }
    let paths = if command.dry_run {
        rotate::plan(&command.dir, &command.prefix, command.retention, now, None)?
    } else {
        rotate::rotate(&command.dir, &command.prefix, command.retention, now, None)?
    };
    let verb = if command.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    for path in paths {
        println!("{verb} {}", path.display());
    }
    Ok(ExitStatus::Clean)
}
