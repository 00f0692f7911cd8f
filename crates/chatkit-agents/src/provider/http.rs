//! The transport both providers share: one `reqwest::Client` with the authentication and extra
//! headers, the OpenAI error envelope turned into [`ModelError`]s, bounded retries before a reply
//! starts (model-apis §4), the response timeout, and audio transcription (model-apis §5).
//!
//! Nothing here logs a body or a header value: the debug log carries the path, the status, the
//! attempt and the server's `x-request-id`.

use std::error::Error as _;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use rand::Rng;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use reqwest::{RequestBuilder, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::{AuthStyle, ProviderConfig};
use crate::model::{AudioClip, ModelError, ModelErrorKind};

/// The longest wait a server may ask for and still be retried; beyond it the error is final.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The longest backoff between attempts when the server names none.
const MAX_BACKOFF_SECS: f64 = 8.0;

/// How much of an error reply is read (an envelope is a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// How much of a transcription reply is read.
const MAX_TRANSCRIPTION_BODY: usize = 8 * 1024 * 1024;

/// The header carrying the attempt number, as the official SDKs send it.
const RETRY_COUNT_HEADER: &str = "x-stainless-retry-count";

/// An HTTP connection pool to one model server, with its policy.
pub(crate) struct Transport {
    /// The pool, carrying the authentication and extra headers as defaults.
    client: reqwest::Client,
    /// The API base without a trailing slash (`https://api.openai.com/v1`).
    base: String,
    /// The key, only to scrub it from upstream messages that echo it.
    key: Option<SecretString>,
    /// How long to wait for the reply headers, per attempt.
    response_timeout: Duration,
    /// The longest silence between two pieces of a reply body.
    idle_timeout: Duration,
    /// How many failed attempts are retried.
    max_retries: u32,
}

/// A failed attempt and whether (and when) to try again.
struct Failure {
    /// What went wrong.
    error: ModelError,
    /// Whether another attempt may succeed.
    retry: bool,
}

impl Transport {
    /// Builds the pool for `config` (see [`super::connect`]).
    pub(crate) fn new(config: &ProviderConfig) -> Result<Self, ModelError> {
        let base = config.base_url.trim().trim_end_matches('/').to_owned();
        let parsed = url::Url::parse(&base)
            .map_err(|error| bad_config(format!("invalid base_url: {error}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad_config(format!(
                "base_url must be an http or https URL, not {:?}",
                parsed.scheme()
            )));
        }

        let key = config
            .api_key
            .clone()
            .filter(|key| !key.expose_secret().is_empty());
        let mut headers = HeaderMap::new();
        if let Some(key) = &key {
            let (name, value) = match config.auth {
                AuthStyle::Bearer => (AUTHORIZATION, format!("Bearer {}", key.expose_secret())),
                AuthStyle::ApiKey => (
                    HeaderName::from_static("api-key"),
                    key.expose_secret().to_owned(),
                ),
            };
            let mut value = HeaderValue::from_str(&value).map_err(|_| {
                bad_config("the API key contains characters that cannot be sent in an HTTP header")
            })?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        for (name, value) in &config.headers {
            let header = HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|_| bad_config(format!("invalid header name {name:?}")))?;
            let mut value = HeaderValue::from_str(value.trim())
                .map_err(|_| bad_config(format!("invalid value for header {name:?}")))?;
            // Extra headers may carry credentials of their own.
            value.set_sensitive(true);
            headers.insert(header, value);
        }

        let client = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("chatkit-rs/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.connect_timeout)
            .tcp_nodelay(true)
            // A POST must not silently become a GET, nor an `api-key` header follow a redirect
            // to another host.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| {
                ModelError::new(
                    ModelErrorKind::Connection,
                    format!("could not build the HTTP client: {}", error_chain(&error)),
                )
            })?;
        Ok(Self {
            client,
            base,
            key,
            response_timeout: config.response_timeout,
            idle_timeout: config.idle_timeout,
            max_retries: config.max_retries,
        })
    }

    /// The API base without a trailing slash.
    pub(crate) fn base_url(&self) -> &str {
        &self.base
    }

    /// Encodes `body`, posts it to `{base}/{path}` ([`Self::post_stream`]) and reads the reply
    /// as model events with `parser`: the whole of a streamed call, for both dialects.
    pub(crate) async fn stream<P: super::sse::EventParser>(
        &self,
        path: &str,
        body: &impl serde::Serialize,
        parser: P,
    ) -> Result<crate::model::ModelStream, ModelError> {
        let body = serde_json::to_vec(body).map_err(|error| {
            ModelError::new(
                ModelErrorKind::BadRequest,
                format!("could not encode the request: {error}"),
            )
        })?;
        let response = self.post_stream(path, body.into()).await?;
        Ok(super::sse::model_stream(
            response,
            parser,
            self.idle_timeout,
        ))
    }

    /// `POST {base}/{path}` with a JSON `body` asking for an event stream, retried as the policy
    /// allows; answers the first 2xx reply (its body unread).
    ///
    /// A 2xx JSON reply (a server that ignored `stream:true`, or a proxy's error) is an error:
    /// the envelope's when it carries one, [`ModelErrorKind::Protocol`] otherwise.
    pub(crate) async fn post_stream(
        &self,
        path: &str,
        body: Bytes,
    ) -> Result<Response, ModelError> {
        let response = self
            .send(path, |request| {
                Ok(request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header(reqwest::header::ACCEPT, "text/event-stream")
                    .body(body.clone()))
            })
            .await?;
        let is_json = header_str(response.headers(), "content-type")
            .is_some_and(|value| base_mime(value) == "application/json");
        if !is_json {
            return Ok(response);
        }
        let status = response.status();
        let body = read_body(response, MAX_ERROR_BODY, self.idle_timeout).await?;
        Err(match parse_envelope(&body) {
            Some((message, code)) => ModelError {
                kind: kind_for_code(code.as_deref()),
                message: self.redact(message),
                code,
                status: Some(status.as_u16()),
                retry_after: None,
            },
            None => ModelError {
                status: Some(status.as_u16()),
                ..ModelError::new(
                    ModelErrorKind::Protocol,
                    format!("{path} answered JSON, not an event stream"),
                )
            },
        })
    }

    /// `POST {base}/{path}` with the request `build` makes for each attempt, retried as the
    /// policy allows (model-apis §4); answers the first 2xx reply.
    async fn send(
        &self,
        path: &str,
        build: impl Fn(RequestBuilder) -> Result<RequestBuilder, ModelError>,
    ) -> Result<Response, ModelError> {
        let url = format!("{}/{path}", self.base);
        let mut attempt: u32 = 0;
        loop {
            let request = build(self.client.post(&url))?.header(RETRY_COUNT_HEADER, attempt);
            let failure = match tokio::time::timeout(self.response_timeout, request.send()).await {
                Err(_) => Failure {
                    error: ModelError::new(
                        ModelErrorKind::Timeout,
                        format!(
                            "no reply headers from {path} within {:?}",
                            self.response_timeout
                        ),
                    ),
                    retry: true,
                },
                Ok(Err(error)) => Failure {
                    error: self.transport_error(path, &error),
                    retry: true,
                },
                Ok(Ok(response)) => {
                    tracing::debug!(
                        path,
                        status = response.status().as_u16(),
                        attempt,
                        request_id = header_str(response.headers(), "x-request-id").unwrap_or(""),
                        "model API reply"
                    );
                    if response.status().is_success() {
                        return Ok(response);
                    }
                    self.status_failure(response).await
                }
            };
            if !failure.retry || attempt >= self.max_retries {
                return Err(failure.error);
            }
            let delay = failure
                .error
                .retry_after
                .filter(|wait| !wait.is_zero())
                .unwrap_or_else(|| backoff(attempt));
            tracing::debug!(
                path,
                attempt,
                delay_ms = delay.as_millis() as u64,
                error = %failure.error,
                "retrying model API call"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    /// A non-2xx reply as a [`Failure`]: the envelope's message and code, the status's kind,
    /// and the retry decision (`x-should-retry`, `retry-after(-ms)`, the status).
    async fn status_failure(&self, response: Response) -> Failure {
        let status = response.status();
        let headers = response.headers();
        let retry_after = retry_after(headers);
        let should_retry =
            header_str(headers, "x-should-retry").and_then(|value| match value.trim() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            });
        let body = read_body(response, MAX_ERROR_BODY, self.idle_timeout)
            .await
            .unwrap_or_default();

        let (message, code) = parse_envelope(&body).unwrap_or_else(|| {
            let reason = status.canonical_reason().unwrap_or("error");
            (format!("HTTP {} {reason}", status.as_u16()), None)
        });
        let error = ModelError {
            kind: kind_for_status(status),
            message: self.redact(message),
            code,
            status: Some(status.as_u16()),
            retry_after,
        };
        let retry = if error.code.as_deref() == Some("insufficient_quota")
            || retry_after.is_some_and(|wait| wait > MAX_RETRY_AFTER)
        {
            false
        } else if let Some(should_retry) = should_retry {
            should_retry
        } else {
            matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
        };
        Failure { error, retry }
    }

    /// A failure to get any reply (refused, reset, TLS, connect timeout) as a [`ModelError`].
    fn transport_error(&self, path: &str, error: &reqwest::Error) -> ModelError {
        let kind = if error.is_timeout() {
            ModelErrorKind::Timeout
        } else {
            ModelErrorKind::Connection
        };
        let host = url::Url::parse(&self.base)
            .ok()
            .and_then(|url| {
                url.host_str()
                    .map(|host| format!("{host}:{}", url.port_or_known_default().unwrap_or(0)))
            })
            .unwrap_or_default();
        ModelError::new(
            kind,
            self.redact(format!(
                "POST {path} to {host} failed: {}",
                error_chain(error)
            )),
        )
    }

    /// `text` with the API key (should a server echo it) replaced by `[REDACTED]`.
    pub(crate) fn redact(&self, text: String) -> String {
        match &self.key {
            Some(key) if text.contains(key.expose_secret()) => {
                text.replace(key.expose_secret(), "[REDACTED]")
            }
            _ => text,
        }
    }

    /// `POST {base}/audio/transcriptions` (model-apis §5): `file` named `audio.<ext>` after the
    /// MIME type, with the base MIME type as its content type, and `model`; answers `text`.
    pub(crate) async fn transcribe(
        &self,
        audio: AudioClip,
        model: &str,
    ) -> Result<String, ModelError> {
        let mime = base_mime(&audio.mime_type);
        let extension = audio_extension(&mime).ok_or_else(|| {
            ModelError::new(
                ModelErrorKind::BadRequest,
                format!("cannot transcribe audio of type {:?}", audio.mime_type),
            )
        })?;
        let filename = format!("audio.{extension}");
        let response = self
            .send("audio/transcriptions", |request| {
                let file = reqwest::multipart::Part::stream_with_length(
                    reqwest::Body::from(audio.data.clone()),
                    audio.data.len() as u64,
                )
                .file_name(filename.clone())
                .mime_str(&mime)
                .map_err(|_| {
                    ModelError::new(
                        ModelErrorKind::BadRequest,
                        format!("invalid audio MIME type {mime:?}"),
                    )
                })?;
                let form = reqwest::multipart::Form::new()
                    .part("file", file)
                    .text("model", model.to_owned());
                Ok(request.multipart(form))
            })
            .await?;
        let body = read_body(response, MAX_TRANSCRIPTION_BODY, self.idle_timeout).await?;
        let reply: Value = serde_json::from_slice(&body).map_err(|error| {
            ModelError::new(
                ModelErrorKind::Protocol,
                format!("the transcription reply is not JSON: {error}"),
            )
        })?;
        match reply.get("text").and_then(Value::as_str) {
            Some(text) => Ok(text.to_owned()),
            None => Err(ModelError::new(
                ModelErrorKind::Protocol,
                "the transcription reply has no text",
            )),
        }
    }
}

/// An invalid provider configuration.
fn bad_config(message: impl Into<String>) -> ModelError {
    ModelError::new(ModelErrorKind::BadRequest, message)
}

/// The kind of a non-2xx status (model-apis §4).
pub(crate) fn kind_for_status(status: StatusCode) -> ModelErrorKind {
    match status.as_u16() {
        401 | 403 => ModelErrorKind::Auth,
        408 => ModelErrorKind::Timeout,
        429 => ModelErrorKind::RateLimited,
        409 | 500.. => ModelErrorKind::Server,
        _ => ModelErrorKind::BadRequest,
    }
}

/// The kind of an error reported inside a stream, from its code (`response.failed`, `error`
/// events, a Chat Completions `error` payload).
pub(crate) fn kind_for_code(code: Option<&str>) -> ModelErrorKind {
    let Some(code) = code else {
        return ModelErrorKind::Server;
    };
    match code {
        "rate_limit_exceeded" | "insufficient_quota" | "requests" | "tokens" => {
            ModelErrorKind::RateLimited
        }
        "invalid_api_key" | "authentication_error" | "permission_denied" => ModelErrorKind::Auth,
        "invalid_prompt"
        | "context_length_exceeded"
        | "invalid_request_error"
        | "model_not_found"
        | "data_residency_mismatch" => ModelErrorKind::BadRequest,
        _ if code.starts_with("invalid_")
            || code.contains("image")
            || code.ends_with("_policy")
            || code.ends_with("_policy_violation") =>
        {
            ModelErrorKind::BadRequest
        }
        _ => ModelErrorKind::Server,
    }
}

/// An error object's `code` as text (some servers send a number), falling back to `type` when
/// that names the quota error (which decides retries).
pub(crate) fn error_code(error: &Value) -> Option<String> {
    error.get("code").and_then(code_text).or_else(|| {
        error
            .get("type")
            .and_then(Value::as_str)
            .filter(|kind| *kind == "insufficient_quota")
            .map(str::to_owned)
    })
}

/// An error `code` value as text: a non-empty string, or a number.
pub(crate) fn code_text(code: &Value) -> Option<String> {
    match code {
        Value::String(code) if !code.is_empty() => Some(code.clone()),
        Value::Number(code) => Some(code.to_string()),
        _ => None,
    }
}

/// The `message` and `code` of an OpenAI error envelope `{"error":{…}}` (or a bare error object,
/// or `{"error":"text"}`); `None` when the body is not one.
fn parse_envelope(body: &[u8]) -> Option<(String, Option<String>)> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error").unwrap_or(&value);
    if let Some(text) = error.as_str() {
        return Some((text.to_owned(), None));
    }
    let message = error
        .get("message")
        .and_then(Value::as_str)
        .or_else(|| value.get("message").and_then(Value::as_str))?;
    Some((message.to_owned(), error_code(error)))
}

/// The backoff before retry `attempt + 1` when the server names no wait:
/// `min(0.5·2^attempt, 8)` seconds minus up to 25 % jitter.
fn backoff(attempt: u32) -> Duration {
    let base = (0.5 * 2f64.powi(attempt.min(16) as i32)).min(MAX_BACKOFF_SECS);
    let jitter = 1.0 - rand::rng().random_range(0.0..0.25);
    Duration::from_secs_f64(base * jitter)
}

/// The wait a reply asks for: `retry-after-ms` (milliseconds) over `retry-after` (seconds or an
/// HTTP date).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(ms) =
        header_str(headers, "retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok())
        && let Ok(wait) = Duration::try_from_secs_f64(ms / 1000.0)
    {
        return Some(wait);
    }
    let value = header_str(headers, "retry-after")?.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A header's value as text, when present and visible ASCII.
fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Reads a whole (bounded) reply body, each piece within `idle`.
async fn read_body(
    mut response: Response,
    limit: usize,
    idle: Duration,
) -> Result<Bytes, ModelError> {
    let mut body = BytesMut::new();
    loop {
        match tokio::time::timeout(idle, response.chunk()).await {
            Err(_) => {
                return Err(ModelError::new(
                    ModelErrorKind::Timeout,
                    format!("the reply body stalled for {idle:?}"),
                ));
            }
            Ok(Err(error)) => {
                return Err(ModelError::new(
                    ModelErrorKind::Interrupted,
                    format!("the reply body broke off: {}", error_chain(&error)),
                ));
            }
            Ok(Ok(None)) => return Ok(body.freeze()),
            Ok(Ok(Some(chunk))) => {
                if body.len() + chunk.len() > limit {
                    return Err(ModelError::new(
                        ModelErrorKind::Protocol,
                        format!("the reply body exceeds {limit} bytes"),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
}

/// A reqwest error and its causes, without the URL, joined with `: `.
pub(crate) fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    // reqwest appends ` for url (…)` to the top-level message; URLs may carry credentials.
    match text.find(" for url (") {
        Some(start) => match text[start..].find(')') {
            Some(end) => {
                let mut cleaned = text[..start].to_owned();
                cleaned.push_str(&text[start + end + 1..]);
                cleaned
            }
            None => text[..start].to_owned(),
        },
        None => text,
    }
}

/// The base MIME type, lower-cased and without parameters (`audio/webm;codecs=opus` → `audio/webm`).
fn base_mime(mime: &str) -> String {
    mime.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The file extension the transcription API recognises for a base MIME type.
fn audio_extension(mime: &str) -> Option<&'static str> {
    Some(match mime {
        "audio/webm" | "video/webm" => "webm",
        "audio/mp4" | "video/mp4" => "mp4",
        "audio/m4a" | "audio/x-m4a" => "m4a",
        "audio/ogg" | "audio/opus" | "application/ogg" => "ogg",
        "audio/wav" | "audio/x-wav" | "audio/wave" | "audio/vnd.wave" => "wav",
        "audio/mpeg" | "audio/mp3" | "audio/mpga" => "mp3",
        "audio/flac" | "audio/x-flac" => "flac",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_ms_wins_over_retry_after() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        headers.insert("retry-after-ms", HeaderValue::from_static("250"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(250)));
        headers.remove("retry-after-ms");
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert("retry-after", HeaderValue::from_static("1.5"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(1500)));
        headers.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert("retry-after", HeaderValue::from_static("-3"));
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn backoff_doubles_up_to_eight_seconds_minus_jitter() {
        for (attempt, full) in [(0, 0.5), (1, 1.0), (2, 2.0), (4, 8.0), (9, 8.0), (400, 8.0)] {
            let wait = backoff(attempt).as_secs_f64();
            assert!(wait <= full && wait >= full * 0.75, "{attempt}: {wait}");
        }
    }

    #[test]
    fn audio_files_are_named_after_the_base_mime_type() {
        assert_eq!(base_mime("audio/webm;codecs=opus"), "audio/webm");
        assert_eq!(audio_extension("audio/webm"), Some("webm"));
        assert_eq!(audio_extension("audio/mpeg"), Some("mp3"));
        assert_eq!(audio_extension("audio/mp4"), Some("mp4"));
        assert_eq!(audio_extension("audio/ogg"), Some("ogg"));
        assert_eq!(audio_extension("audio/wav"), Some("wav"));
        assert_eq!(audio_extension("text/plain"), None);
    }

    #[test]
    fn envelopes_yield_message_and_code() {
        let body = br#"{"error":{"message":"The model `gpt-9` does not exist","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#;
        assert_eq!(
            parse_envelope(body),
            Some((
                "The model `gpt-9` does not exist".to_owned(),
                Some("model_not_found".to_owned())
            ))
        );
        let quota = br#"{"error":{"message":"You exceeded your quota","type":"insufficient_quota","param":null,"code":null}}"#;
        assert_eq!(
            parse_envelope(quota).and_then(|(_, code)| code).as_deref(),
            Some("insufficient_quota")
        );
        assert_eq!(parse_envelope(b"<html>502</html>"), None);
        assert_eq!(
            parse_envelope(br#"{"error":"model not loaded"}"#),
            Some(("model not loaded".to_owned(), None))
        );
    }

    #[test]
    fn stream_error_codes_have_kinds() {
        assert_eq!(kind_for_code(Some("server_error")), ModelErrorKind::Server);
        assert_eq!(
            kind_for_code(Some("rate_limit_exceeded")),
            ModelErrorKind::RateLimited
        );
        assert_eq!(
            kind_for_code(Some("insufficient_quota")),
            ModelErrorKind::RateLimited
        );
        assert_eq!(
            kind_for_code(Some("invalid_image_url")),
            ModelErrorKind::BadRequest
        );
        assert_eq!(
            kind_for_code(Some("bio_policy")),
            ModelErrorKind::BadRequest
        );
        assert_eq!(
            kind_for_code(Some("empty_image_file")),
            ModelErrorKind::BadRequest
        );
        assert_eq!(
            kind_for_code(Some("server_is_overloaded")),
            ModelErrorKind::Server
        );
        assert_eq!(kind_for_code(None), ModelErrorKind::Server);
    }
}
