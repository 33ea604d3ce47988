//! OpenShift's kinds, as `oc get` prints them: DeploymentConfigs, BuildConfigs and Routes.

use serde_json::{Value, json};

use super::{NAME, int};
use crate::serve::table::{Def, name_of, text};

pub(super) const DEPLOYMENT_CONFIG: &[Def] = &[
    NAME,
    ("Revision", "integer", "", 0),
    ("Desired", "integer", "", 0),
    ("Current", "integer", "", 0),
    ("Triggered By", "string", "", 0),
];

/// OpenShift's `oc get dc`: the latest version, replicas, and what triggers a rollout.
pub(super) fn deployment_config(object: &Value, _now: i64) -> Vec<Value> {
    let triggers: Vec<String> = object
        .pointer("/spec/triggers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|t| match text(t, "/type") {
            "ConfigChange" => Some("config".to_string()),
            "ImageChange" => {
                let from = text(t, "/imageChangeParams/from/name");
                let name = from.split_once(':').map_or(from, |(n, _)| n);
                Some(format!("image({name})"))
            }
            _ => None,
        })
        .collect();
    let triggered = if triggers.is_empty() {
        "manual".to_string()
    } else {
        triggers.join(",")
    };
    vec![
        json!(name_of(object)),
        json!(int(object, "/status/latestVersion")),
        json!(int(object, "/spec/replicas")),
        json!(int(object, "/status/replicas")),
        json!(triggered),
    ]
}

pub(super) const ROUTE: &[Def] = &[
    NAME,
    ("Host/Port", "string", "", 0),
    ("Path", "string", "", 0),
    ("Services", "string", "", 0),
    ("Port", "string", "", 0),
    ("Termination", "string", "", 0),
    ("Wildcard", "string", "", 0),
];

/// OpenShift's `oc get route`.
pub(super) fn route(object: &Value, _now: i64) -> Vec<Value> {
    let mut backends = vec![object.pointer("/spec/to").cloned().unwrap_or(Value::Null)];
    if let Some(Value::Array(more)) = object.pointer("/spec/alternateBackends") {
        backends.extend(more.iter().cloned());
    }
    let services = if backends.len() > 1 {
        let total = backends
            .iter()
            .fold(0i64, |sum, b| sum.saturating_add(weight(b)));
        backends
            .iter()
            .map(|b| {
                let percent = if total > 0 {
                    weight(b).saturating_mul(100) / total
                } else {
                    0
                };
                format!("{}({percent}%)", text(b, "/name"))
            })
            .collect::<Vec<_>>()
            .join(",")
    } else {
        text(&backends[0], "/name").to_string()
    };
    let port = match object.pointer("/spec/port/targetPort") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "<all>".into(),
    };
    let termination = match (
        text(object, "/spec/tls/termination"),
        text(object, "/spec/tls/insecureEdgeTerminationPolicy"),
    ) {
        (t, "") => t.to_string(),
        (t, policy) => format!("{t}/{policy}"),
    };
    let wildcard = match text(object, "/spec/wildcardPolicy") {
        "" => "None",
        policy => policy,
    };
    vec![
        json!(name_of(object)),
        json!(text(object, "/spec/host")),
        json!(text(object, "/spec/path")),
        json!(services),
        json!(port),
        json!(termination),
        json!(wildcard),
    ]
}

fn weight(backend: &Value) -> i64 {
    backend
        .get("weight")
        .and_then(Value::as_i64)
        .unwrap_or(100)
        .max(0)
}

pub(super) const BUILD_CONFIG: &[Def] = &[
    NAME,
    ("Type", "string", "", 0),
    ("From", "string", "", 0),
    ("Latest", "integer", "", 0),
];

/// OpenShift's `oc get bc`: the strategy, where the source comes from (`Git@ref`), the last
/// build's number.
pub(super) fn build_config(object: &Value, _now: i64) -> Vec<Value> {
    let from = match text(object, "/spec/source/type") {
        "Git" => match text(object, "/spec/source/git/ref") {
            "" => "Git".to_string(),
            reference => format!("Git@{reference}"),
        },
        other => other.to_string(),
    };
    vec![
        json!(name_of(object)),
        json!(text(object, "/spec/strategy/type")),
        json!(from),
        json!(int(object, "/status/lastVersion")),
    ]
}
