//! The comparison of two versions' facts: which facts a change gains or loses
//! ([`Comparison::touched_by`]), and how to say so ([`Touched::describe`]).

use serde_json::Value;

use super::{Facts, covers, related};
use crate::diff::{Change, Op};

/// The facts of both versions of one object, to ask which changes are security-sensitive.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    old: Facts,
    new: Facts,
}

impl Comparison {
    /// The facts of `old` and `new`, versions of an object of `kind`.
    pub fn of(kind: &str, old: Option<&Value>, new: Option<&Value>) -> Comparison {
        if !covers(kind) {
            return Comparison::default();
        }
        Comparison {
            old: old.map(|o| Facts::of(kind, o)).unwrap_or_default(),
            new: new.map(|n| Facts::of(kind, n)).unwrap_or_default(),
        }
    }

    /// Whether the two versions grant the same.
    pub fn is_same(&self) -> bool {
        self.old == self.new
    }

    /// The first fact gained or lost where `change` is, if any: the change is security-sensitive.
    pub fn touched_by(&self, change: &Change) -> Option<Touched> {
        if self.is_same() || change.path.embedded().is_some() {
            return None;
        }
        let pointers: Vec<String> = [
            (change.op != Op::Remove).then(|| change.path.pointer()),
            (change.op != Op::Add).then(|| change.path.old_pointer()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let near = |at: &[String]| {
            pointers
                .iter()
                .any(|p| at.iter().any(|anchor| related(p, anchor)))
        };
        let gained = self
            .new
            .0
            .iter()
            .filter(|(what, _)| !self.old.0.contains_key(*what))
            .map(|fact| (fact, true));
        let lost = self
            .old
            .0
            .iter()
            .filter(|(what, _)| !self.new.0.contains_key(*what))
            .map(|fact| (fact, false));
        gained
            .chain(lost)
            .find(|((_, at), _)| near(at))
            .map(|((what, _), gained)| Touched {
                what: what.clone(),
                gained,
            })
    }

    /// Every fact the old version had and the new one lacks.
    pub fn lost(&self) -> impl Iterator<Item = &str> {
        self.old
            .0
            .keys()
            .filter(|what| !self.new.0.contains_key(*what))
            .map(String::as_str)
    }

    /// Every fact the new version has and the old one lacks.
    pub fn gained(&self) -> impl Iterator<Item = &str> {
        self.new
            .0
            .keys()
            .filter(|what| !self.old.0.contains_key(*what))
            .map(String::as_str)
    }
}

/// A fact a change gained or lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Touched {
    /// The fact (`spec.containers[web].securityContext.privileged: true`).
    pub what: String,
    /// Gained (the new version holds it) or lost.
    pub gained: bool,
}

impl Touched {
    /// For people: `security-sensitive: grants spec.hostPID: true`.
    pub fn describe(&self) -> String {
        // Whole specs (network and admission policies, SCCs, webhooks) are facts as a whole:
        // their text says nothing a person reads at a glance.
        if self.what.contains('{') {
            let setting = self.what.split(':').next().unwrap_or_default();
            return format!("security-sensitive: {setting} changed");
        }
        if self.gained {
            format!("security-sensitive: grants {}", self.what)
        } else {
            format!("security-sensitive: no longer {}", self.what)
        }
    }
}
