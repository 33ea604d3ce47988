//! What a diff must refuse or warn about before it reports: filters that matched nothing (a
//! typo passes a CI gate green otherwise), sides that hold nothing, secret values hashed in ways
//! that cannot be compared.

use super::DiffCommand;
use crate::diff::DiffOptions;
use crate::error::{Error, Result};
use crate::messages;
use crate::secret::{self, Scheme};
use crate::snapshot::{FilterHits, Snapshot, SourceFormat, kinds};

/// Refuses (exit 2) a comparison that compared nothing by mistake: a `--kind` that names no
/// kind driftlab or either side knows, a filter word that matched no object on either side, a
/// side that holds no object (unless `--allow-empty`).
pub(super) fn refuse_what_matched_nothing(
    command: &DiffCommand,
    old: &Snapshot,
    new: &Snapshot,
) -> Result<()> {
    let filter = &command.read.filter;
    let mut hits = old.filter_hits.clone();
    hits.add(&new.filter_hits);
    let sides = format!("{} or {}", old.info.label, new.info.label);
    for (word, count) in filter.kinds.iter().zip(&hits.kinds) {
        if *count == 0 && !kinds::is_known_word(word) {
            let hint = kinds::suggest(word, known_words(old, new))
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default();
            return Err(Error::Usage(format!("unknown kind {word:?}{hint}")));
        }
    }
    if let Some(word) = unmatched(&hits, filter) {
        return Err(Error::Usage(format!("{word} matched no object in {sides}")));
    }
    for snapshot in [old, new] {
        // kubectl diff leaves an object's file empty on the side it is absent from: a side of
        // empty files is every object added (or pruned), not a comparison of nothing.
        let absent_by_design = snapshot.info.format == SourceFormat::KubectlDiff;
        if snapshot.is_empty() && !absent_by_design {
            let what = if snapshot.filter_hits.total == 0 {
                "holds no Kubernetes object"
            } else {
                "holds no object the filters keep"
            };
            let message = format!("{}: {what}", snapshot.info.label);
            if !command.allow_empty {
                return Err(Error::Usage(format!(
                    "{message}; --allow-empty compares it anyway"
                )));
            }
            if !command.quiet {
                messages::warning(&message);
            }
        }
    }
    Ok(())
}

/// Refuses (exit 2) a `--map-namespace OLD=NEW` whose OLD the old side does not hold, or whose
/// NEW the new side does not hold (after the filters): a typo there would report every object
/// of both namespaces added and removed.
pub(super) fn refuse_unused_mapping(
    command: &DiffCommand,
    old: &Snapshot,
    new: &Snapshot,
) -> Result<()> {
    let holds = |snapshot: &Snapshot, namespace: &str| {
        snapshot.iter().any(|(key, _)| {
            key.namespace == namespace
                || (key.kind == "Namespace" && key.group.is_empty() && key.name == namespace)
        })
    };
    for (old_ns, new_ns) in &command.namespace_map {
        for (snapshot, namespace) in [(old, old_ns), (new, new_ns)] {
            if !holds(snapshot, namespace) {
                return Err(Error::Usage(format!(
                    "--map-namespace {old_ns}={new_ns}: {} holds no object in namespace {namespace}",
                    snapshot.info.label
                )));
            }
        }
    }
    Ok(())
}

/// The first filter word (`-n nosuchns`, `--kind dc`, `--name 'web-*'`) with no match.
fn unmatched(hits: &FilterHits, filter: &crate::snapshot::ObjectFilter) -> Option<String> {
    let first = |flag: &str, words: &[String], counts: &[usize]| {
        words
            .iter()
            .zip(counts)
            .find(|(_, count)| **count == 0)
            .map(|(word, _)| format!("{flag} {word:?}"))
    };
    first("-n", &filter.namespaces, &hits.namespaces)
        .or_else(|| first("--kind", &filter.kinds, &hits.kinds))
        .or_else(|| first("--name", &filter.names, &hits.names))
}

/// The kinds and plurals either side holds, for suggestions.
fn known_words(old: &Snapshot, new: &Snapshot) -> Vec<String> {
    let mut words: Vec<String> = old
        .kinds()
        .into_iter()
        .chain(new.kinds())
        .flat_map(|(kind, group)| [kinds::plural_of(&kind, &group), kind])
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Warns once when the two sides hold secret values hashed in ways that cannot be compared
/// (different keys, a key on one side only): their changes cannot be seen, and the report must
/// not pretend otherwise.
pub(super) fn warn_about_secret_hashes(
    old: &Snapshot,
    new: &Snapshot,
    options: &DiffOptions,
    quiet: bool,
) {
    if quiet {
        return;
    }
    let key = options.values.secret_key.as_deref();
    let (old_schemes, new_schemes) = (secret_schemes(old), secret_schemes(new));
    for a in &old_schemes {
        for b in &new_schemes {
            if !secret::comparable(a, b, key) {
                let hint = match (a, b) {
                    (Scheme::Hmac(id), _) | (_, Scheme::Hmac(id))
                        if key.is_none_or(|k| k.id() != id) =>
                    {
                        format!("--secret-key-file with key {id} compares them with raw values")
                    }
                    _ => "export both with the same --secret-key-file".into(),
                };
                messages::warning(&format!(
                    "secret values cannot be compared: {} holds {a}, {} holds {b}; changes to them are not shown ({hint})",
                    old.info.label, new.info.label
                ));
            }
        }
    }
}

/// The forms the secret values of a snapshot are stored in.
fn secret_schemes(snapshot: &Snapshot) -> std::collections::BTreeSet<Scheme> {
    snapshot
        .iter()
        .filter(|(key, _)| secret::is_secret_kind(&key.kind))
        .flat_map(|(_, stored)| secret::schemes_of(&stored.value()))
        .collect()
}
