//! ChatKit wire types.
//!
//! Two vocabularies live here, with no I/O and no runtime:
//! - [`sessions`]: the OpenAI ChatKit sessions API (`POST /v1/chatkit/sessions` and cancel), which the
//!   hosted-mode session broker calls.
//! - the custom-server protocol exactly as `openai-chatkit` 1.6.5 speaks it, one module per section
//!   of the Python package, with Python's names kept 1:1 and re-exported flat from the crate root:
//!
//! | module | Python |
//! |---|---|
//! | [`request`] | `types.py` `### REQUEST TYPES`: the 16 ops, [`ChatKitReq`] = [`StreamingReq`] + [`NonStreamingReq`] |
//! | [`event`] | `### THREAD STREAM EVENT TYPES`: [`ThreadStreamEvent`] |
//! | [`update`] | `### THREAD ITEM UPDATE TYPES`: [`ThreadItemUpdate`], [`SyncCustomActionResponse`] |
//! | [`thread`] | `### THREAD TYPES` and `Page`: [`Thread`], [`ThreadMetadata`], [`ThreadStatus`], [`Page`] |
//! | [`item`] | `### THREAD ITEM TYPES`: [`ThreadItem`] and its items |
//! | [`structured_input`] | the `StructuredInput*` classes |
//! | [`message`] | `### ASSISTANT/USER MESSAGE TYPES` |
//! | [`attachment`] | `AttachmentBase`, `FileAttachment`, `ImageAttachment`, upload descriptors |
//! | [`workflow`] | `### WORKFLOW TYPES`, `### TASK TYPES` |
//! | [`source`] | `### SOURCE TYPES` |
//! | [`widgets`] | `widgets.py` (the component builders stay under `widgets::`) |
//! | [`action`] | `actions.py` |
//! | [`error`] | `errors.py` |
//! | [`icon`] | `icons.py` |
//! | [`timestamp`] | pydantic's `datetime` format |
//!
//! Serialization follows the Python server's output exactly: `None` is omitted everywhere,
//! defaults and empty lists/objects are written, a [`Thread`]'s `metadata` is always `{}`, an
//! attachment's `metadata` is never written, timestamps are RFC 3339 UTC with a `Z`. Unknown input
//! fields are ignored.

pub mod action;
pub mod attachment;
pub mod error;
pub mod event;
pub mod icon;
pub mod item;
pub mod message;
pub mod request;
pub mod sessions;
pub mod source;
pub mod structured_input;
pub mod thread;
pub mod timestamp;
#[cfg(feature = "ts")]
pub mod ts;
pub mod update;
pub mod widgets;
pub mod workflow;

pub use action::*;
pub use attachment::*;
pub use error::*;
pub use event::*;
pub use icon::*;
pub use item::*;
pub use message::*;
pub use request::*;
pub use source::*;
pub use structured_input::*;
pub use thread::*;
pub use timestamp::*;
pub use update::*;
pub use widgets::{ROOT_TYPES, WidgetComponent, WidgetError, WidgetRoot};
pub use workflow::*;

/// A JSON object (Python: `dict[str, Any]`).
pub type JsonObject = serde_json::Map<String, serde_json::Value>;
