//! One byte pass over the text of a list item: its compact copy, its measure, and the fields of
//! its identity, without parsing it.
//!
//! Most objects are unchanged between two nights. Their text is all a comparison needs of them
//! (two equal texts read in the same context normalise to equal bodies), so the reader keeps the
//! compact text and builds the normalised body only when something asks for it (see
//! `crate::snapshot::stored`). The identity is read here from the bytes; whatever this pass cannot
//! read exactly as serde_json would (an escape in a field of the identity, a `\u` escape of a
//! surrogate, which only a real parse can accept or refuse) makes the item `exact: false`, and the
//! reader parses it as before.

use super::json::Measure;

/// What one pass over an object's text found.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Scanned<'a> {
    /// The number of values and the nesting depth, as [`super::json::measure`] counts them.
    pub measure: Measure,
    /// The fields of the identity, as a parsed object would hold them (the last of repeated
    /// keys wins).
    pub head: Head<'a>,
    /// Whether `head` is what a parse would read, and a later parse of the text cannot fail.
    pub exact: bool,
    /// Whether a string of the text holds an escape: then a name may be written in a way a
    /// search of the text would not find.
    pub escaped: bool,
}

/// The fields of an object that make its identity: each the string a parsed object holds there,
/// or `None` when it is absent or not a string.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Head<'a> {
    /// `kind`.
    pub kind: Option<&'a str>,
    /// `apiVersion`.
    pub api_version: Option<&'a str>,
    /// `metadata`, when present (as an empty one when it is not an object).
    pub metadata: Option<Metadata<'a>>,
}

/// The fields of `metadata` an identity reads.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Metadata<'a> {
    /// `metadata.name`.
    pub name: Option<&'a str>,
    /// `metadata.namespace`.
    pub namespace: Option<&'a str>,
}

/// Which field of the identity the value being read is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Kind,
    ApiVersion,
    Metadata,
    Name,
    Namespace,
    Other,
}

/// Copies the well-formed JSON object that starts at `start` of `json` into `out` without its
/// insignificant whitespace, and reads its identity on the way. Returns the index just past the
/// object and what the pass found. The text must be well-formed (serde_json read it once
/// already), which the pass does not check.
pub(crate) fn compact_object<'a>(
    json: &'a str,
    start: usize,
    out: &mut Vec<u8>,
) -> (usize, Scanned<'a>) {
    let bytes = json.as_bytes();
    let mut pass = Pass::default();
    let mut at = start;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'"' => {
                let string = read_string(bytes, at + 1);
                out.extend_from_slice(&bytes[at..string.end]);
                pass.string(&json[at + 1..string.end - 1], &string);
                at = string.end;
                if pass.depth == 0 {
                    break;
                }
                continue;
            }
            b'{' | b'[' => pass.open(byte),
            b'}' | b']' => {
                out.push(byte);
                if pass.depth <= 1 {
                    at += 1;
                    break;
                }
                pass.close();
            }
            b',' => pass.comma(),
            b' ' | b'\n' | b'\r' | b'\t' => {
                at = skip_whitespace(bytes, at + 1);
                continue;
            }
            b':' => {}
            _ => {
                // A number or a literal: copied whole.
                let end = bytes[at..]
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))
                    .map_or(bytes.len(), |n| at + n);
                out.extend_from_slice(&bytes[at..end]);
                pass.scalar();
                at = end;
                if pass.depth == 0 {
                    break;
                }
                continue;
            }
        }
        if !matches!(byte, b'}' | b']') {
            out.push(byte);
        }
        at += 1;
    }
    (at, pass.scanned)
}

/// Where the pass is in the object's structure, and what it read so far.
struct Pass<'a> {
    scanned: Scanned<'a>,
    /// How many containers are open.
    depth: usize,
    /// Whether the next string at depth 1 (or in `metadata` at depth 2) is a key.
    expect_key: bool,
    /// Whether the object open at depth 2 is `metadata`'s.
    in_metadata: bool,
    /// The field of the identity the next value is.
    slot: Slot,
}

impl Default for Pass<'_> {
    fn default() -> Self {
        Pass {
            scanned: Scanned {
                measure: Measure {
                    values: 1,
                    depth: 0,
                },
                exact: true,
                ..Scanned::default()
            },
            depth: 0,
            expect_key: false,
            in_metadata: false,
            slot: Slot::Other,
        }
    }
}

impl<'a> Pass<'a> {
    /// Whether strings at the current depth are keys or values of the identity's fields.
    fn tracked(&self) -> bool {
        self.depth == 1 || (self.depth == 2 && self.in_metadata)
    }

    /// A string whose content is `content`.
    fn string(&mut self, content: &'a str, string: &JsonString) {
        self.scanned.escaped |= string.escaped;
        self.scanned.exact &= !string.surrogate;
        if !self.tracked() {
            return;
        }
        if self.expect_key {
            self.expect_key = false;
            // An escaped key may spell one of the identity's: only a parse can tell.
            self.scanned.exact &= !string.escaped;
            self.slot = key_slot(self.depth, content);
        } else {
            self.scanned.exact &= !(string.escaped && self.slot != Slot::Other);
            self.scanned.head.set(self.slot, Some(content));
            self.slot = Slot::Other;
        }
    }

    /// `{` or `[`.
    fn open(&mut self, byte: u8) {
        let tracked = self.tracked();
        self.scanned.measure.values += 1;
        self.depth += 1;
        self.scanned.measure.depth = self.scanned.measure.depth.max(self.depth);
        if self.depth == 1 {
            self.expect_key = byte == b'{';
        } else if tracked {
            // A container as the value of a field of the identity.
            if self.slot == Slot::Metadata {
                self.scanned.head.metadata = Some(Metadata::default());
                self.in_metadata = byte == b'{';
                self.expect_key = self.in_metadata;
            } else {
                self.scanned.head.set(self.slot, None);
            }
            self.slot = Slot::Other;
        }
    }

    /// `}` or `]` inside the object.
    fn close(&mut self) {
        self.depth -= 1;
        if self.depth == 1 {
            self.in_metadata = false;
        }
    }

    /// `,`.
    fn comma(&mut self) {
        self.scanned.measure.values += 1;
        self.expect_key = self.tracked();
    }

    /// A number or a literal.
    fn scalar(&mut self) {
        if self.tracked() && !self.expect_key {
            self.scanned.head.set(self.slot, None);
            self.slot = Slot::Other;
        }
    }
}

impl<'a> Head<'a> {
    /// Sets the field `slot` names (the last of repeated keys wins, as in a parsed object).
    fn set(&mut self, slot: Slot, value: Option<&'a str>) {
        match slot {
            Slot::Kind => self.kind = value,
            Slot::ApiVersion => self.api_version = value,
            // `metadata` that is not an object holds no name.
            Slot::Metadata => self.metadata = Some(Metadata::default()),
            Slot::Name => self.metadata.get_or_insert_default().name = value,
            Slot::Namespace => self.metadata.get_or_insert_default().namespace = value,
            Slot::Other => {}
        }
    }
}

/// The field of the identity the key `key` at `depth` (1: the object, 2: its metadata) names.
fn key_slot(depth: usize, key: &str) -> Slot {
    match (depth, key) {
        (1, "kind") => Slot::Kind,
        (1, "apiVersion") => Slot::ApiVersion,
        (1, "metadata") => Slot::Metadata,
        (2, "name") => Slot::Name,
        (2, "namespace") => Slot::Namespace,
        _ => Slot::Other,
    }
}

/// Where a string ends, and what its escapes hold.
struct JsonString {
    /// The index just past the closing quote.
    end: usize,
    /// Whether it holds an escape.
    escaped: bool,
    /// Whether it holds a `\u` escape of a surrogate, which a parse may refuse.
    surrogate: bool,
}

/// The index of the first byte from `at` on that is not whitespace. Indentation is most of the
/// whitespace of pretty-printed JSON: runs of spaces are skipped eight at a time.
fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while bytes
        .get(at..at + 8)
        .is_some_and(|eight| eight == b"        ")
    {
        at += 8;
    }
    while bytes
        .get(at)
        .is_some_and(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
    {
        at += 1;
    }
    at
}

/// The index of the first quote or backslash from `at` on. Most strings of an object are short
/// keys, found by a plain loop; long ones (annotations, data) are skipped by memchr at memory
/// speed.
fn next_quote_or_backslash(json: &[u8], at: usize) -> Option<usize> {
    let rest = json.get(at..)?;
    match rest.iter().take(16).position(|b| matches!(b, b'"' | b'\\')) {
        Some(found) => Some(at + found),
        None if rest.len() <= 16 => None,
        None => memchr::memchr2(b'"', b'\\', &rest[16..]).map(|found| at + 16 + found),
    }
}

/// Reads the string whose content starts at `at`.
fn read_string(json: &[u8], mut at: usize) -> JsonString {
    let mut string = JsonString {
        end: json.len(),
        escaped: false,
        surrogate: false,
    };
    while let Some(index) = next_quote_or_backslash(json, at) {
        if json[index] == b'"' {
            string.end = index + 1;
            return string;
        }
        string.escaped = true;
        if json.get(index + 1) == Some(&b'u') {
            let hex = json.get(index + 2..index + 6).unwrap_or_default();
            string.surrogate |= matches!(
                hex,
                [b'd' | b'D', b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F', ..]
            );
        }
        // A backslash escapes the next byte, a quote included.
        at = index + 2;
    }
    string
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(json: &str) -> (String, Scanned<'_>, usize) {
        let mut out = Vec::new();
        let (end, scanned) = compact_object(json, 0, &mut out);
        (String::from_utf8(out).expect("UTF-8"), scanned, end)
    }

    #[test]
    fn copies_without_whitespace_and_reads_the_identity() {
        let json = "{\n  \"apiVersion\": \"v1\",\n  \"kind\" : \"ConfigMap\",\n  \"metadata\": {\"name\": \"web\", \"labels\": {\"name\": \"x\"}, \"namespace\": \"shop\"},\n  \"data\": {\"a b\": \" 1 , 2 \", \"n\": [1, 2.50, true, null]}\n} trailing";
        let (out, scanned, end) = scan(json);
        assert_eq!(
            out,
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"web","labels":{"name":"x"},"namespace":"shop"},"data":{"a b":" 1 , 2 ","n":[1,2.50,true,null]}}"#
        );
        assert_eq!(&json[end..], " trailing");
        assert_eq!(
            scanned.head,
            Head {
                kind: Some("ConfigMap"),
                api_version: Some("v1"),
                metadata: Some(Metadata {
                    name: Some("web"),
                    namespace: Some("shop")
                }),
            }
        );
        assert!(scanned.exact && !scanned.escaped);
        let parsed: serde_json::Value =
            serde_json::from_str(json.trim_end_matches(" trailing")).expect("valid");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&out).unwrap(),
            parsed
        );
        assert_eq!(scanned.measure, super::super::json::measure(out.as_bytes()));
    }

    #[test]
    fn the_last_of_repeated_keys_wins_and_non_strings_read_as_none() {
        let (_, scanned, _) = scan(
            r#"{"kind":"A","metadata":{"name":"x"},"kind":7,"metadata":{"namespace":"n"},"apiVersion":{"v":"1"}}"#,
        );
        assert_eq!(
            scanned.head,
            Head {
                kind: None,
                api_version: None,
                metadata: Some(Metadata {
                    name: None,
                    namespace: Some("n")
                }),
            }
        );
        let (_, scanned, _) = scan(r#"{"kind":"A","metadata":["name","x"]}"#);
        assert_eq!(scanned.head.metadata, Some(Metadata::default()));
        let (_, scanned, _) =
            scan(r#"{"kind":"A","metadata":null,"spec":{"metadata":{"name":"deep"}}}"#);
        assert_eq!(scanned.head.metadata, Some(Metadata::default()));
    }

    #[test]
    fn escapes_in_the_identity_or_surrogates_are_left_to_a_parse() {
        for (json, exact) in [
            (r#"{"kind":"Pod","data":{"k":"a\nb"}}"#, true),
            (r#"{"kind":"Po\u0064"}"#, false),
            (r#"{"\u006bind":"Pod"}"#, false),
            (r#"{"kind":"Pod","metadata":{"name":"a\"b"}}"#, false),
            (r#"{"kind":"Pod","data":{"k":"\ud800"}}"#, false),
            (r#"{"kind":"Pod","data":{"k":"\uDBFF\uDFFF"}}"#, false),
            (r#"{"kind":"Pod","data":{"k":"\u00e9\ue000"}}"#, true),
        ] {
            let (_, scanned, _) = scan(json);
            assert_eq!(scanned.exact, exact, "{json}");
            assert!(scanned.escaped, "{json}");
        }
    }
}
