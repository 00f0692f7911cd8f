// Generated from the Rust wire types of `chatkit-types` (openai-chatkit 1.6.5).
// Do not edit: run `cargo test -p chatkit-types --features ts --test typescript`
// with CHATKIT_WRITE_TS=1 to regenerate.

export type Timestamp = string;

export type IconName = "agent" | "analytics" | "atom" | "batch" | "bolt" | "book-open" | "book-closed" | "book-clock" | "bug" | "calendar" | "chart" | "check" | "check-circle" | "check-circle-filled" | "chevron-left" | "chevron-right" | "circle-question" | "clock" | "compass" | "confetti" | "cube" | "desktop" | "document" | "dot" | "dots-horizontal" | "dots-vertical" | "empty-circle" | "external-link" | "globe" | "keys" | "lab" | "images" | "info" | "lifesaver" | "lightbulb" | "mail" | "map-pin" | "maps" | "mobile" | "name" | "notebook" | "notebook-pencil" | "page-blank" | "phone" | "play" | "plus" | "profile" | "profile-card" | "reload" | "star" | "star-filled" | "search" | "sparkle" | "sparkle-double" | "square-code" | "square-image" | "square-text" | "suitcase" | "settings-slider" | "user" | "wreath" | "write" | "write-alt" | "write-alt2" | `vendor:${string}` | `lucide:${string}`;

export type ErrorCode = "stream.error" | (string & {});

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key: string]: JsonValue } | null;

export type ChatKitReq = StreamingReq | NonStreamingReq;

export type StreamingReq = { "type": "threads.create" } & ThreadsCreateReq | { "type": "threads.add_user_message" } & ThreadsAddUserMessageReq | { "type": "threads.add_client_tool_output" } & ThreadsAddClientToolOutputReq | { "type": "threads.add_structured_input" } & ThreadsAddStructuredInputReq | { "type": "threads.retry_after_item" } & ThreadsRetryAfterItemReq | { "type": "threads.custom_action" } & ThreadsCustomActionReq;

export type NonStreamingReq = { "type": "threads.get_by_id" } & ThreadsGetByIdReq | { "type": "threads.list" } & ThreadsListReq | { "type": "items.list" } & ItemsListReq | { "type": "items.feedback" } & ItemsFeedbackReq | { "type": "attachments.create" } & AttachmentsCreateReq | { "type": "attachments.delete" } & AttachmentsDeleteReq | { "type": "threads.update" } & ThreadsUpdateReq | { "type": "threads.delete" } & ThreadsDeleteReq | { "type": "input.transcribe" } & InputTranscribeReq | { "type": "threads.sync_custom_action" } & ThreadsSyncCustomActionReq;

export type ThreadsCreateReq = { 
/**
 * The op's parameters.
 */
params: ThreadCreateParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ThreadsAddUserMessageReq = { 
/**
 * The op's parameters.
 */
params: ThreadAddUserMessageParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ThreadsAddClientToolOutputReq = { 
/**
 * The op's parameters.
 */
params: ThreadAddClientToolOutputParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ThreadsAddStructuredInputReq = { 
/**
 * The op's parameters.
 */
params: ThreadAddStructuredInputParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ThreadsRetryAfterItemReq = { 
/**
 * The op's parameters.
 */
params: ThreadRetryAfterItemParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ThreadsCustomActionReq = { 
/**
 * The op's parameters.
 */
params: ThreadCustomActionParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ThreadsGetByIdReq = { 
/**
 * The op's parameters.
 */
params: ThreadGetByIdParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ThreadsListReq = { 
/**
 * The op's parameters.
 */
params: ThreadListParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ItemsListReq = { 
/**
 * The op's parameters.
 */
params: ItemsListParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ItemsFeedbackReq = { 
/**
 * The op's parameters.
 */
params: ItemFeedbackParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type AttachmentsCreateReq = { 
/**
 * The op's parameters.
 */
params: AttachmentCreateParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type AttachmentsDeleteReq = { 
/**
 * The op's parameters.
 */
params: AttachmentDeleteParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ThreadsUpdateReq = { 
/**
 * The op's parameters.
 */
params: ThreadUpdateParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ThreadsDeleteReq = { 
/**
 * The op's parameters.
 */
params: ThreadDeleteParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type InputTranscribeReq = { 
/**
 * The op's parameters.
 */
params: InputTranscribeParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ThreadsSyncCustomActionReq = { 
/**
 * The op's parameters.
 */
params: ThreadCustomActionParams, 
/**
 * Integration-specific metadata; default `{}`. Parsed but unused by the Python server.
 */
metadata: { [key in string]?: JsonValue }, };

export type ThreadGetByIdParams = { 
/**
 * Thread id.
 */
thread_id: string, };

export type ThreadCreateParams = { 
/**
 * The first user message.
 */
input: UserMessageInput, };

export type Order = "asc" | "desc";

export type ThreadListParams = { 
/**
 * Page size (the Python server uses 20 when absent or 0).
 */
limit?: number, 
/**
 * Sort order; default `"desc"`.
 */
order: Order, 
/**
 * Cursor: the id of the last thread of the previous page.
 */
after?: string, };

export type ThreadAddUserMessageParams = { 
/**
 * The user message.
 */
input: UserMessageInput, 
/**
 * Thread id.
 */
thread_id: string, };

export type ThreadAddClientToolOutputParams = { 
/**
 * Thread id.
 */
thread_id: string, 
/**
 * The tool's output: any JSON, required but may be `null` (Python: `Any`). Omitted on output
 * when `null`, as `exclude_none` does.
 */
result: JsonValue, };

export type ThreadAddStructuredInputParams = { 
/**
 * Thread id.
 */
thread_id: string, 
/**
 * The pending `structured_input` item.
 */
item_id: string, 
/**
 * The answers.
 */
input: StructuredInputSubmission, };

export type ThreadCustomActionParams = { 
/**
 * Thread id.
 */
thread_id: string, 
/**
 * The widget item that sent the action, if any.
 */
item_id?: string, 
/**
 * The action.
 */
action: Action, };

export type ThreadRetryAfterItemParams = { 
/**
 * Thread id.
 */
thread_id: string, 
/**
 * The user message to answer again.
 */
item_id: string, };

export type FeedbackKind = "positive" | "negative";

export type ItemFeedbackParams = { 
/**
 * Thread id.
 */
thread_id: string, 
/**
 * The items rated.
 */
item_ids: Array<string>, 
/**
 * The rating.
 */
kind: FeedbackKind, };

export type AttachmentDeleteParams = { 
/**
 * Attachment id.
 */
attachment_id: string, };

export type AttachmentCreateParams = { 
/**
 * File name.
 */
name: string, 
/**
 * Size in bytes.
 */
size: number, 
/**
 * MIME type.
 */
mime_type: string, };

export type InputTranscribeParams = { 
/**
 * Base64-encoded audio bytes.
 */
audio_base64: string, 
/**
 * Raw MIME type of the audio, e.g. `audio/webm;codecs=opus`.
 */
mime_type: string, };

export type TranscriptionResult = { 
/**
 * The transcribed text.
 */
text: string, };

export type ItemsListParams = { 
/**
 * Thread id.
 */
thread_id: string, 
/**
 * Page size (the Python server uses 20 when absent or 0).
 */
limit?: number, 
/**
 * Sort order; default `"desc"`.
 */
order: Order, 
/**
 * Cursor: the id of the last item of the previous page.
 */
after?: string, };

export type ThreadUpdateParams = { 
/**
 * Thread id.
 */
thread_id: string, 
/**
 * The new title.
 */
title: string, };

export type ThreadDeleteParams = { 
/**
 * Thread id.
 */
thread_id: string, };

export type ThreadStreamEvent = { "type": "thread.created" } & ThreadCreatedEvent | { "type": "thread.updated" } & ThreadUpdatedEvent | { "type": "thread.item.done" } & ThreadItemDoneEvent | { "type": "thread.item.added" } & ThreadItemAddedEvent | { "type": "thread.item.updated" } & ThreadItemUpdatedEvent | { "type": "thread.item.removed" } & ThreadItemRemovedEvent | { "type": "thread.item.replaced" } & ThreadItemReplacedEvent | { "type": "stream_options" } & StreamOptionsEvent | { "type": "progress_update" } & ProgressUpdateEvent | { "type": "client_effect" } & ClientEffectEvent | { "type": "error" } & ErrorEvent | { "type": "notice" } & NoticeEvent;

export type ThreadCreatedEvent = { 
/**
 * The new thread.
 */
thread: Thread, };

export type ThreadUpdatedEvent = { 
/**
 * The thread as it is now.
 */
thread: Thread, };

export type ThreadItemAddedEvent = { 
/**
 * The item in its first state.
 */
item: ThreadItem, };

export type ThreadItemUpdatedEvent = { 
/**
 * The item changed.
 */
item_id: string, 
/**
 * The change.
 */
update: ThreadItemUpdate, };

export type ThreadItemDoneEvent = { 
/**
 * The final, full item.
 */
item: ThreadItem, };

export type ThreadItemRemovedEvent = { 
/**
 * The removed item's id.
 */
item_id: string, };

export type ThreadItemReplacedEvent = { 
/**
 * The new item (same id).
 */
item: ThreadItem, };

export type StreamOptions = { 
/**
 * Whether the client shows a Stop button.
 */
allow_cancel: boolean, };

export type StreamOptionsEvent = { 
/**
 * The options.
 */
stream_options: StreamOptions, };

export type ProgressUpdateEvent = { 
/**
 * Optional icon.
 */
icon?: IconName, 
/**
 * The status text.
 */
text: string, };

export type ClientEffectEvent = { 
/**
 * Effect name.
 */
name: string, 
/**
 * Effect data; default `{}`.
 */
data: { [key in string]?: JsonValue }, };

export type ErrorEvent = { 
/**
 * Error code; default `"custom"`.
 */
code: string, 
/**
 * Message shown for `"custom"` errors.
 */
message?: string, 
/**
 * Whether the client offers a retry; default `false`.
 */
allow_retry: boolean, };

export type NoticeLevel = "info" | "warning" | "danger";

export type NoticeEvent = { 
/**
 * Severity.
 */
level: NoticeLevel, 
/**
 * The message (markdown).
 */
message: string, 
/**
 * Optional title.
 */
title?: string, };

export type ThreadItemUpdate = { "type": "assistant_message.content_part.added" } & AssistantMessageContentPartAdded | { "type": "assistant_message.content_part.text_delta" } & AssistantMessageContentPartTextDelta | { "type": "assistant_message.content_part.annotation_added" } & AssistantMessageContentPartAnnotationAdded | { "type": "assistant_message.content_part.done" } & AssistantMessageContentPartDone | { "type": "widget.streaming_text.value_delta" } & WidgetStreamingTextValueDelta | { "type": "widget.component.updated" } & WidgetComponentUpdated | { "type": "widget.root.updated" } & WidgetRootUpdated | { "type": "workflow.task.added" } & WorkflowTaskAdded | { "type": "workflow.task.updated" } & WorkflowTaskUpdated | { "type": "generated_image.updated" } & GeneratedImageUpdated;

export type AssistantMessageContentPartAdded = { 
/**
 * Index of the part in the message's `content`.
 */
content_index: number, 
/**
 * The new part.
 */
content: AssistantMessageContent, };

export type AssistantMessageContentPartTextDelta = { 
/**
 * Index of the part in the message's `content`.
 */
content_index: number, 
/**
 * The appended text.
 */
delta: string, };

export type AssistantMessageContentPartAnnotationAdded = { 
/**
 * Index of the part in the message's `content`.
 */
content_index: number, 
/**
 * Where the annotation goes in the part's `annotations` (appended when past the end).
 */
annotation_index: number, 
/**
 * The annotation.
 */
annotation: Annotation, };

export type AssistantMessageContentPartDone = { 
/**
 * Index of the part in the message's `content`.
 */
content_index: number, 
/**
 * The final part, replacing the streamed one.
 */
content: AssistantMessageContent, };

export type WidgetStreamingTextValueDelta = { 
/**
 * `id` of the `Text` or `Markdown` component.
 */
component_id: string, 
/**
 * The appended text.
 */
delta: string, 
/**
 * Whether the component has stopped streaming.
 */
done: boolean, };

export type WidgetRootUpdated = { 
/**
 * The new tree.
 */
widget: WidgetRoot, };

export type WidgetComponentUpdated = { 
/**
 * `id` of the replaced component.
 */
component_id: string, 
/**
 * The new component.
 */
component: WidgetComponent, };

export type WorkflowTaskAdded = { 
/**
 * Index of the task in the workflow.
 */
task_index: number, 
/**
 * The task.
 */
task: Task, };

export type WorkflowTaskUpdated = { 
/**
 * Index of the task in the workflow.
 */
task_index: number, 
/**
 * The task.
 */
task: Task, };

export type GeneratedImageUpdated = { 
/**
 * The image so far.
 */
image: GeneratedImage, 
/**
 * Progress from 0 to 1 (Python: `float`, so `1` is written `1.0`).
 */
progress?: number, };

export type SyncCustomActionResponse = { 
/**
 * The updated item.
 */
updated_item?: ThreadItem, };

export type Page<T> = { 
/**
 * The records; default `[]`.
 */
data: Array<T>, 
/**
 * Whether more records follow; default `false`.
 */
has_more: boolean, 
/**
 * Cursor for the next page (the id of the last record) when `has_more`.
 */
after?: string, };

export type ThreadStatus = { "type": "active" } & ActiveStatus | { "type": "locked" } & LockedStatus | { "type": "closed" } & ClosedStatus;

export type ActiveStatus = {};

export type LockedStatus = { 
/**
 * Why, shown as the composer's placeholder.
 */
reason?: string, };

export type ClosedStatus = { 
/**
 * Why, shown in the banner.
 */
reason?: string, };

export type ThreadMetadata = { 
/**
 * Title shown in the history list.
 */
title?: string, 
/**
 * Thread id.
 */
id: string, 
/**
 * Creation time.
 */
created_at: Timestamp, 
/**
 * Lifecycle state; default `{"type": "active"}`.
 */
status: ThreadStatus, 
/**
 * Image hosts assistant markdown may load from (1.6.3).
 */
allowed_image_domains?: Array<string>, 
/**
 * Integration-private metadata; default `{}`. Serialized here (for storage), never in a
 * [`Thread`].
 */
metadata: { [key in string]?: JsonValue }, };

export type Thread = { 
/**
 * Title shown in the history list.
 */
title?: string, 
/**
 * Thread id.
 */
id: string, 
/**
 * Creation time.
 */
created_at: Timestamp, 
/**
 * Lifecycle state; default `{"type": "active"}`.
 */
status: ThreadStatus, 
/**
 * Image hosts assistant markdown may load from (1.6.3).
 */
allowed_image_domains?: Array<string>, 
/**
 * Integration-private metadata, read from input and kept, but always serialized as `{}`.
 */
metadata: Record<string, never>, 
/**
 * A page of the thread's items.
 */
items: Page<ThreadItem>, };

export type ThreadItem = { "type": "user_message" } & UserMessageItem | { "type": "assistant_message" } & AssistantMessageItem | { "type": "client_tool_call" } & ClientToolCallItem | { "type": "widget" } & WidgetItem | { "type": "generated_image" } & GeneratedImageItem | { "type": "structured_input" } & StructuredInputItem | { "type": "workflow" } & WorkflowItem | { "type": "task" } & TaskItem | { "type": "hidden_context_item" } & HiddenContextItem | { "type": "sdk_hidden_context" } & SDKHiddenContextItem | { "type": "end_of_turn" } & EndOfTurnItem;

export type UserMessageItem = { 
/**
 * Item id (unique within its thread).
 */
id: string, 
/**
 * The thread holding the item.
 */
thread_id: string, 
/**
 * Creation time; items are ordered by it.
 */
created_at: Timestamp, 
/**
 * The message's content parts.
 */
content: Array<UserMessageContent>, 
/**
 * Full attachment objects (with `thread_id` set); default `[]`.
 */
attachments: Array<Attachment>, 
/**
 * Text the user quoted from an earlier message.
 */
quoted_text?: string, 
/**
 * Composer selections (tool, model).
 */
inference_options: InferenceOptions, };

export type AssistantMessageItem = { 
/**
 * Item id (unique within its thread).
 */
id: string, 
/**
 * The thread holding the item.
 */
thread_id: string, 
/**
 * Creation time; items are ordered by it.
 */
created_at: Timestamp, 
/**
 * The message's content parts.
 */
content: Array<AssistantMessageContent>, };

export type ClientToolCallItem = { 
/**
 * Item id (unique within its thread).
 */
id: string, 
/**
 * The thread holding the item.
 */
thread_id: string, 
/**
 * Creation time; items are ordered by it.
 */
created_at: Timestamp, 
/**
 * `"pending"` until the client reports its output; default `"pending"`.
 */
status: ClientToolCallStatus, 
/**
 * Tool call id.
 */
call_id: string, 
/**
 * Tool name.
 */
name: string, 
/**
 * Tool arguments.
 */
arguments: { [key in string]?: JsonValue }, 
/**
 * The client's output (Python: `Any | None`; `null` is `None`).
 */
output?: JsonValue, };

export type ClientToolCallStatus = "pending" | "completed";

export type WidgetItem = { 
/**
 * Item id (unique within its thread).
 */
id: string, 
/**
 * The thread holding the item.
 */
thread_id: string, 
/**
 * Creation time; items are ordered by it.
 */
created_at: Timestamp, 
/**
 * The widget tree.
 */
widget: WidgetRoot, 
/**
 * What the copy action copies.
 */
copy_text?: string, };

export type GeneratedImage = { 
/**
 * Image id.
 */
id: string, 
/**
 * Image URL (a plain string in Python too).
 */
url: string, };

export type GeneratedImageItem = { 
/**
 * Item id (unique within its thread).
 */
id: string, 
/**
 * The thread holding the item.
 */
thread_id: string, 
/**
 * Creation time; items are ordered by it.
 */
created_at: Timestamp, 
/**
 * The image; `None` while it is being generated.
 */
image?: GeneratedImage, };

export type StructuredInputItem = { 
/**
 * Item id (unique within its thread).
 */
id: string, 
/**
 * The thread holding the item.
 */
thread_id: string, 
/**
 * Creation time; items are ordered by it.
 */
created_at: Timestamp, 
/**
 * Default `"pending"`.
 */
status: StructuredInputItemStatus, 
/**
 * The questions.
 */
inputs: Array<StructuredInput>, };

export type StructuredInputItemStatus = "pending" | "answered" | "skipped";

export type WorkflowItem = { 
/**
 * Item id (unique within its thread).
 */
id: string, 
/**
 * The thread holding the item.
 */
thread_id: string, 
/**
 * Creation time; items are ordered by it.
 */
created_at: Timestamp, 
/**
 * The workflow.
 */
workflow: Workflow, };

export type TaskItem = { 
/**
 * Item id (unique within its thread).
 */
id: string, 
/**
 * The thread holding the item.
 */
thread_id: string, 
/**
 * Creation time; items are ordered by it.
 */
created_at: Timestamp, 
/**
 * The task.
 */
task: Task, };

export type HiddenContextItem = { 
/**
 * Item id (unique within its thread).
 */
id: string, 
/**
 * The thread holding the item.
 */
thread_id: string, 
/**
 * Creation time; items are ordered by it.
 */
created_at: Timestamp, 
/**
 * Any JSON (Python: `Any`, required); omitted on output when `null`, as `exclude_none` does.
 */
content: JsonValue, };

export type SDKHiddenContextItem = { 
/**
 * Item id (unique within its thread).
 */
id: string, 
/**
 * The thread holding the item.
 */
thread_id: string, 
/**
 * Creation time; items are ordered by it.
 */
created_at: Timestamp, 
/**
 * The context text.
 */
content: string, };

export type EndOfTurnItem = { 
/**
 * Item id (unique within its thread).
 */
id: string, 
/**
 * The thread holding the item.
 */
thread_id: string, 
/**
 * Creation time; items are ordered by it.
 */
created_at: Timestamp, };

export type StructuredInputAnswer = { 
/**
 * Text values recorded; default `[]`.
 */
values: Array<string>, 
/**
 * Whether the question was skipped; default `false`.
 */
skipped: boolean, };

export type StructuredInput = { "type": "multiple_choice" } & StructuredInputMultipleChoice | { "type": "freeform" } & StructuredInputFreeform;

export type StructuredInputMultipleChoice = { 
/**
 * Stable id of this question (the key of its answer in a submission).
 */
id: string, 
/**
 * Question shown to the user.
 */
question: string, 
/**
 * The recorded answer, if any.
 */
answer?: StructuredInputAnswer, 
/**
 * Suggested choices, shown before the custom-answer affordance.
 */
options: Array<StructuredInputMultipleChoiceOption>, 
/**
 * Whether more than one value may be submitted; default `false`.
 */
multiple: boolean, };

export type StructuredInputFreeform = { 
/**
 * Stable id of this question (the key of its answer in a submission).
 */
id: string, 
/**
 * Question shown to the user.
 */
question: string, 
/**
 * The recorded answer, if any.
 */
answer?: StructuredInputAnswer, 
/**
 * Supporting text shown with the question.
 */
description?: string, };

export type StructuredInputMultipleChoiceOption = { 
/**
 * Text value submitted when the option is chosen.
 */
value: string, };

export type StructuredInputSubmissionStatus = "answered" | "skipped";

export type StructuredInputSubmission = { 
/**
 * Overall status; default `"answered"`.
 */
status: StructuredInputSubmissionStatus, 
/**
 * Answers keyed by question id; default `{}`.
 */
answers: { [key in string]?: StructuredInputAnswerSubmission }, };

export type StructuredInputAnswerSubmission = { 
/**
 * Text values submitted; default `[]`.
 */
values: Array<string>, 
/**
 * Whether the question was skipped; default `false`.
 */
skipped: boolean, };

export type AssistantMessageContent = { "type": "output_text", 
/**
 * Citations into `text`; default `[]`.
 */
annotations: Array<Annotation>, 
/**
 * The text (markdown).
 */
text: string, };

export type Annotation = { "type": "annotation", 
/**
 * What is cited.
 */
source: Source, 
/**
 * Character offset in the text where the citation marker goes.
 */
index?: number, };

export type UserMessageInput = { 
/**
 * The message's content parts.
 */
content: Array<UserMessageContent>, 
/**
 * Ids of attachments uploaded beforehand (required, may be empty).
 */
attachments: Array<string>, 
/**
 * Text the user quoted from an earlier message.
 */
quoted_text?: string, 
/**
 * Composer selections (tool, model); required, may be `{}`.
 */
inference_options: InferenceOptions, };

export type UserMessageContent = { "type": "input_text" } & UserMessageTextContent | { "type": "input_tag" } & UserMessageTagContent;

export type UserMessageTextContent = { 
/**
 * The text.
 */
text: string, };

export type UserMessageTagContent = { 
/**
 * Tag id.
 */
id: string, 
/**
 * Tag text as shown.
 */
text: string, 
/**
 * Integration data attached to the tag (required).
 */
data: { [key in string]?: JsonValue }, 
/**
 * Optional group the tag belongs to.
 */
group?: string, 
/**
 * Whether the tag is interactive; default `false`.
 */
interactive: boolean, };

export type InferenceOptions = { 
/**
 * The composer tool the user picked.
 */
tool_choice?: ToolChoice, 
/**
 * The composer model the user picked.
 */
model?: string, };

export type ToolChoice = { 
/**
 * Tool id.
 */
id: string, };

export type Attachment = { "type": "file" } & FileAttachment | { "type": "image" } & ImageAttachment;

export type UploadMethod = "POST" | "PUT";

export type AttachmentUploadDescriptor = { 
/**
 * Upload URL (Python: `AnyUrl`).
 */
url: string, 
/**
 * HTTP method to use.
 */
method: UploadMethod, 
/**
 * Headers to send with the upload; default `{}`.
 */
headers: { [key in string]?: string }, };

export type FileAttachment = { 
/**
 * Attachment id.
 */
id: string, 
/**
 * Original file name.
 */
name: string, 
/**
 * MIME type.
 */
mime_type: string, 
/**
 * Two-phase upload instructions; cleared once the upload completes (and absent for direct
 * uploads).
 */
upload_descriptor?: AttachmentUploadDescriptor, 
/**
 * The thread the attachment belongs to, set when its user message is saved.
 */
thread_id?: string, };

export type ImageAttachment = { 
/**
 * Attachment id.
 */
id: string, 
/**
 * Original file name.
 */
name: string, 
/**
 * MIME type.
 */
mime_type: string, 
/**
 * Two-phase upload instructions; cleared once the upload completes (and absent for direct
 * uploads).
 */
upload_descriptor?: AttachmentUploadDescriptor, 
/**
 * The thread the attachment belongs to, set when its user message is saved.
 */
thread_id?: string, 
/**
 * Thumbnail URL (Python: `AnyUrl`); may be a short-lived signed URL.
 */
preview_url: string, };

export type Source = URLSource | FileSource | EntitySource;

export type FileSource = { "type": "file", 
/**
 * Title shown for the source.
 */
title: string, 
/**
 * Optional description.
 */
description?: string, 
/**
 * Optional free-form timestamp text.
 */
timestamp?: string, 
/**
 * Optional group the client clusters sources by.
 */
group?: string, 
/**
 * File name.
 */
filename: string, };

export type URLSource = { "type": "url", 
/**
 * Title shown for the source.
 */
title: string, 
/**
 * Optional description.
 */
description?: string, 
/**
 * Optional free-form timestamp text.
 */
timestamp?: string, 
/**
 * Optional group the client clusters sources by.
 */
group?: string, 
/**
 * The page's URL (a plain string in Python too).
 */
url: string, 
/**
 * Optional attribution text.
 */
attribution?: string, };

export type EntitySource = { "type": "entity", 
/**
 * Title shown for the source.
 */
title: string, 
/**
 * Optional description.
 */
description?: string, 
/**
 * Optional free-form timestamp text.
 */
timestamp?: string, 
/**
 * Optional group the client clusters sources by.
 */
group?: string, 
/**
 * Entity id.
 */
id: string, 
/**
 * Optional icon.
 */
icon?: IconName, 
/**
 * Label shown with the icon in the default hover header when no preview callback is set.
 */
label?: string, 
/**
 * Label of the inline annotation chip; the icon is shown when absent.
 */
inline_label?: string, 
/**
 * Whether the client wires entity callbacks and renders the entity as interactive.
 */
interactive: boolean, 
/**
 * Data passed to the client's entity callbacks; default `{}`.
 */
data: { [key in string]?: JsonValue }, 
/**
 * Deprecated and ignored by the client; only `"lazy"` is valid.
 */
preview?: EntityPreview, };

export type EntityPreview = "lazy";

export type WorkflowType = "custom" | "reasoning";

export type Workflow = { 
/**
 * Kind of workflow.
 */
type: WorkflowType, 
/**
 * The tasks, in order.
 */
tasks: Array<Task>, 
/**
 * Summary shown when collapsed.
 */
summary?: WorkflowSummary, 
/**
 * Whether the workflow is shown expanded; default `false`.
 */
expanded: boolean, };

export type WorkflowSummary = CustomSummary | DurationSummary;

export type CustomSummary = { 
/**
 * Summary title.
 */
title: string, 
/**
 * Optional icon.
 */
icon?: IconName, };

export type DurationSummary = { 
/**
 * Duration of the workflow in seconds.
 */
duration: number, };

export type TaskStatusIndicator = "none" | "loading" | "complete";

export type Task = { "type": "custom" } & CustomTask | { "type": "web_search" } & SearchTask | { "type": "thought" } & ThoughtTask | { "type": "file" } & FileTask | { "type": "image" } & ImageTask;

export type CustomTask = { 
/**
 * Status inside a workflow; default `"none"`.
 */
status_indicator: TaskStatusIndicator, 
/**
 * Title.
 */
title?: string, 
/**
 * Icon.
 */
icon?: IconName, 
/**
 * Content (markdown).
 */
content?: string, };

export type SearchTask = { 
/**
 * Status inside a workflow; default `"none"`.
 */
status_indicator: TaskStatusIndicator, 
/**
 * Title.
 */
title?: string, 
/**
 * The query shown as the title.
 */
title_query?: string, 
/**
 * Queries run; default `[]`.
 */
queries: Array<string>, 
/**
 * Pages found; default `[]`.
 */
sources: Array<URLSource>, };

export type ThoughtTask = { 
/**
 * Status inside a workflow; default `"none"`.
 */
status_indicator: TaskStatusIndicator, 
/**
 * Title.
 */
title?: string, 
/**
 * The reasoning text (required).
 */
content: string, };

export type FileTask = { 
/**
 * Status inside a workflow; default `"none"`.
 */
status_indicator: TaskStatusIndicator, 
/**
 * Title.
 */
title?: string, 
/**
 * Files; default `[]`.
 */
sources: Array<FileSource>, };

export type ImageTask = { 
/**
 * Status inside a workflow; default `"none"`.
 */
status_indicator: TaskStatusIndicator, 
/**
 * Title.
 */
title?: string, };

export type WidgetRoot = { type: "Card" | "ListView" | "Basic", id?: string, key?: string, [prop: string]: unknown };

export type WidgetComponent = { type: string, id?: string, key?: string, [prop: string]: unknown };

export type Handler = "client" | "server";

export type LoadingBehavior = "auto" | "none" | "self" | "container";

export type ActionConfig = { 
/**
 * Action type, chosen by the integrator (e.g. `"session.save"`).
 */
type: string, 
/**
 * Arbitrary payload sent back with the action; omitted when `None`.
 */
payload?: JsonValue, 
/**
 * Who handles the action; default `"server"`.
 */
handler: Handler, 
/**
 * Loading state while the action runs (Python: `loadingBehavior`); default `"auto"`.
 */
loadingBehavior: LoadingBehavior, 
/**
 * `true` sends `threads.custom_action` (a streamed reply), `false` sends
 * `threads.sync_custom_action`; default `true`.
 */
streaming: boolean, };

export type Action = { 
/**
 * Action type.
 */
type: string, 
/**
 * Payload; `null` and absent both mean `None`, which is omitted on output.
 */
payload?: JsonValue, };
