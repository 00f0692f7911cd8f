//! `loadgen`: a small HTTP load generator for the chatkit-rs benchmarks.
//!
//! It POSTs one JSON body to one URL, either in a *closed loop* (`--concurrency N`: N tasks, each
//! sending its next request as soon as the previous one completes, which measures throughput) or
//! in an *open loop* (`--rate R`: requests start on a fixed schedule whatever the server does,
//! and latency is measured from each request's *scheduled* start, so a stalled server cannot hide
//! its stalls by slowing the generator down — no coordinated omission).
//!
//! It prints exactly one JSON line on stdout (see [`Report`]); diagnostics go to stderr. Every run
//! is bounded in time (`--duration` at most 120 s) and in count (`--max-requests`), and the load
//! generator refuses to send anywhere but a loopback address.
//!
//! `loadgen chatkit …` is a second mode: scripted ChatKit conversations (see [`chatkit`]).

mod chatkit;
mod load;

use std::net::IpAddr;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use clap::{ArgGroup, Parser, Subcommand};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde::Serialize;

use crate::load::{Outcomes, Plan};

/// Longest run accepted, in seconds.
pub(crate) const MAX_DURATION_S: f64 = 120.0;
/// Most concurrent requests accepted (closed-loop tasks, open-loop requests in flight).
pub(crate) const MAX_CONCURRENCY: usize = 1024;
/// Highest open-loop rate accepted, in requests per second.
const MAX_RATE: f64 = 100_000.0;

/// Command-line arguments.
#[derive(Debug, Parser)]
#[command(name = "loadgen", version, about)]
#[command(group(ArgGroup::new("mode").required(true).args(["concurrency", "rate"])))]
#[command(subcommand_negates_reqs = true, args_conflicts_with_subcommands = true)]
struct Args {
    /// A mode other than POSTing one body.
    #[command(subcommand)]
    command: Option<Command>,

    /// URL to POST to; its host must be a loopback address (127.0.0.0/8, ::1 or localhost).
    #[arg(long, required = true)]
    url: Option<String>,

    /// Request body, sent as-is with `Content-Type: application/json` (unless a `--header`
    /// sets another content type).
    #[arg(long, default_value = "{}")]
    body: String,

    /// Extra request header as `Name: value`; repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,

    /// Closed loop: this many tasks, each sending requests back to back (1..=1024).
    #[arg(long)]
    concurrency: Option<usize>,

    /// Open loop: start this many requests per second on a fixed schedule (up to 100000).
    #[arg(long)]
    rate: Option<f64>,

    /// How long to generate load, in seconds (more than 0, at most 120).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,

    /// Open loop only: most requests in flight at once; later ones wait (and the wait counts
    /// in their latency).
    #[arg(long, default_value_t = MAX_CONCURRENCY)]
    max_in_flight: usize,

    /// Per-request timeout in seconds; a request that times out counts as an error.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,

    /// Upper bound on the number of requests started in the whole run.
    #[arg(long, default_value_t = 10_000_000)]
    max_requests: u64,

    /// Tokio worker threads (default: the number of CPUs).
    #[arg(long)]
    threads: Option<usize>,
}

/// Modes other than the default one.
#[derive(Debug, Subcommand)]
enum Command {
    /// Scripted ChatKit conversations (threads.create streamed, then items.list), or held-open
    /// streams (`--hold N`): the protocol benchmark's client.
    Chatkit(chatkit::ChatkitArgs),
}

/// The single JSON line printed at the end of a run. Latencies are in microseconds and cover the
/// requests answered with a 2xx status only.
#[derive(Debug, Serialize)]
struct Report {
    /// The URL that was loaded.
    url: String,
    /// `"closed"` or `"open"`.
    mode: &'static str,
    /// Closed loop: number of concurrent tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    concurrency: Option<usize>,
    /// Open loop: the target rate in requests per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    rate: Option<f64>,
    /// The requested duration of the load, in seconds.
    duration_s: f64,
    /// Wall time from the first send to the last completion, in seconds.
    elapsed_s: f64,
    /// Requests that completed (`ok + non_2xx + errors`).
    requests: u64,
    /// Responses with a 2xx status whose body was read in full.
    ok: u64,
    /// Responses with any other status.
    non_2xx: u64,
    /// Requests that got no response: connection errors, timeouts, broken bodies.
    errors: u64,
    /// Completed requests per second of `elapsed_s`.
    rps: f64,
    /// Mean latency.
    mean_us: f64,
    /// Median latency.
    p50_us: u64,
    /// 90th percentile latency.
    p90_us: u64,
    /// 99th percentile latency.
    p99_us: u64,
    /// 99.9th percentile latency.
    p999_us: u64,
    /// Highest latency seen.
    max_us: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let threads = match &args.command {
        Some(Command::Chatkit(chatkit_args)) => chatkit_args.threads,
        None => args.threads,
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = threads {
        ensure!(threads >= 1, "--threads must be at least 1");
        runtime.worker_threads(threads);
    }
    let runtime = runtime
        .enable_all()
        .build()
        .context("building the tokio runtime")?;
    if let Some(Command::Chatkit(chatkit_args)) = args.command {
        return runtime.block_on(chatkit::run(chatkit_args));
    }
    let plan = plan(&args)?;
    let outcomes = runtime.block_on(load::run(plan))?;

    let report = report(&args, &outcomes);
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

/// Checks the arguments against the hard caps and turns them into a [`Plan`].
fn plan(args: &Args) -> anyhow::Result<Plan> {
    ensure!(
        args.duration > 0.0 && args.duration <= MAX_DURATION_S,
        "--duration must be more than 0 and at most {MAX_DURATION_S} seconds"
    );
    ensure!(
        args.timeout > 0.0 && args.timeout <= MAX_DURATION_S,
        "--timeout must be more than 0 and at most {MAX_DURATION_S} seconds"
    );
    ensure!(args.max_requests >= 1, "--max-requests must be at least 1");
    let raw_url = args.url.as_deref().context("--url is required")?;
    let url = reqwest::Url::parse(raw_url).with_context(|| format!("--url {raw_url}"))?;
    ensure!(
        matches!(url.scheme(), "http" | "https"),
        "--url must be http or https"
    );
    ensure!(
        is_loopback(&url),
        "--url must point at a loopback address (127.0.0.0/8, [::1] or localhost)"
    );

    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for raw in &args.headers {
        let (name, value) = parse_header(raw)?;
        headers.insert(name, value);
    }

    let mode = match (args.concurrency, args.rate) {
        (Some(concurrency), None) => {
            ensure!(
                (1..=MAX_CONCURRENCY).contains(&concurrency),
                "--concurrency must be between 1 and {MAX_CONCURRENCY}"
            );
            load::Mode::Closed { concurrency }
        }
        (None, Some(rate)) => {
            ensure!(
                rate > 0.0 && rate <= MAX_RATE,
                "--rate must be more than 0 and at most {MAX_RATE}"
            );
            ensure!(
                (1..=MAX_CONCURRENCY).contains(&args.max_in_flight),
                "--max-in-flight must be between 1 and {MAX_CONCURRENCY}"
            );
            load::Mode::Open {
                rate,
                max_in_flight: args.max_in_flight,
            }
        }
        // clap's required "mode" group makes the two options exclusive and one of them present.
        _ => bail!("give exactly one of --concurrency and --rate"),
    };

    Ok(Plan {
        url,
        body: bytes::Bytes::from(args.body.clone()),
        headers,
        mode,
        duration: Duration::from_secs_f64(args.duration),
        timeout: Duration::from_secs_f64(args.timeout),
        max_requests: args.max_requests,
    })
}

/// Whether the URL's host is a loopback address: load only ever goes to this machine.
pub(crate) fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // `host_str` keeps the brackets around an IPv6 literal.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

/// Parses `Name: value` into a header pair.
pub(crate) fn parse_header(raw: &str) -> anyhow::Result<(HeaderName, HeaderValue)> {
    let (name, value) = raw
        .split_once(':')
        .with_context(|| format!("--header {raw:?} is not `Name: value`"))?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .with_context(|| format!("--header {raw:?}: bad header name"))?;
    let value = HeaderValue::from_str(value.trim())
        .with_context(|| format!("--header {raw:?}: bad header value"))?;
    Ok((name, value))
}

/// Builds the output line from what the run observed.
fn report(args: &Args, outcomes: &Outcomes) -> Report {
    let hist = &outcomes.latency_us;
    let elapsed_s = outcomes.elapsed.as_secs_f64();
    let requests = outcomes.ok + outcomes.non_2xx + outcomes.errors;
    let (mode, concurrency, rate) = match (args.concurrency, args.rate) {
        (Some(c), _) => ("closed", Some(c), None),
        (None, r) => ("open", None, r),
    };
    let empty = hist.is_empty();
    let q = |quantile: f64| {
        if empty {
            0
        } else {
            hist.value_at_quantile(quantile)
        }
    };
    Report {
        url: args.url.clone().unwrap_or_default(),
        mode,
        concurrency,
        rate,
        duration_s: args.duration,
        elapsed_s: round3(elapsed_s),
        requests,
        ok: outcomes.ok,
        non_2xx: outcomes.non_2xx,
        errors: outcomes.errors,
        rps: if elapsed_s > 0.0 {
            round3(requests as f64 / elapsed_s)
        } else {
            0.0
        },
        mean_us: if empty { 0.0 } else { round3(hist.mean()) },
        p50_us: q(0.50),
        p90_us: q(0.90),
        p99_us: q(0.99),
        p999_us: q(0.999),
        max_us: if empty { 0 } else { hist.max() },
    }
}

/// Rounds to three decimals, to keep the JSON line short.
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
