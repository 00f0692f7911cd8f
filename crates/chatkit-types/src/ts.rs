//! TypeScript declarations of the wire types, for the web UI (feature `ts`).
//!
//! Most types derive `ts_rs::TS` (which reads their serde attributes); the types that serialize
//! through hand-written serde impls get hand-written declarations here. [`typescript`] renders
//! every wire type into one self-contained module (`web/src/gen/chatkit.ts`).

use std::path::PathBuf;

use ts_rs::TS;

use crate::*;

/// Implements `TS` for a type whose TypeScript form is a fixed alias.
macro_rules! ts_alias {
    ($ty:ty, $name:literal, $ts:expr) => {
        impl TS for $ty {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;

            fn name() -> String {
                $name.to_owned()
            }

            fn inline() -> String {
                ($ts).to_string()
            }

            fn inline_flattened() -> String {
                ($ts).to_string()
            }

            fn decl() -> String {
                format!("type {} = {};", $name, $ts)
            }

            fn decl_concrete() -> String {
                Self::decl()
            }

            fn output_path() -> Option<PathBuf> {
                Some(PathBuf::from(concat!($name, ".ts")))
            }
        }
    };
}

ts_alias!(Timestamp, "Timestamp", "string");
ts_alias!(ErrorCode, "ErrorCode", "\"stream.error\" | (string & {})");
ts_alias!(
    IconName,
    "IconName",
    format!(
        "{} | `vendor:${{string}}` | `lucide:${{string}}`",
        IconName::BUILT_IN.map(|n| format!("\"{n}\"")).join(" | ")
    )
);
ts_alias!(
    WidgetComponent,
    "WidgetComponent",
    "{ type: string, id?: string, key?: string, [prop: string]: unknown }"
);
ts_alias!(
    WidgetRoot,
    "WidgetRoot",
    "{ type: \"Card\" | \"ListView\" | \"Basic\", id?: string, key?: string, [prop: string]: unknown }"
);
ts_alias!(ChatKitReq, "ChatKitReq", "StreamingReq | NonStreamingReq");

/// Declarations of every wire type, in one module.
macro_rules! declarations {
    ($($ty:ty),* $(,)?) => {
        vec![$(<$ty as TS>::decl()),*]
    };
}

/// The TypeScript module of the wire types (what `web/src/gen/chatkit.ts` holds).
pub fn typescript() -> String {
    let decls: Vec<String> = declarations![
        // Scalars and open strings.
        Timestamp,
        IconName,
        ErrorCode,
        JsonValueDecl,
        // Requests.
        ChatKitReq,
        StreamingReq,
        NonStreamingReq,
        ThreadsCreateReq,
        ThreadsAddUserMessageReq,
        ThreadsAddClientToolOutputReq,
        ThreadsAddStructuredInputReq,
        ThreadsRetryAfterItemReq,
        ThreadsCustomActionReq,
        ThreadsGetByIdReq,
        ThreadsListReq,
        ItemsListReq,
        ItemsFeedbackReq,
        AttachmentsCreateReq,
        AttachmentsDeleteReq,
        ThreadsUpdateReq,
        ThreadsDeleteReq,
        InputTranscribeReq,
        ThreadsSyncCustomActionReq,
        ThreadGetByIdParams,
        ThreadCreateParams,
        Order,
        ThreadListParams,
        ThreadAddUserMessageParams,
        ThreadAddClientToolOutputParams,
        ThreadAddStructuredInputParams,
        ThreadCustomActionParams,
        ThreadRetryAfterItemParams,
        FeedbackKind,
        ItemFeedbackParams,
        AttachmentDeleteParams,
        AttachmentCreateParams,
        InputTranscribeParams,
        TranscriptionResult,
        ItemsListParams,
        ThreadUpdateParams,
        ThreadDeleteParams,
        // Stream events and item updates.
        ThreadStreamEvent,
        ThreadCreatedEvent,
        ThreadUpdatedEvent,
        ThreadItemAddedEvent,
        ThreadItemUpdatedEvent,
        ThreadItemDoneEvent,
        ThreadItemRemovedEvent,
        ThreadItemReplacedEvent,
        StreamOptions,
        StreamOptionsEvent,
        ProgressUpdateEvent,
        ClientEffectEvent,
        ErrorEvent,
        NoticeLevel,
        NoticeEvent,
        ThreadItemUpdate,
        AssistantMessageContentPartAdded,
        AssistantMessageContentPartTextDelta,
        AssistantMessageContentPartAnnotationAdded,
        AssistantMessageContentPartDone,
        WidgetStreamingTextValueDelta,
        WidgetRootUpdated,
        WidgetComponentUpdated,
        WorkflowTaskAdded,
        WorkflowTaskUpdated,
        GeneratedImageUpdated,
        SyncCustomActionResponse,
        // Threads and items.
        Page<ts_rs::Dummy>,
        ThreadStatus,
        ActiveStatus,
        LockedStatus,
        ClosedStatus,
        ThreadMetadata,
        Thread,
        ThreadItem,
        UserMessageItem,
        AssistantMessageItem,
        ClientToolCallItem,
        ClientToolCallStatus,
        WidgetItem,
        GeneratedImage,
        GeneratedImageItem,
        StructuredInputItem,
        StructuredInputItemStatus,
        WorkflowItem,
        TaskItem,
        HiddenContextItem,
        SDKHiddenContextItem,
        EndOfTurnItem,
        StructuredInputAnswer,
        StructuredInput,
        StructuredInputMultipleChoice,
        StructuredInputFreeform,
        StructuredInputMultipleChoiceOption,
        StructuredInputSubmissionStatus,
        StructuredInputSubmission,
        StructuredInputAnswerSubmission,
        // Messages, attachments, sources, workflows.
        AssistantMessageContent,
        Annotation,
        UserMessageInput,
        UserMessageContent,
        UserMessageTextContent,
        UserMessageTagContent,
        InferenceOptions,
        ToolChoice,
        Attachment,
        UploadMethod,
        AttachmentUploadDescriptor,
        FileAttachment,
        ImageAttachment,
        Source,
        FileSource,
        URLSource,
        EntitySource,
        EntityPreview,
        WorkflowType,
        Workflow,
        WorkflowSummary,
        CustomSummary,
        DurationSummary,
        TaskStatusIndicator,
        Task,
        CustomTask,
        SearchTask,
        ThoughtTask,
        FileTask,
        ImageTask,
        // Widgets and actions.
        WidgetRoot,
        WidgetComponent,
        Handler,
        LoadingBehavior,
        ActionConfig,
        Action,
    ];
    // Structs that write their own `type` (`#[serde(tag = "type", rename = ...)]`) are named
    // after the Python class in TypeScript; ts-rs would use that name as the tag value too, so the
    // wire value is put back here.
    let struct_tags = [
        ("AssistantMessageContent", "output_text"),
        ("Annotation", "annotation"),
        ("FileSource", "file"),
        ("URLSource", "url"),
        ("EntitySource", "entity"),
    ];
    let decls = decls.into_iter().map(|decl| {
        struct_tags.iter().fold(decl, |decl, (name, tag)| {
            if decl.starts_with(&format!("type {name} ")) {
                decl.replacen(
                    &format!("\"type\": \"{name}\""),
                    &format!("\"type\": \"{tag}\""),
                    1,
                )
            } else {
                decl
            }
        })
    });
    let mut out = String::from(
        "// Generated from the Rust wire types of `chatkit-types` (openai-chatkit 1.6.5).\n\
         // Do not edit: run `cargo test -p chatkit-types --features ts --test typescript`\n\
         // with CHATKIT_WRITE_TS=1 to regenerate.\n",
    );
    for decl in decls {
        out.push('\n');
        out.push_str("export ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}

/// Stands for `serde_json::Value` in the generated module.
struct JsonValueDecl;

ts_alias!(
    JsonValueDecl,
    "JsonValue",
    "number | string | boolean | Array<JsonValue> | { [key: string]: JsonValue } | null"
);
