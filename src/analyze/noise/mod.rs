//! The noise profile: changes that are housekeeping, hidden by default and counted, each hidden by
//! a named rule so that `--explain` can say why. Built-in rules live in one table; user rules come
//! from `--ignore-file` or `.driftlabignore`, in a shape modelled on Argo CD's `ignoreDifferences`.
//!
//! `builtin` holds the built-in table, `conditions` and `upgrade` the conditions its rules
//! check, `user` the ignore files; this module the profile that asks them, and the
//! [`Context`] of one object they read.

mod builtin;
mod conditions;
mod upgrade;
mod user;

pub use builtin::{BUILTIN, BuiltinRule};
pub use upgrade::is_api_upgrade;
pub use user::{UserRule, parse_ignore_file};

use std::cell::OnceCell;

use serde_json::Value;

use crate::diff::{Change, PathPattern};
use crate::snapshot::ObjectKey;

/// What a rule may look at besides the change: the object it is in.
pub struct Context<'a> {
    /// The object's identity.
    pub key: &'a ObjectKey,
    /// The old version, if any.
    pub old: Option<&'a Value>,
    /// The new version, if any.
    pub new: Option<&'a Value>,
    /// Each version with the server's defaults filled in, worked out once per object when a
    /// change first asks.
    defaulted: [OnceCell<Option<Value>>; 2],
    /// What both versions grant ([`super::security`]), worked out once per object when a
    /// built-in rule first matches.
    security: OnceCell<super::security::Comparison>,
}

impl<'a> Context<'a> {
    /// The context of the object `key`, in its old and new versions.
    pub fn new(key: &'a ObjectKey, old: Option<&'a Value>, new: Option<&'a Value>) -> Self {
        Context {
            key,
            old,
            new,
            defaulted: [OnceCell::new(), OnceCell::new()],
            security: OnceCell::new(),
        }
    }

    /// Whether `change` gains or loses a setting of the security table, which no built-in rule
    /// may hide.
    pub fn security_sensitive(&self, change: &Change) -> bool {
        super::security::may_touch(&self.key.kind, change)
            && self
                .security
                .get_or_init(|| super::security::Comparison::of(&self.key.kind, self.old, self.new))
                .touched_by(change)
                .is_some()
    }

    /// The old (`new_side` false) or new version with the server's defaults filled in.
    fn defaulted(&self, new_side: bool) -> Option<&Value> {
        let (cell, object) = if new_side {
            (&self.defaulted[1], self.new)
        } else {
            (&self.defaulted[0], self.old)
        };
        cell.get_or_init(|| object.map(crate::apiserver::defaults::defaulted))
            .as_ref()
    }

    /// The object's annotation `name` (new version first).
    fn annotation(&self, name: &str) -> Option<&str> {
        [self.new, self.old]
            .into_iter()
            .flatten()
            .find_map(|o| o.pointer("/metadata/annotations")?.get(name)?.as_str())
    }

    /// Whether a controller (DeploymentConfig, Deployment, …) owns the object.
    fn controlled(&self) -> bool {
        [self.new, self.old].into_iter().flatten().any(|o| {
            o.pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|refs| {
                    refs.iter()
                        .any(|r| r.get("controller") == Some(&Value::Bool(true)))
                })
                || o.pointer("/metadata/annotations/openshift.io~1deployment-config.name")
                    .is_some()
        })
    }
}
/// The noise profile in force: built-in rules (unless turned off) and user rules.
#[derive(Debug)]
pub struct NoiseProfile {
    builtin: Vec<(&'static BuiltinRule, Vec<PathPattern>)>,
    user: Vec<UserRule>,
}

impl NoiseProfile {
    /// The profile with the built-in table (when `defaults`) and `user` rules.
    pub fn new(defaults: bool, user: Vec<UserRule>) -> NoiseProfile {
        let builtin = if defaults {
            BUILTIN
                .iter()
                .map(|rule| {
                    let patterns = rule
                        .paths
                        .iter()
                        .map(|p| PathPattern::parse(p).expect("built-in patterns parse"))
                        .collect();
                    (rule, patterns)
                })
                .collect()
        } else {
            Vec::new()
        };
        NoiseProfile { builtin, user }
    }

    /// The name of the built-in rule that hides `change` in the object of `cx`, if one does.
    /// User rules are asked apart ([`NoiseProfile::user_rule_hiding`]): what they hide is the
    /// user's choice, counted per rule, not noise.
    ///
    /// Built-in rules never hide a change of the security table ([`super::security`]): a rule
    /// written for housekeeping (`scc-assigned`, `service-account-token`, `api-upgrade`, …) must
    /// not become the place where a privileged container or a wider role binding hides. The
    /// user's own rules may; the report then says so.
    pub fn hides(&self, cx: &Context<'_>, change: &Change) -> Option<String> {
        self.builtin
            .iter()
            .find(|(rule, patterns)| {
                (rule.kinds.is_empty() || rule.kinds.contains(&cx.key.kind.as_str()))
                    && patterns.iter().any(|p| p.matches(&change.path))
                    && rule.when.is_none_or(|when| when(cx, change))
            })
            .filter(|_| !cx.security_sensitive(change))
            .map(|(rule, _)| rule.name.to_string())
    }

    /// Whether a built-in rule names a path strictly below `path` for this object.
    pub fn reaches_below(&self, key: &ObjectKey, path: &crate::diff::Path) -> bool {
        self.builtin
            .iter()
            .filter(|(rule, _)| rule.kinds.is_empty() || rule.kinds.contains(&key.kind.as_str()))
            .any(|(_, patterns)| patterns.iter().any(|p| p.reaches_below(path)))
    }

    /// The user rules, in the order they were read.
    pub fn user_rules(&self) -> &[UserRule] {
        &self.user
    }

    /// The index in [`NoiseProfile::user_rules`] of the first user rule that hides `change` in
    /// the object `key`, if one does.
    pub fn user_rule_hiding(&self, key: &ObjectKey, change: &Change) -> Option<usize> {
        self.user.iter().position(|rule| {
            rule.applies_to(key) && rule.paths.iter().any(|p| p.matches(&change.path))
        })
    }

    /// Whether a user rule names a path strictly below `path` for the object `key`.
    pub fn user_reaches_below(&self, key: &ObjectKey, path: &crate::diff::Path) -> bool {
        self.user
            .iter()
            .filter(|rule| rule.applies_to(key))
            .any(|rule| rule.paths.iter().any(|p| p.reaches_below(path)))
    }
}

#[cfg(test)]
mod tests;
