//! The whole analysis on the culprits fixture pair (the case of `../shared/design/report.md`),
//! at library level: what `tests/snapshots.rs` pins through the command, asserted here on the
//! structures, so that a cheap `cargo test --lib` notices a broken count, pairing or ranking.

use super::*;
use crate::diff::{DiffOptions, diff_snapshots};
use crate::source::{ReadOptions, read};

fn culprits_pair(show_all: bool) -> Analysis {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/culprits/");
    let side = |name: &str| read(&format!("{dir}{name}"), &ReadOptions::default()).unwrap();
    let old = side("openshift-backup201809110015.zip");
    let new = side("openshift-backup201809120015.zip");
    let report = diff_snapshots(&old, &new, &DiffOptions::default());
    let options = AnalyzeOptions {
        noise: NoiseProfile::new(true, Vec::new()),
        show_all,
        desired: false,
        baseline: None,
    };
    analyze(&old, &new, report, &options)
}

/// The default analysis of two sets of objects, as `driftlab diff old new` would make it.
pub(super) fn analysis_of(old: Vec<Value>, new: Vec<Value>) -> Analysis {
    analysis_with(old, new, false)
}

/// [`analysis_of`], with `desired`: `old` is what the manifests say (`--desired`).
pub(super) fn analysis_with(old: Vec<Value>, new: Vec<Value>, desired: bool) -> Analysis {
    let (old, new) = (Snapshot::of(old), Snapshot::of(new));
    let report = diff_snapshots(&old, &new, &DiffOptions::default());
    let options = AnalyzeOptions {
        noise: NoiseProfile::new(true, Vec::new()),
        show_all: false,
        desired,
        baseline: None,
    };
    analyze(&old, &new, report, &options)
}

/// An object of namespace `p`: `rest` with its `apiVersion`, `kind` and name set.
pub(super) fn object(api_version: &str, kind: &str, name: &str, rest: Value) -> Value {
    object_in(api_version, kind, "p", name, rest)
}

/// An object of `namespace`: `rest` with its `apiVersion`, `kind` and name set.
pub(super) fn object_in(
    api_version: &str,
    kind: &str,
    namespace: &str,
    name: &str,
    rest: Value,
) -> Value {
    let mut object = rest;
    object["apiVersion"] = serde_json::json!(api_version);
    object["kind"] = serde_json::json!(kind);
    object["metadata"]["name"] = serde_json::json!(name);
    object["metadata"]["namespace"] = serde_json::json!(namespace);
    object
}

/// The words the reports print for `entry`'s relation.
pub(super) fn words(entry: &Entry) -> Option<String> {
    entry.relation.as_ref().map(ToString::to_string)
}

pub(super) fn entry<'a>(analysis: &'a Analysis, kind: &str, title: &str) -> &'a Entry {
    analysis
        .entries
        .iter()
        .find(|e| e.key.kind == kind && e.title_name() == title)
        .unwrap_or_else(|| panic!("no entry {kind} {title}"))
}

#[test]
fn the_culprits_pair_counts_as_its_report_says() {
    let analysis = culprits_pair(false);
    assert_eq!(
        analysis.summary,
        Summary {
            changed: 20,
            unchanged: 17,
            churn: 2,
            noise_hidden: 52,
            ..Summary::default()
        }
    );
    assert!(analysis.summary.has_differences());
    // With --all nothing is counted as hidden (every noisy object changed visibly anyway).
    assert_eq!(
        culprits_pair(true).summary,
        Summary {
            changed: 20,
            unchanged: 17,
            churn: 2,
            ..Summary::default()
        }
    );
}

#[test]
fn the_culprits_pair_ranks_the_probe_first() {
    let analysis = culprits_pair(false);
    let culprits: Vec<(&str, &str)> = analysis
        .culprits
        .iter()
        .map(|c| (c.label.as_str(), c.reason.as_str()))
        .collect();
    assert_eq!(
        culprits[..4],
        [
            ("DeploymentConfig myproject/web", "triggers a rollout"),
            (
                "Pod myproject/web-4-x7k2p",
                "differs from ReplicationController web-4's template: edited by hand?"
            ),
            (
                "ConfigMap myproject/app-env-9bfbmfgt2f → app-env-296567ccmt",
                "used by DeploymentConfig web (envFrom)"
            ),
            (
                "ConfigMap myproject/web-config",
                "used by DeploymentConfig web (volume config)"
            ),
        ]
    );
    assert_eq!(culprits.len(), 7);
    assert_eq!(culprits[6].0, "19 objects");
    assert_eq!(analysis.repeated.len(), 1);
    assert_eq!(analysis.repeated[0].objects.len(), 19);
}

#[test]
fn the_culprits_pair_pairs_and_groups_generated_objects() {
    let analysis = culprits_pair(false);
    let pods = entry(&analysis, "Pod", "web-3-* → web-4-*");
    assert_eq!(pods.members().len(), 2);
    assert_eq!(pods.count(), 2);
    assert!(
        pods.members()
            .iter()
            .all(|names| names.old.starts_with("web-3-") && names.new.starts_with("web-4-"))
    );
    assert!(pods.is_pair() && pods.shows() && pods.differs());

    let rc = entry(&analysis, "ReplicationController", "web-3 → web-4");
    assert_eq!(
        words(rc).as_deref(),
        Some("replaced; same template changes as DeploymentConfig web")
    );
    assert_eq!(rc.category, Category::Churn);
    assert!(rc.is_churn());
    assert_eq!((rc.members(), rc.count()), (&[][..], 1));
    assert_eq!(rc.old_name(), Some("web-3"));

    let config = entry(
        &analysis,
        "ConfigMap",
        "app-env-9bfbmfgt2f → app-env-296567ccmt",
    );
    assert_eq!(words(config).as_deref(), Some("renamed (content hash)"));

    let web = entry(&analysis, "DeploymentConfig", "web");
    assert_eq!((web.old_name(), web.count()), (None, 1));
    assert!(!web.is_pair() && !web.is_churn());
    // The Build is added as its BuildConfig builds: churn, not an added object.
    let build = entry(&analysis, "Build", "web-8");
    assert_eq!(build.change, ObjectChange::Added);
    assert!(build.is_churn());
}

#[test]
fn a_summary_has_differences_only_for_changed_added_or_removed_objects() {
    let quiet = Summary {
        unchanged: 9,
        churn: 4,
        noise_hidden: 3,
        cluster_set: 2,
        cluster_only: 1,
        ..Summary::default()
    };
    assert!(!quiet.has_differences());
    for drift in [
        Summary {
            changed: 1,
            ..quiet
        },
        Summary { added: 1, ..quiet },
        Summary {
            removed: 1,
            ..quiet
        },
        Summary {
            changed: 1,
            added: 1,
            ..quiet
        },
        Summary {
            added: 1,
            removed: 1,
            ..quiet
        },
    ] {
        assert!(drift.has_differences(), "{drift:?}");
    }
}

#[test]
fn desired_state_counts_appear_in_json_only_when_nonzero() {
    let plain = serde_json::to_value(Summary::default()).unwrap();
    assert!(plain.get("cluster_set").is_none() && plain.get("cluster_only").is_none());
    let desired = serde_json::to_value(Summary {
        cluster_set: 2,
        cluster_only: 1,
        ..Summary::default()
    })
    .unwrap();
    assert_eq!(
        (&desired["cluster_set"], &desired["cluster_only"]),
        (&2.into(), &1.into())
    );
}
