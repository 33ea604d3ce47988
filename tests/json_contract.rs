//! The JSON reports are a contract: scripts read their keys and their words (`relation`,
//! `reason`, `category`), so the bytes the binary writes for the shipped fixtures are pinned here,
//! byte for byte, against files captured before the analysis words became types. A change to any
//! of them is a change of the documented format, not a refactoring.
//!
//! Run with `DRIFTLAB_BLESS=1` to rewrite the expected files (and review the diff before
//! committing it).

mod common;

use common::{driftlab, repo};

const CULPRITS_OLD: &str = "fixtures/culprits/openshift-backup201809110015.zip";
const CULPRITS_NEW: &str = "fixtures/culprits/openshift-backup201809120015.zip";
const MANIFESTS: &str = "tests/desired/manifests";
/// The shop's manifests plus a Deployment the cluster lacks (`missing in the cluster`).
const MANIFESTS_AND_WORKER: &str = "tests/json_contract/manifests-and-worker";
const LIVE_CLEAN: &str = "tests/desired/live-clean.json";
const LIVE_DRIFTED: &str = "tests/desired/live-drifted.json";

/// Runs driftlab with `args` and compares what it prints with `tests/json_contract/{name}.json`.
fn pinned(name: &str, args: &[&str]) {
    let output = driftlab().args(args).output().unwrap();
    assert!(
        output.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let actual = String::from_utf8(output.stdout).unwrap();
    let path = repo(&format!("tests/json_contract/{name}.json"));
    if std::env::var_os("DRIFTLAB_BLESS").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (DRIFTLAB_BLESS=1 writes it)", path.display()));
    if actual != expected {
        let line = actual
            .lines()
            .zip(expected.lines())
            .position(|(a, e)| a != e)
            .unwrap_or_else(|| actual.lines().count().min(expected.lines().count()));
        panic!(
            "{name}: the JSON report changed, first at line {}:\n  now:      {:?}\n  expected: {:?}",
            line + 1,
            actual.lines().nth(line),
            expected.lines().nth(line)
        );
    }
}

#[test]
fn diff_json_of_the_fixture_pair() {
    pinned(
        "diff-fixture-pair",
        &["diff", common::NIGHT1, common::NIGHT2, "-o", "json"],
    );
}

#[test]
fn diff_json_of_the_culprits_pair() {
    pinned(
        "diff-culprits",
        &["diff", CULPRITS_OLD, CULPRITS_NEW, "-o", "json"],
    );
}

#[test]
fn diff_json_of_the_culprits_pair_with_all() {
    pinned(
        "diff-culprits-all",
        &["diff", CULPRITS_OLD, CULPRITS_NEW, "-o", "json", "--all"],
    );
}

#[test]
fn desired_json_of_the_drifted_cluster() {
    pinned(
        "desired-drifted",
        &[
            "diff",
            MANIFESTS,
            LIVE_DRIFTED,
            "-n",
            "shop",
            "--desired",
            "-o",
            "json",
        ],
    );
}

#[test]
fn desired_json_with_all_lists_cluster_only_and_missing_objects() {
    pinned(
        "desired-clean-all",
        &[
            "diff",
            MANIFESTS_AND_WORKER,
            LIVE_CLEAN,
            "-n",
            "shop",
            "--desired",
            "--all",
            "-o",
            "json",
        ],
    );
}

#[test]
fn history_json_of_the_week() {
    pinned("history-week", &["history", "fixtures/week", "-o", "json"]);
}
