//! Every error mapping: upstream failures (chosen by the simulator's fault triggers), missing
//! configuration, and bad requests. Every error is the one envelope, and never carries the
//! upstream's own words or a key.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Reply, SERVER_KEY, TestApp, spawn_app, timed};

const BYO_KEY: &str = "sk-user-byo-secret-123";

/// Phrases of the simulator's own error messages, which must never reach a caller.
const UPSTREAM_WORDS: &[&str] = &[
    "Incorrect API key provided",
    "insufficient permissions",
    "not found.",
    "Rate limit reached",
    "has no published version",
    "The server had an error",
    "platform.openai.com",
];

/// Asserts the reply carries neither a key nor the upstream's own words.
fn assert_nothing_leaked(reply: &Reply) {
    for word in UPSTREAM_WORDS {
        assert!(
            !reply.text.contains(word),
            "the upstream's message leaked ({word:?}): {}",
            reply.text
        );
    }
    for secret in [SERVER_KEY, BYO_KEY, "sk-*", "***"] {
        assert!(
            !reply.text.contains(secret),
            "a key leaked ({secret:?}): {}",
            reply.text
        );
    }
}

/// An app that may request every fault workflow with the server key.
async fn fault_app(configure: impl FnOnce(&mut chatkit::Config)) -> TestApp {
    spawn_app(|c| {
        c.hosted.workflows = [
            "wf_400",
            "wf_401",
            "wf_403",
            "wf_404",
            "wf_429",
            "wf_500",
            "wf_flaky",
            "wf_slow",
            "wf_hang",
            "wf_reset",
            "wf_badjson",
        ]
        .map(String::from)
        .to_vec();
        configure(c);
    })
    .await
}

async fn mint(app: &TestApp, workflow: &str) -> Reply {
    app.post_session(&json!({"workflow_id": workflow})).await
}

#[tokio::test]
async fn an_unknown_workflow_upstream_is_a_404_with_a_hint_about_the_key_and_project() {
    // Arrange
    let app = fault_app(|_| {}).await;

    // Act
    let reply = mint(&app, "wf_404").await;

    // Assert
    reply.assert_error(StatusCode::NOT_FOUND, "workflow_not_found");
    let message = reply.error_message();
    assert!(
        message.contains("project") && message.contains("key"),
        "the hint mentions the project and the key: {message}"
    );
    assert_nothing_leaked(&reply);
    assert_eq!(app.upstream_creates().len(), 1, "a 404 is not retried");
}

#[tokio::test]
async fn an_upstream_rate_limit_is_a_429_with_retry_after() {
    // Arrange
    let app = fault_app(|c| c.openai.max_retries = 0).await;

    // Act
    let reply = mint(&app, "wf_429").await;

    // Assert
    reply.assert_error(StatusCode::TOO_MANY_REQUESTS, "upstream_rate_limited");
    assert_eq!(
        reply.header("retry-after"),
        Some("1"),
        "the upstream's retry-after is passed on"
    );
    assert_nothing_leaked(&reply);
}

#[tokio::test]
async fn an_upstream_rate_limit_is_retried_after_its_retry_after() {
    // Arrange
    let app = fault_app(|c| c.openai.max_retries = 1).await;

    // Act
    let (reply, took) = timed(mint(&app, "wf_429")).await;

    // Assert
    reply.assert_error(StatusCode::TOO_MANY_REQUESTS, "upstream_rate_limited");
    assert_eq!(app.upstream_creates().len(), 2, "one retry");
    assert!(
        took >= Duration::from_millis(900),
        "the retry waited for retry-after: 1 ({took:?})"
    );
}

#[tokio::test]
async fn a_refused_server_key_is_a_502_for_the_operator() {
    // Arrange
    let app = fault_app(|_| {}).await;

    for (workflow, status) in [("wf_401", "401"), ("wf_403", "403")] {
        // Act
        let reply = mint(&app, workflow).await;

        // Assert
        reply.assert_error(StatusCode::BAD_GATEWAY, "upstream_auth_failed");
        assert!(
            reply.error_message().contains("OPENAI_API_KEY")
                && reply.error_message().contains(status),
            "the message tells the operator what to fix: {}",
            reply.text
        );
        assert_nothing_leaked(&reply);
    }
}

#[tokio::test]
async fn a_refused_callers_key_is_the_callers_400() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    for workflow in ["wf_401", "wf_403"] {
        // Act
        let reply = app
            .post_create_session(&json!({"workflow_id": workflow, "api_key": BYO_KEY}))
            .await;

        // Assert
        reply.assert_error(StatusCode::BAD_REQUEST, "api_key_rejected");
        assert_nothing_leaked(&reply);
    }
}

#[tokio::test]
async fn another_upstream_4xx_is_a_400_carrying_the_upstream_code() {
    // Arrange
    let app = fault_app(|_| {}).await;

    // Act
    let reply = mint(&app, "wf_400").await;

    // Assert
    reply.assert_error_with_upstream_code(StatusCode::BAD_REQUEST, "upstream_bad_request");
    assert_eq!(reply.body["error"]["upstream_code"], "invalid_workflow");
    assert_nothing_leaked(&reply);
}

#[tokio::test]
async fn an_upstream_server_error_is_a_502_after_the_configured_retries() {
    // Arrange
    let app = fault_app(|c| c.openai.max_retries = 2).await;

    // Act
    let reply = mint(&app, "wf_500").await;

    // Assert
    reply.assert_error(StatusCode::BAD_GATEWAY, "upstream_error");
    assert_eq!(
        app.upstream_creates().len(),
        3,
        "max_retries + 1 upstream attempts"
    );
    assert_nothing_leaked(&reply);
}

#[tokio::test]
async fn without_retries_an_upstream_server_error_is_tried_once() {
    // Arrange
    let app = fault_app(|c| c.openai.max_retries = 0).await;

    // Act
    let reply = mint(&app, "wf_500").await;

    // Assert
    reply.assert_error(StatusCode::BAD_GATEWAY, "upstream_error");
    assert_eq!(app.upstream_creates().len(), 1);
}

#[tokio::test]
async fn a_flaky_upstream_succeeds_after_a_retry() {
    // Arrange
    let app = fault_app(|c| c.openai.max_retries = 1).await;

    // Act
    let reply = mint(&app, "wf_flaky").await;

    // Assert
    reply.assert_minted();
    assert_eq!(
        app.upstream_creates().len(),
        2,
        "the first attempt failed, the retry succeeded"
    );
}

#[tokio::test]
async fn a_reset_connection_is_a_502_upstream_unavailable() {
    // Arrange
    let app = fault_app(|c| c.openai.max_retries = 1).await;

    // Act
    let reply = mint(&app, "wf_reset").await;

    // Assert
    reply.assert_error(StatusCode::BAD_GATEWAY, "upstream_unavailable");
    assert_nothing_leaked(&reply);
}

#[tokio::test]
async fn invalid_upstream_json_is_a_502_upstream_invalid_response() {
    // Arrange
    let app = fault_app(|_| {}).await;

    // Act
    let reply = mint(&app, "wf_badjson").await;

    // Assert
    reply.assert_error(StatusCode::BAD_GATEWAY, "upstream_invalid_response");
    assert!(
        !reply.text.contains("cksess_0123456789abcdef"),
        "the upstream body is not echoed"
    );
}

#[tokio::test]
async fn a_hanging_upstream_is_a_504_within_the_timeout() {
    // Arrange
    let app = fault_app(|c| c.openai.timeout_ms = 300).await;

    // Act
    let (reply, took) = timed(mint(&app, "wf_hang")).await;

    // Assert
    reply.assert_error(StatusCode::GATEWAY_TIMEOUT, "upstream_timeout");
    assert!(
        took < Duration::from_millis(1_500),
        "the deadline holds: {took:?}"
    );
}

#[tokio::test]
async fn a_slow_upstream_within_the_timeout_still_mints() {
    // Arrange
    let app = fault_app(|_| {}).await;
    let _ = app
        .sim
        .sim
        .clone()
        .with_slow_delay(Duration::from_millis(200));

    // Act
    let reply = mint(&app, "wf_slow").await;

    // Assert
    reply.assert_minted();
}

#[tokio::test]
async fn a_request_over_the_server_timeout_is_a_503_request_timeout() {
    // Arrange: the upstream would answer after 3 s and may take 10, but the server allows 1 s.
    let app = fault_app(|c| {
        c.server.request_timeout_secs = 1;
        c.openai.timeout_ms = 10_000;
    })
    .await;
    let _ = app.sim.sim.clone().with_slow_delay(Duration::from_secs(3));
    let started = std::time::Instant::now();

    // Act
    let reply = mint(&app, "wf_slow").await;

    // Assert
    reply.assert_error(StatusCode::SERVICE_UNAVAILABLE, "request_timeout");
    assert!(
        started.elapsed() < Duration::from_millis(2_500),
        "answered after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502_upstream_unavailable() {
    // Arrange
    // Port 1 is privileged: never handed out by `bind(0)` to another test, and nothing listens.
    let nowhere = "http://127.0.0.1:1".to_owned();
    let app = spawn_app(move |c| {
        c.openai.api_base = Some(nowhere.clone());
        c.openai.base_url = Some(format!("{nowhere}/v1"));
        c.openai.max_retries = 1;
    })
    .await;

    // Act
    let reply = app.post_session(&json!({})).await;

    // Assert
    reply.assert_error(StatusCode::BAD_GATEWAY, "upstream_unavailable");
    assert_nothing_leaked(&reply);
}

#[tokio::test]
async fn without_a_server_key_hosted_routes_are_503_naming_openai_api_key() {
    // Arrange
    let app = spawn_app(|c| c.openai.api_key = None).await;

    for path in [
        "/api/chatkit/session",
        "/api/session",
        "/api/create-session",
    ] {
        // Act
        let reply = app.post_json(path, &json!({})).await;

        // Assert
        reply.assert_error(StatusCode::SERVICE_UNAVAILABLE, "not_configured");
        assert!(
            reply.error_message().contains("OPENAI_API_KEY"),
            "{path}: the message names the missing key: {}",
            reply.text
        );
    }
    let refresh = app.post_refresh("ek_unknown").await;
    refresh.assert_error(StatusCode::SERVICE_UNAVAILABLE, "not_configured");
    assert!(app.upstream().is_empty(), "nothing went upstream");
}

#[tokio::test]
async fn no_workflow_named_and_no_default_is_a_500_naming_chatkit_workflow_id() {
    // Arrange
    let app = spawn_app(|c| c.hosted.workflow_id = None).await;

    // Act
    let reply = app.post_session(&json!({})).await;

    // Assert
    reply.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "missing_config");
    assert!(
        reply.error_message().contains("CHATKIT_WORKFLOW_ID"),
        "the message names the missing key: {}",
        reply.text
    );
}

async fn post_raw(
    app: &TestApp,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Reply {
    let mut request = app.client.post(app.url("/api/chatkit/session")).body(body);
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    Reply::read(request.send().await.expect("sent")).await
}

#[tokio::test]
async fn malformed_json_is_a_400_invalid_json() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let reply = post_raw(&app, Some("application/json"), "{\"workflow_id\": ").await;

    // Assert
    reply.assert_error(StatusCode::BAD_REQUEST, "invalid_json");
    assert!(app.upstream().is_empty());
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_a_400_invalid_request() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let number = post_raw(&app, Some("application/json"), r#"{"workflow_id": 5}"#).await;
    let not_object = post_raw(&app, Some("application/json"), "[1, 2]").await;

    // Assert
    number.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(
        not_object.status,
        StatusCode::BAD_REQUEST,
        "{}",
        not_object.text
    );
    assert!(app.upstream().is_empty());
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let reply = post_raw(&app, Some("text/plain"), r#"{"workflow_id": "wf_default"}"#).await;

    // Assert
    reply.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    assert!(app.upstream().is_empty());
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413() {
    // Arrange
    let app = spawn_app(|c| c.server.body_limit_bytes = 1024).await;
    let big = json!({"workflow_id": "wf_default", "padding": "x".repeat(2_000)}).to_string();

    // Act
    let declared = post_raw(&app, Some("application/json"), big.clone()).await;
    let streamed = {
        let stream = futures::stream::iter([Ok::<_, std::io::Error>(big.clone())]);
        post_raw(
            &app,
            Some("application/json"),
            reqwest::Body::wrap_stream(stream),
        )
        .await
    };

    // Assert
    declared.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    streamed.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert!(app.upstream().is_empty());
}

#[tokio::test]
async fn an_unknown_api_route_is_a_json_404() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let get = app.get("/api/no-such-thing").await;
    let post = app.post_json("/api/chatkit/nope", &json!({})).await;
    let asset = app.get("/missing-file.js").await;

    // Assert
    get.assert_error(StatusCode::NOT_FOUND, "not_found");
    post.assert_error(StatusCode::NOT_FOUND, "not_found");
    asset.assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405_with_allow() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    for path in [
        "/api/chatkit/session",
        "/api/session",
        "/api/chatkit/refresh",
        "/api/create-session",
    ] {
        // Act
        let reply = app.get(path).await;

        // Assert
        reply.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert!(
            reply.header("allow").is_some_and(|a| a.contains("POST")),
            "{path}: Allow names POST: {:?}",
            reply.header("allow")
        );
    }
    let healthz = Reply::read(
        app.client
            .post(app.url("/healthz"))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    healthz.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert!(healthz.header("allow").is_some_and(|a| a.contains("GET")));
}

#[tokio::test]
async fn error_replies_are_never_cached() {
    // Arrange
    let app = fault_app(|_| {}).await;

    // Act
    let reply = mint(&app, "wf_404").await;

    // Assert
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body: Value = reply.body.clone();
    assert!(body["error"].is_object());
}
