//! HTTP plumbing shared by every route: the JSON body extractor that answers in our envelope,
//! security headers, the same-origin check for browser calls, the request timeout, and the JSON
//! replies for unknown routes and methods.

use std::time::Duration;

use axum::extract::{FromRequest, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// A JSON body: `application/json` (an empty body with no content type counts as `{}`), at most
/// `server.body_limit_bytes`, unknown fields ignored; every failure is an [`ApiError`].
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.config.server.body_limit_bytes;
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            });
        let body = read_body(request, limit).await?;
        let is_json = |ct: &str| ct == "application/json" || ct.ends_with("+json");
        match content_type.as_deref() {
            Some(ct) if is_json(ct) => {}
            None if body.iter().all(u8::is_ascii_whitespace) => {}
            _ => {
                return Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    "Send the body as JSON with `Content-Type: application/json`.",
                ));
            }
        }
        let text: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &body
        };
        serde_json::from_slice(text).map(ApiJson).map_err(|err| {
            if err.is_data() {
                ApiError::new(
                    ErrorCode::InvalidRequest,
                    format!(
                        "The body has a field of the wrong type or value (line {}, column {}).",
                        err.line(),
                        err.column()
                    ),
                )
            } else {
                ApiError::new(
                    ErrorCode::InvalidJson,
                    format!(
                        "The body is not valid JSON (line {}, column {}).",
                        err.line(),
                        err.column()
                    ),
                )
            }
        })
    }
}

/// Reads a request body whole, refusing one over `limit` bytes (413 `payload_too_large`) without
/// reading past the limit.
pub async fn read_body(request: Request, limit: usize) -> Result<bytes::Bytes, ApiError> {
    let declared_length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared_length.is_some_and(|len| len > limit) {
        return Err(too_large(limit));
    }
    http_body_util::Limited::new(request.into_body(), limit)
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .map_err(|err| {
            if err.is::<http_body_util::LengthLimitError>() {
                too_large(limit)
            } else {
                ApiError::new(
                    ErrorCode::InvalidRequest,
                    "The request body could not be read.",
                )
            }
        })
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("The body is larger than {limit} bytes."),
    )
}

/// The Content-Security-Policy of our pages: self only, plus what OpenAI's ChatKit widget needs
/// when a page embeds it (its script and iframe from the CDN, and the hosts its frame talks to).
pub const PAGE_CSP: &str = "default-src 'self'; \
script-src 'self' https://cdn.platform.openai.com; \
frame-src 'self' https://cdn.platform.openai.com; \
connect-src 'self' https://api.openai.com https://chatgpt.com https://sentinel.openai.com https://*.oaiusercontent.com; \
img-src 'self' data: blob: https:; \
style-src 'self' 'unsafe-inline' https://cdn.openai.com; \
font-src 'self' data: https://cdn.openai.com; \
media-src 'self' blob:; \
object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// Middleware around every route: the request timeout, our JSON envelope for axum's own
/// wrong-method replies, security headers, and the request metrics. (One layer, not four: each
/// `from_fn` layer costs a boxed service clone per request, which showed in profiles.)
///
/// Pages get the CSP; API replies are never cached (they carry client secrets). No
/// `Cross-Origin-Embedder-Policy`: `require-corp` breaks the ChatKit widget's sentinel frame.
pub async fn response_policy(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let is_api = request.uri().path().starts_with("/api/");
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let method = request.method().clone();
    let limit = route
        .as_deref()
        .and_then(crate::attachments::request_timeout)
        .unwrap_or(Duration::from_secs(
            state.config.server.request_timeout_secs,
        ));
    let mut response = match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            ErrorCode::RequestTimeout,
            "The request took too long. Try again.",
        )
        .into_response(),
    };
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && response.extensions().get::<ErrorCode>().is_none()
    {
        let allow = response.headers().get(header::ALLOW).cloned();
        response = ApiError::new(
            ErrorCode::MethodNotAllowed,
            "This route does not accept that method.",
        )
        .into_response();
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    let headers = response.headers_mut();
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        "referrer-policy",
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), geolocation=(), microphone=(self)"),
    );
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        headers.insert(
            "content-security-policy",
            HeaderValue::from_static(PAGE_CSP),
        );
    }
    if is_api {
        // Unless the route chose its own (attachment previews are privately cacheable).
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    let route = route.unwrap_or_else(|| "fallback".to_owned());
    metrics::counter!(
        "chatkit_http_requests_total",
        "method" => method.as_str().to_owned(),
        "route" => route.clone(),
        "status" => response.status().as_str().to_owned()
    )
    .increment(1);
    metrics::histogram!("chatkit_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A browser request whose `Origin` is neither this server nor an allowed CORS origin is refused
/// before it can act (CORS alone only stops the page reading the reply).
pub fn check_origin(state: &AppState, request: &Request) -> Result<(), ApiError> {
    if request.method() == Method::OPTIONS {
        return Ok(());
    }
    let Some(origin) = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    let same_origin = host.is_some_and(|host| {
        origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
    });
    let listed = state
        .config
        .server
        .cors_origins
        .iter()
        .any(|allowed| allowed.eq_ignore_ascii_case(origin));
    if same_origin || listed {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::OriginNotAllowed,
            "This origin may not call the API. The operator can allow it with CHATKIT_CORS_ORIGIN.",
        ))
    }
}

/// JSON 404 for unknown API routes.
pub async fn api_not_found() -> ApiError {
    ApiError::not_found()
}
