//! The table of every setting: its TOML key, the environment names that set it, its default and
//! its allowed range. This one table drives the environment overlay, `check-config` and the
//! configuration table in the README (a test keeps the README in step with it).

/// How an environment value is turned into a TOML value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Taken as it is.
    Str,
    /// A whole number.
    Int,
    /// `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`.
    Bool,
    /// Comma-separated; blanks dropped.
    List,
}

/// One configuration setting.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// Dotted TOML key, e.g. `server.port`.
    pub key: &'static str,
    /// Environment names, first match wins (empty values count as unset).
    pub env: &'static [&'static str],
    /// How environment values are parsed.
    pub kind: Kind,
    /// The default, as documented.
    pub default: &'static str,
    /// The allowed values.
    pub range: &'static str,
    /// What it does.
    pub help: &'static str,
}

const fn s(
    key: &'static str,
    env: &'static [&'static str],
    kind: Kind,
    default: &'static str,
    range: &'static str,
    help: &'static str,
) -> Setting {
    Setting {
        key,
        env,
        kind,
        default,
        range,
        help,
    }
}

use Kind::{Bool, Int, List, Str};

/// Every setting, grouped by section.
pub const SETTINGS: &[Setting] = &[
    s(
        "server.host",
        &["HOST"],
        Str,
        "127.0.0.1",
        "an IP address",
        "Address to listen on.",
    ),
    s(
        "server.port",
        &["PORT", "CHATKIT_PORT"],
        Int,
        "8787",
        "0..=65535 (0 picks a free port)",
        "Port to listen on.",
    ),
    s(
        "server.data_dir",
        &["CHATKIT_DATA_DIR"],
        Str,
        "./data",
        "a writable directory",
        "Holds the SQLite file, the cookie key and uploads.",
    ),
    s(
        "server.cors_origins",
        &["CHATKIT_CORS_ORIGIN"],
        List,
        "[] (same-origin only)",
        "origins like `https://app.example.com`; `*` and `true` are refused",
        "Cross-origin front ends allowed to call the API with credentials.",
    ),
    s(
        "server.trusted_proxies",
        &["CHATKIT_TRUSTED_PROXIES"],
        List,
        "[]",
        "IP addresses or CIDR ranges",
        "Peers whose `X-Forwarded-For`/`X-Forwarded-Proto` are believed.",
    ),
    s(
        "server.body_limit_bytes",
        &["CHATKIT_BODY_LIMIT_BYTES"],
        Int,
        "65536",
        "1024..=16777216",
        "Largest JSON request body.",
    ),
    s(
        "server.request_timeout_secs",
        &["CHATKIT_REQUEST_TIMEOUT_SECS"],
        Int,
        "30",
        "1..=600",
        "Time to produce response headers.",
    ),
    s(
        "server.metrics_addr",
        &["CHATKIT_METRICS_ADDR"],
        Str,
        "unset (`/metrics` on the main port)",
        "`host:port`",
        "Serve `/metrics` on its own listener instead.",
    ),
    s(
        "server.public_url",
        &["CHATKIT_PUBLIC_URL"],
        Str,
        "unset (each request's `Host`)",
        "an http(s) origin, no path",
        "The origin browsers reach this server at; used in attachment upload and preview URLs.",
    ),
    s(
        "log.format",
        &["LOG_FORMAT"],
        Str,
        "pretty",
        "`pretty` or `json`",
        "Log line format.",
    ),
    s(
        "log.filter",
        &["RUST_LOG"],
        Str,
        "info",
        "a tracing filter",
        "Which log lines to keep.",
    ),
    s(
        "openai.api_key",
        &["OPENAI_API_KEY"],
        Str,
        "unset",
        "secret",
        "Server key for hosted sessions. Without it the hosted routes answer 503 `not_configured`.",
    ),
    s(
        "openai.api_base",
        &["CHATKIT_API_BASE"],
        Str,
        "https://api.openai.com",
        "http(s) origin, no `/v1`",
        "Origin of the OpenAI API (sessions calls go to `{api_base}/v1/chatkit/sessions`).",
    ),
    s(
        "openai.base_url",
        &["OPENAI_BASE_URL"],
        Str,
        "`{api_base}/v1`",
        "http(s) URL ending in `/v1`",
        "Model API base as the SDKs use it; when only this is set, `api_base` is derived from it.",
    ),
    s(
        "openai.domain_key",
        &["OPENAI_DOMAIN_KEY", "VITE_CHATKIT_DOMAIN_KEY"],
        Str,
        "unset",
        "`domain_pk_…`",
        "Domain key handed to custom-mode pages.",
    ),
    s(
        "openai.organization",
        &["OPENAI_ORG_ID"],
        Str,
        "unset",
        "`org_…`",
        "Sent as `OpenAI-Organization`.",
    ),
    s(
        "openai.project",
        &["OPENAI_PROJECT_ID"],
        Str,
        "unset",
        "`proj_…`",
        "Sent as `OpenAI-Project`.",
    ),
    s(
        "openai.connect_timeout_ms",
        &["CHATKIT_UPSTREAM_CONNECT_TIMEOUT_MS"],
        Int,
        "5000",
        "100..=60000",
        "Connect timeout for upstream calls.",
    ),
    s(
        "openai.timeout_ms",
        &["CHATKIT_UPSTREAM_TIMEOUT_MS"],
        Int,
        "15000",
        "100..=300000",
        "Total time for one upstream operation, retries included.",
    ),
    s(
        "openai.max_retries",
        &["CHATKIT_UPSTREAM_MAX_RETRIES"],
        Int,
        "2",
        "0..=5",
        "Retries on upstream 408/409/429/5xx and connection errors.",
    ),
    s(
        "openai.retry_base_ms",
        &["CHATKIT_UPSTREAM_RETRY_BASE_MS"],
        Int,
        "500",
        "1..=10000",
        "First backoff delay (doubles, with jitter, capped at 8 s); `retry-after` wins when given.",
    ),
    s(
        "hosted.workflow_id",
        &[
            "CHATKIT_WORKFLOW_ID",
            "WORKFLOW_ID",
            "VITE_CHATKIT_WORKFLOW_ID",
            "NEXT_PUBLIC_CHATKIT_WORKFLOW_ID",
        ],
        Str,
        "unset",
        "`wf_…`",
        "Default workflow, used when a request names none.",
    ),
    s(
        "hosted.workflows",
        &["CHATKIT_WORKFLOWS"],
        List,
        "[]",
        "`wf_…` ids",
        "More workflows callers may request (besides the default).",
    ),
    s(
        "hosted.workflow_version",
        &["CHATKIT_WORKFLOW_VERSION"],
        Str,
        "unset (latest)",
        "a version; never `latest`",
        "Pinned workflow version.",
    ),
    s(
        "hosted.state_variables",
        &[],
        Str,
        "{}",
        "at most 64 string/number/bool values",
        "State variables sent with every mint (TOML only).",
    ),
    s(
        "hosted.session_ttl_secs",
        &["CHATKIT_SESSION_TTL_SECONDS"],
        Int,
        "600",
        "1..=600",
        "Client secret lifetime (`expires_after.seconds`).",
    ),
    s(
        "hosted.max_requests_per_minute",
        &["CHATKIT_MAX_REQUESTS_PER_MINUTE"],
        Int,
        "10",
        ">= 1",
        "Upstream per-client-secret limit (`rate_limits`).",
    ),
    s(
        "hosted.enable_uploads",
        &["CHATKIT_ENABLE_UPLOADS"],
        Bool,
        "true",
        "bool",
        "Widget file uploads (`file_upload.enabled`).",
    ),
    s(
        "hosted.max_files",
        &["CHATKIT_MAX_FILES"],
        Int,
        "5",
        ">= 1",
        "Files per session (`file_upload.max_files`).",
    ),
    s(
        "hosted.max_file_size_mb",
        &["CHATKIT_MAX_FILE_SIZE_MB"],
        Int,
        "10",
        "1..=512",
        "Largest upload in MB (`file_upload.max_file_size`).",
    ),
    s(
        "hosted.history",
        &["CHATKIT_HISTORY"],
        Bool,
        "true",
        "bool",
        "Thread history in the widget.",
    ),
    s(
        "hosted.recent_threads",
        &["CHATKIT_RECENT_THREADS"],
        Int,
        "unset (all)",
        ">= 1",
        "Recent threads shown in history.",
    ),
    s(
        "hosted.thread_titling",
        &["CHATKIT_THREAD_TITLING"],
        Bool,
        "true",
        "bool",
        "Automatic thread titles.",
    ),
    s(
        "hosted.tracing",
        &["CHATKIT_WORKFLOW_TRACING"],
        Bool,
        "unset (upstream default: on)",
        "bool",
        "Workflow tracing.",
    ),
    s(
        "hosted.byo_key",
        &["CHATKIT_BYO_KEY"],
        Bool,
        "on, off when `auth.required`",
        "bool",
        "`POST /api/create-session` with a caller's own `api_key`.",
    ),
    s(
        "hosted.byo_any_workflow",
        &["CHATKIT_BYO_ANY_WORKFLOW"],
        Bool,
        "true",
        "bool",
        "Bring-your-own-key mints may name any workflow.",
    ),
    s(
        "hosted.cancel_superseded",
        &["CHATKIT_CANCEL_SUPERSEDED"],
        Bool,
        "true",
        "bool",
        "Cancel a refreshed session upstream after the grace period.",
    ),
    s(
        "hosted.cancel_grace_secs",
        &["CHATKIT_CANCEL_GRACE_SECONDS"],
        Int,
        "30",
        "0..=600",
        "Grace period before a superseded session is cancelled.",
    ),
    s(
        "identity.cookie_name",
        &["CHATKIT_SESSION_COOKIE"],
        Str,
        "chatkit_session_id",
        "cookie-name characters",
        "Visitor cookie (legacy unsigned values are adopted).",
    ),
    s(
        "identity.secure_cookie",
        &["CHATKIT_FORCE_SECURE_COOKIE"],
        Bool,
        "false",
        "bool",
        "Always mark the cookie `Secure` (it is anyway behind a trusted TLS proxy).",
    ),
    s(
        "identity.cookie_key",
        &["CHATKIT_COOKIE_KEY"],
        Str,
        "generated once in `{data_dir}/cookie.key`",
        "secret, >= 32 bytes",
        "Key that signs visitor cookies; share it between instances.",
    ),
    s(
        "identity.cookie_max_age_days",
        &["CHATKIT_COOKIE_MAX_AGE_DAYS"],
        Int,
        "30",
        "1..=400",
        "Visitor cookie lifetime.",
    ),
    s(
        "auth.required",
        &["CHATKIT_AUTH_REQUIRED"],
        Bool,
        "false",
        "bool",
        "Require a verified JWT; anonymous callers get 401.",
    ),
    s(
        "auth.jwt_secret",
        &["CHATKIT_JWT_SECRET"],
        Str,
        "unset",
        "secret, >= 32 bytes",
        "HS256 secret for bearer JWTs.",
    ),
    s(
        "auth.jwks_url",
        &["CHATKIT_JWKS_URL"],
        Str,
        "unset",
        "http(s) URL",
        "JWKS for RS256/ES256/EdDSA bearer JWTs.",
    ),
    s(
        "auth.issuer",
        &["CHATKIT_JWT_ISSUER"],
        Str,
        "unset",
        "string",
        "Required `iss`.",
    ),
    s(
        "auth.audience",
        &["CHATKIT_JWT_AUDIENCE"],
        Str,
        "unset",
        "string",
        "Required `aud`.",
    ),
    s(
        "auth.leeway_secs",
        &["CHATKIT_JWT_LEEWAY_SECONDS"],
        Int,
        "30",
        "0..=300",
        "Clock skew allowed on `exp`/`nbf`.",
    ),
    s(
        "auth.state_claims",
        &["CHATKIT_JWT_STATE_CLAIMS"],
        List,
        "[]",
        "claim names",
        "JWT claims copied into workflow state variables.",
    ),
    s(
        "agents.paths",
        &["CHATKIT_AGENTS"],
        List,
        "[] (none: one built-in assistant; the examples in demo mode)",
        "agent files or directories of `*.toml` files",
        "The agents served at `/chatkit/<id>` (see docs/agents.md).",
    ),
    s(
        "agents.model",
        &["CHATKIT_MODEL"],
        Str,
        "gpt-5-mini",
        "a model name",
        "The model of the built-in assistant (used when `agents.paths` is unset).",
    ),
    s(
        "attachments.enabled",
        &["CHATKIT_ATTACHMENTS"],
        Bool,
        "true",
        "bool",
        "Custom-mode attachments: `attachments.create`/`delete`, uploads and previews.",
    ),
    s(
        "attachments.max_file_size_mb",
        &["CHATKIT_ATTACHMENT_MAX_MB"],
        Int,
        "20",
        "1..=512",
        "Largest attachment, in MiB.",
    ),
    s(
        "attachments.allowed_mime_types",
        &["CHATKIT_ATTACHMENT_TYPES"],
        List,
        r#"["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/markdown", "text/csv", "application/json"]"#,
        "lower-case MIME types; `type/*` allows a family",
        "Attachment types accepted.",
    ),
    s(
        "attachments.url_ttl_secs",
        &["CHATKIT_ATTACHMENT_URL_TTL_SECONDS"],
        Int,
        "300",
        "10..=3600",
        "Lifetime of signed upload and preview URLs.",
    ),
    s(
        "database.url",
        &["DATABASE_URL"],
        Str,
        "unset (SQLite at `{data_dir}/chatkit.db`)",
        "`sqlite://…`, `postgres://…`, `memory:`",
        "Where threads and items are stored.",
    ),
    s(
        "protocol.default_agent",
        &["CHATKIT_DEFAULT_AGENT"],
        Str,
        "default",
        "an agent id",
        "The agent `POST /chatkit` serves.",
    ),
    s(
        "protocol.scripted_agent",
        &["CHATKIT_SCRIPTED_AGENT"],
        Str,
        "unset",
        "an agent id",
        "Also serve a scripted agent (20 fixed deltas) under this id, for benchmarks and tests.",
    ),
    s(
        "protocol.body_limit_bytes",
        &["CHATKIT_PROTOCOL_BODY_LIMIT_BYTES"],
        Int,
        "8388608",
        "1024..=67108864",
        "Largest protocol request (dictation audio arrives in it).",
    ),
    s(
        "protocol.heartbeat_secs",
        &["CHATKIT_HEARTBEAT_SECONDS"],
        Int,
        "unset (off)",
        "1..=300",
        "Send an SSE comment this often on quiet streams (for proxies with idle timeouts).",
    ),
    s(
        "protocol.stream_timeout_secs",
        &["CHATKIT_STREAM_TIMEOUT_SECONDS"],
        Int,
        "600",
        "1..=3600",
        "Longest a reply may stream.",
    ),
    s(
        "protocol.idle_timeout_secs",
        &["CHATKIT_STREAM_IDLE_TIMEOUT_SECONDS"],
        Int,
        "120",
        "1..=3600",
        "Longest a reply may go without an event.",
    ),
    s(
        "protocol.stream_limits",
        &["CHATKIT_STREAM_LIMITS"],
        Bool,
        "true",
        "bool",
        "Per-visitor limits on streamed replies (turn off only for load tests).",
    ),
    s(
        "protocol.max_streams_per_identity",
        &["CHATKIT_MAX_STREAMS_PER_IDENTITY"],
        Int,
        "4",
        "1..=1000",
        "Replies one visitor may stream at once.",
    ),
    s(
        "protocol.messages_per_minute_per_identity",
        &["CHATKIT_MESSAGES_PER_MINUTE"],
        Int,
        "60",
        "1..=100000",
        "Streamed replies one visitor may start a minute.",
    ),
    s(
        "limits.enabled",
        &["CHATKIT_RATE_LIMITS"],
        Bool,
        "true",
        "bool",
        "Our own limits on minting routes (turn off only for load tests).",
    ),
    s(
        "limits.mints_per_minute_per_identity",
        &["CHATKIT_MINTS_PER_MINUTE"],
        Int,
        "30",
        ">= 1",
        "Mints per minute per visitor or user.",
    ),
    s(
        "limits.mints_per_minute_per_ip",
        &["CHATKIT_MINTS_PER_MINUTE_PER_IP"],
        Int,
        "120",
        ">= 1",
        "Mints per minute per client IP.",
    ),
];

/// Renders [`SETTINGS`] as the Markdown table the README carries.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| TOML key | Environment | Default | Allowed | What it does |\n|---|---|---|---|---|\n",
    );
    for setting in SETTINGS {
        let env = if setting.env.is_empty() {
            "(TOML only)".to_owned()
        } else {
            setting
                .env
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            setting.key, env, setting.default, setting.range, setting.help
        ));
    }
    out
}
