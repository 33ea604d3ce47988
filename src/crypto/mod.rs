//! Keys and what is done with them: signing an archive with minisign ([`sign`]), so that a
//! reader can tell who wrote it, and encrypting it at rest with age ([`seal`]), so that only
//! the holders of an identity can read it. Nothing here knows where an archive lives: bytes and keys in,
//! signatures and verdicts out.
//!
//! Keys are secrets: no message, log line or `Debug` output of this module shows one.

pub mod seal;
pub mod sign;

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};

/// Key files are small: a minisign secret key is 2 lines, a public key too. Anything larger is
/// not a key, and is refused before it is parsed.
const MAX_KEY_BYTES: u64 = 64 << 10;

/// The text of a key file named by `flag`, read no further than [`MAX_KEY_BYTES`].
fn read_key_file(flag: &str, path: &Path) -> Result<String> {
    let shown = format!("{flag} {}", path.display());
    let file = std::fs::File::open(path).map_err(|e| Error::io(&shown, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_KEY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&shown, e))?;
    if bytes.len() as u64 > MAX_KEY_BYTES {
        return Err(Error::Usage(format!(
            "{shown}: larger than {MAX_KEY_BYTES} bytes; not a key file"
        )));
    }
    String::from_utf8(bytes).map_err(|_| Error::Usage(format!("{shown}: not a text key file")))
}
