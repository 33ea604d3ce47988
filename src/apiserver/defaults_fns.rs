//! The functions of the conditional entries of the defaults table (`defaults.yaml`): conditions
//! on the place an entry applies to, and values computed from it. Each mirrors one branch of an
//! upstream defaulting function, named in the entry that uses it.
//!
//! The table names them (`when: deployment_rolling`, `computed: template_labels`);
//! [`CONDITIONS`] and [`COMPUTED`] are where those names resolve.

use serde_json::{Value, json};

use super::TypeInfo;
use super::defaults::{Compute, Condition};
use super::image::pull_policy;

// ---- Conditions ------------------------------------------------------------------------------

pub(super) fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

pub(super) fn is_set(value: &Value, pointer: &str) -> bool {
    value.pointer(pointer).is_some_and(|v| !v.is_null())
}

fn not_a_job_pod(_: &Value, t: &TypeInfo) -> bool {
    !(t.group == "batch" && (t.kind == "Job" || t.kind == "CronJob"))
}

fn volume_without_source(volume: &Value, _: &TypeInfo) -> bool {
    volume
        .as_object()
        .is_some_and(|map| map.iter().all(|(k, v)| k == "name" || v.is_null()))
}

fn client_ip_affinity(service: &Value, _: &TypeInfo) -> bool {
    text(service, "/spec/sessionAffinity") == "ClientIP"
}

fn is_load_balancer(service: &Value, _: &TypeInfo) -> bool {
    text(service, "/spec/type") == "LoadBalancer"
}

fn externally_accessible(service: &Value, _: &TypeInfo) -> bool {
    let external_ips = service
        .pointer("/spec/externalIPs")
        .and_then(Value::as_array)
        .is_some_and(|ips| !ips.is_empty());
    matches!(text(service, "/spec/type"), "NodePort" | "LoadBalancer")
        || (text(service, "/spec/type") == "ClusterIP" && external_ips)
}

fn has_cluster_ip_type(service: &Value, _: &TypeInfo) -> bool {
    matches!(
        text(service, "/spec/type"),
        "ClusterIP" | "NodePort" | "LoadBalancer"
    )
}

fn not_external_name(service: &Value, t: &TypeInfo) -> bool {
    has_cluster_ip_type(service, t)
}

fn headless_selectorless(service: &Value, t: &TypeInfo) -> bool {
    let selector_empty = service
        .pointer("/spec/selector")
        .is_none_or(super::is_go_zero);
    not_external_name(service, t) && text(service, "/spec/clusterIP") == "None" && selector_empty
}

fn single_stack_service(service: &Value, t: &TypeInfo) -> bool {
    not_external_name(service, t) && !headless_selectorless(service, t)
}

fn deployment_rolling(object: &Value, _: &TypeInfo) -> bool {
    text(object, "/spec/strategy/type") == "RollingUpdate"
}

fn statefulset_strategy_unset(object: &Value, _: &TypeInfo) -> bool {
    text(object, "/spec/updateStrategy/type").is_empty()
}

fn statefulset_rolling_with_params(object: &Value, _: &TypeInfo) -> bool {
    text(object, "/spec/updateStrategy/type") == "RollingUpdate"
        && object
            .pointer("/spec/updateStrategy/rollingUpdate")
            .is_some_and(Value::is_object)
}

fn daemonset_rolling(object: &Value, _: &TypeInfo) -> bool {
    text(object, "/spec/updateStrategy/type") == "RollingUpdate"
}

fn job_completions_and_parallelism_unset(job: &Value, _: &TypeInfo) -> bool {
    !is_set(job, "/spec/completions") && !is_set(job, "/spec/parallelism")
}

fn has_ingress_class_parameters(object: &Value, _: &TypeInfo) -> bool {
    object
        .pointer("/spec/parameters")
        .is_some_and(Value::is_object)
}

fn has_hpa_behavior(hpa: &Value, _: &TypeInfo) -> bool {
    hpa.pointer("/spec/behavior").is_some_and(Value::is_object)
}

fn route_tls_without_destination_ca(route: &Value, _: &TypeInfo) -> bool {
    route.pointer("/spec/tls").is_some_and(Value::is_object)
        && text(route, "/spec/tls/destinationCACertificate").is_empty()
}

fn dc_rolling(dc: &Value, _: &TypeInfo) -> bool {
    text(dc, "/spec/strategy/type") == "Rolling"
        || dc
            .pointer("/spec/strategy/rollingParams")
            .is_some_and(Value::is_object)
}

fn dc_recreate(dc: &Value, _: &TypeInfo) -> bool {
    text(dc, "/spec/strategy/type") == "Recreate"
        || dc
            .pointer("/spec/strategy/recreateParams")
            .is_some_and(Value::is_object)
}

fn bc_binary_source(bc: &Value, _: &TypeInfo) -> bool {
    text(bc, "/spec/source/type") == "Binary"
}

fn bc_docker_strategy(bc: &Value, _: &TypeInfo) -> bool {
    text(bc, "/spec/strategy/type") == "Docker"
}

// ---- Computed values -------------------------------------------------------------------------

pub(super) fn non_empty_text(value: &Value, pointer: &str) -> Option<Value> {
    let s = text(value, pointer);
    (!s.is_empty()).then(|| Value::from(s))
}

fn service_account_name(spec: &Value, _: &TypeInfo) -> Option<Value> {
    non_empty_text(spec, "/serviceAccountName")
}

fn service_account_alias(spec: &Value, _: &TypeInfo) -> Option<Value> {
    non_empty_text(spec, "/serviceAccount")
}

fn limits(container: &Value, _: &TypeInfo) -> Option<Value> {
    container
        .pointer("/resources/limits")
        .filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
        .cloned()
}

fn container_port(port: &Value, _: &TypeInfo) -> Option<Value> {
    port.get("containerPort").filter(|p| p.is_number()).cloned()
}

fn image_pull_policy(container: &Value, _: &TypeInfo) -> Option<Value> {
    Some(Value::from(pull_policy(text(container, "/image"))))
}

fn service_port(port: &Value, _: &TypeInfo) -> Option<Value> {
    port.get("port").filter(|p| p.is_number()).cloned()
}

fn cluster_ips(service: &Value, _: &TypeInfo) -> Option<Value> {
    non_empty_text(service, "/spec/clusterIP").map(|ip| json!([ip]))
}

fn object_name(object: &Value, _: &TypeInfo) -> Option<Value> {
    non_empty_text(object, "/metadata/name")
}

fn object_namespace(_: &Value, t: &TypeInfo) -> Option<Value> {
    (!t.namespace.is_empty()).then(|| Value::from(t.namespace.as_str()))
}

/// The pod template's labels (`spec.template.metadata.labels`), when it has some.
fn template_labels(object: &Value, _: &TypeInfo) -> Option<Value> {
    object
        .pointer("/spec/template/metadata/labels")
        .filter(|l| l.as_object().is_some_and(|m| !m.is_empty()))
        .cloned()
}

fn selector_from_template(object: &Value, t: &TypeInfo) -> Option<Value> {
    template_labels(object, t).map(|labels| json!({"matchLabels": labels}))
}

fn policy_types(policy: &Value, _: &TypeInfo) -> Option<Value> {
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

fn job_backoff_limit(job: &Value, _: &TypeInfo) -> Option<Value> {
    Some(if is_set(job, "/spec/backoffLimitPerIndex") {
        json!(2_147_483_647)
    } else {
        json!(6)
    })
}

fn job_pod_replacement_policy(job: &Value, _: &TypeInfo) -> Option<Value> {
    Some(if is_set(job, "/spec/podFailurePolicy") {
        json!("Failed")
    } else {
        json!("TerminatingOrFailed")
    })
}

fn subject_api_group(subject: &Value, _: &TypeInfo) -> Option<Value> {
    matches!(text(subject, "/kind"), "User" | "Group").then(|| json!("rbac.authorization.k8s.io"))
}

/// `maxUnavailable`/`maxSurge` of a DeploymentConfig's rolling parameters, by upstream's three
/// cases.
fn dc_surge_and_unavailable(dc: &Value, _: &TypeInfo) -> Option<Value> {
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

// ---- By name, as the table refers to them ---------------------------------------------------

/// The conditions (`when:`), by the name the table gives them.
pub(super) const CONDITIONS: &[(&str, Condition)] = &[
    ("not_a_job_pod", not_a_job_pod),
    ("volume_without_source", volume_without_source),
    ("client_ip_affinity", client_ip_affinity),
    ("is_load_balancer", is_load_balancer),
    ("externally_accessible", externally_accessible),
    ("has_cluster_ip_type", has_cluster_ip_type),
    ("not_external_name", not_external_name),
    ("headless_selectorless", headless_selectorless),
    ("single_stack_service", single_stack_service),
    ("deployment_rolling", deployment_rolling),
    ("statefulset_strategy_unset", statefulset_strategy_unset),
    (
        "statefulset_rolling_with_params",
        statefulset_rolling_with_params,
    ),
    ("daemonset_rolling", daemonset_rolling),
    (
        "job_completions_and_parallelism_unset",
        job_completions_and_parallelism_unset,
    ),
    ("has_ingress_class_parameters", has_ingress_class_parameters),
    ("has_hpa_behavior", has_hpa_behavior),
    (
        "route_tls_without_destination_ca",
        route_tls_without_destination_ca,
    ),
    ("dc_rolling", dc_rolling),
    ("dc_recreate", dc_recreate),
    ("bc_binary_source", bc_binary_source),
    ("bc_docker_strategy", bc_docker_strategy),
];

/// The computed values (`computed:` and `keys:`), by the name the table gives them.
pub(super) const COMPUTED: &[(&str, Compute)] = &[
    ("service_account_name", service_account_name),
    ("service_account_alias", service_account_alias),
    ("limits", limits),
    ("container_port", container_port),
    ("image_pull_policy", image_pull_policy),
    ("service_port", service_port),
    ("cluster_ips", cluster_ips),
    ("object_name", object_name),
    ("object_namespace", object_namespace),
    ("template_labels", template_labels),
    ("selector_from_template", selector_from_template),
    ("policy_types", policy_types),
    ("job_backoff_limit", job_backoff_limit),
    ("job_pod_replacement_policy", job_pod_replacement_policy),
    ("subject_api_group", subject_api_group),
    ("dc_surge_and_unavailable", dc_surge_and_unavailable),
];
