//! Where a table entry applies inside an object: the pod specs of every workload kind, their
//! containers, probes, ports and volumes, a Service's ports, a binding's subjects, and so on.
//!
//! [`locate`] answers with JSON pointers to the places that exist, read from an immutable
//! object; the caller then fills each with `pointer_mut`, which keeps the borrow simple.

use serde_json::Value;

use super::{TypeInfo, escape};

/// A kind of place in an object where defaults apply (the table's `at` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
pub enum Where {
    /// The object itself.
    Object,
    /// A PodSpec: a Pod's `spec`, a workload's `spec.template.spec`, a CronJob's
    /// `spec.jobTemplate.spec.template.spec`, a PodTemplate's `template.spec`.
    PodSpec,
    /// A pod template (`metadata` and `spec`): a PodSpec's parent in every kind but Pod.
    PodTemplate,
    /// A CronJob's `spec.jobTemplate`.
    JobTemplate,
    /// A container, init container or ephemeral container of a PodSpec.
    Container,
    /// A container's liveness, readiness or startup probe.
    Probe,
    /// An `httpGet` action: of a probe, or of a lifecycle `postStart`/`preStop` handler.
    HttpGet,
    /// A probe's `grpc` action.
    Grpc,
    /// A container's `ports[]` entry.
    ContainerPort,
    /// A `ports[]` entry of a container whose PodSpec has `hostNetwork: true`.
    HostNetworkPort,
    /// An `ObjectFieldSelector` (`fieldRef`) of an env var or a downward API item.
    FieldRef,
    /// A `ResourceFieldSelector` (`resourceFieldRef`) of an env var or a downward API item.
    ResourceFieldRef,
    /// A PodSpec's `volumes[]` entry.
    Volume,
    /// One source of a volume (`secret`, `configMap`, `hostPath`, …), by its key; also a
    /// PersistentVolume's source of that key.
    VolumeSource(#[serde(deserialize_with = "super::defaults::table::volume_source")] &'static str),
    /// A projected volume's `serviceAccountToken` source.
    TokenProjection,
    /// A StatefulSet's `volumeClaimTemplates[]` entry (a whole PersistentVolumeClaim).
    ClaimTemplate,
    /// A PersistentVolumeClaimSpec: a PVC's `spec`, a claim template's, an ephemeral volume's.
    PvcSpec,
    /// A Service's `spec.ports[]` entry.
    ServicePort,
    /// A NetworkPolicy's `ingress[].ports[]` or `egress[].ports[]` entry.
    NetworkPolicyPort,
    /// An Endpoints object's `subsets[].ports[]` entry.
    EndpointPort,
    /// An Ingress's `spec.rules[].http.paths[]` entry.
    IngressPath,
    /// A RoleBinding's or ClusterRoleBinding's `subjects[]` entry.
    Subject,
    /// A webhook configuration's `webhooks[]` entry.
    Webhook,
    /// A webhook's `rules[]` entry.
    WebhookRule,
    /// A webhook's `clientConfig.service`.
    WebhookService,
    /// A Job's `spec.podFailurePolicy.rules[].onPodConditions[]` entry.
    PodFailureCondition,
    /// A Route's `spec.to` or `spec.alternateBackends[]` entry.
    RouteBackend,
    /// A DeploymentConfig's `spec.triggers[].imageChangeParams.from`.
    DcImageTrigger,
    /// A BuildConfig strategy's `from` (source, docker, custom).
    BuildFrom,
    /// An ImageStream's `spec.tags[]` entry.
    ImageStreamTag,
}

/// Where each kind keeps its PodSpec: kind, the API groups it is served in, route.
const POD_SPECS: &[(&str, &[&str], &[&str])] = &[
    ("Pod", &[""], &["spec"]),
    ("PodTemplate", &[""], &["template", "spec"]),
    (
        "ReplicationController",
        &[""],
        &["spec", "template", "spec"],
    ),
    (
        "Deployment",
        &["apps", "extensions"],
        &["spec", "template", "spec"],
    ),
    (
        "ReplicaSet",
        &["apps", "extensions"],
        &["spec", "template", "spec"],
    ),
    (
        "DaemonSet",
        &["apps", "extensions"],
        &["spec", "template", "spec"],
    ),
    ("StatefulSet", &["apps"], &["spec", "template", "spec"]),
    ("Job", &["batch"], &["spec", "template", "spec"]),
    (
        "CronJob",
        &["batch"],
        &["spec", "jobTemplate", "spec", "template", "spec"],
    ),
    (
        "DeploymentConfig",
        &["apps.openshift.io", ""],
        &["spec", "template", "spec"],
    ),
];

/// Whether objects of this type carry a PodSpec.
pub(crate) fn has_pod_spec(t: &TypeInfo) -> bool {
    pod_spec_route(t).is_some()
}

fn pod_spec_route(t: &TypeInfo) -> Option<&'static [&'static str]> {
    POD_SPECS
        .iter()
        .find(|(kind, groups, _)| *kind == t.kind && groups.contains(&t.group.as_str()))
        .map(|(_, _, route)| *route)
}

/// JSON pointers to every place of kind `at` that exists in `object` (each an object).
pub(crate) fn locate(object: &Value, at: Where, t: &TypeInfo) -> Vec<String> {
    let found = match at {
        Where::Object => vec![String::new()],
        Where::PodSpec => match pod_spec_route(t) {
            Some(route) => follow(object, &[String::new()], route),
            None => Vec::new(),
        },
        Where::HostNetworkPort => host_network_ports(object, t),
        Where::PodTemplate if t.kind != "Pod" => locate(object, Where::PodSpec, t)
            .into_iter()
            .filter_map(|p| p.strip_suffix("/spec").map(str::to_string))
            .collect(),
        Where::PodTemplate => Vec::new(),
        _ => from_parents(object, at, t),
    };
    found
        .into_iter()
        .filter(|p| object.pointer(p).is_some_and(Value::is_object))
        .collect()
}

/// The places reached from parent places by relative routes.
fn from_parents(object: &Value, at: Where, t: &TypeInfo) -> Vec<String> {
    let mut found = Vec::new();
    for (parent, route) in routes(at, t) {
        let bases = locate(object, parent, t);
        found.extend(follow(object, &bases, route));
    }
    found
}

type Route = (Where, &'static [&'static str]);

/// How to reach `at`: from which parent, by which relative route.
fn routes(at: Where, t: &TypeInfo) -> Vec<Route> {
    use Where::*;
    match at {
        Container => vec![
            (PodSpec, &["containers", "[]"]),
            (PodSpec, &["initContainers", "[]"]),
            (PodSpec, &["ephemeralContainers", "[]"]),
        ],
        Probe => vec![
            (Container, &["livenessProbe"]),
            (Container, &["readinessProbe"]),
            (Container, &["startupProbe"]),
        ],
        HttpGet => vec![
            (Probe, &["httpGet"]),
            (Container, &["lifecycle", "postStart", "httpGet"]),
            (Container, &["lifecycle", "preStop", "httpGet"]),
        ],
        Grpc => vec![(Probe, &["grpc"])],
        ContainerPort => vec![(Container, &["ports", "[]"])],
        FieldRef => selector_routes("fieldRef"),
        ResourceFieldRef => selector_routes("resourceFieldRef"),
        Volume => vec![(PodSpec, &["volumes", "[]"])],
        VolumeSource(key) => volume_source_routes(key, t),
        TokenProjection => vec![(
            VolumeSource("projected"),
            &["sources", "[]", "serviceAccountToken"],
        )],
        ClaimTemplate => kind_route(t, "StatefulSet", &["spec", "volumeClaimTemplates", "[]"]),
        PvcSpec => {
            let mut routes = kind_route(t, "PersistentVolumeClaim", &["spec"]);
            routes.push((ClaimTemplate, &["spec"]));
            routes.push((Volume, &["ephemeral", "volumeClaimTemplate", "spec"]));
            routes
        }
        ServicePort => kind_route(t, "Service", &["spec", "ports", "[]"]),
        NetworkPolicyPort => vec![
            (Object, &["spec", "ingress", "[]", "ports", "[]"]),
            (Object, &["spec", "egress", "[]", "ports", "[]"]),
        ],
        EndpointPort => vec![(Object, &["subsets", "[]", "ports", "[]"])],
        IngressPath => vec![(Object, &["spec", "rules", "[]", "http", "paths", "[]"])],
        Subject => vec![(Object, &["subjects", "[]"])],
        Webhook => vec![(Object, &["webhooks", "[]"])],
        WebhookRule => vec![(Webhook, &["rules", "[]"])],
        WebhookService => vec![(Webhook, &["clientConfig", "service"])],
        PodFailureCondition => vec![(
            Object,
            &[
                "spec",
                "podFailurePolicy",
                "rules",
                "[]",
                "onPodConditions",
                "[]",
            ],
        )],
        RouteBackend => vec![
            (Object, &["spec", "to"]),
            (Object, &["spec", "alternateBackends", "[]"]),
        ],
        DcImageTrigger => vec![(
            Object,
            &["spec", "triggers", "[]", "imageChangeParams", "from"],
        )],
        BuildFrom => vec![
            (Object, &["spec", "strategy", "sourceStrategy", "from"]),
            (Object, &["spec", "strategy", "dockerStrategy", "from"]),
            (Object, &["spec", "strategy", "customStrategy", "from"]),
        ],
        ImageStreamTag => vec![(Object, &["spec", "tags", "[]"])],
        JobTemplate => kind_route(t, "CronJob", &["spec", "jobTemplate"]),
        Object | PodSpec | PodTemplate | HostNetworkPort => Vec::new(),
    }
}

/// Env vars' `valueFrom.<key>` and downward API items' `<key>`, in volumes and projections.
fn selector_routes(key: &'static str) -> Vec<Route> {
    let (env, item, projected): (&'static [&'static str], _, _) = match key {
        "fieldRef" => (
            &["env", "[]", "valueFrom", "fieldRef"],
            &["items", "[]", "fieldRef"] as &'static [&'static str],
            &["sources", "[]", "downwardAPI", "items", "[]", "fieldRef"]
                as &'static [&'static str],
        ),
        _ => (
            &["env", "[]", "valueFrom", "resourceFieldRef"],
            &["items", "[]", "resourceFieldRef"] as &'static [&'static str],
            &[
                "sources",
                "[]",
                "downwardAPI",
                "items",
                "[]",
                "resourceFieldRef",
            ] as &'static [&'static str],
        ),
    };
    vec![
        (Where::Container, env),
        (Where::VolumeSource("downwardAPI"), item),
        (Where::VolumeSource("projected"), projected),
    ]
}

/// A pod volume's source; a PersistentVolume keeps its source under `spec`.
fn volume_source_routes(key: &'static str, t: &TypeInfo) -> Vec<Route> {
    let route: &'static [&'static str] = match key {
        "secret" => &["secret"],
        "configMap" => &["configMap"],
        "downwardAPI" => &["downwardAPI"],
        "projected" => &["projected"],
        "hostPath" => &["hostPath"],
        "iscsi" => &["iscsi"],
        "rbd" => &["rbd"],
        "azureDisk" => &["azureDisk"],
        "scaleIO" => &["scaleIO"],
        _ => return Vec::new(),
    };
    let mut routes = vec![(Where::Volume, route)];
    if t.kind == "PersistentVolume" && t.group.is_empty() {
        let pv_route: &'static [&'static str] = match key {
            "hostPath" => &["spec", "hostPath"],
            "iscsi" => &["spec", "iscsi"],
            "rbd" => &["spec", "rbd"],
            "azureDisk" => &["spec", "azureDisk"],
            "scaleIO" => &["spec", "scaleIO"],
            _ => return routes,
        };
        routes.push((Where::Object, pv_route));
    }
    routes
}

fn kind_route(t: &TypeInfo, kind: &str, route: &'static [&'static str]) -> Vec<Route> {
    if t.kind == kind {
        vec![(Where::Object, route)]
    } else {
        Vec::new()
    }
}

/// The container ports of PodSpecs that use the host's network.
fn host_network_ports(object: &Value, t: &TypeInfo) -> Vec<String> {
    let specs: Vec<String> = locate(object, Where::PodSpec, t)
        .into_iter()
        .filter(|p| object.pointer(&format!("{p}/hostNetwork")) == Some(&Value::Bool(true)))
        .collect();
    let containers = [
        follow(object, &specs, &["containers", "[]"]),
        follow(object, &specs, &["initContainers", "[]"]),
    ]
    .concat();
    follow(object, &containers, &["ports", "[]"])
}

/// Follows `route` from each base pointer; `[]` steps into every element of a list.
fn follow(object: &Value, bases: &[String], route: &[&str]) -> Vec<String> {
    let mut current: Vec<String> = bases.to_vec();
    for step in route {
        let mut next = Vec::new();
        for pointer in &current {
            let Some(node) = object.pointer(pointer) else {
                continue;
            };
            if *step == "[]" {
                if let Some(items) = node.as_array() {
                    next.extend((0..items.len()).map(|i| format!("{pointer}/{i}")));
                }
            } else if node.get(*step).is_some() {
                next.push(format!("{pointer}/{}", escape(step)));
            }
        }
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(object: &Value, at: Where) -> Vec<String> {
        locate(object, at, &TypeInfo::of(object))
    }

    #[test]
    fn pod_specs_of_every_workload() {
        let template = json!({"template": {"spec": {"containers": [{"name": "a"}]}}});
        let cases = [
            ("v1", "Pod", json!({"containers": []}), "/spec"),
            (
                "apps/v1",
                "Deployment",
                template.clone(),
                "/spec/template/spec",
            ),
            ("batch/v1", "Job", template.clone(), "/spec/template/spec"),
            (
                "apps.openshift.io/v1",
                "DeploymentConfig",
                template.clone(),
                "/spec/template/spec",
            ),
            (
                "v1",
                "DeploymentConfig",
                template.clone(),
                "/spec/template/spec",
            ),
            (
                "batch/v1",
                "CronJob",
                json!({"jobTemplate": {"spec": template.clone()}}),
                "/spec/jobTemplate/spec/template/spec",
            ),
        ];
        for (api_version, kind, spec, expected) in cases {
            let object = json!({"apiVersion": api_version, "kind": kind, "spec": spec});
            assert_eq!(at(&object, Where::PodSpec), vec![expected], "{kind}");
        }
        let crd = json!({"apiVersion": "example.com/v1", "kind": "Deployment", "spec": template});
        assert!(
            at(&crd, Where::PodSpec).is_empty(),
            "a CRD of the same kind"
        );
    }

    #[test]
    fn containers_probes_and_handlers() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "spec": {
            "initContainers": [{"name": "i"}],
            "containers": [{"name": "a", "readinessProbe": {"httpGet": {"port": 80}},
                            "lifecycle": {"preStop": {"httpGet": {"port": 81}}}},
                           "not an object"]}});
        assert_eq!(
            at(&pod, Where::Container),
            vec!["/spec/containers/0", "/spec/initContainers/0"]
        );
        assert_eq!(
            at(&pod, Where::HttpGet),
            vec![
                "/spec/containers/0/readinessProbe/httpGet",
                "/spec/containers/0/lifecycle/preStop/httpGet"
            ]
        );
    }

    #[test]
    fn host_network_ports_only_with_host_network() {
        let pod = |host: bool| {
            json!({"apiVersion": "v1", "kind": "Pod", "spec": {"hostNetwork": host,
                "containers": [{"name": "a", "ports": [{"containerPort": 80}]}]}})
        };
        assert_eq!(
            at(&pod(true), Where::HostNetworkPort),
            vec!["/spec/containers/0/ports/0"]
        );
        assert!(at(&pod(false), Where::HostNetworkPort).is_empty());
    }

    #[test]
    fn keys_with_slashes_are_escaped() {
        let object = json!({"a/b": {"c": {}}});
        assert_eq!(
            follow(&object, &[String::new()], &["a/b", "c"]),
            vec!["/a~1b/c"]
        );
    }
}
