use super::*;
use crate::analyze::tests::{analysis_of, entry, object};
use serde_json::json;

fn culprit<'a>(culprits: &'a [Culprit], label: &str) -> &'a Culprit {
    culprits
        .iter()
        .find(|c| c.label == label)
        .unwrap_or_else(|| panic!("no culprit {label}: {culprits:?}"))
}

#[test]
fn added_and_removed_objects_rank_by_kind_and_say_which() {
    let analysis = analysis_of(
        vec![object(
            "v1",
            "ConfigMap",
            "old-settings",
            json!({"data": {"a": "1"}}),
        )],
        vec![
            object(
                "v1",
                "Service",
                "web",
                json!({"spec": {"selector": {"app": "web"}}}),
            ),
            object(
                "rbac.authorization.k8s.io/v1",
                "Role",
                "reader",
                json!({"rules": []}),
            ),
            object(
                "v1",
                "ResourceQuota",
                "pods",
                json!({"spec": {"hard": {"pods": "10"}}}),
            ),
        ],
    );
    let culprits = &analysis.culprits;
    let service = culprit(culprits, "Service p/web");
    assert_eq!(
        (service.category, service.reason.as_str()),
        (Category::Access, "added")
    );
    let role = culprit(culprits, "Role p/reader");
    assert_eq!(
        (role.category, role.reason.as_str()),
        (Category::Access, "added")
    );
    let quota = culprit(culprits, "ResourceQuota p/pods");
    assert_eq!(quota.category, Category::Quota);
    let gone = culprit(culprits, "ConfigMap p/old-settings");
    assert_eq!(
        (gone.category, gone.reason.as_str()),
        (Category::Spec, "removed")
    );
}

/// Only a container's image, named by an automatic trigger, is the trigger's doing; an image
/// volume of the same name is a change someone made.
#[test]
fn a_triggered_image_is_a_containers_image() {
    let dc = |image: &str, volume_image: &str| {
        object(
            "apps.openshift.io/v1",
            "DeploymentConfig",
            "web",
            json!({"spec": {
            "triggers": [{"type": "ImageChange", "imageChangeParams": {"automatic": true,
                "containerNames": ["web"], "from": {"kind": "ImageStreamTag", "name": "web:latest"}}}],
            "template": {"spec": {
                "containers": [{"name": "web", "image": image}],
                "volumes": [{"name": "web", "image": volume_image}]}}}}),
        )
    };
    let analysis = analysis_of(
        vec![dc("web@sha256:aaa", "data:1")],
        vec![dc("web@sha256:bbb", "data:2")],
    );
    let categories: Vec<(String, Category)> = entry(&analysis, "DeploymentConfig", "web")
        .visible()
        .map(|f| (f.change.path.human(), f.category))
        .collect();
    assert_eq!(
        categories,
        [
            (
                "spec.template.spec.containers[web].image".to_string(),
                Category::TriggeredImage
            ),
            (
                "spec.template.spec.volumes[web].image".to_string(),
                Category::RolloutTrigger
            ),
        ]
    );
}

/// A trigger rewrites an image only when it is automatic and names the container.
#[test]
fn a_manual_or_other_containers_trigger_rewrites_nothing() {
    let dc = |name: &str, automatic: bool, container: &str, image: &str| {
        object(
            "apps.openshift.io/v1",
            "DeploymentConfig",
            name,
            json!({"spec": {
            "triggers": [{"type": "ImageChange", "imageChangeParams": {"automatic": automatic,
                "containerNames": [container], "from": {"kind": "ImageStreamTag", "name": "web:latest"}}}],
            "template": {"spec": {"containers": [{"name": "web", "image": image}]}}}}),
        )
    };
    let analysis = analysis_of(
        vec![
            dc("manual", false, "web", "web:1"),
            dc("sidecar", true, "proxy", "web:1"),
        ],
        vec![
            dc("manual", false, "web", "web:2"),
            dc("sidecar", true, "proxy", "web:2"),
        ],
    );
    for name in ["manual", "sidecar"] {
        let categories: Vec<Category> = entry(&analysis, "DeploymentConfig", name)
            .visible()
            .map(|f| f.category)
            .collect();
        assert_eq!(categories, [Category::RolloutTrigger], "{name}");
    }
}

/// Selectors and ports are where a Service sends traffic; the same fields of another kind
/// are other spec changes.
#[test]
fn only_a_services_selector_is_access() {
    let with_selector = |kind: &str, api: &str, app: &str| {
        object(
            api,
            kind,
            "web",
            json!({"spec": {"selector": {"matchLabels": {"app": app}}}}),
        )
    };
    let analysis = analysis_of(
        vec![
            with_selector("Service", "v1", "web"),
            with_selector("PodDisruptionBudget", "policy/v1", "web"),
        ],
        vec![
            with_selector("Service", "v1", "web2"),
            with_selector("PodDisruptionBudget", "policy/v1", "web2"),
        ],
    );
    assert_eq!(
        entry(&analysis, "Service", "web").category,
        Category::Access
    );
    assert_eq!(
        entry(&analysis, "PodDisruptionBudget", "web").category,
        Category::Spec
    );
}

/// "Already so" only for the same pod differing the same way in the old snapshot.
#[test]
fn a_pod_edit_is_old_only_if_the_same_pod_differed_the_same_way() {
    use crate::diff::value::{ValueOptions, diff};
    let pod = |name: &str| crate::snapshot::ObjectKey {
        namespace: "p".into(),
        kind: "Pod".into(),
        group: String::new(),
        name: name.into(),
    };
    let edit = |image: &str| {
        diff(
            "Pod",
            &json!({"spec": {"containers": [{"name": "web", "image": "web:1"}]}}),
            &json!({"spec": {"containers": [{"name": "web", "image": image}]}}),
            &ValueOptions::default(),
        )
    };
    let mismatch = |name: &str, image: &str| Mismatch {
        object: pod(name),
        grants: Vec::new(),
        owner: Owner::new("ReplicationController", "web-4"),
        changes: edit(image),
    };
    let now = mismatch("web-4-x7k2p", "debug:1");
    let reason = |earlier: &[Mismatch]| mismatch_culprit(&now, earlier).reason;
    assert!(
        reason(&[mismatch("web-4-x7k2p", "debug:1")]).ends_with("(already so in the old snapshot)")
    );
    for earlier in [
        mismatch("web-4-x7k2p", "debug:0"),
        mismatch("web-4-q9w8e", "debug:1"),
    ] {
        assert!(reason(&[earlier]).ends_with("edited by hand?"));
    }
}

/// Within a category, a change a person made by hand comes before the report's order.
#[test]
fn a_change_by_hand_ranks_first_within_its_category() {
    let deployment = |name: &str, image: &str, manager: &str| {
        object(
            "apps/v1",
            "Deployment",
            name,
            json!({
            "metadata": {"managedFields": [{"manager": manager, "operation": "Update",
                "apiVersion": "apps/v1", "time": "2026-11-24T14:02:00Z", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers":
                    {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}}}}}}}}]},
            "spec": {"template": {"spec": {"containers": [{"name": "web", "image": image}]}}}}),
        )
    };
    let analysis = analysis_of(
        vec![
            deployment("api", "api:1", "argocd-controller"),
            deployment("web", "web:1", "argocd-controller"),
        ],
        vec![
            deployment("api", "api:2", "argocd-controller"),
            deployment("web", "web:2", "kubectl-edit"),
        ],
    );
    let labels: Vec<&str> = analysis.culprits.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["Deployment p/web", "Deployment p/api"]);
    assert!(
        analysis.culprits[0]
            .reason
            .contains("changed by hand (kubectl-edit"),
        "{}",
        analysis.culprits[0].reason
    );
}
