//! Rotation: deleting archives older than a number of days, or beyond a number of archives, as
//! judged by the date stamp in their names (file times change with every copy and restore).
//!
//! Only files whose names match the strict pattern `<prefix><8 or 12 digits>.zip` are ever
//! touched. Rotation never lets a bad night cost a good backup:
//!
//! - `--retain-count N` keeps the newest N **complete** archives; partial, empty and unreadable
//!   archives never take one of those places;
//! - `--retain-days D` deletes archives stamped more than D days ago;
//! - the newest complete archive is never deleted, whatever its age, nor the one just written;
//! - an archive that is not complete is deleted only once a newer complete one exists and it is
//!   outside the retention (older than D days, or older than the N complete archives kept).

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::manifest::{self, ArchiveState};
use crate::error::{Error, Result};
use crate::storage::{Bucket, BucketUrl};
use crate::timestamp::Timestamp;

/// How many archives to keep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// Delete archives stamped more than this many days before now.
    pub days: Option<u32>,
    /// Keep at most this many complete archives (the newest).
    pub count: Option<usize>,
}

impl Retention {
    /// Whether any rule is set.
    pub fn is_set(&self) -> bool {
        self.days.is_some() || self.count.is_some()
    }
}

/// The date stamp of `file_name` if it is exactly `<prefix><YYYYMMDD>.zip` or
/// `<prefix><YYYYMMDDHHMM>.zip`.
pub fn archive_stamp(file_name: &str, prefix: &str) -> Option<Timestamp> {
    let digits = file_name.strip_prefix(prefix)?.strip_suffix(".zip")?;
    if digits.len() != 8 && digits.len() != 12 {
        return None;
    }
    Timestamp::parse_stamp(digits)
}

/// One archive of the folder, as rotation sees it.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The date stamp in its name.
    pub stamp: Timestamp,
    /// Its path.
    pub path: PathBuf,
    /// What it is worth.
    pub state: ArchiveState,
}

/// The archives of `dir` named `<prefix><stamp>.zip`, newest first (equal stamps by name, so
/// the order is the same on every run), each inspected.
pub fn candidates(dir: &Path, prefix: &str) -> Result<Vec<Candidate>> {
    let listing = fs::read_dir(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let mut archives = Vec::new();
    for entry in listing.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let name = entry.file_name();
        let Some(stamp) = name.to_str().and_then(|n| archive_stamp(n, prefix)) else {
            continue;
        };
        let path = entry.path();
        let state = manifest::inspect(&path);
        archives.push(Candidate { stamp, path, state });
    }
    newest_first(&mut archives);
    Ok(archives)
}

/// Newest first; equal stamps by name, so the order is the same on every run.
fn newest_first(archives: &mut [Candidate]) {
    archives.sort_by(|a, b| b.stamp.cmp(&a.stamp).then_with(|| b.path.cmp(&a.path)));
}

/// [`candidates`] in a bucket folder: each archive's manifest is read in place (a few ranged
/// requests), not downloaded. A candidate's `path` is its name in the folder.
pub fn bucket_candidates(
    bucket: &Bucket,
    folder: &BucketUrl,
    prefix: &str,
) -> Result<Vec<Candidate>> {
    let mut archives = Vec::new();
    for object in bucket.list(folder)? {
        let Some(stamp) = archive_stamp(&object.name, prefix) else {
            continue;
        };
        let state = manifest::inspect_in_bucket(bucket, folder.key(&object.name), object.size);
        archives.push(Candidate {
            stamp,
            path: PathBuf::from(object.name),
            state,
        });
    }
    newest_first(&mut archives);
    Ok(archives)
}

/// The URLs of the archives in a bucket folder that `retention` would delete at `now` (never
/// the one named `protect`); with `delete`, deletes them.
pub fn rotate_bucket(
    bucket: &Bucket,
    folder: &BucketUrl,
    prefix: &str,
    retention: Retention,
    now: Timestamp,
    protect: Option<&str>,
    delete: bool,
) -> Result<Vec<String>> {
    let mut doomed: Vec<String> =
        choose(&bucket_candidates(bucket, folder, prefix)?, retention, now)
            .into_iter()
            .map(|path| path.to_string_lossy().into_owned())
            .filter(|name| Some(name.as_str()) != protect)
            .collect();
    doomed.sort();
    let mut gone = Vec::new();
    for name in doomed {
        if delete {
            bucket.delete(&folder.key(&name))?;
        }
        gone.push(folder.url_of(&name));
    }
    Ok(gone)
}

/// The archives of `dir` that `retention` would delete at `now`; never `protect`.
pub fn plan(
    dir: &Path,
    prefix: &str,
    retention: Retention,
    now: Timestamp,
    protect: Option<&Path>,
) -> Result<Vec<PathBuf>> {
    let protect = protect.and_then(|p| p.canonicalize().ok());
    let is_protected = |path: &Path| protect.is_some() && path.canonicalize().ok() == protect;
    let mut doomed = choose(&candidates(dir, prefix)?, retention, now)
        .into_iter()
        .filter(|path| !is_protected(path))
        .collect::<Vec<_>>();
    doomed.sort();
    Ok(doomed)
}

/// The rule itself, over archives ordered newest first.
pub fn choose(archives: &[Candidate], retention: Retention, now: Timestamp) -> Vec<PathBuf> {
    let cutoff = retention
        .days
        .map(|days| now.to_unix() - i64::from(days) * 86_400);
    let too_old = |stamp: Timestamp| cutoff.is_some_and(|cutoff| stamp.to_unix() < cutoff);
    let mut complete_newer = 0usize;
    let mut doomed = Vec::new();
    for archive in archives {
        let delete = if archive.state == ArchiveState::Complete {
            complete_newer += 1;
            let first = complete_newer == 1;
            let beyond_count = retention.count.is_some_and(|n| complete_newer > n.max(1));
            !first && (beyond_count || too_old(archive.stamp))
        } else {
            // Superseded by newer complete archives, and outside the retention.
            complete_newer > 0
                && (too_old(archive.stamp)
                    || retention.count.is_some_and(|n| complete_newer >= n.max(1)))
        };
        if delete {
            doomed.push(archive.path.clone());
        }
    }
    doomed
}

/// Deletes what [`plan`] names; returns the deleted paths.
pub fn rotate(
    dir: &Path,
    prefix: &str,
    retention: Retention,
    now: Timestamp,
    protect: Option<&Path>,
) -> Result<Vec<PathBuf>> {
    let doomed = plan(dir, prefix, retention, now, protect)?;
    for path in &doomed {
        fs::remove_file(path).map_err(|e| Error::io(path.display().to_string(), e))?;
    }
    Ok(doomed)
}

/// How long a temporary archive may go unwritten before it counts as left behind by a run that
/// died (kill -9, a node lost): an export writes a list at least every few minutes (its slowest
/// request times out after 3 × 60 s).
pub const STALE_AFTER: Duration = Duration::from_secs(15 * 60);

/// Removes the temporary files (`.<prefix>…zip.<pid>.partial`) that killed exports left in `dir`
/// and that nothing has written to for [`STALE_AFTER`]; returns their paths.
pub fn remove_stale_partials(dir: &Path, prefix: &str, now: SystemTime) -> Vec<PathBuf> {
    let Ok(listing) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in listing.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name
            .strip_prefix('.')
            .and_then(|n| n.strip_prefix(prefix))
            .is_some_and(|n| n.contains(".zip.") && n.ends_with(".partial"));
        let stale = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if ours && stale && fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed.sort();
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn night(day: u32, state: ArchiveState) -> Candidate {
        let stamp = Timestamp::parse_stamp(&format!("202609{day:02}0015")).unwrap();
        Candidate {
            stamp,
            path: PathBuf::from(format!("d-202609{day:02}0015.zip")),
            state,
        }
    }

    fn names(paths: Vec<PathBuf>) -> Vec<String> {
        paths
            .into_iter()
            .map(|p| p.display().to_string()[8..10].to_string())
            .collect()
    }

    fn now() -> Timestamp {
        Timestamp::parse_stamp("202609200015").unwrap()
    }

    #[test]
    fn count_keeps_the_newest_complete_archives() {
        use ArchiveState::*;
        let archives = [
            night(19, Complete),
            night(18, Complete),
            night(17, Complete),
        ];
        let count = |n| Retention {
            days: None,
            count: Some(n),
        };
        assert_eq!(names(choose(&archives, count(2), now())), ["17"]);
        assert_eq!(names(choose(&archives, count(1), now())), ["18", "17"]);
        assert!(choose(&archives, count(3), now()).is_empty());
        // 0 means 1: the newest complete archive is never deleted.
        assert_eq!(names(choose(&archives, count(0), now())), ["18", "17"]);
    }

    #[test]
    fn partial_and_empty_archives_never_displace_complete_ones() {
        use ArchiveState::*;
        let archives = [
            night(19, Complete),
            night(18, Partial),
            night(17, Empty),
            night(16, Unreadable("0 bytes".into())),
            night(15, Complete),
            night(14, Complete),
        ];
        let retention = Retention {
            days: None,
            count: Some(2),
        };
        // The two newest complete archives stay (19 and 15); the bad nights between them are
        // newer than the second of those, so they are inside the retention and stay too.
        assert_eq!(names(choose(&archives, retention, now())), ["14"]);
        let retention = Retention {
            days: None,
            count: Some(1),
        };
        assert_eq!(
            names(choose(&archives, retention, now())),
            ["18", "17", "16", "15", "14"]
        );
    }

    #[test]
    fn bad_nights_newer_than_every_complete_archive_stay() {
        use ArchiveState::*;
        let archives = [night(19, Partial), night(18, Empty), night(3, Complete)];
        let retention = Retention {
            days: Some(7),
            count: Some(1),
        };
        // Nothing complete is newer than them; the old complete archive is the newest complete.
        assert!(choose(&archives, retention, now()).is_empty());
        // Even past the retention: a bad night is let go only for a newer complete one.
        let old = [night(5, Partial), night(3, Complete)];
        assert!(choose(&old, retention, now()).is_empty());
    }

    #[test]
    fn days_delete_old_archives_but_never_the_newest_complete_one() {
        use ArchiveState::*;
        let archives = [
            night(19, Complete),
            night(15, Partial),
            night(12, Partial),
            night(10, Complete),
        ];
        let retention = Retention {
            days: Some(7),
            count: None,
        };
        assert_eq!(names(choose(&archives, retention, now())), ["12", "10"]);
        let stale = [night(2, Complete), night(1, Complete)];
        assert_eq!(names(choose(&stale, retention, now())), ["01"]);
    }

    #[test]
    fn days_keep_an_archive_exactly_that_old_and_delete_one_a_minute_older() {
        use ArchiveState::*;
        let at = |stamp: &str| Candidate {
            stamp: Timestamp::parse_stamp(stamp).unwrap(),
            path: PathBuf::from(format!("d-{stamp}.zip")),
            state: Complete,
        };
        let retention = Retention {
            days: Some(7),
            count: None,
        };
        // now() is 2026-09-20 00:15: 7 days before is 2026-09-13 00:15, "not more than 7 days".
        let archives = [at("202609190015"), at("202609130015"), at("202609130014")];
        assert_eq!(
            choose(&archives, retention, now()),
            [PathBuf::from("d-202609130014.zip")]
        );
    }

    #[test]
    fn strict_names_only() {
        assert!(archive_stamp("driftlab-202609110015.zip", "driftlab-").is_some());
        assert!(archive_stamp("driftlab-20260911.zip", "driftlab-").is_some());
        assert!(archive_stamp("openshift-backup201809110015.zip", "openshift-backup").is_some());
        for name in [
            "driftlab-2026091100.zip",
            "driftlab-202609110015.zip.bak",
            "driftlab-202609110015.ZIP",
            "xdriftlab-202609110015.zip",
            "driftlab-20260911001.zip",
            "driftlab-202613110015.zip",
            ".driftlab-202609110015.zip.123.partial",
            "driftlab-latest.zip",
        ] {
            assert!(archive_stamp(name, "driftlab-").is_none(), "{name}");
        }
    }

    /// Only our own partial files, and only once nothing has written to them for
    /// [`STALE_AFTER`]: a partial file of a running export (or another tool's file) stays.
    #[test]
    fn stale_partials_of_killed_exports_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            ".backup202609190015.zip.4242.partial",
            ".other202609190015.zip.4242.partial",
            "backup202609190015.zip",
            ".backup202609190015.zip.4242.tmp",
        ];
        for name in names {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        fs::create_dir(dir.path().join(".backup-dir.zip.1.partial")).unwrap();
        let written = fs::metadata(dir.path().join(names[0]))
            .unwrap()
            .modified()
            .unwrap();
        // Not yet stale: one second short of the limit.
        let soon = written + STALE_AFTER - Duration::from_secs(1);
        assert!(remove_stale_partials(dir.path(), "backup", soon).is_empty());
        // Exactly stale: removed, and only it.
        let later = written + STALE_AFTER;
        assert_eq!(
            remove_stale_partials(dir.path(), "backup", later),
            [dir.path().join(names[0])]
        );
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".backup-dir.zip.1.partial",
                ".backup202609190015.zip.4242.tmp",
                ".other202609190015.zip.4242.partial",
                "backup202609190015.zip",
            ]
        );
        assert!(remove_stale_partials(&dir.path().join("gone"), "backup", later).is_empty());
        assert_eq!(STALE_AFTER, Duration::from_secs(900));
    }
}
