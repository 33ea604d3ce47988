//! What `driftlab install` was asked for, settled, and the checks that keep a bad value from
//! reaching a cluster as an object the API server rejects half-way through `kubectl apply`.

use crate::cluster::names::{is_dns1123_label, is_dns1123_subdomain};
use crate::error::{Error, Result};
use crate::storage::BucketUrl;

/// The longest `--name`: CronJob names may have 52 characters (the controller appends 11 to name
/// its jobs), and the other objects' names add suffixes such as `-secret-reader`.
const MAX_NAME: usize = 40;

/// Which distribution the manifests are for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// Plain Kubernetes: a reader ClusterRole of driftlab's own, and a fixed `fsGroup` so the
    /// non-root pods can write to the volume.
    Kubernetes,
    /// OpenShift: the built-in `cluster-reader` role; user and group ids are left to the
    /// `restricted-v2` security context constraint, which assigns them per namespace.
    OpenShift,
}

/// What the service account may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Everything, through cluster roles: needs a cluster admin to install.
    Cluster,
    /// Only these namespaces, through roles bound in each: a project admin can install it.
    Namespaces(Vec<String>),
}

/// How the export treats Secret objects, and so whether the account may read them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretHandling {
    /// Values hashed (`--secrets hash`).
    Hash,
    /// Values kept (`--secrets include`).
    Include,
    /// No secrets read at all (`--secrets skip`): the account is not allowed to read them.
    Skip,
}

impl SecretHandling {
    /// The value of `driftlab export --secrets`.
    pub fn flag(self) -> &'static str {
        match self {
            SecretHandling::Hash => "hash",
            SecretHandling::Include => "include",
            SecretHandling::Skip => "skip",
        }
    }
}

/// How the archive volume may be attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessMode {
    /// One node at a time, which every storage class offers: the export pod is scheduled onto the
    /// browser pod's node, so both can mount it.
    ReadWriteOnce,
    /// Any node (NFS, CephFS, EFS…), as the original template asked.
    ReadWriteMany,
}

impl AccessMode {
    /// The name Kubernetes gives it.
    pub fn name(self) -> &'static str {
        match self {
            AccessMode::ReadWriteOnce => "ReadWriteOnce",
            AccessMode::ReadWriteMany => "ReadWriteMany",
        }
    }
}

/// Where the archives go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Storage {
    /// A PersistentVolumeClaim.
    Volume {
        /// Its size, a Kubernetes quantity such as `2Gi`.
        capacity: String,
        /// Its storage class; the cluster's default when `None`.
        storage_class: Option<String>,
        /// How it may be attached.
        access_mode: AccessMode,
    },
    /// Object storage: `s3://bucket/prefix`, credentials from a Secret's entries as environment
    /// variables.
    Bucket {
        /// The `s3://` URL.
        url: String,
        /// The Secret whose entries become the export's environment (`AWS_ACCESS_KEY_ID`…);
        /// `None` when the pod gets its credentials otherwise (workload identity).
        credentials_secret: Option<String>,
    },
}

/// Where the export reports its metrics (`--metrics`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetricsSink {
    /// Nowhere.
    None,
    /// Pushed to the Pushgateway at this URL (`--metrics pushgateway=URL`).
    Pushgateway(String),
    /// Written into this directory of the node (`--metrics textfile=DIR`), node-exporter's
    /// textfile collector's, mounted as a hostPath volume.
    Textfile(String),
}

/// The alerts of the PrometheusRule (`--alerts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alerts {
    /// No successful export for this long fires, in seconds (`--alert-stale-after`).
    pub stale_after: u64,
    /// Fewer good archives than this fires (`--alert-min-archives`).
    pub min_archives: u32,
}

/// Parses a duration as Prometheus writes them, in whole minutes, hours or days: `26h`, `90m`,
/// `2d`; its length in seconds.
pub fn parse_duration(text: &str) -> Option<u64> {
    let unit = match text.chars().last()? {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    let digits = &text[..text.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<u64>()
        .ok()
        .filter(|&n| n > 0)
        .and_then(|n| n.checked_mul(unit))
}

/// Everything `driftlab install` needs, settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstallOptions {
    /// The namespace the service lives in.
    pub namespace: String,
    /// The name of the CronJob and the account; the prefix of the other objects' names.
    pub name: String,
    /// The CronJob schedule, five cron fields.
    pub schedule: String,
    /// The time zone of the schedule (an IANA name).
    pub time_zone: String,
    /// Archives older than this many days are rotated out after each complete export.
    pub retain_days: u32,
    /// The container image holding driftlab.
    pub image: String,
    /// What the export does with secrets.
    pub secrets: SecretHandling,
    /// A Secret holding the HMAC key of `--secrets hash`, mounted and passed as
    /// `--secret-key-file`.
    pub secret_key_secret: Option<String>,
    /// Which distribution.
    pub flavor: Flavor,
    /// What the account may read.
    pub scope: Scope,
    /// Where the archives go.
    pub storage: Storage,
    /// Where the export reports its metrics.
    pub metrics: MetricsSink,
    /// The PrometheusRule's alerts, when asked for.
    pub alerts: Option<Alerts>,
}

impl InstallOptions {
    /// Checks every value that ends up in an object, naming the flag of the first bad one.
    pub fn validate(&self) -> Result<()> {
        label("--namespace", &self.namespace)?;
        label("--name", &self.name)?;
        if self.name.len() > MAX_NAME {
            return Err(usage(
                "--name",
                &self.name,
                &format!("at most {MAX_NAME} characters (names of other objects add suffixes)"),
            ));
        }
        check_schedule(&self.schedule)?;
        check_time_zone(&self.time_zone)?;
        if self.image.is_empty()
            || self
                .image
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(usage("--image", &self.image, "not an image reference"));
        }
        if let Some(secret) = &self.secret_key_secret {
            subdomain("--secret-key-secret", secret)?;
            if self.secrets != SecretHandling::Hash {
                return Err(Error::Usage(
                    "--secret-key-secret: the key only serves --secrets hash".into(),
                ));
            }
        }
        if let Scope::Namespaces(namespaces) = &self.scope {
            if namespaces.is_empty() {
                return Err(Error::Usage(
                    "--target-namespaces: name at least one namespace".into(),
                ));
            }
            for namespace in namespaces {
                label("--target-namespaces", namespace)?;
            }
        }
        match &self.storage {
            Storage::Volume {
                capacity,
                storage_class,
                ..
            } => {
                check_capacity(capacity)?;
                if let Some(class) = storage_class {
                    subdomain("--storage-class", class)?;
                }
            }
            Storage::Bucket {
                url,
                credentials_secret,
            } => {
                check_bucket(url)?;
                if let Some(secret) = credentials_secret {
                    subdomain("--bucket-credentials-secret", secret)?;
                }
            }
        }
        match &self.metrics {
            MetricsSink::None => {}
            MetricsSink::Pushgateway(url) => {
                crate::metrics::Pushgateway::new(url, &self.name, &[])
                    .map_err(|why| usage("--metrics pushgateway=", url, &why))?;
            }
            MetricsSink::Textfile(dir) => {
                if !dir.starts_with('/')
                    || dir.chars().any(|c| c.is_whitespace() || c.is_control())
                    || dir.split('/').any(|part| part == "..")
                {
                    return Err(usage(
                        "--metrics textfile=",
                        dir,
                        "an absolute directory of the node, without .. or spaces",
                    ));
                }
            }
        }
        Ok(())
    }

    /// One line on what is installed, for the comment heading the YAML.
    pub fn summary(&self) -> String {
        let flavor = match self.flavor {
            Flavor::Kubernetes => "Kubernetes",
            Flavor::OpenShift => "OpenShift",
        };
        let scope = match &self.scope {
            Scope::Cluster => "every namespace".to_string(),
            Scope::Namespaces(namespaces) => format!("namespaces {}", namespaces.join(", ")),
        };
        let storage = match &self.storage {
            Storage::Volume { capacity, .. } => format!("a {capacity} volume"),
            Storage::Bucket { url, .. } => url.clone(),
        };
        let metrics = match &self.metrics {
            MetricsSink::None => String::new(),
            MetricsSink::Pushgateway(url) => format!(", metrics pushed to {url}"),
            MetricsSink::Textfile(dir) => format!(", metrics in the node's {dir} (hostPath)"),
        };
        let alerts = if self.alerts.is_some() {
            ", with alerts"
        } else {
            ""
        };
        format!(
            "{flavor}, {scope} at \"{}\" ({}) into {storage}, kept {} days, secrets {}{metrics}{alerts}",
            self.schedule,
            self.time_zone,
            self.retain_days,
            self.secrets.flag()
        )
    }
}

fn usage(flag: &str, value: &str, problem: &str) -> Error {
    Error::Usage(format!("{flag} {value:?}: {problem}"))
}

fn label(flag: &str, value: &str) -> Result<()> {
    if is_dns1123_label(value) {
        Ok(())
    } else {
        Err(usage(
            flag,
            value,
            "not a valid name (lower-case letters, digits and -, at most 63)",
        ))
    }
}

fn subdomain(flag: &str, value: &str) -> Result<()> {
    if is_dns1123_subdomain(value) {
        Ok(())
    } else {
        Err(usage(
            flag,
            value,
            "not a valid object name (lower-case letters, digits, - and .)",
        ))
    }
}

/// Five cron fields, or a macro such as `@daily`. A `TZ=` prefix is refused: the API server
/// rejects it beside `timeZone`, which `--time-zone` sets.
fn check_schedule(schedule: &str) -> Result<()> {
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    let allowed = |c: char| c.is_ascii_alphanumeric() || ",-*/?".contains(c);
    let fine = if let Some(name) = schedule.strip_prefix('@') {
        fields.len() == 1 && !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase())
    } else {
        fields.len() == 5 && fields.iter().all(|field| field.chars().all(allowed))
    };
    if fine {
        Ok(())
    } else {
        Err(usage(
            "--schedule",
            schedule,
            "not a cron schedule (five fields such as \"15 0 * * *\", or @daily; the time zone goes in --time-zone)",
        ))
    }
}

fn check_time_zone(zone: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "/_+-".contains(c);
    if !zone.is_empty() && zone.chars().all(allowed) && !zone.contains("..") {
        Ok(())
    } else {
        Err(usage(
            "--time-zone",
            zone,
            "not a time zone name (such as Etc/UTC or Europe/Berlin)",
        ))
    }
}

/// A positive Kubernetes quantity of bytes: digits, an optional fraction, an optional binary or
/// decimal suffix (`2Gi`, `500M`, `1.5Ti`).
fn check_capacity(capacity: &str) -> Result<()> {
    let number_end = capacity
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(capacity.len());
    let (number, suffix) = capacity.split_at(number_end);
    let positive = number.parse::<f64>().is_ok_and(|n| n > 0.0) && !number.ends_with('.');
    const SUFFIXES: &[&str] = &[
        "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E",
    ];
    if positive && SUFFIXES.contains(&suffix) {
        Ok(())
    } else {
        Err(usage(
            "--capacity",
            capacity,
            "not a size (a Kubernetes quantity such as 2Gi or 500Mi)",
        ))
    }
}

/// `s3://bucket` or `s3://bucket/prefix`, as export will read it.
fn check_bucket(url: &str) -> Result<()> {
    match BucketUrl::parse("--bucket", url) {
        Some(parsed) => parsed.map(|_| ()),
        None => Err(usage("--bucket", url, "not an s3://bucket/prefix URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> InstallOptions {
        InstallOptions {
            namespace: "cluster-backup".into(),
            name: "driftlab".into(),
            schedule: "15 0 * * *".into(),
            time_zone: "Etc/UTC".into(),
            retain_days: 7,
            image: "ghcr.io/driftlab/driftlab:0.1.0".into(),
            secrets: SecretHandling::Hash,
            secret_key_secret: None,
            flavor: Flavor::Kubernetes,
            scope: Scope::Cluster,
            metrics: MetricsSink::None,
            alerts: None,
            storage: Storage::Volume {
                capacity: "2Gi".into(),
                storage_class: None,
                access_mode: AccessMode::ReadWriteOnce,
            },
        }
    }

    #[test]
    fn the_defaults_are_valid() {
        options().validate().unwrap();
    }

    #[test]
    fn durations_are_whole_minutes_hours_or_days() {
        assert_eq!(parse_duration("26h"), Some(93_600));
        assert_eq!(parse_duration("90m"), Some(5_400));
        assert_eq!(parse_duration("2d"), Some(172_800));
        for bad in [
            "",
            "h",
            "26",
            "0h",
            "-1h",
            "1.5h",
            "26H",
            "1w",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn schedules() {
        for good in ["15 0 * * *", "*/5 * * * *", "0 1 * * MON-FRI", "@daily"] {
            check_schedule(good).unwrap();
        }
        for bad in [
            "",
            "15 0 * *",
            "TZ=UTC 15 0 * * *",
            "15 0 * * * *",
            "@",
            "@Daily",
            "1;2 * * * *",
        ] {
            assert!(check_schedule(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn capacities() {
        for good in ["2Gi", "500Mi", "1.5Ti", "1000000", "10G"] {
            check_capacity(good).unwrap();
        }
        for bad in ["", "0", "Gi", "2GB", "-1Gi", "2 Gi", "1.Gi"] {
            assert!(check_capacity(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn buckets() {
        for good in ["s3://backups", "s3://my.backups/cluster/prod", "s3://abc/"] {
            check_bucket(good).unwrap();
        }
        for bad in [
            "backups",
            "s3://",
            "s3://ab",
            "s3://Backups",
            "s3://b-/x",
            "s3://abc/a b",
        ] {
            assert!(check_bucket(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_values_name_their_flag() {
        let cases: Vec<(InstallOptions, &str)> = vec![
            (
                InstallOptions {
                    namespace: "Backup".into(),
                    ..options()
                },
                "--namespace",
            ),
            (
                InstallOptions {
                    name: "d".repeat(41),
                    ..options()
                },
                "--name",
            ),
            (
                InstallOptions {
                    secrets: SecretHandling::Skip,
                    secret_key_secret: Some("key".into()),
                    ..options()
                },
                "--secret-key-secret",
            ),
            (
                InstallOptions {
                    scope: Scope::Namespaces(vec!["shop".into(), "a_b".into()]),
                    ..options()
                },
                "--target-namespaces",
            ),
            (
                InstallOptions {
                    time_zone: "../etc/passwd".into(),
                    ..options()
                },
                "--time-zone",
            ),
            (
                InstallOptions {
                    image: "a b".into(),
                    ..options()
                },
                "--image",
            ),
        ];
        for (options, flag) in cases {
            let message = options.validate().unwrap_err().to_string();
            assert!(message.starts_with(flag), "{message}");
        }
    }
}
