//! `driftlab serve`: any snapshot the readers accept, served as a read-only Kubernetes API, so an
//! engineer can browse last week's state with kubectl:
//! `kubectl --server http://127.0.0.1:8001 get dc -n myproject -o yaml`.

pub mod api;
mod selector;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use crate::error::{Error, Result};
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
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(connection) => connection,
            // Out of file descriptors and the like: keep serving the others.
            Err(_) => continue,
        };
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
    let answer = api.handle(
        request.method().as_str(),
        uri.path(),
        uri.query().unwrap_or(""),
        accept,
    );
    let head = request.method() == http::Method::HEAD;
    Response::builder()
        .status(answer.status)
        .header(http::header::CONTENT_TYPE, answer.content_type)
        .body(Full::new(if head {
            Bytes::new()
        } else {
            Bytes::from(answer.body)
        }))
        .expect("a valid response")
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
