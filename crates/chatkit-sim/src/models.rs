//! The model endpoints: a placeholder, filled in by a later issue.
//!
//! This is where the Responses API (`POST /v1/responses`, SSE stream of `response.*` events,
//! model-apis §1–§2) and Chat Completions streaming (`POST /v1/chat/completions`, `chat.completion.chunk`
//! frames, model-apis §3) will be simulated. Their routes go next to the others in
//! `Simulator::router`, and they reuse `common` (auth, request ids, body reading) and `error`
//! (the OpenAI envelope) exactly as the sessions endpoints do.
//!
//! Behaviour will be scripted by markers in the text of the last user message, for example:
//!
//! - `[[tool:NAME]]`: reply with a function call to the tool `NAME`;
//! - `[[error]]`: fail the request in the OpenAI error envelope;
//! - `[[slow]]`: stream slowly (using the simulator's slow delay);
//!
//! and, without a marker, a short deterministic text reply streamed as deltas.
