//! The facts of pod specs (of pods and of every workload's template): host namespaces, host
//! paths and ports, service accounts, and the settings of security contexts that grant something.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Facts, canonical, items, str_field};

impl Facts {
    /// A pod spec at `base` (a pointer) whose human path is `human`.
    pub(super) fn pod_spec(&mut self, spec: &Value, base: &str, human: &str) {
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
    pub(super) fn profile_annotations(
        &mut self,
        annotations: &Map<String, Value>,
        base: &str,
        human: String,
    ) {
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
fn is_zero(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.trim() == "0",
        _ => false,
    }
}
