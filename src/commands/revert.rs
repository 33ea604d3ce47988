//! `driftlab revert GOOD CURRENT`: both sides read and compared as `diff` does, the plan made by
//! the engine ([`crate::revert`]), its warnings on stderr, the plan on stdout.

use super::announce_implicit_ignore_file;
use crate::analyze::{self, ignored::RuleSource};
use crate::commands::diff::DiffCommand;
use crate::diff::{PathPattern, diff_snapshots};
use crate::error::{Error, ExitStatus, Result};
use crate::history::ObjectSelector;
use crate::messages;
use crate::report::{output, words};
use crate::revert::output::{RevertFormat, ScriptOptions};
use crate::revert::{self, ObjectFilter, Refusal, RevertOptions, Selection, Sides};
use crate::snapshot::ObjectKey;

/// Everything `driftlab revert` needs, settled.
#[derive(Debug)]
pub struct RevertCommand {
    /// How both sides are read and compared (GOOD is the old side, CURRENT the new).
    pub compare: DiffCommand,
    /// Only this object (`--object`).
    pub object: Option<ObjectSelector>,
    /// `--object` as the user wrote it.
    pub object_text: Option<String>,
    /// Only changes at or below this path (`--path`).
    pub path: Option<PathPattern>,
    /// Only this culprit (`--culprit`, from 1).
    pub culprit: Option<usize>,
    /// How to write the plan.
    pub format: RevertFormat,
    /// Settings of the script.
    pub script: ScriptOptions,
    /// How to plan.
    pub options: RevertOptions,
}

/// Reads both sides, compares them, and writes the plan that brings CURRENT back to GOOD.
pub fn run(command: &RevertCommand) -> Result<ExitStatus> {
    let compare = &command.compare;
    let (good, current, diff_options) = super::diff::read_and_check(compare)?;
    if let (Some(selector), Some(text)) = (&command.object, &command.object_text)
        && !good
            .iter()
            .chain(current.iter())
            .any(|(key, _)| selector.matches(key, None))
    {
        return Err(Error::Usage(format!(
            "--object {text:?} matched no object in {} or {}",
            good.info.label, current.info.label
        )));
    }
    let report = diff_snapshots(&good, &current, &diff_options);
    let analysis = analyze::analyze(&good, &current, report.clone(), &compare.analyze);
    announce_implicit_ignore_file(
        compare.implicit_ignore_file.as_deref(),
        &compare.analyze.noise,
        Some(analysis.user_hidden.count_from(RuleSource::Implicit)),
        compare.quiet,
    );
    let accepts = |key: &ObjectKey, old: Option<&str>| {
        command
            .object
            .as_ref()
            .is_none_or(|selector| selector.matches(key, old))
    };
    let selection = Selection {
        object: command
            .object
            .is_some()
            .then_some(&accepts as ObjectFilter<'_>),
        path: command.path.as_ref(),
        culprit: command.culprit,
    };
    let sides = Sides {
        good: &good,
        current: &current,
    };
    let plan = revert::plan(sides, &report, &analysis, &selection, command.options)
        .map_err(|refusal| refused(command, refusal))?;
    if !compare.quiet {
        for warning in &plan.warnings {
            messages::warning(&warning.message);
        }
    }
    output::to_stdout(|out| revert::output::write(&plan, command.format, &command.script, out))?;
    Ok(ExitStatus::Clean)
}

/// The one line that says why no plan was written.
fn refused(command: &RevertCommand, refusal: Refusal) -> Error {
    match refusal {
        Refusal::NoSuchCulprit { asked, count } => Error::Usage(format!(
            "--culprit {asked}: the comparison has {} (driftlab diff lists them)",
            words::plural(count, "likely culprit")
        )),
        Refusal::NothingSelected => {
            let mut asked = Vec::new();
            if let Some(object) = &command.object_text {
                asked.push(format!("--object {object}"));
            }
            if let Some(n) = command.culprit {
                asked.push(format!("--culprit {n}"));
            }
            if command.path.is_some() {
                asked.push("--path".to_string());
            }
            Error::Usage(format!(
                "{} matched no change between {} and {}: nothing to revert",
                asked.join(" "),
                command.compare.old,
                command.compare.new
            ))
        }
    }
}
