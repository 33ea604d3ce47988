//! The semantic value diff: two versions of one object in, a list of [`Change`]s out.
//!
//! Maps compare by key; lists by merge key ([`super::keys`]), or as a sequence (similar's Myers
//! over element hashes) when they have none; quantities as numbers; secret values by digest;
//! strings holding a JSON or YAML document structurally, the path continuing into the document.
//!
//! This module holds the walk, maps and quantities; `lists` the list matching, `leaves` secret
//! values and strings (embedded documents).

mod leaves;
mod lists;

use serde::Serialize;
use serde_json::{Map, Value};

use super::equality::same;
use super::path::{Path, Segment};
use super::quantity::{Quantity, is_quantity_path};
use crate::schema::Node;
use crate::secret::{self, SecretKey};

/// What happened at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// The value is new.
    Add,
    /// The value is gone.
    Remove,
    /// The value changed.
    Replace,
    /// Only the order changed: of a whole list (old and new are the orders), or of one element
    /// of a list without keys (old and new are its positions).
    Move,
}

/// One difference between two versions of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// Where.
    pub path: Path,
    /// What happened.
    pub op: Op,
    /// The old value (absent for [`Op::Add`]).
    pub old: Option<Value>,
    /// The new value (absent for [`Op::Remove`]).
    pub new: Option<Value>,
    /// The values are secret fingerprints (or, with `--show-secrets`, revealed secret values).
    pub secret: bool,
    /// An embedded document whose text changed but whose content did not (comments, layout).
    pub format_only: bool,
    /// A list whose element changes were too many to list one by one: their count, with
    /// `old` and `new` left out.
    pub elided: Option<Elided>,
}

/// A list changed in more elements than a report lists one by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elided {
    /// Elements before.
    pub old_len: usize,
    /// Elements after.
    pub new_len: usize,
    /// Elements added, removed or changed.
    pub changes: usize,
}

/// How many element changes of one list are listed one by one by default; beyond that the list
/// is one summary change. A list of a million changed elements is a broken generator or an
/// attack, not something a person reads line by line.
pub const DEFAULT_MAX_LIST_CHANGES: usize = 1000;

/// How long the sequence diff of one list may search for the shortest edit before it settles
/// for a good one: a pathological list must not stall the report.
const SEQUENCE_DEADLINE: std::time::Duration = std::time::Duration::from_millis(500);

/// Settings of the value diff.
#[derive(Clone, Debug)]
pub struct ValueOptions {
    /// Show decoded secret values instead of fingerprints.
    pub show_secrets: bool,
    /// The key of archives whose secret values are keyed hashes (`--secret-key-file`): raw values
    /// are hashed with it to compare them, and fingerprinted with it.
    pub secret_key: Option<std::sync::Arc<SecretKey>>,
    /// Lists with more element changes than this are one summary change (0: no limit).
    pub max_list_changes: usize,
}

impl Default for ValueOptions {
    fn default() -> ValueOptions {
        ValueOptions {
            show_secrets: false,
            secret_key: None,
            max_list_changes: DEFAULT_MAX_LIST_CHANGES,
        }
    }
}

/// The changes that turn `old` into `new`, two versions of an object of `kind`.
pub fn diff(kind: &str, old: &Value, new: &Value, options: &ValueOptions) -> Vec<Change> {
    diff_with_schema(kind, old, new, None, options)
}

/// [`diff`] for an object with a schema (a custom resource's, from its definition): lists are
/// matched as the schema declares them (`x-kubernetes-list-type` and its map keys), and lists
/// it leaves undeclared as [`diff`] matches any list.
pub fn diff_with_schema(
    kind: &str,
    old: &Value,
    new: &Value,
    schema: Option<&Node>,
    options: &ValueOptions,
) -> Vec<Change> {
    let mut walker = Walker {
        kind,
        schema,
        show_secrets: options.show_secrets,
        secret_key: options.secret_key.as_deref(),
        max_list_changes: options.max_list_changes,
        path: Vec::new(),
        changes: Vec::new(),
    };
    walker.walk(old, new);
    walker.changes
}

struct Walker<'a> {
    kind: &'a str,
    /// The object's schema, when it has one.
    schema: Option<&'a Node>,
    show_secrets: bool,
    secret_key: Option<&'a SecretKey>,
    max_list_changes: usize,
    path: Vec<Segment>,
    changes: Vec<Change>,
}

impl<'a> Walker<'a> {
    fn fields(&self) -> Vec<&str> {
        self.path
            .iter()
            .filter_map(|s| match s {
                Segment::Field(name) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The schema of the value at the current path, when the object has one that reaches here.
    fn node(&self) -> Option<&'a Node> {
        let mut node = self.schema?;
        for segment in &self.path {
            node = match segment {
                Segment::Field(name) => node.property(name)?,
                Segment::Item { .. } => node.items()?,
                Segment::Document(_) => return None,
            };
        }
        Some(node)
    }

    fn in_secret_value(&self) -> bool {
        secret::is_secret_path(self.kind, &self.fields())
    }

    fn push(&mut self, op: Op, old: Option<Value>, new: Option<Value>) {
        self.changes.push(Change {
            path: Path(self.path.clone()),
            op,
            old,
            new,
            secret: false,
            format_only: false,
            elided: None,
        });
    }

    /// Whether `changes` element changes of one list are more than a report lists.
    fn too_many(&self, changes: usize) -> bool {
        self.max_list_changes > 0 && changes > self.max_list_changes
    }

    /// One summary change for a list changed in too many elements.
    fn elide(&mut self, old_len: usize, new_len: usize, changes: usize) {
        self.changes.push(Change {
            path: Path(self.path.clone()),
            op: Op::Replace,
            old: None,
            new: None,
            secret: false,
            format_only: false,
            elided: Some(Elided {
                old_len,
                new_len,
                changes,
            }),
        });
    }

    fn walk(&mut self, old: &Value, new: &Value) {
        if self.in_secret_value() {
            self.secret_leaf(Some(old), Some(new));
            return;
        }
        if same(old, new) {
            return;
        }
        if is_quantity_path(&self.fields())
            && let (Some(a), Some(b)) = (Quantity::from_value(old), Quantity::from_value(new))
            && a.same_amount(&b)
        {
            return;
        }
        match (old, new) {
            (Value::Object(a), Value::Object(b)) => self.walk_maps(a, b),
            (Value::Array(a), Value::Array(b)) => self.walk_lists(a, b),
            (Value::String(a), Value::String(b)) => self.walk_strings(a, b),
            _ => self.push(Op::Replace, Some(old.clone()), Some(new.clone())),
        }
    }

    fn walk_maps(&mut self, old: &Map<String, Value>, new: &Map<String, Value>) {
        for (key, old_value) in old {
            self.path.push(Segment::Field(key.clone()));
            match new.get(key) {
                Some(new_value) => self.walk(old_value, new_value),
                None => self.removed(old_value),
            }
            self.path.pop();
        }
        for (key, new_value) in new {
            if !old.contains_key(key) {
                self.path.push(Segment::Field(key.clone()));
                self.added(new_value);
                self.path.pop();
            }
        }
    }

    /// A whole value removed. In a Secret, maps are opened so each secret value is fingerprinted.
    fn removed(&mut self, value: &Value) {
        if self.in_secret_value() {
            self.secret_leaf(Some(value), None);
        } else if let (true, Value::Object(map)) = (self.guards_secrets(), value) {
            self.walk_maps(map, &Map::new());
        } else {
            self.push(Op::Remove, Some(value.clone()), None);
        }
    }

    fn added(&mut self, value: &Value) {
        if self.in_secret_value() {
            self.secret_leaf(None, Some(value));
        } else if let (true, Value::Object(map)) = (self.guards_secrets(), value) {
            self.walk_maps(&Map::new(), map);
        } else {
            self.push(Op::Add, None, Some(value.clone()));
        }
    }
}

#[cfg(test)]
mod tests;
