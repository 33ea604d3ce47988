//! `driftlab serve SNAPSHOT`.

use super::print_diagnostics;
use crate::error::{ExitStatus, Result};
use crate::serve::{self, Api, ServeOptions};
use crate::source::{self, ReadOptions};

/// Everything `driftlab serve` needs, settled.
#[derive(Debug)]
pub struct ServeCommand {
    /// The snapshot argument.
    pub snapshot: String,
    /// Where and how to listen.
    pub serve: ServeOptions,
    /// How to read the snapshot.
    pub read: ReadOptions,
    /// Serve secret values as they are in the snapshot.
    pub show_secrets: bool,
}

/// Reads the snapshot and serves it until interrupted.
pub fn run(command: &ServeCommand) -> Result<ExitStatus> {
    // Refuse a remote address before reading anything.
    serve::check_listen(&command.serve)?;
    let snapshot = source::read(&command.snapshot, &command.read)?;
    print_diagnostics(&snapshot, false);
    let api = Api::new(&snapshot, command.show_secrets);
    drop(snapshot);
    serve::run(api, &command.serve)?;
    Ok(ExitStatus::Clean)
}
