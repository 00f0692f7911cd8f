"""What the conformance harness knows about the official package's wire format.

Shared by gen_fixtures.py (writes the golden fixtures) and check.py (checks our JSON against the
package). Everything here defers to the installed `openai-chatkit` (pinned in requirements.txt):
the type adapters are the package's own unions and the serializer is the server's own method.
"""

from __future__ import annotations

import json
import warnings
from importlib import metadata
from typing import Any

# The named widget classes are deprecated in favour of templates, and EntitySource.preview is a
# deprecated field; both still exist on the wire, so the harness uses them without the noise.
warnings.simplefilter("ignore", DeprecationWarning)

from pydantic import BaseModel, TypeAdapter  # noqa: E402

from chatkit.server import ChatKitServer  # noqa: E402
from chatkit.types import (  # noqa: E402
    Attachment,
    ChatKitReq,
    Page,
    SyncCustomActionResponse,
    Thread,
    ThreadItem,
    ThreadItemUpdate,
    ThreadStreamEvent,
    TranscriptionResult,
)
from chatkit.widgets import WidgetComponent, WidgetRoot  # noqa: E402

CHATKIT_VERSION = "1.6.5"

# Type names used in fixture files (`"type"`) and in `value` records, mapped to what the package
# validates them with. `Widget` is the package's `WidgetRoot` (Card | ListView | Basic).
TYPES: dict[str, Any] = {
    "ChatKitReq": ChatKitReq,
    "ThreadStreamEvent": ThreadStreamEvent,
    "ThreadItemUpdate": ThreadItemUpdate,
    "ThreadItem": ThreadItem,
    "Thread": Thread,
    "Page[Thread]": Page[Thread],
    "Page[ThreadItem]": Page[ThreadItem],
    "Attachment": Attachment,
    "TranscriptionResult": TranscriptionResult,
    "SyncCustomActionResponse": SyncCustomActionResponse,
    "Widget": WidgetRoot,
    "WidgetComponent": WidgetComponent,
}


def fixture_dir_name(type_name: str) -> str:
    """Directory of a type's fixtures: `Page[Thread]` -> `Page_Thread` (no glob characters)."""
    return type_name.replace("[", "_").replace("]", "")


# Accept the directory spelling too, for convenience.
TYPE_ALIASES: dict[str, str] = {fixture_dir_name(name): name for name in TYPES}

# Reply body type of each non-streaming op, exactly as ChatKitServer._process_non_streaming
# (1.6.5) produces it. None = a "void" op whose body is the literal `{}`.
REPLY_TYPES: dict[str, str | None] = {
    "threads.get_by_id": "Thread",
    "threads.list": "Page[Thread]",
    "threads.update": "Thread",
    "items.list": "Page[ThreadItem]",
    "attachments.create": "Attachment",
    "input.transcribe": "TranscriptionResult",
    "threads.sync_custom_action": "SyncCustomActionResponse",
    "threads.delete": None,
    "items.feedback": None,
    "attachments.delete": None,
}

STREAMING_OPS: frozenset[str] = frozenset(
    {
        "threads.create",
        "threads.add_user_message",
        "threads.add_client_tool_output",
        "threads.add_structured_input",
        "threads.retry_after_item",
        "threads.custom_action",
    }
)

_adapters: dict[str, TypeAdapter[Any]] = {}


def resolve_type(name: str) -> str | None:
    """The canonical type name for `name` (or its directory alias), or None if unknown."""
    if name in TYPES:
        return name
    return TYPE_ALIASES.get(name)


def adapter(type_name: str) -> TypeAdapter[Any]:
    if type_name not in _adapters:
        _adapters[type_name] = TypeAdapter(TYPES[type_name])
    return _adapters[type_name]


def validate(type_name: str, value: Any) -> BaseModel:
    """Validates a JSON value the way the server parses its input (`validate_json`)."""
    return adapter(type_name).validate_json(json.dumps(value, ensure_ascii=False))


def serialize(obj: BaseModel) -> bytes:
    """The package's serialization of a reply, event or item: the server's own `_serialize`
    (`model_dump_json(by_alias=True, exclude_none=True, context={"exclude_metadata": True})`).
    It uses no server state, so it is called unbound."""
    return ChatKitServer._serialize(None, obj)  # type: ignore[arg-type]


def to_thread_response(thread: Any) -> Thread:
    """The server's own conversion of a stored thread into the wire Thread (metadata dropped,
    hidden items filtered). Also stateless."""
    return ChatKitServer._to_thread_response(None, thread)  # type: ignore[arg-type]


def to_json_value(obj: BaseModel) -> Any:
    return json.loads(serialize(obj))


def dump_fixture(doc: dict[str, Any]) -> str:
    """The committed form of a fixture file: sorted keys, 2-space indent, raw UTF-8, newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def installed_version() -> str:
    return metadata.version("openai-chatkit")


def require_pinned_version() -> None:
    have = installed_version()
    if have != CHATKIT_VERSION:
        raise SystemExit(
            f"openai-chatkit {have} is installed but the harness is pinned to {CHATKIT_VERSION}; "
            "run scripts/conformance.sh"
        )


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def _show(v: Any, limit: int = 80) -> str:
    text = json.dumps(v, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_difference(ours: Any, theirs: Any, path: str = "$") -> str | None:
    """The first place where two JSON values differ, exactly (bool, int and float are distinct
    kinds; key order is irrelevant), described for a failure line; None when they are equal."""
    if _kind(ours) != _kind(theirs):
        return f"{path}: {_show(ours)} where expected {_show(theirs)}"
    if isinstance(ours, dict):
        for key in sorted(set(ours) | set(theirs)):
            if key not in theirs:
                return f"{path}.{key}: unexpected field {_show(ours[key])}"
            if key not in ours:
                return f"{path}.{key}: missing (expected {_show(theirs[key])})"
            diff = first_difference(ours[key], theirs[key], f"{path}.{key}")
            if diff:
                return diff
        return None
    if isinstance(ours, list):
        if len(ours) != len(theirs):
            return f"{path}: {len(ours)} elements where expected {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            diff = first_difference(a, b, f"{path}[{i}]")
            if diff:
                return diff
        return None
    if ours != theirs:
        return f"{path}: {_show(ours)} where expected {_show(theirs)}"
    return None


def class_name(obj: Any) -> str:
    """The concrete class of a validated value; generic pages are just `Page`."""
    name = type(obj).__name__
    return "Page" if name.startswith("Page[") else name
