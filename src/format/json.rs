//! JSON files, one object at a time.
//!
//! One serde_json pass over each top-level document checks its syntax, reads the fields that say
//! whether it is a `List` (`kind`, `apiVersion`, `items` as a [`RawValue`]: borrowed text, nothing
//! parsed) and finds where it ends. The items of a list (or the elements of an array) are then
//! split by a byte scan that also counts their values, and each item is parsed, normalised and
//! stored before the next one is. So reading a file costs about its own size in memory plus one
//! parsed object, not the six times its size a parsed tree of the whole file would; and an object
//! too big to be a Kubernetes object is refused by the scan before it is parsed.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::compact;
use super::documents::json_error_in;
use crate::error::{Error, Result};
use crate::snapshot::{FileOrigin, ListContext, SnapshotBuilder, is_list_kind};

/// The most JSON values one object may hold. No real Kubernetes object comes close (etcd stores
/// at most about 1.5 MiB per object), while a parsed value costs tens of bytes: the cap keeps a
/// small hostile file (`[0,0,0,…]`, which zips a thousandfold) from costing gigabytes.
pub const MAX_OBJECT_VALUES: usize = 1_000_000;

/// The deepest nesting read, serde_json's own recursion limit.
pub const MAX_NESTING: usize = 128;

/// The deepest arrays of documents read (`[[{…}]]`): each level scans its text again, so the cap
/// keeps the cost of a file within a small multiple of its size. Real files use one level.
const MAX_DOCUMENT_ARRAYS: usize = 16;

/// Adds the objects of the JSON text `text` (one value, a `List`, an array, or several values one
/// after another) to `builder`; returns how many had to be skipped as invalid.
pub(crate) fn add_json<'a>(
    builder: &mut SnapshotBuilder,
    text: &'a str,
    origin: &FileOrigin,
) -> Result<usize> {
    let mut file = JsonFile {
        text,
        origin,
        builder,
        invalid: 0,
    };
    // One pass reads the list fields of each document and finds where it ends: the text of the
    // document is the slice between two offsets of the stream.
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Document<'a>>();
    let mut start = 0;
    while let Some(document) = stream.next() {
        let document = document.map_err(|e| file.error(text, &e))?;
        let end = stream.byte_offset();
        let json = text[start..end].trim_start();
        start = end;
        match document {
            Document::Object(head) => file.add_object_or_list(json, head)?,
            Document::Other => file.add_document(json, 0)?,
        }
    }
    Ok(file.invalid)
}

/// Whether `text` is a well-formed stream of JSON values (checked without building them).
pub(crate) fn is_json_stream(text: &str) -> std::result::Result<(), serde_json::Error> {
    for value in serde_json::Deserializer::from_str(text).into_iter::<IgnoredAny>() {
        value?;
    }
    Ok(())
}

/// One file being added.
struct JsonFile<'a, 'b> {
    /// The whole file, to turn the position of an error in a slice into one in the file.
    text: &'a str,
    origin: &'b FileOrigin,
    builder: &'b mut SnapshotBuilder,
    /// Objects skipped for lack of a kind or a name, or for not being objects.
    invalid: usize,
}

impl<'a> JsonFile<'a, '_> {
    /// Adds a top-level document, or an element of a top-level array, `depth` arrays down.
    fn add_document(&mut self, json: &'a str, depth: usize) -> Result<()> {
        match json.as_bytes().first() {
            Some(b'[') => {
                if depth >= MAX_DOCUMENT_ARRAYS {
                    return Err(self.refuse(
                        json,
                        None,
                        &format!(
                            "nests arrays of documents deeper than {MAX_DOCUMENT_ARRAYS} levels"
                        ),
                    ));
                }
                elements(json).try_for_each(|(element, _)| self.add_document(element, depth + 1))
            }
            Some(b'{') => {
                let head = serde_json::from_str(json).map_err(|e| self.error(json, &e))?;
                self.add_object_or_list(json, head)
            }
            Some(b'n') => Ok(()),
            _ => {
                self.invalid += 1;
                Ok(())
            }
        }
    }

    /// Adds the object `json` whose list fields are `head`, or the items of a `List`, one at a
    /// time.
    fn add_object_or_list(&mut self, json: &'a str, head: ListHead<'a>) -> Result<()> {
        let items = head
            .items
            .map(RawValue::get)
            .filter(|items| items.starts_with('[') && is_list_kind(head.kind.as_deref()));
        let Some(items) = items else {
            let object = self.parse_object(json, None, measure(json.as_bytes()))?;
            self.invalid += self.builder.add_document(object, self.origin);
            return Ok(());
        };
        let context = ListContext::of_list(head.kind.as_deref(), head.api_version.as_deref());
        let mut compact = Vec::new();
        let mut elements = elements(items);
        let mut number = 0;
        while let Some(start) = elements.next_start() {
            if items.as_bytes()[start] != b'{' {
                // `null` items are tolerated, other scalars are not objects.
                let (item, _) = elements.scan_from(start);
                self.invalid += usize::from(!item.starts_with('n'));
            } else {
                // Most items are kept as their compact text, parsed when something asks.
                compact.clear();
                let (end, scanned) = compact::compact_object(items, start, &mut compact);
                let item = elements.skip_to(start, end);
                self.check_measure(item, Some(number), &scanned.measure)?;
                // The copy holds whole strings and ASCII bytes of a `str`: always UTF-8. A text
                // kept unparsed must parse later: serde_json refuses the 128th level of nesting
                // (the parsing path reports that), and the pass leaves surrogates to it.
                let parses = scanned.exact && scanned.measure.depth < MAX_NESTING;
                let text = std::str::from_utf8(&compact).ok();
                self.invalid += if let Some(text) = text.filter(|_| parses) {
                    self.builder
                        .add_unparsed(text, &scanned, self.origin, &context)
                } else {
                    let object = self.parse_object(item, Some(number), scanned.measure)?;
                    self.builder.add_list_item(object, self.origin, &context)
                };
            }
            number += 1;
        }
        Ok(())
    }

    /// Parses one object after checking, by the `measure` of a byte scan, that it is of a size an
    /// object can be.
    fn parse_object(&self, json: &str, item: Option<usize>, measure: Measure) -> Result<Value> {
        self.check_measure(json, item, &measure)?;
        serde_json::from_str(json).map_err(|e| self.error(json, &e))
    }

    /// Refuses the object `json` when its `measure` is beyond what an object can be.
    fn check_measure(&self, json: &str, item: Option<usize>, measure: &Measure) -> Result<()> {
        if measure.values > MAX_OBJECT_VALUES {
            return Err(self.refuse(
                json,
                item,
                &format!(
                    "holds more than {MAX_OBJECT_VALUES} JSON values; not read (no Kubernetes object comes close: etcd stores at most about 1.5 MiB per object)"
                ),
            ));
        }
        if measure.depth > MAX_NESTING {
            return Err(self.refuse(
                json,
                item,
                &format!("is nested deeper than {MAX_NESTING} levels"),
            ));
        }
        Ok(())
    }

    /// A serde_json error in the slice `json` of the file, placed in the file.
    fn error(&self, json: &str, err: &serde_json::Error) -> Error {
        json_error_in(&self.origin.display, self.text, json, err)
    }

    /// An object that is refused before parsing: `problem` says why.
    fn refuse(&self, json: &str, item: Option<usize>, problem: &str) -> Error {
        let offset = offset_in(self.text, json);
        let what = match item {
            Some(number) => format!("item {number} (at byte {offset})"),
            None => format!("the value at byte {offset}"),
        };
        Error::input(&self.origin.display, format!("{what} {problem}"))
    }
}

/// The byte offset of the slice `part` in `whole` (0 when it is not a slice of it).
pub(crate) fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .checked_sub(whole.as_ptr() as usize)
        .filter(|offset| offset + part.len() <= whole.len())
        .unwrap_or(0)
}

/// What a byte scan of a JSON text tells before parsing it.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Measure {
    /// About the number of values: containers, plus separators, plus one. Within one per empty
    /// container of the exact count, which is all a budget needs.
    pub values: usize,
    /// The deepest nesting of arrays and objects.
    pub depth: usize,
}

/// Scans well-formed JSON text for its number of values and depth, without allocating.
pub(crate) fn measure(json: &[u8]) -> Measure {
    scan_value(json, 0).1
}

/// The elements of the text of a JSON array, each with its measure, found by the same byte scan:
/// the text must be well-formed (serde_json read it once already), which the scan does not check.
fn elements(array: &str) -> ArrayElements<'_> {
    ArrayElements { array, at: 1 }
}

struct ArrayElements<'a> {
    array: &'a str,
    /// Where the scan is: after the `[`, or after the last element returned.
    at: usize,
}

impl<'a> ArrayElements<'a> {
    /// Where the next element starts, `None` after the last.
    fn next_start(&mut self) -> Option<usize> {
        let bytes = self.array.as_bytes();
        while bytes
            .get(self.at)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b',')
        {
            self.at += 1;
        }
        (!matches!(bytes.get(self.at), None | Some(b']'))).then_some(self.at)
    }

    /// The element that starts at `start`, with its measure, scanned.
    fn scan_from(&mut self, start: usize) -> (&'a str, Measure) {
        let (end, measure) = scan_value(self.array.as_bytes(), start);
        (self.skip_to(start, end), measure)
    }

    /// The element between `start` and `end`, scanned by the caller.
    fn skip_to(&mut self, start: usize, end: usize) -> &'a str {
        self.at = end;
        &self.array[start..end]
    }
}

impl<'a> Iterator for ArrayElements<'a> {
    type Item = (&'a str, Measure);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.next_start()?;
        Some(self.scan_from(start))
    }
}

/// Scans the well-formed JSON value that starts at `start`; returns the index just past its end,
/// and its measure.
fn scan_value(json: &[u8], start: usize) -> (usize, Measure) {
    let mut measure = Measure {
        values: 1,
        depth: 0,
    };
    let mut depth = 0usize;
    let mut at = start;
    while let Some(&byte) = json.get(at) {
        match byte {
            b'"' => {
                at = end_of_string(json, at + 1);
                if depth == 0 {
                    return (at, measure);
                }
                continue;
            }
            b'{' | b'[' => {
                measure.values += 1;
                depth += 1;
                measure.depth = measure.depth.max(depth);
            }
            b'}' | b']' if depth <= 1 => return (if depth == 1 { at + 1 } else { at }, measure),
            b'}' | b']' => depth -= 1,
            b',' if depth == 0 => return (at, measure),
            b',' => measure.values += 1,
            // The end of a number or a literal.
            byte if depth == 0 && byte.is_ascii_whitespace() => return (at, measure),
            _ => {}
        }
        at += 1;
    }
    (json.len(), measure)
}

/// The index just past the closing quote of the string whose content starts at `at`. Strings
/// hold most of an object's bytes (annotations, data): memchr skips long ones at memory speed.
fn end_of_string(json: &[u8], mut at: usize) -> usize {
    while let Some(found) = json
        .get(at..)
        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
    {
        let index = at + found;
        if json[index] == b'"' {
            return index + 1;
        }
        // A backslash escapes the next byte, a quote included.
        at = index + 2;
    }
    json.len()
}

/// The fields of a top-level object that tell whether it is a list, read without parsing the
/// rest. Repeated keys: the last wins, as in a parsed `Value`.
#[derive(Default)]
struct ListHead<'a> {
    /// `kind`, when it is a string.
    kind: Option<String>,
    /// `apiVersion`, when it is a string.
    api_version: Option<String>,
    /// `items`, unparsed.
    items: Option<&'a RawValue>,
}

/// The keys of a [`ListHead`]; every other key is skipped unparsed.
#[derive(Deserialize)]
#[serde(field_identifier)]
enum HeadKey {
    #[serde(rename = "kind")]
    Kind,
    #[serde(rename = "apiVersion")]
    ApiVersion,
    #[serde(rename = "items")]
    Items,
    #[serde(other)]
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for ListHead<'a> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ListHeadVisitor(std::marker::PhantomData))
    }
}

struct ListHeadVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for ListHeadVisitor<'a> {
    type Value = ListHead<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<ListHead<'a>, M::Error> {
        read_head(map)
    }
}

/// Reads the list fields of an object, skipping the others unparsed.
fn read_head<'de: 'a, 'a, M: MapAccess<'de>>(mut map: M) -> Result<ListHead<'a>, M::Error> {
    let mut head = ListHead::default();
    while let Some(key) = map.next_key::<HeadKey>()? {
        match key {
            HeadKey::Kind => head.kind = string_of(map.next_value()?),
            HeadKey::ApiVersion => head.api_version = string_of(map.next_value()?),
            HeadKey::Items => head.items = Some(map.next_value()?),
            HeadKey::Other => {
                map.next_value::<IgnoredAny>()?;
            }
        }
    }
    Ok(head)
}

/// A top-level document as the stream first reads it: the list fields of an object, or
/// something else (array, scalar, null), skipped unparsed and handled from its text.
enum Document<'a> {
    Object(ListHead<'a>),
    Other,
}

impl<'de: 'a, 'a> Deserialize<'de> for Document<'a> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DocumentVisitor(std::marker::PhantomData))
    }
}

struct DocumentVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for DocumentVisitor<'a> {
    type Value = Document<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Document<'a>, M::Error> {
        read_head(map).map(Document::Object)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Document<'a>, S::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Document::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Document<'a>, E> {
        Ok(Document::Other)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Document<'a>, E> {
        Ok(Document::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Document<'a>, E> {
        Ok(Document::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Document<'a>, E> {
        Ok(Document::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Document<'a>, E> {
        Ok(Document::Other)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Document<'a>, E> {
        Ok(Document::Other)
    }
}

/// The string a raw value holds, if it is a string.
fn string_of(raw: &RawValue) -> Option<String> {
    raw.get()
        .starts_with('"')
        .then(|| serde_json::from_str(raw.get()).ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_counts_values_outside_strings() {
        assert_eq!(measure(b"1").values, 1);
        assert_eq!(
            measure(br#"[0,0,0]"#),
            Measure {
                values: 4,
                depth: 1
            }
        );
        // Commas and brackets inside strings, escaped quotes included, do not count.
        let m = measure(br#"{"a":"x,[{\",,","b":[[1]]}"#);
        assert_eq!(
            m,
            Measure {
                values: 5,
                depth: 3
            }
        );
    }

    #[test]
    fn elements_of_an_array_with_their_measures() {
        let array = r#"[ {"a": [1, "],"]}, 2,"x\"]" ,null, [[]] ]"#;
        let found: Vec<(&str, usize)> = elements(array).map(|(e, m)| (e, m.values)).collect();
        assert_eq!(
            found,
            [
                (r#"{"a": [1, "],"]}"#, 4),
                ("2", 1),
                (r#""x\"]""#, 1),
                ("null", 1),
                ("[[]]", 3)
            ]
        );
        assert_eq!(elements("[]").count(), 0);
        assert_eq!(elements("[ ]").count(), 0);
    }

    #[test]
    fn offsets_of_slices() {
        let text = "abcdef";
        assert_eq!(offset_in(text, &text[2..4]), 2);
        assert_eq!(offset_in(text, "elsewhere"), 0);
    }
}
