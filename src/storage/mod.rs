//! Where archives live: a local folder or a bucket prefix, behind one [`Store`] (`store.rs`),
//! opened from a [`Location`] (`location.rs`) that the command line settled. Nothing outside
//! this module knows which: rotation, export, `check`, `history` and the readers list, read,
//! write and delete archives through the store.
//!
//! Each kind of store is one backend: `local.rs` (files of a folder) and `remote.rs` (objects
//! under a prefix of an S3 bucket: [`BucketUrl`] is the parsed argument, `bucket.rs` the client,
//! configured from the standard AWS variables, `reader.rs` reads an object in place, a range at
//! a time, so that rotation can look at an archive's manifest without downloading it).
//!
//! What holds on disk holds in a bucket: an archive appears under its final name only once it is
//! whole (S3 never shows a partial object; a failed multipart upload is aborted), an existing
//! object is never replaced, and rotation touches only exactly-named archives.

mod bucket;
mod local;
mod location;
mod reader;
mod remote;
mod store;

use bucket::Bucket;
pub use local::{STALE_AFTER, remove_stale_partials};
pub use location::Location;
use reader::RangeReader;
pub use store::{Contents, DatedArchive, Named, Pending, ReadSeek, Said, Store, Stored};

use std::fmt;

use crate::error::{Error, Result};

/// The URL schemes of object stores, recognised so that they are refused with a clear line
/// rather than taken for a relative path (`gs:/bucket` would be a folder named `gs:`).
const OTHER_SCHEMES: &[&str] = &[
    "gs://", "az://", "azure://", "abfs://", "http://", "https://",
];

/// The one warning line for `keys` under `folder` that are not archives (folders below it, stray
/// objects, keys that are no file name), or `None` when there are none: they are ignored, and one
/// line says so, whatever their number.
fn ignored_keys(folder: &BucketUrl, keys: &[String]) -> Option<String> {
    let example = keys.first()?;
    let (what, are) = if keys.len() == 1 {
        ("key", "is not an archive")
    } else {
        ("keys", "are not archives")
    };
    Some(format!(
        "{folder}: ignored {} {what} under it that {are} (e.g. s3://{}/{example})",
        keys.len(),
        folder.bucket
    ))
}

/// `s3://bucket/prefix`: a bucket and a key prefix (no leading or trailing `/`; may be empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketUrl {
    /// The bucket's name.
    pub bucket: String,
    /// The key, or the folder of keys, inside the bucket.
    pub prefix: String,
}

impl BucketUrl {
    /// `Some` when `argument` is an object-storage URL: the parsed `s3://` URL, or an error for
    /// a store driftlab does not speak (or a malformed one). `None` for anything else, a local
    /// path. `flag` names the argument in messages (empty for a positional one).
    pub fn parse(flag: &str, argument: &str) -> Option<Result<BucketUrl>> {
        let named = if flag.is_empty() {
            argument.to_string()
        } else {
            format!("{flag} {argument}")
        };
        if let Some(rest) = argument.strip_prefix("s3://") {
            return Some(Self::parse_s3(&named, rest));
        }
        if OTHER_SCHEMES
            .iter()
            .any(|scheme| argument.starts_with(scheme))
        {
            return Some(Err(Error::Usage(format!(
                "{named}: only S3 object storage (s3://bucket/prefix) is supported, \
                 and local paths"
            ))));
        }
        None
    }

    fn parse_s3(named: &str, rest: &str) -> Result<BucketUrl> {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && !bucket.starts_with(['-', '.'])
            && !bucket.ends_with(['-', '.']);
        let problem = if !bucket_ok {
            "not a bucket name (3 to 63 lower-case letters, digits, - and .)"
        } else if prefix.chars().any(|c| c.is_whitespace() || c.is_control()) {
            "spaces and control characters cannot be part of the prefix"
        } else if prefix
            .trim_end_matches('/')
            .split('/')
            .any(|part| part == ".." || part == ".")
            || prefix.contains("//")
        {
            "a prefix with empty, . or .. parts names no object"
        } else {
            return Ok(BucketUrl {
                bucket: bucket.to_string(),
                prefix: prefix.trim_end_matches('/').to_string(),
            });
        };
        Err(Error::Usage(format!("{named}: {problem}")))
    }

    /// The key of `name` in this folder.
    pub fn key(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.prefix)
        }
    }

    /// The URL of `name` in this folder, as messages show it.
    pub fn url_of(&self, name: &str) -> String {
        format!("s3://{}/{}", self.bucket, self.key(name))
    }

    /// The last part of the prefix (the file name of a key), empty for a bare bucket.
    pub fn file_name(&self) -> &str {
        self.prefix.rsplit('/').next().unwrap_or_default()
    }

    /// The folder holding the key this URL names, and the key's file name.
    pub fn split(&self) -> (BucketUrl, String) {
        let (folder, name) = self.prefix.rsplit_once('/').unwrap_or(("", &self.prefix));
        (
            BucketUrl {
                bucket: self.bucket.clone(),
                prefix: folder.to_string(),
            },
            name.to_string(),
        )
    }
}

impl fmt::Display for BucketUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "s3://{}", self.bucket)
        } else {
            write!(f, "s3://{}/{}", self.bucket, self.prefix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(argument: &str) -> Option<Result<BucketUrl>> {
        BucketUrl::parse("--output-dir", argument)
    }

    #[test]
    fn s3_urls_split_into_bucket_and_prefix() {
        for good in ["s3://my-backups-2/p", "s3://my.backups/p", "s3://a1b"] {
            assert!(parse(good).unwrap().is_ok(), "{good}");
        }
        let url = parse("s3://backups/prod/nightly/").unwrap().unwrap();
        assert_eq!(url.bucket, "backups");
        assert_eq!(url.prefix, "prod/nightly");
        assert_eq!(url.to_string(), "s3://backups/prod/nightly");
        assert_eq!(
            url.url_of("driftlab-202612020015.zip"),
            "s3://backups/prod/nightly/driftlab-202612020015.zip"
        );
        let bare = parse("s3://backups").unwrap().unwrap();
        assert_eq!(bare.prefix, "");
        assert_eq!(bare.key("a.zip"), "a.zip");
        let (folder, name) = parse("s3://backups/prod/a.zip").unwrap().unwrap().split();
        assert_eq!((folder.prefix.as_str(), name.as_str()), ("prod", "a.zip"));
    }

    #[test]
    fn stray_keys_are_one_line_with_a_count_and_an_example() {
        let folder = parse("s3://backups/prod").unwrap().unwrap();
        assert_eq!(ignored_keys(&folder, &[]), None);
        assert_eq!(
            ignored_keys(&folder, &["prod//stray".into()]).unwrap(),
            "s3://backups/prod: ignored 1 key under it that is not an archive (e.g. s3://backups/prod//stray)"
        );
        let two = ignored_keys(&folder, &["prod/a".into(), "prod/b/".into()]).unwrap();
        assert!(
            two.contains(
                "ignored 2 keys under it that are not archives (e.g. s3://backups/prod/a)"
            ),
            "{two}"
        );
    }

    #[test]
    fn local_paths_are_not_urls_and_other_stores_are_refused() {
        assert!(parse("backups/s3://x").is_none());
        assert!(parse("./s3:").is_none());
        for other in ["gs://b/p", "az://c/p", "https://example.com/b"] {
            let err = parse(other).unwrap().unwrap_err().to_string();
            assert!(err.contains("only S3"), "{err}");
        }
        for bad in [
            "s3://",
            "s3://UPPER/p",
            "s3://ab/p",
            "s3://-bucket/p",
            "s3://bucket/a b",
            "s3://bucket/a/../b",
            "s3://bucket/a//b",
        ] {
            assert!(parse(bad).unwrap().is_err(), "{bad}");
        }
    }
}
