//! The arguments of the trust features: `driftlab verify`, and the signing flags `export` takes.

use std::path::PathBuf;

use clap::Args;

pub(super) const VERIFY_AFTER_HELP: &str = "\
Each archive is read whole, once: every entry must decompress, parse, and have the size and
SHA-256 its manifest records; the objects must be what the manifest counts. Missing, extra,
altered and corrupt entries are each named. With a public key, ARCHIVE.minisig must be a
signature of the archive by that key (minisign -Vm verifies the same signatures).

Exit status: 0 every archive verified (one of an older version or of the original tool, which
records no checksums, is said to be so and passes when it is readable and its counts match),
2 an archive broken, empty, unsigned or wrongly signed, encrypted (….zip.age) and not opened by
--identity, or bad arguments.

Examples:
  driftlab verify /backups/driftlab-202612010015.zip
  driftlab verify /backups --public-key /etc/driftlab/minisign.pub
  driftlab verify s3://backups/prod --identity age-identity.txt --public-key-string RWQ…";

/// `driftlab verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Archives to verify: .zip files, s3:// objects, or folders and bucket prefixes (each dated
    /// archive in them).
    #[arg(value_name = "ARCHIVE", required = true)]
    pub archives: Vec<String>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub key: PublicKeyArgs,
}

/// The public key to check signatures with.
#[derive(Debug, Args)]
pub struct PublicKeyArgs {
    /// Require a minisign signature (ARCHIVE.minisig) by the key in this file (minisign.pub).
    #[arg(long, value_name = "FILE", conflicts_with = "public_key_string")]
    pub public_key: Option<PathBuf>,

    /// Require a minisign signature by this public key (its base64 line, RW…).
    #[arg(long, value_name = "KEY")]
    pub public_key_string: Option<String>,
}

/// How `driftlab export` signs and encrypts what it writes.
#[derive(Debug, Args)]
pub struct ProtectArgs {
    /// Sign the archive with this unencrypted minisign secret key (minisign -G -W): a detached
    /// ARCHIVE.minisig is put beside it before the archive itself, so a finished archive is never
    /// unsigned. A password-protected key is refused (exit 2) before the cluster is read.
    #[arg(long, value_name = "FILE", env = "DRIFTLAB_SIGN_KEY")]
    pub sign_key: Option<PathBuf>,

    /// Encrypt the archive to this age X25519 recipient (age1…; repeatable): it is written as
    /// <prefix><YYYYMMDDHHMM>.zip.age, which `age -d -i KEY` decrypts to the zip. Readers open
    /// it with --identity.
    #[arg(long, value_name = "RECIPIENT")]
    pub encrypt_to: Vec<String>,

    /// Encrypt the archive to the age recipients listed in this file (one per line; repeatable).
    #[arg(long, value_name = "FILE")]
    pub encrypt_to_file: Vec<PathBuf>,
}
