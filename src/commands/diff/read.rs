//! Reading both sides of a diff: files in parallel, a `live` side restricted to what the other
//! side holds, and what could not be read left out of the comparison.

use super::DiffCommand;
use crate::cluster::live;
use crate::cluster::read::ReadReport;
use crate::cluster::{ClusterScoped, context_namespace, names};
use crate::error::{Error, Result};
use crate::messages;
use crate::report::words;
use crate::schema::crd::{CRD_GROUP, CRD_KIND};
use crate::snapshot::{Snapshot, kinds};
use crate::source::{self, ReadOptions};

/// Reads both sides: files in parallel; a `live` side after the other, restricted to the
/// namespaces (and cluster-scoped kinds) the other side holds.
pub(super) fn read_both(command: &DiffCommand) -> Result<(Snapshot, Snapshot)> {
    let live_side = |argument: &str| live::parse_argument(argument);
    let (old_live, new_live) = (live_side(&command.old), live_side(&command.new));
    let read = ReadOptions {
        default_namespace: Some(default_namespace(
            command,
            old_live.as_ref().or(new_live.as_ref()),
        )),
        // An object both sides hold is kept once, and compared by a pointer.
        texts: Some(crate::snapshot::TextPool::default()),
        ..command.read.clone()
    };
    let old_read = side_options(&read, &command.namespace_map, Side::Old);
    let new_read = side_options(&read, &command.namespace_map, Side::New);
    match (old_live, new_live) {
        (None, None) => {
            let (old, new) = std::thread::scope(|scope| {
                let old = scope.spawn(|| source::read(&command.old, &old_read));
                let new = source::read(&command.new, &new_read);
                let old = old
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (old, new)
            });
            Ok((old?, new?))
        }
        (Some(context), None) => {
            let mut new = source::read(&command.new, &new_read)?;
            let other = Other {
                snapshot: &mut new,
                side: Side::New,
            };
            let old = read_live(command, &old_read, context, &command.old, Some(other))?;
            Ok((old, new))
        }
        (None, Some(context)) => {
            let mut old = source::read(&command.old, &old_read)?;
            let other = Other {
                snapshot: &mut old,
                side: Side::Old,
            };
            let new = read_live(command, &new_read, context, &command.new, Some(other))?;
            Ok((old, new))
        }
        (Some(old_context), Some(new_context)) => {
            let old = read_live(command, &old_read, old_context, &command.old, None)?;
            let new = read_live(command, &new_read, new_context, &command.new, None)?;
            Ok((old, new))
        }
    }
}

/// Which side of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Old,
    New,
}

/// The other side of a live one, already read.
struct Other<'a> {
    snapshot: &'a mut Snapshot,
    side: Side,
}

/// `namespace` as the side `side` names it under `--map-namespace OLD=NEW`: `-n shop-prod` (or
/// `-n shop-staging`) asks the old side for shop-staging and the new side for shop-prod.
fn on_side(map: &[(String, String)], namespace: &str, side: Side) -> String {
    map.iter()
        .find_map(|(old, new)| match side {
            Side::Old if new == namespace => Some(old.clone()),
            Side::New if old == namespace => Some(new.clone()),
            _ => None,
        })
        .unwrap_or_else(|| namespace.to_string())
}

/// The read options of one side: its `-n` words and default namespace as that side names them.
/// The words keep their order, so that what each matched still adds up word by word.
fn side_options(read: &ReadOptions, map: &[(String, String)], side: Side) -> ReadOptions {
    let mut options = read.clone();
    for namespace in options
        .filter
        .namespaces
        .iter_mut()
        .chain(options.default_namespace.as_mut())
    {
        *namespace = on_side(map, namespace, side);
    }
    options
}

/// Where objects that name no namespace go: `--default-namespace`, else the single `-n`, else
/// (when a side is live) the namespace of its kubeconfig context, else `default`, as kubectl
/// and Argo CD decide.
fn default_namespace(command: &DiffCommand, live_context: Option<&Option<String>>) -> String {
    if let Some(namespace) = &command.read.default_namespace {
        return namespace.clone();
    }
    live_context
        .and_then(|context| {
            let mut options = command.cluster.clone();
            if context.is_some() {
                options.context = context.clone();
            }
            context_namespace(&options)
        })
        .unwrap_or_else(|| "default".to_string())
}

fn read_live(
    command: &DiffCommand,
    read: &ReadOptions,
    context: Option<String>,
    label: &str,
    other: Option<Other<'_>>,
) -> Result<Snapshot> {
    let mut options = command.cluster.clone();
    if context.is_some() {
        options.context = context;
    }
    options.max_bytes = command.read.max_bytes;
    // Who wrote what, and what kubectl apply applied: for attribution and --desired.
    options.keep.managed_fields = true;
    options.keep.last_applied = true;
    let filter = &read.filter;
    // The namespaces the other side holds, as this side names them.
    let live_side = match other.as_ref().map(|o| o.side) {
        Some(Side::Old) => Side::New,
        _ => Side::Old,
    };
    options.namespaces = if filter.namespaces.is_empty() {
        other
            .as_ref()
            .map(|o| o.snapshot.namespaces())
            .unwrap_or_default()
            .iter()
            .map(|ns| on_side(&command.namespace_map, ns, live_side))
            .collect()
    } else {
        filter.namespaces.clone()
    };
    // Names from a file are data: only valid namespace names go into a URL.
    options.namespaces.retain(|ns| {
        let valid = names::is_dns1123_label(ns);
        if !valid && !command.quiet {
            messages::warning(&format!(
                "{ns:?} is not a valid namespace name; not read from {label}"
            ));
        }
        valid
    });
    // Custom resources on the other side are compared through the cluster's definitions of
    // them: read, and set aside (out of the comparison) when the other side holds none.
    let mut definitions_for_schemas = false;
    if let Some(other) = other.as_ref() {
        let mut kinds: std::collections::HashSet<(String, String)> = other
            .snapshot
            .iter()
            .filter(|(key, _)| key.is_cluster_scoped())
            .map(|(key, _)| (key.group.clone(), key.kind.clone()))
            .collect();
        let definition = (CRD_GROUP.to_string(), CRD_KIND.to_string());
        let custom = other
            .snapshot
            .iter()
            .any(|(key, _)| !kinds::is_built_in(&key.kind, &key.group));
        if custom && !kinds.contains(&definition) {
            kinds.insert(definition);
            definitions_for_schemas = true;
        }
        options.cluster_scoped = ClusterScoped::Only(kinds);
    }
    let (mut snapshot, report) = live::read(&options, filter, label)?;
    if definitions_for_schemas {
        snapshot.set_aside_where(|key| key.group == CRD_GROUP && key.kind == CRD_KIND);
    }
    if !report.is_complete() && !command.allow_partial {
        let missing = report.missing();
        return Err(Error::Cluster(format!(
            "{label}: the cluster could not be read completely ({} missing, first: {}); --allow-partial compares what could be read",
            missing.len(),
            missing.first().map(String::as_str).unwrap_or("?")
        )));
    }
    if let Some(other) = other {
        let names = |namespace: &str| on_side(&command.namespace_map, namespace, live_side);
        leave_out_unread(other.snapshot, &report, label, &names, command.quiet);
    }
    Ok(snapshot)
}

/// Takes out of the other side the objects of types the live side could not read (forbidden
/// to the account, or failed with `--allow-partial`): unread is not removed. `names` gives the
/// live side's name of one of the other side's namespaces (`--map-namespace`).
fn leave_out_unread(
    other: &mut Snapshot,
    report: &ReadReport,
    label: &str,
    names: &dyn Fn(&str) -> String,
    quiet: bool,
) {
    for gap in &report.gaps {
        let left_out =
            other.remove_where(|key| gap.scope.covers(&key.group, &names(&key.namespace)));
        if left_out > 0 && !quiet {
            messages::warning(&format!(
                "{label}: {gap}; {} left out of the comparison",
                words::plural(left_out, "object")
            ));
        }
    }
    for problem in report.forbidden.iter().chain(&report.failed) {
        let Some(resource) = report
            .resources
            .iter()
            .find(|r| r.qualified_name() == problem.resource)
        else {
            continue;
        };
        let namespace = problem.namespace.clone().unwrap_or_default();
        let left_out = other.remove_where(|key| {
            key.group == resource.group
                && key.kind == resource.kind
                && names(&key.namespace) == namespace
        });
        if left_out > 0 && !quiet {
            messages::warning(&format!(
                "{label}: {} could not be read ({}); {} of it left out of the comparison",
                problem.resource,
                problem.reason,
                words::plural(left_out, "object")
            ));
        }
    }
}
