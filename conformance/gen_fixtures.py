"""Writes the golden JSON fixtures of the ChatKit wire types, made by the official package.

    python conformance/gen_fixtures.py [--out DIR] [--check]

Every object is built with `openai-chatkit`'s own pydantic models (1.6.5, see requirements.txt)
and serialized with the server's own method (`ChatKitServer._serialize`, i.e.
`model_dump_json(by_alias=True, exclude_none=True, context={"exclude_metadata": True})`); threads
go through the server's `_to_thread_response` like every thread the server sends. Datetimes are
UTC-aware, so they come out as RFC 3339 with `Z` and round-trip exactly.

Each file is `<out>/<TypeDir>/<case>.json`:

    {"type": "<type the checker validates with>", "class": "<concrete Python class>",
     "value": <the JSON exactly as the package serializes it>,
     "input": <optional: a non-canonical JSON the package parses into `value`>}

`input` cases show what parsing tolerates and what serialization drops (nulls, unknown fields,
attachment metadata, epoch datetimes): parse `input`, serialize, and you must get `value`.

The output is deterministic (fixed ids and datetimes, sorted keys); `--check` regenerates in
memory and fails if the files on disk differ, are missing or are stale.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import chatkit_wire as wire
from chatkit.actions import Action, ActionConfig
from chatkit.types import (
    ActiveStatus,
    Annotation,
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartAnnotationAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    AttachmentCreateParams,
    AttachmentDeleteParams,
    AttachmentsCreateReq,
    AttachmentsDeleteReq,
    AttachmentUploadDescriptor,
    ClientEffectEvent,
    ClientToolCallItem,
    ClosedStatus,
    CustomSummary,
    CustomTask,
    DurationSummary,
    EndOfTurnItem,
    EntitySource,
    ErrorEvent,
    FileAttachment,
    FileSource,
    FileTask,
    GeneratedImage,
    GeneratedImageItem,
    GeneratedImageUpdated,
    HiddenContextItem,
    ImageAttachment,
    ImageTask,
    InferenceOptions,
    InputTranscribeParams,
    InputTranscribeReq,
    ItemFeedbackParams,
    ItemsFeedbackReq,
    ItemsListParams,
    ItemsListReq,
    LockedStatus,
    NoticeEvent,
    Page,
    ProgressUpdateEvent,
    SDKHiddenContextItem,
    SearchTask,
    StreamOptions,
    StreamOptionsEvent,
    StructuredInputAnswer,
    StructuredInputAnswerSubmission,
    StructuredInputFreeform,
    StructuredInputItem,
    StructuredInputMultipleChoice,
    StructuredInputMultipleChoiceOption,
    StructuredInputSubmission,
    SyncCustomActionResponse,
    TaskItem,
    Thread,
    ThreadItem,
    ThreadAddClientToolOutputParams,
    ThreadAddStructuredInputParams,
    ThreadAddUserMessageParams,
    ThreadCreatedEvent,
    ThreadCreateParams,
    ThreadCustomActionParams,
    ThreadDeleteParams,
    ThreadGetByIdParams,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemRemovedEvent,
    ThreadItemReplacedEvent,
    ThreadItemUpdatedEvent,
    ThreadListParams,
    ThreadMetadata,
    ThreadRetryAfterItemParams,
    ThreadsAddClientToolOutputReq,
    ThreadsAddStructuredInputReq,
    ThreadsAddUserMessageReq,
    ThreadsCreateReq,
    ThreadsCustomActionReq,
    ThreadsDeleteReq,
    ThreadsGetByIdReq,
    ThreadsListReq,
    ThreadsRetryAfterItemReq,
    ThreadsSyncCustomActionReq,
    ThreadsUpdateReq,
    ThreadUpdatedEvent,
    ThreadUpdateParams,
    ThoughtTask,
    ToolChoice,
    TranscriptionResult,
    URLSource,
    UserMessageInput,
    UserMessageItem,
    UserMessageTagContent,
    UserMessageTextContent,
    WidgetComponentUpdated,
    WidgetItem,
    WidgetRootUpdated,
    WidgetStreamingTextValueDelta,
    Workflow,
    WorkflowItem,
    WorkflowTaskAdded,
    WorkflowTaskUpdated,
)
from chatkit.errors import ErrorCode
from chatkit.widgets import (
    AreaSeries,
    Badge,
    BarSeries,
    Box,
    Button,
    Caption,
    Card,
    Chart,
    Checkbox,
    Col,
    DatePicker,
    Divider,
    Form,
    Icon,
    Image,
    Input,
    Label,
    LineSeries,
    ListView,
    ListViewItem,
    Markdown,
    RadioGroup,
    Row,
    Select,
    Spacer,
    Text,
    Textarea,
    Title,
    Transition,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "crates" / "chatkit-types" / "tests" / "fixtures"

# ---------------------------------------------------------------------------------------------
# Fixed ids and datetimes (UTC-aware so they serialize with `Z` and round-trip exactly).

UTC = timezone.utc
T0 = datetime(2026, 11, 21, 10, 26, 20, 630160, tzinfo=UTC)  # ...20.630160Z
T_WHOLE = datetime(2026, 11, 21, 10, 26, 21, tzinfo=UTC)  # ...21Z (no fraction)
T_MILLIS = datetime(2026, 11, 21, 10, 26, 22, 5000, tzinfo=UTC)  # ...22.005000Z (6 digits)
T1 = datetime(2026, 11, 21, 10, 26, 20, 636997, tzinfo=UTC)
T2 = datetime(2026, 11, 21, 10, 26, 20, 644729, tzinfo=UTC)
T3 = datetime(2026, 11, 21, 10, 27, 3, 112233, tzinfo=UTC)
T_OLD = datetime(2026, 10, 2, 8, 0, 0, 1, tzinfo=UTC)  # ...00.000001Z
EPOCH_T_WHOLE = int(T_WHOLE.timestamp())

PageOfItems = Page[ThreadItem]

THREAD = "thr_adfe7cf6"
THREAD_B = "thr_0c5e1a77"
THREAD_C = "thr_9d2b4f10"
USER_MSG = "msg_5fbf9c67"
ASSISTANT_MSG = "msg_927d679a"
WIDGET_MSG = "msg_31c7e0d2"
IMAGE_MSG = "msg_6a0f4b19"
STRUCTURED_MSG = "msg_b84e22c5"
TOOL_CALL = "tc_4e8a1f33"
WORKFLOW = "wf_1d3c5b7a"
TASK = "tsk_8f2e6d4c"
HIDDEN = "msg_7e7e7e7e"
SDK_HIDDEN = "shcx_0a1b2c3d"
END_TURN = "msg_e0e0e0e0"
ATT_FILE = "atc_5b1c9e02"
ATT_IMAGE = "atc_2a681564"


# ---------------------------------------------------------------------------------------------
# Building blocks


def text_input(text: str = "hi") -> UserMessageInput:
    return UserMessageInput(
        content=[UserMessageTextContent(text=text)],
        attachments=[],
        inference_options=InferenceOptions(),
    )


def full_input() -> UserMessageInput:
    """Everything ChatKit.js can put in a message: text, a tag, attachments, a quote, and the
    composer's tool and model choice."""
    return UserMessageInput(
        content=[
            UserMessageTextContent(text="Summarize "),
            UserMessageTagContent(
                id="doc_7",
                text="Q2 plan",
                data={"kind": "doc", "pages": 12, "tags": ["plan", "q2"]},
                group="Documents",
                interactive=True,
            ),
            UserMessageTextContent(text=" for the team"),
        ],
        attachments=[ATT_IMAGE, ATT_FILE],
        quoted_text="Revenue grew 12% quarter over quarter.",
        inference_options=InferenceOptions(
            tool_choice=ToolChoice(id="summarize"), model="gpt-4.1"
        ),
    )


def upload_put() -> AttachmentUploadDescriptor:
    return AttachmentUploadDescriptor(
        url=f"https://files.example/u/{ATT_IMAGE}", method="PUT", headers={"x-k": "v"}
    )


def upload_post() -> AttachmentUploadDescriptor:
    return AttachmentUploadDescriptor(
        url=f"https://uploads.example.com/v1/files/{ATT_FILE}", method="POST"
    )


def image_attachment(**kw: Any) -> ImageAttachment:
    base: dict[str, Any] = dict(
        id=ATT_IMAGE,
        name="a.png",
        mime_type="image/png",
        preview_url=f"https://files.example/p/{ATT_IMAGE}",
    )
    base.update(kw)
    return ImageAttachment(**base)


def file_attachment(**kw: Any) -> FileAttachment:
    base: dict[str, Any] = dict(id=ATT_FILE, name="report.pdf", mime_type="application/pdf")
    base.update(kw)
    return FileAttachment(**base)


def url_source(full: bool = True) -> URLSource:
    if not full:
        return URLSource(title="X", url="https://x.y")
    return URLSource(
        title="ChatKit docs",
        url="https://platform.openai.com/docs/guides/chatkit",
        description="Guide to the ChatKit server",
        timestamp="2026-11-20",
        group="Docs",
        attribution="OpenAI",
    )


def file_source() -> FileSource:
    return FileSource(title="Q2 plan", filename="q2-plan.pdf", description="Section 3")


def entity_source(full: bool = True) -> EntitySource:
    if not full:
        return EntitySource(title="Ada Lovelace", id="person_ada")
    return EntitySource(
        title="Ada Lovelace",
        id="person_ada",
        icon="profile",
        label="Person",
        inline_label="Ada",
        interactive=True,
        data={"href": "/people/ada", "score": 0.93, "active": True},
        description="Mathematician",
        group="People",
    )


def assistant_item(content: list[AssistantMessageContent], id: str = ASSISTANT_MSG) -> AssistantMessageItem:
    return AssistantMessageItem(id=id, thread_id=THREAD, created_at=T2, content=content)


def annotated_content() -> AssistantMessageContent:
    return AssistantMessageContent(
        text="Hello! See the guide, the plan and Ada.",
        annotations=[
            Annotation(source=url_source(), index=20),
            Annotation(source=file_source(), index=30),
            Annotation(source=entity_source(), index=38),
            Annotation(source=url_source(full=False)),
        ],
    )


def user_item(**kw: Any) -> UserMessageItem:
    base: dict[str, Any] = dict(
        id=USER_MSG,
        thread_id=THREAD,
        created_at=T1,
        content=[UserMessageTextContent(text="hi")],
        inference_options=InferenceOptions(),
    )
    base.update(kw)
    return UserMessageItem(**base)


def tool_call_item(completed: bool, output: Any = None) -> ClientToolCallItem:
    return ClientToolCallItem(
        id=TOOL_CALL,
        thread_id=THREAD,
        created_at=T2,
        status="completed" if completed else "pending",
        call_id="call_Qm3xZ7",
        name="get_selected_text",
        arguments={"max_chars": 2000, "include_html": False, "selector": None},
        output=output,
    )


def tasks() -> list[Any]:
    return [
        CustomTask(title="Planning", icon="lightbulb", content="Breaking the request down", status_indicator="complete"),
        SearchTask(
            title="Searched the web",
            title_query="chatkit protocol",
            queries=["chatkit protocol", "chatkit sse"],
            sources=[url_source(), url_source(full=False)],
            status_indicator="complete",
        ),
        ThoughtTask(title="Thinking", content="The user wants a summary of **Q2**.", status_indicator="loading"),
        FileTask(title="Read files", sources=[file_source()]),
        ImageTask(title="Rendering a chart"),
    ]


def action(type_: str = "contact.submit", **kw: Any) -> ActionConfig:
    return ActionConfig(type=type_, **kw)


def contact_card() -> Card:
    """A form card using most components, every ActionConfig field, and a datetime prop."""
    return Card(
        id="card_contact",
        key="contact-v1",
        asForm=True,
        size="md",
        padding={"x": 4, "y": 2},
        background={"light": "white", "dark": "gray-900"},
        status={"text": "Draft", "icon": "write"},
        collapsed=False,
        confirm={"label": "Send", "action": action(payload={"source": "card"})},
        cancel={
            "label": "Discard",
            "action": action("contact.discard", handler="client", loadingBehavior="none", streaming=False),
        },
        theme="light",
        children=[
            Title(value="Contact us", size="lg", weight="semibold"),
            Text(
                id="intro",
                value="We usually answer within a day.",
                color="secondary",
                size="sm",
                textAlign="start",
                truncate=True,
                maxLines=3,
            ),
            Form(
                onSubmitAction=action(payload={"form": "contact"}, loadingBehavior="container"),
                direction="col",
                gap=3,
                children=[
                    Label(value="Name", fieldName="name", size="sm", weight="medium"),
                    Input(name="name", placeholder="Your name", required=True, inputType="text", autoFocus=True),
                    Input(
                        name="contact.email",
                        inputType="email",
                        pattern="^[^@]+@[^@]+$",
                        variant="outline",
                        size="md",
                        defaultValue="ada@example.com",
                    ),
                    Select(
                        name="topic",
                        options=[
                            {"value": "billing", "label": "Billing"},
                            {"value": "bug", "label": "Bug report", "description": "Something broke", "disabled": False},
                        ],
                        placeholder="Topic",
                        defaultValue="billing",
                        clearable=True,
                        searchable=True,
                        onChangeAction=action("topic.changed", handler="client", loadingBehavior="self"),
                    ),
                    Textarea(name="message", rows=4, autoResize=True, maxRows=10, placeholder="How can we help?"),
                    Checkbox(name="subscribe", label="Subscribe to updates", defaultChecked=True),
                    RadioGroup(
                        name="priority",
                        options=[{"label": "Low", "value": "low"}, {"label": "High", "value": "high", "disabled": True}],
                        defaultValue="low",
                        direction="row",
                        ariaLabel="Priority",
                    ),
                    DatePicker(
                        name="callback_at",
                        defaultValue=T0,
                        min=T_WHOLE,
                        max=T3,
                        side="bottom",
                        align="start",
                        placeholder="Call me back",
                    ),
                    Row(
                        gap=2,
                        justify="end",
                        children=[
                            Button(
                                label="Cancel",
                                variant="outline",
                                onClickAction=action("contact.cancel", handler="client"),
                            ),
                            Button(
                                label="Send",
                                submit=True,
                                style="primary",
                                iconEnd="chevron-right",
                                color="primary",
                                size="md",
                                pill=True,
                                block=False,
                            ),
                        ],
                    ),
                ],
            ),
            Row(
                align="center",
                gap=3,
                children=[
                    Image(src="https://cdn.example.com/logo.png", alt="Logo", size=40, radius="full", fit="cover"),
                    Col(
                        gap=1,
                        flex=1,
                        children=[
                            Caption(value="Support team", color="tertiary"),
                            Badge(label="Online", color="success", variant="soft", pill=True),
                        ],
                    ),
                    Icon(name="lucide:mail", size="lg", color="secondary"),
                    Icon(name="vendor:acme-logo"),
                ],
            ),
            Divider(spacing=2, flush=True),
            Spacer(minSize=8),
            Markdown(id="md", value="**Note:** replies go to your *email*.", streaming=False),
            Box(
                direction="row",
                padding=2,
                border={"size": 1, "color": "subtle", "style": "dashed"},
                radius="md",
                background="surface-secondary",
                children=[
                    Text(
                        value="Nickname",
                        editable={"name": "nick", "placeholder": "Nickname", "required": False, "autoSelect": True},
                    )
                ],
            ),
            Transition(children=Text(id="status", value="Loading…", italic=True, lineThrough=False)),
        ],
    )


def minimal_card(text: str = "Saved") -> Card:
    return Card(children=[Text(value=text)])


def chart_card() -> Card:
    return Card(
        size="lg",
        children=[
            Chart(
                data=[
                    {"month": "Jan", "sales": 120, "returns": 4.5},
                    {"month": "Feb", "sales": 98, "returns": 2},
                ],
                series=[
                    BarSeries(label="Sales", dataKey="sales", stack="total", color="blue"),
                    AreaSeries(label="Returns", dataKey="returns", curveType="monotone"),
                    LineSeries(label="Trend", dataKey="sales", color={"light": "red-500", "dark": "red-300"}),
                ],
                xAxis={"dataKey": "month", "hide": False, "labels": {"Jan": "January"}},
                showYAxis=False,
                showLegend=True,
                showTooltip=True,
                barGap=4,
                height=200,
            )
        ],
    )


def list_view() -> ListView:
    return ListView(
        limit="auto",
        status={"text": "Recent orders", "favicon": "https://shop.example/favicon.ico", "frame": True},
        theme="dark",
        children=[
            ListViewItem(
                gap=2,
                align="center",
                onClickAction=action("order.open", payload={"id": "ord_1"}),
                children=[Icon(name="check-circle"), Text(value="Order #1", weight="bold")],
            ),
            ListViewItem(children=[Text(value="Order #2")]),
        ],
    )


UNKNOWN_COMPONENT: dict[str, Any] = {
    "type": "Sparkline",
    "id": "spark",
    "points": [3, 1, 4, 1, 5],
    "color": "blue-500",
    "options": {"smooth": True, "max": 9.5},
    "children": [{"type": "Text", "value": "inner"}],
}


def widget_item(widget: Any, copy_text: str | None = None, id: str = WIDGET_MSG) -> WidgetItem:
    return WidgetItem(id=id, thread_id=THREAD, created_at=T2, widget=widget, copy_text=copy_text)


def structured_item(status: str = "pending", answered: bool = False) -> StructuredInputItem:
    choice = StructuredInputMultipleChoice(
        id="q_color",
        question="Which colors?",
        options=[
            StructuredInputMultipleChoiceOption(value="red"),
            StructuredInputMultipleChoiceOption(value="blue"),
        ],
        multiple=True,
    )
    single = StructuredInputMultipleChoice(
        id="q_size", question="Size?", options=[StructuredInputMultipleChoiceOption(value="M")]
    )
    free = StructuredInputFreeform(id="q_notes", question="Anything else?", description="Optional notes")
    if answered:
        choice.answer = StructuredInputAnswer(values=["red", "blue"])
        single.answer = StructuredInputAnswer(values=["M"])
        free.answer = StructuredInputAnswer(skipped=True)
    if status == "skipped":
        for q in (choice, single, free):
            q.answer = StructuredInputAnswer(skipped=True)
    return StructuredInputItem(
        id=STRUCTURED_MSG, thread_id=THREAD, created_at=T2, status=status, inputs=[choice, single, free]
    )


def wire_thread(**kw: Any) -> Thread:
    """A thread the way the server sends it (through its own `_to_thread_response`)."""
    base: dict[str, Any] = dict(id=THREAD, created_at=T0, items=Page())
    base.update(kw)
    return wire.to_thread_response(Thread(**base))


def listed_thread(**kw: Any) -> Thread:
    """A thread the way threads.list / threads.update / thread.updated send it (from metadata)."""
    base: dict[str, Any] = dict(id=THREAD, created_at=T0)
    base.update(kw)
    return wire.to_thread_response(ThreadMetadata(**base))


def item_updates() -> dict[str, Any]:
    return {
        "content_part_added": AssistantMessageContentPartAdded(
            content_index=0, content=AssistantMessageContent(text="")
        ),
        "content_part_added_second_index": AssistantMessageContentPartAdded(
            content_index=1, content=AssistantMessageContent(text="Part two")
        ),
        "text_delta": AssistantMessageContentPartTextDelta(content_index=0, delta="Hello"),
        "text_delta_unicode": AssistantMessageContentPartTextDelta(
            content_index=0, delta=" — naïve café ✓ 日本語 😀\n\"quoted\"\t"
        ),
        "annotation_added_url_source": AssistantMessageContentPartAnnotationAdded(
            content_index=0, annotation_index=0, annotation=Annotation(source=url_source(full=False), index=5)
        ),
        "annotation_added_file_source": AssistantMessageContentPartAnnotationAdded(
            content_index=0, annotation_index=1, annotation=Annotation(source=file_source(), index=12)
        ),
        "annotation_added_entity_source": AssistantMessageContentPartAnnotationAdded(
            content_index=0, annotation_index=2, annotation=Annotation(source=entity_source())
        ),
        "annotation_added_entity_source_deprecated_preview": AssistantMessageContentPartAnnotationAdded(
            content_index=0,
            annotation_index=3,
            annotation=Annotation(
                source=EntitySource(title="Q2 plan", id="doc_7", preview="lazy", icon="document"), index=0
            ),
        ),
        "content_part_done": AssistantMessageContentPartDone(content_index=0, content=annotated_content()),
        "content_part_done_plain": AssistantMessageContentPartDone(
            content_index=0, content=AssistantMessageContent(text="Hello")
        ),
        "widget_streaming_text_delta": WidgetStreamingTextValueDelta(component_id="md", delta="Hel", done=False),
        "widget_streaming_text_delta_done": WidgetStreamingTextValueDelta(component_id="md", delta="lo.", done=True),
        "widget_component_updated": WidgetComponentUpdated(
            component_id="intro", component=Text(id="intro", value="Answered!", color="success")
        ),
        "widget_component_updated_unknown_component": WidgetComponentUpdated(
            component_id="spark", component=wire.validate("WidgetComponent", UNKNOWN_COMPONENT)
        ),
        "widget_root_updated": WidgetRootUpdated(widget=minimal_card("Updated")),
        "widget_root_updated_list_view": WidgetRootUpdated(widget=list_view()),
        "workflow_task_added_thought": WorkflowTaskAdded(
            task_index=0, task=ThoughtTask(content="Considering options", status_indicator="loading")
        ),
        "workflow_task_added_custom": WorkflowTaskAdded(task_index=1, task=CustomTask(title="Calling the API")),
        "workflow_task_updated_web_search": WorkflowTaskUpdated(task_index=1, task=tasks()[1]),
        "workflow_task_updated_file": WorkflowTaskUpdated(task_index=3, task=tasks()[3]),
        "workflow_task_updated_image": WorkflowTaskUpdated(
            task_index=4, task=ImageTask(title="Rendered", status_indicator="complete")
        ),
        "generated_image_updated_partial": GeneratedImageUpdated(
            image=GeneratedImage(id="img_1", url="data:image/png;base64,iVBORw0KGgo="), progress=0.5
        ),
        "generated_image_updated_final": GeneratedImageUpdated(
            image=GeneratedImage(id="img_1", url="https://files.example/img_1.png")
        ),
    }


# ---------------------------------------------------------------------------------------------
# The fixture set


class Fixtures:
    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.per_type: Counter[str] = Counter()

    def add(self, type_name: str, case: str, obj: Any = None, *, input: Any = None) -> None:
        if input is not None:
            obj = wire.validate(type_name, input)
        value = wire.to_json_value(obj)
        # Prove the fixture canonical: the package parses it back into the same class and
        # serializes that to the identical JSON.
        again = wire.validate(type_name, value)
        if type(again) is not type(obj):
            raise SystemExit(f"{type_name}/{case}: parses back as {type(again).__name__}, not {type(obj).__name__}")
        diff = wire.first_difference(wire.to_json_value(again), value)
        if diff:
            raise SystemExit(f"{type_name}/{case}: not canonical: {diff}")
        doc: dict[str, Any] = {"type": type_name, "class": wire.class_name(obj), "value": value}
        if input is not None:
            doc["input"] = input
        rel = f"{wire.fixture_dir_name(type_name)}/{case}.json"
        if rel in self.files:
            raise SystemExit(f"duplicate fixture {rel}")
        self.files[rel] = wire.dump_fixture(doc)
        self.per_type[type_name] += 1


def requests(f: Fixtures) -> None:
    T = "ChatKitReq"
    f.add(T, "threads_create_minimal", ThreadsCreateReq(params=ThreadCreateParams(input=text_input())))
    f.add(T, "threads_create_full_input", ThreadsCreateReq(params=ThreadCreateParams(input=full_input())))
    f.add(
        T,
        "threads_create_tag_defaults_and_unicode",
        ThreadsCreateReq(
            params=ThreadCreateParams(
                input=UserMessageInput(
                    content=[
                        UserMessageTagContent(id="t1", text="naïve ✓", data={}),
                        UserMessageTextContent(text="héllo 日本 😀 \"q\" \\ </script>"),
                    ],
                    attachments=[],
                    inference_options=InferenceOptions(model="gpt-4.1-mini"),
                )
            )
        ),
    )
    f.add(
        T,
        "threads_create_with_request_metadata",
        ThreadsCreateReq(
            params=ThreadCreateParams(input=text_input()),
            metadata={"source": "web", "nested": {"a": [1, 2]}},
        ),
    )
    f.add(
        T,
        "threads_create_as_chatkit_js_sends_it",
        input={
            "type": "threads.create",
            "params": {
                "input": {
                    "content": [
                        {"type": "input_text", "text": "Summarize "},
                        {"type": "input_tag", "id": "doc_7", "text": "Q2 plan", "data": {"kind": "doc"}, "interactive": True},
                    ],
                    "attachments": [ATT_IMAGE],
                    "quoted_text": None,
                    "inference_options": {"tool_choice": {"id": "summarize"}, "model": "gpt-4.1"},
                    "unknown_client_field": {"ignored": True},
                }
            },
        },
    )
    f.add(
        T,
        "threads_add_user_message",
        ThreadsAddUserMessageReq(params=ThreadAddUserMessageParams(thread_id=THREAD, input=text_input("and then?"))),
    )
    f.add(
        T,
        "threads_add_user_message_full_input",
        ThreadsAddUserMessageReq(params=ThreadAddUserMessageParams(thread_id=THREAD, input=full_input())),
    )
    f.add(
        T,
        "threads_add_client_tool_output_object",
        ThreadsAddClientToolOutputReq(
            params=ThreadAddClientToolOutputParams(
                thread_id=THREAD, result={"text": "selected", "length": 8, "html": None}
            )
        ),
    )
    f.add(
        T,
        "threads_add_client_tool_output_string",
        ThreadsAddClientToolOutputReq(params=ThreadAddClientToolOutputParams(thread_id=THREAD, result="done")),
    )
    f.add(
        T,
        "threads_add_client_tool_output_array",
        ThreadsAddClientToolOutputReq(params=ThreadAddClientToolOutputParams(thread_id=THREAD, result=[1, "two", False])),
    )
    f.add(
        T,
        "threads_add_structured_input_answered",
        ThreadsAddStructuredInputReq(
            params=ThreadAddStructuredInputParams(
                thread_id=THREAD,
                item_id=STRUCTURED_MSG,
                input=StructuredInputSubmission(
                    status="answered",
                    answers={
                        "q_color": StructuredInputAnswerSubmission(values=["red", "blue"]),
                        "q_size": StructuredInputAnswerSubmission(values=["M"]),
                        "q_notes": StructuredInputAnswerSubmission(skipped=True),
                    },
                ),
            )
        ),
    )
    f.add(
        T,
        "threads_add_structured_input_skipped",
        ThreadsAddStructuredInputReq(
            params=ThreadAddStructuredInputParams(
                thread_id=THREAD, item_id=STRUCTURED_MSG, input=StructuredInputSubmission(status="skipped")
            )
        ),
    )
    f.add(
        T,
        "threads_add_structured_input_defaults",
        input={
            "type": "threads.add_structured_input",
            "params": {"thread_id": THREAD, "item_id": STRUCTURED_MSG, "input": {"answers": {"q_size": {}}}},
        },
    )
    f.add(
        T,
        "threads_retry_after_item",
        ThreadsRetryAfterItemReq(params=ThreadRetryAfterItemParams(thread_id=THREAD, item_id=USER_MSG)),
    )
    f.add(
        T,
        "threads_custom_action_with_item_and_payload",
        ThreadsCustomActionReq(
            params=ThreadCustomActionParams(
                thread_id=THREAD,
                item_id=WIDGET_MSG,
                action=Action[str, Any](type="contact.submit", payload={"name": "Ada", "contact": {"email": "ada@example.com"}, "subscribe": True}),
            )
        ),
    )
    f.add(
        T,
        "threads_custom_action_no_item_no_payload",
        ThreadsCustomActionReq(
            params=ThreadCustomActionParams(thread_id=THREAD, action=Action[str, Any](type="session.refresh"))
        ),
    )
    f.add(
        T,
        "threads_custom_action_with_action_config_keys",
        input={
            "type": "threads.custom_action",
            "params": {
                "item_id": "cti_1",
                "action": {
                    "type": "session.save",
                    "payload": {"id": "42"},
                    "handler": "server",
                    "loadingBehavior": "auto",
                    "streaming": True,
                },
                "thread_id": "cthr_1",
            },
        },
    )
    f.add(
        T,
        "threads_sync_custom_action",
        ThreadsSyncCustomActionReq(
            params=ThreadCustomActionParams(
                thread_id=THREAD,
                item_id=WIDGET_MSG,
                action=Action[str, Any](type="topic.changed", payload={"topic": "bug"}),
            )
        ),
    )
    f.add(
        T,
        "threads_sync_custom_action_scalar_payload",
        ThreadsSyncCustomActionReq(
            params=ThreadCustomActionParams(thread_id=THREAD, action=Action[str, Any](type="counter.add", payload=3))
        ),
    )
    f.add(T, "threads_get_by_id", ThreadsGetByIdReq(params=ThreadGetByIdParams(thread_id=THREAD)))
    f.add(T, "threads_list_defaults", ThreadsListReq(params=ThreadListParams()))
    f.add(T, "threads_list_empty_params", input={"type": "threads.list", "params": {}})
    f.add(
        T,
        "threads_list_paged_asc",
        ThreadsListReq(params=ThreadListParams(limit=20, order="asc", after=THREAD_B)),
    )
    f.add(T, "threads_update", ThreadsUpdateReq(params=ThreadUpdateParams(thread_id=THREAD, title="Renamed ✓")))
    f.add(T, "threads_delete", ThreadsDeleteReq(params=ThreadDeleteParams(thread_id=THREAD)))
    f.add(T, "items_list_defaults", ItemsListReq(params=ItemsListParams(thread_id=THREAD)))
    f.add(
        T,
        "items_list_paged",
        ItemsListReq(params=ItemsListParams(thread_id=THREAD, limit=5, order="asc", after=USER_MSG)),
    )
    f.add(
        T,
        "items_feedback_positive",
        ItemsFeedbackReq(params=ItemFeedbackParams(thread_id=THREAD, item_ids=[ASSISTANT_MSG], kind="positive")),
    )
    f.add(
        T,
        "items_feedback_negative_many",
        ItemsFeedbackReq(
            params=ItemFeedbackParams(thread_id=THREAD, item_ids=[ASSISTANT_MSG, WIDGET_MSG], kind="negative")
        ),
    )
    f.add(
        T,
        "attachments_create",
        AttachmentsCreateReq(params=AttachmentCreateParams(name="a.png", size=48213, mime_type="image/png")),
    )
    f.add(
        T,
        "attachments_create_file",
        AttachmentsCreateReq(params=AttachmentCreateParams(name="report.pdf", size=0, mime_type="application/pdf")),
    )
    f.add(T, "attachments_delete", AttachmentsDeleteReq(params=AttachmentDeleteParams(attachment_id=ATT_IMAGE)))
    f.add(
        T,
        "input_transcribe_webm_opus",
        InputTranscribeReq(
            params=InputTranscribeParams(audio_base64="GkXfo59ChoEBQveBAULygQRC84EIQoKEd2VibQ==", mime_type="audio/webm;codecs=opus")
        ),
    )
    f.add(
        T,
        "input_transcribe_mp4",
        InputTranscribeReq(params=InputTranscribeParams(audio_base64="AAAAGGZ0eXBtcDQy", mime_type="audio/mp4")),
    )


def thread_items(f: Fixtures) -> None:
    T = "ThreadItem"
    f.add(T, "user_message_text_only", user_item())
    f.add(
        T,
        "user_message_with_attachments_quote_and_inference_options",
        user_item(
            content=full_input().content,
            attachments=[image_attachment(thread_id=THREAD), file_attachment(thread_id=THREAD)],
            quoted_text="Revenue grew 12% quarter over quarter.",
            inference_options=InferenceOptions(tool_choice=ToolChoice(id="summarize"), model="gpt-4.1"),
        ),
    )
    f.add(
        T,
        "user_message_attachment_with_upload_descriptor",
        user_item(attachments=[image_attachment(thread_id=THREAD, upload_descriptor=upload_put())]),
    )
    f.add(
        T,
        "user_message_nulls_omitted",
        input={
            "id": USER_MSG,
            "thread_id": THREAD,
            "created_at": "2026-11-21T10:26:20.636997Z",
            "type": "user_message",
            "content": [{"type": "input_text", "text": "hi"}],
            "attachments": [],
            "quoted_text": None,
            "inference_options": {"tool_choice": None, "model": None},
        },
    )
    f.add(T, "assistant_message_empty", assistant_item([]))
    f.add(T, "assistant_message_plain", assistant_item([AssistantMessageContent(text="Hello")]))
    f.add(T, "assistant_message_annotations_all_sources", assistant_item([annotated_content()]))
    f.add(
        T,
        "assistant_message_multiple_parts",
        assistant_item([AssistantMessageContent(text="First."), AssistantMessageContent(text="")]),
    )
    f.add(T, "client_tool_call_pending", tool_call_item(completed=False))
    f.add(
        T,
        "client_tool_call_completed_object_output",
        tool_call_item(completed=True, output={"text": "selected", "empty": None, "n": 1.5}),
    )
    f.add(T, "client_tool_call_completed_string_output", tool_call_item(completed=True, output="ok"))
    f.add(T, "client_tool_call_completed_false_output", tool_call_item(completed=True, output=False))
    f.add(T, "widget_card_form_with_copy_text", widget_item(contact_card(), copy_text="Contact us"))
    f.add(T, "widget_card_minimal", widget_item(minimal_card()))
    f.add(T, "widget_chart", widget_item(chart_card()))
    f.add(T, "widget_list_view", widget_item(list_view()))
    f.add(
        T,
        "widget_card_with_unknown_component",
        widget_item(wire.validate("Widget", {"type": "Card", "children": [{"type": "Text", "value": "Before"}, UNKNOWN_COMPONENT]})),
    )
    f.add(T, "generated_image_pending", GeneratedImageItem(id=IMAGE_MSG, thread_id=THREAD, created_at=T2))
    f.add(
        T,
        "generated_image_done",
        GeneratedImageItem(
            id=IMAGE_MSG, thread_id=THREAD, created_at=T2, image=GeneratedImage(id="img_1", url="https://files.example/img_1.png")
        ),
    )
    f.add(T, "structured_input_pending", structured_item())
    f.add(T, "structured_input_answered", structured_item("answered", answered=True))
    f.add(T, "structured_input_skipped", structured_item("skipped"))
    f.add(
        T,
        "workflow_custom_all_task_types",
        WorkflowItem(
            id=WORKFLOW,
            thread_id=THREAD,
            created_at=T2,
            workflow=Workflow(type="custom", tasks=tasks(), summary=CustomSummary(title="Did 5 things", icon="check-circle"), expanded=True),
        ),
    )
    f.add(
        T,
        "workflow_reasoning_duration_summary",
        WorkflowItem(
            id=WORKFLOW,
            thread_id=THREAD,
            created_at=T2,
            workflow=Workflow(type="reasoning", tasks=[ThoughtTask(content="Step one")], summary=DurationSummary(duration=12)),
        ),
    )
    f.add(
        T,
        "workflow_custom_summary_without_icon",
        WorkflowItem(
            id=WORKFLOW, thread_id=THREAD, created_at=T2, workflow=Workflow(type="custom", tasks=[], summary=CustomSummary(title="Working"))
        ),
    )
    f.add(
        T,
        "workflow_no_summary",
        WorkflowItem(id=WORKFLOW, thread_id=THREAD, created_at=T2, workflow=Workflow(type="reasoning", tasks=[])),
    )
    for i, task in enumerate(tasks()):
        f.add(T, f"task_{task.type}", TaskItem(id=f"{TASK}{i}", thread_id=THREAD, created_at=T2, task=task))
    f.add(T, "task_custom_defaults", TaskItem(id=TASK, thread_id=THREAD, created_at=T2, task=CustomTask()))
    f.add(T, "task_web_search_defaults", TaskItem(id=TASK, thread_id=THREAD, created_at=T2, task=SearchTask()))
    f.add(T, "end_of_turn", EndOfTurnItem(id=END_TURN, thread_id=THREAD, created_at=T3))
    f.add(
        T,
        "hidden_context_item_object",
        HiddenContextItem(id=HIDDEN, thread_id=THREAD, created_at=T2, content={"user_tz": "Europe/Paris", "plan": None}),
    )
    f.add(
        T,
        "hidden_context_item_string",
        HiddenContextItem(id=HIDDEN, thread_id=THREAD, created_at=T2, content="<context>the user is on the pricing page</context>"),
    )
    f.add(
        T,
        "sdk_hidden_context",
        SDKHiddenContextItem(
            id=SDK_HIDDEN, thread_id=THREAD, created_at=T3, content="The user cancelled the stream. Stop responding to the prior request."
        ),
    )
    f.add(
        T,
        "created_at_whole_seconds",
        EndOfTurnItem(id=END_TURN, thread_id=THREAD, created_at=T_WHOLE),
    )
    f.add(
        T,
        "created_at_one_microsecond",
        EndOfTurnItem(id=END_TURN, thread_id=THREAD, created_at=T_OLD),
    )


def threads(f: Fixtures) -> None:
    T = "Thread"
    f.add(T, "active_empty", wire_thread())
    f.add(T, "created_at_whole_seconds", wire_thread(created_at=T_WHOLE))
    f.add(T, "created_at_trailing_zero_microseconds", wire_thread(created_at=T_MILLIS))
    f.add(
        T,
        "created_at_epoch_seconds_input",
        input={"id": THREAD, "created_at": EPOCH_T_WHOLE, "items": {"data": []}, "title": None},
    )
    f.add(
        T,
        "with_title_and_first_page_of_items",
        wire_thread(
            title="Greeting",
            items=Page(
                data=[user_item(), assistant_item([AssistantMessageContent(text="Hello")])],
                has_more=True,
                after=ASSISTANT_MSG,
            ),
        ),
    )
    f.add(
        T,
        "hidden_items_filtered",
        wire_thread(
            title="Filtered",
            items=Page(
                data=[
                    user_item(),
                    HiddenContextItem(id=HIDDEN, thread_id=THREAD, created_at=T2, content={"k": 1}),
                    SDKHiddenContextItem(id=SDK_HIDDEN, thread_id=THREAD, created_at=T3, content="cancelled"),
                    EndOfTurnItem(id=END_TURN, thread_id=THREAD, created_at=T3),
                ]
            ),
        ),
    )
    f.add(T, "stored_metadata_never_sent", listed_thread(title="Private", metadata={"tenant": "acme", "secret": 1}))
    f.add(T, "status_active_explicit", listed_thread(status=ActiveStatus()))
    f.add(T, "status_locked_with_reason", listed_thread(status=LockedStatus(reason="Read-only while we review.")))
    f.add(T, "status_locked_without_reason", listed_thread(status=LockedStatus()))
    f.add(T, "status_closed_with_reason", listed_thread(status=ClosedStatus(reason="This chat has ended.")))
    f.add(T, "status_closed_without_reason", listed_thread(status=ClosedStatus()))
    f.add(
        T,
        "allowed_image_domains",
        listed_thread(title="Images", allowed_image_domains=["files.example", "cdn.example.com"]),
    )
    f.add(T, "allowed_image_domains_empty", listed_thread(allowed_image_domains=[]))
    f.add(T, "title_empty_string", listed_thread(title=""))


def pages(f: Fixtures) -> None:
    f.add("Page[Thread]", "empty", Page[Thread]())
    f.add(
        "Page[Thread]",
        "first_page_has_more",
        Page[Thread](
            data=[
                listed_thread(id=THREAD, title="Greeting", created_at=T3),
                listed_thread(id=THREAD_B, created_at=T0, status=LockedStatus(reason="archived")),
            ],
            has_more=True,
            after=THREAD_B,
        ),
    )
    f.add(
        "Page[Thread]",
        "last_page",
        Page[Thread](
            data=[listed_thread(id=THREAD_C, title="Oldest", created_at=T_OLD, allowed_image_domains=["files.example"])],
            has_more=False,
        ),
    )
    P = "Page[ThreadItem]"
    f.add(P, "empty", PageOfItems())
    f.add(
        P,
        "first_page_has_more",
        PageOfItems(
            data=[
                user_item(attachments=[image_attachment(thread_id=THREAD)]),
                assistant_item([annotated_content()]),
            ],
            has_more=True,
            after=ASSISTANT_MSG,
        ),
    )
    f.add(
        P,
        "last_page_mixed_items",
        PageOfItems(
            data=[
                tool_call_item(completed=True, output={"ok": True}),
                widget_item(minimal_card()),
                WorkflowItem(id=WORKFLOW, thread_id=THREAD, created_at=T3, workflow=Workflow(type="reasoning", tasks=[ThoughtTask(content="hm")])),
                structured_item(),
                EndOfTurnItem(id=END_TURN, thread_id=THREAD, created_at=T3),
            ]
        ),
    )
    f.add(
        P,
        "has_more_false_with_after",
        PageOfItems(data=[user_item()], has_more=False, after=USER_MSG),
    )


def attachments(f: Fixtures) -> None:
    T = "Attachment"
    f.add(T, "file_minimal", file_attachment())
    f.add(T, "file_with_post_upload_descriptor", file_attachment(upload_descriptor=upload_post()))
    f.add(T, "file_with_thread_id", file_attachment(thread_id=THREAD))
    f.add(T, "image_with_put_upload_descriptor", image_attachment(upload_descriptor=upload_put()))
    f.add(T, "image_uploaded_in_thread", image_attachment(thread_id=THREAD))
    f.add(
        T,
        "image_signed_preview_url",
        image_attachment(preview_url="https://files.example/p/atc_2a681564?sig=abc%2F123&exp=1795256780"),
    )
    f.add(
        T,
        "image_metadata_never_serialized",
        input={
            "id": ATT_IMAGE,
            "name": "a.png",
            "mime_type": "image/png",
            "type": "image",
            "preview_url": f"https://files.example/p/{ATT_IMAGE}",
            "upload_descriptor": {"url": f"https://files.example/u/{ATT_IMAGE}", "method": "PUT", "headers": {"x-k": "v"}},
            "metadata": {"s3_key": "uploads/a.png", "owner": "user_1"},
        },
    )
    f.add(
        T,
        "file_metadata_and_nulls_dropped",
        input={
            "id": ATT_FILE,
            "name": "report.pdf",
            "mime_type": "application/pdf",
            "type": "file",
            "upload_descriptor": None,
            "thread_id": None,
            "metadata": {"bytes": 1024},
        },
    )


def misc(f: Fixtures) -> None:
    f.add("TranscriptionResult", "text", TranscriptionResult(text="Schedule a call for Tuesday."))
    f.add("TranscriptionResult", "empty", TranscriptionResult(text=""))
    f.add("TranscriptionResult", "unicode", TranscriptionResult(text="Réserve une table à 20 h ✓"))
    f.add(
        "SyncCustomActionResponse",
        "with_updated_widget_item",
        SyncCustomActionResponse(updated_item=widget_item(minimal_card("Topic: bug"))),
    )
    f.add(
        "SyncCustomActionResponse",
        "with_updated_form_card",
        SyncCustomActionResponse(updated_item=widget_item(contact_card(), copy_text="form")),
    )
    f.add("SyncCustomActionResponse", "without_widget", SyncCustomActionResponse())


def widgets(f: Fixtures) -> None:
    W = "Widget"
    f.add(W, "card_form_all_components", contact_card())
    f.add(W, "card_minimal", minimal_card())
    f.add(W, "card_chart", chart_card())
    f.add(W, "list_view", list_view())
    f.add(
        W,
        "basic_root_with_nested_card",
        wire.validate(
            W,
            {
                "type": "Basic",
                "direction": "col",
                "gap": 2,
                "children": [
                    {"type": "Title", "value": "Ada Lovelace"},
                    {"type": "Card", "children": [{"type": "Text", "value": "nested card"}]},
                ],
            },
        ),
    )
    f.add(
        W,
        "card_with_unknown_component",
        wire.validate(W, {"type": "Card", "children": [{"type": "Text", "value": "Before"}, UNKNOWN_COMPONENT]}),
    )
    f.add(
        W,
        "card_template_without_children",
        wire.validate(W, {"type": "Card", "templateProp": "kept", "size": "sm"}),
    )
    C = "WidgetComponent"
    f.add(C, "unknown_component", wire.validate(C, UNKNOWN_COMPONENT))
    f.add(C, "text_streaming", Text(id="md", value="Hel", streaming=True))
    f.add(
        C,
        "button_with_action_defaults",
        Button(label="Go", iconStart="sparkle", onClickAction=action("go")),
    )


def events(f: Fixtures) -> None:
    E = "ThreadStreamEvent"
    f.add(E, "thread_created", ThreadCreatedEvent(thread=wire_thread()))
    f.add(E, "thread_updated_title", ThreadUpdatedEvent(thread=listed_thread(title="Greeting")))
    f.add(
        E,
        "thread_updated_locked_status",
        ThreadUpdatedEvent(thread=listed_thread(title="Greeting", status=LockedStatus(reason="Limit reached"))),
    )
    f.add(E, "thread_updated_closed_status", ThreadUpdatedEvent(thread=listed_thread(status=ClosedStatus())))
    f.add(
        E,
        "thread_updated_allowed_image_domains",
        ThreadUpdatedEvent(thread=listed_thread(allowed_image_domains=["files.example"])),
    )
    f.add(
        E,
        "item_done_user_message_with_attachment",
        ThreadItemDoneEvent(
            item=user_item(attachments=[image_attachment(thread_id=THREAD, upload_descriptor=upload_put())])
        ),
    )
    f.add(E, "item_added_assistant_message_empty", ThreadItemAddedEvent(item=assistant_item([])))
    f.add(
        E,
        "item_done_assistant_message",
        ThreadItemDoneEvent(item=assistant_item([AssistantMessageContent(text="Hello")])),
    )
    f.add(E, "item_done_client_tool_call_pending", ThreadItemDoneEvent(item=tool_call_item(completed=False)))
    f.add(E, "item_done_widget", ThreadItemDoneEvent(item=widget_item(contact_card(), copy_text="Contact us")))
    f.add(E, "item_added_widget_streaming", ThreadItemAddedEvent(item=widget_item(Card(children=[Markdown(id="md", value="", streaming=True)]))))
    f.add(E, "item_added_workflow", ThreadItemAddedEvent(item=WorkflowItem(id=WORKFLOW, thread_id=THREAD, created_at=T2, workflow=Workflow(type="reasoning", tasks=[]))))
    f.add(E, "item_done_task", ThreadItemDoneEvent(item=TaskItem(id=TASK, thread_id=THREAD, created_at=T2, task=tasks()[0])))
    f.add(E, "item_added_generated_image", ThreadItemAddedEvent(item=GeneratedImageItem(id=IMAGE_MSG, thread_id=THREAD, created_at=T2)))
    f.add(E, "item_done_structured_input", ThreadItemDoneEvent(item=structured_item()))
    f.add(E, "item_done_end_of_turn", ThreadItemDoneEvent(item=EndOfTurnItem(id=END_TURN, thread_id=THREAD, created_at=T3)))
    for case, update in item_updates().items():
        f.add(E, f"item_updated_{case}", ThreadItemUpdatedEvent(item_id=ASSISTANT_MSG, update=update))
    f.add(E, "item_removed", ThreadItemRemovedEvent(item_id=ASSISTANT_MSG))
    f.add(E, "item_replaced_widget", ThreadItemReplacedEvent(item=widget_item(minimal_card("Replaced"))))
    f.add(
        E,
        "item_replaced_structured_input_answered",
        ThreadItemReplacedEvent(item=structured_item("answered", answered=True)),
    )
    f.add(
        E,
        "item_replaced_client_tool_call_completed",
        ThreadItemReplacedEvent(item=tool_call_item(completed=True, output={"text": "ok"})),
    )
    f.add(E, "stream_options_allow_cancel", StreamOptionsEvent(stream_options=StreamOptions(allow_cancel=True)))
    f.add(E, "stream_options_no_cancel", StreamOptionsEvent(stream_options=StreamOptions(allow_cancel=False)))
    f.add(E, "progress_update_with_icon", ProgressUpdateEvent(icon="search", text="Searching"))
    f.add(E, "progress_update_lucide_icon", ProgressUpdateEvent(icon="lucide:loader", text="Loading…"))
    f.add(E, "progress_update_without_icon", ProgressUpdateEvent(text="Working"))
    f.add(E, "client_effect_with_data", ClientEffectEvent(name="toast", data={"t": "do", "n": None, "list": [1, {"a": None}]}))
    f.add(E, "client_effect_empty_data", ClientEffectEvent(name="refresh"))
    f.add(E, "notice_info", NoticeEvent(level="info", message="ok"))
    f.add(
        E,
        "notice_warning_with_title",
        NoticeEvent(level="warning", title="Heads up", message="You have **3** messages left. [Upgrade](https://example.com/upgrade)"),
    )
    f.add(E, "notice_danger", NoticeEvent(level="danger", message="Quota exceeded."))
    f.add(E, "error_stream_error_allow_retry", ErrorEvent(code=ErrorCode.STREAM_ERROR, allow_retry=True))
    f.add(E, "error_stream_error_no_retry", ErrorEvent(code=ErrorCode.STREAM_ERROR, allow_retry=False))
    f.add(E, "error_custom_with_message", ErrorEvent(code="custom", message="The upstream model is overloaded.", allow_retry=True))
    f.add(E, "error_custom_without_retry", ErrorEvent(message="Not allowed."))
    f.add(E, "error_defaults_input", input={"type": "error"})
    f.add(
        E,
        "unknown_fields_ignored_input",
        input={
            "type": "progress_update",
            "text": "Searching",
            "icon": None,
            "future_field": {"x": 1},
        },
    )


def item_update_values(f: Fixtures) -> None:
    for case, update in item_updates().items():
        f.add("ThreadItemUpdate", case, update)


def build() -> Fixtures:
    f = Fixtures()
    requests(f)
    events(f)
    item_update_values(f)
    thread_items(f)
    threads(f)
    pages(f)
    attachments(f)
    misc(f)
    widgets(f)
    return f


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixture directory (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="fail if the files on disk differ from a fresh generation")
    args = ap.parse_args(argv)
    wire.require_pinned_version()

    fixtures = build()
    out: Path = args.out
    on_disk = {p.relative_to(out).as_posix() for p in out.glob("*/*.json")} if out.is_dir() else set()
    stale = sorted(on_disk - set(fixtures.files))
    changed = sorted(
        rel for rel, text in fixtures.files.items()
        if not (out / rel).is_file() or (out / rel).read_text(encoding="utf-8") != text
    )

    if args.check:
        for rel in changed:
            print(f"{out / rel}: differs from gen_fixtures.py's output (missing or changed)")
        for rel in stale:
            print(f"{out / rel}: not produced by gen_fixtures.py (stale)")
        bad = len(changed) + len(stale)
        print(f"fixtures: {len(fixtures.files) - len(changed)} passed, {bad} failed")
        if bad:
            print("run: bash scripts/conformance.sh gen", file=sys.stderr)
        return 1 if bad else 0

    for rel in changed:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fixtures.files[rel], encoding="utf-8")
    for rel in stale:
        (out / rel).unlink()
    for d in sorted(out.iterdir()):
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()
    for type_name, n in sorted(fixtures.per_type.items()):
        print(f"{n:4d}  {type_name}")
    print(f"{len(fixtures.files):4d}  fixtures in {out} ({len(changed)} written, {len(stale)} removed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
