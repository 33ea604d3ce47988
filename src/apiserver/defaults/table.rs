//! The table of server defaults, [`TABLE`]: data in `table.yaml`, which the build script
//! (`build.rs`) converts to JSON; the binary embeds the JSON and reads it once, on first use.
//!
//! The conditions and computed values of conditional entries are code
//! (`apiserver/defaults_fns.rs`); the data names them and [`parse`] resolves the names.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

use super::{Default, Fill, Unset, Where};
use crate::apiserver::defaults_fns::{COMPUTED, CONDITIONS};

/// Every default the API server fills in, in the order it applies them.
pub static TABLE: LazyLock<Vec<Default>> = LazyLock::new(|| parse(TABLE_JSON));

/// `table.yaml` as compact JSON (by `build.rs`): parsing the YAML took about 5 ms of every run.
const TABLE_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/defaults_table.json"));

/// `table.yaml`: the upstream sources and the groups of kinds that entries refer to by name,
/// then the entries. (`'static`: a [`Where`] holds a `&'static str`, and the text is static.)
#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct TableFile {
    sources: BTreeMap<String, String>,
    kinds: BTreeMap<String, Vec<String>>,
    defaults: Vec<Entry>,
}

/// One entry as written; [`Default`] documents the fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "'de: 'static"))]
struct Entry {
    name: String,
    kinds: Option<Kinds>,
    at: Where,
    path: Vec<String>,
    value: Option<Value>,
    json: Option<String>,
    computed: Option<String>,
    keys: Option<String>,
    unset: Option<Unset>,
    when: Option<String>,
    source: String,
    doc: String,
}

/// An entry's kinds: a group of `kinds` by name, or a list of its own.
#[derive(Deserialize)]
#[serde(untagged)]
enum Kinds {
    Group(String),
    List(Vec<String>),
}

/// Reads the table. The text is part of the binary and the tests read it, so a mistake in it
/// is a bug of this build: it panics, naming the entry.
fn parse(text: &'static str) -> Vec<Default> {
    let file: TableFile = serde_json::from_str(text)
        .unwrap_or_else(|error| panic!("src/apiserver/defaults/table.yaml: {error}"));
    let groups: BTreeMap<&str, &'static [&'static str]> = file
        .kinds
        .iter()
        .map(|(name, kinds)| (name.as_str(), leak_all(kinds.clone())))
        .collect();
    file.defaults
        .into_iter()
        .map(|entry| {
            let name = entry.name.clone();
            resolve(entry, &file.sources, &groups)
                .unwrap_or_else(|error| panic!("defaults table, entry {name}: {error}"))
        })
        .collect()
}

/// One entry with its names resolved: source, group of kinds, functions.
fn resolve(
    entry: Entry,
    sources: &BTreeMap<String, String>,
    groups: &BTreeMap<&str, &'static [&'static str]>,
) -> Result<Default, String> {
    let source = sources
        .get(&entry.source)
        .ok_or_else(|| format!("unknown source {}", entry.source))?;
    let kinds = match entry.kinds {
        None => &[][..],
        Some(Kinds::Group(group)) => groups
            .get(group.as_str())
            .copied()
            .ok_or_else(|| format!("unknown group of kinds {group}"))?,
        Some(Kinds::List(kinds)) => leak_all(kinds),
    };
    let fill = match (entry.value, entry.json, entry.computed, entry.keys) {
        (Some(value), None, None, None) => constant(value)?,
        (None, Some(json), None, None) => Fill::Json(leak(json)),
        (None, None, Some(name), None) => Fill::Computed(function(COMPUTED, &name)?),
        (None, None, None, Some(name)) => Fill::Keys(function(COMPUTED, &name)?),
        _ => return Err("needs exactly one of value, json, computed, keys".to_string()),
    };
    let when = match entry.when {
        Some(name) => Some(function(CONDITIONS, &name)?),
        None => None,
    };
    Ok(Default {
        name: leak(entry.name),
        doc: leak(entry.doc),
        source: leak(source.clone()),
        kinds,
        at: entry.at,
        path: leak_all(entry.path),
        fill,
        unset: entry.unset.unwrap_or(Unset::Absent),
        when,
    })
}

/// A `value:`: a string, an integer, a boolean or `{}`.
fn constant(value: Value) -> Result<Fill, String> {
    match value {
        Value::String(text) => Ok(Fill::Str(leak(text))),
        Value::Bool(b) => Ok(Fill::Bool(b)),
        Value::Number(n) if n.as_i64().is_some() => Ok(Fill::Int(n.as_i64().unwrap_or_default())),
        Value::Object(map) if map.is_empty() => Ok(Fill::EmptyMap),
        other => Err(format!(
            "value {other} is not a string, integer, boolean or {{}}"
        )),
    }
}

/// The function of `functions` named `name`.
fn function<F: Copy>(functions: &[(&str, F)], name: &str) -> Result<F, String> {
    functions
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, f)| *f)
        .ok_or_else(|| format!("no function {name} in defaults_fns.rs"))
}

/// The table lives as long as the program (it is read once, into a static), so its text is
/// given the `'static` lifetime once: entries stay `Copy` and their names `&'static str`.
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// [`leak`] for a list.
fn leak_all(items: Vec<String>) -> &'static [&'static str] {
    Box::leak(
        items
            .into_iter()
            .map(leak)
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

/// The [`Where`] of a volume source, whose key is text of the table: `at: {VolumeSource: secret}`.
pub(in crate::apiserver) fn volume_source<'de, D>(deserializer: D) -> Result<&'static str, D::Error>
where
    D: serde::Deserializer<'de>,
{
    String::deserialize(deserializer).map(leak)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::defaults::{Compute, Condition};

    /// [`dump`] of the table as it was written in Rust (`defaults_table.rs`), before it became
    /// data: any change to an entry, its order or the number of entries changes this hash.
    /// A deliberate change to the table updates it (print it with `--nocapture`).
    const GOLDEN_HASH: u64 = 0x1ddd_9f69_b7a8_2c24;
    const GOLDEN_COUNT: usize = 171;

    /// FNV-1a: a hash that stays the same across Rust versions, unlike `DefaultHasher`.
    fn fnv(text: &str) -> u64 {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in text.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash
    }

    fn name_of<F: Copy>(
        functions: &[(&'static str, F)],
        f: F,
        address: fn(F) -> usize,
    ) -> &'static str {
        functions
            .iter()
            .find(|(_, g)| address(*g) == address(f))
            .map_or("?", |(name, _)| name)
    }

    fn computed_name(f: Compute) -> &'static str {
        name_of(COMPUTED, f, |f| f as usize)
    }

    fn condition_name(f: Condition) -> &'static str {
        name_of(CONDITIONS, f, |f| f as usize)
    }

    /// One line per entry, every field, JSON fills compared as values (not as text).
    fn dump(entry: &Default) -> String {
        let fill = match entry.fill {
            Fill::Str(s) => format!("Str({s:?})"),
            Fill::Int(i) => format!("Int({i})"),
            Fill::Bool(b) => format!("Bool({b})"),
            Fill::EmptyMap => "EmptyMap".to_string(),
            Fill::Json(text) => format!("Json({})", serde_json::from_str::<Value>(text).unwrap()),
            Fill::Computed(f) => format!("Computed({})", computed_name(f)),
            Fill::Keys(f) => format!("Keys({})", computed_name(f)),
        };
        let when = entry.when.map_or("-", condition_name);
        format!(
            "{}\t{:?}\t{:?}\t{}\t{:?}\t{}\t{:?}\t{}\t{}\n",
            entry.name,
            entry.at,
            entry.path,
            fill,
            entry.unset,
            when,
            entry.kinds,
            entry.source,
            entry.doc
        )
    }

    #[test]
    fn the_data_is_exactly_the_table_it_replaced() {
        let dumped: String = TABLE.iter().map(dump).collect();
        println!("{} entries, hash {:#x}", TABLE.len(), fnv(&dumped));
        assert_eq!(TABLE.len(), GOLDEN_COUNT);
        assert_eq!(fnv(&dumped), GOLDEN_HASH, "the table changed:\n{dumped}");
    }

    #[test]
    fn every_function_sources_and_group_is_used() {
        let file: TableFile = serde_saphyr::from_str(include_str!("table.yaml")).unwrap();
        let named = |name: &str| {
            file.defaults.iter().any(|e| {
                [&e.computed, &e.keys, &e.when]
                    .iter()
                    .any(|f| f.as_deref() == Some(name))
            })
        };
        let functions = CONDITIONS.iter().map(|(name, _)| name);
        for name in functions.chain(COMPUTED.iter().map(|(name, _)| name)) {
            assert!(named(name), "function {name} is unused");
        }
        for source in file.sources.keys() {
            assert!(
                file.defaults.iter().any(|e| &e.source == source),
                "source {source} is unused"
            );
        }
        for group in file.kinds.keys() {
            let used = |e: &Entry| matches!(&e.kinds, Some(Kinds::Group(g)) if g == group);
            assert!(file.defaults.iter().any(used), "group {group} is unused");
        }
        // Every entry resolves: its source, its group of kinds, its functions.
        assert_eq!(TABLE.len(), file.defaults.len());
    }

    #[test]
    fn every_entry_cites_an_upstream_source() {
        // An upstream Go file (most name the function in the source or the doc), or the note
        // that the value is what Go's serialisation always writes.
        for entry in TABLE.iter() {
            let go_file = entry.source.contains(".go") || entry.source.contains("pkg/");
            let serialised = entry.source.starts_with("Go serialisation");
            assert!(go_file || serialised, "{}: {}", entry.name, entry.source);
            assert!(!entry.doc.is_empty(), "{} undocumented", entry.name);
        }
    }
}
