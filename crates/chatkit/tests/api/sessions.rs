//! `POST /api/chatkit/session` and its alias `/api/session`: the reply, the upstream request, the
//! workflow forms, the allowlist and state variables.

use chatkit_types::sessions::StateValue;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{COOKIE, DEFAULT_WORKFLOW, SERVER_KEY, spawn_app};

#[tokio::test]
async fn a_session_is_minted_for_the_default_workflow_with_the_server_key() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let reply = app.post_session(&json!({})).await;

    // Assert
    reply.assert_minted();
    let creates = app.upstream_creates();
    assert_eq!(creates.len(), 1, "exactly one upstream create call");
    let sent = &creates[0];
    assert_eq!(
        sent.headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {SERVER_KEY}").as_str()),
        "the server key authorizes the upstream call"
    );
    assert_eq!(
        sent.headers.get("openai-beta").map(String::as_str),
        Some("chatkit_beta=v1"),
        "the ChatKit beta header is sent"
    );
    let cookie = reply
        .cookie_value(COOKIE)
        .expect("first contact sets the visitor cookie");
    let user = sent.body["user"].as_str().expect("`user` is a string");
    assert!(
        user.starts_with("user_"),
        "a new visitor id looks like the seed apps' ones: {user}"
    );
    assert!(
        cookie.ends_with(user),
        "the upstream `user` is the cookie's identity, unchanged ({user} in {cookie})"
    );
    assert_eq!(sent.body["workflow"]["id"], DEFAULT_WORKFLOW);
    assert_eq!(
        sent.body["chatkit_configuration"]["file_upload"],
        json!({"enabled": true, "max_file_size": 10, "max_files": 5}),
        "uploads follow the defaults of seed 000"
    );
    assert_eq!(
        sent.body["rate_limits"],
        json!({"max_requests_per_1_minute": 10}),
        "the upstream per-session limit is sent"
    );
    assert_eq!(
        sent.body["expires_after"],
        json!({"anchor": "created_at", "seconds": 600}),
        "the session lifetime is sent"
    );
}

#[tokio::test]
async fn the_api_session_alias_mints_the_same_way() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let reply = app.post_json("/api/session", &json!({})).await;

    // Assert
    reply.assert_minted();
    let sent = app.last_create();
    assert_eq!(sent.body["workflow"]["id"], DEFAULT_WORKFLOW);
    assert_eq!(
        sent.headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {SERVER_KEY}").as_str())
    );
}

#[tokio::test]
async fn an_empty_body_without_content_type_counts_as_an_empty_object() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let response = app
        .client
        .post(app.url("/api/chatkit/session"))
        .send()
        .await
        .expect("sent");
    let reply = crate::helpers::Reply::read(response).await;

    // Assert
    reply.assert_minted();
}

#[tokio::test]
async fn every_workflow_form_existing_front_ends_send_names_a_listed_workflow() {
    // Arrange
    let app = spawn_app(|c| c.hosted.workflows = vec!["wf_other".into()]).await;
    let forms = [
        json!({"workflow": {"id": "wf_other"}}),
        json!({"workflowId": "wf_other"}),
        json!({"workflow_id": "wf_other"}),
    ];

    for form in forms {
        // Act
        let reply = app.post_session(&form).await;

        // Assert
        reply.assert_minted();
        assert_eq!(
            app.last_create().body["workflow"]["id"],
            "wf_other",
            "the form {form} names the workflow"
        );
    }
}

#[tokio::test]
async fn an_unlisted_workflow_is_refused_without_calling_upstream() {
    // Arrange
    let app = spawn_app(|c| c.hosted.workflows = vec!["wf_other".into()]).await;

    // Act
    let reply = app
        .post_session(&json!({"workflow": {"id": "wf_elsewhere"}}))
        .await;

    // Assert
    reply.assert_error(StatusCode::FORBIDDEN, "workflow_not_allowed");
    assert!(
        reply.error_message().contains("wf_elsewhere"),
        "the message names the workflow: {}",
        reply.text
    );
    assert!(
        app.upstream_creates().is_empty(),
        "nothing was sent upstream"
    );
}

#[tokio::test]
async fn a_malformed_workflow_id_is_an_invalid_request() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let reply = app
        .post_session(&json!({"workflow_id": "wf bad/../id"}))
        .await;

    // Assert
    reply.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert!(app.upstream_creates().is_empty());
}

#[tokio::test]
async fn state_variables_come_from_config_and_never_from_the_body() {
    // Arrange
    let app = spawn_app(|c| {
        c.hosted
            .state_variables
            .insert("plan".into(), StateValue::String("pro".into()));
        c.hosted
            .state_variables
            .insert("seats".into(), StateValue::Int(4));
    })
    .await;

    // Act
    let reply = app
        .post_session(&json!({
            "state_variables": {"plan": "enterprise", "admin": true},
            "workflow": {"id": DEFAULT_WORKFLOW, "state_variables": {"admin": true}},
        }))
        .await;

    // Assert
    reply.assert_minted();
    assert_eq!(
        app.last_create().body["workflow"]["state_variables"],
        json!({"plan": "pro", "seats": 4}),
        "only the configured state variables are sent"
    );
}

#[tokio::test]
async fn without_state_variables_none_are_sent() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let reply = app
        .post_session(&json!({"state_variables": {"admin": true}}))
        .await;

    // Assert
    reply.assert_minted();
    let workflow = &app.last_create().body["workflow"];
    assert!(
        workflow.get("state_variables").is_none() || workflow["state_variables"].is_null(),
        "a body's state variables are ignored: {workflow}"
    );
}

#[tokio::test]
async fn the_upload_knobs_shape_the_file_upload_configuration() {
    // Arrange
    let app = spawn_app(|c| {
        c.hosted.max_files = 2;
        c.hosted.max_file_size_mb = 3;
        c.hosted.max_requests_per_minute = 7;
        c.hosted.session_ttl_secs = 120;
    })
    .await;

    // Act
    app.post_session(&json!({})).await.assert_minted();

    // Assert
    let sent = app.last_create();
    assert_eq!(
        sent.body["chatkit_configuration"]["file_upload"],
        json!({"enabled": true, "max_file_size": 3, "max_files": 2})
    );
    assert_eq!(sent.body["rate_limits"]["max_requests_per_1_minute"], 7);
    assert_eq!(sent.body["expires_after"]["seconds"], 120);
}

#[tokio::test]
async fn uploads_turned_off_are_sent_as_disabled() {
    // Arrange
    let app = spawn_app(|c| c.hosted.enable_uploads = false).await;

    // Act
    app.post_session(&json!({})).await.assert_minted();

    // Assert
    assert_eq!(
        app.last_create().body["chatkit_configuration"]["file_upload"]["enabled"],
        false
    );
}

#[tokio::test]
async fn a_visitor_keeps_one_upstream_user_across_mints() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let first = app.post_session(&json!({})).await;
    let first_user = app.last_upstream_user();
    let second = app.post_session(&json!({})).await;
    let second_user = app.last_upstream_user();

    // Assert
    first.assert_minted();
    second.assert_minted();
    assert_eq!(first_user, second_user, "the cookie keeps the identity");
    assert!(
        second.set_cookie(COOKIE).is_none(),
        "a known visitor gets no new cookie"
    );
    assert_ne!(
        first.client_secret(),
        second.client_secret(),
        "every mint is a new secret"
    );
}
