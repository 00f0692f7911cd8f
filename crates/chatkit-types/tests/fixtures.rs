//! Golden fixtures written by the official `openai-chatkit` 1.6.5 package
//! (`tests/fixtures/<TypeDir>/<case>.json`, made by `conformance/gen_fixtures.py`).
//!
//! For every fixture: parse `value` into the Rust type its `type` names, serialize it again, and
//! require the identical JSON value; when the fixture also has an `input` (a non-canonical form the
//! package accepts), parsing `input` must serialize to `value` too. Every serialized value is also
//! recorded as a JSONL conformance record (`{"kind":"value","type","body","expect","class"}`) in
//! `$CHATKIT_CONFORMANCE_DIR/chatkit-types-fixtures.jsonl` (default `<workspace>/target/conformance`)
//! so the Python checker can validate our output with the package itself.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use chatkit_types::{
    Attachment, ChatKitReq, Page, SyncCustomActionResponse, Thread, ThreadItem, ThreadItemUpdate,
    ThreadStreamEvent, TranscriptionResult, WidgetComponent, WidgetRoot,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The record file, truncated once per run of this test binary.
fn records() -> &'static Mutex<File> {
    static FILE: OnceLock<Mutex<File>> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = std::env::var_os("CHATKIT_CONFORMANCE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/conformance")
            });
        fs::create_dir_all(&dir).expect("create the conformance directory");
        let file = File::create(dir.join("chatkit-types-fixtures.jsonl"))
            .expect("create the conformance record file");
        Mutex::new(file)
    })
}

fn record(r#type: &str, class: &Value, body: &Value, expect: &Value) {
    let mut line = json!({"kind": "value", "type": r#type, "body": body, "expect": expect});
    if class.is_string() {
        line["class"] = class.clone();
    }
    let mut file = records().lock().unwrap_or_else(|e| e.into_inner());
    writeln!(file, "{line}").expect("write a conformance record");
}

fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Value, String> {
    let parsed: T = serde_json::from_value(value.clone()).map_err(|e| format!("parse: {e}"))?;
    serde_json::to_value(&parsed).map_err(|e| format!("serialize: {e}"))
}

/// Parses `value` as the Rust type for the fixture's `type` and serializes it again.
fn reserialize(r#type: &str, value: &Value) -> Result<Value, String> {
    match r#type {
        "ChatKitReq" => round_trip::<ChatKitReq>(value),
        "ThreadStreamEvent" => round_trip::<ThreadStreamEvent>(value),
        "ThreadItemUpdate" => round_trip::<ThreadItemUpdate>(value),
        "ThreadItem" => round_trip::<ThreadItem>(value),
        "Thread" => round_trip::<Thread>(value),
        "Page[Thread]" => round_trip::<Page<Thread>>(value),
        "Page[ThreadItem]" => round_trip::<Page<ThreadItem>>(value),
        "Attachment" => round_trip::<Attachment>(value),
        "TranscriptionResult" => round_trip::<TranscriptionResult>(value),
        "SyncCustomActionResponse" => round_trip::<SyncCustomActionResponse>(value),
        "Widget" | "WidgetRoot" => round_trip::<WidgetRoot>(value),
        "WidgetComponent" => round_trip::<WidgetComponent>(value),
        other => Err(format!("no Rust type for fixture type `{other}`")),
    }
}

/// Checks every fixture under `dir` and returns how many passed; panics listing the failures.
fn check_dir(dir: &str) -> usize {
    let path = fixtures_dir().join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("no fixtures in {}: {e}", path.display()))
        .map(|entry| entry.expect("read a fixture directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no fixtures", path.display());

    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text = fs::read_to_string(file).expect("read a fixture");
        let fixture: Value = serde_json::from_str(&text).expect("a fixture is JSON");
        let r#type = fixture["type"]
            .as_str()
            .expect("a fixture has a string `type`");
        let expect = &fixture["value"];
        match reserialize(r#type, expect) {
            Ok(ours) => {
                record(r#type, &fixture["class"], &ours, expect);
                if &ours != expect {
                    failures.push(format!(
                        "{dir}/{name}: value\n  ours:   {ours}\n  python: {expect}"
                    ));
                }
            }
            Err(e) => failures.push(format!("{dir}/{name}: value: {e}")),
        }
        if let Some(input) = fixture.get("input") {
            match reserialize(r#type, input) {
                Ok(ours) => {
                    record(r#type, &fixture["class"], &ours, expect);
                    if &ours != expect {
                        failures.push(format!(
                            "{dir}/{name}: input\n  ours:   {ours}\n  python: {expect}"
                        ));
                    }
                }
                Err(e) => failures.push(format!("{dir}/{name}: input: {e}")),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures in {dir} differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    eprintln!("{dir}: {} fixtures parsed and round-tripped", files.len());
    files.len()
}

/// The fixture directories this file checks, one test each below.
const DIRS: [&str; 12] = [
    "Attachment",
    "ChatKitReq",
    "Page_Thread",
    "Page_ThreadItem",
    "SyncCustomActionResponse",
    "Thread",
    "ThreadItem",
    "ThreadItemUpdate",
    "ThreadStreamEvent",
    "TranscriptionResult",
    "Widget",
    "WidgetComponent",
];

#[test]
fn the_fixtures_directory_is_not_empty_and_every_subdirectory_is_checked() {
    let dir = fixtures_dir();
    let mut found: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("no fixtures directory at {}: {e}", dir.display()))
        .map(|entry| entry.expect("read the fixtures directory").path())
        .filter(|p| p.is_dir())
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    found.sort();
    assert!(
        !found.is_empty(),
        "{} is empty: generate the fixtures first",
        dir.display()
    );
    let unchecked: Vec<&String> = found
        .iter()
        .filter(|d| !DIRS.contains(&d.as_str()))
        .collect();
    assert!(
        unchecked.is_empty(),
        "fixture directories without a test: {unchecked:?}"
    );
}

#[test]
fn every_request_fixture_round_trips_as_chatkit_req() {
    check_dir("ChatKitReq");
}

#[test]
fn every_stream_event_fixture_round_trips_as_thread_stream_event() {
    check_dir("ThreadStreamEvent");
}

#[test]
fn every_item_update_fixture_round_trips_as_thread_item_update() {
    check_dir("ThreadItemUpdate");
}

#[test]
fn every_thread_item_fixture_round_trips_as_thread_item() {
    check_dir("ThreadItem");
}

#[test]
fn every_thread_fixture_round_trips_as_thread() {
    check_dir("Thread");
}

#[test]
fn every_thread_page_fixture_round_trips_as_page_of_threads() {
    check_dir("Page_Thread");
}

#[test]
fn every_item_page_fixture_round_trips_as_page_of_items() {
    check_dir("Page_ThreadItem");
}

#[test]
fn every_attachment_fixture_round_trips_as_attachment() {
    check_dir("Attachment");
}

#[test]
fn every_transcription_fixture_round_trips_as_transcription_result() {
    check_dir("TranscriptionResult");
}

#[test]
fn every_sync_action_fixture_round_trips_as_sync_custom_action_response() {
    check_dir("SyncCustomActionResponse");
}

#[test]
fn every_widget_fixture_round_trips_as_widget_root() {
    check_dir("Widget");
}

#[test]
fn every_component_fixture_round_trips_as_widget_component() {
    check_dir("WidgetComponent");
}
