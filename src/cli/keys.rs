//! The settings of the trust features: the keys named on the command line, read and checked
//! before anything else is done (a key that cannot be used is exit 2 before a cluster or an
//! archive is read).

use std::sync::Arc;

use super::args::{PublicKeyArgs, SigningArgs, VerifyArgs};
use crate::commands::verify::VerifyCommand;
use crate::crypto::sign::{SigningKey, VerifyingKey};
use crate::error::Result;

/// The key `export --sign-key` signs with, if any.
pub fn signing_key(args: &SigningArgs) -> Result<Option<Arc<SigningKey>>> {
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
