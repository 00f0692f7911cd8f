//! CORS from an explicit allowlist, the origin check on minting routes, and the headers every
//! response carries.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Reply, TestApp, bare_client, spawn_app};

const ALLOWED: &str = "https://app.example.com";
const OTHER: &str = "https://evil.example.net";

async fn preflight(app: &TestApp, origin: &str) -> Reply {
    Reply::read(
        bare_client()
            .request(Method::OPTIONS, app.url("/api/chatkit/session"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .expect("sent"),
    )
    .await
}

async fn post_from(app: &TestApp, origin: &str) -> Reply {
    Reply::read(
        bare_client()
            .post(app.url("/api/chatkit/session"))
            .header("origin", origin)
            .json(&json!({}))
            .send()
            .await
            .expect("sent"),
    )
    .await
}

#[tokio::test]
async fn a_listed_origin_passes_preflight_with_credentials_and_can_mint() {
    // Arrange
    let app = spawn_app(|c| c.server.cors_origins = vec![ALLOWED.into()]).await;

    // Act
    let pre = preflight(&app, ALLOWED).await;
    let post = post_from(&app, ALLOWED).await;

    // Assert
    assert!(pre.status.is_success(), "preflight: {}", pre.status);
    assert_eq!(pre.header("access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(pre.header("access-control-allow-credentials"), Some("true"));
    assert!(
        pre.header("access-control-allow-methods")
            .is_some_and(|m| m.contains("POST")),
        "POST is allowed"
    );
    post.assert_minted();
    assert_eq!(post.header("access-control-allow-origin"), Some(ALLOWED));
    assert_eq!(
        post.header("access-control-allow-credentials"),
        Some("true")
    );
}

#[tokio::test]
async fn an_unlisted_origin_gets_no_cors_and_cannot_mint() {
    // Arrange
    let app = spawn_app(|c| c.server.cors_origins = vec![ALLOWED.into()]).await;

    // Act
    let pre = preflight(&app, OTHER).await;
    let post = post_from(&app, OTHER).await;

    // Assert
    assert!(
        pre.header("access-control-allow-origin").is_none(),
        "no ACAO for an unlisted origin"
    );
    post.assert_error(StatusCode::FORBIDDEN, "origin_not_allowed");
    assert!(post.header("access-control-allow-origin").is_none());
    assert!(
        app.upstream_creates().is_empty(),
        "the refused origin minted nothing"
    );
}

#[tokio::test]
async fn without_cors_config_only_the_same_origin_may_mint() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let same = post_from(&app, &app.origin()).await;
    let other = post_from(&app, OTHER).await;
    let refresh_other = Reply::read(
        bare_client()
            .post(app.url("/api/chatkit/refresh"))
            .header("origin", OTHER)
            .json(&json!({"current_client_secret": "ek_x"}))
            .send()
            .await
            .expect("sent"),
    )
    .await;

    // Assert
    same.assert_minted();
    assert!(
        same.header("access-control-allow-origin").is_none(),
        "same-origin needs no CORS"
    );
    other.assert_error(StatusCode::FORBIDDEN, "origin_not_allowed");
    refresh_other.assert_error(StatusCode::FORBIDDEN, "origin_not_allowed");
    assert_eq!(app.upstream_creates().len(), 1);
}

#[tokio::test]
async fn every_response_has_a_request_id_and_nosniff() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let replies = [
        app.get("/healthz").await,
        app.get("/api/status").await,
        app.get("/api/nope").await,
        app.post_session(&json!({})).await,
        app.post_session(&json!({"workflow_id": "wf_unlisted"}))
            .await,
        app.get("/").await,
    ];
    let echoed = Reply::read(
        bare_client()
            .get(app.url("/healthz"))
            .header("x-request-id", "req-from-client-123")
            .send()
            .await
            .expect("sent"),
    )
    .await;

    // Assert
    for reply in &replies {
        assert!(
            reply
                .header("x-request-id")
                .is_some_and(|id| !id.is_empty()),
            "x-request-id on {} {}",
            reply.status,
            reply.text.chars().take(80).collect::<String>()
        );
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert!(
            reply.header("cross-origin-embedder-policy").is_none(),
            "never COEP (it breaks the ChatKit widget)"
        );
    }
    assert_ne!(
        replies[0].header("x-request-id"),
        replies[1].header("x-request-id"),
        "ids are per request"
    );
    assert_eq!(
        echoed.header("x-request-id"),
        Some("req-from-client-123"),
        "a client's request id is echoed"
    );
}

#[tokio::test]
async fn pages_carry_a_csp_that_allows_the_chatkit_widget() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let page = app.get("/").await;
    let deep_link = app.get("/some/client/route").await;

    // Assert
    for reply in [&page, &deep_link] {
        assert_eq!(reply.status, StatusCode::OK);
        assert!(
            reply
                .header("content-type")
                .is_some_and(|ct| ct.starts_with("text/html")),
            "an HTML page"
        );
        let csp = reply
            .header("content-security-policy")
            .expect("pages have a CSP");
        assert!(
            csp.contains("https://cdn.platform.openai.com"),
            "the widget's CDN is allowed: {csp}"
        );
        assert!(reply.header("cross-origin-embedder-policy").is_none());
    }
}

#[tokio::test]
async fn api_replies_are_never_cached() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let mint = app.post_session(&json!({})).await;
    let status = app.get("/api/status").await;
    let not_found = app.get("/api/nope").await;

    // Assert
    for reply in [&mint, &status, &not_found] {
        assert_eq!(
            reply.header("cache-control"),
            Some("no-store"),
            "no-store on {}",
            reply.text
        );
    }
    assert!(
        mint.header("content-security-policy").is_none(),
        "JSON replies need no CSP"
    );
}
