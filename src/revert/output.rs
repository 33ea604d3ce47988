//! The plan written out: a shell script of kubectl commands (the default), the JSON plan
//! (`driftlab.revert/v1`), or YAML documents for review. Everything taken from a snapshot is
//! quoted for the shell or kept to a comment line: a name or value must not break the script.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Action, ActionKind, Plan, SCHEMA};

/// How to write the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevertFormat {
    /// A bash script of kubectl commands.
    Script,
    /// The JSON plan.
    Json,
    /// YAML documents: the objects to create and the patches.
    Yaml,
}

/// Settings of the script.
#[derive(Clone, Debug, Default)]
pub struct ScriptOptions {
    /// The kubeconfig context the commands are for (`kubectl --context X`).
    pub context: Option<String>,
    /// Add `--dry-run=server` to every command.
    pub dry_run: bool,
}

/// Writes `plan` as `format`.
pub fn write(
    plan: &Plan,
    format: RevertFormat,
    options: &ScriptOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        RevertFormat::Script => script(plan, options, out),
        RevertFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &to_json(plan))?;
            writeln!(out)
        }
        RevertFormat::Yaml => yaml(plan, out),
    }
}

/// The JSON plan.
pub fn to_json(plan: &Plan) -> Value {
    json!({
        "schema": SCHEMA,
        "good": plan.good,
        "current": plan.current,
        "actions": plan.actions.iter().map(action_json).collect::<Vec<_>>(),
        "warnings": plan.warnings.iter().map(|w| w.message.clone()).collect::<Vec<_>>(),
    })
}

fn action_json(action: &Action) -> Value {
    let mut out = json!({
        "action": action.action,
        "apiVersion": action.api_version,
        "kind": action.key.kind,
        "namespace": (!action.key.namespace.is_empty()).then_some(&action.key.namespace),
        "name": action.key.name,
    });
    let map = out.as_object_mut().expect("an object");
    if action.action == ActionKind::Patch {
        map.insert("patch".into(), json!(action.patch));
    }
    if let Some(manifest) = &action.manifest {
        map.insert("manifest".into(), manifest.clone());
    }
    map.insert("reverts".into(), json!(action.reverts));
    if let Some(reason) = &action.reason {
        map.insert("reason".into(), json!(reason));
    }
    out
}

/// A comment line: control characters (a newline would end the comment) made harmless.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// `word` as one shell word: bare when it is plainly safe, else single-quoted (a `'` inside
/// written as `'\''`).
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A heredoc delimiter no line of `body` is.
fn delimiter(body: &str) -> String {
    let mut delimiter = "DRIFTLAB_EOF".to_string();
    let mut n = 0;
    while body.lines().any(|line| line.trim() == delimiter) {
        n += 1;
        delimiter = format!("DRIFTLAB_EOF_{n}");
    }
    delimiter
}

fn script(plan: &Plan, options: &ScriptOptions, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "#!/usr/bin/env bash")?;
    writeln!(
        out,
        "# driftlab revert: brings objects of CURRENT back to GOOD"
    )?;
    writeln!(out, "#   GOOD:    {}", comment(&plan.good))?;
    writeln!(out, "#   CURRENT: {}", comment(&plan.current))?;
    match &options.context {
        Some(context) => writeln!(out, "#   made for kubectl context {}", comment(context))?,
        None => writeln!(out, "#   made for kubectl's current context")?,
    }
    writeln!(
        out,
        "# Each patch tests today's values first: an object changed since fails instead of being overwritten."
    )?;
    writeln!(out, "set -euo pipefail")?;
    for warning in &plan.warnings {
        writeln!(out, "# warning: {}", comment(&warning.message))?;
    }
    if plan.actions.is_empty() {
        writeln!(out, "# nothing to revert")?;
    }
    let mut kubectl = vec!["kubectl".to_string()];
    if let Some(context) = &options.context {
        kubectl.extend(["--context".to_string(), shell_quote(context)]);
    }
    let kubectl = kubectl.join(" ");
    let dry_run = if options.dry_run {
        " --dry-run=server"
    } else {
        ""
    };
    for action in &plan.actions {
        writeln!(out)?;
        script_action(action, &kubectl, dry_run, out)?;
    }
    Ok(())
}

fn script_action(
    action: &Action,
    kubectl: &str,
    dry_run: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let key = &action.key;
    let namespace = if key.namespace.is_empty() {
        String::new()
    } else {
        format!(" -n {}", shell_quote(&key.namespace))
    };
    let target = format!(
        "{} {}{namespace}",
        shell_quote(&action.resource),
        shell_quote(&key.name)
    );
    let what = comment(&key.to_string());
    match action.action {
        ActionKind::Patch => {
            writeln!(out, "# {what}: reverts")?;
            for path in &action.reverts {
                writeln!(out, "#   {}", comment(path))?;
            }
            let patch = serde_json::to_string(&action.patch).map_err(io::Error::other)?;
            writeln!(
                out,
                "{kubectl} patch {target} --type json{dry_run} -p {}",
                shell_quote(&patch)
            )
        }
        ActionKind::Create => {
            let manifest = action.manifest.as_ref().unwrap_or(&Value::Null);
            let body = serde_json::to_string_pretty(manifest).map_err(io::Error::other)?;
            let end = delimiter(&body);
            writeln!(out, "# {what}: deleted since GOOD, created again")?;
            writeln!(out, "{kubectl} apply{dry_run} -f - <<'{end}'")?;
            writeln!(out, "{body}")?;
            writeln!(out, "{end}")
        }
        ActionKind::Delete => {
            writeln!(out, "# {what}: added since GOOD")?;
            if let Some(reason) = &action.reason {
                writeln!(out, "# careful: {}", comment(reason))?;
            }
            writeln!(out, "{kubectl} delete {target}{dry_run}")
        }
        ActionKind::Skip => {
            let reason = action.reason.as_deref().unwrap_or("");
            writeln!(out, "# skipped {what}: {}", comment(reason))?;
            for path in &action.reverts {
                writeln!(out, "#   {}", comment(path))?;
            }
            Ok(())
        }
    }
}

fn yaml(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "# driftlab revert: {} → {}",
        comment(&plan.current),
        comment(&plan.good)
    )?;
    for warning in &plan.warnings {
        writeln!(out, "# warning: {}", comment(&warning.message))?;
    }
    for action in &plan.actions {
        let what = comment(&action.key.to_string());
        let document = match action.action {
            ActionKind::Create => action.manifest.clone(),
            ActionKind::Patch => Some(action_json(action)),
            ActionKind::Delete => {
                writeln!(out, "# delete {what}")?;
                None
            }
            ActionKind::Skip => {
                let reason = action.reason.as_deref().unwrap_or("");
                writeln!(out, "# skipped {what}: {}", comment(reason))?;
                None
            }
        };
        if let Some(document) = document {
            let text = serde_saphyr::to_string(&document).map_err(io::Error::other)?;
            writeln!(out, "---")?;
            let verb = if action.action == ActionKind::Create {
                "create"
            } else {
                "patch"
            };
            writeln!(out, "# {verb} {what}")?;
            write!(out, "{text}")?;
            if !text.ends_with('\n') {
                writeln!(out)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_the_shell() {
        assert_eq!(shell_quote("web"), "web");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn the_heredoc_delimiter_is_no_line_of_the_body() {
        assert_eq!(delimiter("a\nb"), "DRIFTLAB_EOF");
        assert_eq!(delimiter("a\nDRIFTLAB_EOF\nb"), "DRIFTLAB_EOF_1");
    }
}
