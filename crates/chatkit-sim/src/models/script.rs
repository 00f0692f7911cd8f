//! The scripted behaviour: from a validated [`Turn`] and the markers of its user text to a
//! [`Plan`] (what the reply holds and how it ends), or to a failure before streaming.
//!
//! This is endpoint-neutral: `responses` and `chat` render the same plan in their own wire shapes.

use std::sync::atomic::Ordering;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::markers::{self, Markers, ToolMarker};
use super::{FunctionTool, ToolChoice, Turn};
use crate::Simulator;
use crate::error::{ApiError, INVALID_REQUEST};
use crate::sessions::mask_key;

/// The two reasoning summary parts of `[[reason]]`.
pub(super) const REASONING_SUMMARY: [&str; 2] =
    ["Considering the question.", "Planning a short answer."];

/// The message of `[[error]]`'s failure.
pub(super) const FAILED_ON_PURPOSE: &str = "The simulator failed this response on purpose.";

/// The longest user text quoted in the default reply, in characters.
const MAX_QUOTED: usize = 200;

/// The longest tool output quoted in a tool-result reply, in characters.
const MAX_TOOL_OUTPUT: usize = 300;

/// How many words a `[[slow]]` reply has at least.
const SLOW_WORDS: usize = 40;

/// How many words of the user text a title keeps.
const TITLE_WORDS: usize = 6;

/// What the reply holds and how it ends.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Plan {
    /// A reasoning item (Responses) or `reasoning_content` (chat) comes first.
    pub(super) reasoning: bool,
    /// An image generation call comes before the text (Responses only).
    pub(super) image: bool,
    /// The text gets a `url_citation` on its last word (Responses only).
    pub(super) cite: bool,
    /// The reply proper.
    pub(super) reply: Reply,
    /// `[[error]]`: fail after the 200, before any output.
    pub(super) fail: bool,
    /// `[[incomplete]]`: stop at about half the text, as if `max_output_tokens` were hit.
    pub(super) incomplete: bool,
    /// `[[midfail]]`: cut the connection after about half the content deltas.
    pub(super) midfail: bool,
    /// `[[slow]]`: every delta waits the model pace.
    pub(super) slow: bool,
    /// The user text without markers (the image's revised prompt).
    pub(super) prompt: String,
}

/// The reply proper: text, or function calls.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Reply {
    /// An assistant message with this text.
    Text(String),
    /// Function calls, in order.
    Calls(Vec<Call>),
}

/// One function call to make.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Call {
    /// The function's name.
    pub(super) name: String,
    /// The arguments, a JSON object as text.
    pub(super) arguments: String,
}

/// What to do with a request.
#[derive(Debug)]
pub(super) enum Decision {
    /// Reply with this plan.
    Reply(Plan),
    /// Answer with this error before streaming.
    Reject(ApiError),
    /// Never answer (`[[hang]]`).
    Hang,
}

impl Plan {
    /// A plain text plan with no marker effects.
    fn text(text: String, prompt: String) -> Self {
        Self {
            reasoning: false,
            image: false,
            cite: false,
            reply: Reply::Text(text),
            fail: false,
            incomplete: false,
            midfail: false,
            slow: false,
            prompt,
        }
    }

    /// The text deltas: one per word, each word with the space that follows it; with
    /// `[[incomplete]]`, only about the first half of them.
    pub(super) fn text_deltas(&self) -> Vec<&str> {
        match &self.reply {
            Reply::Text(text) => {
                let deltas = words(text);
                if self.incomplete {
                    let keep = half(deltas.len());
                    deltas[..keep].to_vec()
                } else {
                    deltas
                }
            }
            Reply::Calls(_) => Vec::new(),
        }
    }

    /// How many content deltas (text deltas, else argument fragments) are sent before a
    /// `[[midfail]]` cut, or `None` without `[[midfail]]`.
    pub(super) fn cut_after(&self) -> Option<usize> {
        if !self.midfail {
            return None;
        }
        let total = match &self.reply {
            Reply::Text(_) => self.text_deltas().len(),
            Reply::Calls(calls) => calls
                .iter()
                .map(|call| fragments(&call.arguments).len())
                .sum(),
        };
        Some(half(total))
    }
}

/// Decides how to answer `turn` (see the crate docs for the contract).
pub(super) fn decide(sim: &Simulator, turn: &Turn, api_key: &str) -> Decision {
    let (markers, clean) = markers::parse(&turn.user_text);

    if let Some(result) = &turn.tool_result {
        let output: String = result.output.chars().take(MAX_TOOL_OUTPUT).collect();
        let mut plan = Plan::text(
            format!("The tool {} returned: {output}", result.name),
            clean,
        );
        plan.slow = markers.slow;
        plan.midfail = markers.midfail;
        return Decision::Reply(plan);
    }

    if !turn.tools_offered
        && turn
            .instructions
            .to_lowercase()
            .contains("conversation title")
    {
        return Decision::Reply(Plan::text(title(&clean), clean));
    }

    if markers.hang {
        return Decision::Hang;
    }
    if let Some(status) = markers.error_status {
        return Decision::Reject(status_error(status, turn, api_key));
    }
    if markers.quota {
        return Decision::Reject(quota_error());
    }
    if markers.flaky
        && sim
            .inner
            .model_flaky_calls
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(2)
    {
        return Decision::Reject(ApiError::server_error());
    }

    let reply = match calls_for(turn, &markers) {
        Some(Ok(calls)) => Reply::Calls(calls),
        Some(Err(text)) => Reply::Text(text),
        None => Reply::Text(default_text(&clean, markers.slow)),
    };
    Decision::Reply(Plan {
        reasoning: markers.reason,
        image: markers.image && turn.image_tool,
        cite: markers.cite,
        reply,
        fail: markers.fail,
        incomplete: markers.incomplete,
        midfail: markers.midfail,
        slow: markers.slow,
        prompt: clean,
    })
}

/// The calls asked for by tool markers or, without one, by a forced `tool_choice`: `None` if no
/// call is asked for, `Some(Err(text))` if one cannot be made (the reply is then that text).
fn calls_for(turn: &Turn, markers: &Markers) -> Option<Result<Vec<Call>, String>> {
    // With `tool_choice: "none"` the model may call nothing: every function counts as not offered.
    let offered: &[FunctionTool] = if turn.tool_choice == ToolChoice::None {
        &[]
    } else {
        &turn.functions
    };
    if !markers.tools.is_empty() {
        let calls = markers
            .tools
            .iter()
            .map(|marker| call_from_marker(offered, marker))
            .collect();
        return Some(calls);
    }
    match &turn.tool_choice {
        ToolChoice::Function(name) => {
            Some(call_with_generated_arguments(offered, name).map(|c| vec![c]))
        }
        ToolChoice::Required => Some(match offered.first() {
            Some(first) => Ok(vec![Call {
                name: first.name.clone(),
                arguments: generated_arguments(&first.parameters),
            }]),
            None => Err("(simulator) no function tool was offered".to_owned()),
        }),
        ToolChoice::Auto | ToolChoice::None => None,
    }
}

/// The call a tool marker asks for, or the text explaining why it cannot be made.
fn call_from_marker(offered: &[FunctionTool], marker: &ToolMarker) -> Result<Call, String> {
    match &marker.arguments {
        None => call_with_generated_arguments(offered, &marker.name),
        Some(Err(())) => Err(format!(
            "(simulator) the arguments for {} are not a JSON object",
            marker.name
        )),
        Some(Ok(arguments)) => {
            find(offered, &marker.name)?;
            Ok(Call {
                name: marker.name.clone(),
                arguments: arguments.clone(),
            })
        }
    }
}

/// A call to `name` with arguments generated from its schema.
fn call_with_generated_arguments(offered: &[FunctionTool], name: &str) -> Result<Call, String> {
    let tool = find(offered, name)?;
    Ok(Call {
        name: name.to_owned(),
        arguments: generated_arguments(&tool.parameters),
    })
}

/// The offered function named `name`, or the "no tool named" text.
fn find<'a>(offered: &'a [FunctionTool], name: &str) -> Result<&'a FunctionTool, String> {
    offered
        .iter()
        .find(|tool| tool.name == name)
        .ok_or_else(|| format!("(simulator) no tool named {name} was offered"))
}

/// Arguments for a JSON schema: each `required` property gets an example of its type.
pub(super) fn generated_arguments(schema: &Value) -> String {
    let mut arguments = Map::new();
    let properties = schema.get("properties").and_then(Value::as_object);
    let required = schema.get("required").and_then(Value::as_array);
    for name in required.into_iter().flatten().filter_map(Value::as_str) {
        let property = properties.and_then(|p| p.get(name));
        arguments.insert(name.to_owned(), example_value(property));
    }
    Value::Object(arguments).to_string()
}

/// An example value for a property schema: its first `enum` value, or one per `type`.
fn example_value(schema: Option<&Value>) -> Value {
    let Some(schema) = schema else {
        return json!("example");
    };
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|values| values.first())
    {
        return first.clone();
    }
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => kind.as_str(),
        // `["string", "null"]`: the first type that is not null.
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .find(|kind| *kind != "null")
            .unwrap_or("null"),
        _ => "string",
    };
    match kind {
        "integer" => json!(1),
        "number" => json!(1.5),
        "boolean" => json!(true),
        "array" => json!([]),
        "object" => json!({}),
        "null" => Value::Null,
        _ => json!("example"),
    }
}

/// `Simulated reply to: …`, made at least 40 words long with `word1 word2 …` when `slow`.
fn default_text(clean: &str, slow: bool) -> String {
    let quoted: String = clean.chars().take(MAX_QUOTED).collect();
    let mut text = format!("Simulated reply to: {}", quoted.trim_end())
        .trim_end()
        .to_owned();
    if slow {
        let mut count = text.split(' ').count();
        let mut n = 1;
        while count < SLOW_WORDS {
            text.push_str(&format!(" word{n}"));
            n += 1;
            count += 1;
        }
    }
    text
}

/// A conversation title: the first six words, trailing punctuation stripped.
fn title(clean: &str) -> String {
    let words: Vec<&str> = clean.split(' ').take(TITLE_WORDS).collect();
    let title = words
        .join(" ")
        .trim_end_matches(|c: char| c.is_ascii_punctuation() || "…。、！？".contains(c))
        .trim_end()
        .to_owned();
    if title.is_empty() {
        "New conversation".to_owned()
    } else {
        title
    }
}

/// The deltas of a text: one per word, each with the space that follows it.
pub(super) fn words(text: &str) -> Vec<&str> {
    text.split_inclusive(' ').collect()
}

/// The fragments function call arguments are streamed in: three (fewer for very short ones),
/// split on character boundaries.
pub(super) fn fragments(arguments: &str) -> Vec<&str> {
    let chars = arguments.chars().count();
    let size = chars.div_ceil(chars.clamp(1, 3)).max(1);
    let mut out = Vec::with_capacity(3);
    let mut start = 0;
    for (count, (index, _)) in arguments.char_indices().enumerate() {
        if count > 0 && count % size == 0 {
            out.push(&arguments[start..index]);
            start = index;
        }
    }
    out.push(&arguments[start..]);
    out
}

/// About half of `n`, rounded up.
fn half(n: usize) -> usize {
    n.div_ceil(2)
}

/// The error reply of `[[error:STATUS]]`.
fn status_error(status: u16, turn: &Turn, api_key: &str) -> ApiError {
    match status {
        400 => ApiError::bad_param(
            turn.endpoint.input_param(),
            "invalid_value",
            format!(
                "Invalid value for '{}': the simulator rejected it on purpose.",
                turn.endpoint.input_param()
            ),
        ),
        401 => ApiError::new(
            StatusCode::UNAUTHORIZED,
            INVALID_REQUEST,
            format!(
                "Incorrect API key provided: {}. You can find your API key at \
                 https://platform.openai.com/account/api-keys.",
                mask_key(api_key)
            ),
        )
        .code("invalid_api_key"),
        403 => ApiError::new(
            StatusCode::FORBIDDEN,
            "request_forbidden",
            "Country, region, or territory not supported",
        )
        .code("unsupported_country_region_territory"),
        404 => super::model_not_found(&turn.model),
        429 => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "requests",
            format!(
                "Rate limit reached for {} in organization org-simulator on requests per min \
                 (RPM): Limit 60, Used 60, Requested 1. Please try again in 20ms. Visit \
                 https://platform.openai.com/account/rate-limits to learn more.",
                turn.model
            ),
        )
        .code("rate_limit_exceeded")
        .header("retry-after-ms", "20")
        .header("retry-after", "1"),
        503 => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "server_error",
            "The server is overloaded or not ready yet.",
        )
        .code("server_is_overloaded"),
        _ => ApiError::server_error(),
    }
}

/// The reply of `[[quota]]`.
fn quota_error() -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "insufficient_quota",
        "You exceeded your current quota, please check your plan and billing details. For more \
         information on this error, read the docs: \
         https://platform.openai.com/docs/guides/error-codes/api-errors.",
    )
    .code("insufficient_quota")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_deltas_are_words_with_their_following_space() {
        assert_eq!(
            words("Simulated reply to: hi there"),
            ["Simulated ", "reply ", "to: ", "hi ", "there"]
        );
    }

    #[test]
    fn default_text_quotes_at_most_200_chars_and_slow_makes_40_words() {
        let long = "x".repeat(500);
        assert_eq!(
            default_text(&long, false),
            format!("Simulated reply to: {}", "x".repeat(200))
        );
        let slow = default_text("hello", true);
        assert_eq!(slow.split(' ').count(), 40);
        assert!(slow.starts_with("Simulated reply to: hello word1 word2 "));
        assert!(slow.ends_with(" word36"));
        assert_eq!(default_text("", false), "Simulated reply to:");
    }

    #[test]
    fn titles_keep_six_words_without_trailing_punctuation() {
        assert_eq!(
            title("What is the weather like in Paris today?"),
            "What is the weather like in"
        );
        assert_eq!(title("Hello there!"), "Hello there");
        assert_eq!(title(""), "New conversation");
        assert_eq!(title("?!"), "New conversation");
    }

    #[test]
    fn generated_arguments_follow_the_required_properties() {
        let schema = json!({
            "type": "object",
            "properties": {
                "s": {"type": "string"}, "i": {"type": "integer"}, "n": {"type": "number"},
                "b": {"type": "boolean"}, "a": {"type": "array"}, "o": {"type": "object"},
                "e": {"type": "string", "enum": ["c", "f"]}, "opt": {"type": "string"},
                "u": {"type": ["null", "integer"]}
            },
            "required": ["s", "i", "n", "b", "a", "o", "e", "u"]
        });
        let args: Value = serde_json::from_str(&generated_arguments(&schema)).unwrap();
        assert_eq!(
            args,
            json!({"s": "example", "i": 1, "n": 1.5, "b": true, "a": [], "o": {}, "e": "c", "u": 1})
        );
        assert_eq!(generated_arguments(&Value::Null), "{}");
    }

    #[test]
    fn arguments_are_split_into_a_few_fragments() {
        assert_eq!(
            fragments(r#"{"city":"Paris"}"#).concat(),
            r#"{"city":"Paris"}"#
        );
        assert_eq!(fragments(r#"{"city":"Paris"}"#).len(), 3);
        assert_eq!(fragments("{}"), ["{", "}"]);
        assert_eq!(fragments("{\"é\":\"ü\"}").concat(), "{\"é\":\"ü\"}");
    }
}
