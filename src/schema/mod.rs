//! Schemas of custom resources, from their CustomResourceDefinitions: how their lists are keyed,
//! what the API server fills in, whether they live in a namespace. Definitions in, values out.
//!
//! Definitions are found on both sides of a comparison (an archive, a folder, manifests, a live
//! cluster) and in `--crds`. Each side is read with its own definitions first (what the API server
//! applied when that side was taken), then `--crds`, then the other side's: manifests without
//! their CRDs are read with the cluster's. [`prepare`] puts both snapshots in the shape the API
//! server gives them (cluster-scoped custom resources out of any namespace) and hands the diff a
//! [`SchemaSides`], which defaults and keys the objects it compares in depth.
//!
//! A definition whose schema cannot be used is named in one warning, and its objects are
//! compared as any object without a schema is.

pub mod crd;
pub mod defaulting;
pub mod structural;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use crate::snapshot::{Diagnostic, Level, ObjectKey, Snapshot, kinds};
pub use crd::Crd;
pub use structural::{ListType, Node};

/// What one side knows of a custom resource kind.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The definition's name, for messages.
    pub definition: String,
    /// Whether its objects live in a namespace.
    pub namespaced: bool,
    /// A digest of the definition's spec: two sides whose definitions agree read an unchanged
    /// object alike, so its bytes alone settle it.
    pub digest: u64,
    /// Compiled schemas by version name; a version without a usable schema is absent.
    versions: HashMap<String, Arc<Node>>,
    /// The version an API server prefers, used for objects of a version it does not define.
    preferred: Option<String>,
}

impl Resource {
    /// The schema objects of `api_version` (`group/version`) are compared with.
    pub fn schema(&self, api_version: &str) -> Option<&Arc<Node>> {
        let version = api_version.rsplit('/').next().unwrap_or(api_version);
        self.versions
            .get(version)
            .or_else(|| self.versions.get(self.preferred.as_deref()?))
    }
}

/// The custom resource kinds one side knows, by `(group, kind)`.
#[derive(Clone, Debug, Default)]
pub struct Schemas {
    kinds: HashMap<(String, String), Arc<Resource>>,
}

impl Schemas {
    /// Compiles `definitions` (each with the name of where it was found, for warnings); returns
    /// the schemas and one warning per definition that cannot be used.
    pub fn from_definitions(
        definitions: impl IntoIterator<Item = (String, Value)>,
    ) -> (Schemas, Vec<Diagnostic>) {
        let mut schemas = Schemas::default();
        let mut warnings = Vec::new();
        let mut refused: Vec<(String, String)> = Vec::new();
        for (source, object) in definitions {
            let name = object
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("(unnamed)")
                .to_string();
            let resource = Crd::from_object(&object).and_then(|crd| {
                // An API server never lets a definition take one of its own kinds; a forged one
                // in an archive must not give a Deployment defaults that hide a change.
                if kinds::is_built_in(&crd.names.kind, &crd.group) {
                    return Err(format!(
                        "it claims the built-in kind {} of {}",
                        crd.names.kind, crd.group
                    ));
                }
                let key = (crd.group.clone(), crd.names.kind.clone());
                let spec = object.get("spec").map(Value::to_string).unwrap_or_default();
                let digest = xxhash_rust::xxh3::xxh3_64(spec.as_bytes());
                compile(&crd, digest).map(|resource| (key, resource))
            });
            match resource {
                Ok((key, resource)) => match schemas.kinds.get(&key) {
                    Some(known) if known.definition != resource.definition => {
                        warnings.push(format!(
                            "{source}: CustomResourceDefinition {name}: defines {} {} as {} \
                             already does; neither schema is used",
                            key.0, key.1, known.definition
                        ));
                        refused.push(key);
                    }
                    _ => {
                        schemas.kinds.insert(key, Arc::new(resource));
                    }
                },
                Err(why) => warnings.push(format!(
                    "{source}: CustomResourceDefinition {name}: {why}; its objects are compared \
                     without a schema"
                )),
            }
        }
        for key in refused {
            schemas.kinds.remove(&key);
        }
        let warnings = warnings
            .into_iter()
            .map(|message| Diagnostic {
                level: Level::Warning,
                message,
            })
            .collect();
        (schemas, warnings)
    }

    /// What is known of `kind` in `group`.
    pub fn resource(&self, group: &str, kind: &str) -> Option<&Arc<Resource>> {
        if self.kinds.is_empty() {
            return None;
        }
        self.kinds.get(&(group.to_string(), kind.to_string()))
    }

    /// Whether no kind is known.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// These schemas, then `more`'s for the kinds these lack.
    pub fn then(&self, more: &Schemas) -> Schemas {
        let mut kinds = self.kinds.clone();
        for (key, resource) in &more.kinds {
            kinds.entry(key.clone()).or_insert_with(|| resource.clone());
        }
        Schemas { kinds }
    }
}

/// Compiles every version of a definition. A version whose schema is unusable makes the whole
/// definition unusable: comparing some versions with a schema and others without would read a
/// version change as drift.
fn compile(crd: &Crd, digest: u64) -> Result<Resource, String> {
    let storage = crd.versions.iter().filter(|v| v.storage).count();
    if storage > 1 {
        return Err(format!("{storage} versions are marked storage"));
    }
    let mut versions = HashMap::new();
    for version in &crd.versions {
        let Some(schema) = &version.schema else {
            continue;
        };
        let node = structural::compile(schema)
            .map_err(|why| format!("version {}: {why}", version.name))?;
        versions.insert(version.name.clone(), Arc::new(node));
    }
    if versions.is_empty() {
        return Err("it has no openAPIV3Schema".into());
    }
    Ok(Resource {
        definition: crd.name.clone(),
        namespaced: crd.namespaced,
        digest,
        versions,
        preferred: crd.preferred().map(|v| v.name.clone()),
    })
}

/// Whether two versions of an object of a kind grant the same (the security table's facts):
/// given by the layer that knows the table, so that this one need not.
pub type SameGrants = fn(kind: &str, a: &Value, b: &Value) -> bool;

/// The schemas each side of a comparison is read with.
#[derive(Clone, Debug, Default)]
pub struct SchemaSides {
    /// The old side's.
    pub old: Schemas,
    /// The new side's.
    pub new: Schemas,
    /// The kinds, as `(group, kind)`, whose definition the old side holds neither itself nor in
    /// `--crds`: it borrows the new side's.
    pub old_borrows: HashSet<(String, String)>,
    /// The same for the new side.
    pub new_borrows: HashSet<(String, String)>,
    /// Whether a borrowed default changed what an object grants ([`SameGrants`]); `None` only
    /// where no comparison is analysed.
    pub same_grants: Option<SameGrants>,
}

impl SchemaSides {
    /// Whether neither side knows a custom resource kind.
    pub fn is_empty(&self) -> bool {
        self.old.is_empty() && self.new.is_empty()
    }
}

/// The kinds of the objects of `snapshots`, as `(group, kind)`: the custom resources among them
/// are those whose definitions a comparison needs.
pub fn kinds_in(snapshots: &[&Snapshot]) -> HashSet<(String, String)> {
    snapshots
        .iter()
        .flat_map(|snapshot| snapshot.kinds())
        .map(|(kind, group)| (group, kind))
        .collect()
}

/// What a definition defines, read without building the rest of it (its schema may be large).
#[derive(Deserialize)]
struct Head {
    spec: HeadSpec,
}

#[derive(Deserialize)]
struct HeadSpec {
    group: String,
    names: HeadNames,
}

#[derive(Deserialize)]
struct HeadNames {
    kind: String,
}

/// The CustomResourceDefinitions `snapshot` read, as `(where, object)`: all of them, or with
/// `needed` only those of these `(group, kind)`s. A cluster holds hundreds of definitions, some
/// of megabytes; a comparison needs those of the kinds it compares. A definition whose kind
/// cannot be read is kept, so that what is wrong with it is said.
pub fn definitions_in(
    snapshot: &Snapshot,
    needed: Option<&HashSet<(String, String)>>,
) -> Vec<(String, Value)> {
    snapshot
        .definitions()
        .filter(|stored| {
            let Some(needed) = needed else {
                return true;
            };
            match serde_json::from_str::<Head>(stored.body()) {
                Ok(head) => needed.contains(&(head.spec.group, head.spec.names.kind)),
                Err(_) => true,
            }
        })
        .map(|stored| {
            (
                format!("{}: {}", snapshot.info.label, stored.origin),
                stored.value(),
            )
        })
        .collect()
}

/// Finds the definitions of both sides and of `extra` (`--crds`), names the unusable ones in the
/// snapshots' diagnostics, takes cluster-scoped custom resources out of the namespace a
/// manifests folder gave them, and returns the schemas for the diff.
///
/// A side that borrows the other side's definition of a kind is defaulted with it, unless that
/// changes what the object grants (`same_grants`): the side under audit must not lend the values
/// that decide its own security table (a Gateway CRD changed to default listeners to `All`).
pub fn prepare(
    old: &mut Snapshot,
    new: &mut Snapshot,
    extra: &Schemas,
    same_grants: SameGrants,
) -> SchemaSides {
    let needed = kinds_in(&[old, new]);
    let (old_own, new_own) = (own(old, &needed), own(new, &needed));
    pair(old, new, &old_own, &new_own, extra, same_grants)
}

/// The schemas of the definitions `snapshot` read of the `needed` kinds ([`kinds_in`]); those
/// that cannot be used are named in its diagnostics.
pub fn own(snapshot: &mut Snapshot, needed: &HashSet<(String, String)>) -> Schemas {
    let (schemas, warnings) = Schemas::from_definitions(definitions_in(snapshot, Some(needed)));
    snapshot.diagnostics.extend(warnings);
    schemas
}

/// [`prepare`] with each side's own schemas already read ([`own`]): a series reads each
/// archive's once.
pub fn pair(
    old: &mut Snapshot,
    new: &mut Snapshot,
    old_own: &Schemas,
    new_own: &Schemas,
    extra: &Schemas,
    same_grants: SameGrants,
) -> SchemaSides {
    let borrows = |own: &Schemas, other: &Schemas| {
        other
            .kinds
            .keys()
            .filter(|key| !own.kinds.contains_key(*key) && !extra.kinds.contains_key(*key))
            .cloned()
            .collect()
    };
    let sides = SchemaSides {
        old: old_own.then(extra).then(new_own),
        new: new_own.then(extra).then(old_own),
        old_borrows: borrows(old_own, new_own),
        new_borrows: borrows(new_own, old_own),
        same_grants: Some(same_grants),
    };
    rescope(old, &sides.old);
    rescope(new, &sides.new);
    sides
}

/// Takes the objects of cluster-scoped custom resource kinds out of any namespace: an API server
/// never puts them in one, and a manifests folder read without their definitions did.
fn rescope(snapshot: &mut Snapshot, schemas: &Schemas) {
    if schemas.is_empty() {
        return;
    }
    let cluster_scoped = |key: &ObjectKey| {
        !key.namespace.is_empty()
            && schemas
                .resource(&key.group, &key.kind)
                .is_some_and(|resource| !resource.namespaced)
    };
    let moved = snapshot.rekey_where(cluster_scoped, |key| ObjectKey {
        namespace: String::new(),
        ..key.clone()
    });
    for key in moved {
        snapshot.diagnostics.push(Diagnostic {
            level: Level::Warning,
            message: format!(
                "{}: {key} is cluster-scoped but was read in more than one namespace; one of \
                 them is compared",
                snapshot.info.label
            ),
        });
    }
}

#[cfg(test)]
mod tests;
