//! Delivering a rendered reply: the SSE body (paced deltas, a deliberate cut for `[[midfail]]`)
//! and the non-streaming JSON body.

use std::collections::VecDeque;
use std::io;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use serde_json::Value;

use crate::common::{self, ShutdownSignal};

/// How long the body waits before cutting the connection, so that the frames before the cut
/// leave the server first.
const FLUSH_BEFORE_CUT: Duration = Duration::from_millis(20);

/// One piece of a streamed body.
#[derive(Debug)]
pub(super) enum Step {
    /// Bytes to send; `paced` ones wait the model pace first (with `[[slow]]`).
    Frame {
        /// The SSE frame.
        bytes: Bytes,
        /// Whether this frame is a delta.
        paced: bool,
    },
    /// Cut the connection: the body fails, so the client never sees the stream's end.
    Cut,
}

/// The frames of a streamed reply, in order, with the positions of the content deltas.
#[derive(Debug, Default)]
pub(super) struct Steps {
    steps: Vec<Step>,
    /// For each content delta, how many steps there were once it was pushed.
    content: Vec<usize>,
}

impl Steps {
    /// Appends a frame.
    pub(super) fn push(&mut self, frame: String, paced: bool) {
        self.steps.push(Step::Frame {
            bytes: Bytes::from(frame),
            paced,
        });
    }

    /// Appends a frame that is a content delta (text, or function arguments).
    pub(super) fn push_content(&mut self, frame: String) {
        self.push(frame, true);
        self.content.push(self.steps.len());
    }

    /// How many content deltas were pushed.
    pub(super) fn content_count(&self) -> usize {
        self.content.len()
    }

    /// Keeps the frames up to and including the `keep`-th content delta, then cuts the connection.
    pub(super) fn cut_after_content(&mut self, keep: usize) {
        let len = match keep {
            0 => self
                .content
                .first()
                .map_or(self.steps.len(), |first| first - 1),
            _ => self
                .content
                .get(keep - 1)
                .copied()
                .unwrap_or(self.steps.len()),
        };
        self.steps.truncate(len);
        self.steps.push(Step::Cut);
    }

    /// The steps, in order.
    pub(super) fn into_steps(self) -> Vec<Step> {
        self.steps
    }
}

/// The `200 text/event-stream` reply sending `steps`, waiting `pace` before each paced frame.
pub(super) fn sse(
    parts: &Parts,
    steps: Vec<Step>,
    pace: Option<Duration>,
    started: Instant,
) -> Response {
    let state = BodyState {
        steps: steps.into(),
        pace,
        shutdown: common::shutdown_signal(parts),
        shutting_down: false,
    };
    let stream = futures::stream::unfold(state, |mut state| async move {
        let step = state.steps.pop_front()?;
        match step {
            Step::Frame { bytes, paced } => {
                if paced
                    && !state.shutting_down
                    && let Some(pace) = state.pace
                {
                    let slept = common::sleep_or_shutdown(state.shutdown.clone(), pace).await;
                    // Once the server is shutting down, send the rest without waiting.
                    state.shutting_down = !slept;
                }
                Some((Ok(bytes), state))
            }
            Step::Cut => {
                tokio::time::sleep(FLUSH_BEFORE_CUT).await;
                state.steps.clear();
                Some((
                    Err(io::Error::new(
                        io::ErrorKind::ConnectionReset,
                        "simulated connection cut mid-stream",
                    )),
                    state,
                ))
            }
        }
    });
    common::sse_response(Body::from_stream(stream), started)
}

/// What the streamed body still has to send.
struct BodyState {
    steps: VecDeque<Step>,
    pace: Option<Duration>,
    shutdown: Option<ShutdownSignal>,
    shutting_down: bool,
}

/// The non-streaming reply: `value` as JSON after waiting `pace` once per delta; or, when `cut`,
/// a connection cut before any byte.
pub(super) async fn json(
    parts: &Parts,
    value: &Value,
    pace: Option<(Duration, usize)>,
    cut: bool,
    started: Instant,
) -> Response {
    if let Some((pace, deltas)) = pace {
        let total = pace.saturating_mul(u32::try_from(deltas).unwrap_or(u32::MAX));
        common::sleep_unless_shutdown(parts, total).await;
    }
    if cut {
        return common::broken_response();
    }
    let body = serde_json::to_vec(value).unwrap_or_default();
    common::json_response(StatusCode::OK, body, started)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|step| match step {
                Step::Frame { bytes, .. } => String::from_utf8(bytes.to_vec()).unwrap(),
                Step::Cut => "CUT".to_owned(),
            })
            .collect()
    }

    #[test]
    fn a_cut_keeps_the_frames_through_the_chosen_delta() {
        let mut steps = Steps::default();
        steps.push("start".into(), false);
        steps.push_content("a".into());
        steps.push_content("b".into());
        steps.push("end".into(), false);
        steps.cut_after_content(1);
        assert_eq!(frames(&steps.into_steps()), ["start", "a", "CUT"]);
    }
}
