//! ChatKit wire types.
//!
//! Two vocabularies live here, with no I/O and no runtime:
//! - [`sessions`]: the OpenAI ChatKit sessions API (`POST /v1/chatkit/sessions` and cancel), which the
//!   hosted-mode session broker calls.
//! - the custom-server protocol as `openai-chatkit` 1.6.5 speaks it (requests, stream events, thread
//!   items, widgets), added module by module beside this one.

pub mod sessions;
