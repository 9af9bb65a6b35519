import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as elasticsearch from "@grafana/grafana-foundation-sdk/elasticsearch";
import * as logs from "@grafana/grafana-foundation-sdk/logs";
import { QUANTILES, RecordName, sloLookback } from "../alerts/recording";
import { AlertName } from "../lib/alert-names";
import { BURN_TIERS, burnFactor, errorBudget } from "../lib/burn-windows";
import { DashboardUid, Job, SERVICE_LABEL } from "../lib/conventions";
import { LogField } from "../lib/log-fields";
import {
  type DashboardContext,
  dashboardFrame,
  instantQuery,
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
import { publicEndpointRow } from "./public-endpoint";
import { statusRow } from "./status";

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
        description: `Share of 5xx responses over ${t.errorRate.window} (recording rule of the ${AlertName.Port8000HighErrorRate} alert); the lines are its warning and critical thresholds. Ignores the instance variable: the recording rule sums every instance.`,
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
        description: `Quantiles of http_request_duration_seconds over ${window} (recording rules); the lines are the p95 warning and critical thresholds of ${AlertName.Port8000HighLatency}. Ignores the instance variable: the recording rules sum every instance.`,
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
        description: `Outstanding tasks in the orchestrator (task_queue_depth); the lines are the ${AlertName.Port8000QueueBacklog} thresholds.`,
        unit: "short",
        queries: [query(`max by (instance) (task_queue_depth{${APP_INSTANCE}})`, "{{instance}}")],
        thresholds: thresholds(t.queueDepth),
        links: [runbookLink(ctx, "bots", "bots and queue")],
        width: 12,
        min: 0,
      }),
    );
}

function sloRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const { availability } = ctx.config.slo;
  const { window, capped } = sloLookback(ctx.config);
  const note = capped ? ` (the last ${window}: Prometheus keeps no more)` : ` (${window})`;
  const budget = errorBudget(availability);
  // Recorded over the window by a rule (sloRecords), read as one instant value per refresh.
  const ratio = `${RecordName.sloErrorRatio(window)}{${APP}}`;
  const fast = BURN_TIERS[0];
  const fastFactor = burnFactor(fast, ctx.config.slo.window);
  const links = [runbookLink(ctx, "error-rate", "error rate and SLO")];
  const whole = "Ignores the instance variable: the SLO is the service's, every instance together.";
  b.withRow(new dashboard.RowBuilder(`SLO ${availability * 100}% over ${ctx.config.slo.window}`))
    .withPanel(
      statPanel({
        title: "Availability",
        description: `Share of non-5xx responses over the SLO window${note}; red below the objective. ${whole}`,
        unit: "percentunit",
        queries: [instantQuery(`1 - ${ratio}`, "availability")],
        thresholds: thresholds({ critical: availability }, "below"),
        links,
        width: 8,
      }),
    )
    .withPanel(
      statPanel({
        title: "Error budget remaining",
        description: `Share of the error budget (${budget * 100}% of requests may fail) not yet spent over${note}; red once it is gone. ${whole}`,
        unit: "percentunit",
        queries: [instantQuery(`1 - ${ratio} / ${budget}`, "budget remaining")],
        thresholds: thresholds({ critical: 0 }, "below"),
        links,
        width: 8,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: `Burn rate (${fast.longWindow})`,
        description: `How fast the error budget burns: the ${fast.longWindow} error ratio over the budget; ${AlertName.Port8000ErrorBudgetBurn} pages above ${fastFactor}. ${whole}`,
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

function connectionsRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  const links = [runbookLink(ctx, "websocket", "connection drops")];
  b.withRow(new dashboard.RowBuilder("Connections and WebSocket workers"))
    .withPanel(
      timeseriesPanel({
        title: "Connection drops",
        description: `WebSocket disconnects per second (websocket_disconnect_total) and TCP connection errors per second (tcp_connection_errors_total): what ${AlertName.Port8000ConnectionDrops} watches (more than ${t.websocketDisconnectsPerSecond.warning} disconnects/s).`,
        unit: "ops",
        queries: [
          query(
            `sum by (instance) (rate(websocket_disconnect_total{${APP_INSTANCE}}[$__rate_interval]))`,
            "{{instance}} WebSocket disconnects",
            "A",
          ),
          query(
            `sum by (instance) (rate(tcp_connection_errors_total{${APP_INSTANCE}}[$__rate_interval]))`,
            "{{instance}} TCP errors",
            "B",
          ),
        ],
        links,
        width: 12,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "WebSocket worker heartbeat age",
        description: `Seconds since each WebSocket worker's last heartbeat (websocket_worker_last_heartbeat_timestamp_seconds); ${AlertName.Port8000WebSocketWorkersStuck} fires above the line.`,
        unit: "s",
        queries: [
          query(
            `time() - websocket_worker_last_heartbeat_timestamp_seconds{${APP_INSTANCE}}`,
            "{{instance}} {{worker}}",
          ),
        ],
        thresholds: thresholds(t.websocketHeartbeatAgeSeconds),
        links,
        width: 12,
        min: 0,
      }),
    );
}

function status(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const links = [runbookLink(ctx, "availability", "availability")];
  const { availability } = ctx.config.slo;
  statusRow(ctx, b, DashboardUid.serviceOverview, "availability", [
    statPanel({
      title: "Health check",
      description: `Whether the blackbox probe of ${ctx.config.service.healthUrl} succeeds (probe_success; ${AlertName.Port8000Down} pages at 0). Ignores the instance variable: the probe goes through the service address.`,
      unit: "none",
      queries: [instantQuery(`min(probe_success{job="${Job.health}"})`, "health")],
      thresholds: thresholds({ critical: 1 }, "below"),
      mappings: [
        { value: 0, text: "DOWN", color: "red" },
        { value: 1, text: "UP", color: "green" },
      ],
      links,
      width: 4,
    }),
    statPanel({
      title: "Instances scraped",
      description: `Port 8000 instances whose last scrape succeeded, of all it has (up); ${AlertName.Port8000MetricsAbsent} warns when none is.`,
      unit: "short",
      queries: [instantQuery(`sum(up{${APP_INSTANCE}}) or vector(0)`, "up")],
      thresholds: thresholds({ critical: 1 }, "below"),
      links,
      width: 4,
    }),
    statPanel({
      title: "5xx share now",
      description: `Share of 5xx responses over ${ctx.config.thresholds.errorRate.window} (recording rule); SLO ${availability * 100}%. Ignores the instance variable: the recording rule sums every instance.`,
      unit: "percentunit",
      queries: [
        instantQuery(
          `${RecordName.errorRatio(ctx.config.thresholds.errorRate.window)}{${APP}}`,
          "5xx share",
        ),
      ],
      thresholds: thresholds(ctx.config.thresholds.errorRate),
      links,
      width: 4,
    }),
  ]);
}

/** Lucene on the logs index: the 5xx access-log lines of Port 8000. */
export const SERVER_ERROR_LOG_QUERY = `${LogField.service}:${SERVICE_LABEL} AND ${LogField.status}:[500 TO 599]`;

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
  status(ctx, b);
  publicEndpointRow(ctx, b);
  trafficRow(ctx, b);
  latencyRow(ctx, b);
  connectionsRow(ctx, b);
  sloRow(ctx, b);
  logsRow(ctx, b);
  return b.build();
}
