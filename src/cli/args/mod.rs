//! The command line, as clap sees it. Validation only; [`super::config`] turns it into plain
//! settings. The arguments of `export` and `rotate` are in `archives.rs`, those of `install` in
//! `install.rs`.
// These doc comments are the `--help` text people read, not rustdoc: `[*]`, `<prefix>` and
// `[HHMM]` are meant as written.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

mod archives;
mod install;
mod revert;
mod service;
mod verify;

use clap::{Args, Parser, Subcommand, ValueEnum};

use archives::EXPORT_AFTER_HELP;
pub use archives::{ExportArgs, RotateArgs, SecretsChoice};
use install::INSTALL_AFTER_HELP;
pub use install::{AccessModeChoice, FlavorChoice, InstallArgs};
use revert::REVERT_AFTER_HELP;
pub use revert::{RevertArgs, RevertOutput};
use service::KEEP_HELP;
pub use service::{KeepArgs, MetricsArgs};
use verify::VERIFY_AFTER_HELP;
pub use verify::{ProtectArgs, PublicKeyArgs, VerifyArgs};

const AFTER_HELP: &str = "\
Exit status: 0 no differences, 1 differences, 2 trouble (bad input or arguments).
Noise (housekeeping fields, generated names, replaced pods) does not count as a difference.

Examples:
  driftlab diff openshift-backup201809110015.zip openshift-backup201809120015.zip
  driftlab diff last-week.zip today.zip -n myproject --kind dc --output markdown
  driftlab diff s3://backups/prod live -n myproject     (last night's archive vs the cluster)
  driftlab diff a.zip b.zip --ignore 'metadata.annotations[\"openshift.io/*\"]'";

const HISTORY_AFTER_HELP: &str = "\
Examples:
  driftlab history /backups
  driftlab history /backups --object dc/web --path 'spec.template.spec.containers[*].readinessProbe'
  driftlab history /backups --since 2018-09-10 --output html > history.html
  driftlab history s3://backups/prod --since 2026-11-25";

const SERVE_AFTER_HELP: &str = "\
Examples:
  driftlab serve /backups/openshift-backup201809110015.zip
  kubectl --server http://127.0.0.1:8001 get dc -n myproject -o yaml";

const COMPLETIONS_AFTER_HELP: &str = "\
Examples:
  driftlab completions bash > /etc/bash_completion.d/driftlab
  driftlab completions zsh > \"${fpath[1]}/_driftlab\"
  driftlab completions fish > ~/.config/fish/completions/driftlab.fish";

/// Find what drifted between two snapshots of a Kubernetes or OpenShift project.
#[derive(Debug, Parser)]
#[command(
    name = "driftlab",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Open archives encrypted with age (….zip.age) with the identities of this file
    /// (age-keygen's AGE-SECRET-KEY-1… lines), for every command that reads archives.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "DRIFTLAB_AGE_IDENTITY"
    )]
    pub identity: Option<std::path::PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare two snapshots object by object.
    ///
    /// A snapshot is a driftlab or openshift-backup zip archive, a Velero backup tarball, a
    /// directory of manifests (or an unzipped archive), a JSON or YAML file, or - for standard
    /// input. Lists are matched by merge key, quantities compared as numbers, secret values shown
    /// as fingerprints.
    #[command(after_help = AFTER_HELP)]
    Diff(DiffArgs),

    /// Print what it takes to bring CURRENT's objects back to a good snapshot's state.
    ///
    /// GOOD is any snapshot the readers accept; CURRENT a snapshot or `live`. Writes a bash script
    /// of guarded `kubectl patch` commands (JSON patches on today's objects, each testing today's
    /// values first), `kubectl apply` of the objects deleted since, and (--delete-added) `kubectl
    /// delete` of those added; or the plan as JSON or YAML. By default every visible change is
    /// reverted; -n, --kind, --name, --object, --path and --culprit select. Nothing is applied.
    #[command(after_help = REVERT_AFTER_HELP)]
    Revert(RevertArgs),

    /// Export every object of a project (or the cluster) into a date-stamped archive.
    ///
    /// Reads through the Kubernetes API with credentials as kubectl finds them, prunes the
    /// housekeeping fields, hashes secret values, and writes <prefix><YYYYMMDDHHMM>.zip (UTC)
    /// atomically. Types the account may not read are skipped with a warning; types that keep
    /// failing are recorded and the archive is marked partial.
    #[command(after_help = EXPORT_AFTER_HELP)]
    Export(ExportArgs),

    /// Delete old archives of a folder, judged by the date stamp in their names.
    ///
    /// Only files named exactly <prefix><8 or 12 digits>.zip (or .zip.age, encrypted) are touched.
    /// Archives count only once proven good (read whole, newest first, until the retention's
    /// worth is found); the newest good one always stays; broken and suspiciously dated ones are
    /// named and kept, and so are encrypted ones no --identity opens.
    #[command(after_help = KEEP_HELP)]
    Rotate(RotateArgs),

    /// Serve a snapshot as a read-only Kubernetes API, to browse it with kubectl.
    #[command(after_help = SERVE_AFTER_HELP)]
    Serve(ServeArgs),

    /// Show how a series of nightly archives changed, night by night.
    ///
    /// Archives are ordered by the date stamp in their names and each is read once. For each
    /// consecutive pair: its likely culprits (noise hidden). With --object or --path: the timeline
    /// of the values, and the night each was first seen.
    #[command(after_help = HISTORY_AFTER_HELP)]
    History(HistoryArgs),

    /// Read snapshots and say what they hold: a check that backups are readable.
    Check(CheckArgs),

    /// Prove archives intact: every entry against the checksums its manifest records, and
    /// (with a public key) the archive against its minisign signature.
    #[command(after_help = VERIFY_AFTER_HELP)]
    Verify(VerifyArgs),

    /// Print the manifests of a nightly backup service to run in the cluster.
    ///
    /// A CronJob exports every namespace (or the --target-namespaces) each night into a volume
    /// and rotates the archives; a service account that may only get and list; a small pod that
    /// keeps the volume mounted so archives can be fetched with kubectl cp. Pipe it into
    /// kubectl apply -f -, or write one file per object with --output-dir.
    #[command(after_help = INSTALL_AFTER_HELP)]
    Install(InstallArgs),

    /// Print a completion script for a shell.
    #[command(after_help = COMPLETIONS_AFTER_HELP)]
    Completions(CompletionsArgs),

    /// Print the manual page (roff), or write one page per subcommand into a directory.
    Man(ManArgs),

    /// Wait until stopped: the process of the archive browser pod, whose image has no shell.
    #[command(hide = true)]
    Idle,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Grouped by namespace, for people.
    Text,
    /// A stable JSON report (documented in docs/guide.md).
    Json,
    /// RFC 6902 JSON Patch per object.
    Patch,
    /// Markdown for a pull-request comment or CI step summary.
    Markdown,
    /// GitHub Actions workflow commands: one `::error`/`::warning` per change, at the manifest's
    /// file and line.
    Github,
    /// SARIF 2.1.0 for code scanning: one result per change, with stable fingerprints.
    Sarif,
    /// JUnit XML: one test case per compared object, a failure per drifted one.
    Junit,
}

/// When to colour the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When standard output is a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Which objects to read, and how much.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only objects of this namespace (repeatable).
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE")]
    pub namespaces: Vec<String>,

    /// Only objects of this kind: kind, plural or short name, e.g. dc, deploy, svc, cm (repeatable).
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<String>,

    /// Only objects whose name matches this glob, e.g. 'web-*' (repeatable).
    #[arg(long = "name", value_name = "GLOB")]
    pub names: Vec<String>,

    /// Stop when a source decompresses to more than this (e.g. 4GiB, 500MiB, 1000000).
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = parse_size)]
    pub max_bytes: u64,

    /// The namespace of namespaced objects that name none, as kubectl apply -n would put them
    /// (default: the single -n given, else the kubeconfig context's when comparing with live,
    /// else "default").
    #[arg(long, value_name = "NAMESPACE")]
    pub default_namespace: Option<String>,
}

/// `driftlab diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old snapshot: an archive, a directory, a file, a Velero tarball, `-`, `live`, or
    /// s3://bucket/prefix/archive.zip (s3://bucket/prefix: its newest complete archive).
    #[arg(value_name = "OLD")]
    pub old: String,

    /// The new snapshot.
    #[arg(value_name = "NEW")]
    pub new: String,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,

    /// One line per object with its number of changes.
    #[arg(long, conflicts_with_all = ["name_only", "output"])]
    pub stat: bool,

    /// One line per object that differs.
    #[arg(long, conflicts_with = "output")]
    pub name_only: bool,

    /// Leave out changes at or below this path, e.g. 'spec.template.spec.containers[*].image'
    /// or '/spec/replicas' (repeatable; counted per pattern, listed by --explain).
    #[arg(long = "ignore", value_name = "PATH_PATTERN")]
    pub ignore: Vec<String>,

    /// CustomResourceDefinitions to compare custom resources with, besides those either side
    /// holds: a file or a folder, e.g. a chart's crds/ (repeatable). Their schemas key lists,
    /// fill in defaults and decide scope.
    #[arg(long = "crds", value_name = "PATH")]
    pub crds: Vec<String>,

    /// Which objects to read.
    #[command(flatten)]
    pub filter: FilterArgs,

    /// Show decoded secret values instead of fingerprints.
    #[arg(long)]
    pub show_secrets: bool,

    /// Show the changes the built-in noise rules hide and what a baseline accepts (listed, never
    /// drift: the exit status stays as without it; what your own rules hide stays hidden).
    #[arg(long)]
    pub all: bool,

    /// List every hidden change with the rule that hid it, your own rules' included.
    #[arg(long)]
    pub explain: bool,

    /// How many likely culprits to list first (0: none).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,

    /// A list changed in more elements than this is shown as one summary line (0: no limit).
    #[arg(long, value_name = "N", default_value_t = crate::diff::value::DEFAULT_MAX_LIST_CHANGES)]
    pub max_list_changes: usize,

    /// Rules of your own, in the shape of Argo CD's ignoreDifferences (repeatable;
    /// .driftlabignore in the current directory is read too when present, and said so on stderr).
    #[arg(long = "ignore-file", value_name = "FILE")]
    pub ignore_files: Vec<std::path::PathBuf>,

    /// Do not read .driftlabignore from the current directory (files named by --ignore-file
    /// are still read).
    #[arg(long)]
    pub no_ignore_file: bool,

    /// Turn the built-in noise rules off.
    #[arg(long)]
    pub no_default_noise: bool,

    /// OLD is the desired state (manifests, a Helm or kustomize render, an archive): compare only
    /// what it sets. A field only the cluster has is counted, not shown, only at the server's
    /// default or when a known controller owns it (an HPA's replicas, an injected caBundle, ...);
    /// anything else is drift, whoever wrote it, and privileges always are. Objects only in the
    /// cluster are counted (--all lists them), but privileged or host workloads, admin bindings
    /// of the manifests' service accounts and webhooks over their namespaces are drift.
    #[arg(long)]
    pub desired: bool,

    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Exit 0 even when differences are found (trouble still exits 2).
    #[arg(long)]
    pub exit_zero: bool,

    /// Accepted drift: a YAML file of changes that do not count (repeatable). A change is
    /// accepted while an entry names its object, path and new value exactly and has not expired.
    #[arg(
        long = "baseline",
        value_name = "FILE",
        conflicts_with = "show_secrets"
    )]
    pub baselines: Vec<std::path::PathBuf>,

    /// Write (or update) FILE with one entry per change found, keeping the reasons and expiry
    /// dates already written there; then exit 0.
    #[arg(long, value_name = "FILE", conflicts_with = "show_secrets")]
    pub update_baseline: Option<std::path::PathBuf>,

    /// Exit 1 when a --baseline entry accepted nothing (stale), so a baseline cannot rot.
    #[arg(long, requires = "baselines")]
    pub strict_baseline: bool,

    /// Compare a source that holds no object (after the filters) instead of refusing it: everything
    /// on the other side then shows as added or removed.
    #[arg(long)]
    pub allow_empty: bool,

    /// Compare objects of namespace OLD on the old side with those of NEW on the new side
    /// (staging against production), references to the namespace included (repeatable).
    #[arg(long = "map-namespace", value_name = "OLD=NEW")]
    pub map_namespaces: Vec<String>,

    /// Compare a `live` side even when part of the cluster could not be read (a failing API
    /// group, lists that keep failing); what was not read is left out of the comparison.
    #[arg(long)]
    pub allow_partial: bool,

    /// The key archives' secret values were hashed with (`export --secret-key-file`): raw values
    /// are hashed with it so that they compare with the archive's.
    #[arg(long, value_name = "FILE", env = "DRIFTLAB_SECRET_KEY_FILE")]
    pub secret_key_file: Option<std::path::PathBuf>,

    /// Do not print warnings and notes about the input.
    #[arg(short, long)]
    pub quiet: bool,

    /// How to reach the cluster when OLD or NEW is `live` or `live:<context>`.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Credentials, as kubectl takes them.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then the in-cluster account).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<std::path::PathBuf>,

    /// The kubeconfig context to use.
    #[arg(long, value_name = "CONTEXT")]
    pub context: Option<String>,
}

/// `driftlab serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The snapshot to serve: an archive, a directory, a file, a Velero tarball, an s3:// URL.
    #[arg(value_name = "SNAPSHOT")]
    pub snapshot: String,

    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8001", value_name = "ADDRESS")]
    pub listen: std::net::SocketAddr,

    /// Allow listening on a non-loopback address.
    #[arg(long)]
    pub allow_remote: bool,

    /// Serve secret values as they are in the snapshot instead of hashed.
    #[arg(long)]
    pub show_secrets: bool,

    /// Stop when the snapshot decompresses to more than this.
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = parse_size)]
    pub max_bytes: u64,
}

/// Output formats of `driftlab history`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HistoryOutput {
    /// Night by night, for people.
    Text,
    /// The nights as diff reports, and the timelines.
    Json,
    /// Markdown.
    Markdown,
    /// One self-contained HTML page with a timeline per object.
    Html,
    /// GitHub Actions workflow commands for the newest night.
    Github,
    /// JUnit XML for the newest night: a test case per object of its two archives.
    Junit,
}

/// `driftlab history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Archive folders (searched for …YYYYMMDD[HHMM].zip) or archives; local or s3://.
    #[arg(value_name = "DIR|ARCHIVE", required = true)]
    pub archives: Vec<String>,

    /// Only this object: KIND/NAME or KIND/NAMESPACE/NAME (kind as kubectl takes it, name a glob).
    #[arg(long, value_name = "KIND/NAME")]
    pub object: Option<String>,

    /// Only changes at or below this path, e.g. 'spec.template.spec.containers[*].image'.
    #[arg(long, value_name = "PATH_PATTERN")]
    pub path: Option<String>,

    /// Only archives taken at or after this date (2018-09-10, or 2018-09-10T00:15:00Z).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = HistoryOutput::Text)]
    pub output: HistoryOutput,

    /// How many likely culprits to list per night.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub top: usize,

    /// CustomResourceDefinitions to compare custom resources with, besides those either side
    /// holds: a file or a folder, e.g. a chart's crds/ (repeatable). Their schemas key lists,
    /// fill in defaults and decide scope.
    #[arg(long = "crds", value_name = "PATH")]
    pub crds: Vec<String>,

    /// Rules of your own (repeatable; .driftlabignore in the current directory is read too when
    /// present, and said so on stderr).
    #[arg(long = "ignore-file", value_name = "FILE")]
    pub ignore_files: Vec<std::path::PathBuf>,

    /// Do not read .driftlabignore from the current directory.
    #[arg(long)]
    pub no_ignore_file: bool,

    /// Turn the built-in noise rules off.
    #[arg(long)]
    pub no_default_noise: bool,

    /// The key the archives' secret values were hashed with (see `diff --secret-key-file`).
    #[arg(long, value_name = "FILE", env = "DRIFTLAB_SECRET_KEY_FILE")]
    pub secret_key_file: Option<std::path::PathBuf>,

    /// Which objects to read.
    #[command(flatten)]
    pub filter: FilterArgs,

    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Do not print warnings and notes about the input.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `driftlab check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Snapshots to read: archives, directories, files, s3:// URLs.
    #[arg(value_name = "SNAPSHOT", required = true)]
    pub snapshots: Vec<String>,

    /// Stop when a source decompresses to more than this.
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = parse_size)]
    pub max_bytes: u64,

    /// Also name every entry of an archive that is missing, extra, altered or corrupt, and say
    /// when an archive records no checksums (as `driftlab verify` does).
    #[arg(long)]
    pub verify: bool,
}

/// `driftlab completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `driftlab man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The page of this subcommand (default: the page of driftlab itself).
    #[arg(value_name = "SUBCOMMAND", conflicts_with = "output_dir")]
    pub subcommand: Option<String>,

    /// Write driftlab.1 and a driftlab-<subcommand>.1 per subcommand into this directory.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<std::path::PathBuf>,
}

/// Parses `4GiB`, `500MiB`, `10MB`, `1k`, `123`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text.chars().take_while(|c| c.is_ascii_digit()).count();
    let (number, unit) = text.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size (try 4GiB, 500MiB or a number of bytes)"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "m" | "mb" => 1_000_000,
        "g" | "gb" => 1_000_000_000,
        "ki" | "kib" => 1 << 10,
        "mi" | "mib" => 1 << 20,
        "gi" | "gib" => 1 << 30,
        "ti" | "tib" => 1 << 40,
        _ => {
            return Err(format!(
                "unknown size unit in {text:?} (use KiB, MiB, GiB, kB, MB, GB)"
            ));
        }
    };
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4GiB").unwrap(), 4 << 30);
        assert_eq!(parse_size("500MiB").unwrap(), 500 << 20);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert_eq!(parse_size("10MB").unwrap(), 10_000_000);
        assert!(parse_size("lots").is_err());
        assert!(parse_size("5XB").is_err());
    }
}
