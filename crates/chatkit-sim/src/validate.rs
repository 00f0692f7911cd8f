//! Validation of the create-session body, field by field as hosted-sessions §1.3 specifies it, with
//! the real API's error codes and messages (`unknown_parameter`, `missing_required_parameter`,
//! `invalid_type`, `integer_below_min_value`, …).
//!
//! The body is walked as a `serde_json::Value` on purpose: the simulator must not share types with
//! our client, so that a wrong field name, a stray `null` or a wrong type in the client is caught.
//! Fields the spec does not mark nullable reject `null` like any other wrong type.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::error::{ApiError, INVALID_REQUEST};

/// The most entries `workflow.state_variables` may hold.
const MAX_STATE_VARIABLES: usize = 64;

/// The longest string a state variable may hold.
const MAX_STATE_STRING: usize = 10_485_760;

/// A validated create-session body with every default resolved.
#[derive(Debug)]
pub(crate) struct CreateParams {
    /// `user`.
    pub(crate) user: String,
    /// `workflow.id`.
    pub(crate) workflow_id: String,
    /// `workflow.version`, if sent.
    pub(crate) version: Option<String>,
    /// `workflow.state_variables`, if sent.
    pub(crate) state_variables: Option<Map<String, Value>>,
    /// `workflow.tracing.enabled` (default true).
    pub(crate) tracing: bool,
    /// `chatkit_configuration.automatic_thread_titling.enabled` (default true).
    pub(crate) titling: bool,
    /// `chatkit_configuration.file_upload.enabled` (default false).
    pub(crate) upload_enabled: bool,
    /// `chatkit_configuration.file_upload.max_file_size` in MB (default 512).
    pub(crate) max_file_size: u64,
    /// `chatkit_configuration.file_upload.max_files` (default 10).
    pub(crate) max_files: u64,
    /// `chatkit_configuration.history.enabled` (default true).
    pub(crate) history_enabled: bool,
    /// `chatkit_configuration.history.recent_threads` (default unlimited).
    pub(crate) recent_threads: Option<u64>,
    /// `expires_after.seconds` (default 600).
    pub(crate) expires_seconds: u64,
    /// `rate_limits.max_requests_per_1_minute` (default 10).
    pub(crate) max_requests_per_1_minute: u64,
}

/// Parses and validates a create-session body. An empty body counts as `{}`.
pub(crate) fn create_params(body: &[u8]) -> Result<CreateParams, ApiError> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body).map_err(|_| unparsable_json())?
    };
    let mut root = match value {
        Value::Object(map) => map,
        other => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                INVALID_REQUEST,
                format!(
                    "Invalid body: expected an object, but got {} instead.",
                    describe(&other)
                ),
            )
            .code("invalid_type"));
        }
    };
    reject_unknown(
        &root,
        "",
        &[
            "user",
            "workflow",
            "chatkit_configuration",
            "expires_after",
            "rate_limits",
        ],
    )?;
    let user = required(take_string(&mut root, "", "user")?, "user")?;
    if user.is_empty() {
        return Err(ApiError::bad_param(
            "user",
            "string_below_min_length",
            "Invalid 'user': string too short. Expected a string with minimum length 1, but got \
             an empty string instead."
                .to_owned(),
        ));
    }

    let mut workflow = required(take_object(&mut root, "", "workflow")?, "workflow")?;
    reject_unknown(
        &workflow,
        "workflow",
        &["id", "version", "state_variables", "tracing"],
    )?;
    let workflow_id = required(take_string(&mut workflow, "workflow", "id")?, "workflow.id")?;
    let version = take_string(&mut workflow, "workflow", "version")?;
    let state_variables = take_object(&mut workflow, "workflow", "state_variables")?;
    if let Some(vars) = &state_variables {
        check_state_variables(vars)?;
    }
    let tracing = match take_object(&mut workflow, "workflow", "tracing")? {
        Some(mut tracing) => {
            reject_unknown(&tracing, "workflow.tracing", &["enabled"])?;
            take_bool(&mut tracing, "workflow.tracing", "enabled")?.unwrap_or(true)
        }
        None => true,
    };

    let mut config = take_object(&mut root, "", "chatkit_configuration")?.unwrap_or_default();
    reject_unknown(
        &config,
        "chatkit_configuration",
        &["automatic_thread_titling", "file_upload", "history"],
    )?;
    let titling = match take_object(
        &mut config,
        "chatkit_configuration",
        "automatic_thread_titling",
    )? {
        Some(mut titling) => {
            let at = "chatkit_configuration.automatic_thread_titling";
            reject_unknown(&titling, at, &["enabled"])?;
            take_bool(&mut titling, at, "enabled")?.unwrap_or(true)
        }
        None => true,
    };
    let (upload_enabled, max_file_size, max_files) =
        match take_object(&mut config, "chatkit_configuration", "file_upload")? {
            Some(mut upload) => {
                let at = "chatkit_configuration.file_upload";
                reject_unknown(&upload, at, &["enabled", "max_file_size", "max_files"])?;
                (
                    take_bool(&mut upload, at, "enabled")?.unwrap_or(false),
                    take_int(&mut upload, at, "max_file_size", 1, Some(512))?.unwrap_or(512),
                    take_int(&mut upload, at, "max_files", 1, None)?.unwrap_or(10),
                )
            }
            None => (false, 512, 10),
        };
    let (history_enabled, recent_threads) =
        match take_object(&mut config, "chatkit_configuration", "history")? {
            Some(mut history) => {
                let at = "chatkit_configuration.history";
                reject_unknown(&history, at, &["enabled", "recent_threads"])?;
                (
                    take_bool(&mut history, at, "enabled")?.unwrap_or(true),
                    take_int(&mut history, at, "recent_threads", 1, None)?,
                )
            }
            None => (true, None),
        };

    let expires_seconds = match take_object(&mut root, "", "expires_after")? {
        Some(mut expires) => {
            let at = "expires_after";
            reject_unknown(&expires, at, &["anchor", "seconds"])?;
            let anchor = required(
                take_string(&mut expires, at, "anchor")?,
                "expires_after.anchor",
            )?;
            if anchor != "created_at" {
                return Err(ApiError::bad_param(
                    "expires_after.anchor",
                    "invalid_value",
                    format!("Invalid value: '{anchor}'. Supported values are: 'created_at'."),
                ));
            }
            required(
                take_int(&mut expires, at, "seconds", 1, Some(600))?,
                "expires_after.seconds",
            )?
        }
        None => 600,
    };

    let max_requests_per_1_minute = match take_object(&mut root, "", "rate_limits")? {
        Some(mut limits) => {
            let at = "rate_limits";
            reject_unknown(&limits, at, &["max_requests_per_1_minute"])?;
            take_int(&mut limits, at, "max_requests_per_1_minute", 1, None)?.unwrap_or(10)
        }
        None => 10,
    };

    Ok(CreateParams {
        user,
        workflow_id,
        version,
        state_variables,
        tracing,
        titling,
        upload_enabled,
        max_file_size,
        max_files,
        history_enabled,
        recent_threads,
        expires_seconds,
        max_requests_per_1_minute,
    })
}

/// The real API's reply to a body that is not JSON.
pub(crate) fn unparsable_json() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        INVALID_REQUEST,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't \
         using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was \
         sent was not valid JSON. If you have trouble figuring out how to fix this, please \
         contact us through our help center at help.openai.com.)",
    )
}

/// The dotted path of `key` under `prefix` (`""` for the top level).
pub(crate) fn path(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Rejects the first key of `map` not in `allowed`, as `Unknown parameter: 'a.b'.`.
pub(crate) fn reject_unknown(
    map: &Map<String, Value>,
    prefix: &str,
    allowed: &[&str],
) -> Result<(), ApiError> {
    match map.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(key) => {
            let param = path(prefix, key);
            Err(ApiError::bad_param(
                param.clone(),
                "unknown_parameter",
                format!("Unknown parameter: '{param}'."),
            ))
        }
        None => Ok(()),
    }
}

/// Turns a missing required field into `Missing required parameter: 'a.b'.`.
pub(crate) fn required<T>(value: Option<T>, param: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| {
        ApiError::bad_param(
            param,
            "missing_required_parameter",
            format!("Missing required parameter: '{param}'."),
        )
    })
}

/// `Invalid type for 'a.b': expected <expected>, but got <actual> instead.`
pub(crate) fn wrong_type(prefix: &str, key: &str, expected: &str, actual: &Value) -> ApiError {
    let param = path(prefix, key);
    let message = format!(
        "Invalid type for '{param}': expected {expected}, but got {} instead.",
        describe(actual)
    );
    ApiError::bad_param(param, "invalid_type", message)
}

/// How the real API names a JSON value's type in messages.
pub(crate) fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a decimal number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Removes an optional string field.
fn take_string(
    map: &mut Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<Option<String>, ApiError> {
    match map.remove(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(prefix, key, "a string", &other)),
    }
}

/// Removes an optional boolean field.
fn take_bool(
    map: &mut Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<Option<bool>, ApiError> {
    match map.remove(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(other) => Err(wrong_type(prefix, key, "a boolean", &other)),
    }
}

/// Removes an optional object field.
fn take_object(
    map: &mut Map<String, Value>,
    prefix: &str,
    key: &str,
) -> Result<Option<Map<String, Value>>, ApiError> {
    match map.remove(key) {
        None => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(wrong_type(prefix, key, "an object", &other)),
    }
}

/// Removes an optional integer field and checks it against `min..=max`.
pub(crate) fn take_int(
    map: &mut Map<String, Value>,
    prefix: &str,
    key: &str,
    min: i64,
    max: Option<i64>,
) -> Result<Option<u64>, ApiError> {
    let value = match map.remove(key) {
        None => return Ok(None),
        Some(value) => value,
    };
    let n = match &value {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from)),
        _ => None,
    };
    let Some(n) = n else {
        return Err(wrong_type(prefix, key, "an integer", &value));
    };
    if n < i128::from(min) {
        let param = path(prefix, key);
        let message = format!(
            "Invalid '{param}': integer below minimum value. Expected a value >= {min}, but got \
             {n} instead."
        );
        return Err(ApiError::bad_param(
            param,
            "integer_below_min_value",
            message,
        ));
    }
    if let Some(max) = max
        && n > i128::from(max)
    {
        let param = path(prefix, key);
        let message = format!(
            "Invalid '{param}': integer above maximum value. Expected a value <= {max}, but got \
             {n} instead."
        );
        return Err(ApiError::bad_param(
            param,
            "integer_above_max_value",
            message,
        ));
    }
    // In range and at least 1, so it fits.
    Ok(Some(u64::try_from(n).unwrap_or(u64::MAX)))
}

/// Checks `workflow.state_variables`: at most 64 entries, each a string, number or boolean.
fn check_state_variables(vars: &Map<String, Value>) -> Result<(), ApiError> {
    let at = "workflow.state_variables";
    if vars.len() > MAX_STATE_VARIABLES {
        return Err(ApiError::bad_param(
            at,
            "object_above_max_properties",
            format!(
                "Invalid '{at}': too many properties. Expected an object with at most \
                 {MAX_STATE_VARIABLES} properties, but got an object with {} properties instead.",
                vars.len()
            ),
        ));
    }
    for (key, value) in vars {
        match value {
            Value::String(s) if s.len() > MAX_STATE_STRING => {
                let chars = s.chars().count();
                if chars > MAX_STATE_STRING {
                    let param = path(at, key);
                    let message = format!(
                        "Invalid '{param}': string too long. Expected a string with maximum \
                         length {MAX_STATE_STRING}, but got a string with length {chars} instead."
                    );
                    return Err(ApiError::bad_param(
                        param,
                        "string_above_max_length",
                        message,
                    ));
                }
            }
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {}
            other => {
                return Err(wrong_type(
                    at,
                    key,
                    "one of a string, a number, or a boolean",
                    other,
                ));
            }
        }
    }
    Ok(())
}
