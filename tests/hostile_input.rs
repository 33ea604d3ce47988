//! Hostile and damaged input: every reader is bounded in bytes, memory and time, and never reads
//! half a source silently. Bad input ends in one stderr line naming the source and the problem,
//! exit status 2; a good backup is never refused for being big.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{NIGHT1, driftlab, stderr, stdout};
use driftlab::source::{self, ReadOptions};

/// Runs `driftlab ARGS…` with `input` on stdin, failing the test past `limit`.
fn run(args: &[&str], input: Option<&[u8]>, limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = input {
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        // A reader that stops early closes the pipe: a write error is expected then.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            panic!("driftlab {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Asserts the trouble contract (exit 2, one line on stderr, no panic); returns the line.
fn trouble(output: &Output) -> String {
    let errors = stderr(output);
    assert_eq!(
        output.status.code(),
        Some(2),
        "stdout: {}\nstderr: {errors}",
        stdout(output)
    );
    assert_eq!(errors.lines().count(), 1, "one line: {errors}");
    assert!(errors.starts_with("driftlab: error: "), "{errors}");
    assert!(!errors.contains("panicked"), "{errors}");
    errors.trim_end().to_string()
}

fn check(args: &[&str]) -> Output {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    run(&all, None, Duration::from_secs(30))
}

fn read(path: &str) -> driftlab::snapshot::Snapshot {
    source::read(path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read_err(path: &str) -> String {
    match source::read(path, &ReadOptions::default()) {
        Ok(snapshot) => panic!("{path}: read {} objects", snapshot.len()),
        Err(e) => {
            let text = e.to_string();
            assert!(!text.contains('\n'), "{text}");
            text
        }
    }
}

fn config_map(name: &str) -> String {
    format!(
        r#"{{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {{"name": "{name}", "namespace": "p"}}, "data": {{"k": "v"}}}}"#
    )
}

// 1. --max-bytes holds for every source, checked while reading.

#[test]
fn an_endless_device_stops_at_the_cap() {
    let line = trouble(&check(&["--max-bytes", "1MiB", "/dev/zero"]));
    assert_eq!(
        line,
        "driftlab: error: /dev/zero: larger than 1 MiB; --max-bytes raises the limit"
    );
}

#[test]
fn a_big_sparse_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(3 << 30)
        .unwrap();
    let path = path.to_str().unwrap();
    let started = Instant::now();
    let line = trouble(&check(&["--max-bytes", "1MiB", path]));
    assert_eq!(
        line,
        format!("driftlab: error: {path}: larger than 1 MiB; --max-bytes raises the limit")
    );
    // Looking at the size takes nothing (reading 3 GiB, even sparse, took 3 GB of memory).
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_zip_larger_than_the_cap_is_refused_before_it_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    // The big entry is no manifest: nothing would decompress it, the zip itself is too big.
    let noise: Vec<u8> = (0..2u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let zip = common::zip_bytes(
        &[
            ("p/cms.json", config_map("a").as_bytes()),
            ("p/dump.bin", &noise),
        ],
        true,
    );
    let path = common::write(dir.path(), "big.zip", &zip);
    let line = trouble(&check(&["--max-bytes", "1MiB", &path]));
    assert!(
        line.ends_with("big.zip: larger than 1 MiB; --max-bytes raises the limit"),
        "{line}"
    );
}

#[test]
fn a_pipe_and_stdin_stop_at_the_cap() {
    let big = vec![b' '; 3 << 20];
    let line = trouble(&run(
        &["check", "--max-bytes", "1MiB", "-"],
        Some(&big),
        Duration::from_secs(30),
    ));
    assert_eq!(
        line,
        "driftlab: error: standard input: larger than 1 MiB; --max-bytes raises the limit"
    );

    #[cfg(unix)]
    {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.json");
        let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        let writer_path = fifo.clone();
        // An endless writer: only the cap ends the read.
        std::thread::spawn(move || {
            if let Ok(mut pipe) = std::fs::OpenOptions::new().write(true).open(writer_path) {
                let chunk = vec![b' '; 1 << 16];
                while pipe.write_all(&chunk).is_ok() {}
            }
        });
        let line = trouble(&check(&["--max-bytes", "1MiB", fifo.to_str().unwrap()]));
        assert!(
            line.ends_with("fifo.json: larger than 1 MiB; --max-bytes raises the limit"),
            "{line}"
        );
    }
}

// 2. Amplification: parse-time memory is bounded per object.

/// An object holding `count` array elements: `0,0,0,…` deflates about a thousandfold.
fn object_with_array(count: usize) -> Vec<u8> {
    let mut json = br#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bomb", "namespace": "p"}, "data": {"x": ["#.to_vec();
    json.extend(std::iter::repeat_n(&b"0,"[..], count).flatten());
    json.extend_from_slice(b"0]}}");
    json
}

#[test]
fn an_object_of_millions_of_values_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    // 10 MiB of `0,` in one object.
    let bomb = object_with_array(5_000_000);
    let zip = common::zip_bytes(&[("p/cms.json", &bomb)], false);
    assert!(zip.len() < 100 << 10, "{}", zip.len());
    let path = common::write(dir.path(), "amplified.zip", &zip);
    let line = trouble(&check(&[&path]));
    assert!(
        line.ends_with("amplified.zip: p/cms.json: the value at byte 0 holds more than 1000000 JSON values; not read (no Kubernetes object comes close: etcd stores at most about 1.5 MiB per object)"),
        "{line}"
    );

    // In a List, the item is named by its number and offset.
    let mut list = format!(r#"{{"kind": "List", "items": [{}, "#, config_map("a")).into_bytes();
    let at = list.len();
    list.extend_from_slice(&object_with_array(1_000_001));
    list.extend_from_slice(b"]}");
    let path = common::write(dir.path(), "list.json", &list);
    let err = read_err(&path);
    assert!(
        err.starts_with(&format!(
            "{path}: item 1 (at byte {at}) holds more than 1000000 JSON values"
        )),
        "{err}"
    );
    // Before the fix: `check` took 400 MB and `diff` 1.4 GB for this 51 KB zip.
}

#[test]
fn big_objects_and_lists_below_the_budget_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write(dir.path(), "big.json", &object_with_array(900_000));
    assert_eq!(read(&path).len(), 1);
    let path = common::write(dir.path(), "list.json", json_list(20_000).as_bytes());
    assert_eq!(read(&path).len(), 20_000);
}

fn json_list(count: usize) -> String {
    let items: Vec<String> = (0..count).map(|i| config_map(&format!("cm-{i}"))).collect();
    format!(
        r#"{{"apiVersion": "v1", "kind": "List", "items": [{}]}}"#,
        items.join(",")
    )
}

/// Slow in a debug build (a minute): `cargo test --release --test hostile_input -- --ignored`.
#[test]
#[ignore]
fn lists_of_100k_objects_read_in_json_and_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write(dir.path(), "list.json", json_list(100_000).as_bytes());
    assert_eq!(read(&path).len(), 100_000);
    let path = common::write(dir.path(), "list.yaml", yaml_list(100_000).as_bytes());
    assert_eq!(read(&path).len(), 100_000);
    let documents: Vec<String> = (0..10_000)
        .map(|i| {
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}, namespace: p}}\n")
        })
        .collect();
    let path = common::write(dir.path(), "many.yaml", documents.join("---\n").as_bytes());
    assert_eq!(read(&path).len(), 10_000);
}

#[test]
fn json_errors_inside_a_list_item_point_into_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // A lone surrogate escape passes the List's first look and only parsing the item rejects it.
    let text = format!(
        "{{\"kind\": \"List\",\n \"items\": [{},\n  {{\"a\": \"\\ud800x\"}}]}}",
        config_map("a")
    );
    let path = common::write(dir.path(), "f.json", text.as_bytes());
    let err = read_err(&path);
    // serde_json points just past the escape it cannot decode.
    let at = text.find("\\ud800").unwrap() + 6;
    assert!(
        err.starts_with(&format!(
            "{path}: invalid JSON at byte {at} (line 3, column "
        )),
        "{err} (expected byte {at})"
    );
}

#[test]
fn deeply_nested_arrays_are_refused_without_overflowing_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 20_000;
    let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let path = common::write(dir.path(), "deep.json", text.as_bytes());
    let err = read_err(&path);
    assert!(
        err.ends_with(
            "deep.json: the value at byte 16 nests arrays of documents deeper than 16 levels"
        ),
        "{err}"
    );

    let text = format!(
        r#"{{"kind": "ConfigMap", "metadata": {{"name": "a"}}, "data": {}{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let path = common::write(dir.path(), "deep-object.json", text.as_bytes());
    let err = read_err(&path);
    assert!(err.contains("nested deeper than 128 levels"), "{err}");
}

// 3. Directory walks end, read each file once, and say what they leave out.

#[cfg(unix)]
#[test]
fn symlinks_back_to_a_parent_are_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    common::write(&root, "a/cm.json", config_map("a").as_bytes());
    std::os::unix::fs::symlink("..", root.join("a/up1")).unwrap();
    std::os::unix::fs::symlink("..", root.join("a/up2")).unwrap();
    std::os::unix::fs::symlink("a", root.join("again")).unwrap();
    std::os::unix::fs::symlink("a/cm.json", root.join("link.json")).unwrap();
    let output = check(&[root.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Read once: no "also appears in" warning about the same file reached several ways.
    assert_eq!(stderr(&output), "");
    assert!(
        stdout(&output).contains(": 1 objects in 1 namespaces"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn manifests_deeper_than_32_directories_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    common::write(&root, "top.json", config_map("top").as_bytes());
    let deep: Vec<String> = (0..34).map(|i| format!("d{i}")).collect();
    common::write(
        &root,
        &format!("{}/cm.json", deep.join("/")),
        config_map("deep").as_bytes(),
    );
    let output = check(&[root.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let cut = root.join(deep[..33].join("/"));
    assert_eq!(
        stderr(&output),
        format!(
            "driftlab: warning: {}/…: deeper than 32 directories, not read\n",
            cut.display()
        )
    );
}

// 4. A file named like an archive must be one.

#[test]
fn an_empty_or_foreign_zip_is_an_error_not_an_empty_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let empty = common::write(dir.path(), "backup-20240101.zip", b"");
    assert_eq!(
        trouble(&check(&[&empty])),
        format!("driftlab: error: {empty}: 0 bytes: not a zip archive (an interrupted copy?)")
    );
    let text = common::write(dir.path(), "renamed.zip", config_map("a").as_bytes());
    let line = trouble(&check(&[&text]));
    assert!(line.contains("renamed.zip: not a zip archive"), "{line}");
    let tarball = common::write(dir.path(), "velero.tar.gz", b"");
    let line = trouble(&check(&[&tarball]));
    assert!(
        line.ends_with(
            "velero.tar.gz: 0 bytes: not a gzip-compressed tarball (an interrupted copy?)"
        ),
        "{line}"
    );
    let json = common::write(dir.path(), "objects.json", b"");
    let line = trouble(&check(&[&json]));
    assert!(
        line.ends_with("objects.json: 0 bytes: nothing to read (an interrupted copy?)"),
        "{line}"
    );
    let yaml = common::write(dir.path(), "objects.yaml", b"\n  \n");
    let line = trouble(&check(&[&yaml]));
    assert!(
        line.ends_with("objects.yaml: only blank space: nothing to read (an interrupted copy?)"),
        "{line}"
    );
}

#[test]
fn a_zip_cut_anywhere_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(common::repo(NIGHT1)).unwrap();
    for cut in [1, 22, bytes.len() / 3, bytes.len() - 1] {
        let path = common::write(dir.path(), "cut.zip", &bytes[..bytes.len() - cut]);
        let line = trouble(&check(&[&path]));
        assert!(line.contains("cut.zip: "), "{line}");
    }
}

// 5. Velero tarballs are read to their end.

fn objects_tar(count: usize) -> Vec<u8> {
    let names: Vec<(String, String)> = (0..count)
        .map(|i| {
            (
                format!("resources/configmaps/namespaces/p/cm-{i}.json"),
                config_map(&format!("cm-{i}")),
            )
        })
        .collect();
    let mut builder = tar::Builder::new(Vec::new());
    for (name, data) in &names {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, name, data.as_bytes())
            .unwrap();
    }
    builder.into_inner().unwrap()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn every_gzip_member_of_a_tarball_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let tar = objects_tar(4);
    // Cut the tar stream in two at an entry boundary (2 entries of 2 blocks each), one gzip
    // member each, as parallel or appending compressors write them.
    let mut tarball = gzip(&tar[..4 * 512]);
    tarball.extend(gzip(&tar[4 * 512..]));
    let path = common::write(dir.path(), "backup.tar.gz", &tarball);
    assert_eq!(read(&path).len(), 4);
}

#[test]
fn a_tar_cut_at_an_entry_boundary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let tar = objects_tar(4);
    let path = common::write(dir.path(), "cut.tar.gz", &gzip(&tar[..4 * 512]));
    let line = trouble(&check(&[&path]));
    assert!(
        line.ends_with(
            "cut.tar.gz: truncated tar: no end-of-archive marker (an interrupted copy?)"
        ),
        "{line}"
    );
    // One zero block is not the marker either.
    let path = common::write(dir.path(), "half.tar.gz", &gzip(&tar[..8 * 512 + 512]));
    assert!(read_err(&path).contains("no end-of-archive marker"));
}

#[test]
fn data_after_the_end_of_a_tar_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let mut tar = objects_tar(1);
    tar.extend(objects_tar(1));
    let path = common::write(dir.path(), "two.tar.gz", &gzip(&tar));
    let snapshot = read(&path);
    assert_eq!(snapshot.len(), 1);
    assert!(
        snapshot.diagnostics[0]
            .message
            .contains("data after the tar end-of-archive marker"),
        "{:?}",
        snapshot.diagnostics
    );
}

// 6. Real YAML is not refused for its size; alias bombs are.

fn yaml_config_map(i: usize) -> String {
    format!(
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-{i}\n    namespace: p\n    labels: {{app: web, tier: front, release: stable}}\n    annotations:\n      note: \"object number {i}\"\n  data:\n    a: \"1\"\n    b: \"2\"\n    c: \"3\"\n    d: \"4\"\n    e: \"5\"\n    f: \"6\"\n    g: \"7\"\n    h: \"8\"\n    i: \"9\"\n    j: \"10\"\n    k: \"11\"\n"
    )
}

fn yaml_list(count: usize) -> String {
    let items: String = (0..count).map(yaml_config_map).collect();
    format!("apiVersion: v1\nkind: List\nitems:\n{items}")
}

#[test]
fn big_yaml_lists_and_many_documents_read() {
    let dir = tempfile::tempdir().unwrap();
    // Before the fix: "budget breached: Nodes 250001" (the same size as the issue's 2.9 MB List).
    let list = yaml_list(8_000);
    assert!(list.len() > 2 << 20, "{}", list.len());
    let path = common::write(dir.path(), "list.yaml", list.as_bytes());
    assert_eq!(read(&path).len(), 8_000);

    // Before the fix: the "Documents" budget stopped at 1,024.
    let documents: Vec<String> = (0..2_000)
        .map(|i| {
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}, namespace: p}}\n")
        })
        .collect();
    let path = common::write(dir.path(), "many.yaml", documents.join("---\n").as_bytes());
    assert_eq!(read(&path).len(), 2_000);
}

#[test]
fn yaml_nests_as_deep_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let nested = |depth: usize| {
        let mut yaml = String::from(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: p}\ndata:\n",
        );
        for level in 0..depth {
            yaml.push_str(&format!("{}k:\n", "  ".repeat(level + 1)));
        }
        yaml.push_str(&format!("{}v\n", "  ".repeat(depth + 1)));
        yaml
    };
    let path = common::write(dir.path(), "deep.yaml", nested(120).as_bytes());
    assert_eq!(read(&path).len(), 1);
    let path = common::write(dir.path(), "deeper.yaml", nested(200).as_bytes());
    assert!(read_err(&path).contains("invalid YAML"));
}

#[test]
fn billion_laughs_fail_fast_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from(
        "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for level in 1..10 {
        let previous = format!("*a{}", level - 1);
        let row = [previous.as_str(); 9].join(", ");
        yaml.push_str(&format!("a{level}: &a{level} [{row}]\n"));
    }
    let path = common::write(dir.path(), "laughs.yaml", yaml.as_bytes());
    let started = Instant::now();
    let line = trouble(&check(&[&path]));
    assert!(line.contains("laughs.yaml: invalid YAML"), "{line}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );

    // A big anchored scalar repeated by aliases (under the alias-to-anchor ratio).
    let mut yaml = format!("a: &big \"{}\"\nb: [", "x".repeat(4 << 20));
    yaml.push_str(&["*big"; 99].join(", "));
    yaml.push_str("]\n");
    let path = common::write(dir.path(), "wide.yaml", yaml.as_bytes());
    let line = trouble(&check(&[&path]));
    assert!(line.contains("wide.yaml: invalid YAML at line 2"), "{line}");
    assert!(line.contains("budget breached: ScalarBytes"), "{line}");
}

// 7. Duplicate zip entries, stdin.

#[test]
fn duplicate_zip_entry_names_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for name in ["a", "b"] {
        // The zip crate refuses to write a duplicate name; write it raw as a second file.
        writer
            .start_file(format!("p/cms-{name}.json"), options)
            .unwrap();
        writer.write_all(config_map(name).as_bytes()).unwrap();
    }
    let mut bytes = writer.finish().unwrap().into_inner();
    // Rename the second entry to the first one's name, in its local and central headers.
    let from = b"p/cms-b.json";
    let mut at = 0;
    while let Some(found) = bytes[at..].windows(from.len()).position(|w| w == from) {
        bytes[at + found..at + found + from.len()].copy_from_slice(b"p/cms-a.json");
        at += found + from.len();
    }
    let path = common::write(dir.path(), "dup.zip", &bytes);
    let snapshot = read(&path);
    let messages: Vec<&str> = snapshot
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [format!(
            "{path}: entry \"p/cms-a.json\" appears 2 times; only the last copy is read"
        )]
    );
}

#[test]
fn archives_on_stdin_are_recognised() {
    let zip = std::fs::read(common::repo(NIGHT1)).unwrap();
    let output = run(&["check", "-"], Some(&zip), Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("ok  -: "),
        "{}",
        stdout(&output)
    );
    let output = run(&["diff", "-", NIGHT1], Some(&zip), Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));

    let tarball = gzip(&{
        let mut tar = objects_tar(2);
        tar.extend([0u8; 1024]);
        tar
    });
    let output = run(&["check", "-"], Some(&tarball), Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("2 objects"), "{}", stdout(&output));
}

#[test]
fn an_empty_stdin_is_an_error() {
    for input in [&b""[..], b"\n  \n"] {
        let line = trouble(&run(&["check", "-"], Some(input), Duration::from_secs(30)));
        assert_eq!(line, "driftlab: error: standard input: nothing to read");
    }
    let line = trouble(&run(
        &["diff", "-", NIGHT1],
        Some(b""),
        Duration::from_secs(30),
    ));
    assert_eq!(line, "driftlab: error: standard input: nothing to read");
}

// 8. check: empty and partial archives.

#[test]
fn check_reports_an_empty_archive() {
    let dir = tempfile::tempdir().unwrap();
    let empty = common::write(dir.path(), "empty.zip", &common::zip_bytes(&[], false));
    let output = check(&[&empty]);
    let line = trouble(&output);
    assert_eq!(
        line,
        format!(
            "driftlab: error: {empty}: empty: holds no objects (a failed export, or the wrong file?)"
        )
    );
    assert!(
        stdout(&output).starts_with(&format!("empty  {empty}: 0 objects")),
        "{}",
        stdout(&output)
    );
}

#[test]
fn check_reports_a_partial_driftlab_archive() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = br#"{"tool": "driftlab", "startTime": "2024-05-01T02:00:00Z", "complete": false, "partial": true,
        "failed": [{"resource": "deployments.apps", "namespace": "p", "reason": "forbidden"}]}"#;
    let list = format!(r#"{{"kind": "List", "items": [{}]}}"#, config_map("a"));
    let zip = common::zip_bytes(
        &[
            ("driftlab-manifest.json", manifest),
            ("p/configmaps.json", list.as_bytes()),
        ],
        false,
    );
    let path = common::write(dir.path(), "partial.zip", &zip);
    let output = check(&[&path]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        format!(
            "PARTIAL  {path}: 1 objects in 1 namespaces (driftlab archive, taken 2024-05-01 02:00); the export was incomplete, 1 missing: deployments.apps in p: forbidden\n"
        )
    );
}

#[test]
fn zero_objects_from_any_source_fail_check() {
    let dir = tempfile::tempdir().unwrap();
    let list = common::write(dir.path(), "list.json", br#"{"kind": "List", "items": []}"#);
    let line = trouble(&check(&[&list]));
    assert!(
        line.ends_with("list.json: empty: holds no objects (a failed export, or the wrong file?)"),
        "{line}"
    );
    // diff refuses an empty side too, unless asked to compare it.
    let refused = driftlab().args(["diff", &list, &list]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("list.json: holds no Kubernetes object; --allow-empty"),
        "{}",
        stderr(&refused)
    );
    assert!(
        driftlab()
            .args(["diff", &list, &list, "--allow-empty"])
            .output()
            .unwrap()
            .status
            .success()
    );
}
