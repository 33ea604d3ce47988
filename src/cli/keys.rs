//! The settings of the trust features: the keys named on the command line, read and checked
//! before anything else is done (a key that cannot be used is exit 2 before a cluster or an
//! archive is read).

use std::sync::Arc;

use std::path::Path;

use super::args::{ProtectArgs, PublicKeyArgs, VerifyArgs};
use crate::commands::verify::VerifyCommand;
use crate::crypto::seal::{self, Identities, Recipients};
use crate::crypto::sign::{SigningKey, VerifyingKey};
use crate::error::Result;

/// Reads the identities of `--identity` (or `DRIFTLAB_AGE_IDENTITY`) and makes them the
/// process's, for every reader that meets an encrypted archive.
pub fn set_identities(path: Option<&Path>) -> Result<()> {
    if let Some(path) = path {
        seal::set_identities(Identities::from_file("--identity", path)?);
    }
    Ok(())
}

/// The recipients `export --encrypt-to` / `--encrypt-to-file` encrypt to, if any.
pub fn recipients(args: &ProtectArgs) -> Result<Option<Arc<Recipients>>> {
    if args.encrypt_to.is_empty() && args.encrypt_to_file.is_empty() {
        return Ok(None);
    }
    let files: Vec<&Path> = args.encrypt_to_file.iter().map(|p| p.as_path()).collect();
    Recipients::parse(
        "--encrypt-to",
        &args.encrypt_to,
        "--encrypt-to-file",
        &files,
    )
    .map(|r| Some(Arc::new(r)))
}

/// The key `export --sign-key` signs with, if any.
pub fn signing_key(args: &ProtectArgs) -> Result<Option<Arc<SigningKey>>> {
    args.sign_key
        .as_deref()
        .map(|path| SigningKey::from_file("--sign-key", path).map(Arc::new))
        .transpose()
}

/// The key signatures are checked with, if any.
pub fn public_key(args: &PublicKeyArgs) -> Result<Option<VerifyingKey>> {
    match (&args.public_key, &args.public_key_string) {
        (Some(path), _) => VerifyingKey::from_file("--public-key", path).map(Some),
        (None, Some(text)) => VerifyingKey::from_base64("--public-key-string", text).map(Some),
        (None, None) => Ok(None),
    }
}

/// The settings of `driftlab verify`.
pub fn verify_command(args: VerifyArgs) -> Result<VerifyCommand> {
    Ok(VerifyCommand {
        public_key: public_key(&args.key)?,
        archives: args.archives,
    })
}
