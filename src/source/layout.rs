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
}
