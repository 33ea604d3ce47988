//! The command-line front: parse, settle the configuration, run, map the outcome to an exit
//! status. Errors are printed here, once, as one line.

pub mod args;
mod baseline;
pub mod config;
pub mod docs;
mod keys;
pub mod service;

use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::commands;
use crate::error::{Error, ExitStatus};
use args::{Cli, Command};

/// The file name kubectl looks for on PATH to run `kubectl driftlab`.
pub const KUBECTL_PLUGIN_FILE: &str = "kubectl-driftlab";

/// How usage lines and clap's errors name the program: `kubectl driftlab` when the binary was run
/// as the kubectl plugin (kubectl passes the plugin's path as argv\[0\]), else `driftlab`.
pub fn program_name(argv0: Option<&OsStr>) -> &'static str {
    let stem = argv0
        .map(Path::new)
        .and_then(Path::file_stem)
        .and_then(OsStr::to_str);
    if stem == Some(KUBECTL_PLUGIN_FILE) {
        "kubectl driftlab"
    } else {
        "driftlab"
    }
}

/// The arguments in driftlab's order when kubectl ran driftlab as its external diff program.
///
/// `KUBECTL_EXTERNAL_DIFF="driftlab diff --exit-zero"` runs `driftlab LIVE-… MERGED-… diff
/// --exit-zero`: kubectl puts its two directories first and the words of the variable after them
/// (`DiffProgram.getCommand` in kubectl's `pkg/cmd/diff/diff.go`). When the first two arguments
/// are directories and the first is not a subcommand, they become `driftlab diff LIVE MERGED
/// --exit-zero` (a leading `diff` among the words is dropped, so `KUBECTL_EXTERNAL_DIFF=driftlab`
/// works too). Any other arguments are left as they are.
pub fn external_diff_order(args: Vec<OsString>, is_dir: impl Fn(&OsStr) -> bool) -> Vec<OsString> {
    let subcommands: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let looks_like_kubectl = args.len() >= 3
        && args[1..3].iter().all(|a| is_dir(a))
        && !args[1]
            .to_str()
            .is_some_and(|a| a.starts_with('-') || subcommands.iter().any(|s| s == a));
    if !looks_like_kubectl {
        return args;
    }
    let mut args = args.into_iter();
    let argv0 = args.next();
    let (live, merged) = (args.next(), args.next());
    let mut words: Vec<OsString> = args.collect();
    if words.first().is_some_and(|w| w == "diff") {
        words.remove(0);
    }
    argv0
        .into_iter()
        .chain([OsString::from("diff")])
        .chain(live)
        .chain(merged)
        .chain(words)
        .collect()
}

/// Parses the process's arguments, usage and errors speaking as [`program_name`]; exits on
/// `--help`, `--version` and bad arguments as clap does.
fn parse() -> Cli {
    let args = external_diff_order(std::env::args_os().collect(), |a| Path::new(a).is_dir());
    let argv0 = args.first().cloned();
    let mut command = Cli::command().bin_name(program_name(argv0.as_deref()));
    let matches = command
        .try_get_matches_from_mut(args)
        .unwrap_or_else(|e| e.exit());
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut command).exit())
}

/// Runs driftlab with the process's arguments.
pub fn main() -> ExitCode {
    let cli = parse();
    match run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            crate::messages::error(&err);
            ExitStatus::Trouble.into()
        }
    }
}

fn run(cli: Cli) -> Result<ExitStatus, Error> {
    // Before anything is read: an identity that cannot be used ends the run here.
    keys::set_identities(cli.identity.as_deref())?;
    match cli.command {
        Command::Diff(args) => {
            let command = config::diff_command(args, std::io::stdout().is_terminal())?;
            commands::diff::run(&command)
        }
        Command::Revert(args) => commands::revert::run(&config::revert_command(args)?),
        Command::Export(args) => {
            let command = config::export_command(args, std::io::stderr().is_terminal())?;
            commands::export::run(&command)
        }
        Command::Rotate(args) => commands::rotate::run(&config::rotate_command(args)?),
        Command::Serve(args) => commands::serve::run(&config::serve_command(args)?),
        Command::History(args) => {
            let command = config::history_command(args, std::io::stdout().is_terminal())?;
            commands::history::run(&command)
        }
        Command::Check(args) => commands::check::run(&config::check_command(args)),
        Command::Verify(args) => commands::verify::run(&keys::verify_command(args)?),
        Command::Install(args) => commands::install::run(&config::install_command(args)?),
        Command::Completions(args) => docs::completions(&args, &mut std::io::stdout().lock()),
        Command::Man(args) => docs::man(&args, &mut std::io::stdout().lock()),
        Command::Idle => commands::idle::run(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plugin_name_makes_it_speak_as_kubectl_driftlab() {
        let name = |argv0: &str| program_name(Some(OsStr::new(argv0)));
        assert_eq!(
            name("/home/me/.krew/bin/kubectl-driftlab"),
            "kubectl driftlab"
        );
        assert_eq!(name("kubectl-driftlab"), "kubectl driftlab");
        assert_eq!(name("kubectl-driftlab.exe"), "kubectl driftlab");
        assert_eq!(name("/usr/local/bin/driftlab"), "driftlab");
        assert_eq!(name("kubectl-driftlab-old"), "driftlab");
        assert_eq!(program_name(None), "driftlab");
    }

    #[test]
    fn kubectl_external_diff_arguments_become_a_diff() {
        let order = |args: &[&str]| {
            let args = args.iter().map(OsString::from).collect();
            let dirs = |a: &OsStr| {
                a.to_str()
                    .is_some_and(|a| a.contains("LIVE") || a.contains("MERGED") || a == "diff")
            };
            external_diff_order(args, dirs)
                .into_iter()
                .map(|a| a.into_string().unwrap())
                .collect::<Vec<_>>()
        };
        let diff = ["driftlab", "diff", "/tmp/LIVE-1", "/tmp/MERGED-2"];
        assert_eq!(order(&["driftlab", "/tmp/LIVE-1", "/tmp/MERGED-2"]), diff);
        assert_eq!(
            order(&["driftlab", "/tmp/LIVE-1", "/tmp/MERGED-2", "diff"]),
            diff
        );
        assert_eq!(
            order(&[
                "driftlab",
                "/tmp/LIVE-1",
                "/tmp/MERGED-2",
                "diff",
                "--exit-zero"
            ]),
            [&diff[..], &["--exit-zero"]].concat()
        );
        // Anything else is left to clap, a directory named like a subcommand included.
        for args in [
            &["driftlab", "diff", "/tmp/LIVE-1", "/tmp/MERGED-2"][..],
            &["driftlab", "/tmp/LIVE-1"],
            &["driftlab", "/tmp/LIVE-1", "old.zip"],
            &["driftlab", "history", "/tmp/LIVE-1", "/tmp/MERGED-2"],
            &["driftlab", "diff", "diff", "diff"],
        ] {
            assert_eq!(order(args), args);
        }
    }
}
