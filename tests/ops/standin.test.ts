import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { runOps } from "../../ops/cli";
import { captured } from "../support/captured";
import type { ChildOutput } from "../support/child-output";
import { listen, loadTarget, NOW_SHARE, PER_DAY, standIn } from "../support/ops-stand-in";
import { ROOT } from "../support/program";

/**
 * `npm run ops -- monthly --load-test` and `quarterly` as an operator runs them, against a
 * stand-in Prometheus/Alertmanager (fixed answers, so the numbers are known) and a loopback
 * target for autocannon; and their flags' usage errors. The command runs in this process
 * (runOps); tests/ops/cli.test.ts spawns the bin.
 */

jest.setTimeout(120_000);

type Run = ChildOutput;

function ops(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return captured((streams) => runOps(args, { ...streams, env }));
}

let servers: Server[] = [];
let api: string;
let out: string;
const apiFlags = () => ["--prometheus", api, "--alertmanager", api];

beforeAll(async () => {
  const s = standIn();
  servers.push(s);
  api = await listen(s);
});
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), "ops-standin-"));
});
afterEach(() => rmSync(out, { recursive: true, force: true }));
afterAll(() => {
  for (const s of servers) s.close();
  servers = [];
});

async function target(failEvery = 0): Promise<string> {
  const s = loadTarget(failEvery);
  servers.push(s);
  return listen(s);
}

/** `ops monthly --load-test` against url, writing its reports to out. */
function loadTest(url: string, ...flags: string[]) {
  return ops(["monthly", ...apiFlags(), "--out", out, "--load-test", "--target", url, ...flags]);
}

/** The load test's JSON report in out, and its file name. */
function loadReport() {
  const [file] = readdirSync(out).filter((f) => f.endsWith("-load-test.json"));
  return { file, result: JSON.parse(readFileSync(join(out, file), "utf8")) };
}

describe("monthly --load-test", () => {
  it("loads the target for --duration and writes latency percentiles and error rate (Markdown + JSON)", async () => {
    const url = await target();
    const run = await loadTest(url, "--json", "--duration", "1s");
    const checks = (
      JSON.parse(run.stdout) as { checks: { name: string; status: string; detail: string }[] }
    ).checks;
    expect(checks.find((c) => c.name === "synthetic load test")).toMatchObject({ status: "ok" });
    expect(run.code).toBe(0);
    const { file, result } = loadReport();
    expect(result).toMatchObject({ target: url, durationSeconds: 1, errors: 0, errorRate: 0 });
    expect(result.requests).toBeGreaterThan(100);
    expect(result.status).toEqual({ "200": result.requests });
    expect(result.latencyMs.p95).toBeGreaterThanOrEqual(result.latencyMs.p50);
    const md = readFileSync(join(out, file.replace(".json", ".md")), "utf8");
    expect(md).toContain(`| p95 latency | ${result.latencyMs.p95} ms |`);
  });

  it("--rate holds the requests per second over all connections", async () => {
    const url = await target();
    const run = await loadTest(
      url,
      "--json",
      "--duration",
      "3s",
      "--connections",
      "4",
      "--rate",
      "20",
    );
    expect(run.code).toBe(0);
    const { result } = loadReport();
    // Unthrottled, loopback answers thousands a second (the test above asks for > 100 in 1 s).
    expect(result.requests).toBeGreaterThanOrEqual(40);
    expect(result.requests).toBeLessThanOrEqual(80);
  });

  it("a target failing one request in ten fails the check: exit 1", async () => {
    const url = await target(10);
    // Throttled: the error rate, not the load, is what this case judges.
    const run = await loadTest(url, "--duration", "1s", "--rate", "200");
    expect(run.stdout).toMatch(/FAIL\s+synthetic load test\s+.*error rate (9\.[5-9]\d|10\.\d+)%/);
    expect(run.code).toBe(1);
  });

  it("bad load-test flags: one line, exit 2, before anything runs", async () => {
    const cases: [string[], RegExp][] = [
      [
        ["monthly", ...apiFlags(), "--duration", "2s"],
        /^ops: --duration, --target, --connections and --rate belong to --load-test$/,
      ],
      [["monthly", ...apiFlags(), "--rate", "5"], /belong to --load-test$/],
      [
        ["monthly", ...apiFlags(), "--load-test", "--target", "http://x", "--rate", "0"],
        /--rate.*expected a positive integer/,
      ],
      [["monthly", ...apiFlags(), "--load-test"], /^ops: --load-test needs --target URL/],
      [
        ["monthly", ...apiFlags(), "--load-test", "--target", "http://x", "--duration", "soon"],
        /--duration.*expected a duration/,
      ],
      [["daily", ...apiFlags(), "--duration", "1m"], /unknown option '--duration'/],
      [["quarterly", ...apiFlags(), "--grafana", "ftp://x"], /--grafana.*http\(s\) URL/],
    ];
    for (const [args, message] of cases) {
      const run = await ops(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(message)]);
    }
    expect(readdirSync(out)).toEqual([]);
  });
});

describe("quarterly", () => {
  it("projects capacity from the 90-day series, reviews access from the stack file, and degrades the vulnerability review without its databases", async () => {
    // No Go on PATH: govulncheck cannot run; npm audit has no advisory endpoint here.
    const path = (process.env.PATH ?? "")
      .split(delimiter)
      .filter((p) => !p.includes("/go/"))
      .join(delimiter);
    const run = await ops(
      [
        "quarterly",
        ...apiFlags(),
        "--out",
        out,
        "--json",
        "--stack-file",
        join(ROOT, "Pulumi.prod.yaml"),
      ],
      { ...process.env, PATH: path },
    );
    const checks = (
      JSON.parse(run.stdout) as { checks: { name: string; status: string; detail: string }[] }
    ).checks;
    const byName = Object.fromEntries(checks.map((c) => [c.name, c]));
    for (const r of [
      "CPU",
      "memory",
      "disk (fullest filesystem)",
      "network (busiest link, in + out)",
    ]) {
      const days = Number(/in (\d+) days/.exec(byName[`capacity: ${r}`].detail)?.[1]);
      expect({ r, days }).toEqual({ r, days: expect.any(Number) });
      expect(Math.abs(days - (0.8 - NOW_SHARE) / PER_DAY)).toBeLessThanOrEqual(1);
    }
    expect(byName["access review (config)"]).toMatchObject({ status: "ok" });
    expect(byName["access review (config)"].detail).toContain("role port8000-production-sre");
    expect(byName["npm audit"].detail).toMatch(/^warn: could not reach the vulnerability database/);
    for (const tool of [
      "prometheus",
      "alertmanager",
      "thanos",
      "kube-apiserver",
      "json_exporter",
    ]) {
      expect(byName[`govulncheck (${tool})`]).toMatchObject({
        status: "warn",
        detail: expect.stringMatching(/^go could not run/),
      });
    }
    expect(run.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files.filter((f) => f.endsWith(".svg"))).toHaveLength(4);
    const [report] = files.filter((f) => f.endsWith("-capacity.md"));
    expect(readFileSync(join(out, report), "utf8")).toMatch(
      /\| CPU \| 30\.0% \| 6\.00% \| (249|250|251) \|/,
    );
  });

  it("--vulnerability-review-in-ci runs neither npm nor go and names where the review runs", async () => {
    // Only node's own directory on PATH: npm and go would fail to spawn if they were asked.
    const run = await ops(
      [
        "quarterly",
        ...apiFlags(),
        "--out",
        out,
        "--json",
        "--vulnerability-review-in-ci",
        "CI job v",
      ],
      { ...process.env, PATH: join(process.execPath, "..") },
    );
    const checks = (JSON.parse(run.stdout) as { checks: { name: string; detail: string }[] })
      .checks;
    expect(checks.map((c) => c.name).filter((n) => /audit|govuln|vulnerab/.test(n))).toEqual([
      "dependency vulnerabilities",
    ]);
    expect(checks.find((c) => c.name === "dependency vulnerabilities")).toMatchObject({
      status: "warn",
      detail: expect.stringContaining("npm audit and govulncheck run in CI job v"),
    });
  });
});

test("--help prints the routines and a routine's flags on stdout, exit 0", async () => {
  const top = await ops(["--help"]);
  expect({ code: top.code, stderr: top.stderr }).toEqual({ code: 0, stderr: "" });
  expect(top.stdout).toMatch(/daily[\s\S]*weekly[\s\S]*monthly[\s\S]*quarterly/);
  const monthly = await ops(["monthly", "--help"]);
  expect(monthly.code).toBe(0);
  expect(monthly.stdout).toContain("--load-test");
});
