//! Parsing the bytes of one file into documents: JSON (one object, a `List`, an array, or several
//! objects stacked one after another) or YAML (one or more `---` separated documents).
//!
//! Readers use `add_file`, which hands objects to the snapshot builder one at a time (see
//! `super::json`); [`parse`] returns every document of a small file at once.

use serde_json::Value;

use super::json;
use crate::error::{Error, Result};
use crate::snapshot::{FileOrigin, SnapshotBuilder};

/// The most YAML nodes (scalars, sequences, mappings) one document may hold: a `List` of 100,000
/// real objects fits, and memory stays bounded (a YAML document is parsed whole).
pub const MAX_YAML_NODES: usize = 10_000_000;

/// The most bytes of scalars one YAML document may hold, aliases expanded (serde-saphyr's
/// default): a `List` of 100,000 typical objects holds about a third of it, and it bounds what a
/// few aliases of a big anchored scalar can cost (a 4 MiB file would otherwise expand 100-fold).
pub const MAX_YAML_SCALAR_BYTES: usize = 64 << 20;

/// The most YAML events recorded for anchors, and replayed by aliases, in one document.
pub const MAX_YAML_ALIAS_EVENTS: usize = 100_000;

/// The most YAML documents [`parse`] reads from one text (readers stream documents, uncapped).
pub const MAX_YAML_DOCUMENTS: usize = 100_000;

/// The documents in `bytes`, which were read from the file named `display` (for messages).
///
/// The format is decided by content, not by the file's extension: JSON starts with `{` or `[`.
/// An empty file yields no document; the caller decides whether that deserves a warning.
pub fn parse(bytes: &[u8], display: &str) -> Result<Vec<Value>> {
    let text = as_text(bytes, display)?;
    match format_of(text) {
        Format::Empty => Ok(Vec::new()),
        // JSON first (fast, precise errors). Flow-style YAML documents separated by `---` also
        // start with `{`: only text with such a separator gets a second chance as YAML, so that a
        // broken JSON file is reported as broken JSON, not read leniently as YAML.
        Format::Json => parse_json_stream(text, display).or_else(|json_error| {
            if has_yaml_separator(text) {
                parse_yaml(text, display).map_err(|_| json_error)
            } else {
                Err(json_error)
            }
        }),
        Format::Yaml => parse_yaml(text, display),
    }
}

/// Adds the objects of the file `bytes` to `builder` one document (and one `List` item) at a
/// time, and warns about objects skipped as invalid. Same formats and messages as [`parse`].
pub(crate) fn add_file(
    builder: &mut SnapshotBuilder,
    bytes: &[u8],
    origin: &FileOrigin,
) -> Result<()> {
    let display = origin.display.as_str();
    let text = as_text(bytes, display)?;
    let invalid = match format_of(text) {
        Format::Empty => 0,
        // Flow-style YAML with `---` separators: decided by a check of the JSON syntax before
        // anything is added, so that a file is never half-added as JSON then read as YAML.
        Format::Json if has_yaml_separator(text) => match json::is_json_stream(text) {
            Ok(()) => json::add_json(builder, text, origin)?,
            Err(e) => add_yaml(builder, text, origin).map_err(|_| json_error(display, text, &e))?,
        },
        Format::Json => json::add_json(builder, text, origin)?,
        Format::Yaml => add_yaml(builder, text, origin)?,
    };
    builder.warn_invalid(invalid, origin);
    Ok(())
}

/// What a text holds, by its first character.
enum Format {
    Empty,
    Json,
    Yaml,
}

fn format_of(text: &str) -> Format {
    match text.trim_start().as_bytes().first() {
        None => Format::Empty,
        Some(b'{' | b'[') => Format::Json,
        Some(_) => Format::Yaml,
    }
}

/// The text of a file: UTF-8, without a byte-order mark.
fn as_text<'a>(bytes: &'a [u8], display: &str) -> Result<&'a str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        Error::input(
            display,
            format!("not valid UTF-8 at byte {}", e.valid_up_to()),
        )
    })
}

/// Whether a line of `text` after the first is a YAML document separator (`---`, or `--- ` and
/// more). Found with memmem: this runs on every JSON file.
fn has_yaml_separator(text: &str) -> bool {
    memchr::memmem::find_iter(text.as_bytes(), b"\n---").any(|at| {
        let rest = &text.as_bytes()[at + 4..];
        matches!(rest.first(), None | Some(b'\n' | b' ')) || rest.starts_with(b"\r\n")
    })
}

/// One or more JSON values, concatenated (the legacy "stacked" files of `oc get -o json >> f`).
fn parse_json_stream(text: &str, display: &str) -> Result<Vec<Value>> {
    let mut documents = Vec::with_capacity(1);
    let stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    for document in stream {
        documents.push(document.map_err(|e| json_error(display, text, &e))?);
    }
    Ok(documents)
}

/// A JSON error as one line with the byte offset, line and column.
pub fn json_error(display: &str, text: &str, err: &serde_json::Error) -> Error {
    json_error_in(display, text, text, err)
}

/// A JSON error met while parsing `part`, a slice of the file `text`, placed in the file.
pub(crate) fn json_error_in(
    display: &str,
    text: &str,
    part: &str,
    err: &serde_json::Error,
) -> Error {
    let eof = err.classify() == serde_json::error::Category::Eof;
    // At the end of the input serde_json points at the last character; the problem is after it.
    let in_part = if eof {
        part.len()
    } else {
        byte_offset(part, err.line(), err.column())
    };
    let offset = json::offset_in(text, part) + in_part;
    let (line, column) = line_and_column(text, offset, eof);
    let message = err.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => &message,
    };
    let hint = if eof {
        " (the file ends early: truncated?)"
    } else {
        ""
    };
    Error::input(
        display,
        format!("invalid JSON at byte {offset} (line {line}, column {column}): {message}{hint}"),
    )
}

/// serde_json's 1-based line and byte column of the byte at `offset` (of the last byte, at the
/// end of the input, as serde_json reports it there).
fn line_and_column(text: &str, offset: usize, eof: bool) -> (usize, usize) {
    let offset = offset.min(text.len());
    let at = if eof {
        offset.saturating_sub(1)
    } else {
        offset
    };
    let before = &text.as_bytes()[..at];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    (line, at - line_start + 1)
}

/// The byte offset of serde_json's 1-based line and byte column.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// Parses YAML documents as kubectl reads them (sigs.k8s.io/yaml, YAML 1.1): `yes`/`no`/`on`/`off`
/// are booleans and a leading zero makes an octal integer (`0755`).
pub fn yaml_values(text: &str) -> std::result::Result<Vec<Value>, serde_saphyr::Error> {
    on_yaml_stack(|| serde_saphyr::from_multiple_with_options(text, yaml_options()))
}

/// The stack YAML is parsed on: serde-saphyr recurses once per nesting level with big frames
/// (over 16 KiB each in a debug build), more than a 2 MiB thread has for [`json::MAX_NESTING`].
const YAML_STACK_BYTES: usize = 64 << 20;

/// Runs `parse` on a thread with a stack of [`YAML_STACK_BYTES`], whatever thread the caller is
/// on (`diff` reads on a spawned thread). The stack is reserved, not used: it costs address
/// space, and a thread start per file.
fn on_yaml_stack<T: Send>(parse: impl FnOnce() -> T + Send) -> T {
    let mut parse = Some(parse);
    let on_thread = std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("yaml".into())
            .stack_size(YAML_STACK_BYTES)
            .spawn_scoped(scope, || parse.take().map(|parse| parse()));
        match thread {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => None,
        }
    });
    // No thread to be had: parse here, where only very deep YAML can need more stack.
    on_thread.unwrap_or_else(|| parse.take().map(|parse| parse()).expect("parsed once"))
}

/// serde-saphyr's options for Kubernetes manifests. Its default budget is sized for
/// configuration files and refuses real ones (a `List` of 8,000 objects, 1,025 documents, nesting
/// deeper than 64); these budgets fit a `List` of 100,000 objects, any number of documents when
/// streamed, and serde_json's nesting limit; the alias limits that stop "billion laughs" are
/// tightened, as the node budget no longer does.
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = MAX_YAML_NODES;
    budget.max_events = 3 * MAX_YAML_NODES;
    budget.max_documents = MAX_YAML_DOCUMENTS;
    budget.max_depth = json::MAX_NESTING;
    budget.max_total_scalar_bytes = MAX_YAML_SCALAR_BYTES;
    // Readers cap the bytes of every input themselves (--max-bytes).
    budget.max_reader_input_bytes = None;
    // Aliases are rare in manifests; with the node budget lifted, these are what stop a
    // "billion laughs" (serde-saphyr's defaults, a million events, let one cost 270 MB).
    budget.max_recorded_anchor_events = MAX_YAML_ALIAS_EVENTS;
    let mut options = serde_saphyr::Options::default();
    options.legacy_octal_numbers = true;
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = MAX_YAML_ALIAS_EVENTS;
    options
}

fn parse_yaml(text: &str, display: &str) -> Result<Vec<Value>> {
    yaml_values(text).map_err(|e| yaml_error(display, &e))
}

/// Adds the YAML documents of `text` to `builder` as each is parsed; returns how many objects
/// were skipped as invalid. The node budget applies to each document.
fn add_yaml(builder: &mut SnapshotBuilder, text: &str, origin: &FileOrigin) -> Result<usize> {
    on_yaml_stack(|| {
        let mut reader = text.as_bytes();
        let mut invalid = 0;
        for document in serde_saphyr::read_with_options::<_, Value>(&mut reader, yaml_options()) {
            let document = document.map_err(|e| yaml_error(&origin.display, &e))?;
            invalid += builder.add_document(document, origin);
        }
        Ok(invalid)
    })
}

/// A YAML error as one line with its line and column.
fn yaml_error(display: &str, err: &serde_saphyr::Error) -> Error {
    let message = err.to_string();
    // serde-saphyr renders a code snippet below the first line; keep the one-line summary.
    let first_line = message.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let location = err
        .location()
        .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
        .unwrap_or_default();
    Error::input(
        display,
        format!("invalid YAML{location}: {}", first_line.trim()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_json_objects_are_separate_documents() {
        let docs = parse(b"{\"a\":1}\n{\"b\":2}  {\"c\":3}", "f.json").unwrap();
        assert_eq!(docs.len(), 3);
    }

    #[test]
    fn truncated_json_names_the_file_and_byte_offset() {
        let text = b"{\n  \"kind\": \"List\",\n  \"items\": [\n";
        let err = parse(text, "old.zip: p/dcs.json").unwrap_err().to_string();
        assert!(
            err.starts_with("old.zip: p/dcs.json: invalid JSON at byte "),
            "{err}"
        );
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn json_error_offset_points_at_the_problem() {
        let text = "{\"a\": 1,\n \"b\": x}";
        let err = parse(text.as_bytes(), "f").unwrap_err().to_string();
        let at = text.find('x').unwrap();
        assert!(
            err.contains(&format!("at byte {at} ")),
            "{err} (x is at {at})"
        );
    }

    #[test]
    fn flow_style_yaml_documents_are_not_json() {
        let docs = parse(b"{\"a\": 1}\n---\n{\"b\": 2}\n", "f.yaml").unwrap();
        assert_eq!(docs.len(), 2);
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_offset() {
        let err = parse(b"{\"a\": \"\xff\"}", "f.json")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "f.json: not valid UTF-8 at byte 7");
    }

    #[test]
    fn multi_document_yaml() {
        let docs = parse(b"a: 1\n---\nb: [x, z]\n---\n", "f.yaml").unwrap();
        let docs: Vec<_> = docs.into_iter().filter(|d| !d.is_null()).collect();
        assert_eq!(
            docs,
            vec![
                serde_json::json!({"a": 1}),
                serde_json::json!({"b": ["x", "z"]})
            ]
        );
    }

    #[test]
    fn yaml_scalars_as_kubectl_reads_them() {
        let docs = parse(
            b"mode: 0755\nport: 8080\nenabled: yes\nname: \"007\"\n",
            "f.yaml",
        )
        .unwrap();
        assert_eq!(
            docs[0],
            serde_json::json!({"mode": 493, "port": 8080, "enabled": true, "name": "007"})
        );
    }

    #[test]
    fn bad_yaml_is_one_line() {
        let err = parse(b"a: [1, 2\nb: c: d\n", "f.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("f.yaml: invalid YAML"), "{err}");
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn anchors_and_aliases_still_read() {
        let docs = parse(
            b"base: &b {kind: ConfigMap, data: {a: '1'}}\ncopy: *b\n",
            "f.yaml",
        )
        .unwrap();
        assert_eq!(docs[0]["copy"], docs[0]["base"]);
    }

    #[test]
    fn empty_and_whitespace_files_have_no_documents() {
        assert!(parse(b"", "f").unwrap().is_empty());
        assert!(parse(b" \n\t", "f").unwrap().is_empty());
    }
}
