//! Incremental updates to a thread item (Python: `### THREAD ITEM UPDATE TYPES` in
//! `chatkit/types.py`), carried by `thread.item.updated` events, and the reply of
//! `threads.sync_custom_action`.
//!
//! Python's `ThreadItemUpdate` is a plain union whose members each carry a `type` literal; here it
//! is an enum tagged on `type`, which reads and writes the same JSON.

use serde::{Deserialize, Serialize};

use crate::item::{GeneratedImage, ThreadItem};
use crate::message::{Annotation, AssistantMessageContent};
use crate::widgets::{WidgetComponent, WidgetRoot};
use crate::workflow::Task;

/// An update to a thread item (Python: `ThreadItemUpdate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(tag = "type")]
pub enum ThreadItemUpdate {
    /// A content part was appended to an assistant message.
    #[serde(rename = "assistant_message.content_part.added")]
    AssistantMessageContentPartAdded(AssistantMessageContentPartAdded),
    /// Text was appended to an assistant message's content part.
    #[serde(rename = "assistant_message.content_part.text_delta")]
    AssistantMessageContentPartTextDelta(AssistantMessageContentPartTextDelta),
    /// An annotation was added to an assistant message's content part.
    #[serde(rename = "assistant_message.content_part.annotation_added")]
    AssistantMessageContentPartAnnotationAdded(AssistantMessageContentPartAnnotationAdded),
    /// An assistant message's content part is final.
    #[serde(rename = "assistant_message.content_part.done")]
    AssistantMessageContentPartDone(AssistantMessageContentPartDone),
    /// Text was appended to a streaming `Text`/`Markdown` widget component.
    #[serde(rename = "widget.streaming_text.value_delta")]
    WidgetStreamingTextValueDelta(WidgetStreamingTextValueDelta),
    /// One widget component was replaced.
    #[serde(rename = "widget.component.updated")]
    WidgetComponentUpdated(WidgetComponentUpdated),
    /// The whole widget tree was replaced.
    #[serde(rename = "widget.root.updated")]
    WidgetRootUpdated(WidgetRootUpdated),
    /// A task was appended to a workflow.
    #[serde(rename = "workflow.task.added")]
    WorkflowTaskAdded(WorkflowTaskAdded),
    /// A workflow task was replaced.
    #[serde(rename = "workflow.task.updated")]
    WorkflowTaskUpdated(WorkflowTaskUpdated),
    /// A generated image progressed or finished.
    #[serde(rename = "generated_image.updated")]
    GeneratedImageUpdated(GeneratedImageUpdated),
}

/// A content part was appended (Python: `AssistantMessageContentPartAdded`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct AssistantMessageContentPartAdded {
    /// Index of the part in the message's `content`.
    pub content_index: usize,
    /// The new part.
    pub content: AssistantMessageContent,
}

/// Text appended to a content part (Python: `AssistantMessageContentPartTextDelta`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct AssistantMessageContentPartTextDelta {
    /// Index of the part in the message's `content`.
    pub content_index: usize,
    /// The appended text.
    pub delta: String,
}

/// An annotation added to a content part (Python:
/// `AssistantMessageContentPartAnnotationAdded`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct AssistantMessageContentPartAnnotationAdded {
    /// Index of the part in the message's `content`.
    pub content_index: usize,
    /// Where the annotation goes in the part's `annotations` (appended when past the end).
    pub annotation_index: usize,
    /// The annotation.
    pub annotation: Annotation,
}

/// A content part is final (Python: `AssistantMessageContentPartDone`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct AssistantMessageContentPartDone {
    /// Index of the part in the message's `content`.
    pub content_index: usize,
    /// The final part, replacing the streamed one.
    pub content: AssistantMessageContent,
}

/// Text appended to a widget component's `value` (Python: `WidgetStreamingTextValueDelta`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct WidgetStreamingTextValueDelta {
    /// `id` of the `Text` or `Markdown` component.
    pub component_id: String,
    /// The appended text.
    pub delta: String,
    /// Whether the component has stopped streaming.
    pub done: bool,
}

/// The whole widget tree was replaced (Python: `WidgetRootUpdated`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct WidgetRootUpdated {
    /// The new tree.
    pub widget: WidgetRoot,
}

/// One widget component was replaced (Python: `WidgetComponentUpdated`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct WidgetComponentUpdated {
    /// `id` of the replaced component.
    pub component_id: String,
    /// The new component.
    pub component: WidgetComponent,
}

/// A task appended to a workflow (Python: `WorkflowTaskAdded`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct WorkflowTaskAdded {
    /// Index of the task in the workflow.
    pub task_index: usize,
    /// The task.
    pub task: Task,
}

/// A workflow task replaced (Python: `WorkflowTaskUpdated`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct WorkflowTaskUpdated {
    /// Index of the task in the workflow.
    pub task_index: usize,
    /// The task.
    pub task: Task,
}

/// A generated image progressed (Python: `GeneratedImageUpdated`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct GeneratedImageUpdated {
    /// The image so far.
    pub image: GeneratedImage,
    /// Progress from 0 to 1 (Python: `float`, so `1` is written `1.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<f64>,
}

/// Reply of `threads.sync_custom_action` (Python: `SyncCustomActionResponse`): the item the
/// action changed, or `{}` when none.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct SyncCustomActionResponse {
    /// The updated item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_item: Option<ThreadItem>,
}
