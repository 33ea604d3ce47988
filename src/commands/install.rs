//! `driftlab install`: prints the manifests of the nightly backup service, or writes one file per
//! object into a new directory.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, ExitStatus, Result};
use crate::install::{self, InstallOptions};

/// Everything `driftlab install` needs, settled.
#[derive(Clone, Debug)]
pub struct InstallCommand {
    /// What to install.
    pub options: InstallOptions,
    /// Write one file per object here instead of printing one YAML stream.
    pub output_dir: Option<PathBuf>,
}

/// Renders the manifests to standard output or into `output_dir`.
pub fn run(command: &InstallCommand) -> Result<ExitStatus> {
    let manifests = install::manifests(&command.options)?;
    match &command.output_dir {
        None => {
            let text = install::render(&command.options, &manifests);
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Error::io("standard output", e))?;
        }
        Some(dir) => {
            prepare(dir)?;
            for (index, manifest) in manifests.iter().enumerate() {
                let path = dir.join(manifest.file_name(index));
                std::fs::write(&path, &manifest.yaml)
                    .map_err(|e| Error::io(path.display().to_string(), e))?;
                println!("{}", path.display());
            }
        }
    }
    Ok(ExitStatus::Clean)
}

/// Creates `dir`, or accepts it when empty: a file left from an earlier install with other
/// options (a secret reader since dropped, say) would otherwise be applied with the new ones.
fn prepare(dir: &Path) -> Result<()> {
    let display = dir.display().to_string();
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::Usage(format!(
                    "--output-dir {display}: not empty; name a new or empty directory, so that no stale manifest is applied with the new ones"
                )));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(&display, e))
        }
        Err(e) => Err(Error::io(&display, e)),
    }
}
