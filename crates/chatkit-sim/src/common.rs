//! Pieces every simulated endpoint shares: authentication and beta-header checks, body reading,
//! reply headers (`x-request-id`, `openai-processing-ms`), the 404 fallback, the shutdown signal
//! and the deliberately broken reply used by the connection faults.

use std::io;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use rand::Rng;
use tokio::sync::watch;

use crate::Simulator;
use crate::error::{ApiError, INVALID_REQUEST};

/// Largest request body accepted (the audio endpoint takes files up to 25 MB).
const MAX_BODY: usize = 32 * 1024 * 1024;

/// The message the real API gives when no usable `Authorization` header was sent.
const MISSING_KEY: &str = "You didn't provide an API key. You need to provide your API key in an \
Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password \
field (with blank username) if you're accessing the API from your browser and are prompted for a \
username. You can obtain an API key from https://platform.openai.com/account/api-keys.";

/// The message the real API gives when `OpenAI-Beta` lacks the ChatKit beta.
const MISSING_BETA: &str = "You must provide the 'OpenAI-Beta' header to access the ChatKit API. \
Please try again by setting the header 'OpenAI-Beta: chatkit_beta=v1'.";

/// The value of `OpenAI-Beta` that unlocks the ChatKit endpoints.
const CHATKIT_BETA: &str = "chatkit_beta=v1";

/// Fired when the server started by [`crate::serve`] shuts down, so waiting faults can end.
#[derive(Clone)]
pub(crate) struct ShutdownSignal(watch::Receiver<bool>);

impl ShutdownSignal {
    /// Wraps the receiving side of the server's shutdown channel.
    pub(crate) fn new(rx: watch::Receiver<bool>) -> Self {
        Self(rx)
    }

    /// Resolves once shutdown has begun (or the server is gone).
    pub(crate) async fn fired(mut self) {
        let _ = self.0.wait_for(|down| *down).await;
    }
}

/// How long the hanging faults (`wf_hang`, `[[hang]]`) wait at most before they cut the connection.
pub(crate) const HANG_FOR: Duration = Duration::from_secs(600);

/// The shutdown signal of the server serving this request, if it was started by [`crate::serve`].
pub(crate) fn shutdown_signal(parts: &Parts) -> Option<ShutdownSignal> {
    parts.extensions.get::<ShutdownSignal>().cloned()
}

/// Sleeps for `duration`, or less if the server shuts down first. Returns `true` if it slept the
/// whole duration.
pub(crate) async fn sleep_unless_shutdown(parts: &Parts, duration: Duration) -> bool {
    sleep_or_shutdown(shutdown_signal(parts), duration).await
}

/// Sleeps for `duration`, or less if `signal` fires first. Returns `true` if it slept the whole
/// duration.
pub(crate) async fn sleep_or_shutdown(signal: Option<ShutdownSignal>, duration: Duration) -> bool {
    let sleep = tokio::time::sleep(duration);
    match signal {
        Some(signal) => tokio::select! {
            () = sleep => true,
            () = signal.fired() => false,
        },
        None => {
            sleep.await;
            true
        }
    }
}

/// Splits a request and reads its whole body, recording it if recording is on.
///
/// A body over the size limit is answered with 413 (after recording the request with a null body).
pub(crate) async fn read_request(
    sim: &Simulator,
    request: Request,
    started: Instant,
) -> Result<(Parts, Bytes), Response> {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            sim.record(&parts, Some(&bytes));
            Ok((parts, bytes))
        }
        Err(_) => {
            sim.record(&parts, None);
            Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                INVALID_REQUEST,
                format!("Request body too large: the maximum is {MAX_BODY} bytes."),
            )
            .into_response(started))
        }
    }
}

/// The API key from `Authorization: Bearer <key>`, or the real API's 401.
pub(crate) fn api_key(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, key) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
        })
        .filter(|key| !key.is_empty())
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, INVALID_REQUEST, MISSING_KEY))
}

/// The API key of a model request: `Authorization: Bearer <key>` or, as Azure OpenAI clients send
/// it, `api-key: <key>`; otherwise the real API's 401.
pub(crate) fn model_api_key(headers: &HeaderMap) -> Result<&str, ApiError> {
    api_key(headers).or_else(|error| {
        headers
            .get("api-key")
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|key| !key.is_empty())
            .ok_or(error)
    })
}

/// Checks `OpenAI-Beta: chatkit_beta=v1` (one of possibly several comma-separated betas).
pub(crate) fn require_chatkit_beta(headers: &HeaderMap) -> Result<(), ApiError> {
    let has_beta = headers
        .get_all("openai-beta")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|beta| beta.trim() == CHATKIT_BETA);
    if has_beta {
        Ok(())
    } else {
        Err(
            ApiError::new(StatusCode::BAD_REQUEST, INVALID_REQUEST, MISSING_BETA)
                .code("invalid_beta"),
        )
    }
}

/// A JSON reply with the headers the real API puts on every reply.
pub(crate) fn json_response(status: StatusCode, body: Vec<u8>, started: Instant) -> Response {
    reply(
        status,
        Body::from(body),
        HeaderValue::from_static("application/json"),
        started,
    )
}

/// A `200 text/event-stream` reply with the headers the real API puts on every reply.
pub(crate) fn sse_response(body: Body, started: Instant) -> Response {
    let mut response = reply(
        StatusCode::OK,
        body,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
        started,
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// A reply with the given status, body and content type, and the usual OpenAI headers.
fn reply(status: StatusCode, body: Body, content_type: HeaderValue, started: Instant) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert("x-request-id", request_id());
    headers.insert("openai-version", HeaderValue::from_static("2020-10-01"));
    headers.insert(
        "openai-processing-ms",
        HeaderValue::from(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
    );
    response
}

/// A fresh `req_` + 32 hex request id.
fn request_id() -> HeaderValue {
    let id: u128 = rand::rng().random();
    HeaderValue::try_from(format!("req_{id:032x}")).unwrap_or(HeaderValue::from_static("req_0"))
}

/// A reply whose body fails before its first byte, so the server aborts the connection: the
/// client sees the connection cut and never a complete response.
pub(crate) fn broken_response() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, io::Error>(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "simulated connection reset",
        ))
    });
    let mut response = Response::new(Body::from_stream(stream));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The fallback for unknown paths and methods: 404 `Invalid URL (METHOD /path)`.
pub(crate) async fn invalid_url(State(sim): State<Simulator>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, _) = match read_request(&sim, request, started).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    ApiError::new(
        StatusCode::NOT_FOUND,
        INVALID_REQUEST,
        format!("Invalid URL ({} {})", parts.method, parts.uri.path()),
    )
    .into_response(started)
}
