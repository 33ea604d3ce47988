//! A change as HTML: written out as the text report writes it (an `<li>`), and in a few words
//! for a grid cell. What a change is comes from [`present::shape`]; this only lays it out.

use serde_json::Value;

use super::esc;
use crate::analyze::Category;
use crate::diff::Change;
use crate::history::short_path::ShortPath;
use crate::report::RenderOptions;
use crate::report::present::{self, Shape};
use crate::report::values::{self, DiffLine};

/// The longest value a grid cell shows, in characters.
const CELL_VALUE: usize = 22;

/// A path in a grid cell: at most this many characters…
const CELL_PATH: usize = 40;

/// …and at most this many segments from its end.
const CELL_SEGMENTS: usize = 3;

/// A change written out as the text report writes it, as an `<li>`: its category adds a hint for
/// a triggered image, `note` one of its own.
pub(super) fn item(
    change: &Change,
    category: Option<Category>,
    note: Option<&str>,
    options: &RenderOptions,
) -> String {
    let path = format!(
        "<code class=\"path\">{}</code>",
        esc(&present::path(change))
    );
    let secret_hint = if present::secret_hidden(change, options) {
        " <span class=\"hint\">(values hidden; --show-secrets)</span>"
    } else {
        ""
    };
    let tail = hints(category, note);
    let (op, body) = match present::shape(change) {
        Shape::Elided(elided) => (
            "~",
            format!("{path} {}{tail}", esc(&values::elided(elided))),
        ),
        Shape::Lines(lines) => {
            let note = if change.format_only {
                " <span class=\"hint\">(formatting or comments only)</span>"
            } else {
                ""
            };
            (
                "~",
                format!(
                    "{path}{note}{tail}<pre class=\"diff\">{}</pre>",
                    diff(lines)
                ),
            )
        }
        Shape::Atomic(inside) => ("~", atomic(&path, &inside, options, &tail)),
        Shape::ReplacedBlocks { old, new } => (
            "~",
            format!(
                "{path}{tail}{}{}",
                block("was", "old", &old),
                block("now", "new", &new)
            ),
        ),
        Shape::Replaced { old, new } => (
            "~",
            format!(
                "{path} <span class=\"vals\"><span class=\"old\">{}</span> <span class=\"arrow\">→</span> <span class=\"new\">{}</span></span>{secret_hint}{tail}",
                esc(&old),
                esc(&new)
            ),
        ),
        Shape::OneSidedBlock { added, lines } => (
            sign(added),
            format!(
                "{path}{tail}<pre class=\"{}\">{}</pre>",
                side(added),
                esc(&lines.join("\n"))
            ),
        ),
        Shape::OneSided { added, value } => (
            sign(added),
            format!(
                "{path} <span class=\"vals\"><span class=\"{}\">{}</span></span>{secret_hint}{tail}",
                side(added),
                esc(&value)
            ),
        ),
        Shape::Moved { from, to } => (
            "↕",
            moved(&path, &format!("moved from position {from} to {to}"), &tail),
        ),
        Shape::Reordered(Some((old, new))) => (
            "↕",
            moved(&path, &format!("order changed: {old} → {new}"), &tail),
        ),
        Shape::Reordered(None) => ("↕", moved(&path, "order changed", &tail)),
    };
    let class = if present::is_low_key(change) {
        "change low"
    } else {
        "change"
    };
    format!(
        "<li class=\"{class}\"><span class=\"op\" aria-hidden=\"true\">{op}</span><div class=\"body\">{body}</div></li>\n"
    )
}

/// The hints after a change: a triggered image says so, a note is added in parentheses.
fn hints(category: Option<Category>, note: Option<&str>) -> String {
    let mut hints = String::new();
    if category == Some(Category::TriggeredImage) {
        hints.push_str(" <span class=\"hint\">(updated by its ImageChange trigger)</span>");
    }
    if let Some(note) = note {
        hints.push_str(&format!(" <span class=\"hint\">({})</span>", esc(note)));
    }
    hints
}

/// `+` for an added value, `−` for a removed one.
fn sign(added: bool) -> &'static str {
    if added { "+" } else { "−" }
}

/// The class of an added (`new`) or removed (`old`) value.
fn side(added: bool) -> &'static str {
    if added { "new" } else { "old" }
}

/// A line diff as the lines of a `<pre class="diff">`.
fn diff(lines: Vec<DiffLine>) -> String {
    let mut pre = String::new();
    for line in lines {
        let (class, text) = match line {
            DiffLine::Hunk(h) => ("hunk", h),
            DiffLine::Context(t) => ("ctx", format!(" {t}")),
            DiffLine::Removed(t) => ("del", format!("-{t}")),
            DiffLine::Added(t) => ("ins", format!("+{t}")),
        };
        pre.push_str(&format!("<span class=\"{class}\">{}</span>\n", esc(&text)));
    }
    pre
}

/// A value as a labelled block of lines (`was`, `now`).
fn block(label: &str, class: &str, lines: &[String]) -> String {
    format!(
        "<div class=\"block\"><span class=\"hint\">{label}</span><pre class=\"{class}\">{}</pre></div>",
        esc(&lines.join("\n"))
    )
}

/// An atomic list replaced whole: the changes inside it, as the text report writes them.
fn atomic(path: &str, inside: &[Change], options: &RenderOptions, tail: &str) -> String {
    let mut text = Vec::new();
    let plain = crate::report::theme::Theme::new(false);
    for change in inside {
        // Writing into memory cannot fail.
        let _ = crate::report::text::write_change(&mut text, change, &plain, options, 0);
    }
    let text = String::from_utf8_lossy(&text);
    format!(
        "{path} <span class=\"hint\">(one value: replaced whole)</span>{tail}<pre class=\"diff\">{}</pre>",
        esc(text.trim_end())
    )
}

/// A move or a new order, in words.
fn moved(path: &str, what: &str, tail: &str) -> String {
    format!("{path} <span class=\"vals\">{}</span>{tail}", esc(what))
}

/// A change in a few words for a grid cell: the end of its path, then old → new.
pub(super) fn brief(change: &Change) -> String {
    let what = match present::shape(change) {
        Shape::Elided(_) => "<span class=\"vals\">many elements changed</span>".to_string(),
        Shape::Lines(lines) => {
            let removed = lines
                .iter()
                .filter(|l| matches!(l, DiffLine::Removed(_)))
                .count();
            let added = lines
                .iter()
                .filter(|l| matches!(l, DiffLine::Added(_)))
                .count();
            format!("<span class=\"vals\">text: −{removed} +{added} lines</span>")
        }
        Shape::Replaced { old, new } => pair(&old, &new),
        Shape::Atomic(inside) => format!(
            "<span class=\"vals\">replaced whole: {}</span>",
            esc(&crate::report::words::plural(inside.len(), "change"))
        ),
        // Maps and lists too long for a line still get one, cut short.
        Shape::ReplacedBlocks { .. } => {
            let null = Value::Null;
            pair(
                &present::value(change, change.old.as_ref().unwrap_or(&null)),
                &present::value(change, change.new.as_ref().unwrap_or(&null)),
            )
        }
        Shape::OneSided { added, value } if !names_itself(change, added) => format!(
            "<span class=\"vals\">{} <span class=\"{}\">{}</span></span>",
            sign(added),
            side(added),
            esc(&truncate(&value, CELL_VALUE))
        ),
        Shape::OneSided { added, .. } | Shape::OneSidedBlock { added, .. } => format!(
            "<span class=\"vals\">{} <span class=\"{}\">{}</span></span>",
            sign(added),
            side(added),
            if added { "added" } else { "removed" }
        ),
        Shape::Moved { .. } | Shape::Reordered(_) => {
            "<span class=\"vals\">order changed</span>".to_string()
        }
    };
    format!(
        "<span class=\"chg\"><code class=\"path\" title=\"{}\">{}</code> {what}</span>",
        esc(&present::path(change)),
        short_path(change)
    )
}

/// Whether an added or removed value is best named by its path alone: a map or a list in 20
/// characters says nothing.
fn names_itself(change: &Change, added: bool) -> bool {
    let value = if added { &change.new } else { &change.old };
    matches!(value, Some(Value::Object(_) | Value::Array(_)) | None)
}

/// Old → new in a grid cell, each cut short.
fn pair(old: &str, new: &str) -> String {
    format!(
        "<span class=\"vals pair\"><span class=\"old\">{}</span><span class=\"to\"><span class=\"arrow\">→</span> <span class=\"new\">{}</span></span></span>",
        esc(&truncate(old, CELL_VALUE)),
        esc(&truncate(new, CELL_VALUE))
    )
}

/// The path of a change in short, as HTML that breaks only between segments (after a `.`,
/// before a `[`).
fn short_path(change: &Change) -> String {
    let short = ShortPath::of(&change.path, CELL_PATH, CELL_SEGMENTS);
    if short.segments.is_empty() {
        return esc(&present::path(change));
    }
    let mut out = String::new();
    if short.cut {
        out.push('…');
    }
    for (k, segment) in short.segments.iter().enumerate() {
        if k > 0 {
            out.push_str(if segment.starts_with('[') {
                "<wbr>"
            } else {
                ".<wbr>"
            });
        }
        out.push_str(&esc(segment));
    }
    out
}

/// Cuts `text` to `max` characters, the cut marked with `…`.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
