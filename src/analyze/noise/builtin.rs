//! The built-in noise rules, [`BUILTIN`]: what each hides, for which kinds, under which
//! condition ([`super::conditions`], [`super::upgrade`]).

use super::Context;
use super::conditions::*;
use super::upgrade::api_upgrade;
use crate::diff::Change;

/// An extra condition of a built-in rule.
pub(super) type Condition = fn(&Context<'_>, &Change) -> bool;

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
