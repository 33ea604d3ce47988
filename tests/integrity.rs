//! Integrity of archives, through the binary: an export records the size and SHA-256 of every
//! entry in its manifest; `driftlab verify` and `check --verify` recompute them and name each
//! entry that is missing, extra, altered or corrupt (exit 2); rotation treats an altered archive
//! as broken and never lets it displace a good one.

mod common;

use std::path::{Path, PathBuf};

use common::cluster::{Served, kubeconfig};
use common::{NIGHT1, driftlab, repo, stderr, stdout, unzip, zip_bytes};

/// Exports the cluster `served` into `dir` (`--output-dir`), returning the archive's path.
fn export(served: &Served, dir: &Path) -> PathBuf {
    let home = tempfile::tempdir().unwrap();
    let out = driftlab()
        .env("KUBECONFIG", kubeconfig(home.path(), &served.url))
        .args(["export", "-A", "-q", "--output-dir"])
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut archives: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    archives.sort();
    archives.pop().expect("an archive was written")
}

fn verify(args: &[&Path]) -> std::process::Output {
    driftlab().arg("verify").args(args).output().unwrap()
}

/// The archive's entries rewritten by `change` (deflated again, in order).
fn rewrite(archive: &Path, to: &Path, change: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) {
    let mut entries = unzip(&std::fs::read(archive).unwrap());
    change(&mut entries);
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    std::fs::write(to, zip_bytes(&borrowed, false)).unwrap();
}

/// One letter of the first object's name in the first list changed: still valid JSON, the same
/// size and the same counts. Only the checksums can tell. Returns the entry's name.
fn alter_one_name(entries: &mut [(String, Vec<u8>)]) -> String {
    let (name, bytes) = entries
        .iter_mut()
        .find(|(name, bytes)| {
            name.ends_with(".json") && bytes.windows(9).any(|w| w == b"\"items\": ")
        })
        .expect("a list entry");
    let items = bytes.windows(9).position(|w| w == b"\"items\": ").unwrap();
    let at = items
        + bytes[items..]
            .windows(9)
            .position(|w| w == b"\"name\": \"")
            .unwrap()
        + 9;
    bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
    name.clone()
}

#[test]
fn an_exported_archive_verifies_and_records_every_entry() {
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let archive = export(&served, dir.path());
    let out = verify(&[&archive]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let line = stdout(&out);
    assert!(line.starts_with("ok  "), "{line}");
    assert!(line.contains("entries match their checksums"), "{line}");
    // The manifest lists every other entry with its size and SHA-256.
    let entries = unzip(&std::fs::read(&archive).unwrap());
    let manifest = entries
        .iter()
        .find(|(n, _)| n == "driftlab-manifest.json")
        .unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(&manifest.1).unwrap();
    let listed = manifest["entries"].as_array().unwrap();
    assert_eq!(listed.len(), entries.len() - 1);
    assert!(
        listed
            .iter()
            .all(|e| e["sha256"].as_str().unwrap().len() == 64)
    );
    // A folder: each dated archive in it.
    let out = verify(&[dir.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
}

#[test]
fn an_altered_entry_that_still_parses_is_named_and_fails_verify_and_check() {
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let archive = export(&served, dir.path());
    let altered = dir
        .path()
        .join("altered")
        .join(archive.file_name().unwrap());
    std::fs::create_dir(altered.parent().unwrap()).unwrap();
    let mut entry = String::new();
    rewrite(&archive, &altered, |entries| {
        entry = alter_one_name(entries)
    });

    let out = verify(&[&altered]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("BROKEN  "), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("entry {entry} is altered")), "{err}");
    // check fails on it too (the same verification), and --verify names the entry.
    let out = driftlab().arg("check").arg(&altered).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = driftlab()
        .args(["check", "--verify"])
        .arg(&altered)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("entry {entry} is altered")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn truncated_archives_and_missing_or_extra_entries_are_each_named() {
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let archive = export(&served, dir.path());
    let bytes = std::fs::read(&archive).unwrap();
    let cut = dir.path().join("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = verify(&[&cut]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a readable zip archive"),
        "{}",
        stderr(&out)
    );

    let mut removed = String::new();
    let fewer = dir.path().join("fewer.zip");
    rewrite(&archive, &fewer, |entries| {
        let at = entries
            .iter()
            .position(|(n, _)| n.ends_with(".json") && !n.starts_with("driftlab-"))
            .unwrap();
        removed = entries.remove(at).0;
    });
    let more = dir.path().join("more.zip");
    rewrite(&archive, &more, |entries| {
        entries.insert(0, ("stray/extra.json".into(), b"[]".to_vec()));
    });
    let out = verify(&[&fewer, &more, &archive]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("entry {removed} is missing")),
        "{err}"
    );
    assert!(err.contains("entry stray/extra.json is extra"), "{err}");
    let printed = stdout(&out);
    let lines: Vec<&str> = printed
        .lines()
        .map(|l| l.split("  ").next().unwrap())
        .collect();
    assert_eq!(
        lines,
        ["BROKEN", "BROKEN", "ok"],
        "the good one still passes"
    );
}

#[test]
fn archives_without_checksums_pass_and_say_so() {
    let old = repo(NIGHT1);
    let out = verify(&[&old]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("no checksums recorded"),
        "{}",
        stdout(&out)
    );
    let out = driftlab()
        .args(["check", "--verify"])
        .arg(&old)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("no checksums recorded"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn rotation_never_counts_an_altered_archive_nor_lets_it_displace_a_good_one() {
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let good = export(&served, dir.path());
    // A newer archive, altered: named a minute after the good one.
    let name = good.file_name().unwrap().to_str().unwrap();
    let stamp: u64 = name["driftlab-".len()..name.len() - 4].parse().unwrap();
    let newer = dir.path().join(format!("driftlab-{}.zip", stamp + 1));
    rewrite(&good, &newer, |entries| {
        alter_one_name(entries);
    });
    let out = driftlab()
        .args(["rotate", "--retain-count", "1"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        good.exists(),
        "the good archive was deleted: {}",
        stdout(&out)
    );
    assert!(
        newer.exists(),
        "a broken archive is kept without --prune-broken"
    );
    assert!(stderr(&out).contains("is altered"), "{}", stderr(&out));
}
