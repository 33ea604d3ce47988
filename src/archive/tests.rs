//! Tests of the archive writer.

use super::*;
use std::io::{Read, Seek, SeekFrom};

fn taken() -> Timestamp {
    Timestamp::parse_stamp("201809120015").unwrap()
}

fn entries(path: &Path) -> Vec<(String, String, zip::DateTime, Option<u32>)> {
    let mut zip = zip::ZipArchive::new(File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            let modified = file.last_modified().unwrap();
            (
                file.name().unwrap().to_string(),
                text,
                modified,
                file.unix_mode(),
            )
        })
        .collect()
}

fn leftovers(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_finished_archive_holds_sorted_pretty_lists_dated_when_taken() {
    let dir = tempfile::tempdir().unwrap();
    let final_path = dir.path().join("openshift-backup201809120015.zip");
    let mut writer = ArchiveWriter::create(&final_path, taken()).unwrap();
    let path = ArchiveWriter::list_path(Some("shop"), "configmaps");
    assert_eq!(path, "shop/configmaps.json");
    assert_eq!(
        ArchiveWriter::list_path(None, "nodes"),
        "_cluster/nodes.json"
    );
    let item = |name: &str| json!({"kind": "ConfigMap", "metadata": {"name": name}});
    writer
        .write_list(
            &path,
            vec![item("web"), item("api"), json!({"kind": "Nameless"})],
        )
        .unwrap();
    assert_eq!(writer.finish().unwrap(), final_path);

    assert_eq!(leftovers(dir.path()), ["openshift-backup201809120015.zip"]);
    let found = entries(&final_path);
    assert_eq!(found.len(), 1);
    let (name, text, modified, mode) = &found[0];
    assert_eq!(name, "shop/configmaps.json");
    assert!(
        text.starts_with("{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\""),
        "{text}"
    );
    assert!(text.ends_with("}\n"));
    let list: Value = serde_json::from_str(text).unwrap();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(name_of)
        .collect();
    assert_eq!(names, ["", "api", "web"]);
    let date = (
        modified.year(),
        modified.month(),
        modified.day(),
        modified.hour(),
        modified.minute(),
    );
    assert_eq!(date, (2018, 9, 12, 0, 15));
    assert_eq!(mode.map(|m| m & 0o777), Some(0o644));
}

#[test]
fn the_manifest_is_written_at_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let final_path = dir.path().join("a.zip");
    let mut writer = ArchiveWriter::create(&final_path, taken()).unwrap();
    writer
        .write_list("shop/pods.json", vec![json!({})])
        .unwrap();
    writer.write_manifest(&Manifest::default()).unwrap();
    writer.finish().unwrap();
    let found = entries(&final_path);
    assert_eq!(found[1].0, MANIFEST_NAME);
    let manifest = Manifest::from_slice(found[1].1.as_bytes()).unwrap();
    // It lists every entry written before it, with the size and SHA-256 of its bytes.
    let mut digest = Digesting::default();
    digest.update(found[0].1.as_bytes());
    assert_eq!(
        manifest.entries,
        Some(vec![digest.finish("shop/pods.json")])
    );
    assert_eq!(
        Manifest {
            entries: None,
            ..manifest
        },
        Manifest::default()
    );
}

#[test]
fn the_manifest_comes_last_and_lists_every_entry_whenever_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let final_path = dir.path().join("a.zip");
    let mut writer = ArchiveWriter::create(&final_path, taken()).unwrap();
    writer.write_manifest(&Manifest::default()).unwrap();
    writer.write_list("b/pods.json", vec![json!({})]).unwrap();
    writer.write_list("a/pods.json", vec![json!({})]).unwrap();
    writer.finish().unwrap();
    let found = entries(&final_path);
    let names: Vec<&str> = found.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(names, ["b/pods.json", "a/pods.json", MANIFEST_NAME]);
    let manifest = Manifest::from_slice(found[2].1.as_bytes()).unwrap();
    let listed: Vec<String> = manifest
        .entries
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(listed, ["a/pods.json", "b/pods.json"], "by name");
}

fn unsupported(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[test]
fn without_hard_links_the_archive_is_renamed_into_place() {
    let dir = tempfile::tempdir().unwrap();
    let final_path = dir.path().join("a.zip");
    let writer = ArchiveWriter::create(&final_path, taken()).unwrap();
    writer.publish_with(unsupported).unwrap();
    assert_eq!(leftovers(dir.path()), ["a.zip"]);
}

#[test]
fn without_hard_links_a_file_that_appeared_is_still_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let final_path = dir.path().join("a.zip");
    let writer = ArchiveWriter::create(&final_path, taken()).unwrap();
    fs::write(&final_path, "a good backup").unwrap();
    assert!(writer.publish_with(unsupported).is_err());
    assert_eq!(fs::read_to_string(&final_path).unwrap(), "a good backup");
    assert_eq!(leftovers(dir.path()), ["a.zip"]);
    // A link refused because the name exists says so, and leaves the file too.
    let writer = ArchiveWriter::create(&dir.path().join("b.zip"), taken()).unwrap();
    let exists = |_: &Path, _: &Path| Err(io::Error::from(io::ErrorKind::AlreadyExists));
    let err = writer.publish_with(exists).unwrap_err().to_string();
    assert!(
        err.contains("appeared while the archive was being written"),
        "{err}"
    );
    assert_eq!(leftovers(dir.path()), ["a.zip"]);
}

#[cfg(unix)]
#[test]
fn the_plaintext_of_an_archive_to_be_encrypted_is_private_while_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let writer = ArchiveWriter::create_private(&dir.path().join("a.zip.age"), taken()).unwrap();
    let mode = fs::metadata(&writer.temp_path)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // The hook sees the finished file under its temporary name, before it is published.
    let seen = writer
        .finish_with(|file| {
            assert!(file.ends_with(format!(".a.zip.age.{}.partial", std::process::id())));
            Ok(())
        })
        .unwrap();
    assert_eq!(leftovers(dir.path()), ["a.zip.age"]);
    assert!(seen.ends_with("a.zip.age"));
    // A failing hook publishes nothing and leaves nothing.
    let writer = ArchiveWriter::create_private(&dir.path().join("b.zip.age"), taken()).unwrap();
    let failed = writer.finish_with(|_| Err(Error::Runtime("encryption failed".into())));
    assert!(failed.is_err());
    assert_eq!(leftovers(dir.path()), ["a.zip.age"]);
}

#[test]
fn a_dropped_archive_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let final_path = dir.path().join("a.zip");
    let mut writer = ArchiveWriter::create(&final_path, taken()).unwrap();
    writer
        .write_list("shop/pods.json", vec![json!({})])
        .unwrap();
    assert_eq!(
        leftovers(dir.path()).len(),
        1,
        "the partial file while writing"
    );
    drop(writer);
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_file_that_appeared_meanwhile_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let final_path = dir.path().join("a.zip");
    let writer = ArchiveWriter::create(&final_path, taken()).unwrap();
    fs::write(&final_path, "a good backup").unwrap();
    let err = writer.finish().unwrap_err().to_string();
    assert!(
        err.contains("appeared while the archive was being written"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&final_path).unwrap(), "a good backup");
    assert_eq!(leftovers(dir.path()), ["a.zip"]);
}

#[test]
fn entry_names_that_would_escape_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = ArchiveWriter::create(&dir.path().join("a.zip"), taken()).unwrap();
    for bad in [
        "../etc/passwd.json",
        "/abs.json",
        "shop//pods.json",
        "shop/",
    ] {
        let err = writer.write_list(bad, Vec::new()).unwrap_err().to_string();
        assert!(
            err.contains("refusing to write an entry named"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn dates_outside_zips_range_are_clamped() {
    let dir = tempfile::tempdir().unwrap();
    let final_path = dir.path().join("old.zip");
    let early = Timestamp::parse_stamp("197001010000").unwrap();
    let mut writer = ArchiveWriter::create(&final_path, early).unwrap();
    writer.write_list("a/b.json", Vec::new()).unwrap();
    writer.finish().unwrap();
    assert_eq!(entries(&final_path)[0].2.year(), 1980);
}

/// A writer that fails once it has taken `room` bytes, like a full disk (flushing too, once
/// it is full).
struct Full {
    data: Vec<u8>,
    room: usize,
    at: u64,
}

impl Write for Full {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.data.len() + buf.len() > self.room {
            return Err(io::Error::other("no space left on device"));
        }
        self.data.extend_from_slice(buf);
        self.at += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.data.len() >= self.room {
            return Err(io::Error::other("no space left on device"));
        }
        Ok(())
    }
}

impl Seek for Full {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        if let SeekFrom::Start(at) = to {
            self.at = at;
        }
        Ok(self.at)
    }
}

/// An open writer over a [`Full`] with `room` bytes, and its abort flag.
fn writer_with_room(room: usize) -> (Abortable<Full>, Arc<AtomicBool>) {
    let aborted = Arc::new(AtomicBool::new(false));
    let full = Full {
        data: Vec::new(),
        room,
        at: 0,
    };
    (Abortable::new(full, aborted.clone()), aborted)
}

#[test]
fn after_the_first_failure_writes_go_nowhere_and_positions_still_add_up() {
    let (mut writer, aborted) = writer_with_room(4);
    assert_eq!(writer.write(b"abc").unwrap(), 3);
    assert!(
        writer.write(b"defg").is_err(),
        "the failure is reported once"
    );
    assert!(aborted.load(Ordering::Relaxed));
    assert_eq!(writer.write(b"hij").unwrap(), 3, "then swallowed");
    assert!(writer.flush().is_ok());
    assert_eq!(writer.inner.data, b"abc");
    assert_eq!(writer.stream_position().unwrap(), 6);
    assert_eq!(writer.seek(SeekFrom::Start(1)).unwrap(), 1);
    assert_eq!(writer.seek(SeekFrom::Current(2)).unwrap(), 3);
    assert_eq!(
        writer.seek(SeekFrom::End(-1)).unwrap(),
        5,
        "the end is the furthest point"
    );
    assert!(writer.seek(SeekFrom::Current(-10)).is_err());
    assert_eq!(
        writer.inner.at, 3,
        "nothing reached the inner writer's position"
    );
}

#[test]
fn a_failed_flush_is_reported_once_and_aborts() {
    let (mut writer, aborted) = writer_with_room(2);
    writer.write_all(b"ab").unwrap();
    assert!(writer.flush().is_err());
    assert!(aborted.load(Ordering::Relaxed));
    assert!(writer.flush().is_ok(), "an aborted writer flushes nothing");
}

#[test]
fn an_open_writer_passes_writes_and_seeks_through() {
    let (mut writer, aborted) = writer_with_room(100);
    writer.write_all(b"hello").unwrap();
    writer.flush().unwrap();
    assert_eq!(writer.seek(SeekFrom::Start(2)).unwrap(), 2);
    assert_eq!((writer.position, writer.end), (2, 5));
    assert!(!aborted.load(Ordering::Relaxed));
    assert_eq!(writer.inner.data, b"hello");
}
