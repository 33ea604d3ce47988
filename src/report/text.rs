//! The text report: the likely culprits first, then repeated changes, then every difference
//! grouped by namespace, and a summary.

use std::io::{self, Write};

use super::present::{self, CULPRIT_CHANGES, Shape};
use super::theme::{Role, Theme};
use super::values::{self, DiffLine};
use super::words::noun;
use super::{
    RenderOptions, baseline_lines, ignored_line, namespace_map_line, security_ignored_line,
    summary_line,
};
use crate::analyze::attribution::Attribution;
use crate::analyze::{Analysis, Category, Entry};
use crate::diff::{Change, ObjectChange};
use crate::snapshot::kinds;

pub fn render(analysis: &Analysis, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let theme = Theme::new(options.color);
    writeln!(out, "{}", present::heading(analysis))?;
    if let Some(line) = namespace_map_line(analysis) {
        writeln!(out, "Namespaces compared: {line}")?;
    }
    write_culprits(analysis, options, &theme, out)?;
    write_repeated(analysis, options, &theme, out)?;

    let mut namespace: Option<&str> = None;
    for entry in analysis.entries.iter().filter(|e| {
        e.shows() || (analysis.show_all && (!e.findings.is_empty() || e.accepted.is_some()))
    }) {
        let ns = entry.key.namespace.as_str();
        if namespace != Some(ns) {
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                theme.paint(Role::Heading, &heading(analysis, ns))
            )?;
            namespace = Some(ns);
        }
        write_entry(out, entry, analysis, &theme, options)?;
    }
    if options.explain {
        write_explanations(analysis, &theme, out)?;
        write_ignored(analysis, &theme, out)?;
    }
    writeln!(out)?;
    if let Some(line) = security_ignored_line(analysis) {
        writeln!(out, "{}", theme.paint(Role::Heading, &line))?;
    }
    if let Some(line) = ignored_line(analysis) {
        let hint = if options.explain {
            ""
        } else {
            " (--explain lists them)"
        };
        writeln!(out, "{line}{hint}")?;
    }
    for (line, loud) in baseline_lines(analysis) {
        let role = if loud { Role::Heading } else { Role::Dim };
        writeln!(out, "{}", theme.paint(role, &line))?;
    }
    writeln!(out, "{}", summary_line(analysis))
}

fn heading(analysis: &Analysis, namespace: &str) -> String {
    // A mapped namespace is headed by both names: its objects were compared with the old
    // side's namespace.
    if let Some((old, _)) = analysis
        .old
        .namespace_map
        .iter()
        .find(|(_, new)| new == namespace)
    {
        return format!("{old} → {namespace}");
    }
    if !namespace.is_empty() {
        return namespace.to_string();
    }
    let all_cluster_scoped = analysis
        .entries
        .iter()
        .filter(|e| e.key.namespace.is_empty())
        .all(|e| kinds::is_cluster_scoped(&e.key.kind, &e.key.group));
    if all_cluster_scoped {
        "cluster-scoped".into()
    } else {
        "cluster-scoped or without a namespace".into()
    }
}

/// The marker and role of an object's line.
pub fn object_marker(change: ObjectChange) -> (&'static str, Role) {
    match change {
        ObjectChange::Added => ("+", Role::Added),
        ObjectChange::Removed => ("-", Role::Removed),
        ObjectChange::Changed => ("~", Role::Changed),
    }
}

fn write_culprits(
    analysis: &Analysis,
    options: &RenderOptions,
    theme: &Theme,
    out: &mut dyn Write,
) -> io::Result<()> {
    if analysis.culprits.is_empty() || options.top == 0 {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "{}", theme.paint(Role::Heading, "Likely culprits"))?;
    let shown: Vec<_> = analysis.culprits.iter().take(options.top).collect();
    let width = shown
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0);
    for (n, culprit) in shown.iter().enumerate() {
        let name = &culprit.label;
        let padding = " ".repeat(width.saturating_sub(name.chars().count()));
        writeln!(
            out,
            "{:>2}  {}{padding}   {}",
            n + 1,
            theme.paint(Role::Object, name),
            theme.paint(Role::Dim, &culprit.reason)
        )?;
        let (changes, more) = present::culprit_changes(culprit, CULPRIT_CHANGES);
        for change in changes {
            let by = analysis.attributions.get(&culprit.key, &change.path);
            write_attributed(out, change, by, theme, options, 6)?;
        }
        if more > 0 {
            writeln!(
                out,
                "      {}",
                theme.paint(Role::Dim, &format!("… {more} more below"))
            )?;
        }
    }
    if analysis.culprits.len() > options.top {
        writeln!(
            out,
            "{}",
            theme.paint(
                Role::Dim,
                &format!(
                    "    … {} more suspects, less likely (--top N shows more)",
                    analysis.culprits.len() - options.top
                )
            )
        )?;
    }
    Ok(())
}

fn qualified(namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        name.to_string()
    } else {
        format!("{namespace}/{name}")
    }
}

fn write_repeated(
    analysis: &Analysis,
    options: &RenderOptions,
    theme: &Theme,
    out: &mut dyn Write,
) -> io::Result<()> {
    if analysis.repeated.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        theme.paint(Role::Heading, "Same change on many objects")
    )?;
    for group in &analysis.repeated {
        write_change(out, &group.change, theme, options, 4)?;
        const NAMED: usize = 6;
        let names: Vec<String> = group
            .objects
            .iter()
            .take(NAMED)
            .map(|k| format!("{} {}", k.kind, k.name))
            .collect();
        let more = if group.objects.len() > NAMED {
            ", …"
        } else {
            ""
        };
        writeln!(
            out,
            "        {}",
            theme.paint(
                Role::Dim,
                &format!(
                    "on {} objects: {}{more}",
                    group.objects.len(),
                    names.join(", ")
                )
            )
        )?;
    }
    Ok(())
}

fn write_entry(
    out: &mut dyn Write,
    entry: &Entry,
    analysis: &Analysis,
    theme: &Theme,
    options: &RenderOptions,
) -> io::Result<()> {
    let (show_all, attributions) = (analysis.show_all, &analysis.attributions);
    let (marker, role) = object_marker(entry.change);
    // Changes the culprits above show in full are not repeated: the line names the culprits.
    let covered = (!show_all && !options.explain)
        .then(|| present::covering_culprits(analysis, entry, options.top, CULPRIT_CHANGES))
        .flatten();
    let mut tail: Vec<String> = entry.relation.iter().map(ToString::to_string).collect();
    tail.extend(entry.accepted.iter().map(|rule| format!("[{rule}]")));
    match &covered {
        Some(numbers) => tail.push(format!(
            "see {} {}",
            noun(numbers.len(), "culprit"),
            numbers
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => tail.extend(entry.notes.iter().cloned()),
    }
    let tail = if tail.is_empty() {
        String::new()
    } else {
        theme.paint(Role::Dim, &format!("   {}", tail.join("; ")))
    };
    writeln!(
        out,
        "{} {}{tail}",
        theme.paint(role, marker),
        theme.paint(
            Role::Object,
            &format!("{} {}", entry.key.kind, entry.title_name())
        )
    )?;
    if covered.is_some() {
        return Ok(());
    }
    for finding in &entry.findings {
        match &finding.hidden_by {
            None => {
                let by = attributions.get(&entry.key, &finding.change.path);
                write_attributed(out, &finding.change, by, theme, options, 4)?;
                if let Some(note) = &finding.note {
                    writeln!(
                        out,
                        "        {}",
                        theme.paint(Role::Dim, &format!("({note})"))
                    )?;
                }
                if finding.category == Category::TriggeredImage {
                    writeln!(
                        out,
                        "        {}",
                        theme.paint(Role::Dim, "(updated by its ImageChange trigger)")
                    )?;
                }
            }
            Some(rule) if show_all => {
                let mut buffer = Vec::new();
                write_change(&mut buffer, &finding.change, &Theme::new(false), options, 4)?;
                for line in String::from_utf8_lossy(&buffer).lines() {
                    writeln!(
                        out,
                        "{}",
                        theme.paint(Role::Dim, &format!("{line}   [{rule}]"))
                    )?;
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn write_explanations(analysis: &Analysis, theme: &Theme, out: &mut dyn Write) -> io::Result<()> {
    let hidden = analysis.entries.iter().flat_map(|e| {
        let object = format!(
            "{} {}",
            e.key.kind,
            qualified(&e.key.namespace, &e.title_name())
        );
        e.findings.iter().filter_map(move |f| {
            f.hidden_by
                .as_deref()
                .map(|rule| (object.clone(), f.change.path.human(), rule.to_string()))
        })
    });
    write_hidden_list("Hidden, and why", hidden, theme, out)
}

/// Every change the user's rules hid, by object, with the rule that hid it (`--explain`).
fn write_ignored(analysis: &Analysis, theme: &Theme, out: &mut dyn Write) -> io::Result<()> {
    let hidden = &analysis.user_hidden;
    let rows = hidden.by_object().into_iter().map(|ignored| {
        let key = &ignored.key;
        (
            format!("{} {}", key.kind, qualified(&key.namespace, &key.name)),
            ignored.change.path.human(),
            hidden.rule_of(ignored).name.clone(),
        )
    });
    write_hidden_list("Ignored by your rules", rows, theme, out)
}

/// Hidden changes under `heading`, by object: `(object, path, rule)` rows, one object line for a
/// run of rows of the same object. Nothing at all when there are none.
fn write_hidden_list(
    heading: &str,
    rows: impl Iterator<Item = (String, String, String)>,
    theme: &Theme,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut last: Option<String> = None;
    for (object, path, rule) in rows {
        if last.is_none() {
            writeln!(out)?;
            writeln!(out, "{}", theme.paint(Role::Heading, heading))?;
        }
        if last.as_deref() != Some(object.as_str()) {
            writeln!(out, "  {object}")?;
            last = Some(object);
        }
        let path = if path.is_empty() {
            "(whole object)".into()
        } else {
            path
        };
        writeln!(
            out,
            "    {path}   {}",
            theme.paint(Role::Dim, &format!("[{rule}]"))
        )?;
    }
    Ok(())
}

/// Writes one change as [`write_change`] does, with who made it at the end of its first line
/// (`by kubectl-edit, 2026-11-24 14:02`) when the field managers say.
pub fn write_attributed(
    out: &mut dyn Write,
    change: &Change,
    by: Option<&Attribution>,
    theme: &Theme,
    options: &RenderOptions,
    indent: usize,
) -> io::Result<()> {
    let Some(by) = by else {
        return write_change(out, change, theme, options, indent);
    };
    let mut buffer = Vec::new();
    write_change(&mut buffer, change, theme, options, indent)?;
    let text = String::from_utf8_lossy(&buffer);
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let by = theme.paint(Role::Dim, &format!("   by {}", by.describe()));
    write!(out, "{first}{by}\n{rest}")
}

/// Writes one change, indented by `indent` spaces.
pub fn write_change(
    out: &mut dyn Write,
    change: &Change,
    theme: &Theme,
    options: &RenderOptions,
    indent: usize,
) -> io::Result<()> {
    let pad = " ".repeat(indent);
    let deeper = " ".repeat(indent + 4);
    let path = present::path(change);
    let secret_hint = if present::secret_hidden(change, options) {
        theme.paint(Role::Dim, "   (values hidden; --show-secrets)")
    } else {
        String::new()
    };
    let changed = theme.paint(Role::Changed, "~");
    match present::shape(change) {
        Shape::Elided(elided) => {
            writeln!(out, "{pad}{changed} {path}   {}", values::elided(elided))
        }
        Shape::Lines(lines) => {
            let note = if change.format_only {
                theme.paint(Role::Dim, "   (formatting or comments only)")
            } else {
                String::new()
            };
            writeln!(out, "{pad}{changed} {path}{note}")?;
            for line in lines {
                let text = match line {
                    DiffLine::Hunk(h) => theme.paint(Role::Dim, &h),
                    DiffLine::Context(t) => format!(" {t}"),
                    DiffLine::Removed(t) => theme.paint(Role::Removed, &format!("-{t}")),
                    DiffLine::Added(t) => theme.paint(Role::Added, &format!("+{t}")),
                };
                writeln!(out, "{deeper}{text}")?;
            }
            Ok(())
        }
        Shape::Atomic(inside) => {
            let note = theme.paint(Role::Dim, "   (one value: replaced whole)");
            writeln!(out, "{pad}{changed} {path}{note}")?;
            inside
                .iter()
                .try_for_each(|change| write_change(out, change, theme, options, indent + 4))
        }
        Shape::ReplacedBlocks { old, new } => {
            writeln!(out, "{pad}{changed} {path}")?;
            write_block(out, "was", &old, Role::Removed, theme, &deeper)?;
            write_block(out, "now", &new, Role::Added, theme, &deeper)
        }
        Shape::Replaced { old, new } => {
            // An apiVersion change alone (v1 → apps.openshift.io/v1) is one low-key line.
            let line = if present::is_low_key(change) {
                theme.paint(Role::Dim, &format!("~ {path}   {old} → {new}"))
            } else {
                format!(
                    "{changed} {path}   {} → {}",
                    theme.paint(Role::Removed, &old),
                    theme.paint(Role::Added, &new)
                )
            };
            writeln!(out, "{pad}{line}{secret_hint}")
        }
        Shape::OneSided { added, value } => {
            let (marker, role) = one_sided(added);
            writeln!(
                out,
                "{pad}{} {path}   {}{secret_hint}",
                theme.paint(role, marker),
                theme.paint(role, &value)
            )
        }
        Shape::OneSidedBlock { added, lines } => {
            let (marker, role) = one_sided(added);
            writeln!(out, "{pad}{} {path}", theme.paint(role, marker))?;
            for line in lines {
                writeln!(out, "{deeper}{}", theme.paint(role, &line))?;
            }
            Ok(())
        }
        Shape::Moved { from, to } => {
            let marker = theme.paint(Role::Moved, "↕");
            writeln!(
                out,
                "{pad}{marker} {path}   moved from position {from} to {to}"
            )
        }
        Shape::Reordered(orders) => write_reordered(out, orders.as_ref(), &path, theme, indent),
    }
}

/// A list whose order changed: the two orders on one line, or below when they are long.
fn write_reordered(
    out: &mut dyn Write,
    orders: Option<&(String, String)>,
    path: &str,
    theme: &Theme,
    indent: usize,
) -> io::Result<()> {
    let (pad, deeper) = (" ".repeat(indent), " ".repeat(indent + 4));
    let marker = theme.paint(Role::Moved, "↕");
    match orders {
        Some((old, new)) if old.len() + new.len() > 2 * values::INLINE_LIMIT => {
            writeln!(out, "{pad}{marker} {path}   order changed")?;
            writeln!(out, "{deeper}{} {old}", theme.paint(Role::Dim, "was"))?;
            writeln!(out, "{deeper}{} {new}", theme.paint(Role::Dim, "now"))
        }
        Some((old, new)) => writeln!(out, "{pad}{marker} {path}   order changed: {old} → {new}"),
        None => writeln!(out, "{pad}{marker} {path}   order changed"),
    }
}

/// The marker and role of an added or removed value.
fn one_sided(added: bool) -> (&'static str, Role) {
    if added {
        ("+", Role::Added)
    } else {
        ("-", Role::Removed)
    }
}

fn write_block(
    out: &mut dyn Write,
    label: &str,
    lines: &[String],
    role: Role,
    theme: &Theme,
    pad: &str,
) -> io::Result<()> {
    if lines.len() == 1 {
        return writeln!(out, "{pad}{label} {}", theme.paint(role, &lines[0]));
    }
    writeln!(out, "{pad}{label}")?;
    for line in lines {
        writeln!(out, "{pad}  {}", theme.paint(role, line))?;
    }
    Ok(())
}
