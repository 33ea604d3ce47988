//! Turning parsed documents into a snapshot: identity, normalisation, the canonical body, and the
//! rules for objects that appear twice.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::identity::{Fields, identity};
use super::stored::{self, Given, StoredObject, Unparsed};
use super::{Diagnostic, Level, ObjectKey, Snapshot, SourceInfo, TextPool, kinds};
use crate::format::compact::Scanned;
use crate::glob;

/// Which objects to keep while reading; empty lists keep everything.
#[derive(Clone, Debug, Default)]
pub struct ObjectFilter {
    /// Keep objects of these namespaces (cluster-scoped objects are kept only when this is empty).
    pub namespaces: Vec<String>,
    /// Keep objects of these kinds: kind, plural or short name (`dc`, `deploy`, `svc`).
    pub kinds: Vec<String>,
    /// Keep objects whose name matches one of these globs.
    pub names: Vec<String>,
}

impl ObjectFilter {
    /// Whether an object of identity `key` passes the filter.
    pub fn accepts(&self, key: &ObjectKey) -> bool {
        (self.namespaces.is_empty() || self.namespaces.contains(&key.namespace))
            && (self.kinds.is_empty()
                || self
                    .kinds
                    .iter()
                    .any(|word| kinds::kind_matches(word, &key.kind, &key.group)))
            && (self.names.is_empty() || self.names.iter().any(|g| glob::matches(g, &key.name)))
    }
}

/// How many objects each word of a filter matched on its own, before filtering: a word that
/// matched nothing on either side of a comparison is a typo, not a clean result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterHits {
    /// Objects read before filtering.
    pub total: usize,
    /// Per word of `namespaces`.
    pub namespaces: Vec<usize>,
    /// Per word of `kinds`.
    pub kinds: Vec<usize>,
    /// Per word of `names`.
    pub names: Vec<usize>,
}

impl FilterHits {
    fn for_filter(filter: &ObjectFilter) -> FilterHits {
        FilterHits {
            total: 0,
            namespaces: vec![0; filter.namespaces.len()],
            kinds: vec![0; filter.kinds.len()],
            names: vec![0; filter.names.len()],
        }
    }

    fn count(&mut self, filter: &ObjectFilter, key: &ObjectKey) {
        self.total += 1;
        for (hits, word) in self.namespaces.iter_mut().zip(&filter.namespaces) {
            *hits += usize::from(*word == key.namespace);
        }
        for (hits, word) in self.kinds.iter_mut().zip(&filter.kinds) {
            *hits += usize::from(kinds::kind_matches(word, &key.kind, &key.group));
        }
        for (hits, word) in self.names.iter_mut().zip(&filter.names) {
            *hits += usize::from(glob::matches(word, &key.name));
        }
    }

    /// Adds the hits of another read with the same filter.
    pub fn add(&mut self, other: &FilterHits) {
        self.total += other.total;
        for (mine, theirs) in [
            (&mut self.namespaces, &other.namespaces),
            (&mut self.kinds, &other.kinds),
            (&mut self.names, &other.names),
        ] {
            mine.resize(mine.len().max(theirs.len()), 0);
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
    }
}

/// How a second copy of an object from a file is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DuplicateRule {
    /// A second copy is unexpected: warn, naming both files, and keep the first.
    Report,
    /// The file is repeated in every project folder (openshift-backup's `ns.json` lists every
    /// namespace): keep each object once, silently.
    ListedInEveryFolder,
    /// The file is a known secondary copy of objects kept elsewhere (`pvcs_attachment.json`,
    /// legacy per-object files): the primary copy wins, silently.
    SecondaryCopy,
}

/// Where a document came from, and what that implies for its objects.
#[derive(Clone, Debug)]
pub struct FileOrigin {
    /// The path inside the source, e.g. `myproject/dcs.json`.
    pub path: Arc<str>,
    /// How to name the file in messages, e.g. `old.zip: myproject/dcs.json`.
    pub display: String,
    /// The namespace objects without one belong to (the project folder of an archive).
    pub folder_namespace: Option<String>,
    /// How duplicates from this file are treated.
    pub duplicates: DuplicateRule,
}

/// Collects objects into a [`Snapshot`].
///
/// Callers add files in a deterministic order (primary copies first), so "the first wins" is
/// reproducible.
#[derive(Debug, Default)]
pub struct SnapshotBuilder {
    objects: BTreeMap<ObjectKey, StoredObject>,
    /// Controllers the filter left out, kept to vouch for the objects they own.
    owners: BTreeMap<ObjectKey, StoredObject>,
    listed_everywhere: HashSet<ObjectKey>,
    diagnostics: Vec<Diagnostic>,
    filter: ObjectFilter,
    hits: FilterHits,
    default_namespace: Option<String>,
    keep_as_served: bool,
    /// Where the texts of unparsed objects are kept.
    texts: TextPool,
}

/// The List kind's information that its items may lack (real list responses omit item `kind`).
pub(crate) struct ListContext<'a> {
    /// The list's `apiVersion`, unless it is a plain `List`.
    pub(super) api_version: Option<&'a str>,
    /// `ConfigMap` for a `ConfigMapList`.
    pub(super) item_kind: Option<&'a str>,
}

impl<'a> ListContext<'a> {
    /// No list: a document on its own.
    pub(crate) const NONE: ListContext<'static> = ListContext {
        api_version: None,
        item_kind: None,
    };

    /// The context of a list whose `kind` and `apiVersion` are these (`None`: absent or not a
    /// string): `ConfigMapList` gives its items kind `ConfigMap` and its apiVersion.
    pub(crate) fn of_list(kind: Option<&'a str>, api_version: Option<&'a str>) -> Self {
        let list_kind = kind.unwrap_or("List");
        ListContext {
            api_version: api_version.filter(|_| list_kind != "List"),
            item_kind: list_kind.strip_suffix("List").filter(|k| !k.is_empty()),
        }
    }
}

/// Whether a document whose `kind` is this (`None`: absent or not a string) and whose `items` is
/// an array is a list to flatten.
pub(crate) fn is_list_kind(kind: Option<&str>) -> bool {
    kind.is_none_or(|kind| kind.ends_with("List"))
}

impl SnapshotBuilder {
    /// A builder that keeps the objects `filter` accepts.
    pub fn new(filter: ObjectFilter) -> SnapshotBuilder {
        SnapshotBuilder {
            hits: FilterHits::for_filter(&filter),
            filter,
            ..SnapshotBuilder::default()
        }
    }

    /// Adds the objects of the documents of one file (`List` kinds are flattened).
    pub fn add_documents(
        &mut self,
        documents: impl IntoIterator<Item = Value>,
        origin: &FileOrigin,
    ) {
        let mut invalid = 0usize;
        for document in documents {
            invalid += self.add_document(document, origin);
        }
        self.warn_invalid(invalid, origin);
    }

    /// Warns that `invalid` objects of the file `origin` were skipped (nothing when 0).
    pub(crate) fn warn_invalid(&mut self, invalid: usize, origin: &FileOrigin) {
        if invalid > 0 {
            let objects = if invalid == 1 { "object" } else { "objects" };
            self.warn(format!(
                "{}: skipped {invalid} {objects} without kind or metadata.name (or whose name is not a string: quote `name: yes`)",
                origin.display
            ));
        }
    }

    /// Adds one document; returns how many objects were skipped as invalid.
    pub(crate) fn add_document(&mut self, document: Value, origin: &FileOrigin) -> usize {
        match document {
            Value::Null => 0,
            Value::Array(items) => items
                .into_iter()
                .map(|item| self.add_document(item, origin))
                .sum(),
            Value::Object(mut map) if is_list(&map) => {
                let Some(Value::Array(items)) = map.remove("items") else {
                    return 0;
                };
                let context = ListContext::of_list(
                    map.get("kind").and_then(Value::as_str),
                    map.get("apiVersion").and_then(Value::as_str),
                );
                items
                    .into_iter()
                    .map(|item| self.add_list_item(item, origin, &context))
                    .sum()
            }
            Value::Object(map) => self.add_object(map, origin, &ListContext::NONE),
            _ => 1,
        }
    }

    /// Adds one item of a list; returns 1 when it had to be skipped as invalid (not an object,
    /// or without kind or name). `null` items are skipped silently.
    pub(crate) fn add_list_item(
        &mut self,
        item: Value,
        origin: &FileOrigin,
        list: &ListContext<'_>,
    ) -> usize {
        match item {
            Value::Object(item) => self.add_object(item, origin, list),
            Value::Null => 0,
            _ => 1,
        }
    }

    /// Adds one object; returns 1 when it had to be skipped as invalid.
    fn add_object(
        &mut self,
        mut object: Map<String, Value>,
        origin: &FileOrigin,
        list: &ListContext<'_>,
    ) -> usize {
        let Some(given) = Fields::of(&object).given_by(list) else {
            return 1;
        };
        given.insert_into(&mut object);
        let Some(key) = identity(&object, self.namespace_for(origin)) else {
            return 1;
        };
        let Some(accepted) = self.admit(&key) else {
            return 0;
        };
        let api_version = api_version_of(&object);
        let (body, provenance) = stored::normalised(object, &key.namespace, self.keep_as_served);
        let stored = StoredObject::built(api_version, origin.path.clone(), body, provenance);
        self.keep(key, stored, accepted, origin);
        0
    }

    /// Adds one item of a list from its compact JSON `text` and the identity a scan of it read
    /// (`head`, exact); its body is built when something asks for it. Returns 1 when it had to
    /// be skipped as invalid.
    pub(crate) fn add_unparsed(
        &mut self,
        text: &str,
        scanned: &Scanned<'_>,
        origin: &FileOrigin,
        list: &ListContext<'_>,
    ) -> usize {
        let head = &scanned.head;
        let mut fields = Fields {
            kind: head.kind,
            api_version: head.api_version,
            metadata: head.metadata.is_some(),
            name: head.metadata.as_ref().and_then(|m| m.name),
            namespace: head.metadata.as_ref().and_then(|m| m.namespace),
        };
        let Some(given) = fields.given_by(list) else {
            return 1;
        };
        fields.kind = given.kind.or(fields.kind);
        fields.api_version = given.api_version.or(fields.api_version);
        let Some(key) = fields.identity(self.namespace_for(origin)) else {
            return 1;
        };
        let Some(accepted) = self.admit(&key) else {
            return 0;
        };
        // A namespace the text already holds as a string needs no making agree.
        let own_namespace = !key.namespace.is_empty() && fields.namespace == Some(&key.namespace);
        let given = Given {
            kind: given.kind.map(Into::into),
            api_version: given.api_version.map(Into::into),
            namespace: (!own_namespace).then(|| key.namespace.as_str().into()),
        };
        let unparsed = Unparsed {
            text: self.texts.intern(text),
            given: (given != Given::default()).then(|| Box::new(given)),
            as_served: self.keep_as_served,
            escaped: scanned.escaped,
        };
        let api_version = fields.api_version.unwrap_or_default().to_string();
        let stored = StoredObject::unparsed(api_version, origin.path.clone(), unparsed);
        self.keep(key, stored, accepted, origin);
        0
    }

    /// The namespace objects of `origin` that name none belong to.
    fn namespace_for<'s>(&'s self, origin: &'s FileOrigin) -> Option<&'s str> {
        origin
            .folder_namespace
            .as_deref()
            .or(self.default_namespace.as_deref())
    }

    /// Counts `key` for the filter; whether the object is compared (`Some(true)`), kept aside
    /// (`Some(false)`) or dropped (`None`).
    fn admit(&mut self, key: &ObjectKey) -> Option<bool> {
        self.hits.count(&self.filter, key);
        let accepted = self.filter.accepts(key);
        // A controller outside `--kind` or `--name` still decides whether the pods it owns are
        // generated (analyze::refs::verified_owner), and a CustomResourceDefinition how its
        // objects compare (crate::schema): they are kept aside, out of the comparison.
        (accepted || is_owner_kind(&key.kind) || is_definition(key)).then_some(accepted)
    }

    /// Keeps an object admitted by [`Self::admit`].
    fn keep(&mut self, key: ObjectKey, stored: StoredObject, accepted: bool, origin: &FileOrigin) {
        if accepted {
            self.insert(key, stored, origin);
        } else {
            self.owners.insert(key, stored);
        }
    }

    /// Reads object texts through `texts`, shared with the reader of the other side of a
    /// comparison: an object both read is then kept once.
    pub fn share_texts(&mut self, texts: TextPool) {
        self.texts = texts;
    }

    fn insert(&mut self, key: ObjectKey, stored: StoredObject, origin: &FileOrigin) {
        use std::collections::btree_map::Entry;
        match self.objects.entry(key) {
            Entry::Vacant(slot) => {
                if origin.duplicates == DuplicateRule::ListedInEveryFolder {
                    self.listed_everywhere.insert(slot.key().clone());
                }
                slot.insert(stored);
            }
            Entry::Occupied(mut existing) => {
                // OpenShift serves RBAC objects twice; the RBAC copy is the original.
                let kind = existing.key().kind.clone();
                let mirror = |stored: &StoredObject| is_rbac_mirror(&kind, &stored.api_version);
                if mirror(existing.get()) && !mirror(&stored) {
                    existing.insert(stored);
                    return;
                }
                if mirror(&stored) && !mirror(existing.get()) {
                    return;
                }
                let silent = match origin.duplicates {
                    DuplicateRule::SecondaryCopy => true,
                    DuplicateRule::ListedInEveryFolder => {
                        self.listed_everywhere.contains(existing.key())
                    }
                    DuplicateRule::Report => false,
                };
                if !silent {
                    let message = format!(
                        "{}: {} also appears in {}; keeping the first",
                        origin.display,
                        existing.key(),
                        existing.get().origin
                    );
                    self.warn(message);
                }
            }
        }
    }

    /// Keeps beside each object its `status` and `creationTimestamp` (what normalisation
    /// removes but an API server shows), for [`StoredObject::value_as_served`].
    pub fn keep_as_served(&mut self, keep: bool) {
        self.keep_as_served = keep;
    }

    /// Namespaced objects that name no namespace (and have no folder namespace) take `namespace`:
    /// manifests in Git usually leave it to `kubectl apply -n`.
    pub fn set_default_namespace(&mut self, namespace: Option<String>) {
        self.default_namespace = namespace;
    }

    /// Records a warning.
    pub fn warn(&mut self, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            level: Level::Warning,
            message: message.into(),
        });
    }

    /// Records a note.
    pub fn note(&mut self, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            level: Level::Note,
            message: message.into(),
        });
    }

    /// The snapshot built so far.
    pub fn finish(self, info: SourceInfo) -> Snapshot {
        // Objects arrive about in key order, which leaves a B-tree's nodes half full: built
        // again from the sorted objects, its nodes are full (a third less memory for the map).
        let objects = self.objects.into_iter().collect();
        let mut snapshot = Snapshot::new(info, objects, self.diagnostics);
        snapshot.filter_hits = self.hits;
        snapshot.set_owners_left_out(self.owners);
        snapshot
    }
}

/// The `apiVersion` of an object, empty when it has none.
fn api_version_of(object: &Map<String, Value>) -> String {
    object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Whether `key` names a CustomResourceDefinition.
pub(crate) fn is_definition(key: &ObjectKey) -> bool {
    key.kind == crate::schema::crd::CRD_KIND && key.group == crate::schema::crd::CRD_GROUP
}

/// Kinds that own generated objects (pods, their controllers, jobs, builds).
fn is_owner_kind(kind: &str) -> bool {
    matches!(
        kind,
        "DeploymentConfig"
            | "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicationController"
            | "ReplicaSet"
            | "Job"
            | "CronJob"
            | "BuildConfig"
    )
}

/// Whether an RBAC object came through OpenShift's mirror API (or OpenShift 3's `v1`).
fn is_rbac_mirror(kind: &str, api_version: &str) -> bool {
    matches!(
        kind,
        "Role" | "RoleBinding" | "ClusterRole" | "ClusterRoleBinding"
    ) && (api_version == "v1" || api_version.starts_with("authorization.openshift.io/"))
}

fn is_list(map: &Map<String, Value>) -> bool {
    map.get("items").is_some_and(Value::is_array)
        && is_list_kind(map.get("kind").and_then(Value::as_str))
}

/// Makes `metadata.namespace` agree with the identity: archives blank it (`oc get --export`), live
/// objects carry it, and neither should read as a change.
pub(crate) fn set_namespace(object: &mut Map<String, Value>, namespace: &str) {
    let Some(Value::Object(metadata)) = object.get_mut("metadata") else {
        return;
    };
    if namespace.is_empty() {
        metadata.shift_remove("namespace");
    } else if metadata.get("namespace").and_then(Value::as_str) != Some(namespace) {
        let position = metadata
            .keys()
            .position(|key| key == "name")
            .map_or(metadata.len(), |i| i + 1);
        metadata.shift_remove("namespace");
        let position = position.min(metadata.len());
        metadata.shift_insert(
            position,
            "namespace".into(),
            Value::String(namespace.into()),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::snapshot::SourceFormat;
    use serde_json::json;

    fn origin(path: &str, folder: Option<&str>, duplicates: DuplicateRule) -> FileOrigin {
        FileOrigin {
            path: path.into(),
            display: format!("test.zip: {path}"),
            folder_namespace: folder.map(String::from),
            duplicates,
        }
    }

    /// A file source named `test`.
    pub(crate) fn info() -> SourceInfo {
        SourceInfo {
            label: "test".into(),
            format: SourceFormat::File,
            taken: None,
            completeness: None,
            namespace_map: Vec::new(),
        }
    }

    #[test]
    fn list_items_take_kind_and_namespace_from_context() {
        let mut builder = SnapshotBuilder::default();
        let list = json!({"apiVersion": "v1", "kind": "ConfigMapList",
            "items": [{"metadata": {"name": "a"}, "data": {}}]});
        builder.add_documents(
            [list],
            &origin("p/cms.json", Some("p"), DuplicateRule::Report),
        );
        let snapshot = builder.finish(info());
        let (key, stored) = snapshot.iter().next().unwrap();
        assert_eq!(key.to_string(), "ConfigMap p/a");
        assert_eq!(stored.api_version, "v1");
        assert_eq!(stored.value()["metadata"]["namespace"], "p");
    }

    #[test]
    fn namespace_objects_listed_in_every_folder_are_kept_once_without_warning() {
        let mut builder = SnapshotBuilder::default();
        let ns = json!({"kind": "List", "items": [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "namespace": "a"}},
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b"}}]});
        builder.add_documents(
            [ns.clone()],
            &origin("a/ns.json", Some("a"), DuplicateRule::ListedInEveryFolder),
        );
        builder.add_documents(
            [ns],
            &origin("b/ns.json", Some("b"), DuplicateRule::ListedInEveryFolder),
        );
        let snapshot = builder.finish(info());
        assert_eq!(snapshot.len(), 2);
        assert!(
            snapshot.diagnostics.is_empty(),
            "{:?}",
            snapshot.diagnostics
        );
        assert!(snapshot.iter().all(|(key, _)| key.namespace.is_empty()));
    }

    #[test]
    fn unexpected_duplicates_warn_naming_both_files_and_keep_the_first() {
        let mut builder = SnapshotBuilder::default();
        let first = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "p"}, "data": {"v": "1"}});
        let second = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "p"}, "data": {"v": "2"}});
        builder.add_documents([first], &origin("a.yaml", None, DuplicateRule::Report));
        builder.add_documents([second], &origin("b.yaml", None, DuplicateRule::Report));
        let snapshot = builder.finish(info());
        assert_eq!(snapshot.len(), 1);
        let (_, stored) = snapshot.iter().next().unwrap();
        assert_eq!(stored.value()["data"]["v"], "1");
        assert_eq!(snapshot.diagnostics.len(), 1);
        let message = &snapshot.diagnostics[0].message;
        assert!(
            message.contains("a.yaml") && message.contains("b.yaml"),
            "{message}"
        );
    }

    #[test]
    fn openshift_rbac_mirrors_yield_to_the_rbac_copy() {
        let mirror = json!({"apiVersion": "authorization.openshift.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "admin", "namespace": "p"}, "userNames": ["dev"]});
        let rbac = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "admin", "namespace": "p"}, "subjects": []});
        for order in [[mirror.clone(), rbac.clone()], [rbac, mirror]] {
            let mut builder = SnapshotBuilder::default();
            for (i, doc) in order.into_iter().enumerate() {
                builder.add_documents(
                    [doc],
                    &origin(&format!("{i}.json"), None, DuplicateRule::Report),
                );
            }
            let snapshot = builder.finish(info());
            assert_eq!(snapshot.len(), 1);
            assert!(
                snapshot.diagnostics.is_empty(),
                "{:?}",
                snapshot.diagnostics
            );
            let (_, stored) = snapshot.iter().next().unwrap();
            assert_eq!(stored.api_version, "rbac.authorization.k8s.io/v1");
        }
    }

    #[test]
    fn objects_without_kind_or_name_are_counted_and_skipped() {
        let mut builder = SnapshotBuilder::default();
        let docs = [
            json!({"apiVersion": "v1", "metadata": {"name": "nokind"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ok"}}),
        ];
        builder.add_documents(docs, &origin("x.json", None, DuplicateRule::Report));
        let snapshot = builder.finish(info());
        assert_eq!(snapshot.len(), 1);
        assert!(
            snapshot.diagnostics[0]
                .message
                .contains("skipped 2 objects")
        );
    }

    #[test]
    fn filter_by_kind_word_and_name_glob() {
        let filter = ObjectFilter {
            namespaces: vec!["p".into()],
            kinds: vec!["dc".into()],
            names: vec!["web*".into()],
        };
        let key = |kind: &str, group: &str, name: &str| ObjectKey {
            namespace: "p".into(),
            kind: kind.into(),
            name: name.into(),
            group: group.into(),
        };
        assert!(filter.accepts(&key("DeploymentConfig", "apps.openshift.io", "web")));
        assert!(!filter.accepts(&key("DeploymentConfig", "apps.openshift.io", "db")));
        assert!(!filter.accepts(&key("Service", "", "web")));
    }
}
