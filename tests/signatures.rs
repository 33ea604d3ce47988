//! Signatures, through the binary and the real minisign: `export --sign-key` puts a detached
//! `ARCHIVE.minisig` beside the archive (on disk and in a bucket) that `minisign -Vm` verifies,
//! and `driftlab verify --public-key` checks it; another key's signature, an altered archive or
//! a missing signature fail (exit 2); a key that cannot be used fails before the cluster is read.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::cluster::{Served, export_all, kubeconfig};
use common::s3::{CutProxy, Moto};
use common::{NIGHT1, driftlab, file_names, skip, stderr, stdout};

/// A minisign key pair made by the real tool without a password: (secret key, public key).
fn key_pair(minisign: &Path, dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (secret, public) = (
        dir.join(format!("{name}.key")),
        dir.join(format!("{name}.pub")),
    );
    let out = Command::new(minisign)
        .args(["-G", "-W", "-s"])
        .arg(&secret)
        .arg("-p")
        .arg(&public)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (secret, public)
}

/// Whether the real minisign verifies `file` against its `.minisig` with `public`.
fn minisign_verifies(minisign: &Path, file: &Path, public: &Path) -> bool {
    Command::new(minisign)
        .arg("-Vm")
        .arg(file)
        .arg("-p")
        .arg(public)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success()
}

#[test]
fn a_signed_export_verifies_with_minisign_and_with_driftlab_by_its_key_only() {
    let Some(minisign) = skip::trust_tool("minisign") else {
        return;
    };
    let keys = tempfile::tempdir().unwrap();
    let (secret, public) = key_pair(&minisign, keys.path(), "right");
    let (_, other) = key_pair(&minisign, keys.path(), "other");
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = export_all(
        &served,
        &[
            "--output-dir",
            out_dir,
            "--sign-key",
            secret.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let names = file_names(dir.path());
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(names[1], format!("{}.minisig", names[0]));
    let archive = dir.path().join(&names[0]);

    assert!(minisign_verifies(&minisign, &archive, &public));
    assert!(!minisign_verifies(&minisign, &archive, &other));
    let verify = |key: &Path, target: &Path| {
        driftlab()
            .args(["verify", "--public-key"])
            .arg(key)
            .arg(target)
            .output()
            .unwrap()
    };
    let out = verify(&public, &archive);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("signed by key"), "{}", stdout(&out));
    let out = verify(&other, &archive);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("signed by key"), "{}", stderr(&out));
    // The key as a string (the second line of the .pub file), and the folder.
    let line = std::fs::read_to_string(&public)
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    let out = driftlab()
        .args(["verify", "--public-key-string", &line, out_dir])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // One byte of the archive changed: neither minisign nor driftlab accepts it.
    let mut bytes = std::fs::read(&archive).unwrap();
    let last = bytes.len() - 30;
    bytes[last] ^= 1;
    std::fs::write(&archive, &bytes).unwrap();
    assert!(!minisign_verifies(&minisign, &archive, &public));
    let out = verify(&public, &archive);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not verify"), "{}", stderr(&out));

    // An archive without its signature fails when a signature is required.
    std::fs::remove_file(dir.path().join(&names[1])).unwrap();
    std::fs::write(&archive, {
        bytes[last] ^= 1;
        &bytes
    })
    .unwrap();
    let out = verify(&public, &archive);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unsigned"), "{}", stderr(&out));
}

#[test]
fn keys_that_cannot_be_used_fail_before_the_cluster_is_read() {
    let Some(minisign) = skip::trust_tool("minisign") else {
        return;
    };
    let keys = tempfile::tempdir().unwrap();
    let (secret, public) = (
        keys.path().join("locked.key"),
        keys.path().join("locked.pub"),
    );
    let mut child = Command::new(&minisign)
        .args(["-G", "-s"])
        .arg(&secret)
        .arg("-p")
        .arg(&public)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"a password\na password\n").unwrap();
    assert!(child.wait().unwrap().success());
    let garbage = keys.path().join("garbage.key");
    std::fs::write(&garbage, "untrusted comment: x\nnot base64 at all\n").unwrap();

    // Nothing listens where the kubeconfig points: reading the cluster would say so instead.
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (key, said) in [
        (&secret, "password-protected"),
        (&garbage, "not a minisign key"),
    ] {
        let out = driftlab()
            .env("KUBECONFIG", kubeconfig(home.path(), "http://127.0.0.1:9"))
            .args(["export", "-A", "--output-dir"])
            .arg(dir.path())
            .arg("--sign-key")
            .arg(key)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains("--sign-key") && err.contains(said), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            !err.contains("BEGIN") && !err.contains("RW"),
            "no key material: {err}"
        );
    }
    assert!(file_names(dir.path()).is_empty());
    let out = driftlab()
        .args(["verify", "--public-key-string", "RWQnot-a-key", "x.zip"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not a minisign public key"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn signatures_go_to_a_bucket_beside_their_archive() {
    let Some(minisign) = skip::trust_tool("minisign") else {
        return;
    };
    let Some(python) = skip::moto_python() else {
        return;
    };
    let moto = Moto::start(&python, 5 << 20);
    moto.create_bucket("signed");
    let keys = tempfile::tempdir().unwrap();
    let (secret, public) = key_pair(&minisign, keys.path(), "right");
    let served = Served::start(NIGHT1);
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Moto::driftlab(&moto.url, home.path(), &served)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&[
        "export",
        "-A",
        "-q",
        "--output-dir",
        "s3://signed/prod",
        "--sign-key",
        secret.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let keys_now = moto.keys("signed", "prod/");
    assert_eq!(keys_now.len(), 2, "{keys_now:?}");
    assert!(keys_now[1].ends_with(".zip.minisig"), "{keys_now:?}");

    // The real minisign verifies what went up.
    let local = tempfile::tempdir().unwrap();
    let archive = local.path().join(keys_now[0].trim_start_matches("prod/"));
    std::fs::write(&archive, moto.get("signed", &keys_now[0]).unwrap()).unwrap();
    std::fs::write(
        local.path().join(keys_now[1].trim_start_matches("prod/")),
        moto.get("signed", &keys_now[1]).unwrap(),
    )
    .unwrap();
    assert!(minisign_verifies(&minisign, &archive, &public));

    // driftlab verifies it in place; the signature is no stray key to warn about.
    let out = run(&[
        "verify",
        "--public-key",
        public.to_str().unwrap(),
        "s3://signed/prod",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("signed by key"), "{}", stdout(&out));
    assert!(!stderr(&out).contains("ignored"), "{}", stderr(&out));
    // Rotation deletes a signature with its archive.
    let out = run(&[
        "export",
        "-A",
        "-q",
        "-o",
        "s3://signed/prod/driftlab-202001010000.zip",
        "--sign-key",
        secret.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("ignored"), "{}", stderr(&out));
    assert_eq!(moto.keys("signed", "prod/").len(), 4);
    let out = run(&["rotate", "--retain-count", "1", "s3://signed/prod"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(moto.keys("signed", "prod/"), keys_now, "{}", stdout(&out));
}

#[test]
fn an_archive_whose_signature_cannot_be_put_in_place_is_not_published() {
    let Some(minisign) = skip::trust_tool("minisign") else {
        return;
    };
    let keys = tempfile::tempdir().unwrap();
    let (secret, _) = key_pair(&minisign, keys.path(), "right");
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    // A signature already there under the name the new one would take: never replaced, and
    // the archive, which would then look signed by someone else (or unsigned), not published.
    let archive = dir.path().join("driftlab-202612010000.zip");
    let taken = dir.path().join("driftlab-202612010000.zip.minisig");
    std::fs::write(&taken, "someone else's\n").unwrap();
    let out = export_all(
        &served,
        &[
            "-o",
            archive.to_str().unwrap(),
            "--sign-key",
            secret.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(
        file_names(dir.path()),
        ["driftlab-202612010000.zip.minisig"],
        "nothing else left"
    );
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "someone else's\n");
}

#[test]
fn a_signature_whose_archive_upload_fails_is_removed() {
    let Some(minisign) = skip::trust_tool("minisign") else {
        return;
    };
    let Some(python) = skip::moto_python() else {
        return;
    };
    let moto = Moto::start(&python, 5 << 20);
    moto.create_bucket("signed");
    let keys = tempfile::tempdir().unwrap();
    let (secret, _) = key_pair(&minisign, keys.path(), "right");
    let served = Served::start(NIGHT1);
    let home = tempfile::tempdir().unwrap();
    // The archive's upload is cut (not its signature's, which goes first).
    let proxy = CutProxy::start(
        &moto.address(),
        "PUT /signed/prod/driftlab-202609110015.zip HTTP",
        2000,
    );
    let out = Moto::driftlab(&proxy.url, home.path(), &served)
        .args([
            "export",
            "-A",
            "-q",
            "-o",
            "s3://signed/prod/driftlab-202609110015.zip",
        ])
        .arg("--sign-key")
        .arg(&secret)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(proxy.cuts() >= 1, "the upload was cut");
    assert!(stderr(&out).contains("upload failed"), "{}", stderr(&out));
    assert!(
        moto.keys("signed", "prod/").is_empty(),
        "{:?}",
        moto.keys("signed", "prod/")
    );
}
