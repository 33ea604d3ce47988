//! Listing: every (type, namespace) page by page (`limit` 500, `continue`), several lists in
//! flight at once, results handed over in a fixed order so archives come out the same each run.
//!
//! A list ends when the server stops sending a `continue` token. A server that repeats a token,
//! or sends pages without end, does not keep a list going forever: a repeated token and more than
//! [`MAX_PAGES`] pages are failures of that list.

use std::collections::HashSet;

use futures::StreamExt;
use serde_json::Value;

use super::discovery::{self, ResourceType};
use super::{Cluster, Fetch};
use crate::error::{Error, Result};

/// Items per page.
pub const PAGE_SIZE: usize = 500;

/// Items per page when a full page is larger than [`super::RESPONSE_LIMIT`] (objects near
/// etcd's size limit).
const SMALL_PAGE_SIZE: usize = 50;

/// The most pages one list may take: 10 million objects at the normal page size.
pub const MAX_PAGES: usize = 20_000;

/// How often a list is restarted after its `continue` token expired (410 Gone).
const RESTARTS: usize = 3;

/// What listing one type in one namespace came to.
#[derive(Debug)]
pub enum Listed {
    /// The items, with `apiVersion` and `kind` filled in.
    Items(Vec<Value>),
    /// This account may not read it (403): the reason.
    Forbidden(String),
    /// Anything else that kept the list from being read whole: the reason.
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

impl Target<'_> {
    /// `myproject/deploymentconfigs.apps.openshift.io`, or `nodes` for a cluster-scoped type.
    pub fn place(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.resource.qualified_name()),
            None => self.resource.qualified_name(),
        }
    }
}

/// The lists to take: every namespaced type in each namespace, then the cluster-scoped types.
pub fn targets<'a>(resources: &'a [ResourceType], namespaces: &[String]) -> Vec<Target<'a>> {
    let mut targets = Vec::new();
    for namespace in namespaces {
        for resource in resources.iter().filter(|r| r.namespaced) {
            targets.push(Target {
                resource,
                namespace: Some(namespace.clone()),
            });
        }
    }
    for resource in resources.iter().filter(|r| !r.namespaced) {
        targets.push(Target {
            resource,
            namespace: None,
        });
    }
    targets
}

/// Takes every target, `concurrency` at a time, and hands each result to `consume` in the order
/// of `targets`. Stops at the first error of `consume`, at rejected credentials, or when the
/// run's byte budget is spent.
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

/// Receives the items of a list page by page, in the server's order: a `Vec` gathers them all
/// (one namespace's list); [`super::wide`] hands a cluster-wide list over namespace by namespace
/// while it is read.
pub(crate) trait Pages {
    /// The items of one page, with `apiVersion` and `kind` filled in.
    async fn page(&mut self, items: Vec<Value>) -> Result<()>;

    /// The list starts over (its `continue` token expired, or its pages were too large): the
    /// items passed so far will come again.
    fn restart(&mut self);
}

impl Pages for Vec<Value> {
    async fn page(&mut self, items: Vec<Value>) -> Result<()> {
        self.extend(items);
        Ok(())
    }

    fn restart(&mut self) {
        self.clear();
    }
}

/// How a list that was not read whole ended.
#[derive(Debug)]
pub enum Unread {
    /// This account may not read it (403): the reason.
    Forbidden(String),
    /// Anything else that kept the list from being read whole: the reason.
    Failed(String),
}

/// Why one attempt at a list ended without its items.
enum Interrupted {
    /// The continue token expired: start again.
    Restart,
    /// A page was too large: start again with smaller pages.
    Shrink(String),
    /// The list is over without being read whole.
    Done(Unread),
}

/// Lists one type in one namespace (or cluster-wide), all pages.
pub async fn list(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    selector: Option<&str>,
) -> Result<Listed> {
    let mut items = Vec::new();
    Ok(
        match list_into(cluster, resource, namespace, selector, &mut items).await? {
            None => Listed::Items(items),
            Some(Unread::Forbidden(reason)) => Listed::Forbidden(reason),
            Some(Unread::Failed(reason)) => Listed::Failed(reason),
        },
    )
}

/// Lists one type in one namespace (or across all namespaces when `namespace` is `None`), all
/// pages, handing each page to `pages`: restarted after an expired token (at most [`RESTARTS`]
/// times) and once with smaller pages when a page is too large. `None` when the list was read
/// whole.
pub(crate) async fn list_into(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    selector: Option<&str>,
    pages: &mut impl Pages,
) -> Result<Option<Unread>> {
    let mut page_size = PAGE_SIZE;
    let mut restarts = 0;
    loop {
        match list_once(cluster, resource, namespace, selector, page_size, pages).await? {
            Ok(()) => return Ok(None),
            Err(Interrupted::Done(unread)) => return Ok(Some(unread)),
            Err(Interrupted::Shrink(_)) if page_size > SMALL_PAGE_SIZE => {
                page_size = SMALL_PAGE_SIZE
            }
            Err(Interrupted::Shrink(reason)) => return Ok(Some(Unread::Failed(reason))),
            Err(Interrupted::Restart) if restarts < RESTARTS => restarts += 1,
            Err(Interrupted::Restart) => {
                return Ok(Some(Unread::Failed(format!(
                    "the list expired (410 Gone) {} times in a row",
                    RESTARTS + 1
                ))));
            }
        }
        pages.restart();
    }
}

/// One pass over the pages of a list.
async fn list_once(
    cluster: &Cluster,
    resource: &ResourceType,
    namespace: Option<&str>,
    selector: Option<&str>,
    page_size: usize,
    pages: &mut impl Pages,
) -> Result<std::result::Result<(), Interrupted>> {
    let base = resource.list_path(namespace);
    let mut token: Option<String> = None;
    let mut seen_tokens = HashSet::new();
    for _ in 0..MAX_PAGES {
        let mut path = format!("{base}?limit={page_size}");
        if let Some(selector) = selector {
            path.push_str("&labelSelector=");
            path.push_str(&encode_query(selector));
        }
        if let Some(token) = &token {
            path.push_str("&continue=");
            path.push_str(&encode_query(token));
        }
        let body = match cluster.get(&path).await {
            Fetch::Ok(body) => body,
            Fetch::Forbidden(reason) => {
                return Ok(Err(Interrupted::Done(Unread::Forbidden(reason))));
            }
            Fetch::Gone => return Ok(Err(Interrupted::Restart)),
            Fetch::TooLarge(reason) => return Ok(Err(Interrupted::Shrink(reason))),
            Fetch::Unauthorized(problem) => {
                return Err(discovery::unauthorized(cluster, &problem));
            }
            Fetch::OverBudget(problem) => {
                return Err(Error::Cluster(format!("{}: {problem}", cluster.url)));
            }
            other @ (Fetch::NotServed(_) | Fetch::Failed(_)) => {
                return Ok(Err(Interrupted::Done(Unread::Failed(discovery::describe(
                    &other,
                )))));
            }
        };
        let page = match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(page)) => page,
            Ok(_) => return Ok(Err(failed("the list is not a JSON object"))),
            Err(e) => return Ok(Err(failed(&format!("the list is not valid JSON: {e}")))),
        };
        // The raw page is not kept while its items are handed over (which may wait on the
        // consumer): only the parsed items are.
        drop(body);
        let (items, next) = take_page(page, resource);
        // The repeated token is judged before the page is handed over: a list that would never
        // end is a failure, and what it sent is not half-used.
        if let Some(next) = &next
            && !seen_tokens.insert(next.clone())
        {
            return Ok(Err(failed(
                "the server sent the same continue token twice: the list would never end",
            )));
        }
        pages.page(items).await?;
        token = next;
        if token.is_none() {
            return Ok(Ok(()));
        }
    }
    Ok(Err(failed(&format!(
        "the list did not end after {MAX_PAGES} pages"
    ))))
}

fn failed(reason: &str) -> Interrupted {
    Interrupted::Done(Unread::Failed(reason.to_string()))
}

/// The items of one page (with `apiVersion` and `kind`, which items of a list response lack,
/// kubernetes#3030) and its `continue` token.
fn take_page(
    mut page: serde_json::Map<String, Value>,
    resource: &ResourceType,
) -> (Vec<Value>, Option<String>) {
    let mut items = Vec::new();
    if let Some(Value::Array(page_items)) = page.remove("items") {
        items.reserve(page_items.len());
        for mut item in page_items {
            if let Value::Object(map) = &mut item {
                map.entry("apiVersion")
                    .or_insert_with(|| Value::String(resource.api_version()));
                map.entry("kind")
                    .or_insert_with(|| Value::String(resource.kind.clone()));
                items.push(item);
            }
        }
    }
    let token = page
        .get("metadata")
        .and_then(|m| m.get("continue"))
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(String::from);
    (items, token)
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
        let all = targets(&resources, &namespaces);
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
    }
}
