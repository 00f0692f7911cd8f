//! Widget actions (Python: `chatkit/actions.py`).
//!
//! [`ActionConfig`] is what a widget declares (`onClickAction`, `onSubmitAction`, …) and is always
//! serialized with every default spelled out, as Python does. [`Action`] is what the client sends
//! back in `threads.custom_action` / `threads.sync_custom_action`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who handles an action (Python: `Handler`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "lowercase")]
pub enum Handler {
    /// `"client"`: only the browser's `widgets.onAction` runs.
    Client,
    /// `"server"` (Python's `DEFAULT_HANDLER`): the client sends the action to the server.
    #[default]
    Server,
}

/// Which part of the UI shows a loading state while an action runs (Python: `LoadingBehavior`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "lowercase")]
pub enum LoadingBehavior {
    /// `"auto"` (Python's `DEFAULT_LOADING_BEHAVIOR`).
    #[default]
    Auto,
    /// `"none"`.
    None,
    /// `"self"`: the component that fired the action.
    #[serde(rename = "self")]
    Self_,
    /// `"container"`: the enclosing container.
    Container,
}

/// The default handler (Python: `DEFAULT_HANDLER`).
pub const DEFAULT_HANDLER: Handler = Handler::Server;

/// The default loading behaviour (Python: `DEFAULT_LOADING_BEHAVIOR`).
pub const DEFAULT_LOADING_BEHAVIOR: LoadingBehavior = LoadingBehavior::Auto;

/// An action declared on a widget (Python: `ActionConfig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ActionConfig {
    /// Action type, chosen by the integrator (e.g. `"session.save"`).
    pub r#type: String,
    /// Arbitrary payload sent back with the action; omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// Who handles the action; default `"server"`.
    #[serde(default)]
    pub handler: Handler,
    /// Loading state while the action runs (Python: `loadingBehavior`); default `"auto"`.
    #[serde(default, rename = "loadingBehavior")]
    pub loading_behavior: LoadingBehavior,
    /// `true` sends `threads.custom_action` (a streamed reply), `false` sends
    /// `threads.sync_custom_action`; default `true`.
    #[serde(default = "default_true")]
    pub streaming: bool,
}

fn default_true() -> bool {
    true
}

impl ActionConfig {
    /// An action of type `type` with every other field at its default (no payload, server
    /// handler, `auto` loading, streaming).
    pub fn new(r#type: impl Into<String>) -> Self {
        Self {
            r#type: r#type.into(),
            payload: None,
            handler: Handler::default(),
            loading_behavior: LoadingBehavior::default(),
            streaming: true,
        }
    }

    /// Sets the payload (`Action.create(payload)` in Python).
    pub fn payload(mut self, payload: impl Into<Value>) -> Self {
        self.payload = Some(payload.into());
        self
    }

    /// Sets the handler.
    pub fn handler(mut self, handler: Handler) -> Self {
        self.handler = handler;
        self
    }

    /// Sets the loading behaviour.
    pub fn loading_behavior(mut self, loading_behavior: LoadingBehavior) -> Self {
        self.loading_behavior = loading_behavior;
        self
    }

    /// Sets whether the action is sent as a streaming request.
    pub fn streaming(mut self, streaming: bool) -> Self {
        self.streaming = streaming;
        self
    }
}

/// An action sent by the client (Python: `Action[str, Any]`). Extra keys the client includes
/// (such as `handler`) are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct Action {
    /// Action type.
    pub r#type: String,
    /// Payload; `null` and absent both mean `None`, which is omitted on output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
}

impl Action {
    /// An action of type `type` with no payload.
    pub fn new(r#type: impl Into<String>) -> Self {
        Self {
            r#type: r#type.into(),
            payload: None,
        }
    }
}
