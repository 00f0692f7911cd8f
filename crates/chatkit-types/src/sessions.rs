//! The OpenAI ChatKit sessions API, as the official SDKs and the OpenAPI schema model it.
//!
//! Field names follow the API exactly. Optional fields are omitted when `None`: the API rejects
//! unknown parameters and treats an explicit `null` differently from an absent field in places
//! (`workflow.version: null` is not "latest"), so nothing optional is ever sent as `null`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The value of one workflow state variable: a string, a number or a boolean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StateValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string (the API allows up to 10,485,760 characters).
    String(String),
}

/// Body of `POST /v1/chatkit/sessions` (`CreateChatSessionBody`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateChatSessionBody {
    /// Who the session is for. Sessions with the same `user` share thread history.
    pub user: String,
    /// The Agent Builder workflow to run.
    pub workflow: WorkflowParam,
    /// Optional overrides of the widget's behaviour for this session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chatkit_configuration: Option<ChatkitConfigurationParam>,
    /// How long the client secret lives (at most 600 s, which is also the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after: Option<ExpiresAfterParam>,
    /// Per-client-secret request limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<RateLimitsParam>,
}

/// `workflow` in the create body (`WorkflowParam`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowParam {
    /// The workflow id, `wf_…`.
    pub id: String,
    /// A deployed version; absent means the latest. Never send the literal `"latest"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// State variables (at most 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_variables: Option<BTreeMap<String, StateValue>>,
    /// Tracing of the workflow run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<EnabledFlag>,
}

/// An object with a single `enabled` flag, a shape the API uses in several places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnabledFlag {
    /// Whether the feature is on.
    pub enabled: bool,
}

/// `chatkit_configuration` in the create body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ChatkitConfigurationParam {
    /// Automatic thread titles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic_thread_titling: Option<EnabledFlag>,
    /// File uploads from the widget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_upload: Option<FileUploadParam>,
    /// Thread history in the widget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryParam>,
}

/// `chatkit_configuration.file_upload` (`FileUploadParam`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileUploadParam {
    /// Whether uploads are allowed (upstream default: off).
    pub enabled: bool,
    /// Largest file in MB, 1..=512.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_file_size: Option<u32>,
    /// Most files per session, at least 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_files: Option<u32>,
}

/// `chatkit_configuration.history` (`HistoryParam`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryParam {
    /// Whether earlier threads can be opened.
    pub enabled: bool,
    /// How many recent threads to show; absent means all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recent_threads: Option<u32>,
}

/// `expires_after` in the create body (`ExpiresAfterParam`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiresAfterParam {
    /// The only anchor the API accepts.
    pub anchor: ExpiresAfterAnchor,
    /// Lifetime in seconds, 1..=600.
    pub seconds: u32,
}

/// The anchor of [`ExpiresAfterParam`]; the API knows only `created_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiresAfterAnchor {
    /// Counted from the session's creation.
    CreatedAt,
}

/// `rate_limits` in the create body (`RateLimitsParam`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimitsParam {
    /// Requests per minute allowed with one client secret (upstream default 10).
    pub max_requests_per_1_minute: u32,
}

/// The session resource returned by create and cancel (`ChatSession`, object `chatkit.session`).
///
/// Only `id`, `client_secret` and `expires_at` are required when reading: the broker needs nothing
/// else, and tolerating a sparse reply keeps it working if the API trims the resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatSession {
    /// `cksess_…`.
    pub id: String,
    /// Always `chatkit.session`.
    #[serde(default)]
    pub object: String,
    /// The ephemeral secret the browser uses (`ek_…`).
    pub client_secret: String,
    /// Expiry as Unix seconds.
    pub expires_at: i64,
    /// `active`, `expired` or `cancelled`.
    #[serde(default)]
    pub status: Option<SessionStatus>,
    /// The session's user.
    #[serde(default)]
    pub user: Option<String>,
    /// Convenience copy of `rate_limits.max_requests_per_1_minute`.
    #[serde(default)]
    pub max_requests_per_1_minute: Option<u32>,
    /// The resolved workflow, as a raw JSON object.
    #[serde(default)]
    pub workflow: Option<serde_json::Value>,
    /// The resolved configuration, as a raw JSON object.
    #[serde(default)]
    pub chatkit_configuration: Option<serde_json::Value>,
    /// The resolved rate limits.
    #[serde(default)]
    pub rate_limits: Option<RateLimitsParam>,
}

/// Status of a [`ChatSession`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// Usable.
    Active,
    /// Past `expires_at`.
    Expired,
    /// Cancelled through the cancel endpoint.
    Cancelled,
}

/// The OpenAI error envelope, `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiErrorEnvelope {
    /// The error.
    pub error: ApiErrorBody,
}

/// The body of an OpenAI error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ApiErrorBody {
    /// Human-readable text. May quote a masked form of the key: never forward it to a caller.
    #[serde(default)]
    pub message: String,
    /// Error class, e.g. `invalid_request_error`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The parameter at fault, when there is one.
    #[serde(default)]
    pub param: Option<String>,
    /// A machine-readable code, e.g. `invalid_api_key`.
    #[serde(default)]
    pub code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_minimal_body_serializes_without_nulls() {
        let body = CreateChatSessionBody {
            user: "u_1".into(),
            workflow: WorkflowParam {
                id: "wf_1".into(),
                version: None,
                state_variables: None,
                tracing: None,
            },
            chatkit_configuration: None,
            expires_after: None,
            rate_limits: None,
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"user": "u_1", "workflow": {"id": "wf_1"}})
        );
    }

    #[test]
    fn a_full_body_round_trips_the_documented_example() {
        let example = json!({
          "user": "u_7f3c:wf_abc",
          "workflow": { "id": "wf_abc", "version": "3",
                        "state_variables": { "plan": "pro", "beta": true, "seats": 4, "ratio": 0.5 },
                        "tracing": { "enabled": false } },
          "chatkit_configuration": {
            "automatic_thread_titling": { "enabled": true },
            "file_upload": { "enabled": true, "max_file_size": 10, "max_files": 5 },
            "history": { "enabled": true, "recent_threads": 20 } },
          "expires_after": { "anchor": "created_at", "seconds": 600 },
          "rate_limits": { "max_requests_per_1_minute": 10 }
        });
        let body: CreateChatSessionBody = serde_json::from_value(example.clone()).unwrap();
        assert_eq!(serde_json::to_value(&body).unwrap(), example);
    }

    #[test]
    fn the_documented_session_resource_parses() {
        let session: ChatSession = serde_json::from_value(json!({
          "id": "cksess_123", "object": "chatkit.session", "client_secret": "ek_x",
          "expires_at": 1763720400, "status": "active", "user": "u_7f3c",
          "max_requests_per_1_minute": 10, "rate_limits": { "max_requests_per_1_minute": 10 },
          "workflow": { "id": "wf_abc", "version": null, "state_variables": null, "tracing": { "enabled": true } },
          "chatkit_configuration": { "automatic_thread_titling": { "enabled": true },
            "file_upload": { "enabled": false, "max_file_size": 512, "max_files": 10 },
            "history": { "enabled": true, "recent_threads": null } }
        }))
        .unwrap();
        assert_eq!(session.status, Some(SessionStatus::Active));
        assert_eq!(session.expires_at, 1763720400);
    }
}
