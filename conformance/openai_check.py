"""The simulator's model endpoints, judged by the official `openai` package's own types.

    python conformance/openai_check.py --base-url http://127.0.0.1:8788 [--key KEY]
                                       [--model-pace-ms 40] [-k SUBSTRING]

Drives a running chatkit simulator (`chatkit sim --port N`, or
`cargo run -p chatkit-sim --example standalone -- --port N`) through `POST /v1/responses` and
`POST /v1/chat/completions`, streaming and not, with every marker of the scripted contract
(docs/simulator.md), and checks every event, chunk, object and error:

  * Responses SSE frames are exactly `event: <type>` + `data: <json>` + a blank line, the JSON
    `type` equals the `event:` name, `sequence_number` counts from 0 without gaps, and the
    invariants of model-apis §2 hold (created first, one terminal event last, items added and done
    in pairs with dense indices, deltas concatenating to their done text, the final output equal
    to the done items);
  * chat frames are `data: <json>` only and end with `data: [DONE]` (except after a failure);
  * every Responses event validates as `openai.types.responses.ResponseStreamEvent`, every chunk
    as `ChatCompletionChunk`, non-streaming bodies as `Response` / `ChatCompletion`, all in
    pydantic's strict mode; re-serializing the parsed value (`model_dump(exclude_unset=True)`)
    gives back exactly the JSON sent (so no key was renamed or coerced); no key outside the types
    is sent except `obfuscation` (delta events, chunks), `store` (the response object, which the
    live API sends though the type omits it) and chat's `reasoning_content`; `response` objects
    carry every key the live API sends (nullable ones as explicit null);
  * errors use the four-key envelope, and the SDK raises the matching exception class;
  * the real SDK client (`openai.OpenAI(base_url=…/v1)`) streams both endpoints and accumulates the
    expected text and tool calls.

Prints `ok NAME` or `FAIL NAME: problem` per case, then `openai-sim: N passed, M failed`. Exits 1 if
anything failed. `test_openai_sim.py` runs the same cases under pytest.
"""

from __future__ import annotations

import argparse
import base64
import json
import struct
import sys
import time
import zlib
from typing import Any, Callable

import openai
import pydantic
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response, ResponseStreamEvent

try:  # the HTTP client the pinned openai package itself uses
    import httpx2 as httpx
except ImportError:  # pragma: no cover - older openai releases use httpx
    import httpx  # type: ignore[no-redef]

KEY = "sk-sim-conformance-0123456789"
RESPONSE_EVENT = pydantic.TypeAdapter(ResponseStreamEvent)

# Keys we send that the types do not declare, by type (all documented in model-apis §2–§3): the
# live API's `obfuscation` padding, the `store` flag of the response object, and the
# `reasoning_content` of OpenAI-compatible servers.
EXTRA_KEYS = {
    "Response": {"store"},
    "ChoiceDelta": {"reasoning_content"},
    "ChatCompletionMessage": {"reasoning_content"},
    "ChatCompletionChunk": {"obfuscation"},
    "*": {"obfuscation"},  # on delta events
}

# The keys of the `response` object the live API always sends (model-apis §2.1).
RESPONSE_KEYS = [
    "id", "object", "created_at", "status", "background", "completed_at", "error",
    "incomplete_details", "instructions", "max_output_tokens", "max_tool_calls", "model", "output",
    "parallel_tool_calls", "previous_response_id", "reasoning", "service_tier", "store",
    "temperature", "text", "tool_choice", "tools", "top_logprobs", "top_p", "truncation", "usage",
    "user", "metadata",
]
CHUNK_KEYS = ["id", "object", "created", "model", "service_tier", "system_fingerprint", "choices"]
CHOICE_KEYS = ["index", "delta", "logprobs", "finish_reason"]
TERMINAL = {"response.completed", "response.incomplete", "response.failed", "error"}

FAILED_ON_PURPOSE = "The simulator failed this response on purpose."
REASONING = ["Considering the question.", "Planning a short answer."]

# [[error:STATUS]] -> (error type, code, SDK exception)
STATUS_ERRORS: dict[int, tuple[str, str | None, type[openai.APIStatusError]]] = {
    400: ("invalid_request_error", "invalid_value", openai.BadRequestError),
    401: ("invalid_request_error", "invalid_api_key", openai.AuthenticationError),
    403: ("request_forbidden", "unsupported_country_region_territory", openai.PermissionDeniedError),
    404: ("invalid_request_error", "model_not_found", openai.NotFoundError),
    429: ("requests", "rate_limit_exceeded", openai.RateLimitError),
    500: ("server_error", None, openai.InternalServerError),
    503: ("server_error", "server_is_overloaded", openai.InternalServerError),
}


class CheckError(AssertionError):
    """A conformance problem."""


def expect(condition: Any, message: str) -> None:
    if not condition:
        raise CheckError(message)


def equal(actual: Any, expected: Any, what: str) -> None:
    expect(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


# ---------------------------------------------------------------------------------------------
# Strict validation by the package's types


def no_unknown_keys(value: Any, where: str) -> None:
    """Every key of every parsed model is declared by its type (or is an allowed extra)."""
    if isinstance(value, pydantic.BaseModel):
        allowed = EXTRA_KEYS.get(type(value).__name__, set())
        if type(value).__name__.endswith("Event"):
            allowed = allowed | EXTRA_KEYS["*"]
        extra = set((value.model_extra or {}).keys()) - allowed
        expect(not extra, f"{where}: keys unknown to {type(value).__name__}: {sorted(extra)}")
        for name in type(value).model_fields:
            no_unknown_keys(getattr(value, name), f"{where}.{name}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            no_unknown_keys(item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            no_unknown_keys(item, f"{where}.{key}")


def round_trip(parsed: Any, data: dict, where: str) -> None:
    """Re-serializing what the package parsed gives back exactly what we sent."""
    dumped = parsed.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if dumped != data:
        missing = sorted(set(data) - set(dumped))
        added = sorted(set(dumped) - set(data))
        raise CheckError(
            f"{where}: the package's round trip differs (dropped {missing}, added {added}):\n"
            f"  sent {json.dumps(data, sort_keys=True)}\n  got  {json.dumps(dumped, sort_keys=True)}"
        )


def checked(validate: Callable[[dict], Any], what: str, data: dict, where: str) -> Any:
    """`data` validated strictly as `what`, checked to round-trip with no unknown keys."""
    try:
        value = validate(data)
    except pydantic.ValidationError as error:
        raise CheckError(f"{where}: not a {what}: {error}") from None
    round_trip(value, data, where)
    no_unknown_keys(value, where)
    return value


def validate_event(data: dict, where: str) -> Any:
    event = checked(
        lambda d: RESPONSE_EVENT.validate_python(d, strict=True), "ResponseStreamEvent", data, where
    )
    if "response" in data:
        response_keys(data["response"], f"{where}.response")
    return event


def validate_response(data: dict, where: str) -> Response:
    response = checked(lambda d: Response.model_validate(d, strict=True), "Response", data, where)
    response_keys(data, where)
    return response


def response_keys(data: dict, where: str) -> None:
    missing = [key for key in RESPONSE_KEYS if key not in data]
    expect(not missing, f"{where}: the response object lacks {missing}")
    expect(data["id"].startswith("resp_"), f"{where}: id {data['id']!r} is not resp_…")


def validate_chunk(data: dict, where: str) -> ChatCompletionChunk:
    chunk = checked(
        lambda d: ChatCompletionChunk.model_validate(d, strict=True), "ChatCompletionChunk", data, where
    )
    missing = [key for key in CHUNK_KEYS if key not in data]
    expect(not missing, f"{where}: the chunk lacks {missing}")
    expect(data["id"].startswith("chatcmpl-"), f"{where}: id is not chatcmpl-…")
    for index, choice in enumerate(data["choices"]):
        missing = [key for key in CHOICE_KEYS if key not in choice]
        expect(not missing, f"{where}: choices[{index}] lacks {missing}")
    return chunk


def validate_completion(data: dict, where: str) -> ChatCompletion:
    completion = checked(
        lambda d: ChatCompletion.model_validate(d, strict=True), "ChatCompletion", data, where
    )
    expect(data["id"].startswith("chatcmpl-"), f"{where}: id is not chatcmpl-…")
    for key in ["usage", "service_tier", "system_fingerprint"]:
        expect(key in data, f"{where}: lacks {key}")
    for key in ["content", "refusal", "annotations"]:
        expect(key in data["choices"][0]["message"], f"{where}: the message lacks {key}")
    return completion


def error_envelope(status: int, headers: Any, body: bytes, expected: tuple, where: str) -> dict:
    """The four-key envelope with the expected (status, type, code, param)."""
    want_status, want_type, want_code, want_param = expected
    equal(status, want_status, f"{where}: status")
    expect(headers.get("content-type") == "application/json", f"{where}: errors are JSON")
    expect(headers.get("x-request-id", "").startswith("req_"), f"{where}: no x-request-id")
    error = json.loads(body)["error"]
    equal(sorted(error), ["code", "message", "param", "type"], f"{where}: envelope keys")
    equal(error["type"], want_type, f"{where}: type")
    equal(error["code"], want_code, f"{where}: code")
    equal(error["param"], want_param, f"{where}: param")
    expect(isinstance(error["message"], str) and error["message"], f"{where}: empty message")
    return error


# ---------------------------------------------------------------------------------------------
# Talking to the simulator


class Reply:
    """One HTTP reply, read to the end or to the point where the connection was cut."""

    def __init__(self, status: int, headers: Any, body: bytes, cut: bool, seconds: float):
        self.status = status
        self.headers = headers
        self.body = body
        self.cut = cut
        self.seconds = seconds

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


class Sim:
    """A running simulator: raw HTTP for the wire checks, and the SDK client."""

    def __init__(self, base_url: str, key: str = KEY, model_pace_ms: float = 40.0):
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.model_pace_ms = model_pace_ms
        self.http = httpx.Client(timeout=30)
        self.sdk = openai.OpenAI(base_url=f"{self.base_url}/v1", api_key=key, max_retries=0)

    def post(
        self, path: str, body: Any, headers: dict | None = None, timeout: float = 30
    ) -> Reply:
        if headers is None:
            headers = {"Authorization": f"Bearer {self.key}"}
        started = time.monotonic()
        chunks: list[bytes] = []
        with self.http.stream(
            "POST", f"{self.base_url}{path}", json=body, headers=headers, timeout=timeout
        ) as reply:
            try:
                for chunk in reply.iter_raw():
                    chunks.append(chunk)
                cut = False
            except (httpx.RemoteProtocolError, httpx.ReadError):
                cut = True
            return Reply(
                reply.status_code, reply.headers, b"".join(chunks), cut,
                time.monotonic() - started,
            )

    def responses(self, body: dict, **kwargs: Any) -> Reply:
        return self.post("/v1/responses", body, **kwargs)

    def chat(self, body: dict, **kwargs: Any) -> Reply:
        return self.post("/v1/chat/completions", body, **kwargs)


def r_body(text: str, stream: bool = True, **extra: Any) -> dict:
    return {"model": "gpt-5", "stream": stream,
            "input": [{"role": "user", "content": text}], **extra}


def c_body(text: str, stream: bool = True, **extra: Any) -> dict:
    body: dict = {"model": "gpt-4.1-mini", "stream": stream,
                  "messages": [{"role": "user", "content": text}], **extra}
    if stream:
        body.setdefault("stream_options", {"include_usage": True})
    return body


PARAMS = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
          "required": ["city", "days"], "additionalProperties": False}


def r_tool(name: str, parameters: Any = PARAMS) -> dict:
    return {"type": "function", "name": name, "description": f"The {name} tool.",
            "parameters": parameters, "strict": parameters is not None}


def c_tool(name: str, parameters: Any = PARAMS) -> dict:
    function: dict = {"name": name, "description": f"The {name} tool."}
    if parameters is not None:
        function.update(parameters=parameters, strict=True)
    return {"type": "function", "function": function}


# ---------------------------------------------------------------------------------------------
# Stream readers with the invariants


def frames(text: str, where: str) -> list[list[str]]:
    expect("\r" not in text, f"{where}: CR in the stream")
    expect(text == "" or text.endswith("\n\n"), f"{where}: the stream does not end with a blank line")
    return [frame.split("\n") for frame in text.split("\n\n") if frame]


def responses_events(reply: Reply, where: str, terminal: bool = True) -> list[dict]:
    """Checks a Responses stream; `terminal=False` for a stream that was cut."""
    equal(reply.status, 200, f"{where}: status")
    equal(reply.headers.get("content-type"), "text/event-stream; charset=utf-8", f"{where}: content-type")
    expect(reply.headers.get("x-request-id", "").startswith("req_"), f"{where}: no x-request-id")
    for header in ["openai-processing-ms", "x-ratelimit-limit-requests", "x-ratelimit-remaining-tokens"]:
        expect(header in reply.headers, f"{where}: no {header} header")
    equal(reply.cut, not terminal, f"{where}: connection cut")
    events = []
    for index, lines in enumerate(frames(reply.text, where)):
        at = f"{where} event {index}"
        expect(len(lines) == 2 and lines[0].startswith("event: ") and lines[1].startswith("data: "),
               f"{at}: not `event:` + `data:`: {lines!r}")
        data = json.loads(lines[1][len("data: "):])
        equal(data.get("type"), lines[0][len("event: "):], f"{at}: type vs event line")
        equal(data.get("sequence_number"), index, f"{at}: sequence_number")
        validate_event(data, f"{at} ({data['type']})")
        events.append(data)
    expect(events and events[0]["type"] == "response.created", f"{where}: created is not first")
    expect(len(events) > 1 and events[1]["type"] == "response.in_progress", f"{where}: no in_progress")
    terminals = [e for e in events if e["type"] in TERMINAL]
    if terminal:
        expect(len(terminals) == 1 and events[-1] is terminals[0], f"{where}: not one terminal event last")
    else:
        expect(not terminals, f"{where}: a cut stream has no terminal event")
    added = [e for e in events if e["type"] == "response.output_item.added"]
    done = [e for e in events if e["type"] == "response.output_item.done"]
    for index, event in enumerate(added):
        equal(event["output_index"], index, f"{where}: output_index of added item {index}")
    for event in done:
        opened = added[event["output_index"]]
        equal(event["item"]["id"], opened["item"]["id"], f"{where}: item id of done vs added")
    if terminal:
        equal(len(done), len(added), f"{where}: every added item is done")
        if events[-1]["type"] != "error":
            response = events[-1]["response"]
            equal(response["output"], [e["item"] for e in done], f"{where}: final output vs done items")
            equal(response["id"], events[0]["response"]["id"], f"{where}: response id")
    for kind, text_key in [("response.output_text", "text"), ("response.function_call_arguments", "arguments"),
                           ("response.reasoning_summary_text", "text")]:
        for finished in (e for e in events if e["type"] == f"{kind}.done"):
            keys = ("item_id", "summary_index")
            joined = "".join(
                e["delta"] for e in events
                if e["type"] == f"{kind}.delta" and all(e.get(k) == finished.get(k) for k in keys)
            )
            equal(joined, finished[text_key], f"{where}: {kind} deltas vs done")
    return events


def chat_chunks(reply: Reply, where: str, done: bool = True) -> list[dict]:
    """Checks a chat stream; returns the chunks (an error payload is returned as is)."""
    equal(reply.status, 200, f"{where}: status")
    equal(reply.headers.get("content-type"), "text/event-stream; charset=utf-8", f"{where}: content-type")
    expect(reply.headers.get("x-request-id", "").startswith("req_"), f"{where}: no x-request-id")
    chunks = []
    saw_done = False
    for index, lines in enumerate(frames(reply.text, where)):
        at = f"{where} chunk {index}"
        expect(len(lines) == 1 and lines[0].startswith("data: "), f"{at}: not one `data:` line: {lines!r}")
        expect(not saw_done, f"{at}: data after [DONE]")
        payload = lines[0][len("data: "):]
        if payload == "[DONE]":
            saw_done = True
            continue
        data = json.loads(payload)
        if "error" in data:
            equal(sorted(data), ["error"], f"{at}: error payload keys")
            equal(sorted(data["error"]), ["code", "message", "param", "type"], f"{at}: error keys")
        else:
            validate_chunk(data, at)
        chunks.append(data)
    equal(saw_done, done, f"{where}: ends with [DONE]")
    real = [c for c in chunks if "error" not in c]
    for chunk in real:
        equal((chunk["id"], chunk["created"]), (real[0]["id"], real[0]["created"]), f"{where}: shared id/created")
    return chunks


def of_type(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if e["type"] == kind]


def r_text(events: list[dict]) -> str:
    return "".join(e["delta"] for e in of_type(events, "response.output_text.delta"))


def c_deltas(chunks: list[dict]) -> list[dict]:
    return [c["choices"][0]["delta"] for c in chunks if c.get("choices")]


def c_text(chunks: list[dict]) -> str:
    return "".join(d.get("content") or "" for d in c_deltas(chunks))


def c_finish(chunks: list[dict]) -> list[str]:
    return [c["choices"][0]["finish_reason"] for c in chunks
            if c.get("choices") and c["choices"][0]["finish_reason"]]


def c_calls(chunks: list[dict], where: str) -> list[dict]:
    """Accumulates tool calls by index, checking the fragment rules of model-apis §3."""
    calls: list[dict] = []
    for delta in c_deltas(chunks):
        for call in delta.get("tool_calls") or []:
            index = call["index"]
            if index == len(calls):
                equal(call["function"]["arguments"], "", f"{where}: first fragment arguments")
                expect(call.get("id", "").startswith("call_") and call.get("type") == "function",
                       f"{where}: first fragment lacks id/type")
                calls.append({"id": call["id"], "name": call["function"]["name"], "arguments": ""})
            else:
                expect("id" not in call and "name" not in call["function"],
                       f"{where}: continuation fragment repeats id/name")
                calls[index]["arguments"] += call["function"]["arguments"]
    return calls


def usage_chunk(chunks: list[dict], where: str) -> dict:
    last = chunks[-1]
    equal(last["choices"], [], f"{where}: the usage chunk has no choices")
    expect(last["usage"] is not None, f"{where}: no usage in the last chunk")
    for chunk in chunks[:-1]:
        expect("usage" in chunk and chunk["usage"] is None, f"{where}: usage is not null before the end")
    return last["usage"]


def check_png(b64: str, where: str) -> None:
    data = base64.b64decode(b64)
    expect(data[:8] == b"\x89PNG\r\n\x1a\n", f"{where}: not a PNG")
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        chunk = data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        equal(zlib.crc32(kind + chunk), crc, f"{where}: CRC of PNG chunk {kind!r}")
        offset += 12 + length


def sdk_raises(call: Callable[[], Any], exception: type, where: str) -> Exception:
    try:
        call()
    except exception as error:
        return error
    except Exception as error:  # noqa: BLE001 - reported as the wrong class
        raise CheckError(f"{where}: the SDK raised {type(error).__name__}, not {exception.__name__}: {error}")
    raise CheckError(f"{where}: the SDK raised nothing")


# ---------------------------------------------------------------------------------------------
# The cases

CASES: list[tuple[str, Callable[[Sim], None]]] = []


def case(function: Callable[[Sim], None]) -> Callable[[Sim], None]:
    CASES.append((function.__name__, function))
    return function


@case
def plain_text(sim: Sim) -> None:
    events = responses_events(sim.responses(r_body("Hello there [[unknown]] friend")), "responses")
    equal(r_text(events), "Simulated reply to: Hello there friend", "responses text")
    deltas = [e["delta"] for e in of_type(events, "response.output_text.delta")]
    equal(deltas, ["Simulated ", "reply ", "to: ", "Hello ", "there ", "friend"], "one delta per word")
    completed = events[-1]["response"]
    equal(completed["status"], "completed", "status")
    equal(completed["usage"]["output_tokens"], 6, "output tokens = deltas")

    reply = sim.responses(r_body("Hello", stream=False, instructions="Be brief."))
    equal(reply.status, 200, "non-streaming status")
    response = validate_response(reply.json(), "responses non-streaming")
    equal(response.output_text, "Simulated reply to: Hello", "non-streaming output_text")

    chunks = chat_chunks(sim.chat(c_body("Hello there")), "chat")
    equal(c_deltas(chunks)[0], {"role": "assistant", "content": "", "refusal": None}, "the first chunk")
    equal(c_text(chunks), "Simulated reply to: Hello there", "chat text")
    equal(c_finish(chunks), ["stop"], "finish_reason")
    usage = usage_chunk(chunks, "chat")
    equal(usage["completion_tokens"], 5, "completion tokens = deltas")

    plain = c_body("Hello")
    del plain["stream_options"]
    chunks = chat_chunks(sim.chat(plain), "chat without include_usage")
    expect(all("usage" not in c for c in chunks), "no usage key without include_usage")

    reply = sim.chat(c_body("Hello", stream=False))
    completion = validate_completion(reply.json(), "chat non-streaming")
    equal(completion.choices[0].message.content, "Simulated reply to: Hello", "completion text")


@case
def tool_markers(sim: Sim) -> None:
    text = '[[tool:get_weather]] [[tool:get_weather {"city": "Paris", "days": 2}]] [[show:card]]'
    tools = [r_tool("get_weather"), r_tool("show", None)]
    events = responses_events(sim.responses(r_body(text, tools=tools)), "responses")
    items = [e["item"] for e in of_type(events, "response.output_item.done")]
    equal([i["type"] for i in items], ["function_call"] * 3, "three calls")
    equal([i["arguments"] for i in items],
          ['{"city":"example","days":1}', '{"city": "Paris", "days": 2}', '{"kind":"card"}'], "arguments")
    expect(all(i["id"].startswith("fc_") and i["call_id"].startswith("call_") for i in items), "ids")
    expect(not of_type(events, "response.output_text.delta"), "no text with calls")
    expect(len(of_type(events, "response.function_call_arguments.delta")) >= 6, "a few fragments each")
    equal(events[-1]["response"]["status"], "completed", "status")

    reply = sim.responses(r_body(text, stream=False, tools=tools))
    validate_response(reply.json(), "responses non-streaming")

    chunks = chat_chunks(sim.chat(c_body(text, tools=[c_tool("get_weather"), c_tool("show", None)])), "chat")
    calls = c_calls(chunks, "chat")
    equal([c["name"] for c in calls], ["get_weather", "get_weather", "show"], "chat call names")
    equal(calls[2]["arguments"], '{"kind":"card"}', "show arguments")
    equal(c_finish(chunks), ["tool_calls"], "finish_reason")
    first = c_deltas(chunks)[0]
    equal((first.get("role"), first.get("content")), ("assistant", None), "the first fragment says who speaks")

    reply = sim.chat(c_body(text, stream=False, tools=[c_tool("get_weather"), c_tool("show", None)]))
    completion = validate_completion(reply.json(), "chat non-streaming")
    equal(len(completion.choices[0].message.tool_calls or []), 3, "non-streaming tool_calls")


@case
def tools_not_offered_and_forced_choice(sim: Sim) -> None:
    reply = sim.responses(r_body("[[tool:nope]]", stream=False, tools=[r_tool("a")]))
    response = validate_response(reply.json(), "unknown tool")
    equal(response.output_text, "(simulator) no tool named nope was offered", "unknown tool text")
    reply = sim.chat(c_body("[[show:x]]", stream=False))
    completion = validate_completion(reply.json(), "chat unknown tool")
    equal(completion.choices[0].message.content, "(simulator) no tool named show was offered", "chat text")

    tools = [r_tool("a"), r_tool("b")]
    for choice, name in [({"type": "function", "name": "b"}, "b"), ("required", "a")]:
        events = responses_events(sim.responses(r_body("hi", tools=tools, tool_choice=choice)), f"tool_choice {choice}")
        item = of_type(events, "response.output_item.done")[0]["item"]
        equal(item["name"], name, f"forced call for {choice}")
        equal(item["arguments"], '{"city":"example","days":1}', "generated arguments")
    ctools = [c_tool("a"), c_tool("b")]
    for choice, name in [({"type": "function", "function": {"name": "b"}}, "b"), ("required", "a")]:
        chunks = chat_chunks(sim.chat(c_body("hi", tools=ctools, tool_choice=choice)), f"chat tool_choice {choice}")
        equal([c["name"] for c in c_calls(chunks, "chat")], [name], f"chat forced call for {choice}")


@case
def tool_results(sim: Sim) -> None:
    body = {"model": "gpt-5", "stream": True, "tools": [r_tool("get_weather")], "input": [
        {"role": "user", "content": "[[tool:get_weather]] [[error:500]]"},
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "y" * 400}]}
    events = responses_events(sim.responses(body), "responses")
    equal(r_text(events), "The tool get_weather returned: " + "y" * 300, "tool result text")

    body = {"model": "gpt-4.1-mini", "stream": True, "tools": [c_tool("get_weather")], "messages": [
        {"role": "user", "content": "[[tool:get_weather]]"},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": '{"temp_c":18}'}]}
    chunks = chat_chunks(sim.chat(body), "chat")
    equal(c_text(chunks), 'The tool get_weather returned: {"temp_c":18}', "chat tool result text")


@case
def titles(sim: Sim) -> None:
    reply = sim.responses(r_body("Plan a trip to Paris next spring please!", stream=False,
                                 instructions="Write a conversation title."))
    equal(validate_response(reply.json(), "title").output_text, "Plan a trip to Paris next", "title")
    body = c_body("Hello there!", stream=False)
    body["messages"].insert(0, {"role": "system", "content": "Give this Conversation Title."})
    completion = validate_completion(sim.chat(body).json(), "chat title")
    equal(completion.choices[0].message.content, "Hello there", "chat title")


@case
def reasoning(sim: Sim) -> None:
    events = responses_events(
        sim.responses(r_body("why? [[reason]]", reasoning={"effort": "low", "summary": "auto"})), "with summary")
    item = of_type(events, "response.output_item.done")[0]["item"]
    expect(item["type"] == "reasoning" and item["id"].startswith("rs_"), "a reasoning item comes first")
    equal([s["text"] for s in item["summary"]], REASONING, "summary parts")
    equal(len(of_type(events, "response.reasoning_summary_part.added")), 2, "two summary parts")

    events = responses_events(sim.responses(r_body("why? [[reason]]")), "without summary")
    item = of_type(events, "response.output_item.done")[0]["item"]
    equal(item["summary"], [], "no summary unless asked")
    expect(not of_type(events, "response.reasoning_summary_text.delta"), "no summary events")

    validate_response(sim.responses(r_body("[[reason]]", stream=False)).json(), "non-streaming")

    chunks = chat_chunks(sim.chat(c_body("why? [[reason]]")), "chat")
    reasoning_text = "".join(d.get("reasoning_content") or "" for d in c_deltas(chunks))
    equal(reasoning_text, " ".join(REASONING), "reasoning_content")
    equal(c_text(chunks), "Simulated reply to: why?", "chat text after reasoning")
    validate_completion(sim.chat(c_body("[[reason]]", stream=False)).json(), "chat non-streaming")


@case
def citations(sim: Sim) -> None:
    events = responses_events(sim.responses(r_body("see the source [[cite]] [[reason]]")), "responses")
    added = of_type(events, "response.output_text.annotation.added")
    equal(len(added), 1, "one annotation")
    annotation = added[0]["annotation"]
    text = r_text(events)
    equal(text[annotation["start_index"]:annotation["end_index"]], "source", "the annotation covers the last word")
    equal((annotation["url"], annotation["title"]), ("https://example.com/source", "Example source"), "url/title")
    equal(of_type(events, "response.content_part.done")[0]["part"]["annotations"], [annotation], "part annotations")
    message = events[-1]["response"]["output"][-1]
    equal(message["content"][0]["annotations"], [annotation], "final annotations")
    validate_response(sim.responses(r_body("x [[cite]]", stream=False)).json(), "non-streaming")
    chunks = chat_chunks(sim.chat(c_body("x [[cite]]")), "chat")
    equal(c_text(chunks), "Simulated reply to: x", "chat ignores [[cite]]")


@case
def images(sim: Sim) -> None:
    tools = [{"type": "image_generation", "partial_images": 2}]
    events = responses_events(sim.responses(r_body("a fox [[image]]", tools=tools)), "with the tool")
    partials = of_type(events, "response.image_generation_call.partial_image")
    equal(len(partials), 2, "two partial images")
    for partial in partials:
        check_png(partial["partial_image_b64"], "partial image")
    item = of_type(events, "response.output_item.done")[0]["item"]
    expect(item["type"] == "image_generation_call" and item["id"].startswith("ig_"), "an image item first")
    check_png(item["result"], "result")
    equal(r_text(events), "Simulated reply to: a fox", "text after the image")
    validate_response(sim.responses(r_body("a fox [[image]]", stream=False, tools=tools)).json(), "non-streaming")
    events = responses_events(sim.responses(r_body("a fox [[image]]")), "without the tool")
    equal(len(of_type(events, "response.output_item.added")), 1, "no image without the tool")


@case
def failure_after_the_200(sim: Sim) -> None:
    events = responses_events(sim.responses(r_body("[[error]]")), "responses")
    equal([e["type"] for e in events], ["response.created", "response.in_progress", "response.failed"], "events")
    equal(events[-1]["response"]["error"], {"code": "server_error", "message": FAILED_ON_PURPOSE}, "error")
    failed = validate_response(sim.responses(r_body("[[error]]", stream=False)).json(), "non-streaming")
    equal(failed.status, "failed", "non-streaming status")

    chunks = chat_chunks(sim.chat(c_body("[[error]]")), "chat", done=False)
    equal(chunks, [{"error": {"message": FAILED_ON_PURPOSE, "type": "server_error", "param": None,
                              "code": "server_error"}}], "chat error payload")
    reply = sim.chat(c_body("[[error]]", stream=False))
    error_envelope(reply.status, reply.headers, reply.body, (500, "server_error", "server_error", None), "chat")

    def sdk_chat() -> None:
        for _ in sim.sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": "[[error]]"}],
                                                  stream=True):
            pass
    sdk_raises(sdk_chat, openai.APIError, "the SDK on a chat error payload")


@case
def error_statuses(sim: Sim) -> None:
    for status, (kind, code, exception) in STATUS_ERRORS.items():
        marker = f"[[error:{status}]]"
        for name, reply, param in [("responses", sim.responses(r_body(marker)), "input"),
                                   ("chat", sim.chat(c_body(marker)), "messages")]:
            where = f"{name} {marker}"
            error_envelope(reply.status, reply.headers, reply.body,
                           (status, kind, code, param if status == 400 else None), where)
            if status == 429:
                equal(reply.headers.get("retry-after-ms"), "20", f"{where}: retry-after-ms")
                equal(reply.headers.get("retry-after"), "1", f"{where}: retry-after")
        error = sdk_raises(lambda: sim.sdk.responses.create(model="gpt-5", input=marker), exception,
                           f"the SDK on {marker}")
        equal((error.status_code, error.code, error.type), (status, code, kind), f"the SDK's view of {marker}")
        sdk_raises(lambda: sim.sdk.chat.completions.create(
            model="m", messages=[{"role": "user", "content": marker}]), exception, f"the chat SDK on {marker}")

    for name, reply in [("responses", sim.responses(r_body("[[quota]]"))), ("chat", sim.chat(c_body("[[quota]]")))]:
        error_envelope(reply.status, reply.headers, reply.body,
                       (429, "insufficient_quota", "insufficient_quota", None), f"{name} [[quota]]")
        expect("retry-after" not in reply.headers and "retry-after-ms" not in reply.headers, "no retry-after")


@case
def flaky(sim: Sim) -> None:
    # The counter is per simulator: find the phase, then expect strict alternation on both routes.
    first = sim.responses(r_body("[[flaky]]", stream=False)).status
    statuses = [first] if first == 500 else [first, sim.chat(c_body("[[flaky]]", stream=False)).status]
    expect(statuses[-1] == 500, f"no 500 among the first two [[flaky]] requests: {statuses}")
    following = [sim.chat(c_body("[[flaky]]")).status, sim.responses(r_body("[[flaky]]")).status,
                 sim.responses(r_body("[[flaky]]", stream=False)).status]
    equal(following, [200, 500, 200], "alternation after a failure")


@case
def midfail(sim: Sim) -> None:
    events = responses_events(sim.responses(r_body("one two three four [[midfail]]")), "responses", terminal=False)
    equal(len(of_type(events, "response.output_text.delta")), 4, "about half the deltas")
    chunks = chat_chunks(sim.chat(c_body("one two three four [[midfail]]")), "chat", done=False)
    equal(c_text(chunks), "Simulated reply to: one ", "chat text before the cut")
    expect(not c_finish(chunks), "no finish_reason in a cut stream")
    reply = None
    try:
        reply = sim.responses(r_body("[[midfail]]", stream=False))
    except (httpx.RemoteProtocolError, httpx.ReadError):
        pass
    expect(reply is None or reply.cut, "non-streaming [[midfail]] cuts the connection")

    def sdk_stream() -> None:
        for _ in sim.sdk.responses.create(model="gpt-5", input="x [[midfail]]", stream=True):
            pass
    sdk_raises(sdk_stream, Exception, "the SDK on a cut stream")


@case
def incomplete(sim: Sim) -> None:
    events = responses_events(sim.responses(r_body("one two three four [[incomplete]]")), "responses")
    response = events[-1]["response"]
    equal(events[-1]["type"], "response.incomplete", "terminal event")
    equal(response["incomplete_details"], {"reason": "max_output_tokens"}, "incomplete_details")
    equal(response["output"][0]["status"], "incomplete", "item status")
    equal(response["output"][0]["content"][0]["text"], "Simulated reply to: one ", "partial text")
    validate_response(sim.responses(r_body("x [[incomplete]]", stream=False)).json(), "non-streaming")
    chunks = chat_chunks(sim.chat(c_body("one two three four [[incomplete]]")), "chat")
    equal(c_finish(chunks), ["length"], "finish_reason")
    completion = validate_completion(sim.chat(c_body("x [[incomplete]]", stream=False)).json(), "chat")
    equal(completion.choices[0].finish_reason, "length", "non-streaming finish_reason")


@case
def slow(sim: Sim) -> None:
    reply = sim.responses(r_body("hi [[slow]]"))
    events = responses_events(reply, "responses")
    equal(len(of_type(events, "response.output_text.delta")), 40, "at least 40 words")
    expect(r_text(events).startswith("Simulated reply to: hi word1 word2"), "the counter words")
    expect(reply.seconds >= 0.5 * 40 * sim.model_pace_ms / 1000, f"paced: {reply.seconds:.2f}s")
    reply = sim.chat(c_body("hi [[slow]] [[midfail]]"))
    chunks = chat_chunks(reply, "chat", done=False)
    equal(len(c_text(chunks).split()), 20, "half of 40 words before the cut")
    expect(reply.seconds >= 0.5 * 20 * sim.model_pace_ms / 1000, f"paced: {reply.seconds:.2f}s")


@case
def hang(sim: Sim) -> None:
    for path, body in [("/v1/responses", r_body("[[hang]]")), ("/v1/chat/completions", c_body("[[hang]]"))]:
        try:
            sim.post(path, body, timeout=0.5)
        except httpx.TimeoutException:
            continue
        raise CheckError(f"{path}: [[hang]] answered")


@case
def auth(sim: Sim) -> None:
    for path, body in [("/v1/responses", r_body("hi")), ("/v1/chat/completions", c_body("hi"))]:
        equal(sim.post(path, body, headers={"api-key": sim.key}).status, 200, f"{path} with api-key")
        reply = sim.post(path, body, headers={})
        error_envelope(reply.status, reply.headers, reply.body, (401, "invalid_request_error", None, None),
                       f"{path} without a key")
    bad = openai.OpenAI(base_url=f"{sim.base_url}/v1", api_key="unused", max_retries=0,
                        default_headers={"Authorization": "Basic dXNlcjpwYXNz"})
    sdk_raises(lambda: bad.responses.create(model="gpt-5", input="hi"), openai.AuthenticationError, "no key")


@case
def validation(sim: Sim) -> None:
    cases = [
        ("/v1/responses", {"input": "x"}, ("missing_required_parameter", "model")),
        ("/v1/responses", {"model": "m", "input": "x", "messages": []}, ("unknown_parameter", "messages")),
        ("/v1/responses", {"model": "m", "input": "x", "tools": [c_tool("f")]},
         ("missing_required_parameter", "tools[0].name")),
        ("/v1/responses", {"model": "m", "input": [{"type": "function_call_output", "call_id": "call_x", "output": "1"}]},
         (None, "input")),
        ("/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "x"}], "tools": [r_tool("f")]},
         ("missing_required_parameter", "tools[0].function")),
        ("/v1/chat/completions", {"model": "m", "messages": [{"role": "tool", "tool_call_id": "c", "content": "x"}]},
         (None, "messages.[0].role")),
    ]
    for path, body, (code, param) in cases:
        reply = sim.post(path, body)
        error_envelope(reply.status, reply.headers, reply.body, (400, "invalid_request_error", code, param),
                       f"{path} {json.dumps(body)}")
    error = sdk_raises(lambda: sim.sdk.responses.create(
        model="m", input=[{"type": "function_call_output", "call_id": "call_x", "output": "1"}]),
        openai.BadRequestError, "the SDK on a stray function_call_output")
    equal(error.body["message"] if isinstance(error.body, dict) else None,
          "No tool call found for function call output with call_id call_x.", "message")
    error = sdk_raises(lambda: sim.sdk.chat.completions.create(
        model="missing-model", messages=[{"role": "user", "content": "x"}]), openai.NotFoundError, "missing model")
    equal(error.code, "model_not_found", "model_not_found")


@case
def sdk_clients(sim: Sim) -> None:
    # Responses: create(stream=True) gives typed events; accumulate text and calls ourselves.
    text = "".join(event.delta for event in sim.sdk.responses.create(model="gpt-5", input="hi there", stream=True)
                   if event.type == "response.output_text.delta")
    equal(text, "Simulated reply to: hi there", "SDK responses stream text")
    # The SDK's own accumulation (responses.stream) of text and of function calls.
    with sim.sdk.responses.stream(model="gpt-5", input="hi [[reason]] [[cite]]",
                                  reasoning={"effort": "low", "summary": "auto"}) as stream:
        for _ in stream:
            pass
        final = stream.get_final_response()
    equal(final.output_text, "Simulated reply to: hi", "SDK final response text")
    with sim.sdk.responses.stream(model="gpt-5", input='[[tool:get_weather {"city":"Paris","days":3}]]',
                                  tools=[r_tool("get_weather")]) as stream:
        for _ in stream:
            pass
        final = stream.get_final_response()
    calls = [item for item in final.output if item.type == "function_call"]
    equal([(c.name, c.arguments) for c in calls], [("get_weather", '{"city":"Paris","days":3}')], "SDK calls")
    response = sim.sdk.responses.create(model="gpt-5", input="plain")
    equal(response.output_text, "Simulated reply to: plain", "SDK non-streaming")

    # Chat: create(stream=True), accumulate; then the SDK's own accumulation (chat.completions.stream).
    stream = sim.sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], stream=True,
                                             stream_options={"include_usage": True})
    chunks = list(stream)
    equal("".join(c.choices[0].delta.content or "" for c in chunks if c.choices), "Simulated reply to: hi",
          "SDK chat stream text")
    expect(chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 4, "SDK chat usage")
    with sim.sdk.chat.completions.stream(
            model="m", messages=[{"role": "user", "content": "[[tool:a]] [[tool:b]]"}],
            tools=[c_tool("a"), c_tool("b")]) as stream:
        for _ in stream:
            pass
        final = stream.get_final_completion()
    calls = final.choices[0].message.tool_calls or []
    equal([(c.id.startswith("call_"), c.function.name, json.loads(c.function.arguments)) for c in calls],
          [(True, "a", {"city": "example", "days": 1}), (True, "b", {"city": "example", "days": 1})],
          "SDK accumulated chat tool calls")
    equal(final.choices[0].finish_reason, "tool_calls", "SDK finish_reason")
    completion = sim.sdk.chat.completions.create(model="m", messages=[{"role": "user", "content": "plain"}])
    equal(completion.choices[0].message.content, "Simulated reply to: plain", "SDK chat non-streaming")


# ---------------------------------------------------------------------------------------------


def run(sim: Sim, only: str | None = None) -> int:
    passed = failed = 0
    for name, function in CASES:
        if only and only not in name:
            continue
        try:
            function(sim)
        except Exception as error:  # noqa: BLE001 - every failure is reported
            failed += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}")
        else:
            passed += 1
            print(f"ok {name}")
    print(f"openai-sim: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the simulator's origin, without /v1")
    parser.add_argument("--key", default=KEY)
    parser.add_argument("--model-pace-ms", type=float, default=40.0,
                        help="the simulator's [[slow]] pace (default 40)")
    parser.add_argument("-k", dest="only", help="run only the cases whose name contains this")
    args = parser.parse_args()
    return run(Sim(args.base_url, args.key, args.model_pace_ms), args.only)


if __name__ == "__main__":
    sys.exit(main())
