//! The metrics of `driftlab export` through the binary, against the real tools: the file passes
//! `promtool check metrics`; a real Pushgateway receives them under the export's grouping key;
//! a failed export reports `complete 0` with the last success carried over (from the file, or
//! from the gateway); the drift against the previous good archive is counted by category as
//! `driftlab diff` counts it; a bad, unreachable or silent gateway costs one warning line and
//! never the archive, nor a hang.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::cluster::{Served, get, kubeconfig, request};
use common::{NIGHT1, NIGHT2, driftlab, run_with_deadline, skip, stderr};

/// A Prometheus Pushgateway on loopback, ended when dropped.
struct Gateway {
    child: Child,
    url: String,
}

impl Gateway {
    fn start() -> Option<Gateway> {
        let binary = skip::prometheus_tool("prometheus-pushgateway")?;
        let port = free_port();
        let child = Command::new(binary)
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--persistence.file=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the pushgateway starts");
        let url = format!("http://127.0.0.1:{port}");
        let gateway = Gateway { child, url };
        let start = Instant::now();
        while std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_err() {
            assert!(start.elapsed() < Duration::from_secs(30), "gateway not up");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(gateway)
    }

    /// What the gateway serves at /metrics, driftlab's lines only.
    fn scrape(&self) -> Vec<String> {
        get(&self.url, "/metrics")
            .lines()
            .filter(|l| l.starts_with("driftlab_"))
            .map(String::from)
            .collect()
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `driftlab export` of the cluster at `config` into `out`, with `extra` flags.
fn export(config: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_driftlab"));
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("KUBECONFIG")
        .args(["export", "--quiet", "--kubeconfig"])
        .arg(config)
        .arg("--output-dir")
        .arg(out)
        .args(extra);
    run_with_deadline(&mut command, Duration::from_secs(120))
}

/// The value of the sample of `metric` (a name with its labels, as the line starts) in `text`.
fn value(text: &str, metric: &str) -> Option<f64> {
    text.lines()
        .find(|l| {
            l.strip_prefix(metric)
                .is_some_and(|rest| rest.starts_with([' ', '{']))
        })
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

/// `promtool check metrics` on `text`: its output when it fails.
fn promtool_check(text: &str) -> Option<Result<(), String>> {
    let promtool = skip::prometheus_tool("promtool")?;
    let mut child = Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    })
}

/// The only zip archive in `dir`.
fn the_archive(dir: &Path) -> PathBuf {
    let zips: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    assert_eq!(zips.len(), 1, "{zips:?}");
    zips.into_iter().next().unwrap()
}

/// Renames the archive of `dir` to a stamp `minutes` earlier (its manifest still agrees within
/// a day), so that the next export, in the same minute, does not meet its name.
fn make_older(dir: &Path, minutes: i64) -> PathBuf {
    let archive = the_archive(dir);
    let name = archive.file_name().unwrap().to_str().unwrap();
    let stamp = &name["driftlab-".len()..name.len() - 4];
    let at = driftlab::timestamp::Timestamp::parse_stamp(stamp).unwrap();
    let earlier = driftlab::timestamp::Timestamp::from_unix(at.to_unix() - minutes * 60);
    let renamed = dir.join(format!("driftlab-{}.zip", earlier.stamp()));
    std::fs::rename(&archive, &renamed).unwrap();
    renamed
}

/// Visible changes of `driftlab diff OLD NEW -o json` by category, counted from its JSON.
fn diff_categories(old: &Path, new: &Path) -> std::collections::BTreeMap<String, u64> {
    let out = driftlab()
        .args(["diff", "-o", "json"])
        .arg(old)
        .arg(new)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Each object's changes that have a category (hidden ones have none); an object added or
    // removed without changes of its own is one change of its category.
    let mut counts = std::collections::BTreeMap::new();
    for object in json["objects"].as_array().unwrap() {
        let mut counted = 0;
        for change in object["changes"].as_array().into_iter().flatten() {
            if let Some(category) = change["category"].as_str() {
                *counts.entry(category.to_string()).or_default() += 1;
                counted += 1;
            }
        }
        if counted == 0 && object["change"] != "changed" {
            let members = object["members"].as_array().map_or(1, Vec::len) as u64;
            let category = object["category"].as_str().unwrap().to_string();
            *counts.entry(category).or_default() += members;
        }
    }
    counts
}

#[test]
fn the_metrics_file_passes_promtool_and_counts_the_drift_as_diff_does() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archives");
    let metrics = dir.path().join("metrics").join("driftlab.prom");
    std::fs::create_dir_all(metrics.parent().unwrap()).unwrap();
    let flags = [
        "--metrics-file",
        metrics.to_str().unwrap(),
        "--metrics-cluster",
        "prod \"eu\"/1",
        "--keep-last",
        "7",
    ];

    let night1 = Served::start(NIGHT1);
    let config1 = kubeconfig(dir.path(), &night1.url);
    let first = export(&config1, &out, &flags);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let text = std::fs::read_to_string(&metrics).unwrap();
    if let Some(check) = promtool_check(&text) {
        check.unwrap_or_else(|e| panic!("promtool check metrics:\n{e}\n{text}"));
    }
    let labels = "{cluster=\"prod \\\"eu\\\"/1\",namespaces=\"all\"";
    assert_eq!(
        value(&text, &format!("driftlab_export_complete{labels}}}")),
        Some(1.0),
        "{text}"
    );
    let started = value(&text, "driftlab_export_start_timestamp_seconds").unwrap();
    let success = value(&text, "driftlab_export_last_success_timestamp_seconds").unwrap();
    assert!(success >= started, "{text}");
    assert!(
        value(&text, "driftlab_export_objects").unwrap() > 10.0,
        "{text}"
    );
    let bytes = value(&text, "driftlab_export_bytes").unwrap();
    assert_eq!(
        bytes as u64,
        std::fs::metadata(the_archive(&out)).unwrap().len()
    );
    assert!(
        !text.contains("driftlab_drift_changes"),
        "no previous archive: {text}"
    );
    assert_eq!(
        value(
            &text,
            &format!("driftlab_archives{labels},state=\"good\"}}")
        ),
        Some(1.0),
        "{text}"
    );
    drop(night1);

    // The next night: the cluster changed. Drift against the previous good archive.
    let old = make_older(&out, 60);
    let night2 = Served::start(NIGHT2);
    let config2 = kubeconfig(dir.path(), &night2.url);
    let second = export(&config2, &out, &flags);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let text = std::fs::read_to_string(&metrics).unwrap();
    if let Some(check) = promtool_check(&text) {
        check.unwrap_or_else(|e| panic!("promtool check metrics:\n{e}\n{text}"));
    }
    let new = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| *p != old)
        .unwrap();
    let expected = diff_categories(&old, &new);
    assert!(expected.values().sum::<u64>() > 0, "the nights differ");
    for category in [
        "security",
        "rollout-trigger",
        "pod-edited",
        "access",
        "used-configuration",
        "quota",
        "spec",
        "triggered-image",
        "metadata",
        "churn",
    ] {
        let metric = format!("driftlab_drift_changes{labels},category=\"{category}\"}}");
        assert_eq!(
            value(&text, &metric),
            Some(expected.get(category).copied().unwrap_or(0) as f64),
            "{category}: diff says {expected:?}\n{text}"
        );
    }
    assert_eq!(
        value(
            &text,
            &format!("driftlab_archives{labels},state=\"good\"}}")
        ),
        Some(2.0),
        "{text}"
    );
}

#[test]
fn a_failed_export_reports_incomplete_and_carries_the_last_success_over() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archives");
    std::fs::create_dir(&out).unwrap();
    let metrics = dir.path().join("driftlab.prom");
    let flags = ["--metrics-file", metrics.to_str().unwrap()];
    let served = Served::start(NIGHT1);
    let config = kubeconfig(dir.path(), &served.url);
    let good = export(&config, &out, &flags);
    assert_eq!(good.status.code(), Some(0), "{}", stderr(&good));
    let before = std::fs::read_to_string(&metrics).unwrap();
    let success = value(&before, "driftlab_export_last_success_timestamp_seconds").unwrap();

    // No API server any more: exit 2, nothing written, the metrics say so.
    let nobody = kubeconfig(dir.path(), &format!("http://127.0.0.1:{}", free_port()));
    let failed = export(&nobody, &out, &flags);
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    let after = std::fs::read_to_string(&metrics).unwrap();
    assert_eq!(
        value(&after, "driftlab_export_complete"),
        Some(0.0),
        "{after}"
    );
    assert_eq!(
        value(&after, "driftlab_export_last_success_timestamp_seconds"),
        Some(success),
        "carried over: {after}"
    );
    assert!(!after.contains("driftlab_export_objects"), "{after}");
    if let Some(check) = promtool_check(&after) {
        check.unwrap_or_else(|e| panic!("promtool check metrics:\n{e}\n{after}"));
    }
    // Without an earlier success, the metric is absent rather than invented.
    let fresh = dir.path().join("fresh.prom");
    let failed = export(&nobody, &out, &["--metrics-file", fresh.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(2));
    let text = std::fs::read_to_string(&fresh).unwrap();
    assert_eq!(
        value(&text, "driftlab_export_complete"),
        Some(0.0),
        "{text}"
    );
    assert!(!text.contains("last_success"), "{text}");
}

#[test]
fn metrics_are_pushed_to_a_real_pushgateway_under_the_exports_group() {
    let Some(gateway) = Gateway::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archives");
    let served = Served::start(NIGHT1);
    let config = kubeconfig(dir.path(), &served.url);
    let flags = [
        "--pushgateway",
        gateway.url.as_str(),
        "--metrics-cluster",
        "eu/prod",
        "--metrics-job",
        "nightly",
    ];
    let pushed = export(&config, &out, &flags);
    assert_eq!(pushed.status.code(), Some(0), "{}", stderr(&pushed));
    assert!(
        !stderr(&pushed).contains("Pushgateway"),
        "{}",
        stderr(&pushed)
    );
    let lines = gateway.scrape();
    let complete = lines
        .iter()
        .find(|l| l.starts_with("driftlab_export_complete{"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    for label in [
        "job=\"nightly\"",
        "cluster=\"eu/prod\"",
        "namespaces=\"all\"",
    ] {
        assert!(complete.contains(label), "{complete}");
    }
    assert!(complete.ends_with(" 1"), "{complete}");
    let success = lines
        .iter()
        .find(|l| l.starts_with("driftlab_export_last_success_timestamp_seconds{"))
        .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .unwrap();

    // A failed run with the gateway alone: the last success is read back from the gateway.
    let nobody = kubeconfig(dir.path(), &format!("http://127.0.0.1:{}", free_port()));
    let failed = export(&nobody, &out, &flags);
    assert_eq!(failed.status.code(), Some(2), "{}", stderr(&failed));
    let lines = gateway.scrape();
    let find = |name: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{name}{{")))
            .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
    };
    assert_eq!(find("driftlab_export_complete"), Some(0.0), "{lines:#?}");
    assert_eq!(
        find("driftlab_export_last_success_timestamp_seconds"),
        Some(success),
        "{lines:#?}"
    );
    // The `/` in the cluster name went through the gateway's base64 form, not the path.
    let (status, _) = request(&gateway.url, "GET", "/api/v1/metrics");
    assert_eq!(status, 200);
}

#[test]
fn a_gateway_that_is_down_or_silent_costs_a_warning_never_the_archive_nor_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(NIGHT1);
    let config = kubeconfig(dir.path(), &served.url);

    // Nothing listens.
    let down = format!("http://127.0.0.1:{}", free_port());
    let out = dir.path().join("a");
    let output = export(&config, &out, &["--pushgateway", &down]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("Pushgateway")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].contains(&down) && lines[0].contains("cannot push"),
        "{err}"
    );
    the_archive(&out);

    // A metrics file in a folder that does not exist: the same, one line naming it.
    let out = dir.path().join("c");
    let nowhere = dir.path().join("no-such-folder").join("driftlab.prom");
    let output = export(
        &config,
        &out,
        &["--metrics-file", nowhere.to_str().unwrap()],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let err = stderr(&output);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("--metrics-file"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains(nowhere.to_str().unwrap()), "{err}");
    the_archive(&out);

    // It accepts connections and never answers: the timeout ends the wait.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming().take(1) {
            held.push(stream);
            std::thread::sleep(Duration::from_secs(20));
        }
    });
    let out = dir.path().join("b");
    let mut command = Command::new(env!("CARGO_BIN_EXE_driftlab"));
    command
        .env_remove("KUBECONFIG")
        .env("DRIFTLAB_PUSHGATEWAY_TIMEOUT_MS", "500")
        .args(["export", "--quiet", "--kubeconfig"])
        .arg(&config)
        .arg("--output-dir")
        .arg(&out)
        .args(["--pushgateway", &url]);
    let output = run_with_deadline(&mut command, Duration::from_secs(15));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no answer in time"),
        "{}",
        stderr(&output)
    );
    the_archive(&out);
    drop(held);
}

#[test]
fn a_bad_gateway_url_ends_the_run_before_anything_is_read_or_written() {
    let dir = tempfile::tempdir().unwrap();
    // No cluster at all: the URL is refused first.
    let config = kubeconfig(dir.path(), &format!("http://127.0.0.1:{}", free_port()));
    for (url, why) in [
        ("pushgateway:9091", "not http or https"),
        ("http://", "not a URL"),
        ("http://gw:9091/?x=1", "query"),
    ] {
        let out = dir.path().join("out");
        let output = export(&config, &out, &["--pushgateway", url]);
        assert_eq!(output.status.code(), Some(2), "{url}");
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("--pushgateway") && err.contains(why),
            "{url}: {err}"
        );
        assert!(!out.exists(), "nothing written");
    }
}

/// A Deployment of `shop`, its container privileged or not.
fn deployment(privileged: bool) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: shop}}\n\
         spec:\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n\
         \x20   spec:\n      containers:\n      - name: web\n        image: web:1\n\
         \x20       securityContext: {{privileged: {privileged}}}\n\
         ---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: shop}}\n"
    )
}

#[test]
fn a_container_made_privileged_overnight_counts_as_security_drift() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("archives");
    let metrics = dir.path().join("driftlab.prom");
    let flags = ["--metrics-file", metrics.to_str().unwrap()];
    for (night, privileged) in [("before.yaml", false), ("after.yaml", true)] {
        let snapshot = dir.path().join(night);
        std::fs::write(&snapshot, deployment(privileged)).unwrap();
        let served = Served::start(snapshot.to_str().unwrap());
        let config = kubeconfig(dir.path(), &served.url);
        if privileged {
            make_older(&out, 30);
        }
        let run = export(&config, &out, &flags);
        assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    }
    let text = std::fs::read_to_string(&metrics).unwrap();
    let security = "driftlab_drift_changes{namespaces=\"all\",category=\"security\"}";
    assert_eq!(value(&text, security), Some(1.0), "{text}");
    // No rotation ran: the previous good archive was found by reading the folder, and no
    // archive count is claimed.
    assert!(!text.contains("driftlab_archives"), "{text}");
}

#[test]
fn a_gateway_that_answers_without_end_is_cut_off_not_read_whole() {
    // A failed export asks the gateway for the last success; this one streams its answer
    // forever, faster than any timeout would help.
    let endless = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", endless.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in endless.incoming().flatten() {
            std::thread::spawn(move || {
                use std::io::{Read, Write};
                let mut stream = stream;
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let _ =
                    stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[");
                let chunk = vec![b' '; 1 << 16];
                while stream.write_all(&chunk).is_ok() {}
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let nobody = kubeconfig(dir.path(), &format!("http://127.0.0.1:{}", free_port()));
    let mut command = Command::new(env!("CARGO_BIN_EXE_driftlab"));
    command
        .env_remove("KUBECONFIG")
        .env("DRIFTLAB_PUSHGATEWAY_TIMEOUT_MS", "600000")
        .args(["export", "--quiet", "--kubeconfig"])
        .arg(&nobody)
        .arg("--output-dir")
        .arg(dir.path().join("out"))
        .args(["--pushgateway", &url]);
    let output = run_with_deadline(&mut command, Duration::from_secs(60));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("answered more than 32 MiB"), "{err}");
}
