//! The bucket [`Backend`]: archives are objects directly under a prefix. An archive is staged in
//! a private local folder and uploaded whole ([`Bucket::upload_new`]): it appears under its name
//! complete or not at all.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::store::{Backend, Contents, DatedArchive, Pending, ReadSeek, Said, Stored};
use super::{Bucket, BucketUrl, RangeReader, ignored_keys};
use crate::error::{Error, Result};
use crate::timestamp::Timestamp;

/// A prefix of a bucket, and the client that reaches it.
pub(super) struct BucketFolder {
    bucket: Bucket,
    folder: BucketUrl,
}

impl BucketFolder {
    pub(super) fn new(bucket: Bucket, folder: BucketUrl) -> BucketFolder {
        BucketFolder { bucket, folder }
    }
}

impl Backend for BucketFolder {
    fn list(&self) -> Result<Contents> {
        let listing = self.bucket.list(&self.folder)?;
        Ok(Contents {
            entries: listing
                .objects
                .into_iter()
                .map(|object| Stored {
                    name: object.name,
                    size: object.size,
                    is_file: true,
                })
                .collect(),
            others: listing.others,
        })
    }

    fn sort_out(
        &self,
        contents: Contents,
        stamp: &dyn Fn(&Stored) -> Option<Timestamp>,
    ) -> (Vec<DatedArchive>, Vec<String>) {
        let mut others = contents.others;
        let mut archives = Vec::new();
        for entry in contents.entries {
            match stamp(&entry) {
                Some(stamp) => archives.push(DatedArchive {
                    stamp,
                    name: entry.name,
                    size: entry.size,
                }),
                None => others.push(self.folder.key(&entry.name)),
            }
        }
        (archives, others)
    }

    fn reader(&self, name: &str, size: u64) -> std::io::Result<(Box<dyn ReadSeek + '_>, u64)> {
        let reader = RangeReader::new(&self.bucket, self.folder.key(name), size);
        Ok((Box::new(reader), size))
    }

    fn read(&self, name: &str, max_bytes: u64) -> Result<Vec<u8>> {
        self.bucket.read(&self.folder.key(name), max_bytes)
    }

    fn local_path(&self, _name: &str) -> Option<PathBuf> {
        None
    }

    fn prepare_put(
        &self,
        name: &str,
        _prefix: &str,
        is_archive: &dyn Fn(&Stored) -> Option<Timestamp>,
        tell: &mut dyn FnMut(Said),
    ) -> Result<Pending> {
        // Listing the folder proves the bucket is there and the credentials work.
        let contents = super::store::without_signatures(self.list()?, is_archive);
        let mut others = self.sort_out(contents, is_archive).1;
        others.sort();
        if let Some(line) = ignored_keys(&self.folder, &others) {
            tell(Said::Warning(line));
        }
        if self.bucket.size(&self.folder.key(name))?.is_some() {
            return Err(Error::Usage(format!(
                "{}: already exists; not overwritten",
                self.folder.url_of(name)
            )));
        }
        let staging = tempfile::Builder::new()
            .prefix("driftlab-export-")
            .tempdir()
            .map_err(|e| Error::io(std::env::temp_dir().display().to_string(), e))?;
        Ok(Pending {
            name: name.to_string(),
            path: staging.path().join(name),
            _staging: Some(staging),
        })
    }

    fn put_new(&self, pending: &Pending, written: &Path) -> Result<String> {
        let name = &pending.name;
        let uploaded = self.bucket.upload_new(&self.folder.key(name), written);
        // The staged copy goes either way (its folder goes on every way out).
        let _ = std::fs::remove_file(written);
        uploaded.map_err(|err| {
            Error::input(
                self.folder.url_of(name),
                format!("upload failed, nothing was written under that name ({err})"),
            )
        })?;
        Ok(self.folder.url_of(name))
    }

    fn delete(&self, name: &str) -> Result<()> {
        self.bucket.delete(&self.folder.key(name))
    }

    fn size(&self, name: &str) -> Result<Option<u64>> {
        self.bucket.size(&self.folder.key(name))
    }

    fn put_companion(&self, pending: &Pending, name: &str, bytes: &[u8]) -> Result<String> {
        // Staged beside the archive, in the pending archive's private folder.
        let staged = pending.path.with_file_name(name);
        std::fs::write(&staged, bytes).map_err(|e| Error::io(staged.display().to_string(), e))?;
        let uploaded = self.bucket.upload_new(&self.folder.key(name), &staged);
        let _ = std::fs::remove_file(&staged);
        uploaded?;
        Ok(self.folder.url_of(name))
    }

    fn show(&self, name: &str) -> String {
        self.folder.url_of(name)
    }

    fn ignored(&self, others: &[String]) -> Option<String> {
        ignored_keys(&self.folder, others)
    }

    fn remove_stale_partials(&self, _prefix: &str, _now: SystemTime) -> Vec<String> {
        // A bucket holds no temporary objects: an upload is invisible until complete.
        Vec::new()
    }

    fn folder(&self) -> String {
        self.folder.to_string()
    }
}
