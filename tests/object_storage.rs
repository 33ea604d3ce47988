//! Archives in object storage, end to end against a real S3 server (moto's, on loopback):
//! export, check, diff, history, serve and rotation on `s3://` URLs; uploads cut half way leave
//! nothing under the final name; bad bucket settings end the run before the cluster is read.

mod common;

use std::path::Path;

use common::cluster::{ServeSetup, Served, kubeconfig};
use common::s3::{Cut, CutProxy, Moto};
use common::{NIGHT1, NIGHT2, driftlab, repo, skip, unzip, zip_bytes};

const BUCKET: &str = "nightly";

/// moto, a bucket, and a scratch folder that doubles as TMPDIR (to see the staging go).
struct Store {
    moto: Moto,
    dir: tempfile::TempDir,
}

impl Store {
    fn start() -> Option<Store> {
        Store::start_with_min_part(5 << 20)
    }

    fn start_with_min_part(min_part_size: usize) -> Option<Store> {
        let python = skip::moto_python()?;
        let moto = Moto::start(&python, min_part_size);
        moto.create_bucket(BUCKET);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tmp")).unwrap();
        Some(Store { moto, dir })
    }

    /// driftlab pointed at this store (or at `endpoint`, a proxy before it), reading the
    /// cluster `served` (if any).
    fn driftlab(&self, endpoint: Option<&str>, served: Option<&Served>) -> assert_cmd::Command {
        let mut command = driftlab();
        command
            .envs(Moto::env(endpoint.unwrap_or(&self.moto.url)))
            .env("TMPDIR", self.tmp());
        if let Some(served) = served {
            let home = tempfile::tempdir().unwrap().keep();
            command.env("KUBECONFIG", kubeconfig(&home, &served.url));
        }
        command
    }

    /// Runs driftlab against this store (and the cluster `served`, if any) to its end.
    fn run(&self, served: Option<&Served>, args: &[&str]) -> std::process::Output {
        self.driftlab(None, served).args(args).output().unwrap()
    }

    fn tmp(&self) -> std::path::PathBuf {
        self.dir.path().join("tmp")
    }

    /// Nothing left in TMPDIR: the staged archive went.
    fn assert_staging_gone(&self) {
        let left: Vec<_> = std::fs::read_dir(self.tmp()).unwrap().flatten().collect();
        assert!(left.is_empty(), "left in TMPDIR: {left:?}");
    }

    fn keys(&self, prefix: &str) -> Vec<String> {
        self.moto.keys(BUCKET, prefix)
    }
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn archives_in_a_bucket_work_like_archives_on_disk() {
    let Some(store) = Store::start() else { return };
    let (night1, night2) = (Served::start(NIGHT1), Served::start(NIGHT2));

    // An exact object name, then a dated name in a folder.
    let first = "s3://nightly/prod/driftlab-202609110015.zip";
    let out = store.run(Some(&night1), &["export", "-A", "-o", first]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(&format!("{first}: ")),
        "{}",
        stdout(&out)
    );
    let out = store.run(
        Some(&night2),
        &["export", "-A", "--output-dir", "s3://nightly/prod", "-q"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    store.assert_staging_gone();
    let keys = store.keys("prod/");
    assert_eq!(keys.len(), 2, "{keys:?}");
    let second = keys
        .iter()
        .find(|k| !k.ends_with("202609110015.zip"))
        .unwrap()
        .clone();
    assert!(
        second.starts_with("prod/driftlab-") && second.ends_with(".zip"),
        "{second}"
    );

    // What went up is a whole archive: its manifest says complete, its lists hold the objects.
    let bytes = store
        .moto
        .get(BUCKET, "prod/driftlab-202609110015.zip")
        .unwrap();
    let entries = unzip(&bytes);
    let manifest = entries
        .iter()
        .find(|(name, _)| name == "driftlab-manifest.json")
        .expect("a manifest");
    let manifest: serde_json::Value = serde_json::from_slice(&manifest.1).unwrap();
    assert_eq!(manifest["complete"], true);
    assert!(manifest["objects"].as_u64().unwrap() > 10);
    assert!(
        entries
            .iter()
            .any(|(name, _)| name == "myproject/deploymentconfigs.json")
    );

    // check: a folder reads as its newest complete archive, and says which.
    let out = store.run(None, &["check", "s3://nightly/prod", first]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("ok  s3://nightly/prod: "),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains(&format!(
            "s3://nightly/prod: reading its newest complete archive, {}",
            second.trim_start_matches("prod/")
        )),
        "{}",
        stderr(&out)
    );

    // diff: the readiness probe the fixtures change, found across two objects of the bucket.
    let out = store.run(None, &["diff", first, "s3://nightly/prod"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("readinessProbe.httpGet.path"),
        "{}",
        stdout(&out)
    );

    // history: the folder's dated archives, in order.
    let out = store.run(None, &["history", "s3://nightly/prod"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("History of 2 archives: driftlab-202609110015.zip"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("readinessProbe.httpGet.path"));
    // The same two named one by one: each placed in time by the stamp in its name.
    let second_url = format!("s3://nightly/{second}");
    let out = store.run(None, &["history", &second_url, first]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("History of 2 archives: driftlab-202609110015.zip"),
        "{}",
        stdout(&out)
    );

    // serve: an archive in the bucket, served, is what the live side reads back.
    let setup = ServeSetup {
        env: Moto::env(&store.moto.url)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        ..ServeSetup::default()
    };
    let served = Served::start_with(first, &setup);
    let out = store.run(Some(&served), &["diff", first, "live"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    // An existing object is never replaced.
    let out = store.run(Some(&night2), &["export", "-A", "-o", first]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("{first}: already exists; not overwritten")),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        store
            .moto
            .get(BUCKET, "prod/driftlab-202609110015.zip")
            .unwrap(),
        bytes
    );
    store.assert_staging_gone();
}

/// A zip whose manifest says its export was partial.
fn partial_archive() -> Vec<u8> {
    let manifest = br#"{"tool":"driftlab","complete":false,"partial":true,"objects":3}"#;
    let list = br#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"p"}}]}"#;
    zip_bytes(
        &[
            ("driftlab-manifest.json", manifest),
            ("p/configmaps.json", list),
        ],
        false,
    )
}

#[test]
fn rotation_in_a_bucket_deletes_only_exactly_named_archives_beyond_retention() {
    let Some(store) = Store::start() else { return };
    let complete = std::fs::read(repo(NIGHT1)).unwrap();
    for name in [
        "prod/driftlab-202609010015.zip",
        "prod/driftlab-202609020015.zip",
        // Look-alikes rotation must never touch.
        "prod/driftlab-latest.zip",
        "prod/driftlab-202609010015.zip.bak",
        "prod/old/driftlab-202608010015.zip",
        "prod/other-202608010015.zip",
    ] {
        store.moto.put(BUCKET, name, &complete);
    }
    store
        .moto
        .put(BUCKET, "prod/driftlab-202609030015.zip", &partial_archive());

    let dry = store.run(
        None,
        &[
            "rotate",
            "s3://nightly/prod",
            "--retain-count",
            "1",
            "--dry-run",
        ],
    );
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    assert_eq!(
        stdout(&dry),
        "would delete s3://nightly/prod/driftlab-202609010015.zip\n"
    );
    assert_eq!(store.keys("prod/").len(), 7, "a dry run deletes nothing");

    // A new complete export, then retention 2: the newest two complete archives stay (the new
    // one and 09-02), the partial one between them too (inside the retention), 09-01 goes.
    let night2 = Served::start(NIGHT2);
    let out = store.run(
        Some(&night2),
        &[
            "export",
            "-A",
            "--output-dir",
            "s3://nightly/prod",
            "--retain-count",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("rotated out s3://nightly/prod/driftlab-202609010015.zip"),
        "{}",
        stdout(&out)
    );
    let keys = store.keys("prod/");
    let expected_left = [
        "prod/driftlab-202609010015.zip.bak",
        "prod/driftlab-202609020015.zip",
        "prod/driftlab-202609030015.zip",
        "prod/driftlab-latest.zip",
        "prod/old/driftlab-202608010015.zip",
        "prod/other-202608010015.zip",
    ];
    for key in expected_left {
        assert!(keys.contains(&key.to_string()), "{key} kept: {keys:?}");
    }
    assert!(!keys.contains(&"prod/driftlab-202609010015.zip".to_string()));
    assert_eq!(keys.len(), expected_left.len() + 1, "{keys:?}");

    // Rotation on its own, retention 1: the partial archive is superseded and outside it now.
    let out = store.run(
        None,
        &["rotate", "s3://nightly/prod", "--retain-count", "1"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "deleted s3://nightly/prod/driftlab-202609020015.zip\n\
         deleted s3://nightly/prod/driftlab-202609030015.zip\n"
    );
    assert_eq!(store.keys("prod/").len(), expected_left.len() - 1);
}

/// A snapshot of `count` ConfigMaps holding data that compresses poorly, so that its archive is
/// large enough for a multipart upload with small parts.
fn bulky_snapshot(dir: &Path, count: usize) -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut items = Vec::new();
    for index in 0..count {
        let mut data = String::new();
        for _ in 0..24 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            data.push_str(&format!("{state:016x}"));
        }
        items.push(serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("cm-{index:05}"), "namespace": "bulk"},
            "data": {"blob": data},
        }));
    }
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
    let path = dir.join("bulk.json");
    std::fs::write(&path, serde_json::to_vec(&list).unwrap()).unwrap();
    path.display().to_string()
}

/// Parts of 32 KiB; archives above 128 KiB go up in parts.
const SMALL_PART: &str = "32768";

#[test]
fn an_upload_cut_half_way_leaves_nothing_under_the_final_name() {
    let Some(store) = Store::start_with_min_part(1024) else {
        return;
    };
    let night1 = Served::start(NIGHT1);

    // One PUT, cut after 2 KB of the archive: retried, cut again, given up.
    let target = "s3://nightly/prod/driftlab-202609110015.zip";
    let proxy = CutProxy::start(
        &store.moto.address(),
        "PUT /nightly/prod/driftlab-202609110015.zip",
        2000,
    );
    let out = store
        .driftlab(Some(&proxy.url), Some(&night1))
        .args(["export", "-A", "-o", target, "-q"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(proxy.cuts() >= 1, "the upload was cut");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "{target}: upload failed, nothing was written under that name"
        )),
        "{err}"
    );
    assert!(store.keys("prod/").is_empty(), "{:?}", store.keys("prod/"));
    store.assert_staging_gone();

    // A multipart upload, its second part cut: aborted, nothing visible, no parts left behind.
    let snapshot_dir = tempfile::tempdir().unwrap();
    let bulky = Served::start(&bulky_snapshot(snapshot_dir.path(), 1500));
    let proxy = CutProxy::start(&store.moto.address(), "partNumber=2&", 1000);
    let out = store
        .driftlab(Some(&proxy.url), Some(&bulky))
        .env("DRIFTLAB_S3_PART_SIZE", SMALL_PART)
        .args(["export", "-A", "-o", target, "-q"])
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(proxy.cuts() >= 1, "the second part was cut");
    assert!(stderr(&out).contains("upload failed"), "{}", stderr(&out));
    assert!(store.keys("prod/").is_empty(), "{:?}", store.keys("prod/"));
    assert!(
        store.moto.pending_uploads(BUCKET).is_empty(),
        "the multipart upload was aborted"
    );
    store.assert_staging_gone();

    // The same upload, not cut: several parts, one whole archive that reads back.
    let out = store
        .driftlab(None, Some(&bulky))
        .env("DRIFTLAB_S3_PART_SIZE", SMALL_PART)
        .args(["export", "-A", "-o", target, "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let size = store
        .moto
        .get(BUCKET, "prod/driftlab-202609110015.zip")
        .unwrap()
        .len();
    assert!(size > 4 * 32768, "{size} bytes: large enough for parts");
    let out = store.run(None, &["check", target]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("1501 objects"), "{}", stdout(&out));
}

#[test]
fn sigterm_during_a_multipart_upload_aborts_it_and_leaves_nothing() {
    let Some(store) = Store::start_with_min_part(1024) else {
        return;
    };
    let snapshot_dir = tempfile::tempdir().unwrap();
    let bulky = Served::start(&bulky_snapshot(snapshot_dir.path(), 1500));
    // The second part hangs half way: the signal comes while the upload waits on it.
    let proxy = CutProxy::start_with(&store.moto.address(), "partNumber=2&", 1000, Cut::Hold);
    let home = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .args([
            "export",
            "-A",
            "-q",
            "-o",
            "s3://nightly/prod/driftlab-202609110015.zip",
        ])
        .envs(Moto::env(&proxy.url))
        .env("KUBECONFIG", kubeconfig(home.path(), &bulky.url))
        .env("TMPDIR", store.tmp())
        .env("DRIFTLAB_S3_PART_SIZE", SMALL_PART)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let held = proxy.wait_for_cut(std::time::Duration::from_secs(60));
    if !held {
        let _ = child.kill();
    }
    assert!(held, "the upload never reached its second part");
    assert!(
        child.try_wait().unwrap().is_none(),
        "the export ended while its upload was held"
    );
    // The archive is staged while it uploads.
    assert_eq!(std::fs::read_dir(store.tmp()).unwrap().count(), 1);
    let output = common::terminate(child);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("interrupted by SIGTERM"),
        "{}",
        stderr(&output)
    );
    assert!(store.keys("prod/").is_empty());
    assert!(
        store.moto.pending_uploads(BUCKET).is_empty(),
        "the multipart upload was aborted"
    );
    store.assert_staging_gone();
}

#[test]
fn bad_object_storage_settings_fail_with_one_line_before_the_cluster_is_read() {
    let Some(store) = Store::start() else { return };
    // No cluster at all: each run must stop at the bucket, naming it.
    let nowhere = tempfile::tempdir().unwrap();
    let config = kubeconfig(nowhere.path(), "http://127.0.0.1:9");
    // Each run exits 2 with one line that names the source and says `needle`.
    let refuses = |args: &[&str], env: &[(&str, &str)], needle: &str| {
        let mut command = store.driftlab(None, None);
        command.env("KUBECONFIG", &config);
        for (name, value) in env {
            command.env(name, value);
        }
        let out = command.args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    };
    refuses(
        &["export", "-A", "--output-dir", "s3://no-such-bucket/p"],
        &[],
        "s3://no-such-bucket/p: no such bucket",
    );
    refuses(
        &["check", "s3://no-such-bucket/p/x.zip"],
        &[],
        "s3://no-such-bucket/p/x.zip: no such bucket",
    );
    refuses(
        &["export", "-A", "--output-dir", "s3://nightly/p"],
        &[("AWS_ENDPOINT_URL", "http://192.0.2.1:9000")],
        "plain http is used only for a loopback address",
    );
    refuses(
        &["export", "-A", "--output-dir", "gs://nightly/p"],
        &[],
        "only S3 object storage",
    );
    refuses(
        &["diff", "s3://nightly/nothing-here", "s3://nightly/x.zip"],
        &[],
        "no such object, and no dated archive",
    );
    refuses(
        &["history", "s3://Not_A_Bucket/p"],
        &[],
        "not a bucket name",
    );
    // An object larger than the cap is refused by its size, before its body is read; one that
    // is not a zip under a .zip name is named as such.
    store
        .moto
        .put(BUCKET, "big/a.zip", &std::fs::read(repo(NIGHT1)).unwrap());
    refuses(
        &["check", "--max-bytes", "1000", "s3://nightly/big/a.zip"],
        &[],
        "s3://nightly/big/a.zip: larger than 1000 bytes (--max-bytes)",
    );
    store
        .moto
        .put(BUCKET, "big/b.zip", b"<html>not a zip</html>");
    refuses(
        &["diff", "s3://nightly/big/b.zip", "s3://nightly/big/a.zip"],
        &[],
        "s3://nightly/big/b.zip: not a zip archive",
    );
    store.assert_staging_gone();
}
