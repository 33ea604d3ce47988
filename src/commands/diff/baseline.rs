//! `--update-baseline FILE`: the changes found, written as accepted drift.

use std::io::Write as _;
use std::path::Path;

use crate::analyze::baseline::{self, Accepted, Outcome};
use crate::error::{Error, Result};

/// Writes `outcome`'s changes to `file` as baseline entries, keeping the reasons and expiry
/// dates of `previous` (the file's entries before). The file is replaced whole or not at all:
/// a temporary file beside it, renamed over it. Returns how many entries it holds.
pub fn write_update(file: &Path, outcome: &Outcome, previous: &[Accepted]) -> Result<usize> {
    let entries = baseline::updated(&outcome.candidates, previous);
    let text = baseline::file::render(&entries)?;
    let display = file.display().to_string();
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = file
        .file_name()
        .ok_or_else(|| Error::input(&display, "not a file name"))?
        .to_string_lossy()
        .to_string();
    let temporary = dir.join(format!(".{name}.driftlab-partial"));
    let written = std::fs::File::create(&temporary)
        .and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, file));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(Error::io(&display, e));
    }
    Ok(entries.len())
}
