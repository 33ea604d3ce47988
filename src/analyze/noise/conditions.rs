//! The conditions of built-in rules that read the object or the change: a generated host, a
//! controller, a server default, an admitted injection, an order change.

use serde_json::Value;

use super::Context;
use crate::diff::{Change, Op};

pub(super) fn route_host_generated(cx: &Context<'_>, _: &Change) -> bool {
    cx.annotation("openshift.io/host.generated") == Some("true")
}

pub(super) fn controller_managed(cx: &Context<'_>, _: &Change) -> bool {
    cx.controlled()
}

/// A cluster IP change that neither makes nor unmakes a headless Service (`clusterIP: None`).
pub(super) fn not_headless(cx: &Context<'_>, _: &Change) -> bool {
    let headless = |o: Option<&Value>| {
        o.and_then(|o| o.pointer("/spec/clusterIP"))
            .is_some_and(|ip| ip == "None")
    };
    headless(cx.old) == headless(cx.new)
}

/// A field one side has and the other lacks (not a change of its value).
pub(super) fn one_side_lacks(_: &Context<'_>, change: &Change) -> bool {
    matches!(change.op, Op::Add | Op::Remove)
}

/// An empty list added or removed.
pub(super) fn empty_list(_: &Context<'_>, change: &Change) -> bool {
    let value = match change.op {
        Op::Add => change.new.as_ref(),
        Op::Remove => change.old.as_ref(),
        _ => None,
    };
    value
        .and_then(Value::as_array)
        .is_some_and(|items| items.is_empty())
}

/// A ClusterRole whose rules the aggregation controller writes.
pub(super) fn aggregated(cx: &Context<'_>, _: &Change) -> bool {
    [cx.old, cx.new]
        .into_iter()
        .flatten()
        .any(|o| o.get("aggregationRule").is_some())
}

/// An order change of a keyed list (the values are the element keys).
pub(super) fn keyed_order(_: &Context<'_>, change: &Change) -> bool {
    change.op == Op::Move
        && change
            .old
            .as_ref()
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().all(Value::is_string))
}

/// The object on the side of `change` that holds the value (the new side for an addition, the old
/// side for a removal) and the JSON pointer of that value in it; `None` for a replacement, a move or
/// a change inside an embedded document.
pub(super) fn present_side<'a>(cx: &Context<'a>, change: &Change) -> Option<(&'a Value, String)> {
    if change.path.embedded().is_some() {
        return None;
    }
    match change.op {
        Op::Add => Some((cx.new?, change.path.pointer())),
        Op::Remove => Some((cx.old?, change.path.old_pointer())),
        _ => None,
    }
}

/// A field one side lacks and the other holds at the value the API server fills in when it is
/// absent ([`crate::apiserver::defaults`]): the same object, written once with and once without it.
///
/// Asked both ways: would the server fill in the present value were it absent here, and does the
/// other side, with its defaults filled in, hold the same value there? The second catches
/// defaults that come in pairs (a Job's `completions` is 1 only when `parallelism` is unset too).
pub(super) fn server_default(cx: &Context<'_>, change: &Change) -> bool {
    let Some((object, pointer)) = present_side(cx, change) else {
        return false;
    };
    let Some(present) = object.pointer(&pointer) else {
        return false;
    };
    let lacking_pointer = match change.op {
        Op::Add => change.path.old_pointer(),
        _ => change.path.pointer(),
    };
    cx.defaulted(change.op != Op::Add)
        .and_then(|other| other.pointer(&lacking_pointer))
        .is_some_and(|filled| filled == present)
        || crate::apiserver::defaults::is_default(object, &pointer).is_some()
}

/// A field one side lacks that an admission plugin or controller injected into the other
/// ([`crate::apiserver::injected`]): the token volume and its mounts, default tolerations, priority.
pub(super) fn admission_injected(cx: &Context<'_>, change: &Change) -> bool {
    let Some((object, pointer)) = present_side(cx, change) else {
        return false;
    };
    let injected =
        |pointer: &str| crate::apiserver::injected::is_injected(object, pointer).is_some();
    // A list the other side lacks altogether (tolerations, volumes): injected when every element is.
    match object.pointer(&pointer) {
        Some(Value::Array(items)) if !items.is_empty() => {
            (0..items.len()).all(|index| injected(&format!("{pointer}/{index}")))
        }
        _ => injected(&pointer),
    }
}
