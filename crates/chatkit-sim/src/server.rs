//! Serving the simulator on a socket: [`serve`] for callers that own the listener and the shutdown
//! signal, and [`SimHandle`] for tests that just want one on a free loopback port.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use axum::Extension;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::Simulator;
use crate::common::ShutdownSignal;

/// Serves `sim` on `listener` until `shutdown` resolves, then shuts down gracefully.
///
/// When `shutdown` resolves, requests waiting in a fault (`wf_hang`, `wf_slow`) end at once
/// (`wf_hang` by cutting its connection), so shutdown does not wait for them.
pub async fn serve(
    listener: TcpListener,
    sim: Simulator,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let (down_tx, down_rx) = watch::channel(false);
    let app = sim.router().layer(Extension(ShutdownSignal::new(down_rx)));
    let listener = listener.tap_io(|tcp| {
        // Small JSON replies: don't let Nagle's algorithm delay them.
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            let _ = down_tx.send(true);
        })
        .await
}

/// A simulator served on `127.0.0.1` at a free port, for tests.
///
/// Dropping the handle also stops the server (without waiting for it); [`shutdown`](Self::shutdown)
/// stops it and waits.
pub struct SimHandle {
    /// The address the simulator listens on.
    pub addr: SocketAddr,
    /// The simulator being served (shares its state with the server).
    pub sim: Simulator,
    /// Sending (or dropping) this stops the server.
    shutdown: oneshot::Sender<()>,
    /// The server task.
    task: JoinHandle<io::Result<()>>,
}

impl SimHandle {
    /// Binds `127.0.0.1:0` and serves a new [`Simulator`] (recording on) there.
    pub async fn spawn() -> io::Result<SimHandle> {
        let listener = TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let sim = Simulator::new();
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, sim.clone(), async move {
            // Resolves on send and on drop alike.
            let _ = stop.await;
        }));
        Ok(SimHandle {
            addr,
            sim,
            shutdown,
            task,
        })
    }

    /// The API origin, `http://127.0.0.1:PORT`, without `/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the server and waits until it has finished.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(());
        match self.task.await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "simulator server failed"),
            Err(error) => tracing::warn!(%error, "simulator server task failed"),
        }
    }
}

impl fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimHandle")
            .field("addr", &self.addr)
            .field("sim", &self.sim)
            .finish_non_exhaustive()
    }
}
