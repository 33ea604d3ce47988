//! `driftlab idle` (hidden): waits until the process is told to stop. It is the process of the
//! archive browser pod, whose distroless image has no shell and no `sleep`; as PID 1 a process
//! gets no default signal handling, so SIGTERM is caught here and the pod stops at once instead
//! of after its grace period.

use crate::error::{Error, ExitStatus, Result};

/// Waits for SIGTERM or SIGINT, then exits 0.
pub fn run() -> Result<ExitStatus> {
    crate::runtime::block_on(stopped())??;
    Ok(ExitStatus::Clean)
}

#[cfg(unix)]
async fn stopped() -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let listen = |kind: SignalKind| {
        signal(kind).map_err(|e| Error::Runtime(format!("cannot listen for signals: {e}")))
    };
    let mut terminate = listen(SignalKind::terminate())?;
    let mut interrupt = listen(SignalKind::interrupt())?;
    ready();
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
    }
    Ok(())
}

#[cfg(not(unix))]
async fn stopped() -> Result<()> {
    let interrupt = tokio::signal::ctrl_c();
    ready();
    interrupt
        .await
        .map_err(|e| Error::Runtime(format!("cannot listen for signals: {e}")))
}

/// Says, once the signals are caught, that stopping is now clean (for `kubectl logs` and tests).
fn ready() {
    use std::io::Write as _;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "driftlab idle: waiting until stopped");
    let _ = stdout.flush();
}
