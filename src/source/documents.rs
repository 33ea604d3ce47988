//! Parsing the bytes of one file into documents: JSON (one object, a `List`, an array, or several
//! objects stacked one after another) or YAML (one or more `---` separated documents).

use serde_json::Value;

use crate::error::{Error, Result};

/// The documents in `bytes`, which were read from the file named `display` (for messages).
///
/// The format is decided by content, not by the file's extension: JSON starts with `{` or `[`.
/// An empty file yields no document; the caller decides whether that deserves a warning.
pub fn parse(bytes: &[u8], display: &str) -> Result<Vec<Value>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::input(
            display,
            format!("not valid UTF-8 at byte {}", e.valid_up_to()),
        )
    })?;
    let trimmed = text.trim_start();
    match trimmed.as_bytes().first() {
        None => Ok(Vec::new()),
        // JSON first (fast, precise errors). Flow-style YAML documents separated by `---` also
        // start with `{`: only text with such a separator gets a second chance as YAML, so that a
        // broken JSON file is reported as broken JSON, not read leniently as YAML.
        Some(b'{' | b'[') => parse_json_stream(text, display).or_else(|json_error| {
            if has_yaml_separator(text) {
                parse_yaml(text, display).map_err(|_| json_error)
            } else {
                Err(json_error)
            }
        }),
        Some(_) => parse_yaml(text, display),
    }
}

fn has_yaml_separator(text: &str) -> bool {
    text.lines()
        .any(|line| line == "---" || line.starts_with("--- "))
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
    // At the end of the input serde_json points at the last character; the problem is after it.
    let offset = if err.classify() == serde_json::error::Category::Eof {
        text.len()
    } else {
        byte_offset(text, err.line(), err.column())
    };
    let message = err.to_string();
    let message = match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => &message,
    };
    let hint = if err.classify() == serde_json::error::Category::Eof {
        " (the file ends early: truncated?)"
    } else {
        ""
    };
    Error::input(
        display,
        format!(
            "invalid JSON at byte {offset} (line {}, column {}): {message}{hint}",
            err.line(),
            err.column()
        ),
    )
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
    let mut options = serde_saphyr::Options::default();
    options.legacy_octal_numbers = true;
    serde_saphyr::from_multiple_with_options(text, options)
}

fn parse_yaml(text: &str, display: &str) -> Result<Vec<Value>> {
    let documents: Vec<Value> = yaml_values(text).map_err(|e| {
        let message = e.to_string();
        // serde-saphyr renders a code snippet below the first line; keep the one-line summary.
        let first_line = message.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let location = e
            .location()
            .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
            .unwrap_or_default();
        Error::input(
            display,
            format!("invalid YAML{location}: {}", first_line.trim()),
        )
    })?;
    Ok(documents)
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
    fn empty_and_whitespace_files_have_no_documents() {
        assert!(parse(b"", "f").unwrap().is_empty());
        assert!(parse(b" \n\t", "f").unwrap().is_empty());
    }
}
