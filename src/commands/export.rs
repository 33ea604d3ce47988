//! `driftlab export`: every object of the chosen namespaces (and the cluster-scoped types the
//! account may list), pruned, into a date-stamped zip written atomically, then rotation.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::progress::{Progress, ProgressMode};
use crate::archive::ArchiveWriter;
use crate::archive::rotate::{self, Retention};
use crate::cluster::collect::{self, Listed};
use crate::cluster::discovery::{self, ResourceType};
use crate::cluster::{Cluster, ClusterOptions};
use crate::diff::secret;
use crate::error::{Error, ExitStatus, Result};
use crate::normalize;
use crate::timestamp::Timestamp;

/// What to do with Secret objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretsMode {
    /// Each value becomes `sha256:<hex of the decoded bytes>`: changes stay visible, values do not.
    Hash,
    /// Values as they are (the original tool's behaviour).
    Include,
    /// No secrets at all.
    Skip,
}

impl SecretsMode {
    fn name(self) -> &'static str {
        match self {
            SecretsMode::Hash => "hash",
            SecretsMode::Include => "include",
            SecretsMode::Skip => "skip",
        }
    }
}

/// Where the archive goes.
#[derive(Clone, Debug)]
pub enum Destination {
    /// `<dir>/<prefix><YYYYMMDDHHMM>.zip`.
    Directory(PathBuf),
    /// Exactly this file.
    File(PathBuf),
}

/// Everything `driftlab export` needs, settled.
#[derive(Debug)]
pub struct ExportCommand {
    /// What to read and how.
    pub cluster: ClusterOptions,
    /// Secret handling.
    pub secrets: SecretsMode,
    /// Where to write.
    pub destination: Destination,
    /// The archive name prefix.
    pub prefix: String,
    /// Rotation after a complete export.
    pub retention: Retention,
    /// How progress is shown.
    pub progress: ProgressMode,
}

/// The service-account token secrets the cluster generates: always left out.
const SA_TOKEN_TYPE: &str = "kubernetes.io/service-account-token";

/// Runs the export on a Tokio runtime.
pub fn run(command: &ExportCommand) -> Result<ExitStatus> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(export(command))
}

#[derive(Default)]
struct Tally {
    counts: BTreeMap<String, usize>,
    skipped: Vec<Value>,
    failed: Vec<Value>,
    token_secrets: usize,
    objects: usize,
    lists_read: usize,
}

async fn export(command: &ExportCommand) -> Result<ExitStatus> {
    let started = Timestamp::now();
    let cluster = Cluster::connect(&command.cluster).await?;
    let found = discovery::discover(&cluster, &command.cluster).await?;
    let mut resources = found.resources;
    if command.secrets == SecretsMode::Skip {
        resources.retain(|r| !(r.group.is_empty() && r.plural == "secrets"));
    }
    let namespaces = discovery::namespaces(&cluster, &command.cluster).await?;
    let file_names = file_names(&resources);
    let targets = collect::targets(&resources, &namespaces, |_| true);

    let path = match &command.destination {
        Destination::File(path) => path.clone(),
        Destination::Directory(dir) => {
            dir.join(format!("{}{}.zip", command.prefix, started.stamp()))
        }
    };
    if path.exists() {
        return Err(Error::Usage(format!(
            "{}: already exists; not overwritten",
            path.display()
        )));
    }
    let progress = Progress::new(command.progress, targets.len());
    for warning in &found.warnings {
        progress.warn(&format!("Warning: {warning}"));
    }

    let mut writer = ArchiveWriter::create(&path, started)?;
    let mut tally = Tally::default();
    let selector = command.cluster.selector.as_deref();
    collect::collect(&cluster, targets, selector, command.cluster.concurrency, |target, listed| {
        let resource = target.resource;
        let folder = target.namespace.as_deref();
        let entry = ArchiveWriter::list_path(folder, &file_names[&(resource.group.clone(), resource.plural.clone())]);
        let place = folder.map(|ns| format!(" in {ns}")).unwrap_or_default();
        progress.log(&format!("Exporting '{}' resources to {entry}", resource.plural));
        progress.advance(&entry);
        match listed {
            Listed::Items(items) => {
                tally.lists_read += 1;
                let items = prune(items, resource, command.secrets, &mut tally.token_secrets);
                if items.is_empty() {
                    progress.log("Skipped: list empty");
                    return Ok(());
                }
                *tally.counts.entry(resource.qualified_name()).or_default() += items.len();
                tally.objects += items.len();
                writer.write_list(&entry, items)
            }
            Listed::Skipped(reason) => {
                progress.warn(&format!("Skipped: {}{place}: {reason}", resource.plural));
                tally.skipped.push(json!({"resource": resource.qualified_name(), "namespace": folder, "reason": reason}));
                Ok(())
            }
            Listed::Failed(reason) => {
                progress.fail(&format!("Failed: {}{place}: {reason}", resource.plural));
                tally.failed.push(json!({"resource": resource.qualified_name(), "namespace": folder, "reason": reason}));
                Ok(())
            }
        }
    })
    .await?;
    progress.finish();

    if tally.lists_read == 0 && !tally.failed.is_empty() {
        // Nothing at all could be read: no archive (the writer removes its temporary file).
        return Err(Error::Cluster(format!(
            "{}: no list could be read ({}); no archive written",
            cluster.url,
            tally.failed[0]["reason"].as_str().unwrap_or("failed")
        )));
    }
    let complete = tally.failed.is_empty();
    let finished = Timestamp::now();
    writer.write_manifest(&json!({
        "tool": "driftlab",
        "toolVersion": env!("CARGO_PKG_VERSION"),
        "server": {"url": cluster.url, "version": found.server_version},
        "startTime": started.rfc3339(),
        "endTime": finished.rfc3339(),
        "namespaces": namespaces,
        "selector": command.cluster.selector,
        "secrets": command.secrets.name(),
        "serviceAccountTokenSecrets": {"leftOut": tally.token_secrets, "why": "generated by the cluster for each service account; restored by it, noise in a diff"},
        "resources": resources.iter().map(|r| json!({
            "resource": r.qualified_name(), "apiVersion": r.api_version(), "kind": r.kind,
            "namespaced": r.namespaced, "count": tally.counts.get(&r.qualified_name()).copied().unwrap_or(0),
        })).collect::<Vec<_>>(),
        "objects": tally.objects,
        "skipped": tally.skipped,
        "failed": tally.failed,
        "discoveryWarnings": found.warnings,
        "complete": complete,
        "partial": !complete,
    }))?;
    let written = writer.finish()?;

    if command.progress != ProgressMode::Quiet {
        println!(
            "{}: {} objects in {} namespaces{}",
            written.display(),
            tally.objects,
            namespaces.len(),
            if complete {
                String::new()
            } else {
                format!(", PARTIAL: {} lists failed", tally.failed.len())
            }
        );
    }
    if !complete {
        // A partial archive is no reason to let older complete ones go.
        return Ok(ExitStatus::Partial);
    }
    if command.retention.is_set() {
        let dir = written
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        for deleted in rotate::rotate(
            dir,
            &command.prefix,
            command.retention,
            finished,
            Some(&written),
        )? {
            if command.progress != ProgressMode::Quiet {
                println!("rotated out {}", deleted.display());
            }
        }
    }
    Ok(ExitStatus::Clean)
}

/// Prunes a list as the archive keeps it: housekeeping fields and type rules out, token secrets
/// out, secret values hashed unless included.
fn prune(
    items: Vec<Value>,
    resource: &ResourceType,
    secrets: SecretsMode,
    token_secrets: &mut usize,
) -> Vec<Value> {
    let is_secret = resource.group.is_empty() && resource.kind == "Secret";
    let mut kept = Vec::with_capacity(items.len());
    for mut item in items {
        if is_secret && item.get("type").and_then(Value::as_str) == Some(SA_TOKEN_TYPE) {
            *token_secrets += 1;
            continue;
        }
        normalize::prune_for_export(&mut item, &resource.kind);
        if is_secret && secrets == SecretsMode::Hash {
            secret::redact_object(&mut item);
        }
        kept.push(item);
    }
    kept
}

/// The file name of each type: its plural, or `plural.group` where two groups share a plural.
fn file_names(resources: &[ResourceType]) -> HashMap<(String, String), String> {
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for r in resources {
        *uses.entry(r.plural.as_str()).or_default() += 1;
    }
    resources
        .iter()
        .map(|r| {
            let name = if uses[r.plural.as_str()] > 1 && !r.group.is_empty() {
                r.qualified_name()
            } else {
                r.plural.clone()
            };
            ((r.group.clone(), r.plural.clone()), name)
        })
        .collect()
}
