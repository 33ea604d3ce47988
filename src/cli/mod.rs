//! The command-line front: parse, settle the configuration, run, map the outcome to an exit
//! status. Errors are printed here, once, as one line.

pub mod args;
pub mod config;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use crate::commands;
use crate::error::{Error, ExitStatus};
use args::{Cli, Command};

/// Runs driftlab with the process's arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            print_error(&err);
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
        Command::Serve(args) => commands::serve::run(&args),
        Command::History(args) => {
            let command = config::history_command(args, std::io::stdout().is_terminal())?;
            commands::history::run(&command)
        }
        Command::Check(args) => commands::check::run(&args),
        Command::Generate(args) => commands::generate::run(&args),
        Command::Install(args) => commands::install::run(&config::install_command(args)?),
        Command::Idle => commands::idle::run(),
    }
}

/// Prints an error as one line on stderr, control characters escaped so that a hostile file name
/// cannot move the cursor or spread over several lines.
pub fn print_error(err: &Error) {
    let text: String = err
        .to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    eprintln!("driftlab: error: {text}");
}
