//! Connection slots: the server holds at most so many connections, and when all are taken a new
//! client gets the slot of the connection that has been quiet the longest (as nginx reuses idle
//! keep-alive connections when it runs short). Without that, a few hundred idle connections
//! would lock every new client out until they time out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// How long to wait for an asked connection to close before asking the next one: an idle
/// connection closes at once, one in the middle of an answer finishes it first.
const EVICTION_WAIT: Duration = Duration::from_millis(100);

/// The most connections asked to close at once.
const MAX_ASKS: usize = 64;

/// The connections being served, at most `capacity` at a time.
#[derive(Debug)]
pub(crate) struct Slots {
    permits: Arc<Semaphore>,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    next_id: u64,
    connections: HashMap<u64, Connection>,
}

#[derive(Debug)]
struct Connection {
    /// When it connected or last sent a request.
    last_active: Instant,
    /// Whether it was already asked to close.
    asked: bool,
    close: Arc<Notify>,
}

/// One connection's slot; freed when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    id: u64,
    slots: Arc<Slots>,
    close: Arc<Notify>,
    /// Whether the connection ever sent a whole request.
    requested: AtomicBool,
    _permit: OwnedSemaphorePermit,
}

impl Slots {
    /// Room for `capacity` connections (at least one).
    pub(crate) fn new(capacity: usize) -> Arc<Slots> {
        Arc::new(Slots {
            permits: Arc::new(Semaphore::new(capacity.clamp(1, Semaphore::MAX_PERMITS))),
            open: Mutex::default(),
        })
    }

    /// A slot for a connection just accepted. When all are taken, asks the connection quiet the
    /// longest to close (after its answer, if it is in the middle of one) and waits for a slot;
    /// if none frees up soon, asks more.
    pub(crate) async fn acquire(self: &Arc<Self>) -> Slot {
        // Each wait that frees nothing asks twice as many: those asked may all be busy.
        let mut asks = 1;
        loop {
            if let Ok(permit) = self.permits.clone().try_acquire_owned() {
                return self.register(permit);
            }
            self.ask_quietest_to_close(asks);
            asks = (asks * 2).min(MAX_ASKS);
            // The semaphore is never closed, so an error cannot happen; if it did, the wait
            // still bounds the loop.
            if let Ok(Ok(permit)) =
                tokio::time::timeout(EVICTION_WAIT, self.permits.clone().acquire_owned()).await
            {
                return self.register(permit);
            }
        }
    }

    fn register(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Slot {
        let close = Arc::new(Notify::new());
        let mut open = self.lock();
        let id = open.next_id;
        open.next_id += 1;
        open.connections.insert(
            id,
            Connection {
                last_active: Instant::now(),
                asked: false,
                close: close.clone(),
            },
        );
        Slot {
            id,
            slots: self.clone(),
            close,
            requested: AtomicBool::new(false),
            _permit: permit,
        }
    }

    /// Asks the `count` connections quiet the longest (and not asked yet) to close.
    fn ask_quietest_to_close(&self, count: usize) {
        let mut open = self.lock();
        let mut candidates: Vec<&mut Connection> =
            open.connections.values_mut().filter(|c| !c.asked).collect();
        candidates.sort_by_key(|c| c.last_active);
        for connection in candidates.into_iter().take(count) {
            connection.asked = true;
            // `notify_one` keeps the wake-up for a task not waiting yet.
            connection.close.notify_one();
        }
    }

    /// How many connections hold a slot.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().connections.len()
    }

    fn lock(&self) -> MutexGuard<'_, Open> {
        // The map stays consistent whatever panicked while holding it.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Slot {
    /// The connection sent a request: it is now the most recently active.
    pub(crate) fn touch(&self) {
        self.requested.store(true, Ordering::Relaxed);
        if let Some(connection) = self.slots.lock().connections.get_mut(&self.id) {
            connection.last_active = Instant::now();
        }
    }

    /// Whether the connection ever sent a whole request.
    pub(crate) fn ever_requested(&self) -> bool {
        self.requested.load(Ordering::Relaxed)
    }

    /// Resolves when the server wants this connection's slot for a new client.
    pub(crate) async fn closing(&self) {
        self.close.notified().await;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.lock().connections.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_server_asks_the_quietest_connection_to_close() {
        let slots = Slots::new(2);
        let old = slots.acquire().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let recent = slots.acquire().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        // The old connection sends a request: now the other one is the quietest.
        assert!(!old.ever_requested());
        old.touch();
        assert!(old.ever_requested());
        assert_eq!(slots.len(), 2);
        let waiting = tokio::spawn({
            let slots = slots.clone();
            async move { slots.acquire().await }
        });
        tokio::time::timeout(Duration::from_secs(1), recent.closing())
            .await
            .expect("the quietest connection is asked to close");
        drop(recent);
        let third = waiting.await.expect("a slot for the new connection");
        assert_eq!(slots.len(), 2);
        // `old` was never asked.
        assert!(
            tokio::time::timeout(Duration::from_millis(10), old.closing())
                .await
                .is_err()
        );
        drop((old, third));
        assert_eq!(slots.len(), 0);
    }

    #[tokio::test]
    async fn a_connection_that_does_not_close_is_passed_over() {
        let slots = Slots::new(2);
        let busy = slots.acquire().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
        let idle = slots.acquire().await;
        let waiting = tokio::spawn({
            let slots = slots.clone();
            async move { slots.acquire().await }
        });
        // The busy one is asked first, takes its time; then the idle one is asked and goes.
        busy.closing().await;
        idle.closing().await;
        drop(idle);
        let _new = waiting.await.expect("a slot");
        drop(busy);
        assert_eq!(slots.len(), 1);
    }
}
