//! What a request carries besides its body ([`RequestContext`]), and the thread a responder works
//! on ([`ThreadHandle`]).
//!
//! The reference passes `thread: ThreadMetadata` to `respond` and notices afterwards when the
//! responder changed it. Here the responder's event stream outlives the call (it is `'static`, so
//! the engine can drive it from its own task), so the thread is a shared handle instead: the
//! responder changes title, status or metadata through it at any time, and the pipeline saves the
//! thread and emits `thread.updated` after the next event (and once more at the end).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chatkit_store::{Store, StoreContext, StoreResult};
use chatkit_types::{JsonObject, Order, Page, ThreadItem, ThreadMetadata, ThreadStatus};

/// Everything about a request that is not in its body: who asks (identity and agent, passed to
/// every store call) and the per-request state variables the binary parsed from its header.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestContext {
    /// Identity and agent; scopes every store call.
    pub store_ctx: StoreContext,
    /// Per-request state variables (for agents that declare them); empty when none were sent.
    pub state: JsonObject,
    /// The origin the client reached the server at (`https://chat.example.com`), when the binary
    /// knows it: attachment handlers build absolute upload and preview URLs from it (the wire
    /// types are absolute URLs, and the widget runs in a frame of another origin).
    pub origin: Option<String>,
}

impl RequestContext {
    /// A context for `identity` talking to `agent`, with no state variables.
    pub fn new(identity: impl Into<String>, agent: impl Into<String>) -> Self {
        Self {
            store_ctx: StoreContext {
                identity: identity.into(),
                agent: agent.into(),
            },
            state: JsonObject::new(),
            origin: None,
        }
    }

    /// Sets the state variables.
    pub fn with_state(mut self, state: JsonObject) -> Self {
        self.state = state;
        self
    }

    /// Sets the origin the client reached the server at.
    pub fn with_origin(mut self, origin: Option<String>) -> Self {
        self.origin = origin;
        self
    }

    /// The caller's identity id.
    pub fn identity(&self) -> &str {
        &self.store_ctx.identity
    }

    /// The agent the request was addressed to.
    pub fn agent(&self) -> &str {
        &self.store_ctx.agent
    }
}

/// The thread a responder works on: its metadata (shared with the pipeline, which saves changes
/// and emits `thread.updated`) and read access to its items through the store.
///
/// Cheap to clone; clone it into the responder's stream. The thread id never changes: an update
/// that changes it is undone.
#[derive(Clone)]
pub struct ThreadHandle {
    shared: Arc<Shared>,
    store: Arc<dyn Store>,
    store_ctx: StoreContext,
}

struct Shared {
    metadata: Mutex<ThreadMetadata>,
    /// Bumped by every [`ThreadHandle::update`], so the pipeline compares the metadata only when
    /// someone may have changed it.
    version: AtomicU64,
}

impl std::fmt::Debug for ThreadHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ThreadHandle")
            .field("metadata", &*self.lock())
            .field("store_ctx", &self.store_ctx)
            .finish_non_exhaustive()
    }
}

impl ThreadHandle {
    /// A handle on `metadata`, reading items from `store` as `store_ctx`.
    pub fn new(metadata: ThreadMetadata, store: Arc<dyn Store>, store_ctx: StoreContext) -> Self {
        Self {
            shared: Arc::new(Shared {
                metadata: Mutex::new(metadata),
                version: AtomicU64::new(0),
            }),
            store,
            store_ctx,
        }
    }

    fn lock(&self) -> MutexGuard<'_, ThreadMetadata> {
        // The metadata is plain data; a panic while holding the lock cannot leave it invalid.
        self.shared
            .metadata
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The thread id.
    pub fn id(&self) -> String {
        self.lock().id.clone()
    }

    /// A copy of the metadata as it is now.
    pub fn snapshot(&self) -> ThreadMetadata {
        self.lock().clone()
    }

    /// Changes the metadata (title, status, allowed image domains, private metadata). The
    /// pipeline saves the change and emits `thread.updated` after the responder's next event.
    pub fn update<R>(&self, change: impl FnOnce(&mut ThreadMetadata) -> R) -> R {
        let mut guard = self.lock();
        let id = guard.id.clone();
        let out = change(&mut guard);
        guard.id = id;
        self.shared.version.fetch_add(1, Ordering::AcqRel);
        out
    }

    /// Sets the title.
    pub fn set_title(&self, title: impl Into<String>) {
        let title = title.into();
        self.update(|t| t.title = Some(title));
    }

    /// Sets the status.
    pub fn set_status(&self, status: ThreadStatus) {
        self.update(|t| t.status = status);
    }

    /// How many times [`ThreadHandle::update`] ran (the pipeline's change detector).
    pub(crate) fn version(&self) -> u64 {
        self.shared.version.load(Ordering::Acquire)
    }

    /// The store (for anything the helpers below do not cover).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The identity and agent the request acts for.
    pub fn store_context(&self) -> &StoreContext {
        &self.store_ctx
    }

    /// One page of the thread's items, hidden ones included.
    pub async fn load_items(
        &self,
        after: Option<&str>,
        limit: usize,
        order: Order,
    ) -> StoreResult<Page<ThreadItem>> {
        let id = self.id();
        self.store
            .load_thread_items(&id, after, limit, order, &self.store_ctx)
            .await
    }

    /// The newest `max_items` items (hidden ones included: they are model context), oldest
    /// first: the history a responder turns into model input.
    pub async fn history(&self, max_items: usize) -> StoreResult<Vec<ThreadItem>> {
        const PAGE: usize = 100;
        let id = self.id();
        let mut items = Vec::new();
        let mut after: Option<String> = None;
        while items.len() < max_items {
            let limit = (max_items - items.len()).min(PAGE);
            let page = self
                .store
                .load_thread_items(&id, after.as_deref(), limit, Order::Desc, &self.store_ctx)
                .await?;
            items.extend(page.data);
            match page.after {
                Some(cursor) if page.has_more => after = Some(cursor),
                _ => break,
            }
        }
        items.reverse();
        Ok(items)
    }
}
