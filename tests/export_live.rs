//! `driftlab export`, `driftlab rotate` and `driftlab diff … live` against `driftlab serve` on
//! loopback, with faults injected by a proxy in between.

mod common;

use std::path::Path;
use std::time::Duration;

use common::cluster::{Fault, FaultProxy, Served, kubeconfig};
use common::{NIGHT1, NIGHT2, driftlab, stderr, stdout};
use serde_json::Value;
use sha2::Digest;

/// Archives (`*.zip`) in `dir`, sorted.
fn zips(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".zip"))
        .collect();
    names.sort();
    names
}

fn export(kubeconfig: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    driftlab()
        .args([
            "export",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--output-dir",
            out.to_str().unwrap(),
        ])
        .args(extra)
        .output()
        .unwrap()
}

/// `driftlab serve --show-secrets`: secret values served raw, as a real API server serves them.
fn show_secrets() -> common::cluster::ServeSetup {
    common::cluster::ServeSetup {
        flags: vec!["--show-secrets".into()],
        ..Default::default()
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn manifest(archive: &Path) -> Value {
    let entries = common::unzip(&std::fs::read(archive).unwrap());
    let (_, data) = entries
        .iter()
        .find(|(n, _)| n == "driftlab-manifest.json")
        .expect("manifest");
    serde_json::from_slice(data).unwrap()
}

#[test]
fn export_writes_a_pruned_dated_archive_that_diffs_clean_against_its_source() {
    // Secrets served raw, as a real API server serves them.
    let served = Served::start_with(NIGHT1, &show_secrets());
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &served.url);
    let out = dir.path().join("backups");
    std::fs::create_dir(&out).unwrap();
    let output = export(&config, &out, &["-n", "myproject", "-n", "tools"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let archives = zips(&out);
    assert_eq!(archives.len(), 1);
    let name = &archives[0];
    assert!(
        name.starts_with("driftlab-") && name.len() == "driftlab-202611261905.zip".len(),
        "{name}"
    );
    let archive = out.join(name);
    assert!(
        stdout(&output).starts_with(&format!("{}: ", archive.display())),
        "{}",
        stdout(&output)
    );

    // Plain log lines like the original tool's when stderr is not a terminal.
    let log = stderr(&output);
    assert!(
        log.contains("Exporting 'deploymentconfigs' resources to myproject/deploymentconfigs.json"),
        "{log}"
    );
    // Empty lists are summed up in one line, not one line each.
    assert!(!log.contains("limitranges.json"), "{log}");
    let skipped: Vec<&str> = log.lines().filter(|l| l.starts_with("Skipped")).collect();
    assert_eq!(skipped.len(), 1, "{log}");
    assert!(
        skipped[0].starts_with("Skipped ")
            && skipped[0].contains(" empty lists (")
            && skipped[0].ends_with("--verbose lists each)"),
        "{log}"
    );
    assert!(log.lines().count() < 40, "{log}");

    // Layout, format and order.
    let bytes = std::fs::read(&archive).unwrap();
    let entries = common::unzip(&bytes);
    let (_, dcs) = entries
        .iter()
        .find(|(n, _)| n == "myproject/deploymentconfigs.json")
        .expect("dc list");
    let text = String::from_utf8(dcs.clone()).unwrap();
    assert!(
        text.starts_with("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\""),
        "{text}"
    );
    let list: Value = serde_json::from_str(&text).unwrap();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["postgresql", "web"]);
    assert!(
        list["items"][1]["spec"]["triggers"][1]["imageChangeParams"]
            .get("lastTriggeredImage")
            .is_none()
    );
    assert!(entries.iter().any(|(n, _)| n == "_cluster/namespaces.json"));
    // Secret values are hashed, never stored: no value as served appears in any decompressed
    // entry (the compressed bytes would hide it), and the stored form is the decoded value's hash.
    let served_secrets: Value = serde_json::from_str(&common::cluster::get(
        &served.url,
        "/api/v1/namespaces/myproject/secrets/web-creds",
    ))
    .unwrap();
    let raw = served_secrets["data"]["database-password"]
        .as_str()
        .unwrap()
        .to_string();
    let decoded = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &raw).unwrap();
    let text: String = entries
        .iter()
        .map(|(_, data)| String::from_utf8_lossy(data).into_owned())
        .collect();
    assert!(
        !text.contains(&raw) && !text.contains(&*String::from_utf8_lossy(&decoded)),
        "a raw secret value is in a decompressed entry"
    );
    let (_, secrets) = entries
        .iter()
        .find(|(n, _)| n == "myproject/secrets.json")
        .expect("secrets");
    let secrets: Value = serde_json::from_slice(secrets).unwrap();
    let web_creds = secrets["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metadata"]["name"] == "web-creds")
        .unwrap();
    assert!(
        web_creds["data"]["database-password"].as_str()
            == Some(&format!("sha256:{}", sha256_hex(&decoded))),
        "the stored value is not the SHA-256 of the decoded value"
    );

    let manifest = manifest(&archive);
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["secrets"], "hash");
    assert_eq!(
        manifest["namespaces"],
        serde_json::json!(["myproject", "tools"])
    );
    assert_eq!(manifest["server"]["url"], served.url);
    assert!(manifest["objects"].as_u64().unwrap() > 25);
    let dc_count = manifest["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "deploymentconfigs.apps.openshift.io")
        .unwrap();
    assert_eq!(dc_count["count"], 3);

    // Against the OpenShift 3 archive it was served from: the same objects. What differs is the
    // legacy apiVersions and role binding form, which api-upgrade hides and counts.
    let output = driftlab()
        .args(["diff", NIGHT1, archive.to_str().unwrap(), "--name-only"])
        .output()
        .unwrap();
    assert_eq!(stdout(&output), "", "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(0));
    let output = driftlab()
        .args(["diff", NIGHT1, archive.to_str().unwrap(), "--explain"])
        .output()
        .unwrap();
    let text = stdout(&output);
    for hidden in [
        "RoleBinding myproject/admin",
        "DeploymentConfig tools/jenkins",
        "ImageStream tools/jenkins-agent-maven",
    ] {
        assert!(text.contains(hidden), "{hidden}: {text}");
    }
    assert!(text.contains("[api-upgrade]"), "{text}");
}

#[test]
fn forbidden_secrets_are_skipped_and_the_export_succeeds() {
    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    proxy.fault(
        "/secrets",
        "",
        usize::MAX,
        Fault::Status(
            403,
            vec![],
            r#"{"kind":"Status","message":"secrets is forbidden","reason":"Forbidden","code":403}"#
                .into(),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &proxy.url);
    let output = export(&config, dir.path(), &["-n", "myproject"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "Skipped 1 list the account may not read (secrets in myproject; --verbose lists each)"
        ),
        "{}",
        stderr(&output)
    );
    let archive = dir.path().join(&zips(dir.path())[0]);
    let entries = common::unzip(&std::fs::read(&archive).unwrap());
    assert!(!entries.iter().any(|(n, _)| n.ends_with("secrets.json")));
    assert!(
        entries
            .iter()
            .any(|(n, _)| n == "myproject/deploymentconfigs.json")
    );
    let manifest = manifest(&archive);
    assert_eq!(manifest["complete"], true);
    assert_eq!(manifest["skipped"][0]["resource"], "secrets");
    assert_eq!(manifest["skipped"][0]["reason"], "forbidden");
}

#[test]
fn a_broken_api_group_makes_the_export_partial_and_rotates_nothing() {
    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    proxy.fault(
        "/apis/build.openshift.io/v1",
        "",
        usize::MAX,
        Fault::Status(503, vec![], "{}".into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let good = common::write(
        dir.path(),
        "driftlab-201801010000.zip",
        &std::fs::read(common::repo(NIGHT1)).unwrap(),
    );
    let output = export(
        &kubeconfig(dir.path(), &proxy.url),
        dir.path(),
        &["-n", "myproject", "--retain-count", "1"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Failed: API group build.openshift.io/v1: not discovered: 503"),
        "{}",
        stderr(&output)
    );
    assert!(
        Path::new(&good).exists(),
        "a partial export rotated a good archive away"
    );
    let archives = zips(dir.path());
    assert_eq!(archives.len(), 2, "{archives:?}");
    let archive = dir.path().join(&archives[1]);
    let entries = common::unzip(&std::fs::read(&archive).unwrap());
    assert!(!entries.iter().any(|(n, _)| n.contains("builds")));
    assert!(
        entries
            .iter()
            .any(|(n, _)| n == "myproject/deploymentconfigs.json")
    );
    let manifest = manifest(&archive);
    assert_eq!(manifest["complete"], false);
    assert!(
        manifest["missing"][0]["what"]
            .as_str()
            .unwrap()
            .contains("build.openshift.io"),
        "{manifest}"
    );
}

#[test]
fn transient_errors_are_retried() {
    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    proxy.fault(
        "/namespaces/myproject/pods",
        "",
        1,
        Fault::Status(500, vec![], "{}".into()),
    );
    proxy.fault(
        "/namespaces/myproject/services",
        "",
        1,
        Fault::Status(429, vec![("Retry-After".into(), "1".into())], "{}".into()),
    );
    proxy.fault(
        "/namespaces/myproject/replicationcontrollers",
        "",
        1,
        Fault::DropMidBody,
    );
    let dir = tempfile::tempdir().unwrap();
    let output = export(
        &kubeconfig(dir.path(), &proxy.url),
        dir.path(),
        &["-n", "myproject"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let archive = dir.path().join(&zips(dir.path())[0]);
    let entries = common::unzip(&std::fs::read(&archive).unwrap());
    for list in [
        "myproject/pods.json",
        "myproject/services.json",
        "myproject/replicationcontrollers.json",
    ] {
        assert!(
            entries.iter().any(|(n, _)| n == list),
            "{list} missing after retry"
        );
    }
    assert_eq!(manifest(&archive)["complete"], true);
    assert_eq!(proxy.seen_paths("/namespaces/myproject/pods").len(), 2);
    assert_eq!(
        proxy
            .seen_paths("/namespaces/myproject/replicationcontrollers")
            .len(),
        2
    );
    // Retry-After was honoured: a second between the throttled request and its retry.
    let services: Vec<_> = proxy
        .seen()
        .into_iter()
        .filter(|s| s.target.contains("/namespaces/myproject/services"))
        .collect();
    assert_eq!(services.len(), 2);
    assert!(
        services[1].at - services[0].at >= Duration::from_millis(950),
        "{:?}",
        services[1].at - services[0].at
    );
}

#[test]
fn an_expired_continue_token_restarts_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let items: Vec<Value> = (0..1200)
        .map(|i| serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("cm-{i:04}"), "namespace": "big"}, "data": {"i": i.to_string()}}))
        .collect();
    let snapshot = common::write(
        dir.path(),
        "big.json",
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items})
            .to_string()
            .as_bytes(),
    );
    let served = Served::start(&snapshot);
    let proxy = FaultProxy::start(&served.url);
    proxy.fault(
        "/namespaces/big/configmaps",
        "continue=",
        1,
        Fault::Status(
            410,
            vec![],
            r#"{"kind":"Status","reason":"Expired","code":410}"#.into(),
        ),
    );
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let output = export(&kubeconfig(dir.path(), &proxy.url), &out, &["-n", "big"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let pages = proxy.seen_paths("/namespaces/big/configmaps");
    // First page, the expired second page, then all three pages again.
    assert_eq!(pages.len(), 5, "{pages:?}");
    assert!(pages.iter().all(|p| p.contains("limit=500")));
    let archive = out.join(&zips(&out)[0]);
    let entries = common::unzip(&std::fs::read(&archive).unwrap());
    let (_, list) = entries
        .iter()
        .find(|(n, _)| n == "big/configmaps.json")
        .unwrap();
    let list: Value = serde_json::from_slice(list).unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1200);
}

#[test]
fn lasting_failures_give_a_partial_archive_exit_3_and_no_rotation() {
    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    proxy.fault(
        "/namespaces/myproject/routes",
        "",
        usize::MAX,
        Fault::Status(503, vec![], r#"{"message":"backend down"}"#.into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let old = common::write(dir.path(), "driftlab-201801010000.zip", b"an old archive");
    let output = export(
        &kubeconfig(dir.path(), &proxy.url),
        dir.path(),
        &["-n", "myproject", "--retain-count", "1"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "Failed: routes in myproject: 503 Service Unavailable: backend down (after 3 tries)"
        ),
        "{}",
        stderr(&output)
    );
    assert!(
        stdout(&output).contains("PARTIAL: 1 missing"),
        "{}",
        stdout(&output)
    );
    assert_eq!(proxy.seen_paths("/namespaces/myproject/routes").len(), 3);
    // The partial archive is written and says so; the older archive was not rotated away.
    assert!(Path::new(&old).exists());
    let archives = zips(dir.path());
    assert_eq!(archives.len(), 2);
    let manifest = manifest(&dir.path().join(&archives[1]));
    assert_eq!(manifest["complete"], false);
    assert_eq!(manifest["partial"], true);
    assert_eq!(
        manifest["failed"][0]["resource"],
        "routes.route.openshift.io"
    );
}

#[test]
fn an_unreachable_cluster_or_bad_credentials_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = kubeconfig(dir.path(), &format!("http://127.0.0.1:{port}"));
    let output = export(&config, dir.path(), &["-n", "myproject"]);
    assert_eq!(output.status.code(), Some(2));
    let errors = stderr(&output);
    assert_eq!(errors.lines().count(), 1, "{errors}");
    assert!(
        errors.starts_with(&format!(
            "driftlab: error: cannot reach the cluster at http://127.0.0.1:{port}"
        )),
        "{errors}"
    );
    assert!(zips(dir.path()).is_empty());

    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    proxy.fault(
        "/",
        "",
        usize::MAX,
        Fault::Status(
            401,
            vec![],
            r#"{"kind":"Status","message":"Unauthorized","code":401}"#.into(),
        ),
    );
    let output = export(
        &kubeconfig(dir.path(), &proxy.url),
        dir.path(),
        &["-n", "myproject"],
    );
    assert_eq!(output.status.code(), Some(2));
    let errors = stderr(&output);
    assert!(errors.contains("credentials not accepted"), "{errors}");
    assert_eq!(errors.lines().count(), 1, "{errors}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "only the kubeconfig: {left:?}");
}

#[test]
fn a_killed_export_leaves_no_archive_and_earlier_ones_intact() {
    let served = Served::start(NIGHT1);
    let proxy = FaultProxy::start(&served.url);
    // One list is held unanswered: the export is killed while it waits for it.
    // With every namespace, a type is listed once across all of them.
    let held = "/apis/apps.openshift.io/v1/deploymentconfigs";
    proxy.hold(held);
    let dir = tempfile::tempdir().unwrap();
    let earlier = common::write(
        dir.path(),
        "driftlab-201801010000.zip",
        &std::fs::read(common::repo(NIGHT1)).unwrap(),
    );
    let before = std::fs::read(&earlier).unwrap();
    let config = kubeconfig(dir.path(), &proxy.url);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .args([
            "export",
            "--kubeconfig",
            config.to_str().unwrap(),
            "--output-dir",
            dir.path().to_str().unwrap(),
            "--retain-count",
            "1",
            "-q",
        ])
        .spawn()
        .unwrap();
    // Wait until the held list is requested: the export is listing, and cannot finish before
    // the proxy answers it.
    let listing = proxy.wait_for(held, Duration::from_secs(60));
    if !listing {
        let _ = child.kill();
    }
    assert!(listing, "the export never requested {held}");
    assert!(
        child.try_wait().unwrap().is_none(),
        "the export ended while its list was held"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(zips(dir.path()), ["driftlab-201801010000.zip"]);
    assert_eq!(std::fs::read(&earlier).unwrap(), before);
    // Whatever was left is hidden and not named like an archive.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name == "driftlab-201801010000.zip"
                || name == "kubeconfig.yaml"
                || (name.starts_with('.') && name.ends_with(".partial")),
            "{name}"
        );
    }
}

#[test]
fn secrets_modes_and_service_account_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = common::write(
        dir.path(),
        "secrets.yaml",
        b"apiVersion: v1\nkind: Secret\nmetadata: {name: app, namespace: p}\ntype: Opaque\ndata: {password: czNjcjN0}\n---\n\
apiVersion: v1\nkind: Secret\nmetadata: {name: default-token-abcde, namespace: p, annotations: {kubernetes.io/service-account.name: default}}\n\
type: kubernetes.io/service-account-token\ndata: {token: ZXlKaGJHY2k=}\n---\n\
apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: p}\ndata: {a: b}\n",
    );
    // A server that serves raw values, as a real API server does (serve hashes them otherwise,
    // and an export of hashes proves nothing about what export does with raw values).
    let served = Served::start_with(&snapshot, &show_secrets());
    let config = kubeconfig(dir.path(), &served.url);
    // The value exactly as the server serves it, and its decoded bytes.
    let served_secret: Value = serde_json::from_str(&common::cluster::get(
        &served.url,
        "/api/v1/namespaces/p/secrets/app",
    ))
    .unwrap();
    let raw = served_secret["data"]["password"]
        .as_str()
        .unwrap()
        .to_string();
    let decoded = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &raw).unwrap();
    let decoded = String::from_utf8(decoded).unwrap();
    let digest = sha256_hex(decoded.as_bytes());
    for mode in ["hash", "include", "skip"] {
        let out = dir.path().join(mode);
        std::fs::create_dir(&out).unwrap();
        let output = export(&config, &out, &["-n", "p", "--secrets", mode]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let archive = out.join(&zips(&out)[0]);
        let entries = common::unzip(&std::fs::read(&archive).unwrap());
        // Every Secret object of every decompressed list entry.
        let mut secrets = Vec::new();
        for (name, data) in &entries {
            let document: Value = serde_json::from_slice(data).unwrap();
            for item in document["items"].as_array().into_iter().flatten() {
                if item["kind"] == "Secret" || name.ends_with("/secrets.json") {
                    secrets.push(item.clone());
                }
            }
        }
        let text: String = entries
            .iter()
            .map(|(_, data)| String::from_utf8_lossy(data).into_owned())
            .collect();
        assert!(
            entries.iter().any(|(n, _)| n == "p/configmaps.json"),
            "{mode}: the rest of the namespace is exported"
        );
        assert!(
            !text.contains("ZXlKaGJHY2k="),
            "{mode}: a service-account token reached the archive"
        );
        match mode {
            "include" => {
                assert_eq!(secrets.len(), 1, "token secrets are always left out");
                assert_eq!(secrets[0]["metadata"]["name"], "app");
                // Compared without printing the value.
                assert!(
                    secrets[0]["data"]["password"].as_str() == Some(raw.as_str()),
                    "include did not keep the served value as it was"
                );
            }
            "hash" => {
                assert_eq!(secrets.len(), 1, "token secrets are always left out");
                // Compared without printing what was stored: it may be the raw value.
                assert!(
                    secrets[0]["data"]["password"].as_str() == Some(&format!("sha256:{digest}")),
                    "hash: the stored value is not the SHA-256 of the decoded value"
                );
                for leak in [raw.as_str(), decoded.as_str()] {
                    assert!(
                        !text.contains(leak),
                        "hash: a raw secret value is in a decompressed entry"
                    );
                }
            }
            _ => {
                assert!(secrets.is_empty(), "skip: {} Secret objects", secrets.len());
                assert!(
                    !text.contains(&raw),
                    "skip: a raw secret value is in the archive"
                );
            }
        }
        let manifest = manifest(&archive);
        assert_eq!(manifest["secrets"], mode);
        assert_eq!(
            manifest["serviceAccountTokenSecrets"]["leftOut"],
            if mode == "skip" { 0 } else { 1 }
        );
    }
}

#[test]
fn diff_against_live() {
    let served = Served::start(NIGHT2);
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &served.url);
    let output = driftlab()
        .args([
            "diff",
            NIGHT1,
            "live",
            "--kubeconfig",
            config.to_str().unwrap(),
            "-n",
            "myproject",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(&format!("Comparing {NIGHT1} (2018-09-11 00:15) → live (")),
        "{text}"
    );
    assert!(text.contains(r#"~ spec.template.spec.containers[web].readinessProbe.httpGet.path   "/healthz" → "/ready""#), "{text}");
    assert!(text.contains("~ ReplicationController web-3 → web-4   replaced; same template changes as DeploymentConfig web"), "{text}");

    // Either side may be live, and every output works the same.
    let output = driftlab()
        .args([
            "diff",
            "live",
            NIGHT2,
            "--kubeconfig",
            config.to_str().unwrap(),
            "--output",
            "json",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["old"]["format"], "live cluster");
    // Live is read as export reads it: only what export prunes differs from the archive (hidden as
    // noise), besides the apiVersions OpenShift 3 wrote as `v1`.
    assert!(report["summary"]["noise_hidden"].as_u64().unwrap() >= 1);
    let mut other_changes = Vec::new();
    for object in report["objects"].as_array().unwrap() {
        assert_eq!(object["change"], "changed", "{object}");
        for change in object["changes"].as_array().unwrap() {
            if change["path"] != "apiVersion" {
                other_changes.push(format!(
                    "{} {}: {}",
                    object["kind"], object["name"], change["path"]
                ));
            }
        }
    }
    assert_eq!(other_changes, Vec::<String>::new(), "{}", stdout(&output));
}

#[test]
fn rotate_deletes_only_dated_archives_by_the_date_in_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let now = driftlab::timestamp::Timestamp::now();
    let day =
        |ago: i64| driftlab::timestamp::Timestamp::from_unix(now.to_unix() - ago * 86_400).stamp();
    let names = [
        format!("driftlab-{}.zip", day(1)),
        format!("driftlab-{}.zip", day(3)),
        format!("driftlab-{}.zip", &day(10)[..8]),
        format!("driftlab-{}.zip", day(30)),
        "driftlab-latest.zip".to_string(),
        format!("driftlab-{}.zip.bak", day(30)),
        format!("openshift-backup{}.zip", day(30)),
        "notes.txt".to_string(),
        format!("openshift-backup{}.zip", day(2)),
    ];
    // Complete archives all (the original tool's, which carry no manifest).
    let archive = std::fs::read(common::repo(NIGHT1)).unwrap();
    for name in &names {
        common::write(dir.path(), name, &archive);
    }
    let output = driftlab()
        .args(["rotate", dir.path().to_str().unwrap(), "--retain-days", "7"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 2, "{}", stdout(&output));
    let left = |dir: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let remaining = left(dir.path());
    assert!(
        !remaining.contains(&names[2]) && !remaining.contains(&names[3]),
        "{remaining:?}"
    );
    for kept in [
        &names[0], &names[1], &names[4], &names[5], &names[6], &names[7], &names[8],
    ] {
        assert!(remaining.contains(kept), "{kept} was deleted");
    }

    // The newest survives whatever the rules say; another prefix is another folder's business.
    let output = driftlab()
        .args([
            "rotate",
            dir.path().to_str().unwrap(),
            "--retain-days",
            "0",
            "--retain-count",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(left(dir.path()).contains(&names[0]));
    assert!(!left(dir.path()).contains(&names[1]));
    let output = driftlab()
        .args([
            "rotate",
            dir.path().to_str().unwrap(),
            "--retain-days",
            "7",
            "--prefix",
            "openshift-backup",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&output).trim(),
        format!("would delete {}", dir.path().join(&names[6]).display())
    );
    assert!(left(dir.path()).contains(&names[6]));

    let output = driftlab()
        .args(["rotate", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn export_rotates_after_success_but_keeps_the_new_archive() {
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &served.url);
    common::write(dir.path(), "openshift-backup201801010000.zip", b"old");
    common::write(dir.path(), "openshift-backup20180102.zip", b"old");
    common::write(dir.path(), "keep-me.zip", b"other");
    let output = export(
        &config,
        dir.path(),
        &[
            "-n",
            "tools",
            "--prefix",
            "openshift-backup",
            "--retain-days",
            "7",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let archives = zips(dir.path());
    assert_eq!(archives.len(), 2, "{archives:?}");
    assert!(archives.contains(&"keep-me.zip".to_string()));
    assert!(archives.iter().any(|n| n.starts_with("openshift-backup2")
        && n.len() == "openshift-backup202611261905.zip".len()));
    assert_eq!(
        stdout(&output).matches("rotated out").count(),
        2,
        "{}",
        stdout(&output)
    );
}

#[test]
fn serve_listens_on_loopback_only_unless_asked() {
    let output = driftlab()
        .args(["serve", NIGHT1, "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a loopback address (--allow-remote"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn serve_allow_remote_answers_on_a_network_address() {
    let Some(ip) = common::skip::network_address() else {
        return;
    };
    // That very address is refused without the flag, as 0.0.0.0 is.
    let refused = driftlab()
        .args(["serve", NIGHT1, "--listen", &format!("{ip}:0")])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("not a loopback address"));

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .args(["serve", NIGHT1, "--listen", "0.0.0.0:0", "--allow-remote"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    let port = first.trim().rsplit(':').next().unwrap().to_string();
    let (status, body) =
        common::cluster::request(&format!("http://{ip}:{port}"), "GET", "/api/v1/namespaces");
    common::terminate(child);
    assert_eq!(status, 200, "{first}{body}");
    let names: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(names["kind"], "NamespaceList", "{body}");
}

#[test]
fn an_account_that_may_not_list_namespaces_exports_its_projects() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = common::write(
        dir.path(),
        "projects.yaml",
        b"apiVersion: project.openshift.io/v1\nkind: Project\nmetadata: {name: shop}\n---\n\
apiVersion: project.openshift.io/v1\nkind: Project\nmetadata: {name: tools}\n---\n\
apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\n---\n\
apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: tools}\n",
    );
    let served = Served::start(&snapshot);
    let proxy = FaultProxy::start(&served.url);
    // A project admin may not list namespaces.
    proxy.fault(
        "/api/v1/namespaces$",
        "",
        usize::MAX,
        Fault::Status(403, vec![], r#"{"kind":"Status","code":403}"#.into()),
    );
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let output = export(
        &kubeconfig(dir.path(), &proxy.url),
        &out,
        &["--no-cluster-scoped"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        proxy
            .seen_paths("/apis/project.openshift.io/v1/projects")
            .len(),
        1
    );
    let archive = out.join(&zips(&out)[0]);
    let entries = common::unzip(&std::fs::read(&archive).unwrap());
    let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert!(
        names.contains(&"shop/configmaps.json") && names.contains(&"tools/configmaps.json"),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("_cluster/")),
        "{names:?}"
    );
    assert_eq!(
        manifest(&archive)["namespaces"],
        serde_json::json!(["shop", "tools"])
    );
}

/// The one archive in `dir`, exported from `snapshot` served on loopback.
fn export_of(snapshot: &str, dir: &Path, extra: &[&str]) -> std::path::PathBuf {
    let served = Served::start(snapshot);
    let config = kubeconfig(dir, &served.url);
    let out = dir.join("backups");
    std::fs::create_dir_all(&out).unwrap();
    let output = export(&config, &out, &[&["-n", "shop"], extra].concat());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    out.join(&zips(&out)[0])
}

/// The objects of kind `kind` in an archive.
fn archived(archive: &Path, kind: &str) -> Vec<Value> {
    common::unzip(&std::fs::read(archive).unwrap())
        .into_iter()
        .filter(|(name, _)| name.ends_with(".json") && name != "driftlab-manifest.json")
        .flat_map(|(_, data)| {
            let list: Value = serde_json::from_slice(&data).unwrap();
            list["items"].as_array().cloned().unwrap_or_default()
        })
        .filter(|item| item["kind"] == kind)
        .collect()
}

#[test]
fn export_keeps_who_wrote_what_and_diff_of_two_archives_names_them() {
    let clean_dir = tempfile::tempdir().unwrap();
    let drifted_dir = tempfile::tempdir().unwrap();
    let clean = export_of("tests/desired/live-clean.json", clean_dir.path(), &[]);
    let drifted = export_of("tests/desired/live-drifted.json", drifted_dir.path(), &[]);

    let deployment = &archived(&drifted, "Deployment")[0];
    let managers: Vec<&str> = deployment["metadata"]["managedFields"]
        .as_array()
        .expect("managed fields kept")
        .iter()
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    // Compact: the status writer and the per-entry apiVersion/fieldsType are left out.
    assert_eq!(
        managers,
        [
            "kubectl-client-side-apply",
            "kubectl-edit",
            "kubectl-set",
            "kubectl-patch"
        ]
    );
    assert!(deployment["metadata"]["managedFields"][0]["fieldsType"].is_null());
    // The last-applied copy stays out of archives, as it always has.
    assert!(
        deployment["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .is_null()
    );

    let output = driftlab()
        .args(["diff", clean.to_str().unwrap(), drifted.to_str().unwrap()])
        .output()
        .unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(r#"~ data.MODE   "prod" → "debug"   by kubectl-patch, 2026-11-25 22:47"#),
        "{text}"
    );
    assert!(
        text.contains("image   \"registry.example.com/shop/web:1.8.3\" → \"registry.example.com/shop/web:1.8.3-hotfix\"   by kubectl-edit, 2026-11-24 14:02"),
        "{text}"
    );
    // managedFields themselves are never a difference.
    assert!(!text.contains("managedFields"), "{text}");

    let dropped_dir = tempfile::tempdir().unwrap();
    let dropped = export_of(
        "tests/desired/live-drifted.json",
        dropped_dir.path(),
        &["--drop-managed-fields"],
    );
    let deployment = &archived(&dropped, "Deployment")[0];
    assert!(deployment["metadata"]["managedFields"].is_null());
}

#[test]
fn verbose_export_logs_every_list_like_the_original_tool() {
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &served.url);
    let out = dir.path().join("backups");
    let output = export(&config, &out, &["-n", "myproject", "--verbose"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log = stderr(&output);
    assert!(
        log.contains(
            "Exporting 'limitranges' resources to myproject/limitranges.json\nSkipped: list empty"
        ),
        "{log}"
    );
    assert!(!log.contains("--verbose lists each"), "{log}");
}

#[test]
fn export_of_a_namespace_keeps_only_the_cluster_scoped_objects_it_refers_to() {
    let crd = |plural: &str| {
        let kind = format!(
            "{}{}",
            plural[..1].to_uppercase(),
            &plural[1..plural.len() - 1]
        );
        serde_json::json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": format!("{plural}.example.com")},
            "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"kind": kind, "plural": plural},
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object"}}}]}})
    };
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("cluster.json");
    std::fs::write(
        &snapshot,
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}},
            {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "shop"},
             "spec": {"volumeName": "pv-shop", "storageClassName": "fast"}},
            {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-shop"}, "spec": {"capacity": {"storage": "1Gi"}}},
            {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-other"}, "spec": {"capacity": {"storage": "1Gi"}}},
            {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"}, "provisioner": "x"},
            {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "slow"}, "provisioner": "x"},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "devs", "namespace": "shop"},
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
             "subjects": [{"kind": "Group", "name": "devs", "apiGroup": "rbac.authorization.k8s.io"}]},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "edit"}, "rules": []},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "cluster-admin"}, "rules": []},
            crd("widgets"),
            crd("gadgets"),
            {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "shop"}, "spec": {}},
            {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g", "namespace": "other"}, "spec": {}}
        ]})
        .to_string(),
    )
    .unwrap();
    let names = |archive: &Path, kind: &str| -> Vec<String> {
        let mut names: Vec<String> = archived(archive, kind)
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };

    let referenced = export_of(snapshot.to_str().unwrap(), dir.path(), &[]);
    assert_eq!(names(&referenced, "PersistentVolume"), ["pv-shop"]);
    assert_eq!(names(&referenced, "StorageClass"), ["fast"]);
    assert_eq!(names(&referenced, "ClusterRole"), ["edit"]);
    assert_eq!(names(&referenced, "Namespace"), ["shop"]);
    // The definition of the custom resources the project holds, so that comparing two nights
    // of it reads them through their schema.
    assert_eq!(names(&referenced, "Widget"), ["w"]);
    assert_eq!(
        names(&referenced, "CustomResourceDefinition"),
        ["widgets.example.com"]
    );
    assert_eq!(manifest(&referenced)["clusterScoped"], "referenced");

    let all_dir = tempfile::tempdir().unwrap();
    let all = export_of(
        snapshot.to_str().unwrap(),
        all_dir.path(),
        &["--cluster-scoped"],
    );
    assert_eq!(names(&all, "PersistentVolume"), ["pv-other", "pv-shop"]);
    assert_eq!(names(&all, "ClusterRole"), ["cluster-admin", "edit"]);
    assert_eq!(manifest(&all)["clusterScoped"], "all");
}

/// `--retain-count N` keeps the newest N complete archives; a bad night (unreadable, empty)
/// older than those N goes, one newer than the Nth stays, and the oldest ones go.
#[test]
fn rotate_retain_count_keeps_the_newest_complete_archives_and_drops_the_oldest() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read(common::repo(NIGHT1)).unwrap();
    let empty = common::zip_bytes(&[("README.txt", b"nothing exported")], false);
    // Newest first: what each night holds.
    let nights: [(&str, &[u8]); 7] = [
        ("driftlab-202601070015.zip", &good),
        ("driftlab-202601060015.zip", b""),
        ("driftlab-202601050015.zip", &good),
        ("driftlab-202601040015.zip", &empty),
        ("driftlab-202601030015.zip", &good),
        ("driftlab-202601020015.zip", b""),
        ("driftlab-202601010015.zip", &good),
    ];
    for (name, bytes) in &nights {
        common::write(dir.path(), name, bytes);
    }
    let output = driftlab()
        .args([
            "rotate",
            dir.path().to_str().unwrap(),
            "--retain-count",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The two newest complete nights (07, 05) and the bad night between them (06) stay; the
    // bad night just older than the second kept one (04) and everything older go.
    assert_eq!(
        zips(dir.path()),
        [
            "driftlab-202601050015.zip",
            "driftlab-202601060015.zip",
            "driftlab-202601070015.zip"
        ],
        "{}",
        stdout(&output)
    );
    let printed = stdout(&output);
    let deleted: Vec<&str> = printed
        .lines()
        .map(|l| l.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        deleted,
        [
            "driftlab-202601010015.zip",
            "driftlab-202601020015.zip",
            "driftlab-202601030015.zip",
            "driftlab-202601040015.zip"
        ]
    );
}

/// Two namespaces with labelled and unlabelled objects, an ImageStream and a bound PVC carrying
/// the fields the original tool pruned, and an Event (left out by default).
const SELECTION: &str = r#"apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: tools}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop, labels: {app: web}}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other-config, namespace: shop, labels: {app: other}}
data: {b: "2"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: tool-config, namespace: tools, labels: {app: web}}
data: {c: "3"}
---
apiVersion: image.openshift.io/v1
kind: ImageStream
metadata:
  name: web
  namespace: shop
  labels: {app: web}
  annotations: {openshift.io/image.dockerRepositoryCheck: "2018-09-11T00:00:00Z", keep: "yes"}
spec: {lookupPolicy: {local: false}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
  namespace: shop
  labels: {app: web}
  annotations:
    pv.kubernetes.io/bind-completed: "yes"
    pv.kubernetes.io/bound-by-controller: "yes"
    volume.beta.kubernetes.io/storage-provisioner: kubernetes.io/aws-ebs
    keep: "yes"
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
  volumeName: pvc-0a1b2c3d
---
apiVersion: v1
kind: Event
metadata: {name: web.1, namespace: shop}
involvedObject: {kind: ConfigMap, name: web-config, namespace: shop}
reason: Created
message: created
"#;

/// `driftlab export` of the SELECTION snapshot with `args` into `out` (a folder, or with `-o` a
/// file): the archive's path.
fn export_selection(dir: &Path, args: &[&str]) -> std::path::PathBuf {
    let snapshot = common::write(dir, "selection.yaml", SELECTION.as_bytes());
    let served = Served::start(&snapshot);
    let config = kubeconfig(dir, &served.url);
    let out = dir.join(format!("out-{}", args.join("_").replace(['/', '='], "-")));
    std::fs::create_dir_all(&out).unwrap();
    let output = export(&config, &out, args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
    out.join(&zips(&out)[0])
}

/// The `<namespace>/<name>` of every object of kind `kind` in an archive.
fn archived_names(archive: &Path, kind: &str) -> Vec<String> {
    let mut names: Vec<String> = archived(archive, kind)
        .iter()
        .map(|o| {
            format!(
                "{}/{}",
                o["metadata"]["namespace"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    names.sort();
    names
}

#[test]
fn export_all_namespaces_and_label_selector_choose_what_is_exported() {
    let dir = tempfile::tempdir().unwrap();
    let all = export_selection(dir.path(), &["-A"]);
    assert_eq!(
        archived_names(&all, "ConfigMap"),
        ["shop/other-config", "shop/web-config", "tools/tool-config"]
    );
    assert_eq!(
        manifest(&all)["namespaces"],
        serde_json::json!(["shop", "tools"])
    );
    let one = export_selection(dir.path(), &["-n", "tools"]);
    assert_eq!(archived_names(&one, "ConfigMap"), ["tools/tool-config"]);
    let labelled = export_selection(dir.path(), &["-A", "-l", "app=web"]);
    assert_eq!(
        archived_names(&labelled, "ConfigMap"),
        ["shop/web-config", "tools/tool-config"]
    );
    assert_eq!(archived_names(&labelled, "ImageStream"), ["shop/web"]);
}

#[test]
fn export_include_and_exclude_kind_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    // Events are left out by default and taken back with --include-kind.
    let default = export_selection(dir.path(), &["-n", "shop"]);
    assert!(archived(&default, "Event").is_empty());
    assert_eq!(archived_names(&default, "ConfigMap").len(), 2);
    let with_events = export_selection(dir.path(), &["-n", "shop", "--include-kind", "events"]);
    assert_eq!(archived_names(&with_events, "Event"), ["shop/web.1"]);
    let without = export_selection(dir.path(), &["-n", "shop", "--exclude-kind", "configmaps"]);
    assert!(archived(&without, "ConfigMap").is_empty());
    assert_eq!(
        archived_names(&without, "PersistentVolumeClaim"),
        ["shop/data"]
    );

    // -o FILE: exactly that file, nothing else in its folder.
    let snapshot = common::write(dir.path(), "selection.yaml", SELECTION.as_bytes());
    let served = Served::start(&snapshot);
    let config = kubeconfig(dir.path(), &served.url);
    let target = dir.path().join("named").join("tonight.zip");
    let output = driftlab()
        .args(["export", "-q", "-n", "shop", "--kubeconfig"])
        .arg(&config)
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(zips(target.parent().unwrap()), ["tonight.zip"]);
    assert_eq!(archived_names(&target, "ConfigMap").len(), 2);
}

/// "Pruning: … the original tool's per-type rules (… ImageStream
/// `openshift.io/image.dockerRepositoryCheck`, PVC bind annotations and `volumeName`)."
#[test]
fn export_prunes_image_stream_and_pvc_bookkeeping() {
    let dir = tempfile::tempdir().unwrap();
    let archive = export_selection(dir.path(), &["-n", "shop"]);
    let stream = &archived(&archive, "ImageStream")[0];
    let annotations = stream["metadata"]["annotations"].as_object().unwrap();
    assert!(
        !annotations.contains_key("openshift.io/image.dockerRepositoryCheck"),
        "{stream}"
    );
    assert_eq!(annotations["keep"], "yes");
    let claim = &archived(&archive, "PersistentVolumeClaim")[0];
    let annotations = claim["metadata"]["annotations"].as_object().unwrap();
    for pruned in [
        "pv.kubernetes.io/bind-completed",
        "pv.kubernetes.io/bound-by-controller",
        "volume.beta.kubernetes.io/storage-provisioner",
    ] {
        assert!(!annotations.contains_key(pruned), "{pruned}: {claim}");
    }
    assert_eq!(annotations["keep"], "yes");
    assert!(claim["spec"].get("volumeName").is_none(), "{claim}");
    assert_eq!(claim["spec"]["resources"]["requests"]["storage"], "1Gi");
}

/// A kubeconfig with two contexts, `one` (current) and `two`, each naming its own server.
fn two_context_kubeconfig(path: &Path, one: &str, two: &str) {
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: one\nclusters:\n\
- {{name: one, cluster: {{server: \"{one}\"}}}}\n- {{name: two, cluster: {{server: \"{two}\"}}}}\n\
contexts:\n- {{name: one, context: {{cluster: one, user: tester}}}}\n\
- {{name: two, context: {{cluster: two, user: tester}}}}\n\
users:\n- {{name: tester, user: {{token: test-token}}}}\n"
    );
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// "Credentials as kubectl finds them: `--kubeconfig`, `--context`, `KUBECONFIG`,
/// `~/.kube/config`", and `live:<context>`: context `one` serves the first night, `two` the
/// second, so comparing the first night with the live side exits 0 for `one` and 1 for `two`.
#[test]
fn credentials_are_found_as_kubectl_finds_them() {
    let one = Served::start(NIGHT1);
    let two = Served::start(NIGHT2);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    two_context_kubeconfig(&file, &one.url, &two.url);
    let home = dir.path().join("home");
    two_context_kubeconfig(&home.join(".kube/config"), &one.url, &two.url);
    let empty_home = dir.path().join("empty-home");
    std::fs::create_dir_all(&empty_home).unwrap();
    let file_arg = file.to_str().unwrap();

    // (how credentials are given, live side, extra arguments, expected exit status)
    let cases: &[(&str, &str, &[&str], i32)] = &[
        ("--kubeconfig", "live", &["--kubeconfig", file_arg], 0),
        (
            "--kubeconfig --context two",
            "live",
            &["--kubeconfig", file_arg, "--context", "two"],
            1,
        ),
        ("--kubeconfig", "live:two", &["--kubeconfig", file_arg], 1),
        ("--kubeconfig", "live:one", &["--kubeconfig", file_arg], 0),
        ("KUBECONFIG", "live", &[], 0),
        ("KUBECONFIG", "live:two", &[], 1),
        ("~/.kube/config", "live", &[], 0),
        ("~/.kube/config", "live:two", &[], 1),
    ];
    for (how, live, extra, expected) in cases {
        let mut command = driftlab();
        command
            .args(["diff", NIGHT1, live, "-n", "myproject", "--name-only"])
            .args(*extra)
            .env("HOME", &empty_home);
        match *how {
            "KUBECONFIG" => {
                command.env("KUBECONFIG", &file);
            }
            "~/.kube/config" => {
                command.env("HOME", &home);
            }
            _ => {}
        }
        let output = command.output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(*expected),
            "{how} {live}: {}{}",
            stdout(&output),
            stderr(&output)
        );
    }
    // A context that does not exist is trouble, named.
    let output = driftlab()
        .args(["diff", NIGHT1, "live:three", "--kubeconfig", file_arg])
        .env("HOME", &empty_home)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(stderr(&output).contains("three"), "{}", stderr(&output));

    // export --context two exports the second night.
    let out = dir.path().join("export");
    std::fs::create_dir_all(&out).unwrap();
    let output = export(&file, &out, &["-n", "myproject", "--context", "two"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let archive = out.join(&zips(&out)[0]);
    assert_eq!(manifest(&archive)["server"]["url"], two.url);
}

#[test]
fn other_object_stores_are_refused_not_taken_for_directories() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["export", "--output-dir", "gs://backups/prod"],
        vec!["rotate", "az://backups/prod", "--retain-days", "7"],
    ] {
        let output = driftlab()
            .current_dir(dir.path())
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains("only S3 object storage (s3://bucket/prefix) is supported"),
            "{}",
            stderr(&output)
        );
        // Nothing was made of the URL: no `gs:` directory.
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
    }
}

#[test]
fn what_export_does_to_its_folder_is_said_and_quiet_silences_it() {
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let config = kubeconfig(dir.path(), &served.url);

    // A folder that is not there is created, and said.
    let fresh = dir.path().join("new").join("backups");
    let output = export(&config, &fresh, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(&format!("created {}", fresh.display())),
        "{}",
        stderr(&output)
    );

    // A killed export's temporary file, untouched for an hour, is removed, and said.
    let folder = dir.path().join("existing");
    std::fs::create_dir(&folder).unwrap();
    let stale = folder.join(".driftlab-201801010000.zip.4242.partial");
    std::fs::write(&stale, b"half an archive").unwrap();
    let touched = std::process::Command::new("touch")
        .args(["-d", "1 hour ago"])
        .arg(&stale)
        .status()
        .unwrap();
    assert!(touched.success());
    let output = export(&config, &folder, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stale.exists(), "the stale partial file is gone");
    assert!(
        stderr(&output).contains(&format!(
            "removed {}, left behind by an export that was killed",
            stale.display()
        )),
        "{}",
        stderr(&output)
    );

    // --quiet does both and says neither.
    let quiet = dir.path().join("quiet").join("backups");
    let output = export(&config, &quiet, &["--quiet"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(zips(&quiet).len(), 1);
    assert!(!stderr(&output).contains("created"), "{}", stderr(&output));
}
