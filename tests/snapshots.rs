//! What people read, pinned: the text, Markdown, JSON and HTML reports of the fixtures, through
//! the command. A change to any of them is a reviewed diff (`cargo insta review`), not an
//! accident. Nothing here depends on the machine: fixture paths are relative, and times come
//! from the archives' names.

mod common;

use common::driftlab;

const NIGHT1: &str = "fixtures/openshift-backup/openshift-backup201809110015.zip";
const NIGHT2: &str = "fixtures/openshift-backup/openshift-backup201809120015.zip";
const CULPRITS_OLD: &str = "fixtures/culprits/openshift-backup201809110015.zip";
const CULPRITS_NEW: &str = "fixtures/culprits/openshift-backup201809120015.zip";
const WEEK: &str = "fixtures/week";

fn run(args: &[&str]) -> String {
    let output = driftlab()
        .args(args)
        .args(["--color", "never"])
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn diff_text_of_the_fixture_pair() {
    insta::assert_snapshot!(run(&["diff", NIGHT1, NIGHT2]));
}

#[test]
fn diff_text_of_the_culprits_pair() {
    insta::assert_snapshot!(run(&["diff", CULPRITS_OLD, CULPRITS_NEW]));
}

#[test]
fn diff_text_all_and_explain() {
    insta::assert_snapshot!(run(&[
        "diff",
        CULPRITS_OLD,
        CULPRITS_NEW,
        "--all",
        "--explain"
    ]));
}

#[test]
fn diff_markdown_of_the_culprits_pair() {
    insta::assert_snapshot!(run(&[
        "diff",
        CULPRITS_OLD,
        CULPRITS_NEW,
        "--output",
        "markdown"
    ]));
}

#[test]
fn diff_json_of_the_culprits_pair() {
    insta::assert_snapshot!(run(&[
        "diff",
        CULPRITS_OLD,
        CULPRITS_NEW,
        "--output",
        "json"
    ]));
}

#[test]
fn diff_stat_and_names() {
    insta::assert_snapshot!(format!(
        "{}\n{}",
        run(&["diff", CULPRITS_OLD, CULPRITS_NEW, "--stat"]),
        run(&["diff", CULPRITS_OLD, CULPRITS_NEW, "--name-only"])
    ));
}

#[test]
fn history_text_of_the_week() {
    insta::assert_snapshot!(run(&["history", WEEK]));
}

#[test]
fn history_timeline_of_the_probe() {
    insta::assert_snapshot!(run(&[
        "history",
        WEEK,
        "--object",
        "dc/web",
        "--path",
        "spec.template.spec.containers[*].readinessProbe"
    ]));
}

#[test]
fn history_markdown_of_the_week() {
    insta::assert_snapshot!(run(&["history", WEEK, "--output", "markdown"]));
}

#[test]
fn history_html_of_the_week() {
    insta::assert_snapshot!(run(&["history", WEEK, "--output", "html"]));
}
