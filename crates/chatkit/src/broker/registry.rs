//! What the broker remembers about the secrets it minted (the API has no way to look a session up
//! by its secret): a hash of each client secret mapped to its session, owner and workflow, and the
//! refreshes in flight, so concurrent refreshes share one upstream call.
//!
//! Both sit behind small traits with in-memory implementations, so a shared store (Redis) can
//! replace them when several instances serve one site.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};

use futures::future::{BoxFuture, FutureExt, Shared};
use sha2::{Digest, Sha256};

/// A minted session, as the registry keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// Upstream session id (`cksess_…`).
    pub session_id: String,
    /// The identity it was minted for.
    pub identity: String,
    /// The workflow.
    pub workflow: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// Minted with a caller's own key (bring-your-own-key route).
    pub caller_key: bool,
}

/// The SHA-256 of a client secret: secrets themselves are never stored.
pub fn secret_digest(client_secret: &str) -> [u8; 32] {
    Sha256::digest(client_secret.as_bytes()).into()
}

/// Client-secret digests to sessions.
pub trait SessionRegistry: Send + Sync + fmt::Debug {
    /// Remembers a minted session.
    fn insert(&self, client_secret: &str, record: SessionRecord);
    /// Looks a secret up; expired entries are not returned.
    fn get(&self, client_secret: &str, now_unix: i64) -> Option<SessionRecord>;
    /// Forgets a secret; returns whether it was known (so only one of several callers acts on it).
    fn remove(&self, client_secret: &str) -> bool;
}

/// An in-memory registry holding at most `capacity` entries, oldest evicted first. An evicted
/// secret is treated like an unknown one (a refresh becomes a fresh start for the caller's own
/// identity), so eviction never grants access, it only forgets.
#[derive(Debug)]
pub struct MemoryRegistry {
    inner: Mutex<RegistryInner>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct RegistryInner {
    entries: HashMap<[u8; 32], SessionRecord>,
    order: VecDeque<[u8; 32]>,
}

impl MemoryRegistry {
    /// A registry of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(RegistryInner::default()),
            capacity: capacity.max(1),
        }
    }
}

impl SessionRegistry for MemoryRegistry {
    fn insert(&self, client_secret: &str, record: SessionRecord) {
        let digest = secret_digest(client_secret);
        let mut inner = self.inner.lock().expect("registry lock");
        if inner.entries.insert(digest, record).is_none() {
            inner.order.push_back(digest);
        }
        while inner.entries.len() > self.capacity || inner.order.len() > self.capacity * 2 {
            match inner.order.pop_front() {
                Some(oldest) => {
                    inner.entries.remove(&oldest);
                }
                None => break,
            }
        }
    }

    fn get(&self, client_secret: &str, now_unix: i64) -> Option<SessionRecord> {
        let digest = secret_digest(client_secret);
        let inner = self.inner.lock().expect("registry lock");
        inner
            .entries
            .get(&digest)
            .filter(|record| record.expires_at > now_unix)
            .cloned()
    }

    fn remove(&self, client_secret: &str) -> bool {
        let digest = secret_digest(client_secret);
        self.inner
            .lock()
            .expect("registry lock")
            .entries
            .remove(&digest)
            .is_some()
    }
}

/// Runs one future per key at a time: callers arriving while it runs share its result.
pub struct SingleFlight<T: Clone> {
    inflight: Arc<Mutex<HashMap<String, Shared<BoxFuture<'static, T>>>>>,
}

impl<T: Clone> fmt::Debug for SingleFlight<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SingleFlight").finish_non_exhaustive()
    }
}

impl<T: Clone> Default for SingleFlight<T> {
    fn default() -> Self {
        Self {
            inflight: Arc::default(),
        }
    }
}

impl<T: Clone + Send + Sync + 'static> SingleFlight<T> {
    /// Runs `make()` for `key`, or joins the run already under way.
    pub async fn run<F>(&self, key: String, make: impl FnOnce() -> F) -> T
    where
        F: std::future::Future<Output = T> + Send + 'static,
    {
        let shared = {
            let mut inflight = self.inflight.lock().expect("singleflight lock");
            inflight
                .entry(key.clone())
                .or_insert_with(|| make().boxed().shared())
                .clone()
        };
        let result = shared.clone().await;
        let mut inflight = self.inflight.lock().expect("singleflight lock");
        if inflight
            .get(&key)
            .is_some_and(|current| current.ptr_eq(&shared))
        {
            inflight.remove(&key);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn record(identity: &str) -> SessionRecord {
        SessionRecord {
            session_id: "cksess_1".into(),
            identity: identity.into(),
            workflow: "wf_1".into(),
            expires_at: 1_000,
            caller_key: false,
        }
    }

    #[test]
    fn the_registry_forgets_expired_and_evicted_secrets() {
        let registry = MemoryRegistry::new(2);
        registry.insert("ek_a", record("a"));
        assert_eq!(registry.get("ek_a", 999).unwrap().identity, "a");
        assert!(
            registry.get("ek_a", 1_000).is_none(),
            "expired at expires_at"
        );
        registry.insert("ek_b", record("b"));
        registry.insert("ek_c", record("c"));
        assert!(registry.get("ek_a", 0).is_none(), "oldest evicted");
        assert!(registry.get("ek_c", 0).is_some());
    }

    #[tokio::test]
    async fn concurrent_runs_for_one_key_share_one_call() {
        let flight: Arc<SingleFlight<u32>> = Arc::default();
        let calls = Arc::new(AtomicU32::new(0));
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        let wait = wait.shared();
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let (flight, calls, wait) = (flight.clone(), calls.clone(), wait.clone());
            tasks.push(tokio::spawn(async move {
                flight
                    .run("k".into(), move || async move {
                        calls.fetch_add(1, Ordering::SeqCst);
                        let _ = wait.await;
                        7
                    })
                    .await
            }));
        }
        tokio::task::yield_now().await;
        release.send(()).unwrap();
        for task in tasks {
            assert_eq!(task.await.unwrap(), 7);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let again = flight.run("k".into(), || async { 8 }).await;
        assert_eq!(again, 8, "a later run starts afresh");
    }
}
