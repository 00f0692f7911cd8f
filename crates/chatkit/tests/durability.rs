//! Crash durability of custom mode: the real binary is killed with SIGKILL while 16 replies are
//! streaming, restarted on the same data directory, and every item whose `thread.item.done` frame
//! a client received must still be there, unchanged, in an intact database.
//!
//! The streams use the scripted `bench` agent's `[[slow]]` reply (five assistant messages with
//! paced deltas), so `thread.item.done` frames arrive throughout each stream and the kill lands
//! while every stream is mid-way. The engine persists an item before writing its done frame; if it
//! wrote first, a frame received just before the kill could name an item that never reached the
//! database, and this test would see it missing.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{Value, json};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

/// Concurrent streams open when the server is killed.
const STREAMS: usize = 16;

/// How long the streams run before the kill (a `[[slow]]` reply takes about 400 ms).
const RUN_BEFORE_KILL: Duration = Duration::from_millis(250);

/// Assistant messages in a complete `[[slow]]` reply of the `bench` agent.
const SLOW_MESSAGES: usize = 5;

/// A running `chatkit serve` whose JSON log told us where it listens.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    /// Starts the binary in `dir` (clean environment, data in `dir/data`, port 0, JSON logs)
    /// serving the scripted `bench` agent without stream limits. The protocol settings have no
    /// environment names, so they go in `dir/chatkit.toml`.
    fn start(dir: &Path) -> Server {
        std::fs::write(
            dir.join("chatkit.toml"),
            "[protocol]\nscripted_agent = \"bench\"\nstream_limits = false\n",
        )
        .expect("chatkit.toml is written");
        let mut child = Command::new(env!("CARGO_BIN_EXE_chatkit"))
            .arg("serve")
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CHATKIT_DATA_DIR", dir.join("data"))
            .env("CHATKIT_RATE_LIMITS", "off")
            .env("LOG_FORMAT", "json")
            .env("PORT", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chatkit starts");
        let (tx, rx) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut seen = Vec::new();
        let url = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("no listening line within 10 s; output: {seen:#?}"));
            let url = line
                .contains("chatkit-rs listening")
                .then(|| serde_json::from_str::<Value>(&line).ok())
                .flatten()
                .and_then(|v| v["url"].as_str().map(str::to_owned));
            seen.push(line);
            if let Some(url) = url {
                break url;
            }
        };
        // Keep draining the output so the server never blocks on a full pipe.
        std::thread::spawn(move || while rx.recv().is_ok() {});
        Server { child, url }
    }

    /// The URL of `path` on this server.
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Sends SIGKILL and waits until the process is gone, asserting it died of that signal.
    fn kill_hard(&mut self) {
        let status = Command::new("kill")
            .args(["-KILL", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -KILL failed: {status}");
        let exit = self.child.wait().expect("the killed server is reaped");
        assert_eq!(exit.signal(), Some(9), "chatkit died of SIGKILL: {exit:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one client saw of its stream before the server died.
#[derive(Debug, Default)]
struct Seen {
    /// The thread `thread.created` named.
    thread_id: Option<String>,
    /// Every item a `thread.item.done` frame carried, by id.
    done: BTreeMap<String, Value>,
    /// Items a `thread.item.added` frame announced.
    added: Vec<String>,
    /// Whether the stream ended cleanly rather than being cut.
    ended_cleanly: bool,
}

impl Seen {
    /// Assistant messages seen done.
    fn replies_done(&self) -> usize {
        self.done
            .values()
            .filter(|item| item["type"] == "assistant_message")
            .count()
    }

    /// Whether all but the last assistant message of the reply were seen done.
    fn almost_finished(&self) -> bool {
        self.replies_done() + 1 >= SLOW_MESSAGES
    }
}

fn cookie_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .no_proxy()
        .build()
        .expect("a client")
}

fn user_input(text: &str) -> Value {
    json!({"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}})
}

/// Streams a `[[slow]]` `threads.create` with `client`, recording each frame into `seen` as it
/// arrives, until the stream ends or is cut.
async fn stream_slow_thread(server_url: String, client: reqwest::Client, seen: Arc<Mutex<Seen>>) {
    let body =
        json!({"type": "threads.create", "params": {"input": user_input("[[slow]] keep writing")}});
    let Ok(response) = client.post(&server_url).json(&body).send().await else {
        return;
    };
    assert_eq!(response.status(), 200, "the stream starts");
    let mut bytes = response.bytes_stream();
    let mut buffer = String::new();
    loop {
        let chunk = match bytes.next().await {
            Some(Ok(chunk)) => chunk,
            // Cut by the kill.
            Some(Err(_)) => return,
            None => break,
        };
        buffer.push_str(std::str::from_utf8(&chunk).expect("UTF-8 frames"));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let json = frame
                .trim_end()
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("every frame is `data: `: {frame:?}"));
            let event: Value = serde_json::from_str(json).expect("every frame is JSON");
            let mut seen = seen.lock().unwrap();
            match event["type"].as_str() {
                Some("thread.created") => {
                    seen.thread_id = event["thread"]["id"].as_str().map(str::to_owned);
                }
                Some("thread.item.added") => {
                    seen.added
                        .push(event["item"]["id"].as_str().unwrap().to_owned());
                }
                Some("thread.item.done") => {
                    let id = event["item"]["id"].as_str().unwrap().to_owned();
                    seen.done.insert(id, event["item"].clone());
                }
                _ => {}
            }
        }
    }
    // A clean end only counts when the frames ended on a boundary.
    seen.lock().unwrap().ended_cleanly = buffer.is_empty();
}

/// Opens the database read-only and asserts `integrity_check` is `ok` and `foreign_key_check`
/// finds nothing.
async fn assert_database_intact(path: &Path, when: &str) {
    let mut db =
        SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path).read_only(true))
            .await
            .unwrap_or_else(|e| panic!("{when}: the database opens: {e}"));
    let integrity: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(&mut db)
        .await
        .expect("integrity_check runs");
    assert_eq!(integrity, [("ok".to_owned(),)], "{when}: integrity_check");
    let orphans = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&mut db)
        .await
        .expect("foreign_key_check runs");
    assert!(
        orphans.is_empty(),
        "{when}: foreign_key_check found {} rows",
        orphans.len()
    );
    db.close().await.expect("the database closes");
}

/// `items.list` of `thread_id` for `client`: every item, oldest first.
async fn list_items(server: &Server, client: &reqwest::Client, thread_id: &str) -> Vec<Value> {
    let body = json!({"type": "items.list", "params": {"thread_id": thread_id, "limit": 100, "order": "asc"}});
    let response = client
        .post(server.url("/chatkit/bench"))
        .json(&body)
        .send()
        .await
        .expect("items.list is sent");
    let status = response.status();
    let reply: Value = response.json().await.expect("items.list answers JSON");
    assert_eq!(status, 200, "items.list of {thread_id}: {reply}");
    assert_eq!(reply["has_more"], false, "one page holds every item");
    reply["data"].as_array().expect("a page of items").clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_item_whose_done_frame_was_sent_survives_a_kill_9() {
    // Arrange: a server with 16 `[[slow]]` replies streaming.
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("data").join("chatkit.db");
    let mut server = Server::start(dir.path());
    let clients: Vec<reqwest::Client> = (0..STREAMS).map(|_| cookie_client()).collect();
    let seen: Vec<Arc<Mutex<Seen>>> = (0..STREAMS).map(|_| Arc::default()).collect();
    let tasks: Vec<_> = clients
        .iter()
        .zip(&seen)
        .map(|(client, seen)| {
            tokio::spawn(stream_slow_thread(
                server.url("/chatkit/bench"),
                client.clone(),
                seen.clone(),
            ))
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(5);
    while seen.iter().any(|s| s.lock().unwrap().thread_id.is_none()) {
        assert!(Instant::now() < deadline, "every stream starts within 5 s");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    // Act: kill -9 while they write, then restart on the same data directory.
    // The kill comes after RUN_BEFORE_KILL, or sooner if a stream (started early on a busy
    // machine) is about to finish, so that streams are still writing when it lands.
    let kill_at = Instant::now() + RUN_BEFORE_KILL;
    while Instant::now() < kill_at && !seen.iter().any(|s| s.lock().unwrap().almost_finished()) {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill_hard();
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .expect("every stream ends once the server is dead")
            .expect("no stream task panicked");
    }
    assert_database_intact(&database, "after the kill").await;
    let server = Server::start(dir.path());

    // Assert: every item a client saw done is listed, as it was sent.
    let seen: Vec<Seen> = seen
        .into_iter()
        .map(|s| std::mem::take(&mut *s.lock().unwrap()))
        .collect();
    let mut assistant_done = 0;
    let mut cut = 0;
    for (client, seen) in clients.iter().zip(&seen) {
        let thread_id = seen.thread_id.as_deref().expect("thread.created was seen");
        let listed = list_items(&server, client, thread_id).await;
        let listed: BTreeMap<&str, &Value> = listed
            .iter()
            .map(|item| (item["id"].as_str().unwrap(), item))
            .collect();
        assert!(
            seen.done
                .values()
                .any(|item| item["type"] == "user_message"),
            "the user message's done frame comes before the reply: {seen:?}"
        );
        for (id, sent) in &seen.done {
            let stored = listed.get(id.as_str()).unwrap_or_else(|| {
                panic!(
                    "{thread_id}: item {id} was sent as done but is gone after the restart; \
                     listed: {:?}",
                    listed.keys()
                )
            });
            assert_eq!(stored["type"], sent["type"], "{id}");
            assert_eq!(stored["content"], sent["content"], "{id} kept its content");
        }
        let replies = seen.replies_done();
        assistant_done += replies;
        if !seen.ended_cleanly && replies < SLOW_MESSAGES {
            cut += 1;
        }
    }
    assert!(
        assistant_done > 0,
        "some assistant messages were done before the kill (else the test proves nothing)"
    );
    assert!(
        cut > 0,
        "some streams were cut mid-way (else the kill came too late): {seen:#?}"
    );
    assert_database_intact(&database, "after the restart").await;

    // And the restarted server works: a new thread streams to the end and is listed.
    let client = cookie_client();
    let reply = client
        .post(server.url("/chatkit/bench"))
        .json(
            &json!({"type": "threads.create", "params": {"input": user_input("after the crash")}}),
        )
        .send()
        .await
        .expect("threads.create is sent");
    assert_eq!(reply.status(), 200);
    let text = reply.text().await.expect("the stream ends");
    let frames: Vec<Value> = text
        .split("\n\n")
        .filter(|frame| !frame.is_empty())
        .map(|frame| serde_json::from_str(frame.strip_prefix("data: ").unwrap()).unwrap())
        .collect();
    assert_eq!(frames.last().unwrap()["type"], "thread.item.done", "{text}");
    let thread_id = frames[0]["thread"]["id"].as_str().unwrap();
    assert_eq!(list_items(&server, &client, thread_id).await.len(), 2);
    eprintln!(
        "durability: {STREAMS} streams, {assistant_done} assistant messages done before the kill, \
         {cut} streams cut mid-way"
    );
}
