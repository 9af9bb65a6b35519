import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCRAPE_INTERVAL } from "../components/prometheus/monitors";
import { EVALUATION_INTERVAL } from "../components/prometheus/values";
import { Receiver } from "../lib/conventions";
import { parseDurationMs, scaleDuration } from "../lib/duration";
import { readReceived } from "../local/sinks/journal";
import { type LocalStack, startLocalStack } from "../local/stack";

/** The benchmark's measurements, each on the real local stack or the real synth. */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function tempState(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `port8000-bench-${prefix}-`));
}

export async function withStack<T>(
  options: { portBase: number; timeScale: number; bots: number },
  use: (stack: LocalStack) => Promise<T>,
): Promise<T> {
  const stateDir = tempState(`${options.bots}bots`);
  const stack = await startLocalStack({ stateDir, ...options });
  try {
    return await use(stack);
  } finally {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export async function query(stack: LocalStack, promql: string): Promise<number | undefined> {
  const url = `${stack.urls.prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`;
  const doc = (await (await fetch(url)).json()) as {
    data: { result: { value: [number, string] }[] };
  };
  const first = doc.data.result[0];
  return first ? Number(first.value[1]) : undefined;
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 120_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error("benchmark step timed out");
    await sleep(50);
  }
}

async function fault(stack: LocalStack, body: Record<string, unknown>): Promise<void> {
  await fetch(`${stack.urls.simulator}/admin/fault`, {
    method: "POST",
    body: JSON.stringify(body),
  });
}

function pagesOf(stack: LocalStack, alertname: string, action: "trigger" | "resolve") {
  return readReceived(stack.stateDir, Receiver.pagerdutyCritical).filter((r) => {
    const body = r.body as { event_action?: string; payload?: { class?: string } };
    return body.event_action === action && body.payload?.class === alertname;
  });
}

export interface PageTiming {
  readonly alert: string;
  readonly runsMs: number[];
  /** for + group_wait, scaled. */
  readonly floorMs: number;
  /** floor + one scrape interval + one evaluation interval. */
  readonly worstFloorMs: number;
}

/** Time from injecting the fault to the page arriving at the PagerDuty sink, `runs` times. */
export async function faultToPage(
  stack: LocalStack,
  alert: string,
  faultBody: Record<string, unknown>,
  forDuration: string,
  runs: number,
): Promise<PageTiming> {
  const k = stack.urls.timeScale;
  const scaled = (d: string) => parseDurationMs(scaleDuration(d, k));
  const floorMs = scaled(forDuration) + scaled("5s");
  const runsMs: number[] = [];
  await until(() => query(stack, 'count(up{job="port8000"} == 1)'));
  await sleep(6_000);
  for (let i = 0; i < runs; i += 1) {
    const before = pagesOf(stack, alert, "trigger").length;
    const resolvedBefore = pagesOf(stack, alert, "resolve").length;
    const injectedAt = Date.now();
    await fault(stack, faultBody);
    const page = await until(() => pagesOf(stack, alert, "trigger")[before]);
    runsMs.push(page.receivedAt - injectedAt);
    await fault(stack, {});
    await until(() => pagesOf(stack, alert, "resolve")[resolvedBefore]);
    await sleep(3_000);
  }
  const cycle = scaled(SCRAPE_INTERVAL) + scaled(EVALUATION_INTERVAL);
  return { alert, runsMs, floorMs, worstFloorMs: floorMs + cycle };
}

export interface RuleCost {
  readonly bots: number;
  readonly seriesScraped: number;
  readonly perCycleMs: number;
  readonly botsGroupMs: number;
  readonly scrapeMs: number;
  /** Series carrying a bot label (scraped and recorded), per bot. */
  readonly seriesPerBot: number;
}

/** Prometheus's own rule-group timing, averaged over the last `windowS` seconds of cycles. */
export async function ruleCost(
  stack: LocalStack,
  bots: number,
  windowS: number,
): Promise<RuleCost> {
  await until(() => query(stack, 'count(up{job="port8000"} == 1)'));
  await sleep(windowS * 1000 + 2000);
  const avg = (series: string) =>
    query(stack, `sum(avg_over_time(${series}[${windowS}s]))`).then((v) => (v ?? 0) * 1000);
  return {
    bots,
    seriesScraped: (await query(stack, 'scrape_samples_scraped{job="port8000"}')) ?? 0,
    perCycleMs: await avg('prometheus_rule_group_last_duration_seconds{job="prometheus"}'),
    botsGroupMs: await avg(
      'prometheus_rule_group_last_duration_seconds{job="prometheus",rule_group=~".*port8000.bots"}',
    ),
    scrapeMs: await avg('scrape_duration_seconds{job="port8000"}'),
    seriesPerBot: ((await query(stack, 'count({bot=~".+"})')) ?? 0) / bots,
  };
}

/** Wall time of `npm run synth -- --stack prod`, as a user runs it (tsx start-up included). */
export function synthWallTime(runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const out = tempState("synth");
    rmSync(out, { recursive: true, force: true });
    const started = Date.now();
    const run = spawnSync("npx", ["tsx", "scripts/synth.ts", "--stack", "prod", "--out", out], {
      encoding: "utf8",
    });
    times.push(Date.now() - started);
    rmSync(out, { recursive: true, force: true });
    if (run.status !== 0) throw new Error(`synth failed:\n${run.stdout}${run.stderr}`);
  }
  return times;
}
