//! The history page: one self-contained HTML file (inline CSS, no scripts, nothing fetched).
//!
//! At the top, the culprits that first appeared (★). Then a grid: one column per night (the
//! comparison of an archive with the one before it), one row per object that changed visibly at
//! least once, a mark where it changed. The mark's glyph and words say what happened (`+ added`,
//! `− removed`, `~ changed`, `↻ replaced`), its tint reinforces the category, and under it the top
//! change in short; it links to the night's section below, where every change is written out as
//! in the text report. Generated objects that only follow their owners (pods, controllers and
//! builds of a rollout) share a row per owner, in their own group below the others.
//!
//! The rows, cells and first-seen culprits are [`crate::history::grid`]'s; this module only lays
//! them out: [`page`] the document around them, [`grid`] the grid, [`night`] the nights' sections,
//! [`change`] each change, and `history.css` the style sheet.

mod change;
mod grid;
mod night;
mod page;

use std::io::{self, Write};

use super::when;
use crate::analyze::Category;
use crate::history::grid::{Grid, Mark};
use crate::history::{History, archive_name};
use crate::report::RenderOptions;
use crate::report::present::html_escape as esc;
use crate::snapshot::SourceInfo;
use crate::timestamp::Timestamp;

/// The style sheet.
const CSS: &str = include_str!("history.css");

/// Writes the HTML history page.
pub fn render(history: &History, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let grid = Grid::build(history);
    let anchors = night::Anchors::of(history);
    let mut page = Page::default();
    page.head(history);
    page.header(history, &grid, options);
    page.grid(history, &grid, &anchors);
    page.nights(history, &grid, &anchors, options);
    page.timelines(history);
    page.diagnostics(history);
    page.footer();
    out.write_all(page.html.as_bytes())
}

/// The page as it is written; each part of it adds its own methods.
#[derive(Default)]
struct Page {
    html: String,
}

impl Page {
    fn push(&mut self, text: &str) {
        self.html.push_str(text);
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
        Category::Security => "security",
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

/// The categories, rank 1 first, for the legend.
const CATEGORIES: [Category; 10] = Category::ALL;

/// A mark's glyph and word (the word is also its CSS shape).
fn mark_words(mark: Mark) -> (&'static str, &'static str) {
    match mark {
        Mark::Added => ("+", "added"),
        Mark::Removed => ("−", "removed"),
        Mark::Replaced => ("↻", "replaced"),
        Mark::Changed => ("~", "changed"),
    }
}

/// The marks in the legend's order.
const MARKS: [Mark; 4] = [Mark::Changed, Mark::Added, Mark::Removed, Mark::Replaced];
