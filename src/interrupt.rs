//! Stopping on a signal: long waits (reading a cluster, uploading an archive) race against
//! SIGINT, SIGTERM and SIGHUP, so that a stopped run cleans up after itself (no temporary file,
//! no half-finished upload) and exits 2, instead of dying half way or ignoring the signal.

/// Waits for SIGINT, SIGTERM or SIGHUP and names it.
pub async fn signalled() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hangup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            let _ = tokio::signal::ctrl_c().await;
            return "SIGINT";
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => "SIGINT",
            _ = term.recv() => "SIGTERM",
            _ = hangup.recv() => "SIGHUP",
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "an interrupt"
    }
}
