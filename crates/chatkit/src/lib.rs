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
use std::pin::pin;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulConnection;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::Layer;

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
    serve_router(listener, app(state.clone()), shutdown).await;
    // Replies cut off by the shutdown finish their cancellation (partial text saved) first.
    let _ =
        tokio::time::timeout(std::time::Duration::from_secs(10), state.agents.wait_idle()).await;
    Ok(())
}

/// The first bytes of an HTTP/2 connection with prior knowledge (h2c).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Serves `router` on `listener` until `shutdown` completes, then lets every open connection
/// finish its requests (as `axum::serve(..).with_graceful_shutdown(..)`) and returns.
///
/// Why not `axum::serve`: it sniffs each connection for HTTP/2 by *reading* its first bytes,
/// which hands hyper's HTTP/1 reader a short first read, so every connection's read buffer grows
/// from 8 to 16 KiB and keeps that size while the connection lives (8 KiB of memory more per
/// open stream). Here the first bytes are *peeked*: HTTP/1 connections go straight to hyper's
/// HTTP/1 server, and only one that may be h2c goes to the sniffing server. Requests get
/// [`ConnectInfo`] as with `into_make_service_with_connect_info`, and accepted sockets
/// `TCP_NODELAY` (one SSE frame per write must not wait for the peer's delayed ACK).
async fn serve_router(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    // `stop` turns true at shutdown; every connection task holds an `open` receiver, so the
    // sender sees them all gone when the last one ends.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (open_tx, open_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(&listener) => accepted,
        };
        let service =
            TowerToHyperService::new(axum::Extension(ConnectInfo(remote)).layer(router.clone()));
        tokio::spawn(serve_connection(
            tcp,
            service,
            stop_rx.clone(),
            open_rx.clone(),
        ));
    }
    drop(listener);
    stop_tx.send_replace(true);
    drop(open_rx);
    open_tx.closed().await;
}

/// The next connection; errors that concern one connection are skipped, others (out of file
/// descriptors) retried after a second, as `axum::serve` does.
async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(accepted) => return accepted,
            Err(e) => {
                use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
                if !matches!(
                    e.kind(),
                    ConnectionRefused | ConnectionAborted | ConnectionReset
                ) {
                    tracing::error!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// What serves the requests of one connection: the router, with the peer's address.
type ConnectionService =
    TowerToHyperService<axum::middleware::AddExtension<Router, ConnectInfo<SocketAddr>>>;

/// Serves one connection; `stop` asks it to finish its requests and close, `_open` is dropped
/// when it is done.
async fn serve_connection(
    tcp: TcpStream,
    service: ConnectionService,
    mut stop: watch::Receiver<bool>,
    _open: watch::Receiver<()>,
) {
    let _ = tcp.set_nodelay(true);
    let mut first = [0_u8; H2_PREFACE.len()];
    let peeked = tokio::select! {
        peeked = tcp.peek(&mut first) => peeked,
        _ = stop.wait_for(|stop| *stop) => return,
    };
    let n = match peeked {
        Ok(0) | Err(_) => return,
        Ok(n) => n,
    };
    let io = TokioIo::new(tcp);
    if H2_PREFACE.starts_with(&first[..n]) {
        // Boxed: the rare h2c connection's larger state must not size every connection's task.
        Box::pin(async move {
            let builder = auto::Builder::new(TokioExecutor::new());
            drive(builder.serve_connection(io, service), stop).await;
        })
        .await;
    } else {
        drive(http1::Builder::new().serve_connection(io, service), stop).await;
    }
}

/// Runs a connection to its end, shutting it down gracefully once `stop` turns true.
async fn drive<C: GracefulConnection>(conn: C, mut stop: watch::Receiver<bool>) {
    let mut conn = pin!(conn);
    let mut stopping = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            _ = stop.wait_for(|stop| *stop), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
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
