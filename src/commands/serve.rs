//! `driftlab serve SNAPSHOT`.

use super::print_diagnostics;
use crate::cli::args::ServeArgs;
use crate::error::{ExitStatus, Result};
use crate::serve::{self, Api, ServeOptions};
use crate::source::{self, ReadOptions};

/// Reads the snapshot and serves it until interrupted.
pub fn run(args: &ServeArgs) -> Result<ExitStatus> {
    let options = ServeOptions {
        listen: args.listen,
        allow_remote: args.allow_remote,
    };
    // Refuse a remote address before reading anything.
    serve::check_listen(&options)?;
    let read = ReadOptions {
        max_bytes: args.max_bytes,
        ..ReadOptions::default()
    };
    let snapshot = source::read(&args.snapshot, &read)?;
    print_diagnostics(&snapshot, false);
    let api = Api::new(&snapshot, args.show_secrets);
    drop(snapshot);
    serve::run(api, &options)?;
    Ok(ExitStatus::Clean)
}
