//! Who made a change: the field manager that owns a changed field in the new snapshot
//! ([`crate::apiserver::managed`]), for the report (`by kubectl-edit, 2026-11-24 14:02`) and the ranking
//! (a change made by hand ranks first within its category).

use std::collections::HashMap;

use serde_json::Value;

use super::Entry;
use crate::apiserver::managed::{self, Manager, Step};
use crate::diff::path::Segment;
use crate::diff::{Change, Op, Path};
use crate::snapshot::{ObjectKey, Snapshot};

/// The manager that last wrote a changed field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribution {
    /// Its name (`kubectl-edit`).
    pub manager: String,
    /// `Update` or `Apply`.
    pub operation: String,
    /// When, as the server wrote it (RFC 3339).
    pub time: Option<String>,
    /// Whether it is a person's tool ([`managed::is_interactive`]).
    pub interactive: bool,
}

impl Attribution {
    fn of(manager: &Manager) -> Attribution {
        Attribution {
            manager: manager.name.clone(),
            operation: manager.operation.clone(),
            time: manager.time.clone(),
            interactive: managed::is_interactive(&manager.name),
        }
    }

    /// `kubectl-edit, 2026-11-24 14:02` (the time in minutes, as people read it).
    pub fn describe(&self) -> String {
        match self.time.as_deref().map(short_time) {
            Some(time) => format!("{}, {time}", self.manager),
            None => self.manager.clone(),
        }
    }
}

/// `2026-11-24T14:02:31Z` → `2026-11-24 14:02`; anything else as it is.
fn short_time(time: &str) -> String {
    match (time.get(..10), time.get(10..11), time.get(11..16)) {
        (Some(date), Some("T"), Some(clock)) => format!("{date} {clock}"),
        _ => time.to_string(),
    }
}

/// The attributions of a diff's changes, by object and path.
#[derive(Clone, Debug, Default)]
pub struct Attributions(HashMap<(ObjectKey, Path), Attribution>);

impl Attributions {
    /// Who made the change at `path` of the object `key`, if known.
    pub fn get(&self, key: &ObjectKey, path: &Path) -> Option<&Attribution> {
        self.0.get(&(key.clone(), path.clone()))
    }
}

/// Attributes every change that leaves a value in the new snapshot (additions, replacements,
/// moves) to the manager that owns it there. Removals have no owner left to ask.
pub fn attribute(entries: &[Entry], new: &Snapshot) -> Attributions {
    let mut found = HashMap::new();
    for entry in entries {
        let (Some(object), Some(stored)) = (entry.new.as_ref(), new.get(&entry.key)) else {
            continue;
        };
        let Some(provenance) = stored.provenance() else {
            continue;
        };
        if provenance.managers.is_empty() {
            continue;
        }
        for finding in &entry.findings {
            if let Some(by) = owner_of(&finding.change, &provenance.managers, object) {
                found.insert((entry.key.clone(), finding.change.path.clone()), by);
            }
        }
    }
    Attributions(found)
}

fn owner_of(change: &Change, managers: &[Manager], object: &Value) -> Option<Attribution> {
    if change.op == Op::Remove {
        return None;
    }
    let mut steps = Vec::new();
    for segment in &change.path.0 {
        match segment {
            Segment::Field(name) => steps.push(Step::Field(name)),
            Segment::Item { new: Some(i), .. } => steps.push(Step::Item(*i)),
            Segment::Item { new: None, .. } => return None,
            // A change inside an embedded document belongs to whoever wrote the string.
            Segment::Document(_) => break,
        }
    }
    managed::owner(managers, object, &steps).map(Attribution::of)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_minutes() {
        assert_eq!(short_time("2026-11-24T14:02:31Z"), "2026-11-24 14:02");
        assert_eq!(short_time("yesterday"), "yesterday");
        let by = Attribution {
            manager: "kubectl-edit".into(),
            operation: "Update".into(),
            time: Some("2026-11-24T14:02:00Z".into()),
            interactive: true,
        };
        assert_eq!(by.describe(), "kubectl-edit, 2026-11-24 14:02");
    }
}
