//! `AppState`: everything a handler needs, cheap to clone.

use std::sync::Arc;

use axum::extract::FromRef;
use axum_extra::extract::cookie::Key;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::broker::Broker;
use crate::config::Config;
use crate::identity::jwt::JwtVerifier;
use crate::limits::RateLimiter;

/// The state shared by every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// Signs visitor cookies.
    pub cookie_key: Key,
    /// Verifies bearer JWTs, when configured.
    pub jwt: Option<Arc<JwtVerifier>>,
    /// Minting limits, unless turned off.
    pub limiter: Option<Arc<dyn RateLimiter>>,
    /// The hosted-mode session broker.
    pub broker: Arc<Broker>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
}

impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.cookie_key.clone()
    }
}
