//! Values written for people: one line when short, indented JSON when long, line diffs for
//! multi-line strings.

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

/// Values longer than this on one line are written as indented JSON blocks.
pub const INLINE_LIMIT: usize = 80;

/// A value on one line: strings quoted, everything else as compact JSON.
pub fn inline(value: &Value) -> String {
    value.to_string()
}

/// Two long one-line strings as a person wants to compare them: the shared beginning up to a `/`
/// left out (`…/web@sha256:…`) and digests cut to 12 hex digits. The JSON report keeps them whole.
pub fn abbreviate_pair(old: &str, new: &str) -> (String, String) {
    if old.len() + new.len() < 2 * INLINE_LIMIT / 2 || old.contains('\n') || new.contains('\n') {
        return (old.to_string(), new.to_string());
    }
    let common = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let cut = old[..common]
        .rfind('/')
        .filter(|&i| i >= 16)
        .map_or(0, |i| i + 1);
    let shorten = |s: &str| {
        let rest = if cut > 0 {
            format!("…/{}", &s[cut..])
        } else {
            s.to_string()
        };
        short_digests(&rest)
    };
    (shorten(old), shorten(new))
}

/// `sha256:` and 64 hex digits → `sha256:` and the first 12, then `…`.
pub fn short_digests(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("sha256:") {
        let (before, after) = rest.split_at(at + "sha256:".len());
        out.push_str(before);
        let hex = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        if hex == 64 {
            out.push_str(&after[..12]);
            out.push('…');
        } else {
            out.push_str(&after[..hex]);
        }
        rest = &after[hex..];
    }
    out.push_str(rest);
    out
}

/// `list of 5000000 elements → 5000001 elements: 5000001 element changes, not listed one by one
/// (--max-list-changes 0 lists them)`.
pub fn elided(elided: &crate::diff::value::Elided) -> String {
    format!(
        "list of {} elements → {} elements: {} element changes, not listed one by one (--max-list-changes 0 lists them)",
        elided.old_len, elided.new_len, elided.changes
    )
}

/// Whether a value is shown as a block below its path rather than on the same line.
pub fn is_block(value: &Value) -> bool {
    matches!(value, Value::Object(_) | Value::Array(_)) && inline(value).len() > INLINE_LIMIT
}

/// `value` with the keys of every map in order, so that two values whose sources ordered keys
/// differently differ, line by line, only where their content does.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&map[k])))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// The lines of a value written as a YAML-like block: maps as `key: value`, lists as `- item`,
/// scalars as JSON (strings quoted only where a bare word would mislead).
pub fn block_lines(value: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    write_block(value, 0, &mut lines);
    lines
}

fn write_block(value: &Value, indent: usize, lines: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, item) in map {
                let key = scalar_text(&Value::String(key.clone()));
                if is_nested(item) {
                    lines.push(format!("{pad}{key}:"));
                    write_block(item, indent + 2, lines);
                } else {
                    lines.push(format!("{pad}{key}: {}", scalar_text(item)));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                if is_nested(item) {
                    // The first line of the element goes after the dash, the rest below it.
                    let mut inner = Vec::new();
                    write_block(item, indent + 2, &mut inner);
                    let first = inner.remove(0);
                    lines.push(format!("{pad}- {}", first.trim_start()));
                    lines.extend(inner);
                } else {
                    lines.push(format!("{pad}- {}", scalar_text(item)));
                }
            }
        }
        other => lines.push(format!("{pad}{}", scalar_text(other))),
    }
}

fn is_nested(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

/// A scalar (or empty container) as written in a block: plain words bare, the rest as JSON.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) if is_plain_word(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Strings that read unambiguously without quotes: no spaces or YAML punctuation at the edges,
/// and not a word YAML would take for another type.
fn is_plain_word(s: &str) -> bool {
    const RESERVED: &[&str] = &["true", "false", "null", "yes", "no", "on", "off", "~", ""];
    !RESERVED.contains(&s.to_ascii_lowercase().as_str())
        && s.parse::<f64>().is_err()
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@` ".contains(c))
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.chars().any(char::is_control)
}

/// Whether a replaced string value is best shown as a line diff.
pub fn is_multiline(old: Option<&Value>, new: Option<&Value>) -> bool {
    let multi = |v: Option<&Value>| v.and_then(Value::as_str).is_some_and(|s| s.contains('\n'));
    matches!((old, new), (Some(Value::String(_)), Some(Value::String(_))))
        && (multi(old) || multi(new))
}

/// One line of a unified line diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffLine {
    /// `@@ -1,3 +1,3 @@`.
    Hunk(String),
    /// An unchanged line.
    Context(String),
    /// A line only in the old text.
    Removed(String),
    /// A line only in the new text.
    Added(String),
}

/// The unified diff (3 lines of context) of two texts.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(old, new);
    let mut lines = Vec::new();
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        lines.push(DiffLine::Hunk(hunk.header().to_string()));
        for change in hunk.iter_changes() {
            let text = change.value().trim_end_matches(['\n', '\r']).to_string();
            lines.push(match change.tag() {
                ChangeTag::Equal => DiffLine::Context(text),
                ChangeTag::Delete => DiffLine::Removed(text),
                ChangeTag::Insert => DiffLine::Added(text),
            });
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn long_images_are_abbreviated_for_reading() {
        let old = format!(
            "docker-registry.default.svc:5000/myproject/web@sha256:{}",
            "146d3146".repeat(8)
        );
        let new = format!(
            "docker-registry.default.svc:5000/myproject/web@sha256:{}",
            "9f2c77e0".repeat(8)
        );
        assert_eq!(
            abbreviate_pair(&old, &new),
            (
                "…/web@sha256:146d3146146d…".to_string(),
                "…/web@sha256:9f2c77e09f2c…".to_string()
            )
        );
        assert_eq!(
            abbreviate_pair("/healthz", "/ready"),
            ("/healthz".to_string(), "/ready".to_string())
        );
    }

    #[test]
    fn blocks_read_like_yaml() {
        let value = json!({"ip": "10.0.0.1", "ports": [{"port": 80, "name": "http"}], "ready": "true", "empty": {}});
        assert_eq!(
            block_lines(&value),
            [
                "ip: 10.0.0.1",
                "ports:",
                "  - port: 80",
                "    name: http",
                "ready: \"true\"",
                "empty: {}"
            ]
        );
    }
}
