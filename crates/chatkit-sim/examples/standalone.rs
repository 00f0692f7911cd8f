//! The simulator on its own, without building the `chatkit` binary:
//!
//! ```text
//! cargo run -p chatkit-sim --example standalone -- [sim] [--host 127.0.0.1] [--port 8788]
//!     [--no-record] [--model-pace-ms 40]
//! ```
//!
//! It takes the same flags as `chatkit sim` (a leading `sim` is accepted and ignored, so that
//! scripts written for `chatkit sim` can run it), plus `--model-pace-ms`. It stops on Ctrl-C or
//! SIGTERM.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use chatkit_sim::{Simulator, serve};
use tokio::net::TcpListener;

/// The parsed command line.
struct Args {
    host: IpAddr,
    port: u16,
    record: bool,
    model_pace: Option<Duration>,
}

/// Parses the flags, or returns the usage error.
fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        host: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port: 8788,
        record: true,
        model_pace: None,
    };
    let mut first = true;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "sim" if first => {}
            "--host" => {
                parsed.host = value("--host")?
                    .parse()
                    .map_err(|e| format!("--host: {e}"))?
            }
            "--port" => {
                parsed.port = value("--port")?
                    .parse()
                    .map_err(|e| format!("--port: {e}"))?
            }
            "--no-record" => parsed.record = false,
            "--model-pace-ms" => {
                let ms: u64 = value("--model-pace-ms")?
                    .parse()
                    .map_err(|e| format!("--model-pace-ms: {e}"))?;
                parsed.model_pace = Some(Duration::from_millis(ms));
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
        first = false;
    }
    Ok(parsed)
}

/// Resolves on SIGTERM (never, where there is no such signal).
async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            term.recv().await;
            return;
        }
    }
    std::future::pending::<()>().await;
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(error) => {
            eprintln!(
                "error: {error}\nusage: standalone [sim] [--host IP] [--port N] [--no-record] \
                 [--model-pace-ms MS]"
            );
            return ExitCode::from(2);
        }
    };
    let mut sim = Simulator::new().with_recording(args.record);
    if let Some(pace) = args.model_pace {
        sim = sim.with_model_pace(pace);
    }
    let listener = match TcpListener::bind(SocketAddr::new(args.host, args.port)).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "error: cannot listen on {}:{}: {error}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    if let Ok(addr) = listener.local_addr() {
        println!("simulator listening on http://{addr}");
    }
    let shutdown = async {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = terminated() => {}
        }
    };
    match serve(listener, sim, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
