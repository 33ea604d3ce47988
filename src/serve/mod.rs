//! `driftlab serve`: any snapshot the readers accept, served as a read-only Kubernetes API, so an
//! engineer can browse last week's state with kubectl:
//! `kubectl --server http://127.0.0.1:8001 get dc -n myproject -o yaml`.

mod accept;
pub mod api;
mod selector;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::{Body as _, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::error::{Error, Result};
use api::Answer;
pub use api::Api;

/// Where and how to serve.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// Allow a non-loopback address.
    pub allow_remote: bool,
}

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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
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
            result = serve(listener, Arc::new(api)) => result,
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })
}

/// Accepts connections on `listener` and answers them from `api`, forever.
pub async fn serve(listener: TcpListener, api: Arc<Api>) -> Result<()> {
    let mut backoff = accept::Backoff::default();
    loop {
        let stream = accept::accept(&listener, &mut backoff).await;
        let api = api.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let api = api.clone();
                async move { Ok::<_, Infallible>(answer(&api, &request)) }
            });
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn answer(api: &Api, request: &Request<Incoming>) -> Response<Full<Bytes>> {
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
    let mut response = respond(answer, head);
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

fn respond(answer: Answer, head: bool) -> Response<Full<Bytes>> {
    let body = if head {
        Bytes::new()
    } else {
        Bytes::from(answer.body)
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(answer.content_type),
    );
    response
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
    fn a_panic_in_answering_is_a_500_status() {
        let answer = guarded(|| panic!("a bug"));
        assert_eq!(answer.status, 500);
        let status: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(status["kind"], "Status");
        assert_eq!(status["reason"], "InternalError");
        assert_eq!(status["code"], 500);
    }
}
