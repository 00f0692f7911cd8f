//! chatkit-rs: a ChatKit backend in one binary.
//!
//! Layout:
//! - [`config`]: typed, layered configuration and the table of every setting.
//! - [`app`]: the router and its layers; [`serve`] binds it to a listener.
//! - [`broker`]: hosted mode, minting client secrets for Agent Builder workflows.
//! - [`demo`]: the demo order service the support example calls in demo mode.
//! - [`agents`]: the agents served (files, the built-in assistant, the demo examples).
//! - [`protocol`]: custom mode, the ChatKit protocol endpoint; [`scripted`]: built-in responders.
//! - [`attachments`]: custom-mode attachments (local disk, signed upload and preview URLs).
//! - [`identity`]: signed visitor cookies and bearer JWTs.
//! - [`limits`]: our own rate limits.
//! - [`error`]: the one error envelope and its stable codes.
//! - [`http`]: shared HTTP plumbing (JSON extractor, security headers, origin check).
//! - [`telemetry`]: logs and metrics; [`web`]: the embedded UI; [`cli`]: the command line.

pub mod agents;
pub mod app;
pub mod attachments;
pub mod broker;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod http;
pub mod identity;
pub mod limits;
pub mod protocol;
pub mod scripted;
pub mod signing;
pub mod state;
pub mod telemetry;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

pub use app::{app, build_state};
pub use config::Config;

/// Serves `config` on `listener` until `shutdown` completes, then drains in-flight requests.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    if let Some(limiter) = state.limiter.clone() {
        limits::spawn_pruner(limiter);
    }
    if let Some(attachments) = state.attachments.clone() {
        attachments::spawn_sweeper(attachments);
    }
    if let Some(addr) = state.config.server.metrics_addr {
        let metrics_listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot bind the metrics listener {addr}"))?;
        let metrics = app::metrics_app(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(metrics_listener, metrics).await;
        });
    }
    let router = app(state.clone());
    // Small writes (one SSE frame per event) must not wait for the peer's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("server error")?;
    // Replies cut off by the shutdown finish their cancellation (partial text saved) first.
    let _ =
        tokio::time::timeout(std::time::Duration::from_secs(10), state.agents.wait_idle()).await;
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is called, not
/// when the future is first polled, so a signal that arrives during start-up still stops the
/// server gracefully.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (mut interrupt, mut terminate) = signals;
            let interrupt = async {
                match interrupt.as_mut() {
                    Some(signal) => signal.recv().await,
                    None => std::future::pending().await,
                }
            };
            let terminate = async {
                match terminate.as_mut() {
                    Some(signal) => signal.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = interrupt => {},
                _ = terminate => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing in-flight requests");
    }
}
