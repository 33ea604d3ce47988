//! Shell completions and manual pages, generated from the same clap definitions as the parser:
//! they name the subcommands and flags, and leave the hidden ones out.

mod common;

use common::{driftlab, stderr, stdout};

const VISIBLE: &[&str] = &[
    "diff", "revert", "export", "rotate", "serve", "history", "check", "verify", "install",
];
const HIDDEN: &[&str] = &["idle"];

#[test]
fn every_shell_gets_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = driftlab().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        let script = stdout(&output);
        // Flags without their dashes: fish writes `-l retain-days`.
        for word in VISIBLE
            .iter()
            .chain(&["retain-days", "target-namespaces", "secret-key-file"])
        {
            assert!(script.contains(word), "{shell}: {word} missing");
        }
        for hidden in HIDDEN {
            // A hidden subcommand must not be offered; its name may appear inside others
            // (`idle` is no word of the visible ones).
            assert!(!script.contains(hidden), "{shell}: hidden {hidden} offered");
        }
    }
    let unknown = driftlab().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn the_manual_page_lists_the_subcommands_and_each_has_its_own() {
    let output = driftlab().arg("man").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.contains(".TH driftlab 1"));
    for name in VISIBLE {
        assert!(
            page.contains(&format!("driftlab\\-{name}")),
            "{name} missing"
        );
    }
    for hidden in HIDDEN {
        assert!(!page.contains(hidden), "hidden {hidden} listed");
    }

    let install = driftlab().args(["man", "install"]).output().unwrap();
    let install = stdout(&install);
    assert!(install.contains(".TH driftlab-install 1"), "{install}");
    assert!(install.contains("\\-\\-target\\-namespaces"), "{install}");

    let hidden = driftlab().args(["man", "idle"]).output().unwrap();
    assert_eq!(hidden.status.code(), Some(2));
    assert!(stderr(&hidden).contains("no subcommand \"idle\""));
}

#[test]
fn man_output_dir_writes_a_page_per_visible_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let output = driftlab()
        .args(["man", "--output-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let mut pages: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    let mut expected: Vec<String> = VISIBLE
        .iter()
        .chain(&["completions", "man"])
        .map(|name| format!("driftlab-{name}.1"))
        .chain(["driftlab.1".to_string()])
        .collect();
    expected.sort();
    assert_eq!(pages, expected);
}
