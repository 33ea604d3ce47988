//! Archives encrypted at rest in the age format (`….zip.age`), with the `age` crate: X25519
//! recipients (`age1…`) to encrypt to, identities (`AGE-SECRET-KEY-1…`) to decrypt with, so that
//! the real `age -d -i KEY` opens what driftlab writes.
//!
//! An encrypted archive is the zip, encrypted whole: written once as a zip (under the export's
//! temporary name), then encrypted into a second temporary file that replaces it (one more
//! pass; [`encrypt_in_place`]). It is read without a temporary file: age's stream reader seeks
//! (it decrypts one 64 KiB chunk at a time), which is what a zip reader needs ([`open`]).
//!
//! The identities are the process's (`--identity`, `DRIFTLAB_AGE_IDENTITY`), set once by the
//! command line ([`set_identities`]) before anything is read, like the credentials of a cluster
//! or a bucket: every reader meets an encrypted archive through [`open`] and needs no flag of
//! its own.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom};
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

use age::x25519;

use crate::error::{Error, Result};

/// The first bytes of every age file (its version line).
pub const MAGIC: &[u8] = b"age-encryption.org/v1\n";

/// The suffix of an encrypted archive's name.
pub const SEALED_SUFFIX: &str = ".age";

/// How to say where the identity goes, in every message about a locked archive.
pub const HOW_TO_UNLOCK: &str =
    "pass the age identity with --identity FILE (or DRIFTLAB_AGE_IDENTITY=FILE)";

/// The X25519 recipients an export encrypts to (`--encrypt-to`, `--encrypt-to-file`).
pub struct Recipients(Vec<x25519::Recipient>);

impl fmt::Debug for Recipients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Recipients({})", self.0.len())
    }
}

impl Recipients {
    /// Parses recipients given on the command line by `flag` and those listed in `files`
    /// (one per line, `#` comments), given by `file_flag`. An argument that is not a recipient
    /// is named by its position, never quoted: it may be a secret key given by mistake.
    pub fn parse(flag: &str, given: &[String], file_flag: &str, files: &[&Path]) -> Result<Self> {
        let mut recipients = Vec::new();
        for (at, text) in given.iter().enumerate() {
            recipients.push(x25519::Recipient::from_str(text.trim()).map_err(|_| {
                Error::Usage(format!(
                    "{flag} (the {}): not an age X25519 recipient (age1…)",
                    ordinal(at + 1)
                ))
            })?);
        }
        for path in files {
            let text = super::read_key_file(file_flag, path)?;
            let shown = format!("{file_flag} {}", path.display());
            for (number, line) in lines(&text) {
                recipients.push(x25519::Recipient::from_str(line).map_err(|_| {
                    Error::Usage(format!(
                        "{shown}: line {number} is not an age X25519 recipient (age1…)"
                    ))
                })?);
            }
        }
        if recipients.is_empty() {
            return Err(Error::Usage(format!("{file_flag}: names no recipient")));
        }
        Ok(Recipients(recipients))
    }
}

/// The X25519 identities encrypted archives are opened with (`--identity`).
pub struct Identities(Vec<x25519::Identity>);

impl fmt::Debug for Identities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identities({})", self.0.len())
    }
}

impl Identities {
    /// Reads an age identity file (as `age-keygen` writes it: `AGE-SECRET-KEY-1…` lines, `#`
    /// comments), given by `flag`.
    pub fn from_file(flag: &str, path: &Path) -> Result<Identities> {
        let text = super::read_key_file(flag, path)?;
        let shown = format!("{flag} {}", path.display());
        let mut identities = Vec::new();
        for (number, line) in lines(&text) {
            identities.push(x25519::Identity::from_str(line).map_err(|_| {
                Error::Usage(format!(
                    "{shown}: line {number} is not an age X25519 identity (AGE-SECRET-KEY-1…)"
                ))
            })?);
        }
        if identities.is_empty() {
            return Err(Error::Usage(format!("{shown}: holds no age identity")));
        }
        Ok(Identities(identities))
    }
}

/// The lines of a key file that hold something, numbered from 1: blank lines and `#` comments
/// left out.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(at, line)| (at + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
}

fn ordinal(n: usize) -> String {
    match n {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        n => format!("{n}th"),
    }
}

/// The process's identities, set once by the command line.
static IDENTITIES: OnceLock<Identities> = OnceLock::new();

/// Sets the identities every reader opens encrypted archives with (once; later calls are
/// ignored).
pub fn set_identities(identities: Identities) {
    let _ = IDENTITIES.set(identities);
}

/// Encrypts the file at `path` to `recipients` where it lies: the ciphertext is written to a
/// temporary file beside it (`<path>.sealed.partial`), synced, and renamed over it, so the
/// plaintext is gone once this returns, and nothing of it is left on failure but `path`
/// itself (which the caller removes). Memory stays bounded: age encrypts 64 KiB at a time.
pub fn encrypt_in_place(path: &Path, recipients: &Recipients) -> Result<()> {
    let shown = path.display().to_string();
    let mut sealed_name = path.as_os_str().to_owned();
    sealed_name.push(".sealed.partial");
    let sealed = std::path::PathBuf::from(sealed_name);
    let written = (|| -> io::Result<()> {
        let mut plain = File::open(path)?;
        let out = File::options().write(true).create_new(true).open(&sealed)?;
        let encryptor =
            age::Encryptor::with_recipients(recipients.0.iter().map(|r| r as &dyn age::Recipient))
                .map_err(io::Error::other)?;
        let mut writer = encryptor.wrap_output(BufWriter::with_capacity(1 << 20, out))?;
        io::copy(&mut plain, &mut writer)?;
        let out = writer.finish()?.into_inner().map_err(|e| e.into_error())?;
        out.sync_all()?;
        std::fs::rename(&sealed, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&sealed);
        return Err(Error::input(shown, format!("cannot be encrypted ({e})")));
    }
    Ok(())
}

/// An archive opened for reading: as it is, or decrypted as it is read.
pub enum Opened<R: Read> {
    /// Not encrypted.
    Plain(R),
    /// Encrypted: decrypted a chunk at a time, seekable.
    Sealed(Box<age::stream::StreamReader<R>>),
}

impl<R: Read> Read for Opened<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Opened::Plain(reader) => reader.read(buf),
            Opened::Sealed(reader) => reader.read(buf),
        }
    }
}

impl<R: Read + Seek> Seek for Opened<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        match self {
            Opened::Plain(reader) => reader.seek(to),
            Opened::Sealed(reader) => reader.seek(to),
        }
    }
}

/// Why an archive could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unopened {
    /// It is encrypted, and no identity given opens it (none given, or others): its content
    /// cannot be judged, good or bad.
    Locked(String),
    /// It is not a readable age file (a corrupt or truncated header).
    Broken(String),
}

impl fmt::Display for Unopened {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unopened::Locked(why) | Unopened::Broken(why) => f.write_str(why),
        }
    }
}

/// Opens the archive read by `reader` (at its start): an age file is decrypted with the
/// process's identities, anything else is read as it is.
pub fn open<R: Read + Seek>(reader: R) -> std::result::Result<Opened<R>, Unopened> {
    open_with(reader, IDENTITIES.get())
}

/// [`open`] with `identities` for the process's.
pub fn open_with<R: Read + Seek>(
    mut reader: R,
    identities: Option<&Identities>,
) -> std::result::Result<Opened<R>, Unopened> {
    let broken = |e: &dyn fmt::Display| Unopened::Broken(format!("cannot be read ({e})"));
    let mut head = Vec::with_capacity(MAGIC.len());
    (&mut reader)
        .take(MAGIC.len() as u64)
        .read_to_end(&mut head)
        .map_err(|e| broken(&e))?;
    reader.seek(SeekFrom::Start(0)).map_err(|e| broken(&e))?;
    if head != MAGIC {
        return Ok(Opened::Plain(reader));
    }
    let Some(identities) = identities else {
        return Err(Unopened::Locked(format!(
            "encrypted (age); {HOW_TO_UNLOCK}"
        )));
    };
    let decryptor = age::Decryptor::new(reader).map_err(|e| {
        Unopened::Broken(format!(
            "not a readable age file ({e}); truncated or corrupt?"
        ))
    })?;
    match decryptor.decrypt(identities.0.iter().map(|i| i as &dyn age::Identity)) {
        Ok(stream) => Ok(Opened::Sealed(Box::new(stream))),
        Err(age::DecryptError::NoMatchingKeys) => Err(Unopened::Locked(
            "encrypted (age) to other recipients: no --identity given opens it".into(),
        )),
        Err(e) => Err(Unopened::Broken(format!(
            "not a readable age file ({e}); truncated or corrupt?"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn pair() -> (Identities, Recipients) {
        let identity = x25519::Identity::generate();
        let recipient = identity.to_public();
        (Identities(vec![identity]), Recipients(vec![recipient]))
    }

    #[test]
    fn an_archive_encrypted_in_place_opens_seekable_with_its_identity_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".a.zip.age.1.partial");
        let plain: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        std::fs::write(&path, &plain).unwrap();
        let (identities, recipients) = pair();
        encrypt_in_place(&path, &recipients).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(
            names.len(),
            1,
            "the sealed temporary file replaced the plain one"
        );
        let sealed = std::fs::read(&path).unwrap();
        assert!(sealed.starts_with(MAGIC));
        let mut opened = open_with(Cursor::new(&sealed), Some(&identities)).unwrap();
        // Seeks as a zip reader does: the end first, then back.
        assert_eq!(
            opened.seek(SeekFrom::End(-4)).unwrap(),
            plain.len() as u64 - 4
        );
        let mut tail = [0u8; 4];
        opened.read_exact(&mut tail).unwrap();
        assert_eq!(tail, plain[plain.len() - 4..]);
        opened.seek(SeekFrom::Start(70_000)).unwrap();
        let mut some = [0u8; 8];
        opened.read_exact(&mut some).unwrap();
        assert_eq!(some, plain[70_000..70_008]);

        assert!(
            matches!(open_with(Cursor::new(&sealed), None), Err(Unopened::Locked(w)) if w.contains("--identity"))
        );
        let (others, _) = pair();
        assert!(
            matches!(open_with(Cursor::new(&sealed), Some(&others)), Err(Unopened::Locked(w)) if w.contains("other recipients"))
        );
        assert!(matches!(
            open_with(Cursor::new(&sealed[..40]), Some(&identities)),
            Err(Unopened::Broken(_))
        ));
        assert!(matches!(
            open_with(Cursor::new(b"PK\x03\x04"), None),
            Ok(Opened::Plain(_))
        ));
    }

    #[test]
    fn keys_that_cannot_be_used_are_refused_without_being_quoted() {
        let secret = x25519::Identity::generate();
        let secret_text =
            age::secrecy::ExposeSecret::expose_secret(&secret.to_string()).to_string();
        let err = Recipients::parse(
            "--encrypt-to",
            std::slice::from_ref(&secret_text),
            "--encrypt-to-file",
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("the first") && !err.contains(&secret_text),
            "{err}"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("id.txt");
        std::fs::write(&file, "# created: now\nAGE-SECRET-KEY-1NOTAKEY\n").unwrap();
        let err = Identities::from_file("--identity", &file)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2 is not an age X25519 identity"),
            "{err}"
        );
        std::fs::write(&file, format!("# a comment\n{secret_text}\n")).unwrap();
        assert_eq!(
            Identities::from_file("--identity", &file).unwrap().0.len(),
            1
        );
        assert!(
            format!("{:?}", Identities::from_file("--identity", &file).unwrap()) == "Identities(1)"
        );
    }
}
