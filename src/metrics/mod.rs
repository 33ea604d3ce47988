//! The metrics of one export, for a backup service that runs unattended: written in the
//! Prometheus text format to a file (node-exporter's textfile collector) and pushed to a
//! Pushgateway, the way batch jobs report.
//!
//! This module only turns what a run came to ([`Run`]) into text and hands it over; what the
//! run came to is gathered by `commands::export`. A failed run reports too: `complete` 0 and
//! the last success carried over from what the file or the gateway held ([`previous_success`]),
//! so that "no successful export for a day" can be alerted on.
//!
//! - [`text`]: the Prometheus text format, written and escaped;
//! - [`pushgateway`]: the HTTP side (grouping key, timeouts, one clear line per failure).

pub mod pushgateway;
pub mod text;

use std::io::Write as _;
use std::path::{Path, PathBuf};

pub use pushgateway::Pushgateway;
use text::Text;

/// The name of the metric carried over from run to run.
pub const LAST_SUCCESS: &str = "driftlab_export_last_success_timestamp_seconds";

/// Where the metrics of an export go.
#[derive(Clone, Debug)]
pub struct MetricsOptions {
    /// `--metrics-file`: written atomically.
    pub file: Option<PathBuf>,
    /// `--pushgateway`, with its grouping key.
    pub pushgateway: Option<Pushgateway>,
    /// Labels on every metric: `cluster` (when named) and `namespaces`.
    pub labels: Vec<(String, String)>,
}

/// How many archives of each state the folder holds after rotation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArchiveCounts {
    /// Proven good.
    pub good: u64,
    /// Broken (unreadable, corrupt, empty, counts that disagree), kept.
    pub broken: u64,
    /// Partial (their export was incomplete).
    pub partial: u64,
    /// Named suspiciously (dated in the future, or not when their manifest says): never counted.
    pub suspicious: u64,
}

/// What one export came to. `None`: not known (the run failed before it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Run {
    /// When it started, in seconds since the epoch.
    pub started: f64,
    /// How long it took, in seconds.
    pub duration: f64,
    /// Whether it wrote a complete archive.
    pub complete: bool,
    /// When an export last wrote a complete archive: this run's end when it did, else what the
    /// previous metrics said.
    pub last_success: Option<f64>,
    /// Objects in the archive written.
    pub objects: Option<u64>,
    /// Bytes of the archive written.
    pub bytes: Option<u64>,
    /// Warnings: types or lists the account may not read, discovery warnings.
    pub warnings: Option<u64>,
    /// Lists or API groups that could not be read.
    pub failed_resources: Option<u64>,
    /// Visible changes against the previous good archive, by report category.
    pub drift: Option<Vec<(&'static str, u64)>>,
    /// The archives after rotation (only when rotation ran: it reads what it keeps).
    pub archives: Option<ArchiveCounts>,
}

/// The metrics of `run` in the Prometheus text format, each labelled with `labels`.
pub fn render(run: &Run, labels: &[(String, String)]) -> String {
    let mut text = Text::new(labels);
    text.gauge(
        "driftlab_export_start_timestamp_seconds",
        "When the last export started (seconds since the epoch).",
        run.started,
    );
    text.gauge(
        "driftlab_export_duration_seconds",
        "How long the last export took.",
        run.duration,
    );
    text.gauge(
        "driftlab_export_complete",
        "1 when the last export wrote a complete archive, else 0.",
        if run.complete { 1.0 } else { 0.0 },
    );
    if let Some(at) = run.last_success {
        text.gauge(
            LAST_SUCCESS,
            "When an export last wrote a complete archive (seconds since the epoch).",
            at,
        );
    }
    let counts = [
        (
            "driftlab_export_objects",
            "Objects in the archive written.",
            run.objects,
        ),
        (
            "driftlab_export_bytes",
            "Size of the archive written.",
            run.bytes,
        ),
        (
            "driftlab_export_warnings",
            "Lists skipped as forbidden and discovery warnings of the last export.",
            run.warnings,
        ),
        (
            "driftlab_export_failed_resources",
            "Lists and API groups the last export could not read.",
            run.failed_resources,
        ),
    ];
    for (name, help, value) in counts {
        if let Some(value) = value {
            text.gauge(name, help, value as f64);
        }
    }
    if let Some(drift) = &run.drift {
        let samples: Vec<(&str, f64)> = drift.iter().map(|(c, n)| (*c, *n as f64)).collect();
        text.family(
            "driftlab_drift_changes",
            "Visible changes against the previous good archive, by report category.",
            "category",
            &samples,
        );
    }
    if let Some(a) = run.archives {
        let states = [
            ("good", a.good as f64),
            ("broken", a.broken as f64),
            ("partial", a.partial as f64),
            ("suspicious", a.suspicious as f64),
        ];
        text.family(
            "driftlab_archives",
            "Archives in the folder after rotation, by state.",
            "state",
            &states,
        );
    }
    text.finish()
}

/// The value of `driftlab_export_last_success_timestamp_seconds` in a metrics text, if it
/// holds one (the file an earlier run wrote).
pub fn last_success_in(text: &str) -> Option<f64> {
    text.lines()
        .filter(|line| {
            line.strip_prefix(LAST_SUCCESS)
                .is_some_and(|rest| rest.starts_with([' ', '{']))
        })
        .find_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .filter(|at| at.is_finite())
}

/// When an export last succeeded, as the previous metrics say: the file's first, else the
/// gateway's. A file that cannot be read (the first run) or a gateway that cannot be asked
/// knows nothing; the gateway's trouble is returned as a warning line.
pub fn previous_success(options: &MetricsOptions) -> (Option<f64>, Option<String>) {
    if let Some(at) = options
        .file
        .as_deref()
        .and_then(read_head)
        .and_then(|text| last_success_in(&text))
    {
        return (Some(at), None);
    }
    match &options.pushgateway {
        Some(gateway) => match gateway.last_success() {
            Ok(at) => (at, None),
            Err(why) => (None, Some(why)),
        },
        None => (None, None),
    }
}

/// The first MiB of the metrics file an earlier run wrote (a few KiB): whatever else may have
/// been put there is not read whole.
fn read_head(path: &Path) -> Option<String> {
    use std::io::Read as _;
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(1 << 20)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// Writes `text` to `path` atomically: a temporary file in the same folder, synced, renamed
/// over it, so that the textfile collector never reads half a file.
pub fn write_file(path: &Path, text: &str) -> Result<(), String> {
    let shown = path.display();
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".driftlab-metrics")
        .tempfile_in(dir)
        .map_err(|e| {
            format!(
                "--metrics-file {shown}: cannot write in {}: {e}",
                dir.display()
            )
        })?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| format!("--metrics-file {shown}: {e}"))?;
    // The collector runs as another user: the file is readable like any metrics file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o644));
    }
    temp.persist(path)
        .map_err(|e| format!("--metrics-file {shown}: {}", e.error))?;
    Ok(())
}

/// Writes and pushes the metrics of `run` where `options` say; returns one warning line per
/// place that failed (the run's outcome stands either way).
pub fn publish(options: &MetricsOptions, run: &Run) -> Vec<String> {
    let text = render(run, &options.labels);
    let mut trouble = Vec::new();
    if let Some(file) = &options.file
        && let Err(why) = write_file(file, &text)
    {
        trouble.push(why);
    }
    if let Some(gateway) = &options.pushgateway
        && let Err(why) = gateway.push(&text)
    {
        trouble.push(why);
    }
    trouble
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_run_says_incomplete_and_keeps_what_it_knows() {
        let run = Run {
            started: 1_796_000_000.0,
            duration: 1.5,
            last_success: Some(1_795_990_000.0),
            ..Run::default()
        };
        let text = render(&run, &[("cluster".into(), "prod \"eu\"".into())]);
        assert!(
            text.contains("driftlab_export_complete{cluster=\"prod \\\"eu\\\"\"} 0"),
            "{text}"
        );
        assert!(!text.contains("driftlab_export_objects"), "{text}");
        assert_eq!(last_success_in(&text), Some(1_795_990_000.0));
    }

    #[test]
    fn drift_and_archives_are_labelled_by_category_and_state() {
        let run = Run {
            complete: true,
            drift: Some(vec![("security", 2), ("spec", 0)]),
            archives: Some(ArchiveCounts {
                good: 7,
                ..ArchiveCounts::default()
            }),
            ..Run::default()
        };
        let text = render(&run, &[]);
        assert!(
            text.contains("driftlab_drift_changes{category=\"security\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("driftlab_archives{state=\"good\"} 7"),
            "{text}"
        );
        assert!(
            text.contains("driftlab_archives{state=\"broken\"} 0"),
            "{text}"
        );
        assert_eq!(last_success_in(&text), None);
    }

    #[test]
    fn only_the_last_success_line_is_taken() {
        let text = "driftlab_export_last_success_timestamp_seconds_x 5\n\
                    driftlab_export_last_success_timestamp_seconds{cluster=\"a b\"} 17.5\n";
        assert_eq!(last_success_in(text), Some(17.5));
        assert_eq!(
            last_success_in("driftlab_export_last_success_timestamp_seconds NaN"),
            None
        );
    }
}
