//! The S3 client: a blocking face over `object_store`, with bounded retries and time limits, and
//! errors turned into one line that names the object.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{
    ClientOptions, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, RetryConfig,
    WriteMultipart,
};

use super::BucketUrl;
use crate::error::{Error, Result};
use crate::interrupt::signalled;

/// The size of each part of a multipart upload (S3's minimum is 5 MiB), unless
/// `DRIFTLAB_S3_PART_SIZE` says otherwise (bytes; for stores with other limits, and for tests).
/// Archives up to four parts' size go up in one PUT.
const PART_SIZE: usize = 16 << 20;

/// The part size in force.
fn part_size() -> usize {
    std::env::var("DRIFTLAB_S3_PART_SIZE")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&size| size >= 1024)
        .unwrap_or(PART_SIZE)
}

/// How long one request may take before it is abandoned (and retried).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// One object of a listing.
#[derive(Clone, Debug)]
pub struct Listed {
    /// Its name inside the listed folder.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A bucket, reached with the standard AWS settings of the environment.
pub struct Bucket {
    store: AmazonS3,
    runtime: tokio::runtime::Runtime,
    bucket: String,
}

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bucket(s3://{})", self.bucket)
    }
}

impl Bucket {
    /// A client for `url`'s bucket: credentials, region and endpoint from `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_ENDPOINT_URL` (and web
    /// identity or instance credentials when no key is set). Plain http is used only for a
    /// loopback endpoint, or with `AWS_ALLOW_HTTP=true`.
    pub fn open(url: &BucketUrl) -> Result<Bucket> {
        // reqwest is built without a TLS provider of its own: use ring, as kube does.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .or_else(|_| std::env::var("AWS_ENDPOINT"))
            .ok();
        let allow_http =
            std::env::var("AWS_ALLOW_HTTP").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
        let allow_http = match endpoint.as_deref() {
            Some(endpoint) if endpoint.starts_with("http://") => {
                if !allow_http && !is_loopback(endpoint) {
                    return Err(Error::Usage(format!(
                        "AWS_ENDPOINT_URL {endpoint}: plain http is used only for a loopback \
                         address, or with AWS_ALLOW_HTTP=true (credentials would cross the \
                         network unencrypted)"
                    )));
                }
                true
            }
            _ => allow_http,
        };
        let retry = RetryConfig {
            max_retries: 3,
            retry_timeout: Duration::from_secs(60),
            ..RetryConfig::default()
        };
        let client = ClientOptions::new()
            .with_timeout(REQUEST_TIMEOUT)
            .with_connect_timeout(CONNECT_TIMEOUT);
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(&url.bucket)
            .with_client_options(client)
            .with_allow_http(allow_http)
            .with_retry(retry)
            .build()
            .map_err(|e| Error::Usage(format!("{url}: {}", one_line(&e.to_string()))))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Runtime(format!("cannot start the async runtime: {e}")))?;
        Ok(Bucket {
            store,
            runtime,
            bucket: url.bucket.clone(),
        })
    }

    /// The URL of `key`, as messages show it.
    pub fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    fn fail(&self, key: &str, error: &object_store::Error) -> Error {
        Error::input(self.url(key), describe(error))
    }

    /// The size of the object at `key`, or `None` when there is none.
    pub fn size(&self, key: &str) -> Result<Option<u64>> {
        match self.runtime.block_on(self.store.head(&Key::from(key))) {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.fail(key, &e)),
        }
    }

    /// The objects directly in `folder` (not in folders below it), in name order.
    pub fn list(&self, folder: &BucketUrl) -> Result<Vec<Listed>> {
        let prefix = (!folder.prefix.is_empty()).then(|| Key::from(folder.prefix.as_str()));
        let listing = self
            .runtime
            .block_on(self.store.list_with_delimiter(prefix.as_ref()))
            .map_err(|e| Error::input(folder.to_string(), describe(&e)))?;
        let mut objects: Vec<Listed> = listing
            .objects
            .into_iter()
            .filter_map(|meta| {
                let name = meta.location.filename()?.to_string();
                Some(Listed {
                    name,
                    size: meta.size,
                })
            })
            .collect();
        objects.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(objects)
    }

    /// The whole object at `key`, refused when it is larger than `max_bytes` (checked against
    /// its size first, and again while reading: a server may send more than it announced).
    pub fn read(&self, key: &str, max_bytes: u64) -> Result<Vec<u8>> {
        self.runtime.block_on(async {
            let result = self
                .store
                .get(&Key::from(key))
                .await
                .map_err(|e| self.fail(key, &e))?;
            if result.meta.size > max_bytes {
                return Err(too_large(&self.url(key), max_bytes));
            }
            let mut bytes = Vec::with_capacity(result.meta.size as usize);
            let mut stream = result.into_stream();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| self.fail(key, &e))?;
                if (bytes.len() + chunk.len()) as u64 > max_bytes {
                    return Err(too_large(&self.url(key), max_bytes));
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(bytes)
        })
    }

    /// Bytes `start..end` of the object at `key`.
    pub fn read_range(&self, key: &str, start: u64, end: u64) -> Result<bytes::Bytes> {
        let bytes = self
            .runtime
            .block_on(self.store.get_range(&Key::from(key), start..end))
            .map_err(|e| self.fail(key, &e))?;
        if bytes.len() as u64 != end - start {
            return Err(Error::input(
                self.url(key),
                format!(
                    "asked for {} bytes, the store sent {}",
                    end - start,
                    bytes.len()
                ),
            ));
        }
        Ok(bytes)
    }

    /// Uploads the file at `file` as `key`, which must not exist. The object appears whole or
    /// not at all: one PUT for a small file, a multipart upload (aborted on any failure, and on
    /// SIGINT, SIGTERM or SIGHUP) for a large one. With `AWS_CONDITIONAL_PUT=etag` the store itself refuses to replace an object
    /// that appeared meanwhile; otherwise the check before the upload leaves a narrow race, as
    /// on a file system without hard links (archive names carry the minute they were taken).
    pub fn upload_new(&self, key: &str, file: &Path) -> Result<()> {
        if self.size(key)?.is_some() {
            return Err(Error::input(
                self.url(key),
                "already exists; not overwritten",
            ));
        }
        let local = file.display().to_string();
        let mut source = std::fs::File::open(file).map_err(|e| Error::io(&local, e))?;
        let size = source.metadata().map_err(|e| Error::io(&local, e))?.len();
        let location = Key::from(key);
        let part_size = part_size();
        if size <= 4 * part_size as u64 {
            let mut bytes = Vec::with_capacity(size as usize);
            source
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io(&local, e))?;
            let mode = if std::env::var_os("AWS_CONDITIONAL_PUT").is_some() {
                PutMode::Create
            } else {
                PutMode::Overwrite
            };
            let options = PutOptions {
                mode,
                ..PutOptions::default()
            };
            // A signal drops the request half way: S3 keeps nothing of an unfinished PUT.
            return self.runtime.block_on(async {
                tokio::select! {
                    put = self.store.put_opts(&location, PutPayload::from(bytes), options) => {
                        put.map(|_| ()).map_err(|e| self.fail(key, &e))
                    }
                    signal = signalled() => Err(Error::Interrupted(signal)),
                }
            });
        }
        self.runtime.block_on(async {
            let upload = self
                .store
                .put_multipart(&location)
                .await
                .map_err(|e| self.fail(key, &e))?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, part_size);
            let mut buffer = vec![0u8; part_size];
            let send = async {
                loop {
                    let read = source.read(&mut buffer).map_err(|e| Error::io(&local, e))?;
                    if read == 0 {
                        return Ok(());
                    }
                    writer
                        .wait_for_capacity(2)
                        .await
                        .map_err(|e| self.fail(key, &e))?;
                    writer.write(&buffer[..read]);
                }
            };
            let sent: Result<()> = tokio::select! {
                sent = send => sent,
                signal = signalled() => Err(Error::Interrupted(signal)),
            };
            match sent {
                // finish aborts the upload itself when a part or the completion fails.
                Ok(()) => writer
                    .finish()
                    .await
                    .map(|_| ())
                    .map_err(|e| self.fail(key, &e)),
                Err(err) => {
                    // Nothing was completed, so nothing is visible; abort frees the parts.
                    let _ = writer.abort().await;
                    Err(err)
                }
            }
        })
    }

    /// Deletes the object at `key`.
    pub fn delete(&self, key: &str) -> Result<()> {
        self.runtime
            .block_on(self.store.delete(&Key::from(key)))
            .map_err(|e| self.fail(key, &e))
    }
}

fn too_large(label: &str, max_bytes: u64) -> Error {
    Error::input(
        label,
        format!("larger than {max_bytes} bytes (--max-bytes); not read"),
    )
}

/// Whether an `http://host[:port]/…` endpoint names a loopback address.
fn is_loopback(endpoint: &str) -> bool {
    let rest = endpoint.trim_start_matches("http://");
    let authority = rest.split('/').next().unwrap_or_default();
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host)
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// An object-store error in words a user can act on, on one line.
fn describe(error: &object_store::Error) -> String {
    use object_store::Error as E;
    match error {
        E::NotFound { .. } => "no such object (or bucket)".into(),
        E::AlreadyExists { .. } | E::Precondition { .. } => {
            "already exists; not overwritten".into()
        }
        E::PermissionDenied { .. } | E::Unauthenticated { .. } => format!(
            "the object store refused access (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and \
             the bucket policy): {}",
            one_line(&error.to_string())
        ),
        other => {
            let text = other.to_string();
            match s3_error_code(&text) {
                Some(("NoSuchBucket", _)) => "no such bucket".into(),
                Some((
                    "AccessDenied"
                    | "InvalidAccessKeyId"
                    | "SignatureDoesNotMatch"
                    | "ExpiredToken"
                    | "InvalidToken",
                    message,
                )) => format!(
                    "the object store refused access (check AWS_ACCESS_KEY_ID, \
                     AWS_SECRET_ACCESS_KEY and the bucket policy): {message}"
                ),
                Some((code, message)) => one_line(&format!("{code}: {message}")),
                None => one_line(&text),
            }
        }
    }
}

/// The `<Code>` and `<Message>` of an S3 error body quoted in `text`, if there is one: what
/// the store said, without the request and the XML around it.
fn s3_error_code(text: &str) -> Option<(&str, &str)> {
    let between = |open: &str, close: &str| {
        let start = text.find(open)? + open.len();
        let end = text[start..].find(close)? + start;
        Some(&text[start..end])
    };
    let code = between("<Code>", "</Code>")?;
    Some((code, between("<Message>", "</Message>").unwrap_or(code)))
}

/// `text` on one line, and not endless (an error body may be long).
fn one_line(text: &str) -> String {
    let flat = crate::messages::one_line(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if flat.chars().count() > 400 {
        let cut: String = flat.chars().take(400).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_error_bodies_are_read_for_their_code() {
        let text = "Generic S3 error: Error performing GET http://h/b?x in 3ms - Server returned \
                    non-2xx status code: 404 Not Found: <?xml version=\"1.0\"?> <Error>\
                    <Code>NoSuchBucket</Code><Message>The specified bucket does not exist\
                    </Message></Error>";
        assert_eq!(
            s3_error_code(text),
            Some(("NoSuchBucket", "The specified bucket does not exist"))
        );
        assert_eq!(s3_error_code("connection refused"), None);
    }

    #[test]
    fn loopback_endpoints() {
        for yes in [
            "http://127.0.0.1:5000",
            "http://localhost:9000/",
            "http://[::1]:9000",
            "http://127.0.0.2",
        ] {
            assert!(is_loopback(yes), "{yes}");
        }
        for no in [
            "http://minio.storage.svc:9000",
            "http://10.0.0.1",
            "http://127.0.0.1.example.com",
        ] {
            assert!(!is_loopback(no), "{no}");
        }
    }
}
