//! One reply in the making: the events it has sent, the workflow that is open, and the mapping
//! of one model call's events to ChatKit events (chatkit-protocol.md §10).
//!
//! Item ids are ours (`msg_…`, `wf_…`), never a provider's, so they are unique in the thread
//! whatever the model server sends.

use std::time::Instant;

use chatkit_server::{ResponderError, ThreadHandle};
use chatkit_store::IdKind;
use chatkit_types::{
    AssistantMessageContent, AssistantMessageContentPartAdded,
    AssistantMessageContentPartAnnotationAdded, AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta, AssistantMessageItem, CustomTask, DurationSummary,
    FileSource, GeneratedImage, GeneratedImageItem, GeneratedImageUpdated, Task,
    TaskStatusIndicator, ThoughtTask, ThreadItem, ThreadItemAddedEvent, ThreadItemDoneEvent,
    ThreadItemUpdate, ThreadItemUpdatedEvent, ThreadStreamEvent, Timestamp, URLSource, Workflow,
    WorkflowItem, WorkflowSummary, WorkflowTaskAdded, WorkflowTaskUpdated, WorkflowType,
};
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::model::{Annotation, ModelError, ModelEvent, ModelStream, ToolCall};

/// Where a reply's events go: the responder's stream.
#[derive(Clone)]
pub(crate) struct Emitter {
    tx: mpsc::Sender<Result<ThreadStreamEvent, ResponderError>>,
}

impl Emitter {
    pub(crate) fn new(tx: mpsc::Sender<Result<ThreadStreamEvent, ResponderError>>) -> Self {
        Self { tx }
    }

    /// Sends one event. If the client is gone the engine has dropped the stream, and with it
    /// the future calling this, so a failed send needs no handling.
    pub(crate) async fn send(&self, event: impl Into<ThreadStreamEvent>) {
        let _ = self.tx.send(Ok(event.into())).await;
    }
}

/// An open workflow.
struct OpenWorkflow {
    item: WorkflowItem,
    started: Instant,
}

/// What one model call produced.
#[derive(Debug, Default)]
pub(crate) struct CallOutcome {
    /// The assistant text of this call (all messages joined).
    pub(crate) text: String,
    /// The tool calls, in order.
    pub(crate) calls: Vec<ToolCall>,
}

/// A reply in the making.
pub(crate) struct Turn {
    pub(crate) thread: ThreadHandle,
    pub(crate) thread_id: String,
    pub(crate) emit: Emitter,
    workflow: Option<OpenWorkflow>,
}

impl Turn {
    pub(crate) fn new(thread: ThreadHandle, emit: Emitter) -> Self {
        let thread_id = thread.id();
        Self {
            thread,
            thread_id,
            emit,
            workflow: None,
        }
    }

    /// A new item id of `kind`.
    pub(crate) fn new_id(&self, kind: IdKind) -> String {
        self.thread.store().generate_item_id(kind)
    }

    /// Sends `item` as done (the engine saves it first), closing an open workflow first.
    pub(crate) async fn item_done(&mut self, item: ThreadItem) {
        self.close_workflow().await;
        self.emit.send(ThreadItemDoneEvent { item }).await;
    }

    /// Closes the open workflow, if any: `thread.item.done` with a duration summary (unless it
    /// has one), collapsed.
    pub(crate) async fn close_workflow(&mut self) {
        if let Some(open) = self.workflow.take() {
            let mut item = open.item;
            if item.workflow.summary.is_none() {
                item.workflow.summary = Some(WorkflowSummary::Duration(DurationSummary {
                    duration: i64::try_from(open.started.elapsed().as_secs()).unwrap_or(i64::MAX),
                }));
            }
            item.workflow.expanded = false;
            self.emit
                .send(ThreadItemDoneEvent {
                    item: ThreadItem::Workflow(item),
                })
                .await;
        }
    }

    /// Opens a workflow of `kind` unless one is open.
    async fn ensure_workflow(&mut self, kind: WorkflowType) {
        if self.workflow.is_some() {
            return;
        }
        let item = WorkflowItem {
            id: self.new_id(IdKind::Workflow),
            thread_id: self.thread_id.clone(),
            created_at: Timestamp::now(),
            workflow: Workflow {
                r#type: kind,
                tasks: Vec::new(),
                summary: None,
                expanded: true,
            },
        };
        self.emit
            .send(ThreadItemAddedEvent {
                item: ThreadItem::Workflow(item.clone()),
            })
            .await;
        self.workflow = Some(OpenWorkflow {
            item,
            started: Instant::now(),
        });
    }

    /// Adds a task to the open workflow (opening a custom one if none is); returns its index.
    pub(crate) async fn add_task(&mut self, task: Task) -> usize {
        self.ensure_workflow(WorkflowType::Custom).await;
        let open = self.workflow.as_mut().expect("a workflow is open");
        open.item.workflow.tasks.push(task.clone());
        let task_index = open.item.workflow.tasks.len() - 1;
        let item_id = open.item.id.clone();
        self.emit
            .send(ThreadItemUpdatedEvent {
                item_id,
                update: ThreadItemUpdate::WorkflowTaskAdded(WorkflowTaskAdded { task_index, task }),
            })
            .await;
        task_index
    }

    /// Replaces task `task_index` of the open workflow.
    pub(crate) async fn update_task(&mut self, task_index: usize, task: Task) {
        let Some(open) = self.workflow.as_mut() else {
            return;
        };
        let Some(slot) = open.item.workflow.tasks.get_mut(task_index) else {
            return;
        };
        *slot = task.clone();
        let item_id = open.item.id.clone();
        self.emit
            .send(ThreadItemUpdatedEvent {
                item_id,
                update: ThreadItemUpdate::WorkflowTaskUpdated(WorkflowTaskUpdated {
                    task_index,
                    task,
                }),
            })
            .await;
    }

    /// Streams one model call to the client. On a failure inside the stream, the partial
    /// message is finished with the text received (so it is saved and shown), the workflow is
    /// closed, and the error is returned.
    pub(crate) async fn stream_call(
        &mut self,
        mut stream: ModelStream,
    ) -> Result<CallOutcome, ModelError> {
        let mut outcome = CallOutcome::default();
        let mut message: Option<OpenMessage> = None;
        let mut thoughts: Vec<String> = Vec::new();
        let mut thought_task_base = 0;
        let mut image: Option<GeneratedImageItem> = None;
        loop {
            let event = match stream.next().await {
                Some(Ok(event)) => event,
                Some(Err(error)) => {
                    self.finish_partial(message.take(), &mut outcome).await;
                    return Err(error);
                }
                None => {
                    self.finish_partial(message.take(), &mut outcome).await;
                    return Err(ModelError::new(
                        crate::model::ModelErrorKind::Interrupted,
                        "the model stream ended before it completed",
                    ));
                }
            };
            match event {
                ModelEvent::ReasoningStarted => {
                    self.ensure_workflow(WorkflowType::Reasoning).await;
                    thoughts.clear();
                    thought_task_base = self
                        .workflow
                        .as_ref()
                        .map_or(0, |w| w.item.workflow.tasks.len());
                }
                ModelEvent::ReasoningDelta { part, delta } => {
                    self.ensure_workflow(WorkflowType::Reasoning).await;
                    if part < thoughts.len() {
                        thoughts[part].push_str(&delta);
                        let task = thought(&thoughts[part]);
                        self.update_task(thought_task_base + part, task).await;
                    } else {
                        thoughts.resize(part, String::new());
                        thoughts.push(delta);
                        let task = thought(&thoughts[part]);
                        self.add_task(task).await;
                    }
                }
                ModelEvent::ReasoningDone => {}
                ModelEvent::MessageStarted => {
                    if let Some(open) = message.take() {
                        outcome.text.push_str(&open.text);
                        self.finish_message(open).await;
                    }
                    message = Some(self.start_message().await);
                }
                ModelEvent::TextDelta(delta) => {
                    if message.is_none() {
                        message = Some(self.start_message().await);
                    }
                    let open = message.as_mut().expect("a message is open");
                    open.text.push_str(&delta);
                    let item_id = open.item.id.clone();
                    self.emit
                        .send(ThreadItemUpdatedEvent {
                            item_id,
                            update: ThreadItemUpdate::AssistantMessageContentPartTextDelta(
                                AssistantMessageContentPartTextDelta {
                                    content_index: 0,
                                    delta,
                                },
                            ),
                        })
                        .await;
                }
                ModelEvent::Annotation(annotation) => {
                    if let Some(open) = message.as_mut() {
                        let annotation = convert_annotation(annotation);
                        open.annotations.push(annotation.clone());
                        let event = ThreadItemUpdatedEvent {
                            item_id: open.item.id.clone(),
                            update: ThreadItemUpdate::AssistantMessageContentPartAnnotationAdded(
                                AssistantMessageContentPartAnnotationAdded {
                                    content_index: 0,
                                    annotation_index: open.annotations.len() - 1,
                                    annotation,
                                },
                            ),
                        };
                        self.emit.send(event).await;
                    }
                }
                ModelEvent::MessageDone { text } => {
                    if let Some(mut open) = message.take() {
                        if !text.is_empty() {
                            open.text = text;
                        }
                        outcome.text.push_str(&open.text);
                        self.finish_message(open).await;
                    }
                }
                ModelEvent::ToolCall(call) => outcome.calls.push(call),
                ModelEvent::ImagePartial { id: _, b64, index } => {
                    let item = match image.take() {
                        Some(item) => item,
                        None => self.start_image().await,
                    };
                    let update = GeneratedImageUpdated {
                        image: GeneratedImage {
                            id: item.id.clone(),
                            url: format!("data:image/png;base64,{b64}"),
                        },
                        progress: Some(f64::from(index + 1) / f64::from(index + 2)),
                    };
                    self.emit
                        .send(ThreadItemUpdatedEvent {
                            item_id: item.id.clone(),
                            update: ThreadItemUpdate::GeneratedImageUpdated(update),
                        })
                        .await;
                    image = Some(item);
                }
                ModelEvent::ImageDone { id: _, b64 } => {
                    let mut item = match image.take() {
                        Some(item) => item,
                        None => self.start_image().await,
                    };
                    item.image = Some(GeneratedImage {
                        id: item.id.clone(),
                        url: format!("data:image/png;base64,{b64}"),
                    });
                    self.item_done(ThreadItem::GeneratedImage(item)).await;
                }
                ModelEvent::Completed { .. } => {
                    if let Some(open) = message.take() {
                        outcome.text.push_str(&open.text);
                        self.finish_message(open).await;
                    }
                    return Ok(outcome);
                }
            }
        }
    }

    async fn start_message(&mut self) -> OpenMessage {
        self.close_workflow().await;
        let item = AssistantMessageItem {
            id: self.new_id(IdKind::Message),
            thread_id: self.thread_id.clone(),
            created_at: Timestamp::now(),
            content: Vec::new(),
        };
        self.emit
            .send(ThreadItemAddedEvent {
                item: ThreadItem::AssistantMessage(item.clone()),
            })
            .await;
        self.emit
            .send(ThreadItemUpdatedEvent {
                item_id: item.id.clone(),
                update: ThreadItemUpdate::AssistantMessageContentPartAdded(
                    AssistantMessageContentPartAdded {
                        content_index: 0,
                        content: AssistantMessageContent::text(""),
                    },
                ),
            })
            .await;
        OpenMessage {
            item,
            text: String::new(),
            annotations: Vec::new(),
        }
    }

    async fn finish_message(&mut self, open: OpenMessage) {
        let content = AssistantMessageContent {
            annotations: open.annotations,
            text: open.text,
        };
        self.emit
            .send(ThreadItemUpdatedEvent {
                item_id: open.item.id.clone(),
                update: ThreadItemUpdate::AssistantMessageContentPartDone(
                    AssistantMessageContentPartDone {
                        content_index: 0,
                        content: content.clone(),
                    },
                ),
            })
            .await;
        let mut item = open.item;
        item.content = vec![content];
        self.emit
            .send(ThreadItemDoneEvent {
                item: ThreadItem::AssistantMessage(item),
            })
            .await;
    }

    /// After a failure: keep the text received so far (saved and shown), close the workflow.
    async fn finish_partial(&mut self, message: Option<OpenMessage>, outcome: &mut CallOutcome) {
        if let Some(open) = message {
            outcome.text.push_str(&open.text);
            self.finish_message(open).await;
        }
        self.close_workflow().await;
    }

    async fn start_image(&mut self) -> GeneratedImageItem {
        self.close_workflow().await;
        let item = GeneratedImageItem {
            id: self.new_id(IdKind::Message),
            thread_id: self.thread_id.clone(),
            created_at: Timestamp::now(),
            image: None,
        };
        self.emit
            .send(ThreadItemAddedEvent {
                item: ThreadItem::GeneratedImage(item.clone()),
            })
            .await;
        item
    }

    /// Streams `text` as a whole assistant message (for action replies and canned text).
    pub(crate) async fn say(&mut self, text: &str) {
        let mut open = self.start_message().await;
        for chunk in text.split_inclusive(' ') {
            open.text.push_str(chunk);
            self.emit
                .send(ThreadItemUpdatedEvent {
                    item_id: open.item.id.clone(),
                    update: ThreadItemUpdate::AssistantMessageContentPartTextDelta(
                        AssistantMessageContentPartTextDelta {
                            content_index: 0,
                            delta: chunk.to_owned(),
                        },
                    ),
                })
                .await;
        }
        self.finish_message(open).await;
    }
}

struct OpenMessage {
    item: AssistantMessageItem,
    text: String,
    annotations: Vec<chatkit_types::Annotation>,
}

fn thought(content: &str) -> Task {
    Task::Thought(ThoughtTask {
        status_indicator: TaskStatusIndicator::None,
        title: None,
        content: content.to_owned(),
    })
}

/// A custom task as the user sees a tool run: `loading` while it runs, `complete` when done, a
/// "failed" title with the reason when it failed.
pub(crate) fn tool_task(label: &str, state: TaskState<'_>) -> Task {
    let (status_indicator, title, content) = match state {
        TaskState::Running => (TaskStatusIndicator::Loading, label.to_owned(), None),
        TaskState::Done => (TaskStatusIndicator::Complete, label.to_owned(), None),
        TaskState::Failed(why) => (
            TaskStatusIndicator::None,
            format!("{label} failed"),
            Some(why.to_owned()),
        ),
    };
    Task::Custom(CustomTask {
        status_indicator,
        title: Some(title),
        icon: None,
        content,
    })
}

/// Where a tool run stands.
pub(crate) enum TaskState<'a> {
    Running,
    Done,
    Failed(&'a str),
}

fn convert_annotation(annotation: Annotation) -> chatkit_types::Annotation {
    match annotation {
        Annotation::Url { url, title, index } => chatkit_types::Annotation {
            source: URLSource {
                title,
                description: None,
                timestamp: None,
                group: None,
                url,
                attribution: None,
            }
            .into(),
            index: index.and_then(|i| i64::try_from(i).ok()),
        },
        Annotation::File { filename, index } => chatkit_types::Annotation {
            source: FileSource {
                title: filename.clone(),
                description: None,
                timestamp: None,
                group: None,
                filename,
            }
            .into(),
            index: index.and_then(|i| i64::try_from(i).ok()),
        },
    }
}

/// Turns a run (a future that sends through an [`Emitter`]) into the responder's event stream.
/// The run is polled by the stream itself (no task is spawned), so dropping the stream (the
/// client left) drops the run and whatever model call it was awaiting.
pub(crate) fn run_stream<F, Fut>(run: F) -> chatkit_server::EventStream
where
    F: FnOnce(Emitter) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(), ResponderError>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(64);
    let failure_tx = tx.clone();
    let driver = async move {
        if let Err(error) = run(Emitter::new(tx)).await {
            let _ = failure_tx.send(Err(error)).await;
        }
    };
    let events = tokio_stream_from(rx);
    let driver = futures::stream::once(driver).filter_map(|()| async { None });
    futures::stream::select(events, driver).boxed()
}

fn tokio_stream_from<T: Send + 'static>(
    mut rx: mpsc::Receiver<T>,
) -> impl futures::Stream<Item = T> + Send + 'static {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
