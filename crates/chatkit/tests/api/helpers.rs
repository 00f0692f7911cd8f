//! Shared plumbing: a chatkit server on a free loopback port in front of its own simulator, a
//! cookie-keeping client, and small readers for replies and for what reached the simulator.

use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use chatkit::Config;
use chatkit::config::Secret;
use chatkit_sim::{RecordedRequest, SimHandle};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The server's own OpenAI key in every test.
pub(crate) const SERVER_KEY: &str = "sk-test-server-key";
/// The configured default workflow.
pub(crate) const DEFAULT_WORKFLOW: &str = "wf_default";
/// The default visitor cookie name.
pub(crate) const COOKIE: &str = "chatkit_session_id";

/// A running server, its simulator and a client that keeps cookies.
pub(crate) struct TestApp {
    /// Where the server listens.
    pub(crate) addr: SocketAddr,
    /// The simulator standing in for OpenAI (one per test).
    pub(crate) sim: SimHandle,
    /// A client with a cookie store, like a browser.
    pub(crate) client: reqwest::Client,
    /// The configuration the server runs with.
    pub(crate) config: Config,
    /// The server's data directory (kept alive as long as the app).
    pub(crate) data_dir: TempDir,
    _shutdown: oneshot::Sender<()>,
}

/// A reply, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) text: String,
    /// The body as JSON, or `Null` when it is not JSON.
    pub(crate) body: Value,
}

impl Reply {
    /// Reads a response whole.
    pub(crate) async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("the body is readable");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            body,
        }
    }

    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every `Set-Cookie` header.
    pub(crate) fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }

    /// The `Set-Cookie` for `name`, if the reply set it.
    pub(crate) fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// The value the reply set for cookie `name`.
    pub(crate) fn cookie_value(&self, name: &str) -> Option<String> {
        let cookie = self.set_cookie(name)?;
        let pair = cookie.split(';').next()?;
        Some(pair.split_once('=')?.1.to_owned())
    }

    /// `error.code` of an error reply ("" when absent).
    pub(crate) fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// `error.message` of an error reply ("" when absent).
    pub(crate) fn error_message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }

    /// `client_secret` of a mint reply.
    pub(crate) fn client_secret(&self) -> String {
        self.body["client_secret"]
            .as_str()
            .unwrap_or_else(|| panic!("no client_secret in {} {}", self.status, self.text))
            .to_owned()
    }

    /// Asserts a mint reply: 200 with exactly `client_secret`, `expires_at`, `session_id`.
    pub(crate) fn assert_minted(&self) {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "expected a mint, got {}",
            self.text
        );
        let mut keys: Vec<&str> = self
            .body
            .as_object()
            .expect("a JSON object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["client_secret", "expires_at", "session_id"],
            "the mint reply has exactly these fields"
        );
        assert!(
            self.body["client_secret"]
                .as_str()
                .is_some_and(|s| s.starts_with("ek_")),
            "client_secret is the upstream's: {}",
            self.text
        );
        assert!(
            self.body["expires_at"].as_i64().is_some_and(|t| t > 0),
            "expires_at is unix seconds"
        );
        assert!(
            self.body["session_id"]
                .as_str()
                .is_some_and(|s| s.starts_with("cksess_")),
            "session_id is the upstream's"
        );
    }

    /// Asserts an error reply: `status`, `code`, JSON, and the envelope holding exactly
    /// `{"error": {"code", "message"}}`.
    pub(crate) fn assert_error(&self, status: StatusCode, code: &str) {
        self.assert_error_shape(status, code, false);
    }

    /// Like [`Reply::assert_error`], for errors that carry `upstream_code`.
    pub(crate) fn assert_error_with_upstream_code(&self, status: StatusCode, code: &str) {
        self.assert_error_shape(status, code, true);
    }

    fn assert_error_shape(&self, status: StatusCode, code: &str, with_upstream_code: bool) {
        assert_eq!(self.status, status, "status of {}", self.text);
        assert_eq!(self.error_code(), code, "error code of {}", self.text);
        let top: Vec<&String> = self
            .body
            .as_object()
            .expect("a JSON object")
            .keys()
            .collect();
        assert_eq!(
            top,
            ["error"],
            "the envelope has only `error`: {}",
            self.text
        );
        let mut inner: Vec<&str> = self.body["error"]
            .as_object()
            .expect("`error` is an object")
            .keys()
            .map(String::as_str)
            .collect();
        inner.sort_unstable();
        let expected: &[&str] = if with_upstream_code {
            &["code", "message", "upstream_code"]
        } else {
            &["code", "message"]
        };
        assert_eq!(inner, expected, "the error fields of {}", self.text);
        assert!(
            !self.error_message().is_empty(),
            "the error has a message: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "errors are JSON"
        );
    }
}

/// The configuration every test starts from: the simulator at `api_base`, the server key, a
/// default workflow, quick retries, no cancel grace, and `data_dir`.
pub(crate) fn base_config(api_base: &str, data_dir: &Path) -> Config {
    let mut config =
        Config::from_sources(None, &HashMap::new()).expect("the defaults are a valid config");
    config.openai.api_base = Some(api_base.to_owned());
    config.openai.base_url = Some(format!("{api_base}/v1"));
    config.openai.api_key = Some(Secret::new(SERVER_KEY));
    config.openai.retry_base_ms = 10;
    config.hosted.workflow_id = Some(DEFAULT_WORKFLOW.to_owned());
    config.hosted.cancel_grace_secs = 0;
    config.server.data_dir = data_dir.to_path_buf();
    config
}

/// Starts a simulator and a server configured from [`base_config`] then `configure`.
pub(crate) async fn spawn_app(configure: impl FnOnce(&mut Config)) -> TestApp {
    let sim = SimHandle::spawn().await.expect("the simulator starts");
    let data_dir = tempfile::tempdir().expect("a temporary data directory");
    let mut config = base_config(&sim.base_url(), data_dir.path());
    configure(&mut config);
    config
        .resolve_and_validate()
        .expect("the test configuration is valid");
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let addr = listener.local_addr().expect("a bound address");
    let (shutdown, stop) = oneshot::channel::<()>();
    let served = config.clone();
    tokio::spawn(async move {
        let stopped = async move {
            let _ = stop.await;
        };
        if let Err(error) = chatkit::serve(served, listener, stopped).await {
            eprintln!("the test server failed: {error:#}");
        }
    });
    TestApp {
        addr,
        sim,
        client: cookie_client(),
        config,
        data_dir,
        _shutdown: shutdown,
    }
}

/// A client that keeps cookies, like a browser.
pub(crate) fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .no_proxy()
        .build()
        .expect("a client")
}

/// A client that keeps nothing, for requests whose cookies a test sets by hand.
pub(crate) fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
}

/// A free loopback port (bound, then released) for a listener the server opens itself.
pub(crate) async fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    listener.local_addr().expect("an address")
}

impl TestApp {
    /// `http://127.0.0.1:PORT{path}`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// This server's own origin.
    pub(crate) fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// POSTs JSON with the cookie-keeping client.
    pub(crate) async fn post_json(&self, path: &str, body: &Value) -> Reply {
        Reply::read(
            self.client
                .post(self.url(path))
                .json(body)
                .send()
                .await
                .expect("the request is sent"),
        )
        .await
    }

    /// GETs with the cookie-keeping client.
    pub(crate) async fn get(&self, path: &str) -> Reply {
        Reply::read(
            self.client
                .get(self.url(path))
                .send()
                .await
                .expect("the request is sent"),
        )
        .await
    }

    /// `POST /api/chatkit/session`.
    pub(crate) async fn post_session(&self, body: &Value) -> Reply {
        self.post_json("/api/chatkit/session", body).await
    }

    /// `POST /api/chatkit/refresh` for `secret`.
    pub(crate) async fn post_refresh(&self, secret: &str) -> Reply {
        self.post_json(
            "/api/chatkit/refresh",
            &json!({ "current_client_secret": secret }),
        )
        .await
    }

    /// `POST /api/create-session`.
    pub(crate) async fn post_create_session(&self, body: &Value) -> Reply {
        self.post_json("/api/create-session", body).await
    }

    /// Every request the simulator received.
    pub(crate) fn upstream(&self) -> Vec<RecordedRequest> {
        self.sim.sim.requests()
    }

    /// The session-create calls the simulator received.
    pub(crate) fn upstream_creates(&self) -> Vec<RecordedRequest> {
        self.upstream()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path == "/v1/chatkit/sessions")
            .collect()
    }

    /// The last session-create call the simulator received.
    pub(crate) fn last_create(&self) -> RecordedRequest {
        self.upstream_creates()
            .pop()
            .expect("the server called the sessions API")
    }

    /// The session-cancel calls the simulator received.
    pub(crate) fn upstream_cancels(&self) -> Vec<RecordedRequest> {
        self.upstream()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/cancel"))
            .collect()
    }

    /// The upstream `user` of the last create call.
    pub(crate) fn last_upstream_user(&self) -> String {
        self.last_create().body["user"]
            .as_str()
            .expect("`user` is a string")
            .to_owned()
    }
}

/// Polls `check` until it holds or `within` passes; background work (a cancel after the grace
/// period) is real I/O, so it is awaited, not timed.
pub(crate) async fn eventually(within: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if check() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs `future`, returning its output and how long it took.
pub(crate) async fn timed<T>(future: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = future.await;
    (out, started.elapsed())
}
