//! The facts of admission and network policy: webhook configurations (each webhook but its
//! `caBundle`), admission and network policies (the whole spec), SCCs (the whole object), a
//! service account's token automount, a namespace's enforced Pod Security level, which namespaces
//! may attach routes to a Gateway API listener.

use serde_json::Value;

use super::{Facts, canonical, items, label_pointer, labels, str_field};

impl Facts {
    pub(super) fn webhooks(&mut self, object: &Value) {
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

    /// Admission and network policies and their bindings: the spec as a whole.
    pub(super) fn whole_spec(&mut self, object: &Value) {
        if let Some(spec) = object.get("spec") {
            self.add(format!("spec: {}", canonical(spec)), "/spec".into());
        }
    }

    /// Every field of an SCC but the object's type and metadata.
    pub(super) fn security_context_constraints(&mut self, object: &Value) {
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

    pub(super) fn service_account(&mut self, object: &Value) {
        if let Some(value) = object.get("automountServiceAccountToken") {
            self.add(
                format!("automountServiceAccountToken: {value}"),
                "/automountServiceAccountToken".into(),
            );
        }
    }

    /// A Gateway API Gateway: a listener open to routes of other namespaces
    /// (`allowedRoutes.namespaces.from` `All`, or `Selector` with its selector). `from` defaults
    /// to `Same`, which grants nothing: a listener that keeps to its namespace is no fact, so
    /// adding one is no security change, and opening one is.
    pub(super) fn gateway(&mut self, object: &Value) {
        let Some(listeners) = object.pointer("/spec/listeners").and_then(Value::as_array) else {
            return;
        };
        for (index, listener) in listeners.iter().enumerate() {
            let Some(namespaces) = listener.pointer("/allowedRoutes/namespaces") else {
                continue;
            };
            let from = namespaces
                .get("from")
                .and_then(Value::as_str)
                .unwrap_or("Same");
            if from == "Same" {
                continue;
            }
            self.add(
                format!(
                    "spec.listeners[{}].allowedRoutes.namespaces: {}",
                    str_field(listener, "name"),
                    canonical(namespaces)
                ),
                format!("/spec/listeners/{index}/allowedRoutes/namespaces"),
            );
        }
    }

    pub(super) fn namespace(&mut self, object: &Value) {
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
}
