//! `meta.k8s.io/v1` `Table`s, what kubectl asks for its default output: the columns of the
//! CustomResourceDefinition's `additionalPrinterColumns` for custom resources (as the
//! apiextensions server converts them), and kubectl's familiar columns for built-in kinds (as the
//! API server's printers compute them, in [`columns`]). Ages count to the snapshot's time, not to
//! now: last week's pod was two days old last week.

mod columns;
pub(crate) mod jsonpath;

use serde_json::{Value, json};

use crate::schema::crd::PrinterColumn;
use crate::timestamp::Timestamp;

/// How the rows of one resource are printed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Printer<'a> {
    /// A custom resource, with its version's printer columns.
    Crd(&'a [PrinterColumn]),
    /// A built-in kind (or a kind without a definition in the snapshot: NAME and AGE).
    BuiltIn {
        /// Its API group.
        group: &'a str,
        /// Its kind.
        kind: &'a str,
    },
}

/// One column definition: name, type, format, priority.
pub(crate) type Def = (&'static str, &'static str, &'static str, i64);

const NAME_DESCRIPTION: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESCRIPTION: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC. Populated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// The time ages count to: when the snapshot was taken, else now.
pub(crate) fn reference_time(taken: Option<Timestamp>) -> i64 {
    taken.unwrap_or_else(Timestamp::now).to_unix()
}

/// A `Table` of `objects` (whole objects as served) printed by `printer`, with `metadata`
/// (`resourceVersion`, `continue`).
pub(crate) fn table(printer: Printer<'_>, objects: &[Value], now: i64, metadata: Value) -> Value {
    let (definitions, rows): (Vec<Value>, Vec<Value>) = match printer {
        Printer::Crd(columns) => crd_table(columns, objects, now),
        Printer::BuiltIn { group, kind } => {
            let (defs, cells) = columns::printer(group, kind);
            let definitions = defs.iter().map(definition).collect();
            let rows = objects
                .iter()
                .map(|object| row(object, cells(object, now)))
                .collect();
            (definitions, rows)
        }
    };
    json!({
        "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
        "columnDefinitions": definitions, "rows": rows,
    })
}

fn definition(&(name, kind, format, priority): &Def) -> Value {
    let description = match name {
        "Name" => NAME_DESCRIPTION,
        "Age" => AGE_DESCRIPTION,
        _ => "",
    };
    json!({"name": name, "type": kind, "format": format, "description": description, "priority": priority})
}

/// The apiextensions server's table: Name, then the printer columns; a definition without
/// columns gets one, Age.
fn crd_table(columns: &[PrinterColumn], objects: &[Value], now: i64) -> (Vec<Value>, Vec<Value>) {
    let age = PrinterColumn {
        name: "Age".into(),
        kind: "date".into(),
        json_path: ".metadata.creationTimestamp".into(),
        description: AGE_DESCRIPTION.into(),
        ..PrinterColumn::default()
    };
    let columns = if columns.is_empty() {
        std::slice::from_ref(&age)
    } else {
        columns
    };
    let paths: Vec<Option<jsonpath::Path>> = columns
        .iter()
        .map(|c| jsonpath::Path::parse(&c.json_path))
        .collect();
    let mut definitions = vec![definition(&("Name", "string", "name", 0))];
    definitions.extend(columns.iter().map(|c| {
        json!({"name": c.name, "type": c.kind, "format": c.format,
               "description": c.description, "priority": c.priority})
    }));
    let rows = objects
        .iter()
        .map(|object| {
            let mut cells = vec![json!(name_of(object))];
            for (column, path) in columns.iter().zip(&paths) {
                let found = path.as_ref().and_then(|p| p.find(object).first().copied());
                cells.push(found.map_or(Value::Null, |v| crd_cell(&column.kind, v, now)));
            }
            row(object, cells)
        })
        .collect();
    (definitions, rows)
}

/// A value as the apiextensions server puts it in a cell of its column `kind`: strings printed as
/// JSONPath prints them, numbers and booleans typed, dates as ages; a value of another type is
/// an empty cell.
fn crd_cell(kind: &str, value: &Value, now: i64) -> Value {
    match (kind, value) {
        (_, Value::Null) => Value::Null,
        ("string", Value::String(text)) => json!(text),
        ("string", other) => json!(other.to_string()),
        ("integer", Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map_or(Value::Null, |i| json!(i)),
        ("number", Value::Number(n)) => n.as_f64().map_or(Value::Null, |f| json!(f)),
        ("boolean", Value::Bool(b)) => json!(b),
        ("date", Value::String(text)) => json!(age_of(text, now)),
        _ => Value::Null,
    }
}

/// A row: its cells and the object's metadata, as kubectl wants it for `-L` and
/// `--show-labels`.
fn row(object: &Value, cells: Vec<Value>) -> Value {
    let mut metadata = serde_json::Map::new();
    if let Some(Value::Object(full)) = object.get("metadata") {
        for key in [
            "name",
            "namespace",
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "labels",
        ] {
            if let Some(value) = full.get(key) {
                metadata.insert(key.into(), value.clone());
            }
        }
    }
    json!({"cells": cells, "object": {"kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1", "metadata": metadata}})
}

/// `metadata.name`.
pub(crate) fn name_of(object: &Value) -> &str {
    text(object, "/metadata/name")
}

/// The string at `pointer`, or `""`.
pub(crate) fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The age of an object created at `stamp` (RFC 3339) at `now`, as kubectl prints it;
/// `<unknown>` when there is no stamp, `<invalid>` when it cannot be read.
pub(crate) fn age_of(stamp: &str, now: i64) -> String {
    if stamp.is_empty() {
        return "<unknown>".into();
    }
    match Timestamp::parse_rfc3339(stamp) {
        Some(created) => human_duration(now - created.to_unix()),
        None => "<invalid>".into(),
    }
}

/// Kubernetes' `duration.HumanDuration`: `45s`, `3m12s`, `3h12m`, `5d`, `2y`.
pub(crate) fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return match seconds % 60 {
            0 => format!("{minutes}m"),
            s => format!("{minutes}m{s}s"),
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        return match minutes % 60 {
            0 => format!("{hours}h"),
            m => format!("{hours}h{m}m"),
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    let days = hours / 24;
    if hours < 24 * 8 {
        return match hours % 24 {
            0 => format!("{days}d"),
            h => format!("{days}d{h}h"),
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{days}d");
    }
    let years = days / 365;
    if hours < 24 * 365 * 8 {
        return match days % 365 {
            0 => format!("{years}y"),
            d => format!("{years}y{d}d"),
        };
    }
    format!("{years}y")
}

#[cfg(test)]
mod tests;
