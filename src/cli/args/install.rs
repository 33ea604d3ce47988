//! The arguments of `driftlab install`.

use clap::{Args, ValueEnum};

use super::SecretsChoice;

pub(super) const INSTALL_AFTER_HELP: &str = "\
Examples:
  driftlab install | kubectl apply -f -
  driftlab install --flavor openshift --secret-key-secret driftlab-key | oc apply -f -
  driftlab install --namespace shop-backup --target-namespaces shop,shop-db | kubectl apply -f -
  driftlab install --bucket s3://backups/prod --bucket-credentials-secret s3-creds --output-dir deploy/
  driftlab install --metrics pushgateway=http://pushgateway.monitoring:9091 --alerts | kubectl apply -f -
  kubectl create job --from=cronjob/driftlab manual-1 -n cluster-backup";

/// Which distribution `driftlab install` writes manifests for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FlavorChoice {
    /// A reader ClusterRole of driftlab's own; the pods' group fixed so they can write the volume.
    Kubernetes,
    /// The built-in cluster-reader role; ids left to the restricted-v2 SCC.
    Openshift,
}

/// How the archive volume may be attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AccessModeChoice {
    /// Any storage class offers it; the export pod then runs on the browser pod's node.
    #[value(name = "ReadWriteOnce", alias = "rwo")]
    ReadWriteOnce,
    /// Shared storage (NFS, CephFS, EFS…), as the original template asked.
    #[value(name = "ReadWriteMany", alias = "rwx")]
    ReadWriteMany,
}

/// `driftlab install`.
#[derive(Debug, Args)]
pub struct InstallArgs {
    /// The namespace the service runs in (created unless --target-namespaces is given).
    #[arg(
        short = 'n',
        long,
        value_name = "NAMESPACE",
        default_value = "cluster-backup"
    )]
    pub namespace: String,

    /// The name of the CronJob and its account, and the prefix of the other objects' names
    /// (cluster roles too: unique in the cluster).
    #[arg(long, value_name = "NAME", default_value = "driftlab")]
    pub name: String,

    /// When to export, as a cron schedule.
    #[arg(long, value_name = "CRON", default_value = "15 0 * * *")]
    pub schedule: String,

    /// The time zone of the schedule (archive names are stamped in UTC).
    #[arg(long, value_name = "ZONE", default_value = "Etc/UTC")]
    pub time_zone: String,

    /// Delete archives older than this many days after each complete export.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub retain_days: u32,

    /// The size of the archive volume.
    #[arg(long, value_name = "SIZE", default_value = "2Gi")]
    pub capacity: String,

    /// The storage class of the archive volume (default: the cluster's default class).
    #[arg(long, value_name = "CLASS")]
    pub storage_class: Option<String>,

    /// How the archive volume may be attached.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = AccessModeChoice::ReadWriteOnce)]
    pub access_mode: AccessModeChoice,

    /// The container image holding driftlab (its user must be a numeric non-root id).
    #[arg(long, value_name = "IMAGE", default_value = crate::install::DEFAULT_IMAGE)]
    pub image: String,

    /// What the export does with secret values (skip: the account may not read secrets at all).
    #[arg(long, value_enum, default_value_t = SecretsChoice::Hash)]
    pub secrets: SecretsChoice,

    /// A Secret whose entry `key` is the HMAC key of hashed secret values: mounted read-only and
    /// passed as --secret-key-file.
    #[arg(long, value_name = "SECRET")]
    pub secret_key_secret: Option<String>,

    /// The distribution.
    #[arg(long, value_enum, default_value_t = FlavorChoice::Kubernetes)]
    pub flavor: FlavorChoice,

    /// Back up only these namespaces, with roles bound in each (no cluster roles: a project
    /// admin can install it); comma-separated or repeated.
    #[arg(long, value_name = "NS,NS", value_delimiter = ',')]
    pub target_namespaces: Vec<String>,

    /// Write archives to object storage (s3://bucket/prefix) instead of a volume; the export
    /// reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL from the
    /// credentials Secret, or uses the pod's cloud identity.
    #[arg(long, value_name = "URL", conflicts_with_all = ["capacity", "storage_class", "access_mode"])]
    pub bucket: Option<String>,

    /// A Secret whose entries become the export's environment (AWS_ACCESS_KEY_ID, …).
    #[arg(long, value_name = "SECRET", requires = "bucket")]
    pub bucket_credentials_secret: Option<String>,

    /// Where the export reports its metrics: 'pushgateway=URL' (pushed after every run, the
    /// job label being --name), or 'textfile=DIR' (a directory of the node that
    /// node-exporter's textfile collector reads, mounted as a hostPath volume: the namespace's
    /// Pod Security enforcement becomes 'privileged', and DIR must exist and be writable by the
    /// pod's user), or 'textfile' for /var/lib/node_exporter/textfile_collector.
    #[arg(long, value_name = "SINK")]
    pub metrics: Option<String>,

    /// Add a PrometheusRule (monitoring.coreos.com/v1, the Prometheus Operator's) alerting on
    /// a stale or incomplete export, security drift, and too few good archives.
    #[arg(long)]
    pub alerts: bool,

    /// With --alerts: how long without a complete archive before the staleness alert fires
    /// (e.g. 26h, 90m, 2d).
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "26h",
        requires = "alerts"
    )]
    pub alert_stale_after: String,

    /// With --alerts: fewer good archives than this after rotation fires an alert (default:
    /// --retain-days, one archive a day).
    #[arg(long, value_name = "N", requires = "alerts")]
    pub alert_min_archives: Option<u32>,

    /// Write one file per object into this new (or empty) directory instead of printing them.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<std::path::PathBuf>,
}
