//! Secret values: what counts as one, how an archive stores it, how two stored values compare,
//! and how reports show them. Nothing here prints a value; callers reveal one only when asked.
//!
//! A value of a `Secret` (in any spelling of the kind a reader accepts) is stored in one of three
//! forms:
//!
//! - raw, as the API serves it (`data` base64-encoded, `stringData` plain text);
//! - `sha256:<64 hex>`: the SHA-256 of the decoded value (`driftlab export --secrets hash` without
//!   a key). Anyone holding the archive can test guesses against it, so weak passwords leak;
//! - `hmac-sha256:<key id>:<64 hex>`: the HMAC-SHA-256 of the decoded value under a key kept
//!   outside the archive (`--secret-key-file`); without the key a guess cannot be tested. The key
//!   id (8 hex digits derived from the key, not the key itself) says which key.
//!
//! Two forms compare when one can be turned into the other: raw against either hash by hashing it
//! (with the key, for HMAC), equal hashes of the same kind and key. Values hashed with different
//! keys, or with a key on one side and without on the other, cannot be compared; [`compare`]
//! says so instead of guessing.

use std::path::Path;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Annotations that hold a secret value of their own (OpenShift's token secrets).
pub const SECRET_ANNOTATIONS: &[&str] = &["openshift.io/token-secret.value"];

/// The shortest key accepted: 16 bytes (128 bits).
const MIN_KEY_BYTES: usize = 16;

/// The longest key file read: keys are short, and a key file is never a large file.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// Whether objects of `kind` carry secret values. The API spells it `Secret`; readers accept what
/// files say, so every spelling counts: a `kind: secret` file must not leak its values.
pub fn is_secret_kind(kind: &str) -> bool {
    kind.eq_ignore_ascii_case("Secret")
}

/// Whether the value at the map keys `fields` of an object of `kind` is a secret value.
pub fn is_secret_path(kind: &str, fields: &[&str]) -> bool {
    is_secret_kind(kind)
        && match fields {
            ["data" | "stringData", _] => true,
            ["metadata", "annotations", name] => SECRET_ANNOTATIONS.contains(name),
            _ => false,
        }
}

/// A key for keyed hashing (HMAC-SHA-256) of secret values.
#[derive(Clone)]
pub struct SecretKey {
    key: Vec<u8>,
    id: String,
}

impl std::fmt::Debug for SecretKey {
    // Never print the key itself.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({})", self.id)
    }
}

impl SecretKey {
    /// A key from its bytes; at least 16.
    pub fn new(key: &[u8]) -> std::result::Result<SecretKey, String> {
        if key.len() < MIN_KEY_BYTES {
            return Err(format!(
                "the key is {} bytes; at least {MIN_KEY_BYTES} are needed (e.g. `openssl rand -base64 32`)",
                key.len()
            ));
        }
        let id = hex(&mac_bytes(key, b"driftlab secret key id"))[..8].to_string();
        Ok(SecretKey {
            key: key.to_vec(),
            id,
        })
    }

    /// Reads a key file: its bytes, without trailing white space (a file written by `echo` or
    /// `openssl rand -base64 32 > key` ends in a newline).
    pub fn from_file(path: &Path) -> Result<SecretKey> {
        use std::io::Read as _;
        let display = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| Error::io(&display, e))?;
        let mut bytes = Vec::new();
        file.take(MAX_KEY_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(&display, e))?;
        if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
            return Err(Error::input(
                &display,
                format!("longer than {MAX_KEY_FILE_BYTES} bytes: not a key file"),
            ));
        }
        while bytes.last().is_some_and(u8::is_ascii_whitespace) {
            bytes.pop();
        }
        SecretKey::new(&bytes).map_err(|problem| Error::input(&display, problem))
    }

    /// The key id: 8 hex digits derived from the key, safe to store beside the hashes.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The hex HMAC-SHA-256 of `bytes`.
    fn mac(&self, bytes: &[u8]) -> String {
        hex(&mac_bytes(&self.key, bytes))
    }
}

fn mac_bytes(key: &[u8], bytes: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(bytes);
    mac.finalize().into_bytes().to_vec()
}

/// How one secret value is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Stored {
    /// The decoded value.
    Raw(Vec<u8>),
    /// The hex SHA-256 of the decoded value.
    Sha256(String),
    /// The hex HMAC-SHA-256 of the decoded value under the key with this id.
    Hmac { key_id: String, mac: String },
}

impl Stored {
    /// Reads a value: `data` values are base64 (`base64_encoded`), `stringData` values text.
    fn parse(value: &Value, base64_encoded: bool) -> Stored {
        let text = match value {
            Value::String(text) => text.as_str(),
            other => return Stored::Raw(other.to_string().into_bytes()),
        };
        if let Some(hash) = text.strip_prefix("sha256:")
            && is_hex_digest(hash)
        {
            return Stored::Sha256(hash.to_ascii_lowercase());
        }
        if let Some(rest) = text.strip_prefix("hmac-sha256:")
            && let Some((key_id, mac)) = rest.split_once(':')
            && key_id.len() == 8
            && key_id.bytes().all(|b| b.is_ascii_hexdigit())
            && is_hex_digest(mac)
        {
            return Stored::Hmac {
                key_id: key_id.to_ascii_lowercase(),
                mac: mac.to_ascii_lowercase(),
            };
        }
        let decoded = base64_encoded
            .then(|| {
                base64::engine::general_purpose::STANDARD
                    .decode(text.trim())
                    .ok()
            })
            .flatten();
        Stored::Raw(decoded.unwrap_or_else(|| text.as_bytes().to_vec()))
    }

    fn scheme(&self) -> Scheme {
        match self {
            Stored::Raw(_) => Scheme::Raw,
            Stored::Sha256(_) => Scheme::Sha256,
            Stored::Hmac { key_id, .. } => Scheme::Hmac(key_id.clone()),
        }
    }
}

fn is_hex_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The form secret values of a snapshot are stored in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scheme {
    /// Raw values.
    Raw,
    /// `sha256:` digests.
    Sha256,
    /// HMAC-SHA-256 under the key with this id.
    Hmac(String),
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scheme::Raw => f.write_str("raw values"),
            Scheme::Sha256 => f.write_str("values hashed with SHA-256"),
            Scheme::Hmac(id) => write!(f, "values hashed with HMAC key {id}"),
        }
    }
}

/// Whether values stored as `a` and `b` can be compared, given the key (if any).
pub fn comparable(a: &Scheme, b: &Scheme, key: Option<&SecretKey>) -> bool {
    let has_key = |id: &str| key.is_some_and(|k| k.id() == id);
    match (a, b) {
        (Scheme::Hmac(x), Scheme::Hmac(y)) => x == y,
        (Scheme::Hmac(id), Scheme::Raw) | (Scheme::Raw, Scheme::Hmac(id)) => has_key(id),
        (Scheme::Hmac(_), Scheme::Sha256) | (Scheme::Sha256, Scheme::Hmac(_)) => false,
        _ => true,
    }
}

/// The schemes the secret values of one object are stored in.
pub fn schemes_of(object: &Value) -> Vec<Scheme> {
    let mut found = Vec::new();
    for_each_value(object, |value, base64| {
        let scheme = Stored::parse(value, base64).scheme();
        if !found.contains(&scheme) {
            found.push(scheme);
        }
    });
    found
}

/// How two secret values compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// The same value.
    Same,
    /// Different values.
    Different,
    /// Hashed in ways that cannot be compared (different keys; a key on one side only).
    Unknown,
}

/// Compares two stored secret values; `base64_encoded` for `data` values.
pub fn compare(a: &Value, b: &Value, base64_encoded: bool, key: Option<&SecretKey>) -> Comparison {
    let (a, b) = (
        Stored::parse(a, base64_encoded),
        Stored::parse(b, base64_encoded),
    );
    let verdict = |same: bool| {
        if same {
            Comparison::Same
        } else {
            Comparison::Different
        }
    };
    match (&a, &b) {
        (Stored::Raw(x), Stored::Raw(y)) => verdict(x == y),
        (Stored::Sha256(x), Stored::Sha256(y)) => verdict(x == y),
        (Stored::Sha256(h), Stored::Raw(raw)) | (Stored::Raw(raw), Stored::Sha256(h)) => {
            verdict(*h == sha256_hex(raw))
        }
        (
            Stored::Hmac {
                key_id: k1,
                mac: m1,
            },
            Stored::Hmac {
                key_id: k2,
                mac: m2,
            },
        ) if k1 == k2 => verdict(m1 == m2),
        (Stored::Hmac { key_id, mac }, Stored::Raw(raw))
        | (Stored::Raw(raw), Stored::Hmac { key_id, mac }) => match key {
            Some(key) if key.id() == key_id => verdict(*mac == key.mac(raw)),
            _ => Comparison::Unknown,
        },
        _ => Comparison::Unknown,
    }
}

/// `sha256:1a2b3c4d` (or `hmac:1a2b3c4d` for a keyed hash, and for a raw value when a key is
/// given): enough to see that a value changed, too little to recover it.
pub fn fingerprint(value: &Value, base64_encoded: bool, key: Option<&SecretKey>) -> Value {
    let text = match Stored::parse(value, base64_encoded) {
        Stored::Raw(raw) => match key {
            Some(key) => format!("hmac:{}", &key.mac(&raw)[..8]),
            None => format!("sha256:{}", &sha256_hex(&raw)[..8]),
        },
        Stored::Sha256(hash) => format!("sha256:{}", &hash[..8]),
        Stored::Hmac { mac, .. } => format!("hmac:{}", &mac[..8]),
    };
    Value::String(text)
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

/// The form `driftlab export --secrets hash` stores: `hmac-sha256:<key id>:<hex>` with a key,
/// `sha256:<hex>` without. A value already hashed stays as it is.
pub fn hash_for_archive(value: &Value, base64_encoded: bool, key: Option<&SecretKey>) -> Value {
    let text = match Stored::parse(value, base64_encoded) {
        Stored::Raw(raw) => match key {
            Some(key) => format!("hmac-sha256:{}:{}", key.id(), key.mac(&raw)),
            None => format!("sha256:{}", sha256_hex(&raw)),
        },
        Stored::Sha256(hash) => format!("sha256:{hash}"),
        Stored::Hmac { key_id, mac } => format!("hmac-sha256:{key_id}:{mac}"),
    };
    Value::String(text)
}

/// Replaces every secret value of a secret object by its archive form ([`hash_for_archive`]).
/// Other kinds are left as they are.
pub fn redact_object(object: &mut Value, key: Option<&SecretKey>) {
    map_values(object, |value, base64| hash_for_archive(value, base64, key));
}

/// Replaces every secret value of a secret object by its short [`fingerprint`], for reports: a
/// full unsalted digest of a weak password can be looked up.
pub fn fingerprint_object(object: &mut Value, key: Option<&SecretKey>) {
    map_values(object, |value, base64| fingerprint(value, base64, key));
}

/// Whether `object` is of a secret kind.
fn is_secret_object(object: &Value) -> bool {
    object
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(is_secret_kind)
}

/// Calls `visit` with each secret value of a secret object and whether it is base64.
fn for_each_value(object: &Value, mut visit: impl FnMut(&Value, bool)) {
    if !is_secret_object(object) {
        return;
    }
    for (field, base64_encoded) in [("data", true), ("stringData", false)] {
        if let Some(Value::Object(map)) = object.get(field) {
            map.values().for_each(|value| visit(value, base64_encoded));
        }
    }
    if let Some(Value::Object(annotations)) = object.pointer("/metadata/annotations") {
        for name in SECRET_ANNOTATIONS {
            if let Some(value) = annotations.get(*name) {
                visit(value, false);
            }
        }
    }
}

/// Replaces each secret value of a secret object by `replace(value, base64)`.
fn map_values(object: &mut Value, replace: impl Fn(&Value, bool) -> Value) {
    if !is_secret_object(object) {
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

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
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

    fn key(byte: u8) -> SecretKey {
        SecretKey::new(&[byte; 32]).unwrap()
    }

    #[test]
    fn raw_values_compare_with_their_hashes() {
        // "s3cr3t" in base64, and its exported forms.
        let raw = json!("czNjcjN0");
        let plain = hash_for_archive(&raw, true, None);
        let keyed = hash_for_archive(&raw, true, Some(&key(1)));
        assert!(plain.as_str().unwrap().starts_with("sha256:"));
        assert!(
            keyed
                .as_str()
                .unwrap()
                .starts_with(&format!("hmac-sha256:{}:", key(1).id()))
        );
        assert_eq!(compare(&raw, &plain, true, None), Comparison::Same);
        assert_eq!(compare(&raw, &keyed, true, Some(&key(1))), Comparison::Same);
        assert_eq!(
            compare(&keyed, &keyed.clone(), true, None),
            Comparison::Same
        );
        let other = json!("b3RoZXI=");
        assert_eq!(compare(&other, &plain, true, None), Comparison::Different);
        assert_eq!(
            compare(&other, &keyed, true, Some(&key(1))),
            Comparison::Different
        );
        // stringData holds text, data base64 of the same text: the same value.
        assert_eq!(
            compare(&json!("s3cr3t"), &plain, false, None),
            Comparison::Same
        );
    }

    #[test]
    fn hashes_that_cannot_be_compared_say_so() {
        let raw = json!("czNjcjN0");
        let one = hash_for_archive(&raw, true, Some(&key(1)));
        let two = hash_for_archive(&raw, true, Some(&key(2)));
        let plain = hash_for_archive(&raw, true, None);
        assert_eq!(compare(&one, &two, true, None), Comparison::Unknown);
        assert_eq!(compare(&one, &plain, true, None), Comparison::Unknown);
        assert_eq!(compare(&one, &raw, true, None), Comparison::Unknown);
        assert_eq!(
            compare(&one, &raw, true, Some(&key(2))),
            Comparison::Unknown
        );
        let (a, b) = (Scheme::Hmac(key(1).id().into()), Scheme::Raw);
        assert!(!comparable(&a, &b, None));
        assert!(comparable(&a, &b, Some(&key(1))));
        assert!(comparable(&Scheme::Sha256, &Scheme::Raw, None));
        assert!(!comparable(&a, &Scheme::Sha256, Some(&key(1))));
    }

    #[test]
    fn keyed_hashes_depend_on_the_key_and_not_only_on_the_value() {
        let raw = json!("czNjcjN0");
        assert_ne!(
            hash_for_archive(&raw, true, Some(&key(1))),
            hash_for_archive(&raw, true, Some(&key(2)))
        );
        assert_ne!(key(1).id(), key(2).id());
        assert!(SecretKey::new(b"short").is_err());
        assert_eq!(
            format!("{:?}", key(1)),
            format!("SecretKey({})", key(1).id())
        );
    }

    #[test]
    fn fingerprints_show_change_not_value() {
        let raw = json!("czNjcjN0");
        let sha = sha256_hex(b"s3cr3t");
        assert_eq!(
            fingerprint(&raw, true, None),
            json!(format!("sha256:{}", &sha[..8]))
        );
        assert_eq!(
            fingerprint(&json!(format!("sha256:{sha}")), true, None),
            json!(format!("sha256:{}", &sha[..8]))
        );
        assert!(
            fingerprint(&raw, true, Some(&key(1)))
                .as_str()
                .unwrap()
                .starts_with("hmac:")
        );
    }

    #[test]
    fn revealing_decodes_text() {
        assert_eq!(revealed(&json!("czNjcjN0"), true), json!("s3cr3t"));
        assert_eq!(revealed(&json!("plain"), false), json!("plain"));
    }

    #[test]
    fn redaction_leaves_no_value_behind_in_any_spelling_of_the_kind() {
        for kind in ["Secret", "secret", "SECRET"] {
            let mut secret = json!({"kind": kind, "metadata": {"name": "s",
                "annotations": {"openshift.io/token-secret.value": "tok"}},
                "data": {"password": "czNjcjN0"}, "stringData": {"user": "admin"}});
            redact_object(&mut secret, None);
            let text = secret.to_string();
            assert!(
                !text.contains("czNjcjN0") && !text.contains("admin") && !text.contains("\"tok\""),
                "{text}"
            );
        }
        let mut config = json!({"kind": "ConfigMap", "data": {"password": "czNjcjN0"}});
        redact_object(&mut config, None);
        assert_eq!(config["data"]["password"], "czNjcjN0");
    }

    #[test]
    fn secret_paths() {
        assert!(is_secret_path("Secret", &["data", "password"]));
        assert!(is_secret_path("secret", &["data", "password"]));
        assert!(is_secret_path("Secret", &["stringData", "x"]));
        assert!(!is_secret_path("ConfigMap", &["data", "password"]));
        assert!(!is_secret_path("Secret", &["data"]));
    }

    #[test]
    fn schemes_of_an_object() {
        let object = json!({"kind": "Secret", "data": {
            "a": "czNjcjN0", "b": format!("sha256:{}", sha256_hex(b"x"))}});
        assert_eq!(schemes_of(&object), [Scheme::Raw, Scheme::Sha256]);
    }
}
