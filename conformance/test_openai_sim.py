"""The simulator's model endpoints under pytest: every case of openai_check.py, plus tests showing
that the checker itself rejects each kind of deviation.

The simulator is found, in order, at `CHATKIT_SIM_URL` (an already running one), or started from
`CHATKIT_SIM_BIN`, or from the newest of `<target>/debug/examples/standalone` and
`<target>/debug/chatkit` (`<target>` is `CARGO_TARGET_DIR`, `CHATKIT_TARGET_DIR` or `target/`);
with none of them the simulator cases are skipped.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

import openai_check as oc

REPO = Path(__file__).resolve().parent.parent


def _binary() -> Path | None:
    if os.environ.get("CHATKIT_SIM_BIN"):
        return Path(os.environ["CHATKIT_SIM_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR") or os.environ.get("CHATKIT_TARGET_DIR") or REPO / "target")
    if not target.is_absolute():
        target = REPO / target
    found = [p for p in (target / "debug/examples/standalone", target / "debug/chatkit") if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def sim() -> Iterator[oc.Sim]:
    if os.environ.get("CHATKIT_SIM_URL"):
        yield oc.Sim(os.environ["CHATKIT_SIM_URL"])
        return
    binary = _binary()
    if binary is None:
        pytest.skip("no simulator: set CHATKIT_SIM_URL or CHATKIT_SIM_BIN, or build chatkit-sim's example")
    port = _free_port()
    process = subprocess.Popen(
        [str(binary), "sim", "--port", str(port), "--no-record"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        client = oc.httpx.Client(timeout=1)
        for _ in range(100):
            try:
                if client.get(f"{base_url}/__sim/health").status_code == 200:
                    break
            except oc.httpx.TransportError:
                pass
            if process.poll() is not None:
                pytest.fail(f"{binary} exited: {process.stderr.read().decode() if process.stderr else ''}")
            time.sleep(0.1)
        else:
            pytest.fail(f"{binary} did not answer /__sim/health")
        yield oc.Sim(base_url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.parametrize("name", [name for name, _ in oc.CASES])
def test_the_simulator_passes(sim: oc.Sim, name: str) -> None:
    dict(oc.CASES)[name](sim)


# ---------------------------------------------------------------------------------------------
# The checker catches deviations (no simulator needed)

DELTA = {"type": "response.output_text.delta", "sequence_number": 4, "item_id": "msg_1",
         "output_index": 0, "content_index": 0, "delta": "Hel", "logprobs": []}

RESPONSE = {"id": "resp_1", "object": "response", "created_at": 1760000000, "status": "in_progress",
            "background": False, "completed_at": None, "error": None, "incomplete_details": None,
            "instructions": None, "max_output_tokens": None, "max_tool_calls": None,
            "model": "gpt-5", "output": [], "parallel_tool_calls": True, "previous_response_id": None,
            "reasoning": {"effort": None, "summary": None}, "service_tier": "default", "store": False,
            "temperature": 1.0, "text": {"format": {"type": "text"}, "verbosity": "medium"},
            "tool_choice": "auto", "tools": [], "top_logprobs": 0, "top_p": 1.0, "truncation": "disabled",
            "usage": None, "user": None, "metadata": {}}

CHUNK = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1760000000, "model": "m",
         "service_tier": "default", "system_fingerprint": "fp_1",
         "choices": [{"index": 0, "delta": {"content": "Hel"}, "logprobs": None, "finish_reason": None}]}


def reply(text: str) -> oc.Reply:
    headers = {"content-type": "text/event-stream; charset=utf-8", "x-request-id": "req_1",
               "openai-processing-ms": "1", "x-ratelimit-limit-requests": "1",
               "x-ratelimit-remaining-tokens": "1"}
    return oc.Reply(200, headers, text.encode(), False, 0.0)


def sse(*events: dict) -> str:
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)


def test_well_formed_values_pass() -> None:
    oc.validate_event(DELTA, "delta")
    oc.validate_event({"type": "response.created", "sequence_number": 0, "response": RESPONSE}, "created")
    oc.validate_chunk(CHUNK, "chunk")


@pytest.mark.parametrize("broken, problem", [
    ({k: v for k, v in DELTA.items() if k != "logprobs"}, "not a ResponseStreamEvent"),
    ({**DELTA, "deltas": "x"}, "keys unknown"),
    ({**DELTA, "output_index": "0"}, "not a ResponseStreamEvent"),
    ({"type": "response.created", "sequence_number": 0,
      "response": {k: v for k, v in RESPONSE.items() if k != "user"}}, r"lacks \['user'\]"),
    ({"type": "response.created", "sequence_number": 0, "response": {**RESPONSE, "status": "done"}},
     "not a ResponseStreamEvent"),
])
def test_a_deviating_event_fails(broken: dict, problem: str) -> None:
    with pytest.raises(oc.CheckError, match=problem):
        oc.validate_event(broken, "event")


@pytest.mark.parametrize("broken, problem", [
    ({k: v for k, v in CHUNK.items() if k != "created"}, "not a ChatCompletionChunk"),
    ({**CHUNK, "choices": [{"index": 0, "delta": {"content": "x"}}]}, "lacks"),
    ({**CHUNK, "choices": [{**CHUNK["choices"][0], "delta": {"contents": "x"}}]}, "keys unknown"),
    ({k: v for k, v in CHUNK.items() if k != "system_fingerprint"}, "lacks"),
])
def test_a_deviating_chunk_fails(broken: dict, problem: str) -> None:
    with pytest.raises(oc.CheckError, match=problem):
        oc.validate_chunk(broken, "chunk")


def test_stream_invariants_are_enforced() -> None:
    created = {"type": "response.created", "sequence_number": 0, "response": RESPONSE}
    in_progress = {"type": "response.in_progress", "sequence_number": 1, "response": RESPONSE}
    completed = {"type": "response.completed", "sequence_number": 2,
                 "response": {**RESPONSE, "status": "completed"}}
    oc.responses_events(reply(sse(created, in_progress, completed)), "ok")
    with pytest.raises(oc.CheckError, match="sequence_number"):
        oc.responses_events(reply(sse(created, {**in_progress, "sequence_number": 2})), "gap")
    with pytest.raises(oc.CheckError, match="terminal"):
        oc.responses_events(reply(sse(created, in_progress)), "no terminal")
    with pytest.raises(oc.CheckError, match="event:"):
        oc.responses_events(reply(f"data: {json.dumps(created)}\n\n"), "data only")
    with pytest.raises(oc.CheckError, match=r"\[DONE\]"):
        oc.chat_chunks(reply(f"data: {json.dumps(CHUNK)}\n\n"), "no done")
    with pytest.raises(oc.CheckError, match="shared id"):
        oc.chat_chunks(reply(f"data: {json.dumps(CHUNK)}\n\ndata: {json.dumps({**CHUNK, 'id': 'chatcmpl-2'})}\n\n"
                             "data: [DONE]\n\n"), "two ids")
