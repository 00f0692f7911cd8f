//! Validation helpers the two model endpoints share: JSON type checks with the real API's messages,
//! function tool names and `strict` schemas, and reading text out of message content.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::error::{ApiError, INVALID_REQUEST};
use crate::validate::{describe, path, unparsable_json, wrong_type};

/// The longest function name the API accepts.
const MAX_FUNCTION_NAME: usize = 64;

/// Keys whose string values are identifiers or settings, not words, when counting input tokens.
const NOT_WORDS: [&str; 15] = [
    "type",
    "role",
    "id",
    "call_id",
    "tool_call_id",
    "status",
    "detail",
    "image_url",
    "url",
    "file_id",
    "file_data",
    "file_url",
    "filename",
    "encrypted_content",
    "phase",
];

/// The JSON type a parameter must have.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    /// A boolean.
    Bool,
    /// A string.
    Str,
    /// Any number.
    Num,
    /// An integer.
    Int,
    /// An object.
    Obj,
    /// An array.
    Arr,
    /// A string or an array.
    StrOrArr,
    /// A string or an object.
    StrOrObj,
}

impl Kind {
    /// Whether `value` has this type.
    fn matches(self, value: &Value) -> bool {
        match self {
            Kind::Bool => value.is_boolean(),
            Kind::Str => value.is_string(),
            Kind::Num => value.is_number(),
            Kind::Int => value.is_i64() || value.is_u64(),
            Kind::Obj => value.is_object(),
            Kind::Arr => value.is_array(),
            Kind::StrOrArr => value.is_string() || value.is_array(),
            Kind::StrOrObj => value.is_string() || value.is_object(),
        }
    }

    /// How the real API names this type in messages.
    fn expected(self) -> &'static str {
        match self {
            Kind::Bool => "a boolean",
            Kind::Str => "a string",
            Kind::Num => "a number",
            Kind::Int => "an integer",
            Kind::Obj => "an object",
            Kind::Arr => "an array",
            Kind::StrOrArr => "one of a string or array",
            Kind::StrOrObj => "one of a string or object",
        }
    }
}

/// Parses a request body that must be a JSON object.
pub(super) fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| unparsable_json())?;
    match value {
        Value::Object(map) => Ok(map),
        other => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            INVALID_REQUEST,
            format!(
                "Invalid body: expected an object, but got {} instead.",
                describe(&other)
            ),
        )
        .code("invalid_type")),
    }
}

/// Checks the type of an optional parameter; `null` counts as absent.
pub(super) fn optional(
    map: &Map<String, Value>,
    prefix: &str,
    key: &str,
    kind: Kind,
) -> Result<(), ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(()),
        Some(value) if kind.matches(value) => Ok(()),
        Some(value) => Err(wrong_type(prefix, key, kind.expected(), value)),
    }
}

/// A required parameter (present and not null).
pub(super) fn required<'a>(
    map: &'a Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<&'a Value, ApiError> {
    match map.get(key) {
        None | Some(Value::Null) => Err(missing(&path(prefix, key))),
        Some(value) => Ok(value),
    }
}

/// A required string parameter.
pub(super) fn required_str<'a>(
    map: &'a Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<&'a str, ApiError> {
    let value = required(map, prefix, key)?;
    value
        .as_str()
        .ok_or_else(|| wrong_type(prefix, key, "a string", value))
}

/// An optional string parameter (`null` counts as absent).
pub(super) fn optional_str<'a>(
    map: &'a Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<Option<&'a str>, ApiError> {
    optional(map, prefix, key, Kind::Str)?;
    Ok(map.get(key).and_then(Value::as_str))
}

/// An optional boolean parameter (`null` counts as absent).
pub(super) fn optional_bool(
    map: &Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<Option<bool>, ApiError> {
    optional(map, prefix, key, Kind::Bool)?;
    Ok(map.get(key).and_then(Value::as_bool))
}

/// A value that must be an object, at `param`.
pub(super) fn object<'a>(
    value: &'a Value,
    param: &str,
) -> Result<&'a Map<String, Value>, ApiError> {
    value
        .as_object()
        .ok_or_else(|| wrong_type("", param, "an object", value))
}

/// The reply to `stream_options` without `stream: true`.
pub(super) fn stream_options_without_stream() -> ApiError {
    ApiError::bad_param(
        "stream_options",
        "invalid_value",
        "Invalid value for 'stream_options': 'stream_options' is only allowed when 'stream' is \
         true."
            .to_owned(),
    )
}

/// `Missing required parameter: 'a.b'.`
pub(super) fn missing(param: &str) -> ApiError {
    ApiError::bad_param(
        param,
        "missing_required_parameter",
        format!("Missing required parameter: '{param}'."),
    )
}

/// `Invalid value: 'x'. Supported values are: 'a', 'b', and 'c'.`
pub(super) fn invalid_value(param: &str, value: &Value, supported: &[&str]) -> ApiError {
    let shown = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    ApiError::bad_param(
        param,
        "invalid_value",
        format!(
            "Invalid value: '{shown}'. Supported values are: {}.",
            list(supported)
        ),
    )
}

/// `'a', 'b', and 'c'` (or `'a' and 'b'`).
fn list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [init @ .., last] => format!("{}, and {last}", init.join(", ")),
    }
}

/// Checks a string parameter against a list of allowed values.
pub(super) fn one_of(
    map: &Map<String, Value>,
    prefix: &str,
    key: &str,
    supported: &[&str],
) -> Result<Option<String>, ApiError> {
    let Some(value) = optional_str(map, prefix, key)? else {
        return Ok(None);
    };
    if supported.contains(&value) {
        Ok(Some(value.to_owned()))
    } else {
        Err(invalid_value(
            &path(prefix, key),
            &Value::from(value),
            supported,
        ))
    }
}

/// Checks a number parameter against `min..=max`.
pub(super) fn number_in(
    map: &Map<String, Value>,
    key: &str,
    min: f64,
    max: f64,
) -> Result<(), ApiError> {
    optional(map, "", key, Kind::Num)?;
    let Some(n) = map.get(key).and_then(Value::as_f64) else {
        return Ok(());
    };
    if n < min {
        return Err(ApiError::bad_param(
            key,
            "decimal_below_min_value",
            format!(
                "Invalid '{key}': decimal below minimum value. Expected a value >= {min}, but got \
                 {n} instead."
            ),
        ));
    }
    if n > max {
        return Err(ApiError::bad_param(
            key,
            "decimal_above_max_value",
            format!(
                "Invalid '{key}': decimal above maximum value. Expected a value <= {max}, but got \
                 {n} instead."
            ),
        ));
    }
    Ok(())
}

/// Checks a function name: 1–64 of `a-zA-Z0-9_-`.
pub(super) fn function_name(name: &str, param: &str) -> Result<(), ApiError> {
    let chars = name.chars().count();
    if chars > MAX_FUNCTION_NAME {
        return Err(ApiError::bad_param(
            param,
            "string_above_max_length",
            format!(
                "Invalid '{param}': string too long. Expected a string with maximum length \
                 {MAX_FUNCTION_NAME}, but got a string with length {chars} instead."
            ),
        ));
    }
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(())
    } else {
        Err(ApiError::bad_param(
            param,
            "invalid_value",
            format!(
                "Invalid '{param}': string does not match pattern. Expected a string that matches \
                 the pattern '^[a-zA-Z0-9_-]+$'."
            ),
        ))
    }
}

/// Checks a `strict: true` function schema: every object lists all its properties in `required`
/// and sets `additionalProperties: false`.
pub(super) fn strict_schema(name: &str, schema: &Value, param: &str) -> Result<(), ApiError> {
    let mut context = Vec::new();
    strict_node(schema, &mut context).map_err(|problem| {
        ApiError::bad_param(
            param,
            "invalid_function_parameters",
            format!("Invalid schema for function '{name}': {problem}"),
        )
    })
}

/// Checks one schema node, `context` being its path as the API prints it.
fn strict_node(schema: &Value, context: &mut Vec<String>) -> Result<(), String> {
    let Some(node) = schema.as_object() else {
        return Ok(());
    };
    let is_object = match node.get("type") {
        Some(Value::String(kind)) => kind == "object",
        Some(Value::Array(kinds)) => kinds.iter().any(|k| k == "object"),
        _ => node.contains_key("properties"),
    };
    if is_object {
        if node.get("additionalProperties") != Some(&Value::Bool(false)) {
            return Err(format!(
                "In context={}, 'additionalProperties' is required to be supplied and to be false.",
                tuple(context)
            ));
        }
        let properties = node.get("properties").and_then(Value::as_object);
        let required: Vec<&str> = node
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (key, property) in properties.into_iter().flatten() {
            if !required.contains(&key.as_str()) {
                return Err(format!(
                    "In context={}, 'required' is required to be supplied and to be an array \
                     including every key in properties. Missing '{key}'.",
                    tuple(context)
                ));
            }
            context.extend(["properties".to_owned(), key.clone()]);
            strict_node(property, context)?;
            context.truncate(context.len() - 2);
        }
    }
    if let Some(items) = node.get("items") {
        context.push("items".to_owned());
        strict_node(items, context)?;
        context.pop();
    }
    for combinator in ["anyOf", "allOf", "oneOf"] {
        for (index, branch) in node
            .get(combinator)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            context.extend([combinator.to_owned(), index.to_string()]);
            strict_node(branch, context)?;
            context.truncate(context.len() - 2);
        }
    }
    for defs in ["$defs", "definitions"] {
        for (key, def) in node
            .get(defs)
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            context.extend([defs.to_owned(), key.clone()]);
            strict_node(def, context)?;
            context.truncate(context.len() - 2);
        }
    }
    Ok(())
}

/// A path as a Python tuple literal: `()`, `('items',)`, `('properties', 'city')`.
fn tuple(context: &[String]) -> String {
    match context {
        [] => "()".to_owned(),
        [one] => format!("('{one}',)"),
        many => format!(
            "({})",
            many.iter()
                .map(|c| format!("'{c}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The text of message content: the string itself, or the `text` of its parts whose type is in
/// `part_types`, joined with a space.
pub(super) fn text_of(content: &Value, part_types: &[&str]) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter(|part| {
                part.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|kind| part_types.contains(&kind))
            })
            .filter_map(|part| part.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// The simulated token count of some input: the whitespace-separated words of its strings,
/// skipping identifiers and settings.
pub(super) fn count_words(value: &Value) -> u64 {
    match value {
        Value::String(text) => text.split_whitespace().count() as u64,
        Value::Array(items) => items.iter().map(count_words).sum(),
        Value::Object(map) => map
            .iter()
            .filter(|(key, _)| !NOT_WORDS.contains(&key.as_str()))
            .map(|(_, value)| count_words(value))
            .sum(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn strict_schemas_need_closed_objects_listing_every_property() {
        let good = json!({"type": "object", "properties": {"a": {"type": "object",
            "properties": {"b": {"type": "string"}}, "required": ["b"],
            "additionalProperties": false}}, "required": ["a"], "additionalProperties": false});
        assert!(strict_schema("f", &good, "tools[0].parameters").is_ok());

        let open = json!({"type": "object", "properties": {}});
        let error = strict_schema("f", &open, "tools[0].parameters").unwrap_err();
        assert_eq!(
            error.message,
            "Invalid schema for function 'f': In context=(), 'additionalProperties' is required \
             to be supplied and to be false."
        );

        let nested = json!({"type": "object", "properties": {"a": {"type": "object",
            "properties": {"b": {"type": "string"}}, "additionalProperties": false}},
            "required": ["a"], "additionalProperties": false});
        let error = strict_schema("f", &nested, "p").unwrap_err();
        assert!(
            error.message.contains("context=('properties', 'a')")
                && error.message.contains("Missing 'b'"),
            "{}",
            error.message
        );
    }

    #[test]
    fn supported_values_are_listed_like_the_api_does() {
        assert_eq!(list(&["a"]), "'a'");
        assert_eq!(list(&["a", "b"]), "'a' and 'b'");
        assert_eq!(list(&["a", "b", "c"]), "'a', 'b', and 'c'");
    }

    #[test]
    fn words_are_counted_in_text_but_not_in_ids() {
        let input = json!([{"type": "message", "role": "user", "content": "one two three"},
            {"type": "function_call_output", "call_id": "call_1", "output": "four"}]);
        assert_eq!(count_words(&input), 4);
    }
}
