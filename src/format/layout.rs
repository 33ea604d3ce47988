//! What the path of a file inside an archive or directory says about its objects.
//!
//! Two archive layouts are known: driftlab's (`<namespace>/<plural>.json`, `_cluster/<plural>.json`,
//! `driftlab-manifest.json`) and the original openshift-backup tool's (`<project>/<plural>.json`,
//! with the quirks its history left: `ns.json` repeated in every project, `pvcs_attachment.json`,
//! legacy per-object files `dc_<name>.json` and their derived `dc_<name>_patched.json`).

use crate::snapshot::DuplicateRule;

/// The name of the manifest a driftlab archive carries at its root.
pub const MANIFEST_NAME: &str = "driftlab-manifest.json";

/// The folder of cluster-scoped objects in a driftlab archive.
pub const CLUSTER_FOLDER: &str = "_cluster";

/// The file names the openshift-backup export script writes in each project folder.
pub const OPENSHIFT_BACKUP_FILES: &[&str] = &[
    "ns.json",
    "rolebindings.json",
    "serviceaccounts.json",
    "secrets.json",
    "dcs.json",
    "bcs.json",
    "builds.json",
    "iss.json",
    "imagestreamtags.json",
    "rcs.json",
    "svcs.json",
    "endpoints.json",
    "pods.json",
    "podpreset.json",
    "cms.json",
    "egressnetworkpolicies.json",
    "rolebindingrestrictions.json",
    "limitranges.json",
    "resourcequotas.json",
    "pvcs.json",
    "pvcs_attachment.json",
    "routes.json",
    "templates.json",
    "cronjobs.json",
    "statefulsets.json",
    "hpas.json",
    "deployments.json",
    "replicasets.json",
    "poddisruptionbudget.json",
    "daemonset.json",
];

/// Prefixes of the legacy per-object files of early openshift-backup versions.
const LEGACY_PER_OBJECT_PREFIXES: &[&str] = &["dc_", "svc_", "endpoint_", "bc_", "is_", "route_"];

/// What a file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryRole {
    /// Kubernetes objects.
    Objects {
        /// The namespace of objects that carry none.
        folder_namespace: Option<String>,
        /// How a second copy of one of its objects is treated.
        duplicates: DuplicateRule,
    },
    /// driftlab's archive manifest.
    Manifest,
    /// A derived copy that is ignored with a note (`dc_<name>_patched.json`).
    Derived,
    /// Not a manifest file (another extension).
    Other,
}

impl EntryRole {
    /// Primary copies are read first so that they win over secondary ones.
    pub fn read_order(&self) -> u8 {
        match self {
            EntryRole::Manifest => 0,
            EntryRole::Objects {
                duplicates: DuplicateRule::SecondaryCopy,
                ..
            } => 2,
            _ => 1,
        }
    }
}

/// Whether `name` has an extension driftlab reads manifests from.
pub fn is_manifest_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// Whether `file_name` is one of the files `kubectl diff` writes for its external diff program:
/// `[<group>.]<version>.<Kind>.<namespace>.<name>` with no extension (`v1.ConfigMap.shop.web`,
/// `apps.v1.Deployment.shop.web`, `rbac.authorization.k8s.io.v1.ClusterRole..view`; kubectl's
/// `InfoObject.Name()` in `staging/src/k8s.io/kubectl/pkg/cmd/diff/diff.go`). The name only
/// says the file holds YAML: the object's identity is read from its content.
pub fn is_kubectl_diff_name(file_name: &str) -> bool {
    let parts: Vec<&str> = file_name.split('.').collect();
    // parts[version], parts[version + 1] the Kind, then the namespace (empty when cluster-scoped)
    // and the name, which may hold dots.
    (0..parts.len().saturating_sub(3)).any(|version| {
        let group_ok = parts[..version].iter().all(|label| is_dns_label(label));
        let kind = parts[version + 1];
        let namespace = parts[version + 2];
        let name = &parts[version + 3..];
        group_ok
            && is_api_version(parts[version])
            && kind.starts_with(|c: char| c.is_ascii_uppercase())
            && kind.chars().all(|c| c.is_ascii_alphanumeric())
            && (namespace.is_empty() || is_dns_label(namespace))
            && name.iter().all(|part| !part.is_empty())
    })
}

/// `v1`, `v2beta1`, `v1alpha3`.
fn is_api_version(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('v') else {
        return false;
    };
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    let (number, stage) = rest.split_at(digits);
    if number.is_empty() || number.starts_with('0') {
        return false;
    }
    stage.is_empty()
        || ["alpha", "beta"].iter().any(|word| {
            stage.strip_prefix(word).is_some_and(|n| {
                !n.is_empty() && !n.starts_with('0') && n.chars().all(|c| c.is_ascii_digit())
            })
        })
}

/// A lower-case DNS label: letters, digits and `-`, not at either end.
fn is_dns_label(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 63
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

/// Whether a set of paths looks like an archive (driftlab or openshift-backup), so that the first
/// folder of each file names its namespace.
pub fn looks_like_archive<'a>(paths: impl IntoIterator<Item = &'a str>) -> bool {
    paths.into_iter().any(|path| {
        let parts: Vec<&str> = path.split('/').collect();
        path == MANIFEST_NAME
            || (parts.len() == 2
                && (parts[0] == CLUSTER_FOLDER
                    || OPENSHIFT_BACKUP_FILES.contains(&parts[1])
                    || is_legacy_per_object(parts[1])))
    })
}

/// The role of the file at `path` (`/`-separated, relative to the archive root). In an archive
/// layout the first folder of a two-level path is the namespace of objects that carry none.
pub fn classify(path: &str, archive_layout: bool) -> EntryRole {
    if path == MANIFEST_NAME {
        return EntryRole::Manifest;
    }
    let file_name = path.rsplit('/').next().unwrap_or(path);
    if !is_manifest_file(file_name) {
        if is_kubectl_diff_name(file_name) {
            return EntryRole::Objects {
                folder_namespace: None,
                duplicates: DuplicateRule::Report,
            };
        }
        return EntryRole::Other;
    }
    if is_derived_patched(file_name) {
        return EntryRole::Derived;
    }
    let parts: Vec<&str> = path.split('/').collect();
    let folder_namespace = (archive_layout && parts.len() == 2 && parts[0] != CLUSTER_FOLDER)
        .then(|| parts[0].to_string());
    let duplicates = if file_name == "ns.json" {
        DuplicateRule::ListedInEveryFolder
    } else if file_name == "pvcs_attachment.json" || is_legacy_per_object(file_name) {
        DuplicateRule::SecondaryCopy
    } else {
        DuplicateRule::Report
    };
    EntryRole::Objects {
        folder_namespace,
        duplicates,
    }
}

fn is_legacy_per_object(file_name: &str) -> bool {
    file_name.ends_with(".json")
        && LEGACY_PER_OBJECT_PREFIXES
            .iter()
            .any(|prefix| file_name.len() > prefix.len() + 5 && file_name.starts_with(prefix))
}

/// `dc_<name>_patched.json`: a copy of a DeploymentConfig the old tool patched for restores.
fn is_derived_patched(file_name: &str) -> bool {
    file_name.starts_with("dc_") && file_name.ends_with("_patched.json")
}

/// Whether `path` is safe to name inside an archive: relative, no `..`, no drive letter.
pub fn is_safe_entry_path(path: &str) -> bool {
    let absolute = path.starts_with(['/', '\\']);
    let drive_letter = path.len() >= 2 && path.as_bytes()[1] == b':';
    let climbs = path.split(['/', '\\']).any(|part| part == "..");
    !(absolute || drive_letter || climbs || path.contains('\0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openshift_backup_files() {
        assert_eq!(
            classify("myproject/dcs.json", true),
            EntryRole::Objects {
                folder_namespace: Some("myproject".into()),
                duplicates: DuplicateRule::Report
            }
        );
        assert_eq!(
            classify("myproject/ns.json", true),
            EntryRole::Objects {
                folder_namespace: Some("myproject".into()),
                duplicates: DuplicateRule::ListedInEveryFolder
            }
        );
        assert!(matches!(
            classify("myproject/pvcs_attachment.json", true),
            EntryRole::Objects {
                duplicates: DuplicateRule::SecondaryCopy,
                ..
            }
        ));
        assert!(matches!(
            classify("myproject/dc_web.json", true),
            EntryRole::Objects {
                duplicates: DuplicateRule::SecondaryCopy,
                ..
            }
        ));
        assert_eq!(
            classify("myproject/dc_web_patched.json", true),
            EntryRole::Derived
        );
        assert_eq!(classify("myproject/dump.sql", true), EntryRole::Other);
        assert_eq!(classify(MANIFEST_NAME, true), EntryRole::Manifest);
    }

    #[test]
    fn driftlab_cluster_folder_has_no_namespace() {
        assert_eq!(
            classify("_cluster/namespaces.json", true),
            EntryRole::Objects {
                folder_namespace: None,
                duplicates: DuplicateRule::Report
            }
        );
    }

    #[test]
    fn plain_manifest_trees_do_not_take_folder_namespaces() {
        assert!(!looks_like_archive([
            "base/deployment.yaml",
            "overlays/prod/kustomization.yaml"
        ]));
        assert!(looks_like_archive(["myproject/dcs.json"]));
        assert!(matches!(
            classify("base/deployment.yaml", false),
            EntryRole::Objects {
                folder_namespace: None,
                ..
            }
        ));
    }

    #[test]
    fn unsafe_paths() {
        assert!(is_safe_entry_path("myproject/dcs.json"));
        assert!(!is_safe_entry_path("../evil.json"));
        assert!(!is_safe_entry_path("a/../../evil.json"));
        assert!(!is_safe_entry_path("/etc/passwd"));
        assert!(!is_safe_entry_path("C:/evil.json"));
        assert!(!is_safe_entry_path("a\\..\\evil.json"));
    }

    #[test]
    fn kubectl_diff_file_names() {
        for name in [
            "v1.ConfigMap.shop.web",
            "apps.v1.Deployment.shop.web",
            "rbac.authorization.k8s.io.v1.ClusterRole..view",
            "v1.ConfigMap.shop.kube-root-ca.crt",
            "autoscaling.v2beta2.HorizontalPodAutoscaler.shop.web",
            "apps.openshift.io.v1.DeploymentConfig.my-project.web",
        ] {
            assert!(is_kubectl_diff_name(name), "{name}");
            assert!(
                matches!(
                    classify(name, false),
                    EntryRole::Objects {
                        folder_namespace: None,
                        ..
                    }
                ),
                "{name}"
            );
        }
        for name in [
            "README",
            "Makefile",
            "v1.ConfigMap.shop",
            "v1.configmap.shop.web",
            "v01.ConfigMap.shop.web",
            "v1beta.ConfigMap.shop.web",
            "Apps.v1.Deployment.shop.web",
            "v1.ConfigMap.Shop.web",
            "v1.ConfigMap.shop.",
            "notes.v1.txt",
        ] {
            assert!(!is_kubectl_diff_name(name), "{name}");
            assert_eq!(classify(name, false), EntryRole::Other, "{name}");
        }
    }
}
