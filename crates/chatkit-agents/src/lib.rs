//! The chatkit-rs agent runtime: agents declared in config files, served to the ChatKit widget
//! through the protocol engine ([`chatkit_server::Responder`]), running on the OpenAI Responses
//! API or on any OpenAI-compatible Chat Completions server.

pub mod model;
pub mod provider;
