//! `driftlab check SNAPSHOT…`: read each snapshot and say what it holds, so a nightly job can
//! tell that its backups are readable.

use super::print_diagnostics;
use crate::cli::args::CheckArgs;
use crate::error::{ExitStatus, Result};
use crate::messages;
use crate::source::{self, ReadOptions};

/// Reads each snapshot; one line each on stdout, problems on stderr; exit 2 if any is unreadable.
pub fn run(args: &CheckArgs) -> Result<ExitStatus> {
    let options = ReadOptions {
        max_bytes: args.max_bytes,
        ..ReadOptions::default()
    };
    let mut status = ExitStatus::Clean;
    for argument in &args.snapshots {
        match source::read(argument, &options) {
            Ok(snapshot) => {
                print_diagnostics(&snapshot, false);
                let taken = snapshot
                    .info
                    .taken
                    .map(|t| format!(", taken {t}"))
                    .unwrap_or_default();
                println!(
                    "ok  {argument}: {} objects in {} namespaces ({}{taken})",
                    snapshot.len(),
                    snapshot.namespaces().len(),
                    snapshot.info.format.name()
                );
            }
            Err(err) => {
                messages::error(&err);
                status = ExitStatus::Trouble;
            }
        }
    }
    Ok(status)
}
