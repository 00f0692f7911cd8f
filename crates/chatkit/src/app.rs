//! The router: every route of the product and the layers around them, apart from binding, so tests
//! can drive it with `oneshot` or on a real port.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{Value, json};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::attachments::{self, LocalAttachments};
use crate::broker::{self, Broker};
use crate::config::{Config, DEFAULT_API_BASE};
use crate::error::ApiError;
use crate::http::{api_not_found, response_policy};
use crate::identity::token::TokenSigner;
use crate::identity::{self, jwt::JwtVerifier};
use crate::limits::{MemoryRateLimiter, RateLimiter};
use crate::protocol::{self, Agents};
use crate::state::{AppState, Shared};
use crate::{telemetry, web};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the state for `config`: loads or creates the cookie key, connects the store (running its
/// migrations), the upstream client, the limits, the agents.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.server.data_dir).with_context(|| {
        format!(
            "cannot create the data directory {} (CHATKIT_DATA_DIR)",
            config.server.data_dir.display()
        )
    })?;
    let store = chatkit_store::connect(&config.database.resolved_url(&config.server.data_dir))
        .await
        .context("cannot open the store (DATABASE_URL)")?;
    let cookie_key =
        identity::load_cookie_key(config.identity.cookie_key.as_ref(), &config.server.data_dir)?;
    let limiter: Option<Arc<dyn RateLimiter>> = config.limits.enabled.then(|| {
        Arc::new(MemoryRateLimiter::new(
            config.limits.mints_per_minute_per_identity,
            config.limits.mints_per_minute_per_ip,
            config.protocol.messages_per_minute_per_identity,
        )) as Arc<dyn RateLimiter>
    });
    let attachments = if config.attachments.enabled {
        let local = LocalAttachments::new(&config, cookie_key.signing(), store.clone())
            .with_context(|| {
                format!(
                    "cannot create the attachments directory under {} (CHATKIT_DATA_DIR)",
                    config.server.data_dir.display()
                )
            })?;
        Some(Arc::new(local))
    } else {
        None
    };
    let catalog = crate::agents::load(&config)?;
    let responders = crate::agents::responders(&catalog, attachments.clone())?
        .into_iter()
        .map(|(id, r)| (id, Arc::new(r) as Arc<dyn chatkit_server::Responder>))
        .collect();
    let default_id = catalog
        .default_agent()
        .or_else(|| catalog.agent(&config.protocol.default_agent))
        .or_else(|| catalog.agents.first())
        .map(|a| a.id.clone())
        .unwrap_or_else(|| config.protocol.default_agent.clone());
    Ok(AppState::new(Shared {
        token_signer: TokenSigner::new(cookie_key.signing()),
        jwt: JwtVerifier::new(&config.auth).map(Arc::new),
        broker: Arc::new(Broker::new(&config)?),
        cookie_key,
        limiter,
        metrics: telemetry::metrics_handle(),
        agents: Agents::new(
            &config,
            attachments
                .as_ref()
                .map_or_else(|| store.clone(), LocalAttachments::engine_store),
            attachments
                .clone()
                .map(|a| a as Arc<dyn chatkit_server::AttachmentHandler>),
            responders,
            default_id,
        ),
        attachments,
        catalog: Arc::new(catalog),
        store,
        config: Arc::new(config),
    }))
}

/// Every route, with its layers.
pub fn app(state: AppState) -> Router {
    let minting = Router::new()
        .route("/api/chatkit/session", post(broker::create_session))
        .route("/api/session", post(broker::create_session))
        .route("/api/chatkit/refresh", post(broker::refresh_session))
        .route("/api/create-session", post(broker::create_session_starter))
        .route("/api/chatkit/token", post(identity::token::issue_token))
        .route_layer(from_fn_with_state(state.clone(), broker::guard));

    let protocol = Router::new()
        .route("/chatkit", post(protocol::chatkit_default))
        .route("/chatkit/{agent}", post(protocol::chatkit_agent))
        .route("/chatkit/{agent}/upload", post(attachments::direct_upload))
        .route_layer(from_fn_with_state(state.clone(), protocol::guard));

    // Signed URLs, no cookie: the widget's frame may not send one.
    let attachment_urls = Router::new()
        .route(
            "/api/chatkit/attachments/{id}/upload",
            put(attachments::upload).post(attachments::upload),
        )
        .route(
            "/api/chatkit/attachments/{id}/preview",
            get(attachments::preview),
        );

    let mut router = Router::new()
        .merge(minting)
        .merge(protocol)
        .merge(attachment_urls)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/status", get(status))
        .route("/api/agents", get(crate::agents::list))
        .route("/api/{*rest}", axum::routing::any(api_not_found));
    if state.config.demo {
        router = router.merge(crate::demo::routes());
    }
    router = match state.config.server.metrics_addr {
        None => router.route("/metrics", get(metrics)),
        // Served on its own listener: here it is an unknown route, not the web UI.
        Some(_) => router.route("/metrics", axum::routing::any(api_not_found)),
    };
    let router = router
        .fallback(web::serve_asset)
        .layer(from_fn_with_state(state.clone(), response_policy));
    let router = match cors_layer(&state.config) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    // The path only: queries may carry signatures.
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
                })
                .on_request(())
                .on_response(
                    |response: &Response, latency: Duration, _span: &tracing::Span| {
                        tracing::info!(status = response.status().as_u16(), latency_us = latency.as_micros() as u64, "handled");
                    },
                )
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// The `/metrics` router, for a separate listener.
pub fn metrics_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

fn cors_layer(config: &Config) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = config
        .server
        .cors_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_credentials(true)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                REQUEST_ID,
                HeaderName::from_static(protocol::STATE_HEADER),
            ])
            .expose_headers([
                REQUEST_ID,
                header::RETRY_AFTER,
                HeaderName::from_static("ratelimit-limit"),
                HeaderName::from_static("ratelimit-remaining"),
                HeaderName::from_static("ratelimit-reset"),
            ])
            .max_age(Duration::from_secs(600)),
    )
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let dir = &state.config.server.data_dir;
    match tokio::fs::metadata(dir).await {
        Ok(meta) if meta.is_dir() => Ok(Json(json!({"status": "ready"}))),
        _ => Err(ApiError::new(
            crate::error::ErrorCode::NotConfigured,
            "The data directory (CHATKIT_DATA_DIR) is missing.",
        )),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

/// `GET /api/status`: what the server offers, with no secrets (the status page shows it).
async fn status(State(state): State<AppState>) -> Json<Value> {
    let config = &state.config;
    let hosted = &config.hosted;
    let upstream = if config.demo {
        "simulator"
    } else if config.openai.api_base() == DEFAULT_API_BASE {
        "openai"
    } else {
        "custom"
    };
    let mut workflows: Vec<&str> = hosted.workflow_id.iter().map(String::as_str).collect();
    workflows.extend(hosted.workflows.iter().map(String::as_str));
    Json(json!({
        "name": "chatkit-rs",
        "version": env!("CARGO_PKG_VERSION"),
        "demo": config.demo,
        "upstream": upstream,
        "hosted": {
            "configured": config.openai.api_key.is_some(),
            "missing": if config.openai.api_key.is_none() { Some("OPENAI_API_KEY") } else { None },
            "default_workflow": hosted.workflow_id,
            "workflows": workflows,
            "byo_key": config.byo_key_enabled(),
            "uploads": {
                "enabled": hosted.enable_uploads,
                "max_files": hosted.max_files,
                "max_file_size_mb": hosted.max_file_size_mb,
            },
        },
    }))
}
