//! The arguments of `driftlab revert`: what to read and select as `diff` does (its filter and
//! connection arguments), and how to write the plan.

use clap::{Args, ValueEnum};

use super::{ConnectArgs, FilterArgs};

pub(super) const REVERT_AFTER_HELP: &str = "\
Exit status: 0 a plan was written (or nothing differs), 2 trouble (bad input, a selection that
matches nothing). Nothing is applied: read the script, then run it.

Patches use today's list indices and test today's values first, so an object changed since the
plan was made makes kubectl refuse the patch instead of overwriting it. Noise, status, server-set
fields and generated objects are never reverted (their owner is named instead). Secret values are
written only with --show-secrets, and never from an archive that holds only their fingerprints.

Examples:
  driftlab revert last-week.zip live -n myproject > revert.sh && less revert.sh && bash revert.sh
  driftlab revert last-week.zip live --culprit 1 --dry-run | bash
  driftlab revert good/ today.zip --object dc/web --path 'spec.template.spec.containers[*].env'
  driftlab revert s3://backups/prod live -n myproject --output json";

/// How `driftlab revert` writes its plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RevertOutput {
    /// A bash script of kubectl commands.
    Script,
    /// The plan as JSON (schema driftlab.revert/v1).
    Json,
    /// The objects to create and the patches, as YAML documents for review.
    Yaml,
}

/// `driftlab revert`.
#[derive(Debug, Args)]
pub struct RevertArgs {
    /// The good snapshot: an archive, a directory, a file, a Velero tarball, `-`, or an s3:// URL.
    #[arg(value_name = "GOOD")]
    pub good: String,

    /// Today's snapshot, or `live` (`live:<context>`) for the cluster.
    #[arg(value_name = "CURRENT")]
    pub current: String,

    /// Output format.
    #[arg(short, long, value_enum, default_value_t = RevertOutput::Script)]
    pub output: RevertOutput,

    /// Only this object: KIND/NAME or KIND/NAMESPACE/NAME (kind as kubectl takes it, name a glob).
    #[arg(long, value_name = "KIND/NAME")]
    pub object: Option<String>,

    /// Only changes at or below this path, e.g. 'spec.template.spec.containers[*].image'.
    #[arg(long, value_name = "PATH_PATTERN")]
    pub path: Option<String>,

    /// Only the N-th likely culprit of the comparison, numbered as `driftlab diff` lists them.
    #[arg(long, value_name = "N")]
    pub culprit: Option<usize>,

    /// Delete the objects added since GOOD (otherwise they are only named).
    #[arg(long)]
    pub delete_added: bool,

    /// Add --dry-run=server to every kubectl command of the script.
    #[arg(long)]
    pub dry_run: bool,

    /// Write secret values (never from fingerprints: a hashed archive cannot restore a value).
    #[arg(long)]
    pub show_secrets: bool,

    /// Which objects to read.
    #[command(flatten)]
    pub filter: FilterArgs,

    /// CustomResourceDefinitions to compare custom resources with, besides those either side
    /// holds: a file or a folder (repeatable), as for diff.
    #[arg(long = "crds", value_name = "PATH")]
    pub crds: Vec<String>,

    /// Rules of your own, as for `diff` (repeatable; .driftlabignore in the current directory is
    /// read too when present, and said so on stderr).
    #[arg(long = "ignore-file", value_name = "FILE")]
    pub ignore_files: Vec<std::path::PathBuf>,

    /// Do not read .driftlabignore from the current directory.
    #[arg(long)]
    pub no_ignore_file: bool,

    /// The key archives' secret values were hashed with (see `diff --secret-key-file`).
    #[arg(long, value_name = "FILE", env = "DRIFTLAB_SECRET_KEY_FILE")]
    pub secret_key_file: Option<std::path::PathBuf>,

    /// Plan against a `live` side even when part of the cluster could not be read.
    #[arg(long)]
    pub allow_partial: bool,

    /// Do not print warnings and notes.
    #[arg(short, long)]
    pub quiet: bool,

    /// How to reach the cluster when CURRENT is `live`; --context is also written into the
    /// script's kubectl commands.
    #[command(flatten)]
    pub connect: ConnectArgs,
}
