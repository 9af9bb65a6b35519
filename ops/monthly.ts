import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Point, renderChart } from "./charts";
import { type Check, check } from "./checks";
import type { PrometheusApi } from "./http";
import { percent } from "./promql";
import { change, formatValue, TRENDS, type Trend } from "./trends";

/** Guide 3.3: the monthly performance review as Markdown with SVG charts in metrics/monthly/. */

export const MONTH = "30d";
const MONTH_S = 30 * 86_400;
/** A trend worse than the month before by more than this is a finding. */
export const MONTHLY_CHANGE_LIMIT = 0.25;
export const DEFAULT_MONTHLY_DIR = "metrics/monthly";
const CHART_POINTS = 200;
const MIN_STEP_S = 1;

export interface TrendResult {
  readonly trend: Trend;
  readonly current?: number;
  readonly previous?: number;
  readonly points: readonly Point[];
}

export function trendCheck(r: TrendResult): Check {
  const { trend, current, previous } = r;
  if (current === undefined)
    return check(trend.title, "fail", `no data this month (${trend.line})`);
  const delta = change(current, previous);
  const mom =
    delta === undefined
      ? "no month before to compare"
      : `${delta >= 0 ? "+" : ""}${percent(delta)} month over month`;
  const detail = `${formatValue(current, trend.unit)} (month before ${formatValue(previous, trend.unit)}; ${mom})`;
  const worse =
    delta !== undefined && (trend.worse === "up" ? delta : -delta) > MONTHLY_CHANGE_LIMIT;
  return check(trend.title, worse ? "warn" : "ok", detail);
}

export function reportName(at: number): string {
  return new Date(at * 1000).toISOString().slice(0, 7);
}

export function chartFile(at: number, trend: Trend): string {
  return `${reportName(at)}-${trend.id}.svg`;
}

/** Pure: the Markdown of the review; numbers at full precision so PromQL by hand matches. */
export function renderReport(
  at: number,
  prometheusUrl: string,
  results: readonly TrendResult[],
): string {
  const row = (r: TrendResult) => {
    const c = trendCheck(r);
    const delta = change(r.current, r.previous);
    const mom = delta === undefined ? "n/a" : `${delta >= 0 ? "+" : ""}${percent(delta)}`;
    return `| ${r.trend.title} | ${formatValue(r.current, r.trend.unit)} | ${formatValue(r.previous, r.trend.unit)} | ${mom} | ${c.status} |`;
  };
  const sections = results.flatMap((r) => [
    `## ${r.trend.title}`,
    "",
    `![${r.trend.title}](${chartFile(at, r.trend)})`,
    "",
    `This month: \`${r.trend.month(MONTH, "")}\``,
    "",
    `Chart line: \`${r.trend.line}\``,
    "",
  ]);
  return [
    `# Port 8000 monthly review ${reportName(at)}`,
    "",
    `Evaluated at ${new Date(at * 1000).toISOString()} (unix ${at}) against ${prometheusUrl}; this month is the ${MONTH} before, the month before the ${MONTH} before that (\`offset ${MONTH}\`). Guide 3.3.`,
    "",
    "| trend | this month | month before | change | status |",
    "| --- | --- | --- | --- | --- |",
    ...results.map(row),
    "",
    ...sections,
  ].join("\n");
}

async function chartRange(prom: PrometheusApi, at: number): Promise<[number, number, number]> {
  const lowest = await prom.scalar("min(prometheus_tsdb_lowest_timestamp_seconds)", at);
  const start = Math.max(at - MONTH_S, Math.floor(lowest ?? at - MONTH_S));
  const step = Math.max(MIN_STEP_S, Math.ceil((at - start) / CHART_POINTS));
  return [start, at, step];
}

async function measure(
  prom: PrometheusApi,
  trend: Trend,
  at: number,
  range: [number, number, number],
) {
  const [series] = await prom.queryRange(trend.line, ...range);
  return {
    trend,
    current: await prom.scalar(trend.month(MONTH, ""), at),
    previous: await prom.scalar(trend.month(MONTH, ` offset ${MONTH}`), at),
    points: (series?.values ?? [])
      .filter(([, v]) => Number.isFinite(v))
      .map(([t, v]) => ({ t, v })),
  };
}

export async function monthly(prom: PrometheusApi, at: number, outDir: string): Promise<Check[]> {
  const range = await chartRange(prom, at);
  const results: TrendResult[] = [];
  for (const trend of TRENDS) results.push(await measure(prom, trend, at, range));
  mkdirSync(outDir, { recursive: true });
  for (const r of results) {
    writeFileSync(
      join(outDir, chartFile(at, r.trend)),
      await renderChart(r.trend.title, r.trend.unit, r.points),
    );
  }
  const report = join(outDir, `${reportName(at)}.md`);
  writeFileSync(report, renderReport(at, prom.url, results));
  return [
    ...results.map(trendCheck),
    check("monthly report", "ok", `${report} with ${results.length} SVG charts`),
  ];
}
