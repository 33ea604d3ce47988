//! Completion scripts and manual pages, generated from the clap definitions the parser uses, so
//! that neither can drift from the flags. They are about the command line itself, so they live
//! here beside it rather than below it. Hidden subcommands stay out of both.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;

use super::args::{Cli, CompletionsArgs, ManArgs};
use crate::error::{Error, ExitStatus, Result};

/// The name completions are written for: the installed binary's.
const BIN_NAME: &str = "driftlab";

/// Writes the completion script of `args.shell` to `out`.
pub fn completions(args: &CompletionsArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let mut command = without_hidden(Cli::command());
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut command, BIN_NAME, &mut buffer);
    out.write_all(&buffer)
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("standard output", e))?;
    Ok(ExitStatus::Clean)
}

/// `command` without its hidden subcommands: some generators (fish, PowerShell) offer hidden
/// subcommands, and clap has no way to remove one, so the command is put together again from
/// what is visible.
fn without_hidden(command: clap::Command) -> clap::Command {
    let visible: Vec<clap::Command> = command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .cloned()
        .collect();
    let mut rebuilt = clap::Command::new(BIN_NAME)
        .version(env!("CARGO_PKG_VERSION"))
        .subcommands(visible)
        .subcommand_required(command.is_subcommand_required_set())
        .args(command.get_arguments().cloned());
    if let Some(about) = command.get_about() {
        rebuilt = rebuilt.about(about.clone());
    }
    rebuilt
}

/// The manual page of `command`, saying which driftlab it documents.
fn page(command: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command).source(format!("driftlab {}", env!("CARGO_PKG_VERSION")))
}

/// Writes the page of driftlab or of one subcommand to `out`, or every page into
/// `args.output_dir`.
pub fn man(args: &ManArgs, out: &mut dyn Write) -> Result<ExitStatus> {
    let mut command = Cli::command().disable_help_subcommand(true);
    // Building names each subcommand's page `driftlab-<name>`.
    command.build();
    if let Some(dir) = &args.output_dir {
        return write_pages(command, dir, out);
    }
    let page = match &args.subcommand {
        None => command,
        Some(name) => command
            .get_subcommands()
            .find(|sub| sub.get_name() == name && !sub.is_hide_set())
            .cloned()
            .ok_or_else(|| Error::Usage(format!("man: no subcommand {name:?}")))?,
    };
    let mut buffer = Vec::new();
    self::page(page)
        .render(&mut buffer)
        .map_err(|e| Error::io("manual page", e))?;
    out.write_all(&buffer)
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("standard output", e))?;
    Ok(ExitStatus::Clean)
}

/// Writes `driftlab.1` and `driftlab-<subcommand>.1` for each visible subcommand into `dir`,
/// and their paths to `out`.
fn write_pages(command: clap::Command, dir: &Path, out: &mut dyn Write) -> Result<ExitStatus> {
    let display = dir.display().to_string();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(&display, e))?;
    let pages = std::iter::once(command.clone()).chain(
        command
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set())
            .cloned(),
    );
    for page in pages {
        let path = self::page(page)
            .generate_to(dir)
            .map_err(|e| Error::io(&display, e))?;
        writeln!(out, "{}", path.display()).map_err(|e| Error::io("standard output", e))?;
    }
    Ok(ExitStatus::Clean)
}
