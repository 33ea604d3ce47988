//! The table of server defaults ([`TABLE`]) and the functions of its conditional entries.
//!
//! Entries apply in table order, and a later entry sees what an earlier one filled: a
//! Deployment's `strategy.type` comes before its `rollingUpdate`, which depends on the type.
//!
//! Values come from the upstream defaulting functions named in each entry's `source` (files of
//! kubernetes/kubernetes unless another repository is named), as of Kubernetes 1.28–1.32 and
//! OpenShift 4. A few entries are not defaulting functions but what the server's serialisation
//! always writes (a non-pointer struct field: `resources: {}`); their source says so.

use super::defaults::{Default, Fill::*, Where::*};
use super::defaults_fns::*;

const CORE: &str = "pkg/apis/core/v1/defaults.go";
const CORE_TYPES: &str = "staging/src/k8s.io/api/core/v1/types.go (+default tag)";
const CORE_CONVERSION: &str = "pkg/apis/core/v1/conversion.go (Convert_core_PodSpec_To_v1_PodSpec)";
const SERVICE_REGISTRY: &str = "pkg/registry/core/service/storage/storage.go (IP families)";
const NAMESPACE_STRATEGY: &str = "pkg/registry/core/namespace/strategy.go (PrepareForCreate)";
const SERIALIZED: &str = "Go serialisation: a non-pointer struct field is always written";
const APPS: &str = "pkg/apis/apps/v1/defaults.go (v1beta2 alike)";
const APPS_V1BETA1: &str = "pkg/apis/apps/v1beta1/defaults.go (removed in 1.16)";
const EXTENSIONS: &str = "pkg/apis/extensions/v1beta1/defaults.go (removed in 1.16)";
const BATCH: &str = "pkg/apis/batch/v1/defaults.go";
const NETWORKING: &str = "pkg/apis/networking/v1/defaults.go";
const NETWORKING_V1BETA1: &str = "pkg/apis/networking/v1beta1/defaults.go (extensions alike)";
const AUTOSCALING: &str = "pkg/apis/autoscaling/v2/defaults.go (v2beta2 alike)";
const AUTOSCALING_V2BETA1: &str = "pkg/apis/autoscaling/v2beta1/defaults.go";
const RBAC: &str = "pkg/apis/rbac/v1/defaults.go";
const SCHEDULING: &str = "pkg/apis/scheduling/v1/defaults.go";
const STORAGE: &str = "pkg/apis/storage/v1/defaults.go";
const ADMISSION: &str = "pkg/apis/admissionregistration/v1/defaults.go";
const ADMISSION_V1BETA1: &str = "pkg/apis/admissionregistration/v1beta1/defaults.go";
const APIEXTENSIONS: &str = "apiextensions-apiserver pkg/apis/apiextensions/v1/defaults.go";
const OS_APPS: &str = "openshift/openshift-apiserver pkg/apps/apis/apps/v1/defaults.go";
const OS_APPS_GROUP: &str =
    "openshift/openshift-apiserver deploymentconfig strategy.go (apps.openshift.io only)";
const OS_BUILD: &str = "openshift/openshift-apiserver pkg/build/apis/build/v1/defaults.go";
const OS_BUILD_GROUP: &str =
    "openshift/openshift-apiserver buildconfig strategy.go (build.openshift.io only)";
const OS_ROUTE: &str = "openshift/library-go pkg/route/defaulting (route/v1)";
const OS_IMAGE: &str = "openshift/openshift-apiserver pkg/image/apis/image/v1/defaults.go";

const DEPLOYMENT: &[&str] = &["apps/* Deployment", "extensions/v1beta1 Deployment"];
const DEPLOYMENT_25: &[&str] = &[
    "apps/v1 Deployment",
    "apps/v1beta2 Deployment",
    "apps/v1beta1 Deployment",
];
const STATEFULSET: &[&str] = &["apps/* StatefulSet"];
const STATEFULSET_ROLLING: &[&str] = &["apps/v1 StatefulSet", "apps/v1beta2 StatefulSet"];
const DAEMONSET: &[&str] = &["apps/* DaemonSet", "extensions/v1beta1 DaemonSet"];
const DAEMONSET_ROLLING: &[&str] = &["apps/v1 DaemonSet", "apps/v1beta2 DaemonSet"];
const REPLICASET: &[&str] = &["apps/* ReplicaSet", "extensions/v1beta1 ReplicaSet"];
const LEGACY_SELECTOR: &[&str] = &[
    "apps/v1beta1 Deployment",
    "apps/v1beta1 StatefulSet",
    "extensions/v1beta1 Deployment",
    "extensions/v1beta1 DaemonSet",
    "extensions/v1beta1 ReplicaSet",
];
const SERVICE: &[&str] = &["v1 Service"];
const JOB: &[&str] = &["batch/v1 Job"];
const CRONJOB: &[&str] = &["batch/v1 CronJob", "batch/v1beta1 CronJob"];
const NETWORK_POLICY: &[&str] = &[
    "networking.k8s.io/v1 NetworkPolicy",
    "extensions/v1beta1 NetworkPolicy",
];
const HPA: &[&str] = &["autoscaling/* HorizontalPodAutoscaler"];
const HPA_V2: &[&str] = &[
    "autoscaling/v2 HorizontalPodAutoscaler",
    "autoscaling/v2beta2 HorizontalPodAutoscaler",
];
const WEBHOOKS: &[&str] = &[
    "admissionregistration.k8s.io/v1 MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration",
];
const WEBHOOKS_V1BETA1: &[&str] = &[
    "admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration",
];
const MUTATING: &[&str] = &["admissionregistration.k8s.io/* MutatingWebhookConfiguration"];
const ALL_WEBHOOKS: &[&str] = &[
    "admissionregistration.k8s.io/* MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/* ValidatingWebhookConfiguration",
];
const BINDINGS: &[&str] = &[
    "rbac.authorization.k8s.io/* RoleBinding",
    "rbac.authorization.k8s.io/* ClusterRoleBinding",
];
const DC: &[&str] = &[
    "apps.openshift.io/v1 DeploymentConfig",
    "v1 DeploymentConfig",
];
const BC: &[&str] = &["build.openshift.io/v1 BuildConfig", "v1 BuildConfig"];
const ROUTE: &[&str] = &["route.openshift.io/v1 Route", "v1 Route"];
const IMAGE_STREAM: &[&str] = &["image.openshift.io/v1 ImageStream", "v1 ImageStream"];

/// The HPA v2 scale-up rules when `behavior` is set: `GenerateHPAScaleUpRules`.
const HPA_SCALE_UP_POLICIES: &str = r#"[{"type":"Pods","value":4,"periodSeconds":15},
    {"type":"Percent","value":100,"periodSeconds":15}]"#;
const HPA_SCALE_DOWN_POLICIES: &str = r#"[{"type":"Percent","value":100,"periodSeconds":15}]"#;

/// Every default the API server fills in, in the order it applies them.
pub const TABLE: &[Default] = &[
    // ---- PodSpec, wherever a pod template lives --------------------------------------------
    Default::new(
        "pod-template-metadata",
        PodTemplate,
        &["metadata"],
        EmptyMap,
    )
    .from(
        SERIALIZED,
        "A pod template's metadata is written even when empty (with creationTimestamp: null, \
         which driftlab's normalisation drops).",
    ),
    Default::new(
        "job-template-metadata",
        JobTemplate,
        &["metadata"],
        EmptyMap,
    )
    .kinds(CRONJOB)
    .from(
        SERIALIZED,
        "A CronJob's jobTemplate metadata, as pod-template-metadata.",
    ),
    Default::new(
        "pod-dns-policy",
        PodSpec,
        &["dnsPolicy"],
        Str("ClusterFirst"),
    )
    .zero()
    .from(CORE, "SetDefaults_PodSpec: dnsPolicy ClusterFirst."),
    Default::new(
        "pod-restart-policy",
        PodSpec,
        &["restartPolicy"],
        Str("Always"),
    )
    .zero()
    .when(not_a_job_pod)
    .from(
        CORE,
        "SetDefaults_PodSpec: restartPolicy Always. Not for Job and CronJob templates: Always \
             is invalid there, so a valid Job always sets it (OnFailure or Never).",
    ),
    Default::new(
        "pod-security-context",
        PodSpec,
        &["securityContext"],
        EmptyMap,
    )
    .from(CORE, "SetDefaults_PodSpec: an empty pod securityContext."),
    Default::new(
        "pod-termination-grace-period",
        PodSpec,
        &["terminationGracePeriodSeconds"],
        Int(30),
    )
    .from(
        CORE,
        "SetDefaults_PodSpec: terminationGracePeriodSeconds 30.",
    ),
    Default::new(
        "pod-scheduler-name",
        PodSpec,
        &["schedulerName"],
        Str("default-scheduler"),
    )
    .zero()
    .from(
        CORE,
        "SetDefaults_PodSpec: schedulerName default-scheduler.",
    ),
    Default::new(
        "pod-service-account-alias",
        PodSpec,
        &["serviceAccount"],
        Computed(service_account_name),
    )
    .zero()
    .from(
        CORE_CONVERSION,
        "The deprecated serviceAccount is written as a copy of serviceAccountName.",
    ),
    Default::new(
        "pod-service-account-name-from-alias",
        PodSpec,
        &["serviceAccountName"],
        Computed(service_account_alias),
    )
    .zero()
    .from(
        CORE_CONVERSION,
        "A PodSpec that sets only the deprecated serviceAccount gets serviceAccountName from it.",
    ),
    Default::new(
        "pod-enable-service-links",
        PodSpec,
        &["enableServiceLinks"],
        Bool(true),
    )
    .kinds(&["v1 Pod"])
    .from(
        CORE,
        "SetDefaults_Pod (Pods only, not templates): enableServiceLinks true.",
    ),
    Default::new(
        "pod-requests-from-limits",
        Container,
        &["resources", "requests"],
        Keys(limits),
    )
    .kinds(&["v1 Pod"])
    .from(
        CORE,
        "SetDefaults_Pod (Pods only): a container's missing requests are copied from its limits.",
    ),
    Default::new(
        "pod-host-network-host-port",
        HostNetworkPort,
        &["hostPort"],
        Computed(container_port),
    )
    .zero()
    .from(
        CORE,
        "defaultHostNetworkPorts: with hostNetwork, hostPort = containerPort. Pods always; \
         templates before 1.28 (since, only with the DefaultHostNetworkHostPortsInPodTemplates \
         gate). Filled in templates too: the port is the same either way, so old and new \
         servers' objects compare equal.",
    ),
    Default::new("volume-empty-dir", Volume, &["emptyDir"], EmptyMap)
        .when(volume_without_source)
        .from(
            CORE,
            "SetDefaults_Volume: a volume with no source is an emptyDir.",
        ),
    // ---- Containers -------------------------------------------------------------------------
    Default::new(
        "container-image-pull-policy",
        Container,
        &["imagePullPolicy"],
        Computed(image_pull_policy),
    )
    .zero()
    .from(
        CORE,
        "SetDefaults_Container: Always when the image's tag is latest or it has neither tag nor \
         digest, else IfNotPresent (a registry port is not a tag).",
    ),
    Default::new(
        "container-termination-message-path",
        Container,
        &["terminationMessagePath"],
        Str("/dev/termination-log"),
    )
    .zero()
    .from(CORE, "SetDefaults_Container."),
    Default::new(
        "container-termination-message-policy",
        Container,
        &["terminationMessagePolicy"],
        Str("File"),
    )
    .zero()
    .from(CORE, "SetDefaults_Container."),
    Default::new("container-resources", Container, &["resources"], EmptyMap).from(
        SERIALIZED,
        "A container's resources are written as {} when unset.",
    ),
    Default::new("probe-timeout-seconds", Probe, &["timeoutSeconds"], Int(1))
        .zero()
        .from(CORE, "SetDefaults_Probe (liveness, readiness, startup)."),
    Default::new("probe-period-seconds", Probe, &["periodSeconds"], Int(10))
        .zero()
        .from(CORE, "SetDefaults_Probe."),
    Default::new(
        "probe-success-threshold",
        Probe,
        &["successThreshold"],
        Int(1),
    )
    .zero()
    .from(CORE, "SetDefaults_Probe."),
    Default::new(
        "probe-failure-threshold",
        Probe,
        &["failureThreshold"],
        Int(3),
    )
    .zero()
    .from(CORE, "SetDefaults_Probe."),
    Default::new("http-get-path", HttpGet, &["path"], Str("/"))
        .zero()
        .from(
            CORE,
            "SetDefaults_HTTPGetAction (probes and lifecycle handlers).",
        ),
    Default::new("http-get-scheme", HttpGet, &["scheme"], Str("HTTP"))
        .zero()
        .from(
            CORE,
            "SetDefaults_HTTPGetAction (probes and lifecycle handlers).",
        ),
    Default::new("grpc-service", Grpc, &["service"], Str("")).from(
        CORE_TYPES,
        "GRPCAction.service has +default=\"\" and no omitempty, so it is written as \"\" \
         (since gRPC probes, 1.24; from memory of the type, not verified against a server).",
    ),
    Default::new(
        "container-port-protocol",
        ContainerPort,
        &["protocol"],
        Str("TCP"),
    )
    .zero()
    .from(
        CORE,
        "ContainerPort protocol TCP (a +default tag since 1.29).",
    ),
    Default::new(
        "env-field-ref-api-version",
        FieldRef,
        &["apiVersion"],
        Str("v1"),
    )
    .zero()
    .from(
        CORE,
        "SetDefaults_ObjectFieldSelector (env and downward API items).",
    ),
    Default::new(
        "resource-field-ref-divisor",
        ResourceFieldRef,
        &["divisor"],
        Str("0"),
    )
    .from(
        SERIALIZED,
        "A resourceFieldRef's divisor is a non-pointer Quantity, written \"0\" when unset.",
    ),
    // ---- Volume sources -----------------------------------------------------------------------
    Default::new(
        "secret-volume-default-mode",
        VolumeSource("secret"),
        &["defaultMode"],
        Int(420),
    )
    .from(
        CORE,
        "SetDefaults_SecretVolumeSource: 0644. Items' mode has no default.",
    ),
    Default::new(
        "config-map-volume-default-mode",
        VolumeSource("configMap"),
        &["defaultMode"],
        Int(420),
    )
    .from(CORE, "SetDefaults_ConfigMapVolumeSource: 0644."),
    Default::new(
        "downward-api-volume-default-mode",
        VolumeSource("downwardAPI"),
        &["defaultMode"],
        Int(420),
    )
    .from(CORE, "SetDefaults_DownwardAPIVolumeSource: 0644."),
    Default::new(
        "projected-volume-default-mode",
        VolumeSource("projected"),
        &["defaultMode"],
        Int(420),
    )
    .from(CORE, "SetDefaults_ProjectedVolumeSource: 0644."),
    Default::new(
        "host-path-type",
        VolumeSource("hostPath"),
        &["type"],
        Str(""),
    )
    .from(
        CORE,
        "SetDefaults_HostPathVolumeSource: type \"\" (HostPathUnset).",
    ),
    Default::new(
        "service-account-token-expiration",
        TokenProjection,
        &["expirationSeconds"],
        Int(3600),
    )
    .from(CORE, "SetDefaults_ServiceAccountTokenProjection: one hour."),
    Default::new(
        "iscsi-interface",
        VolumeSource("iscsi"),
        &["iscsiInterface"],
        Str("default"),
    )
    .zero()
    .from(
        CORE,
        "SetDefaults_ISCSIVolumeSource (a +default tag in newer versions).",
    ),
    Default::new("rbd-pool", VolumeSource("rbd"), &["pool"], Str("rbd"))
        .zero()
        .from(CORE, "SetDefaults_RBDVolumeSource."),
    Default::new("rbd-user", VolumeSource("rbd"), &["user"], Str("admin"))
        .zero()
        .from(CORE, "SetDefaults_RBDVolumeSource."),
    Default::new(
        "rbd-keyring",
        VolumeSource("rbd"),
        &["keyring"],
        Str("/etc/ceph/keyring"),
    )
    .zero()
    .from(CORE, "SetDefaults_RBDVolumeSource."),
    Default::new(
        "azure-disk-caching-mode",
        VolumeSource("azureDisk"),
        &["cachingMode"],
        Str("ReadWrite"),
    )
    .from(CORE, "SetDefaults_AzureDiskVolumeSource."),
    Default::new(
        "azure-disk-fs-type",
        VolumeSource("azureDisk"),
        &["fsType"],
        Str("ext4"),
    )
    .from(CORE, "SetDefaults_AzureDiskVolumeSource."),
    Default::new(
        "azure-disk-read-only",
        VolumeSource("azureDisk"),
        &["readOnly"],
        Bool(false),
    )
    .from(CORE, "SetDefaults_AzureDiskVolumeSource."),
    Default::new(
        "azure-disk-kind",
        VolumeSource("azureDisk"),
        &["kind"],
        Str("Shared"),
    )
    .from(CORE, "SetDefaults_AzureDiskVolumeSource."),
    Default::new(
        "scale-io-storage-mode",
        VolumeSource("scaleIO"),
        &["storageMode"],
        Str("ThinProvisioned"),
    )
    .zero()
    .from(CORE, "SetDefaults_ScaleIOVolumeSource."),
    Default::new(
        "scale-io-fs-type",
        VolumeSource("scaleIO"),
        &["fsType"],
        Str("xfs"),
    )
    .zero()
    .from(CORE, "SetDefaults_ScaleIOVolumeSource."),
    // ---- PersistentVolumeClaims, PersistentVolumes ---------------------------------------------
    Default::new(
        "claim-template-api-version",
        ClaimTemplate,
        &["apiVersion"],
        Str("v1"),
    )
    .kinds(STATEFULSET)
    .from(
        SERIALIZED,
        "A StatefulSet's volumeClaimTemplates are returned with apiVersion v1 and kind \
             PersistentVolumeClaim by recent servers (seen on 1.2x clusters; the version that \
             began it is not known here).",
    ),
    Default::new(
        "claim-template-kind",
        ClaimTemplate,
        &["kind"],
        Str("PersistentVolumeClaim"),
    )
    .kinds(STATEFULSET)
    .from(SERIALIZED, "See claim-template-api-version."),
    Default::new(
        "claim-template-phase",
        ClaimTemplate,
        &["status", "phase"],
        Str("Pending"),
    )
    .kinds(STATEFULSET)
    .zero()
    .from(
        CORE,
        "SetDefaults_PersistentVolumeClaim, applied to each volumeClaimTemplate.",
    ),
    Default::new(
        "pvc-volume-mode",
        PvcSpec,
        &["volumeMode"],
        Str("Filesystem"),
    )
    .from(
        CORE,
        "SetDefaults_PersistentVolumeClaimSpec (PVCs, claim templates, ephemeral).",
    ),
    Default::new("pvc-resources", PvcSpec, &["resources"], EmptyMap).from(
        SERIALIZED,
        "A claim's resources are written as {} when unset.",
    ),
    Default::new(
        "pv-reclaim-policy",
        Object,
        &["spec", "persistentVolumeReclaimPolicy"],
        Str("Retain"),
    )
    .kinds(&["v1 PersistentVolume"])
    .zero()
    .from(CORE, "SetDefaults_PersistentVolume."),
    Default::new(
        "pv-volume-mode",
        Object,
        &["spec", "volumeMode"],
        Str("Filesystem"),
    )
    .kinds(&["v1 PersistentVolume"])
    .from(CORE, "SetDefaults_PersistentVolume."),
    // ---- Services, Endpoints -----------------------------------------------------------------
    Default::new(
        "service-session-affinity",
        Object,
        &["spec", "sessionAffinity"],
        Str("None"),
    )
    .kinds(SERVICE)
    .zero()
    .from(CORE, "SetDefaults_Service."),
    Default::new(
        "service-session-affinity-timeout",
        Object,
        &[
            "spec",
            "sessionAffinityConfig",
            "clientIP",
            "timeoutSeconds",
        ],
        Int(10800),
    )
    .kinds(SERVICE)
    .when(client_ip_affinity)
    .from(
        CORE,
        "SetDefaults_Service: ClientIP affinity times out after 3 hours.",
    ),
    Default::new("service-type", Object, &["spec", "type"], Str("ClusterIP"))
        .kinds(SERVICE)
        .zero()
        .from(CORE, "SetDefaults_Service."),
    Default::new(
        "service-port-protocol",
        ServicePort,
        &["protocol"],
        Str("TCP"),
    )
    .kinds(SERVICE)
    .zero()
    .from(CORE, "SetDefaults_Service."),
    Default::new(
        "service-port-target-port",
        ServicePort,
        &["targetPort"],
        Computed(service_port),
    )
    .kinds(SERVICE)
    .zero()
    .from(
        CORE,
        "SetDefaults_Service: targetPort (0 or \"\") becomes the port.",
    ),
    Default::new(
        "service-external-traffic-policy",
        Object,
        &["spec", "externalTrafficPolicy"],
        Str("Cluster"),
    )
    .kinds(SERVICE)
    .zero()
    .when(externally_accessible)
    .from(
        CORE,
        "SetDefaults_Service: Cluster for NodePort and LoadBalancer, and (since 1.29, \
         kubernetes#119150) for ClusterIP services with externalIPs.",
    ),
    Default::new(
        "service-internal-traffic-policy",
        Object,
        &["spec", "internalTrafficPolicy"],
        Str("Cluster"),
    )
    .kinds(SERVICE)
    .when(has_cluster_ip_type)
    .from(
        CORE,
        "SetDefaults_Service: ClusterIP, NodePort and LoadBalancer services.",
    ),
    Default::new(
        "service-allocate-load-balancer-node-ports",
        Object,
        &["spec", "allocateLoadBalancerNodePorts"],
        Bool(true),
    )
    .kinds(SERVICE)
    .when(is_load_balancer)
    .from(
        CORE,
        "SetDefaults_Service: LoadBalancer services only (not NodePort).",
    ),
    Default::new(
        "service-ip-family-policy",
        Object,
        &["spec", "ipFamilyPolicy"],
        Str("SingleStack"),
    )
    .kinds(SERVICE)
    .when(single_stack_service)
    .from(
        SERVICE_REGISTRY,
        "Assumes a single-stack IPv4 cluster (the value depends on the cluster's service CIDRs).",
    ),
    Default::new(
        "service-ip-family-policy-headless",
        Object,
        &["spec", "ipFamilyPolicy"],
        Str("RequireDualStack"),
    )
    .kinds(SERVICE)
    .when(headless_selectorless)
    .from(
        SERVICE_REGISTRY,
        "Headless services without a selector get RequireDualStack whatever the cluster \
         (recalled from the registry code, not verified against a server).",
    ),
    Default::new(
        "service-ip-families",
        Object,
        &["spec", "ipFamilies"],
        Json(r#"["IPv4"]"#),
    )
    .kinds(SERVICE)
    .zero()
    .when(not_external_name)
    .from(SERVICE_REGISTRY, "Assumes a single-stack IPv4 cluster."),
    Default::new(
        "service-cluster-ips",
        Object,
        &["spec", "clusterIPs"],
        Computed(cluster_ips),
    )
    .kinds(SERVICE)
    .zero()
    .from(
        SERVICE_REGISTRY,
        "clusterIPs repeats a clusterIP given explicitly (\"None\").",
    ),
    Default::new(
        "endpoints-port-protocol",
        EndpointPort,
        &["protocol"],
        Str("TCP"),
    )
    .kinds(&["v1 Endpoints"])
    .zero()
    .from(CORE, "SetDefaults_Endpoints."),
    // ---- Namespaces, Secrets --------------------------------------------------------------
    Default::new(
        "namespace-name-label",
        Object,
        &["metadata", "labels", "kubernetes.io/metadata.name"],
        Computed(object_name),
    )
    .kinds(&["v1 Namespace"])
    .from(
        CORE,
        "SetDefaults_Namespace (1.21+): the kubernetes.io/metadata.name label.",
    ),
    Default::new(
        "namespace-finalizers",
        Object,
        &["spec", "finalizers"],
        Json(r#"["kubernetes"]"#),
    )
    .kinds(&["v1 Namespace"])
    .zero()
    .from(
        NAMESPACE_STRATEGY,
        "The kubernetes finalizer. Upstream also appends it to a non-empty list; this \
             table does not change present lists.",
    ),
    Default::new("secret-type", Object, &["type"], Str("Opaque"))
        .kinds(&["v1 Secret"])
        .zero()
        .from(CORE, "SetDefaults_Secret."),
    // ---- Deployments ----------------------------------------------------------------------
    Default::new("deployment-replicas", Object, &["spec", "replicas"], Int(1))
        .kinds(DEPLOYMENT)
        .from(APPS, "SetDefaults_Deployment."),
    Default::new(
        "deployment-strategy-type",
        Object,
        &["spec", "strategy", "type"],
        Str("RollingUpdate"),
    )
    .kinds(DEPLOYMENT)
    .zero()
    .from(APPS, "SetDefaults_Deployment."),
    Default::new(
        "deployment-max-unavailable",
        Object,
        &["spec", "strategy", "rollingUpdate", "maxUnavailable"],
        Str("25%"),
    )
    .kinds(DEPLOYMENT_25)
    .when(deployment_rolling)
    .from(APPS, "SetDefaults_Deployment: with RollingUpdate only."),
    Default::new(
        "deployment-max-surge",
        Object,
        &["spec", "strategy", "rollingUpdate", "maxSurge"],
        Str("25%"),
    )
    .kinds(DEPLOYMENT_25)
    .when(deployment_rolling)
    .from(APPS, "SetDefaults_Deployment: with RollingUpdate only."),
    Default::new(
        "deployment-max-unavailable-extensions",
        Object,
        &["spec", "strategy", "rollingUpdate", "maxUnavailable"],
        Int(1),
    )
    .kinds(&["extensions/v1beta1 Deployment"])
    .when(deployment_rolling)
    .from(
        EXTENSIONS,
        "SetDefaults_Deployment: 1 in extensions/v1beta1.",
    ),
    Default::new(
        "deployment-max-surge-extensions",
        Object,
        &["spec", "strategy", "rollingUpdate", "maxSurge"],
        Int(1),
    )
    .kinds(&["extensions/v1beta1 Deployment"])
    .when(deployment_rolling)
    .from(
        EXTENSIONS,
        "SetDefaults_Deployment: 1 in extensions/v1beta1.",
    ),
    Default::new(
        "deployment-revision-history-limit",
        Object,
        &["spec", "revisionHistoryLimit"],
        Int(10),
    )
    .kinds(&["apps/v1 Deployment", "apps/v1beta2 Deployment"])
    .from(APPS, "SetDefaults_Deployment."),
    Default::new(
        "deployment-revision-history-limit-v1beta1",
        Object,
        &["spec", "revisionHistoryLimit"],
        Int(2),
    )
    .kinds(&["apps/v1beta1 Deployment"])
    .from(APPS_V1BETA1, "SetDefaults_Deployment: 2 in apps/v1beta1."),
    Default::new(
        "deployment-progress-deadline",
        Object,
        &["spec", "progressDeadlineSeconds"],
        Int(600),
    )
    .kinds(DEPLOYMENT_25)
    .from(APPS, "SetDefaults_Deployment."),
    Default::new(
        "deployment-unlimited-extensions",
        Object,
        &["spec", "revisionHistoryLimit"],
        Int(2_147_483_647),
    )
    .kinds(&["extensions/v1beta1 Deployment"])
    .from(
        EXTENSIONS,
        "extensions/v1beta1 read back an unset limit as MaxInt32 (from memory; unsure).",
    ),
    Default::new(
        "deployment-progress-deadline-extensions",
        Object,
        &["spec", "progressDeadlineSeconds"],
        Int(2_147_483_647),
    )
    .kinds(&["extensions/v1beta1 Deployment"])
    .from(
        EXTENSIONS,
        "extensions/v1beta1 read back an unset deadline as MaxInt32 (from memory; unsure).",
    ),
    Default::new(
        "legacy-selector-from-template",
        Object,
        &["spec", "selector"],
        Computed(selector_from_template),
    )
    .kinds(LEGACY_SELECTOR)
    .from(
        APPS_V1BETA1,
        "v1beta1 APIs default the selector to the template's labels.",
    ),
    Default::new(
        "legacy-labels-from-template",
        Object,
        &["metadata", "labels"],
        Computed(template_labels),
    )
    .kinds(LEGACY_SELECTOR)
    .zero()
    .from(
        APPS_V1BETA1,
        "v1beta1 APIs default the labels to the template's labels.",
    ),
    // ---- StatefulSets -----------------------------------------------------------------------
    Default::new(
        "statefulset-pod-management-policy",
        Object,
        &["spec", "podManagementPolicy"],
        Str("OrderedReady"),
    )
    .kinds(STATEFULSET)
    .zero()
    .from(APPS, "SetDefaults_StatefulSet."),
    Default::new(
        "statefulset-rolling-update",
        Object,
        &["spec", "updateStrategy", "rollingUpdate"],
        EmptyMap,
    )
    .kinds(STATEFULSET_ROLLING)
    .when(statefulset_strategy_unset)
    .from(
        APPS,
        "SetDefaults_StatefulSet: rollingUpdate is created only when the type is defaulted; an \
         explicit type RollingUpdate without rollingUpdate gets no partition.",
    ),
    Default::new(
        "statefulset-update-strategy",
        Object,
        &["spec", "updateStrategy", "type"],
        Str("RollingUpdate"),
    )
    .kinds(STATEFULSET_ROLLING)
    .zero()
    .from(APPS, "SetDefaults_StatefulSet."),
    Default::new(
        "statefulset-update-strategy-v1beta1",
        Object,
        &["spec", "updateStrategy", "type"],
        Str("OnDelete"),
    )
    .kinds(&["apps/v1beta1 StatefulSet"])
    .zero()
    .from(
        APPS_V1BETA1,
        "SetDefaults_StatefulSet: OnDelete in apps/v1beta1.",
    ),
    Default::new(
        "statefulset-partition",
        Object,
        &["spec", "updateStrategy", "rollingUpdate", "partition"],
        Int(0),
    )
    .kinds(STATEFULSET)
    .when(statefulset_rolling_with_params)
    .from(
        APPS,
        "SetDefaults_StatefulSet: partition 0 when rollingUpdate is there.",
    ),
    Default::new(
        "statefulset-pvc-retention-when-deleted",
        Object,
        &[
            "spec",
            "persistentVolumeClaimRetentionPolicy",
            "whenDeleted",
        ],
        Str("Retain"),
    )
    .kinds(&["apps/v1 StatefulSet"])
    .zero()
    .from(
        APPS,
        "SetDefaults_StatefulSet (StatefulSetAutoDeletePVC: beta 1.27, GA 1.32).",
    ),
    Default::new(
        "statefulset-pvc-retention-when-scaled",
        Object,
        &["spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"],
        Str("Retain"),
    )
    .kinds(&["apps/v1 StatefulSet"])
    .zero()
    .from(
        APPS,
        "SetDefaults_StatefulSet (StatefulSetAutoDeletePVC: beta 1.27, GA 1.32).",
    ),
    Default::new(
        "statefulset-replicas",
        Object,
        &["spec", "replicas"],
        Int(1),
    )
    .kinds(STATEFULSET)
    .from(APPS, "SetDefaults_StatefulSet."),
    Default::new(
        "statefulset-revision-history-limit",
        Object,
        &["spec", "revisionHistoryLimit"],
        Int(10),
    )
    .kinds(STATEFULSET)
    .from(APPS, "SetDefaults_StatefulSet."),
    // ---- DaemonSets, ReplicaSets, ReplicationControllers -------------------------------------
    Default::new(
        "daemonset-update-strategy",
        Object,
        &["spec", "updateStrategy", "type"],
        Str("RollingUpdate"),
    )
    .kinds(DAEMONSET_ROLLING)
    .zero()
    .from(APPS, "SetDefaults_DaemonSet."),
    Default::new(
        "daemonset-update-strategy-extensions",
        Object,
        &["spec", "updateStrategy", "type"],
        Str("OnDelete"),
    )
    .kinds(&["extensions/v1beta1 DaemonSet"])
    .zero()
    .from(
        EXTENSIONS,
        "SetDefaults_DaemonSet: OnDelete in extensions/v1beta1.",
    ),
    Default::new(
        "daemonset-max-unavailable",
        Object,
        &["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"],
        Int(1),
    )
    .kinds(DAEMONSET)
    .when(daemonset_rolling)
    .from(APPS, "SetDefaults_DaemonSet: with RollingUpdate only."),
    Default::new(
        "daemonset-max-surge",
        Object,
        &["spec", "updateStrategy", "rollingUpdate", "maxSurge"],
        Int(0),
    )
    .kinds(&["apps/v1 DaemonSet"])
    .when(daemonset_rolling)
    .from(
        APPS,
        "SetDefaults_DaemonSet: with RollingUpdate only (since 1.21).",
    ),
    Default::new(
        "daemonset-revision-history-limit",
        Object,
        &["spec", "revisionHistoryLimit"],
        Int(10),
    )
    .kinds(DAEMONSET)
    .from(APPS, "SetDefaults_DaemonSet."),
    Default::new("replicaset-replicas", Object, &["spec", "replicas"], Int(1))
        .kinds(REPLICASET)
        .from(APPS, "SetDefaults_ReplicaSet."),
    Default::new(
        "replication-controller-replicas",
        Object,
        &["spec", "replicas"],
        Int(1),
    )
    .kinds(&["v1 ReplicationController"])
    .from(
        CORE,
        "SetDefaults_ReplicationController (a +default tag in newer versions).",
    ),
    Default::new(
        "replication-controller-selector",
        Object,
        &["spec", "selector"],
        Computed(template_labels),
    )
    .kinds(&["v1 ReplicationController"])
    .zero()
    .from(
        CORE,
        "SetDefaults_ReplicationController: the selector is the template's labels.",
    ),
    Default::new(
        "replication-controller-labels",
        Object,
        &["metadata", "labels"],
        Computed(template_labels),
    )
    .kinds(&["v1 ReplicationController"])
    .zero()
    .from(
        CORE,
        "SetDefaults_ReplicationController: labels are the template's labels.",
    ),
    // ---- Jobs, CronJobs ---------------------------------------------------------------------
    Default::new("job-completions", Object, &["spec", "completions"], Int(1))
        .kinds(JOB)
        .when(job_completions_and_parallelism_unset)
        .from(
            BATCH,
            "SetDefaults_Job: completions 1 only when parallelism is unset too.",
        ),
    Default::new("job-parallelism", Object, &["spec", "parallelism"], Int(1))
        .kinds(JOB)
        .from(BATCH, "SetDefaults_Job."),
    Default::new(
        "job-backoff-limit",
        Object,
        &["spec", "backoffLimit"],
        Computed(job_backoff_limit),
    )
    .kinds(JOB)
    .from(
        BATCH,
        "SetDefaults_Job: 6; MaxInt32 with backoffLimitPerIndex (1.29+).",
    ),
    Default::new(
        "job-labels-from-template",
        Object,
        &["metadata", "labels"],
        Computed(template_labels),
    )
    .kinds(JOB)
    .zero()
    .from(
        BATCH,
        "SetDefaults_Job: a Job without labels gets its template's.",
    ),
    Default::new(
        "job-completion-mode",
        Object,
        &["spec", "completionMode"],
        Str("NonIndexed"),
    )
    .kinds(JOB)
    .from(BATCH, "SetDefaults_Job (1.21+)."),
    Default::new("job-suspend", Object, &["spec", "suspend"], Bool(false))
        .kinds(JOB)
        .from(BATCH, "SetDefaults_Job (1.21+)."),
    Default::new(
        "job-pod-replacement-policy",
        Object,
        &["spec", "podReplacementPolicy"],
        Computed(job_pod_replacement_policy),
    )
    .kinds(JOB)
    .from(
        BATCH,
        "SetDefaults_Job: TerminatingOrFailed, Failed with a podFailurePolicy \
         (JobPodReplacementPolicy: alpha 1.28, beta and on 1.29).",
    ),
    Default::new(
        "job-pod-failure-condition-status",
        PodFailureCondition,
        &["status"],
        Str("True"),
    )
    .kinds(JOB)
    .zero()
    .from(BATCH, "SetDefaults_PodFailurePolicyOnPodConditionsPattern."),
    Default::new(
        "cronjob-concurrency-policy",
        Object,
        &["spec", "concurrencyPolicy"],
        Str("Allow"),
    )
    .kinds(CRONJOB)
    .zero()
    .from(BATCH, "SetDefaults_CronJob."),
    Default::new("cronjob-suspend", Object, &["spec", "suspend"], Bool(false))
        .kinds(CRONJOB)
        .from(BATCH, "SetDefaults_CronJob."),
    Default::new(
        "cronjob-successful-jobs-history-limit",
        Object,
        &["spec", "successfulJobsHistoryLimit"],
        Int(3),
    )
    .kinds(CRONJOB)
    .from(BATCH, "SetDefaults_CronJob."),
    Default::new(
        "cronjob-failed-jobs-history-limit",
        Object,
        &["spec", "failedJobsHistoryLimit"],
        Int(1),
    )
    .kinds(CRONJOB)
    .from(
        BATCH,
        "SetDefaults_CronJob. The jobTemplate's JobSpec is not defaulted (no backoffLimit).",
    ),
    // ---- Networking ---------------------------------------------------------------------------
    Default::new(
        "network-policy-pod-selector",
        Object,
        &["spec", "podSelector"],
        EmptyMap,
    )
    .kinds(NETWORK_POLICY)
    .from(
        SERIALIZED,
        "podSelector is a non-pointer selector, written {} when unset.",
    ),
    Default::new(
        "network-policy-policy-types",
        Object,
        &["spec", "policyTypes"],
        Computed(policy_types),
    )
    .kinds(NETWORK_POLICY)
    .zero()
    .from(
        NETWORKING,
        "SetDefaults_NetworkPolicy: [Ingress], plus Egress with egress rules.",
    ),
    Default::new(
        "network-policy-port-protocol",
        NetworkPolicyPort,
        &["protocol"],
        Str("TCP"),
    )
    .kinds(NETWORK_POLICY)
    .from(NETWORKING, "SetDefaults_NetworkPolicyPort."),
    Default::new(
        "ingress-path-type-v1beta1",
        IngressPath,
        &["pathType"],
        Str("ImplementationSpecific"),
    )
    .kinds(&[
        "extensions/v1beta1 Ingress",
        "networking.k8s.io/v1beta1 Ingress",
    ])
    .from(
        NETWORKING_V1BETA1,
        "v1beta1 Ingresses default pathType (1.18+). networking.k8s.io/v1 has no default: \
             pathType is required there.",
    ),
    Default::new(
        "ingress-class-parameters-scope",
        Object,
        &["spec", "parameters", "scope"],
        Str("Cluster"),
    )
    .kinds(&["networking.k8s.io/v1 IngressClass"])
    .when(has_ingress_class_parameters)
    .from(NETWORKING, "SetDefaults_IngressClass (1.21+)."),
    // ---- Autoscaling --------------------------------------------------------------------------
    Default::new("hpa-min-replicas", Object, &["spec", "minReplicas"], Int(1))
        .kinds(HPA)
        .from(
            AUTOSCALING,
            "SetDefaults_HorizontalPodAutoscaler (every version).",
        ),
    Default::new(
        "hpa-metrics",
        Object,
        &["spec", "metrics"],
        Json(
            r#"[{"type":"Resource","resource":{"name":"cpu",
                "target":{"type":"Utilization","averageUtilization":80}}}]"#,
        ),
    )
    .kinds(HPA_V2)
    .zero()
    .from(
        AUTOSCALING,
        "SetDefaults_HorizontalPodAutoscaler: 80% CPU without metrics.",
    ),
    Default::new(
        "hpa-metrics-v2beta1",
        Object,
        &["spec", "metrics"],
        Json(r#"[{"type":"Resource","resource":{"name":"cpu","targetAverageUtilization":80}}]"#),
    )
    .kinds(&["autoscaling/v2beta1 HorizontalPodAutoscaler"])
    .zero()
    .from(AUTOSCALING_V2BETA1, "SetDefaults_HorizontalPodAutoscaler."),
    Default::new(
        "hpa-scale-up-stabilization",
        Object,
        &["spec", "behavior", "scaleUp", "stabilizationWindowSeconds"],
        Int(0),
    )
    .kinds(HPA_V2)
    .when(has_hpa_behavior)
    .from(
        AUTOSCALING,
        "GenerateHPAScaleUpRules: only when behavior is set.",
    ),
    Default::new(
        "hpa-scale-up-select-policy",
        Object,
        &["spec", "behavior", "scaleUp", "selectPolicy"],
        Str("Max"),
    )
    .kinds(HPA_V2)
    .when(has_hpa_behavior)
    .from(AUTOSCALING, "GenerateHPAScaleUpRules."),
    Default::new(
        "hpa-scale-up-policies",
        Object,
        &["spec", "behavior", "scaleUp", "policies"],
        Json(HPA_SCALE_UP_POLICIES),
    )
    .kinds(HPA_V2)
    .when(has_hpa_behavior)
    .from(
        AUTOSCALING,
        "GenerateHPAScaleUpRules: 4 pods or 100% per 15 s.",
    ),
    Default::new(
        "hpa-scale-down-select-policy",
        Object,
        &["spec", "behavior", "scaleDown", "selectPolicy"],
        Str("Max"),
    )
    .kinds(HPA_V2)
    .when(has_hpa_behavior)
    .from(
        AUTOSCALING,
        "GenerateHPAScaleDownRules. Its stabilizationWindowSeconds stays unset (the 300 s \
         comes from the controller's flag).",
    ),
    Default::new(
        "hpa-scale-down-policies",
        Object,
        &["spec", "behavior", "scaleDown", "policies"],
        Json(HPA_SCALE_DOWN_POLICIES),
    )
    .kinds(HPA_V2)
    .when(has_hpa_behavior)
    .from(AUTOSCALING, "GenerateHPAScaleDownRules: 100% per 15 s."),
    // ---- RBAC, scheduling, storage, admission, CRDs ---------------------------------------------
    Default::new(
        "rbac-role-ref-api-group",
        Object,
        &["roleRef", "apiGroup"],
        Str("rbac.authorization.k8s.io"),
    )
    .kinds(BINDINGS)
    .zero()
    .from(
        RBAC,
        "SetDefaults_RoleBinding, SetDefaults_ClusterRoleBinding.",
    ),
    Default::new(
        "rbac-subject-api-group",
        Subject,
        &["apiGroup"],
        Computed(subject_api_group),
    )
    .kinds(BINDINGS)
    .zero()
    .from(
        RBAC,
        "SetDefaults_Subject: rbac.authorization.k8s.io for User and Group.",
    ),
    Default::new(
        "priority-class-preemption-policy",
        Object,
        &["preemptionPolicy"],
        Str("PreemptLowerPriority"),
    )
    .kinds(&["scheduling.k8s.io/v1 PriorityClass"])
    .from(SCHEDULING, "SetDefaults_PriorityClass."),
    Default::new(
        "storage-class-reclaim-policy",
        Object,
        &["reclaimPolicy"],
        Str("Delete"),
    )
    .kinds(&["storage.k8s.io/* StorageClass"])
    .from(STORAGE, "SetDefaults_StorageClass."),
    Default::new(
        "storage-class-binding-mode",
        Object,
        &["volumeBindingMode"],
        Str("Immediate"),
    )
    .kinds(&["storage.k8s.io/* StorageClass"])
    .from(STORAGE, "SetDefaults_StorageClass."),
    Default::new(
        "webhook-failure-policy",
        Webhook,
        &["failurePolicy"],
        Str("Fail"),
    )
    .kinds(WEBHOOKS)
    .from(
        ADMISSION,
        "SetDefaults_ValidatingWebhook, SetDefaults_MutatingWebhook.",
    ),
    Default::new(
        "webhook-failure-policy-v1beta1",
        Webhook,
        &["failurePolicy"],
        Str("Ignore"),
    )
    .kinds(WEBHOOKS_V1BETA1)
    .from(ADMISSION_V1BETA1, "Ignore in v1beta1."),
    Default::new(
        "webhook-match-policy",
        Webhook,
        &["matchPolicy"],
        Str("Equivalent"),
    )
    .kinds(WEBHOOKS)
    .from(ADMISSION, "SetDefaults_*Webhook."),
    Default::new(
        "webhook-match-policy-v1beta1",
        Webhook,
        &["matchPolicy"],
        Str("Exact"),
    )
    .kinds(WEBHOOKS_V1BETA1)
    .from(ADMISSION_V1BETA1, "Exact in v1beta1."),
    Default::new(
        "webhook-namespace-selector",
        Webhook,
        &["namespaceSelector"],
        EmptyMap,
    )
    .kinds(ALL_WEBHOOKS)
    .from(ADMISSION, "SetDefaults_*Webhook."),
    Default::new(
        "webhook-object-selector",
        Webhook,
        &["objectSelector"],
        EmptyMap,
    )
    .kinds(ALL_WEBHOOKS)
    .from(ADMISSION, "SetDefaults_*Webhook."),
    Default::new("webhook-timeout", Webhook, &["timeoutSeconds"], Int(10))
        .kinds(WEBHOOKS)
        .from(ADMISSION, "SetDefaults_*Webhook."),
    Default::new(
        "webhook-timeout-v1beta1",
        Webhook,
        &["timeoutSeconds"],
        Int(30),
    )
    .kinds(WEBHOOKS_V1BETA1)
    .from(ADMISSION_V1BETA1, "30 s in v1beta1."),
    Default::new(
        "webhook-reinvocation-policy",
        Webhook,
        &["reinvocationPolicy"],
        Str("Never"),
    )
    .kinds(MUTATING)
    .from(ADMISSION, "SetDefaults_MutatingWebhook."),
    Default::new(
        "webhook-side-effects-v1beta1",
        Webhook,
        &["sideEffects"],
        Str("Unknown"),
    )
    .kinds(WEBHOOKS_V1BETA1)
    .from(ADMISSION_V1BETA1, "v1beta1 only: v1 requires sideEffects."),
    Default::new(
        "webhook-admission-review-versions-v1beta1",
        Webhook,
        &["admissionReviewVersions"],
        Json(r#"["v1beta1"]"#),
    )
    .kinds(WEBHOOKS_V1BETA1)
    .zero()
    .from(
        ADMISSION_V1BETA1,
        "v1beta1 only: v1 requires admissionReviewVersions.",
    ),
    Default::new("webhook-rule-scope", WebhookRule, &["scope"], Str("*"))
        .kinds(ALL_WEBHOOKS)
        .from(ADMISSION, "SetDefaults_Rule."),
    Default::new("webhook-service-port", WebhookService, &["port"], Int(443))
        .kinds(ALL_WEBHOOKS)
        .from(ADMISSION, "SetDefaults_ServiceReference."),
    Default::new(
        "crd-conversion-strategy",
        Object,
        &["spec", "conversion", "strategy"],
        Str("None"),
    )
    .kinds(&["apiextensions.k8s.io/v1 CustomResourceDefinition"])
    .zero()
    .from(APIEXTENSIONS, "SetDefaults_CustomResourceDefinitionSpec."),
    // ---- OpenShift: Routes ----------------------------------------------------------------------
    Default::new(
        "route-wildcard-policy",
        Object,
        &["spec", "wildcardPolicy"],
        Str("None"),
    )
    .kinds(ROUTE)
    .zero()
    .from(OS_ROUTE, "SetDefaults_RouteSpec."),
    Default::new(
        "route-backend-kind",
        RouteBackend,
        &["kind"],
        Str("Service"),
    )
    .kinds(ROUTE)
    .zero()
    .from(
        OS_ROUTE,
        "SetDefaults_RouteTargetReference (to and alternateBackends).",
    ),
    Default::new("route-backend-weight", RouteBackend, &["weight"], Int(100))
        .kinds(ROUTE)
        .from(OS_ROUTE, "SetDefaults_RouteTargetReference."),
    Default::new(
        "route-tls-termination",
        Object,
        &["spec", "tls", "termination"],
        Str("edge"),
    )
    .kinds(ROUTE)
    .zero()
    .when(route_tls_without_destination_ca)
    .from(
        OS_ROUTE,
        "SetDefaults_TLSConfig: edge, unless a destinationCACertificate is set.",
    ),
    // ---- OpenShift: DeploymentConfigs --------------------------------------------------------
    Default::new(
        "dc-triggers",
        Object,
        &["spec", "triggers"],
        Json(r#"[{"type":"ConfigChange"}]"#),
    )
    .kinds(DC)
    .from(
        OS_APPS,
        "SetDefaults_DeploymentConfigSpec: only when triggers is nil, not [].",
    ),
    Default::new(
        "dc-selector-from-template",
        Object,
        &["spec", "selector"],
        Computed(template_labels),
    )
    .kinds(DC)
    .zero()
    .from(OS_APPS, "SetDefaults_DeploymentConfigSpec."),
    Default::new(
        "dc-strategy-type",
        Object,
        &["spec", "strategy", "type"],
        Str("Rolling"),
    )
    .kinds(DC)
    .zero()
    .from(OS_APPS, "SetDefaults_DeploymentStrategy."),
    Default::new(
        "dc-rolling-update-period",
        Object,
        &["spec", "strategy", "rollingParams", "updatePeriodSeconds"],
        Int(1),
    )
    .kinds(DC)
    .when(dc_rolling)
    .from(
        OS_APPS,
        "SetDefaults_DeploymentStrategy, SetDefaults_RollingDeploymentStrategyParams.",
    ),
    Default::new(
        "dc-rolling-interval",
        Object,
        &["spec", "strategy", "rollingParams", "intervalSeconds"],
        Int(1),
    )
    .kinds(DC)
    .when(dc_rolling)
    .from(OS_APPS, "SetDefaults_RollingDeploymentStrategyParams."),
    Default::new(
        "dc-rolling-timeout",
        Object,
        &["spec", "strategy", "rollingParams", "timeoutSeconds"],
        Int(600),
    )
    .kinds(DC)
    .when(dc_rolling)
    .from(OS_APPS, "SetDefaults_RollingDeploymentStrategyParams."),
    Default::new(
        "dc-rolling-surge-and-unavailable",
        Object,
        &["spec", "strategy", "rollingParams"],
        Keys(dc_surge_and_unavailable),
    )
    .kinds(DC)
    .when(dc_rolling)
    .from(
        OS_APPS,
        "SetDefaults_RollingDeploymentStrategyParams: both 25% when both unset; one 25% when \
         the other is 0 or 0%; otherwise none.",
    ),
    Default::new(
        "dc-recreate-timeout",
        Object,
        &["spec", "strategy", "recreateParams", "timeoutSeconds"],
        Int(600),
    )
    .kinds(DC)
    .when(dc_recreate)
    .from(
        OS_APPS,
        "SetDefaults_DeploymentStrategy, SetDefaults_RecreateDeploymentStrategyParams.",
    ),
    Default::new(
        "dc-active-deadline",
        Object,
        &["spec", "strategy", "activeDeadlineSeconds"],
        Int(21600),
    )
    .kinds(DC)
    .from(OS_APPS, "SetDefaults_DeploymentStrategy: six hours."),
    Default::new(
        "dc-strategy-resources",
        Object,
        &["spec", "strategy", "resources"],
        EmptyMap,
    )
    .kinds(DC)
    .from(
        SERIALIZED,
        "The strategy's resources are written as {} when unset.",
    ),
    Default::new(
        "dc-revision-history-limit",
        Object,
        &["spec", "revisionHistoryLimit"],
        Int(10),
    )
    .kinds(&["apps.openshift.io/v1 DeploymentConfig"])
    .from(
        OS_APPS_GROUP,
        "appsV1DeploymentConfigLayeredDefaults: not for the legacy v1 API.",
    ),
    Default::new("dc-test", Object, &["spec", "test"], Bool(false))
        .kinds(DC)
        .from(SERIALIZED, "spec.test is a plain bool without omitempty."),
    Default::new("dc-replicas", Object, &["spec", "replicas"], Int(0))
        .kinds(DC)
        .from(
            SERIALIZED,
            "spec.replicas is a plain int32 without omitempty: unset reads back as 0 (from \
             memory of openshift/api; unsure).",
        ),
    Default::new(
        "dc-image-trigger-kind",
        DcImageTrigger,
        &["kind"],
        Str("ImageStreamTag"),
    )
    .kinds(DC)
    .zero()
    .from(OS_APPS, "SetDefaults_DeploymentConfig."),
    Default::new(
        "dc-image-trigger-namespace",
        DcImageTrigger,
        &["namespace"],
        Computed(object_namespace),
    )
    .kinds(DC)
    .zero()
    .from(
        OS_APPS,
        "SetDefaults_DeploymentConfig: the DeploymentConfig's own namespace.",
    ),
    // ---- OpenShift: BuildConfigs, ImageStreams ------------------------------------------------
    Default::new(
        "bc-run-policy",
        Object,
        &["spec", "runPolicy"],
        Str("Serial"),
    )
    .kinds(BC)
    .zero()
    .from(OS_BUILD, "SetDefaults_BuildConfigSpec."),
    Default::new(
        "bc-successful-builds-history-limit",
        Object,
        &["spec", "successfulBuildsHistoryLimit"],
        Int(5),
    )
    .kinds(&["build.openshift.io/v1 BuildConfig"])
    .from(
        OS_BUILD_GROUP,
        "groupStrategy.PrepareForCreate: not for the legacy v1 API.",
    ),
    Default::new(
        "bc-failed-builds-history-limit",
        Object,
        &["spec", "failedBuildsHistoryLimit"],
        Int(5),
    )
    .kinds(&["build.openshift.io/v1 BuildConfig"])
    .from(
        OS_BUILD_GROUP,
        "groupStrategy.PrepareForCreate: not for the legacy v1 API.",
    ),
    Default::new(
        "bc-binary-source",
        Object,
        &["spec", "source", "binary"],
        EmptyMap,
    )
    .kinds(BC)
    .when(bc_binary_source)
    .from(
        OS_BUILD,
        "SetDefaults_BuildSource: a Binary source gets binary: {}.",
    ),
    Default::new(
        "bc-docker-strategy",
        Object,
        &["spec", "strategy", "dockerStrategy"],
        EmptyMap,
    )
    .kinds(BC)
    .when(bc_docker_strategy)
    .from(
        OS_BUILD,
        "SetDefaults_BuildStrategy: a Docker strategy gets dockerStrategy: {}.",
    ),
    Default::new("bc-from-kind", BuildFrom, &["kind"], Str("ImageStreamTag"))
        .kinds(BC)
        .zero()
        .from(OS_BUILD, "SetDefaults_{Source,Docker,Custom}BuildStrategy."),
    Default::new("bc-output", Object, &["spec", "output"], EmptyMap)
        .kinds(BC)
        .from(
            SERIALIZED,
            "output is a non-pointer struct (as seen on live objects; unsure).",
        ),
    Default::new("bc-post-commit", Object, &["spec", "postCommit"], EmptyMap)
        .kinds(BC)
        .from(
            SERIALIZED,
            "postCommit is a non-pointer struct (as seen on live objects; unsure).",
        ),
    Default::new("bc-resources", Object, &["spec", "resources"], EmptyMap)
        .kinds(BC)
        .from(
            SERIALIZED,
            "resources is a non-pointer struct (as seen on live objects; unsure).",
        ),
    Default::new(
        "image-stream-lookup-policy",
        Object,
        &["spec", "lookupPolicy", "local"],
        Bool(false),
    )
    .kinds(IMAGE_STREAM)
    .from(
        SERIALIZED,
        "lookupPolicy.local is a plain bool without omitempty.",
    ),
    Default::new(
        "image-stream-tag-reference-policy",
        ImageStreamTag,
        &["referencePolicy", "type"],
        Str("Source"),
    )
    .kinds(IMAGE_STREAM)
    .zero()
    .from(OS_IMAGE, "SetDefaults_TagReferencePolicy."),
];
