//! The showcase tool: on request, the agent emits each kind of thing a ChatKit UI must render,
//! so UIs can be tested and people can see what the server does. The simulator turns a user
//! message `[[show:KIND]]` into a call `show({"kind": KIND})`; a real model calls it when asked
//! to "show a widget" and so on.
//!
//! | kind | what the user sees |
//! |---|---|
//! | `widget` | a card with a button (`showcase.press`), handled here: the card is replaced with a count and a message is streamed |
//! | `form` | a card form with a text input (`showcase.submit`), handled here: replaced with a thank-you card |
//! | `notice` | an info notice |
//! | `progress` | three progress updates |
//! | `workflow` | a workflow with three tasks that complete one by one |
//! | `client_tool` | a pending call of the agent's client tool; the run resumes when the page answers |
//! | `error` | an `error` event with a retry button, ending the reply |
//! | `structured_input` | a multiple-choice and a free-form question; the run resumes when answered |
//! | `image` | a generated image |

use std::time::Duration;

use chatkit_server::ResponderError;
use chatkit_store::IdKind;
use chatkit_types::{
    Action, ActionConfig, ClientToolCallItem, ClientToolCallStatus, CustomStreamError,
    GeneratedImage, GeneratedImageItem, NoticeEvent, NoticeLevel, ProgressUpdateEvent,
    StructuredInput, StructuredInputFreeform, StructuredInputItem, StructuredInputItemStatus,
    StructuredInputMultipleChoice, StructuredInputMultipleChoiceOption, ThreadItem, Timestamp,
    WidgetItem, WidgetRoot,
};
use serde_json::{Value, json};

use crate::model::{FunctionTool, ToolCall};
use crate::turn::{TaskState, Turn, tool_task};

/// Every kind the showcase knows.
pub const KINDS: [&str; 9] = [
    "widget",
    "form",
    "notice",
    "progress",
    "workflow",
    "client_tool",
    "error",
    "structured_input",
    "image",
];

/// The action a showcase widget's button sends.
pub const PRESS_ACTION: &str = "showcase.press";
/// The action a showcase form sends.
pub const SUBMIT_ACTION: &str = "showcase.submit";

/// Pause between showcase steps, so progress and tasks are seen moving.
const STEP: Duration = Duration::from_millis(150);

/// A small generated-looking image (a 16×16 gradient PNG).
const IMAGE_PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAABxElEQVR42g3LobHFIBRAwV/OK4ACUgAFUMCVEYjIKxEIJBIRgURGRCCREZkzSIr5Wb9/P8EIm2AFJ4jgBRWikIVTaMItDOEVlvD32zE7247dcTuy43d0J+7knXOn7dw7Y+fdWfsXDszBdmAP3IEc+AM9iAf54DxoB/fBOHgP1vEFxSibYhWniOIVVaKSlVNpyq0M5VWWfiFgAlvABlxAAj6ggRjIgTPQAndgBN7ACl9ImMSWsAmXkIRPaCImcuJMtMSdGIk3sdIXMiazZWzGZSTjM5qJmZw5My1zZ0bmzaz8hYIpbAVbcAUp+IIWYiEXzkIr3IVReAurfKFiKlvFVlxFKr6ilVjJlbPSKndlVN7Kql9omMbWsA3XkIZvaCM2cuNstMbdGI23sdoXLszFdmEv3IVc+Au9iBf54rxoF/fFuHgv1vWFjulsHdtxHen4jnZiJ3fOTuvcndF5O6t/YWAG28AO3EAGfqCDOMiDc9AG92AM3sEaX3gwD9uDfXAP8uAf9CE+5IfzoT3cD+PhfVjPFyZmsk3sxE1k4ic6iZM8OSdtck/G5J2s+YWFWWwLu3ALWfiFLuIiL85FW9yLsXgXa/EP9sf0EA4cFsoAAAAASUVORK5CYII=";

/// The tool as the model sees it.
pub fn function(name: &str) -> FunctionTool {
    FunctionTool {
        name: name.to_owned(),
        description: Some(
            "Shows the user one kind of interface element, to demonstrate what this chat can \
             display. Call it when the user asks to see a widget, a form, a notice, progress, \
             a workflow, a client tool call, an error, questions, or an image."
                .into(),
        ),
        parameters: json!({
            "type": "object",
            "properties": {"kind": {"type": "string", "enum": KINDS}},
            "required": ["kind"],
            "additionalProperties": false
        }),
        strict: false,
    }
}

/// What a showcase call leaves for the run.
pub(crate) enum Shown {
    /// Go on: this output goes back to the model.
    Output(String),
    /// The run ends here (waiting for the page or the user).
    Stop,
}

/// Shows what `call` asks for.
pub(crate) async fn show(
    turn: &mut Turn,
    call: &ToolCall,
    client_tool: &str,
) -> Result<Shown, ResponderError> {
    let kind = serde_json::from_str::<Value>(&call.arguments)
        .ok()
        .and_then(|v| v.get("kind").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    let thread_id = turn.thread_id.clone();
    match kind.as_str() {
        "widget" => {
            let item = WidgetItem {
                id: turn.new_id(IdKind::Message),
                thread_id,
                created_at: Timestamp::now(),
                widget: counter_card(0),
                copy_text: None,
            };
            turn.item_done(ThreadItem::Widget(item)).await;
        }
        "form" => {
            let item = WidgetItem {
                id: turn.new_id(IdKind::Message),
                thread_id,
                created_at: Timestamp::now(),
                widget: form_card(),
                copy_text: None,
            };
            turn.item_done(ThreadItem::Widget(item)).await;
        }
        "notice" => {
            turn.emit
                .send(NoticeEvent {
                    level: NoticeLevel::Info,
                    message: "This is a notice: a short message outside the conversation.".into(),
                    title: Some("Showcase".into()),
                })
                .await;
        }
        "progress" => {
            for text in ["Gathering data…", "Crunching numbers…", "Almost there…"] {
                turn.emit
                    .send(ProgressUpdateEvent {
                        icon: None,
                        text: text.into(),
                    })
                    .await;
                tokio::time::sleep(STEP).await;
            }
        }
        "workflow" => {
            for label in ["Read the request", "Look things up", "Draft the answer"] {
                let index = turn.add_task(tool_task(label, TaskState::Running)).await;
                tokio::time::sleep(STEP).await;
                turn.update_task(index, tool_task(label, TaskState::Done))
                    .await;
            }
            turn.close_workflow().await;
        }
        "client_tool" => {
            let item = ClientToolCallItem {
                id: turn.new_id(IdKind::ToolCall),
                thread_id,
                created_at: Timestamp::now(),
                status: ClientToolCallStatus::Pending,
                call_id: call.call_id.clone(),
                name: client_tool.to_owned(),
                arguments: serde_json::Map::new(),
                output: None,
            };
            turn.item_done(ThreadItem::ClientToolCall(item)).await;
            return Ok(Shown::Stop);
        }
        "error" => {
            turn.close_workflow().await;
            return Err(CustomStreamError {
                message: "This is what an error looks like. Press retry to try again.".into(),
                allow_retry: true,
            }
            .into());
        }
        "structured_input" => {
            let item = StructuredInputItem {
                id: turn.new_id(IdKind::Message),
                thread_id,
                created_at: Timestamp::now(),
                status: StructuredInputItemStatus::Pending,
                inputs: vec![
                    StructuredInput::MultipleChoice(StructuredInputMultipleChoice {
                        id: "color".into(),
                        question: "Which color do you like best?".into(),
                        answer: None,
                        options: ["Red", "Green", "Blue"]
                            .iter()
                            .map(|label| StructuredInputMultipleChoiceOption {
                                value: (*label).into(),
                            })
                            .collect(),
                        multiple: false,
                    }),
                    StructuredInput::Freeform(StructuredInputFreeform {
                        id: "why".into(),
                        question: "Why that one?".into(),
                        answer: None,
                        description: Some("A few words are enough.".into()),
                    }),
                ],
            };
            turn.item_done(ThreadItem::StructuredInput(item)).await;
            return Ok(Shown::Stop);
        }
        "image" => {
            let id = turn.new_id(IdKind::Message);
            let item = GeneratedImageItem {
                image: Some(GeneratedImage {
                    id: id.clone(),
                    url: format!("data:image/png;base64,{IMAGE_PNG_BASE64}"),
                }),
                id,
                thread_id,
                created_at: Timestamp::now(),
            };
            turn.item_done(ThreadItem::GeneratedImage(item)).await;
        }
        other => {
            return Ok(Shown::Output(
                json!({"error": format!("unknown kind `{other}`"), "kinds": KINDS}).to_string(),
            ));
        }
    }
    Ok(Shown::Output(json!({"shown": kind}).to_string()))
}

/// Handles a showcase widget's action: the replacement widget and the message to stream.
pub(crate) fn handle_action(action: &Action) -> Option<(WidgetRoot, String)> {
    match action.r#type.as_str() {
        PRESS_ACTION => {
            let count = action
                .payload
                .as_ref()
                .and_then(|p| p.get("count"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
                + 1;
            let times = if count == 1 { "once" } else { "several times" };
            Some((
                counter_card(count),
                format!("You pressed the button {times} ({count} in all)."),
            ))
        }
        SUBMIT_ACTION => {
            let name = action
                .payload
                .as_ref()
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                .filter(|n| !n.trim().is_empty())
                .unwrap_or("friend")
                .to_owned();
            Some((
                card(json!([
                    {"type": "Title", "value": "Thank you"},
                    {"type": "Text", "value": format!("The form was sent by {name}.")}
                ])),
                format!("Thanks, {name}: the form reached the server."),
            ))
        }
        _ => None,
    }
}

fn card(children: Value) -> WidgetRoot {
    WidgetRoot::from_value(json!({"type": "Card", "children": children}))
        .expect("the showcase widgets are valid")
}

fn counter_card(count: u64) -> WidgetRoot {
    card(json!([
        {"type": "Title", "value": "A widget"},
        {"type": "Text", "value": format!("The button was pressed {count} times.")},
        {"type": "Row", "children": [{
            "type": "Button",
            "label": "Press me",
            "onClickAction": ActionConfig::new(PRESS_ACTION).payload(json!({"count": count}))
        }]}
    ]))
}

fn form_card() -> WidgetRoot {
    WidgetRoot::from_value(json!({
        "type": "Card",
        "asForm": true,
        "children": [
            {"type": "Title", "value": "A form"},
            {"type": "Input", "name": "name", "placeholder": "Your name"}
        ],
        "confirm": {"label": "Send", "action": ActionConfig::new(SUBMIT_ACTION).payload(json!({}))}
    }))
    .expect("the showcase form is valid")
}
