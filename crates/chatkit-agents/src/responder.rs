//! [`AgentResponder`]: one configured agent as the protocol engine's
//! [`Responder`](chatkit_server::Responder).
//!
//! A reply is a loop of model calls: stream the call (text, reasoning, citations, images), run
//! the tools it asked for (HTTP tools here, client tools by pausing for the page, the showcase),
//! give the results back, call again, at most [`MAX_TOOL_ROUNDS`] times. After the first
//! exchange of a thread, a title is written. Failures follow chatkit-rs's rules: an upstream
//! error before output is an `error` frame (with retry when retrying can help); a stream that
//! breaks keeps its partial text; a failing tool is reported to the model and shown as a failed
//! task, and the reply goes on.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chatkit_server::{EventStream, RequestContext, Responder, ResponderError, ThreadHandle};
use chatkit_store::IdKind;
use chatkit_types::{
    Action, AudioInput, ClientToolCallItem, ClientToolCallStatus, CustomStreamError,
    HiddenContextItem, ProgressUpdateEvent, SyncCustomActionResponse, ThreadItem,
    ThreadItemReplacedEvent, Timestamp, TranscriptionResult, UserMessageItem, WidgetItem,
    WidgetRoot,
};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::catalog::{Agent, Endpoint, Tool, resolve_state};
use crate::definition::ToolDisplay;
use crate::endpoint::{self, action_reply, tool_reply};
use crate::input::{AttachmentSource, message_text, to_model_input};
use crate::model::{
    AudioClip, InputItem, InputPart, ModelClient, ModelError, ModelErrorKind, ModelEvent,
    ModelRequest, ModelSettings, Role, ToolCall, ToolChoice,
};
use crate::showcase::{self, Shown};
use crate::template;
use crate::turn::{Emitter, TaskState, Turn, run_stream, tool_task};

/// The most model calls one reply makes (each tool round is one more call).
pub const MAX_TOOL_ROUNDS: usize = 8;

/// How long a title may take before the thread stays untitled.
const TITLE_TIMEOUT: Duration = Duration::from_secs(20);

/// The longest title kept, in characters.
const MAX_TITLE_CHARS: usize = 60;

/// The instructions of a title call. The simulator recognises "conversation title".
const TITLE_INSTRUCTIONS: &str = "Write a short conversation title (at most six words) for the \
    chat below. Answer with the title only, without quotes or final punctuation.";

/// One agent, served to the widget.
#[derive(Clone)]
pub struct AgentResponder {
    inner: Arc<Inner>,
}

struct Inner {
    agent: Arc<Agent>,
    /// `None` when the agent's provider has no key: every reply explains that.
    client: Option<Arc<dyn ModelClient>>,
    http: reqwest::Client,
    attachments: Option<Arc<dyn AttachmentSource>>,
}

impl std::fmt::Debug for AgentResponder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentResponder")
            .field("agent", &self.inner.agent.id)
            .finish_non_exhaustive()
    }
}

impl AgentResponder {
    /// `agent`, calling its model through `client` (`None`: the provider has no key, and each
    /// reply says so), its HTTP tools and action handlers through `http`, and reading
    /// attachments through `attachments`.
    pub fn new(
        agent: Arc<Agent>,
        client: Option<Arc<dyn ModelClient>>,
        http: reqwest::Client,
        attachments: Option<Arc<dyn AttachmentSource>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                agent,
                client,
                http,
                attachments,
            }),
        }
    }

    /// The agent served.
    pub fn agent(&self) -> &Arc<Agent> {
        &self.inner.agent
    }
}

#[async_trait]
impl Responder for AgentResponder {
    fn respond(
        &self,
        thread: ThreadHandle,
        input: Option<UserMessageItem>,
        ctx: &RequestContext,
    ) -> EventStream {
        let inner = self.inner.clone();
        let ctx = ctx.clone();
        run_stream(move |emit: Emitter| async move {
            let mut turn = Turn::new(thread, emit);
            let new_message = input.is_some();
            let result = inner.reply(&mut turn, &ctx, new_message, None).await;
            turn.close_workflow().await;
            result
        })
    }

    fn action(
        &self,
        thread: ThreadHandle,
        action: Action,
        sender: Option<WidgetItem>,
        ctx: &RequestContext,
    ) -> EventStream {
        let inner = self.inner.clone();
        let ctx = ctx.clone();
        run_stream(move |emit: Emitter| async move {
            let mut turn = Turn::new(thread, emit);
            let result = inner.action(&mut turn, action, sender, &ctx).await;
            turn.close_workflow().await;
            result
        })
    }

    async fn sync_action(
        &self,
        thread: ThreadHandle,
        action: Action,
        sender: Option<WidgetItem>,
        ctx: &RequestContext,
    ) -> Result<SyncCustomActionResponse, ResponderError> {
        let widget = match self
            .inner
            .handle_action(&thread, &action, sender.as_ref(), ctx)
            .await?
        {
            Some((widget, _message)) => widget,
            None => return Err(ResponderError::Unsupported("sync_action")),
        };
        let Some(widget) = widget else {
            return Ok(SyncCustomActionResponse { updated_item: None });
        };
        let item = replacement(&thread.id(), sender.as_ref(), widget, &thread);
        thread
            .store()
            .save_item(&thread.id(), &item, thread.store_context())
            .await
            .map_err(ResponderError::other)?;
        Ok(SyncCustomActionResponse {
            updated_item: Some(item),
        })
    }

    async fn transcribe(
        &self,
        audio: AudioInput,
        _ctx: &RequestContext,
    ) -> Result<TranscriptionResult, ResponderError> {
        let Some(model) = &self.inner.agent.transcription_model else {
            return Err(ResponderError::Unsupported("transcribe"));
        };
        let client = self.inner.client()?;
        let clip = AudioClip {
            mime_type: audio.media_type().to_owned(),
            data: audio.data.into(),
        };
        let text = client
            .transcribe(clip, model)
            .await
            .map_err(|e| model_failure(&self.inner.agent, &e))?;
        Ok(TranscriptionResult { text })
    }
}

impl Inner {
    fn client(&self) -> Result<&Arc<dyn ModelClient>, ResponderError> {
        self.client.as_ref().ok_or_else(|| {
            CustomStreamError {
                message: format!(
                    "The agent \"{}\" cannot answer: no API key is configured for its model provider \"{}\".",
                    self.agent.name, self.agent.provider
                ),
                allow_retry: false,
            }
            .into()
        })
    }

    /// The reply loop. `new_message`: the reply answers a user message just added (so it may
    /// be the thread's first exchange). `extra`: an item the engine may not have saved yet
    /// that the model must see (an action's context).
    async fn reply(
        &self,
        turn: &mut Turn,
        ctx: &RequestContext,
        new_message: bool,
        extra: Option<ThreadItem>,
    ) -> Result<(), ResponderError> {
        let agent = &self.agent;
        let client = self.client()?.clone();
        let state = resolve_state(agent, &ctx.state);
        let instructions = template::render(&agent.instructions, &state);
        let mut history = turn
            .thread
            .history(agent.history_items)
            .await
            .map_err(ResponderError::other)?;
        if let Some(extra) = extra
            && !history.iter().any(|i| i.id() == extra.id())
        {
            history.push(extra);
        }
        let last_user = history.iter().rev().find_map(|item| match item {
            ThreadItem::UserMessage(m) => Some(m),
            _ => None,
        });
        let options = last_user
            .map(|m| m.inference_options.clone())
            .unwrap_or_default();
        let model = options
            .model
            .filter(|m| agent.allows_model(m))
            .unwrap_or_else(|| agent.model.clone());
        let forced = options
            .tool_choice
            .map(|choice| choice.id)
            .filter(|id| agent.tool(id).is_some());
        let first_exchange = new_message
            && turn.thread.snapshot().title.is_none()
            && history
                .iter()
                .filter(|i| matches!(i, ThreadItem::UserMessage(_)))
                .count()
                == 1;
        let first_user_text = last_user.map(message_text).unwrap_or_default();
        let input = to_model_input(&history, self.attachments.as_deref(), &ctx.store_ctx).await;
        let request = ModelRequest {
            model,
            instructions: (!instructions.is_empty()).then_some(instructions),
            input,
            tools: agent.tools.iter().map(|t| t.function().clone()).collect(),
            tool_choice: forced.map_or(ToolChoice::Auto, ToolChoice::Function),
            settings: agent.settings.clone(),
        };
        // The title is written alongside the reply (from the user's words alone), so it shows
        // while the answer streams instead of holding the stream open after it.
        let thread = turn.thread.clone();
        let title = async {
            if first_exchange && let Some(title_model) = &agent.title_model {
                self.write_title(&client, &thread, title_model, &first_user_text)
                    .await;
            }
        };
        let (result, ()) = tokio::join!(self.rounds(turn, ctx, &client, request), title);
        result
    }

    /// The model calls of one reply: call, stream, run the tools asked for, call again with
    /// their results, until the model answers without tools (at most [`MAX_TOOL_ROUNDS`]
    /// calls). A forced tool choice applies to the first call only.
    async fn rounds(
        &self,
        turn: &mut Turn,
        ctx: &RequestContext,
        client: &Arc<dyn ModelClient>,
        mut request: ModelRequest,
    ) -> Result<(), ResponderError> {
        let agent = &self.agent;
        for round in 0..MAX_TOOL_ROUNDS {
            let stream = client
                .stream(&request)
                .await
                .map_err(|e| model_failure(agent, &e))?;
            let outcome = turn
                .stream_call(stream)
                .await
                .map_err(|e| model_failure(agent, &e))?;
            request.tool_choice = ToolChoice::Auto;
            if !outcome.text.is_empty() {
                request.input.push(InputItem::AssistantText {
                    text: outcome.text.clone(),
                });
            }
            if outcome.calls.is_empty() {
                break;
            }
            if round + 1 == MAX_TOOL_ROUNDS {
                return Err(CustomStreamError {
                    message: format!(
                        "The assistant stopped after {MAX_TOOL_ROUNDS} rounds of tool calls without an answer."
                    ),
                    allow_retry: true,
                }
                .into());
            }
            if self
                .run_tools(turn, ctx, outcome.calls, &mut request.input)
                .await?
                == Flow::Stop
            {
                break;
            }
        }
        turn.close_workflow().await;
        Ok(())
    }

    /// Runs the calls of one round, adding each call and its output to `input`.
    async fn run_tools(
        &self,
        turn: &mut Turn,
        ctx: &RequestContext,
        calls: Vec<ToolCall>,
        input: &mut Vec<InputItem>,
    ) -> Result<Flow, ResponderError> {
        for call in calls {
            let output = match self.agent.tool(&call.name) {
                Some(Tool::Client { .. }) => {
                    let arguments = match serde_json::from_str::<Value>(&call.arguments) {
                        Ok(Value::Object(map)) => map,
                        _ => serde_json::Map::new(),
                    };
                    let item = ClientToolCallItem {
                        id: turn.new_id(IdKind::ToolCall),
                        thread_id: turn.thread_id.clone(),
                        created_at: Timestamp::now(),
                        status: ClientToolCallStatus::Pending,
                        call_id: call.call_id.clone(),
                        name: call.name.clone(),
                        arguments,
                        output: None,
                    };
                    turn.item_done(ThreadItem::ClientToolCall(item)).await;
                    // The reply pauses here; `threads.add_client_tool_output` resumes it.
                    return Ok(Flow::Stop);
                }
                Some(Tool::Http {
                    function,
                    endpoint,
                    display,
                    label,
                }) => {
                    self.call_http_tool(turn, ctx, &call, &function.name, endpoint, *display, label)
                        .await
                }
                Some(Tool::Showcase { client_tool, .. }) => {
                    match showcase::show(turn, &call, client_tool).await? {
                        Shown::Output(output) => output,
                        Shown::Stop => return Ok(Flow::Stop),
                    }
                }
                None => {
                    json!({"error": format!("There is no tool named `{}`.", call.name)}).to_string()
                }
            };
            input.push(InputItem::FunctionCall {
                call_id: call.call_id.clone(),
                name: call.name.clone(),
                arguments: call.arguments.clone(),
            });
            input.push(InputItem::FunctionCallOutput {
                call_id: call.call_id,
                output,
            });
        }
        Ok(Flow::Continue)
    }

    /// Calls an HTTP tool, showing it as a task or progress, and returns the model's output.
    #[allow(clippy::too_many_arguments)]
    async fn call_http_tool(
        &self,
        turn: &mut Turn,
        ctx: &RequestContext,
        call: &ToolCall,
        name: &str,
        endpoint: &Endpoint,
        display: ToolDisplay,
        label: &str,
    ) -> String {
        let task = match display {
            ToolDisplay::Task => Some(turn.add_task(tool_task(label, TaskState::Running)).await),
            ToolDisplay::Progress => {
                turn.emit
                    .send(ProgressUpdateEvent {
                        icon: None,
                        text: format!("{label}…"),
                    })
                    .await;
                None
            }
            ToolDisplay::None => None,
        };
        let arguments = match serde_json::from_str::<Value>(&call.arguments) {
            Ok(value @ Value::Object(_)) => value,
            _ => {
                let why = "the model's arguments were not a JSON object";
                if let Some(index) = task {
                    turn.update_task(index, tool_task(label, TaskState::Failed(why)))
                        .await;
                }
                return json!({"error": format!("The tool {name} was not called: {why}.")})
                    .to_string();
            }
        };
        let headers = [
            ("x-chatkit-tool", name.to_owned()),
            ("x-chatkit-call-id", call.call_id.clone()),
            ("x-chatkit-thread-id", turn.thread_id.clone()),
            ("x-chatkit-user", ctx.identity().to_owned()),
        ];
        match endpoint::post(&self.http, endpoint, &headers, &arguments).await {
            Ok(reply) => {
                let reply = tool_reply(reply);
                if let Some(index) = task {
                    turn.update_task(index, tool_task(label, TaskState::Done))
                        .await;
                }
                if let Some(problem) = &reply.widget_problem {
                    tracing::warn!(tool = name, problem, "an HTTP tool's widget was refused");
                }
                if let Some(widget) = reply.widget {
                    let item = WidgetItem {
                        id: turn.new_id(IdKind::Message),
                        thread_id: turn.thread_id.clone(),
                        created_at: Timestamp::now(),
                        widget,
                        copy_text: None,
                    };
                    turn.item_done(ThreadItem::Widget(item)).await;
                }
                reply.output
            }
            Err(error) => {
                tracing::warn!(tool = name, %error, "an HTTP tool failed");
                let why = error.to_string();
                if let Some(index) = task {
                    turn.update_task(index, tool_task(label, TaskState::Failed(&why)))
                        .await;
                }
                json!({"error": format!("The tool {name} failed: {why}.")}).to_string()
            }
        }
    }

    /// A widget action: to its configured handler, to the showcase, or, with neither, to the
    /// model as context for a reply.
    async fn action(
        &self,
        turn: &mut Turn,
        action: Action,
        sender: Option<WidgetItem>,
        ctx: &RequestContext,
    ) -> Result<(), ResponderError> {
        let thread = turn.thread.clone();
        if let Some((widget, message)) = self
            .handle_action(&thread, &action, sender.as_ref(), ctx)
            .await?
        {
            if let Some(widget) = widget {
                let item = replacement(&turn.thread_id, sender.as_ref(), widget, &thread);
                match &sender {
                    Some(_) => turn.emit.send(ThreadItemReplacedEvent { item }).await,
                    None => turn.item_done(item).await,
                }
            }
            if let Some(message) = message {
                turn.say(&message).await;
            }
            return Ok(());
        }
        let context = HiddenContextItem {
            id: turn.new_id(IdKind::Message),
            thread_id: turn.thread_id.clone(),
            created_at: Timestamp::now(),
            content: Value::String(format!(
                "The user performed the widget action `{}` with payload {}{}.",
                action.r#type,
                action.payload.clone().unwrap_or(Value::Null),
                sender
                    .as_ref()
                    .map(|s| format!(" on the widget {}", s.id))
                    .unwrap_or_default()
            )),
        };
        let item = ThreadItem::HiddenContext(context);
        turn.item_done(item.clone()).await;
        self.reply(turn, ctx, false, Some(item)).await
    }

    /// The configured handler's or the showcase's answer to an action: (replacement widget,
    /// message). `None` when neither handles it.
    async fn handle_action(
        &self,
        thread: &ThreadHandle,
        action: &Action,
        sender: Option<&WidgetItem>,
        ctx: &RequestContext,
    ) -> Result<Option<(Option<WidgetRoot>, Option<String>)>, ResponderError> {
        if let Some(endpoint) = self.agent.actions.get(&action.r#type) {
            let body = json!({
                "action": action,
                "item_id": sender.map(|s| s.id.clone()),
                "widget": sender.map(|s| s.widget.clone()),
                "thread_id": thread.id(),
            });
            let headers = [
                ("x-chatkit-action", action.r#type.clone()),
                ("x-chatkit-thread-id", thread.id()),
                ("x-chatkit-user", ctx.identity().to_owned()),
            ];
            let failed = |why: String| -> ResponderError {
                tracing::warn!(action = %action.r#type, why, "a widget action handler failed");
                CustomStreamError {
                    message: format!("The action could not be completed: {why}."),
                    allow_retry: true,
                }
                .into()
            };
            let reply = endpoint::post(&self.http, endpoint, &headers, &body)
                .await
                .map_err(|e| failed(format!("its handler {e}")))?;
            let reply = action_reply(reply)
                .map_err(|why| failed(format!("its handler's reply is not usable ({why})")))?;
            return Ok(Some((reply.widget, reply.message)));
        }
        let has_showcase = self
            .agent
            .tools
            .iter()
            .any(|t| matches!(t, Tool::Showcase { .. }));
        if has_showcase && let Some((widget, message)) = showcase::handle_action(action) {
            return Ok(Some((Some(widget), Some(message))));
        }
        Ok(None)
    }

    /// Writes the thread's title from its first message; a failure leaves it untitled.
    async fn write_title(
        &self,
        client: &Arc<dyn ModelClient>,
        thread: &ThreadHandle,
        model: &str,
        user_text: &str,
    ) {
        let input = vec![InputItem::Message {
            role: Role::User,
            content: vec![InputPart::Text(user_text.to_owned())],
        }];
        let request = ModelRequest {
            model: model.to_owned(),
            instructions: Some(TITLE_INSTRUCTIONS.to_owned()),
            input,
            tools: Vec::new(),
            tool_choice: ToolChoice::Auto,
            settings: ModelSettings::default(),
        };
        let call = async {
            let mut stream = client.stream(&request).await?;
            let mut text = String::new();
            while let Some(event) = stream.next().await {
                match event? {
                    ModelEvent::TextDelta(delta) => text.push_str(&delta),
                    ModelEvent::Completed { .. } => return Ok(text),
                    _ => {}
                }
            }
            Err(ModelError::new(
                ModelErrorKind::Interrupted,
                "the title stream ended early",
            ))
        };
        match tokio::time::timeout(TITLE_TIMEOUT, call).await {
            Ok(Ok(text)) => {
                if let Some(title) = clean_title(&text) {
                    thread.set_title(title);
                }
            }
            Ok(Err(error)) => tracing::warn!(%error, "writing a thread title failed"),
            Err(_) => tracing::warn!("writing a thread title timed out"),
        }
    }
}

/// Whether a reply goes on after a round of tools.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// The widget item that replaces `sender` (or a new one when there is no sender).
fn replacement(
    thread_id: &str,
    sender: Option<&WidgetItem>,
    widget: WidgetRoot,
    thread: &ThreadHandle,
) -> ThreadItem {
    ThreadItem::Widget(match sender {
        Some(sender) => WidgetItem {
            widget,
            ..sender.clone()
        },
        None => WidgetItem {
            id: thread.store().generate_item_id(IdKind::Message),
            thread_id: thread_id.to_owned(),
            created_at: Timestamp::now(),
            widget,
            copy_text: None,
        },
    })
}

/// A model's title answer, cleaned: first line, no quotes or final punctuation, at most
/// [`MAX_TITLE_CHARS`] characters. `None` when nothing is left.
fn clean_title(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line
        .trim_start_matches(['"', '\'', '“', '#', ' '])
        .trim_end_matches(['"', '\'', '”', '.', '!', ' ']);
    let line = line.strip_prefix("Title:").map(str::trim).unwrap_or(line);
    let title: String = line.chars().take(MAX_TITLE_CHARS).collect();
    let title = title.trim().to_owned();
    (!title.is_empty()).then_some(title)
}

/// A model failure as the user sees it. Upstream messages are not echoed (an authentication
/// error may quote part of the key); the code is, when there is one.
fn model_failure(agent: &Agent, error: &ModelError) -> ResponderError {
    tracing::warn!(agent = %agent.id, provider = %agent.provider, %error, "a model call failed");
    let message = match error.kind {
        ModelErrorKind::RateLimited if error.code.as_deref() == Some("insufficient_quota") => {
            "The model provider refused the request: the account has run out of quota.".to_owned()
        }
        ModelErrorKind::RateLimited => {
            "The model service is busy right now. Try again in a moment.".to_owned()
        }
        ModelErrorKind::Auth => "The model provider refused this server's credentials.".to_owned(),
        ModelErrorKind::BadRequest => match &error.code {
            Some(code) => format!("The model provider refused the request ({code})."),
            None => "The model provider refused the request.".to_owned(),
        },
        ModelErrorKind::Interrupted => {
            "The model's answer broke off. What arrived was kept; try again for the rest."
                .to_owned()
        }
        ModelErrorKind::Timeout => "The model took too long to answer. Try again.".to_owned(),
        ModelErrorKind::Server | ModelErrorKind::Connection | ModelErrorKind::Protocol => {
            "The model service failed to answer. Try again.".to_owned()
        }
    };
    CustomStreamError {
        message,
        allow_retry: error.allow_retry(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_cleaned() {
        assert_eq!(
            clean_title("\"Order status help.\"\n").as_deref(),
            Some("Order status help")
        );
        assert_eq!(
            clean_title("Title: Refund question").as_deref(),
            Some("Refund question")
        );
        assert_eq!(clean_title("  \n"), None);
        assert_eq!(
            clean_title(&"x".repeat(100)).unwrap().chars().count(),
            MAX_TITLE_CHARS
        );
    }
}
