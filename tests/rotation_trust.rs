//! A verdict you can trust: rotation counts only archives proven good, on disk and in a bucket
//! (moto's S3 server); broken archives newer than the good ones are named, kept and never
//! counted, `--prune-broken` removes them; stray keys under a prefix never stop a command;
//! archives dated in the future are never taken for the newest.

mod common;

use common::cluster::Served;
use common::s3::Moto;
use common::{NIGHT1, driftlab, skip, stderr, stdout, zip_bytes};
use driftlab::timestamp::Timestamp;

const BUCKET: &str = "nightly";

/// The stamp `days` days (and `minutes` minutes) before now.
fn stamp_ago(days: i64, minutes: i64) -> String {
    Timestamp::from_unix(Timestamp::now().to_unix() - days * 86_400 - minutes * 60).stamp()
}

/// The RFC 3339 time of a stamp.
fn rfc3339(stamp: &str) -> String {
    Timestamp::parse_stamp(stamp).unwrap().rfc3339()
}

/// A list of `count` ConfigMaps.
fn list(count: usize) -> Vec<u8> {
    let items: Vec<_> = (0..count)
        .map(|i| {
            serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("cm-{i}"), "namespace": "shop"},
            "data": {"text": "a value long enough to be worth compressing, repeated, repeated"}})
        })
        .collect();
    serde_json::to_vec_pretty(
        &serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}),
    )
    .unwrap()
}

/// A manifest saying complete, taken at `stamp`, counting `objects` ConfigMaps.
fn manifest(stamp: &str, objects: usize) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "tool": "driftlab", "complete": true, "partial": false,
        "startTime": rfc3339(stamp), "objects": objects,
        "resources": [{"resource": "configmaps", "apiVersion": "v1", "kind": "ConfigMap",
                       "namespaced": true, "count": objects}],
    }))
    .unwrap()
}

/// A good archive taken at `stamp`.
fn good(stamp: &str) -> Vec<u8> {
    zip_bytes(
        &[
            ("driftlab-manifest.json", &manifest(stamp, 3)),
            ("shop/configmaps.json", &list(3)),
        ],
        false,
    )
}

/// The kinds of broken archive, each with its manifest saying complete where it has one.
const BROKEN: [&str; 6] = [
    "corrupt-entry",
    "manifest-only",
    "zero-bytes",
    "truncated",
    "no-objects",
    "counts-disagree",
];

/// A broken archive of `kind`, taken at `stamp`.
fn broken(kind: &str, stamp: &str) -> Vec<u8> {
    match kind {
        "corrupt-entry" => {
            let mut bytes = zip_bytes(
                &[
                    ("driftlab-manifest.json", &manifest(stamp, 40)),
                    ("shop/configmaps.json", &list(40)),
                ],
                false,
            );
            // Flip bytes inside the list's deflate data: its directory and sizes stay whole.
            let at = bytes
                .windows(20)
                .position(|w| w == b"shop/configmaps.json")
                .unwrap()
                + 20
                + 40;
            for b in &mut bytes[at..at + 16] {
                *b ^= 0x55;
            }
            bytes
        }
        "manifest-only" => zip_bytes(&[("driftlab-manifest.json", &manifest(stamp, 3))], false),
        "zero-bytes" => Vec::new(),
        "truncated" => {
            let whole = good(stamp);
            whole[..whole.len() * 2 / 3].to_vec()
        }
        "no-objects" => zip_bytes(&[("driftlab-manifest.json", &manifest(stamp, 0))], false),
        "counts-disagree" => zip_bytes(
            &[
                ("driftlab-manifest.json", &manifest(stamp, 5)),
                ("shop/configmaps.json", &list(3)),
            ],
            false,
        ),
        other => panic!("no such kind {other}"),
    }
}

/// Where the archives are: a folder, or a prefix of moto's bucket.
enum Place {
    Disk(tempfile::TempDir),
    Bucket(Moto, &'static str),
}

impl Place {
    fn disk() -> Place {
        Place::Disk(tempfile::tempdir().unwrap())
    }

    /// A prefix of a fresh bucket; `None` (and a SKIPPED line) without moto.
    fn bucket(prefix: &'static str) -> Option<Place> {
        let python = skip::moto_python()?;
        let moto = Moto::start(&python, 5 << 20);
        moto.create_bucket(BUCKET);
        Some(Place::Bucket(moto, prefix))
    }

    fn put(&self, name: &str, bytes: &[u8]) {
        match self {
            Place::Disk(dir) => std::fs::write(dir.path().join(name), bytes).unwrap(),
            Place::Bucket(moto, prefix) => moto.put(BUCKET, &format!("{prefix}/{name}"), bytes),
        }
    }

    /// The archive names left, sorted.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = match self {
            Place::Disk(dir) => std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
            Place::Bucket(moto, prefix) => moto
                .keys(BUCKET, &format!("{prefix}/"))
                .into_iter()
                .map(|k| k[prefix.len() + 1..].to_string())
                .collect(),
        };
        names.sort();
        names
    }

    /// The folder as an argument.
    fn arg(&self) -> String {
        match self {
            Place::Disk(dir) => dir.path().display().to_string(),
            Place::Bucket(_, prefix) => format!("s3://{BUCKET}/{prefix}"),
        }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut command = driftlab();
        if let Place::Bucket(moto, _) = self {
            command.envs(Moto::env(&moto.url));
        }
        command.args(args).output().unwrap()
    }
}

/// Three good archives 10, 9 and 8 days old; then every kind of broken archive, newer, within
/// the last three days. Returns the good names (oldest first) and the broken ones.
fn lay_out(place: &Place) -> (Vec<String>, Vec<String>) {
    let mut goods = Vec::new();
    for days in [10, 9, 8] {
        let stamp = stamp_ago(days, 0);
        let name = format!("driftlab-{stamp}.zip");
        place.put(&name, &good(&stamp));
        goods.push(name);
    }
    let mut broken_names = Vec::new();
    for (i, kind) in BROKEN.iter().enumerate() {
        let stamp = stamp_ago(1 + (i as i64) / 3, 10 * i as i64);
        let name = format!("driftlab-{stamp}.zip");
        place.put(&name, &broken(kind, &stamp));
        broken_names.push(name);
    }
    (goods, broken_names)
}

/// Rotation of `place` under each policy, with the broken archives newer than the good ones.
fn rotation_keeps_the_good_and_names_the_broken(new_place: impl Fn() -> Option<Place>) {
    // (policy, the good archives that survive: indices into oldest-first)
    let policies: [(&[&str], &[usize]); 4] = [
        (&["--retain-count", "1"], &[2]),
        (&["--retain-count", "3"], &[0, 1, 2]),
        (&["--retain-days", "7"], &[2]),
        (&["--retain-days", "7", "--retain-count", "2"], &[2]),
    ];
    for (policy, survivors) in policies {
        for prune in [false, true] {
            let Some(place) = new_place() else { return };
            let (goods, broken_names) = lay_out(&place);
            let folder = place.arg();
            let mut args = vec!["rotate", folder.as_str()];
            args.extend_from_slice(policy);
            if prune {
                args.push("--prune-broken");
            }
            let out = place.run(&args);
            let context = format!("{args:?}\n{}{}", stdout(&out), stderr(&out));
            assert_eq!(out.status.code(), Some(0), "{context}");
            let left = place.names();
            for (index, name) in goods.iter().enumerate() {
                assert_eq!(
                    left.contains(name),
                    survivors.contains(&index),
                    "{name}: {context}"
                );
            }
            let err = stderr(&out);
            for name in &broken_names {
                assert_eq!(left.contains(name), !prune, "{name}: {context}");
                let lines: Vec<&str> = err.lines().filter(|l| l.contains(name.as_str())).collect();
                assert_eq!(lines.len(), 1, "{name} named once: {context}");
                assert!(lines[0].contains(": broken: "), "{context}");
                if prune {
                    assert!(
                        stdout(&out).contains(&format!("{name} (broken)")),
                        "{context}"
                    );
                }
            }
        }
    }
}

#[test]
fn rotation_on_disk_keeps_the_good_archives_and_names_the_broken_ones() {
    rotation_keeps_the_good_and_names_the_broken(|| Some(Place::disk()));
}

#[test]
fn rotation_in_a_bucket_keeps_the_good_archives_and_names_the_broken_ones() {
    rotation_keeps_the_good_and_names_the_broken(|| Place::bucket("prod"));
}

#[test]
fn each_broken_archive_says_what_is_wrong_and_check_agrees() {
    let place = Place::disk();
    let (goods, broken_names) = lay_out(&place);
    let out = place.run(&["rotate", &place.arg(), "--retain-count", "3", "--dry-run"]);
    let err = stderr(&out);
    let why = [
        "entry shop/configmaps.json is corrupt",
        "its manifest counts 3 objects, the archive holds 0",
        "0 bytes",
        "not a readable zip archive",
        "empty: holds no objects",
        "its manifest counts 5 objects, the archive holds 3",
    ];
    for (name, why) in broken_names.iter().zip(why) {
        let line = err.lines().find(|l| l.contains(name.as_str())).unwrap();
        assert!(line.contains(why), "{line}");
        // check calls each of them broken too, exit 2.
        let Place::Disk(dir) = &place else { panic!() };
        let path = dir.path().join(name).display().to_string();
        let out = place.run(&["check", &path]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
    }
    // The verification read the three good archives but none older than needed: a dry run.
    assert_eq!(
        stdout(&out),
        "",
        "retention 3 keeps the three good archives"
    );
    assert_eq!(place.names().len(), goods.len() + broken_names.len());
}

#[test]
fn rotation_reads_no_archive_older_than_it_needs() {
    // An old archive that is not even a zip is let go without being named: never read.
    let place = Place::disk();
    let (goods, _) = lay_out(&place);
    let old = format!("driftlab-{}.zip", stamp_ago(30, 0));
    place.put(&old, b"not a zip");
    let out = place.run(&["rotate", &place.arg(), "--retain-count", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains(&old), "{}", stderr(&out));
    assert!(!place.names().contains(&old));
    assert!(!place.names().contains(&goods[0]));
}

#[test]
fn an_export_rotating_into_a_folder_of_broken_archives_keeps_the_good_ones() {
    let place = Place::disk();
    let (goods, broken_names) = lay_out(&place);
    let served = Served::start(NIGHT1);
    let home = tempfile::tempdir().unwrap();
    let out = driftlab()
        .env(
            "KUBECONFIG",
            common::cluster::kubeconfig(home.path(), &served.url),
        )
        .args([
            "export",
            "-A",
            "--output-dir",
            &place.arg(),
            "--retain-count",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let left = place.names();
    // The new archive and the newest old good one are the two kept.
    assert!(left.contains(&goods[2]), "{left:?}");
    assert!(
        !left.contains(&goods[1]) && !left.contains(&goods[0]),
        "{left:?}"
    );
    for name in &broken_names {
        assert!(left.contains(name), "{name} kept");
        assert!(stderr(&out).contains(name.as_str()), "{}", stderr(&out));
    }
}

/// Two good archives and stray keys under the prefix.
fn stray_store() -> Option<(Place, Vec<String>)> {
    let place = Place::bucket("prod")?;
    let mut names = Vec::new();
    for days in [2, 1] {
        let stamp = stamp_ago(days, 0);
        let name = format!("driftlab-{stamp}.zip");
        place.put(&name, &good(&stamp));
        names.push(name);
    }
    let Place::Bucket(moto, _) = &place else {
        unreachable!()
    };
    for key in ["prod//stray", "prod/notes.txt", "prod/sub/x"] {
        moto.put(BUCKET, key, b"not an archive");
    }
    Some((place, names))
}

#[test]
fn stray_keys_under_a_prefix_cost_one_warning_and_stop_no_command() {
    let Some((place, names)) = stray_store() else {
        return;
    };
    let folder = place.arg();
    let newest = format!("{folder}/{}", names[1]);
    let warned = |out: &std::process::Output| {
        let lines: Vec<String> = stderr(out)
            .lines()
            .filter(|l| l.contains("ignored 3 keys under it that are not archives"))
            .map(str::to_string)
            .collect();
        assert_eq!(lines.len(), 1, "{}", stderr(out));
        assert!(lines[0].starts_with(&format!("driftlab: warning: {folder}: ")));
    };
    for args in [
        vec!["check", folder.as_str()],
        vec!["diff", folder.as_str(), newest.as_str()],
        vec!["history", folder.as_str()],
        vec!["rotate", folder.as_str(), "--retain-count", "1"],
    ] {
        let out = place.run(&args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        warned(&out);
    }
    assert!(!place.names().contains(&names[0]), "rotated out");

    let served = Served::start(NIGHT1);
    let home = tempfile::tempdir().unwrap();
    let Place::Bucket(moto, _) = &place else {
        unreachable!()
    };
    let out = driftlab()
        .envs(Moto::env(&moto.url))
        .env(
            "KUBECONFIG",
            common::cluster::kubeconfig(home.path(), &served.url),
        )
        .args([
            "export",
            "-A",
            "-q",
            "--output-dir",
            &folder,
            "--retain-count",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    warned(&out);
    let left = place.names();
    assert_eq!(
        left.iter().filter(|n| n.starts_with("driftlab-")).count(),
        1,
        "the new archive alone: {left:?}"
    );
    assert!(!left.contains(&names[1]), "{left:?}");
    for stray in ["/stray", "notes.txt", "sub/x"] {
        assert!(
            left.contains(&stray.to_string()),
            "{stray} untouched: {left:?}"
        );
    }
}

#[test]
fn an_archive_dated_in_the_future_is_never_the_newest() {
    let Some(place) = Place::bucket("prod") else {
        return;
    };
    let (old, newer) = (stamp_ago(3, 0), stamp_ago(1, 0));
    let (old_name, newer_name) = (
        format!("driftlab-{old}.zip"),
        format!("driftlab-{newer}.zip"),
    );
    place.put(&old_name, &good(&old));
    place.put(&newer_name, &good(&newer));
    // A copy of the old archive, named far in the future.
    let future = "driftlab-209912310000.zip";
    place.put(future, &good(&old));
    let folder = place.arg();

    let out = place.run(&["check", &folder]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{folder}/{future}: suspicious: its name is dated in the future"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "reading its newest complete archive, {newer_name}"
        )),
        "{err}"
    );
    let out = place.run(&["diff", &folder, &format!("{folder}/{newer_name}")]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("suspicious"), "{}", stderr(&out));

    // Rotation: the future archive is named and kept, never counted; the newest good one stays.
    let out = place.run(&["rotate", &folder, "--retain-count", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("{future}: suspicious")),
        "{}",
        stderr(&out)
    );
    assert_eq!(place.names(), [newer_name.clone(), future.to_string()]);
}

#[test]
fn a_name_a_day_away_from_its_manifest_is_suspicious_on_disk_too() {
    let place = Place::disk();
    let (real, named) = (stamp_ago(20, 0), stamp_ago(1, 0));
    let (good_name, copy_name) = (
        format!("driftlab-{}.zip", stamp_ago(2, 0)),
        format!("driftlab-{named}.zip"),
    );
    place.put(&good_name, &good(&stamp_ago(2, 0)));
    place.put(&copy_name, &good(&real));
    let out = place.run(&["rotate", &place.arg(), "--retain-count", "1", "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("{copy_name}: suspicious: its name says")),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "", "the good archive is the newest good one");
    let Place::Disk(dir) = &place else { panic!() };
    let out = place.run(&["check", &dir.path().join(&copy_name).display().to_string()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("suspicious"), "{}", stderr(&out));
}
