//! A backup tool never loses a good backup: exports from servers that are not what they seem,
//! fail halfway, or never end. Each test plants good archives first and checks that they survive.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::cluster::{Fault, FaultProxy, Served, kubeconfig};
use common::fake_api::{self, FakeApi, Reply};
use common::{NIGHT1, driftlab, file_names, stderr, stdout};
use serde_json::Value;

/// Two good archives of earlier nights in `dir` (copies of a real archive); their bytes.
fn plant_good_archives(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let bytes = std::fs::read(common::repo(NIGHT1)).unwrap();
    ["driftlab-201801010000.zip", "driftlab-201801020000.zip"]
        .iter()
        .map(|name| {
            (
                PathBuf::from(common::write(dir, name, &bytes)),
                bytes.clone(),
            )
        })
        .collect()
}

fn assert_intact(planted: &[(PathBuf, Vec<u8>)]) {
    for (path, bytes) in planted {
        assert_eq!(
            std::fs::read(path).ok().as_ref(),
            Some(bytes),
            "{} was lost",
            path.display()
        );
    }
}

fn export(config: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    driftlab()
        .args(["export", "--kubeconfig"])
        .arg(config)
        .arg("--output-dir")
        .arg(out)
        .args(extra)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
}

fn manifest(archive: &Path) -> Value {
    let entries = common::unzip(&std::fs::read(archive).unwrap());
    let (_, data) = entries
        .iter()
        .find(|(n, _)| n == "driftlab-manifest.json")
        .expect("manifest");
    serde_json::from_slice(data).unwrap()
}

fn one_error_line(output: &std::process::Output) -> String {
    let errors = stderr(output);
    let lines: Vec<&str> = errors
        .lines()
        .filter(|l| l.starts_with("driftlab: error:"))
        .collect();
    assert_eq!(lines.len(), 1, "{errors}");
    lines[0].to_string()
}

#[test]
fn a_url_that_answers_404_to_everything_writes_nothing_and_deletes_nothing() {
    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    proxy.fault(
        "/",
        "",
        usize::MAX,
        Fault::Status(404, vec![], "404 page not found".into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let planted = plant_good_archives(dir.path());
    let config = kubeconfig(dir.path(), &proxy.url);
    let output = export(
        &config,
        dir.path(),
        &["-n", "myproject", "--retain-count", "1"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let error = one_error_line(&output);
    assert!(error.contains("no Kubernetes API found"), "{error}");
    assert_intact(&planted);
    assert_eq!(
        file_names(dir.path()),
        [
            "driftlab-201801010000.zip",
            "driftlab-201801020000.zip",
            "kubeconfig.yaml"
        ]
    );

    // Against the same URL a diff does not report the archive's objects as removed.
    let output = driftlab()
        .args(["diff", NIGHT1, "live", "--kubeconfig"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    assert!(one_error_line(&output).contains("no Kubernetes API found"));
}

#[test]
fn core_discovery_failing_writes_nothing() {
    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    proxy.fault(
        "/api/v1$",
        "",
        usize::MAX,
        Fault::Status(503, vec![], "{}".into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let planted = plant_good_archives(dir.path());
    let output = export(
        &kubeconfig(dir.path(), &proxy.url),
        dir.path(),
        &["-n", "myproject", "--retain-count", "1"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        one_error_line(&output).contains("the core API (/api/v1) could not be discovered: 503")
    );
    assert_intact(&planted);
    assert_eq!(
        file_names(dir.path()).len(),
        3,
        "{:?}",
        file_names(dir.path())
    );
}

#[test]
fn a_failing_group_gives_a_partial_archive_that_displaces_no_complete_one() {
    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    proxy.fault(
        "/apis/apps.openshift.io/v1",
        "",
        usize::MAX,
        Fault::Status(503, vec![], "{}".into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let planted = plant_good_archives(dir.path());
    let output = export(
        &kubeconfig(dir.path(), &proxy.url),
        dir.path(),
        &["-n", "myproject", "--retain-count", "1"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert_intact(&planted);
    let partial = file_names(dir.path())
        .into_iter()
        .find(|n| n.starts_with("driftlab-2") && !n.starts_with("driftlab-2018"))
        .expect("the partial archive is written");
    let manifest = manifest(&dir.path().join(&partial));
    assert_eq!(manifest["complete"], false, "{manifest}");
    assert_eq!(
        manifest["missing"][0]["what"],
        "API group apps.openshift.io/v1"
    );

    // Rotation on its own keeps the newest complete archive: the partial one holds no place.
    let output = driftlab()
        .args(["rotate", "--retain-count", "1"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let left = file_names(dir.path());
    assert!(left.contains(&partial), "{left:?}");
    assert!(
        left.contains(&"driftlab-201801020000.zip".to_string()),
        "{left:?}"
    );
    assert!(
        !left.contains(&"driftlab-201801010000.zip".to_string()),
        "{left:?}"
    );

    // `check` says what the partial archive lacks.
    let output = driftlab()
        .arg("check")
        .arg(dir.path().join(&partial))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let said = stdout(&output);
    assert!(
        said.starts_with("PARTIAL") && said.contains("API group apps.openshift.io/v1"),
        "{said}"
    );
}

#[test]
fn diff_against_an_incomplete_live_read_fails_unless_partial_is_allowed() {
    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    proxy.fault(
        "/apis/apps.openshift.io/v1",
        "",
        usize::MAX,
        Fault::Status(503, vec![], "{}".into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &proxy.url);
    let output = driftlab()
        .args(["diff", NIGHT1, "live", "-n", "myproject", "--kubeconfig"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let error = one_error_line(&output);
    assert!(error.contains("--allow-partial"), "{error}");

    let output = driftlab()
        .args([
            "diff",
            NIGHT1,
            "live",
            "-n",
            "myproject",
            "--allow-partial",
            "--name-only",
            "--kubeconfig",
        ])
        .arg(&config)
        .output()
        .unwrap();
    assert!(output.status.code().unwrap() < 2, "{}", stderr(&output));
    // The DeploymentConfigs could not be read: left out, not reported as removed.
    let report = stdout(&output);
    assert!(!report.contains("DeploymentConfig"), "{report}");
    assert!(
        stderr(&output).contains("apps.openshift.io/v1") && stderr(&output).contains("left out"),
        "{}",
        stderr(&output)
    );
}

/// A tiny cluster with one namespace `p` whose config maps are listed by `list`.
fn cluster_with_config_maps(list: impl Fn(&str) -> Reply + Send + Sync + 'static) -> FakeApi {
    FakeApi::start(move |path, query| {
        if let Some(reply) = fake_api::core_discovery(path) {
            return reply;
        }
        match path {
            "/api/v1/namespaces/p" => Reply::Json(
                200,
                r#"{"kind":"Namespace","metadata":{"name":"p"}}"#.into(),
            ),
            "/api/v1/namespaces" => Reply::Json(200, fake_api::namespace_list(&["p"])),
            "/api/v1/namespaces/p/configmaps" => list(query),
            _ => Reply::Json(404, r#"{"kind":"Status","code":404}"#.into()),
        }
    })
}

#[test]
fn a_server_that_repeats_its_continue_token_fails_the_list_instead_of_looping() {
    let api = cluster_with_config_maps(|_| {
        Reply::Json(200, fake_api::config_map_list(&["a", "b"], Some("again")))
    });
    let dir = tempfile::tempdir().unwrap();
    let planted = plant_good_archives(dir.path());
    let config = kubeconfig(dir.path(), &api.url);
    let started = Instant::now();
    let output = export(&config, dir.path(), &["-n", "p", "--retain-count", "1"]);
    assert!(started.elapsed() < Duration::from_secs(60));
    // The namespace's only type could not be read: nothing trustworthy, nothing written.
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        one_error_line(&output).contains("the same continue token twice"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        file_names(dir.path()).len(),
        3,
        "{:?}",
        file_names(dir.path())
    );
    assert_intact(&planted);
    let pages = api
        .seen()
        .iter()
        .filter(|t| t.starts_with("/api/v1/namespaces/p/configmaps"))
        .count();
    assert_eq!(pages, 2, "{:?}", api.seen());

    let output = driftlab()
        .args(["diff", NIGHT1, "live", "-n", "p", "--kubeconfig"])
        .arg(&config)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

#[test]
fn an_endless_list_body_is_cut_off_by_the_byte_budget() {
    let api = cluster_with_config_maps(|_| Reply::Endless {
        prefix: r#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":["#.into(),
        chunk: r#"{"metadata":{"name":"x"},"data":{"k":"0123456789abcdef"}},"#.into(),
    });
    let dir = tempfile::tempdir().unwrap();
    let planted = plant_good_archives(dir.path());
    let config = kubeconfig(dir.path(), &api.url);
    let output = export(
        &config,
        dir.path(),
        &["-n", "p", "--max-bytes", "16MiB", "--retain-count", "1"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let error = one_error_line(&output);
    assert!(
        error.contains("more than 16 MiB read from the cluster"),
        "{error}"
    );
    assert_intact(&planted);
    assert_eq!(
        file_names(dir.path()).len(),
        3,
        "{:?}",
        file_names(dir.path())
    );
}

#[test]
fn an_endless_list_body_fails_its_list_under_the_default_limits() {
    let api = cluster_with_config_maps(|_| Reply::Endless {
        prefix: r#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":["#.into(),
        chunk: r#"{"metadata":{"name":"x"},"data":{"k":"0123456789abcdef"}},"#.into(),
    });
    let dir = tempfile::tempdir().unwrap();
    let output = export(&kubeconfig(dir.path(), &api.url), dir.path(), &["-n", "p"]);
    // One page larger than the response limit, then one of smaller pages: the list failed, and
    // since nothing else in the namespace could be read, nothing trustworthy was read at all.
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the response is larger than 128 MiB"),
        "{}",
        stderr(&output)
    );
    let limits: Vec<String> = api
        .seen()
        .into_iter()
        .filter(|t| t.starts_with("/api/v1/namespaces/p/configmaps"))
        .collect();
    assert_eq!(limits.len(), 2, "{limits:?}");
    assert!(limits[0].contains("limit=500") && limits[1].ends_with("limit=50"));
}

#[test]
fn hostile_names_from_a_server_never_become_paths() {
    let api = FakeApi::start(|path, _| {
        if let Some(reply) = fake_api::core_discovery(path) {
            return reply;
        }
        match path {
            "/api/v1/namespaces" => Reply::Json(
                200,
                fake_api::namespace_list(&["..", "../../../tmp/evil", "/abs", "good"]),
            ),
            "/api/v1/namespaces/good/configmaps" => {
                Reply::Json(200, fake_api::config_map_list(&["web"], None))
            }
            // The list across all namespaces: the hostile namespaces' objects are dropped
            // with them.
            "/api/v1/configmaps" => Reply::Json(
                200,
                fake_api::namespaced_config_map_list(
                    &[
                        ("..", "evil"),
                        ("../../../tmp/evil", "evil"),
                        ("good", "web"),
                    ],
                    None,
                ),
            ),
            _ if path.ends_with("/configmaps") => {
                Reply::Json(200, fake_api::config_map_list(&["evil"], None))
            }
            _ => Reply::Json(
                200,
                r#"{"kind":"List","apiVersion":"v1","items":[]}"#.into(),
            ),
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = export(&kubeconfig(dir.path(), &api.url), &out, &["-A"]);
    // The invalid namespaces could not be read: the archive is partial and says why.
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let archive = out.join(&file_names(&out)[0]);
    let entries: Vec<String> = common::unzip(&std::fs::read(&archive).unwrap())
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(
        entries.iter().all(|e| e.starts_with("good/")
            || e.starts_with("_cluster/")
            || e == "driftlab-manifest.json"),
        "{entries:?}"
    );
    assert!(entries.contains(&"good/configmaps.json".to_string()));
    let good = common::unzip(&std::fs::read(&archive).unwrap())
        .into_iter()
        .find(|(name, _)| name == "good/configmaps.json")
        .map(|(_, data)| String::from_utf8(data).unwrap())
        .unwrap();
    assert!(good.contains("\"web\"") && !good.contains("evil"), "{good}");
    let missing = manifest(&archive)["missing"].to_string();
    assert!(
        missing.contains(r#"namespace \"../../../tmp/evil\""#),
        "{missing}"
    );
    // Nothing was requested under the hostile names.
    assert!(
        api.seen()
            .iter()
            .all(|t| !t.contains("..") && !t.contains("/abs")),
        "{:?}",
        api.seen()
    );
    // And the archive reads back.
    let output = driftlab().arg("check").arg(&archive).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn a_named_namespace_that_does_not_exist_writes_nothing() {
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let output = export(
        &kubeconfig(dir.path(), &served.url),
        dir.path(),
        &["-n", "myprojet"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(one_error_line(&output).contains(r#"namespace "myprojet" not found"#));
    assert_eq!(file_names(dir.path()), ["kubeconfig.yaml"]);

    let output = export(
        &kubeconfig(dir.path(), &served.url),
        dir.path(),
        &["-n", "../x"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(one_error_line(&output).contains("not a valid namespace name"));
}

#[test]
fn sigterm_during_listing_leaves_no_archive_and_no_temporary_file() {
    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    // One list is held unanswered: the signal arrives while the export waits for it (with
    // every namespace, a type is listed once across all of them).
    let held = "/apis/apps.openshift.io/v1/deploymentconfigs";
    proxy.hold(held);
    let dir = tempfile::tempdir().unwrap();
    let planted = plant_good_archives(dir.path());
    let config = kubeconfig(dir.path(), &proxy.url);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .args(["export", "-q", "--retain-count", "1", "--kubeconfig"])
        .arg(&config)
        .arg("--output-dir")
        .arg(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let listing = proxy.wait_for(held, Duration::from_secs(60));
    if !listing {
        let _ = child.kill();
    }
    assert!(listing, "the export never requested {held}");
    // Listing: the temporary file is there and the export is still waiting for the held list.
    assert!(
        file_names(dir.path())
            .iter()
            .any(|n| n.ends_with(".partial")),
        "{:?}",
        file_names(dir.path())
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "the export ended while its list was held"
    );
    let output = common::terminate(child);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("interrupted by SIGTERM"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_intact(&planted);
    assert_eq!(
        file_names(dir.path()),
        [
            "driftlab-201801010000.zip",
            "driftlab-201801020000.zip",
            "kubeconfig.yaml"
        ]
    );
}

#[test]
fn stale_temporary_files_of_killed_exports_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    plant_good_archives(dir.path());
    let stale = common::write(dir.path(), ".driftlab-202601010000.zip.4242.partial", b"PK");
    let fresh = common::write(dir.path(), ".driftlab-202601020000.zip.4243.partial", b"PK");
    let other = common::write(dir.path(), ".other-202601010000.zip.1.partial", b"PK");
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for path in [&stale, &other] {
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
    let output = driftlab()
        .args(["rotate", "--retain-days", "36500"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!Path::new(&stale).exists());
    assert!(
        Path::new(&fresh).exists(),
        "a running export's file was removed"
    );
    assert!(
        Path::new(&other).exists(),
        "another prefix's file was removed"
    );
}

#[test]
fn an_archive_never_replaces_a_file_that_appeared_meanwhile() {
    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    proxy.fault(
        "/namespaces/",
        "",
        usize::MAX,
        Fault::Delay(Duration::from_millis(100)),
    );
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("tonight.zip");
    let config = kubeconfig(dir.path(), &proxy.url);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .args(["export", "-q", "-n", "myproject", "--kubeconfig"])
        .arg(&config)
        .arg("-o")
        .arg(&target)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while proxy.seen_paths("/namespaces/myproject/").len() < 2
        && started.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::write(&target, b"somebody else's file").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("not overwritten"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"somebody else's file");
    assert!(
        file_names(dir.path())
            .iter()
            .all(|n| !n.ends_with(".partial")),
        "{:?}",
        file_names(dir.path())
    );
}

#[test]
fn a_missing_output_directory_is_created() {
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("backups/nightly");
    let output = export(&kubeconfig(dir.path(), &served.url), &out, &["-n", "tools"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(file_names(&out).len(), 1);
}
