//! `driftlab rotate DIR`: rotation on its own, of a local folder or a bucket prefix.

use crate::archive::rotate::{self, Retention, Rules};
use crate::error::{Error, ExitStatus, Result};
use crate::messages;
use crate::storage::{Location, Store};
use crate::timestamp::Timestamp;

/// Everything `driftlab rotate` needs.
#[derive(Debug)]
pub struct RotateCommand {
    /// The archive folder.
    pub folder: Location,
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
/// broken and suspicious archives met on the way are named on stderr, one line each. With a
/// `--keep-*` policy, a dry run also prints `keep  NAME  REASONS` for each archive kept, newest
/// first.
pub fn run(command: &RotateCommand) -> Result<ExitStatus> {
    if !command.retention.is_set() && !command.prune_broken {
        return Err(Error::Usage(
            "rotate needs --retain-days, --retain-count, a --keep-* policy or --prune-broken"
                .into(),
        ));
    }
    let verb = if command.dry_run {
        "would delete"
    } else {
        "deleted"
    };
    let store = Store::open_folder(&command.folder)?;
    if !command.dry_run {
        let now = std::time::SystemTime::now();
        for stale in store.remove_stale_partials(&command.prefix, now) {
            println!("deleted {stale} (left behind by a killed export)");
        }
    }
    let rules = Rules {
        retention: command.retention,
        prune_broken: command.prune_broken,
        protect: None,
        now: Timestamp::now(),
    };
    let plan = rotate::plan(&store, &command.prefix, &rules)?;
    for line in rotate::warnings(&store, &plan, command.prune_broken) {
        messages::warning(&line);
    }
    if command.dry_run && command.retention.keep.is_set() {
        // What each rule keeps and why, newest first: a policy can be checked before it deletes.
        // Without a period policy the dry run prints what it always printed: deletions only.
        for kept in &plan.kept {
            println!(
                "keep  {}  {}",
                store.show(&kept.name),
                kept.reasons.join(", ")
            );
        }
    }
    let done = rotate::execute(&store, &plan, command.prune_broken, command.dry_run)?;
    for shown in done.expired {
        println!("{verb} {shown}");
    }
    for shown in done.pruned {
        println!("{verb} {shown} (broken)");
    }
    Ok(ExitStatus::Clean)
}
