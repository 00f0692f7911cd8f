//! The OpenAI error envelope (model-apis §4): `{"error":{"message","type","param","code"}}`, all four
//! keys always present, `param` and `code` possibly null.

use std::time::Instant;

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use serde::Serialize;

use crate::common;

/// The `type` used by almost every client error.
pub(crate) const INVALID_REQUEST: &str = "invalid_request_error";

/// One error reply, before it is rendered.
#[derive(Debug)]
pub(crate) struct ApiError {
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// The human-readable `message`.
    pub(crate) message: String,
    /// The `type` field.
    pub(crate) kind: &'static str,
    /// The `param` field: the dotted path of the offending parameter.
    pub(crate) param: Option<String>,
    /// The `code` field.
    pub(crate) code: Option<&'static str>,
    /// Extra reply headers (e.g. `retry-after`).
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
}

/// The wire shape of the envelope.
#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

/// The wire shape of the envelope's `error` object.
#[derive(Serialize)]
struct Body<'a> {
    message: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    param: Option<&'a str>,
    code: Option<&'a str>,
}

impl ApiError {
    /// An error with no `param`, no `code` and no extra headers.
    pub(crate) fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            kind,
            param: None,
            code: None,
            headers: Vec::new(),
        }
    }

    /// A 400 `invalid_request_error` about one parameter.
    pub(crate) fn bad_param(param: impl Into<String>, code: &'static str, message: String) -> Self {
        Self::new(StatusCode::BAD_REQUEST, INVALID_REQUEST, message)
            .param(param)
            .code(code)
    }

    /// Sets `param`.
    pub(crate) fn param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }

    /// Sets `code`.
    pub(crate) fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// Adds a reply header.
    pub(crate) fn header(mut self, name: &'static str, value: &'static str) -> Self {
        self.headers.push((
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        ));
        self
    }

    /// The `500 server_error` the real API answers when it fails internally.
    pub(crate) fn server_error() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The server had an error while processing your request. Sorry about that!",
        )
    }

    /// Renders the error as a JSON reply with the usual OpenAI headers.
    pub(crate) fn into_response(self, started: Instant) -> Response {
        let body = serde_json::to_vec(&Envelope {
            error: Body {
                message: &self.message,
                kind: self.kind,
                param: self.param.as_deref(),
                code: self.code,
            },
        })
        .unwrap_or_default();
        let mut response = common::json_response(self.status, body, started);
        response.headers_mut().extend(self.headers);
        response
    }
}
