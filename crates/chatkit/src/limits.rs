//! Our own rate limits on the minting routes: token buckets per identity and per client IP,
//! separate from the upstream per-client-secret limit. Rejections are 429 with `Retry-After` and
//! the `RateLimit-*` headers; allowed requests carry the headers too.
//!
//! The buckets sit behind [`RateLimiter`] so that a shared store (Redis) can replace the in-memory
//! one when several instances serve one site.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use governor::clock::Clock;
use governor::middleware::{NoOpMiddleware, StateInformationMiddleware};
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter as Gcra};

use crate::error::{ApiError, ErrorCode};
use crate::identity::{Identity, client_ip, peer_ip};
use crate::state::AppState;

/// What a limit is counted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Per visitor or user.
    Identity,
    /// Per client IP.
    Ip,
    /// Streamed protocol replies, per visitor or user.
    Message,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Identity => "identity",
            Scope::Ip => "ip",
            Scope::Message => "message",
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may go on.
    pub allowed: bool,
    /// Requests per window.
    pub limit: u32,
    /// Requests left now.
    pub remaining: u32,
    /// Until the bucket is full again (allowed) or until the next request may pass (refused).
    pub reset_after: Duration,
}

/// A set of keyed limits.
pub trait RateLimiter: Send + Sync + fmt::Debug {
    /// Takes one token for `key` in `scope`.
    fn check(&self, scope: Scope, key: &str) -> Decision;
    /// Forgets idle keys (called periodically).
    fn prune(&self) {}
}

/// A clock on tokio's time, so tests can pause and advance it.
#[derive(Debug, Clone)]
struct TokioClock {
    start: tokio::time::Instant,
}

impl Clock for TokioClock {
    type Instant = Nanos;
    fn now(&self) -> Nanos {
        Nanos::from(self.start.elapsed())
    }
}

type Keyed = Gcra<String, DashMapStateStore<String>, TokioClock, StateInformationMiddleware>;

struct Bucket {
    limiter: Keyed,
    per_minute: u32,
}

/// In-memory GCRA buckets (governor), one set per scope.
pub struct MemoryRateLimiter {
    clock: TokioClock,
    identity: Bucket,
    ip: Bucket,
    message: Bucket,
}

impl fmt::Debug for MemoryRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryRateLimiter")
            .field("identity_per_minute", &self.identity.per_minute)
            .field("ip_per_minute", &self.ip.per_minute)
            .finish()
    }
}

impl MemoryRateLimiter {
    /// Buckets allowing `per_identity` and `per_ip` mints and `per_message` streamed replies a
    /// minute, each with that much burst.
    pub fn new(per_identity: u32, per_ip: u32, per_message: u32) -> Self {
        let clock = TokioClock {
            start: tokio::time::Instant::now(),
        };
        let bucket = |per_minute: u32| {
            let n = NonZeroU32::new(per_minute.max(1)).expect("max(1) is non-zero");
            Bucket {
                limiter: Gcra::<String, _, _, NoOpMiddleware<Nanos>>::new(
                    Quota::per_minute(n),
                    DashMapStateStore::default(),
                    clock.clone(),
                )
                .with_middleware::<StateInformationMiddleware>(),
                per_minute: n.get(),
            }
        };
        Self {
            identity: bucket(per_identity),
            ip: bucket(per_ip),
            message: bucket(per_message),
            clock,
        }
    }
}

impl RateLimiter for MemoryRateLimiter {
    fn check(&self, scope: Scope, key: &str) -> Decision {
        let bucket = match scope {
            Scope::Identity => &self.identity,
            Scope::Ip => &self.ip,
            Scope::Message => &self.message,
        };
        let interval = Duration::from_secs(60) / bucket.per_minute;
        match bucket.limiter.check_key(&key.to_owned()) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                Decision {
                    allowed: true,
                    limit: bucket.per_minute,
                    remaining,
                    reset_after: interval * (bucket.per_minute - remaining),
                }
            }
            Err(not_until) => Decision {
                allowed: false,
                limit: bucket.per_minute,
                remaining: 0,
                reset_after: not_until.wait_time_from(self.clock.now()),
            },
        }
    }

    fn prune(&self) {
        for bucket in [&self.identity, &self.ip, &self.message] {
            bucket.limiter.retain_recent();
            bucket.limiter.shrink_to_fit();
        }
    }
}

/// Takes a token from the caller's identity bucket, then from its IP bucket. `Ok` carries the
/// tightest decision (for the `RateLimit-*` headers), `Err` the refusal (a 429 reply).
pub fn check_mint(
    state: &AppState,
    request: &Request,
    identity: &Identity,
) -> Result<Option<Decision>, Refused> {
    let Some(limiter) = &state.limiter else {
        return Ok(None);
    };
    let ip = client_ip(
        request.headers(),
        peer_ip(request),
        &state.config.server.trusted_proxies,
    );
    let mut tightest: Option<Decision> = None;
    let checks = [
        Some((Scope::Identity, identity.id.clone())),
        ip.map(|ip| (Scope::Ip, ip.to_string())),
    ];
    for (scope, key) in checks.into_iter().flatten() {
        let decision = limiter.check(scope, &key);
        if !decision.allowed {
            metrics::counter!("chatkit_rate_limited_total", "scope" => scope.as_str()).increment(1);
            return Err(Refused { scope, decision });
        }
        if tightest.is_none_or(|t| decision.remaining < t.remaining) {
            tightest = Some(decision);
        }
    }
    Ok(tightest)
}

/// A request refused by a limit; its reply is 429 `rate_limited` with `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub struct Refused {
    /// The bucket that was empty.
    pub scope: Scope,
    /// Its state.
    pub decision: Decision,
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> ApiError {
        let Refused { scope, decision } = refused;
        let message = match scope {
            Scope::Identity | Scope::Ip => format!(
                "Too many sessions requested: at most {} a minute per {}. Try again shortly.",
                decision.limit,
                if scope == Scope::Ip {
                    "address"
                } else {
                    "visitor"
                }
            ),
            Scope::Message => format!(
                "Too many messages: at most {} a minute. Try again shortly.",
                decision.limit
            ),
        };
        let mut error =
            ApiError::new(ErrorCode::RateLimited, message).with_retry_after(decision.reset_after);
        error.rate_limit = Some(decision);
        error
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}

/// Adds the `RateLimit-*` headers of `decision`.
pub fn add_headers(response: &mut Response, decision: Decision) {
    let headers = response.headers_mut();
    let reset = decision.reset_after.as_secs() + u64::from(decision.reset_after.subsec_nanos() > 0);
    for (name, value) in [
        ("ratelimit-limit", decision.limit.to_string()),
        ("ratelimit-remaining", decision.remaining.to_string()),
        ("ratelimit-reset", reset.to_string()),
        ("ratelimit-policy", format!("{};w=60", decision.limit)),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

/// Spawns the task that forgets idle buckets every minute; it ends with the runtime.
pub fn spawn_pruner(limiter: Arc<dyn RateLimiter>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            limiter.prune();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_bucket_refuses_past_its_burst_and_refills_with_time() {
        let limiter = MemoryRateLimiter::new(3, 100, 100);
        for left in [2, 1, 0] {
            let d = limiter.check(Scope::Identity, "a");
            assert!(d.allowed);
            assert_eq!(d.remaining, left);
        }
        let refused = limiter.check(Scope::Identity, "a");
        assert!(!refused.allowed);
        assert_eq!(refused.reset_after, Duration::from_secs(20));
        assert!(
            limiter.check(Scope::Identity, "b").allowed,
            "keys are separate"
        );

        tokio::time::advance(Duration::from_secs(20)).await;
        assert!(limiter.check(Scope::Identity, "a").allowed);
        assert!(!limiter.check(Scope::Identity, "a").allowed);
    }
}
