import { AlertName } from "../lib/alert-names";
import { Annotation, Job, Label } from "../lib/conventions";
import { type Check, check } from "./checks";
import type { AlertingRule, AlertmanagerApi, AmAlert, PrometheusApi } from "./http";
import { percent, sel } from "./promql";
import { registryCheck } from "./registry";

/** Guide 3.1, the daily 15 minutes: pure judgements first, then what they read. */

export const DAY = "24h";
/** Guide 3.1: "<1% scrape errors". */
export const SCRAPE_ERROR_LIMIT = 0.01;
/** Guide 3.1: "Detect spikes >25% day-over-day". */
export const LOG_VOLUME_CHANGE_LIMIT = 0.25;
/** Alerts that fire on purpose and are not reviewed. */
const IGNORED = new Set<string>([AlertName.Watchdog]);
const REQUIRED_ANNOTATIONS = [Annotation.summary, Annotation.runbookUrl] as const;

export interface ScrapeData {
  readonly errorShare?: number;
  readonly downNow: readonly string[];
}

export function scrapeCheck(d: ScrapeData): Check {
  const name = "scrape errors (24h)";
  if (d.errorShare === undefined)
    return check(name, "fail", "no `up` series: Prometheus scrapes nothing");
  const down = d.downNow.length ? `; down now: ${d.downNow.join(", ")}` : "";
  const status = d.errorShare < SCRAPE_ERROR_LIMIT ? "ok" : "fail";
  return check(
    name,
    status,
    `${percent(d.errorShare)} of scrapes failed (limit < ${percent(SCRAPE_ERROR_LIMIT)})${down}`,
  );
}

export interface AlertOfDay {
  readonly alertname: string;
  readonly severity: string;
  /** Unix seconds it became active, while it still is. */
  readonly activeSince?: number;
  readonly annotations: Record<string, string>;
}

export function alertsCheck(alerts: readonly AlertOfDay[]): Check {
  const name = "alerts of the last 24h";
  const reviewed = alerts.filter((a) => !IGNORED.has(a.alertname));
  if (reviewed.length === 0) return check(name, "ok", "no alert fired in the last 24h");
  const lines = reviewed.map((a) => {
    const state =
      a.activeSince === undefined ? "resolved" : `STILL FIRING since ${iso(a.activeSince)}`;
    const missing = REQUIRED_ANNOTATIONS.filter((k) => !a.annotations[k]);
    const notes = missing.length
      ? `MISSING annotations ${missing.join(", ")}`
      : `${a.annotations[Annotation.summary]} (${a.annotations[Annotation.runbookUrl]})`;
    return `${a.alertname} ${a.severity}: ${state}; ${notes}`;
  });
  const unannotated = reviewed.some((a) => REQUIRED_ANNOTATIONS.some((k) => !a.annotations[k]));
  const firing = reviewed.filter((a) => a.activeSince !== undefined).length;
  const status = unannotated ? "fail" : firing ? "warn" : "ok";
  const head = `${reviewed.length} fired, ${reviewed.length - firing} resolved, ${firing} still firing`;
  return check(name, status, [head, ...lines].join("\n"));
}

export interface HealthData {
  readonly failingNow: readonly string[];
  readonly probesNow: number;
  readonly availability?: number;
}

export function healthCheck(d: HealthData): Check {
  const name = "/health probe";
  if (d.probesNow === 0)
    return check(
      name,
      "fail",
      `no probe_success series of job ${Job.health}: the /health probe is not running`,
    );
  const day =
    d.availability === undefined ? "" : `; ${percent(d.availability)} of probes passed in 24h`;
  if (d.failingNow.length)
    return check(
      name,
      "fail",
      `/health failing now (probe_success 0: ${d.failingNow.join(", ")})${day}`,
    );
  return check(name, "ok", `/health answers${day}`);
}

export interface LogVolumeData {
  readonly today?: number;
  readonly yesterday?: number;
}

export function logVolumeCheck(d: LogVolumeData): Check {
  const name = "log volume day over day";
  if (d.today === undefined)
    return check(name, "fail", "no log pipeline events counted in the last 24h");
  if (!d.yesterday)
    return check(
      name,
      "warn",
      `${Math.round(d.today)} events in 24h; no day before to compare with`,
    );
  const change = d.today / d.yesterday - 1;
  const status = Math.abs(change) > LOG_VOLUME_CHANGE_LIMIT ? "warn" : "ok";
  const sign = change >= 0 ? "+" : "";
  return check(
    name,
    status,
    `${Math.round(d.today)} events vs ${Math.round(d.yesterday)} the day before (${sign}${percent(change)}; finding above ±${percent(LOG_VOLUME_CHANGE_LIMIT)})`,
  );
}

export interface BotsData {
  readonly seen: readonly string[];
  readonly reporting: readonly string[];
}

export function botsCheck(d: BotsData): Check {
  const name = "bots reporting";
  if (d.seen.length === 0) return check(name, "fail", "no bot reported in the last 24h");
  const missing = d.seen.filter((b) => !d.reporting.includes(b));
  const head = `${d.reporting.length} of ${d.seen.length} bots seen in 24h report now`;
  return missing.length
    ? check(name, "fail", `${head}; not reporting: ${missing.join(", ")}`)
    : check(name, "ok", head);
}

const iso = (unix: number) => new Date(unix * 1000).toISOString().replace(/\.\d+Z$/, "Z");
const key = (l: Record<string, string>) => `${l[Label.alertname]}/${l[Label.severity]}`;

export function mergeAlerts(
  fired: readonly Record<string, string>[],
  activeSince: ReadonlyMap<string, number>,
  am: readonly AmAlert[],
  rules: readonly AlertingRule[],
): AlertOfDay[] {
  const fromAm = new Map(am.map((a) => [key(a.labels), a.annotations]));
  const fromRules = new Map(
    rules.map((r) => [`${r.name}/${r.labels[Label.severity]}`, r.annotations]),
  );
  return fired.map((labels) => ({
    alertname: labels[Label.alertname],
    severity: labels[Label.severity],
    activeSince: activeSince.get(key(labels)),
    annotations: fromAm.get(key(labels)) ?? fromRules.get(key(labels)) ?? {},
  }));
}

export async function daily(
  prom: PrometheusApi,
  am: AlertmanagerApi,
  now: number,
  registry?: readonly string[],
): Promise<Check[]> {
  const port8000 = sel(Job.port8000);
  const names = (samples: { metric: Record<string, string> }[], label: string) =>
    [...new Set(samples.map((s) => s.metric[label]))].sort();

  const scrape: ScrapeData = {
    errorShare: await prom.scalar(
      `1 - sum(sum_over_time(up[${DAY}])) / sum(count_over_time(up[${DAY}]))`,
      now,
    ),
    downNow: (await prom.query("up == 0", now)).map((s) => `${s.metric.job}/${s.metric.instance}`),
  };

  const alertSel = `{alertstate="firing"}`;
  const fired = await prom.query(
    `max by (alertname, severity) (max_over_time(ALERTS${alertSel}[${DAY}]))`,
    now,
  );
  const since = await prom.query(
    "min by (alertname, severity) (ALERTS_FOR_STATE and on (alertname, severity) ALERTS" +
      alertSel +
      ")",
    now,
  );
  const activeSince = new Map(since.map((s) => [key(s.metric), s.value]));
  const alerts = mergeAlerts(
    fired.map((s) => s.metric),
    activeSince,
    await am.alerts(),
    await prom.alertingRules(),
  );

  const probe = `probe_success${sel(Job.health)}`;
  const probes = await prom.query(probe, now);
  const health: HealthData = {
    probesNow: probes.length,
    failingNow: probes.filter((s) => s.value === 0).map((s) => s.metric.instance ?? "?"),
    availability: await prom.scalar(`avg(avg_over_time(${probe}[${DAY}]))`, now),
  };

  const events = `logstash_events_in_total${sel(Job.logPipeline)}`;
  const logs: LogVolumeData = {
    today: await prom.scalar(`sum(increase(${events}[${DAY}]))`, now),
    yesterday: await prom.scalar(`sum(increase(${events}[${DAY}] offset ${DAY}))`, now),
  };

  const bots: BotsData = {
    seen: names(
      await prom.query(`max by (bot) (max_over_time(bot_active${port8000}[${DAY}]))`, now),
      Label.bot,
    ),
    reporting: names(await prom.query(`bot_active${port8000} == 1`, now), Label.bot),
  };

  return [
    scrapeCheck(scrape),
    alertsCheck(alerts),
    healthCheck(health),
    logVolumeCheck(logs),
    botsCheck(bots),
    registryCheck(registry, bots.seen),
  ];
}
