//! `driftlab install`'s manifests, for every flavor and mode: each parses into its typed
//! k8s-openapi struct with nothing left over, the CronJob runs a command line driftlab's own parser
//! accepts, no role can write, `--secrets skip` grants no secret, and every container runs
//! restricted.

mod common;

use std::collections::BTreeSet;

use clap::Parser;
use driftlab::cli::args::{Cli, Command, SecretsChoice};
use driftlab::cli::config;
use driftlab::install::{self, InstallOptions, Scope, SecretHandling, Storage};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::{
    Container, Namespace, PersistentVolumeClaim, PodSpec, ServiceAccount,
};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The options `driftlab install ARGS` settles on, through the real parser and settling.
fn options(args: &[String]) -> InstallOptions {
    let argv = ["driftlab", "install"]
        .into_iter()
        .map(String::from)
        .chain(args.iter().cloned());
    let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let Command::Install(install) = cli.command else {
        panic!("not install");
    };
    config::install_command(install)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
        .options
}

/// Every combination of flavor, scope, storage, secrets mode and key.
fn combinations() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let storages: [&[&str]; 3] = [
        &[],
        &[
            "--access-mode",
            "ReadWriteMany",
            "--storage-class",
            "fast",
            "--capacity",
            "10Gi",
        ],
        &[
            "--bucket",
            "s3://backups/prod",
            "--bucket-credentials-secret",
            "s3-creds",
        ],
    ];
    for flavor in ["kubernetes", "openshift"] {
        for scope in [None, Some("shop,shop-db")] {
            for storage in storages {
                for secrets in ["hash", "include", "skip"] {
                    for key in [false, true] {
                        if key && secrets != "hash" {
                            continue;
                        }
                        let mut args = vec!["--flavor", flavor, "--secrets", secrets];
                        if let Some(targets) = scope {
                            args.extend(["--target-namespaces", targets]);
                        }
                        args.extend(storage);
                        if key {
                            args.extend(["--secret-key-secret", "driftlab-key"]);
                        }
                        out.push(args.into_iter().map(String::from).collect());
                    }
                }
            }
        }
    }
    out
}

/// The typed objects of one install, read back from the YAML it prints.
#[derive(Default)]
struct Objects {
    namespaces: Vec<Namespace>,
    accounts: Vec<ServiceAccount>,
    cluster_roles: Vec<ClusterRole>,
    cluster_bindings: Vec<ClusterRoleBinding>,
    roles: Vec<Role>,
    bindings: Vec<RoleBinding>,
    claims: Vec<PersistentVolumeClaim>,
    cron_jobs: Vec<CronJob>,
    deployments: Vec<Deployment>,
    /// PrometheusRules (no k8s-openapi type: kept as JSON).
    prometheus_rules: Vec<Value>,
}

/// Parses `doc` into `T` and back: a field `T` does not know would be dropped on the way, so the
/// JSON must come back unchanged (k8s-openapi ignores unknown fields instead of refusing them).
fn typed<T: DeserializeOwned + Serialize>(doc: &Value) -> T {
    round_trip(doc).unwrap_or_else(|problem| panic!("{problem}\n{doc:#}"))
}

fn round_trip<T: DeserializeOwned + Serialize>(doc: &Value) -> Result<T, String> {
    let object: T =
        serde_json::from_value(doc.clone()).map_err(|e| format!("does not parse: {e}"))?;
    let back = serde_json::to_value(&object).map_err(|e| e.to_string())?;
    if &back != doc {
        return Err(format!(
            "fields its type does not know, or changed on the way:\n{back:#}"
        ));
    }
    Ok(object)
}

#[test]
fn the_round_trip_catches_a_misspelt_field() {
    let options = options(&[]);
    let manifests = install::manifests(&options).unwrap();
    let cron = manifests.iter().find(|m| m.kind == "CronJob").unwrap();
    let mut doc: Value = serde_saphyr::from_str(&cron.yaml).unwrap();
    round_trip::<CronJob>(&doc).unwrap();
    doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["readOnlyRootFileSystem"] =
        Value::Bool(true);
    assert!(round_trip::<CronJob>(&doc).is_err());
}

fn objects(options: &InstallOptions) -> Objects {
    let manifests = install::manifests(options).unwrap();
    let text = install::render(options, &manifests);
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text).expect("the output is YAML");
    assert_eq!(docs.len(), manifests.len(), "one document per object");
    let mut objects = Objects::default();
    for doc in &docs {
        match (doc["apiVersion"].as_str(), doc["kind"].as_str()) {
            (Some("v1"), Some("Namespace")) => objects.namespaces.push(typed(doc)),
            (Some("v1"), Some("ServiceAccount")) => objects.accounts.push(typed(doc)),
            (Some("v1"), Some("PersistentVolumeClaim")) => objects.claims.push(typed(doc)),
            (Some("rbac.authorization.k8s.io/v1"), Some("ClusterRole")) => {
                objects.cluster_roles.push(typed(doc))
            }
            (Some("rbac.authorization.k8s.io/v1"), Some("ClusterRoleBinding")) => {
                objects.cluster_bindings.push(typed(doc))
            }
            (Some("rbac.authorization.k8s.io/v1"), Some("Role")) => objects.roles.push(typed(doc)),
            (Some("rbac.authorization.k8s.io/v1"), Some("RoleBinding")) => {
                objects.bindings.push(typed(doc))
            }
            (Some("batch/v1"), Some("CronJob")) => objects.cron_jobs.push(typed(doc)),
            (Some("apps/v1"), Some("Deployment")) => objects.deployments.push(typed(doc)),
            (Some("monitoring.coreos.com/v1"), Some("PrometheusRule")) => {
                objects.prometheus_rules.push(doc.clone())
            }
            other => panic!("unexpected object {other:?}"),
        }
    }
    objects
}

impl Objects {
    fn rules(&self) -> Vec<&PolicyRule> {
        let cluster = self
            .cluster_roles
            .iter()
            .flat_map(|r| r.rules.iter().flatten());
        let namespaced = self.roles.iter().flat_map(|r| r.rules.iter().flatten());
        cluster.chain(namespaced).collect()
    }

    /// The role names bindings point at.
    fn bound_roles(&self) -> Vec<(String, String)> {
        let cluster = self.cluster_bindings.iter().map(|b| &b.role_ref);
        let namespaced = self.bindings.iter().map(|b| &b.role_ref);
        cluster
            .chain(namespaced)
            .map(|r| (r.kind.clone(), r.name.clone()))
            .collect()
    }

    fn pods(&self) -> Vec<(&str, &PodSpec)> {
        let export = self.cron_jobs.iter().map(|c| {
            let job = c.spec.job_template.spec.as_ref().unwrap();
            ("export", job.template.spec.as_ref().unwrap())
        });
        let browser = self
            .deployments
            .iter()
            .map(|d| ("browser", d.spec.template.spec.as_ref().unwrap()));
        export.chain(browser).collect()
    }

    fn export_container(&self) -> &Container {
        assert_eq!(self.cron_jobs.len(), 1);
        &self.pods()[0].1.containers[0]
    }
}

fn argv(container: &Container) -> Vec<String> {
    let mut argv = container.command.clone().unwrap();
    argv.extend(container.args.clone().unwrap_or_default());
    argv
}

#[test]
fn every_manifest_parses_into_its_type_with_no_unknown_field() {
    for args in combinations() {
        let objects = objects(&options(&args));
        assert_eq!(objects.accounts.len(), 1, "{args:?}");
        assert_eq!(objects.cron_jobs.len(), 1, "{args:?}");
    }
}

#[test]
fn the_cron_job_runs_a_command_line_driftlab_accepts() {
    for args in combinations() {
        let options = options(&args);
        let objects = objects(&options);
        let container = objects.export_container();
        let cli = Cli::try_parse_from(argv(container))
            .unwrap_or_else(|e| panic!("{args:?}: the CronJob's command line: {e}"));
        let Command::Export(export) = cli.command else {
            panic!("{args:?}: the CronJob does not export");
        };
        assert!(export.quiet);
        assert_eq!(export.retain_days, Some(7));
        let secrets = match options.secrets {
            SecretHandling::Hash => SecretsChoice::Hash,
            SecretHandling::Include => SecretsChoice::Include,
            SecretHandling::Skip => SecretsChoice::Skip,
        };
        assert_eq!(export.secrets, secrets, "{args:?}");
        match &options.scope {
            Scope::Cluster => assert!(export.all_namespaces && export.namespaces.is_empty()),
            Scope::Namespaces(targets) => {
                assert!(!export.all_namespaces && export.no_cluster_scoped);
                assert_eq!(&export.namespaces, targets);
            }
        }
        let mounts = container.volume_mounts.clone().unwrap_or_default();
        let mounted = |path: &str| mounts.iter().find(|m| path.starts_with(&m.mount_path));
        match &options.storage {
            Storage::Volume { .. } => {
                let mount = mounted(&export.output_dir.to_string_lossy()).expect("a volume");
                assert_ne!(mount.read_only, Some(true));
                let pod = objects.pods()[0].1;
                let volume = pod.volumes.iter().flatten().find(|v| v.name == mount.name);
                let claim = volume.unwrap().persistent_volume_claim.as_ref().unwrap();
                assert_eq!(
                    Some(&claim.claim_name),
                    objects.claims[0].metadata.name.as_ref()
                );
            }
            Storage::Bucket { url, .. } => assert_eq!(export.output_dir.to_string_lossy(), *url),
        }
        match &options.secret_key_secret {
            None => assert_eq!(export.secret_key_file, None),
            Some(secret) => {
                let file = export.secret_key_file.expect("--secret-key-file");
                let mount = mounted(&file.to_string_lossy()).expect("the key is mounted");
                assert_eq!(mount.read_only, Some(true));
                let pod = objects.pods()[0].1;
                let volume = pod.volumes.iter().flatten().find(|v| v.name == mount.name);
                let source = volume.unwrap().secret.as_ref().unwrap();
                assert_eq!(source.secret_name.as_ref(), Some(secret));
                let item = &source.items.as_ref().unwrap()[0];
                assert_eq!(
                    file,
                    std::path::Path::new(&mount.mount_path).join(&item.path)
                );
            }
        }
    }
}

#[test]
fn the_browser_runs_a_command_driftlab_accepts() {
    let objects = objects(&options(&[]));
    let pod = objects.pods()[1].1;
    let cli = Cli::try_parse_from(argv(&pod.containers[0])).unwrap();
    assert!(matches!(cli.command, Command::Idle));
}

/// Verbs that change something, or lend more rights than reading.
const WRITE_VERBS: &[&str] = &[
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "escalate",
    "bind",
    "impersonate",
    "approve",
    "sign",
    "use",
    "*",
];

#[test]
fn no_role_holds_a_write_verb() {
    for args in combinations() {
        let objects = objects(&options(&args));
        let rules = objects.rules();
        assert!(
            !rules.is_empty() || args.contains(&"openshift".to_string()),
            "{args:?}"
        );
        for rule in rules {
            for verb in &rule.verbs {
                assert!(
                    ["get", "list", "watch"].contains(&verb.as_str()),
                    "{args:?}: verb {verb:?} in {rule:?}"
                );
                assert!(!WRITE_VERBS.contains(&verb.as_str()));
            }
            assert_eq!(rule.non_resource_urls, None);
        }
        // Bindings point at the roles emitted here or at the built-in read-only ones.
        let own: BTreeSet<String> = objects
            .cluster_roles
            .iter()
            .filter_map(|r| r.metadata.name.clone())
            .chain(objects.roles.iter().filter_map(|r| r.metadata.name.clone()))
            .collect();
        for (kind, name) in objects.bound_roles() {
            let built_in = kind == "ClusterRole" && (name == "view" || name == "cluster-reader");
            assert!(
                built_in || own.contains(&name),
                "{args:?}: bound to {kind} {name}"
            );
        }
        // The aggregated reader takes in only read roles: its own and those labelled for `view`.
        for role in &objects.cluster_roles {
            if let Some(rule) = &role.aggregation_rule {
                let labels: BTreeSet<String> = rule
                    .cluster_role_selectors
                    .iter()
                    .flatten()
                    .flat_map(|s| s.match_labels.clone().unwrap_or_default().into_keys())
                    .collect();
                let expected = BTreeSet::from([
                    install::rbac::AGGREGATE_TO_READER.to_string(),
                    "rbac.authorization.k8s.io/aggregate-to-view".to_string(),
                ]);
                assert_eq!(labels, expected);
            }
        }
    }
}

/// Whether a rule lets its holder read secrets.
fn grants_secrets(rule: &PolicyRule) -> bool {
    let core = rule
        .api_groups
        .iter()
        .flatten()
        .any(|g| g.is_empty() || g == "*");
    core && rule
        .resources
        .iter()
        .flatten()
        .any(|r| r == "*" || r == "secrets" || r.starts_with("secrets/"))
}

#[test]
fn secrets_are_granted_unless_skipped_and_only_by_the_secret_reader() {
    for args in combinations() {
        let options = options(&args);
        let objects = objects(&options);
        let secret_rules = objects
            .rules()
            .into_iter()
            .filter(|r| grants_secrets(r))
            .count();
        let bound_secret_readers = objects
            .bound_roles()
            .iter()
            .filter(|(_, name)| name.ends_with("-secret-reader"))
            .count();
        let places = match &options.scope {
            Scope::Cluster => 1,
            Scope::Namespaces(targets) => targets.len(),
        };
        if options.secrets == SecretHandling::Skip {
            assert_eq!(secret_rules, 0, "{args:?}: --secrets skip grants secrets");
            assert_eq!(bound_secret_readers, 0, "{args:?}");
        } else {
            assert_eq!(secret_rules, places, "{args:?}");
            assert_eq!(bound_secret_readers, places, "{args:?}");
        }
    }
}

#[test]
fn every_container_runs_restricted_with_requests_and_limits() {
    for args in combinations() {
        let options = options(&args);
        let objects = objects(&options);
        assert_eq!(
            objects.accounts[0].automount_service_account_token,
            Some(false)
        );
        for (role, pod) in objects.pods() {
            let token = pod.automount_service_account_token;
            assert_eq!(token, Some(role == "export"), "{args:?}: {role} token");
            let context = pod.security_context.as_ref().unwrap();
            assert_eq!(context.run_as_non_root, Some(true));
            assert_eq!(context.run_as_user, None, "no fixed user id");
            assert_eq!(context.run_as_group, None);
            let openshift = options.flavor == install::Flavor::OpenShift;
            assert_eq!(context.fs_group.is_none(), openshift, "{args:?}: fsGroup");
            let seccomp = context.seccomp_profile.as_ref().unwrap();
            assert_eq!(seccomp.type_, "RuntimeDefault");
            for container in pod
                .containers
                .iter()
                .chain(pod.init_containers.iter().flatten())
            {
                let security = container.security_context.as_ref().unwrap();
                assert_eq!(security.run_as_non_root, Some(true));
                assert_eq!(security.read_only_root_filesystem, Some(true));
                assert_eq!(security.allow_privilege_escalation, Some(false));
                assert_eq!(security.privileged, None);
                assert_eq!(security.run_as_user, None);
                let capabilities = security.capabilities.as_ref().unwrap();
                assert_eq!(capabilities.drop, Some(vec!["ALL".to_string()]));
                assert_eq!(capabilities.add, None);
                assert_eq!(
                    security.seccomp_profile.as_ref().unwrap().type_,
                    "RuntimeDefault"
                );
                let resources = container.resources.as_ref().unwrap();
                for amounts in [&resources.requests, &resources.limits] {
                    let amounts = amounts.as_ref().unwrap();
                    assert!(amounts.contains_key("cpu") && amounts.contains_key("memory"));
                }
            }
        }
    }
}

#[test]
fn each_mode_brings_its_own_objects() {
    for args in combinations() {
        let options = options(&args);
        let objects = objects(&options);
        let (volume, bucket) = match &options.storage {
            Storage::Volume { .. } => (1, 0),
            Storage::Bucket { .. } => (0, 1),
        };
        assert_eq!(objects.claims.len(), volume, "{args:?}: claim");
        assert_eq!(objects.deployments.len(), volume, "{args:?}: browser");
        match &options.scope {
            Scope::Cluster => {
                assert_eq!(objects.namespaces.len(), 1);
                let labels = objects.namespaces[0].metadata.labels.clone().unwrap();
                assert_eq!(labels["pod-security.kubernetes.io/enforce"], "restricted");
                assert!(objects.roles.is_empty() && objects.bindings.is_empty());
            }
            Scope::Namespaces(targets) => {
                // A project admin installs this: nothing cluster-wide, no namespace.
                assert!(objects.namespaces.is_empty());
                assert!(objects.cluster_roles.is_empty() && objects.cluster_bindings.is_empty());
                let bound: BTreeSet<String> = objects
                    .bindings
                    .iter()
                    .filter(|b| b.role_ref.name == "view")
                    .filter_map(|b| b.metadata.namespace.clone())
                    .collect();
                assert_eq!(bound, targets.iter().cloned().collect());
                for binding in &objects.bindings {
                    let subject = &binding.subjects.as_ref().unwrap()[0];
                    assert_eq!(subject.kind, "ServiceAccount");
                    assert_eq!(subject.namespace.as_ref(), Some(&options.namespace));
                }
            }
        }
        let env_from = objects
            .export_container()
            .env_from
            .clone()
            .unwrap_or_default();
        assert_eq!(env_from.len(), bucket, "{args:?}: credentials");
        if bucket == 1 {
            assert_eq!(env_from[0].secret_ref.as_ref().unwrap().name, "s3-creds");
        }
        // The export stages its archive in /tmp (the root file system is read-only): with a
        // bucket the whole archive lies there before its upload.
        let mounts = objects.export_container().volume_mounts.clone().unwrap();
        let tmp = mounts
            .iter()
            .find(|m| m.mount_path == "/tmp")
            .expect("/tmp");
        let (_, spec) = objects.pods().into_iter().next().unwrap();
        let scratch = spec
            .volumes
            .as_ref()
            .unwrap()
            .iter()
            .find(|v| v.name == tmp.name)
            .and_then(|v| v.empty_dir.as_ref())
            .and_then(|e| e.size_limit.clone())
            .expect("an emptyDir with a size limit");
        let expected = if bucket == 1 { "2Gi" } else { "256Mi" };
        assert_eq!(scratch.0, expected, "{args:?}: scratch space");
        let cron = &objects.cron_jobs[0].spec;
        assert_eq!(cron.schedule, "15 0 * * *");
        assert_eq!(cron.concurrency_policy.as_deref(), Some("Forbid"));
        assert!(cron.starting_deadline_seconds.is_some());
        assert!(cron.successful_jobs_history_limit.is_some());
        assert!(cron.failed_jobs_history_limit.is_some());
        let job = cron.job_template.spec.as_ref().unwrap();
        assert!(job.backoff_limit.is_some() && job.active_deadline_seconds.is_some());
    }
}

#[test]
fn a_read_write_once_volume_puts_the_export_beside_the_browser() {
    let objects = objects(&options(&[]));
    let pod = objects.pods()[0].1;
    let affinity = pod
        .affinity
        .as_ref()
        .unwrap()
        .pod_affinity
        .as_ref()
        .unwrap();
    let term = &affinity
        .required_during_scheduling_ignored_during_execution
        .as_ref()
        .unwrap()[0];
    let selector = term.label_selector.as_ref().unwrap().match_labels.clone();
    let browser = objects.deployments[0]
        .spec
        .template
        .metadata
        .as_ref()
        .unwrap();
    assert_eq!(selector, browser.labels.clone());
    let shared = self::objects(&options(&["--access-mode".into(), "ReadWriteMany".into()]));
    assert!(shared.pods()[0].1.affinity.is_none());
}

/// The export's arguments as driftlab's own parser reads the CronJob's command line.
fn export_args(options: &InstallOptions) -> driftlab::cli::args::ExportArgs {
    let objects = objects(options);
    let cli = Cli::try_parse_from(argv(objects.export_container())).expect("parses");
    let Command::Export(export) = cli.command else {
        panic!("the CronJob does not export");
    };
    export
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[test]
fn metrics_pushgateway_wires_the_export_to_push_under_the_services_name() {
    let options = options(&strings(&[
        "--name",
        "nightly",
        "--metrics",
        "pushgateway=http://pushgateway.monitoring:9091",
    ]));
    let export = export_args(&options);
    assert_eq!(
        export.metrics.pushgateway.as_deref(),
        Some("http://pushgateway.monitoring:9091")
    );
    assert_eq!(export.metrics.metrics_job, "nightly");
    assert_eq!(export.metrics.metrics_file, None);
    // Nothing else changes: no host path, the namespace stays restricted.
    let objects = objects(&options);
    let pod = objects.pods()[0].1;
    assert!(pod.volumes.iter().flatten().all(|v| v.host_path.is_none()));
    let labels = objects.namespaces[0].metadata.labels.clone().unwrap();
    assert_eq!(labels["pod-security.kubernetes.io/enforce"], "restricted");
    // Without --metrics, the export reports nowhere.
    let export = export_args(&self::options(&[]));
    assert_eq!(export.metrics.pushgateway, None);
    assert_eq!(export.metrics.metrics_file, None);
}

#[test]
fn metrics_textfile_mounts_the_nodes_directory_and_says_what_it_costs() {
    for (sink, dir) in [
        ("textfile", "/var/lib/node_exporter/textfile_collector"),
        ("textfile=/srv/textfile", "/srv/textfile"),
    ] {
        let options = options(&strings(&["--metrics", sink]));
        let objects = objects(&options);
        let export = export_args(&options);
        let file = export.metrics.metrics_file.expect("--metrics-file");
        let container = objects.export_container();
        let mounts = container.volume_mounts.clone().unwrap();
        let mount = mounts
            .iter()
            .find(|m| file.starts_with(&m.mount_path))
            .expect("the metrics file is on a mount");
        assert_ne!(mount.read_only, Some(true));
        let pod = objects.pods()[0].1;
        let volume = pod
            .volumes
            .iter()
            .flatten()
            .find(|v| v.name == mount.name)
            .unwrap();
        let host = volume.host_path.as_ref().expect("a hostPath volume");
        assert_eq!(host.path, dir);
        assert_eq!(host.type_.as_deref(), Some("Directory"));
        // Only the privileged level admits hostPath; audit and warn still say restricted.
        let labels = objects.namespaces[0].metadata.labels.clone().unwrap();
        assert_eq!(labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert_eq!(labels["pod-security.kubernetes.io/audit"], "restricted");
        assert_eq!(labels["pod-security.kubernetes.io/warn"], "restricted");
        // The browser never sees the node's directory.
        let browser = objects.pods()[1].1;
        assert!(
            browser
                .volumes
                .iter()
                .flatten()
                .all(|v| v.host_path.is_none())
        );
    }
}

/// `promtool check rules` on the `spec` of the PrometheusRule `driftlab install` prints.
#[test]
fn the_prometheus_rule_passes_promtool_check_rules() {
    let options = options(&strings(&[
        "--alerts",
        "--alert-stale-after",
        "30h",
        "--alert-min-archives",
        "5",
    ]));
    let objects = objects(&options);
    assert_eq!(objects.prometheus_rules.len(), 1);
    let rule = &objects.prometheus_rules[0];
    assert_eq!(rule["metadata"]["namespace"], "cluster-backup");
    let groups = &rule["spec"]["groups"];
    let names: Vec<&str> = groups[0]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["alert"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "DriftlabExportStale",
            "DriftlabExportNeverReported",
            "DriftlabExportIncomplete",
            "DriftlabSecurityDrift",
            "DriftlabArchivesBelowRetention",
        ]
    );
    let text = serde_json::to_string(groups).unwrap();
    assert!(text.contains("> 108000"), "30h: {text}");
    assert!(text.contains("< 5"), "{text}");
    let Some(promtool) = common::skip::prometheus_tool("promtool") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.yaml");
    let spec = serde_json::json!({"groups": groups});
    std::fs::write(&file, serde_saphyr::to_string(&spec).unwrap()).unwrap();
    let out = std::process::Command::new(promtool)
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("SUCCESS: 5 rules found"));
    // The default threshold is the retention in days; no --alerts, no rule.
    let objects = self::objects(&self::options(&strings(&[
        "--alerts",
        "--retain-days",
        "9",
    ])));
    let text = serde_json::to_string(&objects.prometheus_rules[0]).unwrap();
    assert!(text.contains("< 9") && text.contains("> 93600"), "{text}");
    assert!(
        self::objects(&self::options(&[]))
            .prometheus_rules
            .is_empty()
    );
}

#[test]
fn bad_metrics_and_alert_values_are_refused_naming_their_flag() {
    for (args, flag) in [
        (&["--metrics", "prometheus"][..], "--metrics"),
        (
            &["--metrics", "pushgateway=gw:9091"][..],
            "--metrics pushgateway=",
        ),
        (&["--metrics", "pushgateway="][..], "--metrics pushgateway="),
        (
            &["--metrics", "textfile=relative/dir"][..],
            "--metrics textfile=",
        ),
        (
            &["--metrics", "textfile=/a/../etc"][..],
            "--metrics textfile=",
        ),
        (
            &["--alerts", "--alert-stale-after", "26"][..],
            "--alert-stale-after",
        ),
        (
            &["--alerts", "--alert-stale-after", "0h"][..],
            "--alert-stale-after",
        ),
        (&["--alert-stale-after", "26h"][..], "--alerts"),
    ] {
        let out = common::driftlab()
            .arg("install")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}: nothing printed");
    }
}

/// The alerts fire when they should and not before, as `promtool test rules` evaluates the
/// rules `install --alerts` writes (their annotations, words for people, left out) over series
/// one minute apart: a last success 25 hours old is quiet, 27 hours fires; an incomplete run, a
/// security change, too few good archives for an hour; no metrics at all for 26 hours.
#[test]
fn the_alerts_fire_when_they_should_under_promtool_test_rules() {
    let Some(promtool) = common::skip::prometheus_tool("promtool") else {
        return;
    };
    let options = options(&strings(&["--alerts", "--retain-days", "7"]));
    let objects = objects(&options);
    let mut groups = objects.prometheus_rules[0]["spec"]["groups"].clone();
    for rule in groups[0]["rules"].as_array_mut().unwrap() {
        rule.as_object_mut().unwrap().remove("annotations");
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = serde_json::json!({"groups": groups});
    std::fs::write(
        dir.path().join("rules.yaml"),
        serde_saphyr::to_string(&spec).unwrap(),
    )
    .unwrap();
    let labels = r#"cluster="c",namespaces="all""#;
    let fired = |alert: &str, at: &str, labels: &str| {
        format!(
            "  - {{eval_time: {at}, alertname: {alert}, exp_alerts: [{{exp_labels: {{{labels}}}}}]}}\n"
        )
    };
    let quiet = |alert: &str, at: &str| {
        format!("  - {{eval_time: {at}, alertname: {alert}, exp_alerts: []}}\n")
    };
    let mut test = format!(
        "rule_files: [rules.yaml]\nevaluation_interval: 1m\ntests:\n- interval: 1m\n  input_series:\n\
         \x20 - {{series: 'driftlab_export_last_success_timestamp_seconds{{{labels}}}', values: '0x1800'}}\n\
         \x20 - {{series: 'driftlab_export_start_timestamp_seconds{{{labels}}}', values: '0x1800'}}\n\
         \x20 - {{series: 'driftlab_export_complete{{{labels}}}', values: '1x119 0x1700'}}\n\
         \x20 - {{series: 'driftlab_drift_changes{{category=\"security\",{labels}}}', values: '0x59 3x1700'}}\n\
         \x20 - {{series: 'driftlab_archives{{state=\"good\",{labels}}}', values: '7x119 3x1700'}}\n\
         \x20 alert_rule_test:\n"
    );
    let these = "cluster: c, namespaces: all";
    test += &quiet("DriftlabExportStale", "25h");
    test += &fired(
        "DriftlabExportStale",
        "27h",
        &format!("severity: critical, {these}"),
    );
    test += &quiet("DriftlabExportIncomplete", "1h");
    test += &fired(
        "DriftlabExportIncomplete",
        "2h",
        &format!("severity: warning, {these}"),
    );
    test += &quiet("DriftlabSecurityDrift", "30m");
    test += &fired(
        "DriftlabSecurityDrift",
        "1h",
        &format!("severity: warning, category: security, {these}"),
    );
    test += &quiet("DriftlabArchivesBelowRetention", "2h30m");
    test += &fired(
        "DriftlabArchivesBelowRetention",
        "3h30m",
        &format!("severity: warning, state: good, {these}"),
    );
    test += &quiet("DriftlabExportNeverReported", "27h");
    test += "- interval: 1m\n  input_series:\n  - {series: 'up{job=\"other\"}', values: '1x1800'}\n  alert_rule_test:\n";
    test += &quiet("DriftlabExportNeverReported", "25h");
    test += &fired("DriftlabExportNeverReported", "27h", "severity: critical");
    std::fs::write(dir.path().join("test.yaml"), &test).unwrap();
    let out = std::process::Command::new(promtool)
        .current_dir(dir.path())
        .args(["test", "rules", "test.yaml"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}\n{test}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
