//! Workloads: deployments, replica sets and replication controllers, stateful sets, daemon sets,
//! jobs and cron jobs, with their `-o wide` columns (containers, images, selector).

use serde_json::{Value, json};

use super::{AGE, NAME, age, condition, int, label_list, len, or_none};
use crate::serve::table::{Def, age_of, name_of, text};

/// The containers' names and images, and the selector: the `-o wide` columns of workloads.
fn wide(object: &Value, containers: &str, selector: &str) -> [Value; 3] {
    let list = object
        .pointer(containers)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let join = |field: &str| {
        list.iter()
            .map(|c| c.get(field).and_then(Value::as_str).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(",")
    };
    // A label selector's matchLabels, or a plain map (ReplicationControllers, DeploymentConfigs).
    let selector = object
        .pointer(selector)
        .map(|s| s.get("matchLabels").filter(|m| m.is_object()).unwrap_or(s));
    let selector = label_list(selector);
    [
        json!(join("name")),
        json!(join("image")),
        json!(or_none(&selector)),
    ]
}

const WORKLOAD_WIDE: [Def; 3] = [
    ("Containers", "string", "", 1),
    ("Images", "string", "", 1),
    ("Selector", "string", "", 1),
];

pub(super) const DEPLOYMENT: &[Def] = &[
    NAME,
    ("Ready", "string", "", 0),
    ("Up-to-date", "integer", "", 0),
    ("Available", "integer", "", 0),
    AGE,
    WORKLOAD_WIDE[0],
    WORKLOAD_WIDE[1],
    WORKLOAD_WIDE[2],
];

pub(super) fn deployment(object: &Value, now: i64) -> Vec<Value> {
    let mut cells = vec![
        json!(name_of(object)),
        json!(format!(
            "{}/{}",
            int(object, "/status/readyReplicas"),
            int(object, "/spec/replicas")
        )),
        json!(int(object, "/status/updatedReplicas")),
        json!(int(object, "/status/availableReplicas")),
        age(object, now),
    ];
    cells.extend(wide(
        object,
        "/spec/template/spec/containers",
        "/spec/selector",
    ));
    cells
}

pub(super) const REPLICA_SET: &[Def] = &[
    NAME,
    ("Desired", "integer", "", 0),
    ("Current", "integer", "", 0),
    ("Ready", "integer", "", 0),
    AGE,
    WORKLOAD_WIDE[0],
    WORKLOAD_WIDE[1],
    WORKLOAD_WIDE[2],
];

pub(super) fn replica_set(object: &Value, now: i64) -> Vec<Value> {
    let mut cells = vec![
        json!(name_of(object)),
        json!(int(object, "/spec/replicas")),
        json!(int(object, "/status/replicas")),
        json!(int(object, "/status/readyReplicas")),
        age(object, now),
    ];
    cells.extend(wide(
        object,
        "/spec/template/spec/containers",
        "/spec/selector",
    ));
    cells
}

pub(super) const STATEFUL_SET: &[Def] = &[
    NAME,
    ("Ready", "string", "", 0),
    AGE,
    WORKLOAD_WIDE[0],
    WORKLOAD_WIDE[1],
];

pub(super) fn stateful_set(object: &Value, now: i64) -> Vec<Value> {
    let [containers, images, _] = wide(object, "/spec/template/spec/containers", "/spec/selector");
    vec![
        json!(name_of(object)),
        json!(format!(
            "{}/{}",
            int(object, "/status/readyReplicas"),
            int(object, "/spec/replicas")
        )),
        age(object, now),
        containers,
        images,
    ]
}

pub(super) const DAEMON_SET: &[Def] = &[
    NAME,
    ("Desired", "integer", "", 0),
    ("Current", "integer", "", 0),
    ("Ready", "integer", "", 0),
    ("Up-to-date", "integer", "", 0),
    ("Available", "integer", "", 0),
    ("Node Selector", "string", "", 0),
    AGE,
    WORKLOAD_WIDE[0],
    WORKLOAD_WIDE[1],
    WORKLOAD_WIDE[2],
];

pub(super) fn daemon_set(object: &Value, now: i64) -> Vec<Value> {
    let selector = label_list(object.pointer("/spec/template/spec/nodeSelector"));
    let mut cells = vec![json!(name_of(object))];
    for field in [
        "desiredNumberScheduled",
        "currentNumberScheduled",
        "numberReady",
        "updatedNumberScheduled",
        "numberAvailable",
    ] {
        cells.push(json!(int(object, &format!("/status/{field}"))));
    }
    cells.push(json!(or_none(&selector)));
    cells.push(age(object, now));
    cells.extend(wide(
        object,
        "/spec/template/spec/containers",
        "/spec/selector",
    ));
    cells
}

pub(super) const JOB: &[Def] = &[
    NAME,
    ("Status", "string", "", 0),
    ("Completions", "string", "", 0),
    ("Duration", "string", "", 0),
    AGE,
    WORKLOAD_WIDE[0],
    WORKLOAD_WIDE[1],
    WORKLOAD_WIDE[2],
];

pub(super) fn job(object: &Value, now: i64) -> Vec<Value> {
    let status = if condition(object, "Complete") == "True" {
        "Complete"
    } else if condition(object, "Failed") == "True" {
        "Failed"
    } else if condition(object, "Suspended") == "True" {
        "Suspended"
    } else if condition(object, "FailureTarget") == "True" {
        "FailureTarget"
    } else {
        "Running"
    };
    let succeeded = int(object, "/status/succeeded");
    let completions = match object.pointer("/spec/completions").and_then(Value::as_i64) {
        Some(n) => format!("{succeeded}/{n}"),
        None => match int(object, "/spec/parallelism") {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let start = text(object, "/status/startTime");
    let duration = match (start, text(object, "/status/completionTime")) {
        ("", _) => String::new(),
        (start, "") => age_of(start, now),
        (start, end) => match crate::timestamp::Timestamp::parse_rfc3339(end) {
            Some(end) => age_of(start, end.to_unix()),
            None => String::new(),
        },
    };
    let mut cells = vec![
        json!(name_of(object)),
        json!(status),
        json!(completions),
        json!(duration),
        age(object, now),
    ];
    cells.extend(wide(
        object,
        "/spec/template/spec/containers",
        "/spec/selector",
    ));
    cells
}

pub(super) const CRON_JOB: &[Def] = &[
    NAME,
    ("Schedule", "string", "", 0),
    ("Timezone", "string", "", 0),
    ("Suspend", "boolean", "", 0),
    ("Active", "integer", "", 0),
    ("Last Schedule", "string", "", 0),
    AGE,
    WORKLOAD_WIDE[0],
    WORKLOAD_WIDE[1],
    WORKLOAD_WIDE[2],
];

pub(super) fn cron_job(object: &Value, now: i64) -> Vec<Value> {
    let last = match text(object, "/status/lastScheduleTime") {
        "" => "<none>".to_string(),
        at => age_of(at, now),
    };
    let mut cells = vec![
        json!(name_of(object)),
        json!(text(object, "/spec/schedule")),
        json!(or_none(text(object, "/spec/timeZone"))),
        json!(object.pointer("/spec/suspend") == Some(&Value::Bool(true))),
        json!(len(object, "/status/active")),
        json!(last),
        age(object, now),
    ];
    cells.extend(wide(
        object,
        "/spec/jobTemplate/spec/template/spec/containers",
        "/spec/jobTemplate/spec/selector",
    ));
    cells
}
