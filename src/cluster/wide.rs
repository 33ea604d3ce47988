//! Cluster-wide lists of namespaced types (a read of every namespace, `export -A`): each type is
//! listed once across all namespaces, page by page (`/api/v1/pods?limit=500&continue=…`), and
//! handed to the consumer namespace by namespace, so that it receives exactly what one list per
//! namespace would have given it — every namespace told, empty or not — for about one request per
//! type and page instead of one per type and namespace.
//!
//! # Order, and what is held in memory
//!
//! kube-apiserver answers a list across namespaces in etcd key order (`<namespace>/<name>`; its
//! `continue` token is the last key sent), so a namespace's items are contiguous. A namespace is
//! handed over at the end of the page in which the stream moved past it: a type costs about one
//! page and one namespace of memory, not the whole type.
//!
//! The order is checked, not assumed: names must rise within a namespace, and a namespace the
//! stream left must not come back. From the first item out of that order, nothing more of the
//! type is handed over before the list ends (the rest is held). An item of a namespace already
//! handed over cannot be added to what was written, and is never written twice: that namespace's
//! list of the type is recorded as failed, so the read is partial, not wrongly complete.
//!
//! # What is left out
//!
//! Objects of namespaces that are not being read — created after the namespaces were listed, or
//! not among the projects of an account that may not list namespaces — are dropped: a list per
//! namespace would not have seen them either.
//!
//! # When the cluster-wide list is not read
//!
//! - 403 (accounts that may list only some namespaces): the namespaces not yet handed over are
//!   listed one by one, as without a cluster-wide list; a 403 there is recorded per namespace.
//! - Any other failure, after the retries, restarts and page shrinking every list has: each
//!   namespace not yet handed over is recorded as failed with its reason (the read is partial).
//!   Those are not listed again one by one: a failure that survived three tries is the server's,
//!   and a retry per namespace would send it up to one request per namespace (each with its own
//!   tries and time-outs) for the same answer, stretching a nightly run by hours to end partial
//!   all the same; the next run lists everything again.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use futures::{FutureExt, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc;

use super::Cluster;
use super::collect::{self, Listed, Pages, Target, Unread};
use super::discovery::ResourceType;
use crate::error::{Error, Result};

/// Namespace hand-offs a type's list may run ahead of the consumer: few, since a list that runs
/// ahead also holds the page it is splitting (at `--concurrency 8`, 8 lists of which 7 wait).
const QUEUE: usize = 4;

/// What a type's cluster-wide list hands to the consumer.
#[derive(Debug)]
enum Message {
    /// One namespace's list of the type, as a list of that namespace would have come to.
    Namespace(String, Listed),
    /// The type may not be listed cluster-wide: these namespaces are to be listed one by one.
    FallBack(Vec<String>),
    /// The read cannot go on (credentials rejected, byte budget spent).
    Fatal(Error),
}

/// Lists every namespaced type of `resources` once across all namespaces, `concurrency` types at
/// a time, and hands each namespace's list of each type to `consume`, type by type in the order
/// of `resources`. Returns the per-namespace lists still to take: those of the types this account
/// may not list cluster-wide.
pub async fn collect<'a>(
    cluster: &Cluster,
    resources: &'a [ResourceType],
    namespaces: &[String],
    selector: Option<&str>,
    concurrency: usize,
    mut consume: impl FnMut(&Target<'a>, Listed) -> Result<()>,
) -> Result<Vec<Target<'a>>> {
    let wanted: HashSet<&str> = namespaces.iter().map(String::as_str).collect();
    let mut receivers = Vec::new();
    let mut producers = Vec::new();
    for resource in resources.iter().filter(|r| r.namespaced) {
        let (sender, receiver) = mpsc::channel(QUEUE);
        receivers.push((resource, receiver));
        producers.push(produce(
            cluster, resource, &wanted, namespaces, selector, sender,
        ));
    }
    // The lists run ahead, at most `concurrency` at once, each at most QUEUE hand-offs ahead of
    // the consumer, which takes them type by type: the archive comes out in the same order each
    // run. A list is started before any later one, so the one the consumer waits on is running.
    let lists = futures::stream::iter(producers)
        .buffer_unordered(concurrency.max(1))
        .for_each(|()| async {})
        .map(Ok);
    let receive = async {
        let mut fall_back = Vec::new();
        for (resource, mut receiver) in receivers {
            while let Some(message) = receiver.recv().await {
                match message {
                    Message::Namespace(namespace, listed) => {
                        let target = Target {
                            resource,
                            namespace: Some(namespace),
                        };
                        consume(&target, listed)?;
                    }
                    Message::FallBack(namespaces) => {
                        fall_back.extend(namespaces.into_iter().map(|namespace| Target {
                            resource,
                            namespace: Some(namespace),
                        }))
                    }
                    Message::Fatal(error) => return Err(error),
                }
            }
        }
        Ok(fall_back)
    };
    let ((), fall_back) = futures::future::try_join(lists, receive).await?;
    Ok(fall_back)
}

/// Lists one type across all namespaces and sends what it came to, namespace by namespace.
async fn produce(
    cluster: &Cluster,
    resource: &ResourceType,
    wanted: &HashSet<&str>,
    namespaces: &[String],
    selector: Option<&str>,
    sender: mpsc::Sender<Message>,
) {
    let mut split = Split::new(resource, wanted, sender.clone());
    let ended = collect::list_into(cluster, resource, None, selector, &mut split).await;
    let sent = match ended {
        Ok(None) => split.finish(namespaces).await,
        Ok(Some(unread)) => split.unread(namespaces, unread).await,
        Err(error) => sender.send(Message::Fatal(error)).await.map_err(|_| ()),
    };
    // A send fails only when the consumer stopped (its error ends the read): nothing to do.
    let _ = sent;
}

/// The run of one namespace's items the stream is in.
struct Run {
    namespace: String,
    /// The name of the last item, to check that names rise.
    last_name: String,
    items: Vec<Value>,
}

/// Splits a cluster-wide list into namespaces and hands each over once it is whole.
struct Split<'w> {
    /// `pods`, for reasons.
    resource: String,
    /// The namespaces being read.
    wanted: &'w HashSet<&'w str>,
    sender: mpsc::Sender<Message>,
    /// Which pass over the list this is (a list starts over after an expired token).
    pass: u32,
    /// Namespaces handed over, and in which pass.
    handed: HashMap<String, u32>,
    /// The namespace the stream is in.
    current: Option<Run>,
    /// Namespaces the stream left and not handed over yet.
    held: BTreeMap<String, Vec<Value>>,
    /// Namespaces the stream left in this pass.
    passed: HashSet<String>,
    /// Whether the stream has kept etcd's order so far in this list.
    ordered: bool,
    /// Namespaces handed over of which more items came afterwards.
    late: BTreeSet<String>,
}

impl<'w> Split<'w> {
    fn new(
        resource: &ResourceType,
        wanted: &'w HashSet<&'w str>,
        sender: mpsc::Sender<Message>,
    ) -> Split<'w> {
        Split {
            resource: resource.qualified_name(),
            wanted,
            sender,
            pass: 0,
            handed: HashMap::new(),
            current: None,
            held: BTreeMap::new(),
            passed: HashSet::new(),
            ordered: true,
            late: BTreeSet::new(),
        }
    }

    async fn send(&self, message: Message) -> std::result::Result<(), ()> {
        self.sender.send(message).await.map_err(|_| ())
    }

    /// Hands over every namespace the stream left.
    async fn hand_over_held(&mut self) -> std::result::Result<(), ()> {
        for (namespace, items) in std::mem::take(&mut self.held) {
            self.handed.insert(namespace.clone(), self.pass);
            self.send(Message::Namespace(namespace, Listed::Items(items)))
                .await?;
        }
        Ok(())
    }

    /// The namespaces of `namespaces` not handed over yet, in that order.
    fn remaining(&self, namespaces: &[String]) -> Vec<String> {
        namespaces
            .iter()
            .filter(|ns| !self.handed.contains_key(*ns))
            .cloned()
            .collect()
    }

    /// Records a failure for each namespace of which items came after it was handed over.
    async fn report_late(&mut self) -> std::result::Result<(), ()> {
        for namespace in std::mem::take(&mut self.late) {
            let reason = format!(
                "the list of {} across all namespaces was not in namespace order: more of {namespace} came after its list was written",
                self.resource
            );
            self.send(Message::Namespace(namespace, Listed::Failed(reason)))
                .await?;
        }
        Ok(())
    }

    /// The list was read whole: everything held is handed over, then every namespace without
    /// items of this type as an empty list.
    async fn finish(mut self, namespaces: &[String]) -> std::result::Result<(), ()> {
        if let Some(run) = self.current.take() {
            self.held
                .entry(run.namespace)
                .or_default()
                .extend(run.items);
        }
        self.hand_over_held().await?;
        self.report_late().await?;
        for namespace in self.remaining(namespaces) {
            self.send(Message::Namespace(namespace, Listed::Items(Vec::new())))
                .await?;
        }
        Ok(())
    }

    /// The list ended unread: the namespaces not handed over fall back to their own lists
    /// (forbidden), or are failed (anything else).
    async fn unread(
        mut self,
        namespaces: &[String],
        unread: Unread,
    ) -> std::result::Result<(), ()> {
        self.report_late().await?;
        let remaining = self.remaining(namespaces);
        match unread {
            Unread::Forbidden(_) => self.send(Message::FallBack(remaining)).await,
            Unread::Failed(reason) => {
                let reason = format!("{reason} (listing all namespaces at once)");
                for namespace in remaining {
                    self.send(Message::Namespace(
                        namespace,
                        Listed::Failed(reason.clone()),
                    ))
                    .await?;
                }
                Ok(())
            }
        }
    }
}

impl Pages for Split<'_> {
    async fn page(&mut self, items: Vec<Value>) -> Result<()> {
        for item in items {
            let metadata = item.get("metadata");
            let Some(namespace) = metadata
                .and_then(|m| m.get("namespace"))
                .and_then(Value::as_str)
                .filter(|ns| self.wanted.contains(ns))
            else {
                continue;
            };
            if let Some(&pass) = self.handed.get(namespace) {
                // Read whole in an earlier pass: this pass sends it again. In this pass: the
                // server left the namespace and came back to it.
                if pass == self.pass {
                    self.late.insert(namespace.to_string());
                    self.ordered = false;
                }
                continue;
            }
            let namespace = namespace.to_string();
            let name = metadata
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            match &mut self.current {
                Some(run) if run.namespace == namespace => {
                    if name <= run.last_name {
                        self.ordered = false;
                    }
                    run.last_name = name;
                    run.items.push(item);
                }
                _ => {
                    if let Some(run) = self.current.take() {
                        self.passed.insert(run.namespace.clone());
                        self.held
                            .entry(run.namespace)
                            .or_default()
                            .extend(run.items);
                    }
                    if self.passed.contains(&namespace) {
                        self.ordered = false;
                    }
                    let mut items = self.held.remove(&namespace).unwrap_or_default();
                    items.push(item);
                    self.current = Some(Run {
                        namespace,
                        last_name: name,
                        items,
                    });
                }
            }
        }
        if self.ordered {
            self.hand_over_held()
                .await
                .map_err(|()| Error::Runtime("the read stopped".into()))?;
        }
        Ok(())
    }

    fn restart(&mut self) {
        // What was handed over stays written (its items will be dropped when they come again);
        // the rest comes again.
        self.pass += 1;
        self.current = None;
        self.held.clear();
        self.passed.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(namespace: &str, name: &str) -> Value {
        json!({"metadata": {"namespace": namespace, "name": name}})
    }

    fn pods_resource() -> ResourceType {
        ResourceType {
            group: "".into(),
            version: "v1".into(),
            plural: "pods".into(),
            kind: "Pod".into(),
            namespaced: true,
        }
    }

    /// What the consumer would receive: `ns: name,name` or `ns: failed`.
    fn drain(receiver: &mut mpsc::Receiver<Message>) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(message) = receiver.try_recv() {
            out.push(match message {
                Message::Namespace(ns, Listed::Items(items)) => {
                    let names: Vec<&str> = items
                        .iter()
                        .map(|i| i["metadata"]["name"].as_str().unwrap())
                        .collect();
                    format!("{ns}: {}", names.join(","))
                }
                Message::Namespace(ns, Listed::Failed(_)) => format!("{ns}: failed"),
                Message::Namespace(ns, Listed::Forbidden(_)) => format!("{ns}: forbidden"),
                Message::FallBack(nss) => format!("fall back: {}", nss.join(",")),
                Message::Fatal(e) => format!("fatal: {e}"),
            });
        }
        out
    }

    fn namespaces() -> Vec<String> {
        ["a", "b", "c", "d"].map(String::from).to_vec()
    }

    #[tokio::test]
    async fn an_ordered_list_is_handed_over_page_by_page() {
        let wanted: HashSet<&str> = ["a", "b", "c", "d"].into();
        let (sender, mut receiver) = mpsc::channel(100);
        let mut split = Split::new(&pods_resource(), &wanted, sender);
        split
            .page(vec![pod("a", "1"), pod("a", "2"), pod("b", "1")])
            .await
            .unwrap();
        // a is whole once the stream moved to b; b may go on in the next page.
        assert_eq!(drain(&mut receiver), ["a: 1,2"]);
        split
            .page(vec![pod("b", "2"), pod("x", "1"), pod("d", "1")])
            .await
            .unwrap();
        assert_eq!(drain(&mut receiver), ["b: 1,2"]);
        split.finish(&namespaces()).await.unwrap();
        // x is not being read: dropped. c has no pods: an empty list.
        assert_eq!(drain(&mut receiver), ["d: 1", "c: "]);
    }

    #[tokio::test]
    async fn an_unordered_list_is_held_until_it_ends() {
        let wanted: HashSet<&str> = ["a", "b", "c", "d"].into();
        let (sender, mut receiver) = mpsc::channel(100);
        let mut split = Split::new(&pods_resource(), &wanted, sender);
        split
            .page(vec![pod("b", "2"), pod("b", "1"), pod("a", "1")])
            .await
            .unwrap();
        assert_eq!(drain(&mut receiver), Vec::<String>::new());
        split
            .page(vec![pod("b", "3"), pod("c", "1")])
            .await
            .unwrap();
        assert_eq!(drain(&mut receiver), Vec::<String>::new());
        split.finish(&namespaces()).await.unwrap();
        assert_eq!(drain(&mut receiver), ["a: 1", "b: 2,1,3", "c: 1", "d: "]);
    }

    #[tokio::test]
    async fn a_namespace_that_comes_back_after_it_was_written_is_failed_not_written_twice() {
        let wanted: HashSet<&str> = ["a", "b", "c", "d"].into();
        let (sender, mut receiver) = mpsc::channel(100);
        let mut split = Split::new(&pods_resource(), &wanted, sender);
        split
            .page(vec![pod("a", "1"), pod("b", "1")])
            .await
            .unwrap();
        assert_eq!(drain(&mut receiver), ["a: 1"]);
        split
            .page(vec![pod("a", "2"), pod("c", "1")])
            .await
            .unwrap();
        split.finish(&namespaces()).await.unwrap();
        assert_eq!(drain(&mut receiver), ["b: 1", "c: 1", "a: failed", "d: "]);
    }

    #[tokio::test]
    async fn after_a_restart_what_was_written_is_not_written_again() {
        let wanted: HashSet<&str> = ["a", "b", "c", "d"].into();
        let (sender, mut receiver) = mpsc::channel(100);
        let mut split = Split::new(&pods_resource(), &wanted, sender);
        split
            .page(vec![pod("a", "1"), pod("b", "1")])
            .await
            .unwrap();
        assert_eq!(drain(&mut receiver), ["a: 1"]);
        split.restart();
        split
            .page(vec![
                pod("a", "1"),
                pod("b", "1"),
                pod("b", "2"),
                pod("c", "1"),
            ])
            .await
            .unwrap();
        split.finish(&namespaces()).await.unwrap();
        assert_eq!(drain(&mut receiver), ["b: 1,2", "c: 1", "d: "]);
    }

    #[tokio::test]
    async fn forbidden_falls_back_and_failed_fails_what_was_not_handed_over() {
        let wanted: HashSet<&str> = ["a", "b", "c", "d"].into();
        let (sender, mut receiver) = mpsc::channel(100);
        let mut split = Split::new(&pods_resource(), &wanted, sender.clone());
        split
            .page(vec![pod("a", "1"), pod("b", "1")])
            .await
            .unwrap();
        split
            .unread(&namespaces(), Unread::Forbidden("forbidden".into()))
            .await
            .unwrap();
        assert_eq!(drain(&mut receiver), ["a: 1", "fall back: b,c,d"]);

        let mut split = Split::new(&pods_resource(), &wanted, sender);
        split
            .page(vec![pod("a", "1"), pod("b", "1")])
            .await
            .unwrap();
        split
            .unread(&namespaces(), Unread::Failed("503".into()))
            .await
            .unwrap();
        assert_eq!(
            drain(&mut receiver),
            ["a: 1", "b: failed", "c: failed", "d: failed"]
        );
    }
}
