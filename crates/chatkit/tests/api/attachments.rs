//! Custom-mode attachments over HTTP: the two-phase strategy (`attachments.create`, then the
//! signed upload URL), the direct strategy (`POST /chatkit/{agent}/upload`), signed previews (and
//! fresh ones for messages read later), limits, upload time, deletion and isolation between
//! identities. Every protocol request and reply, and every
//! attachment an upload route answers, is recorded for the conformance checker.

use std::time::{Duration, Instant};

use chatkit_store::Store;
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, bare_client, cookie_client, spawn_app};
use crate::protocol::{call, events, record, user_input};
use crate::protocol_ops::{open_store, owner_of};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n fake image bytes";

fn create(name: &str, size: usize, mime_type: &str) -> Value {
    json!({"type": "attachments.create", "params": {"name": name, "size": size, "mime_type": mime_type}})
}

/// A `multipart/form-data` body with one `file` field: (content type, body).
fn multipart(file_name: &str, mime_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "chatkit-test-boundary-7MA4YWxk";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
         Content-Type: {mime_type}\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// An attachment an upload route answered, for the checker.
fn record_attachment(reply: &Reply) {
    record(json!({"kind": "value", "type": "Attachment", "body": reply.body}));
}

async fn put(url: &str, content_type: Option<&str>, bytes: Vec<u8>) -> Reply {
    let mut request = bare_client().put(url).body(bytes);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    Reply::read(request.send().await.expect("sent")).await
}

async fn get(url: &str) -> (Reply, Vec<u8>) {
    let response = bare_client().get(url).send().await.expect("sent");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("a body").to_vec();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    (
        Reply {
            status,
            headers,
            text,
            body,
        },
        bytes,
    )
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` in {value}"))
}

fn bytes_on_disk(app: &TestApp, id: &str) -> bool {
    app.data_dir.path().join("attachments").join(id).exists()
}

#[tokio::test]
async fn a_two_phase_image_is_created_uploaded_previewed_and_deleted() {
    // Arrange
    let app = spawn_app(|_| {}).await;

    // Act
    let created = call(
        &app,
        &app.client,
        "/chatkit",
        &create("cat.png", PNG.len(), "image/png"),
    )
    .await;
    let attachment = &created.body;
    let id = str_of(attachment, "id").to_owned();
    let upload_url = str_of(&attachment["upload_descriptor"], "url").to_owned();
    let preview_url = str_of(attachment, "preview_url").to_owned();
    let before_upload = get(&preview_url).await.0;
    let uploaded = put(&upload_url, Some("image/png"), PNG.to_vec()).await;
    let (preview, preview_bytes) = get(&preview_url).await;
    let deleted = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "attachments.delete", "params": {"attachment_id": id}}),
    )
    .await;
    let after_delete = get(&preview_url).await.0;

    // Assert
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    assert!(id.starts_with("atc_"), "{id}");
    assert_eq!(attachment["type"], "image");
    assert_eq!(attachment["upload_descriptor"]["method"], "PUT");
    assert_eq!(attachment["upload_descriptor"]["headers"], json!({}));
    let prefix = format!("{}/api/chatkit/attachments/{id}/", app.origin());
    assert!(
        upload_url.starts_with(&format!("{prefix}upload?exp=")) && upload_url.contains("&sig="),
        "{upload_url}"
    );
    assert!(
        preview_url.starts_with(&format!("{prefix}preview?exp=")),
        "{preview_url}"
    );
    before_upload.assert_error(StatusCode::NOT_FOUND, "attachment_not_found");
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.text);
    assert_eq!(uploaded.body["id"], id.as_str());
    assert!(
        uploaded.body.get("upload_descriptor").is_none(),
        "the descriptor is cleared once uploaded: {}",
        uploaded.text
    );
    record_attachment(&uploaded);
    assert_eq!(preview.status, StatusCode::OK);
    assert_eq!(preview_bytes, PNG);
    assert_eq!(preview.header("content-type"), Some("image/png"));
    assert_eq!(
        preview.header("cache-control"),
        Some("private, max-age=300")
    );
    assert_eq!(preview.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(preview.header("content-disposition"), Some("inline"));
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.body, json!({}));
    after_delete.assert_error(StatusCode::NOT_FOUND, "attachment_not_found");
    assert!(!bytes_on_disk(&app, &id), "the bytes are gone");
}

#[tokio::test]
async fn forged_or_altered_signatures_are_refused() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let created = call(
        &app,
        &app.client,
        "/chatkit",
        &create("cat.png", PNG.len(), "image/png"),
    )
    .await;
    let upload_url = str_of(&created.body["upload_descriptor"], "url").to_owned();
    let preview_url = str_of(&created.body, "preview_url").to_owned();
    assert_eq!(
        put(&upload_url, Some("image/png"), PNG.to_vec())
            .await
            .status,
        StatusCode::OK
    );
    let (base, query) = preview_url.split_once('?').unwrap();
    let exp: u64 = query
        .split('&')
        .find_map(|p| p.strip_prefix("exp="))
        .unwrap()
        .parse()
        .unwrap();
    let sig = query
        .split('&')
        .find_map(|p| p.strip_prefix("sig="))
        .unwrap();

    // Act
    let extended = get(&format!("{base}?exp={}&sig={sig}", exp + 3600)).await.0;
    let expired = get(&format!("{base}?exp=1&sig={sig}")).await.0;
    let forged = get(&format!("{base}?exp={exp}&sig=AAAA{}", &sig[4..]))
        .await
        .0;
    let unsigned = get(base).await.0;
    let upload_as_preview = get(&upload_url.replace("/upload?", "/preview?")).await.0;
    let reupload_forged = put(&format!("{upload_url}x"), Some("image/png"), PNG.to_vec()).await;

    // Assert
    for reply in [
        extended,
        expired,
        forged,
        unsigned,
        upload_as_preview,
        reupload_forged,
    ] {
        reply.assert_error(StatusCode::FORBIDDEN, "invalid_signature");
    }
}

#[tokio::test]
async fn sizes_and_types_are_enforced() {
    // Arrange
    let app = spawn_app(|c| c.attachments.max_file_size_mb = 1).await;
    let mib = 1024 * 1024;

    // Act
    let too_large = call(
        &app,
        &app.client,
        "/chatkit",
        &create("big.pdf", mib + 1, "application/pdf"),
    )
    .await;
    let html = call(
        &app,
        &app.client,
        "/chatkit",
        &create("page.html", 10, "text/html"),
    )
    .await;
    let small = call(
        &app,
        &app.client,
        "/chatkit",
        &create("notes.txt", 10, "text/plain"),
    )
    .await;
    let url = str_of(&small.body["upload_descriptor"], "url").to_owned();
    let oversized_put = put(&url, Some("text/plain"), vec![b'a'; mib + 1]).await;
    let (content_type, body) = multipart("notes.txt", "text/plain", &vec![b'a'; mib + 1]);
    let oversized_post = Reply::read(
        bare_client()
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    let wrong_type = put(&url, Some("text/html"), b"<script>".to_vec()).await;
    let (content_type, body) = multipart("notes.txt", "text/plain", b"hello notes");
    let posted = Reply::read(
        bare_client()
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("sent"),
    )
    .await;

    // Assert
    too_large.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "attachment_too_large");
    html.assert_error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "attachment_type_not_allowed",
    );
    assert_eq!(small.status, StatusCode::OK);
    assert_eq!(small.body["type"], "file");
    assert!(small.body.get("preview_url").is_none());
    oversized_put.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "attachment_too_large");
    oversized_post.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "attachment_too_large");
    wrong_type.assert_error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "attachment_type_not_allowed",
    );
    assert_eq!(posted.status, StatusCode::OK, "{}", posted.text);
    record_attachment(&posted);
    let id = str_of(&small.body, "id");
    let on_disk = std::fs::read(app.data_dir.path().join("attachments").join(id)).unwrap();
    assert_eq!(on_disk, b"hello notes");
    let leftovers: Vec<_> = std::fs::read_dir(app.data_dir.path().join("attachments"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "refused uploads leave no temporary files"
    );
}

#[tokio::test]
async fn a_direct_upload_is_stored_and_sent_with_a_message() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let (content_type, body) = multipart("cat.png", "image/png", PNG);

    // Act
    let uploaded = Reply::read(
        app.client
            .post(app.url("/chatkit/default/upload"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    let id = str_of(&uploaded.body, "id").to_owned();
    let (preview, preview_bytes) = get(str_of(&uploaded.body, "preview_url")).await;
    let mut input = user_input("look at this");
    input["attachments"] = json!([id]);
    let created = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.create", "params": {"input": input}}),
    )
    .await;

    // Assert
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.text);
    record_attachment(&uploaded);
    assert_eq!(uploaded.body["type"], "image");
    assert_eq!(uploaded.body["name"], "cat.png");
    assert_eq!(uploaded.body["mime_type"], "image/png");
    assert!(uploaded.body.get("upload_descriptor").is_none());
    assert_eq!(preview.status, StatusCode::OK);
    assert_eq!(preview_bytes, PNG);
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    let events = events(&created);
    let user_message = events
        .iter()
        .find(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "user_message")
        .expect("the user message");
    assert_eq!(user_message["item"]["attachments"][0]["id"], id.as_str());
}

#[tokio::test]
async fn a_direct_upload_refuses_unknown_agents_and_disallowed_types() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let send = |path: &'static str, name: &'static str, mime: &'static str| {
        let (content_type, body) = multipart(name, mime, b"x");
        let request = app
            .client
            .post(app.url(path))
            .header("content-type", content_type)
            .body(body);
        async move { Reply::read(request.send().await.expect("sent")).await }
    };

    // Act
    let unknown_agent = send("/chatkit/nope/upload", "a.txt", "text/plain").await;
    let html = send("/chatkit/default/upload", "a.html", "text/html").await;
    let guessed = send(
        "/chatkit/default/upload",
        "notes.md",
        "application/octet-stream",
    )
    .await;

    // Assert
    unknown_agent.assert_error(StatusCode::NOT_FOUND, "agent_not_found");
    html.assert_error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "attachment_type_not_allowed",
    );
    assert_eq!(guessed.status, StatusCode::OK, "{}", guessed.text);
    assert_eq!(
        guessed.body["mime_type"], "text/markdown",
        "the type is guessed from the name"
    );
    assert_eq!(guessed.body["type"], "file");
    record_attachment(&guessed);
}

#[tokio::test]
async fn another_identity_can_neither_delete_nor_reference_an_attachment() {
    // Arrange
    let app = spawn_app(|_| {}).await;
    let created = call(
        &app,
        &app.client,
        "/chatkit",
        &create("notes.txt", 5, "text/plain"),
    )
    .await;
    let id = str_of(&created.body, "id").to_owned();
    let url = str_of(&created.body["upload_descriptor"], "url").to_owned();
    assert_eq!(
        put(&url, None, b"hello".to_vec()).await.status,
        StatusCode::OK
    );
    let other = cookie_client();

    // Act
    let deleted = call(
        &app,
        &other,
        "/chatkit",
        &json!({"type": "attachments.delete", "params": {"attachment_id": id}}),
    )
    .await;
    let mut input = user_input("this is not mine");
    input["attachments"] = json!([id]);
    let referenced = call(
        &app,
        &other,
        "/chatkit",
        &json!({"type": "threads.create", "params": {"input": input}}),
    )
    .await;
    let other_agent = call(
        &app,
        &app.client,
        "/chatkit/nope",
        &json!({"type": "attachments.delete", "params": {"attachment_id": id}}),
    )
    .await;

    // Assert
    deleted.assert_error(StatusCode::NOT_FOUND, "attachment_not_found");
    referenced.assert_error(StatusCode::NOT_FOUND, "attachment_not_found");
    other_agent.assert_error(StatusCode::NOT_FOUND, "agent_not_found");
    assert!(bytes_on_disk(&app, &id), "the owner's bytes are untouched");
}

#[tokio::test]
async fn attachments_can_be_turned_off() {
    // Arrange
    let app = spawn_app(|c| c.attachments.enabled = false).await;
    let (content_type, body) = multipart("a.txt", "text/plain", b"x");

    // Act
    let created = call(
        &app,
        &app.client,
        "/chatkit",
        &create("a.txt", 1, "text/plain"),
    )
    .await;
    let direct = Reply::read(
        app.client
            .post(app.url("/chatkit/default/upload"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("sent"),
    )
    .await;

    // Assert
    created.assert_error(StatusCode::BAD_REQUEST, "attachments_unavailable");
    direct.assert_error(StatusCode::BAD_REQUEST, "attachments_unavailable");
}

/// The preview URL of `url` with an expiry long past (and so a signature that no longer holds).
fn gone_stale(url: &str) -> String {
    let (base, _) = url.split_once('?').expect("a signed URL");
    format!("{base}?exp=1&sig=AAAA")
}

#[tokio::test]
async fn a_preview_url_gone_stale_in_a_stored_message_is_signed_anew_when_the_thread_is_read() {
    // Arrange: an image sent with a message, whose stored preview URL then expired.
    let app = spawn_app(|_| {}).await;
    let (content_type, body) = multipart("cat.png", "image/png", PNG);
    let uploaded = Reply::read(
        app.client
            .post(app.url("/chatkit/default/upload"))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    record_attachment(&uploaded);
    let id = str_of(&uploaded.body, "id").to_owned();
    let mut input = user_input("look at this");
    input["attachments"] = json!([id]);
    let created = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.create", "params": {"input": input}}),
    )
    .await;
    let events = events(&created);
    let thread_id = events[0]["thread"]["id"].as_str().unwrap().to_owned();
    let mut message = events
        .iter()
        .find(|e| e["type"] == "thread.item.done" && e["item"]["type"] == "user_message")
        .expect("the user message")["item"]
        .clone();
    let sent_url = str_of(&message["attachments"][0], "preview_url").to_owned();
    let stale = gone_stale(&sent_url);
    message["attachments"][0]["preview_url"] = json!(stale);
    let store = open_store(&app).await;
    let ctx = owner_of(&store, &thread_id).await;
    store
        .save_item(&thread_id, &serde_json::from_value(message).unwrap(), &ctx)
        .await
        .expect("the stale URL is stored");
    assert_eq!(get(&stale).await.0.status, StatusCode::FORBIDDEN);

    // Act
    let listed = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "items.list", "params": {"thread_id": thread_id}}),
    )
    .await;
    let fetched = call(
        &app,
        &app.client,
        "/chatkit",
        &json!({"type": "threads.get_by_id", "params": {"thread_id": thread_id}}),
    )
    .await;

    // Assert
    for page in [&listed.body, &fetched.body["items"]] {
        let message = page["data"]
            .as_array()
            .expect("a page")
            .iter()
            .find(|item| item["type"] == "user_message")
            .expect("the user message");
        let url = str_of(&message["attachments"][0], "preview_url");
        assert_ne!(url, stale);
        assert!(
            url.starts_with(&format!(
                "{}/api/chatkit/attachments/{id}/preview?",
                app.origin()
            )),
            "{url}"
        );
        let (preview, bytes) = get(url).await;
        assert_eq!(preview.status, StatusCode::OK, "{url}: {}", preview.text);
        assert_eq!(bytes, PNG);
    }
}

/// A two-phase text attachment of `size` bytes: its upload URL.
async fn text_upload_url(app: &TestApp, size: usize) -> (String, String) {
    let created = call(
        app,
        &app.client,
        "/chatkit",
        &create("notes.txt", size, "text/plain"),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text);
    (
        str_of(&created.body, "id").to_owned(),
        str_of(&created.body["upload_descriptor"], "url").to_owned(),
    )
}

/// A body that sends `chunks` pieces of `piece`, `pace` apart.
fn trickle(piece: &'static [u8], chunks: usize, pace: Duration) -> reqwest::Body {
    let stream = futures::stream::unfold(0, move |sent| async move {
        if sent == chunks {
            return None;
        }
        if sent > 0 {
            tokio::time::sleep(pace).await;
        }
        Some((Ok::<_, std::io::Error>(piece.to_vec()), sent + 1))
    });
    reqwest::Body::wrap_stream(stream)
}

fn temporary_files(app: &TestApp) -> usize {
    std::fs::read_dir(app.data_dir.path().join("attachments"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .count()
}

#[tokio::test]
async fn an_upload_may_take_longer_than_an_api_call_while_its_bytes_keep_coming() {
    // Arrange: API calls get 1 s; the upload sends a chunk every 300 ms for about 2 s.
    let app = spawn_app(|c| c.server.request_timeout_secs = 1).await;
    let (id, url) = text_upload_url(&app, 7 * 5).await;
    let (_, stalled_url) = text_upload_url(&app, 10).await;
    let stalled_body = futures::stream::iter([Ok::<_, std::io::Error>(b"hello".to_vec())])
        .chain(futures::stream::pending());

    // Act
    let started = Instant::now();
    let slow = Reply::read(
        bare_client()
            .put(&url)
            .header("content-type", "text/plain")
            .body(trickle(b"hello", 7, Duration::from_millis(300)))
            .send()
            .await
            .expect("sent"),
    )
    .await;
    let took = started.elapsed();
    let stalled = Reply::read(
        bare_client()
            .put(&stalled_url)
            .header("content-type", "text/plain")
            .body(reqwest::Body::wrap_stream(stalled_body))
            .send()
            .await
            .expect("sent"),
    )
    .await;

    // Assert
    assert!(took > Duration::from_secs(1), "the upload took {took:?}");
    assert_eq!(slow.status, StatusCode::OK, "{}", slow.text);
    record_attachment(&slow);
    let on_disk = std::fs::read(app.data_dir.path().join("attachments").join(&id)).unwrap();
    assert_eq!(on_disk, b"hello".repeat(7));
    stalled.assert_error(StatusCode::SERVICE_UNAVAILABLE, "request_timeout");
    assert!(
        stalled.error_message().contains("stalled"),
        "{}",
        stalled.text
    );
    assert_eq!(
        temporary_files(&app),
        0,
        "a stalled upload leaves nothing behind"
    );
}

#[tokio::test]
async fn an_upload_that_stops_sending_is_cut_off_with_request_timeout() {
    // Arrange
    let app = spawn_app(|c| c.server.request_timeout_secs = 1).await;
    let (_, url) = text_upload_url(&app, 10).await;
    let body = futures::stream::iter([Ok::<_, std::io::Error>(b"hello".to_vec())])
        .chain(futures::stream::pending());

    // Act
    let started = Instant::now();
    let reply = Reply::read(
        bare_client()
            .put(&url)
            .header("content-type", "text/plain")
            .body(reqwest::Body::wrap_stream(body))
            .send()
            .await
            .expect("sent"),
    )
    .await;

    // Assert
    reply.assert_error(StatusCode::SERVICE_UNAVAILABLE, "request_timeout");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        started.elapsed()
    );
}
