//! The text report: grouped by namespace, one line per change, `old → new`, and a summary.

use std::io::{self, Write};

use serde_json::Value;

use super::theme::{Role, Theme};
use super::values::{self, DiffLine};
use super::{RenderOptions, describe_source, summary_line};
use crate::diff::{Change, DiffReport, ObjectChange, ObjectDiff, Op};

pub fn render(report: &DiffReport, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let theme = Theme::new(options.color);
    writeln!(
        out,
        "Comparing {} → {}",
        describe_source(&report.old),
        describe_source(&report.new)
    )?;
    let mut namespace: Option<&str> = None;
    for object in &report.objects {
        let ns = object.key.namespace.as_str();
        if namespace != Some(ns) {
            writeln!(out)?;
            let heading = if !ns.is_empty() {
                ns
            } else if report
                .objects
                .iter()
                .filter(|o| o.key.namespace.is_empty())
                .all(|o| crate::snapshot::kinds::is_cluster_scoped(&o.key.kind, &o.key.group))
            {
                "cluster-scoped"
            } else {
                "cluster-scoped or without a namespace"
            };
            writeln!(out, "{}", theme.paint(Role::Heading, heading))?;
            namespace = Some(ns);
        }
        write_object(out, object, &theme, options)?;
    }
    writeln!(out)?;
    writeln!(out, "{}", summary_line(report))
}

/// The marker and role of an object's line.
pub fn object_marker(change: ObjectChange) -> (&'static str, Role) {
    match change {
        ObjectChange::Added => ("+", Role::Added),
        ObjectChange::Removed => ("-", Role::Removed),
        ObjectChange::Changed => ("~", Role::Changed),
    }
}

fn write_object(
    out: &mut dyn Write,
    object: &ObjectDiff,
    theme: &Theme,
    options: &RenderOptions,
) -> io::Result<()> {
    let (marker, role) = object_marker(object.change);
    writeln!(
        out,
        "{} {}",
        theme.paint(role, marker),
        theme.paint(
            Role::Object,
            &format!("{} {}", object.key.kind, object.key.name)
        )
    )?;
    for change in &object.changes {
        write_change(out, change, theme, options, 4)?;
    }
    Ok(())
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
    let path = change.path.human();
    let path = if path.is_empty() {
        "(whole value)".to_string()
    } else {
        path
    };
    let low_key = path == "apiVersion";
    let show = |v: &Value| -> String {
        match (change.secret, v) {
            (true, Value::String(s)) => s.clone(),
            _ => values::inline(v),
        }
    };
    let secret_hint = if change.secret && !options.show_secrets {
        theme.paint(Role::Dim, "   (values hidden; --show-secrets)")
    } else {
        String::new()
    };
    let (old, new) = (change.old.as_ref(), change.new.as_ref());
    match change.op {
        Op::Replace if !change.secret && values::is_multiline(old, new) => {
            let note = if change.format_only {
                theme.paint(Role::Dim, "   (formatting or comments only)")
            } else {
                String::new()
            };
            writeln!(out, "{pad}{} {path}{note}", theme.paint(Role::Changed, "~"))?;
            let (old, new) = (
                old.and_then(Value::as_str).unwrap_or(""),
                new.and_then(Value::as_str).unwrap_or(""),
            );
            for line in values::line_diff(old, new) {
                let text = match line {
                    DiffLine::Hunk(h) => theme.paint(Role::Dim, &h),
                    DiffLine::Context(t) => format!(" {t}"),
                    DiffLine::Removed(t) => theme.paint(Role::Removed, &format!("-{t}")),
                    DiffLine::Added(t) => theme.paint(Role::Added, &format!("+{t}")),
                };
                writeln!(out, "{deeper}{text}")?;
            }
        }
        Op::Replace => {
            let (old, new) = (old.unwrap_or(&Value::Null), new.unwrap_or(&Value::Null));
            if values::is_block(old) || values::is_block(new) {
                writeln!(out, "{pad}{} {path}", theme.paint(Role::Changed, "~"))?;
                write_block(out, "was", old, Role::Removed, theme, &deeper)?;
                write_block(out, "now", new, Role::Added, theme, &deeper)?;
            } else {
                // An apiVersion change alone (v1 → apps.openshift.io/v1) is one low-key line.
                let line = if low_key {
                    theme.paint(
                        Role::Dim,
                        &format!("~ {path}   {} → {}", show(old), show(new)),
                    )
                } else {
                    format!(
                        "{} {path}   {} → {}",
                        theme.paint(Role::Changed, "~"),
                        theme.paint(Role::Removed, &show(old)),
                        theme.paint(Role::Added, &show(new))
                    )
                };
                writeln!(out, "{pad}{line}{secret_hint}")?;
            }
        }
        Op::Add | Op::Remove => {
            let (marker, role, value) = if change.op == Op::Add {
                ("+", Role::Added, new.unwrap_or(&Value::Null))
            } else {
                ("-", Role::Removed, old.unwrap_or(&Value::Null))
            };
            if values::is_block(value) {
                writeln!(out, "{pad}{} {path}", theme.paint(role, marker))?;
                for line in values::block_lines(value) {
                    writeln!(out, "{deeper}{}", theme.paint(role, &line))?;
                }
            } else {
                writeln!(
                    out,
                    "{pad}{} {path}   {}{secret_hint}",
                    theme.paint(role, marker),
                    theme.paint(role, &show(value))
                )?;
            }
        }
        Op::Move => {
            let marker = theme.paint(Role::Moved, "↕");
            match (old, new) {
                (Some(Value::Number(from)), Some(Value::Number(to))) => {
                    writeln!(
                        out,
                        "{pad}{marker} {path}   moved from position {from} to {to}"
                    )?;
                }
                (Some(old), Some(new)) => {
                    let (old, new) = (values::inline(old), values::inline(new));
                    if old.len() + new.len() > 2 * values::INLINE_LIMIT {
                        writeln!(out, "{pad}{marker} {path}   order changed")?;
                        writeln!(out, "{deeper}{} {old}", theme.paint(Role::Dim, "was"))?;
                        writeln!(out, "{deeper}{} {new}", theme.paint(Role::Dim, "now"))?;
                    } else {
                        writeln!(out, "{pad}{marker} {path}   order changed: {old} → {new}")?;
                    }
                }
                _ => writeln!(out, "{pad}{marker} {path}   order changed")?,
            }
        }
    }
    Ok(())
}

fn write_block(
    out: &mut dyn Write,
    label: &str,
    value: &Value,
    role: Role,
    theme: &Theme,
    pad: &str,
) -> io::Result<()> {
    let lines = values::block_lines(value);
    if lines.len() == 1 {
        return writeln!(out, "{pad}{label} {}", theme.paint(role, &lines[0]));
    }
    writeln!(out, "{pad}{label}")?;
    for line in lines {
        writeln!(out, "{pad}  {}", theme.paint(role, &line))?;
    }
    Ok(())
}
