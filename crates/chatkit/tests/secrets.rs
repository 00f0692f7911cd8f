//! The leak scan: every log line (TRACE, every target, human and JSON format) and every response
//! that is not a mint is searched for the API keys, the JWT secret, the cookie key, bearer tokens
//! and every client secret the server handed out.
//!
//! Its own test binary: it installs the process-wide log subscriber.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chatkit::config::Secret;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use helpers::{
    COOKIE, Reply, SERVER_KEY, TestApp, bare_client, cookie_client, eventually, spawn_app,
};

const BYO_KEY: &str = "sk-user-byo-secret-123";
const JWT_SECRET: &str = "jwt-secret-for-the-leak-scan-0123456789abcdef";
const COOKIE_KEY: &str = "cookie-key-for-the-leak-scan-0123456789abcdef";
const LEGACY_ID: &str = "user_0b7e0d4e-3f0c-4a39-9e57-1c8a2f1d9b11";

/// A log sink shared by the subscriber and the test.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer")).into_owned()
    }
}

impl io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;

    fn make_writer(&'a self) -> Buffer {
        self.clone()
    }
}

/// Every response of the run: mints (which carry a client secret by design) and the rest.
#[derive(Default)]
struct Seen {
    client_secrets: Vec<String>,
    tokens: Vec<String>,
    others: Vec<(String, String)>,
}

impl Seen {
    /// Sends `request`; a 200 from a minting route is a mint, everything else is scanned.
    async fn send(&mut self, what: &str, request: RequestBuilder, minting: bool) -> Reply {
        let reply = Reply::read(request.send().await.expect("sent")).await;
        if minting && reply.status.is_success() {
            reply.assert_minted();
            self.client_secrets.push(reply.client_secret());
        } else {
            let headers: String = reply
                .headers
                .iter()
                .map(|(name, value)| {
                    format!("{name}: {}\n", String::from_utf8_lossy(value.as_bytes()))
                })
                .collect();
            self.others.push((
                format!("{what} -> {}", reply.status),
                format!("{headers}\n{}", reply.text),
            ));
        }
        reply
    }

    fn secrets(&self) -> Vec<(String, String)> {
        let mut all = vec![
            ("the server key".to_owned(), SERVER_KEY.to_owned()),
            ("the BYO key".to_owned(), BYO_KEY.to_owned()),
            ("the JWT secret".to_owned(), JWT_SECRET.to_owned()),
            ("the cookie key".to_owned(), COOKIE_KEY.to_owned()),
        ];
        all.extend(
            self.client_secrets
                .iter()
                .map(|s| ("a client secret".to_owned(), s.clone())),
        );
        all.extend(
            self.tokens
                .iter()
                .map(|t| ("a bearer token".to_owned(), t.clone())),
        );
        all
    }
}

fn token(secret: &str, sub: &str, exp_offset: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": sub, "exp": now + exp_offset, "plan": "pro"}),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("a token")
}

fn post(client: &reqwest::Client, app: &TestApp, path: &str, body: &Value) -> RequestBuilder {
    client.post(app.url(path)).json(body)
}

#[tokio::test]
async fn no_log_line_and_no_response_but_a_mint_carries_a_key_or_a_secret() {
    // Arrange: capture everything, in both formats.
    let human = Buffer::default();
    let json_lines = Buffer::default();
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(human.clone()),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(true)
                .with_span_list(true)
                .with_writer(json_lines.clone()),
        )
        .with(tracing_subscriber::filter::LevelFilter::TRACE)
        .init();

    let faults = ["wf_400", "wf_401", "wf_403", "wf_404", "wf_429", "wf_500"];
    let app = spawn_app(|c| {
        c.identity.cookie_key = Some(Secret::new(COOKIE_KEY));
        c.auth.jwt_secret = Some(Secret::new(JWT_SECRET));
        c.auth.state_claims = vec!["plan".into()];
        c.hosted.workflows = faults.map(String::from).to_vec();
        c.openai.max_retries = 1;
        c.openai.retry_base_ms = 1;
        c.hosted.cancel_grace_secs = 0;
    })
    .await;
    tracing::debug!(config = ?app.config, "the effective configuration");
    tracing::debug!(toml = %app.config.to_redacted_toml(), "the effective configuration as TOML");
    let visitor = cookie_client();
    let stranger = cookie_client();
    let mut seen = Seen::default();

    // Act: the broad run.
    let first = seen
        .send(
            "mint",
            post(&visitor, &app, "/api/chatkit/session", &json!({})),
            true,
        )
        .await;
    let first_secret = first.client_secret();
    seen.send(
        "alias mint",
        post(&visitor, &app, "/api/session", &json!({})),
        true,
    )
    .await;
    seen.send(
        "starter mint",
        post(&visitor, &app, "/api/create-session", &json!({})),
        true,
    )
    .await;
    let stolen = seen
        .send(
            "refresh of another visitor's secret",
            post(
                &stranger,
                &app,
                "/api/chatkit/refresh",
                &json!({"current_client_secret": first_secret}),
            ),
            true,
        )
        .await;
    assert_eq!(stolen.error_code(), "client_secret_not_owned");
    seen.send(
        "refresh",
        post(
            &visitor,
            &app,
            "/api/chatkit/refresh",
            &json!({"current_client_secret": first_secret}),
        ),
        true,
    )
    .await;
    seen.send(
        "refresh without a secret",
        post(&visitor, &app, "/api/chatkit/refresh", &json!({})),
        true,
    )
    .await;
    let byo = seen
        .send(
            "BYO mint",
            post(
                &visitor,
                &app,
                "/api/create-session",
                &json!({"workflow_id": "wf_byo", "api_key": BYO_KEY}),
            ),
            true,
        )
        .await;
    let byo_secret = byo.client_secret();
    seen.send(
        "BYO re-mint cancelling the previous one",
        post(
            &visitor,
            &app,
            "/api/create-session",
            &json!({"workflow_id": "wf_byo", "api_key": BYO_KEY, "current_client_secret": byo_secret}),
        ),
        true,
    )
    .await;
    seen.send(
        "refresh of a BYO secret on the server key",
        post(
            &visitor,
            &app,
            "/api/chatkit/refresh",
            &json!({"current_client_secret": byo_secret}),
        ),
        true,
    )
    .await;
    for workflow in ["wf_401", "wf_403", "wf_400"] {
        seen.send(
            &format!("BYO {workflow}"),
            post(
                &visitor,
                &app,
                "/api/create-session",
                &json!({"workflow_id": workflow, "api_key": BYO_KEY}),
            ),
            true,
        )
        .await;
    }
    seen.send(
        "a BYO key in a body of the wrong shape",
        post(
            &visitor,
            &app,
            "/api/create-session",
            &json!({"workflow_id": 5, "api_key": BYO_KEY}),
        ),
        true,
    )
    .await;
    seen.send(
        "a BYO key in malformed JSON",
        visitor
            .post(app.url("/api/create-session"))
            .header("content-type", "application/json")
            .body(format!("{{\"api_key\": \"{BYO_KEY}\", ")),
        true,
    )
    .await;
    for workflow in faults {
        seen.send(
            &format!("server-key {workflow}"),
            post(
                &visitor,
                &app,
                "/api/chatkit/session",
                &json!({"workflow_id": workflow}),
            ),
            true,
        )
        .await;
    }
    let good_token = token(JWT_SECRET, "user-jwt-1", 600);
    let forged_token = token("some-other-secret-0123456789abcdef", "user-jwt-1", 600);
    let expired_token = token(JWT_SECRET, "user-jwt-1", -3_600);
    seen.tokens = vec![
        good_token.clone(),
        forged_token.clone(),
        expired_token.clone(),
    ];
    for (what, token) in [
        ("JWT mint", &good_token),
        ("forged JWT", &forged_token),
        ("expired JWT", &expired_token),
    ] {
        seen.send(
            what,
            post(&bare_client(), &app, "/api/chatkit/session", &json!({})).bearer_auth(token),
            true,
        )
        .await;
    }
    seen.send(
        "legacy cookie adoption",
        post(&bare_client(), &app, "/api/chatkit/session", &json!({}))
            .header("cookie", format!("{COOKIE}={LEGACY_ID}")),
        true,
    )
    .await;
    seen.send(
        "foreign origin",
        post(&visitor, &app, "/api/chatkit/session", &json!({}))
            .header("origin", "https://evil.example.net"),
        true,
    )
    .await;
    let settled = eventually(Duration::from_secs(2), || app.upstream_cancels().len() >= 2).await;
    assert!(
        settled,
        "the refresh and the BYO re-mint cancelled their predecessors"
    );
    for (what, method, path) in [
        ("healthz", Method::GET, "/healthz"),
        ("readyz", Method::GET, "/readyz"),
        ("status", Method::GET, "/api/status"),
        ("metrics", Method::GET, "/metrics"),
        ("unknown API route", Method::GET, "/api/nope"),
        ("wrong method", Method::GET, "/api/chatkit/refresh"),
        ("page", Method::GET, "/"),
    ] {
        seen.send(what, visitor.request(method, app.url(path)), false)
            .await;
    }

    // Assert
    assert!(
        seen.client_secrets.len() >= 8,
        "the run minted: {} secrets",
        seen.client_secrets.len()
    );
    let human = human.text();
    let json_text = json_lines.text();
    assert!(
        human.contains("upstream call failed") && human.contains("handled"),
        "the scan read real logs:\n{}",
        &human[..human.len().min(2_000)]
    );
    for line in json_text.lines().filter(|l| !l.trim().is_empty()) {
        serde_json::from_str::<Value>(line)
            .unwrap_or_else(|err| panic!("a JSON log line ({err}): {line}"));
    }
    let secrets = seen.secrets();
    for (format, logs) in [("human", &human), ("JSON", &json_text)] {
        for line in logs.lines() {
            for (what, secret) in &secrets {
                assert!(
                    !line.contains(secret.as_str()),
                    "a {format} log line carries {what}: {line}"
                );
            }
        }
    }
    for (what_response, text) in &seen.others {
        for (what, secret) in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "the response to {what_response} carries {what}:\n{text}"
            );
        }
        assert!(
            !text.contains("Incorrect API key provided"),
            "the response to {what_response} carries the upstream's message:\n{text}"
        );
    }
    assert!(
        seen.others.len() >= 20,
        "the scan read the non-mint responses: {}",
        seen.others.len()
    );
}
