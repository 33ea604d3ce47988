//! The identity of an object: which fields make it, how a list completes them, and the key
//! they give. Both ways of reading an object (parsed, or scanned by `format::compact`) decide
//! it here, so that they cannot disagree.

use serde_json::{Map, Value};

use super::{ListContext, ObjectKey, kinds};

/// What a list gave an item that lacked it.
pub(crate) struct Given<'a> {
    pub kind: Option<&'a str>,
    pub api_version: Option<&'a str>,
}

impl Given<'_> {
    /// Writes what was given into the object.
    pub fn insert_into(&self, object: &mut Map<String, Value>) {
        if let Some(kind) = self.kind {
            object.insert("kind".into(), Value::String(kind.to_string()));
        }
        if let Some(api_version) = self.api_version {
            object.insert("apiVersion".into(), Value::String(api_version.to_string()));
        }
    }
}

/// The fields of an object its identity is made of: each the string it holds there, `None`
/// when absent or not a string. Both ways of reading an object (parsed, or scanned by
/// `format::compact`) decide its identity here.
pub(crate) struct Fields<'a> {
    /// `kind`.
    pub kind: Option<&'a str>,
    /// `apiVersion`.
    pub api_version: Option<&'a str>,
    /// Whether it has `metadata` at all.
    pub metadata: bool,
    /// `metadata.name`.
    pub name: Option<&'a str>,
    /// `metadata.namespace`.
    pub namespace: Option<&'a str>,
}

impl<'a> Fields<'a> {
    /// The fields of a parsed object.
    pub fn of(object: &'a Map<String, Value>) -> Fields<'a> {
        let metadata = object.get("metadata");
        let field = |name: &str| metadata.and_then(|m| m.get(name)).and_then(Value::as_str);
        Fields {
            kind: object.get("kind").and_then(Value::as_str),
            api_version: object.get("apiVersion").and_then(Value::as_str),
            metadata: metadata.is_some(),
            name: field("name"),
            namespace: field("namespace"),
        }
    }

    /// What the list an item is read from gives it: the kind and apiVersion the list implies,
    /// when it lacks them (items of a real list response carry neither); `None` when it has no
    /// kind and the list gives none.
    pub fn given_by<'l>(&self, list: &ListContext<'l>) -> Option<Given<'l>> {
        let kind = match self.kind.is_none_or(str::is_empty) {
            true => Some(list.item_kind?),
            false => None,
        };
        let api_version = list.api_version.filter(|_| self.api_version.is_none());
        Some(Given { kind, api_version })
    }

    /// The identity, or `None` when there is no kind or no name.
    pub fn identity(&self, folder_namespace: Option<&str>) -> Option<ObjectKey> {
        let kind = self.kind.filter(|k| !k.is_empty())?;
        if !self.metadata {
            return None;
        }
        let name = self.name.filter(|n| !n.is_empty())?;
        let group = kinds::group_of(self.api_version.unwrap_or("v1"), kind);
        let namespace = if kinds::is_cluster_scoped(kind, &group) {
            String::new()
        } else {
            self.namespace
                .filter(|ns| !ns.is_empty())
                .or(folder_namespace)
                .unwrap_or_default()
                .to_string()
        };
        Some(ObjectKey {
            namespace,
            kind: kind.to_string(),
            name: name.to_string(),
            group,
        })
    }
}

/// The identity of an object, or `None` when it lacks a kind or a name.
pub(crate) fn identity(
    object: &Map<String, Value>,
    folder_namespace: Option<&str>,
) -> Option<ObjectKey> {
    Fields::of(object).identity(folder_namespace)
}
