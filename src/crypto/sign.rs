//! Detached minisign signatures of archives (`ARCHIVE.minisig`), made and checked with the
//! `minisign` crate: the reference implementation's author's own Rust port, so that the real
//! `minisign -Vm ARCHIVE -p KEY.pub` verifies what driftlab signs, and the other way round.
//!
//! Signatures are prehashed (BLAKE2b-512 of the file, then Ed25519), minisign's default: the
//! archive is read once, as a stream, however large. The trusted comment (signed too) names the
//! archive's file name, so a signature moved next to another archive, or an archive renamed
//! (its name is its date), does not verify.

use std::fmt;
use std::io::{Read, Seek};
use std::path::Path;

use base64::Engine;
use minisign::{PublicKey, PublicKeyBox, SecretKey, SecretKeyBox, SignatureBox};

use crate::error::{Error, Result};

/// What a signature file is named: the archive's name and this.
pub const SIGNATURE_SUFFIX: &str = ".minisig";

/// The decoded size of a minisign secret key: algorithms, KDF parameters, key id, the Ed25519
/// key pair and a checksum.
const SECRET_KEY_BYTES: usize = 2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32;

/// A signature file is 4 short lines; anything larger is not one.
pub const MAX_SIGNATURE_BYTES: u64 = 16 << 10;

/// An unencrypted minisign secret key (`export --sign-key`).
pub struct SigningKey {
    secret: SecretKey,
    public: PublicKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SigningKey({})", key_id(self.public.keynum()))
    }
}

impl SigningKey {
    /// Reads the secret key file `path`, given by `flag`. A password-protected key is refused:
    /// an export runs unattended, and nothing could type the password.
    pub fn from_file(flag: &str, path: &Path) -> Result<SigningKey> {
        let text = super::read_key_file(flag, path)?;
        let shown = format!("{flag} {}", path.display());
        let unusable = |why: &str| Error::Usage(format!("{shown}: {why}"));
        let encoded = match text.lines().collect::<Vec<_>>()[..] {
            [comment, encoded, ..] if comment.starts_with("untrusted comment:") => encoded.trim(),
            _ => {
                return Err(unusable(
                    "not a minisign secret key (minisign -G -W -s FILE makes one)",
                ));
            }
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .filter(|bytes| bytes.len() == SECRET_KEY_BYTES)
            .ok_or_else(|| unusable("not a minisign key"))?;
        match &bytes[2..4] {
            b"\0\0" => {}
            b"Sc" => {
                return Err(unusable(
                    "a password-protected minisign key; an unattended export cannot unlock it \
                     (make one without a password: minisign -G -W -s FILE)",
                ));
            }
            _ => return Err(unusable("a minisign key of an unknown kind")),
        }
        let secret = SecretKeyBox::from_string(&text)
            .and_then(SecretKeyBox::into_unencrypted_secret_key)
            .or_else(|e| {
                // The minisign tool leaves the checksum of a key without a password zeroed (the
                // crate expects it filled in): such a key is taken as it is, and proven by the
                // test signature below.
                let zeroed = bytes[SECRET_KEY_BYTES - 32..].iter().all(|&b| b == 0);
                if zeroed {
                    SecretKey::from_bytes(&bytes)
                } else {
                    Err(e)
                }
            })
            .map_err(|_| unusable("not a usable minisign secret key (corrupt?)"))?;
        let public = PublicKey::from_secret_key(&secret)
            .map_err(|_| unusable("not a usable minisign secret key"))?;
        // A signature of nothing, checked with the key's own public half: a corrupt key is
        // refused now, not after the cluster was read.
        minisign::sign(Some(&public), &secret, &b""[..], None, None)
            .map_err(|_| unusable("not a usable minisign secret key (corrupt?)"))?;
        Ok(SigningKey { secret, public })
    }

    /// The key id, as `minisign` prints it (16 hex digits).
    pub fn id(&self) -> String {
        key_id(self.public.keynum())
    }

    /// The text of a detached signature of `data`, the bytes of the archive named `file_name`.
    pub fn sign(&self, data: impl Read, file_name: &str) -> Result<String> {
        let trusted = format!(
            "timestamp:{}\tfile:{file_name}\thashed",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        );
        let untrusted = format!("signature from driftlab secret key {}", self.id());
        minisign::sign(
            Some(&self.public),
            &self.secret,
            data,
            Some(&trusted),
            Some(&untrusted),
        )
        .map(|signature| signature.into_string())
        .map_err(|e| Error::input(file_name, format!("cannot be signed ({e})")))
    }
}

/// A minisign public key (`verify --public-key`).
pub struct VerifyingKey {
    public: PublicKey,
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey({})", self.id())
    }
}

impl VerifyingKey {
    /// Reads a public key file (`minisign.pub`), given by `flag`.
    pub fn from_file(flag: &str, path: &Path) -> Result<VerifyingKey> {
        let text = super::read_key_file(flag, path)?;
        let shown = format!("{flag} {}", path.display());
        PublicKeyBox::from_string(&text)
            .and_then(PublicKeyBox::into_public_key)
            .map(|public| VerifyingKey { public })
            .map_err(|_| Error::Usage(format!("{shown}: not a minisign public key")))
    }

    /// Reads a public key given as its base64 line (`RW…`, `minisign -P`), given by `flag`.
    pub fn from_base64(flag: &str, text: &str) -> Result<VerifyingKey> {
        PublicKey::from_base64(text.trim())
            .map(|public| VerifyingKey { public })
            .map_err(|_| Error::Usage(format!("{flag}: not a minisign public key")))
    }

    /// The key id, as `minisign` prints it.
    pub fn id(&self) -> String {
        key_id(self.public.keynum())
    }

    /// Checks `signature` (the text of `ARCHIVE.minisig`) against `data`, the bytes of the archive
    /// named `file_name`; `Err` says why it does not verify.
    pub fn verify(
        &self,
        data: impl Read + Seek,
        signature: &str,
        file_name: &str,
    ) -> std::result::Result<(), String> {
        let signature = SignatureBox::from_string(signature)
            .map_err(|e| format!("not a minisign signature ({e})"))?;
        if signature.keynum() != self.public.keynum() {
            return Err(format!(
                "signed by key {}, not by {}",
                key_id(signature.keynum()),
                self.id()
            ));
        }
        // Legacy (not prehashed) signatures read the whole file into memory: refused.
        minisign::verify(&self.public, &signature, data, true, false, false)
            .map_err(|e| format!("the signature does not verify ({e})"))?;
        let trusted = signature.trusted_comment().unwrap_or_default();
        match signed_file_name(&trusted) {
            Some(signed) if signed != file_name => Err(format!(
                "the signature is of an archive named {signed} (renamed, or another archive's \
                 signature)"
            )),
            _ => Ok(()),
        }
    }
}

/// The `file:` field of a trusted comment, as minisign and driftlab write it.
fn signed_file_name(trusted: &str) -> Option<&str> {
    trusted
        .split('\t')
        .find_map(|field| field.strip_prefix("file:"))
}

/// A key id as minisign prints it: its 8 bytes little-endian, 16 upper-case hex digits.
fn key_id(keynum: &[u8]) -> String {
    keynum.iter().rev().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn key_pair(dir: &Path) -> (SigningKey, VerifyingKey) {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let path = dir.join("k.key");
        std::fs::write(&path, pair.sk.to_box(None).unwrap().into_string()).unwrap();
        let public = pair.pk.to_box().unwrap().into_string();
        let public =
            VerifyingKey::from_base64("--public-key-string", public.lines().nth(1).unwrap())
                .unwrap();
        (SigningKey::from_file("--sign-key", &path).unwrap(), public)
    }

    #[test]
    fn a_signature_verifies_for_its_archive_only() {
        let dir = tempfile::tempdir().unwrap();
        let (key, public) = key_pair(dir.path());
        assert_eq!(key.id(), public.id());
        let text = key
            .sign(&b"archive bytes"[..], "a-202612010000.zip")
            .unwrap();
        assert!(text.contains("file:a-202612010000.zip"));
        let check = |data: &[u8], name: &str| public.verify(Cursor::new(data), &text, name);
        assert_eq!(check(b"archive bytes", "a-202612010000.zip"), Ok(()));
        assert!(
            check(b"archive bytez", "a-202612010000.zip")
                .unwrap_err()
                .contains("does not verify")
        );
        assert!(
            check(b"archive bytes", "a-202612020000.zip")
                .unwrap_err()
                .contains("named a-202612010000.zip")
        );
        let (_, other) = key_pair(dir.path());
        assert!(
            other
                .verify(Cursor::new(b"archive bytes"), &text, "a-202612010000.zip")
                .unwrap_err()
                .contains("signed by key")
        );
        assert!(
            format!("{key:?}").starts_with("SigningKey("),
            "no key material in Debug"
        );
    }

    #[test]
    fn keys_that_cannot_be_used_are_refused_with_the_flag() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.key");
        std::fs::write(&path, "hello\n").unwrap();
        let err = SigningKey::from_file("--sign-key", &path)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--sign-key") && err.contains("not a minisign secret key"),
            "{err}"
        );
        let pair = minisign::KeyPair::generate_encrypted_keypair(Some("pw".into())).unwrap();
        std::fs::write(&path, pair.sk.to_box(None).unwrap().into_string()).unwrap();
        let err = SigningKey::from_file("--sign-key", &path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("password-protected"), "{err}");
        assert!(VerifyingKey::from_base64("--public-key-string", "RWQ").is_err());
    }
}
