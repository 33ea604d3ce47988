//! The grid built from small hand-made nights, and from the week of fixtures.

use super::*;
use crate::analyze::{AnalyzeOptions, Finding, NoiseProfile, Owner, Repeated, Sides, Summary};
use crate::diff::{DiffOptions, Op, Path};
use crate::history::{HistoryOptions, Night, archives, build};
use crate::snapshot::{SourceFormat, SourceInfo};
use crate::source::ReadOptions;

fn key(kind: &str, name: &str) -> ObjectKey {
    ObjectKey {
        namespace: "p".into(),
        kind: kind.into(),
        name: name.into(),
        group: String::new(),
    }
}

fn change(field: &str) -> Change {
    Change {
        path: Path(vec![crate::diff::path::Segment::Field(field.into())]),
        op: Op::Replace,
        old: Some(1.into()),
        new: Some(2.into()),
        secret: false,
        format_only: false,
        elided: None,
    }
}

/// An object changed in `field`, its change of `category`.
fn changed(key: ObjectKey, field: &str, category: Category) -> Entry {
    Entry {
        key,
        change: ObjectChange::Changed,
        subject: Subject::Object,
        relation: None,
        notes: Vec::new(),
        category,
        findings: vec![Finding {
            change: change(field),
            category,
            reasons: Vec::new(),
            hidden_by: None,
            note: None,
            accepted: false,
        }],
        owner: None,
        in_repeated: false,
        api_version: Sides::default(),
        old: None,
        new: None,
        accepted: None,
    }
}

/// `old → key.name`, replaced by a rollout of DeploymentConfig `owner`.
fn replaced(key: ObjectKey, old: &str, owner: &str) -> Entry {
    Entry {
        subject: Subject::Pair {
            old_name: old.into(),
        },
        relation: Some(Relation::Replaced),
        category: Category::Churn,
        findings: Vec::new(),
        owner: Some(Owner::new("DeploymentConfig", owner)),
        ..changed(key, "spec", Category::Churn)
    }
}

/// `new build of BuildConfig owner`.
fn new_build_of(owner: &str) -> Relation {
    Relation::Generated {
        came: Came::New,
        what: Generated::Build,
        owner: Owner::new("BuildConfig", owner),
    }
}

/// A new build of BuildConfig `owner`.
fn new_build(name: &str, owner: &str) -> Entry {
    Entry {
        change: ObjectChange::Added,
        relation: Some(new_build_of(owner)),
        category: Category::Churn,
        findings: Vec::new(),
        ..changed(key("Build", name), "spec", Category::Churn)
    }
}

/// An object whose only change is repeated on others.
fn repeated_only(key: ObjectKey) -> Entry {
    Entry {
        findings: Vec::new(),
        in_repeated: true,
        ..changed(key, "spec", Category::Metadata)
    }
}

fn culprit(category: Category, objects: &[ObjectKey]) -> Culprit {
    Culprit {
        category,
        label: format!("{} objects", objects.len()),
        key: objects[0].clone(),
        objects: objects.to_vec(),
        title: objects[0].name.clone(),
        reason: category.describe().into(),
        changes: vec![change("spec")],
    }
}

fn info(day: u32) -> SourceInfo {
    SourceInfo {
        label: format!("backup201809{day:02}0015.zip"),
        format: SourceFormat::OpenshiftBackup,
        taken: None,
        completeness: None,
        namespace_map: Vec::new(),
    }
}

fn night(day: u32, entries: Vec<Entry>, culprits: Vec<Culprit>, repeated: Vec<Repeated>) -> Night {
    Night {
        analysis: Analysis {
            old: info(day - 1),
            new: info(day),
            entries,
            repeated,
            culprits,
            earlier_mismatches: Vec::new(),
            summary: Summary::default(),
            ignored_changes: 0,
            user_hidden: Default::default(),
            show_all: false,
            desired: false,
            attributions: Default::default(),
            baseline: None,
            drifted: false,
        },
    }
}

fn history(nights: Vec<Night>) -> History {
    History {
        archives: (10..=10 + nights.len() as u32).map(info).collect(),
        nights,
        timelines: Vec::new(),
        diagnostics: Vec::new(),
        unreadable: Vec::new(),
        object: None,
        path: None,
        newest_compared: Vec::new(),
    }
}

fn row<'g, 'a>(grid: &'g Grid<'a>, label: &str) -> &'g Row<'a> {
    grid.rows
        .iter()
        .find(|r| r.label() == label)
        .unwrap_or_else(|| {
            let labels: Vec<String> = grid.rows.iter().map(Row::label).collect();
            panic!("no row {label}: {labels:?}")
        })
}

/// Two nights of a DeploymentConfig rolling out: its controllers, pods and builds follow.
fn rollouts() -> History {
    let dc = key("DeploymentConfig", "web");
    history(vec![
        night(
            11,
            vec![
                changed(dc.clone(), "image", Category::RolloutTrigger),
                new_build("web-1", "web"),
                replaced(key("ReplicationController", "web-2"), "web-1", "web"),
            ],
            vec![culprit(Category::RolloutTrigger, std::slice::from_ref(&dc))],
            Vec::new(),
        ),
        night(
            12,
            vec![
                new_build("web-2", "web"),
                replaced(key("ReplicationController", "web-3"), "web-2", "web"),
            ],
            Vec::new(),
            Vec::new(),
        ),
        night(
            13,
            vec![
                changed(dc.clone(), "image", Category::RolloutTrigger),
                replaced(key("ReplicationController", "web-4"), "web-3", "web"),
            ],
            vec![culprit(Category::RolloutTrigger, std::slice::from_ref(&dc))],
            Vec::new(),
        ),
    ])
}

#[test]
fn rows_are_objects_and_the_series_generated_objects_follow() {
    let history = rollouts();
    let grid = Grid::build(&history);
    let labels: Vec<String> = grid.rows.iter().map(Row::label).collect();
    assert_eq!(
        labels,
        [
            "DeploymentConfig p/web",
            "Build p/web-1, web-2",
            "ReplicationController p/web-1 → … → web-4",
        ]
    );
    let dc = &grid.rows[0];
    assert_eq!(dc.key, RowKey::object(&key("DeploymentConfig", "web")));
    assert_eq!(dc.group(), Group::Own);
    assert_eq!(dc.cells.keys().copied().collect::<Vec<_>>(), [0, 2]);
    assert_eq!(dc.relation(), None);

    let controllers = row(&grid, "ReplicationController p/web-1 → … → web-4");
    assert_eq!(
        controllers.key.series,
        Series::Rollouts {
            owner_kind: "DeploymentConfig".into(),
            owner_name: "web".into()
        }
    );
    assert_eq!(controllers.names, ["web-1", "web-2", "web-3", "web-4"]);
    assert_eq!(controllers.group(), Group::Generated);
    assert_eq!(controllers.cells.len(), 3);
    assert_eq!(
        controllers.cells[&1].mark(),
        Some(Mark::Replaced),
        "one replacement a night"
    );
    assert_eq!(
        controllers.relation().as_deref(),
        Some("replaced by DeploymentConfig web's rollouts")
    );

    let builds = row(&grid, "Build p/web-1, web-2");
    assert_eq!(builds.key.series, Series::Added(new_build_of("web")));
    assert_eq!(builds.cells[&0].mark(), Some(Mark::Added));
    assert_eq!(builds.group(), Group::Generated);
}

#[test]
fn culprits_mark_the_rows_of_the_objects_they_cover() {
    let (a, b, c) = (
        key("Service", "a"),
        key("Service", "b"),
        key("Service", "c"),
    );
    let repeated = Repeated {
        change: change("spec"),
        category: Category::Metadata,
        objects: vec![a.clone(), b.clone(), c.clone()],
    };
    let history = history(vec![night(
        11,
        vec![
            repeated_only(a.clone()),
            repeated_only(b.clone()),
            repeated_only(c.clone()),
            changed(key("ConfigMap", "web"), "data", Category::Spec),
        ],
        vec![
            culprit(Category::Spec, &[key("ConfigMap", "web")]),
            culprit(Category::Metadata, &[a.clone(), b.clone(), c.clone()]),
        ],
        vec![repeated],
    )]);
    let grid = Grid::build(&history);
    for name in ["a", "b", "c"] {
        let row = row(&grid, &format!("Service p/{name}"));
        assert_eq!(row.group(), Group::Repeated);
        let cell = &row.cells[&0];
        let positions: Vec<usize> = cell.culprits.iter().map(|c| c.position).collect();
        assert_eq!(positions, [1], "{name}");
        assert!(!cell.first_seen, "not a top culprit");
        let brief = cell.brief(&history.nights[0].analysis);
        assert_eq!(brief.len(), 1);
        assert_eq!(brief[0].on, 3, "the repeated change, on three objects");
    }
    let configmap = row(&grid, "ConfigMap p/web");
    assert_eq!(configmap.group(), Group::Own);
    assert_eq!(configmap.cells[&0].category(), Category::Spec);
    // The first row a culprit covers holds its mark.
    let at = |position| CulpritId { night: 0, position };
    assert_eq!(
        grid.culprit_row(at(0)).map(Row::label).as_deref(),
        Some("ConfigMap p/web")
    );
    assert_eq!(
        grid.culprit_row(at(1)).map(Row::label).as_deref(),
        Some("Service p/a")
    );
    assert!(grid.first_seen().is_empty());
}

#[test]
fn a_top_culprit_stands_out_the_first_night_only() {
    let history = rollouts();
    let grid = Grid::build(&history);
    let dc = &grid.rows[0];
    assert!(dc.cells[&0].first_seen);
    assert!(!dc.cells[&2].first_seen, "named again: not first seen");
    assert_eq!(dc.cells[&2].top_culprit().map(|c| c.position), Some(0));
    assert!(dc.has_first_seen());
    let first = grid.first_seen();
    assert_eq!(first.len(), 1);
    assert_eq!(
        first[0].id,
        CulpritId {
            night: 0,
            position: 0
        }
    );
    assert!(grid.is_first_seen(CulpritId {
        night: 0,
        position: 0
    }));
    assert!(!grid.is_first_seen(CulpritId {
        night: 2,
        position: 0
    }));
}

#[test]
fn a_culprit_first_seen_on_several_objects_stands_out_once() {
    let (a, b, c) = (
        key("DeploymentConfig", "a"),
        key("DeploymentConfig", "b"),
        key("DeploymentConfig", "c"),
    );
    let history = history(vec![night(
        11,
        vec![
            repeated_only(a.clone()),
            repeated_only(b.clone()),
            repeated_only(c.clone()),
        ],
        vec![culprit(Category::RolloutTrigger, &[a, b, c])],
        vec![],
    )]);
    let grid = Grid::build(&history);
    assert_eq!(grid.rows.len(), 3);
    assert!(grid.rows.iter().all(|r| r.cells[&0].first_seen));
    assert!(
        grid.rows.iter().all(|r| r.group() == Group::Own),
        "a top culprit names them"
    );
    assert_eq!(grid.first_seen().len(), 1);
}

#[test]
fn a_culprit_without_an_entry_stays_in_its_row() {
    // A pod edited by hand: a replaced group of pods the first night, the same pod still
    // differing from its template the next, with no entry of its own.
    let pod = key("Pod", "web-2-abcde");
    let mut pods = replaced(pod.clone(), "web-1-xyz", "web");
    pods.category = Category::PodEdited;
    pods.findings = vec![Finding {
        change: change("image"),
        category: Category::PodEdited,
        reasons: Vec::new(),
        hidden_by: None,
        note: None,
        accepted: false,
    }];
    let edited = culprit(Category::PodEdited, std::slice::from_ref(&pod));
    let history = history(vec![
        night(11, vec![pods], vec![edited.clone()], vec![]),
        night(12, vec![], vec![edited.clone()], vec![]),
        night(
            13,
            vec![],
            vec![culprit(Category::Spec, &[key("Pod", "other")])],
            vec![],
        ),
    ]);
    let grid = Grid::build(&history);
    let pods = row(&grid, "Pod p/web-1-xyz → web-2-abcde");
    assert_eq!(
        pods.relation().as_deref(),
        Some("pods of DeploymentConfig web, replaced by its rollouts")
    );
    assert_eq!(pods.cells.keys().copied().collect::<Vec<_>>(), [0, 1]);
    assert!(pods.cells[&0].first_seen && !pods.cells[&1].first_seen);
    assert_eq!(pods.cells[&1].mark(), None, "only the culprit names it");
    // An object never named before gets a row of its own.
    let other = row(&grid, "Pod p/other");
    assert_eq!(other.key, RowKey::object(&key("Pod", "other")));
    assert_eq!(other.first_night(), 2);
}

#[test]
fn the_week_stands_out_on_the_13th() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/week");
    let options = HistoryOptions {
        keep_compared: false,
        object: None,
        asked: (None, None),
        path: None,
        since: None,
        read: ReadOptions::default(),
        diff: DiffOptions::default(),
        analyze: AnalyzeOptions {
            noise: NoiseProfile::new(true, Vec::new()),
            show_all: false,
            desired: false,
            baseline: None,
        },
        crds: Vec::new(),
    };
    let history = build(&archives(&[dir.to_string()], None).unwrap(), &options).unwrap();
    let grid = Grid::build(&history);
    let labels: Vec<String> = grid.rows.iter().map(Row::label).collect();
    assert_eq!(
        labels,
        [
            "DeploymentConfig myproject/web",
            "Build myproject/web-6, web-7, web-8",
            "Pod myproject/web-2-* → … → web-6-*",
            "ReplicationController myproject/web-2 → … → web-6",
        ]
    );
    let dc = &grid.rows[0];
    // Changed on the 11th, 12th, 13th and 15th: nights 0, 1, 2 and 4.
    assert_eq!(dc.cells.keys().copied().collect::<Vec<_>>(), [0, 1, 2, 4]);
    let first: Vec<CulpritId> = grid.first_seen().iter().map(|f| f.id).collect();
    assert_eq!(
        first,
        [CulpritId {
            night: 2,
            position: 0
        }]
    );
    assert!(dc.cells[&2].first_seen);
    assert_eq!(dc.cells[&2].category(), Category::RolloutTrigger);
    assert_eq!(
        dc.cells[&2].brief(&history.nights[2].analysis)[0]
            .change
            .path
            .human(),
        "spec.template.spec.containers[web].readinessProbe.httpGet.path"
    );
    assert!(grid.rows[1..].iter().all(|r| r.group() == Group::Generated));
}
