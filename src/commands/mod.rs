//! Orchestration of each subcommand: read, compare, write. No flags and no terminal here.

pub mod check;
pub mod diff;
pub mod export;
pub mod history;
pub mod idle;
pub mod install;
pub mod progress;
pub mod rotate;
pub mod serve;

use crate::messages;
use crate::snapshot::Snapshot;

/// Prints what reading a snapshot had to say, on stderr.
pub fn print_diagnostics(snapshot: &Snapshot, quiet: bool) {
    messages::diagnostics(&snapshot.diagnostics, quiet);
}
