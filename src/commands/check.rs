//! `driftlab check SNAPSHOT…`: read each snapshot and say what it holds, so a nightly job can
//! tell that its backups are readable.

use super::print_diagnostics;
use crate::archive::verify::{self, ArchiveState, Verified};
use crate::error::{Error, ExitStatus, Result};
use crate::messages;
use crate::snapshot::Snapshot;
use crate::source::bucket::{self as in_bucket, Named};
use crate::source::{self, ReadOptions};
use crate::storage::{Bucket, BucketUrl};
use crate::timestamp::{self, Timestamp};

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
///
/// An archive (a `.zip` file or an `s3://` object) is also verified as rotation verifies it, so
/// that the two never disagree: one that rotation would call broken (an entry that does not
/// decompress, counts that disagree with its manifest) fails here too, and one whose name is
/// suspicious (dated in the future, or a day away from its manifest's start time) is named.
pub fn run(command: &CheckCommand) -> Result<ExitStatus> {
    let mut status = ExitStatus::Clean;
    for argument in &command.snapshots {
        let read =
            source::read(argument, &command.read).and_then(|snapshot| {
                match verify_archive(argument)? {
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

/// What verification says of `argument` when it names one archive (a local `.zip` file, or an
/// `s3://` object), with the date stamp of its name; `None` for anything else (a folder of a
/// bucket was verified when its newest archive was chosen).
fn verify_archive(argument: &str) -> Result<Option<(Verified, Option<Timestamp>)>> {
    let stamp = |name: &str| timestamp::stamp_in_file_name(name);
    if let Some(url) = BucketUrl::parse("", argument) {
        let url = url?;
        let bucket = Bucket::open(&url)?;
        return Ok(match in_bucket::resolve(&bucket, &url)? {
            Named::Object(key) => {
                let size = bucket.size(&key)?.unwrap_or(0);
                let verified = verify::verify_in_bucket(&bucket, key, size);
                Some((verified, stamp(url.file_name())))
            }
            Named::Folder(..) => None,
        });
    }
    let path = std::path::Path::new(argument);
    let is_zip_file = path.is_file() && argument.ends_with(".zip");
    Ok(is_zip_file.then(|| {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        (verify::verify(path), stamp(name))
    }))
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
