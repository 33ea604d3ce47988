//! The leaves of the walk: secret values, compared by digest and shown as fingerprints, and
//! strings, compared structurally when they hold a JSON or YAML document.

use serde_json::Value;

use super::{Change, Op, Walker};
use crate::diff::path::{DocFormat, Path, Segment};
use crate::secret::{self, Comparison};

impl Walker<'_> {
    /// Whether values below here may hold secrets, so whole maps must not be printed at once.
    pub(super) fn guards_secrets(&self) -> bool {
        secret::is_secret_kind(self.kind) && !self.show_secrets
    }

    pub(super) fn secret_leaf(&mut self, old: Option<&Value>, new: Option<&Value>) {
        let base64 = self.fields().first() == Some(&"data");
        // Values hashed in ways that cannot be compared are not reported as changed: the
        // command warns about them once (see `secret::comparable`).
        if let (Some(a), Some(b)) = (old, new)
            && secret::compare(a, b, base64, self.secret_key) != Comparison::Different
        {
            return;
        }
        let show = |v: &Value| {
            if self.show_secrets {
                secret::revealed(v, base64)
            } else {
                secret::fingerprint(v, base64, self.secret_key)
            }
        };
        let op = match (old, new) {
            (Some(_), Some(_)) => Op::Replace,
            (Some(_), None) => Op::Remove,
            _ => Op::Add,
        };
        let (old, new) = (old.map(show), new.map(show));
        self.changes.push(Change {
            path: Path(self.path.clone()),
            op,
            old,
            new,
            secret: true,
            format_only: false,
            elided: None,
        });
    }

    pub(super) fn walk_strings(&mut self, old: &str, new: &str) {
        if let Some(format) = self.embedded_format(old, new)
            && let (Some(a), Some(b)) = (parse_document(format, old), parse_document(format, new))
        {
            let before = self.changes.len();
            self.path.push(Segment::Document(format));
            self.walk(&a, &b);
            self.path.pop();
            if self.changes.len() == before {
                let mut change = Change {
                    path: Path(self.path.clone()),
                    op: Op::Replace,
                    old: Some(Value::String(old.to_string())),
                    new: Some(Value::String(new.to_string())),
                    secret: false,
                    format_only: true,
                    elided: None,
                };
                change.format_only = true;
                self.changes.push(change);
            }
            return;
        }
        self.push(
            Op::Replace,
            Some(Value::String(old.to_string())),
            Some(Value::String(new.to_string())),
        );
    }

    /// Whether the strings at this path hold documents to compare structurally: ConfigMap keys
    /// named `*.json`, `*.yaml`, `*.yml`, and annotations holding JSON.
    pub(super) fn embedded_format(&self, old: &str, new: &str) -> Option<DocFormat> {
        if self.path.iter().any(|s| matches!(s, Segment::Document(_))) {
            return None;
        }
        let fields = self.fields();
        match fields.as_slice() {
            ["data", key] if self.kind == "ConfigMap" => {
                let key = key.to_ascii_lowercase();
                if key.ends_with(".json") {
                    Some(DocFormat::Json)
                } else if key.ends_with(".yaml") || key.ends_with(".yml") {
                    Some(DocFormat::Yaml)
                } else {
                    None
                }
            }
            ["metadata", "annotations", _] => {
                let looks_json =
                    |s: &str| s.trim_start().starts_with('{') || s.trim_start().starts_with('[');
                (looks_json(old) && looks_json(new)).then_some(DocFormat::Json)
            }
            _ => None,
        }
    }

    pub(super) fn current_field(&self) -> Option<&str> {
        match self.path.last() {
            Some(Segment::Field(name)) => Some(name),
            _ => None,
        }
    }
}

/// Parses an embedded document; several YAML documents become a list.
pub(super) fn parse_document(format: DocFormat, text: &str) -> Option<Value> {
    match format {
        DocFormat::Json => serde_json::from_str(text).ok(),
        DocFormat::Yaml => {
            let mut documents = crate::format::documents::yaml_values(text).ok()?;
            documents.retain(|d| !d.is_null());
            match documents.len() {
                0 => Some(Value::Null),
                1 => documents.pop(),
                _ => Some(Value::Array(documents)),
            }
        }
    }
}
