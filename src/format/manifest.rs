//! `driftlab-manifest.json`: what an archive holds and whether it is complete, written by export
//! and read by every reader, by `check` and by rotation.
//!
//! Fields may be added in later versions; none is renamed or removed. Unknown fields are kept
//! when a manifest is read, so nothing written by a newer version is lost by an older one.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The manifest of a driftlab archive.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// `driftlab`.
    #[serde(default)]
    pub tool: String,
    /// The version of the tool that wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    /// Set by synthetic archives (`generate`): what made them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
    /// The API server it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<Server>,
    /// When the export started (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// When it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// The namespaces read.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// The label selector of every list (`-l`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Which cluster-scoped objects were read: `all` the account may list, `none`, or those the
    /// namespaces refer to (`referenced`, `export -n` without `--cluster-scoped`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_scoped: Option<String>,
    /// `hash`, `include` or `skip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrets: Option<String>,
    /// How secret values were hashed, with `secrets: hash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<SecretHash>,
    /// Service-account token secrets left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_token_secrets: Option<TokenSecrets>,
    /// The types read, with their object counts.
    #[serde(default)]
    pub resources: Vec<ResourceCount>,
    /// Objects in the archive.
    #[serde(default)]
    pub objects: usize,
    /// HTTP requests the export sent to the API server, retries included: with `-A` about one
    /// per type and page, per namespace with `--list-per-namespace` or a restricted account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<u64>,
    /// Lists this account may not read (403): recorded, not failures.
    #[serde(default)]
    pub skipped: Vec<ListEntry>,
    /// Lists that could not be read: the archive is partial.
    #[serde(default)]
    pub failed: Vec<ListEntry>,
    /// What discovery or the namespace list could not read: the archive is partial.
    #[serde(default)]
    pub missing: Vec<Missing>,
    /// Problems during discovery that lose nothing.
    #[serde(default)]
    pub discovery_warnings: Vec<String>,
    /// Everything the account may read was read.
    #[serde(default)]
    pub complete: bool,
    /// The opposite of `complete`, for readers that look for it.
    #[serde(default)]
    pub partial: bool,
    /// Every other entry of the archive, with its size and SHA-256, as written: `verify`, `check`
    /// and rotation recompute them. `None` in archives of older versions and of the original
    /// tool ("no checksums recorded"); the manifest is written last, so it lists all the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<Vec<EntryDigest>>,
    /// Fields this version does not know, kept as they were.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One entry of an archive as it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryDigest {
    /// Its path inside the archive (`shop/pods.json`).
    pub name: String,
    /// Its size in bytes, uncompressed.
    pub size: u64,
    /// The SHA-256 of its uncompressed bytes, 64 lower-case hex digits.
    pub sha256: String,
}

/// The SHA-256 and size of bytes as they pass, written or read: an [`EntryDigest`] in the making.
#[derive(Clone, Debug, Default)]
pub struct Digesting {
    hasher: Sha256,
    size: u64,
}

impl Digesting {
    /// Takes `bytes` into the digest.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
        self.size += bytes.len() as u64;
    }

    /// The digest of what passed, for the entry `name`.
    pub fn finish(self, name: &str) -> EntryDigest {
        let hash = self.hasher.finalize();
        let mut sha256 = String::with_capacity(64);
        for byte in hash {
            sha256.push_str(&format!("{byte:02x}"));
        }
        EntryDigest {
            name: name.to_string(),
            size: self.size,
            sha256,
        }
    }
}

/// The API server an archive was read from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Server {
    /// Its URL.
    pub url: String,
    /// `/version` as it answered.
    #[serde(default)]
    pub version: Option<Value>,
}

/// How secret values were hashed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretHash {
    /// `sha256` or `hmac-sha256`.
    pub algorithm: String,
    /// The id of the HMAC key (never the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

/// The token secrets left out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenSecrets {
    /// How many.
    pub left_out: usize,
    /// Why.
    pub why: String,
}

/// One type read, and how many of its objects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceCount {
    /// `deploymentconfigs.apps.openshift.io`.
    pub resource: String,
    /// `apps.openshift.io/v1`.
    pub api_version: String,
    /// `DeploymentConfig`.
    pub kind: String,
    /// Whether its objects live in namespaces.
    pub namespaced: bool,
    /// How many were read.
    pub count: usize,
}

/// A list that was not read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListEntry {
    /// `deploymentconfigs.apps.openshift.io`.
    pub resource: String,
    /// The namespace; `null` for a cluster-scoped type.
    pub namespace: Option<String>,
    /// Why.
    pub reason: String,
}

/// Something discovery or the namespace list could not read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Missing {
    /// `API group apps.openshift.io/v1`, `namespace shop`.
    pub what: String,
    /// Why.
    pub reason: String,
}

impl Manifest {
    /// Parses a manifest.
    pub fn from_slice(bytes: &[u8]) -> serde_json::Result<Manifest> {
        serde_json::from_slice(bytes)
    }

    /// What is missing from a partial archive, one phrase each.
    pub fn missing_parts(&self) -> Vec<String> {
        let lists = self.failed.iter().map(|f| match &f.namespace {
            Some(ns) => format!("{} in {ns}: {}", f.resource, f.reason),
            None => format!("{}: {}", f.resource, f.reason),
        });
        self.missing
            .iter()
            .map(|m| format!("{}: {}", m.what, m.reason))
            .chain(lists)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let text = r#"{"tool":"driftlab","complete":true,"objects":3,"futureField":{"a":1}}"#;
        let manifest = Manifest::from_slice(text.as_bytes()).unwrap();
        assert!(manifest.complete);
        let again = serde_json::to_value(&manifest).unwrap();
        assert_eq!(again["futureField"]["a"], 1);
    }

    #[test]
    fn a_manifest_without_complete_is_not_complete() {
        let manifest = Manifest::from_slice(br#"{"tool":"driftlab"}"#).unwrap();
        assert!(!manifest.complete);
    }

    #[test]
    fn missing_parts_name_what_is_missing_then_each_failed_list() {
        let manifest = Manifest {
            missing: vec![Missing {
                what: "API group apps.openshift.io/v1".into(),
                reason: "discovery failed: 503".into(),
            }],
            failed: vec![
                ListEntry {
                    resource: "secrets".into(),
                    namespace: Some("shop".into()),
                    reason: "forbidden".into(),
                },
                ListEntry {
                    resource: "nodes".into(),
                    namespace: None,
                    reason: "timed out".into(),
                },
            ],
            ..Manifest::default()
        };
        assert_eq!(
            manifest.missing_parts(),
            [
                "API group apps.openshift.io/v1: discovery failed: 503",
                "secrets in shop: forbidden",
                "nodes: timed out",
            ]
        );
        assert!(Manifest::default().missing_parts().is_empty());
    }
}
