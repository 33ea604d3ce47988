//! Directories: an unzipped archive, or any tree of `.json`, `.yaml` and `.yml` manifests.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Ingest, ReadOptions, file_name_of, plan, read_limited};
use crate::error::{Error, Result};
use crate::snapshot::{Snapshot, SourceFormat};

/// Deeper trees than this are not walked (and symlink loops end here).
const MAX_DEPTH: usize = 32;

/// Reads every manifest file under `root`.
pub fn read_directory(root: &Path, label: &str, options: &ReadOptions) -> Result<Snapshot> {
    let mut files = Vec::new();
    walk(root, root, 0, &mut files)?;
    let paths: Vec<(String, usize)> = files
        .iter()
        .enumerate()
        .map(|(index, (relative, _))| (relative.clone(), index))
        .collect();

    let mut ingest = Ingest::new(label, options);
    let mut remaining = options.max_bytes;
    let mut buffer = Vec::new();
    for entry in plan(paths) {
        if !Ingest::wants(&entry) {
            ingest.skip(&entry);
            continue;
        }
        let full = &files[entry.index].1;
        let display = full.display().to_string();
        let file = fs::File::open(full).map_err(|e| Error::io(&display, e))?;
        buffer.clear();
        read_limited(file, remaining, &mut buffer, &display)?;
        remaining -= buffer.len() as u64;
        ingest.add(&entry, &buffer, &display)?;
    }
    Ok(ingest.finish(
        SourceFormat::Directory,
        file_name_of(label.trim_end_matches('/')),
    ))
}

/// Collects `(relative path with /, full path)` of the files under `dir`, skipping hidden ones.
fn walk(root: &Path, dir: &Path, depth: usize, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    if depth > MAX_DEPTH {
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
            walk(root, &child, depth + 1, out)?;
        } else if metadata.is_file() {
            let relative = child.strip_prefix(root).unwrap_or(&child);
            let relative: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((relative.join("/"), child));
        }
    }
    Ok(())
}
