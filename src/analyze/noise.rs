//! The noise profile: changes that are housekeeping, hidden by default and counted, each hidden by
//! a named rule so that `--explain` can say why. Built-in rules live in one table; user rules come
//! from `--ignore-file` or `.driftlabignore`, in a shape modelled on Argo CD's `ignoreDifferences`.

use std::cell::OnceCell;

use serde_json::Value;

use super::ignored::RuleSource;
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
    /// Each version with the server's defaults filled in, worked out once per object when a
    /// change first asks.
    defaulted: [OnceCell<Option<Value>>; 2],
    /// What both versions grant ([`super::security`]), worked out once per object when a
    /// built-in rule first matches.
    security: OnceCell<super::security::Comparison>,
}

impl<'a> Context<'a> {
    /// The context of the object `key`, in its old and new versions.
    pub fn new(key: &'a ObjectKey, old: Option<&'a Value>, new: Option<&'a Value>) -> Self {
        Context {
            key,
            old,
            new,
            defaulted: [OnceCell::new(), OnceCell::new()],
            security: OnceCell::new(),
        }
    }

    /// Whether `change` gains or loses a setting of the security table, which no built-in rule
    /// may hide.
    pub fn security_sensitive(&self, change: &Change) -> bool {
        super::security::may_touch(&self.key.kind, change)
            && self
                .security
                .get_or_init(|| super::security::Comparison::of(&self.key.kind, self.old, self.new))
                .touched_by(change)
                .is_some()
    }

    /// The old (`new_side` false) or new version with the server's defaults filled in.
    fn defaulted(&self, new_side: bool) -> Option<&Value> {
        let (cell, object) = if new_side {
            (&self.defaulted[1], self.new)
        } else {
            (&self.defaulted[0], self.old)
        };
        cell.get_or_init(|| object.map(crate::apiserver::defaults::defaulted))
            .as_ref()
    }

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
    /// What it hides and why, for the guide (docs/guide.md) and `--explain`.
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

/// A cluster IP change that neither makes nor unmakes a headless Service (`clusterIP: None`).
fn not_headless(cx: &Context<'_>, _: &Change) -> bool {
    let headless = |o: Option<&Value>| {
        o.and_then(|o| o.pointer("/spec/clusterIP"))
            .is_some_and(|ip| ip == "None")
    };
    headless(cx.old) == headless(cx.new)
}

/// A field one side has and the other lacks (not a change of its value).
fn one_side_lacks(_: &Context<'_>, change: &Change) -> bool {
    matches!(change.op, Op::Add | Op::Remove)
}

/// An empty list added or removed.
fn empty_list(_: &Context<'_>, change: &Change) -> bool {
    let value = match change.op {
        Op::Add => change.new.as_ref(),
        Op::Remove => change.old.as_ref(),
        _ => None,
    };
    value
        .and_then(Value::as_array)
        .is_some_and(|items| items.is_empty())
}

/// A ClusterRole whose rules the aggregation controller writes.
fn aggregated(cx: &Context<'_>, _: &Change) -> bool {
    [cx.old, cx.new]
        .into_iter()
        .flatten()
        .any(|o| o.get("aggregationRule").is_some())
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

/// The object on the side of `change` that holds the value (the new side for an addition, the old
/// side for a removal) and the JSON pointer of that value in it; `None` for a replacement, a move or
/// a change inside an embedded document.
fn present_side<'a>(cx: &Context<'a>, change: &Change) -> Option<(&'a Value, String)> {
    if change.path.embedded().is_some() {
        return None;
    }
    match change.op {
        Op::Add => Some((cx.new?, change.path.pointer())),
        Op::Remove => Some((cx.old?, change.path.old_pointer())),
        _ => None,
    }
}

/// A field one side lacks and the other holds at the value the API server fills in when it is
/// absent ([`crate::apiserver::defaults`]): the same object, written once with and once without it.
///
/// Asked both ways: would the server fill in the present value were it absent here, and does the
/// other side, with its defaults filled in, hold the same value there? The second catches
/// defaults that come in pairs (a Job's `completions` is 1 only when `parallelism` is unset too).
fn server_default(cx: &Context<'_>, change: &Change) -> bool {
    let Some((object, pointer)) = present_side(cx, change) else {
        return false;
    };
    let Some(present) = object.pointer(&pointer) else {
        return false;
    };
    let lacking_pointer = match change.op {
        Op::Add => change.path.old_pointer(),
        _ => change.path.pointer(),
    };
    cx.defaulted(change.op != Op::Add)
        .and_then(|other| other.pointer(&lacking_pointer))
        .is_some_and(|filled| filled == present)
        || crate::apiserver::defaults::is_default(object, &pointer).is_some()
}

/// A field one side lacks that an admission plugin or controller injected into the other
/// ([`crate::apiserver::injected`]): the token volume and its mounts, default tolerations, priority.
fn admission_injected(cx: &Context<'_>, change: &Change) -> bool {
    let Some((object, pointer)) = present_side(cx, change) else {
        return false;
    };
    let injected =
        |pointer: &str| crate::apiserver::injected::is_injected(object, pointer).is_some();
    // A list the other side lacks altogether (tolerations, volumes): injected when every element is.
    match object.pointer(&pointer) {
        Some(Value::Array(items)) if !items.is_empty() => {
            (0..items.len()).all(|index| injected(&format!("{pointer}/{index}")))
        }
        _ => injected(&pointer),
    }
}

/// What an API upgrade changes without changing the object (see [`is_api_upgrade`]).
fn api_upgrade(cx: &Context<'_>, change: &Change) -> bool {
    is_api_upgrade(&cx.key.kind, cx.old, cx.new, change)
}

/// The differences between an object as an older API server returned it and the same object from
/// a newer one: an `apiVersion` at any depth moving between versions of one group (or from
/// OpenShift 3's plain `v1` to the group the kind lives in today), the OpenShift 3 form of RBAC
/// bindings, and the bookkeeping newer servers add to namespaces.
pub fn is_api_upgrade(
    kind: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    change: &Change,
) -> bool {
    let fields: Vec<&str> = change.path.fields().collect();
    if fields.last() == Some(&"apiVersion") && change.op == Op::Replace {
        return match (
            change.old.as_ref().and_then(Value::as_str),
            change.new.as_ref().and_then(Value::as_str),
        ) {
            (Some(a), Some(b)) => crate::snapshot::kinds::same_api(a, b),
            _ => false,
        };
    }
    match kind {
        "Namespace" | "Project" => {
            change.path.human() == r#"metadata.labels["kubernetes.io/metadata.name"]"#
                || fields == ["spec", "finalizers"]
        }
        "RoleBinding" | "ClusterRoleBinding" => legacy_binding(old, new, change, &fields),
        _ => false,
    }
}

/// A difference between OpenShift 3's form of a role binding and its RBAC v1 form: `userNames`
/// and `groupNames` (OpenShift 3 repeats the subjects there), the `apiGroup` RBAC v1 writes on
/// subjects and the role reference, and the role reference's `kind` (`Role` where OpenShift 3
/// named the role's namespace, else `ClusterRole`) and `namespace`. Only when one side lacks the
/// field, so a binding that really moves to another role is still a change.
fn legacy_binding(
    old: Option<&Value>,
    new: Option<&Value>,
    change: &Change,
    fields: &[&str],
) -> bool {
    let (lacking, holding, value) = match change.op {
        Op::Add => (old, new, change.new.as_ref()),
        Op::Remove => (new, old, change.old.as_ref()),
        _ => return false,
    };
    let (Some(lacking), Some(holding), Some(value)) = (lacking, holding, value) else {
        return false;
    };
    const RBAC: &str = "rbac.authorization.k8s.io";
    match fields {
        ["userNames"] | ["groupNames"] => true,
        ["subjects", "apiGroup"] | ["roleRef", "apiGroup"] => value.as_str() == Some(RBAC),
        ["roleRef", "kind"] => {
            let scoped = lacking
                .pointer("/roleRef/namespace")
                .is_some_and(|n| n.as_str().is_some_and(|n| !n.is_empty()));
            value.as_str() == Some(if scoped { "Role" } else { "ClusterRole" })
        }
        // OpenShift 3 named the role's namespace; RBAC v1 does not (the binding's own is meant,
        // with `kind: Role`). Without that kind the same roleRef names a ClusterRole: a Role
        // `admin` of one namespace become the ClusterRole `admin` is no rewrite.
        ["roleRef", "namespace"] => {
            let own_namespace = holding.pointer("/metadata/namespace");
            lacking.pointer("/roleRef/kind").and_then(Value::as_str) == Some("Role")
                && own_namespace.is_some_and(|ns| ns == value)
        }
        _ => false,
    }
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
            r#"metadata.annotations["deprecated.daemonset.template.generation"]"#,
        ],
    ),
    rule(
        "controller-labels",
        "labels controllers generate: pod-template-hash, controller-uid, controller-revision-hash",
        &[],
        &[
            r#"metadata.labels["pod-template-hash"]"#,
            r#"metadata.labels["controller-uid"]"#,
            r#"metadata.labels["controller-revision-hash"]"#,
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
    BuiltinRule {
        name: "service-cluster-ip",
        description: "the cluster IP the API server assigns to a Service (not a headless Service's None, which someone chose)",
        kinds: &["Service"],
        paths: &["spec.clusterIP", "spec.clusterIPs"],
        when: Some(not_headless),
    },
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
        name: "empty-list",
        description: "an empty list on one side, absent on the other: the API server omits empty lists, so the two are one object",
        kinds: &[],
        paths: &["*"],
        when: Some(empty_list),
    },
    BuiltinRule {
        name: "service-node-port",
        description: "the node port the API server allocates to a NodePort or LoadBalancer Service port, present on one side only",
        kinds: &["Service"],
        paths: &["spec.ports[*].nodePort", "spec.healthCheckNodePort"],
        when: Some(one_side_lacks),
    },
    BuiltinRule {
        name: "aggregated-rules",
        description: "the rules of a ClusterRole with an aggregationRule: the controller fills them in from the roles it selects",
        kinds: &["ClusterRole"],
        paths: &["rules"],
        when: Some(aggregated),
    },
    BuiltinRule {
        name: "pvc-binding",
        description: "the volume a claim was bound to and the binder's annotations, present on one side only (export prunes them; manifests never set them)",
        kinds: &["PersistentVolumeClaim"],
        paths: &[
            "spec.volumeName",
            r#"metadata.annotations["pv.kubernetes.io/*"]"#,
            r#"metadata.annotations["volume.beta.kubernetes.io/storage-provisioner"]"#,
            r#"metadata.annotations["volume.kubernetes.io/storage-provisioner"]"#,
            r#"metadata.annotations["volume.kubernetes.io/selected-node"]"#,
        ],
        when: Some(one_side_lacks),
    },
    BuiltinRule {
        name: "api-upgrade",
        description: "what an API upgrade changes without changing the object: apiVersion at any depth within one group (or OpenShift 3's v1 to today's group), OpenShift 3's form of role bindings, the namespace's kubernetes.io/metadata.name label and finalizers",
        kinds: &[],
        paths: &["*"],
        when: Some(api_upgrade),
    },
    BuiltinRule {
        name: "server-default",
        description: "a field one side lacks and the other holds at the API server's default (imagePullPolicy, probe periods, sessionAffinity, strategy, …)",
        kinds: &[],
        paths: &["*"],
        when: Some(server_default),
    },
    BuiltinRule {
        name: "admission-injected",
        description: "a field one side lacks that the cluster injected into the other: the service-account token volume and mount, default tolerations, priority, enableServiceLinks, OpenShift's service CA",
        kinds: &[],
        paths: &["*"],
        when: Some(admission_injected),
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
    /// Where it was read: a file named by `--ignore-file` unless the caller says otherwise.
    pub source: RuleSource,
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
    let documents = crate::format::documents::parse(text.as_bytes(), file)?;
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
            source: RuleSource::IgnoreFile,
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

    /// The name of the built-in rule that hides `change` in the object of `cx`, if one does.
    /// User rules are asked apart ([`NoiseProfile::user_rule_hiding`]): what they hide is the
    /// user's choice, counted per rule, not noise.
    ///
    /// Built-in rules never hide a change of the security table ([`super::security`]): a rule
    /// written for housekeeping (`scc-assigned`, `service-account-token`, `api-upgrade`, …) must
    /// not become the place where a privileged container or a wider role binding hides. The
    /// user's own rules may; the report then says so.
    pub fn hides(&self, cx: &Context<'_>, change: &Change) -> Option<String> {
        self.builtin
            .iter()
            .find(|(rule, patterns)| {
                (rule.kinds.is_empty() || rule.kinds.contains(&cx.key.kind.as_str()))
                    && patterns.iter().any(|p| p.matches(&change.path))
                    && rule.when.is_none_or(|when| when(cx, change))
            })
            .filter(|_| !cx.security_sensitive(change))
            .map(|(rule, _)| rule.name.to_string())
    }

    /// Whether a built-in rule names a path strictly below `path` for this object.
    pub fn reaches_below(&self, key: &ObjectKey, path: &crate::diff::Path) -> bool {
        self.builtin
            .iter()
            .filter(|(rule, _)| rule.kinds.is_empty() || rule.kinds.contains(&key.kind.as_str()))
            .any(|(_, patterns)| patterns.iter().any(|p| p.reaches_below(path)))
    }

    /// The user rules, in the order they were read.
    pub fn user_rules(&self) -> &[UserRule] {
        &self.user
    }

    /// The index in [`NoiseProfile::user_rules`] of the first user rule that hides `change` in
    /// the object `key`, if one does.
    pub fn user_rule_hiding(&self, key: &ObjectKey, change: &Change) -> Option<usize> {
        self.user.iter().position(|rule| {
            rule.applies_to(key) && rule.paths.iter().any(|p| p.matches(&change.path))
        })
    }

    /// Whether a user rule names a path strictly below `path` for the object `key`.
    pub fn user_reaches_below(&self, key: &ObjectKey, path: &crate::diff::Path) -> bool {
        self.user
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
        let cx = Context::new(&key, Some(&old), Some(&new));
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
                    &Context::new(&key("Deployment"), None, None),
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
        assert_eq!(rules[0].source, RuleSource::IgnoreFile);
        let profile = NoiseProfile::new(true, rules);
        let mut key = key("Deployment");
        key.group = "apps".into();
        let change = &diff(
            "Deployment",
            &json!({"spec": {"replicas": 1}}),
            &json!({"spec": {"replicas": 2}}),
            &ValueOptions::default(),
        )[0];
        assert_eq!(profile.user_rule_hiding(&key, change), Some(0));
        assert_eq!(profile.user_rules()[0].name, ".driftlabignore#1");
        // What a user rule hides is the user's choice, not noise: the built-in rules say nothing.
        let cx = Context::new(&key, None, None);
        assert_eq!(profile.hides(&cx, change), None);
        key.name = "db".into();
        assert_eq!(profile.user_rule_hiding(&key, change), None);
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

    fn typed_hidden(kind: &str, old: Value, new: Value) -> Vec<(String, Option<String>)> {
        hidden(kind, old, new, &NoiseProfile::new(true, Vec::new()))
    }

    #[test]
    fn server_defaults_hide_only_the_default_value() {
        let manifest = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "web:1.2"}]}}}});
        let mut live = manifest.clone();
        live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] =
            json!("IfNotPresent");
        live["spec"]["template"]["spec"]["dnsPolicy"] = json!("ClusterFirst");
        live["spec"]["revisionHistoryLimit"] = json!(10);
        let result = typed_hidden("Deployment", manifest.clone(), live.clone());
        assert_eq!(result.len(), 3, "{result:?}");
        assert!(
            result
                .iter()
                .all(|(_, rule)| rule.as_deref() == Some("server-default")),
            "{result:?}"
        );
        // The same field at another value is a difference, both ways.
        live["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!("Always");
        let result = typed_hidden("Deployment", manifest.clone(), live.clone());
        assert!(
            result.contains(&(
                "spec.template.spec.containers[web].imagePullPolicy".to_string(),
                None
            )),
            "{result:?}"
        );
        let result = typed_hidden("Deployment", live, manifest);
        assert!(
            result.contains(&(
                "spec.template.spec.containers[web].imagePullPolicy".to_string(),
                None
            )),
            "{result:?}"
        );
    }

    /// A ClusterRole's rules are the aggregation controller's only when it has an
    /// aggregationRule; otherwise someone changed them.
    #[test]
    fn only_aggregated_cluster_roles_have_their_rules_hidden() {
        let role = |verbs: Value, aggregated: bool| {
            let mut role =
                json!({"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": verbs}]});
            if aggregated {
                role["aggregationRule"] =
                    json!({"clusterRoleSelectors": [{"matchLabels": {"x": "true"}}]});
            }
            role
        };
        // The aggregation controller rewrites the rules: their order is its business.
        let two = |first: &str, second: &str, aggregated: bool| {
            let mut role = role(json!(["get"]), aggregated);
            role["rules"] = json!([
                {"apiGroups": [""], "resources": [first], "verbs": ["get"]},
                {"apiGroups": [""], "resources": [second], "verbs": ["get"]}]);
            role
        };
        for (aggregated, expected) in [(true, Some("aggregated-rules")), (false, None)] {
            let result = typed_hidden(
                "ClusterRole",
                two("pods", "services", aggregated),
                two("services", "pods", aggregated),
            );
            assert!(!result.is_empty());
            assert!(
                result.iter().all(|(_, rule)| rule.as_deref() == expected),
                "{result:?}"
            );
        }
        // An aggregated role's rules are the controller's copy (the selected roles' rules are
        // the security table's); a plain role's new verb shows.
        for (aggregated, expected) in [(true, Some("aggregated-rules")), (false, None)] {
            let result = typed_hidden(
                "ClusterRole",
                role(json!(["get"]), aggregated),
                role(json!(["get", "delete"]), aggregated),
            );
            assert!(!result.is_empty());
            assert!(
                result.iter().all(|(_, rule)| rule.as_deref() == expected),
                "{result:?}"
            );
        }
    }

    /// Only an order change is the keyed-list-order rule's: a list of strings removed whole
    /// (a container's command) is a change.
    #[test]
    fn a_removed_list_of_strings_is_not_an_order_change() {
        let pod = |command: Option<Value>| {
            let mut container = json!({"name": "web", "image": "web:1"});
            if let Some(command) = command {
                container["command"] = command;
            }
            json!({"spec": {"containers": [container]}})
        };
        let result = typed_hidden("Pod", pod(Some(json!(["sleep", "1"]))), pod(None));
        assert_eq!(result, [("spec.containers[web].command".to_string(), None)]);
    }

    /// An empty list has no injected element: it is not the cluster's doing (the `empty-list`
    /// rule, which comes first, says why it is noise).
    #[test]
    fn an_empty_list_is_not_admission_injected() {
        let template = json!({"apiVersion": "v1", "kind": "Pod",
            "spec": {"containers": [{"name": "web", "image": "web:1.2"}]}});
        let mut pod = template.clone();
        pod["spec"]["tolerations"] = json!([]);
        let key = key("Pod");
        let cx = Context::new(&key, Some(&template), Some(&pod));
        let changes = diff("Pod", &template, &pod, &ValueOptions::default());
        assert_eq!(changes.len(), 1);
        assert!(!admission_injected(&cx, &changes[0]));
        assert_eq!(
            typed_hidden("Pod", template, pod),
            [(
                "spec.tolerations".to_string(),
                Some("empty-list".to_string())
            )]
        );
    }

    #[test]
    fn injected_fields_hide_as_admission_injected() {
        let template = json!({"apiVersion": "v1", "kind": "Pod",
            "spec": {"containers": [{"name": "web", "image": "web:1.2"}]}});
        let mut pod = template.clone();
        pod["spec"]["enableServiceLinks"] = json!(true);
        pod["spec"]["tolerations"] = json!([
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]);
        let result = typed_hidden("Pod", template, pod);
        assert!(!result.is_empty());
        for (path, rule) in &result {
            assert!(
                matches!(
                    rule.as_deref(),
                    Some("admission-injected") | Some("server-default")
                ),
                "{path}: {rule:?}"
            );
        }
    }

    #[test]
    fn api_upgrades_are_not_changes_but_new_apis_are() {
        let old = json!({"apiVersion": "v1", "kind": "ReplicationController",
            "metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "DeploymentConfig", "name": "web", "controller": true}]}});
        let mut new = old.clone();
        new["apiVersion"] = json!("v1");
        new["metadata"]["ownerReferences"][0]["apiVersion"] = json!("apps.openshift.io/v1");
        let result = typed_hidden("ReplicationController", old.clone(), new);
        assert_eq!(result.len(), 1, "{result:?}");
        assert_eq!(result[0].1.as_deref(), Some("api-upgrade"));
        let mut other = old.clone();
        other["metadata"]["ownerReferences"][0]["apiVersion"] = json!("example.com/v1");
        assert_eq!(typed_hidden("ReplicationController", old, other)[0].1, None);

        let binding3 = json!({"apiVersion": "v1", "kind": "RoleBinding",
            "userNames": ["dev"], "groupNames": null,
            "roleRef": {"name": "admin"},
            "subjects": [{"kind": "User", "name": "dev"}]});
        let binding4 = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "dev"}]});
        let result = typed_hidden("RoleBinding", binding3.clone(), binding4.clone());
        assert!(
            result
                .iter()
                .all(|(_, rule)| rule.as_deref() == Some("api-upgrade")),
            "{result:?}"
        );
        // Another subject is an access change, upgrade or not.
        let mut widened = binding4.clone();
        widened["subjects"][0]["name"] = json!("intruder");
        let result = typed_hidden("RoleBinding", binding3.clone(), widened);
        assert!(result.iter().any(|(_, rule)| rule.is_none()), "{result:?}");
        // A role reference to a namespaced role of the same name is not the cluster role.
        let mut local = binding4;
        local["roleRef"]["kind"] = json!("Role");
        let result = typed_hidden("RoleBinding", binding3, local);
        assert!(
            result.contains(&("roleRef.kind".to_string(), None)),
            "{result:?}"
        );
    }

    /// Whether the api-upgrade rule takes the change at `path` of `old` → `new` for a rewrite.
    fn upgrade_at(kind: &str, old: &Value, new: &Value, path: &str) -> bool {
        let changes = diff(kind, old, new, &ValueOptions::default());
        let change = changes
            .iter()
            .find(|c| c.path.human() == path)
            .unwrap_or_else(|| panic!("no change at {path}: {changes:?}"));
        is_api_upgrade(kind, Some(old), Some(new), change)
    }

    /// Each arm of the api-upgrade rule, both ways: a rewrite that keeps the meaning is one, the
    /// same field with another meaning is not.
    #[test]
    fn every_arm_of_the_api_upgrade_rule() {
        let binding = |role_ref: Value| {
            json!({"kind": "RoleBinding", "metadata": {"name": "b", "namespace": "shop"},
                "roleRef": role_ref, "subjects": [{"kind": "User", "name": "dev"}]})
        };
        // OpenShift 3's roleRef.namespace: gone where RBAC v1 says Role, not where it says
        // ClusterRole (that widens a Role `admin` into the ClusterRole `admin`).
        let ocp3 = binding(json!({"name": "admin", "namespace": "shop"}));
        let role = binding(json!({"kind": "Role", "name": "admin"}));
        let cluster_role = binding(json!({"kind": "ClusterRole", "name": "admin"}));
        assert!(upgrade_at("RoleBinding", &ocp3, &role, "roleRef.namespace"));
        assert!(!upgrade_at(
            "RoleBinding",
            &ocp3,
            &cluster_role,
            "roleRef.namespace"
        ));
        let elsewhere = binding(json!({"name": "admin", "namespace": "other"}));
        assert!(!upgrade_at(
            "RoleBinding",
            &elsewhere,
            &role,
            "roleRef.namespace"
        ));
        // The kind RBAC v1 writes: Role where a namespace was named, else ClusterRole.
        assert!(upgrade_at("RoleBinding", &ocp3, &role, "roleRef.kind"));
        assert!(!upgrade_at(
            "RoleBinding",
            &ocp3,
            &cluster_role,
            "roleRef.kind"
        ));
        let unscoped = binding(json!({"name": "admin"}));
        assert!(upgrade_at(
            "RoleBinding",
            &unscoped,
            &cluster_role,
            "roleRef.kind"
        ));
        assert!(!upgrade_at("RoleBinding", &unscoped, &role, "roleRef.kind"));
        // A kind that changes is no rewrite.
        assert!(!upgrade_at(
            "RoleBinding",
            &role,
            &cluster_role,
            "roleRef.kind"
        ));
        // apiGroup: only RBAC's own.
        let mut grouped = role.clone();
        grouped["roleRef"]["apiGroup"] = json!("rbac.authorization.k8s.io");
        assert!(upgrade_at(
            "RoleBinding",
            &role,
            &grouped,
            "roleRef.apiGroup"
        ));
        grouped["roleRef"]["apiGroup"] = json!("example.com");
        assert!(!upgrade_at(
            "RoleBinding",
            &role,
            &grouped,
            "roleRef.apiGroup"
        ));
        let mut names = role.clone();
        names["userNames"] = json!(["dev"]);
        assert!(upgrade_at("RoleBinding", &names, &role, "userNames"));
        // The namespace's bookkeeping, and only the namespace's.
        let ns = json!({"kind": "Namespace", "metadata": {"name": "shop", "labels": {"x": "1"}},
            "spec": {"x": 1}});
        let mut labelled = ns.clone();
        labelled["metadata"]["labels"]["kubernetes.io/metadata.name"] = json!("shop");
        let path = r#"metadata.labels["kubernetes.io/metadata.name"]"#;
        assert!(upgrade_at("Namespace", &ns, &labelled, path));
        assert!(!upgrade_at("ConfigMap", &ns, &labelled, path));
        let mut finalized = ns.clone();
        finalized["spec"]["finalizers"] = json!(["kubernetes"]);
        assert!(upgrade_at("Namespace", &ns, &finalized, "spec.finalizers"));
        labelled["metadata"]["labels"] = json!({"x": "1", "team": "a"});
        assert!(!upgrade_at(
            "Namespace",
            &ns,
            &labelled,
            "metadata.labels.team"
        ));
    }

    #[test]
    fn a_service_made_headless_is_a_change_a_new_cluster_ip_is_not() {
        let svc = |ip: &str| json!({"kind": "Service", "spec": {"clusterIP": ip}});
        assert_eq!(
            typed_hidden("Service", svc("10.0.0.1"), svc("10.0.0.2"))[0]
                .1
                .as_deref(),
            Some("service-cluster-ip")
        );
        assert_eq!(
            typed_hidden("Service", svc("10.0.0.1"), svc("None"))[0].1,
            None
        );
    }
}
