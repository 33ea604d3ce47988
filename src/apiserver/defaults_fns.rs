//! The functions of the conditional entries of [`super::defaults_table::TABLE`]: conditions on
//! the place an entry applies to, and values computed from it. Each mirrors one branch of an
//! upstream defaulting function, named in the entry that uses it.

use serde_json::{Value, json};

use super::TypeInfo;
use super::image::pull_policy;

// ---- Conditions ------------------------------------------------------------------------------

pub(super) fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

pub(super) fn is_set(value: &Value, pointer: &str) -> bool {
    value.pointer(pointer).is_some_and(|v| !v.is_null())
}

pub(super) fn not_a_job_pod(_: &Value, t: &TypeInfo) -> bool {
    !(t.group == "batch" && (t.kind == "Job" || t.kind == "CronJob"))
}

pub(super) fn volume_without_source(volume: &Value, _: &TypeInfo) -> bool {
    volume
        .as_object()
        .is_some_and(|map| map.iter().all(|(k, v)| k == "name" || v.is_null()))
}

pub(super) fn client_ip_affinity(service: &Value, _: &TypeInfo) -> bool {
    text(service, "/spec/sessionAffinity") == "ClientIP"
}

pub(super) fn is_load_balancer(service: &Value, _: &TypeInfo) -> bool {
    text(service, "/spec/type") == "LoadBalancer"
}

pub(super) fn externally_accessible(service: &Value, _: &TypeInfo) -> bool {
    let external_ips = service
        .pointer("/spec/externalIPs")
        .and_then(Value::as_array)
        .is_some_and(|ips| !ips.is_empty());
    matches!(text(service, "/spec/type"), "NodePort" | "LoadBalancer")
        || (text(service, "/spec/type") == "ClusterIP" && external_ips)
}

pub(super) fn has_cluster_ip_type(service: &Value, _: &TypeInfo) -> bool {
    matches!(
        text(service, "/spec/type"),
        "ClusterIP" | "NodePort" | "LoadBalancer"
    )
}

pub(super) fn not_external_name(service: &Value, t: &TypeInfo) -> bool {
    has_cluster_ip_type(service, t)
}

pub(super) fn headless_selectorless(service: &Value, t: &TypeInfo) -> bool {
    let selector_empty = service
        .pointer("/spec/selector")
        .is_none_or(super::is_go_zero);
    not_external_name(service, t) && text(service, "/spec/clusterIP") == "None" && selector_empty
}

pub(super) fn single_stack_service(service: &Value, t: &TypeInfo) -> bool {
    not_external_name(service, t) && !headless_selectorless(service, t)
}

pub(super) fn deployment_rolling(object: &Value, _: &TypeInfo) -> bool {
    text(object, "/spec/strategy/type") == "RollingUpdate"
}

pub(super) fn statefulset_strategy_unset(object: &Value, _: &TypeInfo) -> bool {
    text(object, "/spec/updateStrategy/type").is_empty()
}

pub(super) fn statefulset_rolling_with_params(object: &Value, _: &TypeInfo) -> bool {
    text(object, "/spec/updateStrategy/type") == "RollingUpdate"
        && object
            .pointer("/spec/updateStrategy/rollingUpdate")
            .is_some_and(Value::is_object)
}

pub(super) fn daemonset_rolling(object: &Value, _: &TypeInfo) -> bool {
    text(object, "/spec/updateStrategy/type") == "RollingUpdate"
}

pub(super) fn job_completions_and_parallelism_unset(job: &Value, _: &TypeInfo) -> bool {
    !is_set(job, "/spec/completions") && !is_set(job, "/spec/parallelism")
}

pub(super) fn has_ingress_class_parameters(object: &Value, _: &TypeInfo) -> bool {
    object
        .pointer("/spec/parameters")
        .is_some_and(Value::is_object)
}

pub(super) fn has_hpa_behavior(hpa: &Value, _: &TypeInfo) -> bool {
    hpa.pointer("/spec/behavior").is_some_and(Value::is_object)
}

pub(super) fn route_tls_without_destination_ca(route: &Value, _: &TypeInfo) -> bool {
    route.pointer("/spec/tls").is_some_and(Value::is_object)
        && text(route, "/spec/tls/destinationCACertificate").is_empty()
}

pub(super) fn dc_rolling(dc: &Value, _: &TypeInfo) -> bool {
    text(dc, "/spec/strategy/type") == "Rolling"
        || dc
            .pointer("/spec/strategy/rollingParams")
            .is_some_and(Value::is_object)
}

pub(super) fn dc_recreate(dc: &Value, _: &TypeInfo) -> bool {
    text(dc, "/spec/strategy/type") == "Recreate"
        || dc
            .pointer("/spec/strategy/recreateParams")
            .is_some_and(Value::is_object)
}

pub(super) fn bc_binary_source(bc: &Value, _: &TypeInfo) -> bool {
    text(bc, "/spec/source/type") == "Binary"
}

pub(super) fn bc_docker_strategy(bc: &Value, _: &TypeInfo) -> bool {
    text(bc, "/spec/strategy/type") == "Docker"
}

// ---- Computed values -------------------------------------------------------------------------

pub(super) fn non_empty_text(value: &Value, pointer: &str) -> Option<Value> {
    let s = text(value, pointer);
    (!s.is_empty()).then(|| Value::from(s))
}

pub(super) fn service_account_name(spec: &Value, _: &TypeInfo) -> Option<Value> {
    non_empty_text(spec, "/serviceAccountName")
}

pub(super) fn service_account_alias(spec: &Value, _: &TypeInfo) -> Option<Value> {
    non_empty_text(spec, "/serviceAccount")
}

pub(super) fn limits(container: &Value, _: &TypeInfo) -> Option<Value> {
    container
        .pointer("/resources/limits")
        .filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
        .cloned()
}

pub(super) fn container_port(port: &Value, _: &TypeInfo) -> Option<Value> {
    port.get("containerPort").filter(|p| p.is_number()).cloned()
}

pub(super) fn image_pull_policy(container: &Value, _: &TypeInfo) -> Option<Value> {
    Some(Value::from(pull_policy(text(container, "/image"))))
}

pub(super) fn service_port(port: &Value, _: &TypeInfo) -> Option<Value> {
    port.get("port").filter(|p| p.is_number()).cloned()
}

pub(super) fn cluster_ips(service: &Value, _: &TypeInfo) -> Option<Value> {
    non_empty_text(service, "/spec/clusterIP").map(|ip| json!([ip]))
}

pub(super) fn object_name(object: &Value, _: &TypeInfo) -> Option<Value> {
    non_empty_text(object, "/metadata/name")
}

pub(super) fn object_namespace(_: &Value, t: &TypeInfo) -> Option<Value> {
    (!t.namespace.is_empty()).then(|| Value::from(t.namespace.as_str()))
}

/// The pod template's labels (`spec.template.metadata.labels`), when it has some.
pub(super) fn template_labels(object: &Value, _: &TypeInfo) -> Option<Value> {
    object
        .pointer("/spec/template/metadata/labels")
        .filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
        .cloned()
}

pub(super) fn selector_from_template(object: &Value, t: &TypeInfo) -> Option<Value> {
    template_labels(object, t).map(|labels| json!({"matchLabels": labels}))
}

pub(super) fn policy_types(policy: &Value, _: &TypeInfo) -> Option<Value> {
    let egress = policy
        .pointer("/spec/egress")
        .and_then(Value::as_array)
        .is_some_and(|rules| !rules.is_empty());
    Some(if egress {
        json!(["Ingress", "Egress"])
    } else {
        json!(["Ingress"])
    })
}

pub(super) fn job_backoff_limit(job: &Value, _: &TypeInfo) -> Option<Value> {
    Some(if is_set(job, "/spec/backoffLimitPerIndex") {
        json!(2_147_483_647)
    } else {
        json!(6)
    })
}

pub(super) fn job_pod_replacement_policy(job: &Value, _: &TypeInfo) -> Option<Value> {
    Some(if is_set(job, "/spec/podFailurePolicy") {
        json!("Failed")
    } else {
        json!("TerminatingOrFailed")
    })
}

pub(super) fn subject_api_group(subject: &Value, _: &TypeInfo) -> Option<Value> {
    matches!(text(subject, "/kind"), "User" | "Group").then(|| json!("rbac.authorization.k8s.io"))
}

/// `maxUnavailable`/`maxSurge` of a DeploymentConfig's rolling parameters, by upstream's three
/// cases.
pub(super) fn dc_surge_and_unavailable(dc: &Value, _: &TypeInfo) -> Option<Value> {
    let params = dc.pointer("/spec/strategy/rollingParams");
    let field = |key: &str| params.and_then(|p| p.get(key)).filter(|v| !v.is_null());
    let is_zero = |v: &Value| v == &json!(0) || v == &json!("0%");
    let (unavailable, surge) = (field("maxUnavailable"), field("maxSurge"));
    match (unavailable, surge) {
        (None, None) => Some(json!({"maxUnavailable": "25%", "maxSurge": "25%"})),
        (None, Some(s)) if is_zero(s) => Some(json!({"maxUnavailable": "25%"})),
        (Some(u), None) if is_zero(u) => Some(json!({"maxSurge": "25%"})),
        _ => None,
    }
}
