//! Generated objects matched across two snapshots by owner and template rather than by name:
//! pods by their controller, ReplicationControllers and ReplicaSets by their DeploymentConfig or
//! Deployment, builds and jobs by their BuildConfig or CronJob, hash-suffixed ConfigMaps and
//! Secrets by their base name and content.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use super::refs::{owner_of, verified_owner};
use super::relation::{Came, Generated};
use super::templates::Mismatch;
use super::{Category, Entry, Finding, Owner, Relation, Sides, Subject};
use crate::diff::ObjectChange;
use crate::diff::path::Segment;
use crate::diff::value::{Change, ValueOptions, diff};
use crate::snapshot::{ObjectKey, Snapshot};

/// The top of an object's chain of owners (pod → RC → DC), within `snapshot`: every step a
/// verified owner ([`verified_owner`]), so a pod that only claims an owner is no generated pod.
fn top_owner(snapshot: &Snapshot, key: &ObjectKey, object: &Value) -> Option<Owner> {
    let mut owner = verified_owner(snapshot, &key.namespace, object)?;
    for _ in 0..3 {
        let Some(stored) = snapshot.owner(&owner.key(&key.namespace)) else {
            break;
        };
        match verified_owner(snapshot, &key.namespace, &stored.value()) {
            Some(next) => owner = next,
            None => break,
        }
    }
    Some(owner)
}

/// The revision of a ReplicationController or ReplicaSet.
fn revision(object: &Value) -> u64 {
    [
        "openshift.io/deployment-config.latest-version",
        "deployment.kubernetes.io/revision",
    ]
    .iter()
    .find_map(|name| {
        object
            .pointer(&format!(
                "/metadata/annotations/{}",
                name.replace('/', "~1")
            ))?
            .as_str()?
            .parse()
            .ok()
    })
    .unwrap_or(0)
}

/// kustomize's hash suffix: `-` and 10 characters of its alphabet.
fn hash_base(name: &str) -> Option<&str> {
    let (base, suffix) = name.rsplit_once('-')?;
    let alphabet = "bcdfghjklmnpqrstvwxz2456789";
    (suffix.len() == 10 && suffix.chars().all(|c| alphabet.contains(c)) && !base.is_empty())
        .then_some(base)
}

/// How alike two ConfigMaps or Secrets are: the number of equal data entries.
fn similarity(a: &Value, b: &Value) -> usize {
    ["data", "stringData", "binaryData"]
        .iter()
        .map(|field| {
            match (
                a.get(*field).and_then(Value::as_object),
                b.get(*field).and_then(Value::as_object),
            ) {
                (Some(x), Some(y)) => x.iter().filter(|(k, v)| y.get(*k) == Some(*v)).count(),
                _ => 0,
            }
        })
        .sum()
}

/// Replaces generation names (`web-3` → `web-4`) in a value, to see whether a change only
/// follows the rename.
fn substitute(value: &Value, renames: &[(String, String)]) -> Value {
    match value {
        Value::String(s) => {
            let mut s = s.clone();
            for (old, new) in renames {
                s = s.replace(old.as_str(), new);
            }
            Value::String(s)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, renames)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, renames)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn hide(change: Change, rule: &str) -> Finding {
    Finding {
        change,
        category: Category::Churn,
        reasons: Vec::new(),
        hidden_by: Some(rule.to_string()),
        note: None,
        accepted: false,
    }
}

/// The changes of a template between two versions of an owner, by path below the template and
/// old and new value.
fn template_changes(kind: &str, old: &Value, new: &Value) -> HashSet<String> {
    let (Some((_, a)), Some((_, b))) = (
        super::refs::pod_template(kind, old),
        super::refs::pod_template(kind, new),
    ) else {
        return HashSet::new();
    };
    diff(kind, &a, &b, &ValueOptions::default())
        .iter()
        .map(|c| format!("{}\u{0}{:?}\u{0}{:?}", c.path.human(), c.old, c.new))
        .collect()
}

/// The same change, seen below an object's `spec.template`.
fn relative_signature(change: &Change) -> Option<String> {
    match change.path.0.as_slice() {
        [Segment::Field(spec), Segment::Field(template), rest @ ..]
            if spec == "spec" && template == "template" =>
        {
            let relative = crate::diff::Path(rest.to_vec());
            Some(format!(
                "{}\u{0}{:?}\u{0}{:?}",
                relative.human(),
                change.old,
                change.new
            ))
        }
        _ => None,
    }
}

/// Findings of a pair: the diff of the two objects, with what follows the rename (and, for pods
/// and controllers, what follows their template or owner) hidden.
fn pair_findings(
    kind: &str,
    old: &Value,
    new: &Value,
    renames: &[(String, String)],
    owner_changes: Option<&HashSet<String>>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for change in diff(kind, old, new, &ValueOptions::default()) {
        let path = change.path.human();
        if path == "metadata.name" {
            findings.push(hide(change, "pair-name"));
            continue;
        }
        let follows_rename = match (&change.old, &change.new) {
            (Some(a), Some(b)) => substitute(a, renames) == *b,
            _ => false,
        } || matches!(&change.path.0.last(), Some(Segment::Item { label, .. }) if {
            // Keyed elements named after the generation (ownerReferences[ReplicationController/web-3]).
            let text = label.text();
            renames.iter().any(|(o, n)| text.contains(o.as_str()) || text.contains(n.as_str()))
        });
        if follows_rename {
            findings.push(hide(change, "follows-rename"));
        } else if kind == "Pod" && path.starts_with("spec") {
            // A replaced pod is checked against its own template instead (see templates.rs).
            findings.push(hide(change, "follows-template"));
        } else if owner_changes
            .is_some_and(|owned| relative_signature(&change).is_some_and(|s| owned.contains(&s)))
        {
            findings.push(hide(change, "follows-owner"));
        } else {
            findings.push(Finding::shown(change));
        }
    }
    findings
}

/// Merges removed and added generated objects into pairs, and relates new generated objects to
/// their owners. Three passes, in this order: pods and controllers by their top owner, then
/// builds and jobs (and what is left of pods and controllers) by their owner, then ConfigMaps
/// and Secrets by their content-hash suffix.
pub fn pair(entries: &mut Vec<Entry>, old: &Snapshot, new: &Snapshot) {
    let mut pairing = Pairing::default();
    pairing.by_owner(entries, old, new);
    pairing.relate_to_owners(entries, old, new);
    pairing.by_content_hash(entries);
    pairing.finish(entries);
    updated_in_place(entries, old, new);
}

/// Pods a StatefulSet updated in place (they keep their names, `db-0`): the changes that are
/// exactly their owner's template changes follow the owner and are hidden; a pod with nothing
/// else is churn, like a replaced pod of a Deployment.
fn updated_in_place(entries: &mut [Entry], old: &Snapshot, new: &Snapshot) {
    let mut owners: HashMap<ObjectKey, HashSet<String>> = HashMap::new();
    for entry in entries.iter_mut().filter(|e| {
        e.key.kind == "Pod" && e.change == ObjectChange::Changed && e.subject == Subject::Object
    }) {
        let Some(owner) = entry
            .new
            .as_ref()
            .and_then(|pod| verified_owner(new, &entry.key.namespace, pod))
        else {
            continue;
        };
        if owner.kind != "StatefulSet" {
            continue;
        }
        let owner_key = ObjectKey {
            namespace: entry.key.namespace.clone(),
            group: "apps".into(),
            kind: owner.kind.clone(),
            name: owner.name.clone(),
        };
        let changes =
            owners
                .entry(owner_key)
                .or_insert_with_key(|key| match (old.get(key), new.get(key)) {
                    (Some(a), Some(b)) => template_changes(&key.kind, &a.value(), &b.value()),
                    _ => HashSet::new(),
                });
        if changes.is_empty() {
            continue;
        }
        for finding in entry.findings.iter_mut().filter(|f| f.hidden_by.is_none()) {
            let c = &finding.change;
            let signature = format!("{}\u{0}{:?}\u{0}{:?}", c.path.human(), c.old, c.new);
            if changes.contains(&signature) {
                finding.hidden_by = Some("follows-owner".into());
            }
        }
        if entry.findings.iter().all(|f| f.hidden_by.is_some()) {
            entry.category = Category::Churn;
            entry.relation = Some(Relation::UpdatedWith(owner.clone()));
            entry.owner = Some(owner);
        }
    }
}

/// Pairs found so far, and the entries they took.
#[derive(Default)]
struct Pairing {
    consumed: HashSet<usize>,
    pairs: Vec<Entry>,
}

/// `(namespace, kind, owner)`: a series of generated objects.
type Series = (String, String, Owner);

/// A generated object's predecessor: its name, body, and entry (none when it was not removed,
/// only scaled down).
type Predecessor = (String, Value, Option<usize>);

impl Pairing {
    /// Pods and controllers of the same top owner, removed on one side and added on the other.
    fn by_owner(&mut self, entries: &[Entry], old: &Snapshot, new: &Snapshot) {
        let (removed, added) = series(entries, old, new);
        for (group, additions) in &added {
            let (namespace, kind, owner) = group;
            let owner_key = owner.key(namespace);
            let owner_changes = match (old.get(&owner_key), new.get(&owner_key)) {
                (Some(a), Some(b)) => Some(template_changes(&owner.kind, &a.value(), &b.value())),
                _ => None,
            };
            let mut predecessors: Vec<Predecessor> = removed
                .get(group)
                .into_iter()
                .flatten()
                .map(|&i| {
                    (
                        entries[i].key.name.clone(),
                        entries[i].old.clone().unwrap_or_default(),
                        Some(i),
                    )
                })
                .collect();
            // A controller scaled down to nothing stays in the snapshot; a finished job that
            // stays is history, not a predecessor.
            if kind != "Pod" && kind != "Job" && predecessors.is_empty() {
                predecessors.extend(latest_controller(old, group));
            }
            let mut additions = additions.clone();
            additions.sort_by(|a, b| entries[*a].key.name.cmp(&entries[*b].key.name));
            predecessors.sort_by(|a, b| a.0.cmp(&b.0));
            for (&a, predecessor) in additions.iter().zip(predecessors) {
                let owned = (kind != "Pod").then_some(owner_changes.as_ref()).flatten();
                self.replace(entries, a, predecessor, owner, owned);
            }
        }
    }

    /// Pairs the added generated object `a` with `predecessor`, its owner's earlier one.
    fn replace(
        &mut self,
        entries: &[Entry],
        a: usize,
        (old_name, old_value, removed_index): Predecessor,
        owner: &Owner,
        owner_changes: Option<&HashSet<String>>,
    ) {
        let added = &entries[a];
        let kind = added.key.kind.as_str();
        let new_value = added.new.clone().unwrap_or_default();
        let mut renames = vec![(old_name.clone(), added.key.name.clone())];
        if kind == "Pod"
            && let (Some(old_rc), Some(new_rc)) =
                (owner_of("Pod", &old_value), owner_of("Pod", &new_value))
        {
            renames.insert(0, (old_rc.name, new_rc.name));
        }
        let findings = pair_findings(kind, &old_value, &new_value, &renames, owner_changes);
        let relation = if kind == "Job" {
            Relation::NextJob(owner.clone())
        } else {
            Relation::Replaced
        };
        self.pairs.push(Entry {
            subject: Subject::Pair { old_name },
            relation: Some(relation),
            owner: Some(owner.clone()),
            category: Category::Churn,
            findings,
            old: Some(old_value),
            api_version: Sides::new(added.api_version.new.clone(), added.api_version.new.clone()),
            change: ObjectChange::Changed,
            ..added.clone()
        });
        self.consumed.insert(a);
        self.consumed.extend(removed_index);
    }

    /// Builds of a BuildConfig, jobs of a CronJob (and pods and controllers left unpaired): new
    /// ones are their owner's doing, gone ones too.
    fn relate_to_owners(&self, entries: &mut [Entry], old: &Snapshot, new: &Snapshot) {
        for (i, entry) in entries.iter_mut().enumerate() {
            if self.consumed.contains(&i)
                || !matches!(
                    entry.key.kind.as_str(),
                    "Build" | "Job" | "Pod" | "ReplicationController" | "ReplicaSet"
                )
            {
                continue;
            }
            let (body, came, snapshot) = match entry.change {
                ObjectChange::Added => (entry.new.as_ref(), Came::New, new),
                ObjectChange::Removed => (entry.old.as_ref(), Came::Gone, old),
                ObjectChange::Changed => continue,
            };
            // Only an owner that is there vouches for the object. Builds of old archives name
            // their BuildConfig by annotation only; it must still be in the snapshot.
            let owner = body.and_then(|b| {
                if entry.key.kind == "Build" {
                    owner_of("Build", b)
                        .filter(|owner| snapshot.owner(&owner.key(&entry.key.namespace)).is_some())
                } else {
                    verified_owner(snapshot, &entry.key.namespace, b)
                }
            });
            if let Some(owner) = owner {
                entry.relation = Some(Relation::Generated {
                    came,
                    what: Generated::of_kind(&entry.key.kind),
                    owner,
                });
                entry.category = Category::Churn;
            }
        }
    }

    /// ConfigMaps and Secrets renamed by a content-hash suffix: each removed one with the most
    /// alike added one of the same base name.
    fn by_content_hash(&mut self, entries: &[Entry]) {
        let removed: Vec<usize> = (0..entries.len())
            .filter(|i| {
                !self.consumed.contains(i)
                    && entries[*i].change == ObjectChange::Removed
                    && hash_base(&entries[*i].key.name).is_some()
            })
            .collect();
        for r in removed {
            let gone = &entries[r];
            let base = hash_base(&gone.key.name).unwrap_or_default();
            let old_value = gone.old.clone().unwrap_or_default();
            let best = (0..entries.len())
                .filter(|a| {
                    let e = &entries[*a];
                    !self.consumed.contains(a)
                        && e.change == ObjectChange::Added
                        && e.key.kind == gone.key.kind
                        && e.key.namespace == gone.key.namespace
                        && hash_base(&e.key.name) == Some(base)
                })
                .max_by_key(|a| {
                    similarity(&old_value, entries[*a].new.as_ref().unwrap_or(&Value::Null))
                });
            let Some(a) = best else { continue };
            let added = &entries[a];
            let new_value = added.new.clone().unwrap_or_default();
            let renames = vec![(gone.key.name.clone(), added.key.name.clone())];
            let findings = pair_findings(&added.key.kind, &old_value, &new_value, &renames, None);
            self.pairs.push(Entry {
                subject: Subject::Pair {
                    old_name: gone.key.name.clone(),
                },
                relation: Some(Relation::RenamedByContentHash),
                findings,
                old: Some(old_value),
                change: ObjectChange::Changed,
                api_version: Sides::new(
                    gone.api_version.old.clone(),
                    added.api_version.new.clone(),
                ),
                ..added.clone()
            });
            self.consumed.insert(a);
            self.consumed.insert(r);
        }
    }

    /// Replaces the paired entries by their pairs, in report order.
    fn finish(self, entries: &mut Vec<Entry>) {
        let mut kept: Vec<Entry> = std::mem::take(entries)
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !self.consumed.contains(i))
            .map(|(_, e)| e)
            .collect();
        kept.extend(self.pairs);
        kept.sort_by(|a, b| a.key.cmp(&b.key));
        *entries = kept;
    }
}

/// The removed and the added pods and controllers of each series, by entry.
fn series(
    entries: &[Entry],
    old: &Snapshot,
    new: &Snapshot,
) -> (BTreeMap<Series, Vec<usize>>, BTreeMap<Series, Vec<usize>>) {
    let mut removed: BTreeMap<Series, Vec<usize>> = BTreeMap::new();
    let mut added: BTreeMap<Series, Vec<usize>> = BTreeMap::new();
    for (i, entry) in entries.iter().enumerate() {
        if !matches!(
            entry.key.kind.as_str(),
            "Pod" | "ReplicationController" | "ReplicaSet" | "Job"
        ) {
            continue;
        }
        let (snapshot, body, map) = match entry.change {
            ObjectChange::Removed => (old, entry.old.as_ref(), &mut removed),
            ObjectChange::Added => (new, entry.new.as_ref(), &mut added),
            ObjectChange::Changed => continue,
        };
        if let Some(owner) = body.and_then(|b| top_owner(snapshot, &entry.key, b)) {
            let series = (entry.key.namespace.clone(), entry.key.kind.clone(), owner);
            map.entry(series).or_default().push(i);
        }
    }
    (removed, added)
}

/// A controller's predecessor usually stays (scaled down): the latest revision of the owner's
/// controllers in the old snapshot.
fn latest_controller(old: &Snapshot, series: &Series) -> Option<Predecessor> {
    let (namespace, kind, owner) = series;
    old.iter()
        .filter(|(k, _)| k.namespace == *namespace && k.kind == *kind)
        .map(|(k, s)| (k.name.clone(), s.value()))
        .filter(|(_, v)| owner_of(kind, v).as_ref() == Some(owner))
        .max_by_key(|(_, v)| revision(v))
        .map(|(name, value)| (name, value, None))
}

/// The common beginning of names, up to a `-`, with `*`: `web-3-*`.
fn pattern(names: &[&str]) -> String {
    let first = names[0];
    let mut prefix_len = first.len();
    for name in &names[1..] {
        prefix_len = prefix_len.min(
            first
                .bytes()
                .zip(name.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    let prefix = &first[..prefix_len];
    let cut = prefix.rfind('-').map_or(0, |i| i + 1);
    format!("{}*", &first[..cut])
}

/// Collapses the replaced pods of each controller into one entry with a count.
pub fn collapse(entries: &mut Vec<Entry>, mismatches: &[Mismatch]) {
    let mut groups: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, entry) in entries.iter().enumerate() {
        if entry.key.kind == "Pod" && matches!(entry.subject, Subject::Pair { .. }) {
            let owner = entry
                .new
                .as_ref()
                .and_then(|v| owner_of("Pod", v))
                .map(|owner| owner.name)
                .unwrap_or_default();
            groups
                .entry((entry.key.namespace.clone(), owner))
                .or_default()
                .push(i);
        }
    }
    let mut remove: Vec<usize> = Vec::new();
    for members in groups.into_values() {
        let first = members[0];
        let pairs: Vec<Sides<String>> = members
            .iter()
            .map(|&i| {
                Sides::new(
                    entries[i].old_name().unwrap_or_default().to_string(),
                    entries[i].key.name.clone(),
                )
            })
            .collect();
        let edited: Vec<String> = pairs
            .iter()
            .filter(|names| {
                mismatches.iter().any(|m| {
                    m.object.namespace == entries[first].key.namespace && m.object.name == names.new
                })
            })
            .map(|names| names.new.clone())
            .collect();
        let count = pairs.len();
        let category = if edited.is_empty() {
            Category::Churn
        } else {
            Category::PodEdited
        };
        let mut findings = Vec::new();
        for &i in &members {
            findings.append(&mut entries[i].findings);
        }
        let collapsed = &mut entries[first];
        let patterns = if count > 1 {
            let olds: Vec<&str> = pairs.iter().map(|names| names.old.as_str()).collect();
            let news: Vec<&str> = pairs.iter().map(|names| names.new.as_str()).collect();
            Sides::new(pattern(&olds), pattern(&news))
        } else {
            pairs[0].clone()
        };
        collapsed.subject = Subject::Group {
            patterns,
            members: pairs,
        };
        collapsed.relation = Some(Relation::PodsReplaced { count, edited });
        collapsed.findings = findings;
        collapsed.category = category;
        remove.extend(members[1..].iter().copied());
    }
    remove.sort_unstable_by(|a, b| b.cmp(a));
    for i in remove {
        entries.remove(i);
    }
}

#[cfg(test)]
mod tests;
