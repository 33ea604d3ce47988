//! `driftlab install` as a person runs it: the printed stream read by the real kubectl (its own
//! YAML parser, and through `driftlab serve`), one file per object with `--output-dir`, and bad
//! values refused with one line and exit status 2.

mod common;

use common::cluster::Served;
use common::{driftlab, stderr, stdout};
use serde_json::Value;

fn install(args: &[&str]) -> String {
    let output = driftlab().arg("install").args(args).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn kubectl_reads_the_manifests_and_finds_the_cron_job_through_serve() {
    let Some(kubectl) = common::skip::kubectl() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (flavor, extra) in [
        ("kubernetes", &[][..]),
        ("openshift", &["--secret-key-secret", "driftlab-key"][..]),
    ] {
        let file = dir.path().join(format!("{flavor}.yaml"));
        let mut args = vec!["--flavor", flavor];
        args.extend(extra);
        let text = install(&args);
        std::fs::write(&file, &text).unwrap();
        let objects = text.matches("\n---\n").count();

        let served = Served::start(&file.to_string_lossy());
        // kubectl's own YAML parser reads every document (client-side dry run: nothing is sent).
        let output = common::skip::kubectl_command(&kubectl, dir.path())
            .args([
                "--server",
                &served.url,
                "create",
                "--dry-run=client",
                "--validate=false",
            ])
            .args(["-o", "name", "-f"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(
            stdout(&output).lines().count(),
            objects,
            "{}",
            stdout(&output)
        );
        assert!(stdout(&output).contains("cronjob.batch/driftlab\n"));

        let output = common::skip::kubectl_command(&kubectl, dir.path())
            .args([
                "--server",
                &served.url,
                "get",
                "cronjob",
                "-n",
                "cluster-backup",
                "-o",
                "json",
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        let list: Value = serde_json::from_str(&stdout(&output)).unwrap();
        let cron = &list["items"][0];
        assert_eq!(cron["metadata"]["name"], "driftlab");
        assert_eq!(cron["spec"]["schedule"], "15 0 * * *");
        let container = &cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["command"][0], "driftlab");
        assert_eq!(container["args"][0], "export");
        let args = container["args"].to_string();
        assert!(args.contains("\"--all-namespaces\""), "{args}");
        assert_eq!(
            args.contains("/etc/driftlab/secret-key/key"),
            flavor == "openshift",
            "{args}"
        );
    }
}

#[test]
fn output_dir_writes_one_file_per_object_in_apply_order_and_never_mixes_runs() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("deploy");
    let output = driftlab()
        .args([
            "install",
            "--target-namespaces",
            "shop",
            "--namespace",
            "shop-backup",
        ])
        .arg("--output-dir")
        .arg(&target)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let mut names: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "00-serviceaccount-shop-backup-driftlab.yaml",
            "01-rolebinding-shop-driftlab-view.yaml",
            "02-role-shop-driftlab-reader.yaml",
            "03-rolebinding-shop-driftlab-reader.yaml",
            "04-role-shop-driftlab-secret-reader.yaml",
            "05-rolebinding-shop-driftlab-secret-reader.yaml",
            "06-persistentvolumeclaim-shop-backup-driftlab-archives.yaml",
            "07-cronjob-shop-backup-driftlab.yaml",
            "08-deployment-shop-backup-driftlab-browser.yaml",
        ]
    );
    let cron =
        std::fs::read_to_string(target.join("07-cronjob-shop-backup-driftlab.yaml")).unwrap();
    let cron: Value = serde_saphyr::from_str(&cron).unwrap();
    assert_eq!(cron["kind"], "CronJob");

    // A second run into the same directory would leave the first run's files to be applied.
    let again = driftlab()
        .args(["install", "--secrets", "skip", "--output-dir"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    let message = stderr(&again);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("not empty"), "{message}");
}

#[test]
fn bad_values_are_refused_with_one_line_naming_the_flag() {
    for (args, flag) in [
        (&["--schedule", "every night"][..], "--schedule"),
        (&["--capacity", "2GB"][..], "--capacity"),
        (&["--namespace", "Backups"][..], "--namespace"),
        (&["--bucket", "gs://backups"][..], "--bucket"),
        (
            &["--secrets", "skip", "--secret-key-secret", "k"][..],
            "--secret-key-secret",
        ),
        (&["--target-namespaces", "shop,"][..], "--target-namespaces"),
    ] {
        let output = driftlab().arg("install").args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let message = stderr(&output);
        assert!(
            message.starts_with(&format!("driftlab: error: {flag}")),
            "{message}"
        );
        assert_eq!(message.lines().count(), 1, "{message}");
        assert!(stdout(&output).is_empty());
    }
    // Flags that do not go together are clap's to refuse.
    for args in [
        &["--bucket-credentials-secret", "creds"][..],
        &["--bucket", "s3://backups", "--capacity", "5Gi"][..],
    ] {
        let output = driftlab().arg("install").args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn the_bucket_mode_writes_there_and_needs_no_volume() {
    let text = install(&[
        "--bucket",
        "s3://backups/prod",
        "--bucket-credentials-secret",
        "s3",
    ]);
    assert!(!text.contains("kind: PersistentVolumeClaim"));
    assert!(!text.contains("kind: Deployment"));
    assert!(text.contains("s3://backups/prod"), "{text}");
}

#[cfg(unix)]
#[test]
fn the_browser_process_waits_and_stops_at_once_on_sigterm() {
    use std::time::{Duration, Instant};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .arg("idle")
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "idle must keep running"
    );
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "idle ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
