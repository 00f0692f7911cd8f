//! `POST /v1/responses`: request validation (model-apis §1), rendering a plan as `response.*`
//! events (`event:` + `data:` frames, dense `sequence_number`s, §2) or as one `response` object,
//! and the stored responses `previous_response_id` refers to.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::check::{
    Kind, count_words, function_name, invalid_value, missing, number_in, object, one_of, optional,
    optional_bool, optional_str, required, required_str, strict_schema, text_of,
};
use super::script::{self, Call, FAILED_ON_PURPOSE, Plan, REASONING_SUMMARY, Reply};
use super::stream::{self, Steps};
use super::{Endpoint, FunctionTool, ToolChoice, ToolResult, Turn};
use crate::Simulator;
use crate::error::{ApiError, INVALID_REQUEST};
use crate::validate::{path, reject_unknown, take_int, wrong_type};

/// How many responses are kept for `previous_response_id`; the oldest are forgotten first.
const MAX_STORED: usize = 10_000;

/// A 1×1 PNG, base64 without a `data:` prefix: the simulated generated image.
pub(super) const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// How many partial images `[[image]]` streams.
const PARTIAL_IMAGES: usize = 2;

/// The URL and title of `[[cite]]`'s citation.
const CITATION: (&str, &str) = ("https://example.com/source", "Example source");

/// The top-level parameters of a create-response request (openai 3.54 `ResponseCreateParams`).
const PARAMETERS: &[&str] = &[
    "access_programs",
    "background",
    "background_options",
    "context_management",
    "conversation",
    "image",
    "include",
    "input",
    "instructions",
    "max_output_tokens",
    "max_tool_calls",
    "metadata",
    "model",
    "moderation",
    "parallel_tool_calls",
    "previous_response_id",
    "prompt",
    "prompt_cache_key",
    "prompt_cache_options",
    "prompt_cache_retention",
    "reasoning",
    "safety_identifier",
    "service_tier",
    "store",
    "stream",
    "stream_options",
    "temperature",
    "text",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "truncation",
    "user",
];

/// Input item types accepted without a closer look.
const OTHER_ITEM_TYPES: &[&str] = &[
    "file_search_call",
    "computer_call",
    "computer_call_output",
    "web_search_call",
    "tool_search_call",
    "tool_search_output",
    "additional_tools",
    "configuration_update",
    "compaction",
    "image_generation_call",
    "code_interpreter_call",
    "local_shell_call",
    "local_shell_call_output",
    "shell_call",
    "shell_call_output",
    "apply_patch_call",
    "apply_patch_call_output",
    "mcp_list_tools",
    "mcp_approval_request",
    "mcp_approval_response",
    "mcp_call",
    "custom_tool_call_output",
    "custom_tool_call",
    "compaction_trigger",
    "program",
    "program_output",
];

/// Every input item type, for the error message.
const ITEM_TYPES: &[&str] = &[
    "message",
    "function_call",
    "function_call_output",
    "reasoning",
    "item_reference",
    "web_search_call",
    "file_search_call",
    "image_generation_call",
    "code_interpreter_call",
    "mcp_call",
    "custom_tool_call",
];

/// Tool types accepted without a closer look (besides `function`, `image_generation`,
/// `file_search`, `code_interpreter` and `mcp`).
const OTHER_TOOL_TYPES: &[&str] = &[
    "computer",
    "computer_use_preview",
    "web_search",
    "web_search_2025_08_26",
    "web_search_preview",
    "web_search_preview_2025_03_11",
    "programmatic_tool_calling",
    "local_shell",
    "shell",
    "custom",
    "namespace",
    "tool_search",
    "apply_patch",
];

/// The documented tool types, for the error message.
const TOOL_TYPES: &[&str] = &[
    "function",
    "file_search",
    "web_search",
    "web_search_preview",
    "code_interpreter",
    "image_generation",
    "mcp",
    "computer_use_preview",
    "local_shell",
    "shell",
    "custom",
    "apply_patch",
];

/// The keys of a flat function tool.
const FUNCTION_TOOL_KEYS: &[&str] = &[
    "type",
    "name",
    "description",
    "parameters",
    "strict",
    "allowed_callers",
    "async",
    "defer_loading",
    "output_schema",
];

/// The values `include` accepts.
const INCLUDE: &[&str] = &[
    "file_search_call.results",
    "web_search_call.results",
    "web_search_call.action.sources",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "code_interpreter_call.outputs",
    "reasoning.encrypted_content",
    "message.output_text.logprobs",
];

/// What a stored response leaves for the next one in its chain.
#[derive(Debug, Clone, Default)]
struct Chain {
    /// The function calls it made, `(call_id, name)`, which the next request must answer.
    pending_calls: Vec<(String, String)>,
    /// The user text it answered (so markers such as `[[slow]]` carry over to tool results).
    user_text: String,
}

/// The responses stored (`store` not false) for `previous_response_id`, the most recent
/// [`MAX_STORED`].
pub(crate) struct ResponseStore {
    inner: Mutex<StoreInner>,
}

/// The store's map and its insertion order.
#[derive(Default)]
struct StoreInner {
    chains: HashMap<String, Chain>,
    order: VecDeque<String>,
}

impl ResponseStore {
    /// An empty store.
    pub(crate) fn new() -> Self {
        Self {
            inner: Mutex::default(),
        }
    }

    /// The stored response `id`.
    fn get(&self, id: &str) -> Option<Chain> {
        self.lock().chains.get(id).cloned()
    }

    /// Stores a response, forgetting the oldest beyond [`MAX_STORED`].
    fn insert(&self, id: String, chain: Chain) {
        let mut inner = self.lock();
        if inner.order.len() >= MAX_STORED
            && let Some(oldest) = inner.order.pop_front()
        {
            inner.chains.remove(&oldest);
        }
        inner.order.push_back(id.clone());
        inner.chains.insert(id, chain);
    }

    /// The store, tolerating a poisoned lock.
    fn lock(&self) -> std::sync::MutexGuard<'_, StoreInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A validated create-response request.
#[derive(Debug)]
pub(super) struct ResponsesRequest {
    /// The endpoint-neutral part.
    pub(super) turn: Turn,
    /// The body, for the parameters the `response` object echoes.
    body: Map<String, Value>,
    /// Whether `reasoning.summary` (or `generate_summary`) is set.
    summary: bool,
    /// `store` (default true).
    store: bool,
    /// `stream_options.include_obfuscation` (default true).
    obfuscation: bool,
    /// Whether `include` has `reasoning.encrypted_content`.
    encrypted_reasoning: bool,
}

/// Validates a create-response body.
pub(super) fn parse(
    sim: &Simulator,
    body: Map<String, Value>,
) -> Result<ResponsesRequest, ApiError> {
    reject_unknown(&body, "", PARAMETERS)?;
    let model = required_str(&body, "", "model")?.to_owned();
    let input = required(&body, "", "input")?;
    if !input.is_string() && !input.is_array() {
        return Err(wrong_type("", "input", "one of a string or array", input));
    }
    for (key, kind) in [
        ("instructions", Kind::StrOrArr),
        ("background", Kind::Bool),
        ("max_tool_calls", Kind::Int),
        ("metadata", Kind::Obj),
        ("parallel_tool_calls", Kind::Bool),
        ("previous_response_id", Kind::Str),
        ("prompt_cache_key", Kind::Str),
        ("safety_identifier", Kind::Str),
        ("user", Kind::Str),
        ("top_logprobs", Kind::Int),
        ("text", Kind::Obj),
        ("include", Kind::Arr),
        ("reasoning", Kind::Obj),
        ("tools", Kind::Arr),
        ("tool_choice", Kind::StrOrObj),
        ("stream_options", Kind::Obj),
        ("conversation", Kind::StrOrObj),
        ("prompt", Kind::Obj),
    ] {
        optional(&body, "", key, kind)?;
    }
    let stream = optional_bool(&body, "", "stream")?.unwrap_or(false);
    let store = optional_bool(&body, "", "store")?.unwrap_or(true);
    number_in(&body, "temperature", 0.0, 2.0)?;
    number_in(&body, "top_p", 0.0, 1.0)?;
    one_of(&body, "", "truncation", &["auto", "disabled"])?;
    one_of(
        &body,
        "",
        "service_tier",
        &["auto", "default", "flex", "scale", "priority"],
    )?;
    if body.get("max_output_tokens").is_some_and(|v| !v.is_null()) {
        let mut copy = Map::new();
        copy.insert(
            "max_output_tokens".to_owned(),
            body["max_output_tokens"].clone(),
        );
        take_int(&mut copy, "", "max_output_tokens", 16, None)?;
    }

    let obfuscation = match body.get("stream_options").and_then(Value::as_object) {
        Some(options) => {
            if !stream {
                return Err(super::check::stream_options_without_stream());
            }
            reject_unknown(options, "stream_options", &["include_obfuscation"])?;
            optional_bool(options, "stream_options", "include_obfuscation")?.unwrap_or(true)
        }
        None => true,
    };

    let summary = match body.get("reasoning").and_then(Value::as_object) {
        Some(reasoning) => {
            reject_unknown(
                reasoning,
                "reasoning",
                &["effort", "summary", "generate_summary", "context", "mode"],
            )?;
            one_of(
                reasoning,
                "reasoning",
                "effort",
                &["none", "minimal", "low", "medium", "high", "xhigh", "max"],
            )?;
            let summaries = ["auto", "concise", "detailed"];
            let summary = one_of(reasoning, "reasoning", "summary", &summaries)?;
            let generate = one_of(reasoning, "reasoning", "generate_summary", &summaries)?;
            summary.is_some() || generate.is_some()
        }
        None => false,
    };

    let mut encrypted_reasoning = false;
    for (index, value) in body
        .get("include")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let param = format!("include[{index}]");
        let Some(include) = value.as_str() else {
            return Err(wrong_type("", &param, "a string", value));
        };
        if !INCLUDE.contains(&include) {
            return Err(invalid_value(&param, value, INCLUDE));
        }
        encrypted_reasoning |= include == "reasoning.encrypted_content";
    }

    let previous = optional_str(&body, "", "previous_response_id")?;
    if previous.is_some() && body.get("conversation").is_some_and(|v| !v.is_null()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            INVALID_REQUEST,
            "Mutually exclusive parameters: Ensure you are only providing one of: \
             'previous_response_id' or 'conversation'.",
        )
        .code("mutually_exclusive_parameters"));
    }
    let chain = match previous {
        Some(id) => Some(sim.inner.responses.get(id).ok_or_else(|| {
            ApiError::bad_param(
                "previous_response_id",
                "previous_response_not_found",
                format!("Previous response with id '{id}' not found."),
            )
        })?),
        None => None,
    };

    let (functions, image_tool) = tools(&body)?;
    let tools_offered = body
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(|tools| !tools.is_empty());
    let tool_choice = tool_choice(&body)?;
    let scan = scan_input(input, chain.as_ref())?;

    let instructions = match body.get("instructions") {
        Some(Value::String(text)) => text.clone(),
        _ => scan.system_text.unwrap_or_default(),
    };
    let input_tokens = count_words(input) + body.get("instructions").map_or(0, count_words);
    let user_text = scan
        .user_text
        .or_else(|| chain.map(|chain| chain.user_text))
        .unwrap_or_default();

    Ok(ResponsesRequest {
        turn: Turn {
            endpoint: Endpoint::Responses,
            model,
            stream,
            user_text,
            tool_result: scan.tool_result,
            instructions,
            functions,
            tools_offered,
            image_tool,
            tool_choice,
            input_tokens,
        },
        body,
        summary,
        store,
        obfuscation,
        encrypted_reasoning,
    })
}

/// Validates `tools`: returns the function tools and whether `image_generation` is among them.
fn tools(body: &Map<String, Value>) -> Result<(Vec<FunctionTool>, bool), ApiError> {
    let mut functions = Vec::new();
    let mut image = false;
    let Some(tools) = body.get("tools").and_then(Value::as_array) else {
        return Ok((functions, image));
    };
    for (index, tool) in tools.iter().enumerate() {
        let at = format!("tools[{index}]");
        let map = object(tool, &at)?;
        let kind = required_str(map, &at, "type")?;
        match kind {
            "function" => {
                // A Chat Completions tool (`{type, function: {...}}`) fails here, as it does on
                // the real API.
                let name = required_str(map, &at, "name")?;
                reject_unknown(map, &at, FUNCTION_TOOL_KEYS)?;
                function_name(name, &path(&at, "name"))?;
                for key in ["parameters", "strict"] {
                    if !map.contains_key(key) {
                        return Err(missing(&path(&at, key)));
                    }
                }
                optional(map, &at, "parameters", Kind::Obj)?;
                optional(map, &at, "description", Kind::Str)?;
                let strict = optional_bool(map, &at, "strict")?;
                let parameters = map.get("parameters").cloned().unwrap_or(Value::Null);
                if strict == Some(true) && !parameters.is_null() {
                    strict_schema(name, &parameters, &path(&at, "parameters"))?;
                }
                functions.push(FunctionTool {
                    name: name.to_owned(),
                    parameters,
                });
            }
            "image_generation" => {
                image = true;
                if map.get("partial_images").is_some_and(|v| !v.is_null()) {
                    let mut copy = Map::new();
                    copy.insert("partial_images".to_owned(), map["partial_images"].clone());
                    take_int(&mut copy, &at, "partial_images", 0, Some(3))?;
                }
            }
            "file_search" => {
                required(map, &at, "vector_store_ids")?;
            }
            "code_interpreter" => {
                required(map, &at, "container")?;
            }
            "mcp" => {
                required_str(map, &at, "server_label")?;
            }
            other if OTHER_TOOL_TYPES.contains(&other) => {}
            other => {
                return Err(invalid_value(
                    &path(&at, "type"),
                    &Value::from(other),
                    TOOL_TYPES,
                ));
            }
        }
    }
    Ok((functions, image))
}

/// Validates `tool_choice`.
fn tool_choice(body: &Map<String, Value>) -> Result<ToolChoice, ApiError> {
    match body.get("tool_choice") {
        None | Some(Value::Null) => Ok(ToolChoice::Auto),
        Some(Value::String(choice)) => match choice.as_str() {
            "auto" => Ok(ToolChoice::Auto),
            "none" => Ok(ToolChoice::None),
            "required" => Ok(ToolChoice::Required),
            _ => Err(invalid_value(
                "tool_choice",
                &Value::from(choice.as_str()),
                &["none", "auto", "required"],
            )),
        },
        Some(Value::Object(choice)) => match required_str(choice, "tool_choice", "type")? {
            "function" => Ok(ToolChoice::Function(
                required_str(choice, "tool_choice", "name")?.to_owned(),
            )),
            "allowed_tools" => {
                let mode = one_of(choice, "tool_choice", "mode", &["auto", "required"])?;
                Ok(if mode.as_deref() == Some("required") {
                    ToolChoice::Required
                } else {
                    ToolChoice::Auto
                })
            }
            _ => Ok(ToolChoice::Auto),
        },
        Some(other) => Err(wrong_type(
            "",
            "tool_choice",
            "one of a string or object",
            other,
        )),
    }
}

/// What the script needs from `input`.
struct InputScan {
    /// The text of the last user message.
    user_text: Option<String>,
    /// The text of the first system or developer message.
    system_text: Option<String>,
    /// The tool result closing the input, if any.
    tool_result: Option<ToolResult>,
}

/// Validates `input` item by item and reads the user text, instructions and closing tool result.
fn scan_input(input: &Value, chain: Option<&Chain>) -> Result<InputScan, ApiError> {
    let mut scan = InputScan {
        user_text: None,
        system_text: None,
        tool_result: None,
    };
    let items: &[Value] = match input {
        Value::String(text) => {
            scan.user_text = Some(text.clone());
            &[]
        }
        Value::Array(items) => items,
        _ => &[],
    };
    let mut calls: Vec<(String, String)> =
        chain.map(|c| c.pending_calls.clone()).unwrap_or_default();
    let mut answered = HashSet::new();
    for (index, item) in items.iter().enumerate() {
        let at = format!("input[{index}]");
        let map = object(item, &at)?;
        let kind = match map.get("type") {
            None | Some(Value::Null) if map.contains_key("role") => "message",
            None | Some(Value::Null) => return Err(missing(&path(&at, "type"))),
            Some(Value::String(kind)) => kind.as_str(),
            Some(other) => return Err(wrong_type(&at, "type", "a string", other)),
        };
        scan.tool_result = None;
        match kind {
            "message" => {
                let (role, text) = message(map, &at)?;
                match role {
                    "user" => scan.user_text = Some(text),
                    "system" | "developer" if scan.system_text.is_none() => {
                        scan.system_text = Some(text);
                    }
                    _ => {}
                }
            }
            "function_call" => {
                reject_unknown(
                    map,
                    &at,
                    &[
                        "type",
                        "id",
                        "call_id",
                        "name",
                        "arguments",
                        "status",
                        "namespace",
                        "caller",
                        "async",
                    ],
                )?;
                let call_id = required_str(map, &at, "call_id")?;
                let name = required_str(map, &at, "name")?;
                required_str(map, &at, "arguments")?;
                calls.push((call_id.to_owned(), name.to_owned()));
            }
            "function_call_output" => {
                reject_unknown(
                    map,
                    &at,
                    &[
                        "type",
                        "id",
                        "call_id",
                        "output",
                        "status",
                        "name",
                        "namespace",
                        "caller",
                    ],
                )?;
                let call_id = required_str(map, &at, "call_id")?;
                let output = required(map, &at, "output")?;
                if !output.is_string() && !output.is_array() {
                    return Err(wrong_type(
                        &at,
                        "output",
                        "one of a string or array",
                        output,
                    ));
                }
                let Some((_, name)) = calls.iter().find(|(id, _)| id == call_id) else {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        INVALID_REQUEST,
                        format!(
                            "No tool call found for function call output with call_id {call_id}."
                        ),
                    )
                    .param("input"));
                };
                answered.insert(call_id.to_owned());
                scan.tool_result = Some(ToolResult {
                    name: name.clone(),
                    output: text_of(output, &["input_text", "output_text"]),
                });
            }
            "reasoning" => {
                reject_unknown(
                    map,
                    &at,
                    &[
                        "type",
                        "id",
                        "summary",
                        "content",
                        "encrypted_content",
                        "status",
                    ],
                )?;
                let summary = required(map, &at, "summary")?;
                if !summary.is_array() {
                    return Err(wrong_type(&at, "summary", "an array", summary));
                }
            }
            "item_reference" => {
                required_str(map, &at, "id")?;
            }
            other if OTHER_ITEM_TYPES.contains(&other) => {}
            other => {
                return Err(invalid_value(
                    &path(&at, "type"),
                    &Value::from(other),
                    ITEM_TYPES,
                ));
            }
        }
    }
    if let Some((call_id, _)) = calls.iter().find(|(id, _)| !answered.contains(id)) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            INVALID_REQUEST,
            format!("No tool output found for function call {call_id}."),
        )
        .param("input"));
    }
    Ok(scan)
}

/// Validates a message item and returns its role and text.
fn message<'a>(map: &'a Map<String, Value>, at: &str) -> Result<(&'a str, String), ApiError> {
    reject_unknown(
        map,
        at,
        &["type", "role", "content", "id", "status", "phase"],
    )?;
    let roles = ["user", "assistant", "system", "developer"];
    let role = required_str(map, at, "role")?;
    if !roles.contains(&role) {
        return Err(invalid_value(&path(at, "role"), &Value::from(role), &roles));
    }
    let content = required(map, at, "content")?;
    match content {
        Value::String(_) => {}
        Value::Array(parts) => {
            for (index, part) in parts.iter().enumerate() {
                content_part(role, part, &format!("{at}.content[{index}]"))?;
            }
        }
        other => {
            return Err(wrong_type(at, "content", "one of a string or array", other));
        }
    }
    Ok((role, text_of(content, &["input_text", "output_text"])))
}

/// Validates one content part of a message with `role`.
fn content_part(role: &str, part: &Value, at: &str) -> Result<(), ApiError> {
    let map = object(part, at)?;
    let kind = required_str(map, at, "type")?;
    let allowed: &[&str] = if role == "assistant" {
        &["output_text", "refusal"]
    } else {
        &["input_text", "input_image", "input_file"]
    };
    if !allowed.contains(&kind) {
        return Err(invalid_value(at, &Value::from(kind), allowed));
    }
    match kind {
        "input_text" => {
            reject_unknown(map, at, &["type", "text", "prompt_cache_breakpoint"])?;
            required_str(map, at, "text")?;
        }
        "input_image" => {
            reject_unknown(
                map,
                at,
                &[
                    "type",
                    "detail",
                    "image_url",
                    "file_id",
                    "prompt_cache_breakpoint",
                ],
            )?;
            one_of(map, at, "detail", &["low", "high", "auto", "original"])?;
            let url = optional_str(map, at, "image_url")?;
            let file = optional_str(map, at, "file_id")?;
            if url.is_none() && file.is_none() {
                return Err(missing(&path(at, "image_url")));
            }
        }
        "input_file" => {
            reject_unknown(
                map,
                at,
                &[
                    "type",
                    "detail",
                    "file_data",
                    "file_id",
                    "file_url",
                    "filename",
                    "prompt_cache_breakpoint",
                ],
            )?;
            let mut any = false;
            for key in ["file_data", "file_id", "file_url"] {
                any |= optional_str(map, at, key)?.is_some();
            }
            optional_str(map, at, "filename")?;
            if !any {
                return Err(missing(&path(at, "file_id")));
            }
        }
        "output_text" => {
            reject_unknown(map, at, &["type", "text", "annotations", "logprobs"])?;
            required_str(map, at, "text")?;
            optional(map, at, "annotations", Kind::Arr)?;
        }
        _ => {
            reject_unknown(map, at, &["type", "refusal"])?;
            required_str(map, at, "refusal")?;
        }
    }
    Ok(())
}

/// Renders the plan, stores the response when asked to, and sends it.
pub(super) async fn reply(
    sim: &Simulator,
    parts: &Parts,
    request: &ResponsesRequest,
    plan: &Plan,
    pace: Option<Duration>,
    started: Instant,
) -> Response {
    let rendered = Renderer::new(request, plan, pace).render();
    if request.store {
        sim.inner
            .responses
            .insert(rendered.id.clone(), rendered.chain);
    }
    if request.turn.stream {
        stream::sse(parts, rendered.steps.into_steps(), pace, started)
    } else {
        let pace = pace.map(|pace| (pace, rendered.deltas));
        stream::json(parts, &rendered.response, pace, plan.midfail, started).await
    }
}

/// A rendered response.
struct Rendered {
    /// `resp_…`.
    id: String,
    /// The SSE frames.
    steps: Steps,
    /// The final `response` object (the non-streaming body).
    response: Value,
    /// How many deltas were sent (for the non-streaming pace).
    deltas: usize,
    /// What the next response in the chain needs.
    chain: Chain,
}

/// Renders one plan as events and as the final `response` object.
struct Renderer<'a> {
    request: &'a ResponsesRequest,
    plan: &'a Plan,
    pace: Option<Duration>,
    id: String,
    created_at: u64,
    sequence: u64,
    steps: Steps,
    output: Vec<Value>,
    reasoning_deltas: usize,
    calls: Vec<(String, String)>,
}

impl<'a> Renderer<'a> {
    /// A renderer with no event sent yet.
    fn new(request: &'a ResponsesRequest, plan: &'a Plan, pace: Option<Duration>) -> Self {
        Self {
            request,
            plan,
            pace,
            id: super::hex_id("resp_", 48),
            created_at: super::unix_now(),
            sequence: 0,
            steps: Steps::default(),
            output: Vec::new(),
            reasoning_deltas: 0,
            calls: Vec::new(),
        }
    }

    /// Renders every event, then the final object.
    fn render(mut self) -> Rendered {
        let start = self.response("in_progress", Value::Null);
        self.event(
            "response.created",
            json!({ "response": start.clone() }),
            false,
        );
        self.event("response.in_progress", json!({ "response": start }), false);

        let response = if self.plan.fail {
            let mut failed = self.response("failed", Value::Null);
            failed["error"] = json!({ "code": "server_error", "message": FAILED_ON_PURPOSE });
            self.event(
                "response.failed",
                json!({ "response": failed.clone() }),
                false,
            );
            failed
        } else {
            if self.plan.reasoning {
                self.reasoning_item();
            }
            if self.plan.image {
                self.image_item();
            }
            match &self.plan.reply {
                Reply::Text(_) => self.message_item(),
                Reply::Calls(calls) => {
                    for call in calls {
                        self.function_call_item(call);
                    }
                }
            }
            let usage = self.usage();
            let (status, terminal) = if self.plan.incomplete {
                ("incomplete", "response.incomplete")
            } else {
                ("completed", "response.completed")
            };
            let mut done = self.response(status, usage);
            if self.plan.incomplete {
                done["incomplete_details"] = json!({ "reason": "max_output_tokens" });
            } else {
                let deltas = self.steps.content_count() + self.reasoning_deltas;
                done["completed_at"] = json!(super::finished_at(self.pace, deltas));
            }
            self.event(terminal, json!({ "response": done.clone() }), false);
            done
        };
        if let Some(keep) = self.plan.cut_after() {
            self.steps.cut_after_content(keep);
        }
        Rendered {
            deltas: self.steps.content_count() + self.reasoning_deltas,
            id: self.id,
            steps: self.steps,
            response,
            chain: Chain {
                pending_calls: self.calls,
                user_text: self.request.turn.user_text.clone(),
            },
        }
    }

    /// The SSE frame of one event: `fields` plus `type` and the next `sequence_number`.
    fn frame(&mut self, kind: &str, fields: Value) -> String {
        let mut event = Map::new();
        event.insert("type".to_owned(), Value::from(kind));
        event.insert("sequence_number".to_owned(), Value::from(self.sequence));
        if let Value::Object(fields) = fields {
            event.extend(fields);
        }
        self.sequence += 1;
        format!("event: {kind}\ndata: {}\n\n", Value::Object(event))
    }

    /// Sends one event; a `content` one is a content delta (paced, counted for `[[midfail]]`).
    fn event(&mut self, kind: &str, fields: Value, content: bool) {
        let frame = self.frame(kind, fields);
        if content {
            self.steps.push_content(frame);
        } else {
            self.steps.push(frame, false);
        }
    }

    /// A delta event's fields plus `obfuscation` unless it was turned off.
    fn delta_fields(&self, mut fields: Value) -> Value {
        if self.request.obfuscation {
            fields["obfuscation"] = Value::from(super::obfuscation());
        }
        fields
    }

    /// `output_item.added` for a new item; returns its `output_index`.
    fn add_item(&mut self, item: Value) -> usize {
        let index = self.output.len();
        self.output.push(Value::Null);
        self.event(
            "response.output_item.added",
            json!({ "output_index": index, "item": item }),
            false,
        );
        index
    }

    /// `output_item.done` for the item at `index`.
    fn finish_item(&mut self, index: usize, item: Value) {
        self.output[index] = item.clone();
        self.event(
            "response.output_item.done",
            json!({ "output_index": index, "item": item }),
            false,
        );
    }

    /// The reasoning item; its summary is streamed only when `reasoning.summary` is set.
    fn reasoning_item(&mut self) {
        let id = super::hex_id("rs_", 48);
        let index = self.add_item(json!({ "id": id, "type": "reasoning", "summary": [] }));
        let mut summary = Vec::new();
        for (summary_index, text) in REASONING_SUMMARY.iter().enumerate() {
            let deltas = script::words(text);
            self.reasoning_deltas += deltas.len();
            if !self.request.summary {
                continue;
            }
            let at =
                json!({ "item_id": id, "output_index": index, "summary_index": summary_index });
            let mut added = at.clone();
            added["part"] = json!({ "type": "summary_text", "text": "" });
            self.event("response.reasoning_summary_part.added", added, false);
            for delta in deltas {
                let mut fields = at.clone();
                fields["delta"] = Value::from(delta);
                let fields = self.delta_fields(fields);
                self.paced_event("response.reasoning_summary_text.delta", fields);
            }
            let mut done = at.clone();
            done["text"] = Value::from(*text);
            self.event("response.reasoning_summary_text.done", done, false);
            let part = json!({ "type": "summary_text", "text": text });
            let mut part_done = at;
            part_done["part"] = part.clone();
            self.event("response.reasoning_summary_part.done", part_done, false);
            summary.push(part);
        }
        let mut item = json!({ "id": id, "type": "reasoning", "summary": summary });
        if self.request.encrypted_reasoning {
            item["encrypted_content"] = Value::from(format!("gAAAAA{}", super::alnum_id("", 64)));
        }
        self.finish_item(index, item);
    }

    /// A delta that is not a content delta but still waits the pace.
    fn paced_event(&mut self, kind: &str, fields: Value) {
        let frame = self.frame(kind, fields);
        self.steps.push(frame, true);
    }

    /// The image generation call of `[[image]]`.
    fn image_item(&mut self) {
        let id = super::hex_id("ig_", 48);
        let index = self.add_item(json!({
            "id": id, "type": "image_generation_call", "status": "in_progress", "result": null
        }));
        let at = json!({ "item_id": id, "output_index": index });
        self.event(
            "response.image_generation_call.in_progress",
            at.clone(),
            false,
        );
        self.event(
            "response.image_generation_call.generating",
            at.clone(),
            false,
        );
        for partial in 0..PARTIAL_IMAGES {
            let mut fields = at.clone();
            let extra = json!({
                "partial_image_index": partial, "partial_image_b64": PNG_BASE64,
                "size": "1024x1024", "quality": "high", "background": "opaque",
                "output_format": "png"
            });
            if let (Some(fields), Value::Object(extra)) = (fields.as_object_mut(), extra) {
                fields.extend(extra);
            }
            self.paced_event("response.image_generation_call.partial_image", fields);
        }
        self.event("response.image_generation_call.completed", at, false);
        let item = json!({
            "id": id, "type": "image_generation_call", "status": "completed",
            "result": PNG_BASE64, "revised_prompt": self.plan.prompt,
            "size": "1024x1024", "quality": "high", "background": "opaque", "output_format": "png"
        });
        self.finish_item(index, item);
    }

    /// The assistant message (cut short with `[[incomplete]]`, cited with `[[cite]]`).
    fn message_item(&mut self) {
        let id = super::hex_id("msg_", 48);
        let index = self.add_item(json!({
            "id": id, "type": "message", "status": "in_progress", "role": "assistant",
            "content": []
        }));
        let at = json!({ "item_id": id, "output_index": index, "content_index": 0 });
        let mut added = at.clone();
        added["part"] =
            json!({ "type": "output_text", "text": "", "annotations": [], "logprobs": [] });
        self.event("response.content_part.added", added, false);
        let deltas = self.plan.text_deltas();
        for delta in &deltas {
            let mut fields = at.clone();
            fields["delta"] = Value::from(*delta);
            fields["logprobs"] = json!([]);
            let fields = self.delta_fields(fields);
            self.event("response.output_text.delta", fields, true);
        }
        let text = deltas.concat();
        let mut annotations = Vec::new();
        if self.plan.cite
            && let Some(annotation) = citation(&text)
        {
            let mut fields = at.clone();
            fields["annotation_index"] = json!(0);
            fields["annotation"] = annotation.clone();
            self.event("response.output_text.annotation.added", fields, false);
            annotations.push(annotation);
        }
        let mut done = at.clone();
        done["text"] = Value::from(text.as_str());
        done["logprobs"] = json!([]);
        self.event("response.output_text.done", done, false);
        let part = json!({
            "type": "output_text", "text": text, "annotations": annotations, "logprobs": []
        });
        let mut part_done = at;
        part_done["part"] = part.clone();
        self.event("response.content_part.done", part_done, false);
        let status = if self.plan.incomplete {
            "incomplete"
        } else {
            "completed"
        };
        self.finish_item(
            index,
            json!({
                "id": id, "type": "message", "status": status, "role": "assistant",
                "content": [part]
            }),
        );
    }

    /// One function call item.
    fn function_call_item(&mut self, call: &Call) {
        let id = super::hex_id("fc_", 48);
        let call_id = super::alnum_id("call_", 24);
        let index = self.add_item(json!({
            "id": id, "type": "function_call", "status": "in_progress", "call_id": call_id,
            "name": call.name, "arguments": ""
        }));
        let at = json!({ "item_id": id, "output_index": index });
        for fragment in script::fragments(&call.arguments) {
            let mut fields = at.clone();
            fields["delta"] = Value::from(fragment);
            let fields = self.delta_fields(fields);
            self.event("response.function_call_arguments.delta", fields, true);
        }
        let mut done = at;
        done["arguments"] = Value::from(call.arguments.as_str());
        self.event("response.function_call_arguments.done", done, false);
        self.finish_item(
            index,
            json!({
                "id": id, "type": "function_call", "status": "completed", "call_id": call_id,
                "name": call.name, "arguments": call.arguments
            }),
        );
        self.calls.push((call_id, call.name.clone()));
    }

    /// The usage of everything sent so far.
    fn usage(&self) -> Value {
        let input = self.request.turn.input_tokens;
        let reasoning = self.reasoning_deltas as u64;
        let output = self.steps.content_count() as u64 + reasoning;
        json!({
            "input_tokens": input,
            "input_tokens_details": { "cached_tokens": 0, "cache_write_tokens": 0 },
            "output_tokens": output,
            "output_tokens_details": { "reasoning_tokens": reasoning },
            "total_tokens": input + output
        })
    }

    /// The `response` object with `status`, the items finished so far and `usage`.
    fn response(&self, status: &str, usage: Value) -> Value {
        let body = &self.request.body;
        let echo = |key: &str, default: Value| match body.get(key) {
            None | Some(Value::Null) => default,
            Some(value) => value.clone(),
        };
        let reasoning = body.get("reasoning").and_then(Value::as_object);
        let reasoning_field = |key: &str| {
            reasoning
                .and_then(|r| r.get(key))
                .cloned()
                .unwrap_or(Value::Null)
        };
        let summary = match reasoning_field("summary") {
            Value::Null => reasoning_field("generate_summary"),
            summary => summary,
        };
        let mut text = echo("text", json!({}));
        if let Some(text) = text.as_object_mut() {
            text.entry("format").or_insert(json!({ "type": "text" }));
            text.entry("verbosity").or_insert(json!("medium"));
        }
        let service_tier = match body.get("service_tier").and_then(Value::as_str) {
            None | Some("auto") => "default",
            Some(tier) => tier,
        };
        let conversation = match body.get("conversation") {
            Some(Value::String(id)) => json!({ "id": id }),
            Some(Value::Object(conversation)) => Value::Object(conversation.clone()),
            _ => Value::Null,
        };
        let output: Vec<Value> = self
            .output
            .iter()
            .filter(|item| !item.is_null())
            .cloned()
            .collect();
        json!({
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "background": echo("background", json!(false)),
            "completed_at": null,
            "conversation": conversation,
            "error": null,
            "incomplete_details": null,
            "instructions": echo("instructions", Value::Null),
            "max_output_tokens": echo("max_output_tokens", Value::Null),
            "max_tool_calls": echo("max_tool_calls", Value::Null),
            "metadata": echo("metadata", json!({})),
            "model": self.request.turn.model,
            "output": output,
            "parallel_tool_calls": echo("parallel_tool_calls", json!(true)),
            "previous_response_id": echo("previous_response_id", Value::Null),
            "prompt_cache_key": echo("prompt_cache_key", Value::Null),
            "reasoning": { "effort": reasoning_field("effort"), "summary": summary },
            "safety_identifier": echo("safety_identifier", Value::Null),
            "service_tier": service_tier,
            "store": self.request.store,
            "temperature": echo("temperature", json!(1.0)),
            "text": text,
            "tool_choice": echo("tool_choice", json!("auto")),
            "tools": echo("tools", json!([])),
            "top_logprobs": echo("top_logprobs", json!(0)),
            "top_p": echo("top_p", json!(1.0)),
            "truncation": echo("truncation", json!("disabled")),
            "usage": usage,
            "user": echo("user", Value::Null)
        })
    }
}

/// The `url_citation` of `[[cite]]`: it covers the last word of `text` (character offsets).
fn citation(text: &str) -> Option<Value> {
    let trimmed = text.trim_end();
    if trimmed.is_empty() {
        return None;
    }
    let end = trimmed.chars().count();
    let start = trimmed
        .rfind(' ')
        .map_or(0, |space| trimmed[..=space].chars().count());
    Some(json!({
        "type": "url_citation", "url": CITATION.0, "title": CITATION.1,
        "start_index": start, "end_index": end
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_citation_covers_the_last_word_in_characters() {
        let annotation = citation("Réponse à: hé là").unwrap();
        assert_eq!(annotation["start_index"], 14);
        assert_eq!(annotation["end_index"], 16);
        assert_eq!(citation("  "), None);
    }
}
