//! Which changes to revert (the selection over the diff and its analysis), and the actions
//! that revert them, object by object.

use std::collections::HashSet;

use serde_json::Value;

use super::objects::{self, Holdings};
use super::{Action, ActionKind, Refusal, RevertOptions, Selection, Sides, Warning, guard, target};
use crate::analyze::{Analysis, Category, Subject};
use crate::diff::path::Path;
use crate::diff::{Change, DiffReport, ObjectChange, patch};
use crate::secret;
use crate::snapshot::ObjectKey;

/// An object to bring back, and the changes of it to revert.
#[derive(Debug)]
pub(super) struct Item {
    key: ObjectKey,
    what: ObjectChange,
    changes: Vec<Change>,
    /// Changes a controller made and makes again (an image set by an ImageChange trigger).
    triggered: Vec<Path>,
}

/// The objects and changes `selection` picks.
pub(super) fn select(
    report: &DiffReport,
    analysis: &Analysis,
    selection: &Selection<'_>,
) -> Result<Vec<Item>, Refusal> {
    let mut items = match selection.culprit {
        Some(n) => culprit_items(report, analysis, n)?,
        None => visible_items(report, analysis),
    };
    let mut seen = HashSet::new();
    items.retain(|item| seen.insert((item.key.clone(), item.what as u8)));
    if let Some(accepts) = selection.object {
        items.retain(|item| accepts(&item.key, None));
    }
    if let Some(pattern) = selection.path {
        for item in &mut items {
            item.changes.retain(|change| pattern.matches(&change.path));
        }
        items.retain(|item| !item.changes.is_empty());
    }
    Ok(items)
}

/// Every change no noise rule (built-in or the user's) hides, and the objects added and removed,
/// generated objects replaced as their owners do left out.
fn visible_items(report: &DiffReport, analysis: &Analysis) -> Vec<Item> {
    let hidden: HashSet<(&ObjectKey, &Path)> = analysis
        .entries
        .iter()
        .flat_map(|entry| {
            entry
                .findings
                .iter()
                .filter(|f| f.hidden_by.is_some())
                .map(|f| (&entry.key, &f.change.path))
        })
        // What the user's own rules hid (ignore files) is taken out of the entries.
        .chain(
            analysis
                .user_hidden
                .changes
                .iter()
                .map(|hidden| (&hidden.key, &hidden.change.path)),
        )
        .collect();
    let triggered: HashSet<(&ObjectKey, &Path)> = analysis
        .entries
        .iter()
        .flat_map(|entry| {
            entry
                .visible()
                .filter(|f| f.category == Category::TriggeredImage)
                .map(|f| (&entry.key, &f.change.path))
        })
        .collect();
    let mut churn: HashSet<ObjectKey> = HashSet::new();
    for entry in analysis.entries.iter().filter(|e| e.is_churn()) {
        churn.insert(entry.key.clone());
        let named = |name: &str| ObjectKey {
            name: name.to_string(),
            ..entry.key.clone()
        };
        if let Subject::Pair { old_name } = &entry.subject {
            churn.insert(named(old_name));
        }
        for member in entry.members() {
            churn.insert(named(&member.old));
            churn.insert(named(&member.new));
        }
    }
    report
        .objects
        .iter()
        .filter(|object| !churn.contains(&object.key))
        .map(|object| Item {
            key: object.key.clone(),
            what: object.change,
            changes: object
                .changes
                .iter()
                .filter(|c| !hidden.contains(&(&object.key, &c.path)))
                .cloned()
                .collect(),
            triggered: object
                .changes
                .iter()
                .filter(|c| triggered.contains(&(&object.key, &c.path)))
                .map(|c| c.path.clone())
                .collect(),
        })
        .filter(|item| item.what != ObjectChange::Changed || !item.changes.is_empty())
        .collect()
}

/// The objects and changes of the `n`-th likely culprit.
fn culprit_items(report: &DiffReport, analysis: &Analysis, n: usize) -> Result<Vec<Item>, Refusal> {
    let culprit = n
        .checked_sub(1)
        .and_then(|i| analysis.culprits.get(i))
        .ok_or(Refusal::NoSuchCulprit {
            asked: n,
            count: analysis.culprits.len(),
        })?;
    let mut items = Vec::new();
    for key in &culprit.objects {
        let entry = analysis.entries.iter().find(|e| &e.key == key);
        let object = report.objects.iter().find(|o| &o.key == key);
        if let Some(Subject::Pair { old_name }) = entry.map(|e| &e.subject)
            && culprit.objects.len() == 1
        {
            // A renamed or replaced object: GOOD's comes back, today's is listed as added.
            let old = ObjectKey {
                name: old_name.clone(),
                ..key.clone()
            };
            for (key, what) in [
                (old, ObjectChange::Removed),
                (key.clone(), ObjectChange::Added),
            ] {
                items.push(Item {
                    key,
                    what,
                    changes: Vec::new(),
                    triggered: Vec::new(),
                });
            }
            continue;
        }
        if culprit.changes.is_empty() {
            if let Some(object) = object {
                items.push(Item {
                    key: key.clone(),
                    what: object.change,
                    changes: object.changes.clone(),
                    triggered: Vec::new(),
                });
            }
            continue;
        }
        // A repeated change: this object's own (its list indices are its own).
        let changes = match object.filter(|_| culprit.objects.len() > 1) {
            Some(object) => object
                .changes
                .iter()
                .filter(|c| {
                    culprit.changes.iter().any(|asked| {
                        asked.path.human() == c.path.human()
                            && (asked.op, &asked.old, &asked.new) == (c.op, &c.old, &c.new)
                    })
                })
                .cloned()
                .collect(),
            None => culprit.changes.clone(),
        };
        let triggered = if culprit.category == Category::TriggeredImage {
            changes.iter().map(|c| c.path.clone()).collect()
        } else {
            Vec::new()
        };
        items.push(Item {
            key: key.clone(),
            what: ObjectChange::Changed,
            changes,
            triggered,
        });
    }
    Ok(items)
}

/// Makes the actions, object by object.
pub(super) struct Planner<'a> {
    sides: Sides<'a>,
    options: RevertOptions,
    holdings: Holdings<'a>,
    actions: Vec<Action>,
    warnings: Vec<Warning>,
    /// What objects of the plan refer to that today's side lacks: said at the end, unless the
    /// plan creates it.
    missing: Vec<(ObjectKey, objects::Missing)>,
}

impl<'a> Planner<'a> {
    pub(super) fn new(sides: Sides<'a>, options: RevertOptions) -> Planner<'a> {
        Planner {
            sides,
            options,
            holdings: Holdings::new(sides.current),
            actions: Vec::new(),
            warnings: Vec::new(),
            missing: Vec::new(),
        }
    }

    pub(super) fn finish(mut self) -> (Vec<Action>, Vec<Warning>) {
        let created = |m: &objects::Missing| {
            self.actions.iter().any(|a| {
                a.action == ActionKind::Create
                    && (
                        a.key.kind.as_str(),
                        a.key.namespace.as_str(),
                        a.key.name.as_str(),
                    ) == (m.kind.as_str(), m.namespace.as_str(), m.name.as_str())
            })
        };
        let lacking: Vec<String> = self
            .missing
            .iter()
            .filter(|(_, m)| !created(m))
            .map(|(key, m)| {
                format!(
                    "{key} refers to {}, which {} does not hold: restore it too",
                    m.text, self.sides.current.info.label
                )
            })
            .collect();
        for message in lacking {
            self.warn(message);
        }
        (self.actions, self.warnings)
    }

    pub(super) fn object(&mut self, item: &Item) {
        match item.what {
            ObjectChange::Removed => self.create(&item.key),
            ObjectChange::Added => self.added(&item.key),
            ObjectChange::Changed => self.changed(item),
        }
    }

    fn warn(&mut self, message: String) {
        let warning = Warning { message };
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }

    fn action(&mut self, action: ActionKind, key: &ObjectKey, api_version: &str) -> &mut Action {
        self.actions.push(Action {
            action,
            key: key.clone(),
            api_version: api_version.to_string(),
            resource: objects::resource(key),
            patch: Vec::new(),
            manifest: None,
            reverts: Vec::new(),
            reason: None,
        });
        self.actions.last_mut().expect("just pushed")
    }

    fn skip(&mut self, key: &ObjectKey, api_version: &str, reason: String, reverts: Vec<String>) {
        let action = self.action(ActionKind::Skip, key, api_version);
        action.reason = Some(reason);
        action.reverts = reverts;
    }

    fn owned(&mut self, key: &ObjectKey, value: &Value, api: &str, reverts: &[String]) -> bool {
        let sides = [self.sides.current, self.sides.good];
        let Some(owner) = objects::controller(key, value, &sides) else {
            return false;
        };
        let mut reason = format!("made by {} {}: revert that instead", owner.kind, owner.name);
        if key.kind == "Pod" && self.sides.current(key).is_some() {
            reason.push_str(" (a pod deleted is made again from its controller's template)");
        }
        self.skip(key, api, reason, reverts.to_vec());
        true
    }

    fn warn_missing(&mut self, key: &ObjectKey, value: &Value, creating: bool) {
        for missing in self.holdings.missing(key, value, creating) {
            self.missing.push((key.clone(), missing));
        }
    }

    /// GOOD's object, deleted since, comes back.
    fn create(&mut self, key: &ObjectKey) {
        let Some(stored) = self.sides.good(key) else {
            return;
        };
        let value = stored.value();
        let api = objects::api_version_today(key, &stored.api_version);
        if self.owned(key, &value, &api, &[]) {
            return;
        }
        if secret::is_secret_kind(&key.kind) {
            let hashed = objects::fingerprinted_values(&value);
            if !hashed.is_empty() {
                let reason = fingerprint_reason(&self.sides.good.info.label, &hashed);
                self.warn(format!("{key}: {reason}"));
                return self.skip(key, &api, reason, Vec::new());
            }
            if !self.options.show_secrets {
                let reason = "its values are written only with --show-secrets".to_string();
                self.warn(format!("{key}: not re-created, {reason}"));
                return self.skip(key, &api, reason, Vec::new());
            }
        }
        let manifest = objects::clean_manifest(key, &value, &api);
        self.warn_missing(key, &manifest, true);
        self.action(ActionKind::Create, key, &api).manifest = Some(manifest);
    }

    /// An object added since GOOD: deleted with `--delete-added`, else named.
    fn added(&mut self, key: &ObjectKey) {
        let Some(stored) = self.sides.current(key) else {
            return;
        };
        let owner = objects::controller(key, &stored.value(), &[self.sides.current]);
        if !self.options.delete_added {
            if owner.is_some() {
                // Made by a controller, as it makes them: nothing anyone would delete.
                return;
            }
            return self.warn(format!(
                "{key} was added since {}; left in place (--delete-added deletes it)",
                self.sides.good.info.label
            ));
        }
        let api = stored.api_version.clone();
        if !self.owned(key, &stored.value(), &api, &[]) {
            let reason = match key.kind.as_str() {
                "Namespace" => Some("deleting a namespace deletes every object in it"),
                "CustomResourceDefinition" => {
                    Some("deleting a CustomResourceDefinition deletes every object of its kind")
                }
                _ => None,
            };
            if let Some(reason) = reason {
                self.warn(format!("{key}: {reason}"));
            }
            self.action(ActionKind::Delete, key, &api).reason = reason.map(String::from);
        }
    }

    /// A changed object: one guarded patch for what can be reverted, a skip per reason for the
    /// rest.
    fn changed(&mut self, item: &Item) {
        let (key, changes) = (&item.key, &item.changes);
        let Some(current) = self.sides.current(key) else {
            return;
        };
        let api = current.api_version.clone();
        let normalised = current.value();
        let all: Vec<String> = changes.iter().map(|c| c.path.human()).collect();
        if self.owned(key, &normalised, &api, &all) {
            return;
        }
        let Some(good) = self.sides.good(key) else {
            // A renamed object's change (a repeated change on the new name).
            let reason = format!(
                "not in {}: it replaced an object of another name; revert the rename instead",
                self.sides.good.info.label
            );
            return self.skip(key, &api, reason, all);
        };
        let good_value = good.value();
        let mut skipped: Vec<(String, String)> = Vec::new();
        let mut chosen: Vec<&Change> = Vec::new();
        for change in changes {
            if item.triggered.contains(&change.path) {
                let reason = "set by its ImageChange trigger, which sets it again: point the trigger's image stream tag back instead";
                skipped.push((reason.to_string(), change.path.human()));
                continue;
            }
            match self.why_not(key, change, &normalised, &good_value) {
                Some(Why::Identity) => {}
                Some(Why::Skip(reason)) => skipped.push((reason, change.path.human())),
                None => chosen.push(change),
            }
        }
        if !chosen.is_empty() {
            let served = current.value_as_served();
            let reverts = dedup(chosen.iter().map(|c| c.path.human()).collect());
            match revert_patch(&served, &normalised, &good_value, &chosen) {
                Ok(ops) => {
                    let target = apply(&served, &ops);
                    self.warn_missing(key, &target, false);
                    let action = self.action(ActionKind::Patch, key, &api);
                    action.patch = ops;
                    action.reverts = reverts;
                }
                Err(reason) => self.skip(key, &api, reason.to_string(), reverts),
            }
        }
        let reasons = dedup(skipped.iter().map(|(r, _)| r.clone()).collect());
        for reason in reasons {
            let paths = skipped
                .iter()
                .filter(|(r, _)| *r == reason)
                .map(|(_, p)| p.clone())
                .collect();
            self.skip(key, &api, reason, paths);
        }
    }

    /// Why a change is not reverted, if it is not.
    fn why_not(
        &mut self,
        key: &ObjectKey,
        change: &Change,
        normalised: &Value,
        good: &Value,
    ) -> Option<Why> {
        let fields: Vec<&str> = change.path.fields().collect();
        if matches!(fields.first(), Some(&"apiVersion" | &"kind")) {
            // The patch is made for today's object as it is served.
            return Some(Why::Identity);
        }
        if fields == ["spec", "replicas"]
            && let Some(hpa) = self.holdings.autoscaler(key)
        {
            return Some(Why::Skip(format!(
                "set by HorizontalPodAutoscaler {hpa}: change its bounds instead"
            )));
        }
        // A Secret's whole `data` map, added or removed, is secret values too.
        let values_map = secret::is_secret_kind(&key.kind)
            && matches!(fields.first(), Some(&"data" | &"stringData"));
        let is_secret = change.secret || values_map || secret::is_secret_path(&key.kind, &fields);
        if !is_secret {
            return None;
        }
        let good_value = good.pointer(&change.path.old_pointer());
        let today = normalised.pointer(&change.path.pointer());
        if good_value.is_some_and(objects::holds_fingerprint) {
            let reason = fingerprint_reason(&self.sides.good.info.label, &[change.path.human()]);
            self.warn(format!("{key}: {reason}"));
            return Some(Why::Skip(reason));
        }
        if today.is_some_and(objects::holds_fingerprint) {
            return Some(Why::Skip(format!(
                "{} holds only a fingerprint of the value today: a patch could not test it",
                self.sides.current.info.label
            )));
        }
        if !self.options.show_secrets {
            return Some(Why::Skip(
                "a secret value: written only with --show-secrets".into(),
            ));
        }
        None
    }
}

/// Why a change is left out.
enum Why {
    /// It changes the object's type or identity: nothing to patch.
    Identity,
    /// Skipped, for this reason.
    Skip(String),
}

fn fingerprint_reason(good: &str, paths: &[String]) -> String {
    format!(
        "{good} holds only fingerprints of {}: a value cannot be restored from its hash",
        paths.join(", ")
    )
}

fn dedup(mut items: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    items.retain(|item| seen.insert(item.clone()));
    items
}

/// The guarded patch from `served` to it with `changes` put back as `good` has them.
fn revert_patch(
    served: &Value,
    normalised: &Value,
    good: &Value,
    changes: &[&Change],
) -> Result<Vec<json_patch::PatchOperation>, &'static str> {
    let target = target::revert(served, normalised, good, changes)
        .map_err(|_| "the change could not be placed on today's object")?;
    let ops = patch::patch(served, &target);
    if ops.is_empty() {
        return Err("today's object already holds GOOD's value");
    }
    guard::guard(served, ops).ok_or("the patch does not apply to today's object")
}

/// `ops` applied to `value` (they were checked to apply).
fn apply(value: &Value, ops: &[json_patch::PatchOperation]) -> Value {
    let mut out = value.clone();
    let _ = json_patch::patch(&mut out, ops);
    out
}
