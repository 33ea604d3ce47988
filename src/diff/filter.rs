//! Hiding changes by path rules (`--ignore` patterns, noise rules) without losing what a rule
//! does not cover: a whole map added or removed above a rule's path is opened up, key by key, so
//! that only the covered parts are hidden.

use serde_json::Value;

use super::path::{Path, Segment};
use super::value::{Change, Op};

/// Rules that hide changes by where they are.
pub trait PathRules {
    /// Why a change is hidden (which rule).
    type Reason: Clone;

    /// The rule that hides `change`, if any.
    fn hides(&self, change: &Change) -> Option<Self::Reason>;

    /// Whether some rule names a path strictly below `path`.
    fn reaches_below(&self, path: &Path) -> bool;
}

/// Splits changes into those shown and those hidden (with the reason).
pub fn split<R: PathRules>(
    changes: Vec<Change>,
    rules: &R,
) -> (Vec<Change>, Vec<(Change, R::Reason)>) {
    let mut shown = Vec::new();
    let mut hidden = Vec::new();
    let mut work: Vec<Change> = changes.into_iter().rev().collect();
    while let Some(change) = work.pop() {
        if let Some(reason) = rules.hides(&change) {
            hidden.push((change, reason));
        } else if let Some(parts) = open_up(&change).filter(|_| rules.reaches_below(&change.path)) {
            work.extend(parts.into_iter().rev());
        } else {
            shown.push(change);
        }
    }
    (shown, hidden)
}

/// A whole non-empty map added or removed, as one change per key.
fn open_up(change: &Change) -> Option<Vec<Change>> {
    let value = match change.op {
        Op::Add => change.new.as_ref(),
        Op::Remove => change.old.as_ref(),
        _ => None,
    }?;
    let Value::Object(map) = value else {
        return None;
    };
    if map.is_empty() {
        return None;
    }
    Some(
        map.iter()
            .map(|(key, item)| {
                let mut path = change.path.clone();
                path.0.push(Segment::Field(key.clone()));
                let (old, new) = match change.op {
                    Op::Add => (None, Some(item.clone())),
                    _ => (Some(item.clone()), None),
                };
                Change {
                    path,
                    op: change.op,
                    old,
                    new,
                    secret: change.secret,
                    format_only: false,
                    elided: None,
                }
            })
            .collect(),
    )
}

/// `--ignore` patterns as path rules; the reason is the pattern's index.
pub struct IgnorePatterns<'a>(pub &'a [super::PathPattern]);

impl PathRules for IgnorePatterns<'_> {
    type Reason = usize;

    fn hides(&self, change: &Change) -> Option<usize> {
        self.0.iter().position(|p| p.matches(&change.path))
    }

    fn reaches_below(&self, path: &Path) -> bool {
        self.0.iter().any(|p| p.reaches_below(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::PathPattern;
    use crate::diff::value::{ValueOptions, diff};
    use serde_json::json;

    #[test]
    fn a_pattern_below_a_removed_map_hides_only_its_part() {
        let old = json!({"metadata": {"labels": {"x": "1", "y": "2"}}});
        let new = json!({"metadata": {}});
        let changes = diff("ConfigMap", &old, &new, &ValueOptions::default());
        assert_eq!(changes.len(), 1);
        let patterns = [PathPattern::parse("metadata.labels.x").unwrap()];
        let (shown, hidden) = split(changes, &IgnorePatterns(&patterns));
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].path.human(), "metadata.labels.y");
        assert_eq!(hidden.len(), 1);
        assert_eq!(hidden[0].0.path.human(), "metadata.labels.x");
    }

    #[test]
    fn unrelated_patterns_leave_whole_changes_whole() {
        let old = json!({"spec": {}});
        let new = json!({"spec": {"strategy": {"type": "Rolling", "params": {"a": 1}}}});
        let changes = diff("X", &old, &new, &ValueOptions::default());
        let patterns = [PathPattern::parse("metadata.labels").unwrap()];
        let (shown, hidden) = split(changes.clone(), &IgnorePatterns(&patterns));
        assert_eq!(shown, changes);
        assert!(hidden.is_empty());
    }
}
