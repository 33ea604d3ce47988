//! Orchestration of each subcommand: read, compare, write. No flags and no terminal here.

pub mod check;
pub mod diff;
pub mod export;
pub mod history;
pub mod idle;
pub mod install;
pub mod progress;
pub mod revert;
pub mod rotate;
pub mod serve;
pub mod service;
pub mod verify;

use std::path::Path;

use crate::analyze::ignored::RuleSource;
use crate::analyze::noise::NoiseProfile;
use crate::messages;
use crate::report::words;
use crate::snapshot::Snapshot;

/// Prints what reading a snapshot had to say, on stderr.
pub fn print_diagnostics(snapshot: &Snapshot, quiet: bool) {
    messages::diagnostics(&snapshot.diagnostics, quiet);
}

/// Says on stderr, unless `quiet`, that `.driftlabignore` was read from the current directory
/// (`file`, when it was) and how many changes its rules hid (`hidden`; `None` when its rules
/// were not applied). A file nobody named must not hide changes silently: it may have been left
/// there, or planted.
pub fn announce_implicit_ignore_file(
    file: Option<&Path>,
    noise: &NoiseProfile,
    hidden: Option<usize>,
    quiet: bool,
) {
    let Some(file) = file else {
        return;
    };
    if quiet {
        return;
    }
    let rules = noise
        .user_rules()
        .iter()
        .filter(|rule| rule.source == RuleSource::Implicit)
        .count();
    let effect = match hidden {
        Some(n) => format!("hid {}", words::plural(n, "change")),
        None => format!(
            "{} not applied (JSON Patch output shows every change)",
            words::is_are(rules)
        ),
    };
    messages::note(&format!(
        "read {} from the current directory: its {} {effect} (--no-ignore-file skips it)",
        file.display(),
        words::plural(rules, "rule")
    ));
}
