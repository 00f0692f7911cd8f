//! The engine end to end, over a `MemoryStore` with scripted responders (keyed by the user
//! message's text: "stream 20 deltas", "client tool", "widget", "error midway", "title", "hidden
//! context", …; see `support::script_for`). Each test asserts the exact frames and the store
//! after. Every request, stream and reply is also written as a conformance record and checked by
//! the official package (`bash scripts/conformance.sh target/conformance/chatkit-server-engine.jsonl`).

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use chatkit_server::{CANCELLED_NOTE, Engine, EngineOptions, EngineReply, ProtocolError, sse};
use chatkit_store::{FeedbackRecord, StoreError};
use chatkit_types::{
    ClientToolCallStatus, FeedbackKind, StructuredInputItemStatus, ThreadItem, ThreadStatus,
};
use futures::StreamExt;
use serde_json::{Value, json};
use support::*;

fn s(v: &Value) -> &str {
    v.as_str()
        .unwrap_or_else(|| panic!("expected a string, got {v}"))
}

fn assistant_text(item: &ThreadItem) -> String {
    match item {
        ThreadItem::AssistantMessage(m) => m.content.iter().map(|c| c.text.as_str()).collect(),
        other => panic!("expected an assistant message, got {}", other.type_name()),
    }
}

fn kinds(items: &[ThreadItem]) -> Vec<&'static str> {
    items.iter().map(ThreadItem::type_name).collect()
}

const REPLY: [&str; 5] = [
    "thread.item.added",
    "thread.item.updated",
    "thread.item.updated",
    "thread.item.updated",
    "thread.item.done",
];

fn with_reply(prefix: &[&'static str]) -> Vec<&'static str> {
    prefix.iter().copied().chain(REPLY).collect()
}

// ---------------------------------------------------------------------------------------------
// Streaming ops and the pipeline

#[tokio::test]
async fn threads_create_sends_thread_created_the_user_message_stream_options_then_the_reply() {
    let h = Harness::new();

    let st = h.stream(create("hello")).await;

    assert_eq!(
        st.types(),
        with_reply(&["thread.created", "thread.item.done", "stream_options"])
    );
    let tid = st.thread_id();
    let created = &st.events[0]["thread"];
    assert_eq!(created["items"], json!({"data": [], "has_more": false}));
    assert_eq!(created["metadata"], json!({}));
    assert_eq!(created["status"], json!({"type": "active"}));
    let user = &st.events[1]["item"];
    assert_eq!(user["type"], "user_message");
    assert_eq!(user["thread_id"], tid.as_str());
    assert_eq!(
        user["content"],
        json!([{"type": "input_text", "text": "hello"}])
    );
    assert_eq!(user["inference_options"], json!({}));
    assert_eq!(
        st.events[2],
        json!({"type": "stream_options", "stream_options": {"allow_cancel": true}})
    );
    let added = &st.events[3]["item"];
    let done = &st.events[7]["item"];
    assert_eq!(added["id"], done["id"]);
    assert_eq!(st.events[4]["item_id"], done["id"]);
    assert_eq!(done["content"][0]["text"], "You said: hello");
    assert_eq!(done["thread_id"], tid.as_str());

    let items = h.items(&tid).await;
    assert_eq!(kinds(&items), ["user_message", "assistant_message"]);
    assert_eq!(items[0].id(), s(&user["id"]));
    assert_eq!(items[1].id(), s(&done["id"]));
    assert_eq!(assistant_text(&items[1]), "You said: hello");
}

#[tokio::test]
async fn add_user_message_sends_the_message_then_stream_options_then_twenty_deltas() {
    let h = Harness::new();
    let (tid, _) = h.create("hello").await;

    let st = h.stream(add_message(&tid, "stream 20 deltas")).await;

    let mut expected = vec![
        "thread.item.done",
        "stream_options",
        "thread.item.added",
        "thread.item.updated",
    ];
    expected.extend(["thread.item.updated"; 20]);
    expected.extend(["thread.item.updated", "thread.item.done"]);
    assert_eq!(st.types(), expected);
    assert_eq!(st.events[0]["item"]["type"], "user_message");
    let full: String = (0..20).map(|i| format!("w{i} ")).collect();
    assert_eq!(st.text(), full);
    let items = h.items(&tid).await;
    assert_eq!(
        kinds(&items),
        [
            "user_message",
            "assistant_message",
            "user_message",
            "assistant_message"
        ]
    );
    assert_eq!(assistant_text(&items[3]), full);
}

#[tokio::test]
async fn every_finished_item_is_persisted_before_its_frame_is_sent() {
    // Writes are slowed down and logged only once they complete: a frame that arrived before its
    // write was logged would prove the engine sends first.
    let probe = Arc::new(Probe::default());
    *probe.write_delay.lock().unwrap() = Some(Duration::from_millis(15));
    let h = Harness::build(probe.clone(), EngineOptions::default());

    for body in [create("edit"), create("title")] {
        let EngineReply::Stream(mut frames) = h.start(&body).await else {
            panic!("a stream");
        };
        let mut raw = String::new();
        let mut checked = 0;
        while let Some(frame) = frames.next().await {
            let e = parse_frame(&frame);
            raw.push_str(std::str::from_utf8(&frame).unwrap());
            let expect = match s(&e["type"]) {
                "thread.created" => Some(format!("save_thread:{}", s(&e["thread"]["id"]))),
                "thread.updated" => Some(format!("save_thread:{}", s(&e["thread"]["id"]))),
                "thread.item.done" => Some(format!("add:{}", s(&e["item"]["id"]))),
                "thread.item.replaced" => Some(format!("save:{}", s(&e["item"]["id"]))),
                "thread.item.removed" => Some(format!("delete:{}", s(&e["item_id"]))),
                _ => None,
            };
            if let Some(entry) = expect {
                assert!(
                    probe.logged(&entry),
                    "frame {e} arrived before `{entry}` completed"
                );
                checked += 1;
            }
        }
        record_stream("threads.create", &raw);
        assert!(checked >= 4, "checked {checked} frames");
    }

    // And the store holds the edits: `replaced` upserted, `removed` deleted.
    let threads = h
        .store
        .load_threads(10, None, chatkit_types::Order::Asc, &h.ctx.store_ctx)
        .await
        .unwrap();
    let items = h.items(&threads.data[0].id).await;
    assert_eq!(kinds(&items), ["user_message", "assistant_message"]);
    assert_eq!(assistant_text(&items[1]), "final");
}

#[tokio::test]
async fn replaced_and_removed_items_are_sent_and_persisted() {
    let h = Harness::new();

    let st = h.stream(create("edit")).await;

    assert_eq!(
        st.types(),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.done",
            "thread.item.replaced",
            "thread.item.done",
            "thread.item.removed",
        ]
    );
    assert_eq!(st.events[4]["item"]["id"], st.events[3]["item"]["id"]);
    assert_eq!(st.events[4]["item"]["content"][0]["text"], "final");
    assert_eq!(st.events[6]["item_id"], st.events[5]["item"]["id"]);
    let items = h.items(&st.thread_id()).await;
    assert_eq!(kinds(&items), ["user_message", "assistant_message"]);
    assert_eq!(assistant_text(&items[1]), "final");
}

#[tokio::test]
async fn hidden_items_are_stored_but_never_sent_listed_or_returned() {
    let h = Harness::new();

    let st = h.stream(create("hidden context")).await;

    assert_eq!(
        st.types(),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.done"
        ]
    );
    assert_eq!(st.events[3]["item"]["content"][0]["text"], "Visible answer");
    assert!(!st.raw.contains("hidden_context_item") && !st.raw.contains("sdk_hidden_context"));
    let tid = st.thread_id();
    assert_eq!(
        kinds(&h.items(&tid).await),
        [
            "user_message",
            "hidden_context_item",
            "sdk_hidden_context",
            "assistant_message"
        ]
    );

    for order in ["asc", "desc"] {
        let page = h.reply(list_items(&tid, 20, order, None)).await;
        let types: Vec<&str> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| s(&i["type"]))
            .collect();
        let mut expected = vec!["user_message", "assistant_message"];
        if order == "desc" {
            expected.reverse();
        }
        assert_eq!(types, expected);
        assert_eq!(page["has_more"], false);
    }
    let thread = h.reply(get_thread(&tid)).await;
    let types: Vec<&str> = thread["items"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| s(&i["type"]))
        .collect();
    assert_eq!(types, ["user_message", "assistant_message"]);
}

#[tokio::test]
async fn placeholder_empty_and_duplicate_ids_get_fresh_unique_ids_consistently() {
    let h = Harness::new();

    let st = h.stream(create("duplicate ids")).await;

    let mut expected = vec!["thread.created", "thread.item.done", "stream_options"];
    expected.extend(REPLY);
    expected.extend(REPLY);
    expected.extend(["thread.item.done"; 3]);
    assert_eq!(st.types(), expected);
    assert!(!st.raw.contains("__fake_id__"));
    // The first reply: added, updates and done all name the same fresh id; the second another.
    let first = s(&st.events[3]["item"]["id"]).to_owned();
    for e in &st.events[4..7] {
        assert_eq!(s(&e["item_id"]), first);
    }
    assert_eq!(s(&st.events[7]["item"]["id"]), first);
    let second = s(&st.events[8]["item"]["id"]).to_owned();
    assert_ne!(first, second);
    for e in &st.events[9..12] {
        assert_eq!(s(&e["item_id"]), second);
    }
    assert_eq!(s(&st.events[12]["item"]["id"]), second);
    let empty = s(&st.events[13]["item"]["id"]).to_owned();
    assert!(empty.starts_with("msg_"), "{empty}");
    assert_eq!(
        s(&st.events[14]["item"]["id"]),
        "msg_same",
        "a new id is kept"
    );
    let repeated = s(&st.events[15]["item"]["id"]).to_owned();
    assert_ne!(repeated, "msg_same");

    let items = h.items(&st.thread_id()).await;
    let texts: Vec<String> = items[1..].iter().map(assistant_text).collect();
    assert_eq!(texts, ["one", "two", "three", "four", "five"]);
    let mut ids: Vec<&str> = items.iter().map(ThreadItem::id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), items.len(), "ids are unique in the thread");

    // An item reusing the id of an item saved in an earlier turn gets a fresh one too.
    let tid = st.thread_id();
    let st = h.stream(add_message(&tid, "collide")).await;
    let user_id = s(&st.events[0]["item"]["id"]).to_owned();
    let answer_id = s(&st.events[2]["item"]["id"]).to_owned();
    assert_ne!(answer_id, user_id);
    let items = h.items(&tid).await;
    assert_eq!(items.len(), 8);
    assert!(matches!(&items[6], ThreadItem::UserMessage(m) if m.id == user_id));
    assert_eq!(assistant_text(&items[7]), "Collides");
}

#[tokio::test]
async fn a_title_change_is_saved_and_announced_with_thread_updated() {
    let h = Harness::new();

    let st = h.stream(create("title")).await;

    // Two words: one more delta than the one-word replies; the title comes after the reply.
    assert_eq!(
        st.types(),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.added",
            "thread.item.updated",
            "thread.item.updated",
            "thread.item.updated",
            "thread.item.updated",
            "thread.item.done",
            "thread.updated",
        ]
    );
    let updated = &st.events[9]["thread"];
    assert_eq!(updated["title"], "Greeting");
    assert_eq!(
        updated["metadata"],
        json!({}),
        "private metadata never reaches the wire"
    );
    assert_eq!(updated["items"], json!({"data": [], "has_more": false}));
    let thread = h.thread(&st.thread_id()).await;
    assert_eq!(thread.title.as_deref(), Some("Greeting"));
    assert_eq!(thread.metadata["secret"], "never on the wire");

    // get_by_id and threads.list show the title but not the metadata.
    let got = h.reply(get_thread(&st.thread_id())).await;
    assert_eq!(got["title"], "Greeting");
    assert_eq!(got["metadata"], json!({}));
}

#[tokio::test]
async fn a_title_changed_mid_stream_is_announced_after_the_next_event() {
    let h = Harness::new();

    let st = h.stream(create("midway title")).await;

    let types = st.types();
    assert_eq!(
        &types[..6],
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.added",
            "thread.item.updated",
            "thread.updated",
        ]
    );
    assert_eq!(st.of_type("thread.updated").len(), 1);
    assert_eq!(st.events[5]["thread"]["title"], "Early title");
    assert_eq!(types.last(), Some(&"thread.item.done"));

    let st = h.stream(add_message(&st.thread_id(), "status")).await;
    assert_eq!(
        st.types(),
        [
            "thread.item.done",
            "stream_options",
            "thread.item.done",
            "thread.updated"
        ]
    );
    assert_eq!(
        st.events[3]["thread"]["status"],
        json!({"type": "locked", "reason": "Read only"})
    );
    let thread = h.thread(s(&st.events[3]["thread"]["id"])).await;
    assert!(matches!(thread.status, ThreadStatus::Locked(_)));
    assert_eq!(thread.title.as_deref(), Some("Early title"));
}

#[tokio::test]
async fn workflows_and_ephemeral_events_pass_through_in_order() {
    let h = Harness::new();

    let st = h.stream(create("workflow")).await;
    assert_eq!(
        st.types(),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.added",
            "thread.item.updated",
            "thread.item.updated",
            "thread.item.done",
            "thread.item.done",
        ]
    );
    assert_eq!(st.events[4]["update"]["type"], "workflow.task.added");
    let items = h.items(&st.thread_id()).await;
    assert_eq!(
        kinds(&items),
        ["user_message", "workflow", "assistant_message"]
    );

    let st = h.stream(add_message(&st.thread_id(), "effects")).await;
    assert_eq!(
        st.types(),
        [
            "thread.item.done",
            "stream_options",
            "progress_update",
            "client_effect",
            "notice",
            "thread.item.done",
        ]
    );
    assert_eq!(
        st.events[2],
        json!({"type": "progress_update", "icon": "search", "text": "Searching"})
    );
    assert_eq!(
        st.events[3],
        json!({"type": "client_effect", "name": "toast", "data": {"t": "do"}})
    );
}

// ---------------------------------------------------------------------------------------------
// Errors after the stream started

#[tokio::test]
async fn an_error_midway_ends_the_stream_with_an_error_frame_and_keeps_only_finished_items() {
    let h = Harness::new();

    let st = h.stream(create("error midway")).await;

    assert_eq!(
        st.types(),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.added",
            "thread.item.updated",
            "error",
        ]
    );
    assert_eq!(
        st.events[5],
        json!({"type": "error", "code": "stream.error", "allow_retry": true})
    );
    assert_eq!(kinds(&h.items(&st.thread_id()).await), ["user_message"]);
    assert!(h.script.last_upstream().dropped.load(Ordering::SeqCst));
}

#[tokio::test]
async fn responder_errors_map_to_error_frames_with_the_reference_defaults() {
    let h = Harness::new();
    let (tid, _) = h.create("hello").await;

    let st = h.stream(add_message(&tid, "custom error")).await;
    assert_eq!(st.types(), ["thread.item.done", "stream_options", "error"]);
    assert_eq!(
        st.events[2],
        json!({"type": "error", "code": "custom", "message": "Quota exceeded, try tomorrow.", "allow_retry": false})
    );

    let st = h.stream(add_message(&tid, "coded error")).await;
    assert_eq!(
        st.events[2],
        json!({"type": "error", "code": "stream.error", "allow_retry": false})
    );

    let st = h.stream(add_message(&tid, "panic")).await;
    assert_eq!(
        st.types(),
        [
            "thread.item.done",
            "stream_options",
            "thread.item.done",
            "error"
        ]
    );
    assert_eq!(st.events[3]["code"], "stream.error");

    // A thread change before the failure is still saved and announced, after the error frame.
    let st = h.stream(add_message(&tid, "titled error")).await;
    assert_eq!(
        st.types(),
        [
            "thread.item.done",
            "stream_options",
            "thread.item.done",
            "error",
            "thread.updated"
        ]
    );
    assert_eq!(st.events[4]["thread"]["title"], "Before the error");
    assert_eq!(
        h.thread(&tid).await.title.as_deref(),
        Some("Before the error")
    );
}

#[tokio::test]
async fn a_store_failure_mid_stream_becomes_an_error_frame() {
    let probe = Arc::new(Probe::default());
    let h = Harness::build(probe.clone(), EngineOptions::default());
    probe.fail_assistant_inserts.store(true, Ordering::SeqCst);

    let st = h.stream(create("stream 2 deltas")).await;

    let mut expected = vec![
        "thread.created",
        "thread.item.done",
        "stream_options",
        "thread.item.added",
    ];
    expected.extend(["thread.item.updated"; 4]);
    expected.push("error");
    assert_eq!(st.types(), expected);
    assert_eq!(st.events.last().unwrap()["code"], "stream.error");
    assert_eq!(kinds(&h.items(&st.thread_id()).await), ["user_message"]);
}

// ---------------------------------------------------------------------------------------------
// Client tool calls, structured input, retry, actions

#[tokio::test]
async fn a_client_tool_call_round_trip_resumes_past_hidden_items_that_follow_the_call() {
    let h = Harness::new();

    let st = h.stream(create("client tool")).await;
    assert_eq!(
        st.types(),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.done",
            "thread.item.done",
        ]
    );
    let call = &st.events[4]["item"];
    assert_eq!(call["type"], "client_tool_call");
    assert_eq!(call["status"], "pending");
    let tid = st.thread_id();
    let stored = h.items(&tid).await;
    assert_eq!(
        kinds(&stored),
        [
            "user_message",
            "assistant_message",
            "client_tool_call",
            "hidden_context_item"
        ]
    );

    let st = h
        .stream(tool_output(&tid, json!({"selection": "abc"})))
        .await;

    assert_eq!(st.types(), with_reply(&["stream_options"]));
    assert_eq!(
        st.text(),
        r#"Tool get_selection returned {"selection":"abc"}"#
    );
    assert_eq!(h.script.inputs.lock().unwrap().last(), Some(&None));
    let items = h.items(&tid).await;
    assert_eq!(
        kinds(&items),
        [
            "user_message",
            "assistant_message",
            "client_tool_call",
            "hidden_context_item",
            "assistant_message",
        ]
    );
    let ThreadItem::ClientToolCall(call) = &items[2] else {
        unreachable!()
    };
    assert_eq!(call.status, ClientToolCallStatus::Completed);
    assert_eq!(call.output, Some(json!({"selection": "abc"})));

    // Nothing is pending any more.
    let e = h.fail(tool_output(&tid, json!({"again": true}))).await;
    assert_eq!((e.code(), e.status()), ("no_pending_tool_call", 409));
}

#[tokio::test]
async fn resuming_completes_the_newest_pending_call_and_deletes_older_pending_ones() {
    let h = Harness::new();
    let (tid, _) = h.create("two client tools").await;

    let st = h.stream(tool_output(&tid, json!("done"))).await;

    assert_eq!(st.text(), r#"Tool get_selection returned "done""#);
    let calls: Vec<(String, ClientToolCallStatus)> = h
        .items(&tid)
        .await
        .into_iter()
        .filter_map(|i| match i {
            ThreadItem::ClientToolCall(c) => Some((c.call_id, c.status)),
            _ => None,
        })
        .collect();
    assert_eq!(
        calls,
        [("call_new".to_owned(), ClientToolCallStatus::Completed)]
    );
}

fn structured_body(tid: &str, item_id: &str, input: Value) -> Value {
    json!({"type": "threads.add_structured_input", "params": {"thread_id": tid, "item_id": item_id, "input": input}})
}

#[tokio::test]
async fn structured_input_answers_are_applied_replaced_first_then_the_reply_resumes() {
    let h = Harness::new();
    let st = h.stream(create("structured input")).await;
    let tid = st.thread_id();
    let item_id = s(&st.events[4]["item"]["id"]).to_owned();
    assert_eq!(st.events[4]["item"]["type"], "structured_input");

    let st = h
        .stream(structured_body(
            &tid,
            &item_id,
            json!({"status": "answered", "answers": {
                "size": {"values": ["M", "L"]},
                "toppings": {"values": ["cheese", "olives"]},
                "note": {"values": [], "skipped": false},
                "unknown_question": {"values": ["x"]},
            }}),
        ))
        .await;

    assert_eq!(
        st.types(),
        with_reply(&["stream_options", "thread.item.replaced"])
    );
    let replaced = &st.events[1]["item"];
    assert_eq!(replaced["id"], item_id.as_str());
    assert_eq!(replaced["status"], "answered");
    let answers: Vec<&Value> = replaced["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| &q["answer"])
        .collect();
    assert_eq!(
        answers,
        [
            &json!({"values": ["M"], "skipped": false}),
            &json!({"values": ["cheese", "olives"], "skipped": false}),
            &json!({"values": [], "skipped": true}),
            &json!({"values": [], "skipped": true}),
        ]
    );
    assert_eq!(
        st.text(),
        "Answers: size=M, toppings=cheese+olives, note=skipped, name=skipped"
    );
    let ThreadItem::StructuredInput(stored) = h
        .store
        .load_item(&tid, &item_id, &h.ctx.store_ctx)
        .await
        .unwrap()
    else {
        unreachable!()
    };
    assert_eq!(stored.status, StructuredInputItemStatus::Answered);

    let e = h
        .fail(structured_body(&tid, &item_id, json!({"answers": {}})))
        .await;
    assert_eq!(
        (e.code(), e.status()),
        ("structured_input_not_pending", 409)
    );
}

#[tokio::test]
async fn a_skipped_structured_input_skips_every_question() {
    let h = Harness::new();
    let st = h.stream(create("structured input")).await;
    let (tid, item_id) = (st.thread_id(), s(&st.events[4]["item"]["id"]).to_owned());

    let st = h
        .stream(structured_body(
            &tid,
            &item_id,
            json!({"status": "skipped", "answers": {"size": {"values": ["S"]}}}),
        ))
        .await;

    assert_eq!(st.events[1]["item"]["status"], "skipped");
    assert_eq!(
        st.text(),
        "Answers: size=skipped, toppings=skipped, note=skipped, name=skipped"
    );
}

#[tokio::test]
async fn retry_deletes_every_later_item_without_removal_events_and_answers_again() {
    let h = Harness::new();
    let (tid, first) = h.create("first").await;
    h.stream(add_message(&tid, "second")).await;
    let first_id = s(&first.events[1]["item"]["id"]).to_owned();
    assert_eq!(h.items(&tid).await.len(), 4);

    let st = h.stream(retry(&tid, &first_id)).await;

    assert_eq!(st.types(), with_reply(&["stream_options"]));
    assert!(st.of_type("thread.item.removed").is_empty());
    assert_eq!(st.text(), "You said: first");
    assert_eq!(
        h.script.inputs.lock().unwrap().last(),
        Some(&Some(first_id.clone()))
    );
    let items = h.items(&tid).await;
    assert_eq!(kinds(&items), ["user_message", "assistant_message"]);
    assert_eq!(items[0].id(), first_id);
    assert_eq!(items[1].id(), s(&st.events[5]["item"]["id"]));
}

#[tokio::test]
async fn custom_actions_stream_the_action_reply_and_persist_a_replaced_sender() {
    let h = Harness::new();
    let st = h.stream(create("widget")).await;
    let tid = st.thread_id();
    let widget_id = s(&st.events[3]["item"]["id"]).to_owned();
    assert_eq!(st.events[3]["item"]["type"], "widget");

    let st = h
        .stream(action(&tid, Some(&widget_id), "replace_sender", false))
        .await;

    assert_eq!(
        st.types(),
        [
            "stream_options",
            "thread.item.replaced",
            "client_effect",
            "thread.item.done"
        ]
    );
    assert_eq!(st.events[1]["item"]["id"], widget_id.as_str());
    assert_eq!(
        st.events[1]["item"]["widget"]["children"][0]["value"],
        "Picked"
    );
    assert_eq!(
        st.events[3]["item"]["content"][0]["text"],
        format!("Action replace_sender from {widget_id}")
    );
    let ThreadItem::Widget(stored) = h
        .store
        .load_item(&tid, &widget_id, &h.ctx.store_ctx)
        .await
        .unwrap()
    else {
        unreachable!()
    };
    assert_eq!(
        serde_json::to_value(&stored.widget).unwrap()["children"][0]["value"],
        "Picked"
    );

    // Without a sender.
    let st = h.stream(action(&tid, None, "ping", false)).await;
    assert_eq!(
        st.types(),
        ["stream_options", "client_effect", "thread.item.done"]
    );
    assert_eq!(
        st.events[2]["item"]["content"][0]["text"],
        "Action ping from nobody"
    );
}

#[tokio::test]
async fn a_responder_without_actions_answers_a_custom_action_with_an_error_frame() {
    let h = Harness::bare(Arc::new(Minimal));
    let (tid, _) = h.create("hi").await;

    let st = h.stream(action(&tid, None, "ping", false)).await;

    assert_eq!(st.types(), ["stream_options", "error"]);
    assert_eq!(
        st.events[1],
        json!({"type": "error", "code": "stream.error", "allow_retry": true})
    );
}

#[tokio::test]
async fn sync_custom_actions_reply_with_the_updated_item_without_persisting_it() {
    let h = Harness::new();
    let st = h.stream(create("widget")).await;
    let tid = st.thread_id();
    let widget_id = s(&st.events[3]["item"]["id"]).to_owned();

    let reply = h
        .reply(action(&tid, Some(&widget_id), "update", true))
        .await;

    assert_eq!(reply["updated_item"]["id"], widget_id.as_str());
    assert_eq!(
        reply["updated_item"]["widget"]["children"][0]["value"],
        "Updated synchronously"
    );
    let stored = h
        .store
        .load_item(&tid, &widget_id, &h.ctx.store_ctx)
        .await
        .unwrap();
    let ThreadItem::Widget(stored) = stored else {
        unreachable!()
    };
    assert_eq!(
        serde_json::to_value(&stored.widget).unwrap()["children"][0]["value"],
        "Pick one",
        "the reference does not persist a sync action's item"
    );
    assert_eq!(h.thread(&tid).await.title.as_deref(), Some("Synced"));

    assert_eq!(h.reply(action(&tid, None, "noop", true)).await, json!({}));

    let e = h.fail(action(&tid, None, "refuse", true)).await;
    assert_eq!((e.code(), e.status()), ("action_failed", 400));
    assert_eq!(e.message(), "Not allowed right now.");
    let e = h.fail(action(&tid, None, "crash", true)).await;
    assert_eq!((e.code(), e.status()), ("internal", 500));
    assert_eq!(e.message(), "An unexpected error occurred.");

    let user_id = s(&st.events[1]["item"]["id"]);
    let e = h.fail(action(&tid, Some(user_id), "update", true)).await;
    assert_eq!((e.code(), e.status()), ("sender_not_widget", 400));

    let minimal = Harness::bare(Arc::new(Minimal));
    let (tid, _) = minimal.create("hi").await;
    let e = minimal.fail(action(&tid, None, "update", true)).await;
    assert_eq!((e.code(), e.status()), ("action_unavailable", 400));
}

// ---------------------------------------------------------------------------------------------
// Non-streaming ops

#[tokio::test]
async fn get_by_id_returns_the_oldest_items_first_with_a_cursor_to_page_on() {
    let h = Harness::with_options(EngineOptions::default().thread_items_limit(3));
    let (tid, _) = h.create("hidden context").await;
    let stored = h.items(&tid).await;

    let thread = h.reply(get_thread(&tid)).await;

    assert_eq!(thread["id"], tid.as_str());
    assert_eq!(thread["metadata"], json!({}));
    // The first three stored items are the user message and two hidden ones: only the first is
    // shown, and the page still says more follow.
    let data = thread["items"]["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["type"], "user_message");
    assert_eq!(thread["items"]["has_more"], true);
    let after = s(&thread["items"]["after"]).to_owned();
    assert_eq!(after, stored[2].id());

    let next = h.reply(list_items(&tid, 20, "asc", Some(&after))).await;
    assert_eq!(next["data"].as_array().unwrap().len(), 1);
    assert_eq!(next["data"][0]["type"], "assistant_message");
    assert_eq!(next["has_more"], false);
}

#[tokio::test]
async fn items_list_pages_through_a_thread_in_both_orders() {
    let h = Harness::new();
    let (tid, _) = h.create("alpha").await;
    h.stream(add_message(&tid, "beta")).await;
    h.stream(add_message(&tid, "gamma")).await;
    let stored: Vec<String> = h
        .items(&tid)
        .await
        .iter()
        .map(|i| i.id().to_owned())
        .collect();
    assert_eq!(stored.len(), 6);

    for order in ["asc", "desc"] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = h.reply(list_items(&tid, 4, order, after.as_deref())).await;
            pages += 1;
            for item in page["data"].as_array().unwrap() {
                seen.push(s(&item["id"]).to_owned());
            }
            if page["has_more"] == false {
                assert!(page.get("after").is_none());
                break;
            }
            after = Some(s(&page["after"]).to_owned());
            assert_eq!(after.as_deref(), seen.last().map(String::as_str));
        }
        assert_eq!(pages, 2);
        let mut expected = stored.clone();
        if order == "desc" {
            expected.reverse();
        }
        assert_eq!(seen, expected, "{order}");
    }

    let e = h
        .fail(list_items(&tid, 4, "asc", Some("msg_unknown")))
        .await;
    assert_eq!((e.code(), e.status()), ("invalid_request", 400));
}

#[tokio::test]
async fn threads_list_pages_through_the_callers_threads_in_both_orders() {
    let h = Harness::new();
    let mut created = Vec::new();
    for i in 0..5 {
        created.push(h.create(&format!("thread {i}")).await.0);
    }

    for order in ["desc", "asc"] {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = h.reply(list_threads(2, order, after.as_deref())).await;
            for thread in page["data"].as_array().unwrap() {
                assert_eq!(thread["items"], json!({"data": [], "has_more": false}));
                assert_eq!(thread["metadata"], json!({}));
                seen.push(s(&thread["id"]).to_owned());
            }
            if page["has_more"] == false {
                break;
            }
            after = Some(s(&page["after"]).to_owned());
        }
        let mut expected = created.clone();
        if order == "desc" {
            expected.reverse();
        }
        assert_eq!(seen, expected, "{order}");
    }

    // Defaults: no limit means 20, order desc.
    let page = h.reply(json!({"type": "threads.list", "params": {}})).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 5);
    assert_eq!(page["data"][0]["id"], created[4].as_str());
}

#[test]
fn page_sizes_default_to_20_and_are_clamped_to_1_through_100() {
    let o = EngineOptions::default();
    assert_eq!(o.page_size(None), 20);
    assert_eq!(o.page_size(Some(0)), 20);
    assert_eq!(o.page_size(Some(-5)), 1);
    assert_eq!(o.page_size(Some(7)), 7);
    assert_eq!(o.page_size(Some(100)), 100);
    assert_eq!(o.page_size(Some(10_000)), 100);
    let o = EngineOptions::default().page_sizes(10, 50);
    assert_eq!((o.page_size(None), o.page_size(Some(60))), (10, 50));
}

#[tokio::test]
async fn threads_update_renames_and_threads_delete_removes() {
    let h = Harness::new();
    let (tid, _) = h.create("hello").await;

    let thread = h
        .reply(json!({"type": "threads.update", "params": {"thread_id": tid, "title": "Renamed"}}))
        .await;
    assert_eq!(thread["title"], "Renamed");
    assert_eq!(thread["items"], json!({"data": [], "has_more": false}));
    assert_eq!(h.thread(&tid).await.title.as_deref(), Some("Renamed"));

    let reply = h
        .reply(json!({"type": "threads.delete", "params": {"thread_id": tid}}))
        .await;
    assert_eq!(reply, json!({}));
    let e = h.fail(get_thread(&tid)).await;
    assert_eq!((e.code(), e.status()), ("thread_not_found", 404));
    let e = h
        .fail(json!({"type": "threads.delete", "params": {"thread_id": tid}}))
        .await;
    assert_eq!(e.code(), "thread_not_found");
}

#[tokio::test]
async fn feedback_is_recorded_through_the_store_and_handed_to_the_responder() {
    let h = Harness::new();
    let st = h.stream(create("hello")).await;
    let tid = st.thread_id();
    let answer = s(&st.done_items()[1]["id"]).to_owned();

    let reply = h
        .reply(json!({"type": "items.feedback", "params": {"thread_id": tid, "item_ids": [answer], "kind": "negative"}}))
        .await;

    assert_eq!(reply, json!({}));
    assert_eq!(
        h.store.load_feedback(&tid, &h.ctx.store_ctx).await.unwrap(),
        [FeedbackRecord {
            thread_id: tid.clone(),
            item_id: answer.clone(),
            kind: FeedbackKind::Negative,
        }]
    );
    assert_eq!(
        h.script.feedback.lock().unwrap().as_slice(),
        [(tid.clone(), vec![answer], FeedbackKind::Negative)]
    );

    let e = h
        .fail(json!({"type": "items.feedback", "params": {"thread_id": tid, "item_ids": ["msg_nope"], "kind": "positive"}}))
        .await;
    assert_eq!((e.code(), e.status()), ("item_not_found", 404));
    let e = h
        .as_caller("user_b", "default")
        .fail(json!({"type": "items.feedback", "params": {"thread_id": tid, "item_ids": [], "kind": "positive"}}))
        .await;
    assert_eq!(e.code(), "thread_not_found");
}

fn attach(name: &str, size: i64, mime: &str) -> Value {
    json!({"type": "attachments.create", "params": {"name": name, "size": size, "mime_type": mime}})
}

#[tokio::test]
async fn attachments_are_created_stamped_with_their_thread_and_deleted() {
    let h = Harness::new();

    let created = h.reply(attach("cat.png", 1234, "image/png")).await;

    let id = s(&created["id"]).to_owned();
    assert_eq!(created["type"], "image");
    assert_eq!(created["upload_descriptor"]["method"], "PUT");
    assert_eq!(
        created["upload_descriptor"]["url"],
        format!("https://files.example/u/{id}")
    );
    assert!(
        created.get("metadata").is_none(),
        "metadata never leaves the server"
    );
    let stored = h
        .store
        .load_attachment(&id, &h.ctx.store_ctx)
        .await
        .unwrap();
    assert!(stored.metadata().is_some(), "but the store keeps it");

    let mut body = create("look at this");
    body["params"]["input"]["attachments"] = json!([id]);
    let st = h.stream(body).await;
    let tid = st.thread_id();
    let sent = &st.events[1]["item"]["attachments"][0];
    assert_eq!(sent["id"], id.as_str());
    assert_eq!(sent["thread_id"], tid.as_str());
    assert!(sent.get("metadata").is_none());
    let stored = h
        .store
        .load_attachment(&id, &h.ctx.store_ctx)
        .await
        .unwrap();
    assert_eq!(stored.thread_id(), Some(tid.as_str()));
    let ThreadItem::UserMessage(message) = &h.items(&tid).await[0] else {
        unreachable!()
    };
    assert_eq!(message.attachments.len(), 1);

    // Another caller cannot delete it; the owner can, once.
    let delete = json!({"type": "attachments.delete", "params": {"attachment_id": id}});
    let e = h.as_caller("user_b", "default").fail(delete.clone()).await;
    assert_eq!((e.code(), e.status()), ("attachment_not_found", 404));
    assert_eq!(h.reply(delete.clone()).await, json!({}));
    assert_eq!(h.uploads.deleted.lock().unwrap().len(), 1);
    assert_eq!(h.uploads.deleted.lock().unwrap()[0], id);
    assert!(matches!(
        h.store.load_attachment(&id, &h.ctx.store_ctx).await,
        Err(StoreError::NotFound)
    ));
    let e = h.fail(delete).await;
    assert_eq!(e.code(), "attachment_not_found");

    // A file attachment, and the handler's limits.
    let file = h.reply(attach("notes.txt", 10, "text/plain")).await;
    assert_eq!(file["type"], "file");
    let e = h.fail(attach("big.png", 5_000_000, "image/png")).await;
    assert_eq!((e.code(), e.status()), ("attachment_too_large", 413));
    let e = h
        .fail(attach("x.exe", 10, "application/x-msdownload"))
        .await;
    assert_eq!((e.code(), e.status()), ("attachment_type_not_allowed", 415));
}

#[tokio::test]
async fn without_an_attachment_handler_attachment_ops_are_a_clear_4xx() {
    let h = Harness::bare(Arc::new(Minimal));

    let e = h.fail(attach("cat.png", 10, "image/png")).await;
    assert_eq!((e.code(), e.status()), ("attachments_unavailable", 400));
    let e = h
        .fail(json!({"type": "attachments.delete", "params": {"attachment_id": "atc_1"}}))
        .await;
    assert_eq!(e.code(), "attachments_unavailable");
}

#[tokio::test]
async fn input_transcribe_decodes_the_audio_for_the_responder() {
    let h = Harness::new();
    let body = json!({"type": "input.transcribe", "params": {"audio_base64": "aGVsbG8=", "mime_type": "audio/webm;codecs=opus"}});

    assert_eq!(
        h.reply(body.clone()).await,
        json!({"text": "5 bytes of audio/webm"})
    );

    let e = h
        .fail(json!({"type": "input.transcribe", "params": {"audio_base64": "***", "mime_type": "audio/webm"}}))
        .await;
    assert_eq!((e.code(), e.status()), ("invalid_request", 400));
    let e = Harness::bare(Arc::new(Minimal)).fail(body).await;
    assert_eq!((e.code(), e.status()), ("transcription_unavailable", 400));
}

// ---------------------------------------------------------------------------------------------
// Failures decided before the stream starts

#[tokio::test]
async fn malformed_bodies_are_refused_with_the_right_code() {
    let h = Harness::new();
    let cases: [(&[u8], &str); 6] = [
        (b"{not json", "invalid_json"),
        (b"[1, 2]", "invalid_json"),
        (
            br#"{"type": "threads.explode", "params": {}}"#,
            "unknown_request_type",
        ),
        (br#"{"params": {}}"#, "unknown_request_type"),
        (
            br#"{"type": "threads.create", "params": {}}"#,
            "invalid_request",
        ),
        (br#"{"type": "threads.list"}"#, "invalid_request"),
    ];
    for (body, code) in cases {
        let e = h.fail_raw(body).await;
        assert_eq!(
            (e.code(), e.status()),
            (code, 400),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    let e = h
        .fail_raw(br#"{"type": "threads.explode", "params": {}}"#)
        .await;
    assert!(e.message().contains("`threads.explode`"), "{}", e.message());
    assert!(e.message().contains("threads.create"), "{}", e.message());
}

#[tokio::test]
async fn streaming_preamble_failures_are_4xx_and_change_nothing() {
    let h = Harness::new();
    let st = h.stream(create("hello")).await;
    let tid = st.thread_id();
    let user_id = s(&st.events[1]["item"]["id"]).to_owned();
    let answer_id = s(&st.done_items()[1]["id"]).to_owned();
    let before = h.items(&tid).await;

    let cases = [
        (add_message("thr_unknown", "hi"), "thread_not_found", 404),
        (
            tool_output("thr_unknown", json!(1)),
            "thread_not_found",
            404,
        ),
        (retry("thr_unknown", &user_id), "thread_not_found", 404),
        (
            action("thr_unknown", None, "x", false),
            "thread_not_found",
            404,
        ),
        (tool_output(&tid, json!(1)), "no_pending_tool_call", 409),
        (
            retry(&tid, &answer_id),
            "retry_target_not_user_message",
            400,
        ),
        (retry(&tid, "msg_unknown"), "item_not_found", 404),
        (
            action(&tid, Some(&user_id), "x", false),
            "sender_not_widget",
            400,
        ),
        (
            action(&tid, Some("msg_unknown"), "x", false),
            "item_not_found",
            404,
        ),
        (
            structured_body(&tid, &answer_id, json!({"answers": {}})),
            "structured_input_not_pending",
            409,
        ),
        (
            structured_body(&tid, "msg_unknown", json!({"answers": {}})),
            "item_not_found",
            404,
        ),
    ];
    for (body, code, status) in cases {
        let e = h.fail(body.clone()).await;
        assert_eq!((e.code(), e.status()), (code, status), "{body}");
    }
    assert_eq!(h.items(&tid).await, before, "nothing was written");
    assert_eq!(h.engine.active_streams(), 0);

    // An unknown attachment: no thread is created at all.
    let mut body = create("with a ghost attachment");
    body["params"]["input"]["attachments"] = json!(["atc_ghost"]);
    let e = h.fail(body).await;
    assert_eq!((e.code(), e.status()), ("attachment_not_found", 404));
    let threads = h.reply(list_threads(20, "desc", None)).await;
    assert_eq!(threads["data"].as_array().unwrap().len(), 1);
}

#[test]
fn protocol_errors_have_stable_codes_statuses_and_safe_messages() {
    let cases = [
        (
            ProtocolError::ThreadNotFound("thr_1".into()),
            "thread_not_found",
            404,
            "Thread `thr_1` was not found",
        ),
        (
            ProtocolError::NoPendingToolCall("thr_1".into()),
            "no_pending_tool_call",
            409,
            "Thread `thr_1` has no pending client tool call",
        ),
        (
            ProtocolError::RetryTargetNotUserMessage("m".into()),
            "retry_target_not_user_message",
            400,
            "Item `m` is not a user message",
        ),
        (
            ProtocolError::SenderNotWidget("m".into()),
            "sender_not_widget",
            400,
            "Item `m` is not a widget",
        ),
        (
            ProtocolError::TranscriptionUnavailable,
            "transcription_unavailable",
            400,
            "Dictation is not available on this server",
        ),
        (
            ProtocolError::AttachmentsUnavailable,
            "attachments_unavailable",
            400,
            "Attachments are not enabled on this server",
        ),
        (
            ProtocolError::Store(StoreError::Backend("password=hunter2".into())),
            "internal",
            500,
            "An unexpected error occurred.",
        ),
    ];
    for (e, code, status, message) in cases {
        assert_eq!(
            (e.code(), e.status(), e.message().as_str()),
            (code, status, message)
        );
    }
}

#[tokio::test]
async fn another_identity_or_agent_never_sees_a_thread() {
    let h = Harness::new();
    let (tid, _) = h.create("mine").await;
    let before = h.items(&tid).await;

    for other in [
        h.as_caller("user_b", "default"),
        h.as_caller("user_a", "other_agent"),
    ] {
        for body in [
            get_thread(&tid),
            list_items(&tid, 20, "desc", None),
            add_message(&tid, "let me in"),
            retry(&tid, before[0].id()),
            json!({"type": "threads.update", "params": {"thread_id": tid, "title": "pwned"}}),
            json!({"type": "threads.delete", "params": {"thread_id": tid}}),
        ] {
            let e = other.fail(body.clone()).await;
            assert_eq!((e.code(), e.status()), ("thread_not_found", 404), "{body}");
        }
        let listed = other.reply(list_threads(20, "desc", None)).await;
        assert_eq!(listed["data"], json!([]));
    }
    assert_eq!(h.items(&tid).await, before);
    assert_eq!(h.thread(&tid).await.title, None);
}

// ---------------------------------------------------------------------------------------------
// Cancellation and limits

#[tokio::test]
async fn dropping_the_stream_midway_persists_the_partial_text_and_the_cancellation_note() {
    let h = Harness::new();
    let EngineReply::Stream(mut frames) = h.start(&create("slow 50")).await else {
        panic!("a stream");
    };
    let mut deltas = 0;
    let got = read_until(&mut frames, |e| {
        if e["update"]["type"] == "assistant_message.content_part.text_delta" {
            deltas += 1;
        }
        deltas == 5
    })
    .await;
    record_stream("threads.create", &raw_of(&got));
    let tid = s(&parse_frame(&got[0])["thread"]["id"]).to_owned();

    drop(frames);
    tokio::time::timeout(Duration::from_secs(5), h.engine.wait_idle())
        .await
        .expect("the stream task finishes");

    let upstream = h.script.last_upstream();
    assert!(
        upstream.dropped.load(Ordering::SeqCst),
        "the responder's stream was dropped"
    );
    assert!(
        upstream.yielded.load(Ordering::SeqCst) < 50,
        "and stopped early"
    );
    let items = h.items(&tid).await;
    assert_eq!(
        kinds(&items),
        ["user_message", "assistant_message", "sdk_hidden_context"]
    );
    let partial = assistant_text(&items[1]);
    assert!(partial.starts_with("w0 w1 w2 w3 w4 "), "{partial}");
    assert!(partial.len() < (0..50).map(|i| format!("w{i} ")).collect::<String>().len());
    let ThreadItem::SDKHiddenContext(note) = &items[2] else {
        unreachable!()
    };
    assert_eq!(note.content, CANCELLED_NOTE);
    assert_eq!(
        note.content,
        "The user cancelled the stream. Stop responding to the prior request."
    );

    // The next turn's frames and listings still hide the note.
    let page = h.reply(list_items(&tid, 20, "asc", None)).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn dropping_the_reply_unread_keeps_the_user_message_and_adds_the_note() {
    let h = Harness::new();
    let (tid, _) = h.create("hello").await;

    let reply = h.start(&add_message(&tid, "pause then reply")).await;
    drop(reply);
    tokio::time::timeout(Duration::from_secs(5), h.engine.wait_idle())
        .await
        .expect("the stream task finishes");

    let items = h.items(&tid).await;
    assert_eq!(
        kinds(&items),
        [
            "user_message",
            "assistant_message",
            "user_message",
            "sdk_hidden_context"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_idle_responder_is_stopped_by_the_idle_timeout_with_an_error_frame() {
    let h = Harness::with_options(EngineOptions::default().idle_timeout(Duration::from_secs(5)));
    let started = tokio::time::Instant::now();

    let st = h.stream(create("hang")).await;

    assert_eq!(
        st.types(),
        [
            "thread.created",
            "thread.item.done",
            "stream_options",
            "thread.item.added",
            "thread.item.updated",
            "error",
        ]
    );
    assert_eq!(
        st.events[5],
        json!({"type": "error", "code": "stream.error", "allow_retry": true})
    );
    assert!(started.elapsed() >= Duration::from_secs(5));
    assert!(h.script.last_upstream().dropped.load(Ordering::SeqCst));
    assert_eq!(kinds(&h.items(&st.thread_id()).await), ["user_message"]);
}

#[tokio::test(start_paused = true)]
async fn a_long_reply_is_stopped_by_the_total_stream_timeout() {
    let options = EngineOptions::default()
        .stream_timeout(Duration::from_secs(10))
        .idle_timeout(Duration::from_secs(5));
    let h = Harness::with_options(options);

    let st = h.stream(create("tick forever")).await;

    let deltas = st.of_type("thread.item.updated").len();
    assert!((9..=10).contains(&deltas), "{deltas} deltas in 10 s");
    assert_eq!(st.types().last(), Some(&"error"));
}

#[tokio::test(start_paused = true)]
async fn heartbeats_are_sent_only_when_configured() {
    for heartbeat in [None, Some(Duration::from_secs(1))] {
        let h = Harness::with_options(EngineOptions::default().heartbeat(heartbeat));
        let EngineReply::Stream(mut frames) = h.start(&create("pause then reply")).await else {
            panic!("a stream");
        };
        let mut beats = 0;
        let mut data = Vec::new();
        while let Some(frame) = frames.next().await {
            if frame.as_ref() == sse::HEARTBEAT {
                beats += 1;
            } else {
                data.push(frame);
            }
        }
        // The conformance record holds the data frames (heartbeat comments are not ChatKit
        // frames, and the checker rightly refuses them).
        record_stream("threads.create", &raw_of(&data));
        let types: Vec<Value> = data
            .iter()
            .map(|f| parse_frame(f)["type"].clone())
            .collect();
        assert_eq!(types.len(), 8);
        assert_eq!(beats, if heartbeat.is_some() { 3 } else { 0 });
    }
}

#[tokio::test]
async fn engines_are_cheap_to_clone_and_share_their_running_streams() {
    let h = Harness::new();
    let clone: Engine = h.engine.clone();
    let reply = h.start(&create("slow 3")).await;
    assert_eq!(clone.active_streams(), 1);
    let EngineReply::Stream(frames) = reply else {
        panic!("a stream")
    };
    let frames: Vec<_> = frames.collect().await;
    record_stream("threads.create", &raw_of(&frames));
    clone.wait_idle().await;
    assert_eq!(h.engine.active_streams(), 0);
}
