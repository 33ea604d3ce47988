//! `driftlab check SNAPSHOT…`: read each snapshot and say what it holds, so a nightly job can
//! tell that its backups are readable.

use super::print_diagnostics;
use crate::error::{Error, ExitStatus, Result};
use crate::messages;
use crate::snapshot::Snapshot;
use crate::source::{self, ReadOptions};

/// Everything `driftlab check` needs, settled.
#[derive(Debug)]
pub struct CheckCommand {
    /// The snapshot arguments.
    pub snapshots: Vec<String>,
    /// How to read them.
    pub read: ReadOptions,
}

/// Reads each snapshot; one line each on stdout, problems on stderr; exit 2 if any is unreadable
/// or holds no object (a backup of nothing is not a backup). A driftlab archive that its export
/// marked incomplete reads `PARTIAL`, with what it lacks, and does not change the exit status.
pub fn run(command: &CheckCommand) -> Result<ExitStatus> {
    let mut status = ExitStatus::Clean;
    for argument in &command.snapshots {
        match source::read(argument, &command.read) {
            Ok(snapshot) => {
                print_diagnostics(&snapshot, false);
                let (word, summary) = describe(&snapshot);
                println!("{word}  {argument}: {summary}");
                if snapshot.is_empty() {
                    messages::error(&Error::input(
                        argument,
                        "empty: holds no objects (a failed export, or the wrong file?)",
                    ));
                    status = ExitStatus::Trouble;
                }
            }
            Err(err) => {
                messages::error(&err);
                status = ExitStatus::Trouble;
            }
        }
    }
    Ok(status)
}

/// The first word of a snapshot's line (`ok`, `empty`, `PARTIAL`) and what follows it.
fn describe(snapshot: &Snapshot) -> (&'static str, String) {
    let taken = snapshot
        .info
        .taken
        .map(|t| format!(", taken {t}"))
        .unwrap_or_default();
    let counts = format!(
        "{} objects in {} namespaces ({}{taken})",
        snapshot.len(),
        snapshot.namespaces().len(),
        snapshot.info.format.name()
    );
    if snapshot.is_empty() {
        return ("empty", counts);
    }
    match &snapshot.info.completeness {
        Some(export) if !export.complete => (
            "PARTIAL",
            format!(
                "{counts}; the export was incomplete{}",
                missing(&export.missing)
            ),
        ),
        _ => ("ok", counts),
    }
}

/// `, 2 missing: A; B`, the first few of what an incomplete export could not read.
fn missing(parts: &[String]) -> String {
    const SHOWN: usize = 3;
    if parts.is_empty() {
        return String::new();
    }
    let more = match parts.len().saturating_sub(SHOWN) {
        0 => String::new(),
        more => format!(" and {more} more"),
    };
    format!(
        ", {} missing: {}{more}",
        parts.len(),
        parts[..parts.len().min(SHOWN)].join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::missing;

    #[test]
    fn what_an_incomplete_export_lacks() {
        assert_eq!(missing(&[]), "");
        let parts: Vec<String> = (1..=5).map(|i| format!("part {i}")).collect();
        assert_eq!(missing(&parts[..1]), ", 1 missing: part 1");
        assert_eq!(
            missing(&parts),
            ", 5 missing: part 1; part 2; part 3 and 2 more"
        );
    }
}
