"""The Python peer of the protocol benchmark: the official ChatKit server, `openai-chatkit` 1.6.5.

A FastAPI app whose `POST /chatkit` hands the request body to `ChatKitServer.process` — the
package's own request parsing, pipeline, persistence order and SSE encoding, used as a library —
with two small pieces written for the benchmark:

- `SQLiteStore`, a `chatkit.store.Store` on one `aiosqlite` connection (SQLite in a helper thread,
  WAL, `synchronous=FULL` as chatkit-rs's store, so both make every write durable before its
  frame is sent), threads and items kept as JSON blobs (the model's own `model_dump_json`) next to
  the columns that queries need: owner, thread, creation time and an insertion sequence that
  breaks ties in the ordering;
- `BenchServer.respond`, the scripted reply that chatkit-rs's `CHATKIT_SCRIPTED_AGENT=bench`
  serves too: one assistant message streamed as `thread.item.added`, `content_part.added`, 20
  `text_delta` events `"tok0 "` .. `"tok19 "`, `content_part.done` and `thread.item.done`. A user
  text containing `[[hold]]` first waits (at most `BENCH_HOLD_SECONDS`, default 120 s; a client
  that disconnects cancels the wait): the benchmark's idle open stream.

Identity is a signed visitor cookie, as chatkit-rs does it: `chatkit_session_id` = `user_<uuid>`
plus an HMAC-SHA256 tag, issued when a request has no valid one; the store scopes every thread and
item to it.

Run (one worker: the single-process comparison):

    uvicorn python_server:app --host 127.0.0.1 --port 8000 --workers 1 --log-level warning

Environment: `BENCH_DB` (SQLite file, default `./chatkit-bench.sqlite3`), `BENCH_SQLITE_SYNC`
(`FULL`, the default, or `NORMAL`), `BENCH_HOLD_SECONDS`,
`BENCH_COOKIE_SECRET` (default: random per process, so several `--workers` need it set),
`BENCH_READY_DIR` (each worker creates a file named after its PID there once it serves).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import uuid
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, AsyncIterator

import aiosqlite
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import TypeAdapter, ValidationError

from chatkit.server import ChatKitServer, StreamingResult
from chatkit.store import NotFoundError, Store, StoreItemType, default_generate_id
from chatkit.types import (
    AssistantMessageContent,
    AssistantMessageContentPartAdded,
    AssistantMessageContentPartDone,
    AssistantMessageContentPartTextDelta,
    AssistantMessageItem,
    Attachment,
    Page,
    ThreadItem,
    ThreadItemAddedEvent,
    ThreadItemDoneEvent,
    ThreadItemUpdatedEvent,
    ThreadMetadata,
    ThreadStreamEvent,
    UserMessageItem,
)

DB_PATH = os.environ.get("BENCH_DB", "chatkit-bench.sqlite3")
SQLITE_SYNC = os.environ.get("BENCH_SQLITE_SYNC", "FULL").upper()
if SQLITE_SYNC not in ("FULL", "NORMAL"):
    raise SystemExit("BENCH_SQLITE_SYNC must be FULL or NORMAL")
HOLD_SECONDS = min(float(os.environ.get("BENCH_HOLD_SECONDS", "120")), 600.0)
COOKIE_NAME = "chatkit_session_id"
COOKIE_SECRET = os.environ.get("BENCH_COOKIE_SECRET", "").encode() or secrets.token_bytes(32)
READY_DIR = os.environ.get("BENCH_READY_DIR", "")
DELTAS = 20
HOLD_MARKER = "[[hold]]"

Context = dict[str, Any]

_ITEM = TypeAdapter(ThreadItem)
_ATTACHMENT = TypeAdapter(Attachment)

SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS threads_by_user ON threads (user_id, created_at, seq);
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_thread ON items (thread_id, created_at, seq);
CREATE TABLE IF NOT EXISTS attachments (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    data TEXT NOT NULL
);
"""


def _page(rows: list[Any], limit: int, parse: Any) -> Page[Any]:
    """A page from up to `limit + 1` rows `(id, data)`: the extra row only says there is more."""
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        data=[parse(data) for _, data in rows],
        has_more=has_more,
        after=rows[-1][0] if has_more and rows else None,
    )


class SQLiteStore(Store[Context]):
    """A `chatkit.store.Store` on SQLite: JSON blobs, scoped to the caller's `user_id`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.db: aiosqlite.Connection | None = None
        self.seq = 0

    async def open(self) -> None:
        # Autocommit: every write is its own transaction, committed before the call returns (the
        # pipeline persists an item before its frame is written).
        self.db = await aiosqlite.connect(self.path, isolation_level=None)
        await self.db.execute("PRAGMA journal_mode=WAL")
        await self.db.execute(f"PRAGMA synchronous={SQLITE_SYNC}")
        await self.db.execute("PRAGMA busy_timeout=5000")
        await self.db.executescript(SCHEMA)
        rows = await self.db.execute_fetchall(
            "SELECT max(s) FROM (SELECT max(seq) AS s FROM threads UNION ALL SELECT max(seq) FROM items)"
        )
        row = rows[0] if rows else None
        self.seq = int(row[0] or 0) if row else 0

    async def close(self) -> None:
        if self.db is not None:
            await self.db.close()
            self.db = None

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    # Longer ids than the package's default (8 hex digits: 32 bits collide within ~100k
    # threads, which a benchmark reaches).
    def generate_thread_id(self, context: Context) -> str:
        return default_generate_id("thread") + secrets.token_hex(4)

    def generate_item_id(
        self, item_type: StoreItemType, thread: ThreadMetadata, context: Context
    ) -> str:
        return default_generate_id(item_type) + secrets.token_hex(4)

    async def load_thread(self, thread_id: str, context: Context) -> ThreadMetadata:
        rows = await self.db.execute_fetchall(
            "SELECT data FROM threads WHERE id = ? AND user_id = ?",
            (thread_id, context["user_id"]),
        )
        row = rows[0] if rows else None
        if row is None:
            raise NotFoundError(f"thread {thread_id} not found")
        return ThreadMetadata.model_validate_json(row[0])

    async def save_thread(self, thread: ThreadMetadata, context: Context) -> None:
        data = thread.model_dump_json(exclude={"items"})
        await self.db.execute(
            "INSERT INTO threads (id, user_id, created_at, seq, data) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET data = excluded.data WHERE threads.user_id = excluded.user_id",
            (thread.id, context["user_id"], thread.created_at.timestamp(), self._next_seq(), data),
        )

    async def load_threads(
        self, limit: int, after: str | None, order: str, context: Context
    ) -> Page[ThreadMetadata]:
        desc = order == "desc"
        cmp, direction = ("<", "DESC") if desc else (">", "ASC")
        sql = "SELECT id, data FROM threads WHERE user_id = ?"
        args: list[Any] = [context["user_id"]]
        if after:
            sql += (
                f" AND (created_at, seq) {cmp} "
                "(SELECT created_at, seq FROM threads WHERE id = ? AND user_id = ?)"
            )
            args += [after, context["user_id"]]
        sql += f" ORDER BY created_at {direction}, seq {direction} LIMIT ?"
        args.append(limit + 1)
        rows = list(await self.db.execute_fetchall(sql, args))
        return _page(rows, limit, ThreadMetadata.model_validate_json)

    async def delete_thread(self, thread_id: str, context: Context) -> None:
        await self.db.execute(
            "DELETE FROM items WHERE thread_id = ? AND user_id = ?", (thread_id, context["user_id"])
        )
        await self.db.execute(
            "DELETE FROM threads WHERE id = ? AND user_id = ?", (thread_id, context["user_id"])
        )

    async def load_thread_items(
        self, thread_id: str, after: str | None, limit: int, order: str, context: Context
    ) -> Page[ThreadItem]:
        desc = order == "desc"
        cmp, direction = ("<", "DESC") if desc else (">", "ASC")
        sql = "SELECT id, data FROM items WHERE thread_id = ? AND user_id = ?"
        args: list[Any] = [thread_id, context["user_id"]]
        if after:
            sql += (
                f" AND (created_at, seq) {cmp} "
                "(SELECT created_at, seq FROM items WHERE id = ? AND thread_id = ?)"
            )
            args += [after, thread_id]
        sql += f" ORDER BY created_at {direction}, seq {direction} LIMIT ?"
        args.append(limit + 1)
        rows = list(await self.db.execute_fetchall(sql, args))
        return _page(rows, limit, _ITEM.validate_json)

    async def add_thread_item(self, thread_id: str, item: ThreadItem, context: Context) -> None:
        await self.db.execute(
            "INSERT INTO items (id, thread_id, user_id, created_at, seq, data) VALUES (?, ?, ?, ?, ?, ?)",
            (
                item.id,
                thread_id,
                context["user_id"],
                item.created_at.timestamp(),
                self._next_seq(),
                item.model_dump_json(),
            ),
        )

    async def save_item(self, thread_id: str, item: ThreadItem, context: Context) -> None:
        await self.db.execute(
            "INSERT INTO items (id, thread_id, user_id, created_at, seq, data) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET data = excluded.data WHERE items.user_id = excluded.user_id",
            (
                item.id,
                thread_id,
                context["user_id"],
                item.created_at.timestamp(),
                self._next_seq(),
                item.model_dump_json(),
            ),
        )

    async def load_item(self, thread_id: str, item_id: str, context: Context) -> ThreadItem:
        rows = await self.db.execute_fetchall(
            "SELECT data FROM items WHERE id = ? AND thread_id = ? AND user_id = ?",
            (item_id, thread_id, context["user_id"]),
        )
        row = rows[0] if rows else None
        if row is None:
            raise NotFoundError(f"item {item_id} not found")
        return _ITEM.validate_json(row[0])

    async def delete_thread_item(self, thread_id: str, item_id: str, context: Context) -> None:
        await self.db.execute(
            "DELETE FROM items WHERE id = ? AND thread_id = ? AND user_id = ?",
            (item_id, thread_id, context["user_id"]),
        )

    async def save_attachment(self, attachment: Attachment, context: Context) -> None:
        await self.db.execute(
            "INSERT INTO attachments (id, user_id, data) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET data = excluded.data WHERE attachments.user_id = excluded.user_id",
            (attachment.id, context["user_id"], attachment.model_dump_json()),
        )

    async def load_attachment(self, attachment_id: str, context: Context) -> Attachment:
        rows = await self.db.execute_fetchall(
            "SELECT data FROM attachments WHERE id = ? AND user_id = ?",
            (attachment_id, context["user_id"]),
        )
        row = rows[0] if rows else None
        if row is None:
            raise NotFoundError(f"attachment {attachment_id} not found")
        return _ATTACHMENT.validate_json(row[0])

    async def delete_attachment(self, attachment_id: str, context: Context) -> None:
        await self.db.execute(
            "DELETE FROM attachments WHERE id = ? AND user_id = ?",
            (attachment_id, context["user_id"]),
        )


def _user_text(message: UserMessageItem | None) -> str:
    if message is None:
        return ""
    return "".join(getattr(part, "text", "") for part in message.content)


class BenchServer(ChatKitServer[Context]):
    """The official server with the benchmark's scripted reply."""

    async def respond(
        self,
        thread: ThreadMetadata,
        input_user_message: UserMessageItem | None,
        context: Context,
    ) -> AsyncIterator[ThreadStreamEvent]:
        if HOLD_MARKER in _user_text(input_user_message):
            # An idle open stream. A client that goes away cancels this sleep (Starlette watches
            # for the disconnect and cancels the response), and the package's cancellation hook
            # runs as it would for a real reply.
            await asyncio.sleep(HOLD_SECONDS)

        item_id = self.store.generate_item_id("message", thread, context)
        created_at = datetime.now()
        yield ThreadItemAddedEvent(
            item=AssistantMessageItem(
                id=item_id, thread_id=thread.id, created_at=created_at, content=[]
            )
        )
        yield ThreadItemUpdatedEvent(
            item_id=item_id,
            update=AssistantMessageContentPartAdded(
                content_index=0, content=AssistantMessageContent(text="")
            ),
        )
        text = ""
        for i in range(DELTAS):
            delta = f"tok{i} "
            text += delta
            yield ThreadItemUpdatedEvent(
                item_id=item_id,
                update=AssistantMessageContentPartTextDelta(content_index=0, delta=delta),
            )
        content = AssistantMessageContent(text=text)
        yield ThreadItemUpdatedEvent(
            item_id=item_id,
            update=AssistantMessageContentPartDone(content_index=0, content=content),
        )
        yield ThreadItemDoneEvent(
            item=AssistantMessageItem(
                id=item_id, thread_id=thread.id, created_at=created_at, content=[content]
            )
        )


# --- the visitor cookie: "user_<uuid>.<base64url HMAC-SHA256 of it>" ---------------------------


def _sign(value: str) -> str:
    tag = hmac.new(COOKIE_SECRET, value.encode(), hashlib.sha256).digest()
    return value + "." + base64.urlsafe_b64encode(tag).rstrip(b"=").decode()


def _verify(cookie: str | None) -> str | None:
    if not cookie or "." not in cookie:
        return None
    value = cookie.rsplit(".", 1)[0]
    return value if hmac.compare_digest(_sign(value), cookie) else None


store = SQLiteStore(DB_PATH)
server = BenchServer(store)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    await store.open()
    if READY_DIR:
        # Tells run.sh this worker serves (with --workers N the socket is bound early, but a
        # worker answers only once its imports and start-up are done).
        Path(READY_DIR, str(os.getpid())).touch()
    try:
        yield
    finally:
        await store.close()


app = FastAPI(
    title="chatkit-python benchmark peer",
    docs_url=None,
    redoc_url=None,
    openapi_url=None,
    lifespan=lifespan,
)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/chatkit")
async def chatkit_endpoint(request: Request) -> Response:
    user_id = _verify(request.cookies.get(COOKIE_NAME))
    new_cookie = None
    if user_id is None:
        user_id = f"user_{uuid.uuid4()}"
        new_cookie = _sign(user_id)

    body = await request.body()
    try:
        result = await server.process(body, {"user_id": user_id})
    except ValidationError as err:
        response: Response = JSONResponse({"error": "invalid request", "detail": str(err)}, 400)
    except NotFoundError as err:
        response = JSONResponse({"error": str(err)}, 404)
    else:
        if isinstance(result, StreamingResult):
            response = StreamingResponse(
                result,
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        else:
            response = Response(content=result.json, media_type="application/json")
    if new_cookie is not None:
        response.set_cookie(COOKIE_NAME, new_cookie, httponly=True, samesite="lax", path="/")
    return response
