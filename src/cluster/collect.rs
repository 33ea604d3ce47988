//! Listing: every (type, namespace) page by page (`limit` 500, `continue`), several lists in
//! flight at once, results handed over in a fixed order so archives come out the same each run.

use futures::StreamExt;
use serde_json::Value;

use super::discovery::ResourceType;
use super::{Cluster, Fetch};
use crate::error::{Error, Result};

/// Items per page.
pub const PAGE_SIZE: usize = 500;

/// How often a list is restarted after its `continue` token expired (410 Gone).
const RESTARTS: usize = 3;

/// What listing one type in one namespace came to.
#[derive(Debug)]
pub enum Listed {
    /// The items, with `apiVersion` and `kind` filled in.
    Items(Vec<Value>),
    /// Not readable by this account, or not served (403, 404, 405): the reason.
    Skipped(String),
    /// Server errors, throttling or dropped connections that outlasted the retries: the reason.
    Failed(String),
}

/// One list to take: a type, in a namespace or cluster-wide.
#[derive(Clone, Debug)]
pub struct Target<'a> {
    /// The type.
    pub resource: &'a ResourceType,
    /// The namespace; `None` for a cluster-scoped type.
    pub namespace: Option<String>,
}

/// The lists to take: every namespaced type in each namespace, then the cluster-scoped types
/// that `cluster_scoped` accepts.
pub fn targets<'a>(
    resources: &'a [ResourceType],
    namespaces: &[String],
    cluster_scoped: impl Fn(&ResourceType) -> bool,
) -> Vec<Target<'a>> {
    let mut targets = Vec::new();
    for namespace in namespaces {
        for resource in resources.iter().filter(|r| r.namespaced) {
            targets.push(Target {
                resource,
                namespace: Some(namespace.clone()),
            });
        }
    }
    for resource in resources
        .iter()
        .filter(|r| !r.namespaced && cluster_scoped(r))
    {
        targets.push(Target {
            resource,
            namespace: None,
        });
    }
    targets
}

/// Takes every target, `concurrency` at a time, and hands each result to `consume` in the order
/// of `targets`. Stops at the first error of `consume` or at rejected credentials.
pub async fn collect<'a>(
    cluster: &Cluster,
    targets: Vec<Target<'a>>,
    selector: Option<&str>,
    concurrency: usize,
    mut consume: impl FnMut(&Target<'a>, Listed) -> Result<()>,
) -> Result<()> {
    let mut results = futures::stream::iter(targets)
        .map(|target| async move {
            let listed = list(
                cluster,
                target.resource,
                target.namespace.as_deref(),
                selector,
            )
            .await;
            (target, listed)
        })
        .buffered(concurrency.max(1));
    while let Some((target, listed)) = results.next().await {
        consume(&target, listed?)?;
    }
    Ok(())
}

/// Lists one type in one namespace (or cluster-wide), all pages.
pub async fn list(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    selector: Option<&str>,
) -> Result<Listed> {
    let base = resource.list_path(namespace);
    'restart: for _ in 0..=RESTARTS {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut path = format!("{base}?limit={PAGE_SIZE}");
            if let Some(selector) = selector {
                path.push_str("&labelSelector=");
                path.push_str(&encode_query(selector));
            }
            if let Some(token) = &token {
                path.push_str("&continue=");
                path.push_str(&encode_query(token));
            }
            let page: Value = match cluster.get(&path).await {
                Fetch::Ok(body) => match serde_json::from_slice(&body) {
                    Ok(page) => page,
                    Err(e) => {
                        return Ok(Listed::Failed(format!("the list is not valid JSON: {e}")));
                    }
                },
                Fetch::Skip(reason) => return Ok(Listed::Skipped(reason)),
                Fetch::Failed(reason) => return Ok(Listed::Failed(reason)),
                Fetch::Unauthorized(reason) => {
                    return Err(Error::Cluster(format!(
                        "{}: credentials not accepted: {reason}",
                        cluster.url
                    )));
                }
                // The continue token expired: the snapshot of the list is gone, start again.
                Fetch::Gone => continue 'restart,
            };
            let Value::Object(mut page) = page else {
                return Ok(Listed::Failed("the list is not a JSON object".into()));
            };
            if let Some(Value::Array(page_items)) = page.remove("items") {
                for mut item in page_items {
                    if let Value::Object(map) = &mut item {
                        // Items of a list response carry no apiVersion or kind (kubernetes#3030).
                        map.entry("apiVersion")
                            .or_insert_with(|| Value::String(resource.api_version()));
                        map.entry("kind")
                            .or_insert_with(|| Value::String(resource.kind.clone()));
                        items.push(item);
                    }
                }
            }
            token = page
                .get("metadata")
                .and_then(|m| m.get("continue"))
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(String::from);
            if token.is_none() {
                return Ok(Listed::Items(items));
            }
        }
    }
    Ok(Listed::Failed(format!(
        "the list expired (410 Gone) {} times in a row",
        RESTARTS + 1
    )))
}

/// Percent-encodes a query value.
pub fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_encoding() {
        assert_eq!(encode_query("app in (web,db)"), "app%20in%20%28web%2Cdb%29");
        assert_eq!(encode_query("eyJ2Ijo=+/"), "eyJ2Ijo%3D%2B%2F");
    }

    #[test]
    fn targets_cover_namespaces_then_cluster_types() {
        let resources = vec![
            ResourceType {
                group: "".into(),
                version: "v1".into(),
                plural: "pods".into(),
                kind: "Pod".into(),
                namespaced: true,
            },
            ResourceType {
                group: "".into(),
                version: "v1".into(),
                plural: "nodes".into(),
                kind: "Node".into(),
                namespaced: false,
            },
        ];
        let namespaces = vec!["a".to_string(), "b".to_string()];
        let all = targets(&resources, &namespaces, |_| true);
        let names: Vec<String> = all
            .iter()
            .map(|t| {
                format!(
                    "{}/{}",
                    t.namespace.as_deref().unwrap_or("-"),
                    t.resource.plural
                )
            })
            .collect();
        assert_eq!(names, ["a/pods", "b/pods", "-/nodes"]);
        assert_eq!(targets(&resources, &namespaces, |_| false).len(), 2);
    }
}
