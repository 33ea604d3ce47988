//! The baseline file: YAML a team keeps in its repository, one entry per accepted change.
//!
//! ```yaml
//! apiVersion: driftlab.io/v1
//! kind: Baseline
//! accepted:
//! - group: apps
//!   kind: Deployment
//!   namespace: shop
//!   name: web
//!   path: spec.replicas
//!   value: 5
//!   reason: the HPA scales it
//!   expires: 2027-01-31
//! ```
//!
//! Every field but `reason` and `expires` is written by `--update-baseline`; a person adds those
//! two. Unknown fields are refused, with their line: an `expire:` typo must not turn an entry
//! that should lapse into one that never does.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use serde_saphyr::Spanned;

use super::{Accepted, AcceptedValue, Expiry};
use crate::error::{Error, Result};
use crate::timestamp::Timestamp;

/// `apiVersion` of the file.
pub const API_VERSION: &str = "driftlab.io/v1";
/// `kind` of the file.
pub const KIND: &str = "Baseline";

/// A baseline file as written on disk.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawFile {
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    accepted: Vec<Spanned<RawEntry>>,
}

/// One entry as written on disk.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    group: String,
    kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    namespace: String,
    name: String,
    /// The changed field; absent for an object added or removed whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    /// The accepted new value; present (even `null`) for a field set or changed.
    #[serde(
        default,
        deserialize_with = "present",
        serialize_with = "plain",
        skip_serializing_if = "Option::is_none"
    )]
    value: Option<Value>,
    /// `true`: the accepted change removes the field.
    #[serde(default, skip_serializing_if = "is_false")]
    removed: bool,
    /// `added` or `removed`: the whole object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    object: Option<String>,
    /// The SHA-256 of an added object's content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `Some` whenever the key is there, `null` included (absent keys take the `default`).
fn present<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

/// Writes a value with its numbers as YAML numbers: serde_json's exact numbers would otherwise
/// serialise as a private map.
fn plain<S: serde::Serializer>(
    value: &Option<Value>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match value {
        Some(value) => Plain(value).serialize(s),
        None => s.serialize_none(),
    }
}

struct Plain<'a>(&'a Value);

impl Serialize for Plain<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    s.serialize_i64(i)
                } else if let Some(u) = n.as_u64() {
                    s.serialize_u64(u)
                } else {
                    s.serialize_f64(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Plain(item))?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let mut out = s.serialize_map(Some(map.len()))?;
                for (key, item) in map {
                    out.serialize_entry(key, &Plain(item))?;
                }
                out.end()
            }
            other => other.serialize(s),
        }
    }
}

/// Reads the baseline `text` of `file`; a problem is one error naming the file and the line.
pub fn parse(text: &str, file: &str) -> Result<Vec<Accepted>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let raw: RawFile =
        serde_saphyr::from_str(text).map_err(|e| yaml_error(file, &e.to_string()))?;
    if let Some(version) = raw.api_version.as_deref().filter(|v| *v != API_VERSION) {
        return Err(Error::input(
            file,
            format!("apiVersion {version:?} is not {API_VERSION:?}"),
        ));
    }
    if let Some(kind) = raw.kind.as_deref().filter(|k| *k != KIND) {
        return Err(Error::input(file, format!("kind {kind:?} is not {KIND:?}")));
    }
    raw.accepted
        .into_iter()
        .map(|entry| {
            let line = entry.referenced.line() as usize;
            accepted(entry.value, file, line)
                .map_err(|problem| Error::input(format!("{file}:{line}"), problem))
        })
        .collect()
}

/// `FILE:4: not a driftlab baseline: mapping values are not allowed in this context`: the
/// parser's first line, without the source snippet it draws below it.
fn yaml_error(file: &str, message: &str) -> Error {
    let first = message.lines().next().unwrap_or_default();
    let first = first.split("  -->").next().unwrap_or(first).trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let (at, problem) = match first.strip_prefix("line ").and_then(|rest| {
        let (line, rest) = rest.split_once(' ')?;
        let line: usize = line.parse().ok()?;
        let problem = rest.split_once(": ").map_or(rest, |(_, p)| p);
        Some((line, problem))
    }) {
        Some((line, problem)) => (format!("{file}:{line}"), problem),
        None => (file.to_string(), first),
    };
    Error::input(
        at,
        format!(
            "not a driftlab baseline: {}",
            crate::messages::one_line(problem)
        ),
    )
}

fn accepted(raw: RawEntry, file: &str, line: usize) -> std::result::Result<Accepted, String> {
    let value = match (raw.object.as_deref(), raw.path, raw.value, raw.removed) {
        (Some("added"), None, None, false) => AcceptedValue::ObjectAdded {
            digest: raw
                .digest
                .ok_or("an added object needs its digest (as --update-baseline writes it)")?,
        },
        (Some("removed"), None, None, false) => AcceptedValue::ObjectRemoved,
        (Some(other), ..) if other != "added" && other != "removed" => {
            return Err(format!("object: {other:?} is neither added nor removed"));
        }
        (Some(_), ..) => {
            return Err("an entry for a whole object has no path, value or removed".into());
        }
        (None, Some(path), Some(value), false) => AcceptedValue::Field { path, value },
        (None, Some(path), None, true) => AcceptedValue::FieldRemoved { path },
        (None, None, ..) => return Err("no path (and no object: added|removed)".into()),
        (None, Some(_), Some(_), true) => {
            return Err("an entry has either a value or removed: true".into());
        }
        (None, Some(_), None, false) => {
            return Err("no value (or removed: true) for the path".into());
        }
    };
    let expires = match raw.expires {
        None => None,
        Some(text) => Some(
            parse_date(&text)
                .ok_or_else(|| format!("expires: {text:?} is not a date (YYYY-MM-DD)"))?,
        ),
    };
    if raw.kind.is_empty() || raw.name.is_empty() {
        return Err("kind and name must not be empty".into());
    }
    Ok(Accepted {
        group: raw.group,
        kind: raw.kind,
        namespace: raw.namespace,
        name: raw.name,
        value,
        reason: raw.reason,
        expires,
        file: file.to_string(),
        line,
    })
}

/// `2027-01-31`: the last day an entry holds (UTC).
fn parse_date(text: &str) -> Option<Expiry> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let digits: String = text.split('-').collect();
    let day = Timestamp::parse_stamp(&digits)?;
    Some(Expiry {
        text: text.to_string(),
        last_day: day,
    })
}

/// The file's text for `entries` (sorted as given), with a header that says what it is.
pub fn render(entries: &[Accepted]) -> Result<String> {
    let raw: Vec<RawEntry> = entries.iter().map(raw_entry).collect();
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Out<'a> {
        api_version: &'a str,
        kind: &'a str,
        accepted: &'a [RawEntry],
    }
    let body = serde_saphyr::to_string(&Out {
        api_version: API_VERSION,
        kind: KIND,
        accepted: &raw,
    })
    .map_err(|e| Error::input("baseline", format!("cannot write it: {e}")))?;
    Ok(format!(
        "# Drift accepted by `driftlab diff --baseline` (written by --update-baseline).\n\
         # A change is accepted while an entry names its object, path and new value exactly;\n\
         # add `reason:` and `expires: YYYY-MM-DD` (the last day it holds) by hand: an update\n\
         # keeps them.\n{body}"
    ))
}

fn raw_entry(entry: &Accepted) -> RawEntry {
    let (path, value, removed, object, digest) = match &entry.value {
        AcceptedValue::Field { path, value } => {
            (Some(path.clone()), Some(value.clone()), false, None, None)
        }
        AcceptedValue::FieldRemoved { path } => (Some(path.clone()), None, true, None, None),
        AcceptedValue::ObjectAdded { digest } => (
            None,
            None,
            false,
            Some("added".into()),
            Some(digest.clone()),
        ),
        AcceptedValue::ObjectRemoved => (None, None, false, Some("removed".into()), None),
    };
    RawEntry {
        group: entry.group.clone(),
        kind: entry.kind.clone(),
        namespace: entry.namespace.clone(),
        name: entry.name.clone(),
        path,
        value,
        removed,
        object,
        digest,
        reason: entry.reason.clone(),
        expires: entry.expires.as_ref().map(|e| e.text.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_a_round_trip() {
        let tricky = [
            Value::from("5"),
            Value::from("yes"),
            Value::from("null"),
            Value::from("~"),
            Value::from("a: b"),
            Value::from("line one\nline two\n"),
            Value::from(" padded "),
            Value::from("1.0"),
            Value::from(0.5),
            Value::from(5),
            Value::Null,
            Value::Bool(true),
            serde_json::json!({"a": [1, "2", {"b": null}]}),
            serde_json::json!([]),
            serde_json::json!({}),
        ];
        let entries: Vec<Accepted> = tricky
            .iter()
            .enumerate()
            .map(|(i, value)| Accepted {
                group: "apps".into(),
                kind: "Deployment".into(),
                namespace: "shop".into(),
                name: format!("web-{i}"),
                value: AcceptedValue::Field {
                    path: "spec.x".into(),
                    value: value.clone(),
                },
                reason: (i == 1).then(|| "because: reasons".into()),
                expires: None,
                file: String::new(),
                line: 0,
            })
            .collect();
        let text = render(&entries).unwrap();
        let back = parse(&text, "b.yaml").unwrap();
        assert_eq!(back.len(), tricky.len());
        for (entry, value) in back.iter().zip(&tricky) {
            assert_eq!(
                entry.value,
                AcceptedValue::Field {
                    path: "spec.x".into(),
                    value: value.clone()
                },
                "{text}"
            );
        }
        assert_eq!(back[1].reason.as_deref(), Some("because: reasons"));
    }

    #[test]
    fn problems_name_their_line() {
        let text = "accepted:\n- kind: ConfigMap\n  name: a\n  path: data.x\n  value: 1\n\
                    - kind: ConfigMap\n  name: b\n  path: data.x\n  value: 1\n  expire: 2027-01-01\n";
        let err = parse(text, "b.yaml").unwrap_err().to_string();
        assert!(err.contains("b.yaml") && err.contains("expire"), "{err}");
        let text = "accepted:\n- kind: ConfigMap\n  name: a\n  path: data.x\n  value: 1\n\
                    - kind: ConfigMap\n  name: b\n  path: data.x\n  value: 1\n  expires: soon\n";
        let err = parse(text, "b.yaml").unwrap_err().to_string();
        assert!(err.contains("b.yaml:6"), "{err}");
        let err = parse("accepted: [", "b.yaml").unwrap_err().to_string();
        assert!(err.contains("b.yaml"), "{err}");
    }
}
