//! References that follow a renamed ConfigMap or Secret. When a config map generated with a
//! content-hash suffix is renamed (`app-env-9bfbmfgt2f → app-env-296567ccmt`), a list keyed by
//! the name it refers to (`envFrom[configMap:…]`, `imagePullSecrets[…]`) shows one element
//! removed and one added. Folded here into the one change that happened: the reference's name,
//! `"app-env-9bfbmfgt2f" → "app-env-296567ccmt"`.

use std::collections::HashSet;

use serde_json::Value;

use super::{Entry, Finding, Subject};
use crate::diff::path::{ItemLabel, Segment};
use crate::diff::value::{ValueOptions, diff};
use crate::diff::{Change, Op, Path};

/// Folds each removed-and-added pair of references to a renamed ConfigMap or Secret into one
/// change of the referenced name.
pub fn fold(entries: &mut [Entry]) {
    let renamed: HashSet<(String, String, String)> = entries
        .iter()
        .filter(|e| matches!(e.key.kind.as_str(), "ConfigMap" | "Secret"))
        .filter_map(|e| match &e.subject {
            Subject::Pair { old_name } => Some((
                e.key.namespace.clone(),
                old_name.clone(),
                e.key.name.clone(),
            )),
            _ => None,
        })
        .collect();
    if renamed.is_empty() {
        return;
    }
    for entry in entries.iter_mut() {
        let namespace = entry.key.namespace.clone();
        let is_renamed = |old: &str, new: &str| {
            renamed.contains(&(namespace.clone(), old.to_string(), new.to_string()))
        };
        fold_entry(&mut entry.findings, &is_renamed);
    }
}

fn fold_entry(findings: &mut Vec<Finding>, is_renamed: &dyn Fn(&str, &str) -> bool) {
    let mut index = 0;
    while index < findings.len() {
        let partner = removed_element(&findings[index]).and_then(|(parent, old_value)| {
            findings.iter().enumerate().find_map(|(j, f)| {
                let (added_parent, new_value) = added_element(f)?;
                if added_parent != parent {
                    return None;
                }
                let (inner, old_name, new_name) = only_a_name_changed(old_value, new_value)?;
                is_renamed(&old_name, &new_name).then_some((j, inner, old_name, new_name))
            })
        });
        let Some((added, inner, old_name, new_name)) = partner else {
            index += 1;
            continue;
        };
        let added_finding = findings.remove(added);
        let removed_at = if added < index { index - 1 } else { index };
        let removed = &findings[removed_at];
        let (Some(Segment::Item { old, .. }), Some(Segment::Item { label, new, .. })) = (
            removed.change.path.0.last(),
            added_finding.change.path.0.last(),
        ) else {
            index += 1;
            continue;
        };
        let mut segments = added_finding.change.path.0.clone();
        segments.pop();
        segments.push(Segment::Item {
            label: label.clone(),
            old: *old,
            new: *new,
        });
        segments.extend(inner.0);
        let folded = Finding {
            change: Change {
                path: Path(segments),
                op: Op::Replace,
                old: Some(Value::String(old_name)),
                new: Some(Value::String(new_name)),
                secret: false,
                format_only: false,
                elided: None,
            },
            ..added_finding
        };
        findings[removed_at] = folded;
        index = removed_at + 1;
    }
}

/// A visible whole keyed-list element removed: the list's path and the element.
fn removed_element(f: &Finding) -> Option<(&[Segment], &Value)> {
    element(f, Op::Remove, f.change.old.as_ref()?)
}

/// A visible whole keyed-list element added: the list's path and the element.
fn added_element(f: &Finding) -> Option<(&[Segment], &Value)> {
    element(f, Op::Add, f.change.new.as_ref()?)
}

fn element<'a>(f: &'a Finding, op: Op, value: &'a Value) -> Option<(&'a [Segment], &'a Value)> {
    if f.hidden_by.is_some() || f.change.op != op {
        return None;
    }
    let (last, parent) = f.change.path.0.split_last()?;
    matches!(
        last,
        Segment::Item {
            label: ItemLabel::Key(_),
            ..
        }
    )
    .then_some((parent, value))
}

/// When two elements differ in one string only: where, and the two strings.
fn only_a_name_changed(old: &Value, new: &Value) -> Option<(Path, String, String)> {
    let mut changes = diff("", old, new, &ValueOptions::default());
    if changes.len() != 1 {
        return None;
    }
    let change = changes.pop()?;
    match (change.op, change.old, change.new) {
        (Op::Replace, Some(Value::String(a)), Some(Value::String(b))) => Some((change.path, a, b)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::rank::Category;
    use serde_json::json;

    fn finding(change: Change) -> Finding {
        Finding {
            change,
            category: Category::RolloutTrigger,
            reasons: Vec::new(),
            hidden_by: None,
            note: None,
            accepted: false,
        }
    }

    #[test]
    fn a_reference_to_a_renamed_config_map_is_one_change() {
        let old = json!({"envFrom": [{"configMapRef": {"name": "app-env-9bfbmfgt2f"}}, {"secretRef": {"name": "s"}}]});
        let new = json!({"envFrom": [{"configMapRef": {"name": "app-env-296567ccmt"}}, {"secretRef": {"name": "s"}}]});
        let mut findings: Vec<Finding> = diff("Deployment", &old, &new, &ValueOptions::default())
            .into_iter()
            .map(finding)
            .collect();
        assert_eq!(
            findings.len(),
            2,
            "a removal and an addition before folding"
        );
        fold_entry(&mut findings, &|a, b| {
            a == "app-env-9bfbmfgt2f" && b == "app-env-296567ccmt"
        });
        assert_eq!(findings.len(), 1);
        let change = &findings[0].change;
        assert_eq!(
            change.path.human(),
            "envFrom[configMap:app-env-296567ccmt].configMapRef.name"
        );
        assert_eq!(change.path.pointer(), "/envFrom/0/configMapRef/name");
        assert_eq!(change.op, Op::Replace);
        assert_eq!(change.old, Some(json!("app-env-9bfbmfgt2f")));

        // Not a rename the snapshot knows of: left as it is.
        let mut findings: Vec<Finding> = diff("Deployment", &old, &new, &ValueOptions::default())
            .into_iter()
            .map(finding)
            .collect();
        fold_entry(&mut findings, &|_, _| false);
        assert_eq!(findings.len(), 2);
    }

    /// The addition may come before the removal (a list sorted by a new name): the folded change
    /// takes the removal's place, and the others stay as they were.
    #[test]
    fn a_rename_folds_whichever_half_comes_first() {
        let old = json!({"imagePullSecrets": [{"name": "pull-9bfbmfgt2f"}, {"name": "other"}],
            "envFrom": [{"configMapRef": {"name": "app-env-9bfbmfgt2f"}}]});
        let new = json!({"imagePullSecrets": [{"name": "pull-296567ccmt"}, {"name": "other"}],
            "envFrom": [{"configMapRef": {"name": "app-env-296567ccmt"}}]});
        let mut findings: Vec<Finding> = diff("Deployment", &old, &new, &ValueOptions::default())
            .into_iter()
            .map(finding)
            .collect();
        assert_eq!(findings.len(), 4);
        findings.reverse();
        let ops: Vec<Op> = findings.iter().map(|f| f.change.op).collect();
        fold_entry(&mut findings, &|a, b| {
            (a, b) == ("app-env-9bfbmfgt2f", "app-env-296567ccmt")
                || (a, b) == ("pull-9bfbmfgt2f", "pull-296567ccmt")
        });
        let folded: Vec<(String, Op)> = findings
            .iter()
            .map(|f| (f.change.path.human(), f.change.op))
            .collect();
        assert_eq!(folded.len(), 2, "{ops:?} folded to {folded:?}");
        assert!(
            folded.iter().all(|(_, op)| *op == Op::Replace),
            "{folded:?}"
        );
        assert!(
            folded
                .iter()
                .any(|(path, _)| path == "envFrom[configMap:app-env-296567ccmt].configMapRef.name"),
            "{folded:?}"
        );
    }
}
