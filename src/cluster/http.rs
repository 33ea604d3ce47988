//! One GET at a time against the API server, and what its answer means for the caller.
//!
//! Every body is read through two limits checked while it arrives: one per response
//! ([`RESPONSE_LIMIT`], or less) and one for everything read from the cluster in this run
//! (`--max-bytes`). A server that streams an endless body costs a bounded amount of memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use kube::client::Body;
use kube::config::{KubeConfigOptions, Kubeconfig};

use super::ClusterOptions;
use crate::error::{Error, Result};
use crate::source::human_bytes;

/// The largest single response accepted: a page of 500 objects is a few MiB; etcd stores at most
/// about 1.5 MiB per object, so even a page of the largest objects fits.
pub const RESPONSE_LIMIT: u64 = 128 << 20;

/// A connected client.
#[derive(Clone)]
pub struct Cluster {
    client: kube::Client,
    /// The API server URL, for messages and the archive manifest.
    pub url: String,
    /// The namespace of the kubeconfig context (or of the in-cluster service account).
    pub default_namespace: String,
    timeout: Duration,
    budget: Arc<Budget>,
    /// HTTP requests sent so far, retries included: what a read costs the API server.
    requests: Arc<AtomicU64>,
}

/// The bytes one run may still read from the cluster.
struct Budget {
    limit: u64,
    used: AtomicU64,
}

/// What a GET came to, after retries.
#[derive(Debug)]
pub enum Fetch {
    /// 200: the body.
    Ok(Bytes),
    /// 403: this account may not read it.
    Forbidden(String),
    /// 404, 405: not served here.
    NotServed(String),
    /// 410 Gone: a `continue` token expired; the list must restart.
    Gone,
    /// The body is larger than the limit of one response.
    TooLarge(String),
    /// 5xx, 429, timeouts, dropped connections (after three tries), and other statuses.
    Failed(String),
    /// 401: the credentials are not accepted.
    Unauthorized(String),
    /// More than `--max-bytes` was read from the cluster in this run.
    OverBudget(String),
}

/// Tries per request for errors a retry can cure.
const TRIES: u32 = 3;
/// The first back-off; doubled on each retry.
const BACKOFF: Duration = Duration::from_millis(250);
/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Why reading a body stopped early.
enum BodyProblem {
    TooLarge(u64),
    OverBudget(u64),
    Transport(String),
}

impl Cluster {
    /// Connects with credentials as kubectl finds them: `--kubeconfig`, else `KUBECONFIG` or
    /// `~/.kube/config`, else the in-cluster service account; `--context` picks the context.
    pub async fn connect(options: &ClusterOptions) -> Result<Cluster> {
        let mut config = config(options).await?;
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
        let default_namespace = config.default_namespace.clone();
        let client = kube::Client::try_from(config).map_err(|e| {
            Error::Cluster(format!("{url}: cannot set up a client: {}", one_line(&e)))
        })?;
        Ok(Cluster {
            client,
            url,
            default_namespace,
            timeout: options.request_timeout,
            budget: Arc::new(Budget {
                limit: options.max_bytes,
                used: AtomicU64::new(0),
            }),
            requests: Arc::new(AtomicU64::new(0)),
        })
    }

    /// How many HTTP requests were sent so far, each retry counted.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// One GET, no retries: the status, the `Retry-After` delay, and the body; `Err` for a
    /// transport failure (refused, dropped, timed out) or a body over a limit.
    async fn get_once(
        &self,
        path: &str,
        limit: u64,
    ) -> std::result::Result<(StatusCode, Option<Duration>, Bytes), BodyProblem> {
        let request = Request::get(path)
            .header(http::header::ACCEPT, "application/json")
            .body(Body::empty())
            .map_err(|e| BodyProblem::Transport(e.to_string()))?;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let exchange = async {
            let response = self
                .client
                .send(request)
                .await
                .map_err(|e| BodyProblem::Transport(one_line(&e)))?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(http::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|secs| Duration::from_secs(secs).min(MAX_RETRY_AFTER));
            let body = self.read_body(response.into_body(), limit).await?;
            Ok((status, retry_after, body))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Ok(result) => result,
            Err(_) => Err(BodyProblem::Transport(format!(
                "timed out after {} s",
                self.timeout.as_secs()
            ))),
        }
    }

    /// Reads a body frame by frame, stopping as soon as it passes `limit` or the run's budget.
    async fn read_body(
        &self,
        mut body: Body,
        limit: u64,
    ) -> std::result::Result<Bytes, BodyProblem> {
        let mut buffer = BytesMut::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                BodyProblem::Transport(format!(
                    "connection dropped while reading the response: {}",
                    one_line(&e)
                ))
            })?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let size = data.len() as u64;
            let used = self.budget.used.fetch_add(size, Ordering::Relaxed) + size;
            if used > self.budget.limit {
                return Err(BodyProblem::OverBudget(self.budget.limit));
            }
            if buffer.len() as u64 + size > limit {
                return Err(BodyProblem::TooLarge(limit));
            }
            buffer.extend_from_slice(&data);
        }
        Ok(buffer.freeze())
    }

    /// GETs `path`, retrying server errors, throttling and transport failures (three tries, with
    /// back-off, honouring `Retry-After`). The body may be at most `limit` bytes.
    pub async fn get_limited(&self, path: &str, limit: u64) -> Fetch {
        let mut last_problem = String::new();
        for attempt in 0..TRIES {
            let wait = match self.get_once(path, limit.min(RESPONSE_LIMIT)).await {
                Ok((status, _, body)) if status.is_success() => return Fetch::Ok(body),
                Ok((status, retry_after, body)) => match classify(status, &body) {
                    Outcome::Final(fetch) => return fetch,
                    Outcome::Retry(problem) => {
                        last_problem = problem;
                        retry_after
                    }
                },
                Err(BodyProblem::TooLarge(limit)) => {
                    return Fetch::TooLarge(format!(
                        "the response is larger than {}",
                        human_bytes(limit)
                    ));
                }
                Err(BodyProblem::OverBudget(limit)) => {
                    return Fetch::OverBudget(format!(
                        "more than {} read from the cluster; --max-bytes raises the limit",
                        human_bytes(limit)
                    ));
                }
                Err(BodyProblem::Transport(problem)) => {
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

    /// [`Cluster::get_limited`] with the largest response limit.
    pub async fn get(&self, path: &str) -> Fetch {
        self.get_limited(path, RESPONSE_LIMIT).await
    }

    /// GETs and parses a JSON document; any other outcome is returned as it came.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> std::result::Result<T, Fetch> {
        match self.get(path).await {
            Fetch::Ok(body) => serde_json::from_slice(&body).map_err(|e| {
                Fetch::Failed(format!(
                    "the answer to {path} is not the JSON document expected ({})",
                    one_line(&e)
                ))
            }),
            other => Err(other),
        }
    }
}

/// What a non-success status means: final, or worth another try.
enum Outcome {
    Final(Fetch),
    Retry(String),
}

fn classify(status: StatusCode, body: &[u8]) -> Outcome {
    match status {
        StatusCode::UNAUTHORIZED => {
            Outcome::Final(Fetch::Unauthorized(status_message(status, body)))
        }
        StatusCode::FORBIDDEN => Outcome::Final(Fetch::Forbidden("forbidden".into())),
        StatusCode::NOT_FOUND => Outcome::Final(Fetch::NotServed("not found (404)".into())),
        StatusCode::METHOD_NOT_ALLOWED => {
            Outcome::Final(Fetch::NotServed("method not allowed (405)".into()))
        }
        StatusCode::GONE => Outcome::Final(Fetch::Gone),
        status if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS => {
            Outcome::Retry(status_message(status, body))
        }
        status => Outcome::Final(Fetch::Failed(status_message(status, body))),
    }
}

/// The client configuration as kubectl would find it.
async fn config(options: &ClusterOptions) -> Result<kube::Config> {
    let kube_options = KubeConfigOptions {
        context: options.context.clone(),
        ..KubeConfigOptions::default()
    };
    match &options.kubeconfig {
        Some(path) => {
            let kubeconfig = Kubeconfig::read_from(path).map_err(|e| {
                Error::Cluster(format!(
                    "{}: cannot read kubeconfig: {}",
                    path.display(),
                    one_line(&e)
                ))
            })?;
            kube::Config::from_custom_kubeconfig(kubeconfig, &kube_options)
                .await
                .map_err(|e| Error::Cluster(format!("{}: {}", path.display(), one_line(&e))))
        }
        None => match kube::Config::from_kubeconfig(&kube_options).await {
            Ok(config) => Ok(config),
            Err(kubeconfig_error) if options.context.is_none() => {
                kube::Config::incluster().map_err(|_| {
                    Error::Cluster(format!(
                        "no cluster credentials: {} (and not running in a cluster); use --kubeconfig or set KUBECONFIG",
                        one_line(&kubeconfig_error)
                    ))
                })
            }
            Err(e) => Err(Error::Cluster(format!("kubeconfig: {}", one_line(&e)))),
        },
    }
}

/// The status line plus the message of a Kubernetes `Status` body, if there is one.
fn status_message(status: StatusCode, body: &[u8]) -> String {
    let message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from));
    match message {
        Some(message) if !message.is_empty() => {
            let message = one_line(&message);
            // A hostile server's message is data: keep it short.
            let short: String = message.chars().take(200).collect();
            format!("{status}: {short}")
        }
        _ => status.to_string(),
    }
}

/// An error's text with its sources, on one line.
pub(crate) fn one_line(err: &dyn std::fmt::Display) -> String {
    err.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
