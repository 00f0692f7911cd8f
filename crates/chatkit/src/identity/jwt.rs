//! Bearer JWT verification: HS256 with a shared secret, or asymmetric keys from a JWKS URL, with
//! issuer, audience and leeway checks. `sub` becomes the identity; the claims named in
//! `auth.state_claims` become workflow state variables.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chatkit_types::sessions::StateValue;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;
use tokio::sync::RwLock;

use super::{Identity, IdentityKind};
use crate::config::AuthConfig;
use crate::error::{ApiError, ErrorCode};

/// How long a fetched JWKS is trusted before it is fetched again.
const JWKS_TTL: Duration = Duration::from_secs(600);
/// An unknown `kid` triggers a refetch at most this often.
const JWKS_MIN_REFETCH: Duration = Duration::from_secs(30);
/// Largest JWKS document accepted.
const JWKS_MAX_BYTES: usize = 256 * 1024;

/// Asymmetric algorithms accepted with JWKS keys (never HMAC: that would let a public key sign).
const JWKS_ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// Verifies bearer tokens.
#[derive(Debug)]
pub struct JwtVerifier {
    config: AuthConfig,
    http: reqwest::Client,
    jwks: RwLock<Option<(Instant, JwkSet)>>,
}

impl JwtVerifier {
    /// A verifier for `config`, or `None` when no JWT method is configured.
    pub fn new(config: &AuthConfig) -> Option<Self> {
        config.jwt_enabled().then(|| Self {
            config: config.clone(),
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .timeout(Duration::from_secs(10))
                .build()
                .expect("a client with timeouts builds"),
            jwks: RwLock::new(None),
        })
    }

    /// Checks `token` and returns who it names.
    pub async fn verify(&self, token: &str) -> Result<Identity, ApiError> {
        let header = decode_header(token).map_err(|_| invalid("the token is not a JWT"))?;
        let (key, algorithms) = match (&self.config.jwt_secret, &self.config.jwks_url) {
            (Some(secret), _) if header.alg == Algorithm::HS256 => (
                DecodingKey::from_secret(secret.expose().as_bytes()),
                vec![Algorithm::HS256],
            ),
            (_, Some(url)) if JWKS_ALGORITHMS.contains(&header.alg) => {
                let kid = header.kid.as_deref();
                (self.jwks_key(url, kid).await?, vec![header.alg])
            }
            _ => return Err(invalid("the token's algorithm is not accepted here")),
        };
        let mut validation = Validation::new(algorithms[0]);
        validation.algorithms = algorithms;
        validation.leeway = self.config.leeway_secs;
        validation.set_required_spec_claims(&["exp", "sub"]);
        if let Some(issuer) = &self.config.issuer {
            validation.set_issuer(&[issuer]);
        }
        match &self.config.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        let data = decode::<serde_json::Map<String, Value>>(token, &key, &validation)
            .map_err(|err| invalid(&format!("the token was refused ({:?})", err.kind())))?;
        let claims = data.claims;
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .filter(|sub| !sub.is_empty())
            .ok_or_else(|| invalid("the token has no `sub`"))?;
        let claim_state = self
            .config
            .state_claims
            .iter()
            .filter_map(|name| {
                let value = match claims.get(name)? {
                    Value::String(s) => StateValue::String(s.clone()),
                    Value::Bool(b) => StateValue::Bool(*b),
                    Value::Number(n) => match n.as_i64() {
                        Some(i) => StateValue::Int(i),
                        None => StateValue::Float(n.as_f64()?),
                    },
                    _ => return None,
                };
                Some((name.clone(), value))
            })
            .collect::<BTreeMap<_, _>>();
        let scalar_claims = claims
            .iter()
            .filter(|(_, v)| v.is_string() || v.is_number() || v.is_boolean())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Identity {
            id: sub.to_owned(),
            kind: IdentityKind::User,
            claim_state,
            claims: scalar_claims,
        })
    }

    async fn jwks_key(&self, url: &str, kid: Option<&str>) -> Result<DecodingKey, ApiError> {
        let lookup = |set: &JwkSet| match kid {
            Some(kid) => set.find(kid).cloned(),
            None if set.keys.len() == 1 => set.keys.first().cloned(),
            None => None,
        };
        {
            let cached = self.jwks.read().await;
            if let Some((fetched, set)) = cached.as_ref() {
                let fresh = fetched.elapsed() < JWKS_TTL;
                if let Some(jwk) = lookup(set).filter(|_| fresh) {
                    return DecodingKey::from_jwk(&jwk).map_err(|_| invalid("unusable JWKS key"));
                }
                if fresh && fetched.elapsed() < JWKS_MIN_REFETCH {
                    return Err(invalid("no JWKS key matches the token's kid"));
                }
            }
        }
        let set = self.fetch_jwks(url).await?;
        let jwk = lookup(&set);
        *self.jwks.write().await = Some((Instant::now(), set));
        let jwk = jwk.ok_or_else(|| invalid("no JWKS key matches the token's kid"))?;
        DecodingKey::from_jwk(&jwk).map_err(|_| invalid("unusable JWKS key"))
    }

    async fn fetch_jwks(&self, url: &str) -> Result<JwkSet, ApiError> {
        let unavailable = |detail: String| {
            tracing::warn!(%detail, "JWKS fetch failed");
            ApiError::new(
                ErrorCode::UpstreamUnavailable,
                "The identity provider's keys (auth.jwks_url) could not be fetched.",
            )
        };
        let response = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|err| unavailable(err.to_string()))?;
        if !response.status().is_success() {
            return Err(unavailable(format!("status {}", response.status())));
        }
        let bytes = response
            .bytes()
            .await
            .map_err(|err| unavailable(err.to_string()))?;
        if bytes.len() > JWKS_MAX_BYTES {
            return Err(unavailable(format!("{} bytes", bytes.len())));
        }
        serde_json::from_slice(&bytes).map_err(|err| unavailable(err.to_string()))
    }
}

fn invalid(why: &str) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidToken,
        format!("Invalid bearer token: {why}."),
    )
}
