import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as elasticsearch from "@grafana/grafana-foundation-sdk/elasticsearch";
import * as logs from "@grafana/grafana-foundation-sdk/logs";
import { QUANTILES, RecordName } from "../alerts/recording";
import { BURN_TIERS, burnFactor, errorBudget } from "../alerts/windows";
import { DashboardUid, Job } from "../lib/conventions";
import { parseDurationMs } from "../lib/duration";
import {
  type DashboardContext,
  dashboardFrame,
  LOGS,
  labelVariable,
  logsVariable,
  prometheusVariable,
  query,
  runbookLink,
  statPanel,
  thresholds,
  timeseriesPanel,
} from "./common";

/** Guide 1.4 Service Overview: traffic, errors, latency, queue, SLO, recent 5xx log lines. */

const APP = `job="${Job.port8000}"`;
const APP_INSTANCE = `${APP}, instance=~"$instance"`;

function trafficRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  const links = [runbookLink(ctx, "error-rate", "error rate")];
  b.withRow(new dashboard.RowBuilder("Traffic and errors"))
    .withPanel(
      timeseriesPanel({
        title: "Requests by status",
        description: "Requests per second served by Port 8000, split by HTTP status code.",
        unit: "reqps",
        queries: [
          query(
            `sum by (status) (rate(http_requests_total{${APP_INSTANCE}}[$__rate_interval]))`,
            "{{status}}",
          ),
        ],
        links,
        width: 12,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "5xx error rate",
        description: `Share of 5xx responses over ${t.errorRate.window} (recording rule of the Port8000HighErrorRate alert); the lines are its warning and critical thresholds.`,
        unit: "percentunit",
        queries: [query(`${RecordName.errorRatio(t.errorRate.window)}{${APP}}`, "5xx share")],
        thresholds: thresholds(t.errorRate),
        links,
        width: 12,
        min: 0,
      }),
    );
}

function latencyRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  const window = t.latencyP95Seconds.window;
  b.withRow(new dashboard.RowBuilder("Latency and queue"))
    .withPanel(
      timeseriesPanel({
        title: "Request latency p50 / p95 / p99",
        description: `Quantiles of http_request_duration_seconds over ${window} (recording rules); the lines are the p95 warning and critical thresholds of Port8000HighLatency.`,
        unit: "s",
        queries: QUANTILES.map((q, i) =>
          query(
            `${RecordName.latency(q, window)}{${APP}}`,
            `p${Math.round(q * 100)}`,
            String.fromCharCode(65 + i),
          ),
        ),
        thresholds: thresholds(t.latencyP95Seconds),
        links: [runbookLink(ctx, "latency", "latency")],
        width: 12,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Task queue depth",
        description:
          "Outstanding tasks in the orchestrator (task_queue_depth); the lines are the Port8000QueueBacklog thresholds.",
        unit: "short",
        queries: [query(`max by (instance) (task_queue_depth{${APP_INSTANCE}})`, "{{instance}}")],
        thresholds: thresholds(t.queueDepth),
        links: [runbookLink(ctx, "bots", "bots and queue")],
        width: 12,
        min: 0,
      }),
    );
}

/** Prometheus cannot look further back than it keeps: the SLO window, capped at retention. */
export function sloLookback(ctx: DashboardContext): { window: string; note: string } {
  const { window } = ctx.config.slo;
  const retention = ctx.config.storage.prometheus.retention;
  return parseDurationMs(retention) < parseDurationMs(window)
    ? { window: retention, note: ` (the last ${retention}: Prometheus keeps no more)` }
    : { window, note: "" };
}

function sloRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const { availability } = ctx.config.slo;
  const { window, note } = sloLookback(ctx);
  const budget = errorBudget(availability);
  const ratio = (w: string) =>
    `sum(increase(http_requests_total{${APP_INSTANCE}, status=~"5.."}[${w}]))\n/\nsum(increase(http_requests_total{${APP_INSTANCE}}[${w}]))`;
  const fast = BURN_TIERS[0];
  const fastFactor = burnFactor(fast, ctx.config.slo.window);
  const links = [runbookLink(ctx, "error-rate", "error rate and SLO")];
  b.withRow(new dashboard.RowBuilder(`SLO ${availability * 100}% over ${ctx.config.slo.window}`))
    .withPanel(
      statPanel({
        title: "Availability",
        description: `Share of non-5xx responses over the SLO window${note || ` (${window})`}, of every instance unless filtered; red below the objective.`,
        unit: "percentunit",
        queries: [query(`1 - (${ratio(window)})`, "availability")],
        thresholds: thresholds({ critical: availability }, "below"),
        links,
        width: 8,
      }),
    )
    .withPanel(
      statPanel({
        title: "Error budget remaining",
        description: `Share of the error budget (${budget * 100}% of requests may fail) not yet spent over ${window}${note}; red once it is gone.`,
        unit: "percentunit",
        queries: [query(`1 - (${ratio(window)}) / ${budget}`, "budget remaining")],
        thresholds: thresholds({ critical: 0 }, "below"),
        links,
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: `Burn rate (${fast.longWindow})`,
        description: `How fast the error budget burns: the ${fast.longWindow} error ratio over the budget; Port8000ErrorBudgetBurn pages above ${fastFactor}.`,
        unit: "none",
        queries: [
          query(`${RecordName.errorRatio(fast.longWindow)}{${APP}} / ${budget}`, "burn rate"),
        ],
        thresholds: thresholds({ critical: fastFactor }),
        links,
        width: 8,
        min: 0,
      }),
    );
}

/** Lucene on the logs index: the 5xx access-log lines of Port 8000. */
export const SERVER_ERROR_LOG_QUERY = "service:port8000 AND status:[500 TO 599]";

function logsRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const opensearch = ctx.config.dashboards.datasources.opensearch;
  const target = new elasticsearch.DataqueryBuilder()
    .datasource(LOGS)
    .refId("A")
    .queryType("lucene")
    .query(SERVER_ERROR_LOG_QUERY)
    .timeField(opensearch.timeField)
    .metrics([new elasticsearch.LogsBuilder().id("1")]);
  b.withRow(new dashboard.RowBuilder("Recent 5xx log lines")).withPanel(
    new logs.PanelBuilder()
      .title("Recent 5xx responses")
      .description(
        `Flask and Nginx access-log lines with a 5xx status from OpenSearch (${opensearch.index}), newest first.`,
      )
      .datasource(LOGS)
      .targets([target])
      .links([runbookLink(ctx, "error-rate", "error rate")])
      .showTime(true)
      .wrapLogMessage(true)
      .enableLogDetails(true)
      .span(24)
      .height(10),
  );
}

export function serviceOverview(ctx: DashboardContext): dashboard.Dashboard {
  const b = dashboardFrame(
    ctx,
    DashboardUid.serviceOverview,
    "Port 8000 / Service Overview",
    "Traffic, errors, latency, queue depth and the availability SLO of the Port 8000 Chatbot Controller (guide 1.4).",
    [prometheusVariable(), logsVariable(), labelVariable("instance", Job.port8000)],
  );
  trafficRow(ctx, b);
  latencyRow(ctx, b);
  sloRow(ctx, b);
  logsRow(ctx, b);
  return b.build();
}
