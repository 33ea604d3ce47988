//! The API client side: connecting as kubectl does, walking discovery one group at a time, and
//! listing every resource type page by page, with retries where a retry can help.
//!
//! This is the only module that talks to a cluster. [`read::read`] does the whole walk and hands
//! each list to a [`read::Consumer`] (the archive writer of `driftlab export`, the snapshot
//! builder of `driftlab diff … live`), then says in a [`read::ReadReport`] whether what it read is
//! complete. Objects stay dynamic JSON; typed `k8s-openapi` structs are used for the discovery
//! documents only.

pub mod collect;
pub mod discovery;
mod http;
pub mod live;
pub mod names;
pub mod read;
pub mod references;
pub mod wide;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

pub use http::{Cluster, Fetch, RESPONSE_LIMIT};

use crate::format::DEFAULT_MAX_BYTES;

/// The namespace of the kubeconfig context `options` name (or the current one), as kubectl takes
/// it for objects that name none; the in-cluster service account's namespace when there is no
/// kubeconfig. Read without connecting.
pub fn context_namespace(options: &ClusterOptions) -> Option<String> {
    use kube::config::Kubeconfig;
    let config = match &options.kubeconfig {
        Some(path) => Kubeconfig::read_from(path).ok(),
        None => Kubeconfig::read().ok(),
    };
    let Some(config) = config else {
        let path = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
        return std::fs::read_to_string(path)
            .ok()
            .map(|ns| ns.trim().to_string())
            .filter(|ns| names::is_dns1123_label(ns));
    };
    let name = options.context.clone().or(config.current_context)?;
    config
        .contexts
        .into_iter()
        .find(|c| c.name == name)?
        .context?
        .namespace
        .filter(|ns| names::is_dns1123_label(ns))
}

/// Which cluster-scoped types to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterScoped {
    /// Every cluster-scoped type the account may list.
    All,
    /// None (`--no-cluster-scoped`).
    None,
    /// These kinds only, as `(group, kind)`: what the other side of a diff holds.
    Only(HashSet<(String, String)>),
    /// Only the cluster-scoped objects the namespaces read refer to (`export -n` without
    /// `--cluster-scoped`): their Namespace objects, the PersistentVolumes and StorageClasses of
    /// their claims, the ClusterRoles their RoleBindings name, the PriorityClasses of their pods.
    Referenced,
}

impl ClusterScoped {
    /// Whether a cluster-scoped type of `group` and `kind` is read.
    pub fn includes(&self, group: &str, kind: &str) -> bool {
        match self {
            ClusterScoped::All => true,
            ClusterScoped::None => false,
            ClusterScoped::Only(kinds) => kinds.contains(&(group.to_string(), kind.to_string())),
            ClusterScoped::Referenced => references::KINDS.contains(&(group, kind)),
        }
    }
}

/// How to reach a cluster and what to read from it.
#[derive(Clone, Debug)]
pub struct ClusterOptions {
    /// `--kubeconfig`: the kubeconfig file (else `KUBECONFIG`, `~/.kube/config`, in-cluster).
    pub kubeconfig: Option<PathBuf>,
    /// `--context`: the kubeconfig context (else the current one).
    pub context: Option<String>,
    /// `-n`: these namespaces (else all the account can list).
    pub namespaces: Vec<String>,
    /// Fail when a namespace of `namespaces` does not exist (a typo in `export -n`); a live
    /// side reads the namespaces of the other side, which may be gone from the cluster.
    pub require_namespaces: bool,
    /// `-l`: a label selector passed to every list.
    pub selector: Option<String>,
    /// `--include-kind`: kinds to read although excluded by default.
    pub include_kinds: Vec<String>,
    /// `--exclude-kind`: more kinds to leave out.
    pub exclude_kinds: Vec<String>,
    /// Which cluster-scoped types to read (when the account may list them).
    pub cluster_scoped: ClusterScoped,
    /// With every namespace read (no `namespaces`): list each namespaced type once per
    /// namespace, not once across all of them (`--list-per-namespace`).
    pub list_per_namespace: bool,
    /// How many lists are in flight at once.
    pub concurrency: usize,
    /// How long one request may take.
    pub request_timeout: Duration,
    /// The most bytes read from the cluster in one run (`--max-bytes`).
    pub max_bytes: u64,
    /// What of how objects were written to keep beside them ([`KeepProvenance`]).
    pub keep: KeepProvenance,
}

/// What the reader keeps of how each object was written, for attribution: normalisation removes
/// both from the object otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeepProvenance {
    /// `metadata.managedFields`, compacted ([`crate::apiserver::managed::compact`]): who wrote which
    /// field. Export keeps them unless `--drop-managed-fields`.
    pub managed_fields: bool,
    /// `kubectl.kubernetes.io/last-applied-configuration` (never of Secrets): a live side keeps
    /// it for `--desired`; archives leave it out, as they always have.
    pub last_applied: bool,
}

impl Default for ClusterOptions {
    /// Everything the account may read: 8 lists in flight, 60 s per request, 4 GiB in all.
    fn default() -> ClusterOptions {
        ClusterOptions {
            kubeconfig: None,
            context: None,
            namespaces: Vec::new(),
            require_namespaces: false,
            selector: None,
            include_kinds: Vec::new(),
            exclude_kinds: Vec::new(),
            cluster_scoped: ClusterScoped::All,
            list_per_namespace: false,
            concurrency: 8,
            request_timeout: Duration::from_secs(60),
            max_bytes: DEFAULT_MAX_BYTES,
            keep: KeepProvenance {
                managed_fields: true,
                last_applied: false,
            },
        }
    }
}
