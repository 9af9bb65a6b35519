import { createWriteStream, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { createBlocks } from "./record";

/**
 * Recorded production data: range queries of the series the replayed rules read, from
 * Prometheus or Thanos Query (deduplicated across the HA pair), written as OpenMetrics and
 * turned into blocks by promtool. Queried a day at a time, under the 11,000 points a range
 * query may return per series.
 */

const STEP_S = 30;
export const FETCH_STEP_MS = STEP_S * 1000;
const CHUNK_MS = 86_400_000;
/** Bearer token for a Query behind an authenticating proxy (CI's secret). */
const TOKEN_ENV = "BACKTEST_PROMETHEUS_TOKEN";

interface Matrix {
  readonly status: string;
  readonly error?: string;
  readonly data?: { result: { metric: Record<string, string>; values: [number, string][] }[] };
}

async function rangeQuery(base: string, query: string, fromMs: number, toMs: number) {
  const params = new URLSearchParams({
    query,
    start: String(fromMs / 1000),
    end: String(toMs / 1000),
    step: `${STEP_S}s`,
    dedup: "true",
  });
  const token = process.env[TOKEN_ENV];
  const response = await fetch(`${base}/api/v1/query_range?${params}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const body = (await response.json()) as Matrix;
  if (!response.ok || body.status !== "success" || !body.data) {
    throw new Error(`${base}: query_range ${query}: ${body.error ?? response.status}`);
  }
  return body.data.result;
}

const escapeLabel = (v: string) =>
  v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function seriesText(metric: Record<string, string>): string {
  const { __name__: name, ...labels } = metric;
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}{${pairs.join(",")}}`;
}

/** Blocks of the selectors' series over [fromMs, toMs], in a new directory under `scratch`. */
export async function fetchRecording(
  base: string,
  selectors: readonly string[],
  fromMs: number,
  toMs: number,
  scratch: string,
): Promise<string> {
  const dir = mkdtempSync(join(scratch, "data-"));
  const input = join(dir, "series.om");
  const out = createWriteStream(input);
  try {
    for (let start = fromMs; start < toMs; start += CHUNK_MS) {
      const end = Math.min(toMs, start + CHUNK_MS - STEP_S * 1000);
      for (const selector of selectors) {
        for (const series of await rangeQuery(base, selector, start, end)) {
          const name = seriesText(series.metric);
          for (const [t, v] of series.values) out.write(`${name} ${v} ${t}\n`);
        }
      }
    }
  } catch (error) {
    // Closed before the caller removes the scratch directory: a stream still opening its file
    // there would fail after the removal, as an uncaught error of the caller's process.
    out.destroy();
    await finished(out).catch(() => {});
    throw error;
  }
  out.end("# EOF\n");
  await finished(out);
  createBlocks(input, dir);
  return dir;
}
