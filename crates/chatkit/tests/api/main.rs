//! HTTP integration tests of the `chatkit` server: real HTTP on loopback in front of the OpenAI
//! simulator (one per test), and the rate limits on paused time through `oneshot`.

mod helpers;

mod agents;
mod attachments;
mod create_session;
mod embed;
mod errors;
mod headers;
mod identity;
mod jwt;
mod limits;
mod ops;
mod protocol;
mod protocol_ops;
mod refresh;
mod sessions;
