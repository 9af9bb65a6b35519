import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backtestCli } from "../../backtest/main";
import { createBlocks, writeOpenMetrics } from "../../backtest/record";
import { parseScenario } from "../../backtest/scenario";
import { requireTool } from "../../lib/tools";
import { ROOT } from "../support/program";

/**
 * `--prometheus URL`: the recorded data read back from a real Prometheus (here a throwaway one
 * serving a recorded day) through range queries, as CI reads Thanos Query.
 */

jest.setTimeout(300_000);

/** The replayed day is the second: a backlog that began 10 minutes before it is firing at its start. */
const DAY = {
  name: "queue-day",
  description: "a minor and a major queue backlog, and one across the window's start",
  start: "2026-02-01T00:00:00Z",
  days: 2,
  bots: 2,
  scrapeInterval: "30s",
  requestsPerSecond: 1,
  incidents: [
    { name: "across", at: "23h50m", duration: "25m", faults: { queueDepth: 15 } },
    { name: "minor", at: "1d6h", duration: "25m", faults: { queueDepth: 15 } },
    { name: "major", at: "1d15h", duration: "15m", faults: { queueDepth: 55 } },
  ],
};
const WINDOW_START = Date.parse("2026-02-02T00:00:00Z") / 1000;
const QUEUE_WARNING = 'task_queue_depth{job="port8000"} > 20';

let prometheus: ChildProcess;
let url: string;
let repo: string;
let data: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function ready(): Promise<void> {
  for (let i = 0; i < 120; i += 1) {
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("prometheus did not become ready");
}

beforeAll(async () => {
  data = mkdtempSync(join(tmpdir(), "backtest-prom-"));
  const scenario = parseScenario(JSON.stringify(DAY), "day");
  writeOpenMetrics(scenario, new Set(["task_queue_depth"]), join(data, "in.om"));
  createBlocks(join(data, "in.om"), join(data, "tsdb"));
  writeFileSync(join(data, "prometheus.yml"), "global: {}\n");
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  prometheus = spawn(requireTool("prometheus"), [
    `--config.file=${join(data, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(data, "tsdb")}`,
    "--storage.tsdb.retention.time=100y",
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  await ready();

  repo = mkdtempSync(join(tmpdir(), "backtest-prom-repo-"));
  const git = (...args: string[]) =>
    spawnSync("git", ["-c", "user.email=a@b", "-c", "user.name=a", ...args], { cwd: repo });
  git("init", "-q", "-b", "main");
  mkdirSync(join(repo, "alerts"));
  copyFileSync(
    join(ROOT, "alerts", "port8000-rules.yml"),
    join(repo, "alerts", "port8000-rules.yml"),
  );
  git("add", ".");
  git("commit", "-qm", "base");
  const text = readFileSync(join(repo, "alerts", "port8000-rules.yml"), "utf8");
  writeFileSync(
    join(repo, "alerts", "port8000-rules.yml"),
    text.replace(QUEUE_WARNING, QUEUE_WARNING.replace("20", "10")),
  );
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus.once("exit", resolve));
    prometheus.kill();
    await exited;
  }
  for (const dir of [data, repo]) if (dir) rmSync(dir, { recursive: true, force: true });
});

it("replays the series read back from Prometheus by range queries", async () => {
  // In process (cli.test.ts runs the command as a process): a tsx start-up costs ~1.4 s of CPU.
  const args = ["--base", "HEAD", "--days", "1", "--json", "--prometheus", url];
  const output = { stdout: "", stderr: "" };
  const code = await backtestCli([...args, "--until", "2026-02-03T00:00:00Z"], repo, {
    stdout: (text) => {
      output.stdout += text;
    },
    stderr: (text) => {
      output.stderr += text;
    },
  });
  if (code !== 0) throw new Error(output.stderr);
  const report = JSON.parse(output.stdout) as {
    data: string;
    alerts: {
      alert: string;
      labels: Record<string, string>;
      base: { firings: number };
      head: { firings: number };
      added: { start: number }[];
    }[];
  };
  expect(report.data).toBe(`1 days read from ${url}`);
  expect(report.alerts).toHaveLength(1);
  const [row] = report.alerts;
  expect(row).toMatchObject({ alert: "Port8000QueueBacklog", labels: { severity: "warning" } });
  expect(row.base.firings).toBe(1);
  expect(row.head.firings).toBe(3);
  // Read from before the window (for: 5m and the 5m lookback), the backlog that began at
  // 23:50 has outlasted its 5m hold at the window's start: it fires from there, not 5m later.
  expect(row.added.map((e) => e.start - WINDOW_START)).toEqual([0, expect.any(Number)]);
  const minorStart = WINDOW_START + 6 * 3600;
  expect(row.added[1].start - minorStart).toBeGreaterThanOrEqual(300);
  expect(row.added[1].start - minorStart).toBeLessThanOrEqual(340);
});
