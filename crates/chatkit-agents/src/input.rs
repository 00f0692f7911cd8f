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
    let mut content = vec![InputPart::Text(message_text(message))];
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

/// A user message's text as the model reads it: its text parts, tags as `@label`.
pub(crate) fn message_text(message: &UserMessageItem) -> String {
    message
        .content
        .iter()
        .map(|part| match part {
            UserMessageContent::InputText(t) => t.text.clone(),
            UserMessageContent::InputTag(tag) => format!("@{}", tag.text),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use chatkit_types::{
        AssistantMessageContent, AssistantMessageItem, ClientToolCallItem, FileAttachment,
        HiddenContextItem, ImageAttachment, InferenceOptions, StructuredInputAnswer,
        StructuredInputFreeform, StructuredInputItem, Timestamp, UserMessageTextContent,
        WidgetItem, WidgetRoot,
    };
    use serde_json::json;

    struct Bytes3;

    #[async_trait]
    impl AttachmentSource for Bytes3 {
        async fn read(&self, attachment: &Attachment, _ctx: &StoreContext) -> Option<Bytes> {
            match attachment {
                Attachment::Image(_) => Some(Bytes::from_static(b"PNG")),
                Attachment::File(f) if f.id == "gone" => None,
                Attachment::File(f) if f.mime_type == "text/plain" => {
                    Some(Bytes::from_static(b"line one"))
                }
                Attachment::File(_) => Some(Bytes::from_static(b"%PDF")),
            }
        }
    }

    fn ctx() -> StoreContext {
        StoreContext {
            identity: "u".into(),
            agent: "a".into(),
        }
    }

    fn user(text: &str, attachments: Vec<Attachment>, quoted: Option<&str>) -> ThreadItem {
        ThreadItem::UserMessage(UserMessageItem {
            id: format!("msg_{text}"),
            thread_id: "thr".into(),
            created_at: Timestamp::now(),
            content: vec![UserMessageContent::InputText(UserMessageTextContent {
                text: text.into(),
            })],
            attachments,
            quoted_text: quoted.map(str::to_owned),
            inference_options: InferenceOptions::default(),
        })
    }

    fn file(id: &str, name: &str, mime: &str) -> Attachment {
        Attachment::File(FileAttachment {
            id: id.into(),
            name: name.into(),
            mime_type: mime.into(),
            upload_descriptor: None,
            thread_id: Some("thr".into()),
            metadata: None,
        })
    }

    fn text_of(item: &InputItem) -> String {
        match item {
            InputItem::Message { content, .. } => content
                .iter()
                .filter_map(|p| match p {
                    InputPart::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect(),
            InputItem::AssistantText { text } => text.clone(),
            other => format!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn attachments_become_images_inline_text_files_or_a_note() {
        let image = Attachment::Image(ImageAttachment {
            id: "img".into(),
            name: "cat.png".into(),
            mime_type: "image/png".into(),
            upload_descriptor: None,
            thread_id: Some("thr".into()),
            metadata: None,
            preview_url: "https://x/preview".into(),
        });
        let items = [user(
            "look",
            vec![
                image,
                file("txt", "notes.txt", "text/plain"),
                file("pdf", "spec.pdf", "application/pdf"),
                file("gone", "old.pdf", "application/pdf"),
            ],
            None,
        )];
        let input = to_model_input(&items, Some(&Bytes3), &ctx()).await;
        let InputItem::Message { role, content } = &input[0] else {
            panic!("a message")
        };
        assert_eq!(*role, Role::User);
        assert_eq!(content[0], InputPart::Text("look".into()));
        assert_eq!(
            content[1],
            InputPart::Image {
                url: "data:image/png;base64,UE5H".into(),
                detail: "auto".into()
            }
        );
        assert_eq!(
            content[2],
            InputPart::Text("<File name=\"notes.txt\">\nline one\n</File>".into())
        );
        assert_eq!(
            content[3],
            InputPart::File {
                filename: "spec.pdf".into(),
                data_url: "data:application/pdf;base64,JVBERg==".into()
            }
        );
        assert_eq!(
            content[4],
            InputPart::Text("(The attachment old.pdf is no longer available.)".into())
        );
    }

    #[tokio::test]
    async fn every_kind_of_item_reaches_the_model_as_the_reference_describes() {
        let widget = WidgetRoot::from_value(json!({"type": "Card", "children": []})).unwrap();
        let items = vec![
            user("first", vec![], Some("ignored: not the last message")),
            ThreadItem::AssistantMessage(AssistantMessageItem {
                id: "msg_a".into(),
                thread_id: "thr".into(),
                created_at: Timestamp::now(),
                content: vec![AssistantMessageContent::text("answer")],
            }),
            ThreadItem::ClientToolCall(ClientToolCallItem {
                id: "tc_done".into(),
                thread_id: "thr".into(),
                created_at: Timestamp::now(),
                status: ClientToolCallStatus::Completed,
                call_id: "call_1".into(),
                name: "get_page_info".into(),
                arguments: json!({"x": 1}).as_object().unwrap().clone(),
                output: Some(json!({"title": "Orders"})),
            }),
            ThreadItem::ClientToolCall(ClientToolCallItem {
                id: "tc_pending".into(),
                thread_id: "thr".into(),
                created_at: Timestamp::now(),
                status: ClientToolCallStatus::Pending,
                call_id: "call_2".into(),
                name: "get_page_info".into(),
                arguments: serde_json::Map::new(),
                output: None,
            }),
            ThreadItem::Widget(WidgetItem {
                id: "msg_w".into(),
                thread_id: "thr".into(),
                created_at: Timestamp::now(),
                widget,
                copy_text: None,
            }),
            ThreadItem::HiddenContext(HiddenContextItem {
                id: "hc".into(),
                thread_id: "thr".into(),
                created_at: Timestamp::now(),
                content: json!("the user is on the pro plan"),
            }),
            ThreadItem::StructuredInput(StructuredInputItem {
                id: "si".into(),
                thread_id: "thr".into(),
                created_at: Timestamp::now(),
                status: StructuredInputItemStatus::Answered,
                inputs: vec![StructuredInput::Freeform(StructuredInputFreeform {
                    id: "why".into(),
                    question: "Why?".into(),
                    answer: Some(StructuredInputAnswer {
                        values: vec!["Because".into()],
                        skipped: false,
                    }),
                    description: None,
                })],
            }),
            user("second", vec![], Some("the quoted part")),
        ];
        let input = to_model_input(&items, None, &ctx()).await;
        let texts: Vec<String> = input.iter().map(text_of).collect();
        assert_eq!(texts[0], "first", "quotes only count on the last message");
        assert_eq!(texts[1], "answer");
        assert_eq!(
            input[2],
            InputItem::FunctionCall {
                call_id: "call_1".into(),
                name: "get_page_info".into(),
                arguments: r#"{"x":1}"#.into()
            }
        );
        assert_eq!(
            input[3],
            InputItem::FunctionCallOutput {
                call_id: "call_1".into(),
                output: r#"{"title":"Orders"}"#.into()
            }
        );
        assert!(texts[4].starts_with("The following graphical UI widget (id: msg_w)"));
        assert_eq!(
            texts[5],
            "<HiddenContext>\nthe user is on the pro plan\n</HiddenContext>"
        );
        assert!(texts[6].contains("status: answered") && texts[6].contains("Q: Why?\nA: Because"));
        assert_eq!(
            texts[7],
            "The user is referring to this in particular:\nthe quoted part"
        );
        assert_eq!(texts[8], "second");
        assert_eq!(input.len(), 9, "the pending tool call is left out");
    }
}
