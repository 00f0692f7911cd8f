//! Visitor identity: the signed cookie's flags, its issue on errors, tampering, legacy adoption,
//! custom names and sharing the signing key between instances.

use chatkit::config::Secret;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{COOKIE, Reply, TestApp, bare_client, spawn_app};

const LEGACY_UUID: &str = "0b7e0d4e-3f0c-4a39-9e57-1c8a2f1d9b11";

/// Mints with a hand-made `Cookie` header (no cookie store).
async fn mint_with_cookie(app: &TestApp, cookie: &str) -> Reply {
    Reply::read(
        bare_client()
            .post(app.url("/api/chatkit/session"))
            .header("cookie", cookie)
            .json(&json!({}))
            .send()
            .await
            .expect("sent"),
    )
    .await
}

/// Mints with no cookie at all, returning the reply and the `name=value` pair it set.
async fn first_contact(app: &TestApp, name: &str) -> (Reply, String) {
    let reply = Reply::read(
        bare_client()
            .post(app.url("/api/chatkit/session"))
            .json(&json!({}))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    let value = reply
        .cookie_value(name)
        .unwrap_or_else(|| panic!("first contact sets {name}: {:?}", reply.set_cookies()));
    (reply, format!("{name}={value}"))
}

fn attributes(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

#[tokio::test]
async fn first_contact_sets_an_http_only_lax_cookie_for_thirty_days() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let (reply, _) = first_contact(&app, COOKIE).await;

    // Assert
    reply.assert_minted();
    let cookie = reply.set_cookie(COOKIE).unwrap();
    let attrs = attributes(&cookie);
    for expected in ["httponly", "samesite=lax", "path=/", "max-age=2592000"] {
        assert!(
            attrs.iter().any(|a| a == expected),
            "{expected} in {cookie}"
        );
    }
    assert!(
        !attrs.iter().any(|a| a == "secure"),
        "not Secure by default on plain HTTP: {cookie}"
    );
}

#[tokio::test]
async fn the_cookie_is_secure_when_configured() {
    // Arrange
    let app = spawn_app(|c| c.identity.secure_cookie = true).await;

    // Act
    let (reply, _) = first_contact(&app, COOKIE).await;

    // Assert
    let cookie = reply.set_cookie(COOKIE).unwrap();
    assert!(
        attributes(&cookie).iter().any(|a| a == "secure"),
        "{cookie}"
    );
}

async fn first_contact_forwarded_https(app: &TestApp) -> String {
    let reply = Reply::read(
        bare_client()
            .post(app.url("/api/chatkit/session"))
            .header("x-forwarded-proto", "https")
            .json(&json!({}))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    reply.set_cookie(COOKIE).expect("a cookie is set")
}

#[tokio::test]
async fn the_cookie_is_secure_behind_a_trusted_tls_proxy_only() {
    // Arrange
    let behind_proxy = spawn_app(|c| {
        c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let untrusted = spawn_app(|_| {}).await;

    // Act
    let trusted_cookie = first_contact_forwarded_https(&behind_proxy).await;
    let untrusted_cookie = first_contact_forwarded_https(&untrusted).await;

    // Assert
    assert!(
        attributes(&trusted_cookie).iter().any(|a| a == "secure"),
        "a trusted proxy's X-Forwarded-Proto: https makes it Secure: {trusted_cookie}"
    );
    assert!(
        !attributes(&untrusted_cookie).iter().any(|a| a == "secure"),
        "anyone else's X-Forwarded-Proto is ignored: {untrusted_cookie}"
    );
}

#[tokio::test]
async fn the_cookie_is_set_on_a_not_configured_error_too() {
    // Arrange
    let app = spawn_app(|c| c.openai.api_key = None).await;

    // Act
    let reply = app.post_session(&json!({})).await;

    // Assert
    reply.assert_error(StatusCode::SERVICE_UNAVAILABLE, "not_configured");
    assert!(
        reply.set_cookie(COOKIE).is_some(),
        "a visitor met by an error still gets an identity"
    );
}

#[tokio::test]
async fn a_cookie_first_set_on_an_error_keeps_the_same_upstream_user() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let refused = app
        .post_session(&json!({"workflow_id": "wf_unlisted"}))
        .await;
    refused.assert_error(StatusCode::FORBIDDEN, "workflow_not_allowed");
    let cookie = refused
        .cookie_value(COOKIE)
        .expect("the 403 sets the cookie");

    // Act
    let first = app.post_session(&json!({})).await;
    let first_user = app.last_upstream_user();
    let second = app.post_session(&json!({})).await;
    let second_user = app.last_upstream_user();

    // Assert
    first.assert_minted();
    second.assert_minted();
    assert!(
        first.set_cookie(COOKIE).is_none(),
        "the cookie from the error is accepted"
    );
    assert!(
        cookie.ends_with(&first_user),
        "the upstream user is the identity of the error's cookie"
    );
    assert_eq!(first_user, second_user);
}

#[tokio::test]
async fn a_tampered_cookie_gets_a_new_identity() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let (_, pair) = first_contact(&app, COOKIE).await;
    let original_user = app.last_upstream_user();
    let (name, value) = pair.split_once('=').unwrap();
    let mut bytes = value.as_bytes().to_vec();
    bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
    let tampered_signature = format!("{name}={}", String::from_utf8(bytes).unwrap());
    let swapped_id = format!("{name}={}user_{}", &value[..44], uuid_like("1111"));

    for tampered in [tampered_signature, swapped_id] {
        // Act
        let reply = mint_with_cookie(&app, &tampered).await;

        // Assert
        reply.assert_minted();
        let user = app.last_upstream_user();
        assert_ne!(user, original_user, "a tampered cookie is not believed");
        assert!(
            !user.contains("11111111-1111"),
            "a forged id is not adopted: {user}"
        );
        assert!(
            reply.set_cookie(COOKIE).is_some(),
            "a new identity gets a new cookie"
        );
    }
}

fn uuid_like(digit: &str) -> String {
    let d = digit.chars().next().unwrap().to_string();
    format!(
        "{}-{}-{}-{}-{}",
        d.repeat(8),
        d.repeat(4),
        d.repeat(4),
        d.repeat(4),
        d.repeat(12)
    )
}

#[tokio::test]
async fn a_legacy_unsigned_cookie_is_adopted_and_reissued_signed() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    for legacy in [format!("user_{LEGACY_UUID}"), LEGACY_UUID.to_owned()] {
        // Act
        let adopted = mint_with_cookie(&app, &format!("{COOKIE}={legacy}")).await;
        let adopted_user = app.last_upstream_user();

        // Assert
        adopted.assert_minted();
        assert_eq!(
            adopted_user, legacy,
            "the legacy id is sent upstream unchanged, so history is kept"
        );
        let reissued = adopted
            .cookie_value(COOKIE)
            .expect("the legacy cookie is re-issued");
        assert_ne!(reissued, legacy, "re-issued signed, not as it came");
        assert!(reissued.ends_with(&legacy), "with the same id");

        let again = mint_with_cookie(&app, &format!("{COOKIE}={reissued}")).await;
        again.assert_minted();
        assert_eq!(
            app.last_upstream_user(),
            legacy,
            "the signed cookie keeps the id"
        );
        assert!(
            again.set_cookie(COOKIE).is_none(),
            "adopted once: no further re-issue"
        );
    }
}

#[tokio::test]
async fn a_legacy_cookie_that_is_not_a_visitor_id_is_not_adopted() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let reply = mint_with_cookie(&app, &format!("{COOKIE}=user_admin")).await;

    // Assert
    reply.assert_minted();
    let user = app.last_upstream_user();
    assert_ne!(user, "user_admin", "arbitrary ids are not adopted");
    assert!(user.starts_with("user_") && user.len() == 41, "{user}");
}

#[tokio::test]
async fn a_custom_cookie_name_is_used_and_adopts_legacy_values() {
    // Arrange
    let app = spawn_app(|c| c.identity.cookie_name = "my_visitor".into()).await;

    // Act
    let (reply, _) = first_contact(&app, "my_visitor").await;
    let legacy = mint_with_cookie(&app, &format!("my_visitor=user_{LEGACY_UUID}")).await;
    let legacy_user = app.last_upstream_user();

    // Assert
    reply.assert_minted();
    assert!(
        reply.set_cookie(COOKIE).is_none(),
        "the default name is not used"
    );
    legacy.assert_minted();
    assert_eq!(legacy_user, format!("user_{LEGACY_UUID}"));
}

#[tokio::test]
async fn servers_sharing_a_configured_cookie_key_accept_each_others_cookies() {
    // Arrange
    let key = "shared-cookie-key-0123456789abcdef-0123456789";
    let first = spawn_app(|c| c.identity.cookie_key = Some(Secret::new(key))).await;
    let second = spawn_app(|c| c.identity.cookie_key = Some(Secret::new(key))).await;
    let stranger = spawn_app(|_| {}).await;
    let (_, cookie) = first_contact(&first, COOKIE).await;
    let user = first.last_upstream_user();

    // Act
    let on_second = mint_with_cookie(&second, &cookie).await;
    let on_stranger = mint_with_cookie(&stranger, &cookie).await;

    // Assert
    on_second.assert_minted();
    assert_eq!(
        second.last_upstream_user(),
        user,
        "the same identity on both"
    );
    assert!(on_second.set_cookie(COOKIE).is_none(), "no new cookie");
    on_stranger.assert_minted();
    assert_ne!(
        stranger.last_upstream_user(),
        user,
        "a server with another key does not believe it"
    );
}

#[tokio::test]
async fn servers_sharing_a_data_directory_accept_each_others_cookies() {
    // Arrange
    let first = spawn_app(|_| {}).await;
    let (_, cookie) = first_contact(&first, COOKIE).await;
    let user = first.last_upstream_user();
    let shared_dir = first.data_dir.path().to_path_buf();
    assert!(
        shared_dir.join("cookie.key").exists(),
        "the generated key is persisted in the data directory"
    );
    let second = spawn_app(move |c| c.server.data_dir = shared_dir).await;

    // Act
    let reply = mint_with_cookie(&second, &cookie).await;

    // Assert
    reply.assert_minted();
    assert_eq!(second.last_upstream_user(), user);
    assert!(reply.set_cookie(COOKIE).is_none());
}
