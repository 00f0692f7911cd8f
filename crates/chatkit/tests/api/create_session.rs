//! `POST /api/create-session`: the starter app's route (server key) and, with `api_key`, the
//! bring-your-own-key route (ChatKit Link's contract).

use std::time::Duration;

use chatkit::broker::per_workflow_user;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{DEFAULT_WORKFLOW, SERVER_KEY, eventually, spawn_app};

const BYO_KEY: &str = "sk-user-byo-secret-123";

#[tokio::test]
async fn without_an_api_key_it_is_the_starter_route_on_the_server_key() {
    // Arrange
    let app = spawn_app(|c| c.hosted.workflows = vec!["wf_other".into()]).await;

    // Act
    let default = app.post_create_session(&json!({})).await;
    let default_sent = app.last_create();
    let named = app
        .post_create_session(&json!({"workflow": {"id": "wf_other"}}))
        .await;
    let named_sent = app.last_create();
    let camel = app
        .post_create_session(&json!({"workflowId": "wf_other"}))
        .await;
    let snake = app
        .post_create_session(&json!({"workflow_id": "wf_other"}))
        .await;

    // Assert
    for reply in [&default, &named, &camel, &snake] {
        reply.assert_minted();
    }
    assert_eq!(default_sent.body["workflow"]["id"], DEFAULT_WORKFLOW);
    assert_eq!(named_sent.body["workflow"]["id"], "wf_other");
    assert_eq!(
        named_sent.headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {SERVER_KEY}").as_str())
    );
    assert!(
        named_sent.body["user"]
            .as_str()
            .is_some_and(|u| u.starts_with("user_")),
        "the starter route sends the visitor id unchanged"
    );
}

#[tokio::test]
async fn the_starter_route_applies_the_workflow_allowlist() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let reply = app
        .post_create_session(&json!({"workflow_id": "wf_unlisted"}))
        .await;

    // Assert
    reply.assert_error(StatusCode::FORBIDDEN, "workflow_not_allowed");
    assert!(app.upstream_creates().is_empty());
}

#[tokio::test]
async fn with_an_api_key_the_callers_key_pays_and_the_user_is_per_workflow() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    app.post_session(&json!({})).await.assert_minted();
    let identity = app.last_upstream_user();

    // Act
    let first = app
        .post_create_session(&json!({
            "workflow_id": "wf_any_one", "api_key": BYO_KEY, "user_id": "someone-else"
        }))
        .await;
    let first_sent = app.last_create();
    let second = app
        .post_create_session(&json!({"workflow_id": "wf_any_two", "api_key": BYO_KEY}))
        .await;
    let second_sent = app.last_create();

    // Assert
    first.assert_minted();
    second.assert_minted();
    assert_eq!(
        first_sent.headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {BYO_KEY}").as_str()),
        "the caller's key authorizes the call"
    );
    assert_eq!(
        first_sent.body["workflow"]["id"], "wf_any_one",
        "any workflow is allowed by default"
    );
    let first_user = first_sent.body["user"].as_str().unwrap();
    let second_user = second_sent.body["user"].as_str().unwrap();
    assert_eq!(first_user, per_workflow_user(&identity, "wf_any_one"));
    assert_eq!(second_user, per_workflow_user(&identity, "wf_any_two"));
    assert_ne!(first_user, second_user, "each workflow has its own history");
    assert_ne!(first_user, identity, "the raw identity is not sent");
    assert_ne!(
        first_user, "someone-else",
        "a client-supplied user_id is ignored"
    );
    assert!(
        !first.text.contains(BYO_KEY),
        "the caller's key is never echoed"
    );
}

#[tokio::test]
async fn with_an_api_key_a_workflow_is_required() {
    // Arrange
    let app = spawn_app(|c| c.hosted.workflow_id = None).await;

    // Act
    let reply = app.post_create_session(&json!({"api_key": BYO_KEY})).await;

    // Assert
    reply.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert!(app.upstream_creates().is_empty());
}

#[tokio::test]
async fn the_byo_route_refuses_when_turned_off() {
    // Arrange
    let app = spawn_app(|c| c.hosted.byo_key = Some(false)).await;

    // Act
    let reply = app
        .post_create_session(&json!({"workflow_id": DEFAULT_WORKFLOW, "api_key": BYO_KEY}))
        .await;

    // Assert
    reply.assert_error(StatusCode::FORBIDDEN, "byo_key_disabled");
    assert!(app.upstream_creates().is_empty());
}

#[tokio::test]
async fn the_byo_route_can_be_limited_to_listed_workflows() {
    // Arrange
    let app = spawn_app(|c| c.hosted.byo_any_workflow = false).await;

    // Act
    let refused = app
        .post_create_session(&json!({"workflow_id": "wf_unlisted", "api_key": BYO_KEY}))
        .await;
    let allowed = app
        .post_create_session(&json!({"workflow_id": DEFAULT_WORKFLOW, "api_key": BYO_KEY}))
        .await;

    // Assert
    refused.assert_error(StatusCode::FORBIDDEN, "workflow_not_allowed");
    allowed.assert_minted();
}

#[tokio::test]
async fn the_byo_route_works_without_a_server_key() {
    // Arrange
    let app = spawn_app(|c| c.openai.api_key = None).await;

    // Act
    let reply = app
        .post_create_session(&json!({"workflow_id": "wf_mine", "api_key": BYO_KEY}))
        .await;

    // Assert
    reply.assert_minted();
}

#[tokio::test]
async fn a_callers_earlier_byo_session_is_cancelled_with_the_callers_key() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let first = app
        .post_create_session(&json!({"workflow_id": "wf_mine", "api_key": BYO_KEY}))
        .await;
    first.assert_minted();
    let old_id = first.body["session_id"].as_str().unwrap().to_owned();

    // Act
    let second = app
        .post_create_session(&json!({
            "workflow_id": "wf_mine",
            "api_key": BYO_KEY,
            "current_client_secret": first.client_secret(),
        }))
        .await;

    // Assert
    second.assert_minted();
    let cancel_path = format!("/v1/chatkit/sessions/{old_id}/cancel");
    let cancelled = eventually(Duration::from_secs(2), || {
        app.upstream_cancels().iter().any(|r| r.path == cancel_path)
    })
    .await;
    assert!(cancelled, "the superseded BYO session is cancelled");
    let cancel = app
        .upstream_cancels()
        .into_iter()
        .find(|r| r.path == cancel_path)
        .unwrap();
    assert_eq!(
        cancel.headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {BYO_KEY}").as_str()),
        "the cancel uses the caller's own key"
    );
}

#[tokio::test]
async fn a_byo_secret_of_another_visitor_is_not_cancelled() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let owner = app
        .post_create_session(&json!({"workflow_id": "wf_mine", "api_key": BYO_KEY}))
        .await;
    owner.assert_minted();
    let stranger = crate::helpers::cookie_client();

    // Act
    let response = stranger
        .post(app.url("/api/create-session"))
        .json(&json!({
            "workflow_id": "wf_mine",
            "api_key": "sk-stranger-key",
            "current_client_secret": owner.client_secret(),
        }))
        .send()
        .await
        .expect("sent");
    let reply = crate::helpers::Reply::read(response).await;

    // Assert
    reply.assert_minted();
    let cancelled = eventually(Duration::from_millis(300), || {
        !app.upstream_cancels().is_empty()
    })
    .await;
    assert!(!cancelled, "nobody can cancel another visitor's session");
}

#[tokio::test]
async fn a_byo_secret_cannot_be_refreshed_on_the_server_key() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let byo = app
        .post_create_session(&json!({"workflow_id": "wf_mine", "api_key": BYO_KEY}))
        .await;
    byo.assert_minted();

    // Act
    let reply = app.post_refresh(&byo.client_secret()).await;

    // Assert
    reply.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert_eq!(
        app.upstream_creates().len(),
        1,
        "the server key paid for nothing"
    );
}
