//! Identity for cross-site embeds: `POST /api/chatkit/token` and the bearer tokens it issues.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{COOKIE, Reply, TestApp, bare_client, spawn_app};

async fn token(app: &TestApp, body: &Value, bearer: Option<&str>) -> Reply {
    let mut request = bare_client().post(app.url("/api/chatkit/token")).json(body);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    Reply::read(request.send().await.expect("token request")).await
}

async fn mint_with_bearer(app: &TestApp, bearer: &str) -> Reply {
    Reply::read(
        bare_client()
            .post(app.url("/api/chatkit/session"))
            .bearer_auth(bearer)
            .json(&json!({}))
            .send()
            .await
            .expect("mint"),
    )
    .await
}

#[tokio::test]
async fn an_anonymous_embed_gets_a_token_and_keeps_its_identity_across_reloads() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act: first visit, a mint with the token, then a "reload" presenting the kept anonymous id.
    let first = token(&app, &json!({}), None).await;
    let bearer = first.body["token"].as_str().expect("a token").to_owned();
    let anonymous_id = first.body["anonymous_id"]
        .as_str()
        .expect("an anonymous id")
        .to_owned();
    mint_with_bearer(&app, &bearer).await.assert_minted();
    let first_user = app.last_upstream_user();
    let again = token(&app, &json!({"anonymous_id": anonymous_id}), None).await;
    mint_with_bearer(&app, again.body["token"].as_str().unwrap())
        .await
        .assert_minted();

    // Assert
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body["expires_at"].as_u64().is_some());
    assert!(first_user.starts_with("anon_"), "{first_user}");
    assert_eq!(
        app.last_upstream_user(),
        first_user,
        "same visitor after a reload"
    );
    assert_eq!(again.body["anonymous_id"], first.body["anonymous_id"]);
}

#[tokio::test]
async fn a_tampered_anonymous_id_is_refused() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let first = token(&app, &json!({}), None).await;
    let signed = first.body["anonymous_id"].as_str().unwrap();
    let (id, _) = signed.rsplit_once('.').unwrap();

    // Act
    let forged = token(&app, &json!({"anonymous_id": format!("{id}.forged")}), None).await;
    let other = token(
        &app,
        &json!({"anonymous_id": "anon_someone-else.AAAA"}),
        None,
    )
    .await;

    // Assert
    forged.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    other.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
}

#[tokio::test]
async fn a_tampered_embed_token_is_a_401() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let first = token(&app, &json!({}), None).await;
    let bearer = first.body["token"].as_str().unwrap();
    let tampered = format!("{bearer}x");

    // Act
    let reply = mint_with_bearer(&app, &tampered).await;

    // Assert
    reply.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
    assert!(reply.set_cookie(COOKIE).is_none());
}

#[tokio::test]
async fn a_host_site_jwt_becomes_a_token_for_its_user() {
    // Arrange
    const SECRET: &str = "jwt-secret-0123456789-0123456789-0123456789";
    let app = spawn_app(|c| c.auth.jwt_secret = Some(chatkit::config::Secret::new(SECRET))).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let jwt = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"sub": "user-7", "exp": now + 600}),
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();

    // Act
    let reply = token(&app, &json!({}), Some(&jwt)).await;
    let bad = token(&app, &json!({}), Some("not-a-jwt")).await;
    mint_with_bearer(&app, reply.body["token"].as_str().unwrap())
        .await
        .assert_minted();

    // Assert
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.get("anonymous_id").is_none(),
        "users need no anonymous id"
    );
    assert_eq!(app.last_upstream_user(), "user-7");
    bad.assert_error(StatusCode::UNAUTHORIZED, "invalid_token");
}

#[tokio::test]
async fn with_auth_required_anonymous_embeds_get_no_token() {
    // Arrange
    let app = spawn_app(|c| {
        c.auth.required = true;
        c.auth.jwt_secret = Some(chatkit::config::Secret::new(
            "jwt-secret-0123456789-0123456789-0123456789",
        ));
    })
    .await;

    // Act
    let reply = token(&app, &json!({}), None).await;

    // Assert
    reply.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
}
