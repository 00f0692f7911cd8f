//! The chatkit-rs agent runtime: agents declared in config files, served to the ChatKit widget
//! through the protocol engine ([`chatkit_server::Responder`]), running on the OpenAI Responses
//! API or on any OpenAI-compatible Chat Completions server.
//!
//! - [`definition`]: the agent files as written (TOML), and reading them;
//! - [`catalog`]: checked agents and providers, every problem reported with file and field;
//! - [`model`] and [`provider`]: the provider-neutral model interface and its two clients;
//! - [`input`]: thread history → model input;
//! - [`responder`]: an agent as the engine's responder (the reply loop, tools, actions,
//!   titles, failures);
//! - [`showcase`]: the demo tool that shows every kind of thing a UI must render;
//! - [`endpoint`]: calls to your HTTP tools and action handlers.

pub mod catalog;
pub mod definition;
pub mod endpoint;
pub mod input;
pub mod model;
pub mod provider;
pub mod responder;
pub mod showcase;
pub mod template;
mod turn;

pub use catalog::{Agent, Catalog, CatalogOptions};
pub use responder::AgentResponder;
