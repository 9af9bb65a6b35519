import { AlertName } from "../lib/alert-names";
import { Job, Label } from "../lib/conventions";
import { backupCheck } from "./backup";
import { type Check, check } from "./checks";
import { coFiring, dedupeCheck, duplicateRules, type Firing } from "./dedupe";
import { handoverCheck } from "./handover";
import type { AlertingRule, AlertmanagerApi, PrometheusApi } from "./http";
import { type Comparison, parseComparison, percent, sel } from "./promql";
import { intervalsOf, nextWindow } from "./windows";

/** Guide 3.2: reconcile alert noise, check the auto-scaler against queue data, test the backup. */

export const WEEK = "7d";
/** Activations in a week from which an alert counts as flapping. */
export const FLAPPING_ACTIVATIONS = 3;
const TOP = 5;
/** Share of the week the queue may sit above the backlog warning before it is a finding. */
export const QUEUE_ABOVE_WARNING_LIMIT = 0.01;
/** Subquery step: fine enough for a young Prometheus, coarse enough for a week. */
const RESOLUTION = "15s";

export interface NoisyAlert {
  readonly alertname: string;
  readonly severity: string;
  readonly activations: number;
  /** Threshold at which it would have been in breach half as long; undefined when not computable. */
  readonly halfAsOften?: {
    readonly op: string;
    readonly threshold: number;
    readonly current: number;
  };
}

export function noiseCheck(alerts: readonly NoisyAlert[]): Check {
  const name = "alert noise (7d)";
  if (alerts.length === 0) return check(name, "ok", "no alert activated this week");
  const flapping = alerts.filter((a) => a.activations >= FLAPPING_ACTIVATIONS);
  const line = (a: NoisyAlert) => {
    const tune = a.halfAsOften
      ? `threshold ${a.halfAsOften.current} → ${round(a.halfAsOften.threshold)} to fire half as often`
      : "threshold: not computable from its expression";
    const flap = a.activations >= FLAPPING_ACTIVATIONS ? " FLAPPING" : "";
    return `${a.alertname} ${a.severity}: ${a.activations} activations${flap}; ${tune}`;
  };
  const head = `top ${Math.min(alerts.length, TOP)} of ${alerts.length}; ${flapping.length} flapping (≥ ${FLAPPING_ACTIVATIONS} activations)`;
  return check(
    name,
    flapping.length ? "warn" : "ok",
    [head, ...alerts.slice(0, TOP).map(line)].join("\n"),
  );
}

export interface QueueData {
  readonly max?: number;
  readonly p95?: number;
  readonly p95PerBot?: number;
  readonly warning?: number;
  readonly aboveWarningShare?: number;
}

export function queueCheck(d: QueueData): Check {
  const name = "queue depth vs bot capacity";
  if (d.max === undefined) return check(name, "fail", "no task_queue_depth series this week");
  const perBot = d.p95PerBot === undefined ? "n/a (no bot active)" : round(d.p95PerBot);
  const head = `queue max ${round(d.max)}, p95 ${round(d.p95 ?? 0)}, p95 per active bot ${perBot}`;
  if (d.warning === undefined || d.aboveWarningShare === undefined)
    return check(name, "warn", `${head}; no backlog warning rule found to compare with`);
  const above = `above the backlog warning (${d.warning}) ${percent(d.aboveWarningShare)} of the week`;
  const status = d.aboveWarningShare > QUEUE_ABOVE_WARNING_LIMIT ? "warn" : "ok";
  const verdict = status === "warn" ? ": the auto-scaler did not keep up" : "";
  return check(name, status, `${head}; ${above}${verdict}`);
}

const round = (n: number) => Number(n.toPrecision(4));

function halfAsOftenQuery(c: Comparison, breachShare: number): string {
  const upward = c.op.startsWith(">");
  const q = upward ? 1 - breachShare / 2 : breachShare / 2;
  const agg = upward ? "max" : "min";
  return `${agg}(quantile_over_time(${q}, (${c.signal})[${WEEK}:${RESOLUTION}]))`;
}

async function tuning(prom: PrometheusApi, rule: AlertingRule | undefined, now: number) {
  const c = rule && parseComparison(rule.query);
  if (!c) return undefined;
  const share = await prom.scalar(
    `max(avg_over_time(((${c.signal}) ${c.op} bool ${c.threshold})[${WEEK}:${RESOLUTION}]))`,
    now,
  );
  if (!share) return undefined;
  const threshold = await prom.scalar(halfAsOftenQuery(c, share), now);
  return threshold === undefined ? undefined : { op: c.op, threshold, current: c.threshold };
}

async function noisyAlerts(prom: PrometheusApi, now: number): Promise<NoisyAlert[]> {
  const activations = await prom.query(
    `sort_desc(sum by (alertname, severity) (changes(ALERTS_FOR_STATE{alertname!="${AlertName.Watchdog}"}[${WEEK}]) + 1))`,
    now,
  );
  const rules = await prom.alertingRules();
  const ruleOf = (l: Record<string, string>) =>
    rules.find(
      (r) => r.name === l[Label.alertname] && r.labels[Label.severity] === l[Label.severity],
    );
  const sorted = [...activations].sort((a, b) => b.value - a.value);
  const out: NoisyAlert[] = [];
  for (const [i, s] of sorted.entries()) {
    out.push({
      alertname: s.metric[Label.alertname],
      severity: s.metric[Label.severity],
      activations: s.value,
      halfAsOften: i < TOP ? await tuning(prom, ruleOf(s.metric), now) : undefined,
    });
  }
  return out;
}

async function queueData(prom: PrometheusApi, now: number): Promise<QueueData> {
  const depth = `sum(task_queue_depth${sel(Job.port8000)})`;
  const active = `count(bot_active${sel(Job.port8000)} == 1)`;
  const rule = (await prom.alertingRules()).find(
    (r) => r.name === AlertName.Port8000QueueBacklog && r.labels[Label.severity] === "warning",
  );
  const warning = rule && parseComparison(rule.query)?.threshold;
  // A Prometheus younger than one subquery step has no aligned step with data yet: the instant
  // value stands in for the week.
  const overWeek = (fn: (range: string) => string, q: string) =>
    `${fn(`(${q})[${WEEK}:${RESOLUTION}]`)} or (${q})`;
  const quantile95 = (range: string) => `quantile_over_time(0.95, ${range})`;
  return {
    max: await prom.scalar(
      overWeek((r) => `max_over_time(${r})`, depth),
      now,
    ),
    p95: await prom.scalar(overWeek(quantile95, depth), now),
    p95PerBot: await prom.scalar(overWeek(quantile95, `${depth} / ${active}`), now),
    warning,
    aboveWarningShare:
      warning === undefined
        ? undefined
        : await prom.scalar(
            overWeek((r) => `avg_over_time(${r})`, `${depth} > bool ${warning}`),
            now,
          ),
  };
}

const FIRING_STEP_S = 60;

async function firings(prom: PrometheusApi, now: number): Promise<Firing[]> {
  const series = await prom.queryRange(
    `max by (alertname, severity) (ALERTS{alertstate="firing",alertname!="${AlertName.Watchdog}"})`,
    now - 7 * 86_400,
    now,
    FIRING_STEP_S,
  );
  return series.map((s) => ({
    alert: `${s.metric[Label.alertname]}/${s.metric[Label.severity]}`,
    steps: s.values.map(([t]) => t),
  }));
}

async function handover(prom: PrometheusApi, am: AlertmanagerApi, now: number) {
  const firing = (
    await prom.query(`ALERTS{alertstate="firing",alertname!="${AlertName.Watchdog}"}`, now)
  )
    .map((s) => `${s.metric[Label.alertname]}/${s.metric[Label.severity]}`)
    .sort();
  const silences = (await am.silences()).filter((s) => s.status.state === "active");
  const next = nextWindow(intervalsOf(await am.originalConfig()), new Date(now * 1000));
  return handoverCheck(firing, silences, next, new Date(now * 1000));
}

export async function weekly(
  prom: PrometheusApi,
  now: number,
  progress: (l: string) => void,
  am: AlertmanagerApi,
): Promise<Check[]> {
  return [
    noiseCheck(await noisyAlerts(prom, now)),
    dedupeCheck(coFiring(await firings(prom, now)), duplicateRules(await prom.alertingRules())),
    queueCheck(await queueData(prom, now)),
    await backupCheck(prom, progress),
    await handover(prom, am, now),
  ];
}
