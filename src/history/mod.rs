//! `driftlab history`: a series of nightly archives, each read once, ordered by the date stamp in
//! their names; for each consecutive pair its ranked changes (noise hidden), and for an object or
//! a path the timeline of its values.

pub mod grid;
pub mod short_path;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use crate::analyze::{self, Analysis, AnalyzeOptions, Entry};
use crate::diff::value::{Change, Op};
use crate::diff::{DiffOptions, PathPattern, diff_snapshots};
use crate::error::{Error, Result};
use crate::glob;
use crate::snapshot::{Diagnostic, ObjectKey, Snapshot, SourceInfo, kinds};
use crate::source::{self, ReadOptions};
use crate::storage::{self, Location, Named, Store};
use crate::timestamp::{self, Timestamp};

/// Which object `--object KIND/NAME` (or `KIND/NAMESPACE/NAME`) names.
#[derive(Clone, Debug)]
pub struct ObjectSelector {
    kind: String,
    namespace: Option<String>,
    name: String,
}

impl ObjectSelector {
    /// Parses `dc/web`, `DeploymentConfig/myproject/web`, `cm/web-*`.
    pub fn parse(text: &str) -> Result<ObjectSelector> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [kind, name] if !kind.is_empty() && !name.is_empty() => Ok(ObjectSelector {
                kind: kind.to_string(),
                namespace: None,
                name: name.to_string(),
            }),
            [kind, namespace, name] if !kind.is_empty() && !name.is_empty() => Ok(ObjectSelector {
                kind: kind.to_string(),
                namespace: Some(namespace.to_string()),
                name: name.to_string(),
            }),
            _ => Err(Error::Usage(format!(
                "--object {text:?}: expected KIND/NAME or KIND/NAMESPACE/NAME"
            ))),
        }
    }

    /// Whether the selector names `key` (or, for a pair, its old name).
    pub fn matches(&self, key: &ObjectKey, old_name: Option<&str>) -> bool {
        kinds::kind_matches(&self.kind, &key.kind, &key.group)
            && self
                .namespace
                .as_deref()
                .is_none_or(|ns| ns == key.namespace)
            && (glob::matches(&self.name, &key.name)
                || old_name.is_some_and(|old| glob::matches(&self.name, old)))
    }
}

/// What to show.
#[derive(Debug)]
pub struct HistoryOptions {
    /// Keep the objects the newest night compared ([`History::newest_compared`]: JUnit has a
    /// test case for each).
    pub keep_compared: bool,
    /// Only this object.
    pub object: Option<ObjectSelector>,
    /// `--object` and `--path` as the user wrote them, for the report.
    pub asked: (Option<String>, Option<String>),
    /// Only changes at or below this path.
    pub path: Option<PathPattern>,
    /// Only archives taken at or after this time.
    pub since: Option<Timestamp>,
    /// How to read each archive.
    pub read: ReadOptions,
    /// How to compare.
    pub diff: DiffOptions,
    /// Noise rules.
    pub analyze: AnalyzeOptions,
    /// `--crds`: files or folders of CustomResourceDefinitions.
    pub crds: Vec<String>,
}

/// One night: the comparison of two consecutive archives.
#[derive(Debug)]
pub struct Night {
    /// What it found (entries kept only where they match `--object`/`--path`).
    pub analysis: Analysis,
}

/// One value an object's field held, from the night it first appeared.
#[derive(Clone, Debug)]
pub struct TimelinePoint {
    /// The value (`None`: absent).
    pub value: Option<serde_json::Value>,
    /// The archive it first appeared in.
    pub archive: SourceInfo,
}

/// The values one path of one object took across the archives.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// The object (`DeploymentConfig myproject/web`).
    pub object: String,
    /// The path.
    pub path: String,
    /// Values in order: the first is the value before the first change.
    pub points: Vec<TimelinePoint>,
}

/// The history of a series of archives.
#[derive(Debug)]
pub struct History {
    /// The archives, in order.
    pub archives: Vec<SourceInfo>,
    /// One per consecutive pair.
    pub nights: Vec<Night>,
    /// Timelines of the object or path asked for (empty without `--object`/`--path`).
    pub timelines: Vec<Timeline>,
    /// What reading had to say.
    pub diagnostics: Vec<Diagnostic>,
    /// Archives that could not be read, with the error: left out, the nights around them
    /// compare the readable archives on either side.
    pub unreadable: Vec<crate::error::Error>,
    /// `--object` as given.
    pub object: Option<String>,
    /// `--path` as given.
    pub path: Option<String>,
    /// The objects of the newest night's two archives (with `keep_compared`; else empty).
    pub newest_compared: Vec<ObjectKey>,
}

/// One archive of a series: the date stamp in its name, and where it is.
#[derive(Clone, Debug)]
pub struct SeriesArchive {
    /// The date stamp in its name.
    pub stamp: Timestamp,
    /// The store that holds it (shared by the archives of one folder).
    pub store: Arc<Store>,
    /// Its name in the store.
    pub name: String,
}

impl SeriesArchive {
    /// How it is named in messages.
    pub fn show(&self) -> String {
        self.store.show(&self.name)
    }
}

/// The archives named by the arguments (folders are searched for `*<8 or 12 digits>.zip`),
/// ordered by the date stamp in their names.
pub fn archives(arguments: &[String], since: Option<Timestamp>) -> Result<Vec<SeriesArchive>> {
    let mut found = Vec::new();
    for argument in arguments {
        let (store, archives) = match Store::resolve(&Location::of_snapshot(argument)?)? {
            Named::Path(path) if path.is_dir() => {
                let store = Store::local(path);
                let (archives, _) = store.dated_archives()?;
                (store, archives)
            }
            Named::Folder(store, archives, ignored) => {
                if let Some(line) = ignored {
                    crate::messages::warning(&line);
                }
                (store, archives)
            }
            Named::Archive(store, archive) => {
                let dated = stamped(&store, archive.name)?;
                (store, vec![dated])
            }
            Named::Path(path) => {
                let (store, name) = Store::open_object("", &Location::Local(path))?;
                let dated = stamped(&store, name).map_err(|_| undated(argument))?;
                (store, vec![dated])
            }
            Named::Stdin => return Err(undated(argument)),
        };
        let store = Arc::new(store);
        found.extend(archives.into_iter().map(|archive| SeriesArchive {
            stamp: archive.stamp,
            store: Arc::clone(&store),
            name: archive.name,
        }));
    }
    found.retain(|archive| since.is_none_or(|since| archive.stamp >= since));
    // Compared as paths (component by component), as they always were.
    let place = |archive: &SeriesArchive| std::path::PathBuf::from(archive.show());
    found.sort_by_cached_key(|archive| (archive.stamp, place(archive)));
    found.dedup_by(|a, b| place(a) == place(b));
    Ok(found)
}

/// The archive `name` of `store`, with the date stamp of its name; an error when it has none.
fn stamped(store: &Store, name: String) -> Result<storage::DatedArchive> {
    match timestamp::stamp_in_file_name(&name) {
        Some(stamp) => Ok(storage::DatedArchive {
            stamp,
            name,
            size: 0,
        }),
        None => Err(undated(&store.show(&name))),
    }
}

/// An archive that history cannot place in time.
fn undated(argument: &str) -> Error {
    Error::input(
        argument,
        "no date stamp in its name (…YYYYMMDD.zip or …YYYYMMDDHHMM.zip): cannot place it in time",
    )
}

/// Reads the archives (each once; the next one is read while the last pair is compared) and
/// compares each consecutive pair.
pub fn build(archives: &[SeriesArchive], options: &HistoryOptions) -> Result<History> {
    if archives.len() < 2 {
        return Err(Error::Usage(format!(
            "history needs at least two dated archives, found {}",
            archives.len()
        )));
    }
    let mut nights = Vec::new();
    let mut asked_for = Found::default();
    let (extra, mut diagnostics) = source::definitions(&options.crds, &options.read)?;
    let mut infos = Vec::new();
    let mut unreadable = Vec::new();
    let mut newest_compared: Vec<ObjectKey> = Vec::new();
    std::thread::scope(|scope| -> Result<()> {
        // Two readers, taking the archives in turn, so reading keeps both cores busy while the
        // last pair is compared; each hands over in order through its own channel.
        let read = &options.read;
        let mut receivers = Vec::new();
        for first in 0..2 {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Snapshot>>(1);
            receivers.push(receiver);
            scope.spawn(move || {
                for archive in archives.iter().skip(first).step_by(2) {
                    let snapshot = source::stored::read_stored(&archive.store, &archive.name, read);
                    if sender.send(snapshot).is_err() {
                        return;
                    }
                }
            });
        }
        let mut previous: Option<(Snapshot, crate::schema::Schemas)> = None;
        let newest_compared = &mut newest_compared;
        for index in 0..archives.len() {
            let Ok(snapshot) = receivers[index % 2].recv() else {
                break;
            };
            // One bad night must not hide the others: it is named, and the nights around it
            // compare the readable archives on either side.
            let mut snapshot = match snapshot {
                Ok(snapshot) => snapshot,
                Err(err) => {
                    unreadable.push(err);
                    continue;
                }
            };
            let kinds = crate::schema::kinds_in(&[&snapshot]);
            let schemas = crate::schema::own(&mut snapshot, &kinds);
            diagnostics.extend(snapshot.diagnostics.iter().cloned());
            infos.push(snapshot.info.clone());
            asked_for.look_in(&snapshot, options);
            if let Some((mut old, old_schemas)) = previous.take() {
                let sides = crate::schema::pair(
                    &mut old,
                    &mut snapshot,
                    &old_schemas,
                    &schemas,
                    &extra,
                    crate::analyze::security::same_grants,
                );
                let diff = DiffOptions {
                    schemas: std::sync::Arc::new(sides),
                    ..options.diff.clone()
                };
                let report = diff_snapshots(&old, &snapshot, &diff);
                if options.keep_compared {
                    // Only the newest night's: each night replaces the one before.
                    *newest_compared = objects_of(&old, &snapshot);
                }
                let mut analysis = analyze::analyze(&old, &snapshot, report, &options.analyze);
                narrow(&mut analysis, options);
                nights.push(Night { analysis });
            }
            previous = Some((snapshot, schemas));
        }
        Ok(())
    })?;
    let timelines = if options.object.is_some() || options.path.is_some() {
        timelines(&nights)
    } else {
        Vec::new()
    };
    asked_for.check(options)?;
    if infos.len() < 2 {
        let mut unreadable = unreadable.into_iter();
        return Err(unreadable.next().unwrap_or_else(|| {
            Error::Usage("history needs at least two readable archives".into())
        }));
    }
    Ok(History {
        archives: infos,
        nights,
        timelines,
        diagnostics,
        unreadable,
        object: options.asked.0.clone(),
        path: options.asked.1.clone(),
        newest_compared,
    })
}

/// Every object of `old` and `new`, once each, in order.
fn objects_of(old: &Snapshot, new: &Snapshot) -> Vec<ObjectKey> {
    let mut keys: Vec<ObjectKey> = old
        .objects()
        .keys()
        .chain(new.objects().keys())
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// Whether `--object` and `--path` named anything in any archive: a typo must not give an empty
/// history that reads as "nothing ever changed".
#[derive(Default)]
struct Found {
    object: bool,
    path: bool,
}

impl Found {
    /// Looks for what is asked for in one archive, until it has been found once.
    fn look_in(&mut self, snapshot: &Snapshot, options: &HistoryOptions) {
        let selected =
            |key: &ObjectKey| options.object.as_ref().is_none_or(|o| o.matches(key, None));
        if !self.object {
            self.object = snapshot.iter().any(|(key, _)| selected(key));
        }
        if let Some(pattern) = &options.path
            && !self.path
        {
            self.path = snapshot
                .iter()
                .filter(|(key, _)| selected(key))
                .any(|(_, stored)| pattern.matches_any_in(&stored.value()));
        }
    }

    /// An error naming what was asked for and found nowhere.
    fn check(&self, options: &HistoryOptions) -> Result<()> {
        let (object, path) = &options.asked;
        if let Some(object) = object.as_ref().filter(|_| !self.object) {
            return Err(Error::Usage(format!(
                "--object {object:?} matched no object in any archive"
            )));
        }
        if let Some(path) = path.as_ref().filter(|_| !self.path) {
            return Err(Error::Usage(format!(
                "--path {path:?} names nothing in any object{}",
                if object.is_some() { " of --object" } else { "" }
            )));
        }
        Ok(())
    }
}

/// Keeps what `--object` and `--path` ask for, and drops the object bodies a history does not
/// need (a month of nights would otherwise hold every changed object twice).
fn narrow(analysis: &mut Analysis, options: &HistoryOptions) {
    let keep_entry = |e: &Entry| {
        options
            .object
            .as_ref()
            .is_none_or(|o| o.matches(&e.key, e.old_name()))
    };
    let keep_change = |c: &Change| options.path.as_ref().is_none_or(|p| p.matches(&c.path));
    analysis.entries.retain(|e| keep_entry(e));
    for entry in &mut analysis.entries {
        entry.findings.retain(|f| keep_change(&f.change));
        entry.old = None;
        entry.new = None;
    }
    if options.path.is_some() {
        analysis.entries.retain(|e| !e.findings.is_empty());
    }
    analysis.culprits.retain(|c| {
        options
            .object
            .as_ref()
            .is_none_or(|o| o.matches(&c.key, None))
            && (options.path.is_none() || c.changes.iter().any(keep_change))
    });
    for culprit in &mut analysis.culprits {
        culprit.changes.retain(|c| keep_change(c));
    }
    analysis.repeated.retain(|r| {
        keep_change(&r.change)
            && options
                .object
                .as_ref()
                .is_none_or(|o| r.objects.iter().any(|k| o.matches(k, None)))
    });
    if options.object.is_some() || options.path.is_some() {
        // The counts describe what was asked for, not the whole night.
        analysis.summary = analyze::summarize(&analysis.entries, 0, false);
    }
}

/// The timelines of every visible change left after narrowing: one per object and path (the
/// path for people, so a list element that moved is still the same element), in the order first
/// seen.
fn timelines(nights: &[Night]) -> Vec<Timeline> {
    let mut timelines: Vec<Timeline> = Vec::new();
    let mut index: HashMap<(String, String), usize> = HashMap::new();
    for night in nights {
        let analysis = &night.analysis;
        let changes = analysis.entries.iter().flat_map(|e| {
            let object = format!("{} {}", e.key.kind, qualified(&e.key));
            e.visible().map(move |f| (object.clone(), &f.change))
        });
        let repeated = analysis.repeated.iter().flat_map(|r| {
            r.objects
                .iter()
                .map(move |k| (format!("{} {}", k.kind, qualified(k)), &r.change))
        });
        for (object, change) in changes.chain(repeated) {
            if change.op == Op::Move {
                continue;
            }
            let path = change.path.human();
            let at = *index
                .entry((object, path))
                .or_insert_with_key(|(object, path)| {
                    timelines.push(Timeline {
                        object: object.clone(),
                        path: path.clone(),
                        points: vec![TimelinePoint {
                            value: change.old.clone(),
                            archive: analysis.old.clone(),
                        }],
                    });
                    timelines.len() - 1
                });
            timelines[at].points.push(TimelinePoint {
                value: change.new.clone(),
                archive: analysis.new.clone(),
            });
        }
    }
    timelines
}

fn qualified(key: &ObjectKey) -> String {
    key.qualified_name()
}

/// The file name of an archive's label, for "first seen in".
pub fn archive_name(info: &SourceInfo) -> String {
    Path::new(&info.label)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| info.label.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_selectors() {
        let key = ObjectKey {
            namespace: "myproject".into(),
            kind: "DeploymentConfig".into(),
            name: "web".into(),
            group: "apps.openshift.io".into(),
        };
        assert!(ObjectSelector::parse("dc/web").unwrap().matches(&key, None));
        assert!(
            ObjectSelector::parse("DeploymentConfig/myproject/web")
                .unwrap()
                .matches(&key, None)
        );
        assert!(
            !ObjectSelector::parse("dc/other/web")
                .unwrap()
                .matches(&key, None)
        );
        assert!(ObjectSelector::parse("rc/web-3").unwrap().matches(
            &ObjectKey {
                kind: "ReplicationController".into(),
                group: String::new(),
                name: "web-4".into(),
                namespace: "p".into()
            },
            Some("web-3")
        ));
        assert!(ObjectSelector::parse("web").is_err());
    }
}
