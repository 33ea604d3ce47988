//! One GET at a time against the API server, and what its answer means for the caller.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use kube::client::Body;
use kube::config::{KubeConfigOptions, Kubeconfig};

use super::ClusterOptions;
use crate::error::{Error, Result};

/// A connected client.
#[derive(Clone)]
pub struct Cluster {
    client: kube::Client,
    /// The API server URL, for messages and the archive manifest.
    pub url: String,
    timeout: Duration,
}

/// What a GET came to, after retries.
#[derive(Debug)]
pub enum Fetch {
    /// 200: the body.
    Ok(Bytes),
    /// 403, 404, 405: not for us to read; skipped with this reason.
    Skip(String),
    /// 410 Gone: a `continue` token expired; the list must restart.
    Gone,
    /// 5xx, 429, timeouts and dropped connections, after three tries.
    Failed(String),
    /// 401: the credentials are not accepted.
    Unauthorized(String),
}

/// Tries per request for errors a retry can cure.
const TRIES: u32 = 3;
/// The first back-off; doubled on each retry.
const BACKOFF: Duration = Duration::from_millis(250);
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

impl Cluster {
    /// Connects with credentials as kubectl finds them: `--kubeconfig`, else `KUBECONFIG` or
    /// `~/.kube/config`, else the in-cluster service account; `--context` picks the context.
    pub async fn connect(options: &ClusterOptions) -> Result<Cluster> {
        let kube_options = KubeConfigOptions {
            context: options.context.clone(),
            ..KubeConfigOptions::default()
        };
        let mut config = match &options.kubeconfig {
            Some(path) => {
                let kubeconfig = Kubeconfig::read_from(path)
                    .map_err(|e| Error::Cluster(format!("{}: cannot read kubeconfig: {}", path.display(), one_line(&e))))?;
                kube::Config::from_custom_kubeconfig(kubeconfig, &kube_options)
                    .await
                    .map_err(|e| Error::Cluster(format!("{}: {}", path.display(), one_line(&e))))?
            }
            None => match kube::Config::from_kubeconfig(&kube_options).await {
                Ok(config) => config,
                Err(kubeconfig_error) if options.context.is_none() => kube::Config::incluster().map_err(|_| {
                    Error::Cluster(format!(
                        "no cluster credentials: {} (and not running in a cluster); use --kubeconfig or set KUBECONFIG",
                        one_line(&kubeconfig_error)
                    ))
                })?,
                Err(e) => return Err(Error::Cluster(format!("kubeconfig: {}", one_line(&e)))),
            },
        };
        // driftlab retries itself (three tries, Retry-After honoured, failures recorded per type);
        // kube's own retry layer would hide the failures and stretch each request.
        config.default_retry = false;
        config.connect_timeout = Some(Duration::from_secs(10));
        config.read_timeout = Some(options.request_timeout);
        let url = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_string();
        let client = kube::Client::try_from(config).map_err(|e| {
            Error::Cluster(format!("{url}: cannot set up a client: {}", one_line(&e)))
        })?;
        Ok(Cluster {
            client,
            url,
            timeout: options.request_timeout,
        })
    }

    /// One GET, no retries: the status, the `Retry-After` delay, and the body; `Err` for a
    /// transport failure (refused, dropped, timed out).
    async fn get_once(
        &self,
        path: &str,
    ) -> std::result::Result<(StatusCode, Option<Duration>, Bytes), String> {
        let request = Request::get(path)
            .header(http::header::ACCEPT, "application/json")
            .body(Body::empty())
            .map_err(|e| e.to_string())?;
        let exchange = async {
            let response = self.client.send(request).await.map_err(|e| one_line(&e))?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|secs| Duration::from_secs(secs).min(MAX_RETRY_AFTER));
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| {
                    format!(
                        "connection dropped while reading the response: {}",
                        one_line(&e)
                    )
                })?
                .to_bytes();
            Ok((status, retry_after, body))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(format!("timed out after {} s", self.timeout.as_secs())),
        }
    }

    /// GETs `path`, retrying server errors, throttling and transport failures (three tries, with
    /// back-off, honouring `Retry-After`).
    pub async fn get(&self, path: &str) -> Fetch {
        let mut last_problem = String::new();
        for attempt in 0..TRIES {
            let wait = match self.get_once(path).await {
                Ok((status, _, body)) if status.is_success() => return Fetch::Ok(body),
                Ok((StatusCode::UNAUTHORIZED, _, body)) => {
                    return Fetch::Unauthorized(status_message(StatusCode::UNAUTHORIZED, &body));
                }
                Ok((
                    status @ (StatusCode::FORBIDDEN
                    | StatusCode::NOT_FOUND
                    | StatusCode::METHOD_NOT_ALLOWED),
                    _,
                    body,
                )) => {
                    return Fetch::Skip(skip_reason(status, &body));
                }
                Ok((StatusCode::GONE, _, _)) => return Fetch::Gone,
                Ok((status, retry_after, body))
                    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS =>
                {
                    last_problem = status_message(status, &body);
                    retry_after
                }
                Ok((status, _, body)) => return Fetch::Failed(status_message(status, &body)),
                Err(problem) => {
                    last_problem = problem;
                    None
                }
            };
            if attempt + 1 < TRIES {
                tokio::time::sleep(wait.unwrap_or(BACKOFF * 2u32.pow(attempt))).await;
            }
        }
        Fetch::Failed(format!("{last_problem} (after {TRIES} tries)"))
    }

    /// GETs and parses a JSON document; any other outcome is an error naming the path.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> std::result::Result<T, Fetch> {
        match self.get(path).await {
            Fetch::Ok(body) => serde_json::from_slice(&body).map_err(|e| {
                Fetch::Failed(format!(
                    "{path}: the server's answer is not the JSON expected: {e}"
                ))
            }),
            other => Err(other),
        }
    }
}

/// `403 Forbidden` → `forbidden`, as the original tool's `Skipped: … forbidden` lines.
fn skip_reason(status: StatusCode, _body: &[u8]) -> String {
    match status {
        StatusCode::FORBIDDEN => "forbidden".into(),
        StatusCode::NOT_FOUND => "not found".into(),
        StatusCode::METHOD_NOT_ALLOWED => "method not allowed".into(),
        other => other.to_string(),
    }
}

/// The status line plus the message of a Kubernetes `Status` body, if there is one.
fn status_message(status: StatusCode, body: &[u8]) -> String {
    let message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from));
    match message {
        Some(message) if !message.is_empty() => format!("{status}: {}", one_line(&message)),
        _ => status.to_string(),
    }
}

/// An error's text with its sources, on one line.
fn one_line(err: &dyn std::fmt::Display) -> String {
    err.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
