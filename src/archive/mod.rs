//! Writing driftlab archives: `<namespace>/<plural>.json` (a `v1` `List`, items sorted by name),
//! `_cluster/<plural>.json`, and `driftlab-manifest.json`, pretty-printed with two spaces.
//!
//! An archive is written to a temporary file in the target directory, flushed, synced and then
//! linked to its final name, which must not exist yet: a crash never leaves a file that looks
//! like a finished archive, and a finished archive never replaces a file that appeared meanwhile.

pub mod rotate;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::error::{Error, Result};
use crate::format::Manifest;
use crate::format::layout::{self, CLUSTER_FOLDER, MANIFEST_NAME};
use crate::format::manifest::{Digesting, EntryDigest};
use crate::timestamp::Timestamp;

/// Writes one archive atomically.
pub struct ArchiveWriter {
    zip: Option<ZipWriter<Abortable<BufWriter<File>>>>,
    aborted: Arc<AtomicBool>,
    temp_path: PathBuf,
    final_path: PathBuf,
    modified: zip::DateTime,
    /// The size and SHA-256 of each entry written, for the manifest (written last).
    digests: Vec<EntryDigest>,
    /// The manifest, written when the archive is finished, whenever it was given.
    manifest: Option<Manifest>,
}

/// A writer that, once aborted, swallows what is written to it. The zip library finishes an
/// archive it is dropped with, and prints to stderr when that fails (on a full disk, say); the
/// end of an abandoned archive must go nowhere, quietly. The first failed write aborts it too, so
/// that a failure is reported once, by driftlab. It keeps track of the position, so that the zip
/// library's own bookkeeping still adds up when its writes go nowhere.
struct Abortable<W> {
    inner: W,
    aborted: Arc<AtomicBool>,
    position: u64,
    end: u64,
}

impl<W> Abortable<W> {
    fn new(inner: W, aborted: Arc<AtomicBool>) -> Abortable<W> {
        Abortable {
            inner,
            aborted,
            position: 0,
            end: 0,
        }
    }

    fn is_aborted(&self) -> bool {
        self.aborted.load(Ordering::Relaxed)
    }

    fn moved_to(&mut self, position: u64) {
        self.position = position;
        self.end = self.end.max(position);
    }
}

impl<W: Write> Write for Abortable<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.is_aborted() {
            self.moved_to(self.position + buf.len() as u64);
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Ok(written) => {
                self.moved_to(self.position + written as u64);
                Ok(written)
            }
            Err(e) => {
                self.aborted.store(true, Ordering::Relaxed);
                Err(e)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.is_aborted() {
            return Ok(());
        }
        self.inner.flush().inspect_err(|_| {
            self.aborted.store(true, Ordering::Relaxed);
        })
    }
}

impl<W: io::Seek> io::Seek for Abortable<W> {
    fn seek(&mut self, to: io::SeekFrom) -> io::Result<u64> {
        if self.is_aborted() {
            let target = match to {
                io::SeekFrom::Start(at) => Some(at),
                io::SeekFrom::Current(by) => self.position.checked_add_signed(by),
                io::SeekFrom::End(by) => self.end.checked_add_signed(by),
            };
            let target = target.ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;
            self.moved_to(target);
            return Ok(target);
        }
        match self.inner.seek(to) {
            Ok(at) => {
                self.moved_to(at);
                Ok(at)
            }
            Err(e) => {
                self.aborted.store(true, Ordering::Relaxed);
                Err(e)
            }
        }
    }
}

impl ArchiveWriter {
    /// Starts an archive that will be named `final_path` once finished; its entries are dated
    /// `taken`.
    pub fn create(final_path: &Path, taken: Timestamp) -> Result<ArchiveWriter> {
        ArchiveWriter::create_with(final_path, taken, false)
    }

    /// [`create`](Self::create), for an archive that will be encrypted before it is published:
    /// its temporary file, which holds the plaintext, is readable by its owner only (mode
    /// 0600), whatever the umask.
    pub fn create_private(final_path: &Path, taken: Timestamp) -> Result<ArchiveWriter> {
        ArchiveWriter::create_with(final_path, taken, true)
    }

    fn create_with(final_path: &Path, taken: Timestamp, private: bool) -> Result<ArchiveWriter> {
        let dir = final_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let file_name = final_path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| Error::Usage(format!("{}: not a file name", final_path.display())))?;
        // A hidden name without the .zip suffix: rotation and readers never take it for an archive.
        let temp_path = dir.join(format!(".{file_name}.{}.partial", std::process::id()));
        let mut options = File::options();
        options.write(true).create_new(true);
        #[cfg(unix)]
        if private {
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        }
        #[cfg(not(unix))]
        let _ = private;
        let file = options
            .open(&temp_path)
            .map_err(|e| Error::io(temp_path.display().to_string(), e))?;
        let aborted = Arc::new(AtomicBool::new(false));
        let writer = Abortable::new(BufWriter::with_capacity(1 << 20, file), aborted.clone());
        Ok(ArchiveWriter {
            zip: Some(ZipWriter::new(writer)),
            aborted,
            temp_path,
            final_path: final_path.to_path_buf(),
            modified: zip::DateTime::from_date_and_time(
                taken.year.clamp(1980, 2107) as u16,
                taken.month as u8,
                taken.day as u8,
                taken.hour as u8,
                taken.minute as u8,
                taken.second as u8,
            )
            .unwrap_or_default(),
            digests: Vec::new(),
            manifest: None,
        })
    }

    /// The archive path for a namespace (`None`: cluster-scoped) and resource plural.
    pub fn list_path(namespace: Option<&str>, plural: &str) -> String {
        format!("{}/{plural}.json", namespace.unwrap_or(CLUSTER_FOLDER))
    }

    /// Writes `items` as a `v1` `List`, sorted by name, at `path`.
    pub fn write_list(&mut self, path: &str, mut items: Vec<Value>) -> Result<()> {
        items.sort_by(|a, b| name_of(a).cmp(name_of(b)));
        let list = json!({
            "apiVersion": "v1",
            "kind": "List",
            "metadata": {"resourceVersion": ""},
            "items": items,
        });
        self.write_json(path, &list)
    }

    /// Sets the archive manifest. It is written when the archive is finished, after every other
    /// entry, whenever it is given: it records the size and SHA-256 of each of them.
    pub fn write_manifest(&mut self, manifest: &Manifest) -> Result<()> {
        self.manifest = Some(manifest.clone());
        Ok(())
    }

    /// Writes the manifest given, if any, with the digests of every entry written.
    fn write_manifest_last(&mut self) -> Result<()> {
        let Some(manifest) = self.manifest.take() else {
            return Ok(());
        };
        // By name: the same archive lists the same entries in the same order, whatever order
        // its lists were read in (across namespaces, or one namespace at a time).
        let mut entries = std::mem::take(&mut self.digests);
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        let manifest = Manifest {
            entries: Some(entries),
            ..manifest
        };
        let value = serde_json::to_value(&manifest)
            .map_err(|e| Error::Runtime(format!("cannot serialise the manifest: {e}")))?;
        self.write_json(MANIFEST_NAME, &value)
    }

    fn write_json(&mut self, path: &str, value: &Value) -> Result<()> {
        let display = self.temp_path.display().to_string();
        // Entry names are made of names a server sent; they were checked, and are checked again
        // here, where a bad one would become a path.
        if !layout::is_safe_entry_path(path) || path.split('/').any(str::is_empty) {
            return Err(Error::input(
                &display,
                format!("refusing to write an entry named {path:?}"),
            ));
        }
        let zip = self.zip.as_mut().expect("writer is open until finished");
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(self.modified)
            .unix_permissions(0o644);
        zip.start_file(path, options)
            .map_err(|e| Error::input(&display, format!("cannot add {path}: {e}")))?;
        let mut entry = Digested {
            inner: &mut *zip,
            digest: Digesting::default(),
        };
        serde_json::to_writer_pretty(&mut entry, value)
            .map_err(|e| Error::input(&display, format!("cannot write {path}: {e}")))?;
        entry.write_all(b"\n").map_err(|e| Error::io(&display, e))?;
        let digest = entry.digest.finish(path);
        if path != MANIFEST_NAME {
            self.digests.push(digest);
        }
        Ok(())
    }

    /// Finishes the zip, syncs it to disk and gives it its final name, which must not exist.
    pub fn finish(self) -> Result<PathBuf> {
        self.finish_with(|_| Ok(()))
    }

    /// [`finish`](Self::finish), with `before_publish` called on the finished file while it
    /// still has its temporary name: it may replace the file (with its encryption) and make
    /// what must exist before the archive appears (its signature). When it fails, the archive is never published and its
    /// temporary file is removed.
    pub fn finish_with(
        mut self,
        before_publish: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<PathBuf> {
        let display = self.temp_path.display().to_string();
        // On failure the writer is dropped, and its temporary file goes.
        self.write_manifest_last()?;
        let zip = self.zip.take().expect("finish is called once");
        let result = zip
            .finish()
            .map_err(|e| Error::input(&display, format!("cannot finish the archive: {e}")))
            .and_then(|Abortable { inner, .. }| {
                inner
                    .into_inner()
                    .map_err(|e| Error::io(&display, e.into_error()))
            })
            // Called before the sync: a plaintext that is encrypted there need never reach the
            // disk, and what is synced is what will be published.
            .and_then(|file| {
                drop(file);
                before_publish(&self.temp_path)
            })
            .and_then(|()| {
                File::open(&self.temp_path)
                    .and_then(|file| file.sync_all())
                    .map_err(|e| Error::io(&display, e))
            });
        if let Err(err) = result {
            let _ = fs::remove_file(&self.temp_path);
            return Err(err);
        }
        self.publish()?;
        // Make the rename itself durable.
        if let Some(dir) = self
            .final_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            && let Ok(handle) = File::open(dir)
        {
            let _ = handle.sync_all();
        }
        Ok(self.final_path.clone())
    }
}

impl ArchiveWriter {
    /// Links the finished temporary file to the final name (failing if that exists: a file that
    /// appeared meanwhile is never replaced), then removes the temporary name.
    fn publish(&self) -> Result<()> {
        self.publish_with(|from, to| fs::hard_link(from, to))
    }

    /// [`publish`](Self::publish) with `link` for `fs::hard_link`: the fallback for file systems
    /// without hard links (SMB shares, some FUSE volumes) cannot be reached on a test machine's
    /// own file system.
    fn publish_with(&self, link: impl FnOnce(&Path, &Path) -> io::Result<()>) -> Result<()> {
        let final_display = self.final_path.display().to_string();
        match link(&self.temp_path, &self.final_path) {
            Ok(()) => {
                let _ = fs::remove_file(&self.temp_path);
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let _ = fs::remove_file(&self.temp_path);
                Err(Error::input(
                    final_display,
                    "appeared while the archive was being written; not overwritten",
                ))
            }
            // A file system without hard links: check, then rename (a narrow race, no worse).
            Err(_) if !self.final_path.exists() => fs::rename(&self.temp_path, &self.final_path)
                .map_err(|e| Error::io(final_display, e)),
            Err(e) => {
                let _ = fs::remove_file(&self.temp_path);
                Err(Error::io(final_display, e))
            }
        }
    }
}

impl Drop for ArchiveWriter {
    fn drop(&mut self) {
        // Not finished: an error, a signal or a panic on the way. Leave nothing behind, and do
        // not let the zip library write (or complain about) the end of an abandoned archive.
        if let Some(zip) = self.zip.take() {
            self.aborted.store(true, Ordering::Relaxed);
            drop(zip);
            let _ = fs::remove_file(&self.temp_path);
        }
    }
}

/// A writer that hashes what passes through it: the entry's bytes as a reader will decompress them.
struct Digested<W> {
    inner: W,
    digest: Digesting,
}

impl<W: Write> Write for Digested<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.digest.update(&buf[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn name_of(object: &Value) -> &str {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
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
}
