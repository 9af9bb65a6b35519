import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Check, check } from "./checks";
import { percent } from "./promql";

/**
 * Guide 3.3: "Run synthetic load test (30 min) to validate headroom; document results in
 * metrics/monthly/". autocannon drives the target; every response time goes into a 1 ms
 * histogram of our own, so the p95 is the guide's p95 (autocannon reports p90 and p97.5).
 */

export const DEFAULT_LOAD_DURATION_S = 30 * 60;
export const DEFAULT_CONNECTIONS = 10;
/** The guide's warning thresholds (1.3): p95 above 0.5 s, 5xx share above 2%. */
export const LOAD_P95_LIMIT_S = 0.5;
export const LOAD_ERROR_LIMIT = 0.02;

const MAX_MS = 60_000;

/** The part of autocannon 9's API used here (the package ships no types). */
interface Instance extends PromiseLike<{ errors: number }> {
  on(
    event: "response",
    f: (client: unknown, code: number, bytes: number, ms: number) => void,
  ): void;
}
const autocannon = require("autocannon") as (options: {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  overallRate?: number;
}) => Instance;

export class LatencyHistogram {
  private readonly buckets = new Uint32Array(MAX_MS + 1);
  count = 0;
  add(ms: number): void {
    this.buckets[Math.min(MAX_MS, Math.max(0, Math.ceil(ms)))]++;
    this.count++;
  }
  /** The smallest bucket (ms) below or at which a share `q` of samples lies. */
  quantile(q: number): number | undefined {
    if (this.count === 0) return undefined;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (let ms = 0; ms <= MAX_MS; ms++) {
      seen += this.buckets[ms];
      if (seen >= rank) return ms;
    }
    return MAX_MS;
  }
}

export interface LoadResult {
  readonly target: string;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly status: Record<string, number>;
  /** Connection errors and timeouts: no HTTP status. */
  readonly errors: number;
  /** 5xx and connection errors over every attempt. */
  readonly errorRate: number;
  readonly latencyMs: { p50?: number; p90?: number; p95?: number; p99?: number; max?: number };
}

export function summarize(
  target: string,
  startedAt: Date,
  durationSeconds: number,
  connections: number,
  histogram: LatencyHistogram,
  status: Record<string, number>,
  errors: number,
): LoadResult {
  const requests = Object.values(status).reduce((a, b) => a + b, 0);
  const fivexx = Object.entries(status)
    .filter(([code]) => code.startsWith("5"))
    .reduce((a, [, n]) => a + n, 0);
  const attempts = requests + errors;
  return {
    target,
    startedAt: startedAt.toISOString(),
    durationSeconds,
    connections,
    requests,
    requestsPerSecond: Number((requests / durationSeconds).toFixed(2)),
    status,
    errors,
    errorRate: attempts === 0 ? 1 : (fivexx + errors) / attempts,
    latencyMs: {
      p50: histogram.quantile(0.5),
      p90: histogram.quantile(0.9),
      p95: histogram.quantile(0.95),
      p99: histogram.quantile(0.99),
      max: histogram.quantile(1),
    },
  };
}

export function loadCheck(r: LoadResult): Check {
  const name = "synthetic load test";
  if (r.requests === 0)
    return check(
      name,
      "fail",
      `no response from ${r.target} in ${r.durationSeconds}s (${r.errors} connection errors)`,
    );
  const p95 = (r.latencyMs.p95 ?? 0) / 1000;
  const detail = `${r.requests} requests in ${r.durationSeconds}s (${r.requestsPerSecond}/s, ${r.connections} connections) to ${r.target}: p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms, p99 ${r.latencyMs.p99} ms; error rate ${percent(r.errorRate)} (limits: p95 ≤ ${LOAD_P95_LIMIT_S * 1000} ms, errors ≤ ${percent(LOAD_ERROR_LIMIT)})`;
  const over = p95 > LOAD_P95_LIMIT_S || r.errorRate > LOAD_ERROR_LIMIT;
  return check(name, over ? "fail" : "ok", detail);
}

export function renderLoadReport(r: LoadResult): string {
  const ms = (v: number | undefined) => (v === undefined ? "n/a" : `${v} ms`);
  return [
    `# Synthetic load test ${r.startedAt.slice(0, 10)}`,
    "",
    `Guide 3.3. ${r.connections} connections against ${r.target} for ${r.durationSeconds}s from ${r.startedAt} (autocannon).`,
    "",
    "| measure | value |",
    "| --- | --- |",
    `| requests | ${r.requests} (${r.requestsPerSecond}/s) |`,
    `| p50 latency | ${ms(r.latencyMs.p50)} |`,
    `| p90 latency | ${ms(r.latencyMs.p90)} |`,
    `| p95 latency | ${ms(r.latencyMs.p95)} |`,
    `| p99 latency | ${ms(r.latencyMs.p99)} |`,
    `| max latency | ${ms(r.latencyMs.max)} |`,
    `| error rate (5xx + connection errors) | ${percent(r.errorRate)} |`,
    `| connection errors | ${r.errors} |`,
    `| status codes | ${Object.entries(r.status)
      .sort()
      .map(([c, n]) => `${c}: ${n}`)
      .join(", ")} |`,
    "",
    `Verdict: ${loadCheck(r).status} (p95 ≤ ${LOAD_P95_LIMIT_S * 1000} ms and error rate ≤ ${percent(LOAD_ERROR_LIMIT)}, the guide's warning thresholds).`,
    "",
  ].join("\n");
}

export async function runLoadTest(
  target: string,
  durationSeconds: number,
  connections = DEFAULT_CONNECTIONS,
  /** Requests per second over all connections (one worker, so autocannon's overallRate). */
  rate?: number,
): Promise<LoadResult> {
  const histogram = new LatencyHistogram();
  const status: Record<string, number> = {};
  const startedAt = new Date();
  const instance = autocannon({
    url: target,
    connections,
    duration: durationSeconds,
    timeout: 10,
    ...(rate ? { overallRate: rate } : {}),
  });
  instance.on("response", (_client: unknown, code: number, _bytes: number, ms: number) => {
    status[String(code)] = (status[String(code)] ?? 0) + 1;
    histogram.add(ms);
  });
  const result = await instance;
  return summarize(
    target,
    startedAt,
    durationSeconds,
    connections,
    histogram,
    status,
    result.errors,
  );
}

/** `DIR/YYYY-MM-DD-load-test.{md,json}`; returns the Markdown path. */
export function writeLoadReport(outDir: string, r: LoadResult): string {
  mkdirSync(outDir, { recursive: true });
  const base = join(outDir, `${r.startedAt.slice(0, 10)}-load-test`);
  writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(`${base}.md`, renderLoadReport(r));
  return `${base}.md`;
}
