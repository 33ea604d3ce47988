//! Writing driftlab archives: `<namespace>/<plural>.json` (a `v1` `List`, items sorted by name),
//! `_cluster/<plural>.json`, and `driftlab-manifest.json`, pretty-printed with two spaces.
//!
//! An archive is written to a temporary file in the target directory, flushed, synced and then
//! linked to its final name, which must not exist yet: a crash never leaves a file that looks
//! like a finished archive, and a finished archive never replaces a file that appeared meanwhile.

pub mod retention;
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
mod tests;
