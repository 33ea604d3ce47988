//! kubectl's familiar columns for built-in kinds, computed the way the API server's printers
//! (`pkg/printers/internalversion/printers.go`, and OpenShift's for its kinds) compute them.
//! One table: a kind's column definitions beside the function that fills its cells.

use serde_json::{Value, json};

mod openshift;
mod workloads;

use openshift::{BUILD_CONFIG, DEPLOYMENT_CONFIG, ROUTE, build_config, deployment_config, route};
use workloads::{
    CRON_JOB, DAEMON_SET, DEPLOYMENT, JOB, REPLICA_SET, STATEFUL_SET, cron_job, daemon_set,
    deployment, job, replica_set, stateful_set,
};

use super::{Def, age_of, name_of, text};

/// Fills the cells of one row: the object, and the time ages count to.
type Cells = fn(&Value, i64) -> Vec<Value>;

const NAME: Def = ("Name", "string", "name", 0);
const AGE: Def = ("Age", "string", "", 0);

/// The columns of `(group, kind)`, and what fills them.
pub(super) fn printer(group: &str, kind: &str) -> (&'static [Def], Cells) {
    match (group, kind) {
        ("", "Pod") => (POD, pod),
        ("apps", "Deployment") => (DEPLOYMENT, deployment),
        ("apps", "ReplicaSet") | ("", "ReplicationController") => (REPLICA_SET, replica_set),
        ("apps", "StatefulSet") => (STATEFUL_SET, stateful_set),
        ("apps", "DaemonSet") => (DAEMON_SET, daemon_set),
        ("", "Service") => (SERVICE, service),
        ("", "PersistentVolumeClaim") => (PVC, pvc),
        ("", "Node") => (NODE, node),
        ("", "Namespace") => (NAMESPACE, namespace),
        ("", "ConfigMap") => (CONFIG_MAP, config_map),
        ("", "Secret") => (SECRET, secret),
        ("batch", "Job") => (JOB, job),
        ("batch", "CronJob") => (CRON_JOB, cron_job),
        ("apps.openshift.io", "DeploymentConfig") => (DEPLOYMENT_CONFIG, deployment_config),
        ("route.openshift.io", "Route") => (ROUTE, route),
        ("build.openshift.io", "BuildConfig") => (BUILD_CONFIG, build_config),
        ("networking.k8s.io", "Ingress") => (INGRESS, ingress),
        _ => (&[NAME, AGE], name_age),
    }
}

fn name_age(object: &Value, now: i64) -> Vec<Value> {
    vec![json!(name_of(object)), age(object, now)]
}

fn age(object: &Value, now: i64) -> Value {
    json!(age_of(text(object, "/metadata/creationTimestamp"), now))
}

fn int(object: &Value, pointer: &str) -> i64 {
    object.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn len(object: &Value, pointer: &str) -> usize {
    match object.pointer(pointer) {
        Some(Value::Array(items)) => items.len(),
        Some(Value::Object(map)) => map.len(),
        _ => 0,
    }
}

/// A map of labels as kubectl prints it, `k=v,k=v` (values that are not strings left out); empty
/// when there is none.
fn label_list(labels: Option<&Value>) -> String {
    labels
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| Some(format!("{k}={}", v.as_str()?)))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

fn or_none(text: &str) -> String {
    if text.is_empty() {
        "<none>".into()
    } else {
        text.into()
    }
}

const POD: &[Def] = &[
    NAME,
    ("Ready", "string", "", 0),
    ("Status", "string", "", 0),
    ("Restarts", "string", "", 0),
    AGE,
    ("IP", "string", "", 1),
    ("Node", "string", "", 1),
];

/// READY, STATUS and RESTARTS as `printPod` computes them.
fn pod(object: &Value, now: i64) -> Vec<Value> {
    let total = len(object, "/spec/containers");
    let mut reason = text(object, "/status/phase").to_string();
    if !text(object, "/status/reason").is_empty() {
        reason = text(object, "/status/reason").to_string();
    }
    let (mut restarts, mut ready, mut running) = (0, 0, false);
    let mut last_restart: Option<String> = None;
    let mut initializing = false;
    let init = object
        .pointer("/status/initContainerStatuses")
        .and_then(Value::as_array);
    let init_total = len(object, "/spec/initContainers");
    for (i, status) in init.into_iter().flatten().enumerate() {
        restarts = int(status, "/restartCount").saturating_add(restarts);
        let terminated = status.pointer("/state/terminated");
        let waiting = text(status, "/state/waiting/reason");
        if terminated.is_some_and(|t| int(t, "/exitCode") == 0) {
            continue;
        }
        initializing = true;
        reason = if let Some(t) = terminated {
            match text(t, "/reason") {
                "" => format!("Init:ExitCode:{}", int(t, "/exitCode")),
                r => format!("Init:{r}"),
            }
        } else if !waiting.is_empty() && waiting != "PodInitializing" {
            format!("Init:{waiting}")
        } else {
            format!("Init:{i}/{init_total}")
        };
        break;
    }
    let statuses = object
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array);
    if !initializing {
        restarts = 0;
        for status in statuses.into_iter().flatten().rev() {
            restarts = int(status, "/restartCount").saturating_add(restarts);
            let finished = text(status, "/lastState/terminated/finishedAt");
            if !finished.is_empty() && last_restart.as_deref().is_none_or(|l| finished > l) {
                last_restart = Some(finished.to_string());
            }
            let waiting = text(status, "/state/waiting/reason");
            if !waiting.is_empty() {
                reason = waiting.to_string();
            } else if let Some(t) = status.pointer("/state/terminated") {
                reason = match (text(t, "/reason"), int(t, "/signal")) {
                    ("", 0) => format!("ExitCode:{}", int(t, "/exitCode")),
                    ("", signal) => format!("Signal:{signal}"),
                    (r, _) => r.to_string(),
                };
            } else if status.get("ready") == Some(&Value::Bool(true))
                && status.pointer("/state/running").is_some()
            {
                running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && running {
            reason = if pod_ready(object) {
                "Running"
            } else {
                "NotReady"
            }
            .into();
        }
    }
    if object.pointer("/metadata/deletionTimestamp").is_some() {
        reason = if text(object, "/status/reason") == "NodeLost" {
            "Unknown"
        } else {
            "Terminating"
        }
        .into();
    }
    let restarts = match last_restart {
        Some(at) if restarts > 0 => format!("{restarts} ({} ago)", age_of(&at, now)),
        _ => restarts.to_string(),
    };
    vec![
        json!(name_of(object)),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts),
        age(object, now),
        json!(or_none(text(object, "/status/podIP"))),
        json!(or_none(text(object, "/spec/nodeName"))),
    ]
}

fn pod_ready(object: &Value) -> bool {
    condition(object, "Ready") == "True"
}

/// The status of the condition of `kind` in `status.conditions`, or `""`.
fn condition<'a>(object: &'a Value, kind: &str) -> &'a str {
    object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|all| all.iter().find(|c| text(c, "/type") == kind))
        .map_or("", |c| text(c, "/status"))
}

const SERVICE: &[Def] = &[
    NAME,
    ("Type", "string", "", 0),
    ("Cluster-IP", "string", "", 0),
    ("External-IP", "string", "", 0),
    ("Port(s)", "string", "", 0),
    AGE,
    ("Selector", "string", "", 1),
];

fn service(object: &Value, now: i64) -> Vec<Value> {
    let kind = match text(object, "/spec/type") {
        "" => "ClusterIP",
        other => other,
    };
    let strings = |pointer: &str| -> Vec<String> {
        object
            .pointer(pointer)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let external_ips = strings("/spec/externalIPs");
    let external = match kind {
        "ClusterIP" | "NodePort" => or_none(&external_ips.join(",")),
        "ExternalName" => text(object, "/spec/externalName").to_string(),
        _ => {
            let mut all: Vec<String> = object
                .pointer("/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|i| match text(i, "/ip") {
                    "" => text(i, "/hostname").to_string(),
                    ip => ip.to_string(),
                })
                .collect();
            all.extend(external_ips);
            if all.is_empty() {
                "<pending>".into()
            } else {
                all.join(",")
            }
        }
    };
    let ports: Vec<String> = object
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            let protocol = match text(p, "/protocol") {
                "" => "TCP",
                other => other,
            };
            match int(p, "/nodePort") {
                0 => format!("{}/{protocol}", int(p, "/port")),
                node => format!("{}:{node}/{protocol}", int(p, "/port")),
            }
        })
        .collect();
    let selector = label_list(object.pointer("/spec/selector"));
    vec![
        json!(name_of(object)),
        json!(kind),
        json!(or_none(text(object, "/spec/clusterIP"))),
        json!(external),
        json!(or_none(&ports.join(","))),
        age(object, now),
        json!(or_none(&selector)),
    ]
}

const PVC: &[Def] = &[
    NAME,
    ("Status", "string", "", 0),
    ("Volume", "string", "", 0),
    ("Capacity", "string", "", 0),
    ("Access Modes", "string", "", 0),
    ("StorageClass", "string", "", 0),
    AGE,
    ("VolumeMode", "string", "", 1),
];

fn pvc(object: &Value, now: i64) -> Vec<Value> {
    let modes: Vec<&str> = object
        .pointer("/status/accessModes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| match m.as_str()? {
            "ReadWriteOnce" => Some("RWO"),
            "ReadOnlyMany" => Some("ROX"),
            "ReadWriteMany" => Some("RWX"),
            "ReadWriteOncePod" => Some("RWOP"),
            _ => None,
        })
        .collect();
    let class = match text(object, "/spec/storageClassName") {
        "" => text(
            object,
            "/metadata/annotations/volume.beta.kubernetes.io~1storage-class",
        ),
        class => class,
    };
    vec![
        json!(name_of(object)),
        json!(text(object, "/status/phase")),
        json!(text(object, "/spec/volumeName")),
        json!(text(object, "/status/capacity/storage")),
        json!(modes.join(",")),
        json!(or_none(class)),
        age(object, now),
        json!(or_none(text(object, "/spec/volumeMode"))),
    ]
}

const NODE: &[Def] = &[
    NAME,
    ("Status", "string", "", 0),
    ("Roles", "string", "", 0),
    AGE,
    ("Version", "string", "", 0),
    ("Internal-IP", "string", "", 1),
    ("OS-Image", "string", "", 1),
    ("Kernel-Version", "string", "", 1),
    ("Container-Runtime", "string", "", 1),
];

fn node(object: &Value, now: i64) -> Vec<Value> {
    let mut status = match condition(object, "Ready") {
        "True" => "Ready",
        "" => "Unknown",
        _ => "NotReady",
    }
    .to_string();
    if object.pointer("/spec/unschedulable") == Some(&Value::Bool(true)) {
        status.push_str(",SchedulingDisabled");
    }
    let mut roles: Vec<&str> = object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(
            |(key, value)| match key.strip_prefix("node-role.kubernetes.io/") {
                Some(role) if !role.is_empty() => Some(role),
                _ if key == "kubernetes.io/role" => value.as_str(),
                _ => None,
            },
        )
        .collect();
    roles.sort_unstable();
    roles.dedup();
    let internal = object
        .pointer("/status/addresses")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find(|x| text(x, "/type") == "InternalIP"))
        .map_or("", |x| text(x, "/address"));
    let info = |field: &str| json!(text(object, &format!("/status/nodeInfo/{field}")));
    vec![
        json!(name_of(object)),
        json!(status),
        json!(or_none(&roles.join(","))),
        age(object, now),
        info("kubeletVersion"),
        json!(or_none(internal)),
        info("osImage"),
        info("kernelVersion"),
        info("containerRuntimeVersion"),
    ]
}

const NAMESPACE: &[Def] = &[NAME, ("Status", "string", "", 0), AGE];

fn namespace(object: &Value, now: i64) -> Vec<Value> {
    let phase = match text(object, "/status/phase") {
        "" => "Active",
        phase => phase,
    };
    vec![json!(name_of(object)), json!(phase), age(object, now)]
}

const CONFIG_MAP: &[Def] = &[NAME, ("Data", "integer", "", 0), AGE];

fn config_map(object: &Value, now: i64) -> Vec<Value> {
    let data = len(object, "/data") + len(object, "/binaryData");
    vec![json!(name_of(object)), json!(data), age(object, now)]
}

const SECRET: &[Def] = &[
    NAME,
    ("Type", "string", "", 0),
    ("Data", "integer", "", 0),
    AGE,
];

fn secret(object: &Value, now: i64) -> Vec<Value> {
    vec![
        json!(name_of(object)),
        json!(text(object, "/type")),
        json!(len(object, "/data")),
        age(object, now),
    ]
}

const INGRESS: &[Def] = &[
    NAME,
    ("Class", "string", "", 0),
    ("Hosts", "string", "", 0),
    ("Address", "string", "", 0),
    ("Ports", "string", "", 0),
    AGE,
];

/// Hosts of its rules (`*` for a rule without one), the load balancer's addresses, `80` or
/// `80, 443` with TLS.
fn ingress(object: &Value, now: i64) -> Vec<Value> {
    let rules = object
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let hosts: Vec<&str> = rules
        .iter()
        .map(|r| match text(r, "/host") {
            "" => "*",
            host => host,
        })
        .collect();
    let addresses: Vec<&str> = object
        .pointer("/status/loadBalancer/ingress")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|i| match text(i, "/ip") {
            "" => text(i, "/hostname"),
            ip => ip,
        })
        .collect();
    let ports = if len(object, "/spec/tls") > 0 {
        "80, 443"
    } else {
        "80"
    };
    vec![
        json!(name_of(object)),
        json!(or_none(text(object, "/spec/ingressClassName"))),
        json!(if hosts.is_empty() {
            "*".to_string()
        } else {
            hosts.join(",")
        }),
        json!(addresses.join(",")),
        json!(ports),
        age(object, now),
    ]
}
