//! The grid of a history, as data: one row per object that changed visibly (or per series of
//! generated objects that follow their owner), a cell for each night the row changed, the
//! culprits that name it, and the night each top culprit first appeared. Reports lay it out;
//! nothing here writes for a page.
//!
//! Rows are found by a typed [`RowKey`]; entries are placed by the row they belong to, culprits
//! by the objects they cover ([`Culprit::objects`]).

use std::collections::{BTreeMap, HashMap};

use super::History;
use crate::analyze::relation::{Came, Generated};
use crate::analyze::{Analysis, Category, Culprit, Entry, Relation, Subject};
use crate::diff::{Change, ObjectChange};
use crate::snapshot::ObjectKey;

/// Whether a culprit of this category stands out: it changed what runs or what it may do (a
/// security change, a rollout trigger, a hand-edited pod).
pub fn is_top(category: Category) -> bool {
    matches!(
        category,
        Category::Security | Category::RolloutTrigger | Category::PodEdited
    )
}

/// Which objects of one kind in one namespace a row stands for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Series {
    /// One object, by name.
    Object(String),
    /// The generated objects an owner's rollouts replace one by another (`web-2 → web-3`), and
    /// the pods they run.
    Rollouts {
        /// The owner's kind: `DeploymentConfig`.
        owner_kind: String,
        /// The owner's name.
        owner_name: String,
    },
    /// Generated objects added as their owner does, by how they relate to it:
    /// `new build of BuildConfig web`.
    Added(Relation),
}

/// What relates a row of generated objects to their owner (its words are the report's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesRelation<'a> {
    /// The objects an owner's rollouts replace one by another.
    Rollouts {
        /// Whether they are pods (else controllers).
        pods: bool,
        /// The owner's kind.
        owner_kind: &'a str,
        /// The owner's name.
        owner_name: &'a str,
    },
    /// New generated objects, by how they relate to their owner.
    Added(&'a Relation),
}

/// What a row stands for.
///
/// An object's row is keyed by kind, namespace and name, as the page names it: the API group is
/// left out, so an object whose group changed stays in its row.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowKey {
    /// `DeploymentConfig`, `Pod`.
    pub kind: String,
    /// `myproject`; empty for cluster-scoped objects.
    pub namespace: String,
    /// Which of them.
    pub series: Series,
}

impl RowKey {
    /// The row of the object `key`.
    pub fn object(key: &ObjectKey) -> RowKey {
        RowKey {
            kind: key.kind.clone(),
            namespace: key.namespace.clone(),
            series: Series::Object(key.name.clone()),
        }
    }

    /// The row `entry` belongs to: a pair of generated objects joins its owner's rollouts, a new
    /// generated object its relation's series, anything else its own row.
    pub fn of(entry: &Entry) -> RowKey {
        let key = &entry.key;
        let series = |series| RowKey {
            kind: key.kind.clone(),
            namespace: key.namespace.clone(),
            series,
        };
        if entry.is_pair()
            && let Some(owner) = &entry.owner
        {
            return series(Series::Rollouts {
                owner_kind: owner.kind.clone(),
                owner_name: owner.name.clone(),
            });
        }
        if entry.is_churn()
            && entry.change == ObjectChange::Added
            && let Some(relation) = &entry.relation
        {
            return series(Series::Added(relation.clone()));
        }
        RowKey::object(key)
    }
}

/// The groups of rows, in the page's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// Objects with changes of their own.
    Own,
    /// Objects whose only changes are the same as on many others.
    Repeated,
    /// Generated objects that only followed their owner.
    Generated,
}

/// What happened to an object in a night, for its mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Changed in place.
    Changed,
    /// Added.
    Added,
    /// Removed.
    Removed,
    /// A generated object replaced by the next (`web-3 → web-4`).
    Replaced,
}

impl Mark {
    /// The mark of `entry`.
    pub fn of(entry: &Entry) -> Mark {
        match entry.change {
            ObjectChange::Added => Mark::Added,
            ObjectChange::Removed => Mark::Removed,
            ObjectChange::Changed if entry.is_pair() => Mark::Replaced,
            ObjectChange::Changed => Mark::Changed,
        }
    }
}

/// An entry or a culprit of a night, with its position in the night's list (from 0).
#[derive(Debug)]
pub struct Placed<'a, T> {
    /// Its position in the night's entries or culprits.
    pub position: usize,
    /// The entry or culprit.
    pub item: &'a T,
}

impl<T> Clone for Placed<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Placed<'_, T> {}

/// A culprit of the history: its night (from 0) and its position in the night's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CulpritId {
    /// The night, from 0.
    pub night: usize,
    /// The position in the night's culprits, from 0.
    pub position: usize,
}

/// A top culprit the night it first appeared.
#[derive(Clone, Copy, Debug)]
pub struct FirstSeen<'a> {
    /// Where it is.
    pub id: CulpritId,
    /// The culprit.
    pub culprit: &'a Culprit,
}

/// A change in a cell's brief, with how many objects it is on (more than one for a change
/// repeated on many).
#[derive(Clone, Copy, Debug)]
pub struct Brief<'a> {
    /// The change.
    pub change: &'a Change,
    /// How many objects it is on.
    pub on: usize,
}

/// What a cell holds: the entries of one row in one night, and the culprits that name them.
#[derive(Debug, Default)]
pub struct Cell<'a> {
    /// The row's entries this night.
    pub entries: Vec<Placed<'a, Entry>>,
    /// The night's culprits naming this row.
    pub culprits: Vec<Placed<'a, Culprit>>,
    /// Whether a top culprit names one of the row's objects for the first time this night.
    pub first_seen: bool,
}

impl<'a> Cell<'a> {
    /// The most likely category in the cell.
    pub fn category(&self) -> Category {
        let entries = self.entries.iter().map(|e| {
            // An entry's own category, or the best of its visible changes.
            let entry = e.item;
            entry
                .visible()
                .map(|f| f.category)
                .min()
                .map_or(entry.category, |c| c.min(entry.category))
        });
        let culprits = self.culprits.iter().map(|c| c.item.category);
        entries.chain(culprits).min().unwrap_or(Category::Spec)
    }

    /// The most likely of the top culprits naming the row, if one does.
    pub fn top_culprit(&self) -> Option<Placed<'a, Culprit>> {
        self.culprits
            .iter()
            .filter(|c| is_top(c.item.category))
            .min_by_key(|c| c.item.category)
            .copied()
    }

    /// What happened, by the cell's first entry (`None`: only culprits name the row).
    pub fn mark(&self) -> Option<Mark> {
        self.entries.first().map(|e| Mark::of(e.item))
    }

    /// The cell's changes in the order a brief lists them: the top culprit's, then the visible
    /// changes most likely first, then the repeated changes the entries are part of, each once.
    pub fn brief(&self, analysis: &'a Analysis) -> Vec<Brief<'a>> {
        let mut changes: Vec<Brief<'a>> = Vec::new();
        if let Some(top) = self.top_culprit() {
            changes.extend(
                top.item
                    .changes
                    .iter()
                    .map(|change| Brief { change, on: 1 }),
            );
        }
        let mut visible: Vec<(&'a Change, Category)> = self
            .entries
            .iter()
            .flat_map(|e| e.item.visible().map(|f| (&f.change, f.category)))
            .collect();
        visible.sort_by_key(|(_, category)| *category);
        let repeated = self
            .entries
            .iter()
            .filter(|e| e.item.in_repeated)
            .flat_map(|e| {
                analysis
                    .repeated
                    .iter()
                    .filter(|r| r.objects.contains(&e.item.key))
            })
            .map(|r| Brief {
                change: &r.change,
                on: r.objects.len(),
            });
        let own = visible
            .into_iter()
            .map(|(change, _)| Brief { change, on: 1 });
        for brief in own.chain(repeated) {
            if !changes.iter().any(|b| b.change == brief.change) {
                changes.push(brief);
            }
        }
        changes
    }
}

/// One row of the grid.
#[derive(Debug)]
pub struct Row<'a> {
    /// What it stands for.
    pub key: RowKey,
    /// Names, in the order seen (a generated series has several).
    pub names: Vec<String>,
    /// Per night (from 0).
    pub cells: BTreeMap<usize, Cell<'a>>,
}

impl Row<'_> {
    /// `DeploymentConfig`.
    pub fn kind(&self) -> &str {
        &self.key.kind
    }

    /// `myproject`, empty for cluster-scoped objects.
    pub fn namespace(&self) -> &str {
        &self.key.namespace
    }

    /// What relates a generated series to its owner; `None` for an object.
    pub fn series_relation(&self) -> Option<SeriesRelation<'_>> {
        match &self.key.series {
            Series::Object(_) => None,
            Series::Rollouts {
                owner_kind,
                owner_name,
            } => Some(SeriesRelation::Rollouts {
                pods: self.key.kind == "Pod",
                owner_kind,
                owner_name,
            }),
            Series::Added(relation) => Some(SeriesRelation::Added(relation)),
        }
    }

    /// [`Row::series_relation`] in words: `pods of DeploymentConfig web, replaced by its
    /// rollouts`, `new build of BuildConfig web`.
    pub fn relation(&self) -> Option<String> {
        self.series_relation().map(|r| r.to_string())
    }

    /// The first night it changed.
    pub fn first_night(&self) -> usize {
        self.cells.keys().next().copied().unwrap_or(0)
    }

    /// Whether a top culprit first named it in one of its cells.
    pub fn has_first_seen(&self) -> bool {
        self.cells.values().any(|c| c.first_seen)
    }

    /// Which group of rows it is in: objects with changes of their own, objects whose only
    /// changes are the same as on many others, generated objects that only followed their owner.
    pub fn group(&self) -> Group {
        let quiet = |test: &dyn Fn(&Entry) -> bool| {
            self.cells.values().all(|cell| {
                cell.top_culprit().is_none() && cell.entries.iter().all(|e| test(e.item))
            })
        };
        if quiet(&|e| e.is_churn()) {
            Group::Generated
        } else if quiet(&|e| {
            e.in_repeated
                && e.change == ObjectChange::Changed
                && !e.is_pair()
                && e.visible().next().is_none()
        }) {
            Group::Repeated
        } else {
            Group::Own
        }
    }

    /// `myproject/web`, `myproject/web-2 → … → web-6`, `myproject/web-5, web-6` (builds).
    pub fn name(&self) -> String {
        let builds = matches!(
            &self.key.series,
            Series::Added(Relation::Generated {
                came: Came::New,
                what: Generated::Build,
                ..
            })
        );
        let name = match self.names.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [first, .., last] if builds => {
                if self.names.len() <= 4 {
                    self.names.join(", ")
                } else {
                    format!("{first} … {last}")
                }
            }
            [first, last] => format!("{first} → {last}"),
            [first, .., last] => format!("{first} → … → {last}"),
        };
        if self.key.namespace.is_empty() {
            name
        } else {
            format!("{}/{name}", self.key.namespace)
        }
    }

    /// `DeploymentConfig myproject/web`.
    pub fn label(&self) -> String {
        format!("{} {}", self.key.kind, self.name())
    }
}

/// The rows, in the page's order, and where each culprit's mark is.
#[derive(Debug)]
pub struct Grid<'a> {
    /// Objects with changes of their own first, by the first night they changed, then by
    /// namespace, kind and name; then the repeated, then the generated.
    pub rows: Vec<Row<'a>>,
    /// The row each culprit's mark is in (the first of the rows it names).
    culprit_rows: HashMap<CulpritId, usize>,
}

impl<'a> Grid<'a> {
    /// The grid of `history`.
    pub fn build(history: &'a History) -> Grid<'a> {
        let mut builder = Builder::default();
        for (n, night) in history.nights.iter().enumerate() {
            let placed = builder.place_entries(n, &night.analysis);
            builder.place_culprits(n, &night.analysis, &placed);
        }
        builder.finish()
    }

    /// The row the mark of a culprit is in.
    pub fn culprit_row(&self, id: CulpritId) -> Option<&Row<'a>> {
        self.culprit_rows.get(&id).map(|&r| &self.rows[r])
    }

    /// Whether `id` is a top culprit the night it first appeared (in the row its mark is in).
    pub fn is_first_seen(&self, id: CulpritId) -> bool {
        self.culprit_row(id)
            .and_then(|row| row.cells.get(&id.night))
            .is_some_and(|cell| {
                cell.first_seen && cell.top_culprit().map(|c| c.position) == Some(id.position)
            })
    }

    /// The top culprits that first appeared, each once, by night and position.
    pub fn first_seen(&self) -> Vec<FirstSeen<'a>> {
        let mut found: Vec<FirstSeen<'a>> = Vec::new();
        for row in &self.rows {
            for (&night, cell) in &row.cells {
                if cell.first_seen
                    && let Some(top) = cell.top_culprit()
                {
                    found.push(FirstSeen {
                        id: CulpritId {
                            night,
                            position: top.position,
                        },
                        culprit: top.item,
                    });
                }
            }
        }
        found.sort_by_key(|f| f.id);
        // A culprit covering several objects first seen together stands out once.
        found.dedup_by_key(|f| f.id);
        found
    }
}

/// Places the nights' entries and culprits in rows, night after night.
#[derive(Default)]
struct Builder<'a> {
    rows: Vec<Row<'a>>,
    index: HashMap<RowKey, usize>,
    culprit_rows: HashMap<CulpritId, usize>,
    /// The objects top culprits named so far, and the row each was last marked in.
    seen: HashMap<RowKey, usize>,
}

impl<'a> Builder<'a> {
    /// The row of `key`, made when there is none yet.
    fn row(&mut self, key: RowKey) -> usize {
        let rows = &mut self.rows;
        *self.index.entry(key).or_insert_with_key(|key| {
            rows.push(Row {
                key: key.clone(),
                names: Vec::new(),
                cells: BTreeMap::new(),
            });
            rows.len() - 1
        })
    }

    /// Places the night's entries that differ; returns each with its row.
    fn place_entries(&mut self, night: usize, analysis: &'a Analysis) -> Vec<(&'a Entry, usize)> {
        let mut placed = Vec::new();
        for (position, entry) in analysis.entries.iter().enumerate() {
            if !entry.differs() {
                continue;
            }
            let r = self.row(RowKey::of(entry));
            let row = &mut self.rows[r];
            for name in entry_names(entry, row.names.is_empty()) {
                if !row.names.contains(&name) {
                    row.names.push(name);
                }
            }
            let cell = row.cells.entry(night).or_default();
            cell.entries.push(Placed {
                position,
                item: entry,
            });
            placed.push((entry, r));
        }
        placed
    }

    /// Places the night's culprits in the rows of the objects they cover, marking where a top
    /// culprit names an object for the first time.
    fn place_culprits(
        &mut self,
        night: usize,
        analysis: &'a Analysis,
        placed: &[(&'a Entry, usize)],
    ) {
        for (position, culprit) in analysis.culprits.iter().enumerate() {
            let id = CulpritId { night, position };
            for key in &culprit.objects {
                let object = RowKey::object(key);
                let r = match placed.iter().find(|(e, _)| entry_is(e, key)) {
                    Some(&(_, r)) => r,
                    // A culprit with no entry of its own this night (a pod that still differs
                    // from its template): the row it was marked in before, else a row for the
                    // object itself.
                    None => match self.seen.get(&object) {
                        Some(&r) => r,
                        None => {
                            let r = self.row(object.clone());
                            if self.rows[r].names.is_empty() {
                                self.rows[r].names.push(key.name.clone());
                            }
                            r
                        }
                    },
                };
                self.culprit_rows.entry(id).or_insert(r);
                let cell = self.rows[r].cells.entry(night).or_default();
                if !cell.culprits.iter().any(|c| c.position == position) {
                    cell.culprits.push(Placed {
                        position,
                        item: culprit,
                    });
                }
                if is_top(culprit.category) && self.seen.insert(object, r).is_none() {
                    cell.first_seen = true;
                }
            }
        }
    }

    /// The rows in the page's order.
    fn finish(self) -> Grid<'a> {
        let rows = self.rows;
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by_cached_key(|&r| {
            let row = &rows[r];
            (
                row.group(),
                row.first_night(),
                row.key.namespace.clone(),
                row.key.kind.clone(),
                row.name(),
            )
        });
        let mut moved_to = vec![0; rows.len()];
        for (new, &old) in order.iter().enumerate() {
            moved_to[old] = new;
        }
        let mut slots: Vec<Option<Row<'a>>> = rows.into_iter().map(Some).collect();
        let rows = order
            .iter()
            .map(|&r| slots[r].take().expect("each row once"))
            .collect();
        let culprit_rows = self
            .culprit_rows
            .into_iter()
            .map(|(id, r)| (id, moved_to[r]))
            .collect();
        Grid { rows, culprit_rows }
    }
}

/// The names an entry adds to its row's names: `web-3` for a pair `web-2 → web-3` (the first
/// pair adds its old name too), `web-4-*` for a group of pods.
fn entry_names(entry: &Entry, first: bool) -> Vec<String> {
    let new = match &entry.subject {
        Subject::Group { patterns, members } if members.len() > 1 => patterns.new.clone(),
        _ => entry.key.name.clone(),
    };
    match entry.old_name() {
        Some(old) if first => vec![old.to_string(), new],
        _ => vec![new],
    }
}

/// Whether `entry` is (or, for a group of pods, holds) the object `key`.
fn entry_is(entry: &Entry, key: &ObjectKey) -> bool {
    if entry.key == *key {
        return true;
    }
    entry.key.kind == key.kind
        && entry.key.namespace == key.namespace
        && entry
            .members()
            .iter()
            .any(|names| names.new == key.name || names.old == key.name)
}

#[cfg(test)]
mod tests;
