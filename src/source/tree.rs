//! Directories: an unzipped archive, any tree of `.json`, `.yaml` and `.yml` manifests, or the
//! extensionless files `kubectl diff` hands its external diff program.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{EntryFiles, Ingest, PlannedEntry, ReadOptions, file_name_of, one_line};
use crate::error::{Error, Result};
use crate::snapshot::{Snapshot, SourceFormat};

/// Deeper trees than this are not walked (with a warning).
const MAX_DEPTH: usize = 32;

/// Reads every manifest file under `root`.
pub fn read_directory(root: &Path, label: &str, options: &ReadOptions) -> Result<Snapshot> {
    let mut walk = Walk::default();
    walk.directory(root, root, 0)?;
    let files = walk.files;
    let paths: Vec<(String, usize)> = files
        .iter()
        .enumerate()
        .map(|(index, (relative, _))| (relative.clone(), index))
        .collect();

    let mut ingest = Ingest::new(label, options);
    for warning in walk.warnings {
        ingest.builder.warn(warning);
    }
    // kubectl diff's layout: every file is named for the object it holds (or would hold).
    let format = if !files.is_empty()
        && files.iter().all(|(relative, _)| {
            !relative.contains('/') && crate::format::layout::is_kubectl_diff_name(relative)
        }) {
        SourceFormat::KubectlDiff
    } else {
        SourceFormat::Directory
    };
    ingest.read_all(paths, options.max_bytes, &mut TreeFiles(&files))?;
    Ok(ingest.finish(format, file_name_of(label.trim_end_matches('/'))))
}

/// The files found by a walk: `(relative path, full path)`.
struct TreeFiles<'a>(&'a [(String, PathBuf)]);

impl EntryFiles for TreeFiles<'_> {
    fn open(&mut self, entry: &PlannedEntry) -> Result<(Box<dyn Read + '_>, String)> {
        let full = &self.0[entry.index].1;
        // On one line: a file name may hold a newline, and messages name the file.
        let display = one_line(&full.display());
        let file = fs::File::open(full).map_err(|e| Error::io(&display, e))?;
        Ok((Box::new(file), display))
    }
}

/// The state of a walk: symlinks are followed, but each real directory is walked once and each
/// real file listed once, so that links back to a parent cost nothing and no file is read twice.
#[derive(Default)]
struct Walk {
    /// `(relative path with /, full path)` of the files found, in walk order.
    files: Vec<(String, PathBuf)>,
    /// Canonical paths of the directories walked.
    directories: HashSet<PathBuf>,
    /// Canonical paths of the files listed.
    seen_files: HashSet<PathBuf>,
    /// What the walk left out, for the user.
    warnings: Vec<String>,
}

impl Walk {
    /// Collects the files under `dir`, `depth` levels below `root`, skipping hidden ones.
    fn directory(&mut self, root: &Path, dir: &Path, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            self.warnings.push(format!(
                "{}/…: deeper than {MAX_DEPTH} directories, not read",
                dir.display()
            ));
            return Ok(());
        }
        let real = fs::canonicalize(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        if !self.directories.insert(real) {
            return Ok(());
        }
        let listing = fs::read_dir(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        let mut children: Vec<PathBuf> = listing
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                !path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
            })
            .collect();
        children.sort();
        for child in children {
            let Ok(metadata) = fs::metadata(&child) else {
                continue;
            };
            if metadata.is_dir() {
                self.directory(root, &child, depth + 1)?;
            } else if metadata.is_file() {
                self.file(root, child);
            }
        }
        Ok(())
    }

    /// Lists a file, unless it was reached before (through a link).
    fn file(&mut self, root: &Path, path: PathBuf) {
        let real = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if !self.seen_files.insert(real) {
            return;
        }
        let relative = path.strip_prefix(root).unwrap_or(&path);
        let relative: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        self.files.push((relative.join("/"), path));
    }
}
