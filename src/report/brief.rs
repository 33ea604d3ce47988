//! `--stat` and `--name-only`: one line per object.

use std::io::{self, Write};

use super::text::object_marker;
use super::theme::{Role, Theme};
use super::{RenderOptions, summary_line};
use crate::diff::{DiffReport, ObjectChange};

pub fn render_stat(
    report: &DiffReport,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = Theme::new(options.color);
    let names: Vec<String> = report.objects.iter().map(|o| o.key.to_string()).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (object, name) in report.objects.iter().zip(&names) {
        let (marker, role) = object_marker(object.change);
        let detail = match object.change {
            ObjectChange::Added => "added".to_string(),
            ObjectChange::Removed => "removed".to_string(),
            ObjectChange::Changed => {
                let n = object.changes.len();
                format!("{n} change{}", if n == 1 { "" } else { "s" })
            }
        };
        let padding = " ".repeat(width - name.chars().count());
        writeln!(
            out,
            "{} {name}{padding}   {detail}",
            theme.paint(role, marker)
        )?;
    }
    writeln!(out, "{}", theme.paint(Role::Dim, &summary_line(report)))
}

pub fn render_names(
    report: &DiffReport,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let theme = Theme::new(options.color);
    for object in &report.objects {
        let (marker, role) = object_marker(object.change);
        writeln!(out, "{} {}", theme.paint(role, marker), object.key)?;
    }
    Ok(())
}
