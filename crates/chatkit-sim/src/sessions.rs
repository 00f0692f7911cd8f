//! The ChatKit sessions API (hosted-sessions §1): `POST /v1/chatkit/sessions` and
//! `POST /v1/chatkit/sessions/{id}/cancel`, with the fault triggers chosen by `workflow.id`.
//!
//! Created sessions are kept (the most recent [`MAX_SESSIONS`]) so that cancel can find them. The
//! store is split into shards, each behind its own briefly held mutex, so concurrent creates rarely
//! contend.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::{Mutex, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use rand::Rng;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Simulator;
use crate::common::{
    self, api_key, broken_response, json_response, read_request, require_chatkit_beta,
};
use crate::error::{ApiError, INVALID_REQUEST};
use crate::validate::{CreateParams, create_params};

/// How many sessions are kept for cancel; the oldest are evicted first.
const MAX_SESSIONS: usize = 100_000;

/// How many independently locked shards the session store has.
const SHARDS: usize = 16;

/// The prefix of session ids.
const SESSION_PREFIX: &str = "cksess_";

/// Sessions by the random 128-bit number behind their id.
pub(crate) struct SessionStore {
    shards: Box<[Mutex<Shard>]>,
}

/// One shard of the session store.
#[derive(Default)]
struct Shard {
    sessions: HashMap<u128, Session>,
    /// Keys in creation order, for eviction.
    order: VecDeque<u128>,
}

impl SessionStore {
    /// An empty store.
    pub(crate) fn new() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
        }
    }

    /// The shard holding `key`.
    fn shard(&self, key: u128) -> std::sync::MutexGuard<'_, Shard> {
        // The keys are uniformly random, so their low bits spread them evenly.
        let index = (key % SHARDS as u128) as usize;
        self.shards[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Keeps a session, evicting the shard's oldest one when the shard is full.
    fn insert(&self, key: u128, session: Session) {
        let mut shard = self.shard(key);
        if shard.order.len() >= MAX_SESSIONS / SHARDS
            && let Some(oldest) = shard.order.pop_front()
        {
            shard.sessions.remove(&oldest);
        }
        shard.order.push_back(key);
        shard.sessions.insert(key, session);
    }

    /// Marks a session cancelled and returns it, or `None` if it is unknown.
    fn cancel(&self, key: u128) -> Option<Session> {
        let mut shard = self.shard(key);
        let session = shard.sessions.get_mut(&key)?;
        session.status = "cancelled";
        Some(session.clone())
    }
}

/// The `ChatSession` resource (hosted-sessions §1.4), all ten fields in the documented order.
#[derive(Clone, Serialize)]
struct Session {
    id: String,
    object: &'static str,
    client_secret: String,
    expires_at: u64,
    status: &'static str,
    max_requests_per_1_minute: u64,
    rate_limits: RateLimits,
    user: String,
    workflow: Workflow,
    chatkit_configuration: Configuration,
}

/// `rate_limits`.
#[derive(Clone, Serialize)]
struct RateLimits {
    max_requests_per_1_minute: u64,
}

/// `workflow`, resolved.
#[derive(Clone, Serialize)]
struct Workflow {
    id: String,
    version: Option<String>,
    state_variables: Option<Map<String, Value>>,
    tracing: Enabled,
}

/// Any `{enabled}` object.
#[derive(Clone, Serialize)]
struct Enabled {
    enabled: bool,
}

/// `chatkit_configuration`, resolved.
#[derive(Clone, Serialize)]
struct Configuration {
    automatic_thread_titling: Enabled,
    file_upload: FileUpload,
    history: History,
}

/// `chatkit_configuration.file_upload`, resolved.
#[derive(Clone, Serialize)]
struct FileUpload {
    enabled: bool,
    max_file_size: Option<u64>,
    max_files: Option<u64>,
}

/// `chatkit_configuration.history`, resolved.
#[derive(Clone, Serialize)]
struct History {
    enabled: bool,
    recent_threads: Option<u64>,
}

impl Session {
    /// A fresh active session for a validated request.
    fn new(id: String, params: CreateParams) -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let mut rng = rand::rng();
        let secret: (u128, u128) = (rng.random(), rng.random());
        Self {
            id,
            object: "chatkit.session",
            client_secret: format!("ek_{:032x}{:032x}", secret.0, secret.1),
            expires_at: now + params.expires_seconds,
            status: "active",
            max_requests_per_1_minute: params.max_requests_per_1_minute,
            rate_limits: RateLimits {
                max_requests_per_1_minute: params.max_requests_per_1_minute,
            },
            user: params.user,
            workflow: Workflow {
                id: params.workflow_id,
                version: params.version,
                state_variables: params.state_variables,
                tracing: Enabled {
                    enabled: params.tracing,
                },
            },
            chatkit_configuration: Configuration {
                automatic_thread_titling: Enabled {
                    enabled: params.titling,
                },
                file_upload: FileUpload {
                    enabled: params.upload_enabled,
                    max_file_size: Some(params.max_file_size),
                    max_files: Some(params.max_files),
                },
                history: History {
                    enabled: params.history_enabled,
                    recent_threads: params.recent_threads,
                },
            },
        }
    }
}

/// `POST /v1/chatkit/sessions`.
pub(crate) async fn create(State(sim): State<Simulator>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = match read_request(&sim, request, started).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    create_session(&sim, &parts, &body, started)
        .await
        .unwrap_or_else(|error| error.into_response(started))
}

/// Checks auth, the beta header and the body, then applies the workflow's fault trigger, if any.
async fn create_session(
    sim: &Simulator,
    parts: &Parts,
    body: &Bytes,
    started: Instant,
) -> Result<Response, ApiError> {
    let key = api_key(&parts.headers)?;
    require_chatkit_beta(&parts.headers)?;
    let params = create_params(body)?;

    match params.workflow_id.as_str() {
        "wf_400" => {
            return Err(ApiError::bad_param(
                "workflow.id",
                "invalid_workflow",
                "Invalid 'workflow.id': workflow 'wf_400' has no published version that can be \
                 used with ChatKit."
                    .to_owned(),
            ));
        }
        "wf_401" => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                INVALID_REQUEST,
                format!(
                    "Incorrect API key provided: {}. You can find your API key at \
                     https://platform.openai.com/account/api-keys.",
                    mask_key(key)
                ),
            )
            .code("invalid_api_key"));
        }
        "wf_403" => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                INVALID_REQUEST,
                "You have insufficient permissions for this operation.",
            ));
        }
        "" | "wf_404" => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                INVALID_REQUEST,
                format!("Workflow with id '{}' not found.", params.workflow_id),
            ));
        }
        "wf_429" => {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "requests",
                "Rate limit reached for requests per min (RPM): Limit 60, Used 60, Requested 1. \
                 Please try again in 1s. Visit https://platform.openai.com/account/rate-limits to \
                 learn more.",
            )
            .code("rate_limit_exceeded")
            .header("retry-after", "1")
            .header("x-ratelimit-limit-requests", "60")
            .header("x-ratelimit-remaining-requests", "0")
            .header("x-ratelimit-reset-requests", "1s"));
        }
        "wf_500" => return Err(ApiError::server_error()),
        // Counting happens in the guard: a call that does not fail falls through to success.
        "wf_flaky" if flaky_call_fails(sim) => return Err(ApiError::server_error()),
        "wf_slow" => {
            common::sleep_unless_shutdown(parts, sim.slow_delay()).await;
        }
        "wf_hang" => {
            common::sleep_unless_shutdown(parts, common::HANG_FOR).await;
            tracing::debug!("wf_hang: cutting the connection");
            return Ok(broken_response());
        }
        "wf_reset" => return Ok(broken_response()),
        "wf_badjson" => {
            let truncated = br#"{"id":"cksess_0123456789abcdef0123456789abcdef","object":"chatkit.session","client_secret":"ek_"#;
            return Ok(json_response(StatusCode::OK, truncated.to_vec(), started));
        }
        _ => {}
    }

    let key: u128 = rand::rng().random();
    let session = Session::new(format!("{SESSION_PREFIX}{key:032x}"), params);
    let body = serde_json::to_vec(&session).map_err(|_| ApiError::server_error())?;
    sim.inner.sessions.insert(key, session);
    Ok(json_response(StatusCode::OK, body, started))
}

/// Counts a `wf_flaky` call: calls 0, 2, 4, … (the 1st, 3rd, 5th) fail, the others succeed.
fn flaky_call_fails(sim: &Simulator) -> bool {
    sim.inner
        .flaky_calls
        .fetch_add(1, Ordering::Relaxed)
        .is_multiple_of(2)
}

/// `POST /v1/chatkit/sessions/{id}/cancel`.
pub(crate) async fn cancel(
    State(sim): State<Simulator>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let started = Instant::now();
    let (parts, _) = match read_request(&sim, request, started).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    cancel_session(&sim, &parts, &id)
        .and_then(|session| serde_json::to_vec(&session).map_err(|_| ApiError::server_error()))
        .map_or_else(
            |error| error.into_response(started),
            |body| json_response(StatusCode::OK, body, started),
        )
}

/// Checks auth and the beta header, then cancels the session.
fn cancel_session(sim: &Simulator, parts: &Parts, id: &str) -> Result<Session, ApiError> {
    api_key(&parts.headers)?;
    require_chatkit_beta(&parts.headers)?;
    session_key(id)
        .and_then(|key| sim.inner.sessions.cancel(key))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                INVALID_REQUEST,
                format!("Chatkit Session with id '{id}' not found."),
            )
        })
}

/// The store key of a `cksess_` + 32 lowercase hex id, or `None` if `id` has another shape.
fn session_key(id: &str) -> Option<u128> {
    let hex = id.strip_prefix(SESSION_PREFIX)?;
    let canonical = hex.len() == 32
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if canonical {
        u128::from_str_radix(hex, 16).ok()
    } else {
        None
    }
}

/// An API key masked the way the real API prints it in errors: a short head and tail only.
pub(crate) fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}
