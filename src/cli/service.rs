//! Settling the flags of an unattended service: the `--keep-*` policies, where `export` reports
//! its metrics, and what `install --metrics` and `--alerts` ask of the manifests.

use std::time::Duration;

use super::args::{KeepArgs, MetricsArgs};
use crate::archive::retention::Keep;
use crate::error::{Error, Result};
use crate::install::options::parse_duration;
use crate::install::{Alerts, MetricsSink};
use crate::metrics::{MetricsOptions, Pushgateway};

/// node-exporter's textfile directory as the example of its README names it (`--metrics
/// textfile`); packagings differ (Debian's is /var/lib/prometheus/node-exporter).
const DEFAULT_TEXTFILE_DIR: &str = "/var/lib/node_exporter/textfile_collector";

/// The period policies of `--keep-*`.
pub fn keep(args: &KeepArgs) -> Keep {
    Keep {
        last: args.keep_last,
        daily: args.keep_daily,
        weekly: args.keep_weekly,
        monthly: args.keep_monthly,
        yearly: args.keep_yearly,
    }
}

/// Where `export` reports its metrics: the Pushgateway's URL checked now, so that a typo ends
/// the run before the cluster is read; its grouping key is the job, the cluster label and the
/// namespaces exported.
pub fn metrics_options(
    args: &MetricsArgs,
    namespaces: &[String],
) -> Result<Option<MetricsOptions>> {
    if args.metrics_file.is_none() && args.pushgateway.is_none() {
        return Ok(None);
    }
    let mut labels = Vec::new();
    if let Some(cluster) = &args.metrics_cluster {
        labels.push(("cluster".to_string(), cluster.clone()));
    }
    let namespaces = if namespaces.is_empty() {
        "all".to_string()
    } else {
        let mut sorted = namespaces.to_vec();
        sorted.sort();
        sorted.join(",")
    };
    labels.push(("namespaces".to_string(), namespaces));
    let pushgateway = match &args.pushgateway {
        None => None,
        Some(url) => {
            let mut gateway = Pushgateway::new(url, &args.metrics_job, &labels)
                .map_err(|why| Error::Usage(format!("--pushgateway {url:?}: {why}")))?;
            // For tests and slow networks; the default suits a gateway beside the job.
            if let Some(ms) = super::config::positive_env("DRIFTLAB_PUSHGATEWAY_TIMEOUT_MS")? {
                gateway.timeout = Duration::from_millis(ms);
            }
            Some(gateway)
        }
    };
    Ok(Some(MetricsOptions {
        file: args.metrics_file.clone(),
        pushgateway,
        labels,
    }))
}

/// `install --metrics SINK`: `pushgateway=URL`, `textfile` or `textfile=DIR`.
pub fn install_metrics(sink: Option<&str>) -> Result<MetricsSink> {
    Ok(match sink {
        None => MetricsSink::None,
        Some("textfile") => MetricsSink::Textfile(DEFAULT_TEXTFILE_DIR.into()),
        Some(sink) => match sink.split_once('=') {
            Some(("pushgateway", url)) => MetricsSink::Pushgateway(url.into()),
            Some(("textfile", dir)) => MetricsSink::Textfile(dir.into()),
            _ => {
                return Err(Error::Usage(format!(
                    "--metrics {sink:?}: pushgateway=URL, textfile or textfile=DIR"
                )));
            }
        },
    })
}

/// `install --alerts` with `--alert-stale-after` and the minimum of good archives.
pub fn install_alerts(stale_after: &str, min_archives: u32) -> Result<Alerts> {
    let seconds = parse_duration(stale_after).ok_or_else(|| {
        Error::Usage(format!(
            "--alert-stale-after {stale_after:?}: a whole number of minutes, hours or days (26h, 90m, 2d)"
        ))
    })?;
    Ok(Alerts {
        stale_after: seconds,
        min_archives,
    })
}
