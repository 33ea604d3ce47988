//! `driftlab check SNAPSHOT…`: read each snapshot and say what it holds, so a nightly job can
//! tell that its backups are readable.

use serde_json::Value;

use super::print_diagnostics;
use crate::cli::args::CheckArgs;
use crate::cli::print_error;
use crate::error::{Error, ExitStatus, Result};
use crate::snapshot::Snapshot;
use crate::source::{self, ReadOptions};

/// Reads each snapshot; one line each on stdout, problems on stderr; exit 2 if any is unreadable
/// or holds no object (a backup of nothing is not a backup). A driftlab archive that its export
/// marked incomplete reads `PARTIAL`, with what failed, and does not change the exit status.
pub fn run(args: &CheckArgs) -> Result<ExitStatus> {
    let options = ReadOptions {
        max_bytes: args.max_bytes,
        ..ReadOptions::default()
    };
    let mut status = ExitStatus::Clean;
    for argument in &args.snapshots {
        match source::read(argument, &options) {
            Ok(snapshot) => {
                print_diagnostics(&snapshot, false);
                let (word, summary) = describe(&snapshot);
                println!("{word}  {argument}: {summary}");
                if snapshot.is_empty() {
                    print_error(&Error::input(
                        argument,
                        "empty: holds no objects (a failed export, or the wrong file?)",
                    ));
                    status = ExitStatus::Trouble;
                }
            }
            Err(err) => {
                print_error(&err);
                status = ExitStatus::Trouble;
            }
        }
    }
    Ok(status)
}

/// The first word of a snapshot's line (`ok`, `empty`, `PARTIAL`) and what follows it.
fn describe(snapshot: &Snapshot) -> (&'static str, String) {
    let taken = snapshot
        .info
        .taken
        .map(|t| format!(", taken {t}"))
        .unwrap_or_default();
    let counts = format!(
        "{} objects in {} namespaces ({}{taken})",
        snapshot.len(),
        snapshot.namespaces().len(),
        snapshot.info.format.name()
    );
    if snapshot.is_empty() {
        return ("empty", counts);
    }
    match incomplete_export(snapshot.info.manifest.as_ref()) {
        Some(failed) => (
            "PARTIAL",
            format!("{counts}; the export was incomplete{failed}"),
        ),
        None => ("ok", counts),
    }
}

/// For a manifest that says `"complete": false`, what failed (`""` when it does not list it);
/// `None` for a complete export or no manifest. Only `complete` and `failed` are read.
fn incomplete_export(manifest: Option<&Value>) -> Option<String> {
    let manifest = manifest?;
    if manifest.get("complete").and_then(Value::as_bool) != Some(false) {
        return None;
    }
    let failed: Vec<String> = manifest
        .get("failed")
        .and_then(Value::as_array)
        .map(|failed| failed.iter().map(describe_failure).collect())
        .unwrap_or_default();
    if failed.is_empty() {
        return Some(String::new());
    }
    const SHOWN: usize = 3;
    let more = match failed.len().saturating_sub(SHOWN) {
        0 => String::new(),
        more => format!(" and {more} more"),
    };
    Some(format!(
        ", {} failed: {}{more}",
        failed.len(),
        failed[..failed.len().min(SHOWN)].join("; ")
    ))
}

/// `deployments.apps in shop (forbidden)`, from one entry of the manifest's `failed` list.
fn describe_failure(entry: &Value) -> String {
    let text = |key: &str| entry.get(key).and_then(Value::as_str);
    let resource = text("resource").unwrap_or("?");
    let place = text("namespace")
        .filter(|ns| !ns.is_empty())
        .map(|ns| format!(" in {ns}"))
        .unwrap_or_default();
    let reason = text("reason")
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    format!("{resource}{place}{reason}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn incomplete_exports_say_what_failed() {
        assert_eq!(incomplete_export(None), None);
        assert_eq!(incomplete_export(Some(&json!({"complete": true}))), None);
        assert_eq!(
            incomplete_export(Some(&json!({"complete": false}))),
            Some(String::new())
        );
        let manifest = json!({"complete": false, "failed": [
            {"resource": "deployments.apps", "namespace": "shop", "reason": "forbidden"},
            {"resource": "nodes", "namespace": null, "reason": "timeout"},
        ]});
        assert_eq!(
            incomplete_export(Some(&manifest)).unwrap(),
            ", 2 failed: deployments.apps in shop (forbidden); nodes (timeout)"
        );
    }
}
