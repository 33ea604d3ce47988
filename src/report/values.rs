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

/// Whether a value is shown as a block below its path rather than on the same line.
pub fn is_block(value: &Value) -> bool {
    matches!(value, Value::Object(_) | Value::Array(_)) && inline(value).len() > INLINE_LIMIT
}

/// The lines of a pretty-printed value.
pub fn block_lines(value: &Value) -> Vec<String> {
    serde_json::to_string_pretty(value)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// Whether a replaced string value is best shown as a line diff.
pub fn is_multiline(old: Option<&Value>, new: Option<&Value>) -> bool {
    let multi = |v: Option<&Value>| v.and_then(Value::as_str).is_some_and(|s| s.contains('\n'));
    matches!((old, new), (Some(Value::String(_)), Some(Value::String(_))))
        && (multi(old) || multi(new))
}

/// One line of a unified line diff.
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
