use super::*;
use crate::analyze::tests::{analysis_of, entry, object_in, words};
use serde_json::json;

fn owned_by(kind: &str, name: &str) -> Value {
    json!({"ownerReferences": [{"apiVersion": "apps/v1", "kind": kind, "name": name,
        "uid": "1", "controller": true}]})
}

#[test]
fn a_renamed_config_map_pairs_with_its_most_alike_successor() {
    let config =
        |name: &str, data: Value| object_in("v1", "ConfigMap", "p", name, json!({"data": data}));
    let analysis = analysis_of(
        vec![config(
            "app-env-9bfbmfgt2f",
            json!({"A": "1", "B": "2", "C": "3"}),
        )],
        vec![
            config("app-env-296567ccmt", json!({"A": "1", "B": "2", "C": "4"})),
            config("app-env-bcdfghjklm", json!({"X": "9"})),
        ],
    );
    let pair = entry(
        &analysis,
        "ConfigMap",
        "app-env-9bfbmfgt2f → app-env-296567ccmt",
    );
    assert_eq!(words(pair).as_deref(), Some("renamed (content hash)"));
    // The pair keeps the old object: what a report shows as the value before.
    assert_eq!(pair.old.as_ref().unwrap()["data"]["C"], "3");
    assert_eq!(pair.new.as_ref().unwrap()["data"]["C"], "4");
    let visible: Vec<String> = pair.visible().map(|f| f.change.path.human()).collect();
    assert_eq!(visible, ["data.C"]);
    let other = entry(&analysis, "ConfigMap", "app-env-bcdfghjklm");
    assert_eq!(other.change, ObjectChange::Added);
}

/// A content-hash rename keeps the kind: a ConfigMap is not renamed to a Secret of the same
/// base name and content.
#[test]
fn a_config_map_is_not_renamed_to_a_secret() {
    let analysis = analysis_of(
        vec![object_in(
            "v1",
            "ConfigMap",
            "p",
            "app-env-9bfbmfgt2f",
            json!({"data": {"A": "1"}}),
        )],
        vec![object_in(
            "v1",
            "Secret",
            "p",
            "app-env-296567ccmt",
            json!({"data": {"A": "MQ=="}}),
        )],
    );
    assert_eq!(
        entry(&analysis, "ConfigMap", "app-env-9bfbmfgt2f").change,
        ObjectChange::Removed
    );
    assert_eq!(
        entry(&analysis, "Secret", "app-env-296567ccmt").change,
        ObjectChange::Added
    );
}

#[test]
fn similarity_counts_equal_data_entries() {
    let a = json!({"data": {"A": "1", "B": "2"}, "binaryData": {"K": "AA=="}});
    let b = json!({"data": {"A": "1", "B": "3"}, "binaryData": {"K": "AA=="}});
    assert_eq!(similarity(&a, &b), 2);
    assert_eq!(similarity(&a, &json!({})), 0);
}

#[test]
fn a_new_job_of_a_cron_job_is_not_paired_with_one_that_stays() {
    let job = |name: &str| {
        object_in(
            "batch/v1",
            "Job",
            "p",
            name,
            json!({"metadata": owned_by("CronJob", "nightly"),
            "spec": {"template": {"spec": {"containers": [{"name": "run", "image": "job:1"}]}}}}),
        )
    };
    let cron = object_in(
        "batch/v1",
        "CronJob",
        "p",
        "nightly",
        json!({"spec": {"schedule": "0 1 * * *"}}),
    );
    let analysis = analysis_of(
        vec![cron.clone(), job("nightly-100")],
        vec![cron, job("nightly-100"), job("nightly-200")],
    );
    let new_job = entry(&analysis, "Job", "nightly-200");
    assert_eq!(new_job.change, ObjectChange::Added);
    assert_eq!(
        words(new_job).as_deref(),
        Some("new job of CronJob nightly")
    );
}

#[test]
fn a_scaled_down_controller_is_found_in_its_own_namespace() {
    let dc = |namespace: &str| {
        object_in(
            "apps.openshift.io/v1",
            "DeploymentConfig",
            namespace,
            "web",
            json!({"spec": {"replicas": 1}}),
        )
    };
    let rc = |namespace: &str, name: &str, version: &str| {
        object_in(
            "v1",
            "ReplicationController",
            namespace,
            name,
            json!({
            "metadata": {"annotations": {"openshift.io/deployment-config.name": "web",
                "openshift.io/deployment-config.latest-version": version},
                "ownerReferences": owned_by("DeploymentConfig", "web")["ownerReferences"]},
            "spec": {"replicas": 0}}),
        )
    };
    let old = vec![
        dc("a"),
        dc("b"),
        rc("a", "web-1", "1"),
        rc("b", "web-5", "5"),
    ];
    let mut new = vec![
        dc("a"),
        dc("b"),
        rc("a", "web-1", "1"),
        rc("b", "web-5", "5"),
    ];
    new.push(rc("a", "web-2", "2"));
    let analysis = analysis_of(old, new);
    let pair = analysis
        .entries
        .iter()
        .find(|e| e.key.kind == "ReplicationController" && e.key.name == "web-2")
        .unwrap();
    assert_eq!(pair.key.namespace, "a");
    assert_eq!(pair.old_name(), Some("web-1"));
}

/// A replaced controller is churn only while every change it shows is: a label someone
/// changed on the new one is not.
#[test]
fn a_replaced_controller_with_a_change_of_its_own_is_not_churn() {
    let dc = object_in(
        "apps.openshift.io/v1",
        "DeploymentConfig",
        "p",
        "web",
        json!({"spec": {"replicas": 1}}),
    );
    let rc = |name: &str, version: &str, team: &str| {
        object_in(
            "v1",
            "ReplicationController",
            "p",
            name,
            json!({
            "metadata": {"labels": {"team": team}, "annotations": {
                "openshift.io/deployment-config.name": "web",
                "openshift.io/deployment-config.latest-version": version},
                "ownerReferences": owned_by("DeploymentConfig", "web")["ownerReferences"]},
            "spec": {"replicas": 1}}),
        )
    };
    let analysis = analysis_of(
        vec![dc.clone(), rc("web-1", "1", "a")],
        vec![dc, rc("web-2", "2", "b")],
    );
    let pair = entry(&analysis, "ReplicationController", "web-1 → web-2");
    assert_eq!(pair.category, Category::Churn);
    let visible: Vec<String> = pair.visible().map(|f| f.change.path.human()).collect();
    assert_eq!(visible, ["metadata.labels.team"]);
    let categories: Vec<Category> = pair.visible().map(|f| f.category).collect();
    assert_eq!(categories, [Category::Metadata]);
    assert!(!pair.is_churn());
}

#[test]
fn stateful_set_pods_follow_their_owner_and_new_ones_are_new() {
    let set = |image: &str| {
        object_in(
            "apps/v1",
            "StatefulSet",
            "p",
            "db",
            json!({"spec": {"template": {"spec":
            {"containers": [{"name": "db", "image": image}]}}}}),
        )
    };
    let pod = |name: &str, image: &str| {
        object_in(
            "v1",
            "Pod",
            "p",
            name,
            json!({"metadata": owned_by("StatefulSet", "db"),
            "spec": {"containers": [{"name": "db", "image": image}]}}),
        )
    };
    let analysis = analysis_of(
        vec![set("db:1"), pod("db-0", "db:1")],
        vec![set("db:2"), pod("db-0", "db:2"), pod("db-1", "db:2")],
    );
    let updated = entry(&analysis, "Pod", "db-0");
    assert_eq!(
        words(updated).as_deref(),
        Some("updated with StatefulSet db")
    );
    assert_eq!(updated.category, Category::Churn);
    let added = entry(&analysis, "Pod", "db-1");
    assert_eq!(added.change, ObjectChange::Added);
    assert_eq!(words(added).as_deref(), Some("new pod of StatefulSet db"));
}

#[test]
fn only_changes_below_the_template_are_seen_relative_to_it() {
    let old = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"template": {"spec": {"x": 1}}}});
    let new = json!({"metadata": {"labels": {"a": "2"}}, "spec": {"template": {"spec": {"x": 2}}}});
    let signatures: Vec<Option<String>> = diff(
        "ReplicationController",
        &old,
        &new,
        &ValueOptions::default(),
    )
    .iter()
    .map(relative_signature)
    .collect();
    assert_eq!(signatures.len(), 2);
    assert!(signatures.contains(&None));
    assert!(signatures.contains(&Some(
        "spec.x\u{0}Some(Number(1))\u{0}Some(Number(2))".to_string()
    )));
}

#[test]
fn kustomize_suffixes() {
    assert_eq!(hash_base("web-config-9bfbmfgt2f"), Some("web-config"));
    assert_eq!(hash_base("web-config-296567ccmt"), Some("web-config"));
    assert_eq!(hash_base("web-config"), None);
    assert_eq!(hash_base("web-config-abcdefghij"), None);
}

#[test]
fn name_patterns() {
    assert_eq!(pattern(&["web-3-abcde", "web-3-fghij"]), "web-3-*");
    assert_eq!(pattern(&["web-4-x7k2p", "web-4-q9w8e"]), "web-4-*");
}
