//! Secret values end to end: what an export stores in each `--secrets` mode when the server
//! serves raw values, keyed hashes, and every output of every command for a secret in any
//! spelling. Archives are checked decompressed: searching compressed bytes proves nothing.

mod common;

use std::path::Path;

use common::cluster::{ServeSetup, Served, kubeconfig};
use common::{driftlab, stderr, stdout};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// "s3cr3t", base64-encoded as the API serves `data` values.
const RAW: &str = "czNjcjN0";
const DECODED: &str = "s3cr3t";

/// `driftlab serve --show-secrets`: a server that serves raw values, as a real one does.
fn show_secrets() -> ServeSetup {
    ServeSetup {
        flags: vec!["--show-secrets".into()],
        ..ServeSetup::default()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn snapshot(dir: &Path, name: &str, password_base64: &str, kind: &str) -> String {
    common::write(
        dir,
        name,
        format!(
            "apiVersion: v1\nkind: {kind}\nmetadata: {{name: app, namespace: p}}\ntype: Opaque\n\
             data: {{password: {password_base64}}}\nstringData: {{user: admin-user}}\n---\n\
             apiVersion: v1\nkind: Secret\nmetadata: {{name: default-token-abcde, namespace: p}}\n\
             type: kubernetes.io/service-account-token\ndata: {{token: ZXlKaGJHY2k=}}\n---\n\
             apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: web, namespace: p}}\ndata: {{a: b}}\n"
        )
        .as_bytes(),
    )
}

/// Every entry of an archive, decompressed, as text.
fn decompressed(archive: &Path) -> String {
    common::unzip(&std::fs::read(archive).unwrap())
        .into_iter()
        .map(|(name, data)| format!("{name}\n{}\n", String::from_utf8_lossy(&data)))
        .collect()
}

fn entry(archive: &Path, name: &str) -> Option<Value> {
    common::unzip(&std::fs::read(archive).unwrap())
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, data)| serde_json::from_slice(&data).unwrap())
}

fn export(config: &Path, out: &Path, extra: &[&str]) -> std::path::PathBuf {
    let output = driftlab()
        .args(["export", "-q", "-n", "p", "--kubeconfig"])
        .arg(config)
        .arg("-o")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    out.to_path_buf()
}

fn key_file(dir: &Path, name: &str, key: &str) -> String {
    common::write(dir, name, format!("{key}\n").as_bytes())
}

fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    hex(&mac.finalize().into_bytes())
}

#[test]
fn export_secret_modes_against_a_server_that_serves_raw_values() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start_with(
        &snapshot(dir.path(), "raw.yaml", RAW, "Secret"),
        &show_secrets(),
    );
    let config = kubeconfig(dir.path(), &served.url);

    // include: the values as the server sent them.
    let include = export(
        &config,
        &dir.path().join("include.zip"),
        &["--secrets", "include"],
    );
    let secrets = entry(&include, "p/secrets.json").unwrap();
    assert_eq!(
        secrets["items"].as_array().unwrap().len(),
        1,
        "token secrets are always left out"
    );
    assert_eq!(secrets["items"][0]["data"]["password"], RAW);

    // hash without a key: the SHA-256 of the decoded value, and no raw value anywhere.
    let hashed = export(
        &config,
        &dir.path().join("hash.zip"),
        &["--secrets", "hash"],
    );
    let secrets = entry(&hashed, "p/secrets.json").unwrap();
    let sha = hex(&Sha256::digest(DECODED.as_bytes()));
    assert_eq!(
        secrets["items"][0]["data"]["password"],
        format!("sha256:{sha}")
    );
    let text = decompressed(&hashed);
    for leak in [RAW, DECODED, "admin-user", "ZXlKaGJHY2k="] {
        assert!(!text.contains(leak), "{leak} in the archive");
    }
    let manifest = entry(&hashed, "driftlab-manifest.json").unwrap();
    assert_eq!(manifest["secretHash"]["algorithm"], "sha256");

    // hash with a key: HMAC-SHA-256 under the key; the archive names the key's id only.
    let key = "a-key-of-at-least-sixteen-bytes";
    let keyfile = key_file(dir.path(), "key", key);
    let keyed = export(
        &config,
        &dir.path().join("keyed.zip"),
        &["--secrets", "hash", "--secret-key-file", &keyfile],
    );
    let secrets = entry(&keyed, "p/secrets.json").unwrap();
    let stored = secrets["items"][0]["data"]["password"]
        .as_str()
        .unwrap()
        .to_string();
    let parts: Vec<&str> = stored.splitn(3, ':').collect();
    assert_eq!(parts[0], "hmac-sha256", "{stored}");
    assert_eq!(
        parts[2],
        hmac_hex(key.as_bytes(), DECODED.as_bytes()),
        "{stored}"
    );
    let text = decompressed(&keyed);
    for leak in [RAW, DECODED, "admin-user", key, &sha] {
        assert!(!text.contains(leak), "{leak} in the archive");
    }
    let manifest = entry(&keyed, "driftlab-manifest.json").unwrap();
    assert_eq!(manifest["secretHash"]["algorithm"], "hmac-sha256");
    assert_eq!(manifest["secretHash"]["keyId"], parts[1]);

    // skip: no secrets at all.
    let skipped = export(
        &config,
        &dir.path().join("skip.zip"),
        &["--secrets", "skip"],
    );
    assert!(entry(&skipped, "p/secrets.json").is_none());
    assert!(!decompressed(&skipped).contains(RAW));
}

#[test]
fn a_short_or_missing_key_file_is_refused_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let short = key_file(dir.path(), "short", "tooshort");
    for file in [short.as_str(), "/nonexistent/key"] {
        let output = driftlab()
            .args([
                "export",
                "--kubeconfig",
                "/nonexistent/kubeconfig",
                "--secret-key-file",
                file,
            ])
            .arg("-o")
            .arg(dir.path().join("x.zip"))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        let errors = stderr(&output);
        assert_eq!(errors.lines().count(), 1, "{errors}");
        assert!(errors.contains(file), "{errors}");
        assert!(
            !errors.contains("tooshort"),
            "the key itself was printed: {errors}"
        );
    }
}

#[test]
fn keyed_archives_compare_with_raw_values_only_given_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let old = snapshot(dir.path(), "old.yaml", RAW, "Secret");
    let same = snapshot(dir.path(), "same.yaml", RAW, "Secret");
    let changed = snapshot(dir.path(), "changed.yaml", "b3RoZXI=", "Secret");
    let served = Served::start_with(&old, &show_secrets());
    let config = kubeconfig(dir.path(), &served.url);
    let keyfile = key_file(dir.path(), "key", "a-key-of-at-least-sixteen-bytes");
    let other_key = key_file(dir.path(), "other", "another-key-of-sixteen-bytes");
    let keyed = export(
        &config,
        &dir.path().join("keyed.zip"),
        &["--secret-key-file", &keyfile],
    );
    let diff = |new: &str, extra: &[&str]| {
        driftlab()
            .args([
                "diff", "--kind", "secret", "--name", "app", "--color", "never",
            ])
            .arg(&keyed)
            .arg(new)
            .args(extra)
            .env_remove("DRIFTLAB_SECRET_KEY_FILE")
            .output()
            .unwrap()
    };

    let output = diff(&same, &["--secret-key-file", &keyfile]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let output = diff(&changed, &["--secret-key-file", &keyfile]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("data.password"),
        "{}",
        stdout(&output)
    );
    assert!(stdout(&output).contains("hmac:"), "{}", stdout(&output));

    // Without the key (or with another one) nothing can be said: no change claimed, and a
    // warning that says why.
    for extra in [vec![], vec!["--secret-key-file", other_key.as_str()]] {
        let output = diff(&changed, &extra);
        assert!(
            !stdout(&output).contains("data.password"),
            "{}",
            stdout(&output)
        );
        assert!(
            stderr(&output).contains("secret values cannot be compared"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn a_secret_in_any_spelling_is_hidden_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let old = snapshot(dir.path(), "old.yaml", RAW, "secret");
    let new = snapshot(dir.path(), "new.yaml", "b3RoZXI=", "secret");
    let leaks = [RAW, DECODED, "b3RoZXI=", "other"];
    for format in ["text", "json", "patch", "markdown"] {
        let output = driftlab()
            .args(["diff", &old, &new, "--output", format, "--color", "never"])
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: {}",
            stderr(&output)
        );
        let report = stdout(&output);
        assert!(report.contains("password"), "{format}: {report}");
        for leak in leaks {
            assert!(!report.contains(leak), "{format} shows {leak}: {report}");
        }
    }
    // Asked for, they are shown.
    let output = driftlab()
        .args(["diff", &old, &new, "--show-secrets", "--color", "never"])
        .output()
        .unwrap();
    assert!(stdout(&output).contains("other"), "{}", stdout(&output));

    // serve hashes them too.
    let served = Served::start(&old);
    let address = served.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    use std::io::{Read, Write};
    write!(
        stream,
        "GET /api/v1/namespaces/p/secrets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.contains("password"), "{response}");
    for leak in leaks {
        assert!(!response.contains(leak), "serve shows {leak}: {response}");
    }
}
