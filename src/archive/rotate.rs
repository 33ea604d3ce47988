//! Rotation: deleting archives older than a number of days, or beyond a number of archives, as
//! judged by the date stamp in their names (file times change with every copy and restore), in a
//! folder or under a bucket prefix, by one code path.
//!
//! Only files whose names match the strict pattern `<prefix><8 or 12 digits>.zip` are ever
//! touched. Rotation never trades a good backup for a bad one:
//!
//! - an archive counts only once it is **proven good** ([`verify`]: its manifest
//!   says complete, every entry decompresses and parses, the counts match), and only if its name
//!   is not suspicious (dated in the future, or a day away from its manifest's start time);
//! - rotation walks from the newest archive down, verifying each until it holds the retention's
//!   worth of good archives (`--retain-count N`: N of them; `--retain-days D`: one, and every
//!   archive of the last D days is kept anyway); the archives older than that are let go
//!   without being read;
//! - the newest good archive is never deleted, whatever its age, nor the one just written;
//! - a broken archive (unreadable, corrupt, empty, counts that disagree) met on the way is named,
//!   never counted and never deleted, unless `--prune-broken` asks; a suspicious one is named and
//!   kept; a partial one is kept while it is inside the retention.
//!
//! The grandfather-father-son policies (`--keep-last`, `--keep-daily`, … [`retention`]) follow
//! the same contract: only good archives fill their periods, and rotation reads an archive only
//! when some rule could still keep it; one that no rule could keep even were it good is let go
//! unread, broken or not, as the archives beyond `--retain-*` always were. Every rule given keeps what it keeps
//! (the union): `--retain-days 7 --keep-monthly 12` keeps the last 7 days and one archive a month
//! for a year. A partial archive is kept while it is newer than the newest good archive or inside
//! `--retain-days`/`--retain-count`; the period policies keep good archives only.
//!
//! [`retention`]: super::retention

use super::retention::{Keep, Tally};
use crate::error::Result;
use crate::format::verify::{self, ArchiveState, Verified};
use crate::storage::{DatedArchive, Store};
use crate::timestamp::Timestamp;

/// How many archives to keep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// Delete archives stamped more than this many days before now.
    pub days: Option<u32>,
    /// Keep at most this many good archives (the newest).
    pub count: Option<usize>,
    /// The grandfather-father-son policies.
    pub keep: Keep,
}

impl Retention {
    /// Whether any rule is set.
    pub fn is_set(&self) -> bool {
        self.days.is_some() || self.count.is_some() || self.keep.is_set()
    }
}

/// The date stamp of `file_name` if it is exactly `<prefix><YYYYMMDD>.zip` or
/// `<prefix><YYYYMMDDHHMM>.zip`, or either encrypted (`….zip.age`).
pub fn archive_stamp(file_name: &str, prefix: &str) -> Option<Timestamp> {
    let rest = file_name.strip_prefix(prefix)?;
    let digits = rest
        .strip_suffix(".zip")
        .or_else(|| rest.strip_suffix(".zip.age"))?;
    if digits.len() != 8 && digits.len() != 12 {
        return None;
    }
    Timestamp::parse_stamp(digits)
}

/// One archive of a folder: its date stamp, its name, its size.
pub type Archive = DatedArchive;

/// The archives of `store` named `<prefix><stamp>.zip`, newest first (equal stamps by name, so
/// the order is the same on every run), and how the store names what is not an archive.
pub fn archives(store: &Store, prefix: &str) -> Result<(Vec<Archive>, Vec<String>)> {
    let (mut archives, others) =
        store.archives(&|entry| archive_stamp(&entry.name, prefix).filter(|_| entry.is_file))?;
    archives.sort_by(|a, b| b.stamp.cmp(&a.stamp).then_with(|| b.name.cmp(&a.name)));
    Ok((archives, others))
}

/// What rotation is asked to do.
#[derive(Clone, Debug)]
pub struct Rules<'a> {
    /// What to keep.
    pub retention: Retention,
    /// Delete the broken archives met on the way (`--prune-broken`).
    pub prune_broken: bool,
    /// Never delete this archive (the one just written), by name.
    pub protect: Option<&'a str>,
    /// Now, for ages and for names dated in the future.
    pub now: Timestamp,
}

/// An archive rotation keeps, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    /// Its name.
    pub name: String,
    /// Whether it is partial (not a backup to count, kept all the same).
    pub partial: bool,
    /// The rules that keep it: `daily #1`, `newest good`, `within 7 days`, ….
    pub reasons: Vec<String>,
}

/// What rotation decided, each archive by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Archives read and kept, newest first, with why.
    pub kept: Vec<Kept>,
    /// Archives outside the retention, to delete.
    pub expired: Vec<String>,
    /// Broken archives met on the way, with what is wrong: kept, unless pruned.
    pub broken: Vec<(String, String)>,
    /// Archives whose names are not to be trusted, with why: kept, never counted.
    pub suspicious: Vec<(String, String)>,
    /// How many archives were verified (read whole).
    pub verified: usize,
    /// Keys under a bucket prefix that are not archives.
    pub ignored: Vec<String>,
}

/// Decides, over archives ordered newest first, what goes; `verify` is asked only about the
/// archives rotation has to look at: while some rule could still keep one.
pub fn decide(
    archives: &[Archive],
    rules: &Rules<'_>,
    mut verify: impl FnMut(&Archive) -> Verified,
) -> Plan {
    let retention = rules.retention;
    let cutoff = retention
        .days
        .map(|days| rules.now.to_unix() - i64::from(days) * 86_400);
    let too_old = |stamp: Timestamp| cutoff.is_some_and(|cutoff| stamp.to_unix() < cutoff);
    // With --prune-broken alone, every archive is read and none expires.
    let keep_all = !retention.is_set();
    let mut tally = Tally::new(&retention.keep);
    let mut good = 0usize;
    let mut plan = Plan::default();
    for archive in archives {
        let protected = rules.protect == Some(archive.name.as_str());
        // What --retain-days and --retain-count still keep, before this archive is read: each
        // of them lets go what it lets go (older than the days, beyond the count).
        let legacy = (retention.days.is_some() || retention.count.is_some())
            && !too_old(archive.stamp)
            && retention.count.is_none_or(|n| good < n.max(1));
        let within_count = legacy && retention.count.is_some();
        let within_days = legacy && retention.days.is_some();
        // Enough good archives are known: what no rule keeps is let go, unread.
        let open = keep_all || good == 0 || legacy || tally.wants(archive.stamp);
        if !open && !protected {
            plan.expired.push(archive.name.clone());
            continue;
        }
        let verified = verify(archive);
        plan.verified += 1;
        if let Some(why) = verify::suspicion(archive.stamp, verified.started, rules.now) {
            plan.suspicious.push((archive.name.clone(), why));
            continue;
        }
        let mut reasons = Vec::new();
        let partial = match verified.state {
            ArchiveState::Complete => {
                if good == 0 {
                    reasons.push("newest good".to_string());
                }
                good += 1;
                if within_count {
                    reasons.push(format!("retain-count #{good}"));
                }
                if within_days {
                    reasons.push(format!("within {} days", retention.days.unwrap_or(0)));
                }
                reasons.extend(tally.take(archive.stamp).iter().map(ToString::to_string));
                false
            }
            ArchiveState::Partial => {
                if good == 0 {
                    reasons.push("partial, newer than the newest good".to_string());
                } else if legacy {
                    reasons.push("partial, inside the retention".to_string());
                }
                true
            }
            // Encrypted, and no identity opens it: neither good nor broken; never counted and
            // never deleted by what it is (only an archive no rule could keep goes, unread).
            ArchiveState::Sealed(why) => {
                plan.suspicious.push((archive.name.clone(), why));
                continue;
            }
            // The archive just written is never deleted, not even by --prune-broken.
            state if protected => {
                plan.suspicious
                    .push((archive.name.clone(), format!("broken: {state}")));
                continue;
            }
            state => {
                plan.broken.push((archive.name.clone(), state.to_string()));
                continue;
            }
        };
        if protected {
            reasons.push("just written".to_string());
        }
        if keep_all && reasons.is_empty() {
            reasons.push("no retention rule given".to_string());
        }
        if reasons.is_empty() {
            plan.expired.push(archive.name.clone());
        } else {
            plan.kept.push(Kept {
                name: archive.name.clone(),
                partial,
                reasons,
            });
        }
    }
    plan
}

/// Plans rotation of `store`: its archives listed and as many verified as needed (one
/// streaming read each, from disk or by ranged requests).
pub fn plan(store: &Store, prefix: &str, rules: &Rules<'_>) -> Result<Plan> {
    let (archives, ignored) = archives(store, prefix)?;
    let mut plan = decide(&archives, rules, |archive| {
        store.verify(&archive.name, archive.size)
    });
    plan.ignored = ignored;
    Ok(plan)
}

/// What [`execute`] deleted, by name as shown.
#[derive(Clone, Debug, Default)]
pub struct Done {
    /// Outside the retention.
    pub expired: Vec<String>,
    /// Broken, with `--prune-broken`.
    pub pruned: Vec<String>,
}

/// Deletes what `plan` lets go (the broken archives too, with `prune_broken`); with `dry_run`,
/// only says so.
pub fn execute(store: &Store, plan: &Plan, prune_broken: bool, dry_run: bool) -> Result<Done> {
    let mut done = Done::default();
    let mut expired = plan.expired.clone();
    expired.sort();
    for name in expired {
        if !dry_run {
            store.delete(&name)?;
        }
        done.expired.push(store.show(&name));
    }
    if prune_broken {
        for (name, _) in &plan.broken {
            if !dry_run {
                store.delete(name)?;
            }
            done.pruned.push(store.show(name));
        }
    }
    Ok(done)
}

/// The warning lines of a plan: each broken and suspicious archive, and the keys ignored.
pub fn warnings(store: &Store, plan: &Plan, prune_broken: bool) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(line) = store.ignored(&plan.ignored) {
        lines.push(line);
    }
    let fate = if prune_broken {
        "deleted (--prune-broken)"
    } else {
        "kept, not counted as a backup (--prune-broken deletes it)"
    };
    for (name, why) in &plan.broken {
        lines.push(format!("{}: broken: {why}; {fate}", store.show(name)));
    }
    for (name, why) in &plan.suspicious {
        lines.push(format!(
            "{}: suspicious: {why}; kept, not counted as a backup",
            store.show(name)
        ));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::fs;
    use std::path::PathBuf;

    fn night(day: u32) -> Archive {
        Archive {
            stamp: Timestamp::parse_stamp(&format!("202609{day:02}0015")).unwrap(),
            name: format!("d-202609{day:02}0015.zip"),
            size: 1,
        }
    }

    fn now() -> Timestamp {
        Timestamp::parse_stamp("202609200015").unwrap()
    }

    fn rules(days: Option<u32>, count: Option<usize>) -> Rules<'static> {
        Rules {
            retention: Retention {
                days,
                count,
                keep: Keep::default(),
            },
            prune_broken: false,
            protect: None,
            now: now(),
        }
    }

    fn day_of(name: &str) -> String {
        name[8..10].to_string()
    }

    /// The plan for nights `(day, state)`, newest first, and the days that were read.
    fn run(nights: &[(u32, ArchiveState)], rules: &Rules<'_>) -> (Plan, Vec<String>) {
        let archives: Vec<Archive> = nights.iter().map(|(day, _)| night(*day)).collect();
        let read = RefCell::new(Vec::new());
        let plan = decide(&archives, rules, |archive| {
            read.borrow_mut().push(day_of(&archive.name));
            let day: u32 = day_of(&archive.name).parse().unwrap();
            let state = nights.iter().find(|(d, _)| *d == day).unwrap().1.clone();
            Verified {
                state,
                started: Some(archive.stamp),
            }
        });
        (plan, read.into_inner())
    }

    fn expired(plan: &Plan) -> Vec<String> {
        plan.expired.iter().map(|n| day_of(n)).collect()
    }

    fn broken(plan: &Plan) -> Vec<String> {
        plan.broken.iter().map(|(n, _)| day_of(n)).collect()
    }

    use ArchiveState::*;

    fn corrupt() -> ArchiveState {
        Unreadable("entry p/pods.json is corrupt".into())
    }

    #[test]
    fn count_keeps_the_newest_good_archives_and_reads_no_further() {
        let nights = [(19, Complete), (18, Complete), (17, Complete)];
        let (plan, read) = run(&nights, &rules(None, Some(2)));
        assert_eq!(expired(&plan), ["17"]);
        assert_eq!(read, ["19", "18"], "17 is let go unread");
        let (plan, read) = run(&nights, &rules(None, Some(1)));
        assert_eq!(
            (expired(&plan), read),
            (vec!["18".into(), "17".into()], vec!["19".into()])
        );
        assert!(run(&nights, &rules(None, Some(3))).0.expired.is_empty());
        // 0 means 1: the newest good archive is never deleted.
        assert_eq!(
            expired(&run(&nights, &rules(None, Some(0))).0),
            ["18", "17"]
        );
    }

    #[test]
    fn broken_archives_newer_than_the_good_ones_are_named_kept_and_never_counted() {
        let nights = [
            (19, corrupt()),
            (18, Empty),
            (17, Unreadable("0 bytes".into())),
            (16, Complete),
            (15, Complete),
            (14, Complete),
        ];
        let (plan, read) = run(&nights, &rules(None, Some(1)));
        assert_eq!(expired(&plan), ["15", "14"]);
        assert_eq!(broken(&plan), ["19", "18", "17"]);
        assert_eq!(read, ["19", "18", "17", "16"]);
        assert_eq!(plan.broken[0].1, "entry p/pods.json is corrupt");
        assert_eq!(plan.broken[1].1, "empty: holds no objects");
        // Days: the broken nights are inside the window; the good ones outside it stay but one.
        let (plan, _) = run(&nights, &rules(Some(2), None));
        assert_eq!(expired(&plan), ["15", "14"]);
        assert_eq!(broken(&plan), ["19", "18", "17"]);
        // Both.
        let (plan, _) = run(&nights, &rules(Some(7), Some(2)));
        assert_eq!(expired(&plan), ["14"]);
    }

    #[test]
    fn only_broken_archives_in_the_window_cost_no_good_one_outside_it() {
        let nights = [(19, corrupt()), (18, Empty), (10, Complete), (9, Complete)];
        let (plan, read) = run(&nights, &rules(Some(7), None));
        assert_eq!(expired(&plan), ["09"], "10 is the newest good archive");
        assert_eq!(read, ["19", "18", "10"]);
    }

    #[test]
    fn partial_archives_stay_inside_the_retention_and_go_outside_it() {
        let nights = [
            (19, Complete),
            (18, Partial),
            (15, Complete),
            (14, Partial),
            (13, Complete),
        ];
        let (plan, _) = run(&nights, &rules(None, Some(2)));
        assert_eq!(expired(&plan), ["14", "13"]);
        assert!(plan.broken.is_empty());
        let (plan, _) = run(&nights, &rules(Some(3), None));
        assert_eq!(expired(&plan), ["15", "14", "13"]);
    }

    #[test]
    fn without_a_good_archive_nothing_is_deleted() {
        let nights = [(19, Partial), (18, Empty), (3, corrupt())];
        let (plan, read) = run(&nights, &rules(Some(7), Some(1)));
        assert!(plan.expired.is_empty());
        assert_eq!(broken(&plan), ["18", "03"]);
        assert_eq!(read.len(), 3);
    }

    #[test]
    fn the_protected_archive_is_never_expired_nor_pruned() {
        let nights = [(19, Complete), (18, Complete)];
        let mut rules = rules(None, Some(1));
        let name = night(18).name;
        rules.protect = Some(&name);
        assert!(run(&nights, &rules).0.expired.is_empty());
        let nights = [(19, Complete), (18, Empty)];
        let (plan, _) = run(&nights, &rules);
        assert!(plan.broken.is_empty(), "--prune-broken would delete it");
        assert_eq!(plan.suspicious.len(), 1, "named all the same");
    }

    #[test]
    fn days_keep_an_archive_exactly_that_old_and_delete_one_a_minute_older() {
        let at = |stamp: &str| Archive {
            stamp: Timestamp::parse_stamp(stamp).unwrap(),
            name: format!("d-{stamp}.zip"),
            size: 1,
        };
        // now() is 2026-09-20 00:15: 7 days before is 2026-09-13 00:15, "not more than 7 days".
        let archives = [at("202609190015"), at("202609130015"), at("202609130014")];
        let good = |a: &Archive| Verified {
            state: Complete,
            started: Some(a.stamp),
        };
        let plan = decide(&archives, &rules(Some(7), None), good);
        assert_eq!(plan.expired, ["d-202609130014.zip"]);
    }

    #[test]
    fn suspicious_names_are_never_the_newest_good_archive() {
        let archives = [
            Archive {
                stamp: Timestamp::parse_stamp("209912310000").unwrap(),
                name: "d-209912310000.zip".into(),
                size: 1,
            },
            night(19),
            night(18),
        ];
        let plan = decide(&archives, &rules(None, Some(1)), |a| Verified {
            state: Complete,
            // The copy of an old archive: its manifest says it was taken on the 18th.
            started: Some(night(18).stamp)
                .filter(|_| a.stamp.year == 2099)
                .or(Some(a.stamp)),
        });
        assert_eq!(plan.suspicious.len(), 1);
        assert!(
            plan.suspicious[0].1.contains("dated in the future"),
            "{:?}",
            plan.suspicious
        );
        assert_eq!(
            plan.expired,
            [night(18).name],
            "19 is the newest good archive"
        );
    }

    #[test]
    fn a_plan_is_executed_and_its_warnings_name_each_archive() {
        let dir = tempfile::tempdir().unwrap();
        for day in [19, 18, 17] {
            fs::write(dir.path().join(night(day).name), "x").unwrap();
        }
        let folder = &Store::local(dir.path().to_path_buf());
        let plan = Plan {
            expired: vec![night(17).name],
            broken: vec![(night(19).name, "0 bytes".into())],
            ..Plan::default()
        };
        let dry = execute(folder, &plan, true, true).unwrap();
        assert_eq!(dry.expired.len() + dry.pruned.len(), 2);
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            3,
            "a dry run deletes nothing"
        );
        let lines = warnings(folder, &plan, false);
        assert_eq!(lines.len(), 1);
        assert!(lines[0].ends_with("d-202609190015.zip: broken: 0 bytes; kept, not counted as a backup (--prune-broken deletes it)"), "{lines:?}");
        execute(folder, &plan, false, false).unwrap();
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "the broken one kept"
        );
        execute(
            folder,
            &Plan {
                expired: vec![],
                ..plan
            },
            true,
            false,
        )
        .unwrap();
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, [PathBuf::from(night(18).name).into_os_string()]);
    }

    #[test]
    fn strict_names_only() {
        assert!(archive_stamp("driftlab-202609110015.zip", "driftlab-").is_some());
        assert!(archive_stamp("driftlab-20260911.zip", "driftlab-").is_some());
        assert!(archive_stamp("openshift-backup201809110015.zip", "openshift-backup").is_some());
        assert!(archive_stamp("driftlab-202609110015.zip.age", "driftlab-").is_some());
        for name in [
            "driftlab-202609110015.age",
            "driftlab-202609110015.zip.age.minisig",
            ".driftlab-202609110015.zip.age.123.partial",
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
