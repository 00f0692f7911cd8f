//! `AppState`: everything a handler needs, behind one `Arc` so that the clone every middleware
//! and handler takes is a single reference-count increment.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRef;
use axum_extra::extract::cookie::Key;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::attachments::LocalAttachments;
use crate::broker::Broker;
use crate::config::Config;
use crate::identity::jwt::JwtVerifier;
use crate::identity::token::TokenSigner;
use crate::limits::RateLimiter;
use crate::protocol::Agents;
use chatkit_store::Store;

/// The state shared by every handler; derefs to [`Shared`].
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

/// The parts of [`AppState`].
#[derive(Debug)]
pub struct Shared {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// Signs visitor cookies.
    pub cookie_key: Key,
    /// Signs and verifies embed tokens and anonymous ids.
    pub token_signer: TokenSigner,
    /// Verifies bearer JWTs, when configured.
    pub jwt: Option<Arc<JwtVerifier>>,
    /// Minting limits, unless turned off.
    pub limiter: Option<Arc<dyn RateLimiter>>,
    /// The hosted-mode session broker.
    pub broker: Arc<Broker>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// Threads, items and attachment metadata.
    pub store: Arc<dyn Store>,
    /// The agents served at `/chatkit/{agent}`.
    pub agents: Agents,
    /// Attachment bytes and signed URLs, unless `attachments.enabled` is off.
    pub attachments: Option<Arc<LocalAttachments>>,
    /// The configured agents (what `GET /api/agents` lists).
    pub catalog: Arc<chatkit_agents::Catalog>,
}

impl AppState {
    /// Wraps the parts.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.cookie_key.clone()
    }
}
