//! `POST /api/chatkit/refresh`: a new session for the same identity and workflow, ownership,
//! fresh starts, coalescing and the cancel of the superseded session.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{DEFAULT_WORKFLOW, Reply, SERVER_KEY, cookie_client, eventually, spawn_app};

#[tokio::test]
async fn a_refresh_mints_a_new_session_for_the_same_identity_and_workflow() {
    // Arrange
    let app = spawn_app(|c| c.hosted.workflows = vec!["wf_other".into()]).await;
    let first = app.post_session(&json!({"workflow_id": "wf_other"})).await;
    first.assert_minted();
    let first_user = app.last_upstream_user();

    // Act
    let refreshed = app.post_refresh(&first.client_secret()).await;

    // Assert
    refreshed.assert_minted();
    assert_ne!(
        refreshed.client_secret(),
        first.client_secret(),
        "a refresh is a new secret"
    );
    assert_ne!(refreshed.body["session_id"], first.body["session_id"]);
    let sent = app.last_create();
    assert_eq!(
        sent.body["workflow"]["id"], "wf_other",
        "the refreshed session keeps the original workflow, not the default"
    );
    assert_eq!(sent.body["user"], first_user.as_str(), "same identity");
    assert_eq!(app.upstream_creates().len(), 2);
}

#[tokio::test]
async fn the_superseded_session_is_cancelled_upstream_after_the_grace_period() {
    // Arrange
    let app = spawn_app(|c| c.hosted.cancel_grace_secs = 0).await;
    let first = app.post_session(&json!({})).await;
    first.assert_minted();
    let old_id = first.body["session_id"].as_str().unwrap().to_owned();

    // Act
    app.post_refresh(&first.client_secret())
        .await
        .assert_minted();

    // Assert
    let cancel_path = format!("/v1/chatkit/sessions/{old_id}/cancel");
    let cancelled = eventually(Duration::from_secs(2), || {
        app.upstream_cancels().iter().any(|r| r.path == cancel_path)
    })
    .await;
    assert!(cancelled, "the superseded session {old_id} is cancelled");
    let cancel = app
        .upstream_cancels()
        .into_iter()
        .find(|r| r.path == cancel_path)
        .unwrap();
    assert_eq!(
        cancel.headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {SERVER_KEY}").as_str()),
        "the cancel uses the server key"
    );
    assert_eq!(
        app.upstream_cancels().len(),
        1,
        "only the superseded session is cancelled"
    );
}

#[tokio::test]
async fn no_cancel_is_sent_before_the_grace_period_ends() {
    // Arrange
    let app = spawn_app(|c| c.hosted.cancel_grace_secs = 30).await;
    let first = app.post_session(&json!({})).await;

    // Act
    app.post_refresh(&first.client_secret())
        .await
        .assert_minted();
    let cancelled_early = eventually(Duration::from_millis(300), || {
        !app.upstream_cancels().is_empty()
    })
    .await;

    // Assert
    assert!(
        !cancelled_early,
        "the old session stays usable during the grace period"
    );
}

#[tokio::test]
async fn no_cancel_is_sent_when_cancel_superseded_is_off() {
    // Arrange
    let app = spawn_app(|c| c.hosted.cancel_superseded = false).await;
    let first = app.post_session(&json!({})).await;

    // Act
    app.post_refresh(&first.client_secret())
        .await
        .assert_minted();
    let cancelled = eventually(Duration::from_millis(300), || {
        !app.upstream_cancels().is_empty()
    })
    .await;

    // Assert
    assert!(
        !cancelled,
        "hosted.cancel_superseded = false sends no cancel"
    );
}

#[tokio::test]
async fn a_refresh_without_a_current_client_secret_is_a_bad_request() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let missing = app.post_json("/api/chatkit/refresh", &json!({})).await;
    let blank = app
        .post_json(
            "/api/chatkit/refresh",
            &json!({"current_client_secret": "  "}),
        )
        .await;

    // Assert
    missing.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert!(
        missing.error_message().contains("current_client_secret"),
        "the message names the field: {}",
        missing.text
    );
    blank.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
    assert!(app.upstream_creates().is_empty(), "nothing went upstream");
}

#[tokio::test]
async fn a_secret_minted_for_another_visitor_is_refused() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let owner = app.post_session(&json!({})).await;
    owner.assert_minted();
    let stranger = cookie_client();

    // Act
    let response = stranger
        .post(app.url("/api/chatkit/refresh"))
        .json(&json!({"current_client_secret": owner.client_secret()}))
        .send()
        .await
        .expect("sent");
    let reply = Reply::read(response).await;

    // Assert
    reply.assert_error(StatusCode::FORBIDDEN, "client_secret_not_owned");
    assert!(
        !reply.text.contains(&owner.client_secret()),
        "the secret is not echoed"
    );
    assert_eq!(
        app.upstream_creates().len(),
        1,
        "the refusal made no upstream call"
    );
    assert!(app.upstream_cancels().is_empty(), "and cancelled nothing");
}

#[tokio::test]
async fn an_unknown_secret_is_a_fresh_start_for_the_caller() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let reply = app
        .post_refresh("ek_0000000000000000000000000000000000000000000000000000000000000000")
        .await;

    // Assert
    reply.assert_minted();
    assert_eq!(
        app.last_create().body["workflow"]["id"],
        DEFAULT_WORKFLOW,
        "a fresh start uses the default workflow"
    );
    let again = app.post_session(&json!({})).await;
    again.assert_minted();
    let users: Vec<_> = app
        .upstream_creates()
        .iter()
        .map(|r| r.body["user"].clone())
        .collect();
    assert_eq!(users[0], users[1], "the fresh start is the caller's own");
    let nothing_cancelled = !eventually(Duration::from_millis(100), || {
        !app.upstream_cancels().is_empty()
    })
    .await;
    assert!(nothing_cancelled, "an unknown secret has nothing to cancel");
}

#[tokio::test]
async fn an_unknown_secret_with_a_named_workflow_uses_that_workflow_if_allowed() {
    // Arrange
    let app = spawn_app(|c| c.hosted.workflows = vec!["wf_other".into()]).await;

    // Act
    let allowed = app
        .post_json(
            "/api/chatkit/refresh",
            &json!({"current_client_secret": "ek_unknown", "workflow": {"id": "wf_other"}}),
        )
        .await;
    let refused = app
        .post_json(
            "/api/chatkit/refresh",
            &json!({"current_client_secret": "ek_unknown", "workflow_id": "wf_nope"}),
        )
        .await;

    // Assert
    allowed.assert_minted();
    assert_eq!(app.last_create().body["workflow"]["id"], "wf_other");
    refused.assert_error(StatusCode::FORBIDDEN, "workflow_not_allowed");
}

#[tokio::test]
async fn concurrent_refreshes_of_one_secret_share_one_upstream_call() {
    // Arrange
    let app = spawn_app(|c| {
        c.hosted.workflows = vec!["wf_slow".into()];
        c.hosted.cancel_superseded = false;
    })
    .await;
    let _ = app
        .sim
        .sim
        .clone()
        .with_slow_delay(Duration::from_millis(50));
    let first = app.post_session(&json!({"workflow_id": "wf_slow"})).await;
    first.assert_minted();
    let _ = app
        .sim
        .sim
        .clone()
        .with_slow_delay(Duration::from_millis(600));
    let secret = first.client_secret();

    // Act
    let replies = futures::future::join_all((0..5).map(|_| app.post_refresh(&secret))).await;

    // Assert
    for reply in &replies {
        reply.assert_minted();
    }
    let secrets: Vec<String> = replies.iter().map(Reply::client_secret).collect();
    assert!(
        secrets.iter().all(|s| *s == secrets[0]),
        "every concurrent refresh got the same secret: {secrets:?}"
    );
    assert_ne!(secrets[0], secret, "and it is a new one");
    assert_eq!(
        app.upstream_creates().len(),
        2,
        "one create for the first mint and ONE for the five refreshes"
    );
}

#[tokio::test]
async fn coalesced_refreshes_cancel_the_superseded_session_once() {
    // Arrange
    let app = spawn_app(|c| {
        c.hosted.workflows = vec!["wf_slow".into()];
        c.hosted.cancel_grace_secs = 0;
    })
    .await;
    let _ = app
        .sim
        .sim
        .clone()
        .with_slow_delay(Duration::from_millis(50));
    let first = app.post_session(&json!({"workflow_id": "wf_slow"})).await;
    first.assert_minted();
    let _ = app
        .sim
        .sim
        .clone()
        .with_slow_delay(Duration::from_millis(600));
    let secret = first.client_secret();

    // Act
    let replies = futures::future::join_all((0..5).map(|_| app.post_refresh(&secret))).await;
    let cancelled = eventually(Duration::from_secs(2), || {
        !app.upstream_cancels().is_empty()
    })
    .await;
    let more = eventually(Duration::from_millis(200), || {
        app.upstream_cancels().len() > 1
    })
    .await;

    // Assert
    for reply in &replies {
        reply.assert_minted();
    }
    assert!(cancelled, "the superseded session is cancelled");
    assert!(
        !more,
        "one cancel, not one per coalesced refresh: {:?}",
        app.upstream_cancels()
            .iter()
            .map(|r| &r.path)
            .collect::<Vec<_>>()
    );
    assert_eq!(
        app.upstream_cancels()[0].path,
        format!(
            "/v1/chatkit/sessions/{}/cancel",
            first.body["session_id"].as_str().unwrap()
        )
    );
}
