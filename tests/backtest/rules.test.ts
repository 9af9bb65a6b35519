import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import {
  alertKey,
  changedAlerts,
  parseRuleFile,
  type RuleFile,
  replayFile,
} from "../../backtest/rules";
import { ROOT } from "../support/program";

const committed = readFileSync(join(ROOT, "alerts", "port8000-rules.yml"), "utf8");
const base = () => parseRuleFile(committed, "committed");
const queueWarning = alertKey({
  alert: "Port8000QueueBacklog",
  expr: "",
  labels: { service: "port8000", severity: "warning" },
});

/** The committed file with one text replaced, exactly once. */
function edited(from: string, to: string): RuleFile {
  expect(committed.split(from)).toHaveLength(2);
  return parseRuleFile(committed.replace(from, to), "edited");
}

describe("which alerts a change touches", () => {
  it("lists nothing for an unchanged rule file", () => {
    expect(changedAlerts(base(), base())).toEqual([]);
  });

  it("lists the one level whose threshold moved, not its other level", () => {
    const head = edited(
      'task_queue_depth{job="port8000"} > 20',
      'task_queue_depth{job="port8000"} > 10',
    );
    expect(changedAlerts(base(), head)).toEqual([queueWarning]);
  });

  it("ignores annotation-only changes: they never change when an alert fires", () => {
    const head = edited("(threshold 20 tasks)", "(threshold twenty tasks)");
    expect(changedAlerts(base(), head)).toEqual([]);
  });

  it("lists a changed for: duration", () => {
    const head = edited(
      'task_queue_depth{job="port8000"} > 20\n        for: 5m',
      'task_queue_depth{job="port8000"} > 20\n        for: 10m',
    );
    expect(changedAlerts(base(), head)).toEqual([queueWarning]);
  });

  it("lists every alert that reads a changed recording rule", () => {
    const head = edited(
      "expr: histogram_quantile(0.95, job:http_request_duration_seconds_bucket:rate2m)",
      "expr: histogram_quantile(0.9, job:http_request_duration_seconds_bucket:rate2m)",
    );
    const names = changedAlerts(base(), head).map((k) => k.split("[")[0]);
    expect(new Set(names)).toEqual(new Set(["Port8000HighLatency", "Port8000DeployRegression"]));
  });

  it("lists added and removed alerts", () => {
    const file = base();
    const dropped: RuleFile = {
      groups: file.groups.map((g) => ({
        ...g,
        rules: g.rules.filter((r) => r.alert !== "Watchdog"),
      })),
    };
    expect(changedAlerts(file, dropped).map((k) => k.split("[")[0])).toEqual(["Watchdog"]);
    expect(changedAlerts(dropped, file).map((k) => k.split("[")[0])).toEqual(["Watchdog"]);
  });
});

describe("the replayed rule file", () => {
  it("holds the alerts, the recording rules they read (transitively) and no annotations", () => {
    const key = alertKey({
      alert: "Port8000HighLatency",
      expr: "",
      labels: { service: "port8000", severity: "critical" },
    });
    const file = replayFile(base(), [key]) as RuleFile;
    const rules = file.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.record ?? r.alert)).toEqual([
      "job:http_request_duration_seconds_bucket:rate2m",
      "job:http_request_duration_seconds:p95_rate2m",
      "Port8000HighLatency",
    ]);
    expect(rules.some((r) => "annotations" in r)).toBe(false);
    expect(file.groups.map((g) => g.name)).toEqual(["port8000.http"]);
    expect(yaml.dump(file)).toContain("for: 1m");
  });

  it("is null for a revision without the alert", () => {
    expect(replayFile(base(), ["Nope[]"])).toBeNull();
  });
});
