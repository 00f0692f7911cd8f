//! `loadgen chatkit`: the scripted ChatKit conversation of the protocol benchmark
//! (`bench/protocol/`), against any server that speaks the ChatKit protocol with the benchmark's
//! scripted reply.
//!
//! One *conversation* is two requests on one identity:
//!
//! 1. `threads.create` with a user message; the `text/event-stream` answer is read to its end and
//!    checked: the first frame is `thread.created` (the thread id comes from it), the user message
//!    arrives as `thread.item.done`, then exactly `--deltas` text deltas `"tok0 "`, `"tok1 "`, …,
//!    and the assistant message's `thread.item.done` carrying their concatenation; no `error`
//!    frame, no partial frame at the end;
//! 2. `items.list` for that thread (JSON), which must hold exactly those two items.
//!
//! Each task keeps its own cookies (the `Set-Cookie` of its first answer) and sends them on every
//! later request, so a thread is listed by the identity that created it; tasks never share one.
//!
//! Two modes:
//! - `--concurrency N`: a closed loop of N tasks, each starting its next conversation when the
//!   previous one ends, for `--duration` seconds. Reports conversations/s, requests/s and latency
//!   percentiles per step (whole stream, time to first delta, `items.list`, whole conversation);
//!   transport errors, non-2xx answers and validation failures are counted apart.
//! - `--hold N`: opens N streams whose user text contains `[[hold]]` (the scripted reply then
//!   waits before answering), in two halves, waiting after each until every stream has delivered
//!   its first frame; reads the server's resident memory (`--server-pid`, from `/proc`) before,
//!   with half and with all of them open; runs one normal conversation while they are open, keeps
//!   them open `--hold-seconds`, counts those the server ended early, closes them all and reads
//!   the memory once more. With `--idle-connections M`, M keep-alive connections that each sent
//!   one `GET /healthz` are opened first and kept open throughout: what a connection costs alone.
//!
//! One JSON line on stdout, diagnostics on stderr, like the rest of `loadgen`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use bytes::{Bytes, BytesMut};
use clap::ArgGroup;
use hdrhistogram::Histogram;
use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderMap, HeaderValue, SET_COOKIE};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::{MAX_CONCURRENCY, MAX_DURATION_S, is_loopback, parse_header};

/// Most streams `--hold` may open.
const MAX_HOLD: usize = 10_000;
/// Highest latency the histograms can hold, in microseconds.
const MAX_TRACKED_US: u64 = 600_000_000;
/// The marker that makes the scripted reply wait.
const HOLD_MARKER: &str = "[[hold]]";

/// Arguments of `loadgen chatkit`.
#[derive(Debug, clap::Args)]
#[command(group(ArgGroup::new("chatkit_mode").required(true).args(["concurrency", "hold"])))]
pub(crate) struct ChatkitArgs {
    /// The ChatKit endpoint to POST to (loopback only), e.g. http://127.0.0.1:8000/chatkit.
    #[arg(long)]
    url: String,

    /// Extra request header as `Name: value`; repeatable.
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,

    /// Closed loop: this many tasks, each running conversations back to back (1..=1024).
    #[arg(long)]
    concurrency: Option<usize>,

    /// Hold mode: open this many `[[hold]]` streams at once (1..=10000).
    #[arg(long)]
    hold: Option<usize>,

    /// Closed loop: how long to start new conversations, in seconds (at most 120).
    #[arg(long, default_value_t = 10.0)]
    duration: f64,

    /// Per-request timeout in seconds (the stream read to its end counts as one request).
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,

    /// Closed loop: upper bound on the conversations started in the whole run.
    #[arg(long, default_value_t = 10_000_000)]
    max_conversations: u64,

    /// The user message's text (hold mode puts `[[hold]]` in front of it).
    #[arg(long, default_value = "Hello from the protocol benchmark")]
    text: String,

    /// Number of text deltas the scripted reply streams (`tok0 ` … `tok<N-1> `).
    #[arg(long, default_value_t = 20)]
    deltas: usize,

    /// Server process(es) whose `VmRSS` hold mode reads (summed); repeatable.
    #[arg(long = "server-pid")]
    server_pids: Vec<u32>,

    /// Hold mode: seconds to keep the streams open once all are open (at most 120).
    #[arg(long, default_value_t = 2.0)]
    hold_seconds: f64,

    /// Hold mode: most streams being opened at once (waiting for their first frame).
    #[arg(long, default_value_t = 64)]
    open_parallelism: usize,

    /// Hold mode: how long opening all the streams may take, in seconds (at most 120).
    #[arg(long, default_value_t = 60.0)]
    open_timeout: f64,

    /// Hold mode: seconds to wait after opening (before reading memory) and after closing.
    #[arg(long, default_value_t = 1.0)]
    settle_seconds: f64,

    /// Hold mode: before the streams, open this many idle keep-alive connections (each sends one
    /// `GET /healthz`, reads the answer, then stays silent), read `VmRSS`, and keep them open
    /// until the streams are closed: what a connection alone costs (0..=10000; http URLs only).
    #[arg(long, default_value_t = 0)]
    idle_connections: usize,

    /// Hold mode: open the streams over HTTP/2 with prior knowledge (h2c), this many streams
    /// per connection (as a proxy in front of the server multiplexes its clients' streams);
    /// 0 (the default) opens one HTTP/1.1 connection per stream, as browsers do without a proxy.
    #[arg(long, default_value_t = 0)]
    http2_streams_per_connection: usize,

    /// Tokio worker threads (default: the number of CPUs).
    #[arg(long)]
    pub(crate) threads: Option<usize>,
}

/// Runs `loadgen chatkit` and prints its JSON line.
pub(crate) async fn run(args: ChatkitArgs) -> anyhow::Result<()> {
    ensure!(
        args.duration > 0.0 && args.duration <= MAX_DURATION_S,
        "--duration must be more than 0 and at most {MAX_DURATION_S} seconds"
    );
    ensure!(
        args.timeout > 0.0 && args.timeout <= MAX_DURATION_S,
        "--timeout must be more than 0 and at most {MAX_DURATION_S} seconds"
    );
    ensure!(
        args.hold_seconds >= 0.0 && args.hold_seconds <= MAX_DURATION_S,
        "--hold-seconds must be 0..={MAX_DURATION_S}"
    );
    ensure!(
        args.open_timeout > 0.0 && args.open_timeout <= MAX_DURATION_S,
        "--open-timeout must be more than 0 and at most {MAX_DURATION_S} seconds"
    );
    ensure!(
        args.settle_seconds >= 0.0 && args.settle_seconds <= 30.0,
        "--settle-seconds must be 0..=30"
    );
    ensure!(
        args.http2_streams_per_connection <= MAX_HOLD,
        "--http2-streams-per-connection must be at most {MAX_HOLD}"
    );
    ensure!(
        args.idle_connections <= MAX_HOLD,
        "--idle-connections must be at most {MAX_HOLD}"
    );
    ensure!(
        (1..=MAX_CONCURRENCY).contains(&args.open_parallelism),
        "--open-parallelism must be between 1 and {MAX_CONCURRENCY}"
    );
    ensure!(
        args.max_conversations >= 1,
        "--max-conversations must be at least 1"
    );
    ensure!(args.deltas <= 10_000, "--deltas must be at most 10000");
    let url = reqwest::Url::parse(&args.url).with_context(|| format!("--url {}", args.url))?;
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
    let script = Arc::new(Script::new(url, headers.clone(), &args)?);

    let line = match (args.concurrency, args.hold) {
        (Some(concurrency), None) => {
            ensure!(
                (1..=MAX_CONCURRENCY).contains(&concurrency),
                "--concurrency must be between 1 and {MAX_CONCURRENCY}"
            );
            closed(&args, script, concurrency).await?
        }
        (None, Some(hold)) => {
            ensure!(
                (1..=MAX_HOLD).contains(&hold),
                "--hold must be between 1 and {MAX_HOLD}"
            );
            hold_streams(&args, script, hold).await?
        }
        _ => anyhow::bail!("give exactly one of --concurrency and --hold"),
    };
    println!("{line}");
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// The scripted conversation

/// What every conversation needs: clients, URL, the bodies and the expected reply.
struct Script {
    /// Client for conversations: keep-alive, no cookie store (cookies are kept per task), the
    /// per-request timeout.
    client: reqwest::Client,
    /// Clients for held streams: the same without a total timeout (a held stream is long); one
    /// HTTP/1.1 client, or one HTTP/2 client per connection to open.
    hold_clients: Vec<reqwest::Client>,
    /// HTTP/2 only: streams per hold client (stream `i` uses client `i / this`).
    hold_streams_per_client: usize,
    /// The endpoint.
    url: reqwest::Url,
    /// The `threads.create` body of a normal conversation.
    create_body: Bytes,
    /// The `threads.create` body of a held stream.
    hold_body: Bytes,
    /// The deltas expected, in order.
    deltas: Vec<String>,
    /// Their concatenation: the assistant message's final text.
    full_text: String,
}

impl Script {
    /// Builds the clients and bodies.
    fn new(url: reqwest::Url, headers: HeaderMap, args: &ChatkitArgs) -> anyhow::Result<Self> {
        let base = || {
            reqwest::Client::builder()
                .default_headers(headers.clone())
                .http1_only()
                .no_proxy()
                .tcp_nodelay(true)
                .pool_max_idle_per_host(usize::MAX)
                .connect_timeout(Duration::from_secs(10))
        };
        let client = base()
            .timeout(Duration::from_secs_f64(args.timeout))
            .build()
            .context("building the HTTP client")?;
        let per_connection = args.http2_streams_per_connection;
        let hold_clients = if per_connection == 0 {
            vec![base().build().context("building the HTTP client")?]
        } else {
            let connections = args.hold.unwrap_or(1).div_ceil(per_connection);
            (0..connections)
                .map(|_| {
                    reqwest::Client::builder()
                        .default_headers(headers.clone())
                        .http2_prior_knowledge()
                        .no_proxy()
                        .tcp_nodelay(true)
                        .connect_timeout(Duration::from_secs(10))
                        .build()
                        .context("building the HTTP/2 client")
                })
                .collect::<anyhow::Result<_>>()?
        };
        let create = |text: &str| {
            Bytes::from(
                json!({
                    "type": "threads.create",
                    "params": {"input": {
                        "content": [{"type": "input_text", "text": text}],
                        "attachments": [],
                        "inference_options": {},
                    }},
                })
                .to_string(),
            )
        };
        let deltas: Vec<String> = (0..args.deltas).map(|i| format!("tok{i} ")).collect();
        Ok(Self {
            client,
            hold_clients,
            hold_streams_per_client: per_connection.max(1),
            url,
            create_body: create(&args.text),
            hold_body: create(&format!("{HOLD_MARKER} {}", args.text)),
            full_text: deltas.concat(),
            deltas,
        })
    }

    /// The `items.list` body for a thread.
    fn list_body(thread_id: &str) -> Bytes {
        Bytes::from(
            json!({
                "type": "items.list",
                "params": {"thread_id": thread_id, "limit": 20, "order": "asc"},
            })
            .to_string(),
        )
    }

    /// A POST of `body` with the task's cookies.
    fn post(&self, client: &reqwest::Client, body: Bytes, jar: &Jar) -> reqwest::RequestBuilder {
        let mut request = client
            .post(self.url.clone())
            .header(ACCEPT, "text/event-stream")
            .body(body);
        if let Some(cookie) = jar.header() {
            request = request.header(COOKIE, cookie);
        }
        request
    }

    /// Runs one conversation: `threads.create` read to its end, then `items.list`.
    async fn conversation(&self, jar: &mut Jar) -> Conversation {
        let sent = Instant::now();
        let response = match self
            .post(&self.client, self.create_body.clone(), jar)
            .send()
            .await
        {
            Ok(response) => response,
            Err(err) => return Conversation::failed(1, Failure::Error(error_chain(&err))),
        };
        jar.update(response.headers());
        let mut response = match expect_stream(response, "threads.create").await {
            Ok(response) => response,
            Err(failure) => return Conversation::failed(1, failure),
        };
        let mut check = StreamCheck::new(self, sent);
        let mut frames = Frames::default();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if let Err(failure) = frames.push(&chunk, |frame| check.frame(frame)) {
                        return Conversation::failed(1, failure);
                    }
                }
                Ok(None) => break,
                Err(err) => return Conversation::failed(1, Failure::Error(error_chain(&err))),
            }
        }
        let stream_time = sent.elapsed();
        if let Err(failure) = frames.finish().and_then(|()| check.finish()) {
            return Conversation::failed(1, failure);
        }
        let StreamCheck {
            thread_id,
            user_item,
            assistant_item,
            first_delta,
            ..
        } = check;
        let (Some(thread_id), Some(user_item), Some(assistant_item), Some(first_delta)) =
            (thread_id, user_item, assistant_item, first_delta)
        else {
            return Conversation::failed(1, Failure::Invalid("incomplete stream".into()));
        };

        let listed = Instant::now();
        let result = self
            .list(jar, &thread_id, &user_item, &assistant_item)
            .await;
        let list_time = listed.elapsed();
        match result {
            Ok(()) => Conversation {
                requests: 2,
                result: Ok(Timings {
                    stream: stream_time,
                    first_delta,
                    list: list_time,
                    total: sent.elapsed(),
                }),
            },
            Err(failure) => Conversation::failed(2, failure),
        }
    }

    /// `items.list` for the new thread: exactly the user message and the assistant message.
    async fn list(
        &self,
        jar: &mut Jar,
        thread_id: &str,
        user_item: &str,
        assistant_item: &str,
    ) -> Result<(), Failure> {
        let response = self
            .post(&self.client, Self::list_body(thread_id), jar)
            .send()
            .await
            .map_err(|err| Failure::Error(error_chain(&err)))?;
        jar.update(response.headers());
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|err| Failure::Error(error_chain(&err)))?;
        if !status.is_success() {
            return Err(Failure::Non2xx(format!(
                "items.list: status {status}: {}",
                snippet(&body)
            )));
        }
        let page: ItemsPage = serde_json::from_slice(&body)
            .map_err(|err| Failure::Invalid(format!("items.list: {err}: {}", snippet(&body))))?;
        let invalid =
            |why: &str| Failure::Invalid(format!("items.list: {why}: {}", snippet(&body)));
        if page.data.len() != 2 {
            return Err(invalid("expected 2 items"));
        }
        let user = page.data.iter().find(|item| item.id == user_item);
        let assistant = page.data.iter().find(|item| item.id == assistant_item);
        match (user, assistant) {
            (Some(user), Some(assistant))
                if user.kind == "user_message" && assistant.kind == "assistant_message" =>
            {
                if assistant.text() != self.full_text {
                    return Err(invalid(
                        "the assistant message's text differs from the stream's",
                    ));
                }
                Ok(())
            }
            _ => Err(invalid(
                "the streamed user and assistant messages are not both listed",
            )),
        }
    }
}

/// Checks the status and content type of a streaming answer.
async fn expect_stream(
    response: reqwest::Response,
    op: &str,
) -> Result<reqwest::Response, Failure> {
    let status = response.status();
    if !status.is_success() {
        let body = response.bytes().await.unwrap_or_default();
        return Err(Failure::Non2xx(format!(
            "{op}: status {status}: {}",
            snippet(&body)
        )));
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("text/event-stream") {
        return Err(Failure::Invalid(format!(
            "{op}: content type {content_type:?}, not text/event-stream"
        )));
    }
    Ok(response)
}

/// A task's cookies: the `name=value` of every `Set-Cookie` it was sent, latest value wins.
#[derive(Default)]
struct Jar {
    /// Name and value pairs.
    cookies: Vec<(String, String)>,
    /// The `Cookie` header they make, rebuilt when they change.
    header: Option<HeaderValue>,
}

impl Jar {
    /// Takes in the `Set-Cookie` headers of an answer.
    fn update(&mut self, headers: &HeaderMap) {
        let mut changed = false;
        for value in headers.get_all(SET_COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            let pair = value.split(';').next().unwrap_or("");
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            match self.cookies.iter_mut().find(|(n, _)| n == name) {
                Some((_, v)) if v == value => {}
                Some((_, v)) => {
                    *v = value.to_owned();
                    changed = true;
                }
                None => {
                    self.cookies.push((name.to_owned(), value.to_owned()));
                    changed = true;
                }
            }
        }
        if changed {
            let mut header = String::new();
            for (i, (name, value)) in self.cookies.iter().enumerate() {
                if i > 0 {
                    header.push_str("; ");
                }
                let _ = write!(header, "{name}={value}");
            }
            self.header = HeaderValue::from_str(&header).ok();
        }
    }

    /// The `Cookie` header to send, if any cookie was set.
    fn header(&self) -> Option<HeaderValue> {
        self.header.clone()
    }
}

/// Splits a byte stream into SSE frames (`data: <json>\n\n`).
#[derive(Default)]
struct Frames {
    /// Bytes not yet split.
    buffer: BytesMut,
    /// Where to resume looking for the blank line.
    scanned: usize,
}

impl Frames {
    /// Adds a chunk and hands every complete frame's JSON to `each`.
    fn push(
        &mut self,
        chunk: &[u8],
        mut each: impl FnMut(&[u8]) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        self.buffer.extend_from_slice(chunk);
        loop {
            let from = self.scanned.saturating_sub(1);
            let Some(end) = self.buffer[from..]
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|p| from + p)
            else {
                self.scanned = self.buffer.len();
                return Ok(());
            };
            let frame = self.buffer.split_to(end + 2);
            self.scanned = 0;
            let mut data = None;
            for line in frame[..end].split(|&b| b == b'\n') {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.starts_with(b":") {
                    // An SSE comment (a heartbeat): no event.
                    continue;
                }
                let Some(json) = line
                    .strip_prefix(b"data: ")
                    .or_else(|| line.strip_prefix(b"data:"))
                else {
                    return Err(Failure::Invalid(format!(
                        "unexpected SSE line {:?}",
                        String::from_utf8_lossy(line)
                    )));
                };
                if data.replace(json).is_some() {
                    return Err(Failure::Invalid("a frame with several data lines".into()));
                }
            }
            if let Some(json) = data {
                each(json)?;
            }
        }
    }

    /// Checks that the stream did not end in the middle of a frame.
    fn finish(&self) -> Result<(), Failure> {
        if self.buffer.iter().all(u8::is_ascii_whitespace) {
            Ok(())
        } else {
            Err(Failure::Invalid(format!(
                "the stream ended inside a frame: {}",
                snippet(&self.buffer)
            )))
        }
    }
}

/// The parts of a stream event the check reads.
#[derive(Deserialize)]
struct Frame {
    /// Event type.
    #[serde(rename = "type")]
    kind: String,
    /// `thread.created` / `thread.updated`.
    thread: Option<IdOnly>,
    /// `thread.item.added` / `thread.item.done`.
    item: Option<Item>,
    /// `thread.item.updated`.
    item_id: Option<String>,
    /// `thread.item.updated`.
    update: Option<Update>,
}

/// An object of which only the id matters.
#[derive(Deserialize)]
struct IdOnly {
    /// The id.
    id: String,
}

/// A thread item, as far as the check reads it.
#[derive(Deserialize)]
struct Item {
    /// Item id.
    id: String,
    /// Item type.
    #[serde(rename = "type")]
    kind: String,
    /// Message content parts.
    #[serde(default)]
    content: Vec<Part>,
}

impl Item {
    /// The concatenated text of its content parts.
    fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|part| part.text.as_deref())
            .collect()
    }
}

/// A content part.
#[derive(Deserialize)]
struct Part {
    /// Its text, for text parts.
    text: Option<String>,
}

/// A `ThreadItemUpdate`.
#[derive(Deserialize)]
struct Update {
    /// Update type.
    #[serde(rename = "type")]
    kind: String,
    /// Text deltas.
    delta: Option<String>,
}

/// An `items.list` page.
#[derive(Deserialize)]
struct ItemsPage {
    /// The items.
    data: Vec<Item>,
}

/// The running check of one `threads.create` stream.
struct StreamCheck<'a> {
    /// The expected reply.
    script: &'a Script,
    /// When the request was sent.
    sent: Instant,
    /// Frames seen.
    frames: usize,
    /// From the first frame (`thread.created`).
    thread_id: Option<String>,
    /// The user message's id (its `thread.item.done`).
    user_item: Option<String>,
    /// The assistant message's id (from its `thread.item.done`).
    assistant_item: Option<String>,
    /// The assistant message being streamed (from `thread.item.added`).
    streaming_item: Option<String>,
    /// Deltas seen.
    deltas: usize,
    /// Time from the send to the first delta.
    first_delta: Option<Duration>,
}

impl<'a> StreamCheck<'a> {
    /// A check for a request sent at `sent`.
    fn new(script: &'a Script, sent: Instant) -> Self {
        Self {
            script,
            sent,
            frames: 0,
            thread_id: None,
            user_item: None,
            assistant_item: None,
            streaming_item: None,
            deltas: 0,
            first_delta: None,
        }
    }

    /// Checks one frame.
    fn frame(&mut self, json: &[u8]) -> Result<(), Failure> {
        let invalid = |why: String| Failure::Invalid(format!("{why}: {}", snippet(json)));
        let frame: Frame =
            serde_json::from_slice(json).map_err(|err| invalid(format!("frame: {err}")))?;
        self.frames += 1;
        if self.frames == 1 {
            return match (frame.kind.as_str(), frame.thread) {
                ("thread.created", Some(thread)) => {
                    self.thread_id = Some(thread.id);
                    Ok(())
                }
                _ => Err(invalid("the first frame is not thread.created".into())),
            };
        }
        if self.assistant_item.is_some() && frame.kind.starts_with("thread.item") {
            return Err(invalid(
                "an item event after the assistant message was done".into(),
            ));
        }
        match frame.kind.as_str() {
            "error" => Err(invalid("an error frame".into())),
            "thread.created" => Err(invalid("a second thread.created".into())),
            "thread.item.added" => {
                let item = frame.item.ok_or_else(|| invalid("no item".into()))?;
                if item.kind == "assistant_message" {
                    self.streaming_item = Some(item.id);
                }
                Ok(())
            }
            "thread.item.updated" => {
                let update = frame.update.ok_or_else(|| invalid("no update".into()))?;
                if update.kind != "assistant_message.content_part.text_delta" {
                    return Ok(());
                }
                if frame.item_id.is_none() || frame.item_id != self.streaming_item {
                    return Err(invalid("a delta for an item that was not added".into()));
                }
                let expected = self.script.deltas.get(self.deltas);
                if update.delta.as_ref() != expected {
                    return Err(invalid(format!(
                        "delta {} is not {expected:?}",
                        self.deltas
                    )));
                }
                if self.deltas == 0 {
                    self.first_delta = Some(self.sent.elapsed());
                }
                self.deltas += 1;
                Ok(())
            }
            "thread.item.done" => {
                let item = frame.item.ok_or_else(|| invalid("no item".into()))?;
                match item.kind.as_str() {
                    "user_message" if self.user_item.is_none() => {
                        self.user_item = Some(item.id);
                        Ok(())
                    }
                    "assistant_message" => {
                        if self.deltas != self.script.deltas.len() {
                            return Err(invalid(format!(
                                "the assistant message was done after {} deltas",
                                self.deltas
                            )));
                        }
                        if Some(&item.id) != self.streaming_item.as_ref() {
                            return Err(invalid(
                                "done for an assistant message never added".into(),
                            ));
                        }
                        if item.text() != self.script.full_text {
                            return Err(invalid("the final text is not the deltas' sum".into()));
                        }
                        self.assistant_item = Some(item.id);
                        Ok(())
                    }
                    other => Err(invalid(format!("an unexpected {other} item"))),
                }
            }
            _ => Ok(()),
        }
    }

    /// Checks the stream as a whole once it ended.
    fn finish(&self) -> Result<(), Failure> {
        let missing = if self.thread_id.is_none() {
            "thread.created"
        } else if self.user_item.is_none() {
            "the user message's thread.item.done"
        } else if self.first_delta.is_none() {
            "text deltas"
        } else if self.assistant_item.is_none() {
            "the assistant message's thread.item.done"
        } else {
            return Ok(());
        };
        Err(Failure::Invalid(format!(
            "the stream ended after {} frames without {missing}",
            self.frames
        )))
    }
}

/// How a conversation failed.
#[derive(Debug)]
enum Failure {
    /// No usable answer: connection error, timeout, broken body.
    Error(String),
    /// A non-2xx status.
    Non2xx(String),
    /// An answer that broke the script or the protocol.
    Invalid(String),
}

/// Step latencies of a successful conversation.
struct Timings {
    /// `threads.create`: from the send to the end of the stream.
    stream: Duration,
    /// From the send to the first text delta.
    first_delta: Duration,
    /// `items.list`: from the send to the end of the body.
    list: Duration,
    /// The whole conversation.
    total: Duration,
}

/// One conversation's outcome.
struct Conversation {
    /// HTTP requests it completed (1 or 2).
    requests: u64,
    /// Its timings, or how it failed.
    result: Result<Timings, Failure>,
}

impl Conversation {
    /// A failed conversation.
    fn failed(requests: u64, failure: Failure) -> Self {
        Self {
            requests,
            result: Err(failure),
        }
    }
}

/// The error and its sources on one line.
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

/// The start of a body, for messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(300).collect();
    if text.chars().count() > 300 {
        out.push('…');
    }
    out
}

// ------------------------------------------------------------------------------------------------
// Closed loop

/// A latency histogram in microseconds.
fn histogram() -> anyhow::Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, MAX_TRACKED_US, 3).context("creating a latency histogram")
}

/// Records a duration.
fn record(hist: &mut Histogram<u64>, d: Duration) {
    let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    hist.saturating_record(us.max(1));
}

/// Percentiles of one step, in microseconds.
#[derive(Serialize)]
struct Percentiles {
    /// Mean.
    mean_us: f64,
    /// Median.
    p50_us: u64,
    /// 90th percentile.
    p90_us: u64,
    /// 99th percentile.
    p99_us: u64,
    /// 99.9th percentile.
    p999_us: u64,
    /// Highest.
    max_us: u64,
}

impl Percentiles {
    /// Summarises a histogram (zeros when empty).
    fn of(hist: &Histogram<u64>) -> Self {
        if hist.is_empty() {
            return Self {
                mean_us: 0.0,
                p50_us: 0,
                p90_us: 0,
                p99_us: 0,
                p999_us: 0,
                max_us: 0,
            };
        }
        Self {
            mean_us: round3(hist.mean()),
            p50_us: hist.value_at_quantile(0.5),
            p90_us: hist.value_at_quantile(0.9),
            p99_us: hist.value_at_quantile(0.99),
            p999_us: hist.value_at_quantile(0.999),
            max_us: hist.max(),
        }
    }
}

/// What the closed loop counts.
struct Tally {
    /// Completed conversations that passed every check.
    ok: u64,
    /// Conversations that failed on a transport error.
    errors: u64,
    /// Conversations that got a non-2xx answer.
    non_2xx: u64,
    /// Conversations whose answers broke the script or the protocol.
    invalid: u64,
    /// HTTP requests completed (whatever their outcome).
    requests: u64,
    /// `threads.create` stream times.
    stream: Histogram<u64>,
    /// Times to the first delta.
    first_delta: Histogram<u64>,
    /// `items.list` times.
    list: Histogram<u64>,
    /// Whole conversations.
    total: Histogram<u64>,
    /// The first failure, printed once.
    first_failure: Option<String>,
}

impl Tally {
    /// An empty tally.
    fn new() -> anyhow::Result<Self> {
        Ok(Self {
            ok: 0,
            errors: 0,
            non_2xx: 0,
            invalid: 0,
            requests: 0,
            stream: histogram()?,
            first_delta: histogram()?,
            list: histogram()?,
            total: histogram()?,
            first_failure: None,
        })
    }

    /// Counts one conversation.
    fn add(&mut self, conversation: Conversation) {
        self.requests += conversation.requests;
        match conversation.result {
            Ok(t) => {
                self.ok += 1;
                record(&mut self.stream, t.stream);
                record(&mut self.first_delta, t.first_delta);
                record(&mut self.list, t.list);
                record(&mut self.total, t.total);
            }
            Err(failure) => {
                let message = match failure {
                    Failure::Error(m) => {
                        self.errors += 1;
                        m
                    }
                    Failure::Non2xx(m) => {
                        self.non_2xx += 1;
                        m
                    }
                    Failure::Invalid(m) => {
                        self.invalid += 1;
                        format!("invalid: {m}")
                    }
                };
                self.first_failure.get_or_insert(message);
            }
        }
    }
}

/// The closed loop's JSON line.
#[derive(Serialize)]
struct ClosedReport {
    /// The endpoint.
    url: String,
    /// `"conversations"`.
    mode: &'static str,
    /// Tasks.
    concurrency: usize,
    /// Requested duration, in seconds.
    duration_s: f64,
    /// From the start to the last completion, in seconds.
    elapsed_s: f64,
    /// Conversations completed (`ok + errors + non_2xx + invalid`).
    conversations: u64,
    /// Conversations that passed every check.
    ok: u64,
    /// Transport errors (connection, timeout, broken body).
    errors: u64,
    /// Non-2xx answers.
    non_2xx: u64,
    /// Validation failures (frames or listing not as scripted).
    invalid: u64,
    /// HTTP requests completed.
    requests: u64,
    /// Good conversations per second.
    conversations_per_s: f64,
    /// Completed HTTP requests per second.
    rps: f64,
    /// Deltas per conversation.
    deltas: usize,
    /// `threads.create`, send to end of stream.
    stream: Percentiles,
    /// Send to first delta.
    first_delta: Percentiles,
    /// `items.list`.
    items_list: Percentiles,
    /// Whole conversation.
    conversation: Percentiles,
    /// The first failure, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_failure: Option<String>,
}

/// Closed loop: `concurrency` tasks run conversations back to back until the duration is over.
async fn closed(
    args: &ChatkitArgs,
    script: Arc<Script>,
    concurrency: usize,
) -> anyhow::Result<String> {
    let per_task = (args.max_conversations / concurrency as u64).max(1);
    let tally = Arc::new(Mutex::new(Tally::new()?));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(args.duration);
    let mut tasks = JoinSet::new();
    for _ in 0..concurrency {
        let script = Arc::clone(&script);
        let tally = Arc::clone(&tally);
        tasks.spawn(async move {
            let mut jar = Jar::default();
            for _ in 0..per_task {
                if Instant::now() >= deadline {
                    break;
                }
                let conversation = script.conversation(&mut jar).await;
                tally
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .add(conversation);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.context("a conversation task panicked")?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let tally = Arc::into_inner(tally)
        .context("tasks still hold the tally")?
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(failure) = &tally.first_failure {
        eprintln!(
            "loadgen chatkit: {} errors, {} non-2xx, {} invalid; first: {failure}",
            tally.errors, tally.non_2xx, tally.invalid
        );
    }
    let per_s = |n: u64| {
        if elapsed > 0.0 {
            round3(n as f64 / elapsed)
        } else {
            0.0
        }
    };
    let report = ClosedReport {
        url: args.url.clone(),
        mode: "conversations",
        concurrency,
        duration_s: args.duration,
        elapsed_s: round3(elapsed),
        conversations: tally.ok + tally.errors + tally.non_2xx + tally.invalid,
        ok: tally.ok,
        errors: tally.errors,
        non_2xx: tally.non_2xx,
        invalid: tally.invalid,
        requests: tally.requests,
        conversations_per_s: per_s(tally.ok),
        rps: per_s(tally.requests),
        deltas: script.deltas.len(),
        stream: Percentiles::of(&tally.stream),
        first_delta: Percentiles::of(&tally.first_delta),
        items_list: Percentiles::of(&tally.list),
        conversation: Percentiles::of(&tally.total),
        first_failure: tally.first_failure,
    };
    Ok(serde_json::to_string(&report)?)
}

// ------------------------------------------------------------------------------------------------
// Hold mode

/// The hold mode's JSON line.
#[derive(Serialize)]
struct HoldReport {
    /// The endpoint.
    url: String,
    /// `"hold"`.
    mode: &'static str,
    /// Streams asked for.
    hold: usize,
    /// `"http/1.1"` (a connection per stream) or `"h2c"`.
    protocol: &'static str,
    /// Connections the streams were opened over.
    connections: usize,
    /// Streams that delivered a valid first frame (`thread.created`).
    opened: u64,
    /// Streams that did not open (error, non-2xx, bad first frame, open timeout).
    open_failed: u64,
    /// Open streams the server ended (or answered) before the client closed them.
    ended_early: u64,
    /// Streams still open when the client closed them.
    open_at_close: u64,
    /// Seconds from the first open to the last first frame (less the pause between halves).
    open_elapsed_s: f64,
    /// Time to first frame over the opened streams.
    first_frame: Percentiles,
    /// Idle keep-alive connections held open through the test (`--idle-connections`).
    idle_connections: u64,
    /// Server RSS (kB, summed over `--server-pid`) before opening the idle connections.
    #[serde(skip_serializing_if = "Option::is_none")]
    rss_before_connections_kb: Option<u64>,
    /// `(rss_before - rss_before_connections) / idle_connections`, in kB.
    #[serde(skip_serializing_if = "Option::is_none")]
    kb_per_connection: Option<f64>,
    /// Server RSS (kB, summed over `--server-pid`) before opening the streams (with the idle
    /// connections open).
    #[serde(skip_serializing_if = "Option::is_none")]
    rss_before_kb: Option<u64>,
    /// Streams open after the first half was opened.
    opened_half: u64,
    /// Server RSS with the first half open.
    #[serde(skip_serializing_if = "Option::is_none")]
    rss_half_kb: Option<u64>,
    /// Server RSS with every stream open.
    #[serde(skip_serializing_if = "Option::is_none")]
    rss_open_kb: Option<u64>,
    /// Server RSS after closing them.
    #[serde(skip_serializing_if = "Option::is_none")]
    rss_closed_kb: Option<u64>,
    /// `(rss_open - rss_before) / opened`, in kB.
    #[serde(skip_serializing_if = "Option::is_none")]
    kb_per_stream: Option<f64>,
    /// The second half's cost: `(rss_open - rss_half) / (opened - opened_half)`, in kB.
    #[serde(skip_serializing_if = "Option::is_none")]
    kb_per_stream_marginal: Option<f64>,
    /// Whether a normal conversation succeeded while the streams were open.
    probe_ok: bool,
    /// Its duration, in microseconds.
    probe_us: u64,
    /// The first failure, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_failure: Option<String>,
}

/// The sum of `VmRSS` over the given processes, in kB (`None` without processes or when one
/// cannot be read).
fn rss_kb(pids: &[u32]) -> Option<u64> {
    if pids.is_empty() {
        return None;
    }
    let mut total = 0;
    for pid in pids {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        total += line.split_whitespace().nth(1)?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// Opens `count` idle keep-alive connections to the server of `url`: each sends `GET /healthz`,
/// reads the whole answer and then stays open and silent. At most `parallelism` are being opened
/// at once; all must be open before `deadline`.
async fn idle_connections(
    url: &str,
    count: usize,
    parallelism: usize,
    deadline: Instant,
) -> anyhow::Result<Vec<tokio::net::TcpStream>> {
    let url = reqwest::Url::parse(url).with_context(|| format!("--url {url}"))?;
    ensure!(
        url.scheme() == "http",
        "--idle-connections needs an http:// URL"
    );
    let host = url.host_str().context("--url has no host")?.to_owned();
    let port = url.port_or_known_default().context("--url has no port")?;
    let request = Bytes::from(format!(
        "GET /healthz HTTP/1.1\r\nHost: {}\r\n\r\n",
        url.authority()
    ));
    let gate = Arc::new(Semaphore::new(parallelism));
    let mut tasks = JoinSet::new();
    for _ in 0..count {
        let (gate, host, request) = (Arc::clone(&gate), host.clone(), request.clone());
        tasks.spawn(async move {
            let _permit = gate.acquire().await?;
            let open = async {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
                tcp.set_nodelay(true)?;
                tcp.write_all(&request).await?;
                // The head, then as many body bytes as it announces.
                let mut got = Vec::with_capacity(512);
                let mut chunk = [0_u8; 512];
                loop {
                    let n = tcp.read(&mut chunk).await?;
                    ensure!(n > 0, "the server closed the connection");
                    got.extend_from_slice(&chunk[..n]);
                    let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
                    ensure!(
                        head.starts_with("http/1.1 200"),
                        "GET /healthz: {}",
                        head.lines().next().unwrap_or_default()
                    );
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .context("GET /healthz: no content-length")?;
                    if got.len() >= end + 4 + length {
                        return Ok(tcp);
                    }
                }
            };
            tokio::time::timeout_at(deadline.into(), open)
                .await
                .map_err(|_| anyhow::anyhow!("not open within --open-timeout"))?
        });
    }
    let mut open = Vec::with_capacity(count);
    while let Some(done) = tasks.join_next().await {
        open.push(done.context("an idle connection task panicked")??);
    }
    Ok(open)
}

/// How one held stream went.
enum Held {
    /// It did not open.
    Failed(String),
    /// It opened, and the server ended it before the client closed it.
    EndedEarly(String),
    /// It was open until the client closed it.
    Closed,
}

/// Opens `hold` streams, measures, closes them.
async fn hold_streams(
    args: &ChatkitArgs,
    script: Arc<Script>,
    hold: usize,
) -> anyhow::Result<String> {
    let rss_before_connections = rss_kb(&args.server_pids);
    let connections = if args.idle_connections > 0 {
        let deadline = Instant::now() + Duration::from_secs_f64(args.open_timeout);
        let open = idle_connections(
            &args.url,
            args.idle_connections,
            args.open_parallelism,
            deadline,
        )
        .await
        .context("opening the idle connections")?;
        tokio::time::sleep(Duration::from_secs_f64(args.settle_seconds)).await;
        open
    } else {
        Vec::new()
    };
    let rss_before = rss_kb(&args.server_pids);
    let opening = Arc::new(Semaphore::new(args.open_parallelism));
    let (close_tx, close_rx) = watch::channel(false);
    let opened = Arc::new(AtomicU64::new(0));
    let settled = Arc::new(AtomicU64::new(0));
    let first_frames = Arc::new(Mutex::new(histogram()?));
    let open_timeout = Duration::from_secs_f64(args.open_timeout);
    let start = Instant::now();
    let open_deadline = start + open_timeout;
    let last_open = Arc::new(Mutex::new(start));

    // Two halves, with a memory reading between them: the second half's cost per stream is the
    // marginal one, free of what the first streams paid once (caches, pools, allocator arenas).
    let first_half = hold.div_ceil(2);
    let mut rss_half = None;
    let mut opened_half = 0;
    let mut paused = Duration::ZERO;
    let mut tasks = JoinSet::new();
    let mut index = 0;
    for (batch, count) in [(0, first_half), (1, hold - first_half)] {
        for _ in 0..count {
            let client = script.hold_clients
                [(index / script.hold_streams_per_client).min(script.hold_clients.len() - 1)]
            .clone();
            index += 1;
            let script = Arc::clone(&script);
            let opening = Arc::clone(&opening);
            let mut close_rx = close_rx.clone();
            let opened = Arc::clone(&opened);
            let settled = Arc::clone(&settled);
            let first_frames = Arc::clone(&first_frames);
            let last_open = Arc::clone(&last_open);
            tasks.spawn(async move {
            let open = async {
                let _permit = opening.acquire().await.map_err(|e| e.to_string())?;
                let sent = Instant::now();
                let response = script
                    .post(
                        &client,
                        script.hold_body.clone(),
                        &Jar::default(),
                    )
                    .send()
                    .await
                    .map_err(|err| error_chain(&err))?;
                let mut response = expect_stream(response, "threads.create")
                    .await
                    .map_err(|f| format!("{f:?}"))?;
                let mut frames = Frames::default();
                let mut first: Option<Result<(), Failure>> = None;
                while first.is_none() {
                    match response.chunk().await {
                        Ok(Some(chunk)) => {
                            frames
                                .push(&chunk, |json| {
                                    if first.is_none() {
                                        let ok = serde_json::from_slice::<Frame>(json)
                                            .ok()
                                            .filter(|f| f.kind == "thread.created")
                                            .is_some();
                                        first = Some(if ok {
                                            Ok(())
                                        } else {
                                            Err(Failure::Invalid(format!(
                                                "first frame: {}",
                                                snippet(json)
                                            )))
                                        });
                                    }
                                    Ok(())
                                })
                                .map_err(|f| format!("{f:?}"))?;
                        }
                        Ok(None) => return Err("the stream ended before its first frame".into()),
                        Err(err) => return Err(error_chain(&err)),
                    }
                }
                if let Some(Err(failure)) = first {
                    return Err(format!("{failure:?}"));
                }
                record(
                    &mut first_frames.lock().unwrap_or_else(PoisonError::into_inner),
                    sent.elapsed(),
                );
                Ok::<_, String>(response)
            };
            let opened_response = match tokio::time::timeout_at(open_deadline.into(), open).await {
                Ok(Ok(response)) => response,
                Ok(Err(message)) => {
                    settled.fetch_add(1, Ordering::SeqCst);
                    return Held::Failed(message);
                }
                Err(_) => {
                    settled.fetch_add(1, Ordering::SeqCst);
                    return Held::Failed("not open within --open-timeout".into());
                }
            };
            *last_open.lock().unwrap_or_else(PoisonError::into_inner) = Instant::now();
            opened.fetch_add(1, Ordering::SeqCst);
            settled.fetch_add(1, Ordering::SeqCst);
            let mut response = opened_response;
            // Held: read whatever comes (the frames after the first) until told to close; an
            // end or an error first means the server did not keep the stream open.
            loop {
                tokio::select! {
                    _ = close_rx.wait_for(|close| *close) => return Held::Closed,
                    chunk = response.chunk() => match chunk {
                        Ok(Some(chunk)) => {
                            if chunk.windows(10).any(|w| w == b"text_delta") {
                                return Held::EndedEarly("the server answered while held".into());
                            }
                        }
                        Ok(None) => return Held::EndedEarly("the server ended the stream".into()),
                        Err(err) => return Held::EndedEarly(error_chain(&err)),
                    },
                }
            }
        });
        }

        // Wait until every stream so far is open or has failed (each is bounded by the open
        // deadline).
        let target = if batch == 0 { first_half } else { hold };
        while (settled.load(Ordering::SeqCst) as usize) < target {
            if Instant::now() > open_deadline + Duration::from_secs(5) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if batch == 0 {
            let pause = Instant::now();
            tokio::time::sleep(Duration::from_secs_f64(args.settle_seconds)).await;
            opened_half = opened.load(Ordering::SeqCst);
            rss_half = rss_kb(&args.server_pids);
            if hold > first_half {
                paused = pause.elapsed();
            }
        }
    }
    let open_elapsed = last_open
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .saturating_duration_since(start)
        .saturating_sub(paused);
    let opened_count = opened.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_secs_f64(args.settle_seconds)).await;
    let rss_open = rss_kb(&args.server_pids);

    // A normal conversation while they are open: is the server still serving?
    let mut jar = Jar::default();
    let probe_start = Instant::now();
    let probe = script.conversation(&mut jar).await;
    let probe_us = u64::try_from(probe_start.elapsed().as_micros()).unwrap_or(u64::MAX);
    let mut first_failure = None;
    let probe_ok = match probe.result {
        Ok(_) => true,
        Err(failure) => {
            first_failure = Some(format!("probe conversation: {failure:?}"));
            false
        }
    };

    tokio::time::sleep(Duration::from_secs_f64(args.hold_seconds)).await;
    let _ = close_tx.send(true);
    let (mut open_failed, mut ended_early, mut open_at_close) = (0, 0, 0);
    while let Some(done) = tasks.join_next().await {
        match done.context("a hold task panicked")? {
            Held::Failed(message) => {
                open_failed += 1;
                first_failure.get_or_insert(format!("open: {message}"));
            }
            Held::EndedEarly(message) => {
                ended_early += 1;
                first_failure.get_or_insert(format!("held stream: {message}"));
            }
            Held::Closed => open_at_close += 1,
        }
    }
    let idle_connection_count = connections.len() as u64;
    drop(connections);
    tokio::time::sleep(Duration::from_secs_f64(args.settle_seconds)).await;
    let rss_closed = rss_kb(&args.server_pids);
    if let Some(failure) = &first_failure {
        eprintln!(
            "loadgen chatkit --hold: {open_failed} not opened, {ended_early} ended early; first: {failure}"
        );
    }
    let first_frame = Percentiles::of(&first_frames.lock().unwrap_or_else(PoisonError::into_inner));
    let per_stream = |from: Option<u64>, to: Option<u64>, streams: u64| match (from, to) {
        (Some(from), Some(to)) if streams > 0 => {
            Some(round3((to as f64 - from as f64) / streams as f64))
        }
        _ => None,
    };
    let kb_per_connection = per_stream(rss_before_connections, rss_before, idle_connection_count);
    let kb_per_stream = per_stream(rss_before, rss_open, opened_count);
    let kb_per_stream_marginal =
        per_stream(rss_half, rss_open, opened_count.saturating_sub(opened_half));
    let report = HoldReport {
        url: args.url.clone(),
        mode: "hold",
        hold,
        protocol: if args.http2_streams_per_connection == 0 {
            "http/1.1"
        } else {
            "h2c"
        },
        connections: if args.http2_streams_per_connection == 0 {
            hold
        } else {
            script.hold_clients.len()
        },
        opened: opened_count,
        open_failed,
        ended_early,
        open_at_close,
        open_elapsed_s: round3(open_elapsed.as_secs_f64()),
        first_frame,
        idle_connections: idle_connection_count,
        rss_before_connections_kb: rss_before_connections,
        kb_per_connection,
        rss_before_kb: rss_before,
        opened_half,
        rss_half_kb: rss_half,
        rss_open_kb: rss_open,
        rss_closed_kb: rss_closed,
        kb_per_stream,
        kb_per_stream_marginal,
        probe_ok,
        probe_us,
        first_failure,
    };
    Ok(serde_json::to_string(&report)?)
}

/// Rounds to three decimals.
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames_of(chunks: &[&[u8]]) -> Result<Vec<String>, Failure> {
        let mut frames = Frames::default();
        let mut out = Vec::new();
        for chunk in chunks {
            frames.push(chunk, |json| {
                out.push(String::from_utf8_lossy(json).into_owned());
                Ok(())
            })?;
        }
        frames.finish()?;
        Ok(out)
    }

    #[test]
    fn frames_split_across_chunks() {
        let out =
            frames_of(&[b"data: {\"a\":1}\n", b"\ndata: {\"b\"", b":2}\n\n: hb\n\n"]).unwrap();
        assert_eq!(out, vec!["{\"a\":1}", "{\"b\":2}"]);
    }

    #[test]
    fn a_partial_frame_at_the_end_is_invalid() {
        assert!(matches!(
            frames_of(&[b"data: {\"a\":1}\n\ndata: {"]),
            Err(Failure::Invalid(_))
        ));
    }

    #[test]
    fn event_lines_are_invalid() {
        assert!(matches!(
            frames_of(&[b"event: x\ndata: {}\n\n"]),
            Err(Failure::Invalid(_))
        ));
    }

    #[test]
    fn the_jar_keeps_the_latest_value() {
        let mut jar = Jar::default();
        let mut headers = HeaderMap::new();
        headers.append(
            SET_COOKIE,
            HeaderValue::from_static("a=1; Path=/; HttpOnly"),
        );
        headers.append(SET_COOKIE, HeaderValue::from_static("b=2"));
        jar.update(&headers);
        assert_eq!(jar.header().unwrap(), "a=1; b=2");
        let mut headers = HeaderMap::new();
        headers.append(SET_COOKIE, HeaderValue::from_static("a=3"));
        jar.update(&headers);
        assert_eq!(jar.header().unwrap(), "a=3; b=2");
    }
}
