//! The real kubectl, found on PATH. Missing, its tests say so loudly and pass on a developer's
//! machine, but fail under CI (the `CI` environment variable), where a skipped kubectl check would
//! read as a green one.

use std::path::{Path, PathBuf};
use std::process::Command;

/// kubectl's path, or `None` after the loud message (and a panic under CI).
pub fn find() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("kubectl"))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        let message = "kubectl NOT FOUND on PATH: the tests that read driftlab's output with the real kubectl did not run";
        eprintln!(
            "\n{}\n!!! {message}\n{}\n",
            "!".repeat(100),
            "!".repeat(100)
        );
        if std::env::var_os("CI").is_some() {
            panic!("{message} (CI is set: install kubectl)");
        }
    }
    found
}

/// kubectl with an empty kubeconfig and `home` as HOME, so the host's configuration is never
/// used and nothing is written outside `home`.
pub fn command(kubectl: &Path, home: &Path) -> Command {
    let config = home.join("empty-kubeconfig");
    std::fs::write(&config, "apiVersion: v1\nkind: Config\n").unwrap();
    let mut command = Command::new(kubectl);
    command
        .env("KUBECONFIG", &config)
        .env("HOME", home)
        .env_remove("KUBECTL_EXTERNAL_DIFF");
    command
}
