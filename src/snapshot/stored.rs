//! One object of a snapshot: its normalised body, built when first asked for.
//!
//! A list item read from a JSON file is kept as its compact text (shared, through a
//! [`TextPool`](super::TextPool), with every equal text read in the same comparison) and the
//! context it was read in. Its normalised body is a function of the two, so two objects read
//! from the same text in the same context are equal without building either body: most objects
//! of two nights of a project are, and a comparison then costs about one scan of their bytes.
//! Everything else (YAML, live objects, changed ones) gets its body as before, once.

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use super::Provenance;

/// One object of a snapshot, normalised.
#[derive(Clone, Debug)]
pub struct StoredObject {
    /// The object's `apiVersion` as its source wrote it.
    pub api_version: String,
    /// Where it was read from, e.g. `myproject/dcs.json`.
    pub origin: Arc<str>,
    /// The text it was read from, while its body is not built from anything else.
    unparsed: Option<Unparsed>,
    /// The body, built from `unparsed` when first asked for (boxed: most objects of a
    /// comparison never need theirs, and the empty cell is then small).
    canonical: OnceLock<Box<Canonical>>,
}

/// The normalised object and what normalisation set aside.
#[derive(Clone, Debug)]
struct Canonical {
    /// The normalised object as compact JSON.
    body: Box<str>,
    /// How it was written ([`Provenance`]) as compact JSON, when the source said: kept beside
    /// the object for attribution, out of the diff's sight.
    provenance: Option<Box<str>>,
}

/// An object as read, before normalisation: everything its body is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unparsed {
    /// Its compact JSON text, as the file wrote it (whitespace aside).
    pub text: Arc<str>,
    /// What its context gives it beyond its text, when anything (rare: kept apart).
    pub given: Option<Box<Given>>,
    /// Whether `status` and `creationTimestamp` are kept for serving.
    pub as_served: bool,
    /// Whether a string of the text holds an escape.
    pub escaped: bool,
}

/// What an object's context gives it beyond its text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Given {
    /// The `kind` its list gave it, when it had none.
    pub kind: Option<Box<str>>,
    /// The `apiVersion` its list gave it, when it had none.
    pub api_version: Option<Box<str>>,
    /// The namespace of its identity, when its `metadata.namespace` is not already that
    /// string: the body's is made to agree (empty: cluster-scoped, none).
    pub namespace: Option<Box<str>>,
}

impl Given {
    /// Whether the body holds a string the text lacks.
    fn adds_strings(&self) -> bool {
        self.kind.is_some()
            || self.api_version.is_some()
            || self.namespace.as_deref().is_some_and(|ns| !ns.is_empty())
    }
}

impl StoredObject {
    /// An object whose body is built: `body` the normalised object, `provenance` what
    /// [`Provenance::extract`] kept of it.
    pub(crate) fn built(
        api_version: String,
        origin: Arc<str>,
        body: Box<str>,
        provenance: Option<Box<str>>,
    ) -> StoredObject {
        StoredObject {
            api_version,
            origin,
            unparsed: None,
            canonical: OnceLock::from(Box::new(Canonical { body, provenance })),
        }
    }

    /// An object whose body is built from `unparsed` when first asked for.
    pub(crate) fn unparsed(api_version: String, origin: Arc<str>, unparsed: Unparsed) -> Self {
        StoredObject {
            api_version,
            origin,
            unparsed: Some(unparsed),
            canonical: OnceLock::new(),
        }
    }

    /// The normalised object as compact JSON.
    pub fn body(&self) -> &str {
        &self.canonical().body
    }

    /// The object with `body` (a normalised object as compact JSON) for its body, its
    /// provenance kept.
    pub fn with_body(self, body: String) -> StoredObject {
        let provenance = self.canonical().provenance.clone();
        StoredObject::built(
            self.api_version,
            self.origin,
            body.into_boxed_str(),
            provenance,
        )
    }

    /// Whether the two objects have the same body. Two objects read from equal texts in the
    /// same context are settled without building either body.
    pub fn same_body(&self, other: &StoredObject) -> bool {
        if let (Some(mine), Some(theirs)) = (&self.unparsed, &other.unparsed)
            && mine.same_source(theirs)
        {
            return true;
        }
        self.body() == other.body()
    }

    /// Whether the body may contain `token`, a JSON string with its quotes (or the start of
    /// one): `false` only when it certainly does not. Asked of the text while the body is not
    /// built: the body holds no string the text lacks unless the context added one or an
    /// escape spells it differently, and then the body is built to tell.
    pub fn may_contain(&self, token: &str) -> bool {
        match (&self.unparsed, self.canonical.get()) {
            (_, Some(canonical)) => canonical.body.contains(token),
            (Some(unparsed), None)
                if !unparsed.escaped
                    && !unparsed.given.as_ref().is_some_and(|g| g.adds_strings()) =>
            {
                unparsed.text.contains(token)
            }
            _ => self.body().contains(token),
        }
    }

    /// The object parsed back into a JSON tree.
    pub fn value(&self) -> Value {
        // The body was written by serde_json from a Value, so it always parses back.
        serde_json::from_str(self.body()).expect("canonical body is valid JSON")
    }

    /// The object as the API server would return it: [`StoredObject::value`] with its managed
    /// fields and last-applied annotation put back (what `driftlab serve` serves).
    pub fn value_as_served(&self) -> Value {
        let mut value = self.value();
        let Some(text) = self.canonical().provenance.as_deref() else {
            return value;
        };
        let Ok(Value::Object(kept)) = serde_json::from_str::<Value>(text) else {
            return value;
        };
        // Back in the API's form: each field set an object, with its type and version.
        let api_version = value.get("apiVersion").cloned().unwrap_or(Value::Null);
        let managed = kept.get("managedFields").map(|managed| {
            crate::apiserver::managed::from_list(managed)
                .into_iter()
                .map(|m| m.as_served(&api_version))
                .collect()
        });
        let last_applied = kept
            .get("lastApplied")
            .map(|applied| Value::String(applied.to_string()));
        crate::normalize::restore_provenance(&mut value, managed, last_applied);
        if let Value::Object(object) = &mut value {
            if let Some(created) = kept.get("creationTimestamp")
                && let Some(Value::Object(metadata)) = object.get_mut("metadata")
            {
                metadata.insert("creationTimestamp".into(), created.clone());
            }
            if let Some(status) = kept.get("status") {
                object.insert("status".into(), status.clone());
            }
        }
        value
    }

    /// Who wrote which field, and what `kubectl apply` last applied, if the source kept them.
    pub fn provenance(&self) -> Option<Provenance> {
        let value: Value = serde_json::from_str(self.canonical().provenance.as_deref()?).ok()?;
        Some(Provenance {
            managers: value
                .get("managedFields")
                .map(crate::apiserver::managed::from_list)
                .unwrap_or_default(),
            last_applied: value.get("lastApplied").cloned(),
        })
    }

    fn canonical(&self) -> &Canonical {
        self.canonical.get_or_init(|| {
            let unparsed = self
                .unparsed
                .as_ref()
                .expect("an object without a built body has its text");
            unparsed.build()
        })
    }
}

impl Unparsed {
    /// Whether `self` and `other` make the same body: the same text in the same context.
    fn same_source(&self, other: &Unparsed) -> bool {
        (Arc::ptr_eq(&self.text, &other.text) || self.text == other.text)
            && self.given == other.given
            && self.as_served == other.as_served
    }

    /// The body: the text parsed, given its context, normalised.
    fn build(&self) -> Box<Canonical> {
        // The reader checked that the text parses (format::compact: serde_json read it once,
        // and every escape a parse could refuse sent the object down the parsing path).
        let Ok(Value::Object(mut object)) = serde_json::from_str::<Value>(&self.text) else {
            unreachable!("the text of an unparsed object is a JSON object");
        };
        let given = self.given.as_deref();
        if let Some(kind) = given.and_then(|g| g.kind.as_deref()) {
            object.insert("kind".into(), Value::String(kind.to_string()));
        }
        if let Some(api_version) = given.and_then(|g| g.api_version.as_deref()) {
            object.insert("apiVersion".into(), Value::String(api_version.to_string()));
        }
        // Without a namespace given, the text's own is the identity's: nothing to make agree.
        if let Some(namespace) = given.and_then(|g| g.namespace.as_deref()) {
            super::builder::set_namespace(&mut object, namespace);
        }
        let (body, provenance) = normalised_as_is(object, self.as_served);
        Box::new(Canonical { body, provenance })
    }
}

/// The body of `object`, whose identity's namespace is `namespace`, and its provenance (with
/// `status` and `creationTimestamp` when `as_served`).
pub(crate) fn normalised(
    mut object: Map<String, Value>,
    namespace: &str,
    as_served: bool,
) -> (Box<str>, Option<Box<str>>) {
    super::builder::set_namespace(&mut object, namespace);
    normalised_as_is(object, as_served)
}

/// The body of `object`, its namespace already agreeing with its identity, and its provenance.
fn normalised_as_is(object: Map<String, Value>, as_served: bool) -> (Box<str>, Option<Box<str>>) {
    let mut value = Value::Object(object);
    let provenance = Provenance::extract(&value, as_served);
    crate::normalize::normalize(&mut value);
    let body = serde_json::to_string(&value)
        .expect("a serde_json Value always serialises")
        .into_boxed_str();
    (body, provenance)
}
