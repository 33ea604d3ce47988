//! The arguments of the subcommands that write and rotate archives: `export` and `rotate`.

use clap::{Args, ValueEnum};

use super::service::{KeepArgs, MetricsArgs};
use super::{ConnectArgs, parse_size};

pub(super) const EXPORT_AFTER_HELP: &str = "\
Exit status: 0 archive written and complete, 2 nothing written (no API server at the address,
bad credentials, core discovery failing, nothing readable, bad arguments), 3 archive written but
partial (an API group or some lists could not be read; its manifest says what is missing).
Rotation runs only after a complete export and never lets a partial archive displace a complete one.
With --metrics-file or --pushgateway the metrics are written after every run, a failed one too;
a failed write or push is a warning and leaves the exit status as the export made it.

Retention: an archive is kept when any rule keeps it (the union of what each --keep-* policy and
--retain-days/--retain-count keep); `driftlab rotate --help` says how each rule counts.

Examples:
  driftlab export -n myproject --output-dir /backups --retain-days 7
  driftlab export -A --prefix openshift-backup --output-dir /openshift-backup
  AWS_ENDPOINT_URL=https://minio.example.com driftlab export -A --output-dir s3://backups/prod --retain-days 7
  driftlab export -A --output-dir /backups --keep-daily 7 --keep-weekly 5 --keep-monthly 12 \\
    --pushgateway http://pushgateway.monitoring:9091 --metrics-cluster prod";

/// How `driftlab export` treats Secret objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SecretsChoice {
    /// Each value becomes sha256:<hex>: changes visible, values not.
    Hash,
    /// Values as they are.
    Include,
    /// No secrets at all.
    Skip,
}

/// `driftlab export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub connect: ConnectArgs,

    /// Export this namespace (repeatable; default: every namespace the account can list).
    #[arg(
        short = 'n',
        long = "namespace",
        value_name = "NAMESPACE",
        conflicts_with = "all_namespaces"
    )]
    pub namespaces: Vec<String>,

    /// Export every namespace the account can list (the default when no -n is given).
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    /// Only objects matching this label selector, e.g. 'app=web'.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Export a type excluded by default (events, leases, imagestreamtags, projects, …) (repeatable).
    #[arg(long = "include-kind", value_name = "KIND")]
    pub include_kinds: Vec<String>,

    /// Leave out this type too (repeatable).
    #[arg(long = "exclude-kind", value_name = "KIND")]
    pub exclude_kinds: Vec<String>,

    /// Skip cluster-scoped types (namespaces, cluster roles, storage classes, …).
    #[arg(long, conflicts_with = "cluster_scoped")]
    pub no_cluster_scoped: bool,

    /// With -n, read every cluster-scoped type the account may list too. Without it, -n keeps
    /// only the cluster-scoped objects the namespaces refer to: their Namespace objects, the
    /// PersistentVolumes and StorageClasses of their claims, the ClusterRoles their RoleBindings
    /// name, the PriorityClasses of their pods.
    #[arg(long)]
    pub cluster_scoped: bool,

    /// Leave out who wrote which field (metadata.managedFields). Kept by default, compacted: they
    /// let diff and history say "by kubectl-edit, 2026-11-24 14:02"; they cost up to 1.5x the
    /// archive size (see BENCHMARKS.md).
    #[arg(long)]
    pub drop_managed_fields: bool,

    /// What to do with secret values.
    #[arg(long, value_enum, default_value_t = SecretsChoice::Hash)]
    pub secrets: SecretsChoice,

    /// Hash secret values with HMAC-SHA-256 under the key in this file (kept outside the
    /// archive, e.g. a mounted Secret), so that a leaked archive does not allow guessing them;
    /// the archive records only the key's id.
    #[arg(long, value_name = "FILE", env = "DRIFTLAB_SECRET_KEY_FILE")]
    pub secret_key_file: Option<std::path::PathBuf>,

    /// Stop when the cluster sends more than this in all (e.g. 4GiB, 16GiB).
    #[arg(long, value_name = "SIZE", default_value = "4GiB", value_parser = parse_size)]
    pub max_bytes: u64,

    /// Directory to write the archive to, or s3://bucket/prefix (AWS_* variables; uploaded
    /// only once whole, never over an existing object).
    #[arg(
        long,
        value_name = "DIR",
        default_value = ".",
        conflicts_with = "output"
    )]
    pub output_dir: std::path::PathBuf,

    /// Write the archive to exactly this file (or s3://bucket/key.zip) instead.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Archive name prefix (use openshift-backup to continue an existing archive folder).
    #[arg(long, default_value = "driftlab-")]
    pub prefix: String,

    /// After a complete export, delete archives older than this many days.
    #[arg(long, value_name = "DAYS")]
    pub retain_days: Option<u32>,

    /// After a complete export, keep only this many archives proven good (read whole: every
    /// entry decompresses and parses, the counts match the manifest).
    #[arg(long, value_name = "COUNT")]
    pub retain_count: Option<usize>,

    /// After a complete export, also delete the broken archives rotation meets (otherwise they
    /// are named on stderr, kept, and never counted).
    #[arg(long)]
    pub prune_broken: bool,

    /// Lists in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,

    /// With every namespace, list each type once per namespace instead of once across all of
    /// them (types the account may not list across namespaces are listed per namespace anyway).
    #[arg(long)]
    pub list_per_namespace: bool,

    /// Print nothing but failures.
    #[arg(short, long)]
    pub quiet: bool,

    /// Print a line for every list, empty and forbidden ones too (else they are summed up in
    /// one line each at the end).
    #[arg(short, long, conflicts_with = "quiet")]
    pub verbose: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub protect: super::ProtectArgs,

    // Last: a help heading holds every argument after it.
    #[command(
        flatten,
        next_help_heading = "Retention by period (after a complete export)"
    )]
    #[allow(missing_docs)]
    pub keep: KeepArgs,

    #[command(flatten, next_help_heading = "Metrics")]
    #[allow(missing_docs)]
    pub metrics: MetricsArgs,
}

/// `driftlab rotate`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The archive folder, or s3://bucket/prefix.
    #[arg(value_name = "DIR")]
    pub dir: std::path::PathBuf,

    /// Delete archives older than this many days.
    #[arg(long, value_name = "DAYS")]
    pub retain_days: Option<u32>,

    /// Keep only this many archives proven good (read whole: every entry decompresses and
    /// parses, the counts match the manifest); the newest good archive always stays.
    #[arg(long, value_name = "COUNT")]
    pub retain_count: Option<usize>,

    /// Delete the broken archives met on the way (unreadable, corrupt, empty, counts that
    /// disagree with the manifest); otherwise they are named on stderr, kept, and never counted.
    #[arg(long)]
    pub prune_broken: bool,

    /// The archive name prefix.
    #[arg(long, default_value = "driftlab-")]
    pub prefix: String,

    /// Only print what would be deleted (and, with a --keep-* policy, what each rule keeps and
    /// why).
    #[arg(long)]
    pub dry_run: bool,

    // Last: a help heading holds every argument after it.
    #[command(flatten, next_help_heading = "Retention by period")]
    #[allow(missing_docs)]
    pub keep: KeepArgs,
}
