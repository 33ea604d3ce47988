//! Secret values: compared by digest and shown as a fingerprint, never printed unless asked.
//!
//! A fingerprint is `sha256:` and the first 8 hex digits of the SHA-256 of the decoded value, so a
//! change is visible while the value is not. Values an export already hashed (`sha256:<64 hex>`)
//! compare as they are, and against a raw value by hashing the raw one.

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Annotations that hold a secret value of their own (OpenShift's token secrets).
pub const SECRET_ANNOTATIONS: &[&str] = &["openshift.io/token-secret.value"];

/// Whether the value at the map keys `fields` of an object of `kind` is a secret value.
pub fn is_secret_path(kind: &str, fields: &[&str]) -> bool {
    kind == "Secret"
        && match fields {
            ["data" | "stringData", _] => true,
            ["metadata", "annotations", name] => SECRET_ANNOTATIONS.contains(name),
            _ => false,
        }
}

/// The full hex SHA-256 of a secret value: of the decoded bytes for `data` (base64), of the text
/// for `stringData`; an already hashed `sha256:<hex>` value is its own digest.
pub fn digest(value: &Value, base64_encoded: bool) -> String {
    let text = match value {
        Value::String(s) => s.as_str(),
        other => return hex(&Sha256::digest(other.to_string().as_bytes())),
    };
    if let Some(hash) = text.strip_prefix("sha256:")
        && hash.len() == 64
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return hash.to_ascii_lowercase();
    }
    let decoded = base64_encoded
        .then(|| {
            base64::engine::general_purpose::STANDARD
                .decode(text.trim())
                .ok()
        })
        .flatten();
    hex(&Sha256::digest(
        decoded.as_deref().unwrap_or(text.as_bytes()),
    ))
}

/// `sha256:1a2b3c4d`: enough to see that a value changed, too little to recover it.
pub fn fingerprint(value: &Value, base64_encoded: bool) -> Value {
    Value::String(format!("sha256:{}", &digest(value, base64_encoded)[..8]))
}

/// The value as a person may read it with `--show-secrets`: `data` decoded when it is text.
pub fn revealed(value: &Value, base64_encoded: bool) -> Value {
    if let (Value::String(text), true) = (value, base64_encoded)
        && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text.trim())
        && let Ok(decoded) = String::from_utf8(bytes)
    {
        return Value::String(decoded);
    }
    value.clone()
}

/// Replaces every secret value of a Secret object by `sha256:<full hex digest>`, the form
/// `driftlab export --secrets hash` writes. Other kinds are left as they are.
pub fn redact_object(object: &mut Value) {
    redact_with(object, |value, base64| {
        Value::String(format!("sha256:{}", digest(value, base64)))
    });
}

/// Replaces every secret value of a Secret object by its short fingerprint (`sha256:1a2b3c4d`),
/// for reports: a full unsalted digest of a weak password can be looked up.
pub fn fingerprint_object(object: &mut Value) {
    redact_with(object, fingerprint);
}

fn redact_with(object: &mut Value, replace: impl Fn(&Value, bool) -> Value) {
    if object.get("kind").and_then(Value::as_str) != Some("Secret") {
        return;
    }
    for (field, base64_encoded) in [("data", true), ("stringData", false)] {
        if let Some(Value::Object(map)) = object.get_mut(field) {
            for value in map.values_mut() {
                *value = replace(value, base64_encoded);
            }
        }
    }
    if let Some(Value::Object(annotations)) = object.pointer_mut("/metadata/annotations") {
        for name in SECRET_ANNOTATIONS {
            if let Some(value) = annotations.get_mut(*name) {
                *value = replace(value, false);
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 15)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn data_is_hashed_decoded_and_matches_an_exported_hash() {
        // "s3cr3t" in base64, and the SHA-256 of "s3cr3t".
        let raw = json!("czNjcjN0");
        let exported = json!(format!("sha256:{}", digest(&json!("s3cr3t"), false)));
        assert_eq!(digest(&raw, true), digest(&exported, true));
        assert_eq!(
            fingerprint(&raw, true),
            json!(format!("sha256:{}", &digest(&raw, true)[..8]))
        );
        assert_ne!(
            fingerprint(&raw, true),
            fingerprint(&json!("b3RoZXI="), true)
        );
    }

    #[test]
    fn revealing_decodes_text() {
        assert_eq!(revealed(&json!("czNjcjN0"), true), json!("s3cr3t"));
        assert_eq!(revealed(&json!("plain"), false), json!("plain"));
    }

    #[test]
    fn redaction_leaves_no_value_behind() {
        let mut secret = json!({"kind": "Secret", "metadata": {"name": "s",
            "annotations": {"openshift.io/token-secret.value": "tok"}},
            "data": {"password": "czNjcjN0"}, "stringData": {"user": "admin"}});
        redact_object(&mut secret);
        let text = secret.to_string();
        assert!(
            !text.contains("czNjcjN0") && !text.contains("admin") && !text.contains("\"tok\""),
            "{text}"
        );
        assert!(
            secret["data"]["password"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
    }

    #[test]
    fn secret_paths() {
        assert!(is_secret_path("Secret", &["data", "password"]));
        assert!(is_secret_path("Secret", &["stringData", "x"]));
        assert!(!is_secret_path("ConfigMap", &["data", "password"]));
        assert!(!is_secret_path("Secret", &["data"]));
    }
}
