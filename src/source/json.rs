//! JSON files, one object at a time.
//!
//! A file is split into its top-level documents, a `List` or an array into item slices
//! ([`RawValue`]: borrowed text, nothing parsed), and each item is measured, parsed, normalised and
//! stored before the next one is parsed. So reading a file costs about its own size in memory plus
//! one parsed object, not the six times its size a parsed tree of the whole file would; and an
//! object too big to be a Kubernetes object is refused by a byte scan before it is parsed.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

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
pub(crate) fn add_json(
    builder: &mut SnapshotBuilder,
    text: &str,
    origin: &FileOrigin,
) -> Result<usize> {
    let mut file = JsonFile {
        text,
        origin,
        builder,
        invalid: 0,
    };
    for document in serde_json::Deserializer::from_str(text).into_iter::<&RawValue>() {
        let document = document.map_err(|e| file.error(text, &e))?;
        file.add_document(document.get(), 0)?;
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
                self.for_each_element(json, |file, element, _| {
                    file.add_document(element, depth + 1)
                })
            }
            Some(b'{') => self.add_object_or_list(json),
            Some(b'n') => Ok(()),
            _ => {
                self.invalid += 1;
                Ok(())
            }
        }
    }

    /// Adds an object, or the items of a `List`, one at a time.
    fn add_object_or_list(&mut self, json: &'a str) -> Result<()> {
        let head: ListHead<'a> = serde_json::from_str(json).map_err(|e| self.error(json, &e))?;
        let items = head
            .items
            .map(RawValue::get)
            .filter(|items| items.starts_with('[') && is_list_kind(head.kind.as_deref()));
        let Some(items) = items else {
            let object = self.parse_object(json, None)?;
            self.invalid += self.builder.add_document(object, self.origin);
            return Ok(());
        };
        let context = ListContext::of_list(head.kind.as_deref(), head.api_version.as_deref());
        self.for_each_element(items, |file, item, number| {
            if !item.starts_with('{') {
                // `null` items are tolerated, other scalars are not objects.
                file.invalid += usize::from(!item.starts_with('n'));
                return Ok(());
            }
            let object = file.parse_object(item, Some(number))?;
            file.invalid += file.builder.add_list_item(object, file.origin, &context);
            Ok(())
        })
    }

    /// Parses one object after checking, by a byte scan, that it is of a size an object can be.
    fn parse_object(&self, json: &str, item: Option<usize>) -> Result<Value> {
        let measure = measure(json.as_bytes());
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
        serde_json::from_str(json).map_err(|e| self.error(json, &e))
    }

    /// Calls `each` with the text and index of every element of the array `json`, in order,
    /// without holding more than one element at a time.
    fn for_each_element(
        &mut self,
        json: &'a str,
        mut each: impl FnMut(&mut Self, &'a str, usize) -> Result<()>,
    ) -> Result<()> {
        let mut failure = None;
        let seed = Elements {
            each: |element: &'a RawValue, index| each(self, element.get(), index),
            failure: &mut failure,
        };
        let result = seed.deserialize(&mut serde_json::Deserializer::from_str(json));
        match (failure, result) {
            (Some(err), _) => Err(err),
            (None, Err(e)) => Err(self.error(json, &e)),
            (None, Ok(())) => Ok(()),
        }
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

/// Scans well-formed JSON text for its number of values and depth, without allocating; stops
/// counting once past [`MAX_OBJECT_VALUES`].
pub(crate) fn measure(json: &[u8]) -> Measure {
    let mut measure = Measure {
        values: 1,
        depth: 0,
    };
    let mut depth = 0usize;
    let mut bytes = json.iter();
    while let Some(&byte) = bytes.next() {
        match byte {
            b'"' => skip_string(&mut bytes),
            b',' => measure.values += 1,
            b'{' | b'[' => {
                measure.values += 1;
                depth += 1;
                measure.depth = measure.depth.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if measure.values > MAX_OBJECT_VALUES {
            break;
        }
    }
    measure
}

/// Moves past the end of a string whose opening quote was consumed.
fn skip_string(bytes: &mut std::slice::Iter<'_, u8>) {
    while let Some(&byte) = bytes.next() {
        match byte {
            b'"' => return,
            b'\\' => {
                bytes.next();
            }
            _ => {}
        }
    }
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

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<ListHead<'a>, M::Error> {
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
}

/// The string a raw value holds, if it is a string.
fn string_of(raw: &RawValue) -> Option<String> {
    raw.get()
        .starts_with('"')
        .then(|| serde_json::from_str(raw.get()).ok())
        .flatten()
}

/// Hands each element of a JSON array to `each` as it is read; the first error `each` returns
/// stops reading and is kept in `failure`.
struct Elements<'f, F> {
    each: F,
    failure: &'f mut Option<Error>,
}

impl<'de, F> DeserializeSeed<'de> for Elements<'_, F>
where
    F: FnMut(&'de RawValue, usize) -> Result<()>,
{
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F> Visitor<'de> for Elements<'_, F>
where
    F: FnMut(&'de RawValue, usize) -> Result<()>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<S: SeqAccess<'de>>(mut self, mut seq: S) -> Result<(), S::Error> {
        let mut index = 0;
        while let Some(element) = seq.next_element::<&'de RawValue>()? {
            if let Err(err) = (self.each)(element, index) {
                *self.failure = Some(err);
                return Err(de::Error::custom("stopped"));
            }
            index += 1;
        }
        Ok(())
    }
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
    fn measure_stops_past_the_budget() {
        let mut json = b"[".to_vec();
        json.extend(std::iter::repeat_n(&b"0,"[..], 3_000_000).flatten());
        json.extend_from_slice(b"0]");
        assert_eq!(measure(&json).values, MAX_OBJECT_VALUES + 1);
    }

    #[test]
    fn offsets_of_slices() {
        let text = "abcdef";
        assert_eq!(offset_in(text, &text[2..4]), 2);
        assert_eq!(offset_in(text, "elsewhere"), 0);
    }
}
