//! driftlab as a kubectl plugin: a file named `kubectl-driftlab` on PATH makes
//! `kubectl driftlab …` run it, and its help and errors then speak as `kubectl driftlab`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{NIGHT1, NIGHT2, stderr, stdout};

/// A directory holding `kubectl-driftlab`, a link to the test binary.
fn plugin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let binary = Path::new(env!("CARGO_BIN_EXE_driftlab"));
    let plugin = dir.path().join("kubectl-driftlab");
    #[cfg(unix)]
    std::os::unix::fs::symlink(binary, &plugin).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(binary, &plugin).unwrap();
    dir
}

/// `kubectl ARGS` with the plugin directory first on PATH, from the repository root.
fn kubectl_with_plugin(kubectl: &Path, plugins: &Path, home: &Path, args: &[&str]) -> Output {
    let mut path: Vec<PathBuf> = vec![plugins.to_path_buf()];
    path.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    common::skip::kubectl_command(kubectl, home)
        .args(args)
        .env("PATH", std::env::join_paths(path).unwrap())
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

#[test]
fn kubectl_driftlab_help_and_diff_run_through_the_real_kubectl() {
    let Some(kubectl) = common::skip::kubectl() else {
        return;
    };
    let plugins = plugin_dir();
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| kubectl_with_plugin(&kubectl, plugins.path(), home.path(), args);

    let help = run(&["driftlab", "--help"]);
    assert!(help.status.success(), "{}", stderr(&help));
    assert!(
        stdout(&help).contains("Usage: kubectl driftlab [OPTIONS] <COMMAND>"),
        "{}",
        stdout(&help)
    );
    assert!(stdout(&help).contains("install"));

    let diff_help = run(&["driftlab", "diff", "--help"]);
    assert!(stdout(&diff_help).contains("Usage: kubectl driftlab diff [OPTIONS] <OLD> <NEW>"));

    let diff = run(&["driftlab", "diff", NIGHT1, NIGHT2, "--exit-zero"]);
    assert!(diff.status.success(), "{}", stderr(&diff));
    assert!(
        stdout(&diff).contains("Likely culprits"),
        "{}",
        stdout(&diff)
    );
    assert!(stdout(&diff).contains("DeploymentConfig myproject/web"));

    // Without --exit-zero the differences come through kubectl as exit status 1.
    let differs = run(&["driftlab", "diff", NIGHT1, NIGHT2]);
    assert_eq!(differs.status.code(), Some(1), "{}", stderr(&differs));

    let wrong = run(&["driftlab", "diff", NIGHT1]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains("Usage: kubectl driftlab diff"),
        "{}",
        stderr(&wrong)
    );
}

#[test]
fn the_binary_under_its_own_name_speaks_as_driftlab() {
    let output = Command::new(env!("CARGO_BIN_EXE_driftlab"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(stdout(&output).contains("Usage: driftlab [OPTIONS] <COMMAND>"));
    assert!(!stdout(&output).contains("kubectl driftlab"));
}

#[test]
fn the_krew_manifest_names_the_plugin_binary() {
    let manifest = std::fs::read_to_string(common::repo("krew/driftlab.yaml")).unwrap();
    let manifest: serde_json::Value = serde_saphyr::from_str(&manifest).unwrap();
    assert_eq!(
        manifest["apiVersion"],
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(manifest["kind"], "Plugin");
    assert_eq!(manifest["metadata"]["name"], "driftlab");
    assert_eq!(
        manifest["spec"]["version"],
        format!("v{}", env!("CARGO_PKG_VERSION"))
    );
    let platforms = manifest["spec"]["platforms"].as_array().unwrap();
    assert!(!platforms.is_empty());
    for platform in platforms {
        let bin = platform["bin"].as_str().unwrap();
        assert!(
            bin == "kubectl-driftlab" || bin == "kubectl-driftlab.exe",
            "{bin}"
        );
        let files = platform["files"].as_array().unwrap();
        assert!(files.iter().any(|f| f["to"] == bin), "{platform}");
        assert!(platform["uri"].as_str().unwrap().starts_with("https://"));
        assert_eq!(platform["sha256"].as_str().unwrap().len(), 64);
    }
}
