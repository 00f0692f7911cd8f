//! The command line: `serve` (default), `check-config` and `sim`.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tokio::net::TcpListener;

use crate::config::{Config, Secret};
use crate::{serve, shutdown_signal, telemetry};

/// chatkit-rs: a ChatKit backend in one binary.
#[derive(Debug, Parser)]
#[command(name = "chatkit", version, about)]
pub struct Cli {
    /// What to run (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, the protocol endpoint and the web UI.
    Serve(ServeArgs),
    /// Validate the configuration and print it, secrets redacted.
    CheckConfig(ConfigArgs),
    /// Run the OpenAI simulator on its own.
    Sim(SimArgs),
    /// Print a generated documentation table (`config` or `errors`), as the README and docs carry it.
    #[command(hide = true)]
    Docs {
        /// Which table.
        #[arg(value_parser = ["config", "errors"])]
        table: String,
    },
}

/// Where the configuration file is.
#[derive(Debug, clap::Args, Default)]
pub struct ConfigArgs {
    /// Configuration file (default: ./chatkit.toml when present).
    #[arg(long, env = "CHATKIT_CONFIG")]
    pub config: Option<PathBuf>,
}

/// `chatkit serve`.
#[derive(Debug, clap::Args, Default)]
pub struct ServeArgs {
    /// Configuration file.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Run against the built-in simulator: no OpenAI key needed, replies are simulated.
    #[arg(long)]
    pub demo: bool,
    /// Run in demo mode only when no OpenAI key is configured (what `scripts/run.sh` uses).
    #[arg(long, conflicts_with = "demo")]
    pub demo_if_no_key: bool,
}

/// `chatkit sim`.
#[derive(Debug, clap::Args)]
pub struct SimArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8788)]
    pub port: u16,
    /// Keep no record of requests (for benchmarks).
    #[arg(long)]
    pub no_record: bool,
    /// The wait before each delta of a `[[slow]]` model reply, in milliseconds.
    #[arg(long, default_value_t = 40)]
    pub model_pace_ms: u64,
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
            Command::Serve(args) => run_serve(args).await,
            Command::CheckConfig(args) => check_config(args),
            Command::Sim(args) => run_sim(args).await,
            Command::Docs { table } => {
                match table.as_str() {
                    "config" => print!("{}", crate::config::settings::markdown_table()),
                    _ => print!("{}", crate::error::markdown_catalogue()),
                }
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn check_config(args: ConfigArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.as_deref())?;
    let catalog = crate::agents::load(&config)?;
    print!("{}", config.to_redacted_toml());
    for agent in &catalog.agents {
        eprintln!(
            "agent {}: \"{}\" on {} ({}), {} tool(s){}",
            agent.id,
            agent.name,
            agent.provider,
            agent.model,
            agent.tools.len(),
            if agent.default { ", default" } else { "" }
        );
    }
    eprintln!("configuration is valid");
    Ok(())
}

/// The workflow id demo mode uses when none is configured.
pub const DEMO_WORKFLOW: &str = "wf_demo";

async fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    let shutdown = shutdown_signal();
    let mut config = Config::load(args.config.config.as_deref())?;
    telemetry::init_logging(&config.log);
    let demo = args.demo || (args.demo_if_no_key && config.openai.api_key.is_none());
    let _simulator = if demo {
        let sim = chatkit_sim::SimHandle::spawn()
            .await
            .context("cannot start the demo simulator")?;
        apply_demo(&mut config, &sim.base_url());
        eprintln!(
            "\n  DEMO MODE: sessions and replies come from the built-in simulator at {}, not OpenAI.\n  Set OPENAI_API_KEY and run without --demo to use the real API.\n",
            sim.base_url()
        );
        tracing::warn!(simulator = %sim.base_url(), "demo mode: replies are simulated");
        Some(sim)
    } else {
        None
    };
    if config.openai.api_key.is_none() {
        tracing::warn!("OPENAI_API_KEY is not set: hosted-mode routes answer 503 not_configured");
    }
    let addr = SocketAddr::new(config.server.host, config.server.port);
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (HOST/PORT)"))?;
    if config.demo {
        let mut local = listener.local_addr()?;
        if local.ip().is_unspecified() {
            local.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        config.demo_origin = Some(format!("http://{local}"));
    }
    tracing::info!(
        url = %format!("http://{}", listener.local_addr()?),
        version = env!("CARGO_PKG_VERSION"),
        "chatkit-rs listening"
    );
    serve(config, listener, shutdown).await
}

/// Points `config` at the simulator at `base` with a dummy key and a demo workflow.
pub fn apply_demo(config: &mut Config, base: &str) {
    config.demo = true;
    config.openai.api_base = Some(base.to_owned());
    config.openai.base_url = Some(format!("{base}/v1"));
    config.openai.api_key = Some(Secret::new("sk-demo-simulated"));
    if config.hosted.workflow_id.is_none() {
        config.hosted.workflow_id = Some(DEMO_WORKFLOW.to_owned());
    }
}

async fn run_sim(args: SimArgs) -> anyhow::Result<()> {
    telemetry::init_logging(&crate::config::LogConfig::default());
    let shutdown = shutdown_signal();
    let addr = SocketAddr::new(args.host, args.port);
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let url = format!("http://{}", listener.local_addr()?);
    tracing::info!(%url, "OpenAI simulator listening (requests recorded at /__sim/requests)");
    eprintln!("simulator listening on {url}");
    let sim = chatkit_sim::Simulator::new()
        .with_recording(!args.no_record)
        .with_model_pace(std::time::Duration::from_millis(args.model_pace_ms));
    chatkit_sim::serve(listener, sim, shutdown)
        .await
        .context("simulator error")
}
