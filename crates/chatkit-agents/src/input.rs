//! Thread history → model input, as the reference's `ThreadItemConverter.to_agent_input` does
//! (chatkit-protocol.md §10): user messages with their attachments, assistant text, completed
//! client tool calls as call + output, widgets and tasks described as user text, structured
//! input as questions and answers, hidden context wrapped in `<HiddenContext>`.

use async_trait::async_trait;
use base64::Engine as _;
use bytes::Bytes;
use chatkit_store::StoreContext;
use chatkit_types::{
    Attachment, ClientToolCallStatus, StructuredInput, StructuredInputItemStatus, Task, ThreadItem,
    UserMessageContent, UserMessageItem, WorkflowType,
};
use serde_json::Value;

use crate::model::{InputItem, InputPart, Role};

/// Reads attachment bytes for model input (the binary's attachment store implements it).
#[async_trait]
pub trait AttachmentSource: Send + Sync {
    /// The bytes of `attachment`, which came from the store under `ctx`; `None` when they are
    /// gone.
    async fn read(&self, attachment: &Attachment, ctx: &StoreContext) -> Option<Bytes>;
}

/// The largest text file inlined as text (bigger ones are sent as files).
const MAX_INLINE_TEXT: usize = 64 * 1024;

/// Converts `items` (oldest first, hidden ones included) to model input.
pub async fn to_model_input(
    items: &[ThreadItem],
    attachments: Option<&dyn AttachmentSource>,
    ctx: &StoreContext,
) -> Vec<InputItem> {
    let last_user = items
        .iter()
        .rposition(|i| matches!(i, ThreadItem::UserMessage(_)));
    let mut out = Vec::new();
    for (position, item) in items.iter().enumerate() {
        match item {
            ThreadItem::UserMessage(message) => {
                if Some(position) == last_user
                    && let Some(quoted) = message.quoted_text.as_deref().filter(|q| !q.is_empty())
                {
                    out.push(user_text(format!(
                        "The user is referring to this in particular:\n{quoted}"
                    )));
                }
                out.push(user_message(message, attachments, ctx).await);
            }
            ThreadItem::AssistantMessage(message) => {
                let text: String = message.content.iter().map(|c| c.text.as_str()).collect();
                if !text.is_empty() {
                    out.push(InputItem::AssistantText { text });
                }
            }
            ThreadItem::ClientToolCall(call) if call.status == ClientToolCallStatus::Completed => {
                out.push(InputItem::FunctionCall {
                    call_id: call.call_id.clone(),
                    name: call.name.clone(),
                    arguments: Value::Object(call.arguments.clone()).to_string(),
                });
                out.push(InputItem::FunctionCallOutput {
                    call_id: call.call_id.clone(),
                    output: call.output.clone().unwrap_or(Value::Null).to_string(),
                });
            }
            ThreadItem::ClientToolCall(_) => {}
            ThreadItem::Widget(widget) => out.push(user_text(format!(
                "The following graphical UI widget (id: {}) was displayed to the user:\n{}",
                widget.id,
                serde_json::to_string(&widget.widget).unwrap_or_default()
            ))),
            ThreadItem::Workflow(workflow) if workflow.workflow.r#type == WorkflowType::Custom => {
                let tasks: Vec<String> = workflow
                    .workflow
                    .tasks
                    .iter()
                    .filter_map(describe_task)
                    .collect();
                if !tasks.is_empty() {
                    out.push(user_text(format!(
                        "The assistant performed these tasks:\n{}",
                        tasks.join("\n")
                    )));
                }
            }
            ThreadItem::Workflow(_) => {}
            ThreadItem::Task(task) => {
                if let Some(line) = describe_task(&task.task) {
                    out.push(user_text(format!(
                        "The assistant performed a task:\n{line}"
                    )));
                }
            }
            ThreadItem::StructuredInput(input) => {
                out.push(user_text(describe_structured(input.status, &input.inputs)))
            }
            ThreadItem::HiddenContext(hidden) => {
                let content = match &hidden.content {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                out.push(user_text(format!(
                    "<HiddenContext>\n{content}\n</HiddenContext>"
                )));
            }
            ThreadItem::SDKHiddenContext(hidden) => out.push(user_text(format!(
                "<HiddenContext>\n{}\n</HiddenContext>",
                hidden.content
            ))),
            ThreadItem::GeneratedImage(image) => {
                if let Some(image) = &image.image
                    && (image.url.starts_with("data:") || image.url.starts_with("https://"))
                {
                    out.push(InputItem::Message {
                        role: Role::User,
                        content: vec![
                            InputPart::Text("The assistant generated this image:".into()),
                            InputPart::Image {
                                url: image.url.clone(),
                                detail: "auto".into(),
                            },
                        ],
                    });
                }
            }
            ThreadItem::EndOfTurn(_) => {}
        }
    }
    out
}

fn user_text(text: String) -> InputItem {
    InputItem::Message {
        role: Role::User,
        content: vec![InputPart::Text(text)],
    }
}

async fn user_message(
    message: &UserMessageItem,
    attachments: Option<&dyn AttachmentSource>,
    ctx: &StoreContext,
) -> InputItem {
    let text: String = message
        .content
        .iter()
        .map(|part| match part {
            UserMessageContent::InputText(t) => t.text.clone(),
            UserMessageContent::InputTag(tag) => format!("@{}", tag.text),
        })
        .collect::<Vec<_>>()
        .join("");
    let mut content = vec![InputPart::Text(text)];
    for attachment in &message.attachments {
        let bytes = match attachments {
            Some(source) => source.read(attachment, ctx).await,
            None => None,
        };
        content.push(attachment_part(attachment, bytes));
    }
    InputItem::Message {
        role: Role::User,
        content,
    }
}

/// An attachment as model input: an image as an image, a small text file as text, any other
/// file as a file; a note instead when its bytes are gone.
fn attachment_part(attachment: &Attachment, bytes: Option<Bytes>) -> InputPart {
    let (name, mime) = match attachment {
        Attachment::Image(a) => (&a.name, &a.mime_type),
        Attachment::File(a) => (&a.name, &a.mime_type),
    };
    let Some(bytes) = bytes else {
        return InputPart::Text(format!("(The attachment {name} is no longer available.)"));
    };
    let data_url = || {
        format!(
            "data:{mime};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        )
    };
    match attachment {
        Attachment::Image(_) => InputPart::Image {
            url: data_url(),
            detail: "auto".into(),
        },
        Attachment::File(_) if is_text(mime) && bytes.len() <= MAX_INLINE_TEXT => {
            match std::str::from_utf8(&bytes) {
                Ok(text) => InputPart::Text(format!("<File name=\"{name}\">\n{text}\n</File>")),
                Err(_) => InputPart::File {
                    filename: name.clone(),
                    data_url: data_url(),
                },
            }
        }
        Attachment::File(_) => InputPart::File {
            filename: name.clone(),
            data_url: data_url(),
        },
    }
}

fn is_text(mime: &str) -> bool {
    mime.starts_with("text/")
        || matches!(
            mime,
            "application/json" | "application/xml" | "application/x-yaml" | "application/yaml"
        )
}

fn describe_task(task: &Task) -> Option<String> {
    match task {
        Task::Custom(t) => {
            let title = t.title.as_deref().unwrap_or("A task");
            Some(match &t.content {
                Some(content) if !content.is_empty() => format!("- {title}: {content}"),
                _ => format!("- {title}"),
            })
        }
        _ => None,
    }
}

fn describe_structured(status: StructuredInputItemStatus, inputs: &[StructuredInput]) -> String {
    let mut text = format!(
        "The assistant asked the user these questions (status: {}):",
        match status {
            StructuredInputItemStatus::Pending => "pending",
            StructuredInputItemStatus::Answered => "answered",
            StructuredInputItemStatus::Skipped => "skipped",
        }
    );
    for input in inputs {
        let (question, answer) = match input {
            StructuredInput::MultipleChoice(q) => (&q.question, &q.answer),
            StructuredInput::Freeform(q) => (&q.question, &q.answer),
        };
        let answer = match answer {
            Some(a) if a.skipped => "(skipped)".to_owned(),
            Some(a) => a.values.join(", "),
            None => "(no answer)".to_owned(),
        };
        text.push_str(&format!("\nQ: {question}\nA: {answer}"));
    }
    text
}
