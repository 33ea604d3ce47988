//! What the Kubernetes and OpenShift API servers add to an object that nobody wrote: the defaults
//! their defaulting functions fill in ([`defaults`]) and the fields admission plugins and
//! controllers inject into pods and a few other objects ([`injected`]).
//!
//! [`managed`] reads the field managers the server records on every object: who last wrote a
//! field.
//!
//! Comparing what a team means (manifests in Git) with what runs (objects as the API server
//! returns them) otherwise drowns in false differences: `imagePullPolicy`, probe periods,
//! `sessionAffinity`, the service-account token volume, default tolerations. Both modules are
//! knowledge only, as pure functions over [`serde_json::Value`]: they read no files and print
//! nothing; the analysis decides what to do with what they say.
//!
//! Paths are RFC 6901 JSON pointers (`/spec/template/spec/containers/0/imagePullPolicy`), the form
//! [`crate::diff::Path::pointer`] gives, so a noise rule can ask about a change directly.

pub mod defaults;
mod defaults_fns;
mod image;
pub mod injected;
mod locate;
pub mod managed;

use serde_json::Value;

pub use image::pull_policy;

/// An object's type as the tables match it: API group, version and kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TypeInfo {
    /// The API group (`apps`; empty for the core group and for OpenShift 3's legacy `v1`).
    pub group: String,
    /// The version (`v1`, `v1beta1`).
    pub version: String,
    /// The kind (`Deployment`).
    pub kind: String,
    /// `metadata.namespace`, empty when absent (some defaults copy it).
    pub namespace: String,
}

impl TypeInfo {
    /// Reads `apiVersion`, `kind` and `metadata.namespace`; absent or non-string values read as
    /// empty, so an object without a type matches no typed entry.
    pub fn of(object: &Value) -> TypeInfo {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
        let api_version = text(object.get("apiVersion"));
        let (group, version) = match api_version.rsplit_once('/') {
            Some((group, version)) => (group.to_string(), version.to_string()),
            None => (String::new(), api_version),
        };
        TypeInfo {
            group,
            version,
            kind: text(object.get("kind")),
            namespace: text(object.pointer("/metadata/namespace")),
        }
    }

    /// Whether this type is one of `specs`, each written `group/version Kind` (`apps/v1
    /// Deployment`, `v1 Service` for the core group, `apps/* Deployment` for every version).
    pub fn is_any(&self, specs: &[&str]) -> bool {
        specs.iter().any(|spec| self.is(spec))
    }

    fn is(&self, spec: &str) -> bool {
        let Some((api_version, kind)) = spec.split_once(' ') else {
            return false;
        };
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        kind == self.kind && group == self.group && (version == "*" || version == self.version)
    }
}

/// Escapes one key for a JSON pointer (RFC 6901: `~` → `~0`, `/` → `~1`).
pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Whether `value` is what Go decodes to the zero value of its field: `null`, `""`, `0`, `false`,
/// `[]` or `{}`. Upstream tests `len(x) == 0` or `x == 0` for non-pointer fields, so for those an
/// explicit zero is as unset as an absent field.
pub(crate) fn is_go_zero(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_info_reads_group_version_and_kind() {
        let t = TypeInfo::of(&json!({"apiVersion": "apps/v1", "kind": "Deployment"}));
        assert!(t.is_any(&["apps/v1 Deployment"]));
        assert!(t.is_any(&["apps/* Deployment"]));
        assert!(!t.is_any(&["apps/v1beta1 Deployment", "v1 Deployment"]));
        let core = TypeInfo::of(&json!({"apiVersion": "v1", "kind": "Service"}));
        assert!(core.is_any(&["v1 Service"]));
        assert!(!core.is_any(&["apps/v1 Service"]));
        let untyped = TypeInfo::of(&json!({"kind": 3}));
        assert!(!untyped.is_any(&["v1 Service"]));
    }

    #[test]
    fn go_zero_values() {
        for zero in [
            json!(null),
            json!(""),
            json!(0),
            json!(false),
            json!([]),
            json!({}),
        ] {
            assert!(is_go_zero(&zero), "{zero}");
        }
        for set in [
            json!("x"),
            json!(1),
            json!(true),
            json!([0]),
            json!({"a": 1}),
        ] {
            assert!(!is_go_zero(&set), "{set}");
        }
    }
}
