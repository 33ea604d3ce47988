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
    // With room enough it reads: an empty list, which compares only when asked to.
    let output = driftlab()
        .args([
            "diff",
            &path,
            &path,
            "--max-bytes",
            "128MiB",
            "--allow-empty",
        ])
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

// Mutation fuzzing of every reader: seeds from the fixture archives and small crafted inputs,
// random mutations, and the contract that reading returns (Ok, or an error on one line) without
// a panic, in bounded time. DRIFTLAB_FUZZ_CASES raises the number of cases of each test (default
// 64: the whole file runs in well under 30 s in a debug build).

/// The fixture archives the zip seeds come from.
const SEED_ARCHIVES: &[&str] = &[
    NIGHT1,
    "fixtures/openshift-backup/openshift-backup201809120015.zip",
    "fixtures/culprits/openshift-backup201809120015.zip",
    "fixtures/week/openshift-backup201809100015.zip",
];

fn fuzz_cases() -> u32 {
    std::env::var("DRIFTLAB_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(64)
}

/// The entries of the fixture archive `index` (modulo their number).
fn seed_entries(index: usize) -> Vec<(String, Vec<u8>)> {
    let path = SEED_ARCHIVES[index % SEED_ARCHIVES.len()];
    common::unzip(&std::fs::read(common::repo(path)).unwrap())
}

/// A fixture archive rewritten stored (uncompressed), so that mutations reach the JSON parser
/// instead of stopping at deflate checksums; `duplicate` repeats one entry under its own name.
fn stored_seed(index: usize, duplicate: Option<usize>) -> Vec<u8> {
    let entries = seed_entries(index);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let repeated = duplicate.map(|d| d % entries.len());
    for (i, (name, data)) in entries.iter().enumerate() {
        let copies = if Some(i) == repeated { 2 } else { 1 };
        for copy in 0..copies {
            // The zip crate will not write a name twice: write a same-length stand-in, renamed
            // below in both headers.
            let written = if copy == 0 {
                name.clone()
            } else {
                stand_in(name)
            };
            zip.start_file(written, options).unwrap();
            std::io::Write::write_all(&mut zip, data).unwrap();
        }
    }
    let mut bytes = zip.finish().unwrap().into_inner();
    if let Some(i) = repeated {
        replace_all(
            &mut bytes,
            stand_in(&entries[i].0).as_bytes(),
            entries[i].0.as_bytes(),
        );
    }
    bytes
}

/// A name of the same length as `name`, that no fixture uses.
fn stand_in(name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    chars[0] = if chars[0] == '~' { '!' } else { '~' };
    chars.into_iter().collect()
}

fn replace_all(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(from.len()).position(|w| w == from) {
        bytes[at + found..at + found + from.len()].copy_from_slice(to);
        at += found + from.len();
    }
}

/// An uncompressed Velero-layout tar of the objects of a fixture archive's List files.
fn velero_tar_seed(index: usize) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in seed_entries(index)
        .iter()
        .filter(|(n, _)| n.ends_with(".json"))
    {
        let (folder, file) = name.split_once('/').unwrap_or(("p", name));
        let resource = file.trim_end_matches(".json");
        for path in [
            format!("resources/{resource}/namespaces/{folder}/{resource}.json"),
            format!("resources/{resource}/v1-preferredversion/namespaces/{folder}/{resource}.json"),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, path, data.as_slice())
                .unwrap();
        }
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut encoder, bytes).unwrap();
    encoder.finish().unwrap()
}

const JSON_SEED: &[u8] = br#"{"apiVersion": "v1", "kind": "List", "items": [{"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "p"}, "data": {"x": "1"}}, null, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "p"}, "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "c", "image": "x:1", "env": [{"name": "A", "value": "\u00e9\"q"}]}]}}}}]}
{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "p"}, "data": {"p": "czNjcjN0"}}
[{"kind": "ConfigMapList", "apiVersion": "v1", "items": [{"metadata": {"name": "b", "namespace": "q"}}]}]"#;

const YAML_SEED: &[u8] = b"apiVersion: v1\nkind: List\nitems:\n- kind: ConfigMap\n  metadata: {name: a, namespace: p}\n  data: {app.yaml: 'x: 1'}\n---\nkind: Secret\nmetadata: {name: s}\ndata: {p: czNjcjN0}\n---\nbase: &b {kind: ConfigMap, metadata: {name: c}}\nitems: [*b, *b]\n---\n{\"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"flow\"}}\n";

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    /// Copies `len` bytes from one place to another: a repeated header, entry or object.
    Repeat(usize, usize, usize),
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
        (any::<usize>(), 1usize..1024, any::<usize>())
            .prop_map(|(from, len, to)| Mutation::Repeat(from, len, to)),
    ]
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    proptest::collection::vec(mutation(), 1..6)
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
            Mutation::Repeat(from, n, to) => {
                let from = from % len;
                let chunk = bytes[from..(from + n).min(len)].to_vec();
                let to = to % len;
                bytes.splice(to..to, chunk);
            }
        }
    }
    bytes
}

/// The start of `first` up to a point, then the rest of `second` from another point.
fn splice(first: &[u8], second: &[u8], cut: usize, resume: usize) -> Vec<u8> {
    let mut bytes = first[..cut % (first.len() + 1)].to_vec();
    bytes.extend_from_slice(&second[resume % (second.len() + 1)..]);
    bytes
}

/// The most a mutated seed may take to read in a debug build: a reader that loops or goes
/// quadratic fails here, long before any real timeout.
const SLOW: std::time::Duration = std::time::Duration::from_secs(5);

fn fuzz_options() -> driftlab::source::ReadOptions {
    driftlab::source::ReadOptions {
        max_bytes: 64 << 20,
        ..Default::default()
    }
}

/// Checks the reader contract on one outcome: Ok, or one line; in bounded time.
fn assert_contract<T>(outcome: driftlab::error::Result<T>, started: std::time::Instant) {
    if let Err(e) = outcome {
        assert!(!e.to_string().contains('\n'), "{e}");
    }
    assert!(started.elapsed() < SLOW, "took {:?}", started.elapsed());
}

/// Reads `bytes` as a file named `label` (its extension matters: `.zip` must be a zip).
fn read_must_not_panic_as(bytes: Vec<u8>, label: &str) {
    let started = std::time::Instant::now();
    assert_contract(
        driftlab::source::read_bytes(bytes, label, &fuzz_options()),
        started,
    );
}

fn read_must_not_panic(bytes: Vec<u8>) {
    read_must_not_panic_as(bytes, "mutated");
}

/// Writes `entries` as a directory, mutating the bytes of the files `mutations` pick, and
/// reads it with the directory reader.
fn read_tree_must_not_panic(entries: &[(String, Vec<u8>)], picks: &[(usize, Vec<Mutation>)]) {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, Vec<u8>)> = entries.to_vec();
    for (pick, mutations) in picks {
        let i = pick % files.len();
        files[i].1 = mutate(std::mem::take(&mut files[i].1), mutations);
    }
    for (name, data) in &files {
        common::write(dir.path(), name, data);
    }
    let started = std::time::Instant::now();
    assert_contract(
        driftlab::source::read(dir.path().to_str().unwrap(), &fuzz_options()),
        started,
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_cases(), ..ProptestConfig::default() })]

    #[test]
    fn mutated_deflated_archives_never_panic(seed in 0usize..4, mutations in mutations()) {
        let bytes = std::fs::read(common::repo(SEED_ARCHIVES[seed])).unwrap();
        read_must_not_panic_as(mutate(bytes, &mutations), "backup.zip");
    }

    #[test]
    fn mutated_stored_archives_never_panic(seed in 0usize..4, duplicate in proptest::option::of(any::<usize>()), mutations in mutations()) {
        read_must_not_panic(mutate(stored_seed(seed, duplicate), &mutations));
    }

    #[test]
    fn spliced_archives_never_panic(first in 0usize..4, second in 0usize..4, cut in any::<usize>(), resume in any::<usize>()) {
        let bytes = splice(&stored_seed(first, None), &stored_seed(second, None), cut, resume);
        read_must_not_panic_as(bytes, "spliced.zip");
    }

    #[test]
    fn mutated_json_and_yaml_never_panic(mutations in mutations(), yaml in any::<bool>(), cut in any::<usize>(), resume in any::<usize>(), spliced in any::<bool>()) {
        let text = if yaml { YAML_SEED } else { JSON_SEED };
        let bytes = if spliced { splice(JSON_SEED, YAML_SEED, cut, resume) } else { text.to_vec() };
        read_must_not_panic(mutate(bytes, &mutations));
    }

    #[test]
    fn mutated_velero_tarballs_never_panic(mutations in mutations()) {
        let object = br#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "p"}}"#;
        let tarball = common::tar_gz_bytes(&[("resources/configmaps/namespaces/p/x.json", object)]);
        read_must_not_panic(mutate(tarball, &mutations));
    }

    #[test]
    fn mutated_velero_tar_streams_never_panic(seed in 0usize..4, mutations in mutations(), spliced_with in proptest::option::of((0usize..4, any::<usize>(), any::<usize>()))) {
        // Mutated before compression, so that mutations reach the tar and JSON readers.
        let mut tar = mutate(velero_tar_seed(seed), &mutations);
        if let Some((other, cut, resume)) = spliced_with {
            tar = splice(&tar, &velero_tar_seed(other), cut, resume);
        }
        read_must_not_panic_as(gzip(&tar), "backup.tar.gz");
    }

    #[test]
    fn mutated_directory_trees_never_panic(seed in 0usize..4, picks in proptest::collection::vec((any::<usize>(), mutations()), 1..4)) {
        read_tree_must_not_panic(&seed_entries(seed), &picks);
    }
}
