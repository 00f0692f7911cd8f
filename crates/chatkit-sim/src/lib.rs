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
//! | `POST /v1/responses` | The Responses API (model-apis §1–§2), streaming or not, scripted by markers (below). |
//! | `POST /v1/chat/completions` | Chat Completions (model-apis §3), streaming or not, scripted by markers (below). |
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
//! `x-request-id: req_…`, `openai-processing-ms` and `openai-version` headers. The model endpoints
//! also accept the `api-key` header (see below).
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
//! # Model endpoints (a contract other code relies on)
//!
//! `POST /v1/responses` (model-apis §1–§2) and `POST /v1/chat/completions` (§3), streaming
//! (`"stream": true`) or not. Besides `Authorization: Bearer <key>` they accept the Azure style
//! `api-key: <key>` header (the recorded request shows which one was sent), and every reply carries
//! constant `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` headers.
//!
//! Requests are checked, in this order: the key (401); the JSON body, by the simulator's own code (400
//! with `param` and `code`): unknown top-level parameters (`unknown_parameter`), `model` and `input`
//! (Responses: a string or a list of items) or `messages` (chat) required, item and content part
//! shapes, tool shapes (a Responses function tool is flat and needs `name`, `parameters` and `strict`,
//! the last two nullable; a chat tool nests `name`, `parameters`, `strict` under `function`; with
//! `strict: true` every object in the schema needs `additionalProperties: false` and all its properties
//! in `required`, code `invalid_function_parameters`), a Responses `function_call_output` must answer an
//! earlier `function_call` (`No tool call found for function call output with call_id call_x.`) and every
//! `function_call` needs its output (`No tool output found for function call call_x.`), a chat `tool`
//! message must answer a `tool_calls` id of the assistant message just before it (`Invalid parameter:
//! messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`), chat
//! `tool_choice`/`parallel_tool_calls` need `tools`, `stream_options` needs `stream: true`, and
//! `previous_response_id` must name a stored response (the last 10,000 with `store` not false) whose
//! function calls the input answers; then a model name starting with `missing` (404
//! `model_not_found`); then the markers below.
//!
//! Replies: Responses streams `event: <type>` + `data: <json>` frames with `sequence_number` counting
//! from 0, and no `[DONE]`; chat streams `data: <json>` chunks ending with `data: [DONE]`, with
//! `"usage": null` on every chunk and a last usage chunk (`"choices": []`) when
//! `stream_options.include_usage` is true. Nullable fields are sent as explicit `null`; delta events and
//! chunks carry `obfuscation` unless `stream_options.include_obfuscation` is false. Without `stream`,
//! the body is the final `response` object (what the terminal event carries) or a `chat.completion`
//! with the same content. Ids: `resp_`, `msg_`, `rs_`, `fc_`, `ig_` + 48 hex, `call_` + 24 and
//! `chatcmpl-` + 29 alphanumerics. Usage is deterministic: input tokens are the words of the input's
//! text (instructions, message text, tool outputs), output tokens the deltas sent (text deltas,
//! argument fragments, reasoning words).
//!
//! ## The script
//!
//! The *user text* is the text of the last user message in the input (string content, or its
//! `input_text`/`text` parts joined with a space; for a Responses request chained with
//! `previous_response_id` and no user message, the user text of the response it chains onto). Markers
//! are `[[...]]` substrings of it; unknown markers are removed and ignored. In order:
//!
//! 1. **Tool result.** If the last input item is a tool result (Responses `function_call_output`, chat
//!    `tool` message), the reply is `The tool NAME returned: OUTPUT` (NAME from the matching call,
//!    OUTPUT cut to 300 characters). Only `[[slow]]` and `[[midfail]]` apply.
//! 2. **Title.** If the instructions (Responses `instructions`, else the first system/developer
//!    message of `input`; chat: the first system/developer message) contain `conversation title`
//!    (any case) and no tools are offered, the reply is the first six words of the user text, markers
//!    removed, trailing punctuation stripped (empty: `New conversation`). Every marker is ignored.
//! 3. **Failures before streaming**, first match wins: `[[hang]]`, `[[error:STATUS]]`, `[[quota]]`,
//!    `[[flaky]]` (odd-numbered only).
//! 4. **Tool calls.** `[[tool:NAME]]`, `[[tool:NAME {json}]]` (the arguments, as written) and
//!    `[[show:KIND]]` (= `[[tool:show {"kind":"KIND"}]]`) each make one call, in order (several make
//!    parallel calls). Without a tool marker, a `tool_choice` naming a function (Responses
//!    `{"type":"function","name":…}`, chat `{"type":"function","function":{"name":…}}`) calls it, and
//!    `tool_choice: "required"` calls the first function tool. Generated arguments give each
//!    `required` property an example of its type: string `"example"`, integer `1`, number `1.5`,
//!    boolean `true`, array `[]`, object `{}` (a property with an `enum` gets its first value). NAME must
//!    be a declared function tool, and `tool_choice` must not be `none`; otherwise the reply is the text
//!    `(simulator) no tool named NAME was offered` (JSON that is not an object: `(simulator) the
//!    arguments for NAME are not a JSON object`). Arguments stream in up to three fragments; the reply
//!    ends after the calls, with no text.
//! 5. **Text.** Otherwise `Simulated reply to: <user text>` (markers removed, whitespace runs
//!    collapsed, trimmed, at most 200 characters), one delta per word (each word with the space that
//!    follows it).
//!
//! | Marker | `POST /v1/responses` | `POST /v1/chat/completions` |
//! |---|---|---|
//! | none | the text reply above | the same, `finish_reason: "stop"` |
//! | `[[tool:NAME]]`, `[[tool:NAME {json}]]`, `[[show:KIND]]` | `function_call` items (`fc_…`, `call_id` `call_…`), `response.function_call_arguments.delta`/`.done` | `delta.tool_calls` with `index` 0, 1, …; the first fragment has `id`, `type`, `name` and `arguments: ""`; `finish_reason: "tool_calls"` |
//! | `[[reason]]` | a `reasoning` item (`rs_…`) first; its summary (`Considering the question.`, `Planning a short answer.`) is streamed as two parts (`response.reasoning_summary_part.added`, `…_text.delta`, `…_text.done`, `…_part.done`) only when `reasoning.summary` is set, else the summary is `[]` | `delta.reasoning_content` fragments of the same two sentences (joined by a space) before the content; `message.reasoning_content` without `stream` |
//! | `[[cite]]` | one `url_citation` (`https://example.com/source`, `Example source`) covering the last word (character offsets), sent as `response.output_text.annotation.added` (`annotation_index` 0) after the last delta, and in the part of `content_part.done` and `output_item.done` | ignored |
//! | `[[image]]` | only with a `{"type":"image_generation"}` tool: an `image_generation_call` item (`ig_…`) before the text, with `in_progress`, `generating`, 2 `partial_image` events and `completed`; `result` is a 1×1 PNG in base64 | ignored |
//! | `[[error]]` | after the 200: `response.created`, `response.in_progress`, `response.failed` (`error.code` `server_error`, message `The simulator failed this response on purpose.`); without `stream`: 200 with that failed `response` | after the 200: one `data: {"error":{"message":…,"type":"server_error","param":null,"code":"server_error"}}` frame, then the stream ends (no `[DONE]`); without `stream`: 500 with that error |
//! | `[[error:STATUS]]` | that status before streaming (table below) | the same |
//! | `[[quota]]` | 429 type and code `insufficient_quota`, no `retry-after` | the same |
//! | `[[flaky]]` | odd-numbered requests with this marker (1st, 3rd, …, counted per simulator across both routes) get 500 `server_error`; the others succeed as without it | the same |
//! | `[[midfail]]` | the stream is cut after about half (rounded up) of its content deltas (text deltas, else argument fragments): the body fails, no terminal event; without `stream`: the connection is cut before any byte | the same: no `finish_reason`, no usage chunk, no `[DONE]` |
//! | `[[incomplete]]` | the text stops after about half its deltas; the message item ends with status `incomplete` and the stream with `response.incomplete`, `incomplete_details.reason` `max_output_tokens` | `finish_reason: "length"` after the partial text |
//! | `[[slow]]` | the text reply has at least 40 words (`… word1 word2 …` appended) and every delta waits the model pace ([`Simulator::with_model_pace`], default 40 ms); without `stream`, the reply waits that long in total | the same |
//! | `[[hang]]` | never answers: waits up to 10 minutes, or until the server started by [`serve`] shuts down, then cuts the connection (like `wf_hang`) | the same |
//!
//! Markers combine where it makes sense (`[[reason]] [[cite]]`, `[[slow]] [[midfail]]`,
//! `[[image]] [[reason]]`, `[[tool:…]] [[reason]]`, …).
//!
//! | `[[error:STATUS]]` | `type` | `code` | notes |
//! |---|---|---|---|
//! | 400 | `invalid_request_error` | `invalid_value` | `param` `input` / `messages` |
//! | 401 | `invalid_request_error` | `invalid_api_key` | `Incorrect API key provided: …` |
//! | 403 | `request_forbidden` | `unsupported_country_region_territory` | |
//! | 404 | `invalid_request_error` | `model_not_found` | |
//! | 429 | `requests` | `rate_limit_exceeded` | headers `retry-after-ms: 20`, `retry-after: 1` |
//! | 500 | `server_error` | null | like `wf_500` |
//! | 503 | `server_error` | `server_is_overloaded` | |
//!
//! Other statuses are not markers. `conformance/openai_check.py` (run by
//! `scripts/conformance.sh openai-sim BINARY`) checks all of this against the `openai` Python
//! package's own types and SDK client.

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

/// Default wait before each delta of a `[[slow]]` model reply.
const DEFAULT_MODEL_PACE: Duration = Duration::from_millis(40);

/// The simulator: shared state (recorded requests, live sessions, fault counters) behind an `Arc`.
///
/// Cloning is cheap and every clone shares the same state, including its settings: calling
/// [`with_recording`](Self::with_recording), [`with_slow_delay`](Self::with_slow_delay) or
/// [`with_model_pace`](Self::with_model_pace) on a clone of a simulator that is already serving
/// changes how that server behaves.
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
    /// The `[[slow]]` model pace, in nanoseconds.
    model_pace_nanos: AtomicU64,
    /// How many model requests reached the `[[flaky]]` marker.
    model_flaky_calls: AtomicU64,
    /// Responses kept for `previous_response_id`.
    responses: models::ResponseStore,
}

impl Simulator {
    /// A new simulator with recording on, the default `wf_slow` delay (2 s) and the default
    /// `[[slow]]` model pace (40 ms).
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                recording: AtomicBool::new(true),
                slow_delay_nanos: AtomicU64::new(duration_nanos(DEFAULT_SLOW_DELAY)),
                requests: Mutex::new(VecDeque::new()),
                sessions: sessions::SessionStore::new(),
                flaky_calls: AtomicU64::new(0),
                model_pace_nanos: AtomicU64::new(duration_nanos(DEFAULT_MODEL_PACE)),
                model_flaky_calls: AtomicU64::new(0),
                responses: models::ResponseStore::new(),
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

    /// Sets how long a `[[slow]]` model reply waits before each delta (default 40 ms).
    pub fn with_model_pace(self, pace: Duration) -> Self {
        self.inner
            .model_pace_nanos
            .store(duration_nanos(pace), Ordering::Relaxed);
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
            .route("/v1/responses", post(models::responses))
            .route("/v1/chat/completions", post(models::chat_completions))
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

    /// The current `[[slow]]` model pace.
    fn model_pace(&self) -> Duration {
        Duration::from_nanos(self.inner.model_pace_nanos.load(Ordering::Relaxed))
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
            .field("model_pace", &self.model_pace())
            .finish_non_exhaustive()
    }
}

/// A duration in nanoseconds, saturating (u64 nanoseconds cover 584 years).
fn duration_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}
