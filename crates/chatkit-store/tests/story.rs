//! The store conformance story: one long scenario every backend must tell the same way, run
//! against the in-memory store, SQLite (a temporary file, always) and PostgreSQL (when
//! `TEST_DATABASE_URL` is set: a fresh database per run, dropped at the end). Plus: SQLite data
//! survives closing and reopening the file, and `connect` picks the backend from the URL.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use chatkit_store::{
    FeedbackRecord, MemoryStore, PostgresStore, SqliteStore, Store, StoreContext, StoreError,
};
use chatkit_types::{Attachment, FeedbackKind, Order, Page, ThreadItem, ThreadMetadata};
use futures::FutureExt;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Fixtures

fn ctx(identity: &str, agent: &str) -> StoreContext {
    StoreContext {
        identity: identity.to_owned(),
        agent: agent.to_owned(),
    }
}

/// The same instant for everything that should tie on time and still keep insertion order.
const T0: &str = "2026-11-21T10:26:20.630160Z";
/// An earlier instant, for an item added later but stamped earlier.
const EARLIER: &str = "2026-11-21T10:00:00Z";

fn thread(id: &str, title: &str) -> ThreadMetadata {
    serde_json::from_value(json!({
        "id": id,
        "created_at": T0,
        "title": title,
        "status": {"type": "active"},
        "metadata": {"private": {"n": 1}, "note": "never sent to the client"},
    }))
    .expect("thread fixture")
}

fn item(value: Value) -> ThreadItem {
    serde_json::from_value(value).expect("item fixture")
}

fn user_message(id: &str, thread_id: &str, created_at: &str) -> ThreadItem {
    item(json!({
        "type": "user_message", "id": id, "thread_id": thread_id, "created_at": created_at,
        "content": [{"type": "input_text", "text": "hello \u{0} and ünïcode"}],
        "inference_options": {},
    }))
}

fn assistant_message(id: &str, thread_id: &str, created_at: &str) -> ThreadItem {
    item(json!({
        "type": "assistant_message", "id": id, "thread_id": thread_id, "created_at": created_at,
        "content": [{"type": "output_text", "text": "hi", "annotations": []}],
    }))
}

fn hidden_context(id: &str, thread_id: &str) -> ThreadItem {
    item(json!({
        "type": "hidden_context_item", "id": id, "thread_id": thread_id, "created_at": T0,
        "content": {"memo": [1, 2.5, "x"]},
    }))
}

fn sdk_hidden_context(id: &str, thread_id: &str) -> ThreadItem {
    item(json!({
        "type": "sdk_hidden_context", "id": id, "thread_id": thread_id, "created_at": T0,
        "content": "the user cancelled the stream",
    }))
}

fn client_tool_call(id: &str, thread_id: &str, output: Option<Value>) -> ThreadItem {
    let mut value = json!({
        "type": "client_tool_call", "id": id, "thread_id": thread_id, "created_at": T0,
        "status": "pending", "call_id": "call_1", "name": "get_location",
        "arguments": {"precise": true},
    });
    if let Some(output) = output {
        value["status"] = json!("completed");
        value["output"] = output;
    }
    item(value)
}

fn end_of_turn(id: &str, thread_id: &str) -> ThreadItem {
    item(json!({"type": "end_of_turn", "id": id, "thread_id": thread_id, "created_at": T0}))
}

fn image_attachment(id: &str, thread_id: Option<&str>) -> Attachment {
    let mut value = json!({
        "type": "image", "id": id, "name": "cat.png", "mime_type": "image/png",
        "preview_url": "https://files.example/p/cat.png",
        "upload_descriptor": {"url": "https://files.example/u/x", "method": "PUT",
                              "headers": {"x-k": "v"}},
        "metadata": {"path": "ab/cd/cat.png", "bytes": 1234},
    });
    if let Some(thread_id) = thread_id {
        value["thread_id"] = json!(thread_id);
    }
    serde_json::from_value(value).expect("attachment fixture")
}

fn file_attachment(id: &str, thread_id: &str) -> Attachment {
    serde_json::from_value(json!({
        "type": "file", "id": id, "name": "notes.txt", "mime_type": "text/plain",
        "thread_id": thread_id, "metadata": {"path": "notes"},
    }))
    .expect("attachment fixture")
}

// ---------------------------------------------------------------------------------------------
// Assertions

#[track_caller]
fn assert_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::NotFound) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

fn thread_ids(page: &Page<ThreadMetadata>) -> Vec<&str> {
    page.data.iter().map(|t| t.id.as_str()).collect()
}

fn item_ids(page: &Page<ThreadItem>) -> Vec<&str> {
    page.data.iter().map(|i| i.id()).collect()
}

/// Checks one page's cursor rules: at most `limit` records, and `after` is the last id exactly
/// when `has_more`.
#[track_caller]
fn assert_page_shape(ids: &[&str], has_more: bool, after: Option<&str>, limit: usize) {
    assert!(
        ids.len() <= limit,
        "page of {} over limit {limit}",
        ids.len()
    );
    if has_more {
        assert_eq!(
            after,
            ids.last().copied(),
            "after must be the last id when has_more"
        );
    } else {
        assert_eq!(after, None, "no cursor when nothing follows");
    }
}

/// More records than any story creates: a walk past it is a cursor going round in circles.
const MAX_RECORDS: usize = 100;

/// Walks every page of the context's threads and returns the ids in page order, checking each
/// page (and that only the last page is short).
async fn all_threads(
    store: &dyn Store,
    limit: usize,
    order: Order,
    c: &StoreContext,
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .load_threads(limit, after.as_deref(), order, c)
            .await
            .expect("load_threads");
        let page_ids = thread_ids(&page);
        assert_page_shape(&page_ids, page.has_more, page.after.as_deref(), limit);
        ids.extend(page_ids.iter().map(|s| s.to_string()));
        if !page.has_more {
            return ids;
        }
        assert_eq!(page.data.len(), limit, "a page followed by more is full");
        assert!(
            ids.len() <= MAX_RECORDS,
            "pagination does not end (cursor not exclusive?)"
        );
        after = page.after;
    }
}

/// Walks every page of a thread's items and returns the ids in page order.
async fn all_items(
    store: &dyn Store,
    thread_id: &str,
    limit: usize,
    order: Order,
    c: &StoreContext,
) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .load_thread_items(thread_id, after.as_deref(), limit, order, c)
            .await
            .expect("load_thread_items");
        let page_ids = item_ids(&page);
        assert_page_shape(&page_ids, page.has_more, page.after.as_deref(), limit);
        ids.extend(page_ids.iter().map(|s| s.to_string()));
        if !page.has_more {
            return ids;
        }
        assert_eq!(page.data.len(), limit, "a page followed by more is full");
        assert!(
            ids.len() <= MAX_RECORDS,
            "pagination does not end (cursor not exclusive?)"
        );
        after = page.after;
    }
}

fn reversed(ids: &[&str]) -> Vec<String> {
    ids.iter().rev().map(|s| s.to_string()).collect()
}

fn owned(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------
// The story

/// The whole contract, told against one store.
async fn story(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let alice = ctx("alice", "support");
    let alice_sales = ctx("alice", "sales");
    let bob = ctx("bob", "support");

    // An empty store: nothing to list, unknown ids are not found.
    let empty = store
        .load_threads(20, None, Order::Desc, &alice)
        .await
        .unwrap();
    assert_eq!(
        (empty.data.len(), empty.has_more, empty.after),
        (0, false, None)
    );
    assert_not_found(
        store.load_thread("thr_missing", &alice).await,
        "unknown thread",
    );
    assert_not_found(
        store
            .load_threads(20, Some("thr_missing"), Order::Asc, &alice)
            .await,
        "unknown thread cursor",
    );

    // Alice creates four threads on the support agent, all stamped with the same instant: the
    // order is the order of creation, never a tie. She has one on the sales agent; Bob has one.
    let t = ["thr_a1", "thr_a2", "thr_a3", "thr_a4"];
    for id in t {
        store.save_thread(&thread(id, id), &alice).await.unwrap();
    }
    store
        .save_thread(&thread("thr_sales", "sales"), &alice_sales)
        .await
        .unwrap();
    store
        .save_thread(&thread("thr_bob", "bob's"), &bob)
        .await
        .unwrap();

    // What is saved comes back whole, private metadata included.
    assert_eq!(
        store.load_thread("thr_a1", &alice).await.unwrap(),
        thread("thr_a1", "thr_a1")
    );

    // Threads are scoped by identity AND agent: everyone else gets "not found", for everything.
    for other in [&bob, &alice_sales] {
        assert_not_found(
            store.load_thread("thr_a1", other).await,
            "foreign load_thread",
        );
        assert_not_found(
            store
                .save_thread(&thread("thr_a1", "hijacked"), other)
                .await,
            "foreign save_thread",
        );
        assert_not_found(
            store
                .load_thread_items("thr_a1", None, 20, Order::Asc, other)
                .await,
            "foreign load_thread_items",
        );
        assert_not_found(
            store
                .add_thread_item("thr_a1", &end_of_turn("eot_x", "thr_a1"), other)
                .await,
            "foreign add_thread_item",
        );
        assert_not_found(
            store
                .save_item("thr_a1", &end_of_turn("eot_x", "thr_a1"), other)
                .await,
            "foreign save_item",
        );
        assert_not_found(
            store.load_item("thr_a1", "msg_u1", other).await,
            "foreign load_item",
        );
        assert_not_found(
            store.delete_thread_item("thr_a1", "msg_u1", other).await,
            "foreign delete_thread_item",
        );
        assert_not_found(
            store.delete_thread("thr_a1", other).await,
            "foreign delete_thread",
        );
        assert_not_found(
            store
                .load_threads(20, Some("thr_a1"), Order::Desc, other)
                .await,
            "foreign thread as cursor",
        );
        assert_not_found(
            store
                .add_feedback("thr_a1", &[], FeedbackKind::Positive, other)
                .await,
            "foreign add_feedback",
        );
        assert_not_found(
            store.load_feedback("thr_a1", other).await,
            "foreign load_feedback",
        );
    }
    assert_eq!(
        store
            .load_thread("thr_a1", &alice)
            .await
            .unwrap()
            .title
            .as_deref(),
        Some("thr_a1"),
        "a foreign save must not touch the thread"
    );
    assert_eq!(
        all_threads(store, 100, Order::Desc, &bob).await,
        owned(&["thr_bob"])
    );
    assert_eq!(
        all_threads(store, 100, Order::Desc, &alice_sales).await,
        owned(&["thr_sales"])
    );

    // Thread pagination, both orders, limits 1, 2 and large: exclusive cursors, has_more and
    // after exactly (checked page by page in all_threads).
    for limit in [1, 2, 3, 4, 100, usize::MAX] {
        assert_eq!(
            all_threads(store, limit, Order::Asc, &alice).await,
            owned(&t),
            "asc {limit}"
        );
        assert_eq!(
            all_threads(store, limit, Order::Desc, &alice).await,
            reversed(&t),
            "desc {limit}"
        );
    }
    let page = store
        .load_threads(2, None, Order::Desc, &alice)
        .await
        .unwrap();
    assert_eq!(
        (thread_ids(&page), page.has_more, page.after.as_deref()),
        (vec!["thr_a4", "thr_a3"], true, Some("thr_a3"))
    );
    let page = store
        .load_threads(2, Some("thr_a3"), Order::Desc, &alice)
        .await
        .unwrap();
    assert_eq!(
        (thread_ids(&page), page.has_more, page.after.as_deref()),
        (vec!["thr_a2", "thr_a1"], false, None)
    );
    let page = store
        .load_threads(1, Some("thr_a2"), Order::Asc, &alice)
        .await
        .unwrap();
    assert_eq!(
        (thread_ids(&page), page.has_more, page.after.as_deref()),
        (vec!["thr_a3"], true, Some("thr_a3"))
    );
    let page = store
        .load_threads(10, Some("thr_a4"), Order::Asc, &alice)
        .await
        .unwrap();
    assert_eq!(
        (page.data.len(), page.has_more, page.after),
        (0, false, None)
    );

    // Updating a thread's metadata keeps its place.
    let mut renamed = thread("thr_a2", "renamed");
    renamed
        .metadata
        .insert("previous_response_id".into(), json!("resp_1"));
    store.save_thread(&renamed, &alice).await.unwrap();
    assert_eq!(store.load_thread("thr_a2", &alice).await.unwrap(), renamed);
    assert_eq!(all_threads(store, 100, Order::Asc, &alice).await, owned(&t));

    // Items: a user message and the reply stamped with the same instant, hidden items, a
    // pending client tool call, and a message stamped earlier but added later. All kept, hidden
    // ones included, in the order they were added.
    let th = "thr_a1";
    store
        .add_thread_item(th, &user_message("msg_u1", th, T0), &alice)
        .await
        .unwrap();
    store
        .add_thread_item(th, &assistant_message("msg_a1", th, T0), &alice)
        .await
        .unwrap();
    store
        .add_thread_item(th, &hidden_context("hc_1", th), &alice)
        .await
        .unwrap();
    store
        .add_thread_item(th, &client_tool_call("tc_1", th, None), &alice)
        .await
        .unwrap();
    store
        .add_thread_item(th, &sdk_hidden_context("shcx_1", th), &alice)
        .await
        .unwrap();
    store
        .add_thread_item(th, &assistant_message("msg_a2", th, EARLIER), &alice)
        .await
        .unwrap();
    let order = ["msg_u1", "msg_a1", "hc_1", "tc_1", "shcx_1", "msg_a2"];
    match store
        .add_thread_item(th, &user_message("msg_u1", th, T0), &alice)
        .await
    {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("adding an existing item id: expected Conflict, got {other:?}"),
    }
    assert_not_found(
        store
            .add_thread_item("thr_missing", &end_of_turn("eot_x", "thr_missing"), &alice)
            .await,
        "add to unknown thread",
    );
    for limit in [1, 2, 5, 6, 100, usize::MAX] {
        assert_eq!(
            all_items(store, th, limit, Order::Asc, &alice).await,
            owned(&order),
            "asc {limit}"
        );
        assert_eq!(
            all_items(store, th, limit, Order::Desc, &alice).await,
            reversed(&order),
            "desc {limit}"
        );
    }
    // The engine's "last item" checks: desc with limits 1 and 2.
    let page = store
        .load_thread_items(th, None, 1, Order::Desc, &alice)
        .await
        .unwrap();
    assert_eq!(
        (item_ids(&page), page.has_more, page.after.as_deref()),
        (vec!["msg_a2"], true, Some("msg_a2"))
    );
    let page = store
        .load_thread_items(th, Some("msg_a2"), 2, Order::Desc, &alice)
        .await
        .unwrap();
    assert_eq!(
        (item_ids(&page), page.has_more, page.after.as_deref()),
        (vec!["shcx_1", "tc_1"], true, Some("tc_1"))
    );
    let page = store
        .load_thread_items(th, Some("tc_1"), 20, Order::Asc, &alice)
        .await
        .unwrap();
    assert_eq!(
        (item_ids(&page), page.has_more, page.after.as_deref()),
        (vec!["shcx_1", "msg_a2"], false, None)
    );
    // Threads' first page as threads.get_by_id loads it: asc, 20.
    let page = store
        .load_thread_items(th, None, 20, Order::Asc, &alice)
        .await
        .unwrap();
    assert_eq!(
        page.data[0],
        user_message("msg_u1", th, T0),
        "items come back whole"
    );
    assert_eq!(page.data[2], hidden_context("hc_1", th));
    assert_not_found(
        store
            .load_thread_items(th, Some("msg_missing"), 20, Order::Asc, &alice)
            .await,
        "unknown item cursor",
    );
    assert_not_found(
        store
            .load_thread_items("thr_missing", None, 20, Order::Asc, &alice)
            .await,
        "items of unknown thread",
    );
    let empty = store
        .load_thread_items("thr_a3", None, 20, Order::Desc, &alice)
        .await
        .unwrap();
    assert_eq!(
        (empty.data.len(), empty.has_more, empty.after),
        (0, false, None)
    );

    // The client tool call completes: replaced in place, not moved to the end.
    let completed = client_tool_call("tc_1", th, Some(json!({"lat": 48.85})));
    store.save_item(th, &completed, &alice).await.unwrap();
    assert_eq!(
        store.load_item(th, "tc_1", &alice).await.unwrap(),
        completed
    );
    assert_eq!(
        all_items(store, th, 100, Order::Asc, &alice).await,
        owned(&order)
    );
    // save_item of a new id inserts it at the end.
    store
        .save_item(th, &end_of_turn("eot_1", th), &alice)
        .await
        .unwrap();
    let order = [
        "msg_u1", "msg_a1", "hc_1", "tc_1", "shcx_1", "msg_a2", "eot_1",
    ];
    assert_eq!(
        all_items(store, th, 3, Order::Asc, &alice).await,
        owned(&order)
    );

    // Items of another thread are not found through this one, nor usable as its cursors.
    store
        .add_thread_item("thr_a2", &user_message("msg_other", "thr_a2", T0), &alice)
        .await
        .unwrap();
    assert_not_found(
        store.load_item(th, "msg_other", &alice).await,
        "item of another thread",
    );
    assert_not_found(
        store
            .load_thread_items(th, Some("msg_other"), 20, Order::Asc, &alice)
            .await,
        "cursor from another thread",
    );
    assert_not_found(
        store.load_item(th, "msg_missing", &alice).await,
        "unknown item",
    );

    // Deleting an item.
    store.delete_thread_item(th, "hc_1", &alice).await.unwrap();
    assert_not_found(store.load_item(th, "hc_1", &alice).await, "deleted item");
    assert_not_found(
        store.delete_thread_item(th, "hc_1", &alice).await,
        "deleted twice",
    );
    assert_not_found(
        store
            .load_thread_items(th, Some("hc_1"), 20, Order::Asc, &alice)
            .await,
        "deleted item as cursor",
    );
    let order = ["msg_u1", "msg_a1", "tc_1", "shcx_1", "msg_a2", "eot_1"];
    assert_eq!(
        all_items(store, th, 2, Order::Desc, &alice).await,
        reversed(&order)
    );

    // Attachments: created before their thread, then saved again with the thread set (upsert);
    // the integration-only metadata is kept in storage.
    let pending = image_attachment("atc_img", None);
    store.save_attachment(&pending, &alice).await.unwrap();
    let loaded = store.load_attachment("atc_img", &alice).await.unwrap();
    assert_eq!(loaded, pending);
    assert_eq!(loaded.metadata(), pending.metadata(), "metadata kept");
    assert!(loaded.metadata().is_some());
    assert_not_found(
        store.load_attachment("atc_img", &bob).await,
        "foreign attachment",
    );
    assert_not_found(
        store.load_attachment("atc_img", &alice_sales).await,
        "other agent's attachment",
    );
    assert_not_found(
        store
            .save_attachment(&image_attachment("atc_img", Some("thr_bob")), &bob)
            .await,
        "foreign attachment save",
    );
    assert_not_found(
        store.delete_attachment("atc_img", &bob).await,
        "foreign attachment delete",
    );
    let joined = image_attachment("atc_img", Some(th));
    store.save_attachment(&joined, &alice).await.unwrap();
    assert_eq!(
        store.load_attachment("atc_img", &alice).await.unwrap(),
        joined
    );
    store
        .save_attachment(&file_attachment("atc_file", th), &alice)
        .await
        .unwrap();
    store
        .save_attachment(&file_attachment("atc_keep", "thr_a2"), &alice)
        .await
        .unwrap();
    store
        .save_attachment(&file_attachment("atc_gone", th), &alice)
        .await
        .unwrap();
    store.delete_attachment("atc_gone", &alice).await.unwrap();
    assert_not_found(
        store.load_attachment("atc_gone", &alice).await,
        "deleted attachment",
    );
    assert_not_found(
        store.delete_attachment("atc_gone", &alice).await,
        "attachment deleted twice",
    );
    assert_not_found(
        store.load_attachment("atc_missing", &alice).await,
        "unknown attachment",
    );

    // Feedback: recorded per item, replaced by later feedback, all or nothing.
    let fb = |item: &str, kind| FeedbackRecord {
        thread_id: th.to_owned(),
        item_id: item.to_owned(),
        kind,
    };
    assert_eq!(store.load_feedback(th, &alice).await.unwrap(), vec![]);
    store
        .add_feedback(
            th,
            &["msg_a2".into(), "msg_a1".into()],
            FeedbackKind::Positive,
            &alice,
        )
        .await
        .unwrap();
    assert_eq!(
        store.load_feedback(th, &alice).await.unwrap(),
        vec![
            fb("msg_a1", FeedbackKind::Positive),
            fb("msg_a2", FeedbackKind::Positive)
        ]
    );
    store
        .add_feedback(th, &["msg_a1".into()], FeedbackKind::Negative, &alice)
        .await
        .unwrap();
    assert_eq!(
        store.load_feedback(th, &alice).await.unwrap(),
        vec![
            fb("msg_a1", FeedbackKind::Negative),
            fb("msg_a2", FeedbackKind::Positive)
        ]
    );
    assert_not_found(
        store
            .add_feedback(
                th,
                &["msg_a2".into(), "msg_missing".into()],
                FeedbackKind::Negative,
                &alice,
            )
            .await,
        "feedback on an unknown item",
    );
    assert_eq!(
        store.load_feedback(th, &alice).await.unwrap(),
        vec![
            fb("msg_a1", FeedbackKind::Negative),
            fb("msg_a2", FeedbackKind::Positive)
        ],
        "a failed add_feedback records nothing"
    );
    assert_not_found(
        store
            .add_feedback(th, &["msg_other".into()], FeedbackKind::Positive, &alice)
            .await,
        "feedback on another thread's item",
    );
    // Replacing an item keeps its feedback; deleting it removes it.
    store
        .save_item(th, &assistant_message("msg_a2", th, EARLIER), &alice)
        .await
        .unwrap();
    assert_eq!(store.load_feedback(th, &alice).await.unwrap().len(), 2);
    store
        .delete_thread_item(th, "msg_a1", &alice)
        .await
        .unwrap();
    assert_eq!(
        store.load_feedback(th, &alice).await.unwrap(),
        vec![fb("msg_a2", FeedbackKind::Positive)]
    );

    // Deleting a thread takes its items, feedback and attachment metadata with it, and nothing
    // of any other thread.
    store.delete_thread(th, &alice).await.unwrap();
    assert_not_found(store.load_thread(th, &alice).await, "deleted thread");
    assert_not_found(
        store
            .load_thread_items(th, None, 20, Order::Asc, &alice)
            .await,
        "deleted items",
    );
    assert_not_found(
        store.load_item(th, "msg_u1", &alice).await,
        "item of deleted thread",
    );
    assert_not_found(
        store.load_feedback(th, &alice).await,
        "feedback of deleted thread",
    );
    assert_not_found(
        store.load_attachment("atc_img", &alice).await,
        "attachment of deleted thread",
    );
    assert_not_found(
        store.load_attachment("atc_file", &alice).await,
        "attachment of deleted thread",
    );
    assert_not_found(
        store.delete_thread(th, &alice).await,
        "thread deleted twice",
    );
    assert!(
        store.load_attachment("atc_keep", &alice).await.is_ok(),
        "other thread's attachment"
    );
    assert!(
        store.load_item("thr_a2", "msg_other", &alice).await.is_ok(),
        "other thread's item"
    );
    assert_eq!(
        all_threads(store, 2, Order::Asc, &alice).await,
        owned(&t[1..])
    );
    assert_eq!(
        all_threads(store, 100, Order::Asc, &bob).await,
        owned(&["thr_bob"])
    );
    assert_not_found(
        store.load_threads(20, Some(th), Order::Asc, &alice).await,
        "deleted cursor",
    );

    // The id can be used again: a new, empty thread, last in the order (nothing came back).
    store
        .save_thread(&thread(th, "again"), &alice)
        .await
        .unwrap();
    let page = store
        .load_thread_items(th, None, 20, Order::Asc, &alice)
        .await
        .unwrap();
    assert_eq!((page.data.len(), page.has_more), (0, false));
    assert_eq!(store.load_feedback(th, &alice).await.unwrap(), vec![]);
    assert_eq!(
        all_threads(store, 1, Order::Asc, &alice).await,
        owned(&["thr_a2", "thr_a3", "thr_a4", "thr_a1"])
    );
    assert_not_found(
        store.delete_thread("thr_missing", &alice).await,
        "unknown thread delete",
    );
}

// ---------------------------------------------------------------------------------------------
// Backends

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("chatkit-store-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn the_memory_store_tells_the_story() {
    story(Arc::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn the_sqlite_store_tells_the_story() {
    let dir = TempDir::new();
    let store = SqliteStore::open_in_dir(dir.path())
        .await
        .expect("open sqlite");
    story(Arc::new(store.clone())).await;
    store.close().await;
}

#[tokio::test]
async fn the_postgres_store_tells_the_story() {
    let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
        eprintln!("TEST_DATABASE_URL is not set: the PostgreSQL story was skipped");
        return;
    };
    // A fresh database for this run, dropped at the end whatever happens.
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    let name = format!("chatkit_story_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&admin)
        .await
        .expect("create the test database");
    let options = sqlx::postgres::PgConnectOptions::from_str(&url)
        .expect("TEST_DATABASE_URL")
        .database(&name);
    let outcome = AssertUnwindSafe(async {
        let store = PostgresStore::connect_with(options)
            .await
            .expect("connect and migrate");
        // Migrating an up-to-date database is a no-op.
        let again = PostgresStore::connect_with(
            sqlx::postgres::PgConnectOptions::from_str(&url)
                .unwrap()
                .database(&name),
        )
        .await
        .expect("migrations are idempotent");
        again.close().await;
        story(Arc::new(store.clone())).await;
        store.close().await;
    })
    .catch_unwind()
    .await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&admin)
    .await
    .expect("drop the test database");
    admin.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test]
async fn sqlite_data_survives_closing_and_reopening_the_file() {
    let dir = TempDir::new();
    let alice = ctx("alice", "support");
    let th = "thr_kept";

    let store = SqliteStore::open_in_dir(dir.path()).await.expect("open");
    // Durable commits: WAL synced at every commit; cascades need foreign keys on.
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!((mode.as_str(), synchronous, foreign_keys), ("wal", 1, 1));
    store
        .save_thread(&thread(th, "kept"), &alice)
        .await
        .unwrap();
    store
        .add_thread_item(th, &user_message("msg_1", th, T0), &alice)
        .await
        .unwrap();
    store
        .add_thread_item(th, &assistant_message("msg_2", th, T0), &alice)
        .await
        .unwrap();
    store
        .save_attachment(&image_attachment("atc_1", Some(th)), &alice)
        .await
        .unwrap();
    store
        .add_feedback(th, &["msg_2".into()], FeedbackKind::Positive, &alice)
        .await
        .unwrap();
    store.close().await;
    drop(store);

    // Reopening runs the migrations again: a no-op on an up-to-date file.
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("chatkit.db").display()
    );
    let store = chatkit_store::connect(&url).await.expect("reopen");
    assert_eq!(
        store.load_thread(th, &alice).await.unwrap(),
        thread(th, "kept")
    );
    assert_eq!(
        store.load_attachment("atc_1", &alice).await.unwrap(),
        image_attachment("atc_1", Some(th)),
        "attachment metadata kept on disk"
    );
    assert_eq!(store.load_feedback(th, &alice).await.unwrap().len(), 1);
    // New items go after the old ones: sequence numbers are not reused after a restart.
    store
        .add_thread_item(th, &end_of_turn("eot_3", th), &alice)
        .await
        .unwrap();
    assert_eq!(
        all_items(store.as_ref(), th, 2, Order::Asc, &alice).await,
        owned(&["msg_1", "msg_2", "eot_3"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_on_one_sqlite_file_all_succeed() {
    let dir = TempDir::new();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_dir(dir.path()).await.expect("open"));
    let alice = ctx("alice", "support");
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let store = store.clone();
            let alice = alice.clone();
            tokio::spawn(async move {
                let th = format!("thr_{n}");
                store
                    .save_thread(&thread(&th, "busy"), &alice)
                    .await
                    .unwrap();
                for i in 0..20 {
                    let item = assistant_message(&format!("msg_{i}"), &th, T0);
                    store.add_thread_item(&th, &item, &alice).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("writer");
    }
    let expected: Vec<String> = (0..20).map(|i| format!("msg_{i}")).collect();
    for n in 0..8 {
        let th = format!("thr_{n}");
        assert_eq!(
            all_items(store.as_ref(), &th, 7, Order::Asc, &alice).await,
            expected
        );
    }
    assert_eq!(
        all_threads(store.as_ref(), 3, Order::Asc, &alice)
            .await
            .len(),
        8
    );
}

#[tokio::test]
async fn connect_picks_the_backend_from_the_url() {
    let alice = ctx("alice", "support");
    let memory = chatkit_store::connect("memory:").await.expect("memory:");
    memory
        .save_thread(&thread("thr_m", "m"), &alice)
        .await
        .unwrap();
    assert!(format!("{memory:?}").contains("MemoryStore"));

    // A data directory gets chatkit.db inside it.
    let dir = TempDir::new();
    let sqlite = chatkit_store::connect(dir.path().to_str().unwrap())
        .await
        .expect("directory");
    assert!(format!("{sqlite:?}").contains("SqliteStore"));
    assert!(dir.path().join("chatkit.db").exists());
    // A file path, its directory created on the way.
    let file = dir.path().join("nested/other.db");
    chatkit_store::connect(file.to_str().unwrap())
        .await
        .expect("file path");
    assert!(file.exists());
    let in_memory = chatkit_store::connect("sqlite::memory:")
        .await
        .expect("sqlite::memory:");
    in_memory
        .save_thread(&thread("thr_m", "m"), &alice)
        .await
        .unwrap();
    assert!(in_memory.load_thread("thr_m", &alice).await.is_ok());

    for bad in ["mysql://localhost/db", "redis://x", ""] {
        match chatkit_store::connect(bad).await {
            Err(StoreError::Backend(e)) => assert!(e.to_string().contains("sqlite"), "{e}"),
            other => panic!("{bad:?}: expected a Backend error, got {other:?}"),
        }
    }
}
