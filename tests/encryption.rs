//! Archives encrypted at rest, through the binary and the real age: `export --encrypt-to` writes
//! `….zip.age` that `age -d -i KEY` decrypts to the zip and that holds no plaintext; diff,
//! history, check, verify and serve open it with `--identity` (or `DRIFTLAB_AGE_IDENTITY`);
//! without one, or with another, they exit 2 with a line that says so; rotation never counts
//! nor deletes an encrypted archive it cannot open; bad keys fail before the cluster is read.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::cluster::{ServeSetup, Served, export_all, get, kubeconfig};
use common::s3::Moto;
use common::{NIGHT1, driftlab, file_names, skip, stderr, stdout, unzip, zip_bytes};

/// An age identity made by the real age-keygen: (identity file, its recipient).
fn identity(keygen: &Path, dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(format!("{name}.txt"));
    let out = Command::new(keygen).arg("-o").arg(&path).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let recipient = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_string();
    (path, recipient)
}

/// The tools, or `None` after a visible skip.
fn tools() -> Option<(PathBuf, PathBuf)> {
    Some((skip::trust_tool("age")?, skip::trust_tool("age-keygen")?))
}

/// A known object of the fixture, and a value of it: never to be found in an encrypted file.
const KNOWN: &[&str] = &["web-config", "server.port=8080"];

#[test]
fn an_encrypted_export_is_age_holds_no_plaintext_and_decrypts_to_the_zip() {
    let Some((age, keygen)) = tools() else { return };
    let keys = tempfile::tempdir().unwrap();
    let (id, recipient) = identity(&keygen, keys.path(), "id");
    let (_, second) = identity(&keygen, keys.path(), "second");
    let recipients = keys.path().join("recipients.txt");
    std::fs::write(&recipients, format!("# the second key\n{second}\n")).unwrap();
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = export_all(
        &served,
        &[
            "--output-dir",
            out_dir,
            "--encrypt-to",
            &recipient,
            "--encrypt-to-file",
            recipients.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let names = file_names(dir.path());
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    assert!(
        names[0].starts_with("driftlab-") && names[0].ends_with(".zip.age"),
        "{names:?}"
    );
    let sealed = dir.path().join(&names[0]);
    let bytes = std::fs::read(&sealed).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
    for known in KNOWN {
        assert!(
            !bytes.windows(known.len()).any(|w| w == known.as_bytes()),
            "{known} in plaintext"
        );
    }

    // The real age decrypts it, with either recipient's identity, to the zip with its manifest.
    let plain = Command::new(&age)
        .arg("-d")
        .arg("-i")
        .arg(&id)
        .arg(&sealed)
        .output()
        .unwrap();
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let entries = unzip(&plain.stdout);
    assert!(entries.iter().any(|(n, _)| n == "driftlab-manifest.json"));
    let cms = entries
        .iter()
        .find(|(n, _)| n.ends_with("/configmaps.json"))
        .unwrap();
    assert!(String::from_utf8_lossy(&cms.1).contains(KNOWN[0]));
    let other = keys.path().join("second.txt");
    let plain2 = Command::new(&age)
        .arg("-d")
        .arg("-i")
        .arg(&other)
        .arg(&sealed)
        .output()
        .unwrap();
    assert_eq!(plain2.stdout, plain.stdout);

    // verify and check open it with the identity.
    let out = driftlab()
        .arg("verify")
        .arg(&sealed)
        .arg("--identity")
        .arg(&id)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("entries match their checksums"),
        "{}",
        stdout(&out)
    );
    let out = driftlab()
        .arg("check")
        .arg(&sealed)
        .env("DRIFTLAB_AGE_IDENTITY", &id)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("ok  "), "{}", stdout(&out));

    // Altered inside the encryption (re-encrypted by the real age, as someone holding a
    // recipient could): check and verify decrypt it and name the entry.
    let mut entries = entries;
    let cms = entries
        .iter_mut()
        .find(|(n, _)| n.ends_with("/configmaps.json"))
        .unwrap();
    let at = cms.1.windows(4).position(|w| w == b"8080").unwrap();
    cms.1[at] = b'9';
    let name = cms.0.clone();
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let altered_zip = keys.path().join("altered.zip");
    std::fs::write(&altered_zip, zip_bytes(&borrowed, false)).unwrap();
    let altered = dir.path().join(names[0].replace("driftlab-", "altered-"));
    let sealed_again = Command::new(&age)
        .args(["-r", &recipient, "-o"])
        .arg(&altered)
        .arg(&altered_zip)
        .output()
        .unwrap();
    assert!(sealed_again.status.success());
    for command in [&["check", "--verify"][..], &["verify"]] {
        let out = driftlab()
            .args(command)
            .arg(&altered)
            .arg("--identity")
            .arg(&id)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{command:?}: {}", stdout(&out));
        assert!(
            stderr(&out).contains(&format!("entry {name} is altered")),
            "{command:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn readers_open_it_with_the_identity_and_say_how_without_one() {
    let Some((_, keygen)) = tools() else { return };
    let keys = tempfile::tempdir().unwrap();
    let (id, recipient) = identity(&keygen, keys.path(), "id");
    let (wrong, _) = identity(&keygen, keys.path(), "wrong");
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = export_all(
        &served,
        &["--output-dir", out_dir, "--encrypt-to", &recipient],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let newest = file_names(dir.path())[0].clone();
    // A second night for history: the same day, named by the day.
    let older = dir
        .path()
        .join(format!("driftlab-{}.zip.age", &newest[9..17]));
    let out = export_all(
        &served,
        &["-o", older.to_str().unwrap(), "--encrypt-to", &recipient],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sealed = dir.path().join(&newest);
    let sealed = sealed.to_str().unwrap();
    let night1 = common::repo(NIGHT1);
    let night1 = night1.to_str().unwrap();

    let run = |args: &[&str], identity: Option<&Path>| {
        let mut command = driftlab();
        command.args(args);
        if let Some(identity) = identity {
            command.arg("--identity").arg(identity);
        }
        command.output().unwrap()
    };
    // With the identity: diff (the export of NIGHT1 against NIGHT1), history of the folder.
    let out = run(&["diff", sealed, night1, "-q"], Some(&id));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = run(&["history", out_dir], Some(&id));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // serve, with the identity from the environment.
    let setup = ServeSetup {
        env: vec![("DRIFTLAB_AGE_IDENTITY".into(), id.display().to_string())],
        ..ServeSetup::default()
    };
    let browsed = Served::start_with(sealed, &setup);
    let body = get(
        &browsed.url,
        "/api/v1/namespaces/myproject/configmaps/web-config",
    );
    assert!(body.contains("server.port=8080"), "{body}");

    // Without one, and with another: exit 2, one line that says it is encrypted and how.
    for (identity, said) in [
        (None, "--identity FILE"),
        (Some(wrong.as_path()), "other recipients"),
    ] {
        for args in [
            vec!["diff", sealed, night1],
            vec!["history", out_dir],
            vec!["check", sealed],
            vec!["verify", sealed],
            vec!["revert", sealed, night1],
            vec!["serve", sealed, "--listen", "127.0.0.1:0"],
        ] {
            let out = run(&args, identity);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
            let err = stderr(&out);
            assert!(
                err.contains("encrypted (age)") && err.contains(said),
                "{args:?}: {err}"
            );
        }
    }
}

#[test]
fn keys_that_cannot_be_used_fail_before_the_cluster_is_read() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secret = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
    let bad_identity = dir.path().join("bad-identity.txt");
    std::fs::write(&bad_identity, "# created by hand\nnot a key\n").unwrap();
    let out_dir = dir.path().join("out");
    let to_dir = ["--output-dir", out_dir.to_str().unwrap()];
    let plain_name = out_dir.join("plain.zip");
    let to_plain_name = ["-o", plain_name.to_str().unwrap()];
    // A real recipient (public): only the name is wrong.
    let recipient = "age13749rm5rctstyxja4jqa7x80ldu6zq0jd7wknwlwsjz8dhs79f0qhthmd4";
    let cases: [(Vec<&str>, &str); 4] = [
        (
            [&to_dir[..], &["--encrypt-to", "age1notarecipient"]].concat(),
            "not an age X25519 recipient",
        ),
        (
            [&to_dir[..], &["--encrypt-to", secret]].concat(),
            "not an age X25519 recipient",
        ),
        (
            [&to_dir[..], &["--identity", bad_identity.to_str().unwrap()]].concat(),
            "line 2 is not an age X25519 identity",
        ),
        (
            [&to_plain_name[..], &["--encrypt-to", recipient]].concat(),
            "is named ….zip.age",
        ),
    ];
    for (args, said) in cases {
        let out = driftlab()
            .env("KUBECONFIG", kubeconfig(home.path(), "http://127.0.0.1:9"))
            .args(["export", "-A"])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(said), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!err.contains(secret), "a secret key is never echoed: {err}");
    }
    assert!(!out_dir.exists(), "nothing written");
}

#[test]
fn rotation_never_counts_nor_deletes_what_it_cannot_open() {
    let Some((_, keygen)) = tools() else { return };
    let keys = tempfile::tempdir().unwrap();
    let (id, recipient) = identity(&keygen, keys.path(), "id");
    let served = Served::start(NIGHT1);
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let out = export_all(
        &served,
        &["--output-dir", out_dir, "--encrypt-to", &recipient],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let newest = file_names(dir.path())[0].clone();
    // An older one: the same day, named by the day (its midnight).
    let older = format!(
        "driftlab-{}.zip.age",
        &newest["driftlab-".len().."driftlab-".len() + 8]
    );
    let older_path = dir.path().join(&older);
    let out = export_all(
        &served,
        &[
            "-o",
            older_path.to_str().unwrap(),
            "--encrypt-to",
            &recipient,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(file_names(dir.path()), [older.clone(), newest.clone()]);

    // Without an identity: neither is proven good, so nothing goes; each is named.
    let out = driftlab()
        .args(["rotate", "--retain-count", "1", out_dir])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(file_names(dir.path()).len(), 2, "{}", stdout(&out));
    assert!(stderr(&out).contains("encrypted (age)"), "{}", stderr(&out));
    // Even --prune-broken keeps them: locked is not broken.
    let out = driftlab()
        .args(["rotate", "--retain-count", "1", "--prune-broken", out_dir])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(file_names(dir.path()).len(), 2);
    // With it: the newest is proven good, the older one is beyond the retention.
    let out = driftlab()
        .args(["rotate", "--retain-count", "1", out_dir, "--identity"])
        .arg(&id)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(file_names(dir.path()), [newest]);
}

#[test]
fn sign_encrypt_and_verify_in_a_bucket() {
    let Some((age, keygen)) = tools() else { return };
    let Some(minisign) = skip::trust_tool("minisign") else {
        return;
    };
    let Some(python) = skip::moto_python() else {
        return;
    };
    let moto = Moto::start(&python, 5 << 20);
    moto.create_bucket("sealed");
    let keys = tempfile::tempdir().unwrap();
    let (id, recipient) = identity(&keygen, keys.path(), "id");
    let (secret, public) = (keys.path().join("s.key"), keys.path().join("s.pub"));
    let made = Command::new(&minisign)
        .args(["-G", "-W", "-s"])
        .arg(&secret)
        .arg("-p")
        .arg(&public)
        .output()
        .unwrap();
    assert!(made.status.success());
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
        "s3://sealed/prod",
        "--encrypt-to",
        &recipient,
        "--sign-key",
        secret.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stored = moto.keys("sealed", "prod/");
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert!(stored[0].ends_with(".zip.age") && stored[1].ends_with(".zip.age.minisig"));

    // What went up: the real age decrypts it, the real minisign verifies it.
    let local = tempfile::tempdir().unwrap();
    let sealed = local.path().join(stored[0].trim_start_matches("prod/"));
    let bytes = moto.get("sealed", &stored[0]).unwrap();
    assert!(
        !bytes
            .windows(KNOWN[0].len())
            .any(|w| w == KNOWN[0].as_bytes())
    );
    std::fs::write(&sealed, &bytes).unwrap();
    std::fs::write(
        local.path().join(stored[1].trim_start_matches("prod/")),
        moto.get("sealed", &stored[1]).unwrap(),
    )
    .unwrap();
    let plain = Command::new(&age)
        .arg("-d")
        .arg("-i")
        .arg(&id)
        .arg(&sealed)
        .output()
        .unwrap();
    assert!(plain.status.success());
    assert!(!unzip(&plain.stdout).is_empty());
    let verified = Command::new(&minisign)
        .arg("-Vm")
        .arg(&sealed)
        .arg("-p")
        .arg(&public)
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );

    // driftlab verifies both in place, and reads the prefix's newest archive.
    let id = id.to_str().unwrap();
    let out = run(&[
        "verify",
        "s3://sealed/prod",
        "--identity",
        id,
        "--public-key",
        public.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("signed by key"), "{}", stdout(&out));
    let night1 = common::repo(NIGHT1);
    let out = run(&[
        "diff",
        "s3://sealed/prod",
        night1.to_str().unwrap(),
        "-q",
        "--identity",
        id,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(&["diff", "s3://sealed/prod", night1.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("encrypted (age)"), "{}", stderr(&out));
}
