//! The one async runtime of the process: built the first time something asynchronous runs (a
//! cluster read, a bucket request, the API server, waiting for a signal) and shared by all of
//! them, so that `history` over thirty archives in a bucket starts one runtime, not thirty.
//!
//! Code below the commands is synchronous and calls [`block_on`] where it needs the network;
//! no asynchronous code calls back into it (a `block_on` inside the runtime would panic).

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Runtime;

use crate::error::{Error, Result};

/// Two workers: the machines driftlab runs on (a CronJob with a CPU limit, a CI runner) are small,
/// and its asynchronous work waits on the network far more than it computes.
const WORKERS: usize = 2;

static RUNTIME: OnceLock<std::result::Result<Runtime, String>> = OnceLock::new();

/// The shared runtime, built on first use.
pub fn shared() -> Result<&'static Runtime> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(WORKERS)
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start the async runtime: {e}"))
        })
        .as_ref()
        .map_err(|message| Error::Runtime(message.clone()))
}

/// Runs `future` to its end on the shared runtime, from synchronous code.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    Ok(shared()?.block_on(future))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_runtime_serves_every_caller() {
        let first = shared().unwrap() as *const Runtime;
        let second = shared().unwrap() as *const Runtime;
        assert_eq!(first, second);
        assert_eq!(block_on(async { 40 + 2 }).unwrap(), 42);
        // Work spawned from one call is still served in the next.
        let handle = shared().unwrap().spawn(async { 7 });
        assert_eq!(block_on(handle).unwrap().unwrap(), 7);
    }
}
