//! `driftlab check SNAPSHOT…`: read each snapshot and say what it holds, so a nightly job can
//! tell that its backups are readable.

use super::print_diagnostics;
use crate::error::{Error, ExitStatus, Result};
use crate::format::verify::{self, ArchiveState, Checksums, Verified};
use crate::messages;
use crate::snapshot::Snapshot;
use crate::source::{self, ReadOptions};
use crate::storage::{Location, Named, Store};
use crate::timestamp::{self, Timestamp};

/// Everything `driftlab check` needs, settled.
#[derive(Debug)]
pub struct CheckCommand {
    /// The snapshot arguments.
    pub snapshots: Vec<String>,
    /// How to read them.
    pub read: ReadOptions,
    /// Name every entry problem of an archive, and say when it records no checksums
    /// (`--verify`).
    pub verify: bool,
}

/// Reads each snapshot; one line each on stdout, problems on stderr; exit 2 if any is unreadable
/// or holds no object (a backup of nothing is not a backup). A driftlab archive that its export
/// marked incomplete reads `PARTIAL`, with what it lacks, and does not change the exit status.
///
/// An archive (a `.zip` file or an object of a bucket) is also verified as rotation verifies it, so
/// that the two never disagree: one that rotation would call broken (an entry that does not
/// decompress, counts that disagree with its manifest) fails here too, and one whose name is
/// suspicious (dated in the future, or a day away from its manifest's start time) is named.
pub fn run(command: &CheckCommand) -> Result<ExitStatus> {
    let mut status = ExitStatus::Clean;
    for argument in &command.snapshots {
        let read =
            source::read(argument, &command.read).and_then(|snapshot| {
                match verify_archive(argument, command.verify)? {
                    Some((verified, _))
                        if matches!(verified.state, ArchiveState::Unreadable(_)) =>
                    {
                        Err(Error::input(
                            argument,
                            format!("broken: {}", verified.state),
                        ))
                    }
                    Some((verified, Some(stamp))) => {
                        let now = Timestamp::now();
                        if let Some(why) = verify::suspicion(stamp, verified.started, now) {
                            messages::warning(&format!("{argument}: suspicious: {why}"));
                        }
                        Ok(snapshot)
                    }
                    _ => Ok(snapshot),
                }
            });
        match read {
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

/// What verification says of `argument` when it names one archive (a local `.zip` or `.zip.age` file, or an
/// object of a store), with the date stamp of its name; `None` for anything else (a store's
/// folder was verified when its newest archive was chosen).
///
/// With `detailed` (`--verify`), every entry that is missing, extra, altered or corrupt is named
/// on stderr, and an archive that records no checksums is said to be so.
fn verify_archive(argument: &str, detailed: bool) -> Result<Option<(Verified, Option<Timestamp>)>> {
    let stamp = |name: &str| timestamp::stamp_in_file_name(name);
    let (store, name, size) = match Store::resolve(&Location::of_snapshot(argument)?)? {
        Named::Archive(store, archive) => (store, archive.name, archive.size),
        Named::Path(path)
            if path.is_file() && (argument.ends_with(".zip") || argument.ends_with(".zip.age")) =>
        {
            let (store, name) = Store::open_object("", &Location::Local(path))?;
            (store, name, 0)
        }
        Named::Stdin | Named::Path(_) | Named::Folder(..) => return Ok(None),
    };
    if !detailed {
        return Ok(Some((store.verify(&name, size), stamp(&name))));
    }
    let inspection = store.inspect(&name, size);
    for problem in &inspection.problems {
        messages::error(&Error::input(argument, problem.as_str()));
    }
    if inspection.checksums == Checksums::NotRecorded {
        messages::warning(&format!(
            "{argument}: no checksums recorded (an older driftlab or the original tool): an \
             altered entry cannot be told"
        ));
    }
    Ok(Some((inspection.verified, stamp(&name))))
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
