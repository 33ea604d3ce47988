//! `--baseline`, `--update-baseline`, `--strict-baseline`: the files read and checked before
//! anything is compared.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analyze::baseline;
use crate::commands::diff::BaselineRun;
use crate::error::{Error, Result};

/// The baselines of `--baseline` (read and checked now: a malformed one is exit 2 before
/// anything is compared) and, for `--update-baseline`, the entries already in that file.
pub fn settings(files: &[PathBuf], update: Option<PathBuf>, strict: bool) -> Result<BaselineRun> {
    let read = |file: &Path| -> Result<Vec<baseline::Accepted>> {
        let display = file.display().to_string();
        let text = std::fs::read_to_string(file).map_err(|e| Error::io(&display, e))?;
        baseline::file::parse(&text, &display)
    };
    let mut entries = Vec::new();
    for file in files {
        entries.extend(read(file)?);
    }
    let previous = match &update {
        Some(file) if file.exists() => read(file)?,
        _ => Vec::new(),
    };
    let accepted = (!files.is_empty() || update.is_some()).then(|| {
        Arc::new(baseline::Baseline {
            entries,
            files: files.iter().map(|f| f.display().to_string()).collect(),
            today: None,
        })
    });
    Ok(BaselineRun {
        accepted,
        update,
        previous,
        strict,
    })
}
