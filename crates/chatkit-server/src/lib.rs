//! The ChatKit protocol engine: a request body and its context in, a JSON reply or a stream of
//! SSE frames out, wire-compatible with `openai-chatkit` 1.6.5's `ChatKitServer`.
//!
//! It knows nothing of OpenAI (replies come from a [`Responder`]) and nothing of HTTP routing
//! (the binary maps [`EngineReply`] and [`ProtocolError`] to responses):
//!
//! ```text
//! body ─▶ Engine::process ─▶ parse ─▶ non-streaming op ─────────────────────────▶ EngineReply::Json
//!                                  └▶ streaming op: preamble (checks, writes) ─▶ EngineReply::Stream
//!                                        │ failure: ProtocolError (4xx, before any byte)
//!                                        └▶ task: stream_options, Responder events ─▶ persist ─▶ frame
//! ```
//!
//! | module | job |
//! |---|---|
//! | [`engine`] | [`Engine`], [`EngineOptions`], [`EngineReply`]; parsing and the non-streaming ops |
//! | `preamble` (private) | the streaming ops' checks and writes before the pipeline |
//! | [`pipeline`] | the event pipeline: ids, persistence, hidden items, `thread.updated`, errors, cancellation, timeouts |
//! | [`responder`] | the [`Responder`] trait and its [`EventStream`] |
//! | [`context`] | [`RequestContext`] and the [`ThreadHandle`] a responder works on |
//! | [`attachments`] | the [`AttachmentHandler`] trait the binary implements |
//! | [`error`] | [`ProtocolError`]: codes and statuses |
//! | [`sse`] | frame encoding |

pub mod attachments;
pub mod context;
pub mod engine;
pub mod error;
pub mod pipeline;
mod preamble;
pub mod responder;
pub mod sse;

pub use attachments::{AttachmentError, AttachmentHandler};
pub use context::{RequestContext, ThreadHandle};
pub use engine::{Engine, EngineOptions, EngineReply, FrameStream, parse_request};
pub use error::ProtocolError;
pub use pipeline::{CANCELLED_NOTE, PLACEHOLDER_IDS};
pub use responder::{EventStream, Responder, ResponderError, failed_stream};
