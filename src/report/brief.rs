//! `--stat` and `--name-only`: one line per object.

use std::io::{self, Write};

use super::text::object_marker;
use super::theme::{Role, Theme};
use super::words::plural;
use super::{RenderOptions, summary_line};
use crate::analyze::{Analysis, Entry};
use crate::diff::ObjectChange;

fn name(entry: &Entry) -> String {
    let title = entry.title_name();
    if entry.key.namespace.is_empty() {
        format!("{} {title}", entry.key.kind)
    } else {
        format!("{} {}/{title}", entry.key.kind, entry.key.namespace)
    }
}

pub fn render_stat(
    analysis: &Analysis,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = Theme::new(options.color);
    let shown: Vec<&Entry> = analysis.entries.iter().filter(|e| e.differs()).collect();
    let names: Vec<String> = shown.iter().map(|e| name(e)).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (entry, name) in shown.iter().zip(&names) {
        let (marker, role) = object_marker(entry.change);
        let detail = match (entry.change, &entry.relation) {
            (_, Some(relation)) if entry.visible().next().is_none() => relation.to_string(),
            (ObjectChange::Added, _) => "added".to_string(),
            (ObjectChange::Removed, _) => "removed".to_string(),
            (ObjectChange::Changed, _) if entry.visible().next().is_none() => {
                "repeated changes only".to_string()
            }
            (ObjectChange::Changed, _) => {
                let n = entry.visible().count();
                plural(n, "change")
            }
        };
        let padding = " ".repeat(width - name.chars().count());
        writeln!(
            out,
            "{} {name}{padding}   {detail}",
            theme.paint(role, marker)
        )?;
    }
    writeln!(out, "{}", theme.paint(Role::Dim, &summary_line(analysis)))
}

pub fn render_names(
    analysis: &Analysis,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = Theme::new(options.color);
    for entry in analysis.entries.iter().filter(|e| e.differs()) {
        let (marker, role) = object_marker(entry.change);
        writeln!(out, "{} {}", theme.paint(role, marker), name(entry))?;
    }
    Ok(())
}
