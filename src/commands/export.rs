//! `driftlab export`: every object of the chosen namespaces (and the cluster-scoped types the
//! account may list), pruned, into a date-stamped zip written atomically, then rotation.
//!
//! The cluster is read by [`crate::cluster::read`]; this module only decides where the archive
//! goes, writes what the read hands over, records in the manifest what it came to, and rotates
//! only after a complete export.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::progress::{Progress, ProgressMode};
use super::service::{self, Outcome};
use crate::archive::ArchiveWriter;
use crate::archive::rotate::{self, Retention, Rules};
use crate::cluster::collect::Target;
use crate::cluster::discovery::ResourceType;
use crate::cluster::read::{self, Consumer, ListProblem, ReadPlan, ReadReport, SecretValues};
use crate::cluster::{ClusterOptions, ClusterScoped};
use crate::crypto::seal::{self, Recipients};
use crate::crypto::sign::SigningKey;
use crate::error::{Error, ExitStatus, Result};
use crate::format::manifest::{
    ListEntry, Manifest, Missing, ResourceCount, SecretHash, Server, TokenSecrets,
};
use crate::messages;
use crate::metrics::MetricsOptions;
use crate::secret::SecretKey;
use crate::storage::{Location, Pending, Said, Store};
use crate::timestamp::Timestamp;

/// What to do with Secret objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretsMode {
    /// Each value becomes a hash of the decoded bytes (keyed when a key is given): changes stay
    /// visible, values do not.
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
    /// `<folder>/<prefix><YYYYMMDDHHMM>.zip` (`--output-dir`).
    Folder(Location),
    /// Exactly this file or object (`-o`).
    Exactly(Location),
}

/// Everything `driftlab export` needs, settled.
#[derive(Debug)]
pub struct ExportCommand {
    /// What to read and how.
    pub cluster: ClusterOptions,
    /// Secret handling.
    pub secrets: SecretsMode,
    /// The key of keyed hashing (`--secret-key-file`), with `SecretsMode::Hash`.
    pub secret_key: Option<Arc<SecretKey>>,
    /// Where to write.
    pub destination: Destination,
    /// The archive name prefix.
    pub prefix: String,
    /// Rotation after a complete export.
    pub retention: Retention,
    /// Rotation deletes the broken archives it meets (`--prune-broken`).
    pub prune_broken: bool,
    /// Where the run's metrics go (`--metrics-file`, `--pushgateway`), if anywhere.
    pub metrics: Option<MetricsOptions>,
    /// How progress is shown.
    pub progress: ProgressMode,
    /// A log line for every list, empty and forbidden ones too.
    pub verbose: bool,
    /// The key the archive is signed with (`--sign-key`), if any.
    pub sign_key: Option<Arc<SigningKey>>,
    /// The recipients the archive is encrypted to (`--encrypt-to`), if any: it is then named
    /// `….zip.age`.
    pub encrypt_to: Option<Arc<Recipients>>,
}

/// Exports, then rotates after a complete export. Exit 0 complete, 3 partial; an error (exit 2)
/// when nothing trustworthy could be read, and then nothing is written. The metrics are written
/// whatever the outcome; a place they cannot go is a warning, not a change of the exit status
/// (the gateway's last success then ages, and the staleness alert fires).
pub fn run(command: &ExportCommand) -> Result<ExitStatus> {
    let started = Timestamp::now();
    let mut outcome = Outcome::default();
    let result = export(command, started, &mut outcome);
    if let Some(options) = &command.metrics {
        service::report(options, started, &result, &outcome);
    }
    result
}

fn export(
    command: &ExportCommand,
    started: Timestamp,
    outcome: &mut Outcome,
) -> Result<ExitStatus> {
    let target = Publish::prepare(command, started)?;

    let secrets = match command.secrets {
        SecretsMode::Hash => SecretValues::Hash(command.secret_key.clone()),
        SecretsMode::Include => SecretValues::Keep,
        SecretsMode::Skip => SecretValues::Skip,
    };
    let mut sink = ArchiveSink {
        path: target.pending.path().to_path_buf(),
        taken: started,
        private: command.encrypt_to.is_some(),
        writer: None,
        progress: None,
        mode: command.progress,
        verbose: command.verbose,
        file_names: HashMap::new(),
        empty: Vec::new(),
        forbidden: Vec::new(),
    };
    let report = read::read(&command.cluster, &secrets, &mut sink)?;
    let (Some(mut writer), Some(progress)) = (sink.writer.take(), sink.progress.take()) else {
        return Err(Error::Runtime("the read ended before it began".into()));
    };
    progress.finish();
    sink.summarize(&progress);
    writer.write_manifest(&manifest(command, &report))?;
    let written = writer
        .finish_with(|file| target.seal(command, file))
        .inspect_err(|_| target.unsign())?;
    let bytes = std::fs::metadata(&written).map(|m| m.len()).ok();
    let written = target.publish(&written)?;
    outcome.objects = Some(report.objects as u64);
    outcome.bytes = bytes;
    outcome.warnings = Some((report.forbidden.len() + report.warnings.len()) as u64);
    outcome.failed_resources = Some((report.failed.len() + report.gaps.len()) as u64);

    let complete = report.is_complete();
    if command.progress != ProgressMode::Quiet {
        println!(
            "{written}: {} objects in {} namespaces, {} requests{}",
            report.objects,
            report.namespaces.len(),
            report.requests,
            if complete {
                String::new()
            } else {
                format!(
                    ", PARTIAL: {} missing (see its manifest)",
                    report.missing().len()
                )
            }
        );
    }
    if !complete {
        // A partial archive is no reason to let older complete ones go.
        for missing in report.missing() {
            messages::warning(&format!("not in the archive: {missing}"));
        }
        return Ok(ExitStatus::Partial);
    }
    let mut plan = None;
    if command.retention.is_set() || command.prune_broken {
        let (gone, kept) = target.rotate(command, report.finished)?;
        for gone in gone {
            if command.progress != ProgressMode::Quiet {
                println!("rotated out {gone}");
            }
        }
        outcome.archives = Some(service::counts(&kept, command.prune_broken));
        plan = Some(kept);
    }
    if command.metrics.is_some() {
        target.drift(command, plan.as_ref(), outcome);
    }
    Ok(ExitStatus::Clean)
}

/// Where the finished archive goes, settled before the cluster is read: a wrong folder, bucket
/// or credentials end the run before any request to the cluster.
struct Publish {
    /// The folder of archives it goes to.
    store: Store,
    /// Where the archive writer writes it (on disk, it links it to its final name itself).
    pending: Pending,
    /// Whether its signature was put in place.
    signed: std::cell::Cell<bool>,
}

impl Publish {
    fn prepare(command: &ExportCommand, started: Timestamp) -> Result<Publish> {
        let (store, name) = match &command.destination {
            Destination::Exactly(location) => Store::open_object("-o", location)?,
            Destination::Folder(location) => (
                Store::open_folder(location)?,
                format!(
                    "{}{}.zip{}",
                    command.prefix,
                    started.stamp(),
                    if command.encrypt_to.is_some() {
                        seal::SEALED_SUFFIX
                    } else {
                        ""
                    }
                ),
            ),
        };
        let is_archive =
            |entry: &crate::storage::Stored| rotate::archive_stamp(&entry.name, &command.prefix);
        let quiet = command.progress == ProgressMode::Quiet;
        let mut tell = |said: Said| match said {
            Said::Warning(line) => messages::warning(&line),
            Said::Done(_) if quiet => {}
            Said::Done(line) => messages::progress(&line),
        };
        let pending = store.prepare_put(&name, &command.prefix, &is_archive, &mut tell)?;
        Ok(Publish {
            store,
            pending,
            signed: std::cell::Cell::new(false),
        })
    }

    /// What is done to the finished archive at `file` while it still has its temporary name:
    /// encrypted where it lies (`--encrypt-to`: the plaintext never leaves the temporary name,
    /// and is replaced by the ciphertext), then signed (what is published is what is signed).
    fn seal(&self, command: &ExportCommand, file: &std::path::Path) -> Result<()> {
        if let Some(recipients) = &command.encrypt_to {
            seal::encrypt_in_place(file, recipients)?;
        }
        self.sign(command, file)
    }

    /// With `--sign-key`, signs the finished archive at `file` (still under its temporary
    /// name) and puts the signature in place, before the archive: an archive never appears
    /// unsigned. Killed in between, a signature is left that signs nothing.
    fn sign(&self, command: &ExportCommand, file: &std::path::Path) -> Result<()> {
        let Some(key) = &command.sign_key else {
            return Ok(());
        };
        let data =
            std::fs::File::open(file).map_err(|e| Error::io(file.display().to_string(), e))?;
        let text = key.sign(std::io::BufReader::new(data), self.pending.name())?;
        self.store.put_signature(&self.pending, &text)?;
        self.signed.set(true);
        Ok(())
    }

    /// Puts the finished archive at `written` in its place; returns that place as shown. When
    /// it cannot be, its signature goes too.
    fn publish(&self, written: &std::path::Path) -> Result<String> {
        self.store
            .put_new(&self.pending, written)
            .inspect_err(|_| self.unsign())
    }

    /// Deletes the signature put in place for an archive that was not (best effort: a
    /// signature alone signs nothing).
    fn unsign(&self) {
        if self.signed.get() {
            let _ = self.store.delete_signature(self.pending.name());
        }
    }

    /// The drift of the archive just written against the previous good one, for the metrics;
    /// what stops the comparison is a warning (the archive is written and stays good).
    fn drift(&self, command: &ExportCommand, plan: Option<&rotate::Plan>, outcome: &mut Outcome) {
        let new = self.pending.name();
        let drift =
            service::previous_good(&self.store, &command.prefix, new, plan).and_then(|old| {
                old.map(|old| service::drift(&self.store, &old, new))
                    .transpose()
            });
        match drift {
            Ok(drift) => outcome.drift = drift,
            Err(e) => messages::warning(&format!("drift for the metrics not computed: {e}")),
        }
    }

    /// Rotation after a complete export; returns what went, as shown, and the plan. Broken and
    /// suspicious archives are named on stderr; the one just written is never deleted.
    fn rotate(
        &self,
        command: &ExportCommand,
        now: Timestamp,
    ) -> Result<(Vec<String>, rotate::Plan)> {
        let rules = Rules {
            retention: command.retention,
            prune_broken: command.prune_broken,
            protect: Some(self.pending.name()),
            now,
        };
        let mut plan = rotate::plan(&self.store, &command.prefix, &rules)?;
        // Keys that are not archives were named when the bucket was first listed.
        plan.ignored.clear();
        for line in rotate::warnings(&self.store, &plan, command.prune_broken) {
            messages::warning(&line);
        }
        let done = rotate::execute(&self.store, &plan, command.prune_broken, false)?;
        let gone = done
            .expired
            .into_iter()
            .chain(done.pruned.into_iter().map(|p| format!("{p} (broken)")))
            .collect();
        Ok((gone, plan))
    }
}

/// Writes each list into the archive as it arrives, and tells the person watching.
struct ArchiveSink {
    path: PathBuf,
    taken: Timestamp,
    /// The archive will be encrypted: its plaintext temporary file is private.
    private: bool,
    writer: Option<ArchiveWriter>,
    progress: Option<Progress>,
    mode: ProgressMode,
    /// A line for every list, empty and forbidden ones too (`--verbose`).
    verbose: bool,
    file_names: HashMap<(String, String), String>,
    /// Empty lists, summed up at the end unless verbose.
    empty: Vec<String>,
    /// Lists the account may not read, summed up at the end unless verbose.
    forbidden: Vec<String>,
}

impl ArchiveSink {
    /// One line for the empty lists and one for the forbidden ones (without `--verbose`, which
    /// printed each already).
    fn summarize(&self, progress: &Progress) {
        let line = |(one, many): (&str, &str), names: &[String]| {
            let what = if names.len() == 1 { one } else { many };
            let mut kinds: Vec<&str> = names.iter().map(String::as_str).collect();
            kinds.sort_unstable();
            kinds.dedup();
            const SHOWN: usize = 8;
            let more = kinds.len().saturating_sub(SHOWN);
            let shown = kinds[..kinds.len().min(SHOWN)].join(", ");
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!(
                "Skipped {} {what} ({shown}{more}; --verbose lists each)",
                names.len()
            )
        };
        if !self.empty.is_empty() {
            progress.log(&line(("empty list", "empty lists"), &self.empty));
        }
        if !self.forbidden.is_empty() {
            progress.warn(&line(
                (
                    "list the account may not read",
                    "lists the account may not read",
                ),
                &self.forbidden,
            ));
        }
    }

    fn progress(&self) -> &Progress {
        self.progress.as_ref().expect("begin comes first")
    }
}

impl Consumer for ArchiveSink {
    fn begin(&mut self, plan: &ReadPlan<'_>) -> Result<()> {
        // The temporary file is created only now, once the cluster answered: a failed
        // connection or discovery leaves nothing behind.
        self.writer = Some(if self.private {
            ArchiveWriter::create_private(&self.path, self.taken)?
        } else {
            ArchiveWriter::create(&self.path, self.taken)?
        });
        self.file_names = file_names(plan.resources);
        let progress = Progress::new(self.mode, plan.lists);
        for warning in plan.warnings {
            progress.warn(&format!("Warning: {warning}"));
        }
        for gap in plan.gaps {
            progress.fail(&format!("Failed: {gap}"));
        }
        self.progress = Some(progress);
        Ok(())
    }

    fn items(&mut self, target: &Target<'_>, items: Vec<Value>) -> Result<()> {
        let resource = target.resource;
        let name = &self.file_names[&(resource.group.clone(), resource.plural.clone())];
        let entry = ArchiveWriter::list_path(target.namespace.as_deref(), name);
        if items.is_empty() && !self.verbose {
            self.progress().advance(&entry);
            self.empty.push(resource.plural.clone());
            return Ok(());
        }
        let progress = self.progress();
        progress.log(&format!(
            "Exporting '{}' resources to {entry}",
            resource.plural
        ));
        progress.advance(&entry);
        if items.is_empty() {
            progress.log("Skipped: list empty");
            return Ok(());
        }
        self.writer
            .as_mut()
            .expect("begin comes first")
            .write_list(&entry, items)
    }

    fn not_read(&mut self, target: &Target<'_>, problem: &ListProblem) {
        let place = target
            .namespace
            .as_deref()
            .map(|ns| format!(" in {ns}"))
            .unwrap_or_default();
        if problem.forbidden && !self.verbose {
            self.progress().advance(&target.place());
            self.forbidden
                .push(format!("{}{place}", target.resource.plural));
            return;
        }
        let progress = self.progress();
        progress.advance(&target.place());
        let line = format!("{}{place}: {}", target.resource.plural, problem.reason);
        if problem.forbidden {
            progress.warn(&format!("Skipped: {line}"));
        } else {
            progress.fail(&format!("Failed: {line}"));
        }
    }
}

/// The manifest of an archive: what was read, what was not, and whether it is complete.
fn manifest(command: &ExportCommand, report: &ReadReport) -> Manifest {
    let entry = |p: &ListProblem| ListEntry {
        resource: p.resource.clone(),
        namespace: p.namespace.clone(),
        reason: p.reason.clone(),
    };
    let complete = report.is_complete();
    Manifest {
        tool: "driftlab".into(),
        tool_version: Some(env!("CARGO_PKG_VERSION").into()),
        server: Some(Server {
            url: report.url.clone(),
            version: report.server_version.clone(),
        }),
        start_time: Some(report.started.rfc3339()),
        end_time: Some(report.finished.rfc3339()),
        namespaces: report.namespaces.clone(),
        selector: command.cluster.selector.clone(),
        cluster_scoped: Some(
            match command.cluster.cluster_scoped {
                ClusterScoped::All => "all",
                ClusterScoped::None => "none",
                ClusterScoped::Referenced => "referenced",
                ClusterScoped::Only(_) => "some",
            }
            .into(),
        ),
        secrets: Some(command.secrets.name().into()),
        secret_hash: (command.secrets == SecretsMode::Hash).then(|| match &command.secret_key {
            Some(key) => SecretHash {
                algorithm: "hmac-sha256".into(),
                key_id: Some(key.id().into()),
            },
            None => SecretHash {
                algorithm: "sha256".into(),
                key_id: None,
            },
        }),
        service_account_token_secrets: Some(TokenSecrets {
            left_out: report.token_secrets,
            why:
                "generated by the cluster for each service account; restored by it, noise in a diff"
                    .into(),
        }),
        resources: report
            .resources
            .iter()
            .map(|r| ResourceCount {
                resource: r.qualified_name(),
                api_version: r.api_version(),
                kind: r.kind.clone(),
                namespaced: r.namespaced,
                count: report.counts.get(&r.qualified_name()).copied().unwrap_or(0),
            })
            .collect(),
        objects: report.objects,
        requests: Some(report.requests),
        skipped: report.forbidden.iter().map(entry).collect(),
        failed: report.failed.iter().map(entry).collect(),
        missing: report
            .gaps
            .iter()
            .map(|gap| Missing {
                what: gap.what.clone(),
                reason: gap.reason.clone(),
            })
            .collect(),
        discovery_warnings: report.warnings.clone(),
        complete,
        partial: !complete,
        ..Manifest::default()
    }
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
