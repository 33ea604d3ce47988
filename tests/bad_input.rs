//! Bad input: exit status 2, one clear line naming the file and the problem, nothing written, no
//! panic. And a randomised test that mutates valid archives and asserts the readers never panic.

mod common;

use common::{NIGHT1, driftlab, stderr, stdout};
use proptest::prelude::*;

/// Runs `driftlab diff OLD NEW` and checks the trouble contract; returns the error line.
fn trouble(old: &str, new: &str, extra: &[&str]) -> String {
    let output = driftlab()
        .args(["diff", old, new])
        .args(extra)
        .output()
        .unwrap();
    let errors = stderr(&output);
    assert_eq!(
        output.status.code(),
        Some(2),
        "stdout: {}\nstderr: {errors}",
        stdout(&output)
    );
    assert!(
        output.stdout.is_empty(),
        "nothing on stdout: {}",
        stdout(&output)
    );
    assert_eq!(errors.lines().count(), 1, "one line: {errors}");
    assert!(errors.starts_with("driftlab: error: "), "{errors}");
    assert!(
        !errors.contains("panicked") && !errors.contains("RUST_BACKTRACE"),
        "{errors}"
    );
    errors.trim_end().to_string()
}

#[test]
fn missing_file() {
    let line = trouble("no-such.zip", NIGHT1, &[]);
    assert_eq!(
        line,
        "driftlab: error: no-such.zip: no such file or directory"
    );
}

#[test]
fn corrupt_zip() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write(
        dir.path(),
        "corrupt.zip",
        b"PK\x03\x04 this is not really a zip archive at all",
    );
    let line = trouble(&path, NIGHT1, &[]);
    assert!(
        line.contains("corrupt.zip: not a readable zip archive"),
        "{line}"
    );
}

#[test]
fn truncated_zip() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(common::repo(NIGHT1)).unwrap();
    let path = common::write(dir.path(), "truncated.zip", &bytes[..bytes.len() / 2]);
    let line = trouble(NIGHT1, &path, &[]);
    assert!(line.contains("truncated.zip: "), "{line}");
    assert!(line.contains("truncated or corrupt"), "{line}");
}

#[test]
fn truncated_json_inside_an_archive_names_entry_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let json = b"{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n    {\"kind\": \"ConfigMap\"";
    let zip = common::zip_bytes(&[("myproject/cms.json", json)], false);
    let path = common::write(dir.path(), "openshift-backup201809110015.zip", &zip);
    let line = trouble(&path, NIGHT1, &[]);
    assert!(
        line.contains(&format!(
            "{path}: myproject/cms.json: invalid JSON at byte {} ",
            json.len()
        )),
        "{line}"
    );
    assert!(line.contains("truncated?"), "{line}");
}

#[test]
fn truncated_json_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write(
        dir.path(),
        "objects.json",
        b"{\"apiVersion\": \"v1\", \"kind\": \"Li",
    );
    let line = trouble(&path, NIGHT1, &[]);
    assert!(
        line.contains("objects.json: invalid JSON at byte "),
        "{line}"
    );
}

#[test]
fn invalid_utf8_in_an_archive_entry_and_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let zip = common::zip_bytes(
        &[(
            "p/cms.json",
            b"{\"kind\": \"List\", \"items\": [], \"x\": \"\xc3\x28\"}",
        )],
        false,
    );
    let path = common::write(dir.path(), "utf8.zip", &zip);
    let line = trouble(&path, NIGHT1, &[]);
    assert!(
        line.ends_with("utf8.zip: p/cms.json: not valid UTF-8 at byte 36"),
        "{line}"
    );

    let path = common::write(
        dir.path(),
        "latin1.yaml",
        b"kind: ConfigMap\nmetadata: {name: caf\xe9}\n",
    );
    let line = trouble(&path, NIGHT1, &[]);
    assert!(
        line.ends_with("latin1.yaml: not valid UTF-8 at byte 36"),
        "{line}"
    );
}

#[test]
fn zip_entries_that_climb_out_or_are_absolute_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let object = br#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "p"}}"#;
    for (file, entry) in [
        ("climb.zip", "../evil.json"),
        ("nested.zip", "p/../../evil.json"),
        ("absolute.zip", "/tmp/evil.json"),
    ] {
        let zip = common::zip_bytes(&[("p/ok.json", object), (entry, object)], false);
        let path = common::write(dir.path(), file, &zip);
        let line = trouble(&path, NIGHT1, &[]);
        assert!(
            line.contains(&format!("{file}: entry {entry:?} has an unsafe path")),
            "{line}"
        );
    }
    // Archives are read in memory: nothing appeared beside or above the archives.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(!dir.path().parent().unwrap().join("evil.json").exists());
}

#[test]
fn zip_bomb_stops_at_the_byte_cap() {
    let dir = tempfile::tempdir().unwrap();
    // 64 MiB of whitespace around an empty list: deflates to a few dozen KiB.
    let mut json = vec![b' '; 64 << 20];
    json.extend_from_slice(br#"{"kind": "List", "items": []}"#);
    let zip = common::zip_bytes(&[("p/bomb.json", &json)], false);
    assert!(zip.len() < 1 << 20, "{}", zip.len());
    let path = common::write(dir.path(), "bomb.zip", &zip);
    let line = trouble(&path, NIGHT1, &["--max-bytes", "16MiB"]);
    assert_eq!(
        line,
        format!(
            "driftlab: error: {path}: decompresses to more than 16 MiB (a zip bomb?); --max-bytes raises the limit"
        )
    );
    // With room enough it reads (an empty list).
    let output = driftlab()
        .args(["diff", &path, &path, "--max-bytes", "128MiB"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn velero_tarball_bomb_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let big = vec![b' '; 8 << 20];
    let tarball = common::tar_gz_bytes(&[("resources/configmaps/namespaces/p/big.json", &big)]);
    let path = common::write(dir.path(), "backup.tar.gz", &tarball);
    let line = trouble(&path, NIGHT1, &["--max-bytes", "1MiB"]);
    assert!(
        line.contains("backup.tar.gz: decompresses to more than 1 MiB"),
        "{line}"
    );

    let object = br#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "p"}}"#;
    let tarball = common::tar_gz_bytes(&[("resources/configmaps/namespaces/p/x.json", object)]);
    let path = common::write(dir.path(), "cut.tar.gz", &tarball[..tarball.len() - 12]);
    let line = trouble(&path, NIGHT1, &[]);
    assert!(line.contains("cut.tar.gz: "), "{line}");
}

#[test]
fn invalid_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write(
        dir.path(),
        "bad.yaml",
        b"kind: ConfigMap\nmetadata:\n  name: [unclosed\n  labels: {a: b\n",
    );
    let line = trouble(&path, NIGHT1, &[]);
    assert!(line.contains("bad.yaml: invalid YAML"), "{line}");
}

#[test]
fn bad_file_in_a_directory_is_named_by_its_path() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "ok.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: p}\n",
    );
    let bad = common::write(dir.path(), "sub/broken.json", b"{\"kind\": ");
    let line = trouble(dir.path().to_str().unwrap(), NIGHT1, &[]);
    assert!(
        line.contains(&format!("{bad}: invalid JSON at byte 9")),
        "{line}"
    );
}

#[test]
fn unusable_arguments() {
    let line = trouble("-", "-", &[]);
    assert!(line.contains("only one of OLD and NEW can be -"), "{line}");
    let line = trouble(NIGHT1, NIGHT1, &["--ignore", "spec.containers[unclosed"]);
    assert!(
        line.contains("--ignore: unclosed [ in path pattern"),
        "{line}"
    );
}

#[test]
fn hostile_file_names_cannot_spread_the_error_over_lines() {
    let dir = tempfile::tempdir().unwrap();
    let zip = common::zip_bytes(&[("../x\ny.json", b"{}")], false);
    let path = common::write(dir.path(), "names.zip", &zip);
    trouble(&path, NIGHT1, &[]);
}

/// A stored (uncompressed) copy of the first fixture night, so that mutations reach the JSON
/// parser instead of stopping at deflate checksums.
fn stored_fixture() -> Vec<u8> {
    let bytes = std::fs::read(common::repo(NIGHT1)).unwrap();
    let entries = common::unzip(&bytes);
    let borrowed: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    common::zip_bytes(&borrowed, true)
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip(at, byte)),
        any::<usize>().prop_map(Mutation::Truncate),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
        (any::<usize>(), 1usize..64).prop_map(|(at, len)| Mutation::Delete(at, len)),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        if bytes.is_empty() {
            break;
        }
        let len = bytes.len();
        match m {
            Mutation::Flip(at, byte) => bytes[at % len] ^= byte | 1,
            Mutation::Truncate(at) => bytes.truncate(at % len),
            Mutation::Insert(at, extra) => {
                let at = at % len;
                bytes.splice(at..at, extra.iter().copied());
            }
            Mutation::Delete(at, n) => {
                let at = at % len;
                bytes.drain(at..(at + n).min(len));
            }
        }
    }
    bytes
}

fn read_must_not_panic(bytes: Vec<u8>) {
    let options = driftlab::source::ReadOptions {
        max_bytes: 64 << 20,
        ..Default::default()
    };
    // Ok or a clean error are both fine; a panic fails the test.
    if let Err(e) = driftlab::source::read_bytes(bytes, "mutated", &options) {
        assert!(!e.to_string().contains('\n'), "{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn mutated_deflated_archives_never_panic(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = std::fs::read(common::repo(NIGHT1)).unwrap();
        read_must_not_panic(mutate(bytes, &mutations));
    }

    #[test]
    fn mutated_stored_archives_never_panic(mutations in proptest::collection::vec(mutation(), 1..6)) {
        read_must_not_panic(mutate(stored_fixture(), &mutations));
    }

    #[test]
    fn mutated_json_and_yaml_never_panic(mutations in proptest::collection::vec(mutation(), 1..6), yaml in any::<bool>()) {
        let text: &[u8] = if yaml {
            b"apiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n  metadata: {name: a, namespace: p}\n  data: {app.yaml: 'x: 1'}\n---\nkind: Secret\nmetadata: {name: s}\ndata: {p: czNjcjN0}\n"
        } else {
            br#"{"apiVersion": "v1", "kind": "List", "items": [{"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "p"}, "data": {"x": "1"}}]}"#
        };
        read_must_not_panic(mutate(text.to_vec(), &mutations));
    }

    #[test]
    fn mutated_velero_tarballs_never_panic(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let object = br#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "p"}}"#;
        let tarball = common::tar_gz_bytes(&[("resources/configmaps/namespaces/p/x.json", object)]);
        read_must_not_panic(mutate(tarball, &mutations));
    }
}
