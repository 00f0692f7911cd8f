//! Model providers: the clients that turn a [`ModelRequest`](crate::model::ModelRequest) into an
//! HTTP call and the reply stream into [`ModelEvent`](crate::model::ModelEvent)s.
//!
//! Two wire dialects are spoken (see `reference/model-apis.md`):
//!
//! - [`ProviderKind::Responses`]: the OpenAI Responses API (`POST {base}/responses`), stateless
//!   (`store:false`, the full history on every call);
//! - [`ProviderKind::ChatCompletions`]: OpenAI-compatible Chat Completions
//!   (`POST {base}/chat/completions`), tolerant of the deviations of Ollama, vLLM, llama.cpp,
//!   LiteLLM and friends (model-apis §3.1).
//!
//! Both share one transport ([`ProviderConfig`] → one `reqwest::Client`): authentication, extra
//! headers, the error envelope, bounded retries before a stream starts, the response and idle
//! timeouts, and audio transcription. Build a client with [`connect`].

mod chat;
mod http;
mod responses;
mod sse;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::model::{ModelClient, ModelError};

/// The base URL of the OpenAI API, `/v1` included.
pub const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// Which wire dialect a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// The OpenAI Responses API (`POST {base}/responses`).
    #[default]
    Responses,
    /// OpenAI-compatible Chat Completions (`POST {base}/chat/completions`).
    ChatCompletions,
}

/// How the API key is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthStyle {
    /// `Authorization: Bearer <key>` (OpenAI and most compatible servers).
    #[default]
    Bearer,
    /// `api-key: <key>` (Azure OpenAI).
    ApiKey,
}

/// Everything needed to talk to one model server.
///
/// `Debug` never prints the API key, nor the values of the extra headers (they may carry
/// credentials too).
#[derive(Clone)]
pub struct ProviderConfig {
    /// Which wire dialect the server speaks.
    pub kind: ProviderKind,
    /// The API base, `/v1` included (`https://api.openai.com/v1`); a trailing slash is tolerated.
    pub base_url: String,
    /// The API key; `None` sends no authentication (local servers such as Ollama).
    pub api_key: Option<SecretString>,
    /// How the key is sent.
    pub auth: AuthStyle,
    /// Extra headers sent with every request (`OpenAI-Organization`, `OpenAI-Project`, …). They
    /// override the authentication header of the same name.
    pub headers: Vec<(String, String)>,
    /// How long establishing a connection (TCP and TLS) may take.
    pub connect_timeout: Duration,
    /// How long to wait for the reply headers, per attempt.
    pub response_timeout: Duration,
    /// The longest silence allowed between two pieces of a reply stream (keep-alive comments
    /// count); beyond it the stream fails with [`ModelErrorKind::Timeout`](crate::model::ModelErrorKind::Timeout).
    pub idle_timeout: Duration,
    /// How many times a failed attempt is retried before the stream starts (0: never).
    pub max_retries: u32,
    /// Chat Completions only: ask for a usage chunk (`stream_options.include_usage`). Some
    /// servers reject `stream_options` with a 400; turn it off for them.
    pub include_usage: bool,
}

impl ProviderConfig {
    /// The default connect timeout.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default response (reply headers) timeout: generous, because a local server may load
    /// the model before it answers.
    pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(120);
    /// The default idle timeout: generous, because a reasoning model may think silently.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
    /// The default retry count (as the official SDKs: 3 attempts in all).
    pub const DEFAULT_MAX_RETRIES: u32 = 2;

    /// The OpenAI Responses API at `base_url` (usually [`OPENAI_BASE_URL`]) with a bearer key,
    /// and the default timeouts and retries.
    pub fn openai(base_url: impl Into<String>, api_key: SecretString) -> Self {
        Self {
            kind: ProviderKind::Responses,
            base_url: base_url.into(),
            api_key: Some(api_key),
            auth: AuthStyle::Bearer,
            headers: Vec::new(),
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            response_timeout: Self::DEFAULT_RESPONSE_TIMEOUT,
            idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
            max_retries: Self::DEFAULT_MAX_RETRIES,
            include_usage: true,
        }
    }

    /// An OpenAI-compatible Chat Completions server at `base_url` (`http://localhost:11434/v1`),
    /// with an optional bearer key and the default timeouts and retries.
    pub fn chat_completions(base_url: impl Into<String>, api_key: Option<SecretString>) -> Self {
        Self {
            kind: ProviderKind::ChatCompletions,
            api_key,
            ..Self::openai(base_url, SecretString::from(String::new()))
        }
    }
}

impl Default for ProviderConfig {
    /// The OpenAI Responses API at [`OPENAI_BASE_URL`], without a key yet.
    fn default() -> Self {
        Self {
            api_key: None,
            ..Self::openai(OPENAI_BASE_URL, SecretString::from(String::new()))
        }
    }
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ProviderConfig")
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[REDACTED]"))
            .field("auth", &self.auth)
            .field("headers", &header_names)
            .field("connect_timeout", &self.connect_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_retries", &self.max_retries)
            .field("include_usage", &self.include_usage)
            .finish()
    }
}

/// Builds the client for `config`: one connection pool (rustls, `TCP_NODELAY`, the connect
/// timeout) per provider.
///
/// Fails with [`ModelErrorKind::BadRequest`](crate::model::ModelErrorKind::BadRequest) when the
/// base URL is not an `http(s)` URL, or a header name or value (the key included) cannot be sent
/// in HTTP; the error names the header, never its value.
pub fn connect(config: ProviderConfig) -> Result<Arc<dyn ModelClient>, ModelError> {
    let transport = http::Transport::new(&config)?;
    Ok(match config.kind {
        ProviderKind::Responses => Arc::new(responses::ResponsesClient::new(transport)),
        ProviderKind::ChatCompletions => {
            Arc::new(chat::ChatClient::new(transport, config.include_usage))
        }
    })
}

/// A call id for a tool call that arrived without one: `call_<n>_<random>`, `n` counting such
/// calls within the reply and the random part keeping ids unique across the conversation.
fn synthesize_call_id(n: usize) -> String {
    use rand::Rng;
    use rand::distr::Alphanumeric;
    let suffix: String = rand::rng()
        .sample_iter(Alphanumeric)
        .take(12)
        .map(char::from)
        .collect();
    format!("call_{n}_{suffix}")
}
