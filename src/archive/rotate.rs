//! Rotation: deleting archives older than a number of days, or beyond a number of archives, as
//! judged by the date stamp in their names (file times change with every copy and restore).
//!
//! Only files whose names match the strict pattern `<prefix><8 or 12 digits>.zip` are ever
//! touched; the newest archive always survives, and so does the one just written.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::timestamp::Timestamp;

/// How many archives to keep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// Delete archives stamped more than this many days before now.
    pub days: Option<u32>,
    /// Keep at most this many archives (the newest).
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

/// The archives of `dir` that `retention` would delete at `now`, never `protect` nor the newest.
pub fn plan(
    dir: &Path,
    prefix: &str,
    retention: Retention,
    now: Timestamp,
    protect: Option<&Path>,
) -> Result<Vec<PathBuf>> {
    let listing = fs::read_dir(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    let mut archives: Vec<(Timestamp, PathBuf)> = Vec::new();
    for entry in listing.flatten() {
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if !file_type.is_file() {
            continue;
        }
        let name = entry.file_name();
        let Some(stamp) = name.to_str().and_then(|n| archive_stamp(n, prefix)) else {
            continue;
        };
        archives.push((stamp, entry.path()));
    }
    // Newest first; equal stamps by name, so the order is the same on every run.
    archives.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    let protect = protect.and_then(|p| p.canonicalize().ok());
    let cutoff = retention
        .days
        .map(|days| now.to_unix() - i64::from(days) * 86_400);
    let mut doomed = Vec::new();
    for (index, (stamp, path)) in archives.into_iter().enumerate() {
        if index == 0
            || protect
                .as_ref()
                .is_some_and(|p| path.canonicalize().ok().as_ref() == Some(p))
        {
            continue;
        }
        let too_old = cutoff.is_some_and(|cutoff| stamp.to_unix() < cutoff);
        let too_many = retention.count.is_some_and(|count| index >= count.max(1));
        if too_old || too_many {
            doomed.push(path);
        }
    }
    doomed.sort();
    Ok(doomed)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
