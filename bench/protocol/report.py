"""Renders the Markdown report of bench/protocol/run.sh.

Usage: python3 report.py results.jsonl > report.md
       python3 report.py --summary '<one loadgen JSON line>'   (one line for the terminal)

The results file has one JSON line per measurement, `{"target", "phase", "result"}`; the run's
metadata comes from BENCH_* environment variables, and BENCH_FRAMES_DIR holds the raw stream of one
`threads.create` per server (`frames-<target>.sse`). Standard library only.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

GOAL_RATIO = 10.0
# "Idle streams costing a few kilobytes each": the bound this report holds chatkit-rs to.
GOAL_KB_PER_STREAM = 8.0
# How held streams reached the server (the `via` a hold line was recorded with).
VIA = {
    "direct": "HTTP/1.1, a connection per stream",
    "h2c": "HTTP/2 (h2c), 100 streams per connection",
    "haproxy-h2": "through HAProxy: clients HTTP/1.1, HAProxy to the server HTTP/2",
}


def summary(raw: str) -> str:
    r = json.loads(raw)
    if r.get("mode") == "hold":
        return (
            f"opened {r['opened']}/{r['hold']}, ended early {r['ended_early']}, "
            f"{r.get('kb_per_stream')} kB/stream ({r.get('kb_per_stream_marginal')} second half), "
            f"{r.get('kb_per_connection')} kB per idle connection, "
            f"probe ok {r['probe_ok']}"
        )
    failed = r["errors"] + r["non_2xx"] + r["invalid"]
    return (
        f"c={r['concurrency']}: {r['conversations_per_s']:.0f} conv/s, {r['rps']:.0f} req/s, "
        f"conversation p99 {r['conversation']['p99_us'] / 1000:.1f} ms, ok {r['ok']}, failed {failed}"
    )


if len(sys.argv) == 3 and sys.argv[1] == "--summary":
    print(summary(sys.argv[2]))
    sys.exit(0)

LABEL = {
    "chatkit-rs": "chatkit-rs",
    "python": "Python (1 worker)",
    "python-w2": "Python (2 workers)",
}
env = os.environ
lines = [json.loads(l) for l in Path(sys.argv[1]).read_text().splitlines() if l.strip()]
targets = [t for t in LABEL if any(l["target"] == t for l in lines)]
both = "chatkit-rs" in targets and "python" in targets
out: list[str] = []


def p(s: str = "") -> None:
    out.append(s)


def runs(target: str, phase: str) -> list[dict]:
    return [l["result"] for l in lines if l["target"] == target and l["phase"] == phase]


def one(target: str, phase: str) -> dict | None:
    found = runs(target, phase)
    return found[0] if found else None


def closed(target: str, c: int) -> dict | None:
    return next((r for r in runs(target, "closed") if r["concurrency"] == c), None)


def num(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def ms(us: float | None) -> str:
    return "–" if us is None else f"{us / 1000:.2f}"


def mib(kb: float | None) -> str:
    return "–" if kb is None else f"{kb / 1024:.1f}"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}×" if a and b else "–"


def machine() -> str:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return (
        f"{os.cpu_count()} CPUs (`nproc`), {model}, {mem_kb / 1024 / 1024:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()} {platform.machine()}"
    )


def frame_sequence(path: Path) -> str | None:
    """The event types of a raw SSE stream, with repeated runs folded (`text_delta ×20`)."""
    if not path.exists():
        return None
    names: list[str] = []
    for block in path.read_text().split("\n\n"):
        block = block.strip()
        if not block:
            continue
        if not block.startswith("data: "):
            names.append(f"(not a data frame: {block[:40]!r})")
            continue
        try:
            event = json.loads(block[len("data: ") :])
        except json.JSONDecodeError:
            names.append("(bad JSON)")
            continue
        name = event.get("type", "?")
        if name == "thread.item.updated":
            name = event.get("update", {}).get("type", "?").removeprefix("assistant_message.")
        elif name in ("thread.item.added", "thread.item.done"):
            name += f"({event.get('item', {}).get('type', '?')})"
        names.append(name)
    folded: list[str] = []
    i = 0
    while i < len(names):
        j = i
        while j < len(names) and names[j] == names[i]:
            j += 1
        folded.append(names[i] + (f" ×{j - i}" if j - i > 1 else ""))
        i = j
    return " → ".join(folded)


concurrencies = sorted({r["concurrency"] for t in targets for r in runs(t, "closed")})


def best(target: str, key: str = "conversations_per_s") -> float:
    return max([r[key] for r in runs(target, "closed")] or [0.0])


date = env.get("BENCH_DATE", "")
p(f"# Protocol benchmark — {date}")
p()
p("chatkit-rs (`chatkit serve` with `CHATKIT_SCRIPTED_AGENT=bench`, `POST /chatkit/bench`) and the")
p("official Python ChatKit server (`openai-chatkit` `ChatKitServer.process` behind FastAPI and")
p("uvicorn, `POST /chatkit`, bench/protocol/python_server.py), each with a SQLite store, answering")
p("the same scripted conversation: `threads.create` with a user message, streamed back as")
p("`thread.created`, the user message, and an assistant message of 20 text deltas; then")
p("`items.list` for the new thread. Every answer is checked (frames, deltas, final text, the two")
p("listed items); a conversation that fails a check does not count.")
p()
p("## Setup")
p()
p(f"- Command: `{env.get('BENCH_COMMAND', 'bash bench/protocol/run.sh')}`")
p(f"- Commit: {env.get('BENCH_GIT', 'unknown')}")
p(f"- Machine: {machine()}")
p(f"- chatkit-rs: {env.get('BENCH_CHATKIT_VERSION', '?')}, {env.get('BENCH_RUSTC', 'rustc ?')}")
p(f"- Python peer: {env.get('BENCH_PY_VERSIONS', '?')}")
p(
    "- chatkit-rs: one process, `CHATKIT_RATE_LIMITS=off CHATKIT_STREAM_LIMITS=off`, SQLite in a"
    " fresh `CHATKIT_DATA_DIR`. Python: `uvicorn python_server:app --workers 1` (uvloop and"
    f" httptools), SQLite on one aiosqlite connection. Both: SQLite in WAL mode with"
    f" `synchronous={env.get('BENCH_SQLITE_SYNC', 'FULL')}` for Python and `FULL` for chatkit-rs"
    " (every write on disk before its frame is sent), on the same file system; callers told apart"
    " by a signed visitor cookie, each load-generator task keeping its own."
)
p(
    f"- Closed loop {env.get('BENCH_SECONDS', '?')} s per run; idle "
    f"{env.get('BENCH_IDLE_SECONDS', '?')} s before the idle memory reading; held streams stay "
    f"open {env.get('BENCH_HOLD_SECONDS', '?')} s. The servers and the load generator share this "
    "machine's CPUs."
)
p(f"- Load average just before the first measurement: {env.get('BENCH_LOADAVG', '?')} (1, 5, 15 min)")
p()

# Wire check.
frames_dir = Path(env.get("BENCH_FRAMES_DIR", "."))
sequences = {t: frame_sequence(frames_dir / f"frames-{t}.sse") for t in targets}
p("## The scripted stream")
p()
p("Event types of one `threads.create` stream from each server (deltas folded):")
p()
for t in targets:
    if sequences.get(t):
        p(f"- {LABEL[t]}: {sequences[t]}")
if both and sequences.get("chatkit-rs") and sequences.get("python"):
    same = sequences["chatkit-rs"] == sequences["python"]
    p()
    p(f"Same sequence of events: **{'yes' if same else 'no'}**.")
p()

# Throughput.
p("## Throughput (closed loop)")
p()
p("N tasks, each starting its next conversation as soon as the last one ended. Conversations/s")
p("count the good ones; requests/s count every HTTP request (two per conversation); p99 of the")
p("whole conversation in ms in parentheses.")
p()
head = "| concurrency | " + " | ".join(f"{LABEL[t]} conv/s (p99 ms)" for t in targets)
head += " | " + " | ".join(f"{LABEL[t]} req/s" for t in targets)
if both:
    head += " | chatkit-rs ÷ Python |"
    if "python-w2" in targets:
        head += " chatkit-rs ÷ Python 2 workers |"
else:
    head += " |"
p(head)
p("|---:|" + "---:|" * (2 * len(targets) + (1 if both else 0) + (1 if both and "python-w2" in targets else 0)))
for c in concurrencies:
    cells = []
    for t in targets:
        r = closed(t, c)
        cells.append(f"{num(r['conversations_per_s'])} ({ms(r['conversation']['p99_us'])})" if r else "–")
    for t in targets:
        r = closed(t, c)
        cells.append(num(r["rps"]) if r else "–")
    if both:
        rs, py = closed("chatkit-rs", c), closed("python", c)
        cells.append(ratio(rs and rs["conversations_per_s"], py and py["conversations_per_s"]))
        if "python-w2" in targets:
            w2 = closed("python-w2", c)
            cells.append(ratio(rs and rs["conversations_per_s"], w2 and w2["conversations_per_s"]))
    p(f"| {c} | " + " | ".join(cells) + " |")
cells = [f"**{num(best(t))}**" for t in targets] + [f"**{num(best(t, 'rps'))}**" for t in targets]
if both:
    cells.append(f"**{ratio(best('chatkit-rs'), best('python'))}**")
    if "python-w2" in targets:
        cells.append(f"**{ratio(best('chatkit-rs'), best('python-w2'))}**")
p("| **best** | " + " | ".join(cells) + " |")
p()

# Latency per step.
p("## Latency per step (ms, p50 / p99)")
p()
p("`threads.create`: from the send to the end of the stream; first delta: from the send to the")
p("first `text_delta` frame; `items.list`: the whole JSON answer.")
p()
p("| target | concurrency | threads.create stream | first delta | items.list | conversation |")
p("|---|---:|---:|---:|---:|---:|")
for c in concurrencies:
    for t in targets:
        r = closed(t, c)
        if not r:
            continue
        cell = lambda k: f"{ms(r[k]['p50_us'])} / {ms(r[k]['p99_us'])}"  # noqa: E731
        p(
            f"| {LABEL[t]} | {c} | {cell('stream')} | {cell('first_delta')} | {cell('items_list')} "
            f"| {cell('conversation')} |"
        )
p()

# CPU.
p("## CPU per conversation (ms)")
p()
p("User + system CPU time of the server's processes (from /proc) and of the load generator")
p("(from the shell's `times`) during each run, divided by the good conversations. On a machine")
p("whose cores the servers share with the load generator, this measures each server's")
p("efficiency independently of how the scheduler splits the cores.")
p()


def cpu_ms(r: dict | None) -> float | None:
    if not r or not r.get("ok") or not r.get("clk_tck"):
        return None
    return r["cpu_ticks"] / r["clk_tck"] / r["ok"] * 1000


def gen_ms(r: dict | None) -> float | None:
    if not r or not r.get("ok"):
        return None
    return r["loadgen_cpu_ms"] / r["ok"]


head = "| concurrency | " + " | ".join(f"{LABEL[t]} server" for t in targets)
head += " | " + " | ".join(f"load generator vs {LABEL[t]}" for t in targets)
head += " | Python ÷ chatkit-rs |" if both else " |"
p(head)
p("|---:|" + "---:|" * (2 * len(targets) + (1 if both else 0)))
for c in concurrencies:
    cells = [num(cpu_ms(closed(t, c)), 3) for t in targets]
    cells += [num(gen_ms(closed(t, c)), 3) for t in targets]
    if both:
        cells.append(ratio(cpu_ms(closed("python", c)), cpu_ms(closed("chatkit-rs", c))))
    p(f"| {c} | " + " | ".join(cells) + " |")
p()

# Memory.
p("## Memory (resident set, MiB)")
p()
p("Resident memory of the server processes (user space: the kernel's socket buffers are not in it).")
p()
p("`VmRSS` right after start-up, idle after a warm-up of 400 conversations, after all the runs")
p("(hold tests included); and `VmHWM`, the peak. Summed over the worker processes for Python with")
p("2 workers (measured idle after its own warm-up, and after its closed-loop runs).")
p()
p("| target | at start | idle after warm-up | after the runs | peak (VmHWM) |")
p("|---|---:|---:|---:|---:|")
for t in targets:
    start, idle, end = one(t, "mem-start"), one(t, "mem-idle"), one(t, "mem-end")
    p(
        f"| {LABEL[t]} | {mib(start and start['rss_kb'])} | {mib(idle and idle['rss_kb'])} "
        f"| {mib(end and end['rss_kb'])} | {mib(end and end['hwm_kb'])} |"
    )
p()

def connections(r: dict) -> str:
    """The server-side connections a hold line's streams used, when known."""
    if r.get("via") == "haproxy-h2":
        return "HAProxy's"
    return num(r.get("connections", r["hold"]))


def hold_table(by_target: dict) -> None:
    """One row per hold test."""
    p(
        "| target | transport | server connections | streams | opened | ended early "
        "| time to open all (s) | first frame p99 (ms) "
        "| idle connections | kB per idle connection "
        "| RSS before (MiB) | RSS half open (MiB) | RSS all open (MiB) | RSS after closing (MiB) "
        "| kB per stream | kB per stream, second half | probe conversation |"
    )
    p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for t, rs in by_target.items():
        for r in rs:
            probe = f"ok, {ms(r['probe_us'])} ms" if r["probe_ok"] else "**failed**"
            p(
                f"| {LABEL[t]} | {r.get('via', 'direct')} | {connections(r)} "
                f"| {num(r['hold'])} | {num(r['opened'])} | {num(r['ended_early'])} "
                f"| {r['open_elapsed_s']:.2f} | {ms(r['first_frame']['p99_us'])} "
                f"| {num(r.get('idle_connections', 0))} | {num(r.get('kb_per_connection'), 1)} "
                f"| {mib(r.get('rss_before_kb'))} | {mib(r.get('rss_half_kb'))} "
                f"| {mib(r.get('rss_open_kb'))} | {mib(r.get('rss_closed_kb'))} "
                f"| {num(r.get('kb_per_stream'), 1)} | {num(r.get('kb_per_stream_marginal'), 1)} "
                f"| {probe} |"
            )
    p()


# Held streams.
fresh = {t: runs(t, "hold-fresh") for t in targets if runs(t, "hold-fresh")}
holds = {t: runs(t, "hold") for t in targets if runs(t, "hold")}
if holds:
    p("## Idle open streams")
    p()
    p("N `threads.create` streams whose user text contains `[[hold]]`: the scripted reply waits")
    p("before answering, so each stream stays open and idle after its first frames. They are opened")
    p("in two halves (at most 64 waiting for their first frame at a time); the server's `VmRSS` is")
    p("read before, with half and with all of them open; one normal conversation runs meanwhile (the")
    p("probe), and they are closed after the hold. *kB per stream* is the whole growth over all")
    p("streams; *second half* is the growth from half to all open over the second half's streams,")
    p("free of what the first streams paid once (database page cache, pools, allocator arenas).")
    p("*Ended early* counts streams the server closed or answered before the client let go.")
    p("Before the streams, *idle connections* keep-alive connections that each sent one")
    p("`GET /healthz` are opened and stay open throughout (*RSS before* is read with them open);")
    p("*kB per idle connection* is what one costs alone, the part of a stream's cost that is the")
    p("HTTP connection itself. *Transport* says how the streams reached the server: "
      + "; ".join(f"*{k}*: {v}" for k, v in VIA.items()) + ".")
    p()
    hold_table(holds)
    if fresh:
        p("### By transport")
        p()
        p("The same held streams reaching the server in different ways, each on a fresh chatkit-rs")
        p("after the same warm-up (400 conversations): a process reuses the memory it freed rather")
        p("than returning it, so these rows are not run on the server of the tests above. uvicorn")
        p("serves HTTP/1.1 only, so the Python server has no HTTP/2 rows.")
        p()
        hold_table(fresh)

# Goals.
p("## Goals")
p()
if both:
    r_best, p_best = best("chatkit-rs"), best("python")
    got = r_best / p_best if p_best else 0.0
    met = "met" if got >= GOAL_RATIO else "not met"
    p(
        f"- At least {GOAL_RATIO:.0f}× the Python server's throughput (best conversations/s, one"
        f" worker): {got:.1f}× ({num(r_best)} vs {num(p_best)}) — **{met}**"
    )
    if "python-w2" in targets:
        w2 = best("python-w2")
        p(f"  - against Python on 2 workers: {ratio(r_best, w2)} ({num(r_best)} vs {num(w2)})")
else:
    p("- Throughput ratio: not measured (one side only).")
if "chatkit-rs" in holds:
    # Per transport, from the fresh-server rows when there are any.
    measured = fresh.get("chatkit-rs") or holds["chatkit-rs"]
    for via, label in VIA.items():
        rs = [r for r in measured if r.get("via", "direct") == via]
        if not rs:
            continue
        worst = max((r.get("kb_per_stream_marginal") or r.get("kb_per_stream") or 0.0) for r in rs)
        overall = max((r.get("kb_per_stream") or 0.0) for r in rs)
        met = "met" if worst <= GOAL_KB_PER_STREAM else "not met"
        p(
            f"- chatkit-rs idle streams cost a few kilobytes each (≤ {GOAL_KB_PER_STREAM:.0f} kB of"
            f" RSS per stream, second half), {label}: {worst:.1f} kB ({overall:.1f} kB over all"
            f" streams) — **{met}**"
        )
        conns = [r["kb_per_connection"] for r in rs if r.get("kb_per_connection")]
        if conns:
            p(
                f"  - of which the HTTP connection alone (an idle keep-alive connection): "
                f"{max(conns):.1f} kB"
            )
    if "python" in holds:
        py = max((r.get("kb_per_stream_marginal") or 0.0) for r in holds["python"])
        py_conns = [r["kb_per_connection"] for r in holds["python"] if r.get("kb_per_connection")]
        py_conn = f", an idle connection {max(py_conns):.1f} kB" if py_conns else ""
        p(f"  - Python: {py:.1f} kB per stream (second half){py_conn}")
for t, rs in holds.items():
    top = max(rs, key=lambda r: r["hold"])
    held = top["opened"] - top["ended_early"]
    ok = held == top["hold"] and top["probe_ok"]
    p(
        f"- {LABEL[t]} sustains {num(top['hold'])} idle open streams while still serving: "
        f"{num(held)} held, probe {'ok' if top['probe_ok'] else 'failed'} — **{'yes' if ok else 'no'}**"
    )
failures = sum(
    r["errors"] + r["non_2xx"] + r["invalid"] for t in targets for r in runs(t, "closed")
)
p(f"- Failed conversations over all closed-loop runs: {failures}")
p()

# Everything.
p("## All closed-loop runs")
p()
p("| target | c | conversations | ok | errors | non-2xx | invalid | conv/s | req/s | stream p50 / p90 / p99 / max ms |")
p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for t in targets:
    for r in runs(t, "closed"):
        s = r["stream"]
        p(
            f"| {LABEL[t]} | {r['concurrency']} | {num(r['conversations'])} | {num(r['ok'])} "
            f"| {r['errors']} | {r['non_2xx']} | {r['invalid']} | {num(r['conversations_per_s'])} "
            f"| {num(r['rps'])} | {ms(s['p50_us'])} / {ms(s['p90_us'])} / {ms(s['p99_us'])} / {ms(s['max_us'])} |"
        )
p()
for t in targets:
    for r in runs(t, "closed") + runs(t, "hold"):
        if r.get("first_failure"):
            p(f"- first failure, {LABEL[t]}: `{r['first_failure'][:300]}`")
p()
p("<details><summary>Raw results (one JSON line per measurement)</summary>")
p()
p("```json")
for l in lines:
    p(json.dumps(l, separators=(",", ":")))
p("```")
p()
p("</details>")

print("\n".join(out))
