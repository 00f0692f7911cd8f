"""Conformance checker: is our JSON what the official ChatKit Python package would accept and emit?

    python conformance/check.py [--fixtures DIR]... [PATH]...

PATH is a record file or a directory searched recursively for `*.jsonl` and `*.json`. A `.jsonl`
file holds one record per line (blank lines skipped); a `.json` file holds one record or an array
of records. Records (the contract the Rust tests write):

    {"kind": "request", "body": {...}}
        A request our side sent. Validated with TypeAdapter(ChatKitReq). Add "lenient": true for a
        request that deliberately imitates a non-canonical client (e.g. ChatKit.js's
        "quoted_text": null): then only the validation applies.
    {"kind": "stream", "request_type": "threads.create", "raw": "data: {...}\\n\\n..."}
        A whole streaming response body. Frames must each be exactly `data: <json>\\n\\n` (no
        `event:`/`id:`/`retry:` lines, no `:` comment lines, no `\\r`); each JSON is validated with
        TypeAdapter(ThreadStreamEvent). Optional "status" (must be 200) and "content_type" (must
        be text/event-stream).
    {"kind": "reply", "request_type": "<op>", "status": 200, "body": {...}}
        A non-streaming reply, validated with the op's reply type (as ChatKitServer 1.6.5 replies):
        threads.get_by_id/threads.update -> Thread, threads.list -> Page[Thread], items.list ->
        Page[ThreadItem], attachments.create -> Attachment, input.transcribe ->
        TranscriptionResult, threads.sync_custom_action -> SyncCustomActionResponse;
        threads.delete/items.feedback/attachments.delete -> exactly {}. Optional "content_type"
        (must be application/json).
    {"kind": "value", "type": "<type>", "body": {...}, "expect": <json>?, "class": "<name>"?}
        A value of one of the fixture types (ChatKitReq, ThreadStreamEvent, ThreadItemUpdate,
        ThreadItem, Thread, Page[Thread], Page[ThreadItem], Attachment, TranscriptionResult,
        SyncCustomActionResponse, Widget, WidgetComponent). With "expect", `body` must equal it
        exactly (a round trip that dropped or changed nothing); with "class", the package must
        parse it as that class.

Beyond the package's validation (which ignores unknown keys and coerces types), every body and
frame we emitted must be what the package itself would serialize for the value it parsed:
  * no `null` where the package omits it (every optional field; anywhere in a widget);
  * no field the package does not know (unknown widget props are tolerated: we keep them, the
    package's strict components drop them);
  * every field the package emits is present (defaults, `[]`, `{}`), with the same value;
  * datetimes are RFC 3339 UTC ending in `Z`, formatted like pydantic (fraction only when
    non-zero, then 6 digits);
  * thread `metadata` is `{}`; attachments never carry `metadata`;
  * hidden items (hidden_context_item, sdk_hidden_context) never reach the client;
  * thread.created/thread.updated events and threads.list/threads.update replies carry threads
    with an empty items page.
Requests are held to the same rules except that omitted defaults are fine (clients may omit them).

    --fixtures DIR   also check golden fixture files (DIR/<Type>/<case>.json): each `value` must
                     parse as `type` into `class`, re-serialize with the package to exactly
                     `value`, pass the rules above, and its optional `input` must parse and
                     serialize to exactly `value`; files must be formatted as gen_fixtures.py
                     writes them.

Prints one line per problem (`file:line: kind: problem`), then `conformance: N passed, M failed`.
Exits 1 if anything failed or any path argument held no record/fixture, else 0.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

import chatkit_wire as wire
from chatkit.types import AttachmentBase, HiddenContextItem, SDKHiddenContextItem, ThreadMetadata
from chatkit.widgets import WidgetComponentBase

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
MAX_PROBLEMS_PER_ITEM = 12
EMPTY_PAGE = {"data": [], "has_more": False}


class BadJson(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise BadJson(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    raise BadJson(f"{name} is not JSON")


def parse_json(text: str) -> Any:
    """json.loads that rejects duplicate keys and NaN/Infinity (which serde and browsers refuse)."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except json.JSONDecodeError as e:
        raise BadJson(f"invalid JSON: {e}") from None


def describe_validation_error(e: ValidationError) -> str:
    parts = []
    for err in e.errors()[:4]:
        loc = ".".join(str(x) for x in err["loc"])
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    more = f" (+{e.error_count() - 4} more)" if e.error_count() > 4 else ""
    return "; ".join(parts) + more


def _numbers_equal(a: Any, b: Any) -> bool:
    num = (int, float)
    return (
        isinstance(a, num) and isinstance(b, num)
        and not isinstance(a, bool) and not isinstance(b, bool)
        and a == b
    )


def _show(v: Any, limit: int = 60) -> str:
    text = json.dumps(v, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Rules:
    """How strictly a body is held to the package's own serialization."""

    output: bool = True  # emitted by our server: every field the package emits must be present
    allow_hidden: bool = False  # fixtures/values may be hidden items; streams and replies may not
    problems: list[str] = field(default_factory=list)

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")


def _field_map(model: BaseModel) -> dict[str, str]:
    out = {}
    for name, info in type(model).model_fields.items():
        out[info.serialization_alias or info.alias or name] = name
    return out


def walk(v: Any, raw: Any, canon: Any, path: str, rules: Rules, in_widget: bool = False) -> None:
    """Compares `raw` (our JSON) with `canon` (the package's serialization of `v`, the value the
    package parsed from `raw`), guided by the parsed value so each rule knows what it looks at."""
    if isinstance(v, BaseModel):
        if not isinstance(raw, dict):
            rules.fail(path, f"expected an object, got {_show(raw)}")
            return
        if isinstance(v, WidgetComponentBase):
            in_widget = True
        if isinstance(v, (HiddenContextItem, SDKHiddenContextItem)) and not rules.allow_hidden:
            rules.fail(path, f"hidden item ({raw.get('type')}) sent to the client; the server never sends these")
        if isinstance(v, ThreadMetadata) and "metadata" in raw and raw["metadata"] != {}:
            rules.fail(f"{path}.metadata", f"thread metadata must be {{}} on the wire, got {_show(raw['metadata'])}")
        if isinstance(v, AttachmentBase) and "metadata" in raw:
            rules.fail(f"{path}.metadata", "attachments never carry metadata on the wire")
        fields = _field_map(v)
        model_fields = type(v).model_fields
        extra = v.__pydantic_extra__ or {}
        canon_obj = canon if isinstance(canon, dict) else {}
        for key, rv in raw.items():
            p = f"{path}.{key}"
            name = fields.get(key)
            if key == "metadata" and isinstance(v, (ThreadMetadata, AttachmentBase)):
                continue  # reported above
            if rv is None:
                if name is None or not model_fields[name].is_required() or in_widget:
                    rules.fail(p, "null: omit the field instead (the package never writes null here)")
                continue
            if name is None and key not in extra:
                if not in_widget:
                    rules.fail(p, "unknown field (the package ignores it)")
                continue
            if key not in canon_obj:
                if not in_widget:
                    rules.fail(p, f"the package would not write this field ({_show(rv)})")
                continue
            sub = getattr(v, name) if name is not None else extra[key]
            walk(sub, rv, canon_obj[key], p, rules, in_widget)
        if rules.output:
            for key in canon_obj:
                if key not in raw:
                    rules.fail(f"{path}.{key}", f"missing: the package writes {_show(canon_obj[key])} (defaults, [] and {{}} are kept)")
        return

    if isinstance(v, datetime):
        if not isinstance(raw, str):
            rules.fail(path, f"datetime must be an RFC 3339 string, got {_show(raw)}")
        elif not RFC3339_UTC.match(raw):
            rules.fail(path, f"datetime {_show(raw)} must be RFC 3339 UTC ending in Z")
        elif raw != canon:
            rules.fail(path, f"datetime {_show(raw)} is not in pydantic's format: the package writes {_show(canon)}")
        return

    if isinstance(v, (list, tuple)):
        if not isinstance(raw, list):
            rules.fail(path, f"expected an array, got {_show(raw)}")
            return
        if in_widget and any(x is None for x in raw):
            rules.fail(path, "null in a widget array: the package drops nulls in widgets")
            return
        if not isinstance(canon, list) or len(raw) != len(v) or len(canon) != len(raw):
            rules.fail(path, f"array differs from the package's serialization {_show(canon)}")
            return
        for i, (sv, rv, cv) in enumerate(zip(v, raw, canon)):
            walk(sv, rv, cv, f"{path}[{i}]", rules, in_widget)
        return

    if isinstance(v, dict):
        if not isinstance(raw, dict):
            rules.fail(path, f"expected an object, got {_show(raw)}")
            return
        canon_obj = canon if isinstance(canon, dict) else {}
        for key, rv in raw.items():
            p = f"{path}.{key}"
            if rv is None and in_widget:
                rules.fail(p, "null in a widget: the package drops nulls in widgets, omit it")
            elif key not in v or key not in canon_obj:
                if not in_widget:
                    rules.fail(p, f"the package would not write this key ({_show(rv)})")
            else:
                walk(v[key], rv, canon_obj[key], p, rules, in_widget)
        if rules.output:
            for key in canon_obj:
                if key not in raw:
                    rules.fail(f"{path}.{key}", f"missing: the package writes {_show(canon_obj[key])}")
        return

    # Scalars (including enums, URLs and JSON values under `Any`).
    if isinstance(v, Enum) or not isinstance(raw, (dict, list)):
        if raw == canon and type(raw) is type(canon):
            return
        if _numbers_equal(raw, canon):
            return
        rules.fail(path, f"{_show(raw)} where the package writes {_show(canon)}")
        return
    rules.fail(path, f"{_show(raw)} where the package writes {_show(canon)}")


def check_body(type_name: str, body: Any, rules: Rules, path: str = "$") -> BaseModel | None:
    """Validates `body` as `type_name` and applies the strictness rules; None if invalid."""
    if not isinstance(body, dict):
        rules.fail(path, f"expected a JSON object, got {_show(body)}")
        return None
    try:
        model = wire.validate(type_name, body)
    except ValidationError as e:
        rules.fail(path, f"not a valid {type_name}: {describe_validation_error(e)}")
        return None
    canon = wire.to_json_value(model)
    walk(model, body, canon, path, rules)
    return model


def check_thread_items_empty(body: Any, path: str, rules: Rules, what: str) -> None:
    if isinstance(body, dict) and body.get("items") != EMPTY_PAGE:
        rules.fail(f"{path}.items", f"{what} carries an empty items page {json.dumps(EMPTY_PAGE)}, got {_show(body.get('items'))}")


# ---------------------------------------------------------------------------------------------
# Records


def check_request(rec: dict[str, Any], rules: Rules) -> None:
    rules.output = False
    if "body" not in rec:
        rules.fail("record", 'missing "body"')
        return
    if rec.get("lenient") is True:
        body = rec["body"]
        try:
            wire.validate("ChatKitReq", body)
        except ValidationError as e:
            rules.fail("$", f"not a valid ChatKitReq: {describe_validation_error(e)}")
        return
    check_body("ChatKitReq", rec["body"], rules)


def split_frames(raw: str, rules: Rules) -> list[str]:
    """The JSON texts of a strictly framed SSE body, reporting every framing problem."""
    if "\r" in raw:
        rules.fail("raw", "contains \\r: frames are separated by \\n\\n only")
        raw = raw.replace("\r", "")
    if not raw:
        rules.fail("raw", "empty stream: no frames")
        return []
    if not raw.endswith("\n\n"):
        rules.fail("raw", f"does not end with \\n\\n (ends {_show(raw[-20:])})")
    out = []
    chunks = raw.split("\n\n")
    if chunks and chunks[-1] == "":
        chunks.pop()
    for i, chunk in enumerate(chunks):
        where = f"frame {i}"
        lines = chunk.split("\n")
        bad = False
        for line in lines:
            if line.startswith(":"):
                rules.fail(where, f"SSE comment line {_show(line)}: frames are only `data: <json>`")
                bad = True
            elif line == "":
                rules.fail(where, "extra blank line: frames are separated by exactly one blank line")
                bad = True
            elif not line.startswith("data: "):
                field_name = line.split(":", 1)[0] if ":" in line else line
                if field_name in ("event", "id", "retry"):
                    rules.fail(where, f"`{field_name}:` line {_show(line)}: frames carry only `data: `")
                elif line.startswith("data:"):
                    rules.fail(where, f"{_show(line)}: the prefix is exactly `data: ` (one space)")
                else:
                    rules.fail(where, f"not an SSE data line: {_show(line)}")
                bad = True
        data_lines = [line for line in lines if line.startswith("data: ")]
        if len(data_lines) > 1:
            rules.fail(where, f"{len(data_lines)} data lines: one compact JSON per frame")
            bad = True
        if not bad and len(data_lines) == 1:
            out.append(data_lines[0][len("data: "):])
        elif not data_lines:
            out.append("")  # keeps frame numbering; reported above
    return out


def check_stream(rec: dict[str, Any], rules: Rules) -> None:
    op = rec.get("request_type")
    if op not in wire.STREAMING_OPS:
        rules.fail("request_type", f"{_show(op)} is not a streaming op ({', '.join(sorted(wire.STREAMING_OPS))})")
    if "status" in rec and rec["status"] != 200:
        rules.fail("status", f"streams are answered with 200, got {_show(rec['status'])}")
    ct = rec.get("content_type")
    if ct is not None and not str(ct).startswith("text/event-stream"):
        rules.fail("content_type", f"{_show(ct)}: streams are text/event-stream")
    raw = rec.get("raw")
    if not isinstance(raw, str):
        rules.fail("record", 'missing "raw" (the response body as a string)')
        return
    types = []
    for i, text in enumerate(split_frames(raw, rules)):
        if text == "":
            continue
        path = f"frame {i}: $"
        try:
            event = parse_json(text)
        except BadJson as e:
            rules.fail(path, str(e))
            continue
        model = check_body("ThreadStreamEvent", event, rules, path)
        if model is None:
            continue
        types.append(event.get("type"))
        if event.get("type") in ("thread.created", "thread.updated"):
            check_thread_items_empty(event.get("thread"), f"{path}.thread", rules, str(event.get("type")))
    if op == "threads.create" and types and types[0] != "thread.created":
        rules.fail("frame 0", f"threads.create starts with thread.created, got {_show(types[0])}")


def check_reply(rec: dict[str, Any], rules: Rules) -> None:
    op = rec.get("request_type")
    if op in wire.STREAMING_OPS:
        rules.fail("request_type", f"{op} is a streaming op: record it as kind \"stream\"")
        return
    if op not in wire.REPLY_TYPES:
        rules.fail("request_type", f"unknown op {_show(op)}")
        return
    if rec.get("status") != 200:
        rules.fail("status", f"replies are 200, got {_show(rec.get('status'))}")
    ct = rec.get("content_type")
    if ct is not None and not str(ct).startswith("application/json"):
        rules.fail("content_type", f"{_show(ct)}: replies are application/json")
    if "body" not in rec:
        rules.fail("record", 'missing "body"')
        return
    body = rec["body"]
    type_name = wire.REPLY_TYPES[op]
    if type_name is None:
        if body != {} or not isinstance(body, dict):
            rules.fail("$", f"{op} replies exactly {{}}, got {_show(body)}")
        return
    model = check_body(type_name, body, rules)
    if model is None:
        return
    if op == "threads.update":
        check_thread_items_empty(body, "$", rules, "a threads.update reply")
    elif op == "threads.list":
        for i, thread in enumerate(body.get("data") or []):
            check_thread_items_empty(thread, f"$.data[{i}]", rules, "each listed thread")


def check_value(rec: dict[str, Any], rules: Rules) -> None:
    rules.allow_hidden = True
    type_name = wire.resolve_type(str(rec.get("type")))
    if type_name is None:
        rules.fail("type", f"unknown type {_show(rec.get('type'))}; known: {', '.join(wire.TYPES)}")
        return
    if "body" not in rec:
        rules.fail("record", 'missing "body"')
        return
    body = rec["body"]
    model = check_body(type_name, body, rules)
    if model is not None and "class" in rec and wire.class_name(model) != rec["class"]:
        rules.fail("$", f"the package parses this as {wire.class_name(model)}, not {rec['class']}")
    if "expect" in rec:
        diff = wire.first_difference(body, rec["expect"])
        if diff:
            rules.fail("expect", f"round trip changed the value: {diff}")


CHECKERS = {"request": check_request, "stream": check_stream, "reply": check_reply, "value": check_value}


@dataclass
class Report:
    passed: int = 0
    failed: int = 0
    lines: list[str] = field(default_factory=list)

    def record(self, where: str, kind: str, problems: list[str]) -> None:
        if not problems:
            self.passed += 1
            return
        self.failed += 1
        shown = problems[:MAX_PROBLEMS_PER_ITEM]
        for problem in shown:
            self.emit(f"{where}: {kind}: {problem}")
        if len(problems) > len(shown):
            self.emit(f"{where}: {kind}: … {len(problems) - len(shown)} more problems")

    def emit(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)


def check_record(rec: Any, where: str, report: Report) -> None:
    if not isinstance(rec, dict):
        report.record(where, "record", [f"a record is a JSON object, got {_show(rec)}"])
        return
    kind = rec.get("kind")
    checker = CHECKERS.get(kind) if isinstance(kind, str) else None
    if checker is None:
        hint = " (this looks like a fixture file: use --fixtures DIR)" if {"type", "class", "value"} <= set(rec) else ""
        report.record(where, "record", [f"unknown record kind {_show(kind)} (request, stream, reply, value){hint}"])
        return
    rules = Rules()
    try:
        checker(rec, rules)
    except Exception as e:  # a checker bug must not pass a record silently
        rules.fail("checker", f"internal error {type(e).__name__}: {e}")
    if kind == "value":
        label = f"value {rec.get('type')}"
    else:
        label = f"{kind} {rec.get('request_type') or ''}".strip()
    report.record(where, label, rules.problems)


def record_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in (".jsonl", ".json"))
    return [path]


def check_file(path: Path, report: Report) -> int:
    """Checks every record in one file; returns how many records it held."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        report.record(str(path), "file", [f"cannot read: {e}"])
        return 1
    count = 0
    if path.suffix == ".jsonl":
        for lineno, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            count += 1
            where = f"{path}:{lineno}"
            try:
                rec = parse_json(line)
            except BadJson as e:
                report.record(where, "record", [str(e)])
                continue
            check_record(rec, where, report)
        return count
    try:
        doc = parse_json(text)
    except BadJson as e:
        report.record(f"{path}:1", "record", [str(e)])
        return 1
    recs = doc if isinstance(doc, list) else [doc]
    for i, rec in enumerate(recs):
        count += 1
        check_record(rec, f"{path}:1" if not isinstance(doc, list) else f"{path}:[{i}]", report)
    return count


# ---------------------------------------------------------------------------------------------
# Fixtures


def check_fixture(path: Path, report: Report) -> None:
    where = str(path)
    problems: list[str] = []
    try:
        text = path.read_text(encoding="utf-8")
        doc = parse_json(text)
    except (OSError, UnicodeDecodeError, BadJson) as e:
        report.record(where, "fixture", [f"cannot read: {e}"])
        return
    if not isinstance(doc, dict) or not {"type", "class", "value"} <= set(doc) or set(doc) - {"type", "class", "value", "input"}:
        report.record(where, "fixture", ['a fixture is {"type", "class", "value", "input"?}'])
        return
    type_name = wire.resolve_type(str(doc["type"]))
    kind = f"fixture {doc['type']}"
    if type_name is None or type_name != doc["type"]:
        report.record(where, kind, [f"unknown type {_show(doc['type'])}; known: {', '.join(wire.TYPES)}"])
        return
    expected_dir = wire.fixture_dir_name(type_name)
    if path.parent.name != expected_dir:
        problems.append(f"a {type_name} fixture belongs in {expected_dir}/")
    if text != wire.dump_fixture(doc):
        problems.append("not formatted as gen_fixtures.py writes it (sorted keys, 2-space indent, UTF-8, final newline)")
    rules = Rules(output=True, allow_hidden=True)
    model = check_body(type_name, doc["value"], rules)
    problems.extend(rules.problems)
    if model is not None:
        if wire.class_name(model) != doc["class"]:
            problems.append(f"the package parses the value as {wire.class_name(model)}, not {doc['class']}")
        diff = wire.first_difference(doc["value"], wire.to_json_value(model))
        if diff:
            problems.append(f"not canonical (value vs the package's re-serialization): {diff}")
    if "input" in doc:
        try:
            parsed = wire.validate(type_name, doc["input"])
        except ValidationError as e:
            problems.append(f"input: not a valid {type_name}: {describe_validation_error(e)}")
        else:
            diff = wire.first_difference(wire.to_json_value(parsed), doc["value"])
            if diff:
                problems.append(f"input does not serialize to value: {diff}")
    report.record(where, kind, problems)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Checks ChatKit records and fixtures against openai-chatkit's own types.",
        epilog="See the module docstring for the record format.",
    )
    ap.add_argument("paths", nargs="*", type=Path, help="record files (.jsonl/.json) or directories")
    ap.add_argument("--fixtures", action="append", type=Path, default=[], metavar="DIR", help="golden fixture directory")
    args = ap.parse_args(argv)
    wire.require_pinned_version()

    report = Report()
    # Every argument must contribute something: an empty record directory never passes, even
    # next to fixtures that do.
    for path in args.paths:
        if not path.exists():
            report.record(str(path), "input", ["no such file or directory"])
            continue
        found = sum(check_file(f, report) for f in record_files(path))
        if found == 0:
            report.record(str(path), "input", ["no records or fixtures found: refusing to pass vacuously"])
    for root in args.fixtures:
        if not root.is_dir():
            report.record(str(root), "input", ["no such fixture directory"])
            continue
        files = sorted(root.glob("*/*.json"))
        for f in files:
            check_fixture(f, report)
        if not files:
            report.record(str(root), "input", ["no records or fixtures found: refusing to pass vacuously"])
    if not args.paths and not args.fixtures:
        report.record("(arguments)", "input", ["nothing to check: give record paths and/or --fixtures DIR"])
    print(f"conformance: {report.passed} passed, {report.failed} failed", flush=True)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
