import { AlertName } from "../../lib/alert-names";
import { Job } from "../../lib/conventions";
import { percent, selector } from "../format";
import { levelsOf } from "../levels";
import { APP_LOGS, MONITORING_LOGS } from "../log-queries";
import type { AlertDefinition, AlertLevel, RuleContext } from "../model";

/**
 * The monitoring pipeline watching itself (guide 3.1), after kube-prometheus' defaults for
 * the self-monitoring alerts the guide leaves implicit.
 */

const PROM = selector(Job.prometheus);
const AM = selector(Job.alertmanager);
const PIPELINE_LOGS = MONITORING_LOGS;

/** Not in the guide's table, so fixed here rather than in config. */
const SELF = {
  /** Failing rule evaluations or notifications: give a restart or a blip time to clear. */
  failureFor: "15m",
  /** Share of notifications that may fail before anyone is told. */
  notificationErrorRatio: 0.01,
  notificationWindow: "5m",
  alertmanagerFailureFor: "5m",
  reloadFor: "10m",
} as const;

function one(
  ctx: RuleContext,
  severity: AlertLevel["severity"],
  expr: string,
  hold: string,
  threshold: string,
): AlertLevel[] {
  return [{ severity, expr, for: ctx.hold(hold), threshold }];
}

/** Always firing: Alertmanager and the receivers prove the whole path works (dead-man's switch). */
function watchdog(): AlertDefinition {
  return {
    name: AlertName.Watchdog,
    runbook: "monitoring-pipeline",
    dashboard: "monitoringPipeline",
    summary: "Always firing: the alerting pipeline is alive",
    description: `${AlertName.Watchdog} fires all the time on purpose. Its notifications prove that Prometheus evaluates rules and Alertmanager delivers; their absence means the pipeline is broken.`,
    logQuery: PIPELINE_LOGS,
    levels: [{ severity: "info", expr: "vector(1)", for: "0s", threshold: "always" }],
  };
}

function scrapeErrors(ctx: RuleContext): AlertDefinition {
  const w = ctx.range(ctx.t.scrapeErrorRatio.window);
  const failed = `1 - sum(sum_over_time(up[${w}])) / sum(count_over_time(up[${w}]))`;
  return {
    name: AlertName.PrometheusScrapeErrors,
    runbook: "monitoring-pipeline",
    dashboard: "monitoringPipeline",
    summary: "{{ $value | humanizePercentage }} of Prometheus scrapes fail",
    description: `The share of failed scrapes over all targets in ${w} is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). Alerts on the failing targets are blind.`,
    logQuery: PIPELINE_LOGS,
    levels: levelsOf(ctx, ctx.t.scrapeErrorRatio, (v) => `${failed} > ${v}`, percent),
  };
}

function ruleFailures(ctx: RuleContext): AlertDefinition {
  const w = ctx.range(SELF.notificationWindow);
  return {
    name: AlertName.PrometheusRuleEvaluationFailures,
    runbook: "monitoring-pipeline",
    dashboard: "monitoringPipeline",
    summary: "Prometheus {{ $labels.instance }} fails to evaluate rules",
    description: `{{ $value | humanize }} rule evaluations failed on {{ $labels.instance }} in ${w}. Failing alert rules cannot fire.`,
    logQuery: PIPELINE_LOGS,
    levels: one(
      ctx,
      "critical",
      `sum by (job, instance) (increase(prometheus_rule_evaluation_failures_total${PROM}[${w}])) > 0`,
      SELF.failureFor,
      "any",
    ),
  };
}

function errorShare(errors: string, total: string, by: string, w: string): string {
  return `sum by (${by}) (rate(${errors}[${w}]))\n/\nsum by (${by}) (rate(${total}[${w}]))\n> ${SELF.notificationErrorRatio}`;
}

function prometheusNotifications(ctx: RuleContext): AlertDefinition {
  const w = ctx.range(SELF.notificationWindow);
  return {
    name: AlertName.PrometheusNotificationFailures,
    runbook: "monitoring-pipeline",
    dashboard: "monitoringPipeline",
    summary:
      "Prometheus {{ $labels.instance }} fails to send {{ $value | humanizePercentage }} of alerts to Alertmanager",
    description: `{{ $value | humanizePercentage }} of the alerts Prometheus {{ $labels.instance }} sends to Alertmanager fail (threshold %THRESHOLD%).`,
    logQuery: PIPELINE_LOGS,
    levels: one(
      ctx,
      "critical",
      errorShare(
        `prometheus_notifications_errors_total${PROM}`,
        `prometheus_notifications_sent_total${PROM}`,
        "job, instance",
        w,
      ),
      SELF.failureFor,
      percent(SELF.notificationErrorRatio),
    ),
  };
}

function alertmanagerNotifications(ctx: RuleContext): AlertDefinition {
  const w = ctx.range(SELF.notificationWindow);
  return {
    name: AlertName.AlertmanagerNotificationFailures,
    runbook: "monitoring-pipeline",
    dashboard: "monitoringPipeline",
    summary:
      "Alertmanager fails {{ $value | humanizePercentage }} of notifications to {{ $labels.integration }}",
    description: `{{ $value | humanizePercentage }} of notifications from {{ $labels.instance }} to the {{ $labels.integration }} integration fail (threshold %THRESHOLD%). Pages may be lost; the SMS backup is the second path.`,
    logQuery: PIPELINE_LOGS,
    levels: one(
      ctx,
      "critical",
      errorShare(
        `alertmanager_notifications_failed_total${AM}`,
        `alertmanager_notifications_total${AM}`,
        "job, instance, integration",
        w,
      ),
      SELF.alertmanagerFailureFor,
      percent(SELF.notificationErrorRatio),
    ),
  };
}

function reloadFailed(ctx: RuleContext, name: AlertName, metric: string): AlertDefinition {
  return {
    name,
    runbook: "monitoring-pipeline",
    dashboard: "monitoringPipeline",
    summary: "{{ $labels.instance }} failed to reload its configuration",
    description: `${metric} is 0 on {{ $labels.instance }}: it still runs the previous configuration, so the last rule or route change is not live.`,
    logQuery: PIPELINE_LOGS,
    levels: one(ctx, "warning", `${metric} == 0`, SELF.reloadFor, "failed reload"),
  };
}

function logVolumeSpike(ctx: RuleContext): AlertDefinition {
  const w = ctx.range(ctx.t.logVolumeRatio.window);
  const day = ctx.range("1d");
  const ingested = (offset: string) =>
    `sum(increase(logstash_events_in_total${selector(Job.logPipeline)}[${w}]${offset}))`;
  /** A scaled local stack compares with a scaled day, and says so. */
  const scaledDay = `window one scaled day (${day}) earlier`;
  const yesterday = ctx.timeScale === 1 ? "yesterday" : scaledDay;
  const dayEarlier = ctx.timeScale === 1 ? "a day earlier" : scaledDay;
  return {
    name: AlertName.Port8000LogVolumeSpike,
    runbook: "monitoring-pipeline",
    dashboard: "monitoringPipeline",
    summary: `Log volume is {{ $value | humanizePercentage }} of the same ${w} ${yesterday}`,
    description: `Logstash ingested {{ $value | humanizePercentage }} of the events of the same ${w} ${dayEarlier} (threshold %THRESHOLD%). Review in the daily standup: a noisy bot, a retry storm, or a new debug log.`,
    logQuery: APP_LOGS,
    levels: levelsOf(
      ctx,
      ctx.t.logVolumeRatio,
      (v) => `${ingested("")}\n/\n${ingested(` offset ${day}`)}\n> ${v}`,
      percent,
    ),
  };
}

export function platformAlerts(ctx: RuleContext): AlertDefinition[] {
  return [
    watchdog(),
    scrapeErrors(ctx),
    ruleFailures(ctx),
    prometheusNotifications(ctx),
    alertmanagerNotifications(ctx),
    reloadFailed(
      ctx,
      AlertName.PrometheusConfigReloadFailed,
      `prometheus_config_last_reload_successful${PROM}`,
    ),
    reloadFailed(
      ctx,
      AlertName.AlertmanagerConfigReloadFailed,
      `alertmanager_config_last_reload_successful${AM}`,
    ),
    logVolumeSpike(ctx),
  ];
}
