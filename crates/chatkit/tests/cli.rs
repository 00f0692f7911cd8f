//! The binary as a user runs it: `check-config`, `serve --demo`, `serve` without a key, `sim`,
//! and a graceful stop on SIGTERM. Each test runs `chatkit` in an empty working directory with a
//! clean environment, so no `.env` or stray variable leaks in.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

fn chatkit(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chatkit"));
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("CHATKIT_DATA_DIR", dir.join("data"));
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("chatkit runs")
}

/// A running `chatkit` whose JSON log told us where it listens.
struct Running {
    child: Child,
    url: String,
    stderr: mpsc::Receiver<String>,
}

impl Running {
    /// Starts `command` (with `LOG_FORMAT=json`, port 0) and waits for the line naming `url_field`.
    fn start(mut command: Command, marker: &str) -> Running {
        command
            .env("LOG_FORMAT", "json")
            .env("PORT", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("chatkit starts");
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
                .unwrap_or_else(|_| panic!("no {marker:?} line within 10 s; output: {seen:#?}"));
            let url = line
                .contains(marker)
                .then(|| {
                    serde_json::from_str::<serde_json::Value>(&line)
                        .ok()
                        .and_then(|v| v["url"].as_str().map(str::to_owned))
                        .or_else(|| {
                            line.split_whitespace()
                                .find(|w| w.starts_with("http://"))
                                .map(str::to_owned)
                        })
                })
                .flatten();
            seen.push(line);
            if let Some(url) = url {
                break url;
            }
        };
        let (tx2, stderr) = mpsc::channel();
        for line in seen {
            let _ = tx2.send(line);
        }
        std::thread::spawn(move || {
            while let Ok(line) = rx.recv() {
                if tx2.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, url, stderr }
    }

    fn output_so_far(&self) -> String {
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("chatkit did not stop within 5 s of SIGTERM");
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn post_json(url: &str, body: &str) -> (u16, serde_json::Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    })
}

fn get_json(url: &str) -> serde_json::Value {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        reqwest::get(url)
            .await
            .expect("request")
            .json()
            .await
            .expect("json")
    })
}

#[test]
fn check_config_prints_the_effective_configuration_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "OPENAI_API_KEY=sk-from-dotenv-secret\nCHATKIT_MAX_FILES=3\n",
    )
    .unwrap();
    std::fs::write(dir.path().join(".env.local"), "CHATKIT_MAX_FILES=4\n").unwrap();
    std::fs::write(
        dir.path().join("chatkit.toml"),
        "[hosted]\nworkflow_id = \"wf_from_toml\"\nmax_files = 2\n",
    )
    .unwrap();

    let output = run(chatkit(dir.path())
        .arg("check-config")
        .env("CHATKIT_MAX_FILE_SIZE_MB", "20"));

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        !stdout.contains("sk-from-dotenv-secret"),
        "the key leaked:\n{stdout}"
    );
    assert!(stdout.contains("api_key = \"[redacted]\""), "{stdout}");
    assert!(
        stdout.contains("workflow_id = \"wf_from_toml\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("max_files = 4"),
        ".env.local beats .env beats TOML:\n{stdout}"
    );
    assert!(
        stdout.contains("max_file_size_mb = 20"),
        "the environment wins:\n{stdout}"
    );
}

#[test]
fn check_config_fails_listing_every_problem() {
    let dir = tempfile::tempdir().unwrap();

    let output = run(chatkit(dir.path())
        .arg("check-config")
        .env("CHATKIT_CORS_ORIGIN", "true")
        .env("CHATKIT_MAX_FILE_SIZE_MB", "999"));

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("CHATKIT_CORS_ORIGIN"), "{stderr}");
    assert!(
        stderr
            .contains("hosted.max_file_size_mb (CHATKIT_MAX_FILE_SIZE_MB) = 999: allowed 1..=512"),
        "{stderr}"
    );
}

#[test]
fn serve_refuses_to_start_with_an_invalid_configuration() {
    let dir = tempfile::tempdir().unwrap();

    let output = run(chatkit(dir.path())
        .arg("serve")
        .env("CHATKIT_SESSION_TTL_SECONDS", "0"));

    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("hosted.session_ttl_secs"));
}

#[test]
fn demo_mode_says_so_and_mints_against_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = chatkit(dir.path());
    command.args(["serve", "--demo-if-no-key"]);

    let server = Running::start(command, "chatkit-rs listening");
    let (status, body) = post_json(&format!("{}/api/chatkit/session", server.url), "{}");
    let page = get_json(&format!("{}/api/status", server.url));

    assert_eq!(status, 200, "{body}");
    assert!(body["client_secret"].as_str().unwrap().starts_with("ek_"));
    assert_eq!(page["demo"], true);
    assert_eq!(page["upstream"], "simulator");
    assert_eq!(page["hosted"]["default_workflow"], "wf_demo");
    let log = server.output_so_far();
    assert!(log.contains("DEMO MODE"), "banner missing:\n{log}");
    assert!(
        log.contains("demo mode: replies are simulated"),
        "log line missing:\n{log}"
    );
}

#[test]
fn without_a_key_the_server_starts_and_hosted_routes_answer_503() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = chatkit(dir.path());
    command.arg("serve");

    let server = Running::start(command, "chatkit-rs listening");
    let (status, body) = post_json(&format!("{}/api/chatkit/session", server.url), "{}");

    assert_eq!(status, 503);
    assert_eq!(body["error"]["code"], "not_configured");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("OPENAI_API_KEY")
    );
    assert_eq!(
        get_json(&format!("{}/api/status", server.url))["demo"],
        false
    );
}

#[test]
fn a_configured_key_turns_demo_if_no_key_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = chatkit(dir.path());
    command
        .args(["serve", "--demo-if-no-key"])
        .env("OPENAI_API_KEY", "sk-real-looking")
        .env("CHATKIT_API_BASE", "http://127.0.0.1:9");

    let server = Running::start(command, "chatkit-rs listening");
    let page = get_json(&format!("{}/api/status", server.url));

    assert_eq!(page["demo"], false);
    assert_eq!(page["upstream"], "custom");
}

#[test]
fn sigterm_stops_the_server_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = chatkit(dir.path());
    command.args(["serve", "--demo"]);
    let server = Running::start(command, "chatkit-rs listening");

    let status = server.terminate();

    assert!(status.success(), "exit status {status:?}");
}

#[test]
fn the_standalone_simulator_records_what_it_received() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = chatkit(dir.path());
    command.args(["sim", "--port", "0"]);
    let sim = Running::start(command, "simulator listening on");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/v1/chatkit/sessions", sim.url))
            .bearer_auth("sk-sim")
            .header("openai-beta", "chatkit_beta=v1")
            .json(&serde_json::json!({"user": "u_1", "workflow": {"id": "wf_x"}}))
            .send()
            .await
            .unwrap()
            .status()
    });
    let records = get_json(&format!("{}/__sim/requests", sim.url));

    assert_eq!(status.as_u16(), 200);
    assert_eq!(records[0]["path"], "/v1/chatkit/sessions");
    assert_eq!(records[0]["body"]["user"], "u_1");
}

fn post_text(url: &str, body: &str) -> (u16, String) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    })
}

#[test]
fn demo_mode_serves_the_example_agents_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = chatkit(dir.path());
    command.args(["serve", "--demo"]);

    let server = Running::start(command, "chatkit-rs listening");
    let agents = get_json(&format!("{}/api/agents", server.url));
    let create = |text: &str| {
        serde_json::json!({"type": "threads.create", "params": {"input": {
            "content": [{"type": "input_text", "text": text}],
            "attachments": [], "inference_options": {}
        }}})
        .to_string()
    };
    let (status, support) = post_text(
        &format!("{}/chatkit/support", server.url),
        &create(r#"[[tool:lookup_order {"order_id":"NW-777"}]] where is it?"#),
    );
    let (_, showcase) = post_text(
        &format!("{}/chatkit/showcase", server.url),
        &create("[[show:notice]]"),
    );

    let ids: Vec<&str> = agents["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["assistant", "local", "showcase", "support"]);
    assert_eq!(status, 200);
    assert!(
        support.contains("Order NW-777") && support.contains(r#"\"status\":\"shipped\""#),
        "the support example's tool reached the demo order service:\n{support}"
    );
    assert!(
        showcase.contains(r#""type":"notice""#),
        "the showcase shows a notice:\n{showcase}"
    );
}
