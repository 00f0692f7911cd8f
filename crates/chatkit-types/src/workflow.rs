//! Workflows and tasks (Python: `### WORKFLOW TYPES` and `### TASK TYPES` in
//! `chatkit/types.py`).
//!
//! Python's `BaseTask.status_indicator` is repeated in each task struct.

use serde::{Deserialize, Serialize};

use crate::icon::IconName;
use crate::source::{FileSource, URLSource};

/// Kind of workflow (Python: `Literal["custom", "reasoning"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "lowercase")]
pub enum WorkflowType {
    /// `"custom"`.
    Custom,
    /// `"reasoning"`.
    Reasoning,
}

/// A group of tasks shown together, with an optional summary (Python: `Workflow`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct Workflow {
    /// Kind of workflow.
    pub r#type: WorkflowType,
    /// The tasks, in order.
    pub tasks: Vec<Task>,
    /// Summary shown when collapsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<WorkflowSummary>,
    /// Whether the workflow is shown expanded; default `false`.
    #[serde(default)]
    pub expanded: bool,
}

/// A workflow summary (Python: `WorkflowSummary = CustomSummary | DurationSummary`, an untagged
/// union told apart by its keys; a value with `title` is a custom summary, as in Python).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(untagged)]
pub enum WorkflowSummary {
    /// A title and an optional icon.
    Custom(CustomSummary),
    /// The total duration.
    Duration(DurationSummary),
}

/// A custom workflow summary (Python: `CustomSummary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct CustomSummary {
    /// Summary title.
    pub title: String,
    /// Optional icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<IconName>,
}

/// A summary giving the workflow's duration (Python: `DurationSummary`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct DurationSummary {
    /// Duration of the workflow in seconds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub duration: i64,
}

/// Status shown next to a task inside a workflow (Python: `Literal["none", "loading",
/// "complete"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "lowercase")]
pub enum TaskStatusIndicator {
    /// `"none"` (the default).
    #[default]
    None,
    /// `"loading"`.
    Loading,
    /// `"complete"`.
    Complete,
}

/// A workflow task (Python: `Task`, discriminated on `type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(tag = "type")]
pub enum Task {
    /// `"custom"`: custom content.
    #[serde(rename = "custom")]
    Custom(CustomTask),
    /// `"web_search"`: a web search.
    #[serde(rename = "web_search")]
    WebSearch(SearchTask),
    /// `"thought"`: a piece of reasoning.
    #[serde(rename = "thought")]
    Thought(ThoughtTask),
    /// `"file"`: file sources.
    #[serde(rename = "file")]
    File(FileTask),
    /// `"image"`: an image.
    #[serde(rename = "image")]
    Image(ImageTask),
}

/// A task showing custom content (Python: `CustomTask`, `type: "custom"`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct CustomTask {
    /// Status inside a workflow; default `"none"`.
    #[serde(default)]
    pub status_indicator: TaskStatusIndicator,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<IconName>,
    /// Content (markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// A web search task (Python: `SearchTask`, `type: "web_search"`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct SearchTask {
    /// Status inside a workflow; default `"none"`.
    #[serde(default)]
    pub status_indicator: TaskStatusIndicator,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The query shown as the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_query: Option<String>,
    /// Queries run; default `[]`.
    #[serde(default)]
    pub queries: Vec<String>,
    /// Pages found; default `[]`.
    #[serde(default)]
    pub sources: Vec<URLSource>,
}

/// A reasoning task (Python: `ThoughtTask`, `type: "thought"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ThoughtTask {
    /// Status inside a workflow; default `"none"`.
    #[serde(default)]
    pub status_indicator: TaskStatusIndicator,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The reasoning text (required).
    pub content: String,
}

/// A task listing file sources (Python: `FileTask`, `type: "file"`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct FileTask {
    /// Status inside a workflow; default `"none"`.
    #[serde(default)]
    pub status_indicator: TaskStatusIndicator,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Files; default `[]`.
    #[serde(default)]
    pub sources: Vec<FileSource>,
}

/// A task rendering an image (Python: `ImageTask`, `type: "image"`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ImageTask {
    /// Status inside a workflow; default `"none"`.
    #[serde(default)]
    pub status_indicator: TaskStatusIndicator,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}
