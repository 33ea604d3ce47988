//! The service's alerts (`driftlab install --alerts`): a `PrometheusRule` of the Prometheus
//! Operator (`monitoring.coreos.com/v1`) over the export's metrics ([`crate::metrics`]).
//!
//! - **DriftlabExportStale**: no complete archive for `--alert-stale-after` (26 hours by
//!   default: a nightly export may be late by two hours before anyone is woken);
//! - **DriftlabExportNeverReported**: no export metrics at all for that long (a CronJob that
//!   never ran, metrics that go nowhere);
//! - **DriftlabExportIncomplete**: the last export wrote a partial archive, or none;
//! - **DriftlabSecurityDrift**: the last export saw security-sensitive changes against the
//!   previous good archive (privileges, host access, who may do what);
//! - **DriftlabArchivesBelowRetention**: fewer good archives than `--alert-min-archives` after
//!   rotation.
//!
//! The rules select series by metric name alone: driftlab's names are its own, and the alerts
//! keep every label the series carry (cluster, namespaces, job, instance), so that one rule
//! file serves several exports.

use serde_json::{Value, json};

use super::options::Alerts;
use super::{InstallOptions, Manifest, labels};
use crate::error::{Error, Result};

/// The rule groups, as the `spec.groups` of the PrometheusRule (and as a `promtool check rules`
/// file reads them).
pub fn groups(alerts: &Alerts) -> Value {
    let stale = alerts.stale_after;
    let human = human(stale);
    json!([{
        "name": "driftlab",
        "rules": [
            {
                "alert": "DriftlabExportStale",
                "expr": format!("time() - driftlab_export_last_success_timestamp_seconds > {stale}"),
                "labels": {"severity": "critical"},
                "annotations": {
                    "summary": format!("No complete driftlab export for more than {human}."),
                    "description": "Cluster {{ $labels.cluster }}, namespaces {{ $labels.namespaces }}: the last complete archive is {{ $value | humanizeDuration }} old. Look at the export's Job logs (kubectl get jobs -n <namespace>).",
                },
            },
            {
                "alert": "DriftlabExportNeverReported",
                "expr": "absent(driftlab_export_start_timestamp_seconds)",
                "for": duration(stale),
                "labels": {"severity": "critical"},
                "annotations": {
                    "summary": format!("No driftlab export metrics for {human}."),
                    "description": "No export has reported: the CronJob did not run, or its metrics go nowhere Prometheus reads (a Pushgateway scraped without honor_labels, a textfile directory node-exporter does not read).",
                },
            },
            {
                "alert": "DriftlabExportIncomplete",
                "expr": "driftlab_export_complete == 0",
                "labels": {"severity": "warning"},
                "annotations": {
                    "summary": "The last driftlab export did not write a complete archive.",
                    "description": "Cluster {{ $labels.cluster }}, namespaces {{ $labels.namespaces }}: the last export failed or wrote a partial archive (its manifest says what is missing); older archives were not rotated out.",
                },
            },
            {
                "alert": "DriftlabSecurityDrift",
                "expr": "driftlab_drift_changes{category=\"security\"} > 0",
                "labels": {"severity": "warning"},
                "annotations": {
                    "summary": "Security-sensitive changes since the previous good archive.",
                    "description": "Cluster {{ $labels.cluster }}, namespaces {{ $labels.namespaces }}: {{ $value }} security-sensitive changes (privileges, host access, RBAC). See them with: driftlab diff <previous archive> <last archive>.",
                },
            },
            {
                "alert": "DriftlabArchivesBelowRetention",
                "expr": format!("driftlab_archives{{state=\"good\"}} < {}", alerts.min_archives),
                "for": "1h",
                "labels": {"severity": "warning"},
                "annotations": {
                    "summary": format!("Fewer than {} good driftlab archives.", alerts.min_archives),
                    "description": "Cluster {{ $labels.cluster }}, namespaces {{ $labels.namespaces }}: {{ $value }} good archives after rotation. Archives were lost or are broken (driftlab rotate --dry-run names them); a new service fires this until its retention has filled.",
                },
            },
        ],
    }])
}

/// The PrometheusRule object.
pub fn manifest(options: &InstallOptions, alerts: &Alerts) -> Result<Manifest> {
    let name = format!("{}-alerts", options.name);
    let rule = json!({
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": name,
            "namespace": options.namespace,
            "labels": labels(options, Some("alerts")),
        },
        "spec": {"groups": groups(alerts)},
    });
    let yaml = serde_saphyr::to_string(&rule).map_err(|e| {
        Error::Runtime(format!(
            "PrometheusRule manifest: cannot write it as YAML: {e}"
        ))
    })?;
    Ok(Manifest {
        kind: "PrometheusRule".into(),
        namespace: Some(options.namespace.clone()),
        name,
        yaml,
    })
}

/// A Prometheus duration for `seconds`: the largest whole unit.
fn duration(seconds: u64) -> String {
    if seconds.is_multiple_of(86_400) {
        format!("{}d", seconds / 86_400)
    } else if seconds.is_multiple_of(3600) {
        format!("{}h", seconds / 3600)
    } else {
        format!("{}m", seconds / 60)
    }
}

/// `26 hours`, `90 minutes`, for people.
fn human(seconds: u64) -> String {
    if seconds.is_multiple_of(3600) {
        let hours = seconds / 3600;
        format!("{hours} hour{}", if hours == 1 { "" } else { "s" })
    } else {
        format!("{} minutes", seconds / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_in_their_largest_whole_unit() {
        assert_eq!(duration(26 * 3600), "26h");
        assert_eq!(duration(2 * 86_400), "2d");
        assert_eq!(duration(90 * 60), "90m");
        assert_eq!(human(26 * 3600), "26 hours");
    }

    #[test]
    fn the_thresholds_are_the_ones_asked_for() {
        let groups = groups(&Alerts {
            stale_after: 30 * 3600,
            min_archives: 5,
        });
        let rules = groups[0]["rules"].as_array().unwrap();
        assert_eq!(
            rules[0]["expr"],
            "time() - driftlab_export_last_success_timestamp_seconds > 108000"
        );
        assert_eq!(rules[1]["for"], "30h");
        assert_eq!(rules[4]["expr"], "driftlab_archives{state=\"good\"} < 5");
    }
}
