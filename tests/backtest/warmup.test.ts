import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureEngine } from "../../backtest/engine";
import { createBlocks } from "../../backtest/record";
import {
  lookbackOf,
  type ReplayMode,
  replay,
  selectorsOf,
  writeRuleFile,
} from "../../backtest/replay";
import type { RuleFile } from "../../backtest/rules";

/**
 * The replay's warm-up: at the window's first evaluation the windows a rule reads are full, as
 * in production, including the windows over recording rules whose samples the replay writes.
 * Two days of 1 % errors, then an hour of 20 % just after the window starts: over a full day the
 * error ratio stays near 1.8 %, so a slow burn above 5 % must not page; a replay that records
 * the hourly ratio only from the window's start averages a few hours and pages.
 */

jest.setTimeout(300_000);

const START = 1_767_225_600; // 2026-01-01T00:00:00Z
const HOUR = 3600;
const DATA_FROM = START - 2 * 24 * HOUR;
const TO = START + 6 * HOUR;

const RULES: RuleFile = {
  groups: [
    {
      name: "burn",
      rules: [
        {
          record: "job:error_ratio:rate1h",
          expr: "sum by (job) (rate(errors_total[1h])) / sum by (job) (rate(requests_total[1h]))",
        },
        { alert: "SlowBurn", expr: "avg_over_time(job:error_ratio:rate1h[1d]) > 0.05" },
      ],
    },
  ],
};

/** Counters scraped every minute: 60 requests a minute, 1 % errors, 20 % in the spike hour. */
function openMetrics(fromS: number): string {
  const lines: string[] = [];
  let requests = 0;
  let errors = 0;
  for (let t = fromS; t <= TO; t += 60) {
    const spike = t > START + HOUR && t <= START + 2 * HOUR;
    requests += 60;
    errors += spike ? 12 : 0.6;
    lines.push(`requests_total{job="port8000"} ${requests} ${t}`);
    lines.push(`errors_total{job="port8000"} ${errors.toFixed(1)} ${t}`);
  }
  return `${lines.join("\n")}\n# EOF\n`;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "backtest-warmup-"));
  writeFileSync(join(dir, "history.om"), openMetrics(DATA_FROM));
  createBlocks(join(dir, "history.om"), join(dir, "history"));
  writeFileSync(join(dir, "none.om"), openMetrics(START));
  createBlocks(join(dir, "none.om"), join(dir, "none"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function slowBurn(data: string, mode: ReplayMode) {
  const path = writeRuleFile(RULES, dir, "burn");
  const window = { dataDir: join(dir, data), fromMs: START * 1000, toMs: TO * 1000 };
  const report = await replay(ensureEngine(), RULES, path, { ...window, interval: "1m" }, mode);
  return report.rules[0].episodes;
}

it.each(["range", "manager"] as const)(
  "%s mode: a slow burn over a recording rule's day does not page on an hour's spike",
  async (mode) => {
    expect(await slowBurn("history", mode)).toEqual([]);
    // The same spike with no history before the window: the partial day pages (the data can).
    const partial = await slowBurn("none", mode);
    expect(partial).toHaveLength(1);
    expect(partial[0].start).toBeGreaterThan(START + HOUR);
  },
);

it("reads how far back a rule file reaches: offsets, ranges, recording rules, for: and keep_firing_for:", () => {
  const file: RuleFile = {
    groups: [
      {
        name: "recorded",
        query_offset: "1m",
        rules: [{ record: "job:errors:rate1h", expr: "rate(errors_total[1h])" }],
      },
      {
        name: "alerts",
        rules: [
          {
            alert: "Burn",
            expr: "avg_over_time(job:errors:rate1h[1d] offset 1h) > 1",
            for: "10m",
            keep_firing_for: "5m",
          },
          { alert: "Sub", expr: 'max_over_time(rate({__name__="x"}[5m])[2d:1m]) > 1' },
        ],
      },
    ],
  };
  const path = writeRuleFile(file, dir, "reach");
  // Burn: 10m + 5m + 1h offset + 1d range, over the recording's 1m query offset + 1h range.
  const burn = (10 + 5 + 60 + 24 * 60 + 1 + 60) * 60_000;
  // Sub: the 2d subquery around the 5m range.
  const sub = (2 * 24 * 60 + 5) * 60_000;
  expect(lookbackOf(ensureEngine(), path)).toBe(Math.max(burn, sub));
});

it("fetches neither ALERTS, ALERTS_FOR_STATE nor recorded series, however selected", () => {
  const file: RuleFile = {
    groups: [
      {
        name: "reads",
        rules: [
          { record: "job:queue:max", expr: 'max by (job) ({__name__="task_queue_depth"})' },
          { alert: "A", expr: 'ALERTS{alertname="B"} or {__name__="ALERTS_FOR_STATE"}' },
          { alert: "B", expr: '{__name__="job:queue:max"} > 1 unless task_queue_depth{job="a"}' },
        ],
      },
    ],
  };
  const path = writeRuleFile(file, dir, "selectors");
  expect(selectorsOf(ensureEngine(), path)).toEqual([
    "task_queue_depth",
    'task_queue_depth{job="a"}',
  ]);
});
