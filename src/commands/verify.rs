//! `driftlab verify ARCHIVE…`: is each archive intact, and (with a public key) signed by whom
//! it should be? The content is judged by the one verification rotation and `check` use
//! ([`crate::format::verify`]), with every problem named; the signature by [`crate::crypto::sign`].

use std::io::BufReader;

use crate::crypto::sign::{SIGNATURE_SUFFIX, VerifyingKey};
use crate::error::{Error, ExitStatus, Result};
use crate::format::verify::{ArchiveState, Checksums};
use crate::messages;
use crate::storage::{Location, Named, Store};

/// Everything `driftlab verify` needs, settled.
#[derive(Debug)]
pub struct VerifyCommand {
    /// The archive arguments: files, objects, folders.
    pub archives: Vec<String>,
    /// The key every archive must be signed by (`--public-key`), if any.
    pub public_key: Option<VerifyingKey>,
}

/// Verifies each archive; one line each on stdout, each problem on stderr. Exit 2 when any is
/// broken, empty, unsigned or wrongly signed, or cannot be found; 0 otherwise. An archive that
/// records no checksums (older versions, the original tool) passes when it is readable and its
/// counts match, and its line says that its entries could not be checked; a partial archive
/// passes when what it holds is intact, and its line says it is partial.
pub fn run(command: &VerifyCommand) -> Result<ExitStatus> {
    let mut status = ExitStatus::Clean;
    for argument in &command.archives {
        let (store, archives) = match archives_of(argument) {
            Ok(found) => found,
            Err(err) => {
                messages::error(&err);
                status = ExitStatus::Trouble;
                continue;
            }
        };
        for (name, size) in archives {
            if !verify_one(&store, &name, size, command.public_key.as_ref()) {
                status = ExitStatus::Trouble;
            }
        }
    }
    Ok(status)
}

/// The store an argument names archives of, and those archives with their sizes: one archive,
/// or every dated archive of a folder or bucket prefix.
fn archives_of(argument: &str) -> Result<(Store, Vec<(String, u64)>)> {
    match Store::resolve(&Location::of_snapshot(argument)?)? {
        Named::Stdin => Err(Error::Usage(
            "-: verify reads archives, not standard input".into(),
        )),
        Named::Archive(store, archive) => Ok((store, vec![(archive.name, archive.size)])),
        Named::Folder(store, archives, ignored) => {
            if let Some(line) = ignored {
                messages::warning(&line);
            }
            let archives = archives.into_iter().map(|a| (a.name, a.size)).collect();
            Ok((store, archives))
        }
        Named::Path(path) if path.is_dir() => {
            let store = Store::local(path);
            let (archives, _) = store.dated_archives()?;
            if archives.is_empty() {
                return Err(Error::input(
                    argument,
                    "holds no dated archive (…YYYYMMDDHHMM.zip)",
                ));
            }
            let archives = archives.into_iter().map(|a| (a.name, a.size)).collect();
            Ok((store, archives))
        }
        Named::Path(path) => {
            let size = std::fs::metadata(&path)
                .map_err(|e| Error::io(argument, e))?
                .len();
            let (store, name) = Store::open_object("", &Location::Local(path))?;
            Ok((store, vec![(name, size)]))
        }
    }
}

/// Verifies one archive and prints its line; whether it passed.
fn verify_one(store: &Store, name: &str, size: u64, key: Option<&VerifyingKey>) -> bool {
    let shown = store.show(name);
    let inspection = store.inspect(name, size);
    for problem in &inspection.problems {
        messages::error(&Error::input(&shown, problem.as_str()));
    }
    let mut passed = true;
    let (mut word, mut summary) = match &inspection.verified.state {
        ArchiveState::Complete => ("ok", String::from("complete")),
        ArchiveState::Partial => ("PARTIAL", String::from("its export was incomplete")),
        broken => {
            passed = false;
            if inspection.problems.is_empty() {
                messages::error(&Error::input(&shown, broken.to_string()));
            }
            let word = match broken {
                ArchiveState::Empty => "EMPTY",
                ArchiveState::Sealed(_) => "ENCRYPTED",
                _ => "BROKEN",
            };
            (word, broken.to_string())
        }
    };
    if passed {
        match inspection.checksums {
            Checksums::Recorded(n) => {
                summary.push_str(&format!(", {n} entries match their checksums"));
            }
            Checksums::NotRecorded => summary.push_str(
                ", no checksums recorded (an older driftlab or the original tool): readable and \
                 counted, but an altered entry cannot be told",
            ),
            Checksums::Unknown => {}
        }
    }
    if let Some(key) = key {
        match check_signature(store, name, size, key) {
            Ok(()) => summary.push_str(&format!(", signed by key {}", key.id())),
            Err(why) => {
                messages::error(&Error::input(&shown, why.as_str()));
                if passed {
                    word = "UNTRUSTED";
                }
                summary.push_str(&format!(", {why}"));
                passed = false;
            }
        }
    }
    println!("{word}  {shown}: {summary}");
    passed
}

/// Checks the archive's detached signature (`NAME.minisig`) with `key`; `Err` says why not.
fn check_signature(
    store: &Store,
    name: &str,
    size: u64,
    key: &VerifyingKey,
) -> std::result::Result<(), String> {
    let text = match store.read_signature(name) {
        Ok(Some(text)) => text,
        Ok(None) => return Err(format!("unsigned: no {name}{SIGNATURE_SUFFIX} beside it")),
        Err(err) => return Err(err.to_string()),
    };
    let (reader, _) = store
        .reader(name, size)
        .map_err(|e| format!("cannot be read ({e})"))?;
    key.verify(BufReader::new(reader), &text, name)
}
