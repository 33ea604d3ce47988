//! What runs: the archive volume, the nightly CronJob, and the archive browser (the original
//! template's spare pod, from which archives are fetched with `kubectl cp`).
//!
//! Every container runs as the `restricted` Pod Security Standard and OpenShift's
//! `restricted-v2` require: not as root, no privilege escalation, no capabilities, the runtime's
//! seccomp profile, and a read-only root file system; no user id is fixed, so OpenShift can assign
//! one from the namespace's range. Only the export pod mounts the account's token.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, Container, EmptyDirVolumeSource, EnvFromSource, HostPathVolumeSource,
    KeyToPath, PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource,
    PodAffinity, PodAffinityTerm, PodSecurityContext, PodSpec, PodTemplateSpec,
    ResourceRequirements, SeccompProfile, SecretEnvSource, SecretVolumeSource, SecurityContext,
    Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::{
    ARCHIVE_DIR, AccessMode, Flavor, InstallOptions, METRICS_DIR, Manifest, MetricsSink,
    SECRET_KEY_DIR, SECRET_KEY_ENTRY, Scope, Storage, labels, metadata,
};
use crate::error::Result;

/// The group of the distroless `nonroot` user the image runs as. On Kubernetes the pods take it
/// as `fsGroup`, so that the volume, which provisioners hand over owned by root, is writable by
/// the non-root export. OpenShift assigns its own and refuses a fixed one.
pub const KUBERNETES_FS_GROUP: i64 = 65532;

/// How long one export may run before it is stopped: with `concurrencyPolicy: Forbid` a hung
/// export would otherwise hold off every later night.
const EXPORT_DEADLINE_SECONDS: i64 = 3 * 3600;

/// How late a missed night may still start (the controller was down at 00:15, say); after that
/// it waits for the next night instead of running in the middle of the day.
const STARTING_DEADLINE_SECONDS: i64 = 3600;

/// Scratch space for the export (the root file system is read-only).
const TMP_DIR: &str = "/tmp";

/// The volume, the CronJob and the browser of `options`.
pub fn manifests(options: &InstallOptions) -> Result<Vec<Manifest>> {
    let mut out = Vec::new();
    if let Storage::Volume { .. } = options.storage {
        let claim = claim(options);
        out.push(Manifest::of(&claim)?);
    }
    let cron_job = cron_job(options);
    out.push(Manifest::of(&cron_job)?);
    // With a bucket there is no volume to keep mounted: archives are fetched from the bucket.
    if let Storage::Volume { .. } = options.storage {
        let browser = browser(options);
        out.push(Manifest::of(&browser)?);
    }
    Ok(out)
}

/// The name of the archive volume's claim (and of the volume in the pods).
fn claim_name(options: &InstallOptions) -> String {
    format!("{}-archives", options.name)
}

/// The name of the browser Deployment.
pub fn browser_name(options: &InstallOptions) -> String {
    format!("{}-browser", options.name)
}

fn claim(options: &InstallOptions) -> PersistentVolumeClaim {
    let Storage::Volume {
        capacity,
        storage_class,
        access_mode,
    } = &options.storage
    else {
        unreachable!("a claim only for a volume");
    };
    PersistentVolumeClaim {
        metadata: metadata(
            options,
            Some(&options.namespace),
            &claim_name(options),
            Some("archives"),
        ),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec![access_mode.name().to_string()]),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([(
                    "storage".to_string(),
                    Quantity(capacity.clone()),
                )])),
                ..VolumeResourceRequirements::default()
            }),
            storage_class_name: storage_class.clone(),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }
}

/// The command line of the nightly export, as the CronJob's container runs it.
pub fn export_command(options: &InstallOptions) -> Vec<String> {
    let mut args: Vec<String> = vec!["driftlab".into(), "export".into()];
    match &options.scope {
        Scope::Cluster => args.push("--all-namespaces".into()),
        Scope::Namespaces(namespaces) => {
            for namespace in namespaces {
                args.extend(["--namespace".into(), namespace.clone()]);
            }
            // The account may read nothing cluster-scoped: asking would only log refusals.
            args.push("--no-cluster-scoped".into());
        }
    }
    let output = match &options.storage {
        Storage::Volume { .. } => ARCHIVE_DIR.to_string(),
        Storage::Bucket { url, .. } => url.clone(),
    };
    args.extend(["--output-dir".into(), output]);
    args.extend(["--retain-days".into(), options.retain_days.to_string()]);
    args.extend(["--secrets".into(), options.secrets.flag().into()]);
    if options.secret_key_secret.is_some() {
        args.extend([
            "--secret-key-file".into(),
            format!("{SECRET_KEY_DIR}/{SECRET_KEY_ENTRY}"),
        ]);
    }
    match &options.metrics {
        MetricsSink::None => {}
        MetricsSink::Pushgateway(url) => {
            // The job label is the install's name: two services on one gateway stay apart.
            args.extend(["--pushgateway".into(), url.clone()]);
            args.extend(["--metrics-job".into(), options.name.clone()]);
        }
        MetricsSink::Textfile(_) => {
            args.extend([
                "--metrics-file".into(),
                format!("{METRICS_DIR}/{}.prom", options.name),
            ]);
        }
    }
    args.push("--quiet".into());
    args
}

/// The command line of the browser's container: it waits to be stopped, so the volume stays
/// mounted for `kubectl cp` and `kubectl exec`.
pub fn browser_command() -> Vec<String> {
    vec!["driftlab".into(), "idle".into()]
}

fn cron_job(options: &InstallOptions) -> CronJob {
    let pod_labels = labels(options, Some("export"));
    let container = Container {
        volume_mounts: Some(export_mounts(options)),
        env_from: match &options.storage {
            Storage::Bucket {
                credentials_secret: Some(secret),
                ..
            } => Some(vec![EnvFromSource {
                secret_ref: Some(SecretEnvSource {
                    name: secret.clone(),
                    optional: Some(false),
                }),
                ..EnvFromSource::default()
            }]),
            _ => None,
        },
        ..container(
            "export",
            options,
            export_command(options),
            ("100m", "256Mi"),
            ("1", "1Gi"),
        )
    };
    let pod = PodSpec {
        service_account_name: Some(options.name.clone()),
        automount_service_account_token: Some(true),
        // A failed export is retried in a new pod (backoffLimit), keeping the failed one's log.
        restart_policy: Some("Never".into()),
        volumes: Some(export_volumes(options)),
        affinity: beside_the_browser(options),
        containers: vec![container],
        ..pod_spec(options)
    };
    CronJob {
        metadata: metadata(
            options,
            Some(&options.namespace),
            &options.name,
            Some("export"),
        ),
        spec: CronJobSpec {
            schedule: options.schedule.clone(),
            time_zone: Some(options.time_zone.clone()),
            concurrency_policy: Some("Forbid".into()),
            starting_deadline_seconds: Some(STARTING_DEADLINE_SECONDS),
            successful_jobs_history_limit: Some(3),
            failed_jobs_history_limit: Some(3),
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels.clone()),
                    ..ObjectMeta::default()
                }),
                spec: Some(JobSpec {
                    backoff_limit: Some(2),
                    active_deadline_seconds: Some(EXPORT_DEADLINE_SECONDS),
                    template: PodTemplateSpec {
                        metadata: Some(ObjectMeta {
                            labels: Some(pod_labels),
                            ..ObjectMeta::default()
                        }),
                        spec: Some(pod),
                    },
                    ..JobSpec::default()
                }),
            },
            ..CronJobSpec::default()
        },
        ..CronJob::default()
    }
}

/// With a ReadWriteOnce volume, the export pod must run on the node the browser pod holds the
/// volume on; ReadWriteMany volumes and buckets need no placement.
fn beside_the_browser(options: &InstallOptions) -> Option<Affinity> {
    let Storage::Volume {
        access_mode: AccessMode::ReadWriteOnce,
        ..
    } = options.storage
    else {
        return None;
    };
    Some(Affinity {
        pod_affinity: Some(PodAffinity {
            required_during_scheduling_ignored_during_execution: Some(vec![PodAffinityTerm {
                label_selector: Some(LabelSelector {
                    match_labels: Some(labels(options, Some("browser"))),
                    ..LabelSelector::default()
                }),
                topology_key: "kubernetes.io/hostname".into(),
                ..PodAffinityTerm::default()
            }]),
            ..PodAffinity::default()
        }),
        ..Affinity::default()
    })
}

fn export_mounts(options: &InstallOptions) -> Vec<VolumeMount> {
    let mut mounts = vec![mount("tmp", TMP_DIR, false)];
    if let Storage::Volume { .. } = options.storage {
        mounts.push(mount("archives", ARCHIVE_DIR, false));
    }
    if options.secret_key_secret.is_some() {
        mounts.push(mount("secret-key", SECRET_KEY_DIR, true));
    }
    if let MetricsSink::Textfile(_) = options.metrics {
        mounts.push(mount("metrics", METRICS_DIR, false));
    }
    mounts
}

fn export_volumes(options: &InstallOptions) -> Vec<Volume> {
    // With a bucket the whole archive is staged here before its upload: room for a large
    // cluster's archive (a 50,000-object archive is tens of MiB).
    let scratch = match options.storage {
        Storage::Volume { .. } => "256Mi",
        Storage::Bucket { .. } => "2Gi",
    };
    let mut volumes = vec![Volume {
        name: "tmp".into(),
        empty_dir: Some(EmptyDirVolumeSource {
            size_limit: Some(Quantity(scratch.into())),
            ..EmptyDirVolumeSource::default()
        }),
        ..Volume::default()
    }];
    if let Storage::Volume { .. } = options.storage {
        volumes.push(archive_volume(options, false));
    }
    if let Some(secret) = &options.secret_key_secret {
        volumes.push(Volume {
            name: "secret-key".into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret.clone()),
                items: Some(vec![KeyToPath {
                    key: SECRET_KEY_ENTRY.into(),
                    path: SECRET_KEY_ENTRY.into(),
                    ..KeyToPath::default()
                }]),
                // Readable by the pod's group only (fsGroup, set on both flavors).
                default_mode: Some(0o440),
                optional: Some(false),
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        });
    }
    if let MetricsSink::Textfile(dir) = &options.metrics {
        // node-exporter's textfile directory on the node; it must exist (type Directory) and
        // be writable by the pod's user: fsGroup does not apply to hostPath volumes.
        volumes.push(Volume {
            name: "metrics".into(),
            host_path: Some(HostPathVolumeSource {
                path: dir.clone(),
                type_: Some("Directory".into()),
            }),
            ..Volume::default()
        });
    }
    volumes
}

fn archive_volume(options: &InstallOptions, read_only: bool) -> Volume {
    Volume {
        name: "archives".into(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
            claim_name: claim_name(options),
            read_only: read_only.then_some(true),
        }),
        ..Volume::default()
    }
}

fn mount(volume: &str, path: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        name: volume.into(),
        mount_path: path.into(),
        read_only: read_only.then_some(true),
        ..VolumeMount::default()
    }
}

/// The archive browser: the volume mounted read-only, no token, a process that waits.
fn browser(options: &InstallOptions) -> Deployment {
    let pod_labels = labels(options, Some("browser"));
    let container = Container {
        volume_mounts: Some(vec![mount("archives", ARCHIVE_DIR, true)]),
        // Room for `kubectl exec … driftlab check` or `history` over the archives.
        ..container(
            "browser",
            options,
            browser_command(),
            ("10m", "32Mi"),
            ("500m", "512Mi"),
        )
    };
    Deployment {
        metadata: metadata(
            options,
            Some(&options.namespace),
            &browser_name(options),
            Some("browser"),
        ),
        spec: DeploymentSpec {
            replicas: Some(1),
            selector: LabelSelector {
                match_labels: Some(pod_labels.clone()),
                ..LabelSelector::default()
            },
            // A ReadWriteOnce volume cannot be held by the old and the new pod on two nodes.
            strategy: Some(DeploymentStrategy {
                type_: Some("Recreate".into()),
                ..DeploymentStrategy::default()
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(pod_labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    automount_service_account_token: Some(false),
                    volumes: Some(vec![archive_volume(options, true)]),
                    containers: vec![container],
                    ..pod_spec(options)
                }),
            },
            ..DeploymentSpec::default()
        },
        ..Deployment::default()
    }
}

/// What every pod of the service shares: its security context and no service links (the
/// export needs no environment variables naming the namespace's services).
fn pod_spec(options: &InstallOptions) -> PodSpec {
    PodSpec {
        enable_service_links: Some(false),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            seccomp_profile: Some(runtime_default()),
            fs_group: match options.flavor {
                Flavor::Kubernetes => Some(KUBERNETES_FS_GROUP),
                Flavor::OpenShift => None,
            },
            fs_group_change_policy: match options.flavor {
                // Only walk the volume to fix ownership when its root is not already right.
                Flavor::Kubernetes => Some("OnRootMismatch".into()),
                Flavor::OpenShift => None,
            },
            ..PodSecurityContext::default()
        }),
        ..PodSpec::default()
    }
}

/// A container of the image running `command`, with `(cpu, memory)` requests and limits.
fn container(
    name: &str,
    options: &InstallOptions,
    command: Vec<String>,
    requests: (&str, &str),
    limits: (&str, &str),
) -> Container {
    let amounts = |(cpu, memory): (&str, &str)| {
        BTreeMap::from([
            ("cpu".to_string(), Quantity(cpu.into())),
            ("memory".to_string(), Quantity(memory.into())),
        ])
    };
    let (program, args) = command.split_first().expect("a command");
    Container {
        name: name.into(),
        image: Some(options.image.clone()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(vec![program.clone()]),
        args: Some(args.to_vec()),
        resources: Some(ResourceRequirements {
            requests: Some(amounts(requests)),
            limits: Some(amounts(limits)),
            ..ResourceRequirements::default()
        }),
        security_context: Some(SecurityContext {
            run_as_non_root: Some(true),
            read_only_root_filesystem: Some(true),
            allow_privilege_escalation: Some(false),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".into()]),
                ..Capabilities::default()
            }),
            seccomp_profile: Some(runtime_default()),
            ..SecurityContext::default()
        }),
        ..Container::default()
    }
}

fn runtime_default() -> SeccompProfile {
    SeccompProfile {
        type_: "RuntimeDefault".into(),
        ..SeccompProfile::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::install::SecretHandling;

    fn options(scope: Scope, secrets: SecretHandling) -> InstallOptions {
        InstallOptions {
            namespace: "cluster-backup".into(),
            name: "driftlab".into(),
            schedule: "15 0 * * *".into(),
            time_zone: "Etc/UTC".into(),
            retain_days: 7,
            image: "img".into(),
            secrets,
            secret_key_secret: None,
            flavor: Flavor::Kubernetes,
            scope,
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
    fn export_reads_every_namespace_or_the_targets() {
        let all = export_command(&options(Scope::Cluster, SecretHandling::Hash));
        assert_eq!(
            all.join(" "),
            "driftlab export --all-namespaces --output-dir /backups --retain-days 7 --secrets hash --quiet"
        );
        let some = export_command(&options(
            Scope::Namespaces(vec!["a".into(), "b".into()]),
            SecretHandling::Skip,
        ));
        assert_eq!(
            some.join(" "),
            "driftlab export --namespace a --namespace b --no-cluster-scoped --output-dir /backups --retain-days 7 --secrets skip --quiet"
        );
    }
}
