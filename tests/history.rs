//! `driftlab history` over the week fixture, and `driftlab check`.

mod common;

use common::{driftlab, stderr, stdout};
use serde_json::Value;

const WEEK: &str = "fixtures/week";

fn night(day: u32) -> String {
    format!("{WEEK}/openshift-backup201809{day}0015.zip")
}

#[test]
fn each_night_lists_its_culprits_and_the_probe_change_is_on_the_13th() {
    let output = driftlab().args(["history", WEEK]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("History of 7 archives: openshift-backup201809100015.zip (2018-09-10 00:15) → openshift-backup201809160015.zip (2018-09-16 00:15)\n"), "{text}");
    let sections: Vec<&str> = text.split("\n\n").skip(1).collect();
    assert_eq!(sections.len(), 6, "{text}");
    let heads: Vec<&str> = sections.iter().map(|s| s.lines().next().unwrap()).collect();
    assert_eq!(
        heads[0],
        "2018-09-10 00:15 → 2018-09-11 00:15   openshift-backup201809110015.zip"
    );
    assert_eq!(
        heads[5],
        "2018-09-15 00:15 → 2018-09-16 00:15   openshift-backup201809160015.zip"
    );
    let probe = sections[2];
    assert!(
        probe
            .lines()
            .nth(1)
            .unwrap()
            .trim_start()
            .starts_with("1  DeploymentConfig myproject/web   triggers a rollout"),
        "{probe}"
    );
    assert!(
        probe.contains(r#"readinessProbe.httpGet.path   "/healthz" → "/ready""#),
        "{probe}"
    );
    // Nights without drift say so; trigger-driven rollouts rank low.
    assert!(sections[3].contains("    no drift\n"), "{}", sections[3]);
    assert!(
        sections[0].contains("image updated by its ImageChange trigger"),
        "{}",
        sections[0]
    );
    assert!(
        !text.contains("--all shows them"),
        "the diff's flags are not the history's: {text}"
    );
}

#[test]
fn timeline_of_one_field_says_when_it_changed() {
    let output = driftlab()
        .args([
            "history",
            WEEK,
            "--object",
            "dc/web",
            "--path",
            "spec.template.spec.containers[*].readinessProbe",
        ])
        .output()
        .unwrap();
    let text = stdout(&output);
    let timeline = text.split("\nTimeline\n").nth(1).expect("timeline");
    assert_eq!(
        timeline,
        "  DeploymentConfig myproject/web\n    spec.template.spec.containers[web].readinessProbe.httpGet.path: \"/healthz\" (2018-09-12 00:15) → \"/ready\" (2018-09-13 00:15), first seen in openshift-backup201809130015.zip\n"
    );
    // Nights where the object's path did not change have nothing for it.
    assert_eq!(text.matches("no drift").count(), 5, "{text}");
}

#[test]
fn archives_are_ordered_by_the_date_in_their_names_not_by_file_times() {
    let dir = tempfile::tempdir().unwrap();
    for (i, day) in [16u32, 14, 13, 12].iter().enumerate() {
        let name = format!("openshift-backup201809{day}0015.zip");
        let path = dir.path().join(&name);
        std::fs::copy(common::repo(&night(*day)), &path).unwrap();
        // Newest name, oldest file time.
        let time = std::time::SystemTime::UNIX_EPOCH
            + std::time::Duration::from_secs(1_000_000 + i as u64 * 86_400);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(time)
            .unwrap();
    }
    common::write(dir.path(), "notes.txt", b"not an archive");
    let output = driftlab()
        .args(["history", dir.path().to_str().unwrap(), "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let history: Value = serde_json::from_slice(&output.stdout).unwrap();
    let taken: Vec<&str> = history["archives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["taken"].as_str().unwrap())
        .collect();
    assert_eq!(
        taken,
        [
            "2018-09-12T00:15:00Z",
            "2018-09-13T00:15:00Z",
            "2018-09-14T00:15:00Z",
            "2018-09-16T00:15:00Z"
        ]
    );
    assert_eq!(history["format"], "driftlab.history/v1");
    let nights = history["nights"].as_array().unwrap();
    assert_eq!(nights.len(), 3);
    assert_eq!(nights[0]["culprits"][0]["category"], "rollout-trigger");
    assert_eq!(nights[0]["culprits"][0]["changes"][0]["new"], "/ready");
    assert_eq!(nights[1]["culprits"].as_array().unwrap().len(), 0);
}

#[test]
fn since_and_arguments_as_files() {
    let output = driftlab()
        .args([
            "history",
            WEEK,
            "--since",
            "2018-09-13",
            "--output",
            "markdown",
        ])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.starts_with("### driftlab history: 4 archives\n"),
        "{text}"
    );
    assert_eq!(text.matches("\n#### ").count(), 3, "{text}");
    assert!(
        text.contains(
            "#### 2018-09-14 00:15 → 2018-09-15 00:15 (`openshift-backup201809150015.zip`)"
        ),
        "{text}"
    );

    let output = driftlab()
        .args(["history", &night(13), &night(12)])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert!(
        text.contains("2018-09-12 00:15 → 2018-09-13 00:15"),
        "files are ordered too: {text}"
    );
}

#[test]
fn unusable_histories_are_trouble() {
    let output = driftlab().args(["history", &night(13)]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("history needs at least two dated archives, found 1"),
        "{}",
        stderr(&output)
    );

    let dir = tempfile::tempdir().unwrap();
    let undated = common::write(
        dir.path(),
        "backup.zip",
        &std::fs::read(common::repo(&night(13))).unwrap(),
    );
    let output = driftlab()
        .args(["history", &night(12), &undated])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output).lines().count(), 1);
    assert!(
        stderr(&output).contains(&format!("{undated}: no date stamp in its name")),
        "{}",
        stderr(&output)
    );

    let output = driftlab()
        .args(["history", WEEK, "--since", "last tuesday"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn check_reads_each_snapshot_and_says_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let broken = common::write(dir.path(), "broken.zip", b"PK\x03\x04 no");
    let output = driftlab()
        .args(["check", &night(13), &broken])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stdout(&output),
        format!(
            "ok  {}: 41 objects in 2 namespaces (openshift-backup archive, taken 2018-09-13 00:15)\n",
            night(13)
        )
    );
    assert!(
        stderr(&output).contains("broken.zip: not a readable zip archive"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn one_unreadable_archive_is_named_and_the_others_are_still_reported() {
    let dir = tempfile::tempdir().unwrap();
    for day in 10..=16 {
        let name = format!("openshift-backup201809{day}0015.zip");
        let bytes = std::fs::read(common::repo(&night(day))).unwrap();
        // The 12th was cut short by a full disk; the 14th is a 0-byte file of a failed copy.
        let bytes = match day {
            12 => bytes[..bytes.len() / 2].to_vec(),
            14 => Vec::new(),
            _ => bytes,
        };
        common::write(dir.path(), &name, &bytes);
    }
    let output = driftlab()
        .args(["history", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("History of 5 archives"), "{text}");
    // The probe change of the 13th is still found, against the 11th.
    assert!(
        text.contains("2018-09-11 00:15 → 2018-09-13 00:15")
            && text.contains("DeploymentConfig myproject/web   triggers a rollout"),
        "{text}"
    );
    let errors: Vec<String> = stderr(&output)
        .lines()
        .filter(|l| l.starts_with("driftlab: error:"))
        .map(String::from)
        .collect();
    assert_eq!(errors.len(), 2, "{}", stderr(&output));
    assert!(
        errors[0].contains("openshift-backup201809120015.zip"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("openshift-backup201809140015.zip"),
        "{errors:?}"
    );
}

/// `history` reads `.driftlabignore` from the current directory as `diff` does: said on stderr,
/// skipped with `--no-ignore-file`.
#[test]
fn history_announces_an_implicit_driftlabignore_and_can_skip_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".driftlabignore"),
        "- kind: \"*\"\n  paths: ['spec.template.spec.containers[*]']\n",
    )
    .unwrap();
    let week = common::repo(WEEK);
    let run = |args: &[&str]| {
        driftlab()
            .current_dir(dir.path())
            .args(["history", week.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap()
    };
    let output = run(&[]);
    let errors = stderr(&output);
    let file = dir.path().canonicalize().unwrap().join(".driftlabignore");
    assert!(
        errors.contains(&format!(
            "driftlab: note: read {} from the current directory: its 1 rule hid ",
            file.display()
        )),
        "{errors}"
    );
    assert!(
        !stdout(&output).contains("readinessProbe"),
        "{}",
        stdout(&output)
    );
    let output = run(&["--no-ignore-file"]);
    assert!(
        !stderr(&output).contains(".driftlabignore"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).contains("readinessProbe"));
}
