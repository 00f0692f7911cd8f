//! Structured input: questions the assistant asks through a `structured_input` item, and the
//! answers the client submits with `threads.add_structured_input` (Python: the `StructuredInput*`
//! classes of `chatkit/types.py`, split there between the request and thread-item sections).
//!
//! Python's `StructuredInputBase` fields (`id`, `question`, `answer`) are repeated in each variant.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An answer recorded on a structured input (Python: `StructuredInputAnswer`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct StructuredInputAnswer {
    /// Text values recorded; default `[]`.
    #[serde(default)]
    pub values: Vec<String>,
    /// Whether the question was skipped; default `false`.
    #[serde(default)]
    pub skipped: bool,
}

/// One question of a structured input item (Python: `StructuredInput`, discriminated on `type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(tag = "type")]
pub enum StructuredInput {
    /// `"multiple_choice"`: pick one or more options (or write a custom answer).
    #[serde(rename = "multiple_choice")]
    MultipleChoice(StructuredInputMultipleChoice),
    /// `"freeform"`: free text.
    #[serde(rename = "freeform")]
    Freeform(StructuredInputFreeform),
}

/// A multiple-choice question (Python: `StructuredInputMultipleChoice`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct StructuredInputMultipleChoice {
    /// Stable id of this question (the key of its answer in a submission).
    pub id: String,
    /// Question shown to the user.
    pub question: String,
    /// The recorded answer, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<StructuredInputAnswer>,
    /// Suggested choices, shown before the custom-answer affordance.
    pub options: Vec<StructuredInputMultipleChoiceOption>,
    /// Whether more than one value may be submitted; default `false`.
    #[serde(default)]
    pub multiple: bool,
}

/// A free-text question (Python: `StructuredInputFreeform`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct StructuredInputFreeform {
    /// Stable id of this question (the key of its answer in a submission).
    pub id: String,
    /// Question shown to the user.
    pub question: String,
    /// The recorded answer, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<StructuredInputAnswer>,
    /// Supporting text shown with the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl StructuredInput {
    /// The question's id.
    pub fn id(&self) -> &str {
        match self {
            Self::MultipleChoice(i) => &i.id,
            Self::Freeform(i) => &i.id,
        }
    }

    /// The recorded answer, if any.
    pub fn answer(&self) -> Option<&StructuredInputAnswer> {
        match self {
            Self::MultipleChoice(i) => i.answer.as_ref(),
            Self::Freeform(i) => i.answer.as_ref(),
        }
    }

    /// Records (or clears) the answer.
    pub fn set_answer(&mut self, answer: Option<StructuredInputAnswer>) {
        match self {
            Self::MultipleChoice(i) => i.answer = answer,
            Self::Freeform(i) => i.answer = answer,
        }
    }
}

/// One option of a multiple-choice question (Python: `StructuredInputMultipleChoiceOption`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct StructuredInputMultipleChoiceOption {
    /// Text value submitted when the option is chosen.
    pub value: String,
}

/// Status of a whole submission (Python: `Literal["answered", "skipped"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(rename_all = "lowercase")]
pub enum StructuredInputSubmissionStatus {
    /// `"answered"` (the default).
    #[default]
    Answered,
    /// `"skipped"`.
    Skipped,
}

/// The client's answers to a pending structured input item (Python:
/// `StructuredInputSubmission`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct StructuredInputSubmission {
    /// Overall status; default `"answered"`.
    #[serde(default)]
    pub status: StructuredInputSubmissionStatus,
    /// Answers keyed by question id; default `{}`.
    #[serde(default)]
    pub answers: BTreeMap<String, StructuredInputAnswerSubmission>,
}

/// The client's answer to one question (Python: `StructuredInputAnswerSubmission`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct StructuredInputAnswerSubmission {
    /// Text values submitted; default `[]`.
    #[serde(default)]
    pub values: Vec<String>,
    /// Whether the question was skipped; default `false`.
    #[serde(default)]
    pub skipped: bool,
}
