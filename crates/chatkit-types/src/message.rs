//! Message content (Python: `### ASSISTANT MESSAGE TYPES` and `### USER MESSAGE TYPES` in
//! `chatkit/types.py`).

use serde::{Deserialize, Serialize};

use crate::JsonObject;
use crate::source::Source;

/// One part of an assistant message: text with its citations (Python: `AssistantMessageContent`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(optional_fields, rename = "AssistantMessageContent")
)]
#[serde(tag = "type", rename = "output_text")]
pub struct AssistantMessageContent {
    /// Citations into `text`; default `[]`.
    #[serde(default)]
    pub annotations: Vec<Annotation>,
    /// The text (markdown).
    pub text: String,
}

impl AssistantMessageContent {
    /// A text part without annotations.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            annotations: Vec::new(),
            text: text.into(),
        }
    }
}

/// A citation attached to assistant output (Python: `Annotation`, `type: "annotation"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "ts",
    derive(ts_rs::TS),
    ts(optional_fields, rename = "Annotation")
)]
#[serde(tag = "type", rename = "annotation")]
pub struct Annotation {
    /// What is cited.
    pub source: Source,
    /// Character offset in the text where the citation marker goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(as = "Option<i32>"))]
    pub index: Option<i64>,
}

/// A user message as the client submits it (Python: `UserMessageInput`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct UserMessageInput {
    /// The message's content parts.
    pub content: Vec<UserMessageContent>,
    /// Ids of attachments uploaded beforehand (required, may be empty).
    pub attachments: Vec<String>,
    /// Text the user quoted from an earlier message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quoted_text: Option<String>,
    /// Composer selections (tool, model); required, may be `{}`.
    pub inference_options: InferenceOptions,
}

/// One part of a user message (Python: `UserMessageContent`, discriminated on `type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(tag = "type")]
pub enum UserMessageContent {
    /// `"input_text"`: plain text.
    #[serde(rename = "input_text")]
    InputText(UserMessageTextContent),
    /// `"input_tag"`: a tag (entity mention) chosen in the composer.
    #[serde(rename = "input_tag")]
    InputTag(UserMessageTagContent),
}

/// Plain text in a user message (Python: `UserMessageTextContent`, `type: "input_text"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct UserMessageTextContent {
    /// The text.
    pub text: String,
}

/// A tag in a user message (Python: `UserMessageTagContent`, `type: "input_tag"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct UserMessageTagContent {
    /// Tag id.
    pub id: String,
    /// Tag text as shown.
    pub text: String,
    /// Integration data attached to the tag (required).
    pub data: JsonObject,
    /// Optional group the tag belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Whether the tag is interactive; default `false`.
    #[serde(default)]
    pub interactive: bool,
}

/// Model and tool selection for a message (Python: `InferenceOptions`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct InferenceOptions {
    /// The composer tool the user picked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// The composer model the user picked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// An explicit tool selection (Python: `ToolChoice`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ToolChoice {
    /// Tool id.
    pub id: String,
}
