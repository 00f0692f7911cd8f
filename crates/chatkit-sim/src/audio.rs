//! Audio transcription (model-apis §5): `POST /v1/audio/transcriptions` takes any multipart body
//! and answers with a fixed transcription.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;

use crate::Simulator;
use crate::common::{api_key, json_response, read_request};
use crate::error::{ApiError, INVALID_REQUEST};

/// The reply body, as the real API sends it for `response_format: json`.
const TRANSCRIPTION: &[u8] = br#"{"text":"This is a simulated transcription."}"#;

/// `POST /v1/audio/transcriptions`.
pub(crate) async fn transcribe(State(sim): State<Simulator>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, _) = match read_request(&sim, request, started).await {
        Ok(read) => read,
        Err(response) => return response,
    };
    if let Err(error) = api_key(&parts.headers) {
        return error.into_response(started);
    }
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let is_multipart = content_type
        .get(..19)
        .is_some_and(|head| head.eq_ignore_ascii_case("multipart/form-data"));
    if !is_multipart {
        return ApiError::new(
            StatusCode::BAD_REQUEST,
            INVALID_REQUEST,
            format!(
                "Invalid Content-Type header ({content_type}), expected multipart/form-data. \
                 (HINT: If you're using curl, you can pass -F 'file=@path/to/file' to \
                 automatically set the appropriate Content-Type.)"
            ),
        )
        .into_response(started);
    }
    json_response(StatusCode::OK, TRANSCRIPTION.to_vec(), started)
}
