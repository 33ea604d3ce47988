//! The command-line front: parse, settle the configuration, run, map the outcome to an exit
//! status. Errors are printed here, once, as one line.

pub mod args;
pub mod config;
pub mod docs;

use std::ffi::OsStr;
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

/// Parses the process's arguments, usage and errors speaking as [`program_name`]; exits on
/// `--help`, `--version` and bad arguments as clap does.
fn parse() -> Cli {
    let argv0 = std::env::args_os().next();
    let mut command = Cli::command().bin_name(program_name(argv0.as_deref()));
    let matches = command.get_matches_mut();
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
    match cli.command {
        Command::Diff(args) => {
            let command = config::diff_command(args, std::io::stdout().is_terminal())?;
            commands::diff::run(&command)
        }
        Command::Export(args) => {
            let command = config::export_command(args, std::io::stderr().is_terminal())?;
            commands::export::run(&command)
        }
        Command::Rotate(args) => commands::rotate::run(&config::rotate_command(args)),
        Command::Serve(args) => commands::serve::run(&config::serve_command(args)?),
        Command::History(args) => {
            let command = config::history_command(args, std::io::stdout().is_terminal())?;
            commands::history::run(&command)
        }
        Command::Check(args) => commands::check::run(&config::check_command(args)),
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
}
