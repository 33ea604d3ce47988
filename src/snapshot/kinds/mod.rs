//! What driftlab knows about resource kinds without asking a cluster: their API group, plural and
//! short names, and whether they live in a namespace.
//!
//! Archives do not say whether a kind is cluster-scoped, and OpenShift 3 archives write `v1` for
//! kinds that now live in their own groups; this table settles both. Kinds it does not list are
//! taken as they come (their group from `apiVersion`, namespaced when they carry a namespace).

/// Facts about one well-known kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// The kind, e.g. `DeploymentConfig`.
    pub kind: &'static str,
    /// The API group, empty for the core group.
    pub group: &'static str,
    /// The resource name (plural), e.g. `deploymentconfigs`.
    pub plural: &'static str,
    /// kubectl's short names, e.g. `dc`.
    pub short: &'static [&'static str],
    /// Whether objects of this kind live in a namespace.
    pub namespaced: bool,
}

const fn k(
    kind: &'static str,
    group: &'static str,
    plural: &'static str,
    short: &'static [&'static str],
    namespaced: bool,
) -> KindInfo {
    KindInfo {
        kind,
        group,
        plural,
        short,
        namespaced,
    }
}

const NS: bool = true;
const CLUSTER: bool = false;

/// The well-known kinds of Kubernetes and OpenShift.
pub const KINDS: &[KindInfo] = &[
    // core
    k("Pod", "", "pods", &["po"], NS),
    k("Service", "", "services", &["svc"], NS),
    k("ConfigMap", "", "configmaps", &["cm"], NS),
    k("Secret", "", "secrets", &[], NS),
    k("ServiceAccount", "", "serviceaccounts", &["sa"], NS),
    k("Endpoints", "", "endpoints", &["ep"], NS),
    k(
        "PersistentVolumeClaim",
        "",
        "persistentvolumeclaims",
        &["pvc"],
        NS,
    ),
    k(
        "ReplicationController",
        "",
        "replicationcontrollers",
        &["rc"],
        NS,
    ),
    k("LimitRange", "", "limitranges", &["limits"], NS),
    k("ResourceQuota", "", "resourcequotas", &["quota"], NS),
    k("Event", "", "events", &["ev"], NS),
    k("PodTemplate", "", "podtemplates", &[], NS),
    k("Binding", "", "bindings", &[], NS),
    k(
        "PersistentVolume",
        "",
        "persistentvolumes",
        &["pv"],
        CLUSTER,
    ),
    k("Namespace", "", "namespaces", &["ns"], CLUSTER),
    k("Node", "", "nodes", &["no"], CLUSTER),
    k("ComponentStatus", "", "componentstatuses", &["cs"], CLUSTER),
    // apps, batch, autoscaling, policy
    k("Deployment", "apps", "deployments", &["deploy"], NS),
    k("ReplicaSet", "apps", "replicasets", &["rs"], NS),
    k("StatefulSet", "apps", "statefulsets", &["sts"], NS),
    k("DaemonSet", "apps", "daemonsets", &["ds"], NS),
    k("ControllerRevision", "apps", "controllerrevisions", &[], NS),
    k("Job", "batch", "jobs", &[], NS),
    k("CronJob", "batch", "cronjobs", &["cj"], NS),
    k(
        "HorizontalPodAutoscaler",
        "autoscaling",
        "horizontalpodautoscalers",
        &["hpa"],
        NS,
    ),
    k(
        "PodDisruptionBudget",
        "policy",
        "poddisruptionbudgets",
        &["pdb"],
        NS,
    ),
    // networking and discovery
    k("Ingress", "networking.k8s.io", "ingresses", &["ing"], NS),
    k(
        "NetworkPolicy",
        "networking.k8s.io",
        "networkpolicies",
        &["netpol"],
        NS,
    ),
    k(
        "IngressClass",
        "networking.k8s.io",
        "ingressclasses",
        &[],
        CLUSTER,
    ),
    k(
        "EndpointSlice",
        "discovery.k8s.io",
        "endpointslices",
        &[],
        NS,
    ),
    // rbac
    k("Role", "rbac.authorization.k8s.io", "roles", &[], NS),
    k(
        "RoleBinding",
        "rbac.authorization.k8s.io",
        "rolebindings",
        &[],
        NS,
    ),
    k(
        "ClusterRole",
        "rbac.authorization.k8s.io",
        "clusterroles",
        &[],
        CLUSTER,
    ),
    k(
        "ClusterRoleBinding",
        "rbac.authorization.k8s.io",
        "clusterrolebindings",
        &[],
        CLUSTER,
    ),
    // cluster plumbing
    k(
        "StorageClass",
        "storage.k8s.io",
        "storageclasses",
        &["sc"],
        CLUSTER,
    ),
    k(
        "VolumeAttachment",
        "storage.k8s.io",
        "volumeattachments",
        &[],
        CLUSTER,
    ),
    k("CSIDriver", "storage.k8s.io", "csidrivers", &[], CLUSTER),
    k("CSINode", "storage.k8s.io", "csinodes", &[], CLUSTER),
    k(
        "CustomResourceDefinition",
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        &["crd", "crds"],
        CLUSTER,
    ),
    k(
        "MutatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
        &[],
        CLUSTER,
    ),
    k(
        "ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        &[],
        CLUSTER,
    ),
    k(
        "PriorityClass",
        "scheduling.k8s.io",
        "priorityclasses",
        &["pc"],
        CLUSTER,
    ),
    k(
        "RuntimeClass",
        "node.k8s.io",
        "runtimeclasses",
        &[],
        CLUSTER,
    ),
    k(
        "APIService",
        "apiregistration.k8s.io",
        "apiservices",
        &[],
        CLUSTER,
    ),
    k(
        "CertificateSigningRequest",
        "certificates.k8s.io",
        "certificatesigningrequests",
        &["csr"],
        CLUSTER,
    ),
    k("Lease", "coordination.k8s.io", "leases", &[], NS),
    k("PodPreset", "settings.k8s.io", "podpresets", &[], NS),
    // OpenShift
    k(
        "DeploymentConfig",
        "apps.openshift.io",
        "deploymentconfigs",
        &["dc"],
        NS,
    ),
    k(
        "BuildConfig",
        "build.openshift.io",
        "buildconfigs",
        &["bc"],
        NS,
    ),
    k("Build", "build.openshift.io", "builds", &[], NS),
    k(
        "ImageStream",
        "image.openshift.io",
        "imagestreams",
        &["is"],
        NS,
    ),
    k(
        "ImageStreamTag",
        "image.openshift.io",
        "imagestreamtags",
        &["istag"],
        NS,
    ),
    k("ImageTag", "image.openshift.io", "imagetags", &["itag"], NS),
    k(
        "ImageStreamImage",
        "image.openshift.io",
        "imagestreamimages",
        &["isimage"],
        NS,
    ),
    k(
        "ImageStreamImport",
        "image.openshift.io",
        "imagestreamimports",
        &[],
        NS,
    ),
    k(
        "ImageStreamMapping",
        "image.openshift.io",
        "imagestreammappings",
        &[],
        NS,
    ),
    k("Image", "image.openshift.io", "images", &[], CLUSTER),
    k("Route", "route.openshift.io", "routes", &[], NS),
    k("Template", "template.openshift.io", "templates", &[], NS),
    k(
        "TemplateInstance",
        "template.openshift.io",
        "templateinstances",
        &[],
        NS,
    ),
    k(
        "BrokerTemplateInstance",
        "template.openshift.io",
        "brokertemplateinstances",
        &[],
        CLUSTER,
    ),
    k("Project", "project.openshift.io", "projects", &[], CLUSTER),
    k(
        "ProjectRequest",
        "project.openshift.io",
        "projectrequests",
        &[],
        CLUSTER,
    ),
    k(
        "SecurityContextConstraints",
        "security.openshift.io",
        "securitycontextconstraints",
        &["scc"],
        CLUSTER,
    ),
    k(
        "RangeAllocation",
        "security.openshift.io",
        "rangeallocations",
        &[],
        CLUSTER,
    ),
    k(
        "ClusterResourceQuota",
        "quota.openshift.io",
        "clusterresourcequotas",
        &["clusterquota"],
        CLUSTER,
    ),
    k(
        "AppliedClusterResourceQuota",
        "quota.openshift.io",
        "appliedclusterresourcequotas",
        &[],
        NS,
    ),
    k(
        "RoleBindingRestriction",
        "authorization.openshift.io",
        "rolebindingrestrictions",
        &[],
        NS,
    ),
    k("User", "user.openshift.io", "users", &[], CLUSTER),
    k("Group", "user.openshift.io", "groups", &[], CLUSTER),
    k("Identity", "user.openshift.io", "identities", &[], CLUSTER),
    k(
        "OAuthClient",
        "oauth.openshift.io",
        "oauthclients",
        &[],
        CLUSTER,
    ),
    k(
        "EgressNetworkPolicy",
        "network.openshift.io",
        "egressnetworkpolicies",
        &[],
        NS,
    ),
    k(
        "NetNamespace",
        "network.openshift.io",
        "netnamespaces",
        &["netnamespace"],
        CLUSTER,
    ),
    k(
        "HostSubnet",
        "network.openshift.io",
        "hostsubnets",
        &[],
        CLUSTER,
    ),
    k(
        "ClusterNetwork",
        "network.openshift.io",
        "clusternetworks",
        &[],
        CLUSTER,
    ),
    k(
        "ClusterVersion",
        "config.openshift.io",
        "clusterversions",
        &[],
        CLUSTER,
    ),
    k(
        "ClusterOperator",
        "config.openshift.io",
        "clusteroperators",
        &["co"],
        CLUSTER,
    ),
    k(
        "IngressController",
        "operator.openshift.io",
        "ingresscontrollers",
        &[],
        NS,
    ),
];

/// OpenShift 3 served these kinds as plain `v1` (the `/oapi` endpoint); today each lives in its own
/// group. An archive from then holds `apiVersion: v1` for them.
const LEGACY_OPENSHIFT_V1: &[(&str, &str)] = &[
    ("DeploymentConfig", "apps.openshift.io"),
    ("DeploymentConfigRollback", "apps.openshift.io"),
    ("BuildConfig", "build.openshift.io"),
    ("Build", "build.openshift.io"),
    ("BuildRequest", "build.openshift.io"),
    ("ImageStream", "image.openshift.io"),
    ("ImageStreamTag", "image.openshift.io"),
    ("ImageStreamImage", "image.openshift.io"),
    ("ImageStreamImport", "image.openshift.io"),
    ("ImageStreamMapping", "image.openshift.io"),
    ("Image", "image.openshift.io"),
    ("ImageSignature", "image.openshift.io"),
    ("Route", "route.openshift.io"),
    ("Template", "template.openshift.io"),
    ("TemplateInstance", "template.openshift.io"),
    ("BrokerTemplateInstance", "template.openshift.io"),
    ("Role", "authorization.openshift.io"),
    ("RoleBinding", "authorization.openshift.io"),
    ("ClusterRole", "authorization.openshift.io"),
    ("ClusterRoleBinding", "authorization.openshift.io"),
    ("Policy", "authorization.openshift.io"),
    ("PolicyBinding", "authorization.openshift.io"),
    ("ClusterPolicy", "authorization.openshift.io"),
    ("ClusterPolicyBinding", "authorization.openshift.io"),
    ("RoleBindingRestriction", "authorization.openshift.io"),
    ("Project", "project.openshift.io"),
    ("ProjectRequest", "project.openshift.io"),
    ("SecurityContextConstraints", "security.openshift.io"),
    ("ClusterResourceQuota", "quota.openshift.io"),
    ("AppliedClusterResourceQuota", "quota.openshift.io"),
    ("User", "user.openshift.io"),
    ("Group", "user.openshift.io"),
    ("Identity", "user.openshift.io"),
    ("UserIdentityMapping", "user.openshift.io"),
    ("OAuthClient", "oauth.openshift.io"),
    ("OAuthAccessToken", "oauth.openshift.io"),
    ("OAuthAuthorizeToken", "oauth.openshift.io"),
    ("OAuthClientAuthorization", "oauth.openshift.io"),
    ("EgressNetworkPolicy", "network.openshift.io"),
    ("NetNamespace", "network.openshift.io"),
    ("HostSubnet", "network.openshift.io"),
    ("ClusterNetwork", "network.openshift.io"),
];

/// The kind's entry in [`KINDS`], preferring the entry of `group` when the kind exists in several
/// groups (OpenShift's `Role` mirrors RBAC's).
pub fn lookup(kind: &str, group: &str) -> Option<&'static KindInfo> {
    KINDS
        .iter()
        .find(|info| info.kind == kind && info.group == group)
        .or_else(|| KINDS.iter().find(|info| info.kind == kind))
}

/// Whether `kind` of `group` is one of the API server's own kinds (Kubernetes' or OpenShift's),
/// not a custom resource: both must match, where [`lookup`] settles for the kind.
pub fn is_built_in(kind: &str, group: &str) -> bool {
    KINDS
        .iter()
        .any(|info| info.kind == kind && info.group == group)
}

/// OpenShift serves the RBAC objects a second time in `authorization.openshift.io`: the same
/// objects, not new ones. Their identity is the RBAC group's, so an OpenShift 3 archive (`v1`
/// `RoleBinding`) and an OpenShift 4 export (`rbac.authorization.k8s.io/v1`) pair up.
const RBAC_MIRRORS: &[&str] = &["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"];

/// The API group of an object's identity: from its `apiVersion`, with OpenShift 3's `v1` kinds
/// moved to the groups they live in today, and OpenShift's mirrors of RBAC taken as RBAC.
pub fn group_of(api_version: &str, kind: &str) -> String {
    let group = match api_version.rsplit_once('/') {
        Some((group, _version)) => group,
        None => LEGACY_OPENSHIFT_V1
            .iter()
            .find(|(legacy, _)| *legacy == kind)
            .map(|(_, group)| *group)
            .unwrap_or_default(),
    };
    if group == "authorization.openshift.io" && RBAC_MIRRORS.contains(&kind) {
        return "rbac.authorization.k8s.io".to_string();
    }
    if let Some((_, moved)) = MOVED_FROM_EXTENSIONS
        .iter()
        .find(|(moved_kind, _)| group == "extensions" && *moved_kind == kind)
    {
        return moved.to_string();
    }
    group.to_string()
}

/// Kinds Kubernetes served in `extensions/v1beta1` until 1.16 and moved to their own groups: an
/// archive from then pairs with today's object.
const MOVED_FROM_EXTENSIONS: &[(&str, &str)] = &[
    ("Deployment", "apps"),
    ("DaemonSet", "apps"),
    ("ReplicaSet", "apps"),
    ("Ingress", "networking.k8s.io"),
    ("NetworkPolicy", "networking.k8s.io"),
    ("PodSecurityPolicy", "policy"),
];

/// Whether two `apiVersion`s name versions of the same API: the same group (`batch/v1beta1` and
/// `batch/v1`), `extensions` and a group its kinds moved to, OpenShift 3's plain `v1` and an
/// OpenShift group (`apps.openshift.io/v1`) or RBAC, OpenShift's RBAC mirror and RBAC. Used to
/// tell an upgrade from a change of what an object refers to.
pub fn same_api(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let group = |v: &str| v.rsplit_once('/').map_or("", |(g, _)| g).to_string();
    let canonical = |g: String| -> String {
        match g.as_str() {
            "authorization.openshift.io" => "rbac.authorization.k8s.io".to_string(),
            _ => g,
        }
    };
    let (ga, gb) = (canonical(group(a)), canonical(group(b)));
    if ga == gb {
        return true;
    }
    let openshift_or_rbac =
        |g: &str| g.ends_with(".openshift.io") || g == "rbac.authorization.k8s.io";
    let legacy = |v: &str| v == "v1";
    let extensions_moved = |g: &str| MOVED_FROM_EXTENSIONS.iter().any(|(_, m)| *m == g);
    (legacy(a) && openshift_or_rbac(&gb))
        || (legacy(b) && openshift_or_rbac(&ga))
        || (ga == "extensions" && extensions_moved(&gb))
        || (gb == "extensions" && extensions_moved(&ga))
}

/// Whether `kind` of `group` is known to be cluster-scoped.
pub fn is_cluster_scoped(kind: &str, group: &str) -> bool {
    lookup(kind, group).is_some_and(|info| !info.namespaced)
}

/// The plural resource name of a kind: from the table, else the usual English rule
/// (`NetworkPolicy` → `networkpolicies`), which is what the API server does for most CRDs.
pub fn plural_of(kind: &str, group: &str) -> String {
    if let Some(info) = lookup(kind, group) {
        return info.plural.to_string();
    }
    let lower = kind.to_ascii_lowercase();
    if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    if lower.ends_with('s')
        || lower.ends_with("x")
        || lower.ends_with("ch")
        || lower.ends_with("sh")
    {
        return format!("{lower}es");
    }
    format!("{lower}s")
}

/// Whether the word a user typed for `--kind` (`dc`, `deploymentconfigs`, `DeploymentConfig`,
/// `deploymentconfigs.apps.openshift.io`) names `kind` of `group`.
pub fn kind_matches(word: &str, kind: &str, group: &str) -> bool {
    let word = word.trim();
    let (name, word_group) = match word.split_once('.') {
        Some((name, g)) => (name, Some(g)),
        None => (word, None),
    };
    if word_group.is_some_and(|g| !g.eq_ignore_ascii_case(group)) {
        return false;
    }
    if name.eq_ignore_ascii_case(kind) {
        return true;
    }
    let plural = plural_of(kind, group);
    if name.eq_ignore_ascii_case(&plural) {
        return true;
    }
    lookup(kind, group)
        .filter(|info| info.group == group || word_group.is_none())
        .is_some_and(|info| info.short.iter().any(|s| name.eq_ignore_ascii_case(s)))
}

/// Whether `word` names a kind of the table: its kind, plural or a short name, with or without a
/// `.group` suffix (`dc`, `deploymentconfigs.apps.openshift.io`).
pub fn is_known_word(word: &str) -> bool {
    KINDS
        .iter()
        .any(|info| kind_matches(word, info.kind, info.group))
}

/// The plural of the kind `word` was probably meant to name, for a "did you mean" hint: the
/// closest kind, plural or short name of the table or of `extra` (words a snapshot holds), when
/// it is close enough (at most one edit in three characters).
pub fn suggest(word: &str, extra: Vec<String>) -> Option<String> {
    let word = word.to_ascii_lowercase();
    let table = KINDS.iter().flat_map(|info| {
        let plural = info.plural.to_string();
        [info.kind.to_ascii_lowercase(), info.plural.to_string()]
            .into_iter()
            .chain(info.short.iter().map(|s| s.to_string()))
            .map(move |candidate| (candidate, plural.clone()))
    });
    let extra = extra
        .into_iter()
        .map(|w| (w.to_ascii_lowercase(), plural_of(&w, "")));
    let limit = (word.chars().count() / 3).max(1);
    table
        .chain(extra)
        .map(|(candidate, plural)| (edit_distance(&word, &candidate), plural))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, plural)| plural)
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
