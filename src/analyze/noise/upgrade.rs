//! The condition of the `api-upgrade` rule: what an object looks like from a newer API server
//! without having changed (versions of one group, OpenShift 3's role bindings, namespace
//! bookkeeping).

use serde_json::Value;

use super::Context;
use crate::diff::{Change, Op};

/// What an API upgrade changes without changing the object (see [`is_api_upgrade`]).
pub(super) fn api_upgrade(cx: &Context<'_>, change: &Change) -> bool {
    is_api_upgrade(&cx.key.kind, cx.old, cx.new, change)
}

/// The differences between an object as an older API server returned it and the same object from
/// a newer one: an `apiVersion` at any depth moving between versions of one group (or from
/// OpenShift 3's plain `v1` to the group the kind lives in today), the OpenShift 3 form of RBAC
/// bindings, and the bookkeeping newer servers add to namespaces.
pub fn is_api_upgrade(
    kind: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    change: &Change,
) -> bool {
    let fields: Vec<&str> = change.path.fields().collect();
    if fields.last() == Some(&"apiVersion") && change.op == Op::Replace {
        return match (
            change.old.as_ref().and_then(Value::as_str),
            change.new.as_ref().and_then(Value::as_str),
        ) {
            (Some(a), Some(b)) => crate::snapshot::kinds::same_api(a, b),
            _ => false,
        };
    }
    match kind {
        "Namespace" | "Project" => {
            change.path.human() == r#"metadata.labels["kubernetes.io/metadata.name"]"#
                || fields == ["spec", "finalizers"]
        }
        "RoleBinding" | "ClusterRoleBinding" => legacy_binding(old, new, change, &fields),
        _ => false,
    }
}

/// A difference between OpenShift 3's form of a role binding and its RBAC v1 form: `userNames`
/// and `groupNames` (OpenShift 3 repeats the subjects there), the `apiGroup` RBAC v1 writes on
/// subjects and the role reference, and the role reference's `kind` (`Role` where OpenShift 3
/// named the role's namespace, else `ClusterRole`) and `namespace`. Only when one side lacks the
/// field, so a binding that really moves to another role is still a change.
fn legacy_binding(
    old: Option<&Value>,
    new: Option<&Value>,
    change: &Change,
    fields: &[&str],
) -> bool {
    let (lacking, holding, value) = match change.op {
        Op::Add => (old, new, change.new.as_ref()),
        Op::Remove => (new, old, change.old.as_ref()),
        _ => return false,
    };
    let (Some(lacking), Some(holding), Some(value)) = (lacking, holding, value) else {
        return false;
    };
    const RBAC: &str = "rbac.authorization.k8s.io";
    match fields {
        ["userNames"] | ["groupNames"] => true,
        ["subjects", "apiGroup"] | ["roleRef", "apiGroup"] => value.as_str() == Some(RBAC),
        ["roleRef", "kind"] => {
            let scoped = lacking
                .pointer("/roleRef/namespace")
                .is_some_and(|n| n.as_str().is_some_and(|n| !n.is_empty()));
            value.as_str() == Some(if scoped { "Role" } else { "ClusterRole" })
        }
        // OpenShift 3 named the role's namespace; RBAC v1 does not (the binding's own is meant,
        // with `kind: Role`). Without that kind the same roleRef names a ClusterRole: a Role
        // `admin` of one namespace become the ClusterRole `admin` is no rewrite.
        ["roleRef", "namespace"] => {
            let own_namespace = holding.pointer("/metadata/namespace");
            lacking.pointer("/roleRef/kind").and_then(Value::as_str) == Some("Role")
                && own_namespace.is_some_and(|ns| ns == value)
        }
        _ => false,
    }
}
