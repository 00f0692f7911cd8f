//! Server-sent events: a small incremental decoder ([`SseDecoder`]) and the driver that turns a
//! reply body into a [`ModelStream`] through a dialect's [`EventParser`].
//!
//! The decoder follows the HTML living standard's parsing rules as far as a model client needs
//! them: lines end in LF, CRLF or CR (also when split across reads), `data:` lines of one event
//! are joined with `\n`, lines starting with `:` are comments, and a leading BOM is dropped. The
//! `event:` line is ignored on purpose: both dialects dispatch on the JSON payload (model-apis §1).
//!
//! The idle timeout counts silence on the wire, so keep-alive comments keep a slow stream alive.

use std::collections::VecDeque;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;

use super::http::error_chain;
use crate::model::{ModelError, ModelErrorKind, ModelEvent, ModelStream};

/// The most bytes one event (or one unfinished line) may hold; a generated image in base64 is a
/// few megabytes.
const MAX_EVENT_BYTES: usize = 64 * 1024 * 1024;

/// How long the rest of a body is read, in the background, after the terminal event (so that the
/// connection can go back to the pool).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// What a parser produces: events and at most one (final) error.
pub(crate) type Pending = VecDeque<Result<ModelEvent, ModelError>>;

/// A wire dialect's stream parser: fed each event's `data`, in order.
pub(crate) trait EventParser: Send + 'static {
    /// Handles one event's data, pushing what it means onto `out`. Answers `true` when the
    /// stream is over (a terminal event or an error): nothing further is read.
    fn data(&mut self, data: &str, out: &mut Pending) -> bool;

    /// The body ended before [`data`](Self::data) answered `true`: pushes what that means
    /// (usually an [`ModelErrorKind::Interrupted`] error).
    fn end(&mut self, out: &mut Pending);
}

/// An incremental SSE decoder.
#[derive(Debug, Default)]
pub(crate) struct SseDecoder {
    /// Bytes not yet split into lines.
    buffer: Vec<u8>,
    /// The current event's data so far.
    data: String,
    /// Whether the current event has a `data` field (an empty one counts).
    has_data: bool,
    /// Whether the first bytes (and a possible BOM) have been seen.
    started: bool,
}

impl SseDecoder {
    /// Feeds `chunk`, calling `on_event` with the data of every event it completes. Answers
    /// `Ok(true)` as soon as `on_event` does (the rest is left unread).
    pub(crate) fn feed(
        &mut self,
        chunk: &[u8],
        mut on_event: impl FnMut(&str) -> bool,
    ) -> Result<bool, ModelError> {
        self.buffer.extend_from_slice(chunk);
        if !self.started {
            if self.buffer.len() < 3 && b"\xEF\xBB\xBF".starts_with(&self.buffer) {
                return Ok(false);
            }
            self.started = true;
            if self.buffer.starts_with(b"\xEF\xBB\xBF") {
                self.buffer.drain(..3);
            }
        }

        let mut start = 0;
        let mut stop = false;
        while let Some(offset) = self.buffer[start..]
            .iter()
            .position(|&byte| byte == b'\n' || byte == b'\r')
        {
            let end = start + offset;
            let next = if self.buffer[end] == b'\r' {
                match self.buffer.get(end + 1) {
                    Some(b'\n') => end + 2,
                    Some(_) => end + 1,
                    // A CR at the end of what we have: an LF may follow in the next read.
                    None => break,
                }
            } else {
                end + 1
            };
            let line = std::str::from_utf8(&self.buffer[start..end]).map_err(|_| {
                ModelError::new(ModelErrorKind::Protocol, "the event stream is not UTF-8")
            })?;
            start = next;
            if line.is_empty() {
                if self.has_data {
                    self.has_data = false;
                    let stopped = on_event(&self.data);
                    self.data.clear();
                    if stopped {
                        stop = true;
                        break;
                    }
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
                None => (line, ""),
            };
            if field == "data" {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
                if self.data.len() > MAX_EVENT_BYTES {
                    return Err(too_large());
                }
            }
        }
        self.buffer.drain(..start);
        if self.buffer.len() > MAX_EVENT_BYTES {
            return Err(too_large());
        }
        Ok(stop)
    }
}

/// The error for an event beyond [`MAX_EVENT_BYTES`].
fn too_large() -> ModelError {
    ModelError::new(
        ModelErrorKind::Protocol,
        format!("an event of the stream exceeds {MAX_EVENT_BYTES} bytes"),
    )
}

/// Where a [`model_stream`] stands.
struct Driver<P> {
    /// The reply body.
    body: BoxStream<'static, reqwest::Result<Bytes>>,
    /// The SSE decoder.
    decoder: SseDecoder,
    /// The dialect's parser.
    parser: P,
    /// Events decoded but not yet handed out.
    pending: Pending,
    /// Whether reading is over (terminal event, error, or end of body).
    done: bool,
    /// The longest silence allowed between two pieces of the body.
    idle: Duration,
}

impl<P: EventParser> Driver<P> {
    /// Reads one piece of the body and decodes it into `pending`.
    async fn read(&mut self) {
        match tokio::time::timeout(self.idle, self.body.next()).await {
            Err(_) => {
                self.done = true;
                self.pending.push_back(Err(ModelError::new(
                    ModelErrorKind::Timeout,
                    format!("the model stream was silent for {:?}", self.idle),
                )));
            }
            Ok(Some(Ok(chunk))) => {
                let parser = &mut self.parser;
                let pending = &mut self.pending;
                match self.decoder.feed(&chunk, |data| parser.data(data, pending)) {
                    Ok(false) => {}
                    Ok(true) => {
                        self.done = true;
                        // Normally only the end of the body is left; reading it lets the
                        // connection be reused, and nobody needs to wait for that.
                        let body =
                            std::mem::replace(&mut self.body, futures::stream::empty().boxed());
                        tokio::spawn(drain(body));
                    }
                    Err(error) => {
                        self.done = true;
                        self.pending.push_back(Err(error));
                    }
                }
            }
            Ok(Some(Err(error))) => {
                self.done = true;
                self.pending.push_back(Err(ModelError::new(
                    ModelErrorKind::Interrupted,
                    format!("the model stream broke off: {}", error_chain(&error)),
                )));
            }
            Ok(None) => {
                self.done = true;
                self.parser.end(&mut self.pending);
            }
        }
    }
}

/// Reads and drops what is left of `body`, for at most [`DRAIN_TIMEOUT`].
async fn drain(mut body: BoxStream<'static, reqwest::Result<Bytes>>) {
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while let Some(Ok(_)) = body.next().await {}
    })
    .await;
}

/// The events of a 2xx streaming `response`, as `parser` reads them.
pub(crate) fn model_stream<P: EventParser>(
    response: reqwest::Response,
    parser: P,
    idle: Duration,
) -> ModelStream {
    let driver = Driver {
        body: response.bytes_stream().boxed(),
        decoder: SseDecoder::default(),
        parser,
        pending: Pending::new(),
        done: false,
        idle,
    };
    futures::stream::unfold(driver, |mut driver| async move {
        loop {
            if let Some(event) = driver.pending.pop_front() {
                return Some((event, driver));
            }
            if driver.done {
                return None;
            }
            driver.read().await;
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(chunks: &[&[u8]]) -> Vec<String> {
        let mut decoder = SseDecoder::default();
        let mut events = Vec::new();
        for chunk in chunks {
            decoder
                .feed(chunk, |data| {
                    events.push(data.to_owned());
                    false
                })
                .unwrap();
        }
        events
    }

    #[test]
    fn events_split_anywhere_decode_the_same() {
        let text = "\u{FEFF}: keep-alive\r\nevent: a\r\ndata: {\"x\":\r\ndata: 1}\r\n\r\ndata:é\r\rdata: [DONE]\n\n";
        let whole = decode(&[text.as_bytes()]);
        assert_eq!(whole, vec!["{\"x\":\n1}", "é", "[DONE]"]);
        let bytes = text.as_bytes();
        for split in 0..bytes.len() {
            assert_eq!(
                decode(&[&bytes[..split], &bytes[split..]]),
                whole,
                "split at {split}"
            );
        }
        let singles: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(decode(&singles), whole);
    }

    #[test]
    fn an_unfinished_event_is_not_dispatched() {
        assert_eq!(decode(&[b"data: a\n\ndata: b\n"]), vec!["a"]);
        assert_eq!(decode(&[b"event: x\n\n: c\n\ndata:\n\n"]), vec![""]);
    }

    #[test]
    fn stopping_leaves_the_rest_unread() {
        let mut decoder = SseDecoder::default();
        let mut seen = Vec::new();
        let stopped = decoder
            .feed(b"data: 1\n\ndata: 2\n\ndata: 3\n\n", |data| {
                seen.push(data.to_owned());
                data == "2"
            })
            .unwrap();
        assert!(stopped);
        assert_eq!(seen, vec!["1", "2"]);
    }
}
