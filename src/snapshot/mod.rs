//! The snapshot model: a set of Kubernetes objects keyed by identity, independent of where the
//! objects came from (an archive, a directory, a live cluster).
//!
//! Objects are stored as compact JSON, not as parsed trees (a parsed `serde_json::Value` costs
//! about six times the JSON size): list items of JSON files as the text they were read from,
//! their normalised body built when first asked for ([`StoredObject`]); the rest normalised at
//! once. Most objects are unchanged between two nights: both sides of a comparison keep equal
//! texts once ([`TextPool`]), and a pointer comparison settles those.

mod builder;
mod identity;
pub mod kinds;
mod mapping;
mod stored;
mod texts;

#[cfg(test)]
pub(crate) use builder::tests as builder_tests;
pub use builder::{DuplicateRule, FileOrigin, FilterHits, ObjectFilter, SnapshotBuilder};
pub(crate) use builder::{ListContext, is_list_kind};
pub use mapping::map_namespaces;
pub use stored::StoredObject;
pub use texts::TextPool;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::timestamp::Timestamp;

/// The identity of an object: the same identity in two snapshots is the same object.
///
/// The API version is deliberately not part of it: `v1` `DeploymentConfig` from an OpenShift 3
/// archive is the same object as `apps.openshift.io/v1` `DeploymentConfig` today.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// The namespace; empty for cluster-scoped objects.
    pub namespace: String,
    /// The kind, e.g. `DeploymentConfig`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The API group; empty for the core group.
    pub group: String,
}

impl ObjectKey {
    /// `myproject/web`, or `web` for a cluster-scoped object.
    pub fn qualified_name(&self) -> String {
        if self.namespace.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.namespace, self.name)
        }
    }

    /// Whether the object is cluster-scoped.
    pub fn is_cluster_scoped(&self) -> bool {
        self.namespace.is_empty()
    }
}

/// `DeploymentConfig myproject/web`.
impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.qualified_name())
    }
}

/// A place in a file an object was read from: what CI annotations point at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The file, as the user named its folder or itself (`deploy/web.yaml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
}

/// What an object as the API server returned it says about how it was written; normalisation
/// removes both from the object itself.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// Its field managers (`metadata.managedFields`).
    pub managers: Vec<crate::apiserver::managed::Manager>,
    /// The object `kubectl apply` last applied (its `last-applied-configuration` annotation),
    /// parsed; never kept for Secrets, whose copy holds their values.
    pub last_applied: Option<Value>,
}

impl Provenance {
    /// Takes what [`Provenance`] keeps out of a raw object, as the compact JSON a
    /// [`StoredObject`] holds; `None` when the object has neither.
    pub fn extract(object: &Value, as_served: bool) -> Option<Box<str>> {
        let mut kept = serde_json::Map::new();
        if as_served {
            for (name, pointer) in [
                ("status", "/status"),
                ("creationTimestamp", "/metadata/creationTimestamp"),
            ] {
                if let Some(value) = object.pointer(pointer).filter(|v| !v.is_null()) {
                    kept.insert(name.into(), value.clone());
                }
            }
        }
        if let Some(list) = object.pointer("/metadata/managedFields")
            && list.as_array().is_some_and(|l| !l.is_empty())
        {
            kept.insert(
                "managedFields".into(),
                crate::apiserver::managed::compact(list),
            );
        }
        let secret = object.get("kind").and_then(Value::as_str) == Some("Secret");
        if !secret
            && let Some(text) = object
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(crate::normalize::LAST_APPLIED))
                .and_then(Value::as_str)
            && let Ok(applied @ Value::Object(_)) = serde_json::from_str::<Value>(text)
        {
            kept.insert("lastApplied".into(), applied);
        }
        if kept.is_empty() {
            return None;
        }
        Some(
            serde_json::to_string(&Value::Object(kept))
                .expect("a serde_json Value always serialises")
                .into_boxed_str(),
        )
    }
}

/// Where a snapshot came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    /// A zip written by `driftlab export`.
    DriftlabArchive,
    /// A zip written by the original openshift-backup tool.
    OpenshiftBackup,
    /// A zip of some other layout.
    Zip,
    /// A Velero backup tarball.
    Velero,
    /// A directory of manifests or an unzipped archive.
    Directory,
    /// A directory `kubectl diff` hands its external diff program (`KUBECTL_EXTERNAL_DIFF`):
    /// one extensionless file per object, empty where the object is absent on that side.
    KubectlDiff,
    /// A single JSON or YAML file.
    File,
    /// Standard input.
    Stdin,
    /// A live cluster.
    Live,
}

impl SourceFormat {
    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::DriftlabArchive => "driftlab archive",
            SourceFormat::OpenshiftBackup => "openshift-backup archive",
            SourceFormat::Zip => "zip archive",
            SourceFormat::Velero => "Velero backup",
            SourceFormat::Directory => "directory",
            SourceFormat::KubectlDiff => "kubectl diff directory",
            SourceFormat::File => "file",
            SourceFormat::Stdin => "standard input",
            SourceFormat::Live => "live cluster",
        }
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Something was wrong with the input but reading went on.
    Warning,
    /// Something the user may want to know, such as a derived file that was ignored.
    Note,
}

/// A message about the input that did not stop reading it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Warning or note.
    pub level: Level,
    /// One line, naming the file.
    pub message: String,
}

/// Whether the export that wrote an archive read everything the account may read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completeness {
    /// Everything was read.
    pub complete: bool,
    /// What was not, one phrase each (`API group apps.openshift.io/v1: not discovered: 503`).
    pub missing: Vec<String>,
}

/// What is known about a snapshot besides its objects.
#[derive(Clone, Debug)]
pub struct SourceInfo {
    /// The argument it was read from, as the user wrote it.
    pub label: String,
    /// The kind of source.
    pub format: SourceFormat,
    /// When it was taken: from the archive's manifest, else the date stamp in its name.
    pub taken: Option<Timestamp>,
    /// What a driftlab archive's export said of itself; `None` for other sources.
    pub completeness: Option<Completeness>,
    /// The namespaces this side was read as (`--map-namespace OLD=NEW`, applied to the old side):
    /// `(OLD, NEW)` pairs, for the reports to name both.
    pub namespace_map: Vec<(String, String)>,
}

/// A set of objects keyed by identity, with what reading them had to say.
#[derive(Debug)]
pub struct Snapshot {
    /// Where it came from.
    pub info: SourceInfo,
    /// Warnings and notes from reading it.
    pub diagnostics: Vec<Diagnostic>,
    /// How many objects each filter word matched before filtering.
    pub filter_hits: FilterHits,
    objects: BTreeMap<ObjectKey, StoredObject>,
    /// Controllers that `--kind` or `--name` left out of the comparison, kept only to vouch for
    /// the objects they own ([`Snapshot::owner`]).
    owners_left_out: BTreeMap<ObjectKey, StoredObject>,
}

impl Snapshot {
    /// A snapshot of `objects`.
    pub fn new(
        info: SourceInfo,
        objects: BTreeMap<ObjectKey, StoredObject>,
        diagnostics: Vec<Diagnostic>,
    ) -> Snapshot {
        Snapshot {
            info,
            diagnostics,
            filter_hits: FilterHits::default(),
            objects,
            owners_left_out: BTreeMap::new(),
        }
    }

    /// Keeps `owners`, controllers the filter left out, to look owners up in.
    pub(crate) fn set_owners_left_out(&mut self, owners: BTreeMap<ObjectKey, StoredObject>) {
        self.owners_left_out = owners;
    }

    /// The controller with identity `key`: compared, or left out by a filter but read. What owns
    /// a pod is a fact of the source, whichever kinds the comparison shows.
    pub fn owner(&self, key: &ObjectKey) -> Option<&StoredObject> {
        self.objects
            .get(key)
            .or_else(|| self.owners_left_out.get(key))
    }

    /// The CustomResourceDefinitions read, compared or left out by a filter: what a custom
    /// resource is is a fact of the source, whichever kinds the comparison shows.
    pub fn definitions(&self) -> impl Iterator<Item = &StoredObject> {
        self.objects
            .iter()
            .chain(&self.owners_left_out)
            .filter(|(key, _)| builder::is_definition(key))
            .map(|(_, stored)| stored)
    }

    /// The number of objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether the snapshot holds no object.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The object with identity `key`.
    pub fn get(&self, key: &ObjectKey) -> Option<&StoredObject> {
        self.objects.get(key)
    }

    /// All objects, ordered by namespace, kind, name and group.
    pub fn iter(&self) -> impl Iterator<Item = (&ObjectKey, &StoredObject)> {
        self.objects.iter()
    }

    /// The objects as a map, ordered by identity.
    pub fn objects(&self) -> &BTreeMap<ObjectKey, StoredObject> {
        &self.objects
    }

    /// A snapshot of `objects` as one file of a directory would give it, for unit tests.
    #[cfg(test)]
    pub(crate) fn of(objects: Vec<Value>) -> Snapshot {
        let mut builder = SnapshotBuilder::new(ObjectFilter::default());
        let origin = FileOrigin {
            path: "objects.yaml".into(),
            display: "objects.yaml".into(),
            folder_namespace: None,
            duplicates: DuplicateRule::Report,
        };
        builder.add_documents(objects, &origin);
        builder.finish(SourceInfo {
            label: "objects".into(),
            format: SourceFormat::File,
            taken: None,
            completeness: None,
            namespace_map: Vec::new(),
        })
    }

    /// Takes the objects whose identity `aside` accepts out of the comparison, keeping them to
    /// look up ([`Snapshot::owner`], [`Snapshot::definitions`]), as a filter keeps a controller.
    pub fn set_aside_where(&mut self, mut aside: impl FnMut(&ObjectKey) -> bool) {
        let keys: Vec<ObjectKey> = self.objects.keys().filter(|k| aside(k)).cloned().collect();
        for key in keys {
            let stored = self.objects.remove(&key).expect("listed above");
            self.owners_left_out.insert(key, stored);
        }
    }

    /// Removes the objects whose identity `remove` accepts; returns how many.
    pub fn remove_where(&mut self, mut remove: impl FnMut(&ObjectKey) -> bool) -> usize {
        let before = self.objects.len();
        self.objects.retain(|key, _| !remove(key));
        before - self.objects.len()
    }

    /// Gives the objects `select` accepts the identity `rekey` makes of theirs, their
    /// `metadata.namespace` made to agree. Returns the new identities another object already
    /// held: those objects are dropped, the one already there kept.
    pub fn rekey_where(
        &mut self,
        mut select: impl FnMut(&ObjectKey) -> bool,
        rekey: impl Fn(&ObjectKey) -> ObjectKey,
    ) -> Vec<ObjectKey> {
        let selected: Vec<ObjectKey> = self.objects.keys().filter(|k| select(k)).cloned().collect();
        let mut dropped = Vec::new();
        for key in selected {
            let stored = self.objects.remove(&key).expect("listed above");
            let key = rekey(&key);
            if self.objects.contains_key(&key) {
                dropped.push(key);
                continue;
            }
            let mut value = stored.value();
            if let Value::Object(object) = &mut value {
                builder::set_namespace(object, &key.namespace);
            }
            let body = serde_json::to_string(&value).expect("a serde_json Value always serialises");
            self.objects.insert(key, stored.with_body(body));
        }
        dropped
    }

    /// The kinds of its objects, as `(kind, group)`, sorted, each once.
    pub fn kinds(&self) -> Vec<(String, String)> {
        let mut kinds: Vec<(String, String)> = self
            .objects
            .keys()
            .map(|key| (key.kind.clone(), key.group.clone()))
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    /// The namespaces the snapshot's objects live in, sorted.
    pub fn namespaces(&self) -> Vec<String> {
        let mut namespaces: Vec<String> = self
            .objects
            .keys()
            .filter(|key| !key.namespace.is_empty())
            .map(|key| key.namespace.clone())
            .collect();
        namespaces.dedup();
        namespaces
    }
}
