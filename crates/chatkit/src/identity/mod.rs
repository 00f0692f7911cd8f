//! Who is calling: a visitor with a signed HttpOnly cookie, or a user with a verified bearer JWT.
//!
//! [`resolve`] runs before every route that acts for someone (see the minting routes' guard in
//! `broker`). When it created or adopted the visitor cookie, [`set_cookie`] adds `Set-Cookie` to
//! whatever the route answered, errors included (a visitor who first meets us through an error
//! keeps the same id on the retry).

pub mod jwt;
pub mod token;

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use anyhow::Context;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, Key, SameSite, SignedCookieJar};
use chatkit_types::sessions::StateValue;
use ipnet::IpNet;
use sha2::{Digest, Sha512};

use crate::config::{Config, Secret};
use crate::error::{ApiError, ErrorCode};
use crate::http::check_origin;
use crate::limits::{self, Decision, Refused};
use crate::state::AppState;

/// The caller a request acts for.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    /// Stable id: the visitor id of the cookie (`user_<uuid>`, or an adopted legacy value), or the
    /// JWT's `sub`. Server-key mints send it upstream unchanged as `user`.
    pub id: String,
    /// Where it came from.
    pub kind: IdentityKind,
    /// State variables taken from verified JWT claims (`auth.state_claims`).
    pub claim_state: BTreeMap<String, StateValue>,
    /// Every top-level string, number or boolean claim of a verified JWT (agents' state
    /// variables name the ones they take); empty for visitors.
    pub claims: serde_json::Map<String, serde_json::Value>,
}

/// Where an [`Identity`] came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKind {
    /// An anonymous visitor, known by the signed cookie.
    Visitor,
    /// A user, known by a verified JWT.
    User,
}

/// Loads the cookie signing key: the configured one, or the one persisted in the data directory
/// (created on first start), so instances sharing either accept each other's cookies.
pub fn load_cookie_key(configured: Option<&Secret>, data_dir: &Path) -> anyhow::Result<Key> {
    if let Some(secret) = configured {
        return Ok(Key::from(&Sha512::digest(secret.expose().as_bytes())));
    }
    let path = data_dir.join("cookie.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim())
                .ok()
                .filter(|bytes| bytes.len() == 64)
                .with_context(|| format!("{} is not 64 hex-encoded bytes", path.display()))?;
            Ok(Key::from(&bytes))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("cannot create {}", data_dir.display()))?;
            let key = Key::generate();
            write_private_file(&path, hex::encode(key.master()).as_bytes())?;
            // Another instance may have raced us: whatever is on disk now is the key.
            let text = std::fs::read_to_string(&path)?;
            let bytes = hex::decode(text.trim()).context("cookie key")?;
            Ok(Key::from(&bytes))
        }
        Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn write_private_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => file
            .write_all(contents)
            .with_context(|| format!("cannot write {}", path.display())),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err).with_context(|| format!("cannot create {}", path.display())),
    }
}

/// A cookie value the existing apps set unsigned (`user_<uuid>` or a bare UUID).
fn is_legacy_visitor_id(value: &str) -> bool {
    let uuid = value.strip_prefix("user_").unwrap_or(value);
    uuid.len() == 36 && uuid::Uuid::parse_str(uuid).is_ok()
}

/// The client's IP: the peer, or, when the peer is a trusted proxy, the right-most address in
/// `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.iter().any(|net| net.contains(&peer)) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !trusted.iter().any(|net| net.contains(*ip)))
        .or(forwarded.first())
        .copied()
        .or(Some(peer))
}

/// Whether the request reached us over TLS (told by a trusted proxy).
pub(crate) fn behind_tls(headers: &HeaderMap, peer: Option<IpAddr>, trusted: &[IpNet]) -> bool {
    peer.is_some_and(|peer| trusted.iter().any(|net| net.contains(&peer)))
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// The peer address, when the server was started with connect info, or the one a test router
/// was given with axum's `MockConnectInfo` (tests using `oneshot` may have neither).
pub fn peer_ip(request: &Request) -> Option<IpAddr> {
    let extensions = request.extensions();
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .or_else(|| {
            extensions
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip())
        })
}

/// Resolves who is calling: one of our embed tokens or a verified bearer JWT first, else the visitor cookie (signed, or a
/// legacy unsigned one adopted). Returns the cookie to set when the visitor is new or adopted;
/// refuses anonymous callers when `auth.required`.
pub async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> Result<(Identity, Option<Cookie<'static>>), ApiError> {
    let config = &state.config;
    if let Some(token) = bearer_token(headers) {
        if token.starts_with(token::TOKEN_PREFIX) {
            return state
                .token_signer
                .verify(token, token::now_unix())
                .map(|identity| (identity, None));
        }
        if let Some(verifier) = &state.jwt {
            return verifier
                .verify(token)
                .await
                .map(|identity| (identity, None));
        }
    }
    if config.auth.required {
        return Err(ApiError::new(
            ErrorCode::Unauthorized,
            "Sign in first: this server requires a bearer token (Authorization: Bearer <JWT>).",
        ));
    }
    Ok(visitor_identity(config, &state.cookie_key, headers, peer))
}

/// The shared front of every route that acts for someone: the origin check, the identity (put in
/// the request's extensions), then `limit` (e.g. the minting limits); the visitor cookie is set on
/// whatever comes back, a 403 or a 429 included.
pub async fn guard_with(
    state: &AppState,
    mut request: Request,
    next: Next,
    limit: impl FnOnce(&AppState, &Request, &Identity) -> Result<Option<Decision>, Refused>,
) -> Response {
    if let Err(error) = check_origin(state, &request) {
        return error.into_response();
    }
    let peer = peer_ip(&request);
    let (identity, cookie) = match resolve(state, request.headers(), peer).await {
        Ok(resolved) => resolved,
        Err(error) => return error.into_response(),
    };
    let response = match limit(state, &request, &identity) {
        Err(refused) => refused.into_response(),
        Ok(decision) => {
            request.extensions_mut().insert(identity);
            let mut response = next.run(request).await;
            if let Some(decision) = decision {
                limits::add_headers(&mut response, decision);
            }
            response
        }
    };
    match cookie {
        Some(cookie) => set_cookie(state, response, cookie),
        None => response,
    }
}

/// Adds `Set-Cookie` for `cookie`, signed, to `response`.
pub fn set_cookie(state: &AppState, response: Response, cookie: Cookie<'static>) -> Response {
    (
        SignedCookieJar::new(state.cookie_key.clone()).add(cookie),
        response,
    )
        .into_response()
}

pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The visitor behind the cookie, and the cookie to set if it must be (re)issued.
fn visitor_identity(
    config: &Config,
    key: &Key,
    headers: &HeaderMap,
    peer: Option<IpAddr>,
) -> (Identity, Option<Cookie<'static>>) {
    let name = config.identity.cookie_name.as_str();
    let signed = SignedCookieJar::from_headers(headers, key.clone());
    if let Some(cookie) = signed.get(name) {
        let id = cookie.value().to_owned();
        if !id.is_empty() {
            return (visitor(id), None);
        }
    }
    let legacy = CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().to_owned())
        .filter(|value| is_legacy_visitor_id(value));
    let adopted = legacy.is_some();
    let id = legacy.unwrap_or_else(|| format!("user_{}", uuid::Uuid::new_v4()));
    if adopted {
        tracing::info!("adopted a legacy unsigned visitor cookie");
    }
    let secure =
        config.identity.secure_cookie || behind_tls(headers, peer, &config.server.trusted_proxies);
    let cookie = Cookie::build((name.to_owned(), id.clone()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time_days(config.identity.cookie_max_age_days))
        .build();
    (visitor(id), Some(cookie))
}

fn visitor(id: String) -> Identity {
    Identity {
        id,
        kind: IdentityKind::Visitor,
        claim_state: BTreeMap::new(),
        claims: serde_json::Map::new(),
    }
}

fn time_days(days: u32) -> cookie::time::Duration {
    cookie::time::Duration::days(i64::from(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_ids_are_user_prefixed_or_bare_uuids() {
        assert!(is_legacy_visitor_id(
            "user_0b7e0d4e-3f0c-4a39-9e57-1c8a2f1d9b11"
        ));
        assert!(is_legacy_visitor_id("0b7e0d4e-3f0c-4a39-9e57-1c8a2f1d9b11"));
        assert!(!is_legacy_visitor_id("user_admin"));
        assert!(!is_legacy_visitor_id(""));
        assert!(!is_legacy_visitor_id(
            "user_0b7e0d4e-3f0c-4a39-9e57-1c8a2f1d9b11; x"
        ));
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.9, 10.0.0.2".parse().unwrap());
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_ip(&headers, Some(proxy), &trusted),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(client_ip(&headers, Some(proxy), &[]), Some(proxy));
    }

    #[test]
    fn a_configured_key_gives_the_same_signing_key_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let secret = Secret::new("k".repeat(40));
        let a = load_cookie_key(Some(&secret), dir.path()).unwrap();
        let b = load_cookie_key(Some(&secret), dir.path()).unwrap();
        assert_eq!(a.master(), b.master());
        assert!(!dir.path().join("cookie.key").exists());
    }

    #[test]
    fn a_generated_key_is_persisted_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = load_cookie_key(None, dir.path()).unwrap();
        let b = load_cookie_key(None, dir.path()).unwrap();
        assert_eq!(a.master(), b.master());
    }
}
