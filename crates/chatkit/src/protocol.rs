//! Custom mode: the ChatKit protocol endpoint. `POST /chatkit` serves the default agent and
//! `POST /chatkit/{agent}` a named one, so a page picks an agent with the widget's plain `api.url`.
//!
//! Each agent is an [`Engine`] over the one store; a thread belongs to the identity and the agent
//! that created it. Identity is the broker's (signed cookie, embed token or JWT). Per-request state
//! variables arrive as a JSON object in the [`STATE_HEADER`] header, which a page sets through the
//! widget's `api.fetch`. Streamed replies are limited per identity: how many may start a minute and
//! how many may stream at once. Failures decided before the reply starts are 4xx replies in the
//! product's error envelope; the engine turns later failures into `error` frames.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chatkit_server::{
    AttachmentHandler, Engine, EngineOptions, EngineReply, ProtocolError, RequestContext, Responder,
};
use chatkit_store::Store;
use chatkit_types::ChatKitReq;
use futures::StreamExt;

use crate::config::Config;
use crate::error::{ApiError, ErrorCode};
use crate::http::read_body;
use crate::identity::{self, Identity};
use crate::limits::{self, Scope};
use crate::scripted::{Script, ScriptedResponder};
use crate::state::AppState;

/// The header carrying per-request state variables: a JSON object of at most 64 string, number or
/// boolean values.
pub const STATE_HEADER: &str = "chatkit-state";

/// The agents served, by id.
#[derive(Debug)]
pub struct Agents {
    engines: HashMap<String, Arc<Engine>>,
    default_id: String,
    streams: StreamSlots,
}

impl Agents {
    /// One engine per agent over `store`: the configured agents (`responders`, by id, with
    /// `default_id` also served at `POST /chatkit`) and, when configured, the scripted benchmark
    /// agent. `attachments`, when given, serves `attachments.create`/`delete` for every agent.
    pub fn new(
        config: &Config,
        store: Arc<dyn Store>,
        attachments: Option<Arc<dyn AttachmentHandler>>,
        responders: Vec<(String, Arc<dyn Responder>)>,
        default_id: String,
    ) -> Self {
        let p = &config.protocol;
        let options = EngineOptions::default()
            .heartbeat(p.heartbeat_secs.map(Duration::from_secs))
            .stream_timeout(Duration::from_secs(p.stream_timeout_secs))
            .idle_timeout(Duration::from_secs(p.idle_timeout_secs));
        let engine = |responder: Arc<dyn Responder>| {
            let engine = Engine::new(store.clone(), responder).with_options(options.clone());
            Arc::new(match &attachments {
                Some(handler) => engine.with_attachments(handler.clone()),
                None => engine,
            })
        };
        let mut engines = HashMap::new();
        for (id, responder) in responders {
            engines.insert(id, engine(responder));
        }
        if let Some(id) = &p.scripted_agent {
            engines.insert(
                id.clone(),
                engine(Arc::new(ScriptedResponder::new(Script::Benchmark))),
            );
        }
        Self {
            engines,
            default_id,
            streams: StreamSlots::default(),
        }
    }

    /// The id of the agent `POST /chatkit` serves.
    pub fn default_id(&self) -> &str {
        &self.default_id
    }

    /// The engine for `agent`.
    pub fn get(&self, agent: &str) -> Option<&Arc<Engine>> {
        self.engines.get(agent)
    }

    /// Waits until no reply is streaming (or its pipeline finishing, e.g. after a cancel).
    pub async fn wait_idle(&self) {
        for engine in self.engines.values() {
            engine.wait_idle().await;
        }
    }
}

/// Middleware for the protocol routes: origin check and identity, with no minting limits.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    identity::guard_with(&state, request, next, |_, _, _| Ok(None)).await
}

/// `POST /chatkit`: the default agent.
pub async fn chatkit_default(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
    request: Request,
) -> Result<Response, Response> {
    let agent = state.agents.default_id().to_owned();
    handle(state, identity, agent, request).await
}

/// `POST /chatkit/{agent}`.
pub async fn chatkit_agent(
    State(state): State<AppState>,
    Extension(identity): Extension<Identity>,
    Path(agent): Path<String>,
    request: Request,
) -> Result<Response, Response> {
    handle(state, identity, agent, request).await
}

async fn handle(
    state: AppState,
    identity: Identity,
    agent: String,
    request: Request,
) -> Result<Response, Response> {
    let engine = state.agents.get(&agent).cloned().ok_or_else(|| {
        ApiError::new(
            ErrorCode::AgentNotFound,
            format!("No agent '{agent}' is served here."),
        )
        .into_response()
    })?;
    let mut variables = state_variables(request.headers()).map_err(IntoResponse::into_response)?;
    // Verified claims travel under a prefix a page cannot send (state names are identifiers).
    for (name, value) in &identity.claims {
        variables.insert(
            format!("{}{name}", chatkit_agents::catalog::CLAIM_PREFIX),
            value.clone(),
        );
    }
    let origin = crate::attachments::request_origin(&state, &request);
    let limit = state.config.protocol.body_limit_bytes;
    let body = read_body(request, limit)
        .await
        .map_err(IntoResponse::into_response)?;
    let parsed =
        chatkit_server::parse_request(&body).map_err(|e| protocol_error(e).into_response())?;
    let slot = match &parsed {
        ChatKitReq::Streaming(_) if state.config.protocol.stream_limits => {
            Some(admit_stream(&state, &identity).map_err(IntoResponse::into_response)?)
        }
        _ => None,
    };
    let ctx = RequestContext::new(identity.id, agent)
        .with_state(variables)
        .with_origin(origin);
    let reply = engine
        .process_request(parsed, ctx)
        .await
        .map_err(|e| protocol_error(e).into_response())?;
    Ok(match reply {
        EngineReply::Json(bytes) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response(),
        EngineReply::Stream(frames) => {
            // The slot is released when the body is dropped: at the end of the reply, or when the
            // client goes away (which the engine turns into cancellation).
            let frames = frames.map(move |frame| {
                let _held = &slot;
                Ok::<_, Infallible>(frame)
            });
            let mut response = Response::new(Body::from_stream(frames));
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
            response
        }
    })
}

/// A streamed reply may start: within the identity's rate and concurrency limits.
fn admit_stream(state: &AppState, identity: &Identity) -> Result<StreamSlot, ApiError> {
    if let Some(limiter) = &state.limiter {
        let decision = limiter.check(Scope::Message, &identity.id);
        if !decision.allowed {
            return Err(limits::Refused {
                scope: Scope::Message,
                decision,
            }
            .into());
        }
    }
    let max = state.config.protocol.max_streams_per_identity as usize;
    state
        .agents
        .streams
        .acquire(&identity.id, max)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::TooManyStreams,
                format!("At most {max} replies may stream at once. Wait for one to finish."),
            )
            .with_retry_after(Duration::from_secs(1))
        })
}

/// Per-request state variables from [`STATE_HEADER`].
fn state_variables(
    headers: &HeaderMap,
) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    let Some(value) = headers.get(STATE_HEADER) else {
        return Ok(serde_json::Map::new());
    };
    let invalid = |why: &str| {
        ApiError::new(
            ErrorCode::InvalidRequest,
            format!(
                "The {STATE_HEADER} header must be a JSON object of at most 64 string, number or boolean values with names of 1 to 64 letters, digits or `_`: {why}."
            ),
        )
    };
    let object: serde_json::Map<String, serde_json::Value> = value
        .to_str()
        .ok()
        .and_then(|text| serde_json::from_str(text).ok())
        .ok_or_else(|| invalid("not a JSON object"))?;
    if object.len() > 64 {
        return Err(invalid("too many variables"));
    }
    for (name, value) in &object {
        // Identifiers only: verified claims travel under `claim:` names a page cannot forge.
        if !chatkit_agents::catalog::valid_state_name(name) {
            return Err(invalid(&format!(
                "`{name}` is not a name of letters, digits and `_`"
            )));
        }
        if !(value.is_string() || value.is_number() || value.is_boolean()) {
            return Err(invalid(&format!(
                "`{name}` is not a string, number or boolean"
            )));
        }
    }
    Ok(object)
}

/// The engine's refusal, in the product's envelope.
pub fn protocol_error(error: ProtocolError) -> ApiError {
    match ErrorCode::from_wire(error.code()) {
        Some(code) => ApiError::new(code, error.message()),
        None => ApiError::internal(error),
    }
}

/// Replies streaming per identity.
#[derive(Debug, Default)]
struct StreamSlots {
    counts: Arc<Mutex<HashMap<String, usize>>>,
}

/// One streaming reply's place; released on drop.
#[derive(Debug)]
pub struct StreamSlot {
    counts: Arc<Mutex<HashMap<String, usize>>>,
    identity: String,
}

impl StreamSlots {
    fn acquire(&self, identity: &str, max: usize) -> Option<StreamSlot> {
        let mut counts = self.counts.lock().expect("stream slots lock");
        let count = counts.entry(identity.to_owned()).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            counts: self.counts.clone(),
            identity: identity.to_owned(),
        })
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().expect("stream slots lock");
        if let Some(count) = counts.get_mut(&self.identity) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.identity);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_per_identity_and_released_on_drop() {
        let slots = StreamSlots::default();
        let a1 = slots.acquire("a", 2).unwrap();
        let _a2 = slots.acquire("a", 2).unwrap();
        assert!(slots.acquire("a", 2).is_none());
        assert!(slots.acquire("b", 2).is_some(), "identities are separate");
        drop(a1);
        assert!(slots.acquire("a", 2).is_some());
    }

    #[test]
    fn every_protocol_error_maps_to_a_catalogued_code_with_the_same_status() {
        for error in [
            ProtocolError::InvalidJson("x".into()),
            ProtocolError::UnknownRequestType(Some("x".into())),
            ProtocolError::InvalidRequest("x".into()),
            ProtocolError::ThreadNotFound("t".into()),
            ProtocolError::ItemNotFound("i".into()),
            ProtocolError::AttachmentNotFound("a".into()),
            ProtocolError::NoPendingToolCall("t".into()),
            ProtocolError::StructuredInputNotPending("i".into()),
            ProtocolError::RetryTargetNotUserMessage("i".into()),
            ProtocolError::SenderNotWidget("i".into()),
            ProtocolError::AttachmentsUnavailable,
            ProtocolError::AttachmentTooLarge(Some(10)),
            ProtocolError::AttachmentTypeNotAllowed("x/y".into()),
            ProtocolError::TranscriptionUnavailable,
            ProtocolError::TranscriptionFailed("no".into()),
            ProtocolError::ActionUnavailable,
            ProtocolError::ActionFailed("no".into()),
            ProtocolError::Internal("boom".into()),
        ] {
            let code = ErrorCode::from_wire(error.code())
                .unwrap_or_else(|| panic!("{} is not in the catalogue", error.code()));
            assert_eq!(code.status().as_u16(), error.status(), "{}", error.code());
        }
    }

    #[test]
    fn state_variables_are_validated() {
        let mut headers = HeaderMap::new();
        headers.insert(
            STATE_HEADER,
            HeaderValue::from_static(r#"{"plan":"pro","seats":3}"#),
        );
        assert_eq!(state_variables(&headers).unwrap().len(), 2);
        headers.insert(
            STATE_HEADER,
            HeaderValue::from_static(r#"{"nested":{"a":1}}"#),
        );
        assert_eq!(
            state_variables(&headers).unwrap_err().code,
            ErrorCode::InvalidRequest
        );
        headers.insert(STATE_HEADER, HeaderValue::from_static("not json"));
        assert!(state_variables(&headers).is_err());
        headers.insert(
            STATE_HEADER,
            HeaderValue::from_static(r#"{"claim:plan":"pro"}"#),
        );
        assert!(
            state_variables(&headers).is_err(),
            "a page cannot forge a verified claim"
        );
    }
}
