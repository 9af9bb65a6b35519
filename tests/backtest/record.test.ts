import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBlocks, ingestStream, writeScrapes } from "../../backtest/record";
import { parseScenario, type Scenario } from "../../backtest/scenario";
import { requireTool } from "../../lib/tools";

/**
 * The fast recording (a scrape stream turned into blocks by the engine's `ingest`) against the
 * reference one (the same scrapes as OpenMetrics, turned into blocks by `promtool tsdb
 * create-blocks-from openmetrics`): `promtool tsdb dump` reads the same samples from both.
 */

jest.setTimeout(300_000);

/** A day of 4 bots at 1-minute scrapes, every fault the rules read changing at least once. */
const scenario: Scenario = parseScenario(
  JSON.stringify({
    name: "faults",
    description: "a day with every kind of fault",
    start: "2026-01-05T00:00:00Z",
    days: 1,
    bots: 4,
    scrapeInterval: "1m",
    requestsPerSecond: 2,
    incidents: [
      { name: "errors", at: "1h", duration: "20m", faults: { errorRatio: 0.08 } },
      { name: "latency", at: "3h", duration: "12m", faults: { latencyMs: 900 } },
      { name: "cpu", at: "5h", duration: "20m", faults: { botCpuPercent: 88 } },
      { name: "queue", at: "7h", duration: "15m", faults: { queueDepth: 55 } },
      { name: "crash", at: "9h", duration: "30m", faults: { crashBot: "bot-03" } },
      { name: "memory", at: "23h", duration: "1h", faults: { residentMemoryMb: 900 } },
    ],
  }),
  "faults",
);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "backtest-record-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dump(blocks: string): string[] {
  // promtool opens the directory as a database, which has a WAL.
  mkdirSync(join(blocks, "wal"));
  const result = spawnSync(requireTool("promtool"), ["tsdb", "dump", blocks], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  expect(result.status).toBe(0);
  return result.stdout
    .split("\n")
    .filter((l) => l !== "")
    .sort();
}

/**
 * The first line at which two sorted dumps differ, or null when they are equal. toEqual over the
 * 165,600 lines of the full dump took a second of CPU to find them equal; this finds any
 * difference (a line, or one dump longer than the other) and names it.
 */
function firstDifference(fast: string[], reference: string[]) {
  for (let line = 0; line < Math.max(fast.length, reference.length); line += 1) {
    if (fast[line] !== reference[line])
      return { line, fast: fast[line], reference: reference[line] };
  }
  return null;
}

function both(names: Set<string> | null, name: string) {
  const reference = join(dir, `${name}-promtool`);
  const fast = join(dir, `${name}-ingest`);
  // One run of the model written both ways: the test is about the two encodings and importers.
  const files = { openMetrics: join(dir, `${name}.om`), stream: join(dir, `${name}.stream`) };
  writeScrapes(scenario, names, files);
  createBlocks(files.openMetrics, reference);
  const samples = ingestStream(files.stream, fast);
  return { reference: dump(reference), fast: dump(fast), samples };
}

it("records every metric of the model exactly as promtool's OpenMetrics import does", () => {
  const { reference, fast, samples } = both(null, "all");
  // Gauges, counters, histogram buckets and `up`, 1,440 scrapes each.
  expect(reference.length).toBeGreaterThan(100 * 1_440);
  expect(reference.some((l) => l.startsWith('{__name__="up"'))).toBe(true);
  expect(reference.some((l) => l.includes('le="+Inf"'))).toBe(true);
  expect(samples).toBe(reference.length);
  expect(firstDifference(fast, reference)).toBeNull();
});

it("records only the metrics asked for, and up when asked", () => {
  const names = new Set(["bot_cpu_percent", "bot_restarts_total", "up"]);
  const { reference, fast, samples } = both(names, "some");
  const metrics = new Set(fast.map((l) => /__name__="([^"]+)"/.exec(l)?.[1]));
  expect(metrics).toEqual(names);
  // 4 bots' CPU and restarts, and up, at every scrape.
  expect(samples).toBe(9 * 1_440);
  expect(firstDifference(fast, reference)).toBeNull();
});
