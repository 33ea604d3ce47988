//! The local [`Backend`]: archives are files of a folder. An archive is written by the archive
//! writer beside its final name and linked to it, so [`Backend::put_new`] has nothing left to do.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::store::{Backend, Contents, DatedArchive, Pending, ReadSeek, Said, Stored};
use crate::error::{Error, Result};
use crate::timestamp::Timestamp;

/// How long a temporary archive may go unwritten before it counts as left behind by a run that
/// died (kill -9, a node lost): an export writes a list at least every few minutes (its slowest
/// request times out after 3 × 60 s).
pub const STALE_AFTER: Duration = Duration::from_secs(15 * 60);

/// A local folder of archives.
pub(super) struct LocalFolder {
    /// The folder, as given (archives are shown as `dir/name`).
    dir: PathBuf,
    /// The exact path of the one file this store was opened for (`-o FILE`), kept as given.
    exact: Option<PathBuf>,
}

impl LocalFolder {
    pub(super) fn new(dir: PathBuf) -> LocalFolder {
        LocalFolder { dir, exact: None }
    }

    /// The folder holding `path` (`.` for a bare file name), and the file's name.
    pub(super) fn for_file(path: &Path) -> (LocalFolder, String) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder = LocalFolder {
            dir: parent_dir(path),
            exact: Some(path.to_path_buf()),
        };
        (folder, name)
    }

    fn path(&self, name: &str) -> PathBuf {
        match &self.exact {
            Some(exact)
                if exact
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy() == name) =>
            {
                exact.clone()
            }
            _ => self.dir.join(name),
        }
    }
}

impl Backend for LocalFolder {
    fn list(&self) -> Result<Contents> {
        let listing =
            fs::read_dir(&self.dir).map_err(|e| Error::io(self.dir.display().to_string(), e))?;
        let mut contents = Contents::default();
        for entry in listing.flatten() {
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            contents.entries.push(Stored {
                name: entry.file_name().to_string_lossy().into_owned(),
                size: metadata.len(),
                is_file: metadata.is_file(),
            });
        }
        Ok(contents)
    }

    fn sort_out(
        &self,
        contents: Contents,
        stamp: &dyn Fn(&Stored) -> Option<Timestamp>,
    ) -> (Vec<DatedArchive>, Vec<String>) {
        // Whatever else a local folder holds is its owner's business: not named.
        let archives = contents
            .entries
            .into_iter()
            .filter_map(|entry| {
                Some(DatedArchive {
                    stamp: stamp(&entry)?,
                    name: entry.name,
                    size: entry.size,
                })
            })
            .collect();
        (archives, Vec::new())
    }

    fn reader(&self, name: &str, _size: u64) -> std::io::Result<(Box<dyn ReadSeek + '_>, u64)> {
        let file = fs::File::open(self.path(name))?;
        let len = file.metadata().map_or(1, |m| m.len());
        Ok((Box::new(file), len))
    }

    fn read(&self, name: &str, max_bytes: u64) -> Result<Vec<u8>> {
        let path = self.path(name);
        let shown = path.display().to_string();
        let file = fs::File::open(&path).map_err(|e| Error::io(&shown, e))?;
        let mut bytes = Vec::new();
        file.take(max_bytes.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(&shown, e))?;
        if bytes.len() as u64 > max_bytes {
            return Err(Error::input(
                shown,
                format!("larger than {max_bytes} bytes (--max-bytes); not read"),
            ));
        }
        Ok(bytes)
    }

    fn local_path(&self, name: &str) -> Option<PathBuf> {
        Some(self.path(name))
    }

    fn prepare_put(
        &self,
        name: &str,
        prefix: &str,
        _is_archive: &dyn Fn(&Stored) -> Option<Timestamp>,
        tell: &mut dyn FnMut(Said),
    ) -> Result<Pending> {
        let path = self.path(name);
        let dir = parent_dir(&path);
        if !dir.is_dir() {
            fs::create_dir_all(&dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
            tell(Said::Done(format!("created {}", dir.display())));
        }
        for stale in remove_stale_partials(&dir, prefix, SystemTime::now()) {
            tell(Said::Done(format!(
                "removed {}, left behind by an export that was killed",
                stale.display()
            )));
        }
        if path.exists() {
            return Err(Error::Usage(format!(
                "{}: already exists; not overwritten",
                path.display()
            )));
        }
        Ok(Pending {
            name: name.to_string(),
            path,
            _staging: None,
        })
    }

    fn put_new(&self, _pending: &Pending, written: &Path) -> Result<String> {
        // The archive writer linked it to its final name, refusing an existing one.
        Ok(written.display().to_string())
    }

    fn delete(&self, name: &str) -> Result<()> {
        let path = self.path(name);
        fs::remove_file(&path).map_err(|e| Error::io(path.display().to_string(), e))
    }

    fn size(&self, name: &str) -> Result<Option<u64>> {
        let path = self.path(name);
        match fs::metadata(&path) {
            Ok(metadata) => Ok(Some(metadata.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(path.display().to_string(), e)),
        }
    }

    fn put_companion(&self, _pending: &Pending, name: &str, bytes: &[u8]) -> Result<String> {
        let path = self.path(name);
        let shown = path.display().to_string();
        let temp = parent_dir(&path).join(format!(".{name}.{}.partial", std::process::id()));
        let written = fs::File::options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut file| {
                std::io::Write::write_all(&mut file, bytes)?;
                file.sync_all()
            })
            // A hard link refuses an existing name: nothing is ever replaced.
            .and_then(|()| fs::hard_link(&temp, &path));
        let _ = fs::remove_file(&temp);
        written.map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                Error::input(&shown, "already exists; not overwritten")
            }
            _ => Error::io(&shown, e),
        })?;
        Ok(shown)
    }

    fn show(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    fn ignored(&self, _others: &[String]) -> Option<String> {
        None
    }

    fn remove_stale_partials(&self, prefix: &str, now: SystemTime) -> Vec<String> {
        remove_stale_partials(&self.dir, prefix, now)
            .iter()
            .map(|path| path.display().to_string())
            .collect()
    }

    fn folder(&self) -> String {
        self.dir.display().to_string()
    }
}

/// The folder of `path`: its parent, `.` for a bare file name.
fn parent_dir(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// Removes the temporary files (`.<prefix>…zip.<pid>.partial`) that killed exports left in `dir`
/// and that nothing has written to for [`STALE_AFTER`]; returns their paths.
pub fn remove_stale_partials(dir: &Path, prefix: &str, now: SystemTime) -> Vec<PathBuf> {
    let Ok(listing) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in listing.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = name
            .strip_prefix('.')
            .and_then(|n| n.strip_prefix(prefix))
            .is_some_and(|n| n.contains(".zip.") && n.ends_with(".partial"));
        let stale = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if ours && stale && fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed.sort();
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only our own partial files, and only once nothing has written to them for
    /// [`STALE_AFTER`]: a partial file of a running export (or another tool's file) stays.
    #[test]
    fn stale_partials_of_killed_exports_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            ".backup202609190015.zip.4242.partial",
            ".other202609190015.zip.4242.partial",
            "backup202609190015.zip",
            ".backup202609190015.zip.4242.tmp",
        ];
        for name in names {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        fs::create_dir(dir.path().join(".backup-dir.zip.1.partial")).unwrap();
        let written = fs::metadata(dir.path().join(names[0]))
            .unwrap()
            .modified()
            .unwrap();
        // Not yet stale: one second short of the limit.
        let soon = written + STALE_AFTER - Duration::from_secs(1);
        assert!(remove_stale_partials(dir.path(), "backup", soon).is_empty());
        // Exactly stale: removed, and only it.
        let later = written + STALE_AFTER;
        assert_eq!(
            remove_stale_partials(dir.path(), "backup", later),
            [dir.path().join(names[0])]
        );
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".backup-dir.zip.1.partial",
                ".backup202609190015.zip.4242.tmp",
                ".other202609190015.zip.4242.partial",
                "backup202609190015.zip",
            ]
        );
        assert!(remove_stale_partials(&dir.path().join("gone"), "backup", later).is_empty());
        assert_eq!(STALE_AFTER, Duration::from_secs(900));
    }
}
