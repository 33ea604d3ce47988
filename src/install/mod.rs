//! `driftlab install`: the manifests of a nightly backup service in a cluster, as the original
//! openshift-backup template shipped them. A CronJob exports every namespace (or the namespaces
//! named) into a volume or a bucket and rotates the archives; a service account may read what the
//! export reads and nothing more; a small pod keeps the volume mounted so archives can be fetched.
//!
//! Every object is built as its typed k8s-openapi struct and serialised from it, so that a field
//! name cannot be misspelt; [`manifests`] returns them as YAML documents in the order they can be
//! applied (the namespace and the account before what refers to them).
//!
//! - [`options`]: the settled choices and their validation;
//! - [`rbac`]: who may read what: cluster roles, or roles per target namespace;
//! - [`workload`]: the volume, the CronJob and the archive browser;
//! - [`alerts`]: the PrometheusRule over the export's metrics (`--alerts`).

pub mod alerts;
pub mod options;
pub mod rbac;
pub mod workload;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::{Metadata, Resource};
use serde::Serialize;

use crate::error::{Error, Result};
pub use options::{
    AccessMode, Alerts, Flavor, InstallOptions, MetricsSink, Scope, SecretHandling, Storage,
};

/// Where the archive volume is mounted in the export and browser pods.
pub const ARCHIVE_DIR: &str = "/backups";

/// Where node-exporter's textfile directory is mounted in the export pod (`--metrics textfile`).
pub const METRICS_DIR: &str = "/metrics";

/// Where the Secret holding the HMAC key (`--secret-key-secret`) is mounted.
pub const SECRET_KEY_DIR: &str = "/etc/driftlab/secret-key";

/// The entry of that Secret that holds the key; it becomes the file `SECRET_KEY_DIR/key`.
pub const SECRET_KEY_ENTRY: &str = "key";

/// The image `driftlab install` points at unless `--image` says otherwise: this very version.
pub const DEFAULT_IMAGE: &str = concat!("ghcr.io/driftlab/driftlab:", env!("CARGO_PKG_VERSION"));

/// One object of the service, rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// Its kind, e.g. `CronJob`.
    pub kind: String,
    /// Its namespace; `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// Its name.
    pub name: String,
    /// The object as one YAML document, without a `---` line.
    pub yaml: String,
}

impl Manifest {
    /// Renders a typed object.
    fn of<T>(object: &T) -> Result<Manifest>
    where
        T: Resource + Metadata<Ty = ObjectMeta> + Serialize,
    {
        let metadata = object.metadata();
        let yaml = serde_saphyr::to_string(object).map_err(|e| {
            Error::Runtime(format!(
                "{} manifest: cannot write it as YAML: {e}",
                T::KIND
            ))
        })?;
        Ok(Manifest {
            kind: T::KIND.to_string(),
            namespace: metadata.namespace.clone(),
            name: metadata.name.clone().unwrap_or_default(),
            yaml,
        })
    }

    /// The file name of the `index`-th manifest in `--output-dir`: numbered so that
    /// `kubectl apply -f DIR`, which takes files in name order, creates the namespace and the
    /// account before what refers to them.
    pub fn file_name(&self, index: usize) -> String {
        let place = match &self.namespace {
            Some(namespace) => format!("{namespace}-"),
            None => String::new(),
        };
        format!(
            "{index:02}-{}-{place}{}.yaml",
            self.kind.to_ascii_lowercase(),
            self.name
        )
    }
}

/// Every object of the service described by `options`, in the order to apply them.
pub fn manifests(options: &InstallOptions) -> Result<Vec<Manifest>> {
    let mut out = Vec::new();
    // Outside the cluster-admin mode the namespace is someone else's to create (a project
    // requested by its owner on OpenShift): a namespace admin may not create or label one.
    if options.scope == Scope::Cluster {
        let namespace = namespace(options);
        out.push(Manifest::of(&namespace)?);
    }
    let account = service_account(options);
    out.push(Manifest::of(&account)?);
    out.extend(rbac::manifests(options)?);
    out.extend(workload::manifests(options)?);
    if let Some(rule) = &options.alerts {
        out.push(alerts::manifest(options, rule)?);
    }
    Ok(out)
}

/// The manifests as one multi-document YAML stream for `kubectl apply -f -`, after a comment
/// saying what they are.
pub fn render(options: &InstallOptions, manifests: &[Manifest]) -> String {
    let mut text = format!(
        "# driftlab {} nightly backup service: {}\n# Apply with: kubectl apply -f <this file>\n",
        env!("CARGO_PKG_VERSION"),
        options.summary()
    );
    for manifest in manifests {
        text.push_str("---\n");
        text.push_str(&manifest.yaml);
        if !manifest.yaml.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

/// The labels every object carries: the recommended `app.kubernetes.io` set, so that
/// `kubectl get all -l app.kubernetes.io/instance=NAME` finds the service.
pub fn labels(options: &InstallOptions, component: Option<&str>) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::from([
        ("app.kubernetes.io/name".to_string(), "driftlab".to_string()),
        (
            "app.kubernetes.io/instance".to_string(),
            options.name.clone(),
        ),
        (
            "app.kubernetes.io/managed-by".to_string(),
            "driftlab-install".to_string(),
        ),
    ]);
    if let Some(component) = component {
        labels.insert(
            "app.kubernetes.io/component".to_string(),
            component.to_string(),
        );
    }
    labels
}

/// Metadata of an object named `name` in `namespace` (cluster-scoped when `None`).
pub fn metadata(
    options: &InstallOptions,
    namespace: Option<&str>,
    name: &str,
    component: Option<&str>,
) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(labels(options, component)),
        ..ObjectMeta::default()
    }
}

/// The backup namespace, held to the `restricted` Pod Security Standard: everything the service
/// runs fits it, so nothing weaker is needed. With `--metrics textfile` the export mounts a
/// directory of the node (hostPath), which only the `privileged` level admits: enforcement is
/// lowered to that, and audit and warn stay `restricted`, so that everything else is still
/// reported against it.
fn namespace(options: &InstallOptions) -> Namespace {
    let mut metadata = metadata(options, None, &options.namespace, None);
    let labels = metadata.labels.get_or_insert_with(BTreeMap::new);
    let host_path = matches!(options.metrics, MetricsSink::Textfile(_));
    for mode in ["enforce", "audit", "warn"] {
        let level = if host_path && mode == "enforce" {
            "privileged"
        } else {
            "restricted"
        };
        labels.insert(
            format!("pod-security.kubernetes.io/{mode}"),
            level.to_string(),
        );
    }
    Namespace {
        metadata,
        ..Namespace::default()
    }
}

/// The export's account. Its token is mounted only into the pods that opt in (the export's),
/// so that no other pod of the namespace can use its read access.
fn service_account(options: &InstallOptions) -> ServiceAccount {
    ServiceAccount {
        metadata: metadata(
            options,
            Some(&options.namespace),
            &options.name,
            Some("export"),
        ),
        automount_service_account_token: Some(false),
        ..ServiceAccount::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_sort_in_apply_order_and_name_the_place() {
        let manifest = |kind: &str, namespace: Option<&str>, name: &str| Manifest {
            kind: kind.into(),
            namespace: namespace.map(String::from),
            name: name.into(),
            yaml: String::new(),
        };
        assert_eq!(
            manifest("Namespace", None, "cluster-backup").file_name(0),
            "00-namespace-cluster-backup.yaml"
        );
        assert_eq!(
            manifest("RoleBinding", Some("shop"), "driftlab-view").file_name(12),
            "12-rolebinding-shop-driftlab-view.yaml"
        );
    }

    #[test]
    fn the_default_image_is_this_version() {
        assert!(DEFAULT_IMAGE.ends_with(env!("CARGO_PKG_VERSION")));
    }
}
