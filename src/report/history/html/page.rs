//! The document around the grid and the nights: its head and style sheet, the header with the
//! culprits first seen, the legend, the timelines, the notes from reading, the footer.

use super::{
    CATEGORIES, CSS, MARKS, Page, category_words, change, day, day_time, esc, mark_words, range,
};
use crate::history::grid::{FirstSeen, Grid};
use crate::history::{History, archive_name};
use crate::report::RenderOptions;
use crate::report::history::{timeline_line, when};
use crate::report::present::{CULPRIT_CHANGES, culprit_changes};
use crate::report::words::plural;
use crate::snapshot::Level;

impl Page {
    /// From the doctype to `<body>`: the title, the rules that nothing be fetched, the style.
    pub(super) fn head(&mut self, history: &History) {
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
            "<title>{}</title>\n<style>\n\n{CSS}</style>\n</head>\n<body>\n",
            esc(&title)
        ));
    }

    /// The header: the range of archives, the filters asked for, the culprits first seen.
    pub(super) fn header(&mut self, history: &History, grid: &Grid, options: &RenderOptions) {
        let (first, last) = (
            &history.archives[0],
            &history.archives[history.archives.len() - 1],
        );
        self.push("<header class=\"top\">\n");
        self.push("<p class=\"eyebrow\">driftlab history</p>\n");
        self.push(&format!(
            "<h1>{} <span class=\"count\">· {} archives, {}</span></h1>\n",
            esc(&range(history)),
            history.archives.len(),
            plural(history.nights.len(), "night")
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
        self.glance(history, grid, options);
        self.push("</header>\n");
    }

    /// The culprits first seen, at a glance.
    fn glance(&mut self, history: &History, grid: &Grid, options: &RenderOptions) {
        let found = grid.first_seen();
        self.push("<section class=\"glance\" aria-label=\"Likely culprits\">\n");
        if found.is_empty() {
            self.push("<p class=\"none\">No rollout trigger and no hand-edited pod in these nights: nothing that changed what runs stands out.</p>\n");
        } else {
            self.push(&format!(
                "<h2><span class=\"star\" aria-hidden=\"true\">★</span> First seen: what changed what runs <span class=\"count\">({})</span></h2>\n<ul>\n",
                found.len()
            ));
            for first in found {
                self.first_seen(history, first, options);
            }
            self.push("</ul>\n");
        }
        self.push("</section>\n");
    }

    /// One culprit first seen: when, what, why, and its first changes.
    fn first_seen(&mut self, history: &History, first: FirstSeen, options: &RenderOptions) {
        let (culprit, id) = (first.culprit, first.id);
        let analysis = &history.nights[id.night].analysis;
        let mut changes = String::new();
        if !culprit.changes.is_empty() {
            changes.push_str("<ul class=\"changes\">\n");
            let (shown, more) = culprit_changes(culprit, CULPRIT_CHANGES);
            for c in shown {
                let by = analysis
                    .attributions
                    .get(&culprit.key, &c.path)
                    .map(|who| format!("by {}", who.describe()));
                changes.push_str(&change::item(c, None, by.as_deref(), options));
            }
            if more > 0 {
                changes.push_str(&format!("<li class=\"more\">… {more} more</li>\n"));
            }
            changes.push_str("</ul>\n");
        }
        self.push(&format!(
            "<li><a class=\"when\" href=\"#night-{night}-culprit-{pos}\"><b>{day}</b> <span>{time}</span></a>\
             <div><span class=\"label\">{label}</span> <span class=\"badge cat-{cat}\">{words}</span>\
             <div class=\"reason\">{reason}</div>{changes}</div></li>\n",
            night = id.night + 1,
            pos = id.position + 1,
            day = esc(&day(&analysis.new)),
            time = esc(&format!("{} · since {}", day_time(&analysis.new), when(&analysis.old))),
            label = esc(&culprit.label),
            cat = culprit.category.name(),
            words = category_words(culprit.category),
            reason = esc(&culprit.reason),
        ));
    }

    /// What the marks and their tints mean.
    pub(super) fn legend(&mut self) {
        self.push("<div class=\"legend\" aria-label=\"Legend\">\n<span class=\"legend-title\">Marks</span>\n");
        for mark in MARKS {
            let (glyph, words) = mark_words(mark);
            self.push(&format!(
                "<span class=\"item\"><span class=\"mark-glyph shape-{words}\">{glyph}</span> {words}</span>\n"
            ));
        }
        self.push("<span class=\"item\"><span class=\"star-chip\">★ first seen</span> a security change, rollout trigger or hand-edited pod, the night it first appeared</span>\n");
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

    /// The timelines of the object or path asked for, by object.
    pub(super) fn timelines(&mut self, history: &History) {
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

    /// What reading the archives had to say, folded.
    pub(super) fn diagnostics(&mut self, history: &History) {
        if history.diagnostics.is_empty() {
            return;
        }
        self.push(&format!(
            "<details class=\"diagnostics\"><summary>Reading the archives: {}</summary>\n<ul>\n",
            plural(history.diagnostics.len(), "note")
        ));
        for d in &history.diagnostics {
            let level = if d.level == Level::Warning {
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

    /// The footer, and the end of the document.
    pub(super) fn footer(&mut self) {
        self.push(&format!(
            "<footer>Written by driftlab {}. Noise is hidden; secret values are fingerprints.</footer>\n</body>\n</html>\n",
            env!("CARGO_PKG_VERSION")
        ));
    }
}
