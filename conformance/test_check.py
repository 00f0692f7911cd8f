"""Tests of the conformance harness itself: the checker passes what the package emits and fails,
with a useful line, on each kind of deviation; the fixtures are canonical and reproducible."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

import chatkit_wire as wire
import check
import gen_fixtures

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURES = REPO / "crates" / "chatkit-types" / "tests" / "fixtures"


# ---------------------------------------------------------------------------------------------
# Helpers


def fx(type_dir: str, case: str) -> Any:
    """A fixture's value (a fresh copy, safe to mutate)."""
    return json.loads((FIXTURES / type_dir / f"{case}.json").read_text(encoding="utf-8"))["value"]


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def frames(*events: Any) -> str:
    return "".join(f"data: {compact(e)}\n\n" for e in events)


def stream(op: str, raw: str) -> dict[str, Any]:
    return {"kind": "stream", "request_type": op, "raw": raw}


def reply(op: str, body: Any, status: int = 200) -> dict[str, Any]:
    return {"kind": "reply", "request_type": op, "status": status, "body": body}


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(compact(r) + "\n" for r in records), encoding="utf-8")
    return path


def run_check(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str]:
    rc = check.main([str(a) for a in args])
    return rc, capsys.readouterr().out


def summary(out: str) -> str:
    return out.strip().splitlines()[-1]


def good_stream() -> str:
    """The shape of a real threads.create response (cf. the protocol reference's capture)."""
    return frames(
        fx("ThreadStreamEvent", "thread_created"),
        fx("ThreadStreamEvent", "item_done_user_message_with_attachment"),
        fx("ThreadStreamEvent", "stream_options_allow_cancel"),
        fx("ThreadStreamEvent", "item_added_assistant_message_empty"),
        fx("ThreadStreamEvent", "item_updated_content_part_added"),
        fx("ThreadStreamEvent", "item_updated_text_delta"),
        fx("ThreadStreamEvent", "item_updated_annotation_added_url_source"),
        fx("ThreadStreamEvent", "item_updated_content_part_done_plain"),
        fx("ThreadStreamEvent", "progress_update_with_icon"),
        fx("ThreadStreamEvent", "item_done_assistant_message"),
        fx("ThreadStreamEvent", "thread_updated_title"),
    )


def good_records() -> list[dict[str, Any]]:
    recs: list[dict[str, Any]] = []
    for path in sorted((FIXTURES / "ChatKitReq").glob("*.json")):
        recs.append({"kind": "request", "body": json.loads(path.read_text(encoding="utf-8"))["value"]})
    recs.append({"kind": "request", "body": {"type": "threads.list", "params": {}}})
    recs.append(stream("threads.create", good_stream()) | {"status": 200, "content_type": "text/event-stream"})
    recs.append(
        stream(
            "threads.custom_action",
            frames(
                fx("ThreadStreamEvent", "stream_options_allow_cancel"),
                fx("ThreadStreamEvent", "client_effect_with_data"),
                fx("ThreadStreamEvent", "notice_info"),
                fx("ThreadStreamEvent", "item_replaced_widget"),
            ),
        )
    )
    recs.append(
        stream(
            "threads.add_user_message",
            frames(fx("ThreadStreamEvent", "stream_options_allow_cancel"), fx("ThreadStreamEvent", "error_stream_error_allow_retry")),
        )
    )
    recs += [
        reply("threads.get_by_id", fx("Thread", "with_title_and_first_page_of_items")),
        reply("threads.update", fx("Thread", "status_locked_with_reason")) | {"content_type": "application/json"},
        reply("threads.list", fx("Page_Thread", "first_page_has_more")),
        reply("threads.list", fx("Page_Thread", "empty")),
        reply("items.list", fx("Page_ThreadItem", "first_page_has_more")),
        reply("attachments.create", fx("Attachment", "image_with_put_upload_descriptor")),
        reply("input.transcribe", fx("TranscriptionResult", "text")),
        reply("threads.sync_custom_action", fx("SyncCustomActionResponse", "with_updated_widget_item")),
        reply("threads.sync_custom_action", {}),
        reply("threads.delete", {}),
        reply("items.feedback", {}),
        reply("attachments.delete", {}),
    ]
    for path in sorted(FIXTURES.glob("*/*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        recs.append({"kind": "value", "type": doc["type"], "class": doc["class"], "body": doc["value"], "expect": doc["value"]})
    return recs


def assert_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path, record: Any, *needles: str) -> str:
    path = write_jsonl(tmp_path / "bad.jsonl", [record])
    rc, out = run_check(capsys, path)
    assert rc == 1, out
    assert summary(out) == "conformance: 0 passed, 1 failed", out
    assert f"{path}:1: " in out, out
    for needle in needles:
        assert needle in out, f"{needle!r} not in:\n{out}"
    return out


# ---------------------------------------------------------------------------------------------
# The good set passes


def test_good_records_pass(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    recs = good_records()
    write_jsonl(tmp_path / "a.jsonl", recs[:10])
    (tmp_path / "sub").mkdir()
    write_jsonl(tmp_path / "sub" / "b.jsonl", recs[10:])
    (tmp_path / "notes.txt").write_text("not a record file")
    (tmp_path / "one.json").write_text(compact(recs[0]), encoding="utf-8")
    (tmp_path / "many.json").write_text(compact(recs[:3]), encoding="utf-8")
    rc, out = run_check(capsys, tmp_path)
    assert summary(out) == f"conformance: {len(recs) + 4} passed, 0 failed", out
    assert rc == 0


def test_repo_fixtures_pass(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out = run_check(capsys, "--fixtures", FIXTURES)
    n = len(list(FIXTURES.glob("*/*.json")))
    assert n >= 100
    assert summary(out) == f"conformance: {n} passed, 0 failed", out
    assert rc == 0


def test_lenient_request_allows_client_nulls(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    body = fx("ChatKitReq", "threads_create_minimal")
    body["params"]["input"]["quoted_text"] = None
    rc, out = run_check(capsys, write_jsonl(tmp_path / "r.jsonl", [{"kind": "request", "body": body, "lenient": True}]))
    assert rc == 0, out


def test_required_any_may_be_null_in_a_request(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    body = {"type": "threads.add_client_tool_output", "params": {"thread_id": "thr_1", "result": None}}
    rc, out = run_check(capsys, write_jsonl(tmp_path / "r.jsonl", [{"kind": "request", "body": body}]))
    assert rc == 0, out


def test_free_form_nulls_are_kept(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The package keeps nulls inside free-form JSON (effect data, tool output), so we may too."""
    rec = stream("threads.custom_action", frames(fx("ThreadStreamEvent", "client_effect_with_data")))
    rc, out = run_check(capsys, write_jsonl(tmp_path / "r.jsonl", [rec]))
    assert rc == 0, out


def test_unknown_widget_props_are_tolerated(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The package's strict components drop unknown props; we keep them (chatkit.js may know them)."""
    event = fx("ThreadStreamEvent", "item_replaced_widget")
    event["item"]["widget"]["border"] = {"size": 1}
    event["item"]["widget"]["children"][0]["newProp"] = "x"
    rc, out = run_check(capsys, write_jsonl(tmp_path / "r.jsonl", [stream("threads.custom_action", frames(event))]))
    assert rc == 0, out


def test_ints_where_the_package_writes_floats_are_tolerated(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    widget = fx("Widget", "card_form_all_components")
    widget["padding"] = {"x": 4, "y": 2}  # the package writes 4.0 and 2.0
    rc, out = run_check(capsys, write_jsonl(tmp_path / "r.jsonl", [{"kind": "value", "type": "Widget", "body": widget}]))
    assert rc == 0, out


# ---------------------------------------------------------------------------------------------
# Streams that must fail


def test_unknown_event_type_fails(capsys, tmp_path) -> None:
    raw = good_stream() + frames({"type": "thread.item.exploded", "item_id": "msg_1"})
    assert_fails(capsys, tmp_path, stream("threads.create", raw), "frame 11", "not a valid ThreadStreamEvent")


def test_sse_comment_line_fails(capsys, tmp_path) -> None:
    raw = ": keep-alive\n\n" + good_stream()
    assert_fails(capsys, tmp_path, stream("threads.create", raw), "SSE comment line")


def test_comment_line_inside_a_frame_fails(capsys, tmp_path) -> None:
    raw = ": ping\n" + good_stream()
    assert_fails(capsys, tmp_path, stream("threads.create", raw), "SSE comment line")


def test_event_and_id_lines_fail(capsys, tmp_path) -> None:
    raw = "event: message\nid: 1\n" + good_stream()
    assert_fails(capsys, tmp_path, stream("threads.create", raw), "`event:` line", "`id:` line")


def test_carriage_returns_fail(capsys, tmp_path) -> None:
    raw = good_stream().replace("\n", "\r\n")
    assert_fails(capsys, tmp_path, stream("threads.create", raw), "\\r")


def test_data_prefix_without_space_fails(capsys, tmp_path) -> None:
    raw = good_stream().replace("data: ", "data:", 1)
    assert_fails(capsys, tmp_path, stream("threads.create", raw), "exactly `data: `")


def test_unterminated_last_frame_fails(capsys, tmp_path) -> None:
    raw = good_stream()[:-1]
    assert_fails(capsys, tmp_path, stream("threads.create", raw), "does not end with")


def test_two_data_lines_in_a_frame_fail(capsys, tmp_path) -> None:
    event = fx("ThreadStreamEvent", "progress_update_with_icon")
    raw = f"data: {compact(event)}\ndata: {compact(event)}\n\n"
    assert_fails(capsys, tmp_path, stream("threads.custom_action", raw), "2 data lines")


def test_empty_stream_fails(capsys, tmp_path) -> None:
    assert_fails(capsys, tmp_path, stream("threads.create", ""), "empty stream")


def test_null_field_in_a_frame_fails(capsys, tmp_path) -> None:
    event = fx("ThreadStreamEvent", "progress_update_without_icon")
    event["icon"] = None
    assert_fails(capsys, tmp_path, stream("threads.custom_action", frames(event)), "frame 0: $.icon: null")


def test_null_nested_in_an_item_fails(capsys, tmp_path) -> None:
    event = fx("ThreadStreamEvent", "item_done_user_message_with_attachment")
    event["item"]["quoted_text"] = None
    assert_fails(capsys, tmp_path, stream("threads.add_user_message", frames(event)), "$.item.quoted_text: null")


def test_null_in_a_widget_fails(capsys, tmp_path) -> None:
    event = fx("ThreadStreamEvent", "item_replaced_widget")
    event["item"]["widget"]["children"][0]["color"] = None
    assert_fails(capsys, tmp_path, stream("threads.custom_action", frames(event)), "children[0].color: null")


def test_thread_metadata_in_a_frame_fails(capsys, tmp_path) -> None:
    event = fx("ThreadStreamEvent", "thread_created")
    event["thread"]["metadata"] = {"tenant": "acme"}
    assert_fails(capsys, tmp_path, stream("threads.create", frames(event)), "thread metadata must be {}")


def test_attachment_metadata_in_a_frame_fails(capsys, tmp_path) -> None:
    event = fx("ThreadStreamEvent", "item_done_user_message_with_attachment")
    event["item"]["attachments"][0]["metadata"] = {"s3_key": "k"}
    assert_fails(capsys, tmp_path, stream("threads.add_user_message", frames(event)), "attachments never carry metadata")


def test_unknown_field_fails(capsys, tmp_path) -> None:
    event = fx("ThreadStreamEvent", "error_custom_with_message")
    event["alow_retry"] = True  # a typo the package's validator silently ignores
    assert_fails(capsys, tmp_path, stream("threads.custom_action", frames(event)), "$.alow_retry: unknown field")


def test_missing_default_field_fails(capsys, tmp_path) -> None:
    event = fx("ThreadStreamEvent", "error_custom_without_retry")
    del event["allow_retry"]
    assert_fails(capsys, tmp_path, stream("threads.custom_action", frames(event)), "$.allow_retry: missing")


def test_missing_empty_list_fails(capsys, tmp_path) -> None:
    event = fx("ThreadStreamEvent", "item_done_user_message_with_attachment")
    event["item"]["attachments"] = []
    del event["item"]["attachments"]
    assert_fails(capsys, tmp_path, stream("threads.add_user_message", frames(event)), "$.item.attachments: missing")


@pytest.mark.parametrize(
    "stamp, needle",
    [
        ("2026-11-21T10:26:20.630160", "must be RFC 3339 UTC ending in Z"),
        ("2026-11-21T10:26:20.630160+00:00", "must be RFC 3339 UTC ending in Z"),
        ("2026-11-21T11:26:20.630160+01:00", "must be RFC 3339 UTC ending in Z"),
        ("2026-11-21T10:26:22.005Z", "not in pydantic's format"),
        ("2026-11-21T10:26:21.000000Z", "not in pydantic's format"),
    ],
)
def test_bad_datetimes_fail(capsys, tmp_path, stamp: str, needle: str) -> None:
    event = fx("ThreadStreamEvent", "thread_created")
    event["thread"]["created_at"] = stamp
    assert_fails(capsys, tmp_path, stream("threads.create", frames(event)), "$.thread.created_at", needle)


def test_epoch_datetime_fails_in_our_output(capsys, tmp_path) -> None:
    event = fx("ThreadStreamEvent", "thread_created")
    event["thread"]["created_at"] = 1795256781
    assert_fails(capsys, tmp_path, stream("threads.create", frames(event)), "must be an RFC 3339 string")


def test_hidden_item_in_a_stream_fails(capsys, tmp_path) -> None:
    event = {"type": "thread.item.done", "item": fx("ThreadItem", "sdk_hidden_context")}
    assert_fails(capsys, tmp_path, stream("threads.add_user_message", frames(event)), "hidden item (sdk_hidden_context)")


def test_thread_created_with_items_fails(capsys, tmp_path) -> None:
    event = {"type": "thread.created", "thread": fx("Thread", "with_title_and_first_page_of_items")}
    assert_fails(capsys, tmp_path, stream("threads.create", frames(event)), "empty items page")


def test_threads_create_must_start_with_thread_created(capsys, tmp_path) -> None:
    raw = frames(fx("ThreadStreamEvent", "stream_options_allow_cancel"))
    assert_fails(capsys, tmp_path, stream("threads.create", raw), "starts with thread.created")


def test_stream_for_a_non_streaming_op_fails(capsys, tmp_path) -> None:
    assert_fails(capsys, tmp_path, stream("threads.list", good_stream()), "not a streaming op")


def test_invalid_json_frame_fails(capsys, tmp_path) -> None:
    raw = good_stream() + 'data: {"type": "notice",\n\n'
    assert_fails(capsys, tmp_path, stream("threads.create", raw), "invalid JSON")


def test_duplicate_keys_fail(capsys, tmp_path) -> None:
    raw = good_stream() + 'data: {"type":"notice","level":"info","message":"a","message":"b"}\n\n'
    assert_fails(capsys, tmp_path, stream("threads.create", raw), "duplicate key 'message'")


# ---------------------------------------------------------------------------------------------
# Replies that must fail


@pytest.mark.parametrize(
    "op, body, needle",
    [
        ("threads.get_by_id", {"data": [], "has_more": False}, "not a valid Thread"),
        # Every Page field has a default and extra keys are ignored, so the package's validator
        # accepts a Thread as a page: only the strictness rules catch it.
        ("items.list", fx("Thread", "active_empty"), "$.items: unknown field"),
        ("threads.list", fx("Page_ThreadItem", "first_page_has_more"), "not a valid Page[Thread]"),
        ("attachments.create", {"id": "atc_1", "name": "a", "mime_type": "x/y"}, "not a valid Attachment"),
        ("input.transcribe", {"transcript": "hello"}, "not a valid TranscriptionResult"),
        ("threads.delete", {"ok": True}, "replies exactly {}"),
        ("items.feedback", [], "replies exactly {}"),
        ("threads.sync_custom_action", {"updated_item": {"type": "widget"}}, "not a valid SyncCustomActionResponse"),
        ("threads.create", {}, "streaming op"),
        ("threads.explode", {}, "unknown op"),
    ],
)
def test_wrong_reply_shape_fails(capsys, tmp_path, op: str, body: Any, needle: str) -> None:
    assert_fails(capsys, tmp_path, reply(op, body), needle)


def test_thread_metadata_in_a_reply_fails(capsys, tmp_path) -> None:
    body = fx("Thread", "with_title_and_first_page_of_items")
    body["metadata"] = {"tenant": "acme"}
    assert_fails(capsys, tmp_path, reply("threads.get_by_id", body), "$.metadata: thread metadata must be {}")


def test_attachment_metadata_in_a_reply_fails(capsys, tmp_path) -> None:
    body = fx("Attachment", "image_with_put_upload_descriptor")
    body["metadata"] = {"s3_key": "k"}
    assert_fails(capsys, tmp_path, reply("attachments.create", body), "attachments never carry metadata")


def test_null_in_a_reply_fails(capsys, tmp_path) -> None:
    body = fx("Page_Thread", "first_page_has_more")
    body["data"][1]["title"] = None
    assert_fails(capsys, tmp_path, reply("threads.list", body), "$.data[1].title: null")


def test_hidden_item_in_items_list_fails(capsys, tmp_path) -> None:
    body = fx("Page_ThreadItem", "last_page_mixed_items")
    body["data"].append(fx("ThreadItem", "hidden_context_item_object"))
    assert_fails(capsys, tmp_path, reply("items.list", body), "hidden item (hidden_context_item)")


def test_listed_thread_with_items_fails(capsys, tmp_path) -> None:
    body = {"data": [fx("Thread", "with_title_and_first_page_of_items")], "has_more": False}
    assert_fails(capsys, tmp_path, reply("threads.list", body), "empty items page")


def test_reply_status_must_be_200(capsys, tmp_path) -> None:
    assert_fails(capsys, tmp_path, reply("threads.delete", {}, status=500), "replies are 200")


def test_reply_content_type_must_be_json(capsys, tmp_path) -> None:
    rec = reply("threads.delete", {}) | {"content_type": "text/event-stream"}
    assert_fails(capsys, tmp_path, rec, "replies are application/json")


# ---------------------------------------------------------------------------------------------
# Requests and values that must fail


def test_invalid_request_fails(capsys, tmp_path) -> None:
    assert_fails(capsys, tmp_path, {"kind": "request", "body": {"type": "threads.list"}}, "not a valid ChatKitReq")
    assert_fails(capsys, tmp_path, {"kind": "request", "body": {"type": "threads.cancel", "params": {}}}, "not a valid ChatKitReq")


def test_null_in_a_request_fails_unless_lenient(capsys, tmp_path) -> None:
    body = fx("ChatKitReq", "threads_create_minimal")
    body["params"]["input"]["quoted_text"] = None
    assert_fails(capsys, tmp_path, {"kind": "request", "body": body}, "quoted_text: null")


def test_coerced_request_value_fails(capsys, tmp_path) -> None:
    body = {"type": "threads.list", "params": {"limit": "5"}}
    assert_fails(capsys, tmp_path, {"kind": "request", "body": body}, '$.params.limit: "5" where the package writes 5')


def test_unknown_request_field_fails(capsys, tmp_path) -> None:
    body = {"type": "threads.get_by_id", "params": {"thread_id": "thr_1", "threadId": "thr_1"}}
    assert_fails(capsys, tmp_path, {"kind": "request", "body": body}, "$.params.threadId: unknown field")


def test_round_trip_that_drops_a_field_fails(capsys, tmp_path) -> None:
    expect = fx("ThreadItem", "user_message_with_attachments_quote_and_inference_options")
    body = json.loads(json.dumps(expect))
    del body["quoted_text"]
    out = assert_fails(capsys, tmp_path, {"kind": "value", "type": "ThreadItem", "body": body, "expect": expect}, "round trip changed the value")
    assert "$.quoted_text: missing" in out


def test_round_trip_int_for_float_fails(capsys, tmp_path) -> None:
    expect = fx("Widget", "card_form_all_components")
    body = json.loads(json.dumps(expect))
    body["padding"]["x"] = 4
    assert_fails(capsys, tmp_path, {"kind": "value", "type": "Widget", "body": body, "expect": expect}, "$.padding.x: 4 where expected 4.0")


def test_value_of_the_wrong_class_fails(capsys, tmp_path) -> None:
    rec = {"kind": "value", "type": "Widget", "class": "ListView", "body": fx("Widget", "card_minimal")}
    assert_fails(capsys, tmp_path, rec, "parses this as Card, not ListView")


def test_value_of_unknown_type_fails(capsys, tmp_path) -> None:
    assert_fails(capsys, tmp_path, {"kind": "value", "type": "Nope", "body": {}}, "unknown type")


def test_unknown_record_kind_fails(capsys, tmp_path) -> None:
    assert_fails(capsys, tmp_path, {"kind": "frame", "body": {}}, "unknown record kind")


def test_invalid_jsonl_line_fails(capsys, tmp_path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(compact({"kind": "reply", "request_type": "threads.delete", "status": 200, "body": {}}) + "\n{not json\n")
    rc, out = run_check(capsys, path)
    assert rc == 1
    assert f"{path}:2: record: invalid JSON" in out
    assert summary(out) == "conformance: 1 passed, 1 failed"


# ---------------------------------------------------------------------------------------------
# Empty input never passes


def test_empty_directory_fails(capsys, tmp_path) -> None:
    rc, out = run_check(capsys, tmp_path)
    assert rc == 1
    assert "no records or fixtures found" in out
    assert summary(out) == "conformance: 0 passed, 1 failed"


def test_empty_file_fails(capsys, tmp_path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n")
    rc, out = run_check(capsys, path)
    assert rc == 1 and "no records or fixtures found" in out


def test_no_arguments_fails(capsys) -> None:
    rc, out = run_check(capsys)
    assert rc == 1 and "nothing to check" in out


def test_empty_record_directory_fails_next_to_good_fixtures(capsys, tmp_path) -> None:
    rc, out = run_check(capsys, "--fixtures", FIXTURES, tmp_path)
    assert rc == 1
    assert f"{tmp_path}: input: no records or fixtures found" in out
    assert summary(out).endswith(" passed, 1 failed")


def test_missing_path_fails(capsys, tmp_path) -> None:
    rc, out = run_check(capsys, tmp_path / "nope")
    assert rc == 1 and "no such file or directory" in out


def test_empty_fixture_directory_fails(capsys, tmp_path) -> None:
    rc, out = run_check(capsys, "--fixtures", tmp_path)
    assert rc == 1 and "no records or fixtures found" in out


# ---------------------------------------------------------------------------------------------
# Fixture mode


def copy_fixture(tmp_path: Path, type_dir: str, case: str) -> tuple[Path, dict[str, Any]]:
    (tmp_path / type_dir).mkdir(exist_ok=True)
    dst = tmp_path / type_dir / f"{case}.json"
    shutil.copy(FIXTURES / type_dir / f"{case}.json", dst)
    return dst, json.loads(dst.read_text(encoding="utf-8"))


def test_tampered_fixtures_fail(capsys, tmp_path) -> None:
    path, doc = copy_fixture(tmp_path, "ThreadItem", "user_message_text_only")
    del doc["value"]["attachments"]
    path.write_text(wire.dump_fixture(doc), encoding="utf-8")

    path2, doc2 = copy_fixture(tmp_path, "Widget", "card_minimal")
    doc2["class"] = "DynamicWidgetRoot"
    path2.write_text(wire.dump_fixture(doc2), encoding="utf-8")

    path3, doc3 = copy_fixture(tmp_path, "Attachment", "image_metadata_never_serialized")
    doc3["input"]["name"] = "b.png"
    path3.write_text(wire.dump_fixture(doc3), encoding="utf-8")

    path4, doc4 = copy_fixture(tmp_path, "Thread", "active_empty")
    path4.write_text(json.dumps(doc4), encoding="utf-8")

    path5, doc5 = copy_fixture(tmp_path, "ThreadStreamEvent", "notice_info")
    doc5["value"]["title"] = None
    path5.write_text(wire.dump_fixture(doc5), encoding="utf-8")

    rc, out = run_check(capsys, "--fixtures", tmp_path)
    assert rc == 1
    assert f"{path}: fixture ThreadItem: $.attachments: missing" in out
    assert f"{path2}: fixture Widget: the package parses the value as Card, not DynamicWidgetRoot" in out
    assert f"{path3}: fixture Attachment: input does not serialize to value" in out
    assert f"{path4}: fixture Thread: not formatted as gen_fixtures.py writes it" in out
    assert f"{path5}: fixture ThreadStreamEvent: $.title: null" in out
    assert summary(out) == "conformance: 0 passed, 5 failed"


def test_generator_is_deterministic_and_committed(tmp_path) -> None:
    assert gen_fixtures.main(["--out", str(tmp_path / "a")]) == 0
    assert gen_fixtures.main(["--out", str(tmp_path / "b")]) == 0
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.json")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.json")}
    assert a == b and len(a) >= 100
    assert gen_fixtures.main(["--out", str(FIXTURES), "--check"]) == 0, "fixtures are stale: bash scripts/conformance.sh gen"


def test_generator_check_reports_stale_files(tmp_path, capsys) -> None:
    out = tmp_path / "fx"
    assert gen_fixtures.main(["--out", str(out)]) == 0
    (out / "Thread" / "zz_extra.json").write_text("{}\n")
    (out / "Thread" / "active_empty.json").write_text("{}\n")
    capsys.readouterr()
    assert gen_fixtures.main(["--out", str(out), "--check"]) == 1
    text = capsys.readouterr().out
    assert "zz_extra.json: not produced by gen_fixtures.py (stale)" in text
    assert "active_empty.json: differs" in text
    assert gen_fixtures.main(["--out", str(out)]) == 0
    assert not (out / "Thread" / "zz_extra.json").exists()


def test_every_request_type_and_event_type_has_a_fixture() -> None:
    def types_of(dirname: str, key: str = "type") -> set[str]:
        return {
            json.loads(p.read_text(encoding="utf-8"))["value"][key]
            for p in (FIXTURES / dirname).glob("*.json")
        }

    assert types_of("ChatKitReq") == set(wire.REPLY_TYPES) | wire.STREAMING_OPS
    assert len(types_of("ChatKitReq")) == 16
    events = {m.model_fields["type"].default for m in _union_members(wire.TYPES["ThreadStreamEvent"])}
    assert types_of("ThreadStreamEvent") == events
    items = {m.model_fields["type"].default for m in _union_members(wire.TYPES["ThreadItem"])}
    assert types_of("ThreadItem") == items
    updates = {m.model_fields["type"].default for m in _union_members(wire.TYPES["ThreadItemUpdate"])}
    assert types_of("ThreadItemUpdate") == updates


def _union_members(tp: Any) -> list[Any]:
    import typing

    if typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return list(typing.get_args(tp))


def test_serializer_is_the_servers() -> None:
    """The harness serializes with the server's own method, which is this call in 1.6.5."""
    from chatkit.types import FileAttachment

    att = FileAttachment(id="a", name="n", mime_type="m", metadata={"k": 1})
    assert wire.serialize(att) == att.model_dump_json(by_alias=True, exclude_none=True, context={"exclude_metadata": True}).encode()
    assert b"metadata" not in wire.serialize(att)
    assert wire.installed_version() == wire.CHATKIT_VERSION


# ---------------------------------------------------------------------------------------------
# The package's own server, driven in-process, passes the checker (so the checker is not
# stricter than the real thing), once its clock is UTC-aware.


def reference_server_records() -> list[dict[str, Any]]:
    from chatkit import server as server_mod
    from chatkit.server import ChatKitServer, StreamingResult
    from chatkit.store import AttachmentStore, NotFoundError, Store
    from chatkit.types import (
        Annotation,
        AssistantMessageContent,
        AssistantMessageContentPartAdded,
        AssistantMessageContentPartAnnotationAdded,
        AssistantMessageContentPartDone,
        AssistantMessageContentPartTextDelta,
        AssistantMessageItem,
        ClientEffectEvent,
        ClientToolCallItem,
        HiddenContextItem,
        ImageAttachment,
        NoticeEvent,
        Page,
        ProgressUpdateEvent,
        StructuredInputFreeform,
        StructuredInputItem,
        SyncCustomActionResponse,
        ThreadItemAddedEvent,
        ThreadItemDoneEvent,
        ThreadItemReplacedEvent,
        ThreadItemUpdatedEvent,
        ThreadMetadata,
        TranscriptionResult,
        URLSource,
        WidgetItem,
    )
    from chatkit.widgets import Card, Text

    class UTCDateTime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            return datetime.now(timezone.utc)

    def now() -> datetime:
        return datetime.now(timezone.utc)

    class MemoryStore(Store[dict]):
        def __init__(self) -> None:
            self.threads: dict[str, ThreadMetadata] = {}
            self.items: dict[str, list[Any]] = {}
            self.attachments: dict[str, Any] = {}
            self.n = 0

        def _next(self, prefix: str) -> str:
            self.n += 1
            return f"{prefix}_{self.n:08x}"

        def generate_thread_id(self, context: dict) -> str:
            return self._next("thr")

        def generate_item_id(self, item_type: Any, thread: Any, context: dict) -> str:
            return self._next("msg")

        @staticmethod
        def _page(rows: list[Any], after: str | None, limit: int, order: str) -> Page[Any]:
            rows = list(reversed(rows)) if order == "desc" else list(rows)
            start = next((i + 1 for i, r in enumerate(rows) if r.id == after), 0) if after else 0
            data = rows[start : start + limit]
            more = start + limit < len(rows)
            return Page(data=[r.model_copy(deep=True) for r in data], has_more=more, after=data[-1].id if more and data else None)

        async def load_thread(self, thread_id: str, context: dict) -> ThreadMetadata:
            if thread_id not in self.threads:
                raise NotFoundError(thread_id)
            return self.threads[thread_id].model_copy(deep=True)

        async def save_thread(self, thread: ThreadMetadata, context: dict) -> None:
            self.threads[thread.id] = ThreadMetadata(**thread.model_dump())
            self.items.setdefault(thread.id, [])

        async def load_thread_items(self, thread_id: str, after: str | None, limit: int, order: str, context: dict) -> Page[Any]:
            return self._page(self.items[thread_id], after, limit, order)

        async def save_attachment(self, attachment: Any, context: dict) -> None:
            self.attachments[attachment.id] = attachment.model_copy(deep=True)

        async def load_attachment(self, attachment_id: str, context: dict) -> Any:
            return self.attachments[attachment_id].model_copy(deep=True)

        async def delete_attachment(self, attachment_id: str, context: dict) -> None:
            self.attachments.pop(attachment_id, None)

        async def load_threads(self, limit: int, after: str | None, order: str, context: dict) -> Page[Any]:
            return self._page(list(self.threads.values()), after, limit, order)

        async def add_thread_item(self, thread_id: str, item: Any, context: dict) -> None:
            self.items[thread_id].append(item.model_copy(deep=True))

        async def save_item(self, thread_id: str, item: Any, context: dict) -> None:
            rows = self.items[thread_id]
            for i, row in enumerate(rows):
                if row.id == item.id:
                    rows[i] = item.model_copy(deep=True)
                    return
            rows.append(item.model_copy(deep=True))

        async def load_item(self, thread_id: str, item_id: str, context: dict) -> Any:
            return next(r for r in self.items[thread_id] if r.id == item_id).model_copy(deep=True)

        async def delete_thread(self, thread_id: str, context: dict) -> None:
            self.threads.pop(thread_id, None)
            self.items.pop(thread_id, None)

        async def delete_thread_item(self, thread_id: str, item_id: str, context: dict) -> None:
            self.items[thread_id] = [r for r in self.items[thread_id] if r.id != item_id]

    class Files(AttachmentStore[dict]):
        async def create_attachment(self, input: Any, context: dict) -> Any:
            att_id = f"atc_{len(input.name):08x}"
            return ImageAttachment(
                id=att_id,
                name=input.name,
                mime_type=input.mime_type,
                preview_url=f"https://files.example/p/{att_id}",
                upload_descriptor={"url": f"https://files.example/u/{att_id}", "method": "PUT", "headers": {"x-k": "v"}},
                metadata={"secret": "stored, never sent"},
            )

        async def delete_attachment(self, attachment_id: str, context: dict) -> None:
            return None

    class Server(ChatKitServer[dict]):
        async def respond(self, thread: ThreadMetadata, input_user_message: Any, context: dict) -> AsyncIterator[Any]:
            text = ""
            if input_user_message is not None:
                text = "".join(getattr(c, "text", "") for c in input_user_message.content)
            if text == "tool":
                yield ThreadItemDoneEvent(
                    item=ClientToolCallItem(
                        id=self.store.generate_item_id("tool_call", thread, context),
                        thread_id=thread.id,
                        created_at=now(),
                        call_id="call_1",
                        name="get_selection",
                        arguments={"max": 10, "none": None},
                    )
                )
                return
            if text == "ask":
                yield ThreadItemDoneEvent(
                    item=StructuredInputItem(
                        id=self.store.generate_item_id("message", thread, context),
                        thread_id=thread.id,
                        created_at=now(),
                        inputs=[StructuredInputFreeform(id="q1", question="Why?")],
                    )
                )
                return
            if text == "fail":
                raise RuntimeError("boom")
            msg_id = self.store.generate_item_id("message", thread, context)
            msg = AssistantMessageItem(id=msg_id, thread_id=thread.id, created_at=now(), content=[])
            yield ThreadItemAddedEvent(item=msg)
            yield ThreadItemUpdatedEvent(item_id=msg_id, update=AssistantMessageContentPartAdded(content_index=0, content=AssistantMessageContent(text="")))
            yield ThreadItemUpdatedEvent(item_id=msg_id, update=AssistantMessageContentPartTextDelta(content_index=0, delta="Hello"))
            ann = Annotation(source=URLSource(title="X", url="https://x.y"), index=5)
            yield ThreadItemUpdatedEvent(item_id=msg_id, update=AssistantMessageContentPartAnnotationAdded(content_index=0, annotation_index=0, annotation=ann))
            yield ThreadItemUpdatedEvent(item_id=msg_id, update=AssistantMessageContentPartDone(content_index=0, content=AssistantMessageContent(text="Hello", annotations=[ann])))
            yield ProgressUpdateEvent(icon="search", text="Searching")
            msg.content = [AssistantMessageContent(text="Hello", annotations=[ann])]
            yield ThreadItemDoneEvent(item=msg)
            yield ThreadItemDoneEvent(item=HiddenContextItem(id=self.store.generate_item_id("message", thread, context), thread_id=thread.id, created_at=now(), content={"k": 1}))
            yield ThreadItemDoneEvent(
                item=WidgetItem(id=self.store.generate_item_id("message", thread, context), thread_id=thread.id, created_at=now(), widget=Card(children=[Text(id="t", value="Hi")]), copy_text="Hi")
            )
            thread.title = "Greeting"
            thread.metadata = {"secret": "never on the wire"}

        async def action(self, thread: ThreadMetadata, action: Any, sender: Any, context: dict) -> AsyncIterator[Any]:
            yield ClientEffectEvent(name="toast", data={"t": action.type})
            yield NoticeEvent(level="info", message="ok")
            if sender is not None:
                yield ThreadItemReplacedEvent(item=sender.model_copy(update={"widget": Card(children=[Text(value="Done")])}))

        async def sync_action(self, thread: ThreadMetadata, action: Any, sender: Any, context: dict) -> Any:
            if sender is None:
                return SyncCustomActionResponse()
            return SyncCustomActionResponse(updated_item=sender.model_copy(update={"widget": Card(children=[Text(value="Synced")])}))

        async def transcribe(self, audio_input: Any, context: dict) -> Any:
            return TranscriptionResult(text=f"{len(audio_input.data)} bytes of {audio_input.media_type}")

    records: list[dict[str, Any]] = []
    srv = Server(MemoryStore(), Files())

    async def call(body: dict[str, Any]) -> Any:
        records.append({"kind": "request", "body": body})
        result = await srv.process(json.dumps(body).encode(), {})
        if isinstance(result, StreamingResult):
            chunks = [chunk async for chunk in result]
            raw = b"".join(chunks).decode()
            records.append({"kind": "stream", "request_type": body["type"], "raw": raw})
            return [json.loads(f[len("data: "):]) for f in raw.split("\n\n") if f]
        reply_body = json.loads(result.json)
        records.append({"kind": "reply", "request_type": body["type"], "status": 200, "body": reply_body})
        return reply_body

    def user_input(text: str, attachments: list[str] | None = None) -> dict[str, Any]:
        return {"content": [{"type": "input_text", "text": text}], "attachments": attachments or [], "inference_options": {}}

    async def script() -> None:
        att = await call({"type": "attachments.create", "params": {"name": "a.png", "size": 10, "mime_type": "image/png"}})
        evs = await call({"type": "threads.create", "params": {"input": user_input("hi", [att["id"]])}})
        tid = evs[0]["thread"]["id"]
        user_msg = evs[1]["item"]["id"]
        widget_id = next(e["item"]["id"] for e in evs if e["type"] == "thread.item.done" and e["item"]["type"] == "widget")
        await call({"type": "threads.add_user_message", "params": {"thread_id": tid, "input": user_input("tool")}})
        await call({"type": "threads.add_client_tool_output", "params": {"thread_id": tid, "result": {"text": "sel", "n": None}}})
        evs = await call({"type": "threads.add_user_message", "params": {"thread_id": tid, "input": user_input("ask")}})
        si = next(e["item"]["id"] for e in evs if e["type"] == "thread.item.done" and e["item"]["type"] == "structured_input")
        await call({"type": "threads.add_structured_input", "params": {"thread_id": tid, "item_id": si, "input": {"answers": {"q1": {"values": ["because"]}}}}})
        await call({"type": "threads.add_user_message", "params": {"thread_id": tid, "input": user_input("fail")}})
        await call({"type": "threads.custom_action", "params": {"thread_id": tid, "item_id": widget_id, "action": {"type": "go", "payload": {"a": 1}}}})
        await call({"type": "threads.sync_custom_action", "params": {"thread_id": tid, "item_id": widget_id, "action": {"type": "sync"}}})
        await call({"type": "threads.sync_custom_action", "params": {"thread_id": tid, "action": {"type": "sync"}}})
        await call({"type": "threads.retry_after_item", "params": {"thread_id": tid, "item_id": user_msg}})
        await call({"type": "threads.get_by_id", "params": {"thread_id": tid}})
        await call({"type": "items.list", "params": {"thread_id": tid, "limit": 2}})
        await call({"type": "items.list", "params": {"thread_id": tid, "order": "asc"}})
        await call({"type": "threads.update", "params": {"thread_id": tid, "title": "Renamed"}})
        await call({"type": "threads.create", "params": {"input": user_input("second")}})
        await call({"type": "threads.list", "params": {"limit": 1}})
        await call({"type": "threads.list", "params": {}})
        await call({"type": "items.feedback", "params": {"thread_id": tid, "item_ids": [widget_id], "kind": "positive"}})
        await call({"type": "input.transcribe", "params": {"audio_base64": "AAAA", "mime_type": "audio/webm;codecs=opus"}})
        await call({"type": "attachments.delete", "params": {"attachment_id": att["id"]}})
        await call({"type": "threads.delete", "params": {"thread_id": tid}})

    saved = server_mod.datetime
    server_mod.datetime = UTCDateTime  # type: ignore[misc]
    chatkit_logger = logging.getLogger("chatkit")
    level = chatkit_logger.level
    chatkit_logger.setLevel(logging.CRITICAL)  # the scripted "fail" turn logs its exception
    try:
        asyncio.run(script())
    finally:
        server_mod.datetime = saved  # type: ignore[misc]
        chatkit_logger.setLevel(level)
    return records


def test_the_packages_own_server_passes(capsys, tmp_path) -> None:
    recs = reference_server_records()
    kinds = {(r["kind"], r.get("request_type") or r.get("body", {}).get("type")) for r in recs}
    assert {op for kind, op in kinds if kind in ("stream", "reply")} == set(wire.REPLY_TYPES) | wire.STREAMING_OPS
    raw_all = "".join(r.get("raw", "") for r in recs)
    assert '"metadata":{"secret"' not in raw_all and "hidden_context_item" not in raw_all
    rc, out = run_check(capsys, write_jsonl(tmp_path / "python-server.jsonl", recs))
    assert summary(out) == f"conformance: {len(recs)} passed, 0 failed", out
    assert rc == 0


def test_the_packages_own_server_with_naive_clock_fails_the_datetime_rule(capsys, tmp_path) -> None:
    """Unpatched, the package stamps naive local times; our output must not (it must end in Z)."""
    from chatkit.types import Thread
    from chatkit.types import ThreadCreatedEvent

    event = ThreadCreatedEvent(thread=wire.to_thread_response(Thread(id="thr_1", created_at=datetime(2026, 1, 1, 12, 0), items={"data": []})))
    raw = "data: " + wire.serialize(event).decode() + "\n\n"
    assert_fails(capsys, tmp_path, stream("threads.create", raw), "must be RFC 3339 UTC ending in Z")


# ---------------------------------------------------------------------------------------------
# The command line


def test_cli_exit_codes_and_summary(tmp_path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", good_records()[:5])
    bad = write_jsonl(tmp_path / "bad.jsonl", [reply("threads.delete", {"ok": True})])
    cmd = [sys.executable, str(HERE / "check.py")]
    ok = subprocess.run([*cmd, str(good)], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.splitlines()[-1] == "conformance: 5 passed, 0 failed"
    ko = subprocess.run([*cmd, str(good), str(bad)], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert ko.returncode == 1
    assert ko.stdout.splitlines() == [
        f"{bad}:1: reply threads.delete: $: threads.delete replies exactly {{}}, got {{\"ok\": true}}",
        "conformance: 5 passed, 1 failed",
    ]
    empty = subprocess.run([*cmd, str(tmp_path / "nothing-here")], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert empty.returncode == 1
