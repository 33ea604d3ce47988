//! The arguments of a backup service that runs unattended: the grandfather-father-son retention
//! of `export` and `rotate`, and the metrics `export` reports.

use clap::Args;

/// The period policies (`--keep-*`), shared by `export` and `rotate`.
#[derive(Debug, Default, Args)]
pub struct KeepArgs {
    /// Keep the N newest good archives (a number, or 'unlimited').
    #[arg(long, value_name = "N", value_parser = parse_keep, allow_negative_numbers = true)]
    pub keep_last: Option<u32>,

    /// For the last N days that have a good archive, keep the newest of each day (UTC).
    #[arg(long, value_name = "N", value_parser = parse_keep, allow_negative_numbers = true)]
    pub keep_daily: Option<u32>,

    /// For the last N ISO weeks (Monday to Sunday) that have a good archive, keep the newest of
    /// each.
    #[arg(long, value_name = "N", value_parser = parse_keep, allow_negative_numbers = true)]
    pub keep_weekly: Option<u32>,

    /// For the last N months that have a good archive, keep the newest of each.
    #[arg(long, value_name = "N", value_parser = parse_keep, allow_negative_numbers = true)]
    pub keep_monthly: Option<u32>,

    /// For the last N years that have a good archive, keep the newest of each.
    #[arg(long, value_name = "N", value_parser = parse_keep, allow_negative_numbers = true)]
    pub keep_yearly: Option<u32>,
}

/// How the `--keep-*` flags combine with the older ones, for `--help`.
pub(super) const KEEP_HELP: &str = "\
Retention: --keep-last/-daily/-weekly/-monthly/-yearly follow restic's `forget --keep-*`: each
keeps the newest good archive of each of its N most recent periods that have one (UTC date
stamps, ISO weeks). An archive is kept when any rule keeps it: the union of what each --keep-*
policy keeps and what --retain-days/--retain-count keep (those two still let go what is older
than the days or beyond the count). Only good archives count; broken ones are named and kept
(--prune-broken deletes them); the newest good archive and the one just written always stay.";

/// A policy count: a number, or `unlimited`.
fn parse_keep(text: &str) -> Result<u32, String> {
    if text == "unlimited" {
        return Ok(crate::archive::retention::UNLIMITED);
    }
    text.parse::<u32>()
        .ok()
        .filter(|&n| n < crate::archive::retention::UNLIMITED)
        .ok_or_else(|| format!("{text:?}: a whole number or 'unlimited'"))
}

/// Where `export` reports how it went.
#[derive(Debug, Default, Args)]
pub struct MetricsArgs {
    /// Write the export's metrics to this file in the Prometheus text format (for the node
    /// exporter's textfile collector), atomically; also after a failed export.
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<std::path::PathBuf>,

    /// Push the export's metrics to this Pushgateway (http[s]://host:port), grouped by job,
    /// namespaces and --metrics-cluster. A failed push is a warning: the exit status stays the
    /// export's.
    #[arg(long, value_name = "URL")]
    pub pushgateway: Option<String>,

    /// The job label of the pushed metrics.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "driftlab",
        requires = "pushgateway"
    )]
    pub metrics_job: String,

    /// A cluster label on every metric (and in the Pushgateway's grouping key), so that the
    /// exports of several clusters stay apart.
    #[arg(long, value_name = "NAME")]
    pub metrics_cluster: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_counts_are_numbers_or_unlimited() {
        assert_eq!(parse_keep("7"), Ok(7));
        assert_eq!(parse_keep("0"), Ok(0));
        assert_eq!(parse_keep("unlimited"), Ok(u32::MAX));
        for bad in ["-1", "", "seven", "4294967295", "1.5"] {
            assert!(parse_keep(bad).is_err(), "{bad}");
        }
    }
}
