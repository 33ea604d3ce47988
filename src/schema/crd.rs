//! A CustomResourceDefinition as driftlab reads it: names, scope, and per version the schema and
//! printer columns. Both `apiextensions.k8s.io/v1` and the older `v1beta1` spelling (one
//! top-level `validation` schema and `additionalPrinterColumns`, `JSONPath` in capitals) are read.

use serde::Deserialize;
use serde_json::Value;

/// The API group of CustomResourceDefinitions.
pub const CRD_GROUP: &str = "apiextensions.k8s.io";

/// The kind of a CustomResourceDefinition.
pub const CRD_KIND: &str = "CustomResourceDefinition";

/// One CustomResourceDefinition.
#[derive(Clone, Debug, PartialEq)]
pub struct Crd {
    /// `metadata.name`, e.g. `grpcroutes.gateway.networking.k8s.io`.
    pub name: String,
    /// The group its resources belong to.
    pub group: String,
    /// Its kind, plural, singular, short names and categories.
    pub names: Names,
    /// Whether its objects live in a namespace.
    pub namespaced: bool,
    /// Its versions, in the order the definition lists them.
    pub versions: Vec<Version>,
}

/// `spec.names`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Names {
    /// `Gateway`.
    pub kind: String,
    /// `gateways`.
    pub plural: String,
    /// `gateway`; the lower-cased kind when the definition leaves it out.
    pub singular: String,
    /// `gtw`.
    pub short_names: Vec<String>,
    /// `gateway-api`, `all`.
    pub categories: Vec<String>,
    /// `GatewayList`.
    pub list_kind: String,
}

/// One version of a definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Version {
    /// `v1`.
    pub name: String,
    /// Whether the API serves it.
    pub served: bool,
    /// Whether objects are stored in it (exactly one version is).
    pub storage: bool,
    /// Its `openAPIV3Schema`, as written.
    pub schema: Option<Value>,
    /// Its `additionalPrinterColumns`.
    pub printer_columns: Vec<PrinterColumn>,
}

/// A column `kubectl get` prints for the resource.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PrinterColumn {
    /// The header.
    pub name: String,
    /// `string`, `integer`, `number`, `boolean` or `date`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `int32`, `date-time`, … (optional).
    pub format: String,
    /// What it shows, e.g. `.spec.replicas`.
    #[serde(alias = "JSONPath")]
    pub json_path: String,
    /// A description for the column.
    pub description: String,
    /// 0 shows by default; more only with `-o wide`.
    pub priority: i64,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawSpec {
    group: String,
    names: Names,
    scope: String,
    versions: Vec<RawVersion>,
    /// v1beta1: the one version when `versions` is absent.
    version: Option<String>,
    /// v1beta1: a schema for every version.
    validation: Option<RawSchema>,
    /// v1beta1: columns for every version.
    additional_printer_columns: Vec<PrinterColumn>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawVersion {
    name: String,
    served: Option<bool>,
    storage: bool,
    schema: Option<RawSchema>,
    additional_printer_columns: Option<Vec<PrinterColumn>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawSchema {
    #[serde(rename = "openAPIV3Schema")]
    open_api_v3_schema: Option<Value>,
}

impl Crd {
    /// Reads a definition from its object; `Err` says what is wrong with it.
    pub fn from_object(object: &Value) -> Result<Crd, String> {
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let spec = object.get("spec").ok_or("it has no spec")?;
        let raw: RawSpec = serde_json::from_value(spec.clone())
            .map_err(|error| format!("its spec is not a definition's: {error}"))?;
        if raw.group.is_empty() {
            return Err("its spec names no group".into());
        }
        if raw.names.kind.is_empty() || raw.names.plural.is_empty() {
            return Err("its spec.names has no kind or plural".into());
        }
        let shared_schema = raw.validation.and_then(|s| s.open_api_v3_schema);
        let mut versions: Vec<Version> = raw
            .versions
            .into_iter()
            .filter(|v| !v.name.is_empty())
            .map(|v| Version {
                name: v.name,
                served: v.served.unwrap_or(true),
                storage: v.storage,
                schema: v
                    .schema
                    .and_then(|s| s.open_api_v3_schema)
                    .or_else(|| shared_schema.clone()),
                printer_columns: v
                    .additional_printer_columns
                    .unwrap_or_else(|| raw.additional_printer_columns.clone()),
            })
            .collect();
        if versions.is_empty()
            && let Some(version) = raw.version
        {
            versions.push(Version {
                name: version,
                served: true,
                storage: true,
                schema: shared_schema,
                printer_columns: raw.additional_printer_columns,
            });
        }
        if versions.is_empty() {
            return Err("it defines no version".into());
        }
        let mut names = raw.names;
        if names.singular.is_empty() {
            names.singular = names.kind.to_lowercase();
        }
        Ok(Crd {
            name,
            group: raw.group,
            names,
            namespaced: raw.scope != "Cluster",
            versions,
        })
    }

    /// Whether `object` is a CustomResourceDefinition.
    pub fn is_definition(object: &Value) -> bool {
        object.get("kind").and_then(Value::as_str) == Some(CRD_KIND)
            && object
                .get("apiVersion")
                .and_then(Value::as_str)
                .is_some_and(|v| v.starts_with("apiextensions.k8s.io/"))
    }

    /// The version objects are compared in: the one named `version` when the definition has it,
    /// else the storage version, else the first served one.
    pub fn version(&self, version: &str) -> Option<&Version> {
        self.versions
            .iter()
            .find(|v| v.name == version)
            .or_else(|| self.preferred())
    }

    /// The version an API server prefers: the storage version, else the first served one.
    pub fn preferred(&self) -> Option<&Version> {
        self.versions
            .iter()
            .find(|v| v.storage && v.served)
            .or_else(|| self.versions.iter().find(|v| v.served))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v1_definitions_are_read_with_their_columns_and_names() {
        let crd = Crd::from_object(&json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "gateways.gateway.networking.k8s.io"},
            "spec": {
                "group": "gateway.networking.k8s.io",
                "names": {"kind": "Gateway", "plural": "gateways", "shortNames": ["gtw"]},
                "scope": "Namespaced",
                "versions": [
                    {"name": "v1beta1", "served": true, "storage": false},
                    {"name": "v1", "served": true, "storage": true,
                     "schema": {"openAPIV3Schema": {"type": "object"}},
                     "additionalPrinterColumns": [
                        {"name": "Class", "type": "string", "jsonPath": ".spec.gatewayClassName"}
                     ]}
                ]
            }
        }))
        .unwrap();
        assert!(crd.namespaced);
        assert_eq!(crd.names.singular, "gateway");
        assert_eq!(crd.names.short_names, ["gtw"]);
        assert_eq!(crd.preferred().unwrap().name, "v1");
        assert_eq!(crd.version("v1beta1").unwrap().name, "v1beta1");
        assert_eq!(crd.version("v9").unwrap().name, "v1");
        let column = &crd.preferred().unwrap().printer_columns[0];
        assert_eq!(column.json_path, ".spec.gatewayClassName");
    }

    #[test]
    fn v1beta1_definitions_share_one_schema_and_column_list() {
        let crd = Crd::from_object(&json!({
            "apiVersion": "apiextensions.k8s.io/v1beta1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "crontabs.stable.example.com"},
            "spec": {
                "group": "stable.example.com",
                "version": "v1",
                "scope": "Cluster",
                "names": {"kind": "CronTab", "plural": "crontabs"},
                "validation": {"openAPIV3Schema": {"type": "object"}},
                "additionalPrinterColumns": [{"name": "Spec", "type": "string", "JSONPath": ".spec.cronSpec"}]
            }
        }))
        .unwrap();
        assert!(!crd.namespaced);
        let version = crd.preferred().unwrap();
        assert_eq!(version.schema, Some(json!({"type": "object"})));
        assert_eq!(version.printer_columns[0].json_path, ".spec.cronSpec");
    }

    #[test]
    fn a_definition_without_group_or_versions_is_refused() {
        assert!(
            Crd::from_object(&json!({"spec": {"names": {"kind": "A", "plural": "as"}}})).is_err()
        );
        assert!(
            Crd::from_object(
                &json!({"spec": {"group": "g", "names": {"kind": "A", "plural": "as"}}})
            )
            .is_err()
        );
        assert!(Crd::from_object(&json!({"metadata": {}})).is_err());
    }
}
