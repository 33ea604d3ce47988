//! Synthetic but realistic snapshots, for benchmarks and tests: namespaces of typical OpenShift
//! and Kubernetes workloads (DeploymentConfigs or Deployments with pod templates, their
//! ReplicationControllers or ReplicaSets, pods, services, routes, config maps, secrets, image
//! streams), and a later night in which a given share of objects drifted.
//!
//! Deterministic for a seed, so benchmark runs compare like with like.

use serde_json::{Value, json};

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct SynthOptions {
    /// About how many objects per night.
    pub objects: usize,
    /// Share of objects that drift from one night to the next (0.01 = 1%).
    pub drift: f64,
    /// Exactly this many objects drift each night instead (overrides `drift`).
    pub changes: Option<usize>,
    /// Seed of the pseudo-random choices.
    pub seed: u64,
    /// Spread the applications over this many namespaces (at least one application each)
    /// instead of ten applications per namespace: a fleet of small namespaces.
    pub namespaces: Option<usize>,
}

/// Objects per application: a workload, 2 controllers, 2 pods, a service, a route, a config map,
/// a secret and an image stream.
const OBJECTS_PER_APP: usize = 10;
const APPS_PER_NAMESPACE: usize = 10;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() as f64 / u64::MAX as f64) < p
    }

    fn hex(&mut self, len: usize) -> String {
        let mut s = String::new();
        while s.len() < len {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(len);
        s
    }

    fn suffix(&mut self) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        (0..5)
            .map(|_| ALPHABET[self.below(ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
}

/// The objects of `nights` consecutive nights: night 0 as generated, each later night with
/// `options.drift` of the objects changed.
pub fn nights(options: &SynthOptions, nights: usize) -> Vec<Vec<Value>> {
    let mut rng = Rng(options.seed);
    let apps = options.objects.div_ceil(OBJECTS_PER_APP).max(1);
    let mut current: Vec<Value> = Vec::with_capacity(apps * OBJECTS_PER_APP);
    let namespace_of = |app: usize| match options.namespaces {
        Some(count) => app * count.clamp(1, apps) / apps,
        None => app / APPS_PER_NAMESPACE,
    };
    for app in 0..apps {
        let namespace = format!("project-{:03}", namespace_of(app));
        let name = format!(
            "{}-{}",
            APP_NAMES[app % APP_NAMES.len()],
            app / APP_NAMES.len()
        );
        current.extend(application(&mut rng, &namespace, &name, app % 2 == 0));
    }
    current.truncate(options.objects.max(1));
    let mut result = vec![current.clone()];
    for night in 1..nights {
        match options.changes {
            Some(count) => {
                let mut chosen = std::collections::BTreeSet::new();
                while chosen.len() < count.min(current.len()) {
                    chosen.insert(rng.below(current.len() as u64) as usize);
                }
                for index in chosen {
                    drift(&mut rng, &mut current[index], night);
                }
            }
            None => {
                for object in current.iter_mut() {
                    if rng.chance(options.drift) {
                        drift(&mut rng, object, night);
                    }
                }
            }
        }
        result.push(current.clone());
    }
    result
}

const APP_NAMES: &[&str] = &[
    "web", "api", "worker", "cache", "auth", "billing", "search", "gateway", "report", "notify",
    "ledger", "catalog", "cart", "media", "export",
];

fn labels(app: &str) -> Value {
    json!({"app": app, "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/managed-by": "helm"})
}

fn container(rng: &mut Rng, namespace: &str, app: &str) -> Value {
    let env: Vec<Value> = (0..8)
        .map(|i| json!({"name": format!("SETTING_{i}"), "value": format!("value-{}", rng.below(1000))}))
        .chain([
            json!({"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": format!("{app}-creds"), "key": "password"}}}),
            json!({"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}}),
        ])
        .collect();
    json!({
        "name": app,
        "image": format!("image-registry.openshift-image-registry.svc:5000/{namespace}/{app}@sha256:{}", rng.hex(64)),
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": 8080, "protocol": "TCP", "name": "http"},
                  {"containerPort": 8443, "protocol": "TCP", "name": "https"}],
        "env": env,
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
                            "initialDelaySeconds": 5, "timeoutSeconds": 2, "periodSeconds": 10,
                            "successThreshold": 1, "failureThreshold": 3},
        "livenessProbe": {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 30, "timeoutSeconds": 1,
                           "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app"},
                          {"name": "data", "mountPath": "/var/lib/app"}],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File"
    })
}

fn pod_spec(rng: &mut Rng, namespace: &str, app: &str) -> Value {
    json!({
        "containers": [container(rng, namespace, app)],
        "volumes": [{"name": "config", "configMap": {"name": format!("{app}-config"), "defaultMode": 420}},
                    {"name": "data", "emptyDir": {}}],
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "securityContext": {},
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default"
    })
}

fn application(rng: &mut Rng, namespace: &str, app: &str, openshift: bool) -> Vec<Value> {
    let template =
        json!({"metadata": {"labels": labels(app)}, "spec": pod_spec(rng, namespace, app)});
    let mut objects = Vec::with_capacity(OBJECTS_PER_APP);
    let meta = |name: &str| json!({"name": name, "namespace": namespace, "labels": labels(app)});
    let (workload, controller_kind, controller_api) = if openshift {
        (
            json!({"apiVersion": "apps.openshift.io/v1", "kind": "DeploymentConfig", "metadata": meta(app),
                "spec": {"replicas": 2, "selector": {"app": app}, "strategy": {"type": "Rolling",
                    "rollingParams": {"intervalSeconds": 1, "maxSurge": "25%", "maxUnavailable": "25%", "timeoutSeconds": 600, "updatePeriodSeconds": 1}},
                    "template": template.clone(),
                    "triggers": [{"type": "ConfigChange"}, {"type": "ImageChange", "imageChangeParams": {
                        "automatic": true, "containerNames": [app],
                        "from": {"kind": "ImageStreamTag", "name": format!("{app}:latest"), "namespace": namespace}}}]}}),
            "ReplicationController",
            "v1",
        )
    } else {
        (
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(app),
                "spec": {"replicas": 2, "selector": {"matchLabels": {"app": app}},
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                    "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600, "template": template.clone()}}),
            "ReplicaSet",
            "apps/v1",
        )
    };
    objects.push(workload);
    for revision in 1..=2 {
        let name = if openshift {
            format!("{app}-{revision}")
        } else {
            format!("{app}-{}", rng.hex(10))
        };
        let mut metadata = meta(&name);
        metadata["annotations"] = json!({"openshift.io/deployment-config.latest-version": revision.to_string(),
            "deployment.kubernetes.io/revision": revision.to_string()});
        objects.push(json!({"apiVersion": controller_api, "kind": controller_kind, "metadata": metadata,
            "spec": {"replicas": if revision == 2 { 2 } else { 0 }, "selector": {"app": app}, "template": template.clone()}}));
    }
    for _ in 0..2 {
        let name = format!("{app}-2-{}", rng.suffix());
        let mut metadata = meta(&name);
        metadata["annotations"] =
            json!({"openshift.io/scc": "restricted", "k8s.v1.cni.cncf.io/network-status": "[]"});
        let mut spec = template["spec"].clone();
        spec["nodeName"] = json!(format!("worker-{}.example.com", rng.below(6)));
        objects
            .push(json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}));
    }
    objects.push(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": meta(app),
        "spec": {"ports": [{"name": "http", "port": 8080, "protocol": "TCP", "targetPort": 8080}],
                 "selector": {"app": app}, "sessionAffinity": "None", "type": "ClusterIP"}}),
    );
    objects.push(json!({"apiVersion": "route.openshift.io/v1", "kind": "Route", "metadata": meta(app),
        "spec": {"host": format!("{app}-{namespace}.apps.example.com"), "port": {"targetPort": "http"},
                 "tls": {"termination": "edge", "insecureEdgeTerminationPolicy": "Redirect"},
                 "to": {"kind": "Service", "name": app, "weight": 100}, "wildcardPolicy": "None"}}));
    objects.push(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(&format!("{app}-config")),
        "data": {"app.properties": format!("server.port=8080\nserver.timeout=30s\ncache.size={}\nlog.level=INFO\n", rng.below(512)),
                 "features.yaml": "flags:\n  search: true\n  beta: false\n"}}));
    objects.push(json!({"apiVersion": "v1", "kind": "Secret", "metadata": meta(&format!("{app}-creds")), "type": "Opaque",
        "data": {"password": format!("{}", rng.hex(24)), "username": "YXBw"}}));
    objects.push(json!({"apiVersion": "image.openshift.io/v1", "kind": "ImageStream", "metadata": meta(app),
        "spec": {"lookupPolicy": {"local": false},
                 "tags": [{"name": "latest", "from": {"kind": "DockerImage", "name": format!("registry.example.com/shop/{app}:latest")},
                           "importPolicy": {}, "referencePolicy": {"type": "Source"}}]}}));
    objects
}

/// One realistic change to an object.
fn drift(rng: &mut Rng, object: &mut Value, night: usize) {
    let kind = object["kind"].as_str().unwrap_or_default().to_string();
    match kind.as_str() {
        "DeploymentConfig" | "Deployment" => {
            let container = &mut object["spec"]["template"]["spec"]["containers"][0];
            match rng.below(3) {
                0 => {
                    container["readinessProbe"]["httpGet"]["path"] =
                        json!(format!("/ready-{night}"))
                }
                1 => {
                    container["resources"]["limits"]["memory"] =
                        json!(format!("{}Mi", 512 + 64 * night))
                }
                _ => object["spec"]["replicas"] = json!(2 + night % 3),
            }
        }
        "ConfigMap" => {
            object["data"]["app.properties"] = json!(format!(
                "server.port=8080\nserver.timeout={}s\ncache.size=256\nlog.level=INFO\n",
                30 - night % 25
            ));
        }
        "Service" => object["spec"]["ports"][0]["targetPort"] = json!(8080 + night),
        "Secret" => object["data"]["password"] = json!(rng.hex(24)),
        _ => {
            object["metadata"]["labels"]["drift-night"] = json!(night.to_string());
        }
    }
}

/// Adds the `metadata.managedFields` a Kubernetes API server would record for `object` after a
/// deploy tool (`helm`) wrote it and a controller updated its status: the tool owns every field
/// the object sets (lists of named elements by their name, other lists whole).
pub fn add_managed_fields(object: &mut Value) {
    let mut owned = serde_json::Map::new();
    if let Some(map) = object.as_object() {
        for (key, value) in map {
            if matches!(key.as_str(), "apiVersion" | "kind" | "status") {
                continue;
            }
            if key == "metadata" {
                let mut metadata = serde_json::Map::new();
                for field in ["labels", "annotations"] {
                    if let Some(v) = value.get(field) {
                        metadata.insert(format!("f:{field}"), field_set(v));
                    }
                }
                owned.insert("f:metadata".into(), Value::Object(metadata));
            } else {
                owned.insert(format!("f:{key}"), field_set(value));
            }
        }
    }
    let entries = json!([
        {"manager": "helm", "operation": "Update", "apiVersion": object["apiVersion"],
         "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": owned},
        {"manager": "kube-controller-manager", "operation": "Update", "apiVersion": object["apiVersion"],
         "time": "2026-01-01T00:05:00Z", "fieldsType": "FieldsV1", "subresource": "status",
         "fieldsV1": {"f:status": {"f:replicas": {}, "f:readyReplicas": {}}}}
    ]);
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.insert("managedFields".into(), entries);
    }
}

/// The FieldsV1 set naming every field of `value`.
fn field_set(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut set = serde_json::Map::new();
            set.insert(".".into(), json!({}));
            for (key, child) in map {
                set.insert(format!("f:{key}"), field_set(child));
            }
            Value::Object(set)
        }
        Value::Array(items)
            if items.iter().all(|i| i.get("name").is_some()) && !items.is_empty() =>
        {
            let mut set = serde_json::Map::new();
            set.insert(".".into(), json!({}));
            for item in items {
                let key = json!({"name": item["name"]}).to_string();
                set.insert(format!("k:{key}"), field_set(item));
            }
            Value::Object(set)
        }
        _ => json!({}),
    }
}
