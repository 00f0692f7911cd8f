//! Identity for cross-site embeds, where the visitor cookie does not travel: short-lived bearer
//! tokens, and signed anonymous ids that an embed keeps in its own storage.
//!
//! `POST /api/chatkit/token` answers `{token, expires_at, anonymous_id?}`:
//! - with a verified host-site JWT (`Authorization: Bearer <JWT>`), a token for its `sub`;
//! - with `{"anonymous_id": "<a signed id we issued>"}`, a token for that anonymous visitor (so a
//!   reload keeps the same history);
//! - otherwise a new anonymous visitor: a token and the signed `anonymous_id` to keep.
//!
//! The page then sends `Authorization: Bearer <token>` through the widget's `api.fetch`. Tokens and
//! anonymous ids are HMAC-SHA256-signed with a key derived from the cookie key, so every instance
//! that accepts the cookies accepts the tokens.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::{Identity, IdentityKind, bearer_token};
use crate::error::{ApiError, ErrorCode};
use crate::http::ApiJson;
use crate::signing::Signer;
use crate::state::AppState;

/// Prefix of our bearer tokens (JWTs never start with it).
pub const TOKEN_PREFIX: &str = "ckt_";
/// How long an embed token lives.
pub const TOKEN_TTL: Duration = Duration::from_secs(15 * 60);

/// Signs and verifies embed tokens and anonymous ids.
#[derive(Debug, Clone)]
pub struct TokenSigner {
    signer: Signer,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    /// The identity id.
    sub: String,
    /// `u` for a JWT user, `a` for an anonymous visitor.
    k: String,
    /// Expiry, Unix seconds.
    exp: u64,
}

impl TokenSigner {
    /// A signer keyed from `secret` (the cookie key's signing half) under its own label.
    pub fn new(secret: &[u8]) -> Self {
        Self {
            signer: Signer::new(secret, "chatkit-rs embed tokens v1"),
        }
    }

    fn sign(&self, payload: &[u8]) -> String {
        self.signer.sign(payload)
    }

    fn verify_signature(&self, payload: &[u8], signature: &str) -> bool {
        self.signer.verify(payload, signature)
    }

    /// A token for `identity`, valid for `ttl` from `now`.
    pub fn issue(&self, identity: &Identity, now: u64, ttl: Duration) -> (String, u64) {
        let exp = now + ttl.as_secs();
        let claims = Claims {
            sub: identity.id.clone(),
            k: if identity.kind == IdentityKind::User {
                "u"
            } else {
                "a"
            }
            .to_owned(),
            exp,
        };
        let payload =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialize"));
        let signature = self.sign(payload.as_bytes());
        (format!("{TOKEN_PREFIX}{payload}.{signature}"), exp)
    }

    /// The identity a token names, if it is ours, intact and not expired at `now`.
    pub fn verify(&self, token: &str, now: u64) -> Result<Identity, ApiError> {
        let invalid = |why: &str| {
            ApiError::new(
                ErrorCode::InvalidToken,
                format!("Invalid bearer token: {why}."),
            )
        };
        let rest = token
            .strip_prefix(TOKEN_PREFIX)
            .ok_or_else(|| invalid("not an embed token"))?;
        let (payload, signature) = rest.split_once('.').ok_or_else(|| invalid("malformed"))?;
        if !self.verify_signature(payload.as_bytes(), signature) {
            return Err(invalid("bad signature"));
        }
        let claims: Claims = URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| invalid("malformed"))?;
        if claims.exp <= now {
            return Err(invalid("expired; ask /api/chatkit/token for a new one"));
        }
        Ok(Identity {
            id: claims.sub,
            kind: if claims.k == "u" {
                IdentityKind::User
            } else {
                IdentityKind::Visitor
            },
            claim_state: Default::default(),
            claims: Default::default(),
        })
    }

    /// A new signed anonymous id: `anon_<uuid>.<signature>`.
    pub fn new_anonymous_id(&self) -> (String, String) {
        let id = format!("anon_{}", uuid::Uuid::new_v4());
        let signed = format!("{id}.{}", self.sign(id.as_bytes()));
        (id, signed)
    }

    /// The anonymous identity id inside a signed anonymous id, if the signature holds.
    pub fn open_anonymous_id(&self, signed: &str) -> Option<String> {
        let (id, signature) = signed.rsplit_once('.')?;
        (id.starts_with("anon_") && self.verify_signature(id.as_bytes(), signature))
            .then(|| id.to_owned())
    }
}

/// Body of `POST /api/chatkit/token`.
#[derive(Debug, Default, Deserialize)]
pub struct TokenRequest {
    /// A signed anonymous id from an earlier reply.
    #[serde(default)]
    anonymous_id: Option<String>,
}

/// Reply of `POST /api/chatkit/token`.
#[derive(Debug, Serialize)]
pub struct TokenReply {
    /// `Authorization: Bearer <token>` for the protocol endpoint.
    pub token: String,
    /// Unix seconds.
    pub expires_at: u64,
    /// For anonymous visitors: the signed id to keep (e.g. in `localStorage`) and send next time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anonymous_id: Option<String>,
}

/// `POST /api/chatkit/token`.
pub async fn issue_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Result<Response, ApiError> {
    let now = now_unix();
    let signer = &state.token_signer;
    // A host-site JWT names a user.
    if let Some(token) = bearer_token(&headers).filter(|t| !t.starts_with(TOKEN_PREFIX)) {
        let verifier = state.jwt.as_ref().ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidToken,
                "Invalid bearer token: this server verifies no JWTs (set CHATKIT_JWT_SECRET or CHATKIT_JWKS_URL).",
            )
        })?;
        let identity = verifier.verify(token).await?;
        let (token, expires_at) = signer.issue(&identity, now, TOKEN_TTL);
        return Ok(Json(TokenReply {
            token,
            expires_at,
            anonymous_id: None,
        })
        .into_response());
    }
    if state.config.auth.required {
        return Err(ApiError::new(
            ErrorCode::Unauthorized,
            "Sign in first: this server requires a bearer token (Authorization: Bearer <JWT>).",
        ));
    }
    let (id, signed) = match body.anonymous_id.as_deref() {
        Some(signed) => {
            let id = signer.open_anonymous_id(signed).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidRequest,
                    "`anonymous_id` is not one this server issued (or it was tampered with).",
                )
            })?;
            (id, signed.to_owned())
        }
        None => signer.new_anonymous_id(),
    };
    let identity = Identity {
        id,
        kind: IdentityKind::Visitor,
        claim_state: Default::default(),
        claims: Default::default(),
    };
    let (token, expires_at) = signer.issue(&identity, now, TOKEN_TTL);
    Ok(Json(TokenReply {
        token,
        expires_at,
        anonymous_id: Some(signed),
    })
    .into_response())
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visitor(id: &str) -> Identity {
        Identity {
            id: id.into(),
            kind: IdentityKind::Visitor,
            claim_state: Default::default(),
            claims: Default::default(),
        }
    }

    #[test]
    fn a_token_names_its_identity_until_it_expires() {
        let signer = TokenSigner::new(&[7; 32]);
        let (token, exp) = signer.issue(&visitor("anon_1"), 1_000, Duration::from_secs(60));
        assert_eq!(exp, 1_060);
        assert_eq!(signer.verify(&token, 1_059).unwrap().id, "anon_1");
        let expired = signer.verify(&token, 1_060).unwrap_err();
        assert_eq!(expired.code, ErrorCode::InvalidToken);
    }

    #[test]
    fn a_tampered_or_foreign_token_is_refused() {
        let signer = TokenSigner::new(&[7; 32]);
        let other = TokenSigner::new(&[8; 32]);
        let (token, _) = signer.issue(&visitor("anon_1"), 1_000, Duration::from_secs(60));
        assert!(other.verify(&token, 1_001).is_err(), "another key");
        let (payload, signature) = token.split_once('.').unwrap();
        let forged_claims = URL_SAFE_NO_PAD.encode(br#"{"sub":"victim","k":"u","exp":9999999999}"#);
        assert!(
            signer
                .verify(&format!("{TOKEN_PREFIX}{forged_claims}.{signature}"), 1_001)
                .is_err()
        );
        assert!(signer.verify(&format!("{payload}.AAAA"), 1_001).is_err());
    }

    #[test]
    fn anonymous_ids_open_only_when_signed_by_us() {
        let signer = TokenSigner::new(&[7; 32]);
        let (id, signed) = signer.new_anonymous_id();
        assert_eq!(signer.open_anonymous_id(&signed), Some(id.clone()));
        assert_eq!(signer.open_anonymous_id(&format!("{id}.forged")), None);
        assert_eq!(TokenSigner::new(&[9; 32]).open_anonymous_id(&signed), None);
    }
}
