//! How one change reads, decided once for every format: its path for people, its values (secret
//! fingerprints bare, long strings abbreviated), and the shape it takes. Text, Markdown and the
//! history page only lay a [`Shape`] out; none of them decides again what a change is.

use serde_json::Value;

use super::RenderOptions;
use super::values::{self, DiffLine};
use crate::analyze::Culprit;
use crate::diff::value::Elided;
use crate::diff::{Change, Op};

/// How many of a culprit's changes the text report, the history (text and page) list under it;
/// the rest are with the object's own changes below.
pub const CULPRIT_CHANGES: usize = 4;

/// How many of a culprit's changes Markdown lists under it: a pull-request comment holds no
/// object list below for long lists to point to, so it lists more.
pub const CULPRIT_CHANGES_MARKDOWN: usize = 10;

/// The first `cap` changes of `culprit`, and how many more it has.
pub fn culprit_changes(culprit: &Culprit, cap: usize) -> (&[Change], usize) {
    let shown = culprit.changes.len().min(cap);
    (&culprit.changes[..shown], culprit.changes.len() - shown)
}

/// The shape a change takes in a report.
#[derive(Debug)]
pub enum Shape<'a> {
    /// A list changed in too many elements to list: its summary.
    Elided(&'a Elided),
    /// A multi-line string replaced: its line diff.
    Lines(Vec<DiffLine>),
    /// A list its schema calls atomic (one value, replaced whole): the changes inside it.
    Atomic(Vec<Change>),
    /// A value replaced by another, both short enough for one line.
    Replaced {
        /// The old value on one line (long strings abbreviated, secrets bare).
        old: String,
        /// The new value.
        new: String,
    },
    /// A map or list replaced, too long for one line: both as blocks of lines.
    ReplacedBlocks {
        /// The old value's lines.
        old: Vec<String>,
        /// The new value's lines.
        new: Vec<String>,
    },
    /// A value added (`added`) or removed, on one line.
    OneSided {
        /// Added, or removed.
        added: bool,
        /// The value on one line.
        value: String,
    },
    /// A map or list added or removed, as a block of lines.
    OneSidedBlock {
        /// Added, or removed.
        added: bool,
        /// The value's lines.
        lines: Vec<String>,
    },
    /// One element of a list without keys moved.
    Moved {
        /// Its old position.
        from: String,
        /// Its new position.
        to: String,
    },
    /// A list's order changed: the old and new orders on one line each, when known.
    Reordered(Option<(String, String)>),
}

/// The path of a change for people; `(whole value)` for the object itself.
pub fn path(change: &Change) -> String {
    let path = change.path.human();
    if path.is_empty() {
        "(whole value)".to_string()
    } else {
        path
    }
}

/// A value of `change` on one line: a secret's fingerprint bare, anything else as JSON.
pub fn value(change: &Change, value: &Value) -> String {
    match (change.secret, value) {
        (true, Value::String(text)) => text.clone(),
        _ => values::inline(value),
    }
}

/// Whether a report should say that the values are hidden (`--show-secrets` reveals them).
pub fn secret_hidden(change: &Change, options: &RenderOptions) -> bool {
    change.secret && !options.show_secrets
}

/// Whether the change is an `apiVersion`-only line, shown low-key.
pub fn is_low_key(change: &Change) -> bool {
    change.path.human() == "apiVersion"
}

/// The shape `change` takes.
pub fn shape(change: &Change) -> Shape<'_> {
    if let Some(elided) = &change.elided {
        return Shape::Elided(elided);
    }
    let null = Value::Null;
    let (old, new) = (change.old.as_ref(), change.new.as_ref());
    match change.op {
        Op::Replace if !change.secret && values::is_multiline(old, new) => {
            Shape::Lines(values::line_diff(
                old.and_then(Value::as_str).unwrap_or(""),
                new.and_then(Value::as_str).unwrap_or(""),
            ))
        }
        // Only a list the schema calls atomic is replaced whole (any other list is compared
        // element by element): what differs inside it is shown as changes under its path.
        Op::Replace
            if !change.secret
                && matches!((old, new), (Some(Value::Array(_)), Some(Value::Array(_)))) =>
        {
            Shape::Atomic(inside(change, old.unwrap_or(&null), new.unwrap_or(&null)))
        }
        Op::Replace => {
            let (old, new) = (old.unwrap_or(&null), new.unwrap_or(&null));
            if values::is_block(old) || values::is_block(new) {
                Shape::ReplacedBlocks {
                    old: values::block_lines(old),
                    new: values::block_lines(new),
                }
            } else {
                let (old, new) = replaced_pair(change, old, new);
                Shape::Replaced { old, new }
            }
        }
        Op::Add | Op::Remove => {
            let added = change.op == Op::Add;
            let value_of = if added { new } else { old }.unwrap_or(&null);
            if values::is_block(value_of) {
                Shape::OneSidedBlock {
                    added,
                    lines: values::block_lines(value_of),
                }
            } else {
                Shape::OneSided {
                    added,
                    value: value(change, value_of),
                }
            }
        }
        Op::Move => match (old, new) {
            (Some(Value::Number(from)), Some(Value::Number(to))) => Shape::Moved {
                from: from.to_string(),
                to: to.to_string(),
            },
            (Some(old), Some(new)) => {
                Shape::Reordered(Some((values::inline(old), values::inline(new))))
            }
            _ => Shape::Reordered(None),
        },
    }
}

/// What differs inside an atomic list replaced whole, as changes at paths under its own.
fn inside(change: &Change, old: &Value, new: &Value) -> Vec<Change> {
    let options = crate::diff::ValueOptions::default();
    let mut inner = crate::diff::value::diff("", old, new, &options);
    for found in &mut inner {
        let mut path = change.path.0.clone();
        path.append(&mut found.path.0);
        found.path.0 = path;
    }
    inner
}

/// Old and new of a replaced value on one line each: long strings abbreviated (the shared
/// beginning left out, digests cut), secrets bare.
fn replaced_pair(change: &Change, old: &Value, new: &Value) -> (String, String) {
    match (old, new, change.secret) {
        (Value::String(a), Value::String(b), false) => {
            let (a, b) = values::abbreviate_pair(a, b);
            (
                values::inline(&Value::String(a)),
                values::inline(&Value::String(b)),
            )
        }
        _ => (value(change, old), value(change, new)),
    }
}

/// Text for HTML: `&`, `<`, `>`, and quotes escaped.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The report's first line: `Comparing OLD → NEW`, or for `--desired`, `Desired state OLD against
/// the cluster NEW: only what the manifests set is compared`.
pub fn heading(analysis: &crate::analyze::Analysis) -> String {
    let (old, new) = (
        super::describe_source(&analysis.old),
        super::describe_source(&analysis.new),
    );
    if analysis.desired {
        format!("Desired state {old} against {new}: only what the desired side sets is compared")
    } else {
        format!("Comparing {old} → {new}")
    }
}

/// The numbers (from 1) of the culprits among the first `top` that show every visible change of
/// `entry` among their first `per_culprit` changes; `None` when some change is shown by none of
/// them, carries a note the culprits do not print, or the entry has none: then the object's own
/// section shows its changes.
pub fn covering_culprits(
    analysis: &crate::analyze::Analysis,
    entry: &crate::analyze::Entry,
    top: usize,
    per_culprit: usize,
) -> Option<Vec<usize>> {
    let mut numbers = Vec::new();
    let mut any = false;
    for finding in entry.visible() {
        // A change with a word of its own (`not in the manifests`) is shown where that word is.
        if finding.note.is_some() {
            return None;
        }
        any = true;
        let number = analysis.culprits.iter().take(top).position(|c| {
            c.key == entry.key
                && c.changes
                    .iter()
                    .take(per_culprit)
                    .any(|shown| *shown == finding.change)
        })? + 1;
        if !numbers.contains(&number) {
            numbers.push(number);
        }
    }
    numbers.sort_unstable();
    any.then_some(numbers)
}
