//! Accepting connections without spinning: when `accept` fails for want of resources (out of
//! file descriptors, say), trying again at once fails again at once, and the loop would burn a
//! core while the clients it cannot accept time out. So it waits, longer each time.

use std::io;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

/// The first wait after a failed accept.
const FIRST_WAIT: Duration = Duration::from_millis(50);
/// The longest wait: how late a new client may be served once resources free up.
const LONGEST_WAIT: Duration = Duration::from_secs(1);

/// Waits between failed accepts: 50 ms, doubling up to 1 s, back to 50 ms after a success.
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    failures: u32,
}

impl Backoff {
    /// How long to wait after one more failure.
    pub(crate) fn fail(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        let doublings = (self.failures - 1).min(16);
        FIRST_WAIT.saturating_mul(1 << doublings).min(LONGEST_WAIT)
    }

    /// Whether the last failure was the first after a success.
    pub(crate) fn first_failure(&self) -> bool {
        self.failures == 1
    }

    /// An accept worked.
    pub(crate) fn reset(&mut self) {
        self.failures = 0;
    }
}

/// The next connection. Errors that concern one client only are skipped; the others (the
/// process or the system is out of something) are waited out, and said once per run of them.
pub(crate) async fn accept(listener: &TcpListener, backoff: &mut Backoff) -> TcpStream {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                backoff.reset();
                return stream;
            }
            Err(error) if concerns_one_client(&error) => continue,
            Err(error) => {
                let wait = backoff.fail();
                if backoff.first_failure() {
                    crate::messages::warning(&format!(
                        "serve: cannot accept connections ({error}); retrying, at most every {LONGEST_WAIT:?}"
                    ));
                }
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// Whether an accept error is about the connection at hand (which is gone) rather than about
/// the process or the system.
fn concerns_one_client(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_a_second_and_start_over_after_a_success() {
        let mut backoff = Backoff::default();
        let waits: Vec<u128> = (0..8).map(|_| backoff.fail().as_millis()).collect();
        assert_eq!(waits, [50, 100, 200, 400, 800, 1000, 1000, 1000]);
        assert!(!backoff.first_failure());
        for _ in 0..100 {
            backoff.fail();
        }
        assert_eq!(backoff.fail(), LONGEST_WAIT);
        backoff.reset();
        assert_eq!(backoff.fail(), FIRST_WAIT);
        assert!(backoff.first_failure());
    }

    #[test]
    fn out_of_descriptors_is_not_one_clients_problem() {
        let emfile = io::Error::from_raw_os_error(24);
        assert!(!concerns_one_client(&emfile));
        assert!(concerns_one_client(&io::Error::from(
            io::ErrorKind::ConnectionAborted
        )));
    }
}
