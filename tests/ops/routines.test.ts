import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { basename, join } from "node:path";
import yaml from "js-yaml";
import { buildTimeIntervals } from "../../components/alertmanager/time-intervals";
import { type MaintenanceWindow, nextWindow } from "../../components/config/maintenance";
import { stopChild } from "../../ops/backup";
import {
  CAPACITY_LIMIT,
  capacityCheck,
  leastSquares,
  project,
  RESOURCES,
} from "../../ops/capacity";
import { coFiring, dedupeCheck, duplicateRules } from "../../ops/dedupe";
import { handoverCheck } from "../../ops/handover";
import { LatencyHistogram, loadCheck, summarize } from "../../ops/loadtest";
import { slackSummary } from "../../ops/notify";
import { registryCheck, registryNames } from "../../ops/registry";
import { authorization, putObject } from "../../ops/s3";
import {
  GOVULNCHECK,
  govulncheckCheck,
  npmAuditCheck,
  RUN_TIMEOUT_MS,
  type Runner,
  reviewPasses,
  runCommand,
  runCommandIn,
  vulnerabilityChecks,
} from "../../ops/vulns";
import { intervalsOf, nextWindow as nextLiveWindow } from "../../ops/windows";
import { ROOT } from "../support/program";

/** The routine items added to the checklists, as pure judgements over fixtures. */

const DAY = 86_400;

describe("capacity projection (quarterly)", () => {
  // 90 daily samples of 20% + 0.5 points a day: the line is known, not computed by the code.
  const points = Array.from({ length: 90 }, (_, d) => ({ t: d * DAY, v: 0.2 + 0.005 * d }));
  const at = 89 * DAY;

  it("fits the line that generated the samples", () => {
    const fit = leastSquares(points);
    expect(fit?.slope).toBeCloseTo(0.005 / DAY, 12);
    expect(fit?.intercept).toBeCloseTo(0.2, 9);
  });

  it("days until 80%: (0.8 - 0.645) / 0.005 = 31, a finding under 90 days", () => {
    const p = project(RESOURCES[0], points, at);
    expect(p.now).toBeCloseTo(0.645, 9);
    expect(p.daysToLimit).toBeCloseTo(31, 6);
    expect(capacityCheck(p)).toMatchObject({
      status: "warn",
      detail: expect.stringContaining("in 31 days"),
    });
  });

  it("a falling line never reaches the limit; a line above it fails; one point cannot be fitted", () => {
    const falling = points.map((p) => ({ t: p.t, v: 0.6 - (p.v - 0.2) }));
    expect(capacityCheck(project(RESOURCES[1], falling, at)).status).toBe("ok");
    const full = points.map((p) => ({ t: p.t, v: p.v + 0.3 }));
    expect(capacityCheck(project(RESOURCES[2], full, at))).toMatchObject({ status: "fail" });
    expect(capacityCheck(project(RESOURCES[3], points.slice(0, 1), at)).status).toBe("warn");
    expect(CAPACITY_LIMIT).toBe(0.8);
  });
});

describe("maintenance windows from Alertmanager's config (weekly)", () => {
  const config = `
route: {receiver: x}
receivers: [{name: x}]
time_intervals:
  - name: os-patch
    time_intervals:
      - weekdays: [sunday]
        times: [{start_time: "02:00", end_time: "04:00"}]
        location: America/Chicago
`;
  it("names the next Sunday 02:00 Chicago, in winter and in summer time", () => {
    const intervals = intervalsOf(config);
    expect(nextLiveWindow(intervals, new Date("2026-12-06T19:00:00Z"))?.start.toISOString()).toBe(
      "2026-12-13T08:00:00.000Z",
    );
    expect(nextLiveWindow(intervals, new Date("2026-07-01T00:00:00Z"))?.start.toISOString()).toBe(
      "2026-07-05T07:00:00.000Z",
    );
  });
  it("a window in progress is the next one; none configured is a finding", () => {
    const now = new Date("2026-12-13T09:00:00Z");
    const w = nextLiveWindow(intervalsOf(config), now);
    expect(w?.start.toISOString()).toBe("2026-12-13T08:00:00.000Z");
    expect(handoverCheck([], [], w, now).detail).toContain("IN PROGRESS");
    expect(handoverCheck([], [], undefined, now).status).toBe("warn");
  });
});

describe("one next-window computation for the config and for what Alertmanager runs", () => {
  const windows = [
    { name: "late", weekdays: ["saturday"], start: "23:00", end: "01:30", timeZone: "UTC" },
    {
      name: "patch",
      weekdays: ["sunday"],
      start: "02:00",
      end: "04:00",
      timeZone: "America/Chicago",
    },
  ] as MaintenanceWindow[];
  const config = { maintenance: { windows } };
  // What alertmanager.yml carries for these windows: "late" as two ranges split at midnight.
  const live = intervalsOf(yaml.dump({ time_intervals: buildTimeIntervals(config.maintenance) }));

  it.each([
    "2026-01-10T12:00:00Z", // before "late"
    "2026-01-10T23:30:00Z", // inside "late", before midnight
    "2026-01-11T00:30:00Z", // inside "late", after midnight
    "2026-01-11T05:00:00Z", // before "patch" (02:00 Chicago = 08:00Z)
    "2026-07-11T23:59:00Z", // summer time
  ])("at %s both name the same window, start and end", (at) => {
    const now = new Date(at);
    const fromConfig = nextWindow(config, now);
    const fromAlertmanager = nextLiveWindow(live, now);
    expect(fromAlertmanager).toEqual(fromConfig);
    expect(fromConfig).toBeDefined();
  });

  it("the window past midnight ends at 01:30 on Sunday, not at 24:00", () => {
    const w = nextLiveWindow(live, new Date("2026-01-10T23:30:00Z"));
    expect([w?.name, w?.start.toISOString(), w?.end.toISOString(), w?.active]).toEqual([
      "late",
      "2026-01-10T23:00:00.000Z",
      "2026-01-11T01:30:00.000Z",
      true,
    ]);
  });
});

describe("hand-over, dedupe, registry, Slack", () => {
  const now = new Date("2026-12-07T08:00:00Z");
  it("a silence longer than a rotation or without a comment is handed over as a finding", () => {
    const silence = (endsAt: string, comment: string) => ({
      id: "s1",
      createdBy: "amy",
      comment,
      endsAt,
      matchers: [{ name: "alertname", value: "HostHighCpu", isRegex: false, isEqual: true }],
    });
    const window = {
      name: "w",
      start: new Date("2026-12-13T08:00:00Z"),
      end: new Date("2026-12-13T10:00:00Z"),
      timeZone: "UTC",
      active: false,
    };
    expect(
      handoverCheck(
        ["HostHighCpu/warning"],
        [silence("2026-12-08T00:00:00Z", "patching")],
        window,
        now,
      ).status,
    ).toBe("ok");
    expect(
      handoverCheck([], [silence("2026-12-30T00:00:00Z", "patching")], window, now).status,
    ).toBe("warn");
    const c = handoverCheck([], [silence("2026-12-08T00:00:00Z", "")], window, now);
    expect(c).toMatchObject({
      status: "warn",
      detail: expect.stringContaining('{alertname="HostHighCpu"} by amy'),
    });
  });

  it("alerts firing together over 80% of their time are a pair; warning+critical of one alert are not", () => {
    const steps = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => (from + i) * 60);
    const pairs = coFiring([
      { alert: "A/warning", steps: steps(0, 10) },
      { alert: "B/warning", steps: steps(1, 10) },
      { alert: "A/critical", steps: steps(0, 10) },
      { alert: "C/warning", steps: steps(5, 20) },
    ]);
    expect(pairs.map((p) => `${p.a}+${p.b}`)).toEqual([
      "A/warning+B/warning",
      "B/warning+A/critical",
    ]);
    expect(pairs[0].share).toBeCloseTo(9 / 10, 9);
    const dups = duplicateRules([
      { name: "X", query: "up == 0", labels: { severity: "warning" }, annotations: {} },
      { name: "Y", query: "up  ==  0", labels: { severity: "critical" }, annotations: {} },
      { name: "Z", query: "up == 1", labels: {}, annotations: {} },
    ]);
    expect(dups).toEqual([["X/warning", "Y/critical"]]);
    expect(dedupeCheck([], []).status).toBe("ok");
    expect(dedupeCheck(pairs, dups).detail).toContain("same expression in X/warning, Y/critical");
  });

  it("registry audit: an unregistered bot reporting fails, a silent registered one is a finding", () => {
    expect(registryNames({ bots: [{ name: "b2" }, { id: "b1" }, "b3"] })).toEqual([
      "b1",
      "b2",
      "b3",
    ]);
    expect(registryCheck(["b1", "b2"], ["b1", "b2"]).status).toBe("ok");
    expect(registryCheck(["b1", "b2"], ["b1"])).toMatchObject({
      status: "warn",
      detail: expect.stringContaining("silent for 24h: b2"),
    });
    expect(registryCheck(["b1"], ["b1", "rogue"])).toMatchObject({
      status: "fail",
      detail: expect.stringContaining("not registered: rogue"),
    });
    expect(registryCheck(undefined, ["b1"]).status).toBe("warn");
    expect(() => registryNames({ robots: [] })).toThrow(/list of bots/);
  });

  it("the Slack summary names every failing check and finding", () => {
    const { text } = slackSummary("daily", [
      { name: "scrape errors (24h)", status: "ok", detail: "0.1%" },
      { name: "/health probe", status: "fail", detail: "/health failing now\nmore" },
      { name: "log volume day over day", status: "warn", detail: "+40%" },
    ]);
    expect(text.split("\n")).toEqual([
      ":red_circle: ops daily: 1 ok, 1 warn, 1 fail",
      "• *FAIL* /health probe: /health failing now",
      "• *WARN* log volume day over day: +40%",
    ]);
  });
});

describe("load test judgement", () => {
  it("p95 from the histogram; 5xx and connection errors count as errors", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 100; i++) h.add(i);
    expect(h.quantile(0.95)).toBe(95);
    const ok = summarize("http://x", new Date(0), 10, 2, h, { "200": 99, "503": 1 }, 0);
    expect(ok.errorRate).toBeCloseTo(0.01, 9);
    expect(loadCheck(ok).status).toBe("ok");
    const bad = summarize("http://x", new Date(0), 10, 2, h, { "200": 90, "500": 5 }, 5);
    expect(bad.errorRate).toBeCloseTo(0.1, 9);
    expect(loadCheck(bad).status).toBe("fail");
    const slow = new LatencyHistogram();
    for (let i = 0; i < 100; i++) slow.add(600);
    expect(
      loadCheck(summarize("http://x", new Date(0), 10, 2, slow, { "200": 100 }, 0)).status,
    ).toBe("fail");
  });
});

describe("the restore drill's throwaway Prometheus", () => {
  it("is stopped with SIGTERM, and no grace timer is left once it has exited", async () => {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"]);
    await new Promise((r) => child.once("spawn", r));
    const exited = new Promise((r) => child.once("exit", (_code, signal) => r(signal)));
    // The grace timer itself, not a count of all timers: other tests' servers end theirs meanwhile.
    const set = jest.spyOn(global, "setTimeout");
    const clear = jest.spyOn(global, "clearTimeout");
    try {
      await stopChild(child, exited, 10_000);
      expect(await exited).toBe("SIGTERM");
      const grace = set.mock.calls.findIndex(([, ms]) => ms === 10_000);
      expect(grace).toBeGreaterThanOrEqual(0);
      expect(clear).toHaveBeenCalledWith(set.mock.results[grace].value);
    } finally {
      set.mockRestore();
      clear.mockRestore();
    }
  });
});

describe("dependency vulnerability review", () => {
  it("npm audit findings by severity; high or critical fails", () => {
    const report = (v: Record<string, number>) => ({
      code: 1,
      stdout: JSON.stringify({ metadata: { vulnerabilities: v, dependencies: { total: 10 } } }),
      stderr: "",
    });
    expect(
      npmAuditCheck(report({ critical: 0, high: 0, moderate: 0, low: 0, info: 0 })).status,
    ).toBe("ok");
    expect(npmAuditCheck(report({ moderate: 2 })).status).toBe("warn");
    expect(npmAuditCheck(report({ high: 1, low: 3 }))).toMatchObject({
      status: "fail",
      detail: "1 high, 3 low in 10 dependencies; run npm audit for the advisories",
    });
  });

  it("npm audit here, without the advisory endpoint: a clear warning, not a failure", async () => {
    const c = npmAuditCheck(await runCommand("npm", ["audit", "--json"], ROOT));
    expect(c.status).toBe("warn");
    expect(c.detail).toMatch(/^warn: could not reach the vulnerability database/);
  }, 120_000);

  it("a command not on PATH is a spawn error, and leaves no timer keeping the process alive", async () => {
    // The run's own timeout timer, not a count of all timers: other tests' servers change theirs.
    const set = jest.spyOn(global, "setTimeout");
    const clear = jest.spyOn(global, "clearTimeout");
    try {
      const ran = await runCommandIn({ PATH: "/nonexistent" })("go", ["version"], ROOT);
      expect(ran.spawnError).toMatch(/ENOENT/);
      // runOps runs in-process (tests, a caller's own process): a leftover run timeout would hold
      // that process for RUN_TIMEOUT_MS after the review has finished.
      const timeout = set.mock.calls.findIndex(([, ms]) => ms === RUN_TIMEOUT_MS);
      expect(timeout).toBeGreaterThanOrEqual(0);
      expect(clear).toHaveBeenCalledWith(set.mock.results[timeout].value);
    } finally {
      set.mockRestore();
      clear.mockRestore();
    }
  });

  it("govulncheck: called vulnerabilities fail, a scan without them passes, no scan warns", () => {
    const stream = (findings: string) =>
      `{"config":{"scanner_name":"govulncheck"}}\n{"progress":{"message":"x"}}\n${findings}`;
    const called =
      '{"finding":{"osv":"GO-2024-0001","trace":[{"module":"golang.org/x/net","function":"Get"}]}}';
    const imported = '{"finding":{"osv":"GO-2024-0002","trace":[{"module":"golang.org/x/net"}]}}';
    expect(govulncheckCheck({ code: 0, stdout: stream(imported), stderr: "" }).status).toBe("ok");
    expect(govulncheckCheck({ code: 3, stdout: stream(called), stderr: "" })).toMatchObject({
      status: "fail",
      detail: "1 reachable: GO-2024-0001 (golang.org/x/net)",
    });
    expect(
      govulncheckCheck({
        code: 1,
        stdout: "",
        stderr: "dial tcp: lookup vuln.go.dev: no such host",
      }).detail,
    ).toMatch(/^warn: could not reach the vulnerability database \(dial tcp: lookup vuln\.go\.dev/);
    expect(govulncheckCheck({ code: null, stdout: "", stderr: "", timedOut: true }).status).toBe(
      "warn",
    );
  });

  it("govulncheck scans every tool binary npm run tools built, each with its main module's pinned version", async () => {
    const bin = join(ROOT, ".tools", "bin");
    const built = readdirSync(bin)
      .filter((b) => !b.startsWith("."))
      .sort();
    const installs: (string | undefined)[] = [];
    const extracted: string[] = [];
    const mainVersions = new Map<string, string>();
    const fake: Runner = async (cmd, args, _cwd, env) => {
      if (cmd === "npm") return { code: 0, stdout: '{"config":{}}', stderr: "" };
      if (cmd === "go") {
        expect(args).toEqual(["install", GOVULNCHECK]);
        installs.push(env?.GOBIN);
        return { code: 0, stdout: "", stderr: "" };
      }
      // Every scan runs the binary go install put into GOBIN.
      expect(cmd).toBe(join(installs[0] ?? "?", "govulncheck"));
      const target = args[args.length - 1];
      if (args[1] === "extract") {
        extracted.push(target);
        // What a copy-of-source build records: its main module without a version.
        const body = { path: "x/cmd", main: { Path: "x", Version: "(devel)" }, modules: [] };
        return {
          code: 0,
          stdout: `{"name":"govulncheck-extract","version":"0.1.0"}\n${JSON.stringify(body)}\n`,
          stderr: "",
        };
      }
      expect(args.slice(0, 4)).toEqual(["-mode", "binary", "-format", "json"]);
      const [, body] = readFileSync(target, "utf8").trim().split("\n");
      mainVersions.set(basename(target, ".blob"), JSON.parse(body).main.Version);
      return { code: 0, stdout: '{"config":{}}', stderr: "" };
    };
    const checks = await vulnerabilityChecks(ROOT, fake);
    expect(installs).toEqual([expect.stringMatching(/govulncheck-/)]);
    expect(existsSync(installs[0] ?? "")).toBe(false);
    expect(extracted.sort()).toEqual(built.map((b) => join(bin, b)));
    expect(checks.filter((c) => c.name.startsWith("govulncheck"))).toHaveLength(built.length);
    const pinned = /github\.com\/prometheus\/prometheus (v\S+)/.exec(
      readFileSync(join(ROOT, "tools", "go", "go.mod"), "utf8"),
    )?.[1];
    expect(pinned).toMatch(/^v\d/);
    expect(mainVersions.get("promtool")).toBe(pinned);
  });

  it("govulncheck that cannot be installed is every tool's check, from one attempt", async () => {
    let attempts = 0;
    const noGo: Runner = async (cmd) => {
      if (cmd === "npm") return { code: 0, stdout: '{"config":{}}', stderr: "" };
      attempts += 1;
      return { code: null, stdout: "", stderr: "", spawnError: `spawn ${cmd} ENOENT` };
    };
    const govulncheck = (await vulnerabilityChecks(ROOT, noGo)).filter((c) =>
      c.name.startsWith("govulncheck"),
    );
    expect(attempts).toBe(1);
    expect(govulncheck.length).toBeGreaterThan(1);
    for (const c of govulncheck)
      expect(c).toMatchObject({ status: "warn", detail: "go could not run (spawn go ENOENT)" });
  });

  it("CI's review passes only when everything was scanned and nothing serious was found", () => {
    const ok = { name: "npm audit", status: "ok" as const, detail: "no known vulnerability" };
    const minor = { ...ok, status: "warn" as const, detail: "2 moderate in 90 dependencies; …" };
    const unreachable = {
      ...ok,
      status: "warn" as const,
      detail: "warn: could not reach the vulnerability database (dial tcp)",
    };
    const notBuilt = {
      name: "govulncheck (thanos)",
      status: "warn" as const,
      detail: "not built: run npm run tools",
    };
    expect(reviewPasses([ok, minor])).toBe(true);
    expect(reviewPasses([ok, unreachable])).toBe(false);
    expect(reviewPasses([ok, notBuilt])).toBe(false);
    expect(reviewPasses([{ ...ok, status: "fail", detail: "1 high" }])).toBe(false);
  });

  it("govulncheck that cannot load what it scans fails; only a network error is 'unreachable'", () => {
    const load = 'tools.go:10:2: import "x" is a program, not an importable package';
    expect(govulncheckCheck({ code: 1, stdout: "", stderr: load })).toMatchObject({
      status: "fail",
      detail: expect.stringMatching(/^could not scan \(tools\.go:10:2: import/),
    });
  });
});

describe("S3 upload (Signature Version 4)", () => {
  it("signs AWS's documented GET Object example to its published signature", () => {
    const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    const header = authorization(
      {
        method: "GET",
        host: "examplebucket.s3.amazonaws.com",
        path: "/test.txt",
        headers: {
          host: "examplebucket.s3.amazonaws.com",
          range: "bytes=0-9",
          "x-amz-content-sha256": empty,
          "x-amz-date": "20130524T000000Z",
        },
        payloadSha256: empty,
        region: "us-east-1",
        service: "s3",
        amzDate: "20130524T000000Z",
      },
      {
        accessKeyId: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      },
    );
    expect(header).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    );
  });

  it("puts the object under its key with the session token and the payload hash", async () => {
    const seen: {
      method?: string;
      url?: string;
      headers?: IncomingMessage["headers"];
      body?: string;
    } = {};
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        Object.assign(seen, { method: req.method, url: req.url, headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      await putObject(
        {
          bucket: "b",
          key: "metrics/monthly/2026-12.md",
          region: "us-east-1",
          endpoint: `http://127.0.0.1:${port}`,
        },
        Buffer.from("# report"),
        "text/markdown",
        { accessKeyId: "AK", secretAccessKey: "SK", sessionToken: "TOKEN" },
      );
      expect(seen).toMatchObject({
        method: "PUT",
        url: "/b/metrics/monthly/2026-12.md",
        body: "# report",
      });
      expect(seen.headers?.["x-amz-security-token"]).toBe("TOKEN");
      expect(seen.headers?.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AK\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
      );
    } finally {
      server.close();
    }
  });
});
