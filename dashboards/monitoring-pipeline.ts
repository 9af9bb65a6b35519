import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { AlertName } from "../lib/alert-names";
import { DashboardUid, Job, PROJECT } from "../lib/conventions";
import {
  type DashboardContext,
  dashboardFrame,
  instantQuery,
  PROMETHEUS,
  prometheusVariable,
  query,
  runbookLink,
  statPanel,
  thresholds,
  timeseriesPanel,
} from "./common";
import { logShippingRow, opensearchStateRow } from "./pipeline-state";
import { crashLoopRow, logstashRow, storageRow, thanosRow } from "./pipeline-storage";
import { statusRow } from "./status";

/**
 * The monitoring pipeline's own health: is anything scraped, are rules evaluated, do
 * notifications leave; the storage rows (pipeline-storage.ts) show backups, logs and volumes. The `instance` variable
 * spans every scrape target.
 */

const INSTANCE = `instance=~"$instance"`;
const ANY_JOB = `job=~".+", ${INSTANCE}`;
const PROM = `job="${Job.prometheus}", ${INSTANCE}`;
const AM = `job="${Job.alertmanager}", ${INSTANCE}`;

function instanceVariable(): dashboard.QueryVariableBuilder {
  return new dashboard.QueryVariableBuilder("instance")
    .label("instance")
    .description("Any scrape target; every panel below filters on it.")
    .datasource(PROMETHEUS)
    .query({ qryType: 1, query: `label_values(up{job=~".+"}, instance)`, refId: "instance" })
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(".+");
}

function status(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const links = [runbookLink(ctx, "monitoring-pipeline", "monitoring pipeline")];
  statusRow(ctx, b, DashboardUid.monitoringPipeline, "monitoring-pipeline", [
    statPanel({
      title: `${AlertName.Watchdog} firing`,
      description: `1 while the always-firing ${AlertName.Watchdog} alert fires: rules are evaluated. 0 means the alerting path is broken (the external dead-man's switch pages too). Ignores the instance variable.`,
      unit: "short",
      queries: [
        instantQuery(
          `count(ALERTS{alertname="${AlertName.Watchdog}", alertstate="firing"}) or vector(0)`,
          "watchdog",
        ),
      ],
      thresholds: thresholds({ critical: 1 }, "below"),
      links,
      width: 4,
    }),
    statPanel({
      title: "Targets down",
      description: "Scrape targets whose last scrape failed (up == 0), of every job.",
      unit: "short",
      queries: [instantQuery(`count(up{${ANY_JOB}} == 0) or vector(0)`, "down")],
      thresholds: thresholds({ warning: 1 }),
      links,
      width: 4,
    }),
  ]);
}

function scrapeRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const links = [runbookLink(ctx, "monitoring-pipeline", "monitoring pipeline")];
  b.withRow(new dashboard.RowBuilder("Scrapes and rules"))
    .withPanel(
      timeseriesPanel({
        title: "Scrape success by job",
        description: `Share of each job's targets whose last scrape succeeded (up); ${AlertName.PrometheusScrapeErrors} watches the failed share over all targets.`,
        unit: "percentunit",
        queries: [query(`avg by (job) (up{${ANY_JOB}})`, "{{job}}")],
        thresholds: thresholds({ critical: 0.99 }, "below"),
        links,
        min: 0,
        max: 1,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Rule evaluation failures",
        description: `Failed rule evaluations per second (prometheus_rule_evaluation_failures_total): ${AlertName.PrometheusRuleEvaluationFailures} pages on any.`,
        unit: "ops",
        queries: [
          query(
            `sum by (instance) (rate(prometheus_rule_evaluation_failures_total{${PROM}}[$__rate_interval]))`,
            "{{instance}}",
          ),
        ],
        links,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Config reloads",
        description:
          "1 while the last config reload of Prometheus or Alertmanager succeeded (*_config_last_reload_successful).",
        unit: "none",
        queries: [
          query(
            `prometheus_config_last_reload_successful{${PROM}}`,
            "prometheus {{instance}}",
            "A",
          ),
          query(
            `alertmanager_config_last_reload_successful{${AM}}`,
            "alertmanager {{instance}}",
            "B",
          ),
        ],
        links,
        min: 0,
        max: 1,
      }),
    );
}

function notificationRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const links = [runbookLink(ctx, "monitoring-pipeline", "monitoring pipeline")];
  b.withRow(new dashboard.RowBuilder("Notifications"))
    .withPanel(
      timeseriesPanel({
        title: "Prometheus → Alertmanager errors",
        description:
          "Share of alert notifications Prometheus failed to send to Alertmanager (prometheus_notifications_errors_total over _sent_total).",
        unit: "percentunit",
        queries: [
          query(
            `sum by (instance) (rate(prometheus_notifications_errors_total{${PROM}}[$__rate_interval]))\n/\nsum by (instance) (rate(prometheus_notifications_sent_total{${PROM}}[$__rate_interval]))`,
            "{{instance}}",
          ),
        ],
        links,
        width: 12,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Alertmanager notification failures",
        description:
          "Failed notifications per second by integration (alertmanager_notifications_failed_total) and all attempts (alertmanager_notifications_total).",
        unit: "ops",
        queries: [
          query(
            `sum by (integration) (rate(alertmanager_notifications_failed_total{${AM}}[$__rate_interval]))`,
            "{{integration}} failed",
            "A",
          ),
          query(
            `sum by (integration) (rate(alertmanager_notifications_total{${AM}}[$__rate_interval]))`,
            "{{integration}} sent",
            "B",
          ),
        ],
        links,
        width: 12,
        min: 0,
      }),
    );
}

export function monitoringPipeline(ctx: DashboardContext): dashboard.Dashboard {
  const b = dashboardFrame(
    ctx,
    DashboardUid.monitoringPipeline,
    "Port 8000 / Monitoring Pipeline",
    "The monitoring stack watching itself: scrapes, rule evaluation, notifications, Thanos backups and compaction, the log pipeline (Filebeat, Logstash), OpenSearch health, disk, snapshots and ISM, volumes and crash-looping pods. Deploy marks are this stack's own deploys.",
    [prometheusVariable(), instanceVariable()],
    PROJECT,
  );
  status(ctx, b);
  scrapeRow(ctx, b);
  notificationRow(ctx, b);
  thanosRow(ctx, b);
  logShippingRow(ctx, b);
  logstashRow(ctx, b);
  storageRow(ctx, b);
  opensearchStateRow(ctx, b);
  crashLoopRow(ctx, b);
  return b.build();
}
