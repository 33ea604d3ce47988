//! Reading a cluster, once, for every consumer: connect, discover, settle the namespaces, list
//! every type page by page, leave out generated token secrets, prune, and hand each list to a
//! [`Consumer`] (ripgrep's `Sink` pattern): the archive writer of `driftlab export`, the snapshot
//! builder of `driftlab diff … live`.
//!
//! What was read is judged, not assumed: the [`ReadReport`] says what could not be read, and a
//! read that found nothing trustworthy (no API server at the URL, core discovery failing, nothing
//! readable in any namespace) is an error, so that no caller ever takes it for a complete, empty
//! cluster.

use std::collections::BTreeMap;

use serde_json::Value;

use super::collect::{self, Listed, Target};
use super::discovery::{self, Discovered, Gap, GapScope, ResourceType};
use super::references::Referenced;
use super::wide;
use super::{Cluster, ClusterOptions, ClusterScoped, KeepProvenance};
use crate::apiserver::managed;
use crate::error::{Error, Result};
use crate::normalize;
use crate::secret::{self, SecretKey};
use crate::timestamp::Timestamp;

/// The `type` of the token secrets the cluster generates for each service account: always left
/// out (the cluster makes new ones on restore; in a diff they are noise).
pub const SERVICE_ACCOUNT_TOKEN_TYPE: &str = "kubernetes.io/service-account-token";

/// What to do with the values of Secret objects.
#[derive(Clone, Debug, Default)]
pub enum SecretValues {
    /// As the API serves them.
    #[default]
    Keep,
    /// Hashed: HMAC-SHA-256 with the key when there is one, SHA-256 otherwise.
    Hash(Option<std::sync::Arc<SecretKey>>),
    /// Secrets are not read at all.
    Skip,
}

/// What is about to be read; given to [`Consumer::begin`].
#[derive(Debug)]
pub struct ReadPlan<'a> {
    /// The API server.
    pub url: &'a str,
    /// The types to read.
    pub resources: &'a [ResourceType],
    /// The namespaces to read.
    pub namespaces: &'a [String],
    /// How many lists will be taken.
    pub lists: usize,
    /// What discovery could not read.
    pub gaps: &'a [Gap],
    /// Problems that lose nothing.
    pub warnings: &'a [String],
}

/// Receives what a read finds, in a fixed order.
pub trait Consumer {
    /// Called once, before the first list.
    fn begin(&mut self, _plan: &ReadPlan<'_>) -> Result<()> {
        Ok(())
    }

    /// The pruned objects of one list (possibly none).
    fn items(&mut self, target: &Target<'_>, items: Vec<Value>) -> Result<()>;

    /// A list that was not read: forbidden to this account, or failed.
    fn not_read(&mut self, _target: &Target<'_>, _problem: &ListProblem) {}
}

/// A list that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListProblem {
    /// `deploymentconfigs.apps.openshift.io`.
    pub resource: String,
    /// The namespace; `None` for a cluster-scoped type.
    pub namespace: Option<String>,
    /// Why.
    pub reason: String,
    /// The account may not read it (403), as opposed to a failure.
    pub forbidden: bool,
}

/// What a read came to.
#[derive(Debug)]
pub struct ReadReport {
    /// The API server URL.
    pub url: String,
    /// `/version` as the server answered it.
    pub server_version: Option<Value>,
    /// The namespace of the kubeconfig context.
    pub default_namespace: String,
    /// The namespaces read.
    pub namespaces: Vec<String>,
    /// The types read.
    pub resources: Vec<ResourceType>,
    /// Objects read per type (`qualified_name`).
    pub counts: BTreeMap<String, usize>,
    /// Lists this account may not read (403): recorded, not a failure.
    pub forbidden: Vec<ListProblem>,
    /// Lists that failed after retries, or that the server answered in a way that cannot be
    /// trusted (repeated continue tokens, pages without end, bodies too large).
    pub failed: Vec<ListProblem>,
    /// What discovery (or the namespace list) could not read.
    pub gaps: Vec<Gap>,
    /// Problems that lose nothing.
    pub warnings: Vec<String>,
    /// Service-account token secrets left out.
    pub token_secrets: usize,
    /// Objects read in all.
    pub objects: usize,
    /// HTTP requests sent to the API server, retries included.
    pub requests: u64,
    /// When the read started and ended.
    pub started: Timestamp,
    /// When the read ended.
    pub finished: Timestamp,
}

impl ReadReport {
    /// Whether everything the account may read was read: discovery of the core API and of
    /// every group succeeded, and every list was read whole or is forbidden to this account.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.gaps.is_empty()
    }

    /// What is missing, one phrase each: for messages.
    pub fn missing(&self) -> Vec<String> {
        let lists = self.failed.iter().map(|p| match &p.namespace {
            Some(ns) => format!("{} in {ns}: {}", p.resource, p.reason),
            None => format!("{}: {}", p.resource, p.reason),
        });
        self.gaps.iter().map(Gap::to_string).chain(lists).collect()
    }
}

/// Reads the cluster `options` names and hands what it finds to `consumer`.
///
/// Runs on the shared runtime ([`crate::runtime`]). SIGINT, SIGTERM and SIGHUP end the read with an error, so that the
/// caller drops what it was writing (an archive's temporary file) instead of finishing it.
pub fn read(
    options: &ClusterOptions,
    secrets: &SecretValues,
    consumer: &mut dyn Consumer,
) -> Result<ReadReport> {
    crate::runtime::block_on(async {
        tokio::select! {
            result = read_async(options, secrets, consumer) => result,
            signal = crate::interrupt::signalled() => Err(Error::Interrupted(signal)),
        }
    })?
}

async fn read_async(
    options: &ClusterOptions,
    secrets: &SecretValues,
    consumer: &mut dyn Consumer,
) -> Result<ReadReport> {
    let started = Timestamp::now();
    let cluster = Cluster::connect(options).await?;
    let Discovered {
        mut resources,
        server_version,
        mut gaps,
        warnings,
    } = discovery::discover(&cluster, options).await?;
    if matches!(secrets, SecretValues::Skip) {
        resources.retain(|r| !(r.group.is_empty() && r.plural == "secrets"));
    }
    let (namespaces, namespace_gaps) = discovery::namespaces(&cluster, options).await?;
    gaps.extend(namespace_gaps);
    let cluster_wide = options.namespaces.is_empty() && !options.list_per_namespace;
    let (targets, lists) = plan_lists(cluster_wide, &resources, &namespaces);
    consumer.begin(&ReadPlan {
        url: &cluster.url,
        resources: &resources,
        namespaces: &namespaces,
        lists,
        gaps: &gaps,
        warnings: &warnings,
    })?;

    let mut tally = Tally {
        keep: options.keep,
        ..Tally::default()
    };
    let selector = options.selector.as_deref();
    let referenced = options.cluster_scoped == ClusterScoped::Referenced;
    if referenced {
        tally.referenced = Some(Referenced::namespaces(&namespaces));
    }
    let mut rest = targets;
    if cluster_wide {
        let fall_back = wide::collect(
            &cluster,
            &resources,
            &namespaces,
            selector,
            options.concurrency,
            |target, listed| tally.take(target, listed, secrets, consumer),
        )
        .await?;
        rest.splice(0..0, fall_back);
    }
    // With Referenced, the namespaced lists come first: what they refer to decides which
    // cluster-scoped objects are kept.
    let passes: Vec<Vec<Target<'_>>> = if referenced {
        let (namespaced, cluster_scoped) = rest.into_iter().partition(|t| t.namespace.is_some());
        vec![namespaced, cluster_scoped]
    } else {
        vec![rest]
    };
    for targets in passes {
        collect::collect(
            &cluster,
            targets,
            selector,
            options.concurrency,
            |target, listed| tally.take(target, listed, secrets, consumer),
        )
        .await?;
    }
    gaps.extend(unreadable_namespaces(&cluster.url, &namespaces, &tally)?);

    Ok(ReadReport {
        url: cluster.url.clone(),
        server_version,
        default_namespace: cluster.default_namespace.clone(),
        namespaces,
        resources,
        counts: tally.counts,
        forbidden: tally.forbidden,
        failed: tally.failed,
        gaps,
        warnings,
        token_secrets: tally.token_secrets,
        objects: tally.objects,
        requests: cluster.requests(),
        started,
        finished: Timestamp::now(),
    })
}

/// The lists to make one by one, and how many lists the read makes in all.
///
/// `cluster_wide`, every namespace is read: one list per type across all of them (wide.rs), then
/// lists per namespace only for the types this account may not list so; the targets here are
/// then the cluster-scoped types only (a target per type and namespace would be 200,000 of them
/// on a large cluster).
fn plan_lists<'a>(
    cluster_wide: bool,
    resources: &'a [ResourceType],
    namespaces: &[String],
) -> (Vec<Target<'a>>, usize) {
    if cluster_wide {
        let targets = collect::targets(resources, &[]);
        let namespaced_lists = resources.iter().filter(|r| r.namespaced).count() * namespaces.len();
        let lists = targets.len() + namespaced_lists;
        (targets, lists)
    } else {
        let targets = collect::targets(resources, namespaces);
        let lists = targets.len();
        (targets, lists)
    }
}

/// What the lists came to, so far.
#[derive(Default)]
struct Tally {
    counts: BTreeMap<String, usize>,
    forbidden: Vec<ListProblem>,
    failed: Vec<ListProblem>,
    token_secrets: usize,
    objects: usize,
    /// Namespaces in which at least one list was read.
    readable: std::collections::HashSet<String>,
    /// What to keep of how objects were written.
    keep: KeepProvenance,
    /// With [`ClusterScoped::Referenced`]: what the namespaced objects read so far refer to.
    referenced: Option<Referenced>,
}

impl Default for KeepProvenance {
    fn default() -> Self {
        ClusterOptions::default().keep
    }
}

impl Tally {
    fn take(
        &mut self,
        target: &Target<'_>,
        listed: Listed,
        secrets: &SecretValues,
        consumer: &mut dyn Consumer,
    ) -> Result<()> {
        let resource = target.resource;
        let problem = |reason: String, forbidden: bool| ListProblem {
            resource: resource.qualified_name(),
            namespace: target.namespace.clone(),
            reason,
            forbidden,
        };
        match listed {
            Listed::Items(mut items) => {
                if let Some(namespace) = &target.namespace {
                    self.readable.insert(namespace.clone());
                }
                if let Some(referenced) = &mut self.referenced {
                    if target.namespace.is_some() {
                        items
                            .iter()
                            .for_each(|i| referenced.note(&resource.kind, i));
                        let custom =
                            !crate::snapshot::kinds::is_built_in(&resource.kind, &resource.group);
                        if custom && !items.is_empty() {
                            referenced.note_custom(&resource.plural, &resource.group);
                        }
                    } else {
                        items.retain(|i| {
                            let name = i.pointer("/metadata/name").and_then(Value::as_str);
                            name.is_some_and(|n| {
                                referenced.contains(&resource.group, &resource.kind, n)
                            })
                        });
                    }
                }
                let items = prune(items, resource, secrets, self.keep, &mut self.token_secrets);
                *self.counts.entry(resource.qualified_name()).or_default() += items.len();
                self.objects += items.len();
                consumer.items(target, items)
            }
            Listed::Forbidden(reason) => {
                let problem = problem(reason, true);
                consumer.not_read(target, &problem);
                self.forbidden.push(problem);
                Ok(())
            }
            Listed::Failed(reason) => {
                let problem = problem(reason, false);
                consumer.not_read(target, &problem);
                self.failed.push(problem);
                Ok(())
            }
        }
    }
}

/// Namespaces in which no list at all could be read. None readable at all means nothing
/// trustworthy was read: an error. Some unreadable: gaps.
fn unreadable_namespaces(url: &str, namespaces: &[String], tally: &Tally) -> Result<Vec<Gap>> {
    let unreadable: Vec<&String> = namespaces
        .iter()
        .filter(|ns| !tally.readable.contains(*ns))
        .collect();
    if !namespaces.is_empty() && unreadable.len() == namespaces.len() {
        let why = tally
            .failed
            .iter()
            .chain(&tally.forbidden)
            .next()
            .map(|p| {
                format!(
                    " (first: {} in {}: {})",
                    p.resource,
                    p.namespace.as_deref().unwrap_or("-"),
                    p.reason
                )
            })
            .unwrap_or_default();
        return Err(Error::Cluster(format!(
            "{url}: nothing could be read in any namespace{why}"
        )));
    }
    Ok(unreadable
        .into_iter()
        .map(|namespace| Gap {
            what: format!("namespace {namespace}"),
            reason: "no list could be read".into(),
            scope: GapScope::Namespace(namespace.clone()),
        })
        .collect())
}

/// Prunes a list as archives and live snapshots keep it: housekeeping fields and per-type rules
/// out, token secrets out, secret values hashed when asked.
fn prune(
    items: Vec<Value>,
    resource: &ResourceType,
    secrets: &SecretValues,
    keep: KeepProvenance,
    token_secrets: &mut usize,
) -> Vec<Value> {
    let is_secret = resource.group.is_empty() && secret::is_secret_kind(&resource.kind);
    let mut kept = Vec::with_capacity(items.len());
    for mut item in items {
        if is_secret && item.get("type").and_then(Value::as_str) == Some(SERVICE_ACCOUNT_TOKEN_TYPE)
        {
            *token_secrets += 1;
            continue;
        }
        let managed = keep
            .managed_fields
            .then(|| {
                item.pointer("/metadata/managedFields")
                    .map(managed::compact)
            })
            .flatten()
            .filter(|list| list.as_array().is_some_and(|l| !l.is_empty()));
        let last_applied = (keep.last_applied && !is_secret)
            .then(|| {
                item.pointer("/metadata/annotations")?
                    .get(normalize::LAST_APPLIED)
                    .cloned()
            })
            .flatten();
        normalize::prune_for_export(&mut item, &resource.kind);
        normalize::restore_provenance(&mut item, managed, last_applied);
        if let SecretValues::Hash(key) = secrets {
            secret::redact_object(&mut item, key.as_deref());
        }
        kept.push(item);
    }
    kept
}
