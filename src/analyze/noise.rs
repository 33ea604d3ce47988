//! The noise profile: changes that are housekeeping, hidden by default and counted, each hidden by
//! a named rule so that `--explain` can say why. Built-in rules live in one table; user rules come
//! from `--ignore-file` or `.driftlabignore`, in a shape modelled on Argo CD's `ignoreDifferences`.

use serde_json::Value;

use crate::diff::{Change, Op, PathPattern};
use crate::error::{Error, Result};
use crate::glob;
use crate::snapshot::ObjectKey;

/// What a rule may look at besides the change: the object it is in.
pub struct Context<'a> {
    /// The object's identity.
    pub key: &'a ObjectKey,
    /// The old version, if any.
    pub old: Option<&'a Value>,
    /// The new version, if any.
    pub new: Option<&'a Value>,
}

impl Context<'_> {
    /// The object's annotation `name` (new version first).
    fn annotation(&self, name: &str) -> Option<&str> {
        [self.new, self.old]
            .into_iter()
            .flatten()
            .find_map(|o| o.pointer("/metadata/annotations")?.get(name)?.as_str())
    }

    /// Whether a controller (DeploymentConfig, Deployment, …) owns the object.
    fn controlled(&self) -> bool {
        [self.new, self.old].into_iter().flatten().any(|o| {
            o.pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|refs| {
                    refs.iter()
                        .any(|r| r.get("controller") == Some(&Value::Bool(true)))
                })
                || o.pointer("/metadata/annotations/openshift.io~1deployment-config.name")
                    .is_some()
        })
    }
}

/// An extra condition of a built-in rule.
type Condition = fn(&Context<'_>, &Change) -> bool;

/// One built-in noise rule.
#[derive(Debug)]
pub struct BuiltinRule {
    /// Its name, as `--explain` prints it.
    pub name: &'static str,
    /// What it hides and why, for the README and `--explain`.
    pub description: &'static str,
    /// The kinds it applies to (empty: every kind).
    pub kinds: &'static [&'static str],
    /// Path patterns of what it hides.
    pub paths: &'static [&'static str],
    /// A further condition, if any.
    pub when: Option<Condition>,
}

const fn rule(
    name: &'static str,
    description: &'static str,
    kinds: &'static [&'static str],
    paths: &'static [&'static str],
) -> BuiltinRule {
    BuiltinRule {
        name,
        description,
        kinds,
        paths,
        when: None,
    }
}

fn route_host_generated(cx: &Context<'_>, _: &Change) -> bool {
    cx.annotation("openshift.io/host.generated") == Some("true")
}

fn controller_managed(cx: &Context<'_>, _: &Change) -> bool {
    cx.controlled()
}

/// An order change of a keyed list (the values are the element keys).
fn keyed_order(_: &Context<'_>, change: &Change) -> bool {
    change.op == Op::Move
        && change
            .old
            .as_ref()
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().all(Value::is_string))
}

/// The built-in noise rules.
pub const BUILTIN: &[BuiltinRule] = &[
    rule(
        "deployment-revision",
        "controller bookkeeping annotations: deployment.kubernetes.io/revision and the like",
        &[],
        &[
            r#"metadata.annotations["deployment.kubernetes.io/*"]"#,
            r#"spec.template.metadata.annotations["deployment.kubernetes.io/*"]"#,
        ],
    ),
    rule(
        "controller-labels",
        "labels controllers generate: pod-template-hash, controller-uid",
        &[],
        &[
            r#"metadata.labels["pod-template-hash"]"#,
            r#"metadata.labels["controller-uid"]"#,
            r#"metadata.labels["batch.kubernetes.io/controller-uid"]"#,
            r#"spec.selector.matchLabels["pod-template-hash"]"#,
            r#"spec.selector["pod-template-hash"]"#,
            r#"spec.selector.matchLabels["controller-uid"]"#,
            r#"spec.selector.matchLabels["batch.kubernetes.io/controller-uid"]"#,
            r#"spec.template.metadata.labels["pod-template-hash"]"#,
            r#"spec.template.metadata.labels["controller-uid"]"#,
            r#"spec.template.metadata.labels["batch.kubernetes.io/controller-uid"]"#,
        ],
    ),
    rule(
        "owner-uid",
        "the uid of an owner reference, new with every recreated owner",
        &[],
        &["metadata.ownerReferences[*].uid"],
    ),
    rule(
        "generate-name",
        "the prefix a controller names generated objects with",
        &[],
        &["metadata.generateName"],
    ),
    rule(
        "service-cluster-ip",
        "the cluster IP the API server assigns to a Service",
        &["Service"],
        &["spec.clusterIP", "spec.clusterIPs"],
    ),
    rule(
        "endpoint-addresses",
        "the addresses of the pods behind a Service, new with every new pod",
        &["Endpoints", "EndpointSlice"],
        &[
            "subsets[*].addresses",
            "subsets[*].notReadyAddresses",
            "endpoints",
        ],
    ),
    rule(
        "pv-claim-ref",
        "the uid and resourceVersion of the claim a PersistentVolume is bound to",
        &["PersistentVolume"],
        &["spec.claimRef.uid", "spec.claimRef.resourceVersion"],
    ),
    rule(
        "pod-placement",
        "where the scheduler put a pod and the addresses it got",
        &["Pod"],
        &[
            "spec.nodeName",
            "status.hostIP",
            "status.podIP",
            "status.podIPs",
        ],
    ),
    rule(
        "service-account-token",
        "the service account's generated token and pull-secret references",
        &[],
        &[
            "secrets[*-token-*]",
            "secrets[*-dockercfg-*]",
            "imagePullSecrets[*-dockercfg-*]",
            "spec.imagePullSecrets[*-dockercfg-*]",
            "spec.volumes[*-token-*]",
            "spec.containers[*].volumeMounts[/var/run/secrets/kubernetes.io/serviceaccount]",
            "spec.initContainers[*].volumeMounts[/var/run/secrets/kubernetes.io/serviceaccount]",
        ],
    ),
    rule(
        "openshift-generated-by",
        "openshift.io/generated-by: which tool created the object",
        &[],
        &[r#"metadata.annotations["openshift.io/generated-by"]"#],
    ),
    rule(
        "openshift-deployment",
        "OpenShift's deployment bookkeeping annotations (openshift.io/deployment.*, deployer pods, the encoded config)",
        &[],
        &[
            r#"metadata.annotations["openshift.io/deployment.*"]"#,
            r#"metadata.annotations["openshift.io/deployment-config.*"]"#,
            r#"metadata.annotations["openshift.io/deployer-pod.*"]"#,
            r#"metadata.annotations["openshift.io/encoded-deployment-config"]"#,
            r#"spec.template.metadata.annotations["openshift.io/deployment.*"]"#,
            r#"spec.template.metadata.annotations["openshift.io/deployment-config.*"]"#,
        ],
    ),
    rule(
        "openshift-build",
        "OpenShift's build bookkeeping annotations (openshift.io/build.*)",
        &[],
        &[
            r#"metadata.annotations["openshift.io/build.*"]"#,
            r#"metadata.annotations["openshift.io/build-config.*"]"#,
        ],
    ),
    rule(
        "dc-last-triggered-image",
        "the image a DeploymentConfig's ImageChange trigger last acted on",
        &["DeploymentConfig"],
        &["spec.triggers[*].imageChangeParams.lastTriggeredImage"],
    ),
    rule(
        "scc-assigned",
        "user, group and SELinux level an OpenShift SCC assigned to a pod",
        &["Pod"],
        &[
            "spec.securityContext.fsGroup",
            "spec.securityContext.seLinuxOptions",
            "spec.containers[*].securityContext.runAsUser",
            "spec.initContainers[*].securityContext.runAsUser",
            r#"metadata.annotations["openshift.io/scc"]"#,
        ],
    ),
    BuiltinRule {
        name: "route-generated-host",
        description: "a Route host OpenShift generated (openshift.io/host.generated: true)",
        kinds: &["Route"],
        paths: &["spec.host"],
        when: Some(route_host_generated),
    },
    rule(
        "imagestream-tag-history",
        "ImageStream tag generations and repository checks",
        &["ImageStream"],
        &[
            "spec.tags[*].generation",
            r#"metadata.annotations["openshift.io/image.dockerRepositoryCheck"]"#,
        ],
    ),
    BuiltinRule {
        name: "controller-replicas",
        description: "replicas of a ReplicationController or ReplicaSet its DeploymentConfig or Deployment scales",
        kinds: &["ReplicationController", "ReplicaSet"],
        paths: &["spec.replicas"],
        when: Some(controller_managed),
    },
    BuiltinRule {
        name: "keyed-list-order",
        description: "the order of a list whose elements are matched by name (env, containers, ports, …)",
        kinds: &[],
        paths: &["*"],
        when: Some(keyed_order),
    },
];

/// A user rule from an ignore file.
#[derive(Clone, Debug)]
pub struct UserRule {
    /// How `--explain` names it: `FILE#N` or its `description`.
    pub name: String,
    group: Option<String>,
    kind: Option<String>,
    namespace: Option<String>,
    object_name: Option<String>,
    paths: Vec<PathPattern>,
}

impl UserRule {
    fn applies_to(&self, key: &ObjectKey) -> bool {
        let ok = |pattern: &Option<String>, value: &str| {
            pattern.as_deref().is_none_or(|p| glob::matches(p, value))
        };
        ok(&self.group, &key.group)
            && ok(&self.kind, &key.kind)
            && ok(&self.namespace, &key.namespace)
            && ok(&self.object_name, &key.name)
    }
}

/// Parses an ignore file: YAML or JSON, either a list of rules or `{ignoreDifferences: [...]}`.
/// Each rule has optional `group`, `kind`, `namespace`, `name` (globs), and `jsonPointers`
/// and/or `paths` (driftlab paths); `description` names it.
pub fn parse_ignore_file(text: &str, file: &str) -> Result<Vec<UserRule>> {
    let documents = crate::source::documents::parse(text.as_bytes(), file)?;
    let root = documents
        .into_iter()
        .find(|d| !d.is_null())
        .unwrap_or(Value::Array(Vec::new()));
    let list = match root {
        Value::Array(list) => list,
        Value::Object(mut map) => match map.remove("ignoreDifferences") {
            Some(Value::Array(list)) => list,
            _ => {
                return Err(Error::input(
                    file,
                    "expected a list of rules or ignoreDifferences: [...]",
                ));
            }
        },
        _ => {
            return Err(Error::input(
                file,
                "expected a list of rules or ignoreDifferences: [...]",
            ));
        }
    };
    let mut rules = Vec::new();
    for (index, item) in list.into_iter().enumerate() {
        let at = format!("rule {}", index + 1);
        let Value::Object(map) = item else {
            return Err(Error::input(file, format!("{at}: not a mapping")));
        };
        let mut rule = UserRule {
            name: format!("{file}#{}", index + 1),
            group: None,
            kind: None,
            namespace: None,
            object_name: None,
            paths: Vec::new(),
        };
        for (field, value) in map {
            let text = |v: &Value| -> Result<String> {
                v.as_str()
                    .map(String::from)
                    .ok_or_else(|| Error::input(file, format!("{at}: {field} must be a string")))
            };
            match field.as_str() {
                "group" => rule.group = Some(text(&value)?),
                "kind" => rule.kind = Some(text(&value)?),
                "namespace" => rule.namespace = Some(text(&value)?),
                "name" => rule.object_name = Some(text(&value)?),
                "description" => rule.name = format!("{} ({file}#{})", text(&value)?, index + 1),
                "jsonPointers" | "paths" => {
                    let Value::Array(items) = value else {
                        return Err(Error::input(file, format!("{at}: {field} must be a list")));
                    };
                    for item in items {
                        let text = item.as_str().ok_or_else(|| {
                            Error::input(file, format!("{at}: {field} entries must be strings"))
                        })?;
                        if field == "jsonPointers" && !text.starts_with('/') {
                            return Err(Error::input(
                                file,
                                format!("{at}: {text:?} is not a JSON pointer (starts with /)"),
                            ));
                        }
                        rule.paths.push(
                            PathPattern::parse(text)
                                .map_err(|e| Error::input(file, format!("{at}: {e}")))?,
                        );
                    }
                }
                "jqPathExpressions" | "managedFieldsManagers" => {
                    return Err(Error::input(
                        file,
                        format!("{at}: {field} is not supported (use jsonPointers or paths)"),
                    ));
                }
                other => return Err(Error::input(file, format!("{at}: unknown field {other:?}"))),
            }
        }
        if rule.paths.is_empty() {
            return Err(Error::input(
                file,
                format!("{at}: needs jsonPointers or paths"),
            ));
        }
        rules.push(rule);
    }
    Ok(rules)
}

/// The noise profile in force: built-in rules (unless turned off) and user rules.
#[derive(Debug)]
pub struct NoiseProfile {
    builtin: Vec<(&'static BuiltinRule, Vec<PathPattern>)>,
    user: Vec<UserRule>,
}

impl NoiseProfile {
    /// The profile with the built-in table (when `defaults`) and `user` rules.
    pub fn new(defaults: bool, user: Vec<UserRule>) -> NoiseProfile {
        let builtin = if defaults {
            BUILTIN
                .iter()
                .map(|rule| {
                    let patterns = rule
                        .paths
                        .iter()
                        .map(|p| PathPattern::parse(p).expect("built-in patterns parse"))
                        .collect();
                    (rule, patterns)
                })
                .collect()
        } else {
            Vec::new()
        };
        NoiseProfile { builtin, user }
    }

    /// The name of the rule that hides `change` in the object of `cx`, if one does.
    pub fn hides(&self, cx: &Context<'_>, change: &Change) -> Option<String> {
        for (rule, patterns) in &self.builtin {
            let kind_ok = rule.kinds.is_empty() || rule.kinds.contains(&cx.key.kind.as_str());
            if kind_ok
                && patterns.iter().any(|p| p.matches(&change.path))
                && rule.when.is_none_or(|when| when(cx, change))
            {
                return Some(rule.name.to_string());
            }
        }
        self.user
            .iter()
            .find(|rule| {
                rule.applies_to(cx.key) && rule.paths.iter().any(|p| p.matches(&change.path))
            })
            .map(|rule| rule.name.clone())
    }

    /// Whether a rule names a path strictly below `path` for this object.
    pub fn reaches_below(&self, key: &ObjectKey, path: &crate::diff::Path) -> bool {
        self.builtin
            .iter()
            .filter(|(rule, _)| rule.kinds.is_empty() || rule.kinds.contains(&key.kind.as_str()))
            .any(|(_, patterns)| patterns.iter().any(|p| p.reaches_below(path)))
            || self
                .user
                .iter()
                .filter(|rule| rule.applies_to(key))
                .any(|rule| rule.paths.iter().any(|p| p.reaches_below(path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::value::{ValueOptions, diff};
    use serde_json::json;

    fn key(kind: &str) -> ObjectKey {
        ObjectKey {
            namespace: "p".into(),
            kind: kind.into(),
            name: "web".into(),
            group: String::new(),
        }
    }

    fn hidden(
        kind: &str,
        old: Value,
        new: Value,
        profile: &NoiseProfile,
    ) -> Vec<(String, Option<String>)> {
        let key = key(kind);
        let cx = Context {
            key: &key,
            old: Some(&old),
            new: Some(&new),
        };
        diff(kind, &old, &new, &ValueOptions::default())
            .into_iter()
            .map(|c| (c.path.human(), profile.hides(&cx, &c)))
            .collect()
    }

    #[test]
    fn builtin_rules_hide_housekeeping_but_not_restarts() {
        let profile = NoiseProfile::new(true, Vec::new());
        let old = json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "3", "openshift.io/generated-by": "x"}},
            "spec": {"template": {"metadata": {"annotations": {}}}}});
        let new = json!({"metadata": {"annotations": {"deployment.kubernetes.io/revision": "4", "openshift.io/generated-by": "y"}},
            "spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2018-09-12T00:00:00Z"}}}}});
        let result = hidden("Deployment", old, new, &profile);
        assert_eq!(
            result,
            [
                (
                    r#"metadata.annotations["deployment.kubernetes.io/revision"]"#.to_string(),
                    Some("deployment-revision".to_string())
                ),
                (
                    r#"metadata.annotations["openshift.io/generated-by"]"#.to_string(),
                    Some("openshift-generated-by".to_string())
                ),
                (
                    r#"spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]"#
                        .to_string(),
                    None
                ),
            ]
        );
        assert!(
            NoiseProfile::new(false, Vec::new())
                .hides(
                    &Context {
                        key: &key("Deployment"),
                        old: None,
                        new: None
                    },
                    &diff(
                        "X",
                        &json!({"metadata": {"generateName": "a"}}),
                        &json!({"metadata": {"generateName": "b"}}),
                        &ValueOptions::default()
                    )[0]
                )
                .is_none()
        );
    }

    #[test]
    fn conditions_of_builtin_rules() {
        let profile = NoiseProfile::new(true, Vec::new());
        let generated = json!({"metadata": {"annotations": {"openshift.io/host.generated": "true"}}, "spec": {"host": "a"}});
        let mut chosen = generated.clone();
        chosen["metadata"]["annotations"] = json!({});
        let mut other = generated.clone();
        other["spec"]["host"] = json!("b");
        assert_eq!(
            hidden("Route", generated.clone(), other.clone(), &profile)[0]
                .1
                .as_deref(),
            Some("route-generated-host")
        );
        let mut chosen_other = chosen.clone();
        chosen_other["spec"]["host"] = json!("b");
        assert_eq!(hidden("Route", chosen, chosen_other, &profile)[0].1, None);

        let owned = json!({"metadata": {"ownerReferences": [{"kind": "Deployment", "name": "web", "controller": true}]}, "spec": {"replicas": 2}});
        let mut scaled = owned.clone();
        scaled["spec"]["replicas"] = json!(0);
        assert_eq!(
            hidden("ReplicaSet", owned, scaled, &profile)[0]
                .1
                .as_deref(),
            Some("controller-replicas")
        );
        let alone = json!({"spec": {"replicas": 2}});
        assert_eq!(
            hidden(
                "ReplicaSet",
                alone,
                json!({"spec": {"replicas": 0}}),
                &profile
            )[0]
            .1,
            None
        );
    }

    #[test]
    fn user_rules_in_argo_shape() {
        let text = "ignoreDifferences:\n- group: apps\n  kind: Deployment\n  name: 'web*'\n  jsonPointers: [/spec/replicas]\n- kind: ConfigMap\n  description: app settings\n  paths: ['data[\"app.properties\"]']\n";
        let rules = parse_ignore_file(text, ".driftlabignore").unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[1].name, "app settings (.driftlabignore#2)");
        let profile = NoiseProfile::new(false, rules);
        let mut key = key("Deployment");
        key.group = "apps".into();
        let cx = Context {
            key: &key,
            old: None,
            new: None,
        };
        let change = &diff(
            "Deployment",
            &json!({"spec": {"replicas": 1}}),
            &json!({"spec": {"replicas": 2}}),
            &ValueOptions::default(),
        )[0];
        assert_eq!(
            profile.hides(&cx, change).as_deref(),
            Some(".driftlabignore#1")
        );
        key.name = "db".into();
        let cx = Context {
            key: &key,
            old: None,
            new: None,
        };
        assert_eq!(profile.hides(&cx, change), None);
    }

    #[test]
    fn bad_ignore_files_say_what_is_wrong() {
        let err = parse_ignore_file("- kind: X\n  jqPathExpressions: ['.a']\n", "rules.yaml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "rules.yaml: rule 1: jqPathExpressions is not supported (use jsonPointers or paths)"
        );
        let err = parse_ignore_file("- kind: X\n", "rules.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs jsonPointers or paths"), "{err}");
        let err = parse_ignore_file("- kind: X\n  jsonPointers: [spec]\n", "r")
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a JSON pointer"), "{err}");
        let err = parse_ignore_file("- kind: X\n  paths: [a]\n  colour: red\n", "r")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field \"colour\""), "{err}");
    }
}
