//! The live cluster as a snapshot: read with the same discovery, listing and pruning as an
//! export, into memory, for `driftlab diff last-week.zip live`.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::Value;

use super::collect::{self, Listed};
use super::{Cluster, ClusterOptions, discovery};
use crate::error::{Error, Result};
use crate::normalize;
use crate::snapshot::{
    DuplicateRule, FileOrigin, ObjectFilter, Snapshot, SnapshotBuilder, SourceFormat, SourceInfo,
};
use crate::timestamp::Timestamp;

/// What part of the cluster to read.
#[derive(Clone, Debug, Default)]
pub struct LiveScope {
    /// These namespaces; empty: every namespace the account can list.
    pub namespaces: Vec<String>,
    /// Cluster-scoped kinds to read, as `(group, kind)`; `None`: all of them.
    pub cluster_kinds: Option<HashSet<(String, String)>>,
}

/// `live` or `live:<context>` as a snapshot argument: `Some(context)`.
pub fn parse_argument(argument: &str) -> Option<Option<String>> {
    match argument.strip_prefix("live") {
        Some("") => Some(None),
        Some(rest) => rest
            .strip_prefix(':')
            .filter(|c| !c.is_empty())
            .map(|c| Some(c.to_string())),
        None => None,
    }
}

/// Reads the live cluster into a snapshot labelled `label`, keeping what `filter` accepts.
pub fn read(
    options: &ClusterOptions,
    scope: &LiveScope,
    filter: &ObjectFilter,
    label: &str,
) -> Result<Snapshot> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(read_async(options, scope, filter, label))
}

async fn read_async(
    options: &ClusterOptions,
    scope: &LiveScope,
    filter: &ObjectFilter,
    label: &str,
) -> Result<Snapshot> {
    let taken = Timestamp::now();
    let cluster = Cluster::connect(options).await?;
    let found = discovery::discover(&cluster, options).await?;
    let mut scoped = options.clone();
    scoped.namespaces = scope.namespaces.clone();
    let namespaces = discovery::namespaces(&cluster, &scoped).await?;
    let targets = collect::targets(&found.resources, &namespaces, |r| {
        scope
            .cluster_kinds
            .as_ref()
            .is_none_or(|kinds| kinds.contains(&(r.group.clone(), r.kind.clone())))
    });

    let mut builder = SnapshotBuilder::new(filter.clone());
    for warning in &found.warnings {
        builder.warn(format!("{label}: {warning}"));
    }
    let selector = options.selector.as_deref();
    collect::collect(
        &cluster,
        targets,
        selector,
        options.concurrency,
        |target, listed| {
            let resource = target.resource;
            let place = match &target.namespace {
                Some(ns) => format!("{ns}/{}", resource.qualified_name()),
                None => resource.qualified_name(),
            };
            match listed {
                Listed::Items(items) => {
                    let items: Vec<Value> = items
                        .into_iter()
                        .filter(|item| {
                            item.get("type").and_then(Value::as_str)
                                != Some("kubernetes.io/service-account-token")
                        })
                        .map(|mut item| {
                            normalize::prune_for_export(&mut item, &resource.kind);
                            item
                        })
                        .collect();
                    let origin = FileOrigin {
                        path: Arc::from(place.as_str()),
                        display: format!("{label}: {place}"),
                        folder_namespace: target.namespace.clone(),
                        duplicates: DuplicateRule::Report,
                    };
                    builder.add_documents(items, &origin);
                }
                Listed::Skipped(reason) => {
                    builder.warn(format!("{label}: skipped {place}: {reason}"))
                }
                Listed::Failed(reason) => {
                    builder.warn(format!("{label}: could not read {place}: {reason}"))
                }
            }
            Ok(())
        },
    )
    .await?;
    Ok(builder.finish(SourceInfo {
        label: label.to_string(),
        format: SourceFormat::Live,
        taken: Some(taken),
        manifest: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::parse_argument;

    #[test]
    fn live_arguments() {
        assert_eq!(parse_argument("live"), Some(None));
        assert_eq!(parse_argument("live:prod"), Some(Some("prod".into())));
        assert_eq!(parse_argument("live:"), None);
        assert_eq!(parse_argument("lively.zip"), None);
        assert_eq!(parse_argument("old.zip"), None);
    }
}
