//! The nights' sections: for each night its likely culprits and every object that changed, each
//! change written out as in the text report, and the night's summary line.

use std::collections::{HashMap, HashSet};

use super::{Page, category_words, change, day, day_time, esc, mark_words, when};
use crate::analyze::attribution::Attributions;
use crate::analyze::{Analysis, Culprit, Entry};
use crate::diff::Change;
use crate::history::grid::{CulpritId, Grid, Mark, is_top};
use crate::history::{History, archive_name};
use crate::report::present::{CULPRIT_CHANGES, culprit_changes};
use crate::report::words::plural;
use crate::report::{RenderOptions, summary_line};
use crate::snapshot::ObjectKey;

/// The anchor of each entry that differs, by night and position in the night's entries:
/// `night-3-obj-deploymentconfig-myproject-web`, numbered where two would be the same.
pub(super) struct Anchors {
    anchors: HashMap<(usize, usize), String>,
}

impl Anchors {
    /// The anchors of the entries of `history`'s nights.
    pub(super) fn of(history: &History) -> Anchors {
        let mut anchors = HashMap::new();
        for (n, night) in history.nights.iter().enumerate() {
            let mut used: HashSet<String> = HashSet::new();
            for (i, entry) in night.analysis.entries.iter().enumerate() {
                if !entry.differs() {
                    continue;
                }
                let key = &entry.key;
                let base = format!(
                    "night-{}-obj-{}",
                    n + 1,
                    slug(&format!("{} {} {}", key.kind, key.namespace, key.name))
                );
                let mut anchor = base.clone();
                let mut k = 2;
                while !used.insert(anchor.clone()) {
                    anchor = format!("{base}-{k}");
                    k += 1;
                }
                anchors.insert((n, i), anchor);
            }
        }
        Anchors { anchors }
    }

    /// The anchor of the entry at `position` in night `night`'s entries.
    pub(super) fn get(&self, night: usize, position: usize) -> &str {
        self.anchors
            .get(&(night, position))
            .map_or("", String::as_str)
    }
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

impl Page {
    /// A folding section per night.
    pub(super) fn nights(
        &mut self,
        history: &History,
        grid: &Grid,
        anchors: &Anchors,
        options: &RenderOptions,
    ) {
        self.push("<section class=\"nights\" aria-labelledby=\"nights-title\">\n<h2 id=\"nights-title\">The nights</h2>\n");
        for (n, night) in history.nights.iter().enumerate() {
            self.night(n, &night.analysis, grid, anchors, options);
        }
        self.push("</section>\n");
    }

    /// One night: its summary line, its culprits, what changed, its counts.
    fn night(
        &mut self,
        n: usize,
        a: &Analysis,
        grid: &Grid,
        anchors: &Anchors,
        options: &RenderOptions,
    ) {
        let differs: Vec<(usize, &Entry)> = a
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.differs())
            .collect();
        let first_seen: Vec<usize> = (0..a.culprits.len())
            .filter(|&position| grid.is_first_seen(CulpritId { night: n, position }))
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
                "<span class=\"pill\">{}</span>",
                plural(a.culprits.len(), "suspect")
            )
        };
        self.push(&format!(
            " {status}</summary>\n<div class=\"night-body\">\n"
        ));
        self.culprits(n, a, &first_seen, options);
        if !differs.is_empty() {
            self.push("<h3>What changed</h3>\n<ul class=\"objects\">\n");
            for (i, entry) in differs {
                self.entry(a, entry, anchors.get(n, i), options);
            }
            self.push("</ul>\n");
        }
        self.push(&format!(
            "<p class=\"summary\">{}</p>\n</div>\n</details>\n",
            esc(&summary_line(a))
        ));
    }

    /// The night's likely culprits (`--top` of them), those first seen standing out.
    fn culprits(&mut self, n: usize, a: &Analysis, first_seen: &[usize], options: &RenderOptions) {
        let top = options.top.max(1);
        if a.culprits.is_empty() {
            self.push("<p class=\"none\">No likely culprit: nothing drifted.</p>\n");
            return;
        }
        self.push("<h3>Likely culprits</h3>\n<ol class=\"culprits\">\n");
        for (p, culprit) in a.culprits.iter().enumerate().take(top) {
            let by = &a.attributions;
            self.culprit(n, p, culprit, first_seen.contains(&p), by, options);
        }
        self.push("</ol>\n");
        if a.culprits.len() > top {
            self.push(&format!(
                "<p class=\"more\">… {} more suspects, less likely (--top N lists more); every change is below.</p>\n",
                a.culprits.len() - top
            ));
        }
    }

    /// One culprit: its label, category and reason, and its first changes.
    fn culprit(
        &mut self,
        n: usize,
        p: usize,
        culprit: &Culprit,
        first: bool,
        by: &Attributions,
        options: &RenderOptions,
    ) {
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
            let (shown, more) = culprit_changes(culprit, CULPRIT_CHANGES);
            for change in shown {
                let note = by_note(by, &culprit.key, change);
                self.push(&change::item(change, None, note.as_deref(), options));
            }
            if more > 0 {
                self.push(&format!("<li class=\"more\">… {more} more below</li>\n"));
            }
            self.push("</ul>\n");
        }
        self.push("</li>\n");
    }

    /// One object that changed: what happened to it, and every change, its own and repeated.
    fn entry(&mut self, a: &Analysis, entry: &Entry, id: &str, options: &RenderOptions) {
        let (glyph, words) = mark_words(Mark::of(entry));
        let mut tail: Vec<String> = entry.relation.iter().map(ToString::to_string).collect();
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
            let note = by_note(&a.attributions, &entry.key, &finding.change);
            items.push_str(&change::item(
                &finding.change,
                Some(finding.category),
                note.as_deref(),
                options,
            ));
        }
        for group in a.repeated.iter().filter(|r| r.objects.contains(&entry.key)) {
            let note = format!("the same change on {} objects", group.objects.len());
            items.push_str(&change::item(
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
                .map(|names| format!("{} → {}", names.old, names.new))
                .collect();
            self.push(&format!(
                "<p class=\"members\">{}</p>\n",
                esc(&members.join(", "))
            ));
        }
        self.push("</li>\n");
    }
}

/// `by kubectl-edit, 2026-11-24 14:02`, when the field managers say who made the change.
fn by_note(by: &Attributions, key: &ObjectKey, change: &Change) -> Option<String> {
    by.get(key, &change.path)
        .map(|who| format!("by {}", who.describe()))
}
