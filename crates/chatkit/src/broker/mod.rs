//! The hosted-mode session broker: mints ChatKit client secrets for Agent Builder workflows.
//!
//! Routes (JSON in and out, all behind identity and the minting rate limits):
//! - `POST /api/chatkit/session` (and `POST /api/session`, the deployment blueprint's route):
//!   a session for the caller, for the named or default workflow.
//! - `POST /api/chatkit/refresh {current_client_secret, workflow?}`: a new session for the same
//!   identity and workflow (there is no refresh call upstream); the superseded one is cancelled
//!   after a grace period.
//! - `POST /api/create-session`: the starter app's route; with `api_key` in the body, the
//!   bring-your-own-key route of the playground (the key is used for that one call only).
//!
//! Replies are `{client_secret, expires_at, session_id}`.

pub mod registry;
pub mod upstream;

use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chatkit_types::sessions::{
    ChatkitConfigurationParam, CreateChatSessionBody, EnabledFlag, ExpiresAfterAnchor,
    ExpiresAfterParam, FileUploadParam, HistoryParam, RateLimitsParam, WorkflowParam,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use self::registry::{SessionRecord, SessionRegistry, SingleFlight};
use self::upstream::{SessionsClient, UpstreamError};
use crate::config::{Config, Secret};
use crate::error::{ApiError, ErrorCode};
use crate::http::ApiJson;
use crate::identity::{self, Identity};
use crate::limits;
use crate::state::AppState;

/// How many minted secrets the in-memory registry remembers.
const REGISTRY_CAPACITY: usize = 100_000;

/// The broker's long-lived parts.
#[derive(Debug)]
pub struct Broker {
    client: SessionsClient,
    registry: Arc<dyn SessionRegistry>,
    refreshes: SingleFlight<Result<MintReply, ApiError>>,
}

impl Broker {
    /// A broker over the configured upstream, with in-memory registry and coalescing.
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            client: SessionsClient::new(&config.openai)?,
            registry: Arc::new(registry::MemoryRegistry::new(REGISTRY_CAPACITY)),
            refreshes: SingleFlight::default(),
        })
    }
}

/// The reply of every minting route.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MintReply {
    /// The secret the widget uses.
    pub client_secret: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// Upstream session id.
    pub session_id: String,
}

/// A workflow named by a request body in any of the forms existing front ends send:
/// `{"workflow": {"id": …}}`, `{"workflow": "…"}`, `{"workflowId": …}` or `{"workflow_id": …}`.
#[derive(Debug, Default, Deserialize)]
pub struct WorkflowForms {
    #[serde(default)]
    workflow: Option<WorkflowRef>,
    #[serde(default, rename = "workflowId")]
    workflow_id_camel: Option<String>,
    #[serde(default)]
    workflow_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum WorkflowRef {
    Object { id: String },
    Id(String),
}

impl WorkflowForms {
    fn named(&self) -> Option<&str> {
        let from_object = self.workflow.as_ref().map(|w| match w {
            WorkflowRef::Object { id } | WorkflowRef::Id(id) => id.as_str(),
        });
        from_object
            .or(self.workflow_id_camel.as_deref())
            .or(self.workflow_id.as_deref())
            .map(str::trim)
            .filter(|id| !id.is_empty())
    }
}

/// Body of `POST /api/chatkit/session`.
#[derive(Debug, Default, Deserialize)]
pub struct SessionRequest {
    #[serde(flatten)]
    workflow: WorkflowForms,
}

/// Body of `POST /api/chatkit/refresh`.
#[derive(Debug, Default, Deserialize)]
pub struct RefreshRequest {
    #[serde(default, alias = "currentClientSecret")]
    current_client_secret: Option<String>,
    #[serde(flatten)]
    workflow: WorkflowForms,
}

/// Body of `POST /api/create-session` (the starter's route, and ChatKit Link's contract).
#[derive(Debug, Default, Deserialize)]
pub struct CreateSessionRequest {
    #[serde(default)]
    api_key: Option<Secret>,
    #[serde(default, alias = "currentClientSecret")]
    current_client_secret: Option<String>,
    #[serde(flatten)]
    workflow: WorkflowForms,
}

/// Middleware for the minting routes: origin check, identity, then the minting limits; the
/// visitor cookie is set on whatever comes back, a 403 or a 429 included.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    identity::guard_with(&state, request, next, limits::check_mint).await
}

/// Whose key pays for a mint.
enum KeySource {
    Server,
    Caller(Secret),
}

/// `POST /api/chatkit/session` and `POST /api/session`.
pub async fn create_session(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
    ApiJson(body): ApiJson<SessionRequest>,
) -> Result<Response, ApiError> {
    server_key(&state.config)?;
    let workflow = server_workflow(&state.config, body.workflow.named())?;
    let reply = mint(&state, &identity, &workflow, KeySource::Server, "session").await?;
    Ok(axum::Json(reply).into_response())
}

/// `POST /api/chatkit/refresh`.
pub async fn refresh_session(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Response, ApiError> {
    server_key(&state.config)?;
    let current = body
        .current_client_secret
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidRequest,
                "`current_client_secret` is required: the client secret to refresh.",
            )
        })?
        .to_owned();
    let previous = state.broker.registry.get(&current, now_unix());
    let workflow = match &previous {
        Some(record) if record.identity != identity.id => {
            return Err(ApiError::new(
                ErrorCode::ClientSecretNotOwned,
                "That client secret was issued to someone else.",
            ));
        }
        Some(record) if record.caller_key => {
            return Err(ApiError::new(
                ErrorCode::InvalidRequest,
                "That session was minted with your own API key: refresh it through POST /api/create-session with the key.",
            ));
        }
        Some(record) => record.workflow.clone(),
        // Unknown or expired: a fresh start for the caller's own identity.
        None => server_workflow(&state.config, body.workflow.named())?,
    };

    let key = format!("{}\u{0}{}", identity.id, workflow);
    let reply = {
        let (task_state, identity, workflow) = (state.clone(), identity.clone(), workflow.clone());
        state
            .broker
            .refreshes
            .run(key, move || async move {
                mint(
                    &task_state,
                    &identity,
                    &workflow,
                    KeySource::Server,
                    "refresh",
                )
                .await
            })
            .await?
    };
    if let Some(record) = previous {
        schedule_cancel(&state, current, record);
    }
    Ok(axum::Json(reply).into_response())
}

/// `POST /api/create-session`.
pub async fn create_session_starter(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
    ApiJson(body): ApiJson<CreateSessionRequest>,
) -> Result<Response, ApiError> {
    let Some(api_key) = body.api_key.filter(|k| !k.expose().trim().is_empty()) else {
        server_key(&state.config)?;
        let workflow = server_workflow(&state.config, body.workflow.named())?;
        let reply = mint(
            &state,
            &identity,
            &workflow,
            KeySource::Server,
            "create-session",
        )
        .await?;
        return Ok(axum::Json(reply).into_response());
    };
    if !state.config.byo_key_enabled() {
        return Err(ApiError::new(
            ErrorCode::ByoKeyDisabled,
            "This server does not accept callers' own API keys (hosted.byo_key is off).",
        ));
    }
    let workflow = body.workflow.named().map(str::to_owned).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidRequest,
            "`workflow_id` is required with `api_key`.",
        )
    })?;
    check_workflow_id(&workflow)?;
    if !state.config.hosted.byo_any_workflow && !state.config.hosted.allows(&workflow) {
        return Err(workflow_not_allowed(&workflow));
    }
    let previous = body
        .current_client_secret
        .as_deref()
        .and_then(|secret| {
            state
                .broker
                .registry
                .get(secret, now_unix())
                .map(|r| (secret.to_owned(), r))
        })
        .filter(|(_, record)| record.identity == identity.id && record.caller_key);
    let reply = mint(
        &state,
        &identity,
        &workflow,
        KeySource::Caller(api_key.clone()),
        "byo-key",
    )
    .await?;
    // Only the request that forgets the secret cancels it (concurrent re-mints name the same one).
    if let Some((_, record)) = previous.filter(|(secret, _)| state.broker.registry.remove(secret)) {
        // The caller's key is not kept for later: cancel now, in the background, with it.
        let client = state.broker.client.clone();
        tokio::spawn(async move {
            let _ = client.cancel(api_key.expose(), &record.session_id).await;
        });
    }
    Ok(axum::Json(reply).into_response())
}

/// The server's own key, or 503 `not_configured` naming `OPENAI_API_KEY` (checked first, so a
/// server without a key says so whatever else it lacks).
fn server_key(config: &Config) -> Result<&Secret, ApiError> {
    config.openai.api_key.as_ref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotConfigured,
            "Hosted mode is not configured: set OPENAI_API_KEY on the server.",
        )
    })
}

/// The workflow a server-key mint is for: the named one if allowed, else the default.
fn server_workflow(config: &Config, named: Option<&str>) -> Result<String, ApiError> {
    match named {
        Some(id) => {
            check_workflow_id(id)?;
            if config.hosted.allows(id) {
                Ok(id.to_owned())
            } else {
                Err(workflow_not_allowed(id))
            }
        }
        None => config.hosted.workflow_id.clone().ok_or_else(|| {
            ApiError::new(
                ErrorCode::MissingConfig,
                "No workflow was named and the server has no default: set CHATKIT_WORKFLOW_ID.",
            )
        }),
    }
}

fn check_workflow_id(id: &str) -> Result<(), ApiError> {
    let ok = (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "The workflow id must be 1 to 128 characters from A-Z, a-z, 0-9, `_` and `-`.",
        ))
    }
}

fn workflow_not_allowed(id: &str) -> ApiError {
    ApiError::new(
        ErrorCode::WorkflowNotAllowed,
        format!(
            "Workflow '{id}' is not available here. Allowed: the default (CHATKIT_WORKFLOW_ID) and hosted.workflows (CHATKIT_WORKFLOWS)."
        ),
    )
}

/// Mints one session upstream and remembers it.
async fn mint(
    state: &AppState,
    identity: &Identity,
    workflow: &str,
    key: KeySource,
    route: &'static str,
) -> Result<MintReply, ApiError> {
    let config = &state.config;
    let (api_key, user) = match &key {
        KeySource::Server => (server_key(config)?.expose(), identity.id.clone()),
        KeySource::Caller(key) => (key.expose(), per_workflow_user(&identity.id, workflow)),
    };
    let body = session_body(config, identity, workflow, user);
    let session = state
        .broker
        .client
        .create(api_key, &body)
        .await
        .map_err(|err| map_upstream(err, workflow, matches!(key, KeySource::Caller(_))))?;
    state.broker.registry.insert(
        &session.client_secret,
        SessionRecord {
            session_id: session.id.clone(),
            identity: identity.id.clone(),
            workflow: workflow.to_owned(),
            expires_at: session.expires_at,
            caller_key: matches!(key, KeySource::Caller(_)),
        },
    );
    metrics::counter!("chatkit_sessions_minted_total", "route" => route).increment(1);
    Ok(MintReply {
        client_secret: session.client_secret,
        expires_at: session.expires_at,
        session_id: session.id,
    })
}

/// The upstream `user` for caller-key and playground mints: one history per (identity, workflow).
pub fn per_workflow_user(identity: &str, workflow: &str) -> String {
    let digest = Sha256::new()
        .chain_update(identity.as_bytes())
        .chain_update([0])
        .chain_update(workflow.as_bytes())
        .finalize();
    format!("u_{}", &hex::encode(digest)[..32])
}

/// The create-session body for `workflow`, from configuration and the identity's claims.
pub fn session_body(
    config: &Config,
    identity: &Identity,
    workflow: &str,
    user: String,
) -> CreateChatSessionBody {
    let h = &config.hosted;
    let mut state_variables = h.state_variables.clone();
    state_variables.extend(identity.claim_state.clone());
    CreateChatSessionBody {
        user,
        workflow: WorkflowParam {
            id: workflow.to_owned(),
            version: h.workflow_version.clone(),
            state_variables: (!state_variables.is_empty()).then_some(state_variables),
            tracing: h.tracing.map(|enabled| EnabledFlag { enabled }),
        },
        chatkit_configuration: Some(ChatkitConfigurationParam {
            automatic_thread_titling: Some(EnabledFlag {
                enabled: h.thread_titling,
            }),
            file_upload: Some(FileUploadParam {
                enabled: h.enable_uploads,
                max_file_size: h.enable_uploads.then_some(h.max_file_size_mb),
                max_files: h.enable_uploads.then_some(h.max_files),
            }),
            history: Some(HistoryParam {
                enabled: h.history,
                recent_threads: h.recent_threads,
            }),
        }),
        expires_after: Some(ExpiresAfterParam {
            anchor: ExpiresAfterAnchor::CreatedAt,
            seconds: h.session_ttl_secs,
        }),
        rate_limits: Some(RateLimitsParam {
            max_requests_per_1_minute: h.max_requests_per_minute,
        }),
    }
}

/// Upstream failure -> our envelope. `caller_key`: the key was the caller's, so a refused key is
/// the caller's problem (400), not the operator's (502).
fn map_upstream(error: UpstreamError, workflow: &str, caller_key: bool) -> ApiError {
    match error {
        UpstreamError::Status {
            status,
            code,
            param,
            retry_after,
        } => match status.as_u16() {
            404 => ApiError::new(
                ErrorCode::WorkflowNotFound,
                format!(
                    "OpenAI has no workflow '{workflow}' for this API key. The key must come from the same organization and project as the workflow (check OPENAI_API_KEY and the workflow id)."
                ),
            ),
            429 => {
                let error = ApiError::new(
                    ErrorCode::UpstreamRateLimited,
                    "OpenAI's rate limit for this project was reached. Try again shortly.",
                );
                match retry_after {
                    Some(after) => error.with_retry_after(after),
                    None => error,
                }
            }
            401 | 403 if caller_key => ApiError::new(
                ErrorCode::ApiKeyRejected,
                "OpenAI refused the API key you supplied (wrong key, or no access to ChatKit).",
            ),
            401 | 403 => ApiError::new(
                ErrorCode::UpstreamAuthFailed,
                format!(
                    "OpenAI refused this server's API key (HTTP {}). The operator should check OPENAI_API_KEY.",
                    status.as_u16()
                ),
            ),
            400..=499 => {
                let mut error = ApiError::new(
                    ErrorCode::UpstreamBadRequest,
                    match &param {
                        Some(param) => {
                            format!("OpenAI refused the session request (parameter `{param}`).")
                        }
                        None => "OpenAI refused the session request.".to_owned(),
                    },
                );
                error.upstream_code = code;
                error
            }
            _ => ApiError::new(
                ErrorCode::UpstreamError,
                format!(
                    "OpenAI answered with an error (HTTP {}). Try again shortly.",
                    status.as_u16()
                ),
            ),
        },
        UpstreamError::Timeout => ApiError::new(
            ErrorCode::UpstreamTimeout,
            "OpenAI did not answer in time. Try again shortly.",
        ),
        UpstreamError::Unreachable => ApiError::new(
            ErrorCode::UpstreamUnavailable,
            "OpenAI could not be reached. Try again shortly.",
        ),
        UpstreamError::InvalidResponse => ApiError::new(
            ErrorCode::UpstreamInvalidResponse,
            "OpenAI's reply could not be understood.",
        ),
    }
}

/// Cancels a superseded server-key session after the grace period, best effort.
fn schedule_cancel(state: &AppState, secret: String, record: SessionRecord) {
    let hosted = &state.config.hosted;
    if !hosted.cancel_superseded {
        return;
    }
    let Some(api_key) = state.config.openai.api_key.clone() else {
        return;
    };
    let grace = Duration::from_secs(hosted.cancel_grace_secs);
    let broker = state.broker.clone();
    tokio::spawn(async move {
        tokio::time::sleep(grace).await;
        // Coalesced refreshes each schedule this cancel: only the one that forgets the secret sends it.
        if !broker.registry.remove(&secret) {
            return;
        }
        if broker
            .client
            .cancel(api_key.expose(), &record.session_id)
            .await
            .is_ok()
        {
            metrics::counter!("chatkit_sessions_cancelled_total").increment(1);
        }
    });
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}
