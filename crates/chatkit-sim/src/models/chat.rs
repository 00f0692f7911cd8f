//! `POST /v1/chat/completions`: request validation (model-apis §3), rendering a plan as
//! `chat.completion.chunk` frames (`data:` lines only, `data: [DONE]` last, the usage chunk with
//! `stream_options.include_usage`) or as one `chat.completion` object.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::check::{
    Kind, count_words, function_name, invalid_value, missing, number_in, object, one_of, optional,
    optional_bool, required, required_str, stream_options_without_stream, strict_schema, text_of,
};
use super::script::{self, FAILED_ON_PURPOSE, Plan, REASONING_SUMMARY, Reply};
use super::stream::{self, Steps};
use super::{Endpoint, FunctionTool, ToolChoice, ToolResult, Turn};
use crate::error::{ApiError, INVALID_REQUEST};
use crate::validate::{path, reject_unknown, wrong_type};

/// The `system_fingerprint` of every reply.
const FINGERPRINT: &str = "fp_chatkitsim";

/// The top-level parameters of a chat completion request (openai 3.54
/// `CompletionCreateParams`).
const PARAMETERS: &[&str] = &[
    "audio",
    "frequency_penalty",
    "function_call",
    "functions",
    "logit_bias",
    "logprobs",
    "max_completion_tokens",
    "max_tokens",
    "messages",
    "metadata",
    "modalities",
    "model",
    "moderation",
    "n",
    "parallel_tool_calls",
    "prediction",
    "presence_penalty",
    "prompt_cache_key",
    "prompt_cache_options",
    "prompt_cache_retention",
    "reasoning_effort",
    "response_format",
    "safety_identifier",
    "seed",
    "service_tier",
    "stop",
    "store",
    "stream",
    "stream_options",
    "temperature",
    "tool_choice",
    "tools",
    "top_logprobs",
    "top_p",
    "user",
    "verbosity",
    "web_search_options",
];

/// The message roles.
const ROLES: [&str; 6] = [
    "system",
    "assistant",
    "user",
    "function",
    "tool",
    "developer",
];

/// A validated chat completion request.
#[derive(Debug)]
pub(super) struct ChatRequest {
    /// The endpoint-neutral part.
    pub(super) turn: Turn,
    /// `stream_options.include_usage`.
    include_usage: bool,
    /// `stream_options.include_obfuscation` (default true).
    obfuscation: bool,
}

/// Validates a chat completion body.
pub(super) fn parse(body: Map<String, Value>) -> Result<ChatRequest, ApiError> {
    reject_unknown(&body, "", PARAMETERS)?;
    let model = required_str(&body, "", "model")?.to_owned();
    let messages = required(&body, "", "messages")?;
    let Some(messages) = messages.as_array() else {
        return Err(wrong_type("", "messages", "an array", messages));
    };
    if messages.is_empty() {
        return Err(ApiError::bad_param(
            "messages",
            "empty_array",
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an \
             empty array instead."
                .to_owned(),
        ));
    }
    for (key, kind) in [
        ("audio", Kind::Obj),
        ("frequency_penalty", Kind::Num),
        ("presence_penalty", Kind::Num),
        ("logit_bias", Kind::Obj),
        ("logprobs", Kind::Bool),
        ("max_completion_tokens", Kind::Int),
        ("max_tokens", Kind::Int),
        ("metadata", Kind::Obj),
        ("modalities", Kind::Arr),
        ("n", Kind::Int),
        ("parallel_tool_calls", Kind::Bool),
        ("prediction", Kind::Obj),
        ("prompt_cache_key", Kind::Str),
        ("reasoning_effort", Kind::Str),
        ("response_format", Kind::Obj),
        ("safety_identifier", Kind::Str),
        ("seed", Kind::Int),
        ("service_tier", Kind::Str),
        ("stop", Kind::StrOrArr),
        ("store", Kind::Bool),
        ("stream_options", Kind::Obj),
        ("tool_choice", Kind::StrOrObj),
        ("tools", Kind::Arr),
        ("top_logprobs", Kind::Int),
        ("user", Kind::Str),
        ("verbosity", Kind::Str),
        ("web_search_options", Kind::Obj),
    ] {
        optional(&body, "", key, kind)?;
    }
    number_in(&body, "temperature", 0.0, 2.0)?;
    number_in(&body, "top_p", 0.0, 1.0)?;
    let stream = optional_bool(&body, "", "stream")?.unwrap_or(false);
    let (include_usage, obfuscation) = match body.get("stream_options").and_then(Value::as_object) {
        Some(options) => {
            if !stream {
                return Err(stream_options_without_stream());
            }
            reject_unknown(
                options,
                "stream_options",
                &["include_usage", "include_obfuscation"],
            )?;
            (
                optional_bool(options, "stream_options", "include_usage")?.unwrap_or(false),
                optional_bool(options, "stream_options", "include_obfuscation")?.unwrap_or(true),
            )
        }
        None => (false, true),
    };

    let functions = tools(&body)?;
    let tools_offered = body
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(|tools| !tools.is_empty());
    if !tools_offered {
        for key in ["tool_choice", "parallel_tool_calls"] {
            if body.get(key).is_some_and(|v| !v.is_null()) {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    INVALID_REQUEST,
                    format!(
                        "Invalid value for '{key}': '{key}' is only allowed when 'tools' are \
                         specified."
                    ),
                )
                .param(key));
            }
        }
    }
    let tool_choice = tool_choice(&body)?;
    let scan = scan_messages(messages)?;

    Ok(ChatRequest {
        turn: Turn {
            endpoint: Endpoint::Chat,
            model,
            stream,
            user_text: scan.user_text,
            tool_result: scan.tool_result,
            instructions: scan.instructions,
            functions,
            tools_offered,
            image_tool: false,
            tool_choice,
            input_tokens: count_words(&Value::Array(messages.clone())),
        },
        include_usage,
        obfuscation,
    })
}

/// Validates `tools` (each `{type: "function", function: {name, …}}`) and returns the functions.
fn tools(body: &Map<String, Value>) -> Result<Vec<FunctionTool>, ApiError> {
    let mut functions = Vec::new();
    for (index, tool) in body
        .get("tools")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at = format!("tools[{index}]");
        let map = object(tool, &at)?;
        match required_str(map, &at, "type")? {
            "function" => {
                // A flat Responses tool (`{type, name, parameters}`) fails here, as it does on the
                // real API.
                let function = required(map, &at, "function")?;
                reject_unknown(map, &at, &["type", "function"])?;
                let fat = path(&at, "function");
                let function = object(function, &fat)?;
                reject_unknown(
                    function,
                    &fat,
                    &["name", "description", "parameters", "strict"],
                )?;
                let name = required_str(function, &fat, "name")?;
                function_name(name, &path(&fat, "name"))?;
                optional(function, &fat, "parameters", Kind::Obj)?;
                optional(function, &fat, "description", Kind::Str)?;
                let parameters = function.get("parameters").cloned().unwrap_or(Value::Null);
                if optional_bool(function, &fat, "strict")? == Some(true) && !parameters.is_null() {
                    strict_schema(name, &parameters, &path(&fat, "parameters"))?;
                }
                functions.push(FunctionTool {
                    name: name.to_owned(),
                    parameters,
                });
            }
            "custom" => {
                required(map, &at, "custom")?;
            }
            other => {
                return Err(invalid_value(
                    &path(&at, "type"),
                    &Value::from(other),
                    &["function", "custom"],
                ));
            }
        }
    }
    Ok(functions)
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
            "function" => {
                let function = required(choice, "tool_choice", "function")?;
                let function = object(function, "tool_choice.function")?;
                let name = required_str(function, "tool_choice.function", "name")?;
                Ok(ToolChoice::Function(name.to_owned()))
            }
            "allowed_tools" => {
                let allowed = required(choice, "tool_choice", "allowed_tools")?;
                let allowed = object(allowed, "tool_choice.allowed_tools")?;
                let mode = one_of(
                    allowed,
                    "tool_choice.allowed_tools",
                    "mode",
                    &["auto", "required"],
                )?;
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

/// What the script needs from `messages`.
struct MessageScan {
    /// The text of the last user message.
    user_text: String,
    /// The text of the first system or developer message.
    instructions: String,
    /// The tool result closing the conversation, if any.
    tool_result: Option<ToolResult>,
}

/// The calls of the assistant message that tool messages are now answering.
struct OpenCalls {
    /// The assistant message's index.
    index: usize,
    /// Its `tool_calls` ids.
    ids: Vec<String>,
    /// The ids no tool message has answered yet.
    pending: Vec<String>,
}

/// Validates `messages` one by one, pairing tool messages with the calls they answer.
fn scan_messages(messages: &[Value]) -> Result<MessageScan, ApiError> {
    let mut scan = MessageScan {
        user_text: String::new(),
        instructions: String::new(),
        tool_result: None,
    };
    let mut have_instructions = false;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut open: Option<OpenCalls> = None;
    for (index, message) in messages.iter().enumerate() {
        let at = format!("messages[{index}]");
        let map = object(message, &at)?;
        let role = required_str(map, &at, "role")?;
        if !ROLES.contains(&role) {
            return Err(invalid_value(
                &path(&at, "role"),
                &Value::from(role),
                &ROLES,
            ));
        }
        if role != "tool"
            && let Some(calls) = open.take()
        {
            unanswered(&calls)?;
        }
        scan.tool_result = None;
        match role {
            "system" | "developer" => {
                reject_unknown(map, &at, &["role", "content", "name"])?;
                let content = content(map, &at, &["text"], true)?;
                if !have_instructions {
                    scan.instructions = text_of(content, &["text"]);
                    have_instructions = true;
                }
            }
            "user" => {
                reject_unknown(map, &at, &["role", "content", "name"])?;
                let content = content(
                    map,
                    &at,
                    &["text", "image_url", "input_audio", "file"],
                    true,
                )?;
                scan.user_text = text_of(content, &["text"]);
            }
            "assistant" => {
                reject_unknown(
                    map,
                    &at,
                    &[
                        "role",
                        "content",
                        "name",
                        "refusal",
                        "tool_calls",
                        "function_call",
                        "audio",
                    ],
                )?;
                let has_calls = map.get("tool_calls").is_some_and(|v| !v.is_null())
                    || map.get("function_call").is_some_and(|v| !v.is_null());
                content(map, &at, &["text", "refusal"], !has_calls)?;
                optional(map, &at, "refusal", Kind::Str)?;
                if let Some(calls) = tool_calls(map, &at)? {
                    for (id, name) in &calls {
                        names.insert(id.clone(), name.clone());
                    }
                    let ids: Vec<String> = calls.into_iter().map(|(id, _)| id).collect();
                    open = Some(OpenCalls {
                        index,
                        pending: ids.clone(),
                        ids,
                    });
                }
            }
            "tool" => {
                reject_unknown(map, &at, &["role", "content", "tool_call_id"])?;
                let id = required_str(map, &at, "tool_call_id")?;
                let content = content(map, &at, &["text"], true)?;
                let Some(calls) = open.as_mut() else {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        INVALID_REQUEST,
                        "Invalid parameter: messages with role 'tool' must be a response to a \
                         preceeding message with 'tool_calls'.",
                    )
                    .param(format!("messages.[{index}].role")));
                };
                if !calls.ids.iter().any(|known| known == id) {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        INVALID_REQUEST,
                        format!(
                            "Invalid parameter: 'tool_call_id' of '{id}' not found in \
                             'tool_calls' of previous message."
                        ),
                    )
                    .param(format!("messages.[{index}].tool_call_id")));
                }
                calls.pending.retain(|pending| pending != id);
                scan.tool_result = Some(ToolResult {
                    name: names.get(id).cloned().unwrap_or_default(),
                    output: text_of(content, &["text"]),
                });
            }
            _ => {
                // `function` (deprecated): the answer to a `function_call`.
                reject_unknown(map, &at, &["role", "content", "name"])?;
                required_str(map, &at, "name")?;
            }
        }
    }
    if let Some(calls) = open {
        unanswered(&calls)?;
    }
    Ok(scan)
}

/// The real API's error for tool calls that no tool message answered.
fn unanswered(calls: &OpenCalls) -> Result<(), ApiError> {
    if calls.pending.is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::BAD_REQUEST,
        INVALID_REQUEST,
        format!(
            "An assistant message with 'tool_calls' must be followed by tool messages responding \
             to each 'tool_call_id'. The following tool_call_ids did not have response messages: \
             {}",
            calls.pending.join(", ")
        ),
    )
    .param(format!("messages.[{}].role", calls.index)))
}

/// Validates a message's `content` (a string or parts of the `allowed` types) and returns it.
fn content<'a>(
    map: &'a Map<String, Value>,
    at: &str,
    allowed: &[&str],
    required_here: bool,
) -> Result<&'a Value, ApiError> {
    let content = match map.get("content") {
        None | Some(Value::Null) if required_here => return Err(missing(&path(at, "content"))),
        None | Some(Value::Null) => return Ok(&Value::Null),
        Some(content) => content,
    };
    match content {
        Value::String(_) => {}
        Value::Array(parts) => {
            for (index, part) in parts.iter().enumerate() {
                let pat = format!("{at}.content[{index}]");
                let part = object(part, &pat)?;
                let kind = required_str(part, &pat, "type")?;
                if !allowed.contains(&kind) {
                    return Err(invalid_value(
                        &path(&pat, "type"),
                        &Value::from(kind),
                        allowed,
                    ));
                }
                let key = match kind {
                    "text" => "text",
                    "refusal" => "refusal",
                    "image_url" => "image_url",
                    "input_audio" => "input_audio",
                    _ => "file",
                };
                reject_unknown(part, &pat, &["type", key, "prompt_cache_breakpoint"])?;
                let value = required(part, &pat, key)?;
                match key {
                    "text" | "refusal" if !value.is_string() => {
                        return Err(wrong_type(&pat, key, "a string", value));
                    }
                    "image_url" => {
                        let image = object(value, &path(&pat, key))?;
                        let iat = path(&pat, key);
                        reject_unknown(image, &iat, &["url", "detail"])?;
                        required_str(image, &iat, "url")?;
                        one_of(image, &iat, "detail", &["auto", "low", "high"])?;
                    }
                    _ => {}
                }
            }
        }
        other => {
            return Err(wrong_type(at, "content", "one of a string or array", other));
        }
    }
    Ok(content)
}

/// Validates an assistant message's `tool_calls`; returns `(id, name)` of each function call.
fn tool_calls(
    map: &Map<String, Value>,
    at: &str,
) -> Result<Option<Vec<(String, String)>>, ApiError> {
    let calls = match map.get("tool_calls") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(calls)) => calls,
        Some(other) => return Err(wrong_type(at, "tool_calls", "an array", other)),
    };
    let mut out = Vec::with_capacity(calls.len());
    for (index, call) in calls.iter().enumerate() {
        let cat = format!("{at}.tool_calls[{index}]");
        let call = object(call, &cat)?;
        let id = required_str(call, &cat, "id")?;
        match required_str(call, &cat, "type")? {
            "function" => {
                reject_unknown(call, &cat, &["id", "type", "function"])?;
                let fat = path(&cat, "function");
                let function = object(required(call, &cat, "function")?, &fat)?;
                reject_unknown(function, &fat, &["name", "arguments"])?;
                let name = required_str(function, &fat, "name")?;
                required_str(function, &fat, "arguments")?;
                out.push((id.to_owned(), name.to_owned()));
            }
            "custom" => {
                reject_unknown(call, &cat, &["id", "type", "custom"])?;
                let custom = object(required(call, &cat, "custom")?, &path(&cat, "custom"))?;
                let name = required_str(custom, &path(&cat, "custom"), "name")?;
                out.push((id.to_owned(), name.to_owned()));
            }
            other => {
                return Err(invalid_value(
                    &path(&cat, "type"),
                    &Value::from(other),
                    &["function", "custom"],
                ));
            }
        }
    }
    Ok(Some(out))
}

/// Renders the plan and sends it.
pub(super) async fn reply(
    parts: &Parts,
    request: &ChatRequest,
    plan: &Plan,
    pace: Option<Duration>,
    started: Instant,
) -> Result<Response, ApiError> {
    if plan.fail && !request.turn.stream {
        // Without a stream there is nothing to fail after the 200: the real API answers 500.
        return Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            FAILED_ON_PURPOSE,
        )
        .code("server_error"));
    }
    let rendered = render(request, plan);
    Ok(if request.turn.stream {
        stream::sse(parts, rendered.steps.into_steps(), pace, started)
    } else {
        let pace = pace.map(|pace| (pace, rendered.deltas));
        stream::json(parts, &rendered.completion, pace, plan.midfail, started).await
    })
}

/// A rendered chat completion.
struct Rendered {
    /// The SSE frames.
    steps: Steps,
    /// The `chat.completion` object (the non-streaming body).
    completion: Value,
    /// How many deltas were sent (for the non-streaming pace).
    deltas: usize,
}

/// What a delta carries, for pacing and for `[[midfail]]`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DeltaKind {
    /// `reasoning_content`: paced, not counted.
    Reasoning,
    /// Text or argument fragments: paced and counted.
    Content,
    /// The first fragment of a tool call (id, type, name).
    Header,
}

/// Renders a plan as chunks and as a `chat.completion`.
fn render(request: &ChatRequest, plan: &Plan) -> Rendered {
    let id = super::alnum_id("chatcmpl-", 29);
    let created = super::unix_now();
    let model = request.turn.model.as_str();
    let mut steps = Steps::default();

    if plan.fail {
        let error = json!({ "error": {
            "message": FAILED_ON_PURPOSE, "type": "server_error", "param": null,
            "code": "server_error"
        }});
        steps.push(format!("data: {error}\n\n"), false);
        return Rendered {
            steps,
            completion: Value::Null,
            deltas: 0,
        };
    }

    let chunk = |delta: Value, finish: Value| {
        let mut chunk = json!({
            "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "service_tier": "default", "system_fingerprint": FINGERPRINT,
            "choices": [{ "index": 0, "delta": delta, "logprobs": null, "finish_reason": finish }]
        });
        if request.include_usage {
            chunk["usage"] = Value::Null;
        }
        if request.obfuscation {
            chunk["obfuscation"] = Value::from(super::obfuscation());
        }
        chunk
    };

    let reasoning_text = REASONING_SUMMARY.join(" ");
    let mut deltas: Vec<(Value, DeltaKind)> = Vec::new();
    let mut reasoning_deltas = 0;
    if plan.reasoning {
        for word in script::words(&reasoning_text) {
            deltas.push((json!({ "reasoning_content": word }), DeltaKind::Reasoning));
            reasoning_deltas += 1;
        }
    }
    let text_deltas = plan.text_deltas();
    let mut calls = Vec::new();
    match &plan.reply {
        Reply::Text(_) => {
            for word in &text_deltas {
                deltas.push((json!({ "content": word }), DeltaKind::Content));
            }
        }
        Reply::Calls(planned) => {
            for (index, call) in planned.iter().enumerate() {
                let call_id = super::alnum_id("call_", 24);
                deltas.push((
                    json!({ "tool_calls": [{
                        "index": index, "id": call_id, "type": "function",
                        "function": { "name": call.name, "arguments": "" }
                    }]}),
                    DeltaKind::Header,
                ));
                for fragment in script::fragments(&call.arguments) {
                    deltas.push((
                        json!({ "tool_calls": [{
                            "index": index, "function": { "arguments": fragment }
                        }]}),
                        DeltaKind::Content,
                    ));
                }
                calls.push(json!({
                    "id": call_id, "type": "function",
                    "function": { "name": call.name, "arguments": call.arguments }
                }));
            }
        }
    }
    let is_calls = matches!(plan.reply, Reply::Calls(_));

    // The first chunk says who speaks; a tool call's first fragment can carry that itself.
    match deltas.first_mut() {
        Some((delta, DeltaKind::Header)) => {
            delta["role"] = json!("assistant");
            delta["content"] = Value::Null;
            delta["refusal"] = Value::Null;
        }
        _ => {
            let content = if is_calls { Value::Null } else { json!("") };
            let role = json!({ "role": "assistant", "content": content, "refusal": null });
            steps.push(data(&chunk(role, Value::Null)), false);
        }
    }
    for (delta, kind) in deltas {
        let frame = data(&chunk(delta, Value::Null));
        match kind {
            DeltaKind::Content => steps.push_content(frame),
            DeltaKind::Reasoning => steps.push(frame, true),
            DeltaKind::Header => steps.push(frame, false),
        }
    }
    let finish = if plan.incomplete {
        "length"
    } else if is_calls {
        "tool_calls"
    } else {
        "stop"
    };
    steps.push(data(&chunk(json!({}), json!(finish))), false);

    let prompt = request.turn.input_tokens;
    let completion_tokens = (steps.content_count() + reasoning_deltas) as u64;
    let usage = json!({
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt + completion_tokens,
        "prompt_tokens_details": { "cached_tokens": 0, "audio_tokens": 0 },
        "completion_tokens_details": {
            "reasoning_tokens": reasoning_deltas, "audio_tokens": 0,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0
        }
    });
    if request.include_usage {
        let usage_chunk = json!({
            "id": id, "object": "chat.completion.chunk", "created": created, "model": model,
            "service_tier": "default", "system_fingerprint": FINGERPRINT,
            "choices": [], "usage": usage
        });
        steps.push(data(&usage_chunk), false);
    }
    steps.push("data: [DONE]\n\n".to_owned(), false);
    if let Some(keep) = plan.cut_after() {
        steps.cut_after_content(keep);
    }

    let mut message = json!({
        "role": "assistant",
        "content": if is_calls { Value::Null } else { Value::from(text_deltas.concat()) },
        "refusal": null,
        "annotations": []
    });
    if is_calls {
        message["tool_calls"] = Value::Array(calls);
    }
    if plan.reasoning {
        message["reasoning_content"] = Value::from(reasoning_text);
    }
    let completion = json!({
        "id": id, "object": "chat.completion", "created": created, "model": model,
        "choices": [{ "index": 0, "message": message, "logprobs": null, "finish_reason": finish }],
        "usage": usage, "service_tier": "default", "system_fingerprint": FINGERPRINT
    });
    Rendered {
        deltas: steps.content_count() + reasoning_deltas,
        steps,
        completion,
    }
}

/// One `data:` frame.
fn data(value: &Value) -> String {
    format!("data: {value}\n\n")
}
