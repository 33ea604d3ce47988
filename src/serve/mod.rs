//! `driftlab serve`: any snapshot the readers accept, served as a read-only Kubernetes API, so an
//! engineer can browse last week's state with kubectl:
//! `kubectl --server http://127.0.0.1:8001 get dc -n myproject -o yaml`.
//!
//! No client can take the server from the others: every connection must send its request head
//! in time and read its answer, the server holds a bounded number of connections (a new client
//! takes the slot of the quietest one when all are taken), accept errors are waited out, and a
//! bug in answering one request costs that request a `500`, never the connection or the server.

mod accept;
pub mod api;
mod openapi;
mod selector;
mod slots;
mod stall;
mod table;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt as _;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt as _, Full, StreamBody};
use hyper::body::{Body as _, Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};

use crate::error::{Error, Result};
use api::Answer;
pub use api::Api;
use slots::{Slot, Slots};
use stall::WriteTimeout;

/// Where and how to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// Allow a non-loopback address.
    pub allow_remote: bool,
    /// Timeouts and the connection limit.
    pub limits: Limits,
}

/// The bounds that keep one client from hanging or starving the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// How long a connection may take to send a request head, counted from when it connected
    /// or got its previous answer; so it is also how long an idle keep-alive connection is kept.
    pub header_timeout: Duration,
    /// How long writing an answer may make no progress (the client not reading) before the
    /// connection is dropped.
    pub write_timeout: Duration,
    /// Connections held at once; `None`: as many as the file-descriptor limit leaves room for,
    /// at most [`Limits::DEFAULT_MAX_CONNECTIONS`].
    pub max_connections: Option<usize>,
}

impl Limits {
    /// A request head within 10 s: kubectl sends its own at once, and reuses a connection
    /// within a command, so only a stuck or hostile client waits that long.
    pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
    /// 30 s without the client reading a byte of its answer.
    pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);
    /// Far more than kubectl sessions need, few enough to keep memory small.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
    /// File descriptors kept for the process itself (standard streams, the listener, the
    /// runtime's own) and the one connection accepted beyond the limit while a slot frees up.
    const RESERVED_DESCRIPTORS: u64 = 16;

    /// The connection limit in force.
    pub fn connections(&self) -> usize {
        self.max_connections
            .unwrap_or_else(|| connections_for(descriptor_limit()))
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Limits::DEFAULT_HEADER_TIMEOUT,
            write_timeout: Limits::DEFAULT_WRITE_TIMEOUT,
            max_connections: None,
        }
    }
}

/// The default connection limit under a file-descriptor limit of `descriptors`.
fn connections_for(descriptors: Option<u64>) -> usize {
    let room = descriptors.map_or(u64::MAX, |d| {
        d.saturating_sub(Limits::RESERVED_DESCRIPTORS).max(1)
    });
    usize::try_from(room)
        .unwrap_or(usize::MAX)
        .min(Limits::DEFAULT_MAX_CONNECTIONS)
}

/// The soft limit on open file descriptors, if there is one.
#[cfg(unix)]
fn descriptor_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Nofile).current
}

#[cfg(not(unix))]
fn descriptor_limit() -> Option<u64> {
    None
}

/// The largest request head (request line and headers) read: real ones are well under 8 KiB;
/// this keeps hundreds of connections sending huge heads to a few megabytes in all.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// The most header fields in a request head.
const MAX_HEADERS: usize = 100;

/// Checks the address: loopback only unless remote serving was asked for.
pub fn check_listen(options: &ServeOptions) -> Result<()> {
    if !options.listen.ip().is_loopback() && !options.allow_remote {
        return Err(Error::Usage(format!(
            "refusing to serve on {}: not a loopback address (--allow-remote serves the snapshot to the network)",
            options.listen
        )));
    }
    Ok(())
}

/// Serves `api` until interrupted. Prints the URL on stdout once listening.
pub fn run(api: Api, options: &ServeOptions) -> Result<()> {
    check_listen(options)?;
    crate::runtime::block_on(async {
        let listener = TcpListener::bind(options.listen)
            .await
            .map_err(|e| Error::io(options.listen.to_string(), e))?;
        let address = listener
            .local_addr()
            .map_err(|e| Error::io(options.listen.to_string(), e))?;
        // Whoever started us may stop reading stdout; serving goes on regardless.
        use std::io::Write as _;
        let mut stdout = std::io::stdout();
        let _ = writeln!(
            stdout,
            "Serving {} ({} objects) at http://{address}",
            api.label, api.objects
        );
        let _ = writeln!(stdout, "  kubectl --server http://{address} api-resources");
        let _ = stdout.flush();
        tokio::select! {
            result = serve(listener, Arc::new(api), options.limits) => result,
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })?
}

/// Accepts connections on `listener` and answers them from `api`, forever.
pub async fn serve(listener: TcpListener, api: Arc<Api>, limits: Limits) -> Result<()> {
    let slots = Slots::new(limits.connections());
    let http = http_builder(&limits);
    let mut backoff = accept::Backoff::default();
    loop {
        let stream = accept::accept(&listener, &mut backoff).await;
        // Accepted first, so that a full server frees a slot only when someone waits for one.
        let slot = slots.acquire().await;
        tokio::spawn(serve_connection(
            stream,
            api.clone(),
            slot,
            http.clone(),
            limits.write_timeout,
        ));
    }
}

/// HTTP/1.1 with the limits on request heads.
fn http_builder(limits: &Limits) -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        // hyper starts this clock whenever it waits for a request head: on a new connection
        // and after each answer, so it is the idle keep-alive timeout too.
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS);
    builder
}

/// Serves one connection until it closes, times out, or its slot is wanted.
async fn serve_connection(
    stream: TcpStream,
    api: Arc<Api>,
    slot: Slot,
    http: http1::Builder,
    write_timeout: Duration,
) {
    let slot = Arc::new(slot);
    let io = TokioIo::new(WriteTimeout::new(stream, write_timeout));
    // Tells this connection's open watches to end, when its slot is wanted.
    let (stop_watches, watches_stop) = tokio::sync::watch::channel(false);
    let service = {
        let slot = slot.clone();
        service_fn(move |request: Request<Incoming>| {
            slot.touch();
            let response = answer(&api, &request, watches_stop.clone());
            async move { Ok::<_, Infallible>(response) }
        })
    };
    let connection = http.serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        () = slot.closing() => {
            // A connection that never sent a whole request has nothing to finish, and hyper
            // would wait for its request head (up to the header timeout): drop it now.
            if slot.ever_requested() {
                let _ = stop_watches.send(true);
                // Closes an idle connection now (even one halfway through sending its next
                // request head), a busy one after its answer.
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        }
    }
}

/// The body of an answer: whole, or a watch's stream.
type Body = UnsyncBoxBody<Bytes, Infallible>;

fn answer(
    api: &Api,
    request: &Request<Incoming>,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Response<Body> {
    let accept = request
        .headers()
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let uri = request.uri();
    let answer = guarded(|| {
        api.handle(
            request.method().as_str(),
            uri.path(),
            uri.query().unwrap_or(""),
            accept,
        )
    });
    let head = request.method() == http::Method::HEAD;
    let mut response = respond(answer, head, stop);
    // Every request with a body is refused, unread: say the connection ends here, so that
    // hyper need not read (or the client send) the rest of it.
    if !request.body().is_end_stream() {
        response
            .headers_mut()
            .insert(http::header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// What `handle` answers, or a `500` if it panics: a bug in answering one request must not
/// cost the client its connection (hyper would close it without a word).
fn guarded(handle: impl FnOnce() -> Answer) -> Answer {
    // The API is read-only: a panic leaves nothing half-changed behind.
    catch_unwind(AssertUnwindSafe(handle)).unwrap_or_else(|_| api::internal_error())
}

fn respond(answer: Answer, head: bool, stop: tokio::sync::watch::Receiver<bool>) -> Response<Body> {
    let body = match (head, answer.watch) {
        (true, _) => Full::new(Bytes::new()).boxed_unsync(),
        (false, Some(watch)) => watch_body(watch, stop),
        (false, None) => Full::new(Bytes::from(answer.body)).boxed_unsync(),
    };
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(answer.content_type),
    );
    response
}

/// A watch's events, then nothing until its timeout, the server wanting the connection's slot
/// (`stop`), or the client going away (hyper then drops the body). Quiet is not a stall: the
/// write timeout counts only while a write waits for the client.
fn watch_body(watch: api::Watch, mut stop: tokio::sync::watch::Receiver<bool>) -> Body {
    let events = futures::stream::iter(watch.events)
        .map(|event| Ok::<_, Infallible>(Frame::data(Bytes::from(event))));
    let timeout = watch.timeout;
    let quiet = futures::stream::once(async move {
        tokio::select! {
            () = tokio::time::sleep(timeout) => {}
            _ = stop.wait_for(|stopping| *stopping) => {}
        }
    })
    .filter_map(|()| async { None });
    StreamBody::new(events.chain(quiet)).boxed_unsync()
}

/// The proptest settings of the unit tests here: `cases` runs unless `PROPTEST_CASES` asks for
/// more (or fewer).
#[cfg(test)]
pub(crate) fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let mut config = proptest::test_runner::Config::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_limit_leaves_room_for_the_process() {
        assert_eq!(connections_for(None), 256);
        assert_eq!(connections_for(Some(1024 * 1024)), 256);
        assert_eq!(connections_for(Some(64)), 48);
        assert_eq!(connections_for(Some(10)), 1);
        let fixed = Limits {
            max_connections: Some(7),
            ..Limits::default()
        };
        assert_eq!(fixed.connections(), 7);
    }

    #[test]
    fn a_panic_in_answering_is_a_500_status() {
        let answer = guarded(|| panic!("a bug"));
        assert_eq!(answer.status, 500);
        let status: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(status["kind"], "Status");
        assert_eq!(status["reason"], "InternalError");
        assert_eq!(status["code"], 500);
    }
}
