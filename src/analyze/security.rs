//! The security table: the fields that decide what a workload may do on its node, or who may do
//! what in the cluster. It is the one place that names them; every rule that hides a change asks
//! it first, so that no built-in rule (noise, pairing, `--desired`) hides a change in it.
//!
//! An object's security-relevant settings are read as *facts*: `containers[web].securityContext
//! .privileged: true`, `roleRef: ClusterRole/admin`, `subject: ServiceAccount shop/deployer`. A
//! fact records only what grants something (a `privileged: false` or an SCC-assigned non-root
//! user grants nothing), and it is read from the object with the API server's defaults filled in,
//! so that a manifest and the object the server returned for it hold the same facts. A change is
//! security-sensitive when the facts of the two versions differ where the change is. Facts are
//! compared as sets: a pure reorder of a role's rules, or OpenShift 3's spelling of a binding
//! that names the same role and subjects, grants nothing new and is no security change.
//!
//! | object | facts |
//! |---|---|
//! | pods, and pod templates of every workload | `privileged`, `allowPrivilegeEscalation: true`, `capabilities.add`, `runAsUser: 0`, `runAsNonRoot: false`, `seLinuxOptions.type`, seccomp and AppArmor `Unconfined` (fields and annotations), `procMount: Unmasked`; `hostNetwork`, `hostPID`, `hostIPC`, `hostUsers: false`; hostPath volumes and their mounts; `hostPort`; `automountServiceAccountToken`; `serviceAccountName` other than `default` |
//! | Role, ClusterRole | each rule; `aggregationRule`; `rbac.authorization.k8s.io/aggregate-to-*` labels |
//! | RoleBinding, ClusterRoleBinding | the role it grants; each subject (OpenShift 3's `userNames`, `groupNames` too) |
//! | Mutating/ValidatingWebhookConfiguration, ValidatingAdmissionPolicy(Binding) | each webhook or policy, but a webhook's `caBundle` (cert-manager's cainjector and OpenShift's service CA write it) |
//! | NetworkPolicy, SecurityContextConstraints | the whole spec |
//! | ServiceAccount | `automountServiceAccountToken` |
//! | Namespace | the enforced Pod Security admission level (`pod-security.kubernetes.io/enforce*`) |

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::diff::{Change, Op};

/// One security-relevant setting of an object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fact {
    /// The setting and its value, stable across reorders: `spec.template.spec.containers[web]
    /// .securityContext.privileged: true`.
    pub what: String,
    /// Where it is in the object (JSON pointers): a change at, above or below one of them
    /// concerns it.
    pub at: Vec<String>,
}

/// The security-relevant settings of one object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts(BTreeMap<String, Vec<String>>);

impl Facts {
    /// The facts of `object`, a `kind`, read with the server's defaults filled in.
    pub fn of(kind: &str, object: &Value) -> Facts {
        let mut facts = Facts::default();
        if !covers(kind) {
            return facts;
        }
        let object = crate::apiserver::defaults::defaulted(object);
        facts.read(kind, &object);
        facts
    }

    /// Every fact, in order.
    pub fn iter(&self) -> impl Iterator<Item = Fact> + '_ {
        self.0.iter().map(|(what, at)| Fact {
            what: what.clone(),
            at: at.clone(),
        })
    }

    fn add(&mut self, what: String, at: String) {
        self.0.entry(what).or_default().push(at);
    }

    fn read(&mut self, kind: &str, object: &Value) {
        if let Some((pointer, human)) = pod_spec_location(kind) {
            if let Some(spec) = object.pointer(pointer) {
                self.pod_spec(spec, pointer, human);
            }
            let (at, human) = annotations_location(pointer, human);
            if let Some(annotations) = object.pointer(&at).and_then(Value::as_object) {
                self.profile_annotations(annotations, &at, human);
            }
            return;
        }
        match kind {
            "Role" | "ClusterRole" => self.role(object),
            "RoleBinding" | "ClusterRoleBinding" => self.binding(object),
            "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration" => {
                self.webhooks(object)
            }
            "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "MutatingAdmissionPolicy"
            | "MutatingAdmissionPolicyBinding"
            | "NetworkPolicy"
            | "AdminNetworkPolicy"
            | "BaselineAdminNetworkPolicy" => {
                if let Some(spec) = object.get("spec") {
                    self.add(format!("spec: {}", canonical(spec)), "/spec".into());
                }
            }
            "SecurityContextConstraints" => {
                let mut body = object.as_object().cloned().unwrap_or_default();
                for housekeeping in ["apiVersion", "kind", "metadata"] {
                    body.remove(housekeeping);
                }
                for (field, value) in body {
                    self.add(
                        format!("{field}: {}", canonical(&value)),
                        format!("/{}", crate::diff::path::escape_pointer(&field)),
                    );
                }
            }
            "ServiceAccount" => {
                if let Some(value) = object.get("automountServiceAccountToken") {
                    self.add(
                        format!("automountServiceAccountToken: {value}"),
                        "/automountServiceAccountToken".into(),
                    );
                }
            }
            "Namespace" => {
                for (label, value) in labels(object) {
                    // The enforced level admits pods; audit and warn only report (OpenShift's
                    // label sync writes those).
                    if label.starts_with("pod-security.kubernetes.io/enforce") {
                        self.add(
                            format!("metadata.labels[{label:?}]: {value}"),
                            label_pointer(&label),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// A pod spec at `base` (a pointer) whose human path is `human`.
    fn pod_spec(&mut self, spec: &Value, base: &str, human: &str) {
        for field in ["hostNetwork", "hostPID", "hostIPC"] {
            if spec.get(field) == Some(&Value::Bool(true)) {
                self.add(format!("{human}.{field}: true"), format!("{base}/{field}"));
            }
        }
        if spec.get("hostUsers") == Some(&Value::Bool(false)) {
            self.add(
                format!("{human}.hostUsers: false"),
                format!("{base}/hostUsers"),
            );
        }
        if let Some(value) = spec.get("automountServiceAccountToken") {
            self.add(
                format!("{human}.automountServiceAccountToken: {value}"),
                format!("{base}/automountServiceAccountToken"),
            );
        }
        let account = spec
            .get("serviceAccountName")
            .or_else(|| spec.get("serviceAccount"))
            .and_then(Value::as_str)
            .filter(|name| !name.is_empty() && *name != "default");
        if let Some(account) = account {
            self.add(
                format!("{human}.serviceAccountName: {account}"),
                format!("{base}/serviceAccountName"),
            );
            // The deprecated alias the server keeps in step.
            let at = self
                .0
                .get_mut(&format!("{human}.serviceAccountName: {account}"));
            if let Some(at) = at {
                at.push(format!("{base}/serviceAccount"));
            }
        }
        if let Some(context) = spec.get("securityContext") {
            let pointer = format!("{base}/securityContext");
            for (field, value) in granting_settings(context, false) {
                self.add(
                    format!("{human}.securityContext.{field}: {value}"),
                    pointer.clone(),
                );
            }
        }
        let mut host_volumes = BTreeMap::new();
        for (index, volume) in items(spec, "volumes") {
            if let Some(host) = volume.get("hostPath") {
                let name = str_field(volume, "name");
                host_volumes.insert(name.to_string(), host.get("path").cloned());
                self.add(
                    format!("{human}.volumes[{name}].hostPath: {}", canonical(host)),
                    format!("{base}/volumes/{index}"),
                );
            }
        }
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            for (index, container) in items(spec, list) {
                let name = str_field(container, "name");
                let here = format!("{human}.{list}[{name}]");
                let pointer = format!("{base}/{list}/{index}");
                if let Some(context) = container.get("securityContext") {
                    for (field, value) in granting_settings(context, true) {
                        self.add(
                            format!("{here}.securityContext.{field}: {value}"),
                            format!("{pointer}/securityContext"),
                        );
                    }
                }
                for (p, port) in items(container, "ports") {
                    if let Some(host_port) = port.get("hostPort").filter(|p| !is_zero(p)) {
                        self.add(
                            format!(
                                "{here}.ports[{}].hostPort: {host_port}",
                                port.get("containerPort").unwrap_or(&Value::Null)
                            ),
                            format!("{pointer}/ports/{p}"),
                        );
                    }
                }
                for (m, mount) in items(container, "volumeMounts") {
                    let volume = str_field(mount, "name");
                    if let Some(path) = host_volumes.get(volume) {
                        let writable = mount.get("readOnly") != Some(&Value::Bool(true));
                        self.add(
                            format!(
                                "{here}.volumeMounts[{}]: hostPath {} {}",
                                str_field(mount, "mountPath"),
                                path.as_ref().map(Value::to_string).unwrap_or_default(),
                                if writable { "writable" } else { "read-only" }
                            ),
                            format!("{pointer}/volumeMounts/{m}"),
                        );
                    }
                }
            }
        }
    }

    /// Seccomp and AppArmor profiles set by annotation (before Kubernetes 1.19 and 1.30).
    fn profile_annotations(&mut self, annotations: &Map<String, Value>, base: &str, human: String) {
        for (name, value) in annotations {
            let profile = name.starts_with("seccomp.security.alpha.kubernetes.io/")
                || name.starts_with("container.seccomp.security.alpha.kubernetes.io/")
                || name.starts_with("container.apparmor.security.beta.kubernetes.io/");
            let unconfined = value
                .as_str()
                .is_some_and(|v| v.eq_ignore_ascii_case("unconfined"));
            if profile && unconfined {
                self.add(
                    format!("{human}[{name:?}]: {value}"),
                    format!("{base}/{}", crate::diff::path::escape_pointer(name)),
                );
            }
        }
    }

    fn role(&mut self, object: &Value) {
        // An aggregated ClusterRole's rules are the aggregation controller's copy of the rules of
        // the roles it selects (it rewrites them at once): what grants is its aggregationRule
        // and those roles' rules and aggregate-to labels, each a fact of its own object.
        if object.get("aggregationRule").is_none() {
            for (_, rule) in items(object, "rules") {
                self.add(format!("rule: {}", canonical_rule(rule)), "/rules".into());
            }
        }
        if let Some(aggregation) = object.get("aggregationRule") {
            self.add(
                format!("aggregationRule: {}", canonical(aggregation)),
                "/aggregationRule".into(),
            );
        }
        for (label, value) in labels(object) {
            if label.starts_with("rbac.authorization.k8s.io/aggregate-to-") {
                self.add(
                    format!("metadata.labels[{label:?}]: {value}"),
                    label_pointer(&label),
                );
            }
        }
    }

    fn binding(&mut self, object: &Value) {
        let namespace = object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let anchors = ["/roleRef", "/subjects", "/userNames", "/groupNames"];
        let mut add = |what: String| {
            for at in anchors {
                self.add(what.clone(), at.into());
            }
        };
        if let Some((kind, name)) = role_ref(object) {
            add(format!("roleRef: {kind}/{name}"));
        }
        for subject in subjects(object, namespace) {
            add(format!("subject: {subject}"));
        }
    }

    fn webhooks(&mut self, object: &Value) {
        for (index, webhook) in items(object, "webhooks") {
            let mut webhook = webhook.clone();
            if let Some(config) = webhook
                .get_mut("clientConfig")
                .and_then(Value::as_object_mut)
            {
                config.remove("caBundle");
            }
            self.add(
                format!(
                    "webhooks[{}]: {}",
                    str_field(&webhook, "name"),
                    canonical(&webhook)
                ),
                format!("/webhooks/{index}"),
            );
        }
    }
}

/// The kinds the table names.
pub fn covers(kind: &str) -> bool {
    pod_spec_location(kind).is_some()
        || matches!(
            kind,
            "Role"
                | "ClusterRole"
                | "RoleBinding"
                | "ClusterRoleBinding"
                | "MutatingWebhookConfiguration"
                | "ValidatingWebhookConfiguration"
                | "ValidatingAdmissionPolicy"
                | "ValidatingAdmissionPolicyBinding"
                | "MutatingAdmissionPolicy"
                | "MutatingAdmissionPolicyBinding"
                | "NetworkPolicy"
                | "AdminNetworkPolicy"
                | "BaselineAdminNetworkPolicy"
                | "SecurityContextConstraints"
                | "ServiceAccount"
                | "Namespace"
        )
}

/// Whether `change` may concern a setting of the table at all, told from its place alone: a cheap
/// first look, so that the noise of a night (pod IPs, node names, labels of replaced pods) costs
/// no reading of facts. It answers `true` whenever it cannot rule a change out.
pub fn may_touch(kind: &str, change: &Change) -> bool {
    if !covers(kind) {
        return false;
    }
    let Some((spec, _)) = pod_spec_location(kind) else {
        // RBAC, webhooks, policies: rare kinds, read whole.
        return true;
    };
    let (annotations, _) = annotations_location(spec, "");
    [change.path.pointer(), change.path.old_pointer()]
        .iter()
        .any(|pointer| may_touch_pod(pointer, spec, &annotations))
}

/// [`may_touch`] for a change at `pointer` of an object whose pod spec is at `spec`.
fn may_touch_pod(pointer: &str, spec: &str, annotations: &str) -> bool {
    if related(pointer, annotations) || (spec.starts_with(pointer) && related(pointer, spec)) {
        return true;
    }
    let Some(rest) = pointer.strip_prefix(spec).and_then(|r| r.strip_prefix('/')) else {
        return false;
    };
    let mut steps = rest.split('/');
    match steps.next().unwrap_or_default() {
        "hostNetwork"
        | "hostPID"
        | "hostIPC"
        | "hostUsers"
        | "automountServiceAccountToken"
        | "serviceAccountName"
        | "serviceAccount"
        | "securityContext"
        | "volumes" => true,
        "containers" | "initContainers" | "ephemeralContainers" => {
            // The list, one container, or a container's security context, ports or mounts.
            let _index = steps.next();
            matches!(
                steps.next(),
                None | Some("securityContext" | "ports" | "volumeMounts")
            )
        }
        _ => false,
    }
}

/// Where the annotations that go with the pod spec at `spec` (a pointer, and `human`, the same
/// path for people) are: the pod's own, or its template's.
pub fn annotations_location(spec: &str, human: &str) -> (String, String) {
    let owner = spec.strip_suffix("/spec").unwrap_or_default();
    let human = match human.strip_suffix("spec").unwrap_or_default() {
        "" => "metadata.annotations".to_string(),
        above => format!("{above}metadata.annotations"),
    };
    (format!("{owner}/metadata/annotations"), human)
}

/// Where a kind keeps its pod spec: a pointer and the same path for people.
pub fn pod_spec_location(kind: &str) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        "Pod" => ("/spec", "spec"),
        "PodTemplate" => ("/template/spec", "template.spec"),
        "CronJob" => (
            "/spec/jobTemplate/spec/template/spec",
            "spec.jobTemplate.spec.template.spec",
        ),
        "DeploymentConfig"
        | "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicationController"
        | "ReplicaSet"
        | "Job" => ("/spec/template/spec", "spec.template.spec"),
        _ => return None,
    })
}

/// The settings of a pod or container `securityContext` that grant something, each with its
/// value; settings that only restrict (`runAsNonRoot: true`, a non-root user, `drop: [ALL]`,
/// `RuntimeDefault`) are left out, which is also what admission and SCCs add to pods.
pub fn granting_settings(context: &Value, container: bool) -> Vec<(String, Value)> {
    let mut found = Vec::new();
    let mut keep = |field: &str, value: &Value| found.push((field.to_string(), value.clone()));
    let get = |pointer: &str| context.pointer(pointer);
    if container {
        if let Some(v) = get("/privileged").filter(|v| **v == Value::Bool(true)) {
            keep("privileged", v);
        }
        if let Some(v) = get("/allowPrivilegeEscalation").filter(|v| **v == Value::Bool(true)) {
            keep("allowPrivilegeEscalation", v);
        }
        if let Some(added) = get("/capabilities/add").and_then(Value::as_array) {
            let mut caps: Vec<String> = added
                .iter()
                .map(|c| c.as_str().unwrap_or_default().to_ascii_uppercase())
                .collect();
            caps.sort();
            caps.dedup();
            for cap in caps {
                keep("capabilities.add", &Value::String(cap));
            }
        }
        if let Some(v) = get("/procMount").filter(|v| v.as_str() == Some("Unmasked")) {
            keep("procMount", v);
        }
    }
    if let Some(v) = get("/runAsUser").filter(|v| is_zero(v)) {
        keep("runAsUser", v);
    }
    if let Some(v) = get("/runAsNonRoot").filter(|v| **v == Value::Bool(false)) {
        keep("runAsNonRoot", v);
    }
    if let Some(v) =
        get("/seLinuxOptions/type").filter(|v| v.as_str().is_some_and(|t| !t.is_empty()))
    {
        keep("seLinuxOptions.type", v);
    }
    for profile in ["seccompProfile", "appArmorProfile"] {
        if let Some(v) =
            get(&format!("/{profile}/type")).filter(|v| v.as_str() == Some("Unconfined"))
        {
            keep(&format!("{profile}.type"), v);
        }
    }
    if !container && let Some(sysctls) = get("/sysctls").and_then(Value::as_array) {
        for sysctl in sysctls {
            keep("sysctls", sysctl);
        }
    }
    found
}

/// The facts of both versions of one object, to ask which changes are security-sensitive.
#[derive(Clone, Debug, Default)]
pub struct Comparison {
    old: Facts,
    new: Facts,
}

impl Comparison {
    /// The facts of `old` and `new`, versions of an object of `kind`.
    pub fn of(kind: &str, old: Option<&Value>, new: Option<&Value>) -> Comparison {
        if !covers(kind) {
            return Comparison::default();
        }
        Comparison {
            old: old.map(|o| Facts::of(kind, o)).unwrap_or_default(),
            new: new.map(|n| Facts::of(kind, n)).unwrap_or_default(),
        }
    }

    /// Whether the two versions grant the same.
    pub fn is_same(&self) -> bool {
        self.old == self.new
    }

    /// The first fact gained or lost where `change` is, if any: the change is security-sensitive.
    pub fn touched_by(&self, change: &Change) -> Option<Touched> {
        if self.is_same() || change.path.embedded().is_some() {
            return None;
        }
        let pointers: Vec<String> = [
            (change.op != Op::Remove).then(|| change.path.pointer()),
            (change.op != Op::Add).then(|| change.path.old_pointer()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let near = |at: &[String]| {
            pointers
                .iter()
                .any(|p| at.iter().any(|anchor| related(p, anchor)))
        };
        let gained = self
            .new
            .0
            .iter()
            .filter(|(what, _)| !self.old.0.contains_key(*what))
            .map(|fact| (fact, true));
        let lost = self
            .old
            .0
            .iter()
            .filter(|(what, _)| !self.new.0.contains_key(*what))
            .map(|fact| (fact, false));
        gained
            .chain(lost)
            .find(|((_, at), _)| near(at))
            .map(|((what, _), gained)| Touched {
                what: what.clone(),
                gained,
            })
    }

    /// Every fact the old version had and the new one lacks.
    pub fn lost(&self) -> impl Iterator<Item = &str> {
        self.old
            .0
            .keys()
            .filter(|what| !self.new.0.contains_key(*what))
            .map(String::as_str)
    }

    /// Every fact the new version has and the old one lacks.
    pub fn gained(&self) -> impl Iterator<Item = &str> {
        self.new
            .0
            .keys()
            .filter(|what| !self.old.0.contains_key(*what))
            .map(String::as_str)
    }
}

/// A fact a change gained or lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Touched {
    /// The fact (`spec.containers[web].securityContext.privileged: true`).
    pub what: String,
    /// Gained (the new version holds it) or lost.
    pub gained: bool,
}

impl Touched {
    /// For people: `security-sensitive: grants spec.hostPID: true`.
    pub fn describe(&self) -> String {
        // Whole specs (network and admission policies, SCCs, webhooks) are facts as a whole:
        // their text says nothing a person reads at a glance.
        if self.what.contains('{') {
            let setting = self.what.split(':').next().unwrap_or_default();
            return format!("security-sensitive: {setting} changed");
        }
        if self.gained {
            format!("security-sensitive: grants {}", self.what)
        } else {
            format!("security-sensitive: no longer {}", self.what)
        }
    }
}

/// Whether a label selector (`matchLabels`, `matchExpressions`) selects `labels`; an absent or
/// empty selector selects everything, as the API server reads it.
pub fn selects(selector: Option<&Value>, labels: &BTreeMap<String, String>) -> bool {
    let Some(selector) = selector else {
        return true;
    };
    let match_labels = selector
        .get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str());
    let expressions = items(selector, "matchExpressions").all(|(_, e)| {
        let value = labels.get(str_field(e, "key"));
        let values: Vec<&str> = items(e, "values").filter_map(|(_, v)| v.as_str()).collect();
        match str_field(e, "operator") {
            "In" => value.is_some_and(|v| values.contains(&v.as_str())),
            "NotIn" => value.is_none_or(|v| !values.contains(&v.as_str())),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            // An operator the API server would refuse: assume it selects, to be safe.
            _ => true,
        }
    });
    match_labels && expressions
}

/// Whether one pointer is at, above or below the other.
fn related(a: &str, b: &str) -> bool {
    let below = |long: &str, short: &str| {
        long.len() > short.len() && long.starts_with(short) && long.as_bytes()[short.len()] == b'/'
    };
    a == b || below(a, b) || below(b, a) || a.is_empty() || b.is_empty()
}

/// `(kind, name)` of the role a binding grants. OpenShift 3 wrote no `kind` and named the role's
/// namespace for a Role; without a namespace it meant a ClusterRole.
pub fn role_ref(object: &Value) -> Option<(String, String)> {
    let role = object.get("roleRef")?;
    let name = role.get("name")?.as_str()?.to_string();
    let kind = match role.get("kind").and_then(Value::as_str) {
        Some(kind) => kind.to_string(),
        None if role
            .get("namespace")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty()) =>
        {
            "Role".to_string()
        }
        None => "ClusterRole".to_string(),
    };
    Some((kind, name))
}

/// A binding's subjects as `Kind namespace/name` (service accounts) or `Kind name`, from RBAC
/// v1's `subjects` and OpenShift 3's `userNames` and `groupNames` alike.
pub fn subjects(object: &Value, binding_namespace: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (_, subject) in items(object, "subjects") {
        let kind = match str_field(subject, "kind") {
            "SystemUser" => "User",
            "SystemGroup" => "Group",
            other => other,
        };
        let name = str_field(subject, "name");
        if kind == "ServiceAccount" {
            let namespace = subject
                .get("namespace")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .unwrap_or(binding_namespace);
            found.insert(format!("ServiceAccount {namespace}/{name}"));
        } else {
            found.insert(format!("{kind} {name}"));
        }
    }
    for (field, kind) in [("userNames", "User"), ("groupNames", "Group")] {
        for (_, name) in items(object, field) {
            let name = name.as_str().unwrap_or_default();
            // OpenShift 3 listed service accounts among the users.
            match name
                .strip_prefix("system:serviceaccount:")
                .and_then(|r| r.split_once(':'))
            {
                Some((namespace, account)) => {
                    found.insert(format!("ServiceAccount {namespace}/{account}"))
                }
                None => found.insert(format!("{kind} {name}")),
            };
        }
    }
    found
}

/// A rule as a set: the order of groups, resources and verbs means nothing.
fn canonical_rule(rule: &Value) -> String {
    let mut parts = Vec::new();
    for field in [
        "apiGroups",
        "resources",
        "resourceNames",
        "nonResourceURLs",
        "verbs",
    ] {
        let mut values: Vec<String> = items(rule, field)
            .map(|(_, v)| {
                v.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| v.to_string())
            })
            .collect();
        values.sort();
        values.dedup();
        if !values.is_empty() {
            parts.push(format!("{field}={}", values.join(",")));
        }
    }
    parts.join(" ")
}

/// Compact JSON with map keys sorted.
fn canonical(value: &Value) -> String {
    fn sorted(value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                let ordered: BTreeMap<&String, Value> =
                    map.iter().map(|(k, v)| (k, sorted(v))).collect();
                Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    sorted(value).to_string()
}

fn items<'a>(value: &'a Value, field: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    value
        .get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
}

fn str_field<'a>(value: &'a Value, field: &str) -> &'a str {
    value.get(field).and_then(Value::as_str).unwrap_or_default()
}

fn labels(object: &Value) -> Vec<(String, String)> {
    object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str()
                    .map(String::from)
                    .unwrap_or_else(|| v.to_string()),
            )
        })
        .collect()
}

fn label_pointer(label: &str) -> String {
    format!(
        "/metadata/labels/{}",
        crate::diff::path::escape_pointer(label)
    )
}

fn is_zero(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.trim() == "0",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::value::{ValueOptions, diff};
    use serde_json::json;

    fn facts(kind: &str, object: Value) -> Vec<String> {
        Facts::of(kind, &object).iter().map(|f| f.what).collect()
    }

    fn pod(spec: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}, "spec": spec})
    }

    /// Every setting of the pod part of the table, where a template keeps it too.
    #[test]
    fn pod_settings_that_grant_are_facts_and_those_that_restrict_are_not() {
        let granting = json!({
            "hostNetwork": true, "hostPID": true, "hostIPC": true, "hostUsers": false,
            "automountServiceAccountToken": true, "serviceAccountName": "deployer",
            "securityContext": {"runAsUser": 0, "runAsNonRoot": false,
                "seLinuxOptions": {"type": "spc_t"}, "seccompProfile": {"type": "Unconfined"}},
            "volumes": [{"name": "root", "hostPath": {"path": "/"}}],
            "containers": [{"name": "c", "ports": [{"containerPort": 80, "hostPort": 80}],
                "volumeMounts": [{"name": "root", "mountPath": "/host"}],
                "securityContext": {"privileged": true, "allowPrivilegeEscalation": true,
                    "capabilities": {"add": ["sys_admin"]}, "procMount": "Unmasked",
                    "appArmorProfile": {"type": "Unconfined"}}}]});
        let found = facts("Pod", pod(granting.clone()));
        for expected in [
            "spec.hostNetwork: true",
            "spec.hostPID: true",
            "spec.hostIPC: true",
            "spec.hostUsers: false",
            "spec.automountServiceAccountToken: true",
            "spec.serviceAccountName: deployer",
            "spec.securityContext.runAsUser: 0",
            "spec.securityContext.runAsNonRoot: false",
            "spec.securityContext.seLinuxOptions.type: \"spc_t\"",
            "spec.securityContext.seccompProfile.type: \"Unconfined\"",
            "spec.volumes[root].hostPath: {\"path\":\"/\",\"type\":\"\"}",
            "spec.containers[c].ports[80].hostPort: 80",
            "spec.containers[c].volumeMounts[/host]: hostPath \"/\" writable",
            "spec.containers[c].securityContext.privileged: true",
            "spec.containers[c].securityContext.allowPrivilegeEscalation: true",
            "spec.containers[c].securityContext.capabilities.add: \"SYS_ADMIN\"",
            "spec.containers[c].securityContext.procMount: \"Unmasked\"",
            "spec.containers[c].securityContext.appArmorProfile.type: \"Unconfined\"",
        ] {
            assert!(
                found.contains(&expected.to_string()),
                "{expected}: {found:?}"
            );
        }
        // The same settings in a Deployment's template, and in a CronJob's.
        let deployment =
            json!({"kind": "Deployment", "spec": {"template": {"spec": granting.clone()}}});
        assert!(
            facts("Deployment", deployment)
                .contains(&"spec.template.spec.hostPID: true".to_string())
        );
        let cron = json!({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": granting}}}}});
        assert!(
            facts("CronJob", cron)
                .contains(&"spec.jobTemplate.spec.template.spec.hostPID: true".to_string())
        );
        // What restricted SCCs and admission write grants nothing.
        let restricted = json!({"serviceAccountName": "default", "serviceAccount": "default",
            "securityContext": {"runAsNonRoot": true, "fsGroup": 1000680000,
                "seLinuxOptions": {"level": "s0:c26,c15"}, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "c", "securityContext": {"runAsUser": 1000680000,
                "allowPrivilegeEscalation": false, "privileged": false, "capabilities": {"drop": ["ALL"]}}}]});
        assert_eq!(facts("Pod", pod(restricted)), Vec::<String>::new());
    }

    #[test]
    fn unconfined_profiles_by_annotation_are_facts() {
        let mut object = pod(json!({"containers": [{"name": "c"}]}));
        object["metadata"]["annotations"] = json!({
            "container.apparmor.security.beta.kubernetes.io/c": "unconfined",
            "seccomp.security.alpha.kubernetes.io/pod": "runtime/default"});
        assert_eq!(
            facts("Pod", object),
            [
                "metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/c\"]: \"unconfined\""
            ]
        );
        let template = json!({"kind": "Deployment", "spec": {"template": {"metadata": {"annotations":
            {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}}, "spec": {"containers": []}}}});
        assert_eq!(
            facts("Deployment", template),
            [
                "spec.template.metadata.annotations[\"seccomp.security.alpha.kubernetes.io/pod\"]: \"unconfined\""
            ]
        );
    }

    /// OpenShift 3's binding and its RBAC v1 form grant the same; another role or subject does not.
    #[test]
    fn bindings_are_read_alike_in_either_spelling() {
        let ocp3 = json!({"kind": "RoleBinding", "metadata": {"namespace": "shop"},
            "roleRef": {"name": "admin", "namespace": "shop"},
            "userNames": ["dev", "system:serviceaccount:shop:builder"], "groupNames": ["ops"],
            "subjects": [{"kind": "SystemUser", "name": "dev"}]});
        let v1 = json!({"kind": "RoleBinding", "metadata": {"namespace": "shop"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "admin"},
            "subjects": [{"kind": "User", "name": "dev", "apiGroup": "rbac.authorization.k8s.io"},
                {"kind": "ServiceAccount", "name": "builder"}, {"kind": "Group", "name": "ops"}]});
        assert_eq!(
            Facts::of("RoleBinding", &ocp3),
            Facts::of("RoleBinding", &v1)
        );
        assert!(Comparison::of("RoleBinding", Some(&ocp3), Some(&v1)).is_same());
        let mut cluster_wide = v1.clone();
        cluster_wide["roleRef"]["kind"] = json!("ClusterRole");
        assert!(!Comparison::of("RoleBinding", Some(&v1), Some(&cluster_wide)).is_same());
        assert_eq!(
            role_ref(&json!({"roleRef": {"name": "view"}})),
            Some(("ClusterRole".into(), "view".into()))
        );
    }

    #[test]
    fn role_rules_are_sets_and_aggregated_rules_are_the_controllers() {
        let role = |rules: Value| json!({"kind": "ClusterRole", "rules": rules});
        let a = role(
            json!([{"apiGroups": [""], "resources": ["pods", "services"], "verbs": ["get", "list"]},
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]}]),
        );
        let reordered = role(
            json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]},
            {"apiGroups": [""], "resources": ["services", "pods"], "verbs": ["list", "get"]}]),
        );
        assert!(Comparison::of("ClusterRole", Some(&a), Some(&reordered)).is_same());
        let mut wider = a.clone();
        wider["rules"][1]["verbs"] = json!(["*"]);
        assert!(!Comparison::of("ClusterRole", Some(&a), Some(&wider)).is_same());
        // An aggregated role's rules are a copy; its selector and the labels that feed it count.
        let mut aggregated = wider.clone();
        aggregated["aggregationRule"] =
            json!({"clusterRoleSelectors": [{"matchLabels": {"x": "1"}}]});
        let mut copy = aggregated.clone();
        copy["rules"] = a["rules"].clone();
        assert!(Comparison::of("ClusterRole", Some(&aggregated), Some(&copy)).is_same());
        let mut feeding = a.clone();
        feeding["metadata"] =
            json!({"labels": {"rbac.authorization.k8s.io/aggregate-to-admin": "true"}});
        assert!(!Comparison::of("ClusterRole", Some(&a), Some(&feeding)).is_same());
    }

    #[test]
    fn a_webhook_counts_but_its_injected_ca_bundle_does_not() {
        let hook = |bundle: &str, policy: &str| {
            json!({"kind": "MutatingWebhookConfiguration", "webhooks": [{"name": "w.example.com",
                "failurePolicy": policy, "clientConfig": {"caBundle": bundle, "service": {"name": "w", "namespace": "x"}}}]})
        };
        let kind = "MutatingWebhookConfiguration";
        assert!(
            Comparison::of(kind, Some(&hook("AAA", "Fail")), Some(&hook("BBB", "Fail"))).is_same()
        );
        assert!(
            !Comparison::of(
                kind,
                Some(&hook("AAA", "Fail")),
                Some(&hook("AAA", "Ignore"))
            )
            .is_same()
        );
    }

    #[test]
    fn other_kinds_of_the_table() {
        let policy = |types: Value| json!({"kind": "NetworkPolicy", "spec": {"podSelector": {}, "policyTypes": types}});
        assert!(
            !Comparison::of(
                "NetworkPolicy",
                Some(&policy(json!(["Ingress"]))),
                Some(&policy(json!(["Ingress", "Egress"])))
            )
            .is_same()
        );
        let account = json!({"kind": "ServiceAccount", "automountServiceAccountToken": false});
        assert_eq!(
            facts("ServiceAccount", account),
            ["automountServiceAccountToken: false"]
        );
        let ns = json!({"kind": "Namespace", "metadata": {"labels": {
            "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "restricted"}}});
        assert_eq!(
            facts("Namespace", ns),
            ["metadata.labels[\"pod-security.kubernetes.io/enforce\"]: privileged"]
        );
        let scc = json!({"kind": "SecurityContextConstraints", "metadata": {"name": "x"}, "allowPrivilegedContainer": true});
        assert_eq!(
            facts("SecurityContextConstraints", scc),
            ["allowPrivilegedContainer: true"]
        );
        assert!(
            facts(
                "ConfigMap",
                json!({"kind": "ConfigMap", "data": {"privileged": "true"}})
            )
            .is_empty()
        );
        assert!(!covers("ConfigMap") && covers("Pod") && covers("ClusterRoleBinding"));
        let template = json!({"kind": "PodTemplate", "template": {"spec": {"hostIPC": true}}});
        assert_eq!(
            facts("PodTemplate", template),
            ["template.spec.hostIPC: true"]
        );
        // Sysctls are the pod's (unsafe ones reach the node); a container has none.
        let sysctls = pod(
            json!({"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}]},
            "containers": [{"name": "c", "securityContext": {"sysctls": [{"name": "x", "value": "1"}]}}]}),
        );
        assert_eq!(
            facts("Pod", sysctls),
            ["spec.securityContext.sysctls: {\"name\":\"kernel.msgmax\",\"value\":\"1\"}"]
        );
    }

    /// A change is sensitive where a gained or lost fact is: at it, above it (a whole container
    /// or object) or below it; elsewhere in the same object it is not.
    #[test]
    fn a_change_touches_the_facts_where_it_is() {
        let old = pod(json!({"containers": [{"name": "c", "image": "a"}]}));
        let mut new = old.clone();
        new["spec"]["containers"][0]["image"] = json!("b");
        new["spec"]["containers"][0]["securityContext"] = json!({"privileged": true});
        let comparison = Comparison::of("Pod", Some(&old), Some(&new));
        let changes = diff("Pod", &old, &new, &ValueOptions::default());
        let touched: Vec<(String, bool)> = changes
            .iter()
            .map(|c| (c.path.human(), comparison.touched_by(c).is_some()))
            .collect();
        assert!(
            touched.contains(&("spec.containers[c].image".into(), false)),
            "{touched:?}"
        );
        assert!(
            touched.contains(&("spec.containers[c].securityContext".into(), true)),
            "{touched:?}"
        );
        let gone = Comparison::of("Pod", Some(&new), Some(&old));
        let removal = diff("Pod", &new, &old, &ValueOptions::default());
        let lost = removal
            .iter()
            .find_map(|c| gone.touched_by(c))
            .expect("losing privileged is a security change");
        assert!(
            !lost.gained && lost.describe().contains("no longer"),
            "{lost:?}"
        );
        // A whole object added touches everything it grants.
        let added = Comparison::of("Pod", None, Some(&new));
        let whole = Change {
            path: crate::diff::Path::default(),
            op: Op::Add,
            old: None,
            new: Some(new.clone()),
            secret: false,
            format_only: false,
            elided: None,
        };
        assert!(added.touched_by(&whole).is_some_and(|t| t.gained));
        assert_eq!(added.gained().count(), 1);
    }

    /// The first look rules out only what cannot concern a fact.
    #[test]
    fn may_touch_rules_out_only_places_without_facts() {
        let at = |pointer: &str| Change {
            path: crate::diff::Path(
                pointer
                    .split('/')
                    .skip(1)
                    .map(|s| crate::diff::path::Segment::Field(s.into()))
                    .collect(),
            ),
            op: Op::Replace,
            old: Some(json!(1)),
            new: Some(json!(2)),
            secret: false,
            format_only: false,
            elided: None,
        };
        for (kind, pointer, expected) in [
            ("Pod", "/spec/nodeName", false),
            ("Pod", "/status/podIP", false),
            ("Pod", "/metadata/labels/pod-template-hash", false),
            ("Pod", "/spec/containers/web/image", false),
            ("Pod", "/spec/containers/web/securityContext", true),
            ("Pod", "/spec/containers/web", true),
            ("Pod", "/spec/containers/web/ports", true),
            ("Pod", "/spec/volumes/token", true),
            ("Pod", "/spec/hostPID", true),
            ("Pod", "/spec", true),
            (
                "Pod",
                "/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod",
                true,
            ),
            ("Deployment", "/spec/replicas", false),
            ("Deployment", "/spec/template", true),
            ("Deployment", "/spec/template/spec/serviceAccountName", true),
            ("Deployment", "/spec/template/metadata/annotations/x", true),
            ("ConfigMap", "/data/x", false),
            ("RoleBinding", "/metadata/labels/x", true),
        ] {
            assert_eq!(may_touch(kind, &at(pointer)), expected, "{kind} {pointer}");
        }
    }

    #[test]
    fn label_selectors_select_as_the_api_server_does() {
        let labels: BTreeMap<String, String> = [("team".to_string(), "shop".to_string())]
            .into_iter()
            .collect();
        assert!(selects(None, &labels));
        assert!(selects(Some(&json!({})), &labels));
        assert!(selects(
            Some(&json!({"matchLabels": {"team": "shop"}})),
            &labels
        ));
        assert!(!selects(
            Some(&json!({"matchLabels": {"team": "ops"}})),
            &labels
        ));
        let expression = |op: &str, values: Value| json!({"matchExpressions": [{"key": "team", "operator": op, "values": values}]});
        assert!(selects(Some(&expression("In", json!(["shop"]))), &labels));
        assert!(!selects(
            Some(&expression("NotIn", json!(["shop"]))),
            &labels
        ));
        assert!(selects(Some(&expression("Exists", json!([]))), &labels));
        assert!(!selects(
            Some(&expression("DoesNotExist", json!([]))),
            &labels
        ));
    }
}
