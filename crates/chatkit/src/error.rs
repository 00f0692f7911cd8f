//! `ApiError`: the one error type of every HTTP route, its stable codes and its status.
//!
//! Every error reply is `{"error": {"code": "...", "message": "..."}}` (plus `upstream_code` where
//! the upstream gave one). Messages are ours: never an upstream body, never a key or a secret.
//! [`ErrorCode::ALL`] is the catalogue `docs/errors.md` is checked against.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

macro_rules! error_codes {
    ($($variant:ident = $code:literal, $status:ident, $doc:literal;)*) => {
        /// A stable, machine-readable error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $(#[doc = $doc] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it appears on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }

            /// The HTTP status this code is sent with.
            pub fn status(self) -> StatusCode {
                match self { $(ErrorCode::$variant => StatusCode::$status,)* }
            }

            /// The code whose wire form is `code`, if any.
            pub fn from_wire(code: &str) -> Option<ErrorCode> {
                ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code)
            }

            /// What the code means, for the catalogue.
            pub fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => $doc,)* }
            }
        }
    };
}

error_codes! {
    InvalidJson = "invalid_json", BAD_REQUEST, "The body is not valid JSON, or not a JSON object.";
    InvalidRequest = "invalid_request", BAD_REQUEST, "A field is missing or has the wrong type or value.";
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "The body must be sent as `application/json`.";
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE, "The body is larger than `server.body_limit_bytes`.";
    Unauthorized = "unauthorized", UNAUTHORIZED, "`auth.required` is on and no valid bearer token came with the request.";
    InvalidToken = "invalid_token", UNAUTHORIZED, "The bearer token failed verification (signature, expiry, issuer or audience).";
    OriginNotAllowed = "origin_not_allowed", FORBIDDEN, "The request's `Origin` is neither this server nor listed in `server.cors_origins`.";
    WorkflowNotAllowed = "workflow_not_allowed", FORBIDDEN, "The workflow is not the default nor listed in `hosted.workflows`.";
    ClientSecretNotOwned = "client_secret_not_owned", FORBIDDEN, "The client secret to refresh belongs to another visitor or user.";
    ByoKeyDisabled = "byo_key_disabled", FORBIDDEN, "Bring-your-own-key minting is turned off (`hosted.byo_key`).";
    NotFound = "not_found", NOT_FOUND, "No such route or resource.";
    AgentNotFound = "agent_not_found", NOT_FOUND, "No agent with that id is served here (`POST /chatkit/<agent>`).";
    UnknownRequestType = "unknown_request_type", BAD_REQUEST, "The protocol request's `type` is missing or names no operation.";
    ThreadNotFound = "thread_not_found", NOT_FOUND, "No such thread for this caller and agent (another caller's or agent's thread is not found either).";
    ItemNotFound = "item_not_found", NOT_FOUND, "No such item in the thread.";
    AttachmentNotFound = "attachment_not_found", NOT_FOUND, "No such attachment for this caller and agent.";
    NoPendingToolCall = "no_pending_tool_call", CONFLICT, "`threads.add_client_tool_output`: the thread has no pending client tool call.";
    StructuredInputNotPending = "structured_input_not_pending", CONFLICT, "`threads.add_structured_input`: the item is not a pending structured input.";
    RetryTargetNotUserMessage = "retry_target_not_user_message", BAD_REQUEST, "`threads.retry_after_item`: the item is not a user message.";
    SenderNotWidget = "sender_not_widget", BAD_REQUEST, "A custom action's `item_id` is not a widget.";
    AttachmentsUnavailable = "attachments_unavailable", BAD_REQUEST, "Attachments are not enabled on this server.";
    AttachmentTooLarge = "attachment_too_large", PAYLOAD_TOO_LARGE, "The attachment is larger than allowed.";
    AttachmentTypeNotAllowed = "attachment_type_not_allowed", UNSUPPORTED_MEDIA_TYPE, "The attachment's type is not allowed (`attachments.allowed_mime_types`), or an upload's `Content-Type` differs from the declared one.";
    InvalidSignature = "invalid_signature", FORBIDDEN, "An attachment upload or preview URL is not ours, was altered, or has expired (`attachments.url_ttl_secs`).";
    TranscriptionUnavailable = "transcription_unavailable", BAD_REQUEST, "Dictation (`input.transcribe`) is not available for this agent.";
    TranscriptionFailed = "transcription_failed", BAD_GATEWAY, "The model provider failed to transcribe the audio; the message says why in words meant for the user.";
    ActionUnavailable = "action_unavailable", BAD_REQUEST, "The agent does not handle this widget action.";
    ActionFailed = "action_failed", BAD_REQUEST, "The agent refused the action; the message says why.";
    TooManyStreams = "too_many_streams", TOO_MANY_REQUESTS, "This caller already has `protocol.max_streams_per_identity` replies streaming.";
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED, "The route exists but not for this method.";
    WorkflowNotFound = "workflow_not_found", NOT_FOUND, "OpenAI does not know the workflow for this key: usually a key from another project, or a typo.";
    RateLimited = "rate_limited", TOO_MANY_REQUESTS, "Our own limit on minting was hit; retry after `Retry-After` seconds.";
    UpstreamRateLimited = "upstream_rate_limited", TOO_MANY_REQUESTS, "OpenAI's account or project limit was hit.";
    UpstreamBadRequest = "upstream_bad_request", BAD_REQUEST, "OpenAI refused the request; `upstream_code` carries its code.";
    ApiKeyRejected = "api_key_rejected", BAD_REQUEST, "OpenAI refused the API key the caller supplied (bring-your-own-key route).";
    UpstreamAuthFailed = "upstream_auth_failed", BAD_GATEWAY, "OpenAI refused the server's own API key: the operator must fix `OPENAI_API_KEY`.";
    UpstreamError = "upstream_error", BAD_GATEWAY, "OpenAI answered with a server error, after retries.";
    UpstreamUnavailable = "upstream_unavailable", BAD_GATEWAY, "OpenAI could not be reached, or the connection broke.";
    UpstreamInvalidResponse = "upstream_invalid_response", BAD_GATEWAY, "OpenAI's reply was not the JSON we expect.";
    UpstreamTimeout = "upstream_timeout", GATEWAY_TIMEOUT, "OpenAI did not answer within `openai.timeout_ms`.";
    RequestTimeout = "request_timeout", SERVICE_UNAVAILABLE, "The request took longer than `server.request_timeout_secs`.";
    NotConfigured = "not_configured", SERVICE_UNAVAILABLE, "The feature needs a setting the server does not have (the message names it).";
    MissingConfig = "missing_config", INTERNAL_SERVER_ERROR, "A request needs server configuration that is missing (the message names the key).";
    Internal = "internal", INTERNAL_SERVER_ERROR, "An unexpected error; details are in the server log under the request id.";
}

/// An error reply.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The stable code; it decides the status.
    pub code: ErrorCode,
    /// Our own words for the caller.
    pub message: String,
    /// The upstream's error code, for `upstream_bad_request`.
    pub upstream_code: Option<String>,
    /// Seconds for `Retry-After`.
    pub retry_after: Option<Duration>,
    /// The limit that refused the request, for the `RateLimit-*` headers.
    pub rate_limit: Option<crate::limits::Decision>,
}

impl ApiError {
    /// An error with a code and a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            upstream_code: None,
            retry_after: None,
            rate_limit: None,
        }
    }

    /// Adds a `Retry-After`.
    pub fn with_retry_after(mut self, after: Duration) -> Self {
        self.retry_after = Some(after);
        self
    }

    /// A 500 whose detail goes to the log, not to the caller.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            ErrorCode::Internal,
            "Something went wrong on our side. The server log has the details under this request's x-request-id.",
        )
    }

    /// 404 for an unknown route.
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "No such route.")
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.code.status()
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    upstream_code: Option<&'a str>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        metrics::counter!("chatkit_errors_total", "code" => self.code.as_str()).increment(1);
        let body = Envelope {
            error: Body {
                code: self.code.as_str(),
                message: &self.message,
                upstream_code: self.upstream_code.as_deref(),
            },
        };
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let Some(after) = self.retry_after {
            let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            if let Ok(value) = HeaderValue::from_str(&secs.max(1).to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        if let Some(decision) = self.rate_limit {
            crate::limits::add_headers(&mut response, decision);
        }
        response.extensions_mut().insert(self.code);
        response
    }
}

/// Renders the catalogue as Markdown (the body of `docs/errors.md`).
pub fn markdown_catalogue() -> String {
    let mut out = String::from("| Code | Status | Meaning |\n|---|---|---|\n");
    for code in ErrorCode::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            code.as_str(),
            code.status().as_u16(),
            code.description()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_errors_md_lists_every_code() {
        let doc =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md"))
                .expect("docs/errors.md");
        assert!(
            doc.contains(&markdown_catalogue()),
            "docs/errors.md is stale: regenerate its table with `cargo run -q -- docs errors`"
        );
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(
                seen.insert(code.as_str()),
                "duplicate code {}",
                code.as_str()
            );
        }
    }
}
