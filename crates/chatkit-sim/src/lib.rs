//! A faithful simulator of the OpenAI endpoints chatkit-rs calls.
//!
//! Our machines cannot reach OpenAI, so tests, benchmarks and `--demo` mode point the upstream base
//! URL at this simulator instead. It mirrors the real API's request validation, response shapes,
//! error envelope and failure modes, and it validates request JSON with its own code (never with our
//! client types), so a bug in those types shows up as a rejected request.
//!
//! # Routes
//!
//! | Route | Behaviour |
//! |---|---|
//! | `POST /v1/chatkit/sessions` | Create a ChatKit session (hosted-sessions §1.3/§1.4). |
//! | `POST /v1/chatkit/sessions/{id}/cancel` | Cancel a session; unknown ids get 404. |
//! | `POST /v1/audio/transcriptions` | Any multipart body; answers `{"text":"This is a simulated transcription."}`. |
//! | `GET /__sim/requests` | The recorded requests, as a JSON array in arrival order. |
//! | `DELETE /__sim/requests` | Forget the recorded requests (204). |
//! | `GET /__sim/health` | `{"status":"ok"}`. |
//! | anything else | 404 `Invalid URL (METHOD /path)` in the OpenAI error envelope. |
//!
//! The `/v1` endpoints check, in the order the real API does: the `Authorization: Bearer <key>`
//! header (401), the `OpenAI-Beta: chatkit_beta=v1` header on ChatKit routes (400), the JSON body
//! (400 with `param` and `code` set, e.g. `unknown_parameter`), then the workflow. Every error uses
//! the envelope `{"error":{"message","type","param","code"}}`, and every `/v1` reply carries
//! `x-request-id: req_…`, `openai-processing-ms` and `openai-version` headers.
//!
//! # Fault triggers (a contract other tests rely on)
//!
//! Chosen by `workflow.id` on session create, after authentication and body validation:
//!
//! | `workflow.id` | Reply |
//! |---|---|
//! | `wf_400` | 400 `invalid_request_error`, code `invalid_workflow`, param `workflow.id` |
//! | `wf_401` | 401 `Incorrect API key provided: …`, code `invalid_api_key` |
//! | `wf_403` | 403 `You have insufficient permissions for this operation.` |
//! | `wf_404` | 404 `Workflow with id 'wf_404' not found.` |
//! | `wf_429` | 429 type `requests`, code `rate_limit_exceeded`, header `retry-after: 1` |
//! | `wf_500` | 500 `server_error` |
//! | `wf_flaky` | odd-numbered calls (1st, 3rd, …) get the `wf_500` reply, even-numbered ones succeed |
//! | `wf_slow` | succeeds after [`Simulator::with_slow_delay`] (default 2 s) |
//! | `wf_hang` | never answers: waits up to 10 minutes, or until the server started by [`serve`] shuts down, then cuts the connection |
//! | `wf_reset` | cuts the connection: the reply body fails before its first byte, so the server closes the connection without sending a response |
//! | `wf_badjson` | 200, `content-type: application/json`, a truncated (invalid) JSON body |
//!
//! An empty workflow id gets 404 like an unknown workflow; any other id succeeds.
//!
//! What a client sees: with `reqwest` (HTTP/1.1), `wf_reset` makes `send()` fail with an error for
//! which `is_request()` is true, `status()` is `None`, and whose innermost source is hyper's
//! "connection closed before message completed" (the same as a peer that closes or resets the
//! connection mid-request; the official SDKs call this an `APIConnectionError` and retry it).
//! `wf_hang` shows up as the client's own timeout, and, if the server shuts down first, as the same
//! connection-closed error.
//!
//! # Model endpoints (later)
//!
//! The Responses API (`POST /v1/responses`) and Chat Completions streaming
//! (`POST /v1/chat/completions`) will live in the private `models` module (`src/models.rs`), with scripted behaviour chosen
//! by markers in the last user message (`[[tool:NAME]]`, `[[error]]`, `[[slow]]`, …). They are not
//! implemented yet; until then those paths answer with the 404 fallback.

mod audio;
mod common;
mod error;
mod models;
mod record;
mod server;
mod sessions;
mod validate;

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};

pub use record::RecordedRequest;
pub use server::{SimHandle, serve};

/// Default delay of the `wf_slow` fault trigger.
const DEFAULT_SLOW_DELAY: Duration = Duration::from_secs(2);

/// The simulator: shared state (recorded requests, live sessions, fault counters) behind an `Arc`.
///
/// Cloning is cheap and every clone shares the same state, including its settings: calling
/// [`with_recording`](Self::with_recording) or [`with_slow_delay`](Self::with_slow_delay) on a clone
/// of a simulator that is already serving changes how that server behaves.
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Inner>,
}

/// The state every clone of a [`Simulator`] shares.
struct Inner {
    /// Whether requests are recorded at all.
    recording: AtomicBool,
    /// The `wf_slow` delay, in nanoseconds.
    slow_delay_nanos: AtomicU64,
    /// The most recent requests, oldest first, at most [`record::MAX_RECORDED`].
    requests: Mutex<VecDeque<RecordedRequest>>,
    /// Sessions created and not yet evicted, for cancel.
    sessions: sessions::SessionStore,
    /// How many create calls reached the `wf_flaky` trigger.
    flaky_calls: AtomicU64,
}

impl Simulator {
    /// A new simulator with recording on and the default `wf_slow` delay (2 s).
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                recording: AtomicBool::new(true),
                slow_delay_nanos: AtomicU64::new(duration_nanos(DEFAULT_SLOW_DELAY)),
                requests: Mutex::new(VecDeque::new()),
                sessions: sessions::SessionStore::new(),
                flaky_calls: AtomicU64::new(0),
            }),
        }
    }

    /// Turns request recording on or off. With recording off nothing is kept, which is what
    /// benchmarks want; with it on, the most recent 10,000 requests are kept.
    pub fn with_recording(self, on: bool) -> Self {
        self.inner.recording.store(on, Ordering::Relaxed);
        if !on {
            self.clear_requests();
        }
        self
    }

    /// Sets how long the `wf_slow` fault trigger waits before it succeeds (default 2 s).
    pub fn with_slow_delay(self, delay: Duration) -> Self {
        self.inner
            .slow_delay_nanos
            .store(duration_nanos(delay), Ordering::Relaxed);
        self
    }

    /// The axum router serving every simulated route (see the crate docs).
    ///
    /// A `wf_hang` request served by this router alone waits the full 10 minutes; use [`serve`]
    /// (or [`SimHandle`]) to have hanging requests end when the server shuts down.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/chatkit/sessions", post(sessions::create))
            .route("/v1/chatkit/sessions/{id}/cancel", post(sessions::cancel))
            .route("/v1/audio/transcriptions", post(audio::transcribe))
            // The model endpoints (`/v1/responses`, `/v1/chat/completions`) go here; see `models`.
            .route(
                "/__sim/requests",
                get(record::list_requests).delete(record::clear_requests),
            )
            .route("/__sim/health", get(record::health))
            .fallback(common::invalid_url)
            .method_not_allowed_fallback(common::invalid_url)
            .with_state(self.clone())
    }

    /// The recorded requests, in arrival order (at most the last 10,000).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock_requests().iter().cloned().collect()
    }

    /// Forgets every recorded request.
    pub fn clear_requests(&self) {
        self.lock_requests().clear();
    }

    /// Whether requests are being recorded.
    fn recording(&self) -> bool {
        self.inner.recording.load(Ordering::Relaxed)
    }

    /// The current `wf_slow` delay.
    fn slow_delay(&self) -> Duration {
        Duration::from_nanos(self.inner.slow_delay_nanos.load(Ordering::Relaxed))
    }

    /// The recorded requests, tolerating a poisoned lock (the data stays consistent).
    fn lock_requests(&self) -> std::sync::MutexGuard<'_, VecDeque<RecordedRequest>> {
        self.inner
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for Simulator {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("recording", &self.recording())
            .field("slow_delay", &self.slow_delay())
            .finish_non_exhaustive()
    }
}

/// A duration in nanoseconds, saturating (u64 nanoseconds cover 584 years).
fn duration_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
