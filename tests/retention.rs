//! Grandfather-father-son retention through the binary: `rotate --keep-*` over a year of
//! nightly archives, checked against restic's documented `forget --keep-*` rules computed here,
//! independently of the library (its own calendar and ISO weeks); hand-checked cases across a
//! year change; the union with `--retain-*`; the trust contract (broken archives never fill a
//! period and are kept, partial ones never count); a bucket (moto's S3 server).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::s3::Moto;
use common::{driftlab, skip, stderr, stdout, zip_bytes};

const BUCKET: &str = "gfs";

/// `YYYYMMDDHHMM` as RFC 3339.
fn rfc3339(stamp: &str) -> String {
    format!(
        "{}-{}-{}T{}:{}:00Z",
        &stamp[0..4],
        &stamp[4..6],
        &stamp[6..8],
        &stamp[8..10],
        &stamp[10..12]
    )
}

/// An archive taken at `stamp`: complete (good) or partial, three ConfigMaps.
fn archive(stamp: &str, complete: bool) -> Vec<u8> {
    let items: Vec<_> = (0..3)
        .map(|i| {
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("cm-{i}"), "namespace": "shop"}, "data": {"k": "v"}})
        })
        .collect();
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
    let manifest = serde_json::json!({
        "tool": "driftlab", "complete": complete, "partial": !complete,
        "startTime": rfc3339(stamp), "objects": 3,
        "resources": [{"resource": "configmaps", "apiVersion": "v1", "kind": "ConfigMap",
                       "namespaced": true, "count": 3}],
    });
    zip_bytes(
        &[
            (
                "driftlab-manifest.json",
                &serde_json::to_vec(&manifest).unwrap(),
            ),
            ("shop/configmaps.json", &serde_json::to_vec(&list).unwrap()),
        ],
        false,
    )
}

/// A broken archive: a manifest saying complete and no objects at all.
fn broken(stamp: &str) -> Vec<u8> {
    let manifest = serde_json::json!({"tool": "driftlab", "complete": true, "partial": false,
        "startTime": rfc3339(stamp), "objects": 0});
    zip_bytes(
        &[(
            "driftlab-manifest.json",
            &serde_json::to_vec(&manifest).unwrap(),
        )],
        false,
    )
}

fn name(stamp: &str) -> String {
    format!("driftlab-{stamp}.zip")
}

/// The names left in `dir`, sorted.
fn left(dir: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

// ---- The rules, written again from restic's documentation, with a calendar of their own ----

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Day of the year, 1-based.
fn ordinal(year: i64, month: i64, day: i64) -> i64 {
    const BEFORE: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    BEFORE[(month - 1) as usize] + day + i64::from(month > 2 && is_leap(year))
}

/// ISO weekday, Monday 1 to Sunday 7 (Sakamoto's method).
fn weekday(year: i64, month: i64, day: i64) -> i64 {
    const T: [i64; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if month < 3 { year - 1 } else { year };
    let sunday0 = (y + y / 4 - y / 100 + y / 400 + T[(month - 1) as usize] + day) % 7;
    if sunday0 == 0 { 7 } else { sunday0 }
}

fn weeks_in(year: i64) -> i64 {
    let jan1 = weekday(year, 1, 1);
    if jan1 == 4 || (jan1 == 3 && is_leap(year)) {
        53
    } else {
        52
    }
}

/// ISO year and week, by the textbook formula.
fn iso_week(year: i64, month: i64, day: i64) -> (i64, i64) {
    let week = (ordinal(year, month, day) - weekday(year, month, day) + 10) / 7;
    if week < 1 {
        (year - 1, weeks_in(year - 1))
    } else if week > weeks_in(year) {
        (year + 1, 1)
    } else {
        (year, week)
    }
}

/// The period of `stamp` under `policy`.
fn period(policy: &str, stamp: &str) -> String {
    let n = |r: std::ops::Range<usize>| stamp[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(4..6), n(6..8));
    match policy {
        "last" => stamp.to_string(),
        "daily" => format!("{y}-{m}-{d}"),
        "weekly" => format!("{:?}", iso_week(y, m, d)),
        "monthly" => format!("{y}-{m}"),
        "yearly" => format!("{y}"),
        _ => unreachable!(),
    }
}

/// What restic's rules keep of `good` stamps under `policies`: for each policy, walking newest
/// first, the newest archive of each new period until N periods are kept; each archive with its
/// reasons (`daily #1`). The newest is kept whatever the policies say.
fn restic_keeps(good: &[String], policies: &[(&str, u32)]) -> BTreeMap<String, Vec<String>> {
    let mut newest_first: Vec<&String> = good.iter().collect();
    newest_first.sort_by(|a, b| b.cmp(a));
    let mut kept: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (policy, n) in policies {
        let mut seen: Vec<String> = Vec::new();
        for stamp in &newest_first {
            let p = period(policy, stamp);
            if seen.len() < *n as usize && seen.last() != Some(&p) {
                seen.push(p);
                kept.entry(stamp.to_string())
                    .or_default()
                    .push(format!("{policy} #{}", seen.len()));
            }
        }
    }
    if let Some(newest) = newest_first.first() {
        kept.entry(newest.to_string()).or_default();
    }
    kept
}

/// Stamps of a year and a bit of nights, 2025-11-03 to 2026-11-30, at 02:00, some nights
/// missing and some with a second archive at 14:00.
fn a_year_of_nights() -> Vec<String> {
    let mut stamps = Vec::new();
    let mut day = (2025i64, 11i64, 3i64);
    let days_in = |y: i64, m: i64| match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let mut i = 0;
    while day <= (2026, 11, 30) {
        let (y, m, d) = day;
        // Every 7th night missing, every 5th night twice.
        if i % 7 != 3 {
            stamps.push(format!("{y:04}{m:02}{d:02}0200"));
            if i % 5 == 0 {
                stamps.push(format!("{y:04}{m:02}{d:02}1400"));
            }
        }
        i += 1;
        day = if d < days_in(y, m) {
            (y, m, d + 1)
        } else if m < 12 {
            (y, m + 1, 1)
        } else {
            (y + 1, 1, 1)
        };
    }
    stamps
}

#[test]
fn a_year_of_nightly_archives_keeps_what_restics_rules_keep() {
    let dir = tempfile::tempdir().unwrap();
    let stamps = a_year_of_nights();
    assert!(stamps.len() > 350, "{}", stamps.len());
    // Broken nights never fill a period. Those rotation reads on its way (newer than an
    // archive a policy keeps in their period) are named and kept; one in the middle of a month
    // no rule reaches is let go unread, like any archive no rule keeps (the module's contract).
    let broken_stamps = ["202611291000", "202608312300"];
    let unreached = "202608150300";
    std::fs::write(dir.path().join(name(unreached)), broken(unreached)).unwrap();
    let partial_stamp = "202605170300";
    for stamp in &stamps {
        std::fs::write(dir.path().join(name(stamp)), archive(stamp, true)).unwrap();
    }
    for stamp in broken_stamps {
        std::fs::write(dir.path().join(name(stamp)), broken(stamp)).unwrap();
    }
    std::fs::write(
        dir.path().join(name(partial_stamp)),
        archive(partial_stamp, false),
    )
    .unwrap();

    // The yearly policy cannot be filled by this year and a bit: every archive is within reach.
    let policies = [
        ("last", 3),
        ("daily", 7),
        ("weekly", 5),
        ("monthly", 12),
        ("yearly", 3),
    ];
    let expected = restic_keeps(&stamps, &policies);
    let args = [
        "--keep-last",
        "3",
        "--keep-daily",
        "7",
        "--keep-weekly",
        "5",
        "--keep-monthly",
        "12",
        "--keep-yearly",
        "3",
    ];
    let folder = dir.path().to_str().unwrap();

    let dry = driftlab()
        .args(["rotate", folder, "--dry-run"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    let out = stdout(&dry);
    let mut said: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in out.lines().filter(|l| l.starts_with("keep  ")) {
        let mut parts = line["keep  ".len()..].splitn(2, "  ");
        let path = parts.next().unwrap();
        let stamp = path
            .rsplit("driftlab-")
            .next()
            .unwrap()
            .trim_end_matches(".zip");
        let reasons = parts
            .next()
            .unwrap()
            .split(", ")
            .filter(|r| {
                ["last", "daily", "weekly", "monthly", "yearly"]
                    .iter()
                    .any(|p| r.starts_with(&format!("{p} #")))
            })
            .map(String::from)
            .collect();
        said.insert(stamp.to_string(), reasons);
    }
    assert_eq!(
        said, expected,
        "the dry run's keep lines and reasons:\n{out}"
    );
    assert_eq!(
        left(dir.path()).len(),
        stamps.len() + 4,
        "a dry run deletes nothing"
    );
    assert!(
        out.contains(&format!(
            "would delete {}",
            dir.path().join(name(unreached)).display()
        )),
        "{out}"
    );
    let newest = stamps.last().unwrap();
    assert!(
        out.contains(&format!(
            "{}  newest good, last #1, daily #1, weekly #1, monthly #1, yearly #1",
            name(newest)
        )),
        "{out}"
    );

    let run = driftlab()
        .args(["rotate", folder])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let mut expected_left: BTreeSet<String> = expected.keys().map(|s| name(s)).collect();
    expected_left.extend(broken_stamps.iter().map(|s| name(s)));
    assert_eq!(left(dir.path()), expected_left);
    let err = stderr(&run);
    for stamp in broken_stamps {
        assert!(err.contains(&format!("{}: broken", name(stamp))), "{err}");
    }
    // The restic rules kept 3 + 7 + 5 + 12 + 2 periods at most, shared: far fewer than a year.
    assert!(expected.len() < 30, "{}", expected.len());

    // Run again: what is left is exactly what the rules keep, so nothing more goes.
    let again = driftlab()
        .args(["rotate", folder])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(left(dir.path()), expected_left, "{}", stdout(&again));
}

/// Nights around the 2020/2021 year change: 2020 has 53 ISO weeks, and 2021-01-01 to 01-03
/// belong to 2020-W53.
#[test]
fn iso_weeks_months_and_years_cross_the_new_year_as_checked_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    // Mon 12-28 (2020-W53), Thu 12-31 (W53), Fri 01-01 (W53), Sun 01-03 (W53), Mon 01-04
    // (2021-W01), Tue 01-05 (W01).
    let stamps = [
        "202012280200",
        "202012310200",
        "202101010200",
        "202101030200",
        "202101040200",
        "202101050200",
    ];
    for stamp in stamps {
        std::fs::write(dir.path().join(name(stamp)), archive(stamp, true)).unwrap();
    }
    let folder = dir.path().to_str().unwrap();
    let out = driftlab()
        .args(["rotate", folder, "--dry-run", "--keep-weekly", "2"])
        .args(["--keep-monthly", "2", "--keep-yearly", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let keep: Vec<&str> = text.lines().filter(|l| l.starts_with("keep")).collect();
    let shown = |stamp: &str| dir.path().join(name(stamp)).display().to_string();
    assert_eq!(
        keep,
        [
            format!(
                "keep  {}  newest good, weekly #1, monthly #1, yearly #1",
                shown("202101050200")
            ),
            format!("keep  {}  weekly #2", shown("202101030200")),
            format!("keep  {}  monthly #2, yearly #2", shown("202012310200")),
        ],
        "{text}"
    );
    for gone in ["202012280200", "202101010200", "202101040200"] {
        assert!(
            text.contains(&format!("would delete {}", shown(gone))),
            "{gone}: {text}"
        );
    }
}

#[test]
fn keep_rules_and_retain_rules_keep_the_union_and_the_newest_broken_night_counts_for_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Four good nights, then a broken newest one.
    let good = [
        "202011010200",
        "202011020200",
        "202011030200",
        "202011040200",
    ];
    for stamp in good {
        std::fs::write(dir.path().join(name(stamp)), archive(stamp, true)).unwrap();
    }
    std::fs::write(
        dir.path().join(name("202011050200")),
        broken("202011050200"),
    )
    .unwrap();
    let folder = dir.path().to_str().unwrap();
    // Without a period policy a dry run prints the deletions only, as it always did.
    let dry = driftlab()
        .args(["rotate", folder, "--retain-count", "1", "--dry-run"])
        .output()
        .unwrap();
    let text = stdout(&dry);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.lines().all(|l| l.starts_with("would delete ")),
        "{text}"
    );
    // --retain-count 1 keeps the 4th; --keep-daily 1 keeps the 4th too (the broken 5th fills
    // no day); --keep-last 2 keeps the 3rd besides.
    let out = driftlab()
        .args(["rotate", folder, "--retain-count", "1", "--keep-daily", "1"])
        .args(["--keep-last", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        left(dir.path()),
        ["202011030200", "202011040200", "202011050200"]
            .iter()
            .map(|s| name(s))
            .collect()
    );
    assert!(
        stderr(&out).contains("202011050200.zip: broken"),
        "{}",
        stderr(&out)
    );
    // --keep-daily 0 keeps nothing by itself: the newest good archive stays all the same.
    let out = driftlab()
        .args(["rotate", folder, "--keep-daily", "0", "--prune-broken"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(left(dir.path()), BTreeSet::from([name("202011040200")]));
}

#[test]
fn bad_keep_counts_are_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["-1", "seven", "1.5", ""] {
        let out = driftlab()
            .args(["rotate", dir.path().to_str().unwrap(), "--keep-daily", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&out).contains("--keep-daily"),
            "{bad}: {}",
            stderr(&out)
        );
    }
    let out = driftlab()
        .args([
            "rotate",
            dir.path().to_str().unwrap(),
            "--keep-weekly",
            "unlimited",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn period_policies_rotate_a_bucket_like_a_folder() {
    let Some(python) = skip::moto_python() else {
        return;
    };
    let moto = Moto::start(&python, 5 << 20);
    moto.create_bucket(BUCKET);
    // Two archives a day for three days, and a broken newest one.
    let stamps = [
        "202011010200",
        "202011011400",
        "202011020200",
        "202011021400",
        "202011030200",
        "202011031400",
    ];
    for stamp in stamps {
        moto.put(
            BUCKET,
            &format!("nightly/{}", name(stamp)),
            &archive(stamp, true),
        );
    }
    moto.put(
        BUCKET,
        "nightly/driftlab-202011040200.zip",
        &broken("202011040200"),
    );
    let out = driftlab()
        .envs(Moto::env(&moto.url))
        .args([
            "rotate",
            &format!("s3://{BUCKET}/nightly"),
            "--keep-daily",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut keys = moto.keys(BUCKET, "nightly/");
    keys.sort();
    assert_eq!(
        keys,
        [
            "nightly/driftlab-202011021400.zip",
            "nightly/driftlab-202011031400.zip",
            "nightly/driftlab-202011040200.zip",
        ]
    );
}
