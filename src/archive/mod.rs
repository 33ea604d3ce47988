//! Writing driftlab archives: `<namespace>/<plural>.json` (a `v1` `List`, items sorted by name),
//! `_cluster/<plural>.json`, and `driftlab-manifest.json`, pretty-printed with two spaces.
//!
//! An archive is written to a temporary file in the target directory, flushed, synced and then
//! renamed, so a crash never leaves a file that looks like a finished archive.

pub mod rotate;

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::error::{Error, Result};
use crate::source::layout::{CLUSTER_FOLDER, MANIFEST_NAME};
use crate::timestamp::Timestamp;

/// Writes one archive atomically.
pub struct ArchiveWriter {
    zip: Option<ZipWriter<BufWriter<File>>>,
    temp_path: PathBuf,
    final_path: PathBuf,
    modified: zip::DateTime,
}

impl ArchiveWriter {
    /// Starts an archive that will be named `final_path` once finished; its entries are dated
    /// `taken`.
    pub fn create(final_path: &Path, taken: Timestamp) -> Result<ArchiveWriter> {
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
        let file =
            File::create(&temp_path).map_err(|e| Error::io(temp_path.display().to_string(), e))?;
        Ok(ArchiveWriter {
            zip: Some(ZipWriter::new(BufWriter::with_capacity(1 << 20, file))),
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

    /// Writes the archive manifest.
    pub fn write_manifest(&mut self, manifest: &Value) -> Result<()> {
        self.write_json(MANIFEST_NAME, manifest)
    }

    fn write_json(&mut self, path: &str, value: &Value) -> Result<()> {
        let display = self.temp_path.display().to_string();
        let zip = self.zip.as_mut().expect("writer is open until finished");
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(self.modified)
            .unix_permissions(0o644);
        zip.start_file(path, options)
            .map_err(|e| Error::input(&display, format!("cannot add {path}: {e}")))?;
        serde_json::to_writer_pretty(&mut *zip, value)
            .map_err(|e| Error::input(&display, format!("cannot write {path}: {e}")))?;
        zip.write_all(b"\n").map_err(|e| Error::io(&display, e))?;
        Ok(())
    }

    /// Finishes the zip, syncs it to disk and renames it to its final name.
    pub fn finish(mut self) -> Result<PathBuf> {
        let display = self.temp_path.display().to_string();
        let zip = self.zip.take().expect("finish is called once");
        let writer = zip
            .finish()
            .map_err(|e| Error::input(&display, format!("cannot finish the archive: {e}")))?;
        let file = writer
            .into_inner()
            .map_err(|e| Error::io(&display, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&display, e))?;
        drop(file);
        fs::rename(&self.temp_path, &self.final_path)
            .map_err(|e| Error::io(self.final_path.display().to_string(), e))?;
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

impl Drop for ArchiveWriter {
    fn drop(&mut self) {
        // Not finished: an error or a panic on the way. Leave nothing behind.
        if self.zip.is_some() {
            self.zip = None;
            let _ = fs::remove_file(&self.temp_path);
        }
    }
}

fn name_of(object: &Value) -> &str {
    object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
}
