import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { LocalStack } from "../../local/stack";
import { runOps } from "../../ops/cli";
import { PrometheusApi } from "../../ops/http";
import { inject, startE2eStack, stopE2eStack, waitFor } from "../local/support/harness";
import { captured } from "../support/captured";
import { type ChildOutput, childOutput } from "../support/child-output";
import { tsxNode } from "../support/tsx";

/**
 * `npm run ops` as an operator runs it, against one real local stack (Prometheus with the admin
 * API, Alertmanager, simulator): healthy, /health failing, the backup restored, the monthly
 * report checked against PromQL run by hand, bad flags and servers that cannot be used. The
 * command runs in this process (runOps); the /health case spawns the real `ops/main.ts`, so the
 * bin's wiring of arguments, output and exit code is judged too.
 */

jest.setTimeout(180_000);

const ROOT = resolve(__dirname, "../..");

type Run = ChildOutput;

function ops(...args: string[]): Promise<Run> {
  return captured((streams) => runOps(args, { ...streams, env: process.env }));
}

/** The bin as `npm run ops` starts it; async, so the stack's simulator keeps answering. */
function spawnedOps(...args: string[]): Promise<Run> {
  return childOutput(spawn(...tsxNode("ops/main.ts", args), { cwd: ROOT }));
}

interface Report {
  checks: { name: string; status: string; detail: string }[];
}

let stack: LocalStack | undefined;
let prom: PrometheusApi;
let out: string;
const servers = () => [
  "--prometheus",
  running().urls.prometheus,
  "--alertmanager",
  running().urls.alertmanager,
];
const running = () => {
  if (!stack) throw new Error("stack not started");
  return stack;
};
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  stack = await startE2eStack(19500);
  prom = new PrometheusApi(stack.urls.prometheus);
  out = mkdtempSync(join(tmpdir(), "port8000-monthly-"));
  await waitFor(
    "two scrapes of every target and a passing probe",
    async () => {
      const rates = await prom.scalar("sum(increase(http_requests_total[30d]))", now());
      const probe = await prom.scalar('min(probe_success{job="port8000-health"})', now());
      const logs = await prom.scalar(
        'sum(increase(logstash_events_in_total{job="logstash"}[24h]))',
        now(),
      );
      return rates && probe === 1 && logs !== undefined ? true : undefined;
    },
    90_000,
  );
}, 150_000);

afterAll(async () => {
  await stopE2eStack(stack);
  rmSync(out, { recursive: true, force: true });
});

test("daily on a healthy stack: exit 0, the checks of guide 3.1, none failing", async () => {
  const run = await ops("daily", ...servers(), "--json");
  const report = JSON.parse(run.stdout) as Report;
  expect(report.checks.map((c) => c.name)).toEqual([
    "scrape errors (24h)",
    "alerts of the last 24h",
    "/health probe",
    "log volume day over day",
    "bots reporting",
    "bot registry audit",
  ]);
  expect(report.checks.filter((c) => c.status === "fail")).toEqual([]);
  expect(report.checks.find((c) => c.name === "bots reporting")?.detail).toContain("8 of 8 bots");
  expect(run.code).toBe(0);
  expect(run.stderr).toContain("query "); // progress on stderr, never on stdout
});

test("daily with /health failing, run by the bin: fails and names it, exit 1", async () => {
  await inject(running(), { healthy: false });
  try {
    await waitFor("probe_success 0", async () =>
      (await prom.scalar('min(probe_success{job="port8000-health"})', now())) === 0
        ? true
        : undefined,
    );
    const run = await spawnedOps("daily", ...servers());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL\s+\/health probe\s+\/health failing now/);
    expect(run.stderr).toMatch(/^ops daily: Prometheus /m);
  } finally {
    await inject(running(), {});
  }
});

test("weekly: alert noise, queue vs capacity, and a snapshot restored for real", async () => {
  const snapshots = join(running().stateDir, "data", "prometheus", "snapshots");
  const run = await ops("weekly", ...servers(), "--json");
  const report = JSON.parse(run.stdout) as Report;
  expect(report.checks.map((c) => c.name)).toEqual([
    "alert noise (7d)",
    "alert dedupe (7d)",
    "queue depth vs bot capacity",
    "backup/restore (snapshot)",
    "on-call hand-over",
  ]);
  const backup = report.checks[3];
  expect(backup).toMatchObject({ status: "ok" });
  expect(backup.detail).toMatch(/restored into a throwaway Prometheus: same \d+ series names/);
  const names = Number(/same (\d+) series names/.exec(backup.detail)?.[1]);
  const byHand = await prom.scalar('count(count by (__name__) ({__name__=~".+"}))', now());
  expect(Math.abs(names - (byHand ?? 0))).toBeLessThanOrEqual(5);
  expect(run.stderr).toContain("POST /api/v1/admin/tsdb/snapshot");
  expect(existsSync(snapshots) ? readdirSync(snapshots) : []).toEqual([]); // cleaned up after
  expect({ code: run.code, stdout: run.stdout }).toMatchObject({ code: 0 });
});

/** "| title | value unit | …" of the report's table. */
function tableValue(markdown: string, title: string): number {
  const row = markdown.split("\n").find((l) => l.startsWith(`| ${title} |`));
  const cell = row?.split("|")[2].trim() ?? "";
  const value = Number.parseFloat(cell);
  return cell.endsWith("%") ? value / 100 : value;
}

test("monthly writes Markdown with SVG charts, and its numbers match PromQL run by hand", async () => {
  const run = await ops("monthly", ...servers(), "--out", out);
  expect({ code: run.code, stdout: run.stdout }).toMatchObject({ code: 0 });
  const [report] = readdirSync(out).filter((f) => f.endsWith(".md"));
  const markdown = readFileSync(join(out, report), "utf8");
  const at = Number(/\(unix (\d+)\)/.exec(markdown)?.[1]);
  const charts = [...markdown.matchAll(/!\[[^\]]+\]\(([^)]+\.svg)\)/g)].map((m) => m[1]);
  expect(charts).toHaveLength(6);
  for (const chart of charts) {
    const svg = readFileSync(join(out, chart), "utf8");
    expect(svg).toMatch(/^<svg/);
    expect(svg).toMatch(/<path[^>]+d="M[^"]+L/); // a drawn line, not an empty frame
  }
  const byHand: [string, string][] = [
    [
      "p95 latency",
      'histogram_quantile(0.95, sum by (le) (increase(http_request_duration_seconds_bucket{job="port8000"}[30d])))',
    ],
    [
      "error rate (5xx share)",
      'sum(increase(http_requests_total{job="port8000",status=~"5.."}[30d])) / sum(increase(http_requests_total{job="port8000"}[30d]))',
    ],
    ["queue depth (mean)", 'avg_over_time(task_queue_depth{job="port8000"}[30d])'],
    [
      "host memory headroom (available share)",
      'avg_over_time(node_memory_MemAvailable_bytes{job="node"}[30d]) / avg_over_time(node_memory_MemTotal_bytes{job="node"}[30d])',
    ],
  ];
  for (const [title, promql] of byHand) {
    const expected = await prom.scalar(promql, at);
    expect(expected).toBeDefined();
    expect(tableValue(markdown, title)).toBeCloseTo(expected as number, 4);
  }
});

test("a bad flag, a missing flag or no routine: one line, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["daily", "--prometheus", "not a url", "--alertmanager", "http://127.0.0.1:1"],
      /--prometheus.*http\(s\) URL/,
    ],
    [["daily", "--prometheus", "http://127.0.0.1:1"], /--alertmanager/],
    [["weekly", ...servers(), "--bogus"], /unknown option '--bogus'/],
    [["yearly", ...servers()], /unknown command 'yearly'/],
    [[], /^ops: name a routine: daily, weekly, monthly or quarterly/],
  ];
  for (const [args, message] of cases) {
    const run = await ops(...args);
    expect({ args, code: run.code }).toEqual({ args, code: 2 });
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(message)]);
    expect(run.stdout).toBe("");
  }
});

test("an unreachable server or a URL that is not the API: one line, exit 2, no stack trace", async () => {
  const { prometheus, alertmanager, simulator } = running().urls;
  const cases: [string[], RegExp][] = [
    [
      ["daily", "--prometheus", "http://127.0.0.1:19599", "--alertmanager", alertmanager],
      /cannot reach Prometheus at http:\/\/127\.0\.0\.1:19599 \(ECONNREFUSED\)/,
    ],
    [
      ["daily", "--prometheus", simulator, "--alertmanager", alertmanager],
      /does not answer like the Prometheus API/,
    ],
    [
      ["monthly", "--prometheus", prometheus, "--alertmanager", prometheus],
      /does not answer like the Alertmanager API/,
    ],
  ];
  for (const [args, message] of cases) {
    const run = await ops(...args);
    expect({ args, code: run.code }).toEqual({ args, code: 2 });
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(message)]);
  }
});
