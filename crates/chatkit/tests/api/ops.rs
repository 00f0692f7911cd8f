//! Operational routes: `/healthz`, `/readyz`, `/metrics` (on the main port or its own) and
//! `/api/status`.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Reply, SERVER_KEY, bare_client, free_port, spawn_app};

#[tokio::test]
async fn healthz_answers_ok() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let reply = app.get("/healthz").await;

    // Assert
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, json!({"status": "ok"}));
}

#[tokio::test]
async fn readyz_answers_ready_when_the_data_directory_exists() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let reply = app.get("/readyz").await;

    // Assert
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body, json!({"status": "ready"}));
}

#[tokio::test]
async fn metrics_are_prometheus_text_counting_requests_and_mints() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    app.post_session(&json!({})).await.assert_minted();

    // Act
    let reply = app.get("/metrics").await;

    // Assert
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|ct| ct.starts_with("text/plain")),
        "Prometheus text format"
    );
    assert!(
        reply.text.contains("chatkit_sessions_minted_total"),
        "mints are counted:\n{}",
        reply.text
    );
    assert!(
        reply.text.contains("chatkit_http_requests_total"),
        "requests are counted"
    );
    assert!(
        reply.text.contains("chatkit_upstream_requests_total"),
        "upstream calls are counted"
    );
    assert!(!reply.text.contains(SERVER_KEY), "no key in the metrics");
}

#[tokio::test]
async fn metrics_can_have_their_own_port_and_leave_the_main_one() {
    // Arrange
    let metrics_addr = free_port().await;
    let app = spawn_app(|c| c.server.metrics_addr = Some(metrics_addr)).await;
    // The main port answers only once the metrics listener is bound.
    app.post_session(&json!({})).await.assert_minted();

    // Act
    let own = Reply::read(
        bare_client()
            .get(format!("http://{metrics_addr}/metrics"))
            .send()
            .await
            .expect("the metrics port answers"),
    )
    .await;
    let main = app.get("/metrics").await;

    // Assert
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        own.text.contains("chatkit_sessions_minted_total"),
        "metrics on their own port:\n{}",
        own.text
    );
    assert_eq!(
        main.status,
        StatusCode::NOT_FOUND,
        "the main port no longer serves metrics: {}",
        main.text
    );
    assert!(!main.text.contains("chatkit_http_requests_total"));
    assert!(
        main.text.contains("\"not_found\""),
        "a JSON 404: {}",
        main.text
    );
}

#[tokio::test]
async fn status_describes_the_server_without_secrets() {
    // Arrange
    let app = spawn_app(|c| {
        c.hosted.workflows = vec!["wf_other".into()];
        c.identity.cookie_key = Some(chatkit::config::Secret::new(
            "cookie-key-0123456789-0123456789-0123456789",
        ));
    })
    .await;

    // Act
    let reply = app.get("/api/status").await;

    // Assert
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["name"], "chatkit-rs");
    assert_eq!(reply.body["hosted"]["configured"], true);
    assert_eq!(
        reply.body["hosted"]["default_workflow"].as_str(),
        app.config.hosted.workflow_id.as_deref()
    );
    assert_eq!(
        reply.body["hosted"]["workflows"],
        json!(["wf_default", "wf_other"])
    );
    assert!(!reply.text.contains(SERVER_KEY), "no server key in status");
    assert!(
        !reply.text.contains("cookie-key-0123456789"),
        "no cookie key in status"
    );
}

#[tokio::test]
async fn status_names_the_missing_key_when_hosted_mode_is_not_configured() {
    // Arrange
    let app = spawn_app(|c| c.openai.api_key = None).await;

    // Act
    let reply = app.get("/api/status").await;

    // Assert
    assert_eq!(reply.body["hosted"]["configured"], false);
    assert_eq!(reply.body["hosted"]["missing"], "OPENAI_API_KEY");
}
