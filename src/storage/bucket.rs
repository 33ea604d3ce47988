//! The S3 client: a blocking face over `object_store`, with bounded retries and time limits, and
//! errors turned into one line that names the object.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use futures::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey, AwsAuthorizer};
use object_store::client::{HttpClient, HttpConnector, HttpRequest, ReqwestConnector};
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

/// What a folder of a bucket holds.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    /// The objects directly in it, in name order.
    pub objects: Vec<Listed>,
    /// The keys of everything else under it, in key order: folders below it (`prod/old/`) and
    /// keys that are no file name (`prod//stray`, control characters).
    pub others: Vec<String>,
}

/// A bucket, reached with the standard AWS settings of the environment.
pub struct Bucket {
    store: AmazonS3,
    /// The process's one runtime ([`crate::runtime`]).
    runtime: &'static tokio::runtime::Runtime,
    bucket: String,
    /// Listings are requested by driftlab itself (see [`Bucket::list`]), signed as the store's
    /// own requests are.
    http: HttpClient,
    /// `https://s3.<region>.amazonaws.com` or `AWS_ENDPOINT_URL`, without a trailing `/`.
    endpoint: String,
    region: String,
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
        let builder = AmazonS3Builder::from_env();
        let region = builder
            .get_config_value(&AmazonS3ConfigKey::Region)
            .unwrap_or_else(|| "us-east-1".into());
        let endpoint = endpoint
            .clone()
            .unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"))
            .trim_end_matches('/')
            .to_string();
        let http = ReqwestConnector::default()
            .connect(&client.clone().with_allow_http(allow_http))
            .map_err(|e| Error::Usage(format!("{url}: {}", one_line(&e.to_string()))))?;
        let store = builder
            .with_bucket_name(&url.bucket)
            .with_client_options(client)
            .with_allow_http(allow_http)
            .with_retry(retry)
            .build()
            .map_err(|e| Error::Usage(format!("{url}: {}", one_line(&e.to_string()))))?;
        let runtime = crate::runtime::shared()?;
        Ok(Bucket {
            store,
            runtime,
            bucket: url.bucket.clone(),
            http,
            endpoint,
            region,
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

    /// What `folder` holds: the objects directly in it, and the keys of everything else.
    ///
    /// The listing is requested here (ListObjectsV2, path-style, signed with the store's
    /// credentials) rather than through `object_store`, which refuses a whole page when one key
    /// under the folder is not a path it accepts (`prod//stray`): one stray key would stop the
    /// nightly backup. Three attempts per page.
    pub fn list(&self, folder: &BucketUrl) -> Result<Listing> {
        let prefix = if folder.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", folder.prefix)
        };
        let mut listing = Listing::default();
        let mut token: Option<String> = None;
        loop {
            let page = self.list_page(folder, &prefix, token.as_deref())?;
            for (key, size) in page.objects {
                let name = &key[prefix.len().min(key.len())..];
                let plain = key.starts_with(&prefix)
                    && !name.is_empty()
                    && !name.contains('/')
                    && name != "."
                    && name != ".."
                    && !name.chars().any(char::is_control);
                if plain {
                    listing.objects.push(Listed {
                        name: name.to_string(),
                        size,
                    });
                } else {
                    listing.others.push(key);
                }
            }
            listing.others.extend(page.folders);
            match page.next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        listing.objects.sort_by(|a, b| a.name.cmp(&b.name));
        listing.others.sort();
        Ok(listing)
    }

    /// One page of a listing of `prefix`, after `token`.
    fn list_page(&self, folder: &BucketUrl, prefix: &str, token: Option<&str>) -> Result<Page> {
        let mut query = format!(
            "list-type=2&delimiter=%2F&encoding-type=url&prefix={}",
            percent_encode(prefix)
        );
        if let Some(token) = token {
            query.push_str(&format!("&continuation-token={}", percent_encode(token)));
        }
        let uri = format!("{}/{}?{query}", self.endpoint, self.bucket);
        let fail = |problem: String| Error::input(folder.to_string(), one_line(&problem));
        let mut last = String::new();
        for attempt in 0..3 {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(200 << attempt));
            }
            let answer: std::result::Result<(u16, Vec<u8>), String> =
                self.runtime.block_on(async {
                    let credential = self
                        .store
                        .credentials()
                        .get_credential()
                        .await
                        .map_err(|e| describe(&e))?;
                    let mut request: HttpRequest = http::Request::builder()
                        .method("GET")
                        .uri(&uri)
                        .body(object_store::client::HttpRequestBody::empty())
                        .map_err(|e| e.to_string())?;
                    AwsAuthorizer::new(&credential, "s3", &self.region)
                        .try_authorize(&mut request, None)
                        .map_err(|e| describe(&e))?;
                    let response =
                        tokio::time::timeout(REQUEST_TIMEOUT, self.http.execute(request))
                            .await
                            .map_err(|_| "the listing timed out".to_string())?
                            .map_err(|e| e.to_string())?;
                    let status = response.status().as_u16();
                    let body = response
                        .into_body()
                        .bytes()
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok((status, body.to_vec()))
                });
            match answer {
                Ok((200, body)) => return Ok(parse_page(&String::from_utf8_lossy(&body))),
                Ok((status, body)) => {
                    let text = String::from_utf8_lossy(&body);
                    let described = match s3_error_code(&text) {
                        Some(("NoSuchBucket", _)) => return Err(fail("no such bucket".into())),
                        Some((
                            code @ ("AccessDenied"
                            | "InvalidAccessKeyId"
                            | "SignatureDoesNotMatch"
                            | "ExpiredToken"
                            | "InvalidToken"),
                            message,
                        )) => {
                            return Err(fail(format!(
                                "the object store refused access (check AWS_ACCESS_KEY_ID, \
                                 AWS_SECRET_ACCESS_KEY and the bucket policy): {code}: {message}"
                            )));
                        }
                        Some((code, message)) => format!("{code}: {message}"),
                        None => format!("the store answered {status}"),
                    };
                    if status < 500 && status != 429 {
                        return Err(fail(described));
                    }
                    last = described;
                }
                Err(problem) => last = problem,
            }
        }
        Err(fail(last))
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

/// One page of a listing.
#[derive(Debug, Default, PartialEq)]
struct Page {
    /// Keys and sizes.
    objects: Vec<(String, u64)>,
    /// Common prefixes (folders below).
    folders: Vec<String>,
    /// The continuation token, when there is more.
    next: Option<String>,
}

/// Reads a ListObjectsV2 answer (`encoding-type=url`: keys and prefixes percent-encoded).
fn parse_page(xml: &str) -> Page {
    let values = |text: &str, tag: &str| -> Vec<String> {
        let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
        text.split(&open)
            .skip(1)
            .filter_map(|rest| rest.split_once(&close).map(|(value, _)| xml_text(value)))
            .collect()
    };
    let objects = values(xml, "Contents")
        .iter()
        .filter_map(|contents| {
            let key = values(contents, "Key").pop()?;
            let size = values(contents, "Size").pop()?.parse().ok()?;
            Some((percent_decode(&key), size))
        })
        .collect();
    let folders = values(xml, "CommonPrefixes")
        .iter()
        .filter_map(|common| values(common, "Prefix").pop())
        .map(|prefix| percent_decode(&prefix))
        .collect();
    let truncated = values(xml, "IsTruncated").first().map(String::as_str) == Some("true");
    let next = values(xml, "NextContinuationToken").pop();
    Page {
        objects,
        folders,
        next: next.filter(|_| truncated),
    }
}

/// The text of an XML element, its five predefined entities resolved.
fn xml_text(raw: &str) -> String {
    raw.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// `text` for a query string: everything but unreserved characters percent-encoded.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Decodes `%XX` escapes (and `+`, which S3's url encoding uses for a space).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = |i: usize| {
            bytes
                .get(i)
                .and_then(|b| (*b as char).to_digit(16))
                .map(|d| d as u8)
        };
        match bytes[at] {
            b'%' if hex(at + 1).is_some() && hex(at + 2).is_some() => {
                out.push(hex(at + 1).unwrap_or(0) * 16 + hex(at + 2).unwrap_or(0));
                at += 3;
            }
            b'+' => {
                out.push(b' ');
                at += 1;
            }
            other => {
                out.push(other);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
    fn listing_pages_are_read_with_their_odd_keys() {
        let xml = "<ListBucketResult><Prefix>prod%2F</Prefix><IsTruncated>true</IsTruncated>\
                   <Contents><Key>prod%2F%2Fstray</Key><Size>1</Size></Contents>\
                   <Contents><Key>prod%2Fa+b%26c.zip</Key><Size>42</Size></Contents>\
                   <CommonPrefixes><Prefix>prod%2Fold%2F</Prefix></CommonPrefixes>\
                   <NextContinuationToken>t&amp;1</NextContinuationToken></ListBucketResult>";
        assert_eq!(
            parse_page(xml),
            Page {
                objects: vec![("prod//stray".into(), 1), ("prod/a b&c.zip".into(), 42)],
                folders: vec!["prod/old/".into()],
                next: Some("t&1".into()),
            }
        );
        let last = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
        assert_eq!(parse_page(last), Page::default());
        assert_eq!(percent_encode("prod/a b~"), "prod%2Fa%20b~");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
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
