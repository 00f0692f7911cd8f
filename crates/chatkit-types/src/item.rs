//! Thread items (Python: `### THREAD ITEM TYPES` in `chatkit/types.py`).
//!
//! Python's `ThreadItemBase` fields (`id`, `thread_id`, `created_at`) are repeated in each item
//! struct; [`ThreadItem`] offers accessors for them. Hidden items (`hidden_context_item`,
//! `sdk_hidden_context`) are ordinary items here: filtering them out of what the client sees is the
//! server's job ([`ThreadItem::is_hidden`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::JsonObject;
use crate::attachment::Attachment;
use crate::message::{AssistantMessageContent, InferenceOptions, UserMessageContent};
use crate::structured_input::StructuredInput;
use crate::timestamp::Timestamp;
use crate::widgets::WidgetRoot;
use crate::workflow::{Task, Workflow};

/// A thread item of any kind (Python: `ThreadItem`, discriminated on `type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(tag = "type")]
pub enum ThreadItem {
    /// `"user_message"`: a message the user sent.
    #[serde(rename = "user_message")]
    UserMessage(UserMessageItem),
    /// `"assistant_message"`: a message from the assistant.
    #[serde(rename = "assistant_message")]
    AssistantMessage(AssistantMessageItem),
    /// `"client_tool_call"`: a tool call the client runs (drives `onClientTool`).
    #[serde(rename = "client_tool_call")]
    ClientToolCall(ClientToolCallItem),
    /// `"widget"`: a widget.
    #[serde(rename = "widget")]
    Widget(WidgetItem),
    /// `"generated_image"`: an image the model generates (1.4.1).
    #[serde(rename = "generated_image")]
    GeneratedImage(GeneratedImageItem),
    /// `"structured_input"`: questions put to the user (1.6.4); takes over the composer while pending.
    #[serde(rename = "structured_input")]
    StructuredInput(StructuredInputItem),
    /// `"workflow"`: a workflow of tasks.
    #[serde(rename = "workflow")]
    Workflow(WorkflowItem),
    /// `"task"`: a single task.
    #[serde(rename = "task")]
    Task(TaskItem),
    /// `"hidden_context_item"`: integration-defined model context; never sent to the client.
    #[serde(rename = "hidden_context_item")]
    HiddenContext(HiddenContextItem),
    /// `"sdk_hidden_context"`: context the SDK keeps for itself (e.g. a cancellation note); never sent to the client.
    #[serde(rename = "sdk_hidden_context")]
    SDKHiddenContext(SDKHiddenContextItem),
    /// `"end_of_turn"`: marks the end of the assistant's turn (a UI hint).
    #[serde(rename = "end_of_turn")]
    EndOfTurn(EndOfTurnItem),
}

/// A message the user sent. (Python: `UserMessageItem`, `type: "user_message"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct UserMessageItem {
    /// Item id (unique within its thread).
    pub id: String,
    /// The thread holding the item.
    pub thread_id: String,
    /// Creation time; items are ordered by it.
    pub created_at: Timestamp,
    /// The message's content parts.
    pub content: Vec<UserMessageContent>,
    /// Full attachment objects (with `thread_id` set); default `[]`.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Text the user quoted from an earlier message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quoted_text: Option<String>,
    /// Composer selections (tool, model).
    pub inference_options: InferenceOptions,
}

/// A message from the assistant. (Python: `AssistantMessageItem`, `type: "assistant_message"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct AssistantMessageItem {
    /// Item id (unique within its thread).
    pub id: String,
    /// The thread holding the item.
    pub thread_id: String,
    /// Creation time; items are ordered by it.
    pub created_at: Timestamp,
    /// The message's content parts.
    pub content: Vec<AssistantMessageContent>,
}

/// A tool call the client runs (drives `onClientTool`). (Python: `ClientToolCallItem`, `type: "client_tool_call"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ClientToolCallItem {
    /// Item id (unique within its thread).
    pub id: String,
    /// The thread holding the item.
    pub thread_id: String,
    /// Creation time; items are ordered by it.
    pub created_at: Timestamp,
    /// `"pending"` until the client reports its output; default `"pending"`.
    #[serde(default)]
    pub status: ClientToolCallStatus,
    /// Tool call id.
    pub call_id: String,
    /// Tool name.
    pub name: String,
    /// Tool arguments.
    pub arguments: JsonObject,
    /// The client's output (Python: `Any | None`; `null` is `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
}

/// A widget. (Python: `WidgetItem`, `type: "widget"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct WidgetItem {
    /// Item id (unique within its thread).
    pub id: String,
    /// The thread holding the item.
    pub thread_id: String,
    /// Creation time; items are ordered by it.
    pub created_at: Timestamp,
    /// The widget tree.
    pub widget: WidgetRoot,
    /// What the copy action copies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy_text: Option<String>,
}

/// An image the model generates (1.4.1). (Python: `GeneratedImageItem`, `type: "generated_image"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct GeneratedImageItem {
    /// Item id (unique within its thread).
    pub id: String,
    /// The thread holding the item.
    pub thread_id: String,
    /// Creation time; items are ordered by it.
    pub created_at: Timestamp,
    /// The image; `None` while it is being generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<GeneratedImage>,
}

/// Questions put to the user (1.6.4); takes over the composer while pending. (Python: `StructuredInputItem`, `type: "structured_input"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct StructuredInputItem {
    /// Item id (unique within its thread).
    pub id: String,
    /// The thread holding the item.
    pub thread_id: String,
    /// Creation time; items are ordered by it.
    pub created_at: Timestamp,
    /// Default `"pending"`.
    #[serde(default)]
    pub status: StructuredInputItemStatus,
    /// The questions.
    pub inputs: Vec<StructuredInput>,
}

/// A workflow of tasks. (Python: `WorkflowItem`, `type: "workflow"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct WorkflowItem {
    /// Item id (unique within its thread).
    pub id: String,
    /// The thread holding the item.
    pub thread_id: String,
    /// Creation time; items are ordered by it.
    pub created_at: Timestamp,
    /// The workflow.
    pub workflow: Workflow,
}

/// A single task. (Python: `TaskItem`, `type: "task"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct TaskItem {
    /// Item id (unique within its thread).
    pub id: String,
    /// The thread holding the item.
    pub thread_id: String,
    /// Creation time; items are ordered by it.
    pub created_at: Timestamp,
    /// The task.
    pub task: Task,
}

/// Integration-defined model context; never sent to the client. (Python: `HiddenContextItem`, `type: "hidden_context_item"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct HiddenContextItem {
    /// Item id (unique within its thread).
    pub id: String,
    /// The thread holding the item.
    pub thread_id: String,
    /// Creation time; items are ordered by it.
    pub created_at: Timestamp,
    /// Any JSON (Python: `Any`, required); omitted on output when `null`, as `exclude_none` does.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub content: Value,
}

/// Context the SDK keeps for itself (e.g. a cancellation note); never sent to the client. (Python: `SDKHiddenContextItem`, `type: "sdk_hidden_context"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct SDKHiddenContextItem {
    /// Item id (unique within its thread).
    pub id: String,
    /// The thread holding the item.
    pub thread_id: String,
    /// Creation time; items are ordered by it.
    pub created_at: Timestamp,
    /// The context text.
    pub content: String,
}

/// Marks the end of the assistant's turn (a UI hint). (Python: `EndOfTurnItem`, `type: "end_of_turn"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct EndOfTurnItem {
    /// Item id (unique within its thread).
    pub id: String,
    /// The thread holding the item.
    pub thread_id: String,
    /// Creation time; items are ordered by it.
    pub created_at: Timestamp,
}

impl ThreadItem {
    /// The wire `type` of this item.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::UserMessage(_) => "user_message",
            Self::AssistantMessage(_) => "assistant_message",
            Self::ClientToolCall(_) => "client_tool_call",
            Self::Widget(_) => "widget",
            Self::GeneratedImage(_) => "generated_image",
            Self::StructuredInput(_) => "structured_input",
            Self::Workflow(_) => "workflow",
            Self::Task(_) => "task",
            Self::HiddenContext(_) => "hidden_context_item",
            Self::SDKHiddenContext(_) => "sdk_hidden_context",
            Self::EndOfTurn(_) => "end_of_turn",
        }
    }

    /// Item id.
    pub fn id(&self) -> &str {
        match self {
            Self::UserMessage(i) => &i.id,
            Self::AssistantMessage(i) => &i.id,
            Self::ClientToolCall(i) => &i.id,
            Self::Widget(i) => &i.id,
            Self::GeneratedImage(i) => &i.id,
            Self::StructuredInput(i) => &i.id,
            Self::Workflow(i) => &i.id,
            Self::Task(i) => &i.id,
            Self::HiddenContext(i) => &i.id,
            Self::SDKHiddenContext(i) => &i.id,
            Self::EndOfTurn(i) => &i.id,
        }
    }

    /// The thread holding the item.
    pub fn thread_id(&self) -> &str {
        match self {
            Self::UserMessage(i) => &i.thread_id,
            Self::AssistantMessage(i) => &i.thread_id,
            Self::ClientToolCall(i) => &i.thread_id,
            Self::Widget(i) => &i.thread_id,
            Self::GeneratedImage(i) => &i.thread_id,
            Self::StructuredInput(i) => &i.thread_id,
            Self::Workflow(i) => &i.thread_id,
            Self::Task(i) => &i.thread_id,
            Self::HiddenContext(i) => &i.thread_id,
            Self::SDKHiddenContext(i) => &i.thread_id,
            Self::EndOfTurn(i) => &i.thread_id,
        }
    }

    /// Creation time.
    pub fn created_at(&self) -> Timestamp {
        match self {
            Self::UserMessage(i) => i.created_at,
            Self::AssistantMessage(i) => i.created_at,
            Self::ClientToolCall(i) => i.created_at,
            Self::Widget(i) => i.created_at,
            Self::GeneratedImage(i) => i.created_at,
            Self::StructuredInput(i) => i.created_at,
            Self::Workflow(i) => i.created_at,
            Self::Task(i) => i.created_at,
            Self::HiddenContext(i) => i.created_at,
            Self::SDKHiddenContext(i) => i.created_at,
            Self::EndOfTurn(i) => i.created_at,
        }
    }

    /// Sets the item id.
    pub fn set_id(&mut self, id: String) {
        match self {
            Self::UserMessage(i) => i.id = id,
            Self::AssistantMessage(i) => i.id = id,
            Self::ClientToolCall(i) => i.id = id,
            Self::Widget(i) => i.id = id,
            Self::GeneratedImage(i) => i.id = id,
            Self::StructuredInput(i) => i.id = id,
            Self::Workflow(i) => i.id = id,
            Self::Task(i) => i.id = id,
            Self::HiddenContext(i) => i.id = id,
            Self::SDKHiddenContext(i) => i.id = id,
            Self::EndOfTurn(i) => i.id = id,
        }
    }

    /// Sets the thread id.
    pub fn set_thread_id(&mut self, thread_id: String) {
        match self {
            Self::UserMessage(i) => i.thread_id = thread_id,
            Self::AssistantMessage(i) => i.thread_id = thread_id,
            Self::ClientToolCall(i) => i.thread_id = thread_id,
            Self::Widget(i) => i.thread_id = thread_id,
            Self::GeneratedImage(i) => i.thread_id = thread_id,
            Self::StructuredInput(i) => i.thread_id = thread_id,
            Self::Workflow(i) => i.thread_id = thread_id,
            Self::Task(i) => i.thread_id = thread_id,
            Self::HiddenContext(i) => i.thread_id = thread_id,
            Self::SDKHiddenContext(i) => i.thread_id = thread_id,
            Self::EndOfTurn(i) => i.thread_id = thread_id,
        }
    }

    /// Whether the client must never see this item (`hidden_context_item`, `sdk_hidden_context`).
    pub fn is_hidden(&self) -> bool {
        matches!(self, Self::HiddenContext(_) | Self::SDKHiddenContext(_))
    }
}

impl From<UserMessageItem> for ThreadItem {
    fn from(item: UserMessageItem) -> Self {
        Self::UserMessage(item)
    }
}

impl From<AssistantMessageItem> for ThreadItem {
    fn from(item: AssistantMessageItem) -> Self {
        Self::AssistantMessage(item)
    }
}

impl From<ClientToolCallItem> for ThreadItem {
    fn from(item: ClientToolCallItem) -> Self {
        Self::ClientToolCall(item)
    }
}

impl From<WidgetItem> for ThreadItem {
    fn from(item: WidgetItem) -> Self {
        Self::Widget(item)
    }
}

impl From<GeneratedImageItem> for ThreadItem {
    fn from(item: GeneratedImageItem) -> Self {
        Self::GeneratedImage(item)
    }
}

impl From<StructuredInputItem> for ThreadItem {
    fn from(item: StructuredInputItem) -> Self {
        Self::StructuredInput(item)
    }
}

impl From<WorkflowItem> for ThreadItem {
    fn from(item: WorkflowItem) -> Self {
        Self::Workflow(item)
    }
}

impl From<TaskItem> for ThreadItem {
    fn from(item: TaskItem) -> Self {
        Self::Task(item)
    }
}

impl From<HiddenContextItem> for ThreadItem {
    fn from(item: HiddenContextItem) -> Self {
        Self::HiddenContext(item)
    }
}

impl From<SDKHiddenContextItem> for ThreadItem {
    fn from(item: SDKHiddenContextItem) -> Self {
        Self::SDKHiddenContext(item)
    }
}

impl From<EndOfTurnItem> for ThreadItem {
    fn from(item: EndOfTurnItem) -> Self {
        Self::EndOfTurn(item)
    }
}

/// Status of a client tool call (Python: `Literal["pending", "completed"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "lowercase")]
pub enum ClientToolCallStatus {
    /// `"pending"` (the default): waiting for the client's output.
    #[default]
    Pending,
    /// `"completed"`.
    Completed,
}

/// Status of a structured input item (Python: `Literal["pending", "answered", "skipped"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "lowercase")]
pub enum StructuredInputItemStatus {
    /// `"pending"` (the default).
    #[default]
    Pending,
    /// `"answered"`.
    Answered,
    /// `"skipped"`.
    Skipped,
}

/// A generated image (Python: `GeneratedImage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct GeneratedImage {
    /// Image id.
    pub id: String,
    /// Image URL (a plain string in Python too).
    pub url: String,
}
