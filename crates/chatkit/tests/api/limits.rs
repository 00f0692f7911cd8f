//! Our own minting limits, per identity and per client IP, on paused time: the router is driven
//! with `oneshot` (no socket) and has no server key, so every request the limiter lets through
//! answers 503 `not_configured` without any upstream I/O, and still counts.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tempfile::TempDir;
use tower::ServiceExt;

use crate::helpers::{COOKIE, base_config};

const CLIENT: [u8; 4] = [203, 0, 113, 7];
const OTHER_CLIENT: [u8; 4] = [198, 51, 100, 9];

/// The same state behind two routers, each seeing requests from its own client IP.
struct Limited {
    from_client: Router,
    from_other_client: Router,
    _data_dir: TempDir,
}

async fn limited(configure: impl FnOnce(&mut chatkit::Config)) -> Limited {
    let data_dir = tempfile::tempdir().expect("a data directory");
    // Port 9 (discard) is never called: there is no key, so nothing goes upstream.
    let mut config = base_config("http://127.0.0.1:9", data_dir.path());
    config.openai.api_key = None;
    // The in-memory store: nothing here may wait on I/O while tokio's clock is paused.
    config.database.url = Some(chatkit::config::Secret::new("memory:"));
    configure(&mut config);
    config.resolve_and_validate().expect("a valid config");
    let state = chatkit::build_state(config)
        .await
        .expect("the state builds");
    Limited {
        from_client: chatkit::app(state.clone())
            .layer(MockConnectInfo(SocketAddr::from((CLIENT, 40_000)))),
        from_other_client: chatkit::app(state)
            .layer(MockConnectInfo(SocketAddr::from((OTHER_CLIENT, 40_000)))),
        _data_dir: data_dir,
    }
}

/// A mint request, with a visitor cookie (`name=value`) if given.
fn mint_request(cookie: Option<&str>) -> Request<Body> {
    let mut request =
        Request::post("/api/chatkit/session").header("content-type", "application/json");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(Body::from("{}")).expect("a request")
}

async fn send(router: &Router, cookie: Option<&str>) -> Response<Body> {
    router
        .clone()
        .oneshot(mint_request(cookie))
        .await
        .expect("the router answers")
}

fn header<'a>(response: &'a Response<Body>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The `name=value` of the visitor cookie a response set.
fn cookie_pair(response: &Response<Body>) -> String {
    header(response, "set-cookie")
        .and_then(|c| c.split(';').next())
        .filter(|pair| pair.starts_with(&format!("{COOKIE}=")))
        .expect("the visitor cookie is set")
        .to_owned()
}

async fn body_json(response: Response<Body>) -> Value {
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    serde_json::from_slice(&bytes).expect("a JSON body")
}

/// Asserts the request passed the limiter (and so reached the handler).
fn assert_allowed(response: &Response<Body>, remaining: &str) {
    assert_eq!(
        response.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "allowed through to the handler (503 not_configured)"
    );
    assert_eq!(
        header(response, "ratelimit-remaining"),
        Some(remaining),
        "RateLimit-Remaining"
    );
}

#[tokio::test(start_paused = true)]
async fn a_visitor_past_its_limit_gets_429_with_retry_after_and_ratelimit_headers() {
    // Arrange
    let app = limited(|c| {
        c.limits.mints_per_minute_per_identity = 3;
        c.limits.mints_per_minute_per_ip = 100;
    })
    .await;
    let first = send(&app.from_client, None).await;
    let cookie = cookie_pair(&first);

    // Act
    let second = send(&app.from_client, Some(&cookie)).await;
    let third = send(&app.from_client, Some(&cookie)).await;
    let refused = send(&app.from_client, Some(&cookie)).await;

    // Assert
    assert_allowed(&first, "2");
    assert_eq!(header(&first, "ratelimit-limit"), Some("3"));
    assert_eq!(header(&first, "ratelimit-reset"), Some("20"));
    assert_allowed(&second, "1");
    assert_allowed(&third, "0");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        header(&refused, "retry-after"),
        Some("20"),
        "one token comes back every 60/3 s"
    );
    assert_eq!(header(&refused, "ratelimit-limit"), Some("3"));
    assert_eq!(header(&refused, "ratelimit-remaining"), Some("0"));
    assert_eq!(header(&refused, "ratelimit-reset"), Some("20"));
    let body = body_json(refused).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("visitor")),
        "the message says which limit: {body}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_visitors_bucket_refills_with_time() {
    // Arrange
    let app = limited(|c| c.limits.mints_per_minute_per_identity = 3).await;
    let cookie = cookie_pair(&send(&app.from_client, None).await);
    send(&app.from_client, Some(&cookie)).await;
    send(&app.from_client, Some(&cookie)).await;
    assert_eq!(
        send(&app.from_client, Some(&cookie)).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    // Act
    tokio::time::advance(Duration::from_secs(19)).await;
    let too_early = send(&app.from_client, Some(&cookie)).await;
    tokio::time::advance(Duration::from_secs(1)).await;
    let one_token = send(&app.from_client, Some(&cookie)).await;
    let again_refused = send(&app.from_client, Some(&cookie)).await;
    tokio::time::advance(Duration::from_secs(60)).await;
    let full = send(&app.from_client, Some(&cookie)).await;

    // Assert
    assert_eq!(too_early.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        header(&too_early, "retry-after"),
        Some("1"),
        "one second left"
    );
    assert_allowed(&one_token, "0");
    assert_eq!(again_refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_allowed(&full, "2");
}

#[tokio::test(start_paused = true)]
async fn the_per_ip_bucket_counts_every_visitor_from_one_address() {
    // Arrange
    let app = limited(|c| {
        c.limits.mints_per_minute_per_identity = 100;
        c.limits.mints_per_minute_per_ip = 3;
    })
    .await;

    // Act: three different visitors (no cookie: a new identity each time), one address.
    let mut allowed = Vec::new();
    for _ in 0..3 {
        allowed.push(send(&app.from_client, None).await);
    }
    let refused = send(&app.from_client, None).await;
    let other_address = send(&app.from_other_client, None).await;
    tokio::time::advance(Duration::from_secs(20)).await;
    let refilled = send(&app.from_client, None).await;

    // Assert
    let cookies: Vec<String> = allowed.iter().map(cookie_pair).collect();
    assert!(
        cookies[0] != cookies[1] && cookies[1] != cookies[2],
        "three different identities"
    );
    for (response, remaining) in allowed.iter().zip(["2", "1", "0"]) {
        assert_allowed(response, remaining);
    }
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(header(&refused, "retry-after"), Some("20"));
    assert_eq!(header(&refused, "ratelimit-limit"), Some("3"));
    assert!(
        header(&refused, "set-cookie").is_some(),
        "a refused newcomer still gets an identity"
    );
    let body = body_json(refused).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("address")),
        "the message says which limit: {body}"
    );
    assert_allowed(&other_address, "2");
    assert_allowed(&refilled, "0");
}

#[tokio::test(start_paused = true)]
async fn the_identity_bucket_is_separate_from_the_ip_bucket() {
    // Arrange
    let app = limited(|c| {
        c.limits.mints_per_minute_per_identity = 2;
        c.limits.mints_per_minute_per_ip = 4;
    })
    .await;
    let cookie = cookie_pair(&send(&app.from_client, None).await);
    send(&app.from_client, Some(&cookie)).await;

    // Act
    let visitor_refused = send(&app.from_client, Some(&cookie)).await;
    let same_visitor_elsewhere = send(&app.from_other_client, Some(&cookie)).await;
    let new_visitor_same_address = send(&app.from_client, None).await;

    // Assert
    assert_eq!(
        visitor_refused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the visitor's own bucket is empty"
    );
    assert_eq!(header(&visitor_refused, "ratelimit-limit"), Some("2"));
    assert_eq!(
        same_visitor_elsewhere.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the identity bucket follows the visitor to another address"
    );
    assert_eq!(
        new_visitor_same_address.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "another visitor on the same address still has the IP bucket's tokens"
    );
    assert_eq!(
        header(&new_visitor_same_address, "ratelimit-limit"),
        Some("2"),
        "the tightest bucket is reported (a new visitor has 1 of 2 left, the IP 1 of 4)"
    );
}

#[tokio::test(start_paused = true)]
async fn turning_limits_off_removes_them() {
    // Arrange
    let app = limited(|c| {
        c.limits.enabled = false;
        c.limits.mints_per_minute_per_identity = 1;
        c.limits.mints_per_minute_per_ip = 1;
    })
    .await;
    let cookie = cookie_pair(&send(&app.from_client, None).await);

    for _ in 0..10 {
        // Act
        let response = send(&app.from_client, Some(&cookie)).await;

        // Assert
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "never 429 with limits off"
        );
        assert!(header(&response, "ratelimit-limit").is_none());
    }
}

#[tokio::test(start_paused = true)]
async fn non_minting_routes_are_not_limited() {
    // Arrange
    let app = limited(|c| {
        c.limits.mints_per_minute_per_identity = 1;
        c.limits.mints_per_minute_per_ip = 1;
    })
    .await;

    for _ in 0..5 {
        // Act
        let response = app
            .from_client
            .clone()
            .oneshot(
                Request::get("/healthz")
                    .body(Body::empty())
                    .expect("a request"),
            )
            .await
            .unwrap();

        // Assert
        assert_eq!(response.status(), StatusCode::OK);
    }
}
