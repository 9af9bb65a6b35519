import { APP_METRICS, HTTP_LATENCY_BUCKETS, LOG_PIPELINE_METRICS } from "../../lib/metrics";
import { parseFaults } from "../../local/simulator/faults";
import { BASELINE, botNames, Port8000Model } from "../../local/simulator/model";
import { renderFamilies } from "../../local/simulator/registry";

/** The simulator's numbers, without any server: baselines, faults, counters. */

const T0 = 1_700_000_000_000;
const BOTS = new Set(botNames(8));

function exposition(model: Port8000Model): string {
  return renderFamilies(model.families.values());
}

function value(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`no sample for ${series}`);
  return Number(line.slice(series.length + 1));
}

function requestsByStatus(model: Port8000Model): Record<string, number> {
  const text = exposition(model);
  const totals: Record<string, number> = {};
  for (const [, status, n] of text.matchAll(/^http_requests_total\{.*status="(\d+)"\} (\d+)$/gm)) {
    totals[status] = (totals[status] ?? 0) + Number(n);
  }
  return totals;
}

test("bots are named bot-01 … and padded to the widest number", () => {
  expect(botNames(3)).toEqual(["bot-01", "bot-02", "bot-03"]);
  expect(botNames(1000)[0]).toBe("bot-0001");
});

test("every contract series is exposed, per bot where the guide says per bot", () => {
  const text = exposition(new Port8000Model(8, 1, T0));
  for (const name of [...Object.keys(APP_METRICS), ...Object.keys(LOG_PIPELINE_METRICS)]) {
    expect(text).toContain(`# TYPE ${name} `);
  }
  expect(text.match(/^bot_cpu_percent\{bot="bot-\d+"\}/gm)).toHaveLength(8);
  for (const le of HTTP_LATENCY_BUCKETS) {
    expect(text).toContain(`http_request_duration_seconds_bucket{handler="/api/chat",le="${le}"}`);
  }
});

test("healthy baselines sit below the default thresholds", () => {
  const model = new Port8000Model(8, 1, T0);
  model.tick(T0 + 60_000);
  const statuses = requestsByStatus(model);
  const total = Object.values(statuses).reduce((a, b) => a + b, 0);
  expect(total).toBe(BASELINE.requestsPerSecond * 60);
  expect(statuses["500"] / total).toBeLessThan(0.005);
  const text = exposition(model);
  expect(value(text, "task_queue_depth")).toBeLessThan(20);
  expect(value(text, 'bot_cpu_percent{bot="bot-05"}')).toBeLessThan(80);
  expect(value(text, "ollama_latency_ms")).toBeLessThan(300);
  expect(model.healthy).toBe(true);
});

test("errorRatio drives the 5xx share exactly, and counters never go down", () => {
  const model = new Port8000Model(8, 1, T0);
  model.faults = { errorRatio: 0.2 };
  model.tick(T0 + 10_000);
  const first = requestsByStatus(model);
  expect(first["500"]).toBe(400);
  model.faults = {};
  model.tick(T0 + 20_000);
  const second = requestsByStatus(model);
  for (const status of Object.keys(first))
    expect(second[status]).toBeGreaterThanOrEqual(first[status]);
});

test("latencyMs moves the p95 past the threshold buckets", () => {
  const model = new Port8000Model(8, 1, T0);
  model.faults = { latencyMs: 1000 };
  model.tick(T0 + 10_000);
  const text = exposition(model);
  const count = value(text, 'http_request_duration_seconds_count{handler="/api/chat"}');
  const underCritical = value(
    text,
    'http_request_duration_seconds_bucket{handler="/api/chat",le="0.75"}',
  );
  expect(underCritical / count).toBeLessThan(0.95);
});

test("crashBot restarts that bot over and over, faster at a higher time scale", () => {
  const model = new Port8000Model(8, 60, T0);
  model.faults = { crashBot: "bot-02" };
  model.tick(T0 + 10_000);
  const text = exposition(model);
  expect(value(text, 'bot_restarts_total{bot="bot-02"}')).toBe(20);
  expect(value(text, 'bot_restarts_total{bot="bot-01"}')).toBe(0);
});

test("a fault body is checked whole: unknown or bad fields are named, {} clears", () => {
  expect(parseFaults("{}", BOTS)).toEqual({ ok: true, faults: {} });
  expect(parseFaults('{"queueDepth": 50, "healthy": false}', BOTS)).toEqual({
    ok: true,
    faults: { queueDepth: 50, healthy: false },
  });
  const bad = parseFaults('{"errorRatio": 1.5, "crashBot": "bot-99", "color": "red"}', BOTS);
  expect(bad.ok).toBe(false);
  const problems = bad.ok ? [] : bad.problems.join("\n");
  expect(problems).toMatch(/^errorRatio/m);
  expect(problems).toMatch(/^crashBot/m);
  expect(problems).toMatch(/^color: unknown fault/m);
  expect(parseFaults("[1]", BOTS).ok).toBe(false);
  expect(parseFaults("{", BOTS).ok).toBe(false);
});

test("dbDown takes the database away and dbLatencyMs slows its query, past the alert thresholds", () => {
  const model = new Port8000Model(8, 1, T0);
  model.tick(T0 + 10_000);
  const healthy = exposition(model);
  expect(value(healthy, "db_up")).toBe(1);
  expect(value(healthy, "db_query_latency_ms")).toBeLessThan(300);
  model.faults = { dbDown: true, dbLatencyMs: 650 };
  model.tick(T0 + 20_000);
  const broken = exposition(model);
  expect(value(broken, "db_up")).toBe(0);
  expect(value(broken, 'external_api_up{api="postgres"}')).toBe(0);
  expect(value(broken, 'external_api_up{api="ollama"}')).toBe(1);
  expect(value(broken, "db_query_latency_ms")).toBe(650);
  expect(parseFaults('{"dbDown":"yes","dbLatencyMs":-1}', BOTS)).toEqual({
    ok: false,
    problems: [
      'dbDown ("yes"): expected true or false',
      "dbLatencyMs (-1): expected a number >= 0",
    ],
  });
});
