import { compareSeries } from "../../ops/backup";
import { renderChart } from "../../ops/charts";
import { exitCode, toJson, toTable } from "../../ops/checks";
import { alertsCheck, botsCheck, healthCheck, logVolumeCheck, scrapeCheck } from "../../ops/daily";
import { renderReport, trendCheck } from "../../ops/monthly";
import { parseComparison } from "../../ops/promql";
import { TRENDS } from "../../ops/trends";
import { noiseCheck, queueCheck } from "../../ops/weekly";

/** The judgements of the ops checks, on data as the servers would give it. */

const annotated = { summary: "queue is long", runbook_url: "https://runbooks/bots.md#queue" };
const trend = (id: string) => {
  const found = TRENDS.find((t) => t.id === id);
  if (!found) throw new Error(id);
  return found;
};

describe("daily (guide 3.1)", () => {
  it.each([
    [0.0099, "ok"],
    [0.01, "fail"],
  ])("a scrape error share of %p is %s (limit < 1%%)", (share, status) => {
    expect(scrapeCheck({ errorShare: share, downNow: [] }).status).toBe(status);
  });

  it("no up series at all fails", () => {
    expect(scrapeCheck({ downNow: [] }).status).toBe("fail");
  });

  it("a resolved, annotated alert is ok; a firing one is a warning; a missing runbook fails", () => {
    const resolved = {
      alertname: "Port8000QueueBacklog",
      severity: "warning",
      annotations: annotated,
    };
    expect(alertsCheck([resolved]).status).toBe("ok");
    expect(alertsCheck([{ ...resolved, activeSince: 1_700_000_000 }]).detail).toContain(
      "STILL FIRING since 2023-11-14T22:13:20Z",
    );
    expect(alertsCheck([{ ...resolved, activeSince: 1_700_000_000 }]).status).toBe("warn");
    const bare = alertsCheck([{ ...resolved, annotations: { summary: "x" } }]);
    expect(bare).toMatchObject({ status: "fail" });
    expect(bare.detail).toContain("MISSING annotations runbook_url");
  });

  it("the Watchdog is not reviewed", () => {
    expect(alertsCheck([{ alertname: "Watchdog", severity: "info", annotations: {} }]).status).toBe(
      "ok",
    );
  });

  it("/health fails when any probe fails now, or when nothing probes it", () => {
    expect(healthCheck({ probesNow: 1, failingNow: [], availability: 1 }).status).toBe("ok");
    const failing = healthCheck({ probesNow: 1, failingNow: ["http://port8000/health"] });
    expect(failing).toMatchObject({ status: "fail" });
    expect(failing.detail).toContain("http://port8000/health");
    expect(healthCheck({ probesNow: 0, failingNow: [] }).status).toBe("fail");
  });

  it.each([
    [125, 100, "ok"],
    [126, 100, "warn"],
    [74, 100, "warn"],
    [100, undefined, "warn"],
  ])(
    "log volume %p vs %p the day before is %s (finding above 25%%)",
    (today, yesterday, status) => {
      expect(logVolumeCheck({ today, yesterday }).status).toBe(status);
    },
  );

  it("a bot seen today that does not report now fails, named", () => {
    const check = botsCheck({ seen: ["bot-01", "bot-02"], reporting: ["bot-01"] });
    expect(check).toMatchObject({ status: "fail" });
    expect(check.detail).toContain("not reporting: bot-02");
    expect(botsCheck({ seen: ["bot-01"], reporting: ["bot-01"] }).status).toBe("ok");
  });
});

describe("weekly (guide 3.2)", () => {
  it("reads the signal and threshold of a simple alert expression, not of a compound one", () => {
    expect(parseComparison('task_queue_depth{job="port8000"} > 20')).toEqual({
      signal: 'task_queue_depth{job="port8000"}',
      op: ">",
      threshold: 20,
    });
    expect(parseComparison("a / b\n< 0.15")).toEqual({ signal: "a / b", op: "<", threshold: 0.15 });
    expect(parseComparison("a > 1 and b > 2")).toBeUndefined();
    expect(parseComparison("absent(up == 1)")).toBeUndefined();
  });

  it("an alert activated 3 times a week is flapping, with the threshold to halve it", () => {
    const check = noiseCheck([
      {
        alertname: "HostHighCpu",
        severity: "warning",
        activations: 3,
        halfAsOften: { op: ">", threshold: 0.8123, current: 0.75 },
      },
      { alertname: "Port8000QueueBacklog", severity: "warning", activations: 2 },
    ]);
    expect(check.status).toBe("warn");
    expect(check.detail).toContain(
      "HostHighCpu warning: 3 activations FLAPPING; threshold 0.75 → 0.8123",
    );
    expect(noiseCheck([{ alertname: "A", severity: "info", activations: 2 }]).status).toBe("ok");
  });

  it("a queue above the backlog warning more than 1% of the week is a finding", () => {
    const base = { max: 50, p95: 10, p95PerBot: 1.25, warning: 20 };
    expect(queueCheck({ ...base, aboveWarningShare: 0.01 }).status).toBe("ok");
    expect(queueCheck({ ...base, aboveWarningShare: 0.02 }).detail).toContain("did not keep up");
    expect(queueCheck({}).status).toBe("fail");
  });

  it("a restore that lost a series name, or answers a different count, fails", () => {
    const original = new Map([
      ["up", 7],
      ["task_queue_depth", 1],
    ]);
    expect(compareSeries(original, new Map(original))).toEqual([]);
    expect(compareSeries(original, new Map([["up", 7]]))).toEqual(["task_queue_depth missing"]);
    expect(compareSeries(original, new Map([...original, ["up", 6]]))).toEqual([
      "up: 6 series, expected 7",
    ]);
  });
});

describe("monthly (guide 3.3)", () => {
  it("a trend worse by more than 25% month over month is a finding, in its own direction", () => {
    const latency = trend("p95-latency");
    const headroom = trend("memory-headroom");
    expect(trendCheck({ trend: latency, current: 0.5, previous: 0.4, points: [] }).status).toBe(
      "ok",
    );
    expect(trendCheck({ trend: latency, current: 0.51, previous: 0.4, points: [] }).status).toBe(
      "warn",
    );
    expect(trendCheck({ trend: headroom, current: 0.3, previous: 0.5, points: [] }).status).toBe(
      "warn",
    );
    expect(trendCheck({ trend: headroom, current: 0.7, previous: 0.5, points: [] }).status).toBe(
      "ok",
    );
    expect(trendCheck({ trend: latency, points: [] }).status).toBe("fail");
  });

  it("the report names each value, the month before, and a chart per trend", () => {
    const md = renderReport(1_796_317_822, "http://prom", [
      { trend: trend("error-rate"), current: 0.0123, previous: 0.01, points: [] },
    ]);
    expect(md).toContain("| error rate (5xx share) | 1.23% | 1% | +23.0% | ok |");
    expect(md).toContain("![error rate (5xx share)](2026-12-error-rate.svg)");
    expect(md).toContain("(unix 1796317822)");
  });

  it("renders a chart as SVG with its line", async () => {
    const svg = await renderChart("p95 latency", "s", [
      { t: 1_700_000_000, v: 0.2 },
      { t: 1_700_000_060, v: 0.3 },
    ]);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toMatch(/<path[^>]+d="M[^"]+L/);
    expect(svg).toContain("p95 latency");
  });
});

describe("output", () => {
  const checks = [
    { name: "a", status: "ok" as const, detail: "fine" },
    { name: "b", status: "warn" as const, detail: "two\nlines" },
  ];
  it("--json is exactly {checks:[{name,status,detail}]}", () => {
    expect(JSON.parse(toJson(checks))).toEqual({ checks });
  });
  it("exits 1 only when a check fails", () => {
    expect(exitCode(checks)).toBe(0);
    expect(exitCode([...checks, { name: "c", status: "fail", detail: "" }])).toBe(1);
  });
  it("the table shows each status and wraps the detail under it", () => {
    expect(toTable("t", checks)).toMatch(/WARN {2}b +two\n +lines/);
  });
});
