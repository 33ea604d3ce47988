//! The API client side: connecting as kubectl does, walking discovery one group at a time, and
//! listing every resource type page by page, with retries where a retry can help.
//!
//! This is the only module that talks to a cluster. Objects stay dynamic JSON; typed
//! `k8s-openapi` structs are used for the discovery documents only.

pub mod collect;
pub mod discovery;
mod http;
pub mod live;

use std::path::PathBuf;
use std::time::Duration;

pub use http::{Cluster, Fetch};

/// How to reach a cluster and what to read from it.
#[derive(Clone, Debug, Default)]
pub struct ClusterOptions {
    /// `--kubeconfig`: the kubeconfig file (else `KUBECONFIG`, `~/.kube/config`, in-cluster).
    pub kubeconfig: Option<PathBuf>,
    /// `--context`: the kubeconfig context (else the current one).
    pub context: Option<String>,
    /// `-n`: these namespaces (else all the account can list).
    pub namespaces: Vec<String>,
    /// `-l`: a label selector passed to every list.
    pub selector: Option<String>,
    /// `--include-kind`: kinds to read although excluded by default.
    pub include_kinds: Vec<String>,
    /// `--exclude-kind`: more kinds to leave out.
    pub exclude_kinds: Vec<String>,
    /// Read cluster-scoped types (when the account may list them).
    pub cluster_scoped: bool,
    /// How many lists are in flight at once.
    pub concurrency: usize,
    /// How long one request may take.
    pub request_timeout: Duration,
}

impl ClusterOptions {
    /// Defaults as `driftlab export` uses them: 8 lists in flight, 60 s per request.
    pub fn new() -> ClusterOptions {
        ClusterOptions {
            cluster_scoped: true,
            concurrency: 8,
            request_timeout: Duration::from_secs(60),
            ..ClusterOptions::default()
        }
    }
}
