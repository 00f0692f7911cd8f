//! The model endpoints: `POST /v1/responses` (model-apis §1–§2) and `POST /v1/chat/completions`
//! (§3), streaming and not, with the error envelope of §4 and the scripted behaviour of the crate
//! docs (markers in the last user message).
//!
//! A request goes: record → API key (`Authorization: Bearer` or `api-key`) → body validation
//! (`responses::parse` / `chat::parse`, into an endpoint-neutral [`Turn`]) → model name →
//! `script::decide` (a [`script::Plan`], or an error or hang before streaming) → rendering in the
//! endpoint's wire shape → `stream` (SSE or JSON).

mod chat;
mod check;
mod markers;
mod responses;
mod script;
mod stream;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::Value;

pub(crate) use responses::ResponseStore;

use crate::Simulator;
use crate::common::{self, model_api_key, read_request};
use crate::error::{ApiError, INVALID_REQUEST};

/// The rate-limit headers every model reply carries (constant: the simulator never runs out).
const RATE_LIMIT_HEADERS: [(&str, &str); 6] = [
    ("x-ratelimit-limit-requests", "10000"),
    ("x-ratelimit-remaining-requests", "9999"),
    ("x-ratelimit-reset-requests", "6ms"),
    ("x-ratelimit-limit-tokens", "30000000"),
    ("x-ratelimit-remaining-tokens", "29999000"),
    ("x-ratelimit-reset-tokens", "2ms"),
];

/// Which endpoint a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    /// `POST /v1/responses`.
    Responses,
    /// `POST /v1/chat/completions`.
    Chat,
}

impl Endpoint {
    /// The parameter holding the conversation.
    fn input_param(self) -> &'static str {
        match self {
            Endpoint::Responses => "input",
            Endpoint::Chat => "messages",
        }
    }
}

/// A validated request, reduced to what the script needs; the same for both endpoints.
#[derive(Debug)]
struct Turn {
    /// Where the request came.
    endpoint: Endpoint,
    /// `model`.
    model: String,
    /// `stream`.
    stream: bool,
    /// The text of the last user message (empty if there is none).
    user_text: String,
    /// The tool result that is the last input item, if it is one.
    tool_result: Option<ToolResult>,
    /// The instructions (Responses `instructions`, else the first system/developer message).
    instructions: String,
    /// The declared function tools, in order.
    functions: Vec<FunctionTool>,
    /// Whether any tool at all is declared.
    tools_offered: bool,
    /// Whether an `image_generation` tool is declared.
    image_tool: bool,
    /// `tool_choice`.
    tool_choice: ToolChoice,
    /// The simulated number of input tokens.
    input_tokens: u64,
}

/// A tool result closing the input.
#[derive(Debug)]
struct ToolResult {
    /// The name of the function whose call this answers.
    name: String,
    /// The output, as text.
    output: String,
}

/// A declared function tool.
#[derive(Debug)]
struct FunctionTool {
    /// Its name.
    name: String,
    /// Its JSON schema (`null` if none).
    parameters: Value,
}

/// `tool_choice`, as far as the script cares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ToolChoice {
    /// `auto` (the default), or a hosted tool.
    Auto,
    /// `none`.
    None,
    /// `required`.
    Required,
    /// A named function.
    Function(String),
}

/// `POST /v1/responses`.
pub(crate) async fn responses(State(sim): State<Simulator>, request: Request) -> Response {
    serve(sim, request, Endpoint::Responses).await
}

/// `POST /v1/chat/completions`.
pub(crate) async fn chat_completions(State(sim): State<Simulator>, request: Request) -> Response {
    serve(sim, request, Endpoint::Chat).await
}

/// Both endpoints: read and record, answer, add the rate-limit headers.
async fn serve(sim: Simulator, request: Request, endpoint: Endpoint) -> Response {
    let started = Instant::now();
    let mut response = match read_request(&sim, request, started).await {
        Ok((parts, body)) => answer(&sim, &parts, &body, endpoint, started)
            .await
            .unwrap_or_else(|error| error.into_response(started)),
        Err(response) => response,
    };
    let headers = response.headers_mut();
    for (name, value) in RATE_LIMIT_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Checks the key and the body, then lets the script decide and renders its plan.
async fn answer(
    sim: &Simulator,
    parts: &Parts,
    body: &[u8],
    endpoint: Endpoint,
    started: Instant,
) -> Result<Response, ApiError> {
    let key = model_api_key(&parts.headers)?;
    let body = check::parse_object(body)?;
    let request = match endpoint {
        Endpoint::Responses => Parsed::Responses(responses::parse(sim, body)?),
        Endpoint::Chat => Parsed::Chat(chat::parse(body)?),
    };
    let turn = request.turn();
    if turn.model.starts_with("missing") {
        return Err(model_not_found(&turn.model));
    }
    let plan = match script::decide(sim, turn, key) {
        script::Decision::Reply(plan) => plan,
        script::Decision::Reject(error) => return Err(error),
        script::Decision::Hang => {
            common::sleep_unless_shutdown(parts, common::HANG_FOR).await;
            tracing::debug!("[[hang]]: cutting the connection");
            return Ok(common::broken_response());
        }
    };
    let pace = plan.slow.then(|| sim.model_pace());
    Ok(match &request {
        Parsed::Responses(request) => {
            responses::reply(sim, parts, request, &plan, pace, started).await
        }
        Parsed::Chat(request) => chat::reply(parts, request, &plan, pace, started).await?,
    })
}

/// A validated request of either endpoint.
enum Parsed {
    /// A Responses request.
    Responses(responses::ResponsesRequest),
    /// A Chat Completions request.
    Chat(chat::ChatRequest),
}

impl Parsed {
    /// The endpoint-neutral part.
    fn turn(&self) -> &Turn {
        match self {
            Parsed::Responses(request) => &request.turn,
            Parsed::Chat(request) => &request.turn,
        }
    }
}

/// The real API's 404 for an unknown model.
fn model_not_found(model: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        INVALID_REQUEST,
        format!("The model `{model}` does not exist or you do not have access to it."),
    )
    .code("model_not_found")
}

/// A fresh id: `prefix` + `len` random lowercase hex digits.
fn hex_id(prefix: &str, len: usize) -> String {
    let mut rng = rand::rng();
    let mut id = String::with_capacity(prefix.len() + len);
    id.push_str(prefix);
    for _ in 0..len {
        let digit: u32 = rng.random_range(0..16);
        id.push(char::from_digit(digit, 16).unwrap_or('0'));
    }
    id
}

/// A fresh id: `prefix` + `len` random ASCII letters and digits.
fn alnum_id(prefix: &str, len: usize) -> String {
    let random: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(len)
        .map(char::from)
        .collect();
    format!("{prefix}{random}")
}

/// A random `obfuscation` string (what the real API pads delta events with).
fn obfuscation() -> String {
    let len = rand::rng().random_range(1..=12);
    alnum_id("", len)
}

/// The current Unix time in seconds.
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

/// The Unix time in seconds when a reply of `deltas` paced deltas will have finished.
fn finished_at(pace: Option<Duration>, deltas: usize) -> u64 {
    let total = pace.map_or(Duration::ZERO, |pace| {
        pace.saturating_mul(u32::try_from(deltas).unwrap_or(u32::MAX))
    });
    unix_now() + total.as_secs()
}
