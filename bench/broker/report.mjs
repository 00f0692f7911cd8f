// Renders the Markdown report of bench/broker/run.sh from its results file (one JSON line per
// measurement: {target, phase, result}) and the run's metadata (BENCH_* environment variables).
// Usage: node report.mjs results.jsonl > report.md
import { readFileSync } from "node:fs";
import os from "node:os";

const lines = readFileSync(process.argv[2], "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l));
const env = process.env;

const TARGETS = ["direct", "chatkit-rs", "express"];
const LABEL = { direct: "simulator direct", "chatkit-rs": "chatkit-rs", express: "Express" };

const runs = (phase) => lines.filter((l) => l.phase === phase);
const find = (target, phase, key, value) =>
  lines.find((l) => l.target === target && l.phase === phase && l.result[key] === value)?.result;
const mem = (target, phase) => lines.find((l) => l.target === target && l.phase === phase)?.result;

const int = (x) => (x === undefined ? "–" : Math.round(x).toLocaleString("en-US"));
const ms = (us) => (us === undefined ? "–" : (us / 1000).toFixed(2));
const mib = (kb) => (kb === undefined ? "–" : (kb / 1024).toFixed(1));
const signed = (us) => (us === undefined ? "–" : `${us >= 0 ? "+" : "−"}${Math.abs(us).toLocaleString("en-US")}`);
const unique = (xs) => [...new Set(xs)];

function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown";
  const memKb = Number(/^MemTotal:\s*(\d+)/m.exec(readFileSync("/proc/meminfo", "utf8"))?.[1]);
  return {
    nproc: os.availableParallelism(),
    model,
    mem: `${(memKb / 1024 / 1024).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

const out = [];
const p = (s = "") => out.push(s);
const m = machine();

p(`# Session broker benchmark — ${env.BENCH_DATE ?? new Date().toISOString()}`);
p();
p("chatkit-rs (`POST /api/chatkit/session`) and the deployment blueprint's Express broker");
p("(`POST /api/session`, bench/broker/express/server.js) minting ChatKit sessions against the same");
p("local simulator (`chatkit sim`), with the simulator called directly as the baseline.");
p();
p("## Setup");
p();
p(`- Command: \`${env.BENCH_COMMAND ?? "bash bench/broker/run.sh"}\``);
p(`- Commit: ${env.BENCH_GIT ?? "unknown"}`);
p(`- Machine: ${m.nproc} CPUs (\`nproc\`), ${m.model}, ${m.mem} RAM, ${m.kernel}`);
p(`- Versions: ${env.BENCH_RUSTC ?? "rustc ?"}; Node ${env.BENCH_NODE ?? "?"}, Express ${env.BENCH_EXPRESS ?? "?"}`);
p(
  `- Closed loop ${env.BENCH_SECONDS} s per run, open loop ${env.BENCH_OPEN_SECONDS} s per run, ` +
    `idle ${env.BENCH_IDLE_SECONDS} s before each idle memory reading; everything (simulator, both ` +
    "brokers, load generator) shares this machine's CPUs.",
);
p(`- Load average just before the first measurement: ${env.BENCH_LOADAVG ?? "?"} (1, 5, 15 min)`);
p();

// Throughput.
const closed = runs("closed");
const concurrencies = unique(closed.map((l) => l.result.concurrency)).sort((a, b) => a - b);
p("## Throughput (closed loop)");
p();
p("Requests/s with N connections each sending the next request as soon as the previous one is");
p("answered; p99 latency in ms in parentheses.");
p();
p("| concurrency | simulator direct | chatkit-rs | Express | chatkit-rs ÷ Express |");
p("|---:|---:|---:|---:|---:|");
for (const c of concurrencies) {
  const r = Object.fromEntries(TARGETS.map((t) => [t, find(t, "closed", "concurrency", c)]));
  const cell = (x) => (x ? `${int(x.rps)} (${ms(x.p99_us)})` : "–");
  const ratio = r["chatkit-rs"] && r.express?.rps ? (r["chatkit-rs"].rps / r.express.rps).toFixed(1) + "×" : "–";
  p(`| ${c} | ${cell(r.direct)} | ${cell(r["chatkit-rs"])} | ${cell(r.express)} | ${ratio} |`);
}
const best = (t) => Math.max(0, ...closed.filter((l) => l.target === t).map((l) => l.result.rps));
const bestRatio = best("express") > 0 ? best("chatkit-rs") / best("express") : undefined;
p(
  `| **best** | ${int(best("direct"))} | ${int(best("chatkit-rs"))} | ${int(best("express"))} | ` +
    `${bestRatio === undefined ? "–" : bestRatio.toFixed(1) + "×"} |`,
);
p();
p("CPU time each target's own process spent per request, in µs (user + system, from /proc), at");
p("each concurrency. On a machine whose cores are shared by the load generator, the simulator and");
p("the broker, this is the measure of a broker's efficiency that does not depend on how the");
p("scheduler splits the cores.");
p();
p("| concurrency | simulator direct | chatkit-rs | Express | Express ÷ chatkit-rs |");
p("|---:|---:|---:|---:|---:|");
const cpuPerReq = (x) => (x && x.ok > 0 && x.clk_tck ? (x.cpu_ticks / x.clk_tck / x.ok) * 1e6 : undefined);
for (const c of concurrencies) {
  const r = Object.fromEntries(TARGETS.map((t) => [t, cpuPerReq(find(t, "closed", "concurrency", c))]));
  const cell = (x) => (x === undefined ? "–" : x.toFixed(1));
  const ratio = r["chatkit-rs"] && r.express ? (r.express / r["chatkit-rs"]).toFixed(1) + "×" : "–";
  p(`| ${c} | ${cell(r.direct)} | ${cell(r["chatkit-rs"])} | ${cell(r.express)} | ${ratio} |`);
}
p();

// Added latency.
const open = runs("open");
const skipped = runs("skipped-open");
const rates = unique([...open, ...skipped].map((l) => l.result.rate)).sort((a, b) => a - b);
p("## Added latency (open loop)");
p();
p("Requests start on a fixed schedule; latency runs from each request's scheduled start (no");
p("coordinated omission). Added latency = broker percentile − direct percentile at the same rate,");
p("in µs. A rate above half a target's best closed-loop throughput is not run for it (its latency");
p("there is mostly queueing).");
p();
p("| rate (req/s) | direct p50 / p99 | chatkit-rs p50 / p99 | chatkit-rs added p50 / p99 | Express p50 / p99 | Express added p50 / p99 |");
p("|---:|---:|---:|---:|---:|---:|");
const added = {};
for (const rate of rates) {
  const d = find("direct", "open", "rate", rate);
  const cells = [];
  cells.push(d ? `${int(d.p50_us)} / ${int(d.p99_us)}` : "not run");
  for (const t of ["chatkit-rs", "express"]) {
    const b = find(t, "open", "rate", rate);
    if (!b) {
      const s = find(t, "skipped-open", "rate", rate);
      cells.push(s ? `not run (best ${int(s.max_rps)} req/s)` : "–", "–");
      continue;
    }
    cells.push(`${int(b.p50_us)} / ${int(b.p99_us)}`);
    if (d) {
      const a50 = b.p50_us - d.p50_us;
      const a99 = b.p99_us - d.p99_us;
      (added[t] ??= []).push({ rate, a50, a99 });
      cells.push(`${signed(a50)} / ${signed(a99)}`);
    } else {
      cells.push("–");
    }
  }
  p(`| ${int(rate)} | ${cells.join(" | ")} |`);
}
p();

// Memory.
p("## Memory (resident set, MiB)");
p();
p("`VmRSS` right after start-up, idle after a warm-up of about 1,000 mints, idle after all the runs; and");
p("`VmHWM`, the peak over the whole run.");
p();
p("| broker | at start | idle after warm-up | idle after the load | peak (VmHWM) |");
p("|---|---:|---:|---:|---:|");
for (const t of ["chatkit-rs", "express"]) {
  const end = mem(t, "mem-end");
  p(
    `| ${LABEL[t]} | ${mib(mem(t, "mem-start")?.rss_kb)} | ${mib(mem(t, "mem-idle")?.rss_kb)} | ` +
      `${mib(end?.rss_kb)} | ${mib(end?.hwm_kb)} |`,
  );
}
p();

// Goals.
p("## Goals");
p();
const verdict = (ok) => (ok === undefined ? "not measured" : ok ? "**met**" : "**not met**");
p(
  `- At least 10× Express's requests/s: best ${bestRatio === undefined ? "–" : bestRatio.toFixed(1) + "×"} — ` +
    verdict(bestRatio === undefined ? undefined : bestRatio >= 10),
);
const rsAdded = added["chatkit-rs"] ?? [];
const worst99 = rsAdded.length ? Math.max(...rsAdded.map((a) => a.a99)) : undefined;
p(
  `- chatkit-rs p99 added latency under 1 ms below saturation: worst ${
    worst99 === undefined ? "–" : `${signed(worst99)} µs`
  } over ${rsAdded.map((a) => `${a.rate}`).join(", ") || "no"} req/s — ${verdict(worst99 === undefined ? undefined : worst99 < 1000)}`,
);
const idleKb = mem("chatkit-rs", "mem-idle")?.rss_kb;
p(
  `- chatkit-rs idle RSS under 20 MiB: ${mib(idleKb)} MiB — ${verdict(idleKb === undefined ? undefined : idleKb < 20 * 1024)}`,
);
const failed = [...closed, ...open].filter((l) => l.result.non_2xx > 0 || l.result.errors > 0);
if (failed.length) {
  p();
  p("Runs with failed requests (their numbers include only the 2xx answers):");
  p();
  for (const l of failed) {
    const r = l.result;
    const at = r.mode === "closed" ? `concurrency ${r.concurrency}` : `${r.rate} req/s`;
    p(`- ${LABEL[l.target]}, ${r.mode} loop at ${at}: ${r.non_2xx} non-2xx, ${r.errors} errors of ${r.requests}`);
  }
}
p();

// Everything, for the record.
p("## All runs");
p();
p("| target | mode | load | requests | ok | non-2xx | errors | req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms |");
p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const l of [...closed, ...open]) {
  const r = l.result;
  const load = r.mode === "closed" ? `c=${r.concurrency}` : `${r.rate}/s`;
  p(
    `| ${LABEL[l.target]} | ${r.mode} | ${load} | ${int(r.requests)} | ${int(r.ok)} | ${int(r.non_2xx)} | ` +
      `${int(r.errors)} | ${int(r.rps)} | ${ms(r.p50_us)} | ${ms(r.p90_us)} | ${ms(r.p99_us)} | ` +
      `${ms(r.p999_us)} | ${ms(r.max_us)} |`,
  );
}
p();
p("<details><summary>Raw results (one loadgen line per run)</summary>");
p();
p("```json");
for (const l of lines) p(JSON.stringify(l));
p("```");
p();
p("</details>");

process.stdout.write(out.join("\n") + "\n");
