//! The grid table: a column per night, a row per object or generated series, in groups; in each
//! cell a mark for what happened, linking to its changes, and the top changes in short.

use super::night::Anchors;
use super::{Page, category_words, change, day, day_time, esc, mark_words, when};
use crate::analyze::{Analysis, Category, Entry};
use crate::history::grid::{Cell, Grid, Group, Row};
use crate::history::{History, archive_name};

/// Compact changes shown in a grid cell.
const CELL_CHANGES: usize = 2;

impl Page {
    /// The grid's section: its heading, the legend, and the table.
    pub(super) fn grid(&mut self, history: &History, grid: &Grid, anchors: &Anchors) {
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
        self.push("<div class=\"grid-wrap\">\n<table class=\"grid\">\n");
        self.columns(history);
        let columns = history.nights.len() + 1;
        let mut group = None;
        for row in &grid.rows {
            if group != Some(row.group()) {
                if group.is_some() {
                    self.push("</tbody>\n");
                }
                group = Some(row.group());
                self.group(row.group(), columns);
            }
            self.row(history, anchors, row);
        }
        self.push("</tbody>\n</table>\n</div>\n</section>\n");
    }

    /// The table's head: a column per night, headed by its new archive's date.
    fn columns(&mut self, history: &History) {
        self.push("<thead>\n<tr><th scope=\"col\" class=\"obj\">Object</th>");
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
    }

    /// Opens the body of a group of rows, titled unless it is the objects' own.
    fn group(&mut self, group: Group, columns: usize) {
        let title = match group {
            Group::Own => None,
            Group::Repeated => Some(("repeated", "Only the same change as on many other objects")),
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

    /// One row: what it stands for, then a cell per night.
    fn row(&mut self, history: &History, anchors: &Anchors, row: &Row) {
        self.push(&format!(
            "<tr data-object=\"{}\"{}>",
            esc(&row.label()),
            if row.has_first_seen() {
                " class=\"has-culprit\""
            } else {
                ""
            }
        ));
        let relation = row
            .relation()
            .map(|r| format!("<span class=\"rel\">{}</span>", esc(&r)))
            .unwrap_or_default();
        self.push(&format!(
            "<th scope=\"row\" class=\"obj\"><span class=\"kind\">{}</span><span class=\"name\">{}</span>{relation}</th>",
            esc(row.kind()),
            esc(&row.name())
        ));
        for (n, night) in history.nights.iter().enumerate() {
            match row.cells.get(&n) {
                None => self.push(&format!(
                    "<td class=\"empty\" data-night=\"{}\" data-date=\"{}\"></td>",
                    n + 1,
                    esc(&day(&night.analysis.new))
                )),
                Some(cell) => self.cell(n, &night.analysis, anchors, cell),
            }
        }
        self.push("</tr>\n");
    }

    /// A cell where the row changed: tinted by its most likely category, its mark, whether a
    /// top culprit names it, and its changes in short.
    fn cell(&mut self, n: usize, analysis: &Analysis, anchors: &Anchors, cell: &Cell) {
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
        let (glyph, words) = cell.mark().map_or(("!", "changed"), mark_words);
        let href = match (top, cell.entries.first()) {
            (Some(culprit), _) => format!("#night-{}-culprit-{}", n + 1, culprit.position + 1),
            (None, Some(entry)) => format!("#{}", anchors.get(n, entry.position)),
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
        self.brief(analysis, cell);
        self.push("</td>");
    }

    /// In short: the culprit's changes, else the visible changes most likely first, else what
    /// the entries are (`web-3 → web-4`, `new build of BuildConfig web`); each with how many
    /// objects it is on, for a change repeated on many.
    fn brief(&mut self, analysis: &Analysis, cell: &Cell) {
        let changes = cell.brief(analysis);
        self.push("<div class=\"brief\">");
        for brief in changes.iter().take(CELL_CHANGES) {
            self.push(&change::brief(brief.change));
            if brief.on > 1 {
                self.push(&format!(
                    "<span class=\"more\">on {} objects</span>",
                    brief.on
                ));
            }
        }
        if changes.len() > CELL_CHANGES {
            self.push(&format!(
                "<span class=\"more\">+{} more</span>",
                changes.len() - CELL_CHANGES
            ));
        }
        if changes.is_empty() {
            for entry in &cell.entries {
                let what = if entry.item.is_pair() {
                    entry.item.title_name()
                } else {
                    entry.item.key.name.clone()
                };
                self.push(&format!("<span class=\"what\">{}</span>", esc(&what)));
            }
        }
        self.push("</div>");
    }
}
