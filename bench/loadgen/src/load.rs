//! The two load loops (closed and open) and the tally they fill.
//!
//! Both share one `reqwest::Client` with keep-alive and no cookie store, so every request looks
//! like a new visitor to the server while TCP connections are reused, as a browser-facing proxy
//! in front of the broker would reuse them.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use hdrhistogram::Histogram;
use reqwest::header::HeaderMap;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

/// Highest latency the histograms can hold, in microseconds (10 minutes: far above any timeout).
const MAX_TRACKED_US: u64 = 600_000_000;

/// How load is applied.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode {
    /// `concurrency` tasks, each sending its next request when the previous one completes.
    Closed {
        /// Number of tasks.
        concurrency: usize,
    },
    /// Requests start on a fixed schedule, `rate` per second, whatever the server does.
    Open {
        /// Requests per second.
        rate: f64,
        /// Most requests in flight; the rest wait for a slot, and the wait counts as latency.
        max_in_flight: usize,
    },
}

/// Everything a run needs, validated.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Where to POST.
    pub(crate) url: reqwest::Url,
    /// The request body.
    pub(crate) body: Bytes,
    /// Headers sent with every request (content type included).
    pub(crate) headers: HeaderMap,
    /// Closed or open loop.
    pub(crate) mode: Mode,
    /// How long to start new requests.
    pub(crate) duration: Duration,
    /// Per-request timeout.
    pub(crate) timeout: Duration,
    /// Most requests started in the whole run.
    pub(crate) max_requests: u64,
}

/// What a run observed.
#[derive(Debug)]
pub(crate) struct Outcomes {
    /// 2xx responses read in full.
    pub(crate) ok: u64,
    /// Responses with another status.
    pub(crate) non_2xx: u64,
    /// Requests without a response (connect error, timeout, broken body, never completed).
    pub(crate) errors: u64,
    /// Latency of the 2xx responses, in microseconds.
    pub(crate) latency_us: Histogram<u64>,
    /// From the first send to the last completion.
    pub(crate) elapsed: Duration,
}

/// How one request ended.
#[derive(Debug)]
enum Kind {
    /// 2xx and the body was read.
    Ok,
    /// Any other status (the body was still read, to keep the connection reusable).
    Non2xx(reqwest::StatusCode),
    /// No usable response.
    Error(String),
}

/// A running count of outcomes.
struct Tally {
    /// 2xx responses.
    ok: u64,
    /// Non-2xx responses.
    non_2xx: u64,
    /// Failed requests.
    errors: u64,
    /// Latency of the 2xx responses, in microseconds.
    latency_us: Histogram<u64>,
    /// The first failure seen, reported once on stderr to make a broken setup obvious.
    first_failure: Option<String>,
}

impl Tally {
    /// An empty tally.
    fn new() -> anyhow::Result<Self> {
        Ok(Self {
            ok: 0,
            non_2xx: 0,
            errors: 0,
            latency_us: Histogram::new_with_bounds(1, MAX_TRACKED_US, 3)
                .context("creating the latency histogram")?,
            first_failure: None,
        })
    }

    /// Counts one request that took `latency`.
    fn record(&mut self, kind: Kind, latency: Duration) {
        match kind {
            Kind::Ok => {
                self.ok += 1;
                let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
                self.latency_us.saturating_record(us.max(1));
            }
            Kind::Non2xx(status) => {
                self.non_2xx += 1;
                self.first_failure
                    .get_or_insert_with(|| format!("status {status}"));
            }
            Kind::Error(message) => {
                self.errors += 1;
                self.first_failure.get_or_insert(message);
            }
        }
    }

    /// Turns the tally into the run's outcomes.
    fn finish(self, elapsed: Duration) -> Outcomes {
        if let Some(failure) = &self.first_failure {
            eprintln!(
                "loadgen: {} non-2xx, {} errors; first: {failure}",
                self.non_2xx, self.errors
            );
        }
        Outcomes {
            ok: self.ok,
            non_2xx: self.non_2xx,
            errors: self.errors,
            latency_us: self.latency_us,
            elapsed,
        }
    }
}

/// What every request needs: the client, the target and the body.
struct Target {
    /// The shared client (keep-alive, no cookies, no proxy).
    client: reqwest::Client,
    /// Where to POST.
    url: reqwest::Url,
    /// The body, shared without copying.
    body: Bytes,
}

impl Target {
    /// Sends one POST and reads the whole response body.
    async fn send(&self) -> Kind {
        let response = match self
            .client
            .post(self.url.clone())
            .body(self.body.clone())
            .send()
            .await
        {
            Ok(response) => response,
            Err(err) => return Kind::Error(error_chain(&err)),
        };
        let status = response.status();
        match response.bytes().await {
            Ok(_) if status.is_success() => Kind::Ok,
            Ok(_) => Kind::Non2xx(status),
            Err(err) => Kind::Error(error_chain(&err)),
        }
    }
}

/// The error and its sources on one line (reqwest's top-level message alone says little).
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Runs the plan and returns what was observed.
pub(crate) async fn run(plan: Plan) -> anyhow::Result<Outcomes> {
    let client = reqwest::Client::builder()
        .default_headers(plan.headers.clone())
        .http1_only()
        .no_proxy()
        .tcp_nodelay(true)
        .timeout(plan.timeout)
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .context("building the HTTP client")?;
    let target = Arc::new(Target {
        client,
        url: plan.url.clone(),
        body: plan.body.clone(),
    });
    match plan.mode {
        Mode::Closed { concurrency } => closed(&plan, target, concurrency).await,
        Mode::Open {
            rate,
            max_in_flight,
        } => open(&plan, target, rate, max_in_flight).await,
    }
}

/// Closed loop: `concurrency` tasks send back to back until the duration is over.
///
/// The tasks share one tally behind a mutex, held only to count (never across an await): one
/// histogram per task would cost a quarter of a megabyte each.
async fn closed(plan: &Plan, target: Arc<Target>, concurrency: usize) -> anyhow::Result<Outcomes> {
    let per_task = (plan.max_requests / concurrency as u64).max(1);
    let tally = Arc::new(Mutex::new(Tally::new()?));
    let start = Instant::now();
    let deadline = start + plan.duration;
    let mut tasks = JoinSet::new();
    for _ in 0..concurrency {
        let target = Arc::clone(&target);
        let tally = Arc::clone(&tally);
        tasks.spawn(async move {
            for _ in 0..per_task {
                if Instant::now() >= deadline {
                    break;
                }
                let sent = Instant::now();
                let kind = target.send().await;
                let latency = sent.elapsed();
                tally
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .record(kind, latency);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.context("a load task panicked")?;
    }
    let elapsed = start.elapsed();
    let tally = Arc::into_inner(tally)
        .context("load tasks still hold the tally")?
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    Ok(tally.finish(elapsed))
}

/// Open loop: request `i` is due at `start + i / rate`; a dedicated thread starts each one on
/// time and its latency runs from that due time, so queueing anywhere (in this process, in the
/// kernel, in the server) shows up in the numbers instead of slowing the schedule down.
///
/// The pacing runs on an OS thread because `std::thread::sleep` wakes within tens of
/// microseconds, while tokio's timer has a resolution of one millisecond, which would add up to
/// a millisecond of the generator's own lateness to every measurement.
async fn open(
    plan: &Plan,
    target: Arc<Target>,
    rate: f64,
    max_in_flight: usize,
) -> anyhow::Result<Outcomes> {
    let planned = (rate * plan.duration.as_secs_f64()).round() as u64;
    let total_requests = planned.clamp(1, plan.max_requests);
    let slots = Arc::new(Semaphore::new(max_in_flight));
    let (results, mut receiver) = mpsc::unbounded_channel::<(Kind, Duration)>();
    let runtime = tokio::runtime::Handle::current();
    // A short head start so the first due time is not already in the past.
    let start = Instant::now() + Duration::from_millis(5);

    let pacer = std::thread::Builder::new()
        .name("loadgen-pacer".into())
        .spawn(move || {
            let mut started = 0_u64;
            for i in 0..total_requests {
                let due = start + Duration::from_secs_f64(i as f64 / rate);
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                }
                let target = Arc::clone(&target);
                let slots = Arc::clone(&slots);
                let results = results.clone();
                runtime.spawn(async move {
                    let Ok(_slot) = slots.acquire_owned().await else {
                        return;
                    };
                    let kind = target.send().await;
                    // The receiver only goes away after its deadline; nothing to do then.
                    let _ = results.send((kind, due.elapsed()));
                });
                started += 1;
            }
            started
        })
        .context("starting the pacing thread")?;

    // Every request has a timeout, so all are done by then; the margin covers waits for a slot.
    let collect_for = plan.duration + plan.timeout + Duration::from_secs(5);
    let mut tally = Tally::new()?;
    let mut received = 0_u64;
    let mut last_completion = start;
    let _ = tokio::time::timeout(collect_for, async {
        while let Some((kind, latency)) = receiver.recv().await {
            tally.record(kind, latency);
            received += 1;
            last_completion = Instant::now();
        }
    })
    .await;
    let started = tokio::task::spawn_blocking(move || pacer.join())
        .await
        .context("joining the pacing thread")?
        .map_err(|_| anyhow::anyhow!("the pacing thread panicked"))?;
    if started > received {
        let missing = started - received;
        tally.errors += missing;
        tally
            .first_failure
            .get_or_insert_with(|| format!("{missing} requests never completed"));
    }
    Ok(tally.finish(last_completion.saturating_duration_since(start)))
}
