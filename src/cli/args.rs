//! The command line, as clap sees it. Validation only; [`super::config`] turns it into plain
//! settings.

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit status: 0 no differences, 1 differences, 2 trouble (bad input or arguments).

Examples:
  driftlab diff openshift-backup201809110015.zip openshift-backup201809120015.zip
  driftlab diff last-week.zip today.zip -n myproject --kind dc --output markdown
  driftlab diff a.zip b.zip --ignore 'metadata.annotations[\"openshift.io/*\"]'";

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

    /// Write synthetic nightly archives (for benchmarks and tests).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Grouped by namespace, for people.
    Text,
    /// A stable JSON report (documented in the README).
    Json,
    /// RFC 6902 JSON Patch per object.
    Patch,
    /// Markdown for a pull-request comment or CI step summary.
    Markdown,
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
}

/// `driftlab diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The old snapshot.
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
    /// or '/spec/replicas' (repeatable).
    #[arg(long = "ignore", value_name = "PATH_PATTERN")]
    pub ignore: Vec<String>,

    /// Which objects to read.
    #[command(flatten)]
    pub filter: FilterArgs,

    /// Show decoded secret values instead of fingerprints.
    #[arg(long)]
    pub show_secrets: bool,

    /// Colour the text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Exit 0 even when differences are found (trouble still exits 2).
    #[arg(long)]
    pub exit_zero: bool,

    /// Do not print warnings and notes about the input.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `driftlab generate` (hidden).
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write the archives to.
    #[arg(long, value_name = "DIR")]
    pub out: String,

    /// About how many objects per night.
    #[arg(long, default_value_t = 1000)]
    pub objects: usize,

    /// How many nightly archives to write.
    #[arg(long, default_value_t = 2)]
    pub nights: usize,

    /// Percentage of objects that drift from one night to the next.
    #[arg(long, default_value_t = 1.0)]
    pub drift_percent: f64,

    /// Exactly this many objects drift each night (instead of --drift-percent).
    #[arg(long)]
    pub changes: Option<usize>,

    /// Seed of the pseudo-random choices.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Write each night as one JSON List file instead of an archive.
    #[arg(long)]
    pub single_list: bool,
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
