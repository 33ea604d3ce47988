//! `--output sarif`: SARIF 2.1.0 (OASIS), as GitHub code scanning and other tools read it.
//!
//! One result per visible change. Its `ruleId` is the change's category (`security`,
//! `rollout-trigger`, …), described once in `tool.driver.rules`. Its location is the manifest
//! file and line when the manifests came from files, and always the object as a logical
//! location. `partialFingerprints` hash the object and the path, never the values, so code
//! scanning tracks one alert across runs while its value moves on.

use std::io::{self, Write};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Context, Item, items};
use crate::analyze::{Analysis, Category};

/// The SARIF version written.
pub const VERSION: &str = "2.1.0";
/// The schema it follows.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Every category, in rank order: the rules of the run.
const CATEGORIES: [Category; 10] = Category::ALL;

/// Writes the SARIF log of `analysis`.
pub fn render(analysis: &Analysis, context: &Context, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(analysis, context))?;
    writeln!(out)
}

/// The SARIF log as a value.
pub fn log(analysis: &Analysis, context: &Context) -> Value {
    let rules: Vec<Value> = CATEGORIES.iter().map(|c| rule(*c)).collect();
    let results: Vec<Value> = items(analysis)
        .iter()
        .map(|item| result(item, context))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "driftlab",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "automationDetails": {"id": "driftlab/"},
            "results": results,
        }],
    })
}

fn level(category: Category) -> &'static str {
    match category {
        Category::Churn | Category::Metadata | Category::TriggeredImage => "warning",
        _ => "error",
    }
}

fn rule(category: Category) -> Value {
    json!({
        "id": category.name(),
        "name": category.name(),
        "shortDescription": {"text": format!("Drift: {}", category.describe())},
        "fullDescription": {"text": full_description(category)},
        "defaultConfiguration": {"level": level(category)},
        "properties": {"rank": category.rank()},
    })
}

fn full_description(category: Category) -> &'static str {
    match category {
        Category::Security => {
            "A change of privileges, host access or who may do what: it ranks above every routine change."
        }
        Category::RolloutTrigger => {
            "A pod-template change of a workload controller: it triggers a rollout."
        }
        Category::PodEdited => "A pod that differs from its own controller's template.",
        Category::Access => {
            "Service selectors and ports, Route and Ingress backends and TLS, NetworkPolicy, RBAC."
        }
        Category::UsedConfiguration => "Content of a ConfigMap or Secret that a workload uses.",
        Category::Quota => "Quotas and limit ranges.",
        Category::Spec => "Another change of an object's spec.",
        Category::TriggeredImage => {
            "A container image rewritten by the DeploymentConfig's own ImageChange trigger."
        }
        Category::Metadata => "Labels, annotations, apiVersion.",
        Category::Churn => "Generated objects replaced or added as their owners do.",
    }
}

fn result(item: &Item<'_>, context: &Context) -> Value {
    let path = item.path();
    let qualified = format!(
        "{}/{}/{}/{}",
        if item.key.group.is_empty() {
            "core"
        } else {
            &item.key.group
        },
        item.key.kind,
        item.key.namespace,
        item.key.name
    );
    let logical = json!({
        "fullyQualifiedName": if path.is_empty() { qualified.clone() } else { format!("{qualified}:{path}") },
        "name": item.key.name,
        "kind": "object",
    });
    let mut location = json!({"logicalLocations": [logical]});
    if let Some(place) = context.place(item.key, &path) {
        location["physicalLocation"] = json!({
            "artifactLocation": {"uri": uri(&place.file)},
            "region": {"startLine": place.line},
        });
    }
    let fingerprint: String = Sha256::digest(format!("{qualified}\u{0}{path}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    json!({
        "ruleId": item.category.name(),
        "ruleIndex": CATEGORIES.iter().position(|c| *c == item.category).unwrap_or(0),
        "level": level(item.category),
        "message": {"text": format!("{}: {}", item.object(), item.message())},
        "locations": [location],
        "partialFingerprints": {"driftlabObjectPath/v1": fingerprint},
    })
}

/// A relative file path as a URI reference: `/` kept, anything else outside the unreserved
/// set percent-encoded (a space, `#`, `%`).
fn uri(file: &str) -> String {
    let mut out = String::new();
    for byte in file.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_uri_references() {
        assert_eq!(uri("deploy/my app#1.yaml"), "deploy/my%20app%231.yaml");
    }
}
