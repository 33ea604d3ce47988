//! The history page: one self-contained HTML file (inline CSS, no scripts, nothing fetched).
//!
//! At the top, the culprits that first appeared (★). Then a grid: one column per night (the
//! comparison of an archive with the one before it), one row per object that changed visibly at
//! least once, a mark where it changed. The mark's glyph and words say what happened (`+ added`,
//! `− removed`, `~ changed`, `↻ replaced`), its tint reinforces the category, and under it the top
//! change in short; it links to the night's section below, where every change is written out as
//! in the text report. Generated objects that only follow their owners (pods, controllers and
//! builds of a rollout) share a row per owner, in their own group below the others.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Write};

use serde_json::Value;

use super::{RenderOptions, timeline_line, when};
use crate::analyze::{Analysis, Category, Culprit, Entry, Subject};
use crate::diff::{Change, ObjectChange, Op};
use crate::history::{History, archive_name};
use crate::report::summary_line;
use crate::report::values::{self, DiffLine};
use crate::snapshot::{ObjectKey, SourceInfo};
use crate::timestamp::Timestamp;

/// Changes of a culprit written out in its night's list; the rest are in the object's changes.
const CULPRIT_CHANGES: usize = 4;

/// Compact changes shown in a grid cell.
const CELL_CHANGES: usize = 2;

/// Writes the HTML history page.
pub fn render(history: &History, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let grid = Grid::build(history);
    let mut page = Page::default();
    page.head(history);
    page.header(history, &grid, options);
    page.grid(history, &grid);
    page.nights(history, &grid, options);
    page.timelines(history);
    page.diagnostics(history);
    page.footer();
    out.write_all(page.html.as_bytes())
}

/// Text made safe for HTML content and attribute values.
fn esc(text: &str) -> String {
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

/// `deploymentconfig-myproject-web`: letters, digits and single dashes, for anchors.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() { "object".into() } else { out }
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

fn date(t: Timestamp) -> String {
    format!("{:04}-{:02}-{:02}", t.year, t.month, t.day)
}

fn weekday(t: Timestamp) -> &'static str {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    // 1970-01-01 was a Thursday.
    DAYS[(t.to_unix().div_euclid(86_400) + 4).rem_euclid(7) as usize]
}

/// The date of an archive (`2018-09-13`), or its name when it has none.
fn day(info: &SourceInfo) -> String {
    info.taken.map(date).unwrap_or_else(|| archive_name(info))
}

/// `Thu 00:15`, or nothing for an archive without a date.
fn day_time(info: &SourceInfo) -> String {
    info.taken
        .map(|t| format!("{} {:02}:{:02}", weekday(t), t.hour, t.minute))
        .unwrap_or_default()
}

/// How a category reads on a mark.
fn category_words(category: Category) -> &'static str {
    match category {
        Category::RolloutTrigger => "rollout trigger",
        Category::PodEdited => "pod edited",
        Category::Access => "access",
        Category::UsedConfiguration => "used config",
        Category::Quota => "quota",
        Category::Spec => "spec",
        Category::TriggeredImage => "triggered image",
        Category::Metadata => "metadata",
        Category::Churn => "generated",
    }
}

const CATEGORIES: [Category; 9] = [
    Category::RolloutTrigger,
    Category::PodEdited,
    Category::Access,
    Category::UsedConfiguration,
    Category::Quota,
    Category::Spec,
    Category::TriggeredImage,
    Category::Metadata,
    Category::Churn,
];

/// Whether a culprit of this category stands out: it changed what runs.
fn is_top(category: Category) -> bool {
    category.rank() <= 2
}

/// What happened to an object in a night, for its mark: glyph and word (also its CSS shape).
fn shape(entry: &Entry) -> (&'static str, &'static str) {
    match entry.change {
        ObjectChange::Added => ("+", "added"),
        ObjectChange::Removed => ("−", "removed"),
        ObjectChange::Changed if entry.is_pair() => ("↻", "replaced"),
        ObjectChange::Changed => ("~", "changed"),
    }
}

// ---------------------------------------------------------------------------------------------
// The grid model.

/// What a cell holds: the entries of one row in one night, and the culprits that name them.
#[derive(Default)]
struct Cell<'a> {
    /// Each with its position in the night's entries.
    entries: Vec<(usize, &'a Entry)>,
    /// Culprits of the night naming this row: position in the night's list (from 0), culprit.
    culprits: Vec<(usize, &'a Culprit)>,
    /// The first night a top culprit (rank 1 or 2) names this row.
    first_seen: bool,
}

impl<'a> Cell<'a> {
    /// The most likely category in the cell.
    fn category(&self) -> Category {
        let entries = self.entries.iter().map(|(_, e)| {
            // An entry's own category, or the best of its visible changes.
            e.visible()
                .map(|f| f.category)
                .min()
                .map_or(e.category, |c| c.min(e.category))
        });
        let culprits = self.culprits.iter().map(|(_, c)| c.category);
        entries.chain(culprits).min().unwrap_or(Category::Spec)
    }

    fn top_culprit(&self) -> Option<&(usize, &'a Culprit)> {
        self.culprits
            .iter()
            .filter(|(_, c)| is_top(c.category))
            .min_by_key(|(_, c)| c.category)
    }
}

/// The groups of rows, in the page's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Own,
    Repeated,
    Generated,
}

/// One row of the grid.
struct Row<'a> {
    /// `DeploymentConfig`.
    kind: String,
    /// `myproject`, empty for cluster-scoped objects.
    namespace: String,
    /// Names, in the order seen (a generated series has several).
    names: Vec<String>,
    /// What relates a generated series: `replaced by DeploymentConfig web's rollouts`.
    relation: Option<String>,
    /// Per night (from 0).
    cells: BTreeMap<usize, Cell<'a>>,
}

impl Row<'_> {
    fn first_night(&self) -> usize {
        self.cells.keys().next().copied().unwrap_or(0)
    }

    /// Which group of rows it is in: objects with changes of their own, objects whose only
    /// changes are the same as on many others, generated objects that only followed their owner.
    fn group(&self) -> Group {
        let quiet = |test: &dyn Fn(&Entry) -> bool| {
            self.cells.values().all(|cell| {
                cell.top_culprit().is_none() && cell.entries.iter().all(|(_, e)| test(e))
            })
        };
        if quiet(&|e| e.is_churn()) {
            Group::Generated
        } else if quiet(&|e| {
            e.in_repeated
                && e.change == ObjectChange::Changed
                && !e.is_pair()
                && e.visible().next().is_none()
        }) {
            Group::Repeated
        } else {
            Group::Own
        }
    }

    /// `myproject/web`, `myproject/web-2 → … → web-6`.
    fn name(&self) -> String {
        let name = match self.names.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [first, .., last]
                if self
                    .relation
                    .as_deref()
                    .is_some_and(|r| r.starts_with("new build")) =>
            {
                if self.names.len() <= 4 {
                    self.names.join(", ")
                } else {
                    format!("{first} … {last}")
                }
            }
            [first, last] => format!("{first} → {last}"),
            [first, .., last] => format!("{first} → … → {last}"),
        };
        if self.namespace.is_empty() {
            name
        } else {
            format!("{}/{name}", self.namespace)
        }
    }

    /// `DeploymentConfig myproject/web`.
    fn label(&self) -> String {
        format!("{} {}", self.kind, self.name())
    }
}

/// The rows, in the page's order, and where each culprit's mark is.
struct Grid<'a> {
    rows: Vec<Row<'a>>,
    /// (night, culprit position) → the row its mark is in.
    culprit_rows: HashMap<(usize, usize), usize>,
    /// (night, position in the night's entries) → the entry's anchor.
    anchors: HashMap<(usize, usize), String>,
}

/// The identity of the row an entry belongs to, and how a generated series is related.
fn row_identity(entry: &Entry) -> (String, Option<String>) {
    let key = &entry.key;
    if entry.is_pair()
        && let Some((kind, name)) = &entry.owner
    {
        let relation = if key.kind == "Pod" {
            format!("pods of {kind} {name}, replaced by its rollouts")
        } else {
            format!("replaced by {kind} {name}'s rollouts")
        };
        return (
            format!(
                "{}\u{0}{}\u{0}owner\u{0}{kind}\u{0}{name}",
                key.kind, key.namespace
            ),
            Some(relation),
        );
    }
    if entry.is_churn()
        && entry.change == ObjectChange::Added
        && let Some(relation) = &entry.relation
    {
        return (
            format!(
                "{}\u{0}{}\u{0}relation\u{0}{relation}",
                key.kind, key.namespace
            ),
            Some(relation.clone()),
        );
    }
    (object_identity(key), None)
}

fn object_identity(key: &ObjectKey) -> String {
    format!(
        "{}\u{0}{}\u{0}object\u{0}{}",
        key.kind, key.namespace, key.name
    )
}

/// The name an entry adds to its row's names: `web-3` for a pair `web-2 → web-3` (the first
/// pair adds its old name too), `web-4-*` for a group of pods.
fn entry_names(entry: &Entry, first: bool) -> Vec<String> {
    let new = match &entry.subject {
        Subject::Group {
            new_pattern,
            members,
            ..
        } if members.len() > 1 => new_pattern.clone(),
        _ => entry.key.name.clone(),
    };
    match entry.old_name() {
        Some(old) if first => vec![old.to_string(), new],
        _ => vec![new],
    }
}

/// Whether `entry` is (or, for a group of pods, holds) the object `key`.
fn entry_is(entry: &Entry, key: &ObjectKey) -> bool {
    if entry.key == *key {
        return true;
    }
    entry.key.kind == key.kind
        && entry.key.namespace == key.namespace
        && entry
            .members()
            .iter()
            .any(|(old, new)| *new == key.name || *old == key.name)
}

impl<'a> Grid<'a> {
    fn build(history: &'a History) -> Grid<'a> {
        let mut rows: Vec<Row<'a>> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut anchors = HashMap::new();
        let mut culprit_rows = HashMap::new();
        // The objects top culprits named so far, and the row each was last marked in.
        let mut seen: HashMap<String, usize> = HashMap::new();

        for (n, night) in history.nights.iter().enumerate() {
            let analysis = &night.analysis;
            let mut used_anchors: HashSet<String> = HashSet::new();
            // Where each entry of the night went, to place its culprits.
            let mut entry_rows: Vec<(&'a Entry, usize)> = Vec::new();
            for (i, entry) in analysis
                .entries
                .iter()
                .enumerate()
                .filter(|(_, e)| e.differs())
            {
                let (identity, relation) = row_identity(entry);
                let r = *index.entry(identity).or_insert_with(|| {
                    rows.push(Row {
                        kind: entry.key.kind.clone(),
                        namespace: entry.key.namespace.clone(),
                        names: Vec::new(),
                        relation,
                        cells: BTreeMap::new(),
                    });
                    rows.len() - 1
                });
                let row = &mut rows[r];
                for name in entry_names(entry, row.names.is_empty()) {
                    if !row.names.contains(&name) {
                        row.names.push(name);
                    }
                }
                row.cells.entry(n).or_default().entries.push((i, entry));
                entry_rows.push((entry, r));

                let base = format!(
                    "night-{}-obj-{}",
                    n + 1,
                    slug(&format!(
                        "{} {} {}",
                        entry.key.kind, entry.key.namespace, entry.key.name
                    ))
                );
                let mut anchor = base.clone();
                let mut k = 2;
                while !used_anchors.insert(anchor.clone()) {
                    anchor = format!("{base}-{k}");
                    k += 1;
                }
                anchors.insert((n, i), anchor);
            }

            for (position, culprit) in analysis.culprits.iter().enumerate() {
                for key in &culprit.objects {
                    let object = object_identity(key);
                    let r = match entry_rows.iter().find(|(e, _)| entry_is(e, key)) {
                        Some((_, r)) => *r,
                        // A culprit with no entry of its own this night (a pod that still
                        // differs from its template): the row it was marked in before, else a
                        // row for the object itself.
                        None => match seen.get(&object) {
                            Some(&r) => r,
                            None => *index.entry(object.clone()).or_insert_with(|| {
                                rows.push(Row {
                                    kind: key.kind.clone(),
                                    namespace: key.namespace.clone(),
                                    names: vec![key.name.clone()],
                                    relation: None,
                                    cells: BTreeMap::new(),
                                });
                                rows.len() - 1
                            }),
                        },
                    };
                    culprit_rows.entry((n, position)).or_insert(r);
                    let cell = rows[r].cells.entry(n).or_default();
                    if !cell.culprits.iter().any(|(p, _)| *p == position) {
                        cell.culprits.push((position, culprit));
                    }
                    if is_top(culprit.category) && seen.insert(object, r).is_none() {
                        cell.first_seen = true;
                    }
                }
            }
        }

        // Objects first, by the first night they changed, then by name; then the generated series.
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_cached_key(|&r| {
            let row = &rows[r];
            (
                row.group(),
                row.first_night(),
                row.namespace.clone(),
                row.kind.clone(),
                row.name(),
            )
        });
        let mut position = vec![0; rows.len()];
        for (new, &old) in order.iter().enumerate() {
            position[old] = new;
        }
        let mut slots: Vec<Option<Row<'a>>> = rows.into_iter().map(Some).collect();
        let rows: Vec<Row<'a>> = order
            .iter()
            .map(|&r| slots[r].take().expect("each row once"))
            .collect();
        let culprit_rows = culprit_rows
            .into_iter()
            .map(|(k, r)| (k, position[r]))
            .collect();
        Grid {
            rows,
            culprit_rows,
            anchors,
        }
    }

    /// The anchor of the night's entry at `position`.
    fn anchor(&self, night: usize, position: usize) -> &str {
        self.anchors
            .get(&(night, position))
            .map_or("", String::as_str)
    }

    /// The top culprits that first appeared: night, position in the night's list, culprit.
    fn first_seen(&self) -> Vec<(usize, usize, &'a Culprit)> {
        let mut found = Vec::new();
        for row in &self.rows {
            for (&n, cell) in &row.cells {
                if cell.first_seen
                    && let Some(&(position, culprit)) = cell.top_culprit()
                {
                    found.push((n, position, culprit));
                }
            }
        }
        found.sort_by_key(|(n, position, _)| (*n, *position));
        found
    }
}

// ---------------------------------------------------------------------------------------------
// Changes, in short for the grid and written out for the nights.

/// A path in short for a grid cell: whole when short, else at most `segments` whole segments
/// from its end that fit in `max` characters, `…` where cut (`…readinessProbe.httpGet.path`).
fn short_path(path: &str, max: usize, segments: usize) -> String {
    if path.chars().count() <= max.min(32) {
        return path.to_string();
    }
    // Segment starts: after a `.` or at a `[`, outside brackets and quotes.
    let mut starts = Vec::new();
    let (mut depth, mut quoted) = (0usize, false);
    for (i, c) in path.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => {
                if depth == 0 {
                    starts.push(i);
                }
                depth += 1;
            }
            ']' if !quoted => depth = depth.saturating_sub(1),
            '.' if !quoted && depth == 0 => starts.push(i + 1),
            _ => {}
        }
    }
    let mut best = None;
    for &start in starts.iter().rev().take(segments) {
        if path[start..].chars().count() + 1 > max {
            break;
        }
        best = Some(start);
    }
    match best {
        Some(start) => format!("…{}", &path[start..]),
        None => {
            let start = starts.last().copied().unwrap_or(0);
            truncate(&format!("…{}", &path[start..]), max)
        }
    }
}

/// A path as HTML that breaks only between segments (after a `.`, before a `[`).
fn breakable_path(path: &str) -> String {
    let mut out = String::new();
    let (mut depth, mut quoted) = (0usize, false);
    for c in path.chars() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => {
                if depth == 0 && !out.is_empty() && !out.ends_with("…") {
                    out.push_str("<wbr>");
                }
                depth += 1;
            }
            ']' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push_str(&esc(&c.to_string()));
        if c == '.' && !quoted && depth == 0 {
            out.push_str("<wbr>");
        }
    }
    out
}

fn human_path(change: &Change) -> String {
    let path = change.path.human();
    if path.is_empty() {
        "(whole value)".into()
    } else {
        path
    }
}

/// A value as the text report shows it on one line (secret fingerprints bare).
fn shown(change: &Change, value: &Value) -> String {
    match (change.secret, value) {
        (true, Value::String(s)) => s.clone(),
        _ => values::inline(value),
    }
}

/// Old and new of a replaced value, long strings abbreviated as in the text report.
fn replaced_pair(change: &Change) -> (String, String) {
    let null = Value::Null;
    let (old, new) = (
        change.old.as_ref().unwrap_or(&null),
        change.new.as_ref().unwrap_or(&null),
    );
    match (old, new, change.secret) {
        (Value::String(a), Value::String(b), false) => {
            let (a, b) = values::abbreviate_pair(a, b);
            (
                values::inline(&Value::String(a)),
                values::inline(&Value::String(b)),
            )
        }
        _ => (shown(change, old), shown(change, new)),
    }
}

/// A change in a few words for a grid cell: the end of its path, then old → new.
fn cell_change(change: &Change) -> String {
    const VALUE: usize = 22;
    let path = human_path(change);
    let what = match change.op {
        _ if change.elided.is_some() => {
            "<span class=\"vals\">many elements changed</span>".to_string()
        }
        Op::Replace
            if !change.secret && values::is_multiline(change.old.as_ref(), change.new.as_ref()) =>
        {
            let old = change.old.as_ref().and_then(Value::as_str).unwrap_or("");
            let new = change.new.as_ref().and_then(Value::as_str).unwrap_or("");
            let lines = values::line_diff(old, new);
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
        Op::Replace => {
            let (old, new) = replaced_pair(change);
            format!(
                "<span class=\"vals pair\"><span class=\"old\">{}</span><span class=\"to\"><span class=\"arrow\">→</span> <span class=\"new\">{}</span></span></span>",
                esc(&truncate(&old, VALUE)),
                esc(&truncate(&new, VALUE))
            )
        }
        Op::Add | Op::Remove => {
            let (sign, class, value) = if change.op == Op::Add {
                ("+", "new", change.new.as_ref())
            } else {
                ("−", "old", change.old.as_ref())
            };
            match value {
                // The path names what was added; a map or list in 20 characters says nothing.
                Some(Value::Object(_) | Value::Array(_)) | None => {
                    let word = if change.op == Op::Add {
                        "added"
                    } else {
                        "removed"
                    };
                    format!(
                        "<span class=\"vals\">{sign} <span class=\"{class}\">{word}</span></span>"
                    )
                }
                Some(v) => format!(
                    "<span class=\"vals\">{sign} <span class=\"{class}\">{}</span></span>",
                    esc(&truncate(&shown(change, v), VALUE))
                ),
            }
        }
        Op::Move => "<span class=\"vals\">order changed</span>".to_string(),
    };
    format!(
        "<span class=\"chg\"><code class=\"path\" title=\"{}\">{}</code> {what}</span>",
        esc(&path),
        breakable_path(&short_path(&path, 40, 3))
    )
}

/// A change written out as the text report writes it, as an `<li>`.
fn change_item(
    change: &Change,
    category: Option<Category>,
    note: Option<&str>,
    options: &RenderOptions,
) -> String {
    let path = esc(&human_path(change));
    let low_key = change.path.human() == "apiVersion";
    let secret_hint = if change.secret && !options.show_secrets {
        " <span class=\"hint\">(values hidden; --show-secrets)</span>"
    } else {
        ""
    };
    let mut tail = String::new();
    if category == Some(Category::TriggeredImage) {
        tail.push_str(" <span class=\"hint\">(updated by its ImageChange trigger)</span>");
    }
    if let Some(note) = note {
        tail.push_str(&format!(" <span class=\"hint\">({})</span>", esc(note)));
    }
    let (old, new) = (change.old.as_ref(), change.new.as_ref());
    let null = Value::Null;
    let elided = change.elided.as_ref().map(values::elided);
    let (op, body) = match change.op {
        _ if elided.is_some() => (
            "~",
            format!(
                "<code class=\"path\">{path}</code> {}{tail}",
                esc(elided.as_deref().unwrap_or_default())
            ),
        ),
        Op::Replace if !change.secret && values::is_multiline(old, new) => {
            let note = if change.format_only {
                " <span class=\"hint\">(formatting or comments only)</span>"
            } else {
                ""
            };
            let mut pre = String::new();
            for line in values::line_diff(
                old.and_then(Value::as_str).unwrap_or(""),
                new.and_then(Value::as_str).unwrap_or(""),
            ) {
                let (class, text) = match line {
                    DiffLine::Hunk(h) => ("hunk", h),
                    DiffLine::Context(t) => ("ctx", format!(" {t}")),
                    DiffLine::Removed(t) => ("del", format!("-{t}")),
                    DiffLine::Added(t) => ("ins", format!("+{t}")),
                };
                pre.push_str(&format!("<span class=\"{class}\">{}</span>\n", esc(&text)));
            }
            (
                "~",
                format!(
                    "<code class=\"path\">{path}</code>{note}{tail}<pre class=\"diff\">{pre}</pre>"
                ),
            )
        }
        Op::Replace => {
            let (o, n) = (old.unwrap_or(&null), new.unwrap_or(&null));
            if values::is_block(o) || values::is_block(n) {
                let block = |label: &str, class: &str, value: &Value| {
                    format!(
                        "<div class=\"block\"><span class=\"hint\">{label}</span><pre class=\"{class}\">{}</pre></div>",
                        esc(&values::block_lines(value).join("\n"))
                    )
                };
                (
                    "~",
                    format!(
                        "<code class=\"path\">{path}</code>{tail}{}{}",
                        block("was", "old", o),
                        block("now", "new", n)
                    ),
                )
            } else {
                let (o, n) = replaced_pair(change);
                (
                    "~",
                    format!(
                        "<code class=\"path\">{path}</code> <span class=\"vals\"><span class=\"old\">{}</span> <span class=\"arrow\">→</span> <span class=\"new\">{}</span></span>{secret_hint}{tail}",
                        esc(&o),
                        esc(&n)
                    ),
                )
            }
        }
        Op::Add | Op::Remove => {
            let (sign, class, value) = if change.op == Op::Add {
                ("+", "new", new.unwrap_or(&null))
            } else {
                ("−", "old", old.unwrap_or(&null))
            };
            if values::is_block(value) {
                (
                    sign,
                    format!(
                        "<code class=\"path\">{path}</code>{tail}<pre class=\"{class}\">{}</pre>",
                        esc(&values::block_lines(value).join("\n"))
                    ),
                )
            } else {
                (
                    sign,
                    format!(
                        "<code class=\"path\">{path}</code> <span class=\"vals\"><span class=\"{class}\">{}</span></span>{secret_hint}{tail}",
                        esc(&shown(change, value))
                    ),
                )
            }
        }
        Op::Move => {
            let what = match (old, new) {
                (Some(Value::Number(from)), Some(Value::Number(to))) => {
                    format!("moved from position {from} to {to}")
                }
                (Some(o), Some(n)) => format!(
                    "order changed: {} → {}",
                    values::inline(o),
                    values::inline(n)
                ),
                _ => "order changed".to_string(),
            };
            (
                "↕",
                format!(
                    "<code class=\"path\">{path}</code> <span class=\"vals\">{}</span>{tail}",
                    esc(&what)
                ),
            )
        }
    };
    let class = if low_key { "change low" } else { "change" };
    format!(
        "<li class=\"{class}\"><span class=\"op\" aria-hidden=\"true\">{op}</span><div class=\"body\">{body}</div></li>\n"
    )
}

// ---------------------------------------------------------------------------------------------
// The page.

#[derive(Default)]
struct Page {
    html: String,
}

impl Page {
    fn push(&mut self, text: &str) {
        self.html.push_str(text);
    }

    fn head(&mut self, history: &History) {
        let title = format!(
            "driftlab history: {} ({} archives)",
            range(history),
            history.archives.len()
        );
        self.push("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        self.push("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        self.push("<meta name=\"color-scheme\" content=\"light dark\">\n");
        // Nothing may be fetched: no scripts, fonts, images or styles from anywhere.
        self.push("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n");
        self.push(&format!(
            "<meta name=\"generator\" content=\"driftlab {}\">\n",
            env!("CARGO_PKG_VERSION")
        ));
        self.push(&format!(
            "<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
            esc(&title)
        ));
    }

    fn header(&mut self, history: &History, grid: &Grid, options: &RenderOptions) {
        let (first, last) = (
            &history.archives[0],
            &history.archives[history.archives.len() - 1],
        );
        self.push("<header class=\"top\">\n");
        self.push("<p class=\"eyebrow\">driftlab history</p>\n");
        self.push(&format!(
            "<h1>{} <span class=\"count\">· {} archives, {} night{}</span></h1>\n",
            esc(&range(history)),
            history.archives.len(),
            history.nights.len(),
            if history.nights.len() == 1 { "" } else { "s" }
        ));
        self.push(&format!(
            "<p class=\"sources\"><code>{}</code> ({}) → <code>{}</code> ({})</p>\n",
            esc(&archive_name(first)),
            esc(&when(first)),
            esc(&archive_name(last)),
            esc(&when(last))
        ));
        let mut filters = Vec::new();
        if let Some(object) = &history.object {
            filters.push(format!("object <code>{}</code>", esc(object)));
        }
        if let Some(path) = &history.path {
            filters.push(format!("path <code>{}</code>", esc(path)));
        }
        if !filters.is_empty() {
            self.push(&format!(
                "<p class=\"filters\">Only {}.</p>\n",
                filters.join(", ")
            ));
        }

        let found = grid.first_seen();
        self.push("<section class=\"glance\" aria-label=\"Likely culprits\">\n");
        if found.is_empty() {
            self.push("<p class=\"none\">No rollout trigger and no hand-edited pod in these nights: nothing that changed what runs stands out.</p>\n");
        } else {
            self.push(&format!(
                "<h2><span class=\"star\" aria-hidden=\"true\">★</span> First seen: what changed what runs <span class=\"count\">({})</span></h2>\n<ul>\n",
                found.len()
            ));
            for (n, position, culprit) in found {
                let analysis = &history.nights[n].analysis;
                let mut change = String::new();
                if !culprit.changes.is_empty() {
                    change.push_str("<ul class=\"changes\">\n");
                    for c in culprit.changes.iter().take(CULPRIT_CHANGES) {
                        change.push_str(&change_item(c, None, None, options));
                    }
                    if culprit.changes.len() > CULPRIT_CHANGES {
                        change.push_str(&format!(
                            "<li class=\"more\">… {} more</li>\n",
                            culprit.changes.len() - CULPRIT_CHANGES
                        ));
                    }
                    change.push_str("</ul>\n");
                }
                self.push(&format!(
                    "<li><a class=\"when\" href=\"#night-{night}-culprit-{pos}\"><b>{day}</b> <span>{time}</span></a>\
                     <div><span class=\"label\">{label}</span> <span class=\"badge cat-{cat}\">{words}</span>\
                     <div class=\"reason\">{reason}</div>{change}</div></li>\n",
                    night = n + 1,
                    pos = position + 1,
                    day = esc(&day(&analysis.new)),
                    time = esc(&format!("{} · since {}", day_time(&analysis.new), when(&analysis.old))),
                    label = esc(&culprit.label),
                    cat = culprit.category.name(),
                    words = category_words(culprit.category),
                    reason = esc(&culprit.reason),
                ));
            }
            self.push("</ul>\n");
        }
        self.push("</section>\n</header>\n");
    }

    fn legend(&mut self) {
        self.push("<div class=\"legend\" aria-label=\"Legend\">\n<span class=\"legend-title\">Marks</span>\n");
        for (glyph, words, class) in [
            ("~", "changed", "changed"),
            ("+", "added", "added"),
            ("−", "removed", "removed"),
            ("↻", "replaced", "replaced"),
        ] {
            self.push(&format!(
                "<span class=\"item\"><span class=\"mark-glyph shape-{class}\">{glyph}</span> {words}</span>\n"
            ));
        }
        self.push("<span class=\"item\"><span class=\"star-chip\">★ first seen</span> a rollout trigger or hand-edited pod, the night it first appeared</span>\n");
        self.push("</div>\n<div class=\"legend\">\n<span class=\"legend-title\">Tint: most likely category, rank 1 first</span>\n");
        for category in CATEGORIES {
            self.push(&format!(
                "<span class=\"item\" title=\"{}\"><span class=\"swatch cat-{}\">{}</span> {}</span>\n",
                esc(category.describe()),
                category.name(),
                category.rank(),
                category_words(category),
            ));
        }
        self.push("</div>\n");
    }

    fn grid(&mut self, history: &History, grid: &Grid) {
        self.push("<section class=\"timeline\" aria-labelledby=\"grid-title\">\n<h2 id=\"grid-title\">Night by night</h2>\n");
        let sideways = if history.nights.len() > 6 {
            format!(" Scroll sideways for all {} nights.", history.nights.len())
        } else {
            String::new()
        };
        self.push(&format!("<p class=\"lede\">One column per night (an archive compared with the one before it), one row per object that changed. Follow a mark to its changes.{sideways}</p>\n"));
        self.legend();
        if grid.rows.is_empty() {
            self.push(
                "<p class=\"none\">No object changed visibly in these nights.</p>\n</section>\n",
            );
            return;
        }
        self.push("<div class=\"grid-wrap\">\n<table class=\"grid\">\n<thead>\n<tr><th scope=\"col\" class=\"obj\">Object</th>");
        for (n, night) in history.nights.iter().enumerate() {
            let a = &night.analysis;
            let quiet = if a.entries.iter().any(Entry::differs) {
                ""
            } else {
                " quiet"
            };
            self.push(&format!(
                "<th scope=\"col\" class=\"night{quiet}\" data-night=\"{}\" data-date=\"{}\" title=\"{}\"><a href=\"#night-{}\"><span class=\"d\">{}</span><span class=\"t\">{}</span></a></th>",
                n + 1,
                esc(&day(&a.new)),
                esc(&format!("{} → {} ({})", when(&a.old), when(&a.new), archive_name(&a.new))),
                n + 1,
                esc(&day(&a.new)),
                esc(&day_time(&a.new)),
            ));
        }
        self.push("</tr>\n</thead>\n");
        let columns = history.nights.len() + 1;
        let mut group = None;
        for row in &grid.rows {
            if group != Some(row.group()) {
                if group.is_some() {
                    self.push("</tbody>\n");
                }
                group = Some(row.group());
                let title = match row.group() {
                    Group::Own => None,
                    Group::Repeated => {
                        Some(("repeated", "Only the same change as on many other objects"))
                    }
                    Group::Generated => Some((
                        "generated",
                        "Generated: replaced or added as their owners roll out and build",
                    )),
                };
                match title {
                    None => self.push("<tbody>\n"),
                    Some((class, title)) => self.push(&format!(
                        "<tbody class=\"{class}\">\n<tr class=\"group\"><th colspan=\"{columns}\" scope=\"rowgroup\"><span>{title}</span></th></tr>\n"
                    )),
                }
            }
            self.row(history, grid, row);
        }
        self.push("</tbody>\n</table>\n</div>\n</section>\n");
    }

    fn row(&mut self, history: &History, grid: &Grid, row: &Row) {
        let label = row.label();
        let first_seen = row.cells.values().any(|c| c.first_seen);
        self.push(&format!(
            "<tr data-object=\"{}\"{}>",
            esc(&label),
            if first_seen {
                " class=\"has-culprit\""
            } else {
                ""
            }
        ));
        let relation = row
            .relation
            .as_ref()
            .map(|r| format!("<span class=\"rel\">{}</span>", esc(r)))
            .unwrap_or_default();
        self.push(&format!(
            "<th scope=\"row\" class=\"obj\"><span class=\"kind\">{}</span><span class=\"name\">{}</span>{relation}</th>",
            esc(&row.kind),
            esc(&row.name())
        ));
        for (n, night) in history.nights.iter().enumerate() {
            match row.cells.get(&n) {
                None => self.push(&format!(
                    "<td class=\"empty\" data-night=\"{}\" data-date=\"{}\"></td>",
                    n + 1,
                    esc(&day(&night.analysis.new))
                )),
                Some(cell) => self.cell(n, &night.analysis, grid, cell),
            }
        }
        self.push("</tr>\n");
    }

    fn cell(&mut self, n: usize, analysis: &Analysis, grid: &Grid, cell: &Cell) {
        let date = esc(&day(&analysis.new));
        let category = cell.category();
        let top = cell.top_culprit();
        let mut classes = format!("hit cat-{}", category.name());
        let mut attributes = format!(
            " data-night=\"{}\" data-date=\"{date}\" data-category=\"{}\"",
            n + 1,
            category.name()
        );
        if top.is_some() {
            classes.push_str(" culprit");
        }
        if cell.first_seen {
            classes.push_str(" first-seen");
            attributes.push_str(" data-first-seen=\"true\"");
        }
        self.push(&format!("<td class=\"{classes}\"{attributes}>"));

        // The mark: glyph and words, linking to the changes in the night's section.
        let (glyph, words) = match cell.entries.first() {
            Some((_, entry)) => shape(entry),
            None => ("!", "changed"),
        };
        let href = match (top, cell.entries.first()) {
            (Some((position, _)), _) => format!("#night-{}-culprit-{}", n + 1, position + 1),
            (None, Some((i, _))) => format!("#{}", grid.anchor(n, *i)),
            (None, None) => format!("#night-{}", n + 1),
        };
        self.push(&format!(
            "<a class=\"mark shape-{words}\" href=\"{}\"><span class=\"glyph\" aria-hidden=\"true\">{glyph}</span><span class=\"words\">{words}</span></a>",
            esc(&href),
        ));
        // Generated objects are in a group of their own, which says so.
        if category != Category::Churn {
            self.push(&format!(
                "<span class=\"cat\">{}</span>",
                category_words(category)
            ));
        }
        if cell.first_seen {
            self.push("<span class=\"star-chip\">★ first seen</span>");
        } else if top.is_some() {
            self.push("<span class=\"again\">☆ again</span>");
        }

        // In short: the culprit's changes, else the visible changes most likely first, else what
        // the entries are (`web-3 → web-4`, `new build of BuildConfig web`).
        // Each with how many objects it is on, for a change repeated on many.
        let mut changes: Vec<(&Change, usize)> = Vec::new();
        if let Some((_, culprit)) = top {
            changes.extend(culprit.changes.iter().map(|c| (c, 1)));
        }
        let mut visible: Vec<(&Change, Category)> = cell
            .entries
            .iter()
            .flat_map(|(_, e)| e.visible().map(|f| (&f.change, f.category)))
            .collect();
        visible.sort_by_key(|(_, c)| *c);
        let repeated = cell
            .entries
            .iter()
            .filter(|(_, e)| e.in_repeated)
            .flat_map(|(_, e)| {
                analysis
                    .repeated
                    .iter()
                    .filter(|r| r.objects.contains(&e.key))
            })
            .map(|r| (&r.change, r.objects.len()));
        for (change, on) in visible.into_iter().map(|(c, _)| (c, 1)).chain(repeated) {
            if !changes.iter().any(|(c, _)| *c == change) {
                changes.push((change, on));
            }
        }
        let total = changes.len();
        self.push("<div class=\"brief\">");
        for &(change, on) in changes.iter().take(CELL_CHANGES) {
            self.push(&cell_change(change));
            if on > 1 {
                self.push(&format!("<span class=\"more\">on {on} objects</span>"));
            }
        }
        if total > CELL_CHANGES {
            self.push(&format!(
                "<span class=\"more\">+{} more</span>",
                total - CELL_CHANGES
            ));
        }
        if total == 0 {
            for (_, entry) in &cell.entries {
                let what = if entry.is_pair() {
                    entry.title_name()
                } else {
                    entry.key.name.clone()
                };
                self.push(&format!("<span class=\"what\">{}</span>", esc(&what)));
            }
        }
        self.push("</div></td>");
    }

    fn nights(&mut self, history: &History, grid: &Grid, options: &RenderOptions) {
        self.push("<section class=\"nights\" aria-labelledby=\"nights-title\">\n<h2 id=\"nights-title\">The nights</h2>\n");
        for (n, night) in history.nights.iter().enumerate() {
            self.night(n, &night.analysis, grid, options);
        }
        self.push("</section>\n");
    }

    fn night(&mut self, n: usize, a: &Analysis, grid: &Grid, options: &RenderOptions) {
        let differs: Vec<(usize, &Entry)> = a
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.differs())
            .collect();
        let first_seen: Vec<usize> = (0..a.culprits.len())
            .filter(|&p| {
                grid.culprit_rows
                    .get(&(n, p))
                    .and_then(|&r| grid.rows[r].cells.get(&n))
                    .is_some_and(|cell| {
                        cell.first_seen && cell.top_culprit().map(|(q, _)| *q) == Some(p)
                    })
            })
            .collect();
        let open = if differs.is_empty() && a.culprits.is_empty() {
            ""
        } else {
            " open"
        };
        let class = if first_seen.is_empty() {
            "night"
        } else {
            "night has-first-seen"
        };
        self.push(&format!(
            "<details class=\"{class}\" id=\"night-{}\"{open}>\n<summary>",
            n + 1
        ));
        self.push(&format!(
            "<span class=\"num\">{}</span> <span class=\"range\">{} · since {}</span> <code class=\"file\">{}</code>",
            esc(&day(&a.new)),
            esc(&day_time(&a.new)),
            esc(&when(&a.old)),
            esc(&archive_name(&a.new))
        ));
        let status = if !first_seen.is_empty() {
            "<span class=\"star-chip\">★ first seen</span>".to_string()
        } else if a.culprits.is_empty() && differs.is_empty() {
            "<span class=\"pill\">no drift</span>".to_string()
        } else if a.culprits.is_empty() {
            "<span class=\"pill\">generated only</span>".to_string()
        } else {
            format!(
                "<span class=\"pill\">{} suspect{}</span>",
                a.culprits.len(),
                if a.culprits.len() == 1 { "" } else { "s" }
            )
        };
        self.push(&format!(
            " {status}</summary>\n<div class=\"night-body\">\n"
        ));

        let top = options.top.max(1);
        if a.culprits.is_empty() {
            self.push("<p class=\"none\">No likely culprit: nothing drifted.</p>\n");
        } else {
            self.push("<h3>Likely culprits</h3>\n<ol class=\"culprits\">\n");
            for (p, culprit) in a.culprits.iter().enumerate().take(top) {
                let first = first_seen.contains(&p);
                let class = match (first, is_top(culprit.category)) {
                    (true, _) => " class=\"first-seen\"",
                    (false, true) => " class=\"top\"",
                    _ => "",
                };
                self.push(&format!(
                    "<li id=\"night-{}-culprit-{}\"{class}><div class=\"head\"><span class=\"n\">{}</span> <span class=\"label\">{}</span> <span class=\"badge cat-{}\">{}</span>{}</div>\n<div class=\"reason\">{}</div>\n",
                    n + 1,
                    p + 1,
                    p + 1,
                    esc(&culprit.label),
                    culprit.category.name(),
                    category_words(culprit.category),
                    if first { " <span class=\"star-chip\">★ first seen</span>" } else { "" },
                    esc(&culprit.reason)
                ));
                if !culprit.changes.is_empty() {
                    self.push("<ul class=\"changes\">\n");
                    for change in culprit.changes.iter().take(CULPRIT_CHANGES) {
                        self.push(&change_item(change, None, None, options));
                    }
                    if culprit.changes.len() > CULPRIT_CHANGES {
                        self.push(&format!(
                            "<li class=\"more\">… {} more below</li>\n",
                            culprit.changes.len() - CULPRIT_CHANGES
                        ));
                    }
                    self.push("</ul>\n");
                }
                self.push("</li>\n");
            }
            self.push("</ol>\n");
            if a.culprits.len() > top {
                self.push(&format!(
                    "<p class=\"more\">… {} more suspects, less likely (--top N lists more); every change is below.</p>\n",
                    a.culprits.len() - top
                ));
            }
        }

        if !differs.is_empty() {
            self.push("<h3>What changed</h3>\n<ul class=\"objects\">\n");
            for (i, entry) in differs {
                self.entry(a, entry, grid.anchor(n, i), options);
            }
            self.push("</ul>\n");
        }
        self.push(&format!(
            "<p class=\"summary\">{}</p>\n</div>\n</details>\n",
            esc(&summary_line(a))
        ));
    }

    fn entry(&mut self, a: &Analysis, entry: &Entry, id: &str, options: &RenderOptions) {
        let (glyph, words) = shape(entry);
        let mut tail: Vec<String> = entry.relation.iter().cloned().collect();
        tail.extend(entry.notes.iter().cloned());
        let tail = if tail.is_empty() {
            String::new()
        } else {
            format!(" <span class=\"rel\">{}</span>", esc(&tail.join("; ")))
        };
        let name = if entry.key.namespace.is_empty() {
            entry.title_name()
        } else {
            format!("{}/{}", entry.key.namespace, entry.title_name())
        };
        self.push(&format!(
            "<li class=\"object cat-{cat}\" id=\"{id}\"><div class=\"head\"><span class=\"mark-glyph shape-{words}\" title=\"{words}\">{glyph}</span> <span class=\"kind\">{kind}</span> <span class=\"label\">{name}</span> <span class=\"badge cat-{cat}\">{cat_words}</span>{tail}</div>\n",
            cat = entry.category.name(),
            id = esc(id),
            kind = esc(&entry.key.kind),
            name = esc(&name),
            cat_words = category_words(entry.category),
        ));
        let mut items = String::new();
        for finding in entry.visible() {
            items.push_str(&change_item(
                &finding.change,
                Some(finding.category),
                None,
                options,
            ));
        }
        for group in a.repeated.iter().filter(|r| r.objects.contains(&entry.key)) {
            let note = format!("the same change on {} objects", group.objects.len());
            items.push_str(&change_item(
                &group.change,
                Some(group.category),
                Some(&note),
                options,
            ));
        }
        if !items.is_empty() {
            self.push(&format!("<ul class=\"changes\">\n{items}</ul>\n"));
        }
        if !entry.members().is_empty() {
            let members: Vec<String> = entry
                .members()
                .iter()
                .map(|(o, m)| format!("{o} → {m}"))
                .collect();
            self.push(&format!(
                "<p class=\"members\">{}</p>\n",
                esc(&members.join(", "))
            ));
        }
        self.push("</li>\n");
    }

    fn timelines(&mut self, history: &History) {
        if history.timelines.is_empty() {
            return;
        }
        self.push("<section class=\"timelines\" id=\"timelines\" aria-labelledby=\"timelines-title\">\n<h2 id=\"timelines-title\">Timelines</h2>\n");
        let mut object: Option<&str> = None;
        for timeline in &history.timelines {
            if object != Some(timeline.object.as_str()) {
                if object.is_some() {
                    self.push("</ul>\n");
                }
                self.push(&format!(
                    "<h3>{}</h3>\n<ul class=\"lines\">\n",
                    esc(&timeline.object)
                ));
                object = Some(&timeline.object);
            }
            self.push(&format!(
                "<li><code>{}</code></li>\n",
                esc(&timeline_line(timeline))
            ));
        }
        self.push("</ul>\n</section>\n");
    }

    fn diagnostics(&mut self, history: &History) {
        if history.diagnostics.is_empty() {
            return;
        }
        self.push(&format!(
            "<details class=\"diagnostics\"><summary>Reading the archives: {} note{}</summary>\n<ul>\n",
            history.diagnostics.len(),
            if history.diagnostics.len() == 1 { "" } else { "s" }
        ));
        for d in &history.diagnostics {
            let level = if d.level == crate::snapshot::Level::Warning {
                "warning"
            } else {
                "note"
            };
            self.push(&format!(
                "<li><span class=\"pill\">{level}</span> {}</li>\n",
                esc(&d.message)
            ));
        }
        self.push("</ul>\n</details>\n");
    }

    fn footer(&mut self) {
        self.push(&format!(
            "<footer>Written by driftlab {}. Noise is hidden; secret values are fingerprints.</footer>\n</body>\n</html>\n",
            env!("CARGO_PKG_VERSION")
        ));
    }
}

/// `2018-09-10 00:15 → 2018-09-16 00:15`.
fn range(history: &History) -> String {
    let (first, last) = (
        &history.archives[0],
        &history.archives[history.archives.len() - 1],
    );
    format!("{} → {}", when(first), when(last))
}

const CSS: &str = r#"
:root {
  --bg: #fbfbfa; --fg: #1d2125; --muted: #5f6670; --faint: #8a9099; --line: #e3e5e8; --card: #ffffff;
  --track: #d5d9de; --accent: #b42318; --star-bg: #fff4cc; --star-fg: #6b4b00; --star-line: #e0a800;
  --c1-bg: #fde8e6; --c1-fg: #a3180d; --c1-line: #d93a2b;
  --c2-bg: #ffeedd; --c2-fg: #9a3b00; --c2-line: #e8700c;
  --c3-bg: #f1e9fb; --c3-fg: #5b2a8c; --c3-line: #8f5bc8;
  --c4-bg: #fdf3d7; --c4-fg: #735300; --c4-line: #c9a227;
  --c5-bg: #e3f4f1; --c5-fg: #0c5a4e; --c5-line: #2a9d8f;
  --c6-bg: #e6effb; --c6-fg: #1f4f8a; --c6-line: #4a7fc1;
  --c7-bg: #eceff3; --c7-fg: #3d4a5c; --c7-line: #8393a7;
  --c8-bg: #f1f1f1; --c8-fg: #555; --c8-line: #a8a8a8;
  --c9-bg: #f6f6f6; --c9-fg: #6b6b6b; --c9-line: #b8b8b8;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
@media screen and (prefers-color-scheme: dark) {
  :root {
    --bg: #15181c; --fg: #e6e8eb; --muted: #a3aab3; --faint: #7d848d; --line: #2c3137; --card: #1c2025;
    --track: #3a4047; --accent: #ff8a7a; --star-bg: #4a3b00; --star-fg: #ffe08a; --star-line: #e0a800;
    --c1-bg: #4a1410; --c1-fg: #ffb4aa; --c1-line: #ff6b5b;
    --c2-bg: #47260b; --c2-fg: #ffc48f; --c2-line: #ff9a3d;
    --c3-bg: #33224a; --c3-fg: #d9c2f5; --c3-line: #b08ae0;
    --c4-bg: #3f3410; --c4-fg: #f2d98a; --c4-line: #d9b53f;
    --c5-bg: #0f3530; --c5-fg: #9fe0d5; --c5-line: #3dbfae;
    --c6-bg: #14304f; --c6-fg: #a9c8f0; --c6-line: #6a9be0;
    --c7-bg: #262c34; --c7-fg: #b8c3d1; --c7-line: #7d8da3;
    --c8-bg: #262626; --c8-fg: #bbb; --c8-line: #777;
    --c9-bg: #222; --c9-fg: #999; --c9-line: #666;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); font: 15px/1.5 var(--sans); -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; padding: 28px 32px 48px; max-width: 1600px; }
code, pre { font-family: var(--mono); font-size: 0.88em; }
a { color: inherit; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 4px; font-weight: 650; letter-spacing: -0.01em; }
h2 { font-size: 1.15rem; margin: 0 0 8px; font-weight: 650; }
h3 { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin: 18px 0 8px; font-weight: 650; }
.count { color: var(--muted); font-weight: 400; }
.eyebrow { margin: 0 0 2px; color: var(--muted); font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.08em; font-weight: 600; }
.sources, .filters, .lede { margin: 0 0 4px; color: var(--muted); }
.lede { margin-bottom: 12px; }
.none { color: var(--muted); font-style: italic; margin: 4px 0; }
section { margin-top: 32px; }
header.top section.glance { margin-top: 20px; }

/* Culprits at a glance */
.glance { background: var(--card); border: 1px solid var(--line); border-left: 5px solid var(--star-line); border-radius: 8px; padding: 14px 18px; }
.glance ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
.glance li { display: grid; grid-template-columns: 220px 1fr; gap: 16px; align-items: start; }
.glance .when { text-decoration: none; display: flex; flex-direction: column; }
.glance .when b { font-size: 1.05rem; }
.glance .when span { color: var(--muted); font-size: 0.8rem; }
.glance .label, .culprits .label, .objects .label { font-weight: 600; overflow-wrap: anywhere; }
.reason { color: var(--muted); font-size: 0.9rem; }
.first-change { margin-top: 2px; }
.star { color: var(--star-line); }

/* Chips, badges, swatches */
.badge { display: inline-block; font-size: 0.72rem; line-height: 1.4; padding: 0 7px; border-radius: 999px; border: 1px solid; white-space: nowrap; vertical-align: 1px; font-weight: 600; }
.pill { display: inline-block; font-size: 0.75rem; padding: 0 8px; border-radius: 999px; border: 1px solid var(--line); color: var(--muted); white-space: nowrap; }
.star-chip { display: inline-block; font-size: 0.72rem; font-weight: 700; padding: 0 7px; border-radius: 4px; background: var(--star-bg); color: var(--star-fg); border: 1.5px solid var(--star-line); white-space: nowrap; letter-spacing: 0.01em; }
.again { display: inline-block; font-size: 0.72rem; color: var(--muted); white-space: nowrap; }

.cat-rollout-trigger { --cbg: var(--c1-bg); --cfg: var(--c1-fg); --cline: var(--c1-line); }
.cat-pod-edited { --cbg: var(--c2-bg); --cfg: var(--c2-fg); --cline: var(--c2-line); }
.cat-access { --cbg: var(--c3-bg); --cfg: var(--c3-fg); --cline: var(--c3-line); }
.cat-used-configuration { --cbg: var(--c4-bg); --cfg: var(--c4-fg); --cline: var(--c4-line); }
.cat-quota { --cbg: var(--c5-bg); --cfg: var(--c5-fg); --cline: var(--c5-line); }
.cat-spec { --cbg: var(--c6-bg); --cfg: var(--c6-fg); --cline: var(--c6-line); }
.cat-triggered-image { --cbg: var(--c7-bg); --cfg: var(--c7-fg); --cline: var(--c7-line); }
.cat-metadata { --cbg: var(--c8-bg); --cfg: var(--c8-fg); --cline: var(--c8-line); }
.cat-churn { --cbg: var(--c9-bg); --cfg: var(--c9-fg); --cline: var(--c9-line); }
.badge, .swatch { background: var(--cbg); color: var(--cfg); border-color: var(--cline); }

/* Legend */
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; font-size: 0.82rem; color: var(--muted); margin: 0 0 8px; }
.legend-title { font-weight: 650; color: var(--fg); min-width: 0; }
.legend .item { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-flex; align-items: center; justify-content: center; width: 20px; height: 20px; border-radius: 5px; border: 1.5px solid; font-size: 0.72rem; font-weight: 700; }
.mark-glyph { display: inline-flex; align-items: center; justify-content: center; width: 20px; height: 20px; font-family: var(--mono); font-weight: 700; border: 1.5px solid var(--muted); background: var(--card); color: var(--fg); line-height: 1; }
.shape-changed { border-radius: 50%; }
.shape-added { border-radius: 3px; }
.shape-removed { border-radius: 3px; border-style: dashed; }
.shape-replaced { border-radius: 50%; border-style: dotted; }

/* The grid */
.grid-wrap { margin-top: 14px; border: 1px solid var(--line); border-radius: 8px; background: var(--card); width: fit-content; max-width: 100%; max-height: calc(100vh - 16px); overflow: auto; }
table.grid { border-collapse: separate; border-spacing: 0; table-layout: fixed; width: max-content; }
.grid th, .grid td { padding: 10px 10px 12px; vertical-align: top; text-align: left; border-bottom: 1px solid var(--line); }
.grid thead th { position: sticky; top: 0; z-index: 2; background: var(--card); border-bottom: 2px solid var(--line); padding-top: 10px; padding-bottom: 8px; }
.grid thead th:first-child { border-top-left-radius: 8px; }
.grid thead th:last-child { border-top-right-radius: 8px; }
.grid th.obj { width: 250px; position: sticky; left: 0; z-index: 1; background: var(--card); border-right: 1px solid var(--line); font-weight: 400; }
.grid thead th.obj { z-index: 3; font-size: 0.75rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; font-weight: 650; vertical-align: bottom; }
.grid th.night { width: 180px; }
.grid th.night a { text-decoration: none; display: flex; flex-direction: column; }
.grid th.night .d { font-weight: 650; font-variant-numeric: tabular-nums; }
.grid th.night .t { font-size: 0.75rem; color: var(--muted); font-weight: 400; }
.grid th.night.quiet .d { color: var(--muted); font-weight: 500; }
.grid tbody th .kind { display: block; font-size: 0.72rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
.grid tbody th .name { display: block; font-weight: 600; overflow-wrap: anywhere; }
.grid tbody th .rel { display: block; font-size: 0.75rem; color: var(--muted); }
.grid tbody tr:last-child > * { border-bottom: 0; }
.grid td { background-image: linear-gradient(var(--track), var(--track)); background-size: 100% 1px; background-position: 0 24px; background-repeat: no-repeat; }
.grid tr.has-culprit > th.obj { box-shadow: inset 4px 0 0 var(--c1-line); }
.grid tr.has-culprit > th.obj .name { color: var(--c1-fg); }
.grid tbody.generated th, .grid tbody.generated td, .grid tbody.repeated th, .grid tbody.repeated td { background-color: var(--bg); }
.grid tbody.generated th .name, .grid tbody.repeated th .name { font-weight: 500; }
.grid tr.group th > span { position: sticky; left: 10px; }
.grid tr.group th { position: static; font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); font-weight: 650; padding: 14px 10px 6px; border-top: 2px solid var(--line); }

.mark { display: inline-flex; align-items: center; gap: 6px; padding: 1px 9px 1px 3px; border-radius: 999px; border: 1.5px solid var(--cline); background: var(--cbg); color: var(--cfg); text-decoration: none; font-size: 0.8rem; font-weight: 600; line-height: 1.5; max-width: 100%; white-space: nowrap; }
.mark .glyph { display: inline-flex; align-items: center; justify-content: center; width: 18px; height: 18px; border-radius: 50%; background: var(--card); border: 1.5px solid var(--cline); font-family: var(--mono); font-size: 0.8rem; line-height: 1; }
.mark.shape-added .glyph, .mark.shape-removed .glyph { border-radius: 3px; }
.mark.shape-removed, .mark.shape-removed .glyph { border-style: dashed; }
.mark.shape-replaced .glyph { border-style: dotted; }
td > .cat { display: block; margin-top: 5px; font-size: 0.7rem; line-height: 1.3; text-transform: uppercase; letter-spacing: 0.05em; font-weight: 650; color: var(--cfg); }
.mark:hover, .mark:focus-visible { outline: 2px solid var(--cline); outline-offset: 1px; }
td.cat-churn .mark { border-style: dashed; font-weight: 500; }
td.first-seen { background-color: var(--star-bg); box-shadow: inset 0 0 0 2px var(--star-line); }
td.first-seen .mark { border-width: 2px; }
td .star-chip, td .again { margin: 6px 0 0; display: table; }
.brief { margin-top: 6px; font-size: 0.8rem; line-height: 1.4; display: flex; flex-direction: column; gap: 4px; }
.brief .what, .brief .more { color: var(--muted); overflow-wrap: anywhere; }
.chg { display: block; overflow-wrap: break-word; }
.chg .path { display: block; color: var(--fg); font-size: 0.95em; }
.chg .vals { display: block; margin-top: 1px; }
.chg .vals.pair .old, .chg .vals.pair .to { display: block; }
.arrow { color: var(--muted); }
.vals { font-family: var(--mono); font-size: 0.85em; overflow-wrap: anywhere; }
.old { color: var(--c1-fg); }
.new { color: #1b6e2f; }
@media screen and (prefers-color-scheme: dark) { .new { color: #8fe0a0; } }
.change.low .vals, .change.low .path { color: var(--muted); }

/* The nights */
details.night { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin: 10px 0; }
details.night > summary { cursor: pointer; padding: 12px 16px; list-style-position: outside; display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: baseline; }
details.night > summary::-webkit-details-marker { color: var(--muted); }
details.night[open] > summary { border-bottom: 1px solid var(--line); }
details.night.has-first-seen { border-color: var(--star-line); border-width: 1.5px; }
summary .num { font-weight: 700; font-size: 1.05rem; font-variant-numeric: tabular-nums; }
summary .range { color: var(--muted); font-variant-numeric: tabular-nums; }
summary .file { color: var(--muted); font-size: 0.8rem; }
.night-body { padding: 4px 20px 14px; }
ol.culprits { margin: 0; padding: 0; list-style: none; display: grid; gap: 12px; }
ol.culprits > li { padding: 8px 12px; border-radius: 6px; border: 1px solid var(--line); }
ol.culprits > li.top { border-color: var(--c1-line); }
ol.culprits > li.first-seen { border: 2px solid var(--star-line); background: var(--star-bg); }
ol.culprits > li.first-seen .reason { color: var(--star-fg); }
.culprits .n { display: inline-flex; align-items: center; justify-content: center; min-width: 22px; height: 22px; border-radius: 50%; background: var(--fg); color: var(--card); font-size: 0.75rem; font-weight: 700; margin-right: 4px; }
.head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 8px; }
ul.changes { list-style: none; margin: 6px 0 0; padding: 0; display: grid; gap: 4px; }
li.change { display: grid; grid-template-columns: 18px 1fr; gap: 6px; align-items: baseline; }
li.change .op { font-family: var(--mono); font-weight: 700; color: var(--muted); text-align: center; }
li.change .body { min-width: 0; }
li.change .path { overflow-wrap: anywhere; }
li.change .vals { margin-left: 10px; }
li.change .arrow { color: var(--muted); }
li.more, p.more { color: var(--muted); font-size: 0.85rem; }
.hint { color: var(--muted); font-size: 0.85em; }
pre { margin: 6px 0 2px; padding: 8px 10px; background: var(--bg); border: 1px solid var(--line); border-radius: 6px; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.45; }
pre.diff .hunk { color: var(--muted); }
pre.diff .del { color: var(--c1-fg); }
pre.diff .ins { color: #1b6e2f; }
@media screen and (prefers-color-scheme: dark) { pre.diff .ins { color: #8fe0a0; } }
.block { margin-top: 4px; }
ul.objects { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
ul.objects > li { padding: 6px 0 8px 12px; border-left: 3px solid var(--cline); }
ul.objects > li:target, ol.culprits > li:target { outline: 2px solid var(--cline, var(--star-line)); outline-offset: 3px; border-radius: 4px; }
ul.objects .kind { color: var(--muted); font-size: 0.85rem; }
.rel { color: var(--muted); font-size: 0.85rem; }
.members { margin: 4px 0 0; color: var(--muted); font-size: 0.85rem; font-family: var(--mono); overflow-wrap: anywhere; }
.summary { margin: 14px 0 0; color: var(--muted); font-size: 0.85rem; border-top: 1px dashed var(--line); padding-top: 8px; }

/* Timelines and notes */
.timelines h3 { text-transform: none; letter-spacing: 0; font-size: 0.95rem; color: var(--fg); }
ul.lines { margin: 0; padding-left: 18px; display: grid; gap: 6px; }
ul.lines code { overflow-wrap: anywhere; }
details.diagnostics { margin-top: 28px; color: var(--muted); font-size: 0.9rem; }
details.diagnostics summary { cursor: pointer; }
footer { margin-top: 40px; color: var(--faint); font-size: 0.8rem; }

@media print {
  @page { size: A4 landscape; margin: 12mm; }
  html { background: #fff; color: #000; font-size: 10pt; }
  body { padding: 0; max-width: none; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .grid thead th, .grid th.obj, .grid tr.group th > span { position: static; }
  .grid-wrap { max-height: none; overflow: visible; width: auto; }
  table.grid { width: 100%; }
  .grid th.obj { width: 20%; }
  .grid th.night { width: auto; }
  td.first-seen { box-shadow: inset 0 0 0 3px var(--star-line); }
  .grid-wrap, details.night, .glance { border-color: #999; box-shadow: none; }
  .grid tr, ol.culprits > li, ul.objects > li, li.change, .glance li { break-inside: avoid; }
  h2, h3, summary { break-after: avoid; }
  .grid thead { display: table-header-group; }
  a { text-decoration: none; }
  details.night > summary { list-style: none; }
  details.night > summary::-webkit-details-marker { display: none; }
  footer { color: #555; }
}
@media print { details::details-content { content-visibility: visible; display: contents; } }
"#;
