//! [`Store`]: a folder of archives, on disk or under a bucket prefix, behind one face. Rotation,
//! export, `check`, `history` and the readers list, read, write and delete archives through it
//! and never ask where they live; each kind of store is one [`Backend`] (`local.rs`,
//! `remote.rs`), so a new one plugs in here and nowhere else.

use std::fmt;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::local::LocalFolder;
use super::remote::BucketFolder;
use super::{Bucket, Location};
use crate::crypto::seal::{self, Unopened};
use crate::crypto::sign::{MAX_SIGNATURE_BYTES, SIGNATURE_SUFFIX};
use crate::error::{Error, Result};
use crate::format::verify::{self, Inspection, Verified};
use crate::timestamp::{self, Timestamp};

/// A reader that can also seek: what verifying a zip in place needs.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// One entry directly in a store's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// Its name in the folder.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Whether it is a file (a local folder may hold folders too).
    pub is_file: bool,
}

/// What a store's folder holds.
#[derive(Clone, Debug, Default)]
pub struct Contents {
    /// The entries directly in it.
    pub entries: Vec<Stored>,
    /// How everything else under it is named (a bucket's folders below the prefix and keys that
    /// are no file name): never touched, named in one warning line.
    pub others: Vec<String>,
}

/// One archive whose name ends in a date stamp (`…YYYYMMDD.zip` or `…YYYYMMDDHHMM.zip`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatedArchive {
    /// The date stamp in its name.
    pub stamp: Timestamp,
    /// Its name in the folder.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
}

/// An archive about to be written with [`Store::put_new`]: where the archive writer writes it.
pub struct Pending {
    /// Its name in the store.
    pub(super) name: String,
    /// The file the archive writer creates.
    pub(super) path: PathBuf,
    /// A private staging folder, removed when this goes (on every way out).
    pub(super) _staging: Option<tempfile::TempDir>,
}

impl Pending {
    /// The file the archive writer creates (it links it to its final name itself on disk).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its name in the store.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// What preparing a new archive has to say, as it happens: the caller decides what to print
/// (storage prints nothing; `export --quiet` silences what was done, never a warning).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Said {
    /// Something done on the way: `created /backups`, a killed export's leftovers removed.
    Done(String),
    /// Something wrong that does not stop the export: stray keys under a bucket prefix.
    Warning(String),
}

/// What one kind of store does. Names are file names directly in the store's folder.
pub(super) trait Backend: Send + Sync {
    /// What the folder holds.
    fn list(&self) -> Result<Contents>;
    /// The entries `stamp` dates, and how the others are named in [`Store::ignored`] (`others`,
    /// and the entries not dated, where the store names them).
    fn sort_out(
        &self,
        contents: Contents,
        stamp: &dyn Fn(&Stored) -> Option<Timestamp>,
    ) -> (Vec<DatedArchive>, Vec<String>);
    /// A reader of an archive `size` bytes long (from the listing), and its length.
    fn reader(&self, name: &str, size: u64) -> std::io::Result<(Box<dyn ReadSeek + '_>, u64)>;
    /// The whole archive, refused past `max_bytes`.
    fn read(&self, name: &str, max_bytes: u64) -> Result<Vec<u8>>;
    /// Its path when the archive is a local file, which readers then read where it lies.
    fn local_path(&self, name: &str) -> Option<PathBuf>;
    /// Checks that `name` can be written and does not exist; `is_archive` dates the entries
    /// that are archives (the others are named in a warning); what is done on the way is told
    /// to `tell` as it happens.
    fn prepare_put(
        &self,
        name: &str,
        prefix: &str,
        is_archive: &dyn Fn(&Stored) -> Option<Timestamp>,
        tell: &mut dyn FnMut(Said),
    ) -> Result<Pending>;
    /// Puts the finished file `written` in place under the pending name, never replacing an
    /// archive; returns it as shown.
    fn put_new(&self, pending: &Pending, written: &Path) -> Result<String>;
    /// Deletes an archive.
    fn delete(&self, name: &str) -> Result<()>;
    /// The size of the entry `name` of the folder, `None` when there is none.
    fn size(&self, name: &str) -> Result<Option<u64>>;
    /// Puts `bytes` in place as `name` (a companion of the pending archive: its signature),
    /// atomically and never over an existing entry; returns it as shown.
    fn put_companion(&self, pending: &Pending, name: &str, bytes: &[u8]) -> Result<String>;
    /// How an archive is named in messages: its path, or its URL.
    fn show(&self, name: &str) -> String;
    /// The one warning line for `others`, if any.
    fn ignored(&self, others: &[String]) -> Option<String>;
    /// Removes what killed exports left behind; returns it as shown.
    fn remove_stale_partials(&self, prefix: &str, now: SystemTime) -> Vec<String>;
    /// The folder, as messages name it.
    fn folder(&self) -> String;
}

/// A folder of archives.
pub struct Store {
    backend: Box<dyn Backend>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Store({})", self.backend.folder())
    }
}

impl fmt::Display for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.backend.folder())
    }
}

/// What a snapshot argument names, once its store is asked.
pub enum Named {
    /// Standard input.
    Stdin,
    /// A local path, read as it is (a file, a folder of manifests, a tarball).
    Path(PathBuf),
    /// One archive of a store.
    Archive(Store, Stored),
    /// A folder of dated archives (oldest first), and the warning line for the entries under it
    /// that are not.
    Folder(Store, Vec<DatedArchive>, Option<String>),
}

impl Store {
    /// The folder `location` names (standard input is no folder).
    pub fn open_folder(location: &Location) -> Result<Store> {
        match location {
            Location::Stdin => Err(Error::Usage("-: standard input is not a folder".into())),
            Location::Local(dir) => Ok(Store::local(dir.clone())),
            Location::Bucket(url) => Ok(Store::wrap(BucketFolder::new(
                Bucket::open(url)?,
                url.clone(),
            ))),
        }
    }

    /// The store holding exactly the object `location` names, given by `flag`, and its name
    /// there.
    pub fn open_object(flag: &str, location: &Location) -> Result<(Store, String)> {
        match location {
            Location::Stdin => Err(Error::Usage(format!("{flag} -: names no file"))),
            Location::Local(path) => {
                let (folder, name) = LocalFolder::for_file(path);
                Ok((Store::wrap(folder), name))
            }
            Location::Bucket(url) => {
                let (folder, name) = url.split();
                if name.is_empty() {
                    return Err(Error::Usage(format!("{flag} {folder}: names no object")));
                }
                let bucket = Bucket::open(&folder)?;
                Ok((Store::wrap(BucketFolder::new(bucket, folder)), name))
            }
        }
    }

    /// A local folder.
    pub fn local(dir: PathBuf) -> Store {
        Store::wrap(LocalFolder::new(dir))
    }

    fn wrap(backend: impl Backend + 'static) -> Store {
        Store {
            backend: Box::new(backend),
        }
    }

    /// What a snapshot argument at `location` names: in a bucket, the object itself, or else
    /// the folder's dated archives (an error when it holds none); a local path as it is.
    pub fn resolve(location: &Location) -> Result<Named> {
        let url = match location {
            Location::Stdin => return Ok(Named::Stdin),
            Location::Local(path) => return Ok(Named::Path(path.clone())),
            Location::Bucket(url) => url,
        };
        let bucket = Bucket::open(url)?;
        if !url.prefix.is_empty()
            && let Some(size) = bucket.size(&url.prefix)?
        {
            let (folder, name) = url.split();
            let stored = Stored {
                name,
                size,
                is_file: true,
            };
            return Ok(Named::Archive(
                Store::wrap(BucketFolder::new(bucket, folder)),
                stored,
            ));
        }
        let store = Store::wrap(BucketFolder::new(bucket, url.clone()));
        let (archives, ignored) = store.dated_archives()?;
        if archives.is_empty() {
            return Err(Error::input(
                url.to_string(),
                "no such object, and no dated archive (…YYYYMMDDHHMM.zip) directly under it",
            ));
        }
        Ok(Named::Folder(store, archives, ignored))
    }

    /// What the folder holds.
    pub fn list(&self) -> Result<Contents> {
        self.backend.list()
    }

    /// The archives whose names end in a date stamp (`….zip`), oldest first (equal stamps by
    /// name), and the warning line for the entries that are not.
    pub fn dated_archives(&self) -> Result<(Vec<DatedArchive>, Option<String>)> {
        let (mut archives, others) = self.archives(&|entry| reader_stamp(&entry.name))?;
        archives.sort_by(|a, b| (a.stamp, &a.name).cmp(&(b.stamp, &b.name)));
        Ok((archives, self.backend.ignored(&others)))
    }

    /// The entries `stamp` dates, unordered, and the rest as [`Store::ignored`] names them
    /// (sorted).
    pub fn archives(
        &self,
        stamp: &dyn Fn(&Stored) -> Option<Timestamp>,
    ) -> Result<(Vec<DatedArchive>, Vec<String>)> {
        let contents = without_signatures(self.backend.list()?, stamp);
        let (archives, mut others) = self.backend.sort_out(contents, stamp);
        others.sort();
        Ok((archives, others))
    }

    /// A reader of the archive `name`, `size` bytes long (from a listing), for one streaming
    /// pass (a file, or ranged requests), and its length.
    pub fn reader(&self, name: &str, size: u64) -> std::io::Result<(Box<dyn ReadSeek + '_>, u64)> {
        self.backend.reader(name, size)
    }

    /// Verifies the archive `name`, `size` bytes long (from its listing), read in place: a file,
    /// or an object through ranged requests. Never fails: what cannot be read is broken.
    ///
    /// An encrypted archive is decrypted as it is read; one that no identity opens is
    /// [`ArchiveState::Sealed`](verify::ArchiveState::Sealed), neither good nor broken.
    pub fn verify(&self, name: &str, size: u64) -> Verified {
        self.inspect(name, size).verified
    }

    /// [`Store::verify`], with every problem named (`driftlab verify`, `check --verify`).
    pub fn inspect(&self, name: &str, size: u64) -> Inspection {
        let (reader, len) = match self.reader(name, size) {
            Ok(opened) => opened,
            Err(e) => return Inspection::of(Verified::broken(e.to_string())),
        };
        if len == 0 {
            return Inspection::of(Verified::broken("0 bytes"));
        }
        match seal::open(std::io::BufReader::new(reader)) {
            Ok(opened) => verify::inspect(std::io::BufReader::new(opened), len),
            Err(Unopened::Locked(why)) => Inspection::of(Verified {
                state: verify::ArchiveState::Sealed(why),
                started: None,
            }),
            Err(Unopened::Broken(why)) => Inspection::of(Verified::broken(why)),
        }
    }

    /// The text of the archive `name`'s detached signature (`NAME.minisig`), `None` when it has
    /// none.
    pub fn read_signature(&self, name: &str) -> Result<Option<String>> {
        let signature = format!("{name}{SIGNATURE_SUFFIX}");
        if self.backend.size(&signature)?.is_none() {
            return Ok(None);
        }
        let bytes = self.backend.read(&signature, MAX_SIGNATURE_BYTES)?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| Error::input(self.show(&signature), "not a minisign signature"))
    }

    /// Puts the signature `text` of the pending archive in place (`NAME.minisig`), atomically
    /// and never over an existing file; returns where it went, as shown. Export puts it before
    /// the archive: an archive never appears without its signature.
    pub fn put_signature(&self, pending: &Pending, text: &str) -> Result<String> {
        let name = format!("{}{SIGNATURE_SUFFIX}", pending.name);
        self.backend.put_companion(pending, &name, text.as_bytes())
    }

    /// Deletes the signature of the archive `name`, if it has one (an export whose archive
    /// could not be put in place after its signature was).
    pub fn delete_signature(&self, name: &str) -> Result<()> {
        let signature = format!("{name}{SIGNATURE_SUFFIX}");
        match self.backend.size(&signature)? {
            Some(_) => self.backend.delete(&signature),
            None => Ok(()),
        }
    }

    /// The whole archive `name`, refused past `max_bytes`.
    pub fn read(&self, name: &str, max_bytes: u64) -> Result<Vec<u8>> {
        self.backend.read(name, max_bytes)
    }

    /// The archive's path when it is a local file.
    pub fn local_path(&self, name: &str) -> Option<PathBuf> {
        self.backend.local_path(name)
    }

    /// Prepares writing a new archive `name` (of archives named `prefix…`, dated by
    /// `is_archive`): its folder is created when missing, stale temporary files of killed
    /// exports are removed (both told to `tell`), a bucket is reached and what under its
    /// prefix is not an archive named (a warning told to `tell`), and an existing archive of
    /// that name is refused.
    pub fn prepare_put(
        &self,
        name: &str,
        prefix: &str,
        is_archive: &dyn Fn(&Stored) -> Option<Timestamp>,
        tell: &mut dyn FnMut(Said),
    ) -> Result<Pending> {
        self.backend.prepare_put(name, prefix, is_archive, tell)
    }

    /// Puts the finished archive `written` in its place, atomically and never over an existing
    /// one; returns where it went, as shown.
    pub fn put_new(&self, pending: &Pending, written: &Path) -> Result<String> {
        self.backend.put_new(pending, written)
    }

    /// Deletes the archive `name`, and its signature with it (the signature first: a signature
    /// left alone signs nothing, an archive left alone would look unsigned).
    pub fn delete(&self, name: &str) -> Result<()> {
        self.delete_signature(name)?;
        self.backend.delete(name)
    }

    /// How the archive `name` is named in messages.
    pub fn show(&self, name: &str) -> String {
        self.backend.show(name)
    }

    /// The one warning line for `others` of a listing, if any.
    pub fn ignored(&self, others: &[String]) -> Option<String> {
        self.backend.ignored(others)
    }

    /// Removes the temporary files that killed exports left (none in a bucket: an upload is
    /// invisible until complete); returns them as shown.
    pub fn remove_stale_partials(&self, prefix: &str, now: SystemTime) -> Vec<String> {
        self.backend.remove_stale_partials(prefix, now)
    }
}

/// `contents` without the signatures of the archives `stamp` dates (`NAME.minisig`): each goes
/// with its archive, neither an archive nor a stray entry to warn about.
pub(super) fn without_signatures(
    mut contents: Contents,
    stamp: &dyn Fn(&Stored) -> Option<Timestamp>,
) -> Contents {
    contents.entries.retain(|entry| {
        let Some(signed) = entry.name.strip_suffix(SIGNATURE_SUFFIX) else {
            return true;
        };
        let archive = Stored {
            name: signed.to_string(),
            ..entry.clone()
        };
        stamp(&archive).is_none()
    });
    contents
}

/// The date stamp of an archive name as readers accept it: `….zip` (or `….zip.age`, encrypted)
/// ending in 8 or 12 digits.
pub(super) fn reader_stamp(name: &str) -> Option<Timestamp> {
    Some(name)
        .filter(|name| name.ends_with(".zip") || name.ends_with(".zip.age"))
        .and_then(timestamp::stamp_in_file_name)
}
