//! Typed, layered configuration: defaults -> `chatkit.toml` -> `.env` -> `.env.local` -> the
//! process environment. Every setting and its environment names live in [`settings::SETTINGS`].
//! Invalid values fail at start-up with the key, the value and the allowed range; all problems are
//! reported at once.

pub mod settings;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use chatkit_types::sessions::StateValue;
use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use self::settings::{Kind, SETTINGS};

/// A secret setting: `Debug` and `Serialize` print `[redacted]`, never the value.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("[redacted]")
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listener, data directory, CORS, proxies, limits of the HTTP layer.
    pub server: ServerConfig,
    /// Logging.
    pub log: LogConfig,
    /// The OpenAI API (or a compatible server, or the simulator).
    pub openai: OpenAiConfig,
    /// Hosted mode: session minting for Agent Builder workflows.
    pub hosted: HostedConfig,
    /// Visitor identity (the signed cookie).
    pub identity: IdentityConfig,
    /// Bearer JWT authentication.
    pub auth: AuthConfig,
    /// Our own rate limits on minting routes.
    pub limits: LimitsConfig,
    /// Where threads and items are stored.
    pub database: DatabaseConfig,
    /// The custom-mode protocol endpoint.
    pub protocol: ProtocolConfig,
    /// Custom-mode attachments (uploads, previews).
    pub attachments: AttachmentsConfig,
    /// The agents served in custom mode.
    pub agents: AgentsConfig,
    /// Set by `serve --demo`: the upstream is the in-process simulator.
    #[serde(skip_deserializing)]
    pub demo: bool,
    /// Set by `serve --demo`: where this server listens (`http://127.0.0.1:8787`), for the demo
    /// order service the support example calls.
    #[serde(skip)]
    pub demo_origin: Option<String>,
}

/// `[server]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Listen address.
    pub host: IpAddr,
    /// Listen port; 0 picks a free one.
    pub port: u16,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Allowed cross-origin front ends.
    pub cors_origins: Vec<String>,
    /// Proxies whose forwarding headers are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// Largest JSON body in bytes.
    pub body_limit_bytes: usize,
    /// Time allowed to produce response headers.
    pub request_timeout_secs: u64,
    /// Separate listener for `/metrics`.
    pub metrics_addr: Option<SocketAddr>,
    /// The origin browsers reach this server at (for upload and preview URLs); unset: taken
    /// from each request's `Host`.
    pub public_url: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 8787,
            data_dir: PathBuf::from("./data"),
            cors_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            body_limit_bytes: 64 * 1024,
            request_timeout_secs: 30,
            metrics_addr: None,
            public_url: None,
        }
    }
}

/// `[log]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// Line format.
    pub format: LogFormat,
    /// A `tracing` filter directive.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            filter: "info".into(),
        }
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable, for a terminal.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// `[openai]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenAiConfig {
    /// Server API key.
    pub api_key: Option<Secret>,
    /// API origin without `/v1`. Resolved at load time.
    pub api_base: Option<String>,
    /// Model API base with `/v1`. Resolved at load time.
    pub base_url: Option<String>,
    /// Domain key for custom-mode pages.
    pub domain_key: Option<String>,
    /// `OpenAI-Organization`.
    pub organization: Option<String>,
    /// `OpenAI-Project`.
    pub project: Option<String>,
    /// Connect timeout.
    pub connect_timeout_ms: u64,
    /// Total time for one operation, retries included.
    pub timeout_ms: u64,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff delay.
    pub retry_base_ms: u64,
}

impl Default for OpenAiConfig {
    fn default() -> Self {
        Self {
            api_key: None,
            api_base: None,
            base_url: None,
            domain_key: None,
            organization: None,
            project: None,
            connect_timeout_ms: 5_000,
            timeout_ms: 15_000,
            max_retries: 2,
            retry_base_ms: 500,
        }
    }
}

impl OpenAiConfig {
    /// The resolved API origin (no `/v1`).
    pub fn api_base(&self) -> &str {
        self.api_base.as_deref().unwrap_or(DEFAULT_API_BASE)
    }
}

/// The real OpenAI API origin.
pub const DEFAULT_API_BASE: &str = "https://api.openai.com";

/// `[hosted]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HostedConfig {
    /// Default workflow.
    pub workflow_id: Option<String>,
    /// More allowed workflows.
    pub workflows: Vec<String>,
    /// Pinned version.
    pub workflow_version: Option<String>,
    /// State variables sent with every mint.
    pub state_variables: BTreeMap<String, StateValue>,
    /// `expires_after.seconds`.
    pub session_ttl_secs: u32,
    /// Upstream per-secret limit.
    pub max_requests_per_minute: u32,
    /// Widget uploads.
    pub enable_uploads: bool,
    /// Files per session.
    pub max_files: u32,
    /// Largest file in MB.
    pub max_file_size_mb: u32,
    /// Thread history.
    pub history: bool,
    /// Recent threads shown.
    pub recent_threads: Option<u32>,
    /// Automatic titles.
    pub thread_titling: bool,
    /// Workflow tracing; `None` leaves the upstream default.
    pub tracing: Option<bool>,
    /// Bring-your-own-key route; `None` means on unless `auth.required`.
    pub byo_key: Option<bool>,
    /// BYO mints may name any workflow.
    pub byo_any_workflow: bool,
    /// Cancel superseded sessions after refresh.
    pub cancel_superseded: bool,
    /// Grace period before that cancel.
    pub cancel_grace_secs: u64,
}

impl Default for HostedConfig {
    fn default() -> Self {
        Self {
            workflow_id: None,
            workflows: Vec::new(),
            workflow_version: None,
            state_variables: BTreeMap::new(),
            session_ttl_secs: 600,
            max_requests_per_minute: 10,
            enable_uploads: true,
            max_files: 5,
            max_file_size_mb: 10,
            history: true,
            recent_threads: None,
            thread_titling: true,
            tracing: None,
            byo_key: None,
            byo_any_workflow: true,
            cancel_superseded: true,
            cancel_grace_secs: 30,
        }
    }
}

impl HostedConfig {
    /// Whether `workflow` may be requested with the server key.
    pub fn allows(&self, workflow: &str) -> bool {
        self.workflow_id.as_deref() == Some(workflow)
            || self.workflows.iter().any(|w| w == workflow)
    }
}

/// `[identity]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IdentityConfig {
    /// Cookie name.
    pub cookie_name: String,
    /// Always `Secure`.
    pub secure_cookie: bool,
    /// Signing key; generated and persisted when absent.
    pub cookie_key: Option<Secret>,
    /// Lifetime in days.
    pub cookie_max_age_days: u32,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            cookie_name: "chatkit_session_id".into(),
            secure_cookie: false,
            cookie_key: None,
            cookie_max_age_days: 30,
        }
    }
}

/// `[auth]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Anonymous callers get 401.
    pub required: bool,
    /// HS256 secret.
    pub jwt_secret: Option<Secret>,
    /// JWKS URL.
    pub jwks_url: Option<String>,
    /// Required issuer.
    pub issuer: Option<String>,
    /// Required audience.
    pub audience: Option<String>,
    /// Allowed clock skew.
    pub leeway_secs: u64,
    /// Claims copied into state variables.
    pub state_claims: Vec<String>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            required: false,
            jwt_secret: None,
            jwks_url: None,
            issuer: None,
            audience: None,
            leeway_secs: 30,
            state_claims: Vec::new(),
        }
    }
}

impl AuthConfig {
    /// Whether bearer JWTs can be verified at all.
    pub fn jwt_enabled(&self) -> bool {
        self.jwt_secret.is_some() || self.jwks_url.is_some()
    }
}

/// `[limits]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Limits on or off.
    pub enabled: bool,
    /// Per identity.
    pub mints_per_minute_per_identity: u32,
    /// Per client IP.
    pub mints_per_minute_per_ip: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            mints_per_minute_per_identity: 30,
            mints_per_minute_per_ip: 120,
        }
    }
}

/// `[database]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://…` or `postgres://…`; `None` is SQLite in the data directory.
    pub url: Option<Secret>,
}

impl DatabaseConfig {
    /// The store URL to connect to.
    pub fn resolved_url(&self, data_dir: &Path) -> String {
        match &self.url {
            Some(url) => url.expose().to_owned(),
            None => format!(
                "sqlite://{}?mode=rwc",
                data_dir.join("chatkit.db").display()
            ),
        }
    }
}

/// `[protocol]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProtocolConfig {
    /// The agent `POST /chatkit` serves.
    pub default_agent: String,
    /// A scripted agent served under this id.
    pub scripted_agent: Option<String>,
    /// Largest request body.
    pub body_limit_bytes: usize,
    /// SSE comment interval on quiet streams.
    pub heartbeat_secs: Option<u64>,
    /// Longest a reply may stream.
    pub stream_timeout_secs: u64,
    /// Longest a reply may go without an event.
    pub idle_timeout_secs: u64,
    /// Per-visitor stream limits on or off.
    pub stream_limits: bool,
    /// Concurrent streamed replies per visitor.
    pub max_streams_per_identity: u32,
    /// Streamed replies started per minute per visitor.
    pub messages_per_minute_per_identity: u32,
}

impl Default for ProtocolConfig {
    fn default() -> Self {
        Self {
            default_agent: "default".into(),
            scripted_agent: None,
            body_limit_bytes: 8 * 1024 * 1024,
            heartbeat_secs: None,
            stream_timeout_secs: 600,
            idle_timeout_secs: 120,
            stream_limits: true,
            max_streams_per_identity: 4,
            messages_per_minute_per_identity: 60,
        }
    }
}

/// `[agents]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentsConfig {
    /// Agent files or directories of them (`*.toml`).
    pub paths: Vec<String>,
    /// The model of the built-in assistant served when no agent files are configured.
    pub model: String,
}

impl Default for AgentsConfig {
    fn default() -> Self {
        Self {
            paths: Vec::new(),
            model: "gpt-5-mini".into(),
        }
    }
}

/// `[attachments]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttachmentsConfig {
    /// `attachments.create`/`delete` and the upload routes on or off.
    pub enabled: bool,
    /// Largest attachment in MiB.
    pub max_file_size_mb: u32,
    /// MIME types accepted (`type/*` accepts a whole family).
    pub allowed_mime_types: Vec<String>,
    /// Lifetime of signed upload and preview URLs.
    pub url_ttl_secs: u64,
}

impl AttachmentsConfig {
    /// The size limit in bytes.
    pub fn max_bytes(&self) -> u64 {
        u64::from(self.max_file_size_mb) * 1024 * 1024
    }

    /// Whether `mime_type` (already lower-cased, without parameters) is allowed.
    pub fn allows(&self, mime_type: &str) -> bool {
        self.allowed_mime_types.iter().any(|allowed| {
            allowed == mime_type
                || allowed.strip_suffix("/*").is_some_and(|family| {
                    mime_type
                        .split_once('/')
                        .is_some_and(|(kind, _)| kind == family)
                })
        })
    }
}

impl Default for AttachmentsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_file_size_mb: 20,
            allowed_mime_types: [
                "image/png",
                "image/jpeg",
                "image/gif",
                "image/webp",
                "application/pdf",
                "text/plain",
                "text/markdown",
                "text/csv",
                "application/json",
            ]
            .map(String::from)
            .to_vec(),
            url_ttl_secs: 300,
        }
    }
}

/// Why the configuration was refused: every problem found, one per line.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .problems.join("\n  - "))]
pub struct ConfigError {
    /// Each problem names the key (and environment name), the value and what is allowed.
    pub problems: Vec<String>,
}

impl ConfigError {
    fn one(problem: String) -> Self {
        Self {
            problems: vec![problem],
        }
    }
}

impl Config {
    /// Whether the bring-your-own-key route is on.
    pub fn byo_key_enabled(&self) -> bool {
        self.hosted.byo_key.unwrap_or(!self.auth.required)
    }

    /// Loads the configuration the way `chatkit serve` does: `config_path` (or `./chatkit.toml`
    /// if present), then `.env` and `.env.local` in the working directory, then the environment.
    pub fn load(config_path: Option<&Path>) -> Result<Config, ConfigError> {
        let toml_text = match config_path {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|err| {
                ConfigError::one(format!("cannot read {}: {err}", path.display()))
            })?),
            None => std::fs::read_to_string("chatkit.toml").ok(),
        };
        let mut env: HashMap<String, String> = HashMap::new();
        for file in [".env", ".env.local"] {
            if let Ok(iter) = dotenvy::from_filename_iter(file) {
                for item in iter {
                    let (key, value) = item
                        .map_err(|err| ConfigError::one(format!("cannot parse {file}: {err}")))?;
                    env.insert(key, value);
                }
            }
        }
        env.extend(std::env::vars());
        Self::from_sources(toml_text.as_deref(), &env)
    }

    /// Builds a configuration from TOML text and an environment map (the testable core of
    /// [`Config::load`]).
    pub fn from_sources(
        toml_text: Option<&str>,
        env: &HashMap<String, String>,
    ) -> Result<Config, ConfigError> {
        let mut table: toml::Table = match toml_text {
            Some(text) => text
                .parse()
                .map_err(|err| ConfigError::one(format!("chatkit.toml: {err}")))?,
            None => toml::Table::new(),
        };
        let mut problems = Vec::new();
        for setting in SETTINGS {
            let Some((name, raw)) = setting.env.iter().find_map(|name| {
                env.get(*name)
                    .filter(|v| !v.trim().is_empty())
                    .map(|v| (*name, v))
            }) else {
                continue;
            };
            match env_value(setting.kind, raw) {
                Ok(value) => insert_at(&mut table, setting.key, value),
                Err(expected) => problems.push(format!(
                    "{name} ({}) = {:?}: expected {expected}",
                    setting.key,
                    redact_if_secret(setting.key, raw)
                )),
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        let mut config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|err: toml::de::Error| ConfigError::one(format!("configuration: {err}")))?;
        config.resolve_and_validate()?;
        Ok(config)
    }

    /// Fills derived values and checks every range; called by the loaders and by `--demo`.
    pub fn resolve_and_validate(&mut self) -> Result<(), ConfigError> {
        let mut problems = Problems::default();

        // The API origin and the model base URL derive from each other.
        let api_base = self.openai.api_base.clone();
        let base_url = self.openai.base_url.clone();
        let api_base = match (api_base, &base_url) {
            (Some(base), _) => base,
            (None, Some(url)) => url.trim_end_matches('/').trim_end_matches("/v1").to_owned(),
            (None, None) => DEFAULT_API_BASE.to_owned(),
        };
        let api_base = api_base.trim_end_matches('/').to_owned();
        problems.check(
            is_http_url(&api_base),
            "openai.api_base",
            format!("{api_base:?}"),
            "an http(s) origin",
        );
        problems.check(
            !api_base.ends_with("/v1"),
            "openai.api_base",
            format!("{api_base:?}"),
            "the origin without `/v1` (set OPENAI_BASE_URL for the `/v1` form)",
        );
        let base_url = base_url.unwrap_or_else(|| format!("{api_base}/v1"));
        problems.check(
            is_http_url(&base_url),
            "openai.base_url",
            format!("{base_url:?}"),
            "an http(s) URL",
        );
        self.openai.api_base = Some(api_base);
        self.openai.base_url = Some(base_url.trim_end_matches('/').to_owned());

        let o = &self.openai;
        problems.in_range(
            "openai.connect_timeout_ms",
            o.connect_timeout_ms,
            100..=60_000,
        );
        problems.in_range("openai.timeout_ms", o.timeout_ms, 100..=300_000);
        problems.in_range("openai.max_retries", u64::from(o.max_retries), 0..=5);
        problems.in_range("openai.retry_base_ms", o.retry_base_ms, 1..=10_000);

        let s = &self.server;
        problems.in_range(
            "server.body_limit_bytes",
            s.body_limit_bytes as u64,
            1024..=16 * 1024 * 1024,
        );
        problems.in_range(
            "server.request_timeout_secs",
            s.request_timeout_secs,
            1..=600,
        );
        for origin in &s.cors_origins {
            let origin = origin.trim();
            if origin == "*" || origin.eq_ignore_ascii_case("true") {
                problems.check(
                    false,
                    "server.cors_origins",
                    format!("{origin:?}"),
                    "only explicit origins. This value lets every website call the API with your \
                     visitors' cookies and mint sessions in their name. List your front-end origins \
                     instead, e.g. CHATKIT_CORS_ORIGIN=https://app.example.com,https://www.example.com \
                     (leave it unset when the page is served from this server: same-origin needs no CORS)",
                );
            } else {
                problems.check(
                    is_origin(origin),
                    "server.cors_origins",
                    format!("{origin:?}"),
                    "origins like https://app.example.com (scheme and host, no path)",
                );
            }
        }

        let h = &self.hosted;
        problems.in_range(
            "hosted.session_ttl_secs",
            u64::from(h.session_ttl_secs),
            1..=600,
        );
        problems.in_range(
            "hosted.max_requests_per_minute",
            u64::from(h.max_requests_per_minute),
            1..=u64::MAX,
        );
        problems.in_range("hosted.max_files", u64::from(h.max_files), 1..=u64::MAX);
        problems.in_range(
            "hosted.max_file_size_mb",
            u64::from(h.max_file_size_mb),
            1..=512,
        );
        if let Some(n) = h.recent_threads {
            problems.in_range("hosted.recent_threads", u64::from(n), 1..=u64::MAX);
        }
        problems.in_range("hosted.cancel_grace_secs", h.cancel_grace_secs, 0..=600);
        if let Some(version) = &h.workflow_version {
            problems.check(
                !version.trim().eq_ignore_ascii_case("latest") && !version.trim().is_empty(),
                "hosted.workflow_version",
                format!("{version:?}"),
                "a deployed version; leave it unset for the latest (the API accepts \"latest\" and then fails the chat)",
            );
        }
        for id in h.workflow_id.iter().chain(h.workflows.iter()) {
            problems.check(
                is_workflow_id(id),
                "hosted.workflow_id/workflows",
                format!("{id:?}"),
                "ids of 1..=128 characters from [A-Za-z0-9_-]",
            );
        }
        let state_count = h.state_variables.len() + self.auth.state_claims.len();
        problems.check(
            state_count <= 64,
            "hosted.state_variables",
            format!("{state_count} variables (with auth.state_claims)"),
            "at most 64",
        );
        for name in h
            .state_variables
            .keys()
            .chain(self.auth.state_claims.iter())
        {
            problems.check(
                !name.is_empty() && name.len() <= 64,
                "hosted.state_variables",
                format!("{name:?}"),
                "names of 1..=64 characters",
            );
        }

        let i = &self.identity;
        problems.check(
            is_cookie_name(&i.cookie_name),
            "identity.cookie_name",
            format!("{:?}", i.cookie_name),
            "letters, digits and !#$%&'*+-.^_`|~",
        );
        problems.in_range(
            "identity.cookie_max_age_days",
            u64::from(i.cookie_max_age_days),
            1..=400,
        );
        if let Some(key) = &i.cookie_key {
            problems.check(
                key.expose().len() >= 32,
                "identity.cookie_key",
                "[redacted]".into(),
                "at least 32 bytes",
            );
        }

        let a = &self.auth;
        problems.in_range("auth.leeway_secs", a.leeway_secs, 0..=300);
        if let Some(secret) = &a.jwt_secret {
            problems.check(
                secret.expose().len() >= 32,
                "auth.jwt_secret",
                "[redacted]".into(),
                "at least 32 bytes",
            );
        }
        if let Some(url) = &a.jwks_url {
            problems.check(
                is_http_url(url),
                "auth.jwks_url",
                format!("{url:?}"),
                "an http(s) URL",
            );
        }
        problems.check(
            !a.required || a.jwt_enabled(),
            "auth.required",
            "true".into(),
            "only with auth.jwt_secret (CHATKIT_JWT_SECRET) or auth.jwks_url (CHATKIT_JWKS_URL) set",
        );

        let p = &self.protocol;
        for (key, agent) in [
            ("protocol.default_agent", Some(&p.default_agent)),
            ("protocol.scripted_agent", p.scripted_agent.as_ref()),
        ] {
            if let Some(agent) = agent {
                problems.check(
                    is_workflow_id(agent),
                    key,
                    format!("{agent:?}"),
                    "ids of 1..=128 characters from [A-Za-z0-9_-]",
                );
            }
        }
        problems.in_range(
            "protocol.body_limit_bytes",
            p.body_limit_bytes as u64,
            1024..=64 * 1024 * 1024,
        );
        if let Some(secs) = p.heartbeat_secs {
            problems.in_range("protocol.heartbeat_secs", secs, 1..=300);
        }
        problems.in_range(
            "protocol.stream_timeout_secs",
            p.stream_timeout_secs,
            1..=3600,
        );
        problems.in_range("protocol.idle_timeout_secs", p.idle_timeout_secs, 1..=3600);
        problems.in_range(
            "protocol.max_streams_per_identity",
            u64::from(p.max_streams_per_identity),
            1..=1000,
        );
        problems.in_range(
            "protocol.messages_per_minute_per_identity",
            u64::from(p.messages_per_minute_per_identity),
            1..=100_000,
        );
        if let Some(url) = &self.database.url {
            let url = url.expose();
            problems.check(
                ["sqlite:", "postgres://", "postgresql://", "memory:"]
                    .iter()
                    .any(|scheme| url.starts_with(scheme)),
                "database.url",
                "[redacted]".into(),
                "a `sqlite://…`, `postgres://…` or `memory:` URL",
            );
        }

        if let Some(url) = &mut self.server.public_url {
            *url = url.trim_end_matches('/').to_ascii_lowercase();
        }
        if let Some(url) = &self.server.public_url {
            problems.check(
                is_origin(url),
                "server.public_url",
                format!("{url:?}"),
                "an origin like https://chat.example.com (scheme and host, no path)",
            );
        }
        let at = &self.attachments;
        problems.in_range(
            "attachments.max_file_size_mb",
            u64::from(at.max_file_size_mb),
            1..=512,
        );
        problems.in_range("attachments.url_ttl_secs", at.url_ttl_secs, 10..=3600);
        for mime in &at.allowed_mime_types {
            problems.check(
                is_mime_pattern(mime),
                "attachments.allowed_mime_types",
                format!("{mime:?}"),
                "lower-case MIME types like `image/png`, or a family like `image/*`",
            );
        }

        let l = &self.limits;
        problems.in_range(
            "limits.mints_per_minute_per_identity",
            u64::from(l.mints_per_minute_per_identity),
            1..=u64::MAX,
        );
        problems.in_range(
            "limits.mints_per_minute_per_ip",
            u64::from(l.mints_per_minute_per_ip),
            1..=u64::MAX,
        );
        problems.check(
            !self.agents.model.trim().is_empty(),
            "agents.model",
            format!("{:?}", self.agents.model),
            "a model name",
        );
        problems.check(
            self.agents.paths.iter().all(|p| !p.trim().is_empty()),
            "agents.paths",
            format!("{:?}", self.agents.paths),
            "file or directory paths",
        );

        problems.into_result()
    }

    /// The effective configuration as TOML, secrets redacted (what `check-config` prints).
    pub fn to_redacted_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|err| format!("# cannot render: {err}\n"))
    }
}

/// Problems found while validating, each naming the key, its environment names, the value and
/// what is allowed.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn check(&mut self, ok: bool, key: &str, value: String, allowed: &str) {
        if !ok {
            self.0
                .push(format!("{} = {value}: allowed {allowed}", describe(key)));
        }
    }

    /// A numeric setting within `range`; the message quotes the range from [`SETTINGS`].
    fn in_range(&mut self, key: &str, value: u64, range: std::ops::RangeInclusive<u64>) {
        let allowed = SETTINGS
            .iter()
            .find(|s| s.key == key)
            .map_or("another value", |s| s.range);
        self.check(range.contains(&value), key, value.to_string(), allowed);
    }

    fn into_result(self) -> Result<(), ConfigError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ConfigError { problems: self.0 })
        }
    }
}

/// `key (ENV_NAME)` for messages.
fn describe(key: &str) -> String {
    match SETTINGS.iter().find(|s| s.key == key).map(|s| s.env) {
        Some(env) if !env.is_empty() => format!("{key} ({})", env.join(" / ")),
        _ => key.to_owned(),
    }
}

fn redact_if_secret<'a>(key: &str, raw: &'a str) -> &'a str {
    if key.ends_with("api_key")
        || key.ends_with("_key")
        || key.ends_with("secret")
        || key == "database.url"
    {
        "[redacted]"
    } else {
        raw
    }
}

fn env_value(kind: Kind, raw: &str) -> Result<toml::Value, &'static str> {
    let raw = raw.trim();
    Ok(match kind {
        Kind::Str => toml::Value::String(raw.to_owned()),
        Kind::Int => toml::Value::Integer(raw.parse().map_err(|_| "a whole number")?),
        Kind::Bool => toml::Value::Boolean(match raw.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => return Err("true/false (or 1/0, yes/no, on/off)"),
        }),
        Kind::List => toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| toml::Value::String(item.to_owned()))
                .collect(),
        ),
    })
}

fn insert_at(table: &mut toml::Table, dotted: &str, value: toml::Value) {
    let (section, key) = dotted
        .split_once('.')
        .expect("setting keys are section.key");
    let entry = table
        .entry(section)
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if !entry.is_table() {
        *entry = toml::Value::Table(toml::Table::new());
    }
    if let toml::Value::Table(section) = entry {
        section.insert(key.to_owned(), value);
    }
}

fn is_http_url(value: &str) -> bool {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    matches!(rest, Some(rest) if !rest.is_empty() && !rest.starts_with('/') && !rest.contains(char::is_whitespace))
}

fn is_origin(value: &str) -> bool {
    is_http_url(value) && value.splitn(4, '/').nth(3).is_none()
}

fn is_mime_pattern(value: &str) -> bool {
    let token = |part: &str| {
        !part.is_empty()
            && part
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$&^_.+-".contains(&b))
    };
    value
        .split_once('/')
        .is_some_and(|(kind, sub)| token(kind) && (sub == "*" || token(sub)))
}

fn is_workflow_id(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn is_cookie_name(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests;
