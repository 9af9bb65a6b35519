import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineReport } from "../../backtest/compare";
import { ensureEngine } from "../../backtest/engine";
import { ingestStream, writeScrapeStream } from "../../backtest/record";
import { replay, writeRuleFile } from "../../backtest/replay";
import { alertKey, parseRuleFile, type RuleFile, replayFile } from "../../backtest/rules";
import { parseScenario } from "../../backtest/scenario";
import { ROOT } from "../support/program";

/**
 * The range mode (one range query per rule and day, Prometheus' own RecordingRule.Eval and
 * AlertingRule.Eval at every step) against the rule manager's loop (Group.Eval at every step):
 * the same episodes, to the second, for every alert of the committed rule file over a day in
 * which most of them fire and resolve.
 */

jest.setTimeout(600_000);

const DAY = parseScenario(
  JSON.stringify({
    name: "busy-day",
    description: "most incidents the rules know, one after another",
    start: "2026-03-02T00:00:00Z",
    days: 1,
    bots: 5,
    scrapeInterval: "1m",
    requestsPerSecond: 1,
    incidents: [
      { name: "errors", at: "1h", duration: "20m", faults: { errorRatio: 0.08 } },
      { name: "blip", at: "2h", duration: "4m", faults: { errorRatio: 0.04 } },
      { name: "latency", at: "3h", duration: "12m", faults: { latencyMs: 900 } },
      { name: "cpu", at: "5h", duration: "20m", faults: { botCpuPercent: 88 } },
      { name: "queue", at: "7h", duration: "15m", faults: { queueDepth: 55 } },
      { name: "crash", at: "9h", duration: "30m", faults: { crashBot: "bot-03" } },
      { name: "db", at: "11h", duration: "10m", faults: { dbDown: true } },
      { name: "ollama", at: "13h", duration: "15m", faults: { ollamaLatencyMs: 9000 } },
      { name: "leak", at: "20h", duration: "2h", faults: { residentMemoryMb: 1900 } },
    ],
  }),
  "busy-day",
);
const FROM = DAY.startMs;
const TO = DAY.endMs;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

let dir: string;
let blocks: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "backtest-modes-"));
  blocks = join(dir, "blocks");
  writeScrapeStream(DAY, null, join(dir, "day.stream"));
  ingestStream(join(dir, "day.stream"), blocks);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function both(
  file: RuleFile,
  name: string,
  fromMs = FROM,
  toMs = TO,
): Promise<[EngineReport, EngineReport]> {
  const path = writeRuleFile(file, dir, name);
  const window = { dataDir: blocks, fromMs, toMs, interval: "1m" };
  return Promise.all([
    replay(ensureEngine(), file, path, window, "range"),
    replay(ensureEngine(), file, path, window, "manager"),
  ]);
}

it("gives the rule manager's episodes for every alert of the committed rules", async () => {
  const committed = parseRuleFile(
    readFileSync(join(ROOT, "alerts", "port8000-rules.yml"), "utf8"),
    "committed",
  );
  const keys = committed.groups.flatMap((g) => g.rules.filter((r) => r.alert).map(alertKey));
  const [range, manager] = await both(replayFile(committed, keys) as RuleFile, "all");
  expect([range.mode, manager.mode]).toEqual(["range", "manager"]);
  expect(range.evaluations).toBe(1_441);
  const fired = range.rules.filter((r) => r.episodes.length > 0).map((r) => r.alert);
  // Errors, latency, CPU, queue, crash loop, database, Ollama, memory and the Watchdog.
  expect(new Set(fired).size).toBeGreaterThanOrEqual(9);
  expect(range.rules).toEqual(manager.rules);
});

type Rules = RuleFile["groups"][number]["rules"];
const odd = (rules: Rules): RuleFile["groups"] => [{ name: "odd", rules }];
const RECORD_MAX = { record: "job:queue:max", expr: "max by (job) (task_queue_depth)" };
const ODD: Record<string, RuleFile["groups"]> = {
  "reads ALERTS": odd([
    { alert: "Backlog", expr: "task_queue_depth > 10" },
    { alert: "AlertsRead", expr: 'ALERTS{alertname="Backlog"}' },
  ]),
  'reads {__name__="ALERTS"}': odd([
    { alert: "Backlog", expr: "task_queue_depth > 10" },
    { alert: "AlertsRead", expr: '{__name__="ALERTS",alertname="Backlog"}' },
  ]),
  "reads a recording rule before it is recorded": odd([
    { alert: "Early", expr: "job:queue:max > 10" },
    RECORD_MAX,
  ]),
  "reads a recording rule by {__name__=…} before it is recorded": odd([
    { alert: "Early", expr: '{__name__="job:queue:max"} > 10' },
    RECORD_MAX,
  ]),
  "selects metric names by a pattern": odd([
    RECORD_MAX,
    { alert: "Either", expr: '{__name__=~"job:queue:max|nothing"} > 10' },
  ]),
  "reads a recording rule of a group with a longer query_offset": [
    { name: "recorded", query_offset: "2m", rules: [RECORD_MAX] },
    { name: "alerts", rules: [{ alert: "Late", expr: "job:queue:max > 10" }] },
  ],
  "uses @ end()": odd([{ alert: "Pinned", expr: "task_queue_depth @ end() > 10" }]),
};

/** The queue incident (7h, 15 minutes at 55 tasks) and an hour either side, not the whole day. */
const QUEUE_HOURS = [FROM + 6 * HOUR_MS, FROM + 8 * HOUR_MS + 15 * MINUTE_MS] as const;

it.each(Object.keys(ODD))("leaves to the rule manager a rule file that %s", async (why) => {
  const [range, manager] = await both({ groups: ODD[why] }, "odd", ...QUEUE_HOURS);
  expect(range.mode).toBe("manager");
  expect(range.rules).toEqual(manager.rules);
  for (const rule of range.rules) expect(rule.episodes).toHaveLength(1);
});
