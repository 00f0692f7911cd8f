//! The client for OpenAI's ChatKit sessions API: create and cancel, with a connect timeout, a
//! total deadline per operation, and bounded retries with backoff on 408/409/429/5xx and
//! connection errors, honouring `retry-after-ms`, `retry-after` and `x-should-retry` as the
//! official SDKs do. Failures come back as [`UpstreamError`], which the broker maps to our
//! envelope; no upstream body or key ever leaves this module.

use std::time::Duration;

use chatkit_types::sessions::{ApiErrorEnvelope, CreateChatSessionBody};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use tokio::time::Instant;

use crate::config::OpenAiConfig;

/// Longest single backoff.
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// Largest reply body read from the sessions API.
const MAX_REPLY_BYTES: usize = 256 * 1024;

/// Why an upstream call failed.
#[derive(Debug, Clone)]
pub enum UpstreamError {
    /// The API answered with an error status (after retries, where retryable).
    Status {
        /// The HTTP status.
        status: StatusCode,
        /// The API's `error.code`, if any.
        code: Option<String>,
        /// The API's `error.param`, if any.
        param: Option<String>,
        /// The API's `retry-after`, if any.
        retry_after: Option<Duration>,
    },
    /// No answer within the deadline.
    Timeout,
    /// Could not connect, or the connection broke.
    Unreachable,
    /// The reply was not what the API documents.
    InvalidResponse,
}

/// The part of a [`ChatSession`](chatkit_types::sessions::ChatSession) the broker uses; the rest of
/// the resource is skipped without being built.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct MintedSession {
    /// `cksess_…`.
    pub id: String,
    /// The ephemeral secret for the browser.
    pub client_secret: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// A sessions API client.
#[derive(Debug, Clone)]
pub struct SessionsClient {
    http: reqwest::Client,
    api_base: String,
    create_url: reqwest::Url,
    deadline: Duration,
    max_retries: u32,
    retry_base: Duration,
    default_headers: HeaderMap,
}

impl SessionsClient {
    /// A client for `config` (its resolved `api_base`).
    pub fn new(config: &OpenAiConfig) -> anyhow::Result<Self> {
        let mut default_headers = HeaderMap::new();
        default_headers.insert("openai-beta", HeaderValue::from_static("chatkit_beta=v1"));
        if let Some(org) = &config.organization {
            default_headers.insert("openai-organization", HeaderValue::from_str(org)?);
        }
        if let Some(project) = &config.project {
            default_headers.insert("openai-project", HeaderValue::from_str(project)?);
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(256)
            .tcp_nodelay(true)
            .user_agent(concat!("chatkit-rs/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            api_base: config.api_base().to_owned(),
            create_url: reqwest::Url::parse(&format!("{}/v1/chatkit/sessions", config.api_base()))?,
            deadline: Duration::from_millis(config.timeout_ms),
            max_retries: config.max_retries,
            retry_base: Duration::from_millis(config.retry_base_ms),
            default_headers,
        })
    }

    /// `POST /v1/chatkit/sessions`.
    pub async fn create(
        &self,
        api_key: &str,
        body: &CreateChatSessionBody,
    ) -> Result<MintedSession, UpstreamError> {
        let payload = serde_json::to_vec(body).map_err(|_| UpstreamError::InvalidResponse)?;
        let bytes = self
            .call(
                "create",
                self.create_url.clone(),
                api_key,
                Some(payload.into()),
            )
            .await?;
        let session: MintedSession =
            serde_json::from_slice(&bytes).map_err(|_| UpstreamError::InvalidResponse)?;
        if session.client_secret.is_empty() || session.id.is_empty() {
            return Err(UpstreamError::InvalidResponse);
        }
        Ok(session)
    }

    /// `POST /v1/chatkit/sessions/{id}/cancel`.
    pub async fn cancel(&self, api_key: &str, session_id: &str) -> Result<(), UpstreamError> {
        let url = reqwest::Url::parse(&format!(
            "{}/v1/chatkit/sessions/{session_id}/cancel",
            self.api_base
        ))
        .map_err(|_| UpstreamError::InvalidResponse)?;
        self.call("cancel", url, api_key, None).await.map(|_| ())
    }

    async fn call(
        &self,
        op: &'static str,
        url: reqwest::Url,
        api_key: &str,
        body: Option<bytes::Bytes>,
    ) -> Result<bytes::Bytes, UpstreamError> {
        let started = Instant::now();
        let deadline = started + self.deadline;
        let mut attempt = 0u32;
        let outcome = loop {
            let result =
                tokio::time::timeout_at(deadline, self.attempt(url.clone(), api_key, body.clone()))
                    .await;
            let (error, hint) = match result {
                Err(_) => break Err(UpstreamError::Timeout),
                Ok(Ok(bytes)) => break Ok(bytes),
                Ok(Err(failure)) => failure,
            };
            let retryable = match &error {
                UpstreamError::Status { status, .. } => {
                    matches!(status.as_u16(), 408 | 409 | 429) || status.is_server_error()
                }
                UpstreamError::Unreachable => true,
                _ => false,
            };
            let retryable = hint.should_retry.unwrap_or(retryable);
            if !retryable || attempt >= self.max_retries {
                break Err(error);
            }
            let backoff = hint.retry_after.unwrap_or_else(|| self.backoff(attempt));
            if backoff > MAX_BACKOFF || Instant::now() + backoff >= deadline {
                break Err(error);
            }
            attempt += 1;
            metrics::counter!("chatkit_upstream_retries_total", "op" => op).increment(1);
            tokio::time::sleep(backoff).await;
        };
        let outcome_label = match &outcome {
            Ok(_) => "ok",
            Err(UpstreamError::Status { .. }) => "status",
            Err(UpstreamError::Timeout) => "timeout",
            Err(UpstreamError::Unreachable) => "unreachable",
            Err(UpstreamError::InvalidResponse) => "invalid",
        };
        metrics::counter!("chatkit_upstream_requests_total", "op" => op, "outcome" => outcome_label)
            .increment(1);
        metrics::histogram!("chatkit_upstream_duration_seconds", "op" => op)
            .record(started.elapsed().as_secs_f64());
        if let Err(error) = &outcome {
            tracing::warn!(op, ?error, attempts = attempt + 1, "upstream call failed");
        }
        outcome
    }

    async fn attempt(
        &self,
        url: reqwest::Url,
        api_key: &str,
        body: Option<bytes::Bytes>,
    ) -> Result<bytes::Bytes, (UpstreamError, RetryHint)> {
        let mut request = self
            .http
            .request(Method::POST, url)
            .headers(self.default_headers.clone())
            .bearer_auth(api_key);
        if let Some(body) = body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request
            .send()
            .await
            .map_err(|_| (UpstreamError::Unreachable, RetryHint::default()))?;
        let status = response.status();
        let hint = RetryHint::from_headers(response.headers());
        let bytes = read_limited(response)
            .await
            .map_err(|error| (error, hint))?;
        if status.is_success() {
            return Ok(bytes);
        }
        let envelope: Option<ApiErrorEnvelope> = serde_json::from_slice(&bytes).ok();
        let (code, param) = envelope
            .map(|e| (e.error.code, e.error.param))
            .unwrap_or_default();
        Err((
            UpstreamError::Status {
                status,
                code,
                param,
                retry_after: hint.retry_after,
            },
            hint,
        ))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .retry_base
            .saturating_mul(1 << attempt.min(10))
            .min(MAX_BACKOFF);
        // Jitter: between 75% and 100% of the nominal delay, as the SDKs do.
        let jitter = 1.0 - rand::random::<f64>() * 0.25;
        base.mul_f64(jitter)
    }
}

async fn read_limited(mut response: reqwest::Response) -> Result<bytes::Bytes, UpstreamError> {
    let mut buffer = bytes::BytesMut::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if buffer.len() + chunk.len() > MAX_REPLY_BYTES {
                    return Err(UpstreamError::InvalidResponse);
                }
                buffer.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(buffer.freeze()),
            Err(_) => return Err(UpstreamError::Unreachable),
        }
    }
}

/// What the API said about retrying.
#[derive(Debug, Default, Clone, Copy)]
struct RetryHint {
    retry_after: Option<Duration>,
    should_retry: Option<bool>,
}

impl RetryHint {
    fn from_headers(headers: &HeaderMap) -> Self {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let retry_after = text("retry-after-ms")
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(|ms| Duration::from_secs_f64(ms.max(0.0) / 1000.0))
            .or_else(|| {
                text("retry-after")
                    .and_then(|v| v.trim().parse::<f64>().ok())
                    .map(|s| Duration::from_secs_f64(s.max(0.0)))
            });
        let should_retry = text("x-should-retry").and_then(|v| match v {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        });
        Self {
            retry_after,
            should_retry,
        }
    }
}
