//! Bearer JWTs: HS256 with a shared secret, ES256 from a JWKS served on loopback, claim checks,
//! state claims, and `auth.required`.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::routing::get;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::helpers::{COOKIE, Reply, TestApp, bare_client, spawn_app};

const JWT_SECRET: &str = "jwt-secret-0123456789-0123456789-0123456789";
const ES256_PEM: &[u8] = include_bytes!("../fixtures/jwks-es256.pem");
const KID: &str = "test-es256";

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn claims(sub: &str) -> Value {
    json!({"sub": sub, "exp": now() + 600, "iat": now()})
}

fn hs256(claims: &Value, secret: &str) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("an HS256 token")
}

fn es256(claims: &Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(KID.into());
    encode(
        &header,
        claims,
        &EncodingKey::from_ec_pem(ES256_PEM).expect("the fixture key"),
    )
    .expect("an ES256 token")
}

async fn mint_with_token(app: &TestApp, token: &str) -> Reply {
    Reply::read(
        bare_client()
            .post(app.url("/api/chatkit/session"))
            .bearer_auth(token)
            .json(&json!({}))
            .send()
            .await
            .expect("sent"),
    )
    .await
}

/// Serves the fixture's public key as a JWKS on loopback; returns its URL.
async fn serve_jwks() -> String {
    let key = EncodingKey::from_ec_pem(ES256_PEM).expect("the fixture key");
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).expect("a JWK");
    jwk.common.key_id = Some(KID.into());
    let set = JwkSet { keys: vec![jwk] };
    let router = axum::Router::new().route(
        "/.well-known/jwks.json",
        get(move || {
            let set = set.clone();
            async move { Json(set) }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}/.well-known/jwks.json")
}

#[tokio::test]
async fn an_hs256_token_names_the_upstream_user_and_its_state_claims() {
    // Arrange
    let app = spawn_app(|c| {
        c.auth.jwt_secret = Some(chatkit::config::Secret::new(JWT_SECRET));
        c.auth.state_claims = vec!["plan".into(), "seats".into()];
    })
    .await;
    let mut token_claims = claims("user-42");
    token_claims["plan"] = json!("pro");
    token_claims["seats"] = json!(3);
    token_claims["ignored"] = json!("not listed");
    let token = hs256(&token_claims, JWT_SECRET);

    // Act
    let reply = mint_with_token(&app, &token).await;

    // Assert
    reply.assert_minted();
    let sent = app.last_create();
    assert_eq!(sent.body["user"], "user-42", "`sub` is the identity");
    assert_eq!(
        sent.body["workflow"]["state_variables"],
        json!({"plan": "pro", "seats": 3}),
        "only the listed claims become state variables"
    );
    assert!(
        reply.set_cookie(COOKIE).is_none(),
        "a signed-in user needs no visitor cookie"
    );
}

#[tokio::test]
async fn claim_state_is_added_to_the_configured_state_variables() {
    // Arrange
    let app = spawn_app(|c| {
        c.auth.jwt_secret = Some(chatkit::config::Secret::new(JWT_SECRET));
        c.auth.state_claims = vec!["plan".into()];
        c.hosted.state_variables.insert(
            "site".into(),
            chatkit_types::sessions::StateValue::String("docs".into()),
        );
    })
    .await;
    let mut token_claims = claims("user-7");
    token_claims["plan"] = json!("free");

    // Act
    mint_with_token(&app, &hs256(&token_claims, JWT_SECRET))
        .await
        .assert_minted();

    // Assert
    assert_eq!(
        app.last_create().body["workflow"]["state_variables"],
        json!({"plan": "free", "site": "docs"})
    );
}

#[tokio::test]
async fn bad_tokens_are_401_invalid_token() {
    // Arrange
    let app = spawn_app(|c| {
        c.auth.jwt_secret = Some(chatkit::config::Secret::new(JWT_SECRET));
        c.auth.issuer = Some("https://issuer.example".into());
        c.auth.audience = Some("chatkit".into());
    })
    .await;
    let good = || {
        let mut c = claims("user-1");
        c["iss"] = json!("https://issuer.example");
        c["aud"] = json!("chatkit");
        c
    };
    let mut expired = good();
    expired["exp"] = json!(now() - 3_600);
    let mut wrong_issuer = good();
    wrong_issuer["iss"] = json!("https://evil.example");
    let mut wrong_audience = good();
    wrong_audience["aud"] = json!("someone-else");
    let mut no_sub = good();
    no_sub.as_object_mut().unwrap().remove("sub");
    let cases = [
        (
            "bad signature",
            hs256(&good(), "another-secret-0123456789-0123456789"),
        ),
        ("expired", hs256(&expired, JWT_SECRET)),
        ("wrong issuer", hs256(&wrong_issuer, JWT_SECRET)),
        ("wrong audience", hs256(&wrong_audience, JWT_SECRET)),
        ("no sub", hs256(&no_sub, JWT_SECRET)),
        ("not a JWT", "not-a-jwt".to_owned()),
    ];

    // Act + Assert
    let accepted = mint_with_token(&app, &hs256(&good(), JWT_SECRET)).await;
    accepted.assert_minted();
    for (case, token) in cases {
        let reply = mint_with_token(&app, &token).await;
        assert_eq!(
            reply.error_code(),
            "invalid_token",
            "{case}: {}",
            reply.text
        );
        reply.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
        assert!(
            !reply.text.contains(JWT_SECRET),
            "{case}: no secret in the reply"
        );
    }
    assert_eq!(
        app.upstream_creates().len(),
        1,
        "only the good token reached upstream"
    );
}

#[tokio::test]
async fn with_auth_required_anonymous_callers_get_401() {
    // Arrange
    let app = spawn_app(|c| {
        c.auth.required = true;
        c.auth.jwt_secret = Some(chatkit::config::Secret::new(JWT_SECRET));
    })
    .await;

    // Act
    let anonymous = app.post_session(&json!({})).await;
    let signed_in = mint_with_token(&app, &hs256(&claims("user-9"), JWT_SECRET)).await;
    let byo = app
        .post_create_session(&json!({"workflow_id": "wf_x", "api_key": "sk-user-1"}))
        .await;

    // Assert
    anonymous.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    signed_in.assert_minted();
    assert_eq!(app.last_upstream_user(), "user-9");
    byo.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let byo_signed_in = Reply::read(
        bare_client()
            .post(app.url("/api/create-session"))
            .bearer_auth(hs256(&claims("user-9"), JWT_SECRET))
            .json(&json!({"workflow_id": "wf_x", "api_key": "sk-user-1"}))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    byo_signed_in.assert_error(StatusCode::FORBIDDEN, "byo_key_disabled");
}

#[tokio::test]
async fn an_es256_token_verifies_against_the_jwks() {
    // Arrange
    let jwks_url = serve_jwks().await;
    let app = spawn_app(move |c| c.auth.jwks_url = Some(jwks_url)).await;

    // Act
    let first = mint_with_token(&app, &es256(&claims("oidc|alice"))).await;
    let cached = mint_with_token(&app, &es256(&claims("oidc|bob"))).await;

    // Assert
    first.assert_minted();
    cached.assert_minted();
    let users: Vec<Value> = app
        .upstream_creates()
        .iter()
        .map(|r| r.body["user"].clone())
        .collect();
    assert_eq!(users, [json!("oidc|alice"), json!("oidc|bob")]);
}

#[tokio::test]
async fn an_hs256_token_does_not_verify_against_a_jwks_configuration() {
    // Arrange
    let jwks_url = serve_jwks().await;
    let app = spawn_app(move |c| c.auth.jwks_url = Some(jwks_url)).await;
    let mut forged_header = Header::new(Algorithm::HS256);
    forged_header.kid = Some(KID.into());
    let forged = encode(
        &forged_header,
        &claims("oidc|mallory"),
        &EncodingKey::from_secret(b"anything"),
    )
    .unwrap();

    // Act
    let reply = mint_with_token(&app, &forged).await;

    // Assert
    reply.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    assert!(app.upstream_creates().is_empty());
}

#[tokio::test]
async fn an_es256_token_with_an_unknown_kid_or_a_bad_signature_is_refused() {
    // Arrange
    let jwks_url = serve_jwks().await;
    let app = spawn_app(move |c| c.auth.jwks_url = Some(jwks_url)).await;
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("other-kid".into());
    let unknown_kid = encode(
        &header,
        &claims("oidc|eve"),
        &EncodingKey::from_ec_pem(ES256_PEM).unwrap(),
    )
    .unwrap();
    let good = es256(&claims("oidc|eve"));
    let (head_payload, signature) = good.rsplit_once('.').unwrap();
    let mut sig = signature.as_bytes().to_vec();
    sig[5] = if sig[5] == b'A' { b'B' } else { b'A' };
    let bad_signature = format!("{head_payload}.{}", String::from_utf8(sig).unwrap());

    for token in [unknown_kid, bad_signature] {
        // Act
        let reply = mint_with_token(&app, &token).await;

        // Assert
        reply.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    }
    assert!(app.upstream_creates().is_empty());
}
