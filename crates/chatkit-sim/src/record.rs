//! Request recording (a bounded ring of the most recent requests) and the `/__sim` control routes.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Serialize;
use serde_json::Value;

use crate::Simulator;

/// How many requests are kept; older ones are dropped first.
pub(crate) const MAX_RECORDED: usize = 10_000;

/// Non-JSON bodies (multipart audio, say) are kept only up to this many bytes.
const MAX_TEXT_BODY: usize = 64 * 1024;

/// One request the simulator received, as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The request path, with the query string if one was sent (e.g. `/v1/chatkit/sessions`).
    pub path: String,
    /// The request headers, names in lowercase; repeated headers are joined with `", "`.
    /// Values that are not UTF-8 are converted lossily.
    pub headers: BTreeMap<String, String>,
    /// The body: parsed JSON if it is JSON, `Null` if it is empty (or was too large to read), and
    /// otherwise a `String` holding the body converted lossily from UTF-8 and cut to its first
    /// 64 KiB.
    pub body: Value,
}

impl RecordedRequest {
    /// Records a request from its head and (if it could be read) its body.
    fn new(parts: &Parts, body: Option<&Bytes>) -> Self {
        let mut headers = BTreeMap::new();
        for (name, value) in &parts.headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            headers
                .entry(name.as_str().to_owned())
                .and_modify(|joined: &mut String| {
                    joined.push_str(", ");
                    joined.push_str(&value);
                })
                .or_insert_with(|| value.into_owned());
        }
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
        Self {
            method: parts.method.as_str().to_owned(),
            path,
            headers,
            body: body.map_or(Value::Null, |bytes| body_value(bytes)),
        }
    }
}

/// The recorded form of a body (see [`RecordedRequest::body`]).
fn body_value(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if let Ok(json) = serde_json::from_slice(bytes) {
        return json;
    }
    let head = &bytes[..bytes.len().min(MAX_TEXT_BODY)];
    Value::String(String::from_utf8_lossy(head).into_owned())
}

impl Simulator {
    /// Records a request if recording is on, dropping the oldest beyond [`MAX_RECORDED`].
    pub(crate) fn record(&self, parts: &Parts, body: Option<&Bytes>) {
        if !self.recording() {
            return;
        }
        // Built before taking the lock so the lock is held only for the push.
        let recorded = RecordedRequest::new(parts, body);
        let mut requests = self.lock_requests();
        if requests.len() >= MAX_RECORDED {
            requests.pop_front();
        }
        requests.push_back(recorded);
    }
}

/// `GET /__sim/requests`: the recorded requests, oldest first.
pub(crate) async fn list_requests(State(sim): State<Simulator>) -> Json<Vec<RecordedRequest>> {
    Json(sim.requests())
}

/// `DELETE /__sim/requests`: forgets the recorded requests.
pub(crate) async fn clear_requests(State(sim): State<Simulator>) -> StatusCode {
    sim.clear_requests();
    StatusCode::NO_CONTENT
}

/// `GET /__sim/health`: always `{"status":"ok"}`.
pub(crate) async fn health() -> Json<Value> {
    Json(serde_json::json!({ "status": "ok" }))
}
