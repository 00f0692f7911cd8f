//! The web UI, embedded from `web/dist` at build time (read from disk in debug builds).
//! Hashed assets are cached as immutable; the pages are never cached; unknown paths under
//! `/api/` are JSON 404s (routed before this), other unknown paths without a dot get a page:
//! `/chat` and `/chat/…` the chat page (`chat.html`), everything else the status app.

use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::error::ApiError;

#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../web/dist"]
#[allow_missing = true]
struct Assets;

/// Shown when the binary was built without the web UI.
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>chatkit-rs</title></head>\
<body><main><h1>chatkit-rs</h1><p>The server is running, but this build has no web UI. \
Build it with <code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>, then rebuild the binary.</p>\
<p>API status: <a href=\"/api/status\">/api/status</a></p></main></body></html>";

/// Fallback handler: embedded assets, else the app's `index.html`.
pub async fn serve_asset(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if !path.is_empty() && path != "index.html" {
        if let Some(file) = Assets::get(path) {
            let mime = mime_guess::from_path(path).first_or_octet_stream();
            let cache = if path.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "public, max-age=300"
            };
            let mut response = (StatusCode::OK, file.data.into_owned()).into_response();
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(mime.as_ref()) {
                headers.insert(header::CONTENT_TYPE, value);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            return response;
        }
        if path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
        {
            return ApiError::not_found().into_response();
        }
    }
    page(page_for(path))
}

/// The page that answers a path without a file: the chat page for `chat` and `chat/…`, else the
/// status app.
fn page_for(path: &str) -> &'static str {
    if path == "chat" || path.starts_with("chat/") {
        "chat.html"
    } else {
        "index.html"
    }
}

fn page(name: &str) -> Response {
    let mut response = match Assets::get(name).or_else(|| Assets::get("index.html")) {
        Some(file) => Html(file.data.into_owned()).into_response(),
        None => Html(NOT_BUILT).into_response(),
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::page_for;

    #[test]
    fn chat_paths_get_the_chat_page_and_others_the_status_app() {
        assert_eq!(page_for("chat"), "chat.html");
        assert_eq!(page_for("chat/showcase"), "chat.html");
        assert_eq!(page_for(""), "index.html");
        assert_eq!(page_for("chatter"), "index.html");
        assert_eq!(page_for("some/client/route"), "index.html");
    }
}
