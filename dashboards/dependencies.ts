import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import { AlertName } from "../lib/alert-names";
import { DashboardUid, Job } from "../lib/conventions";
import {
  type DashboardContext,
  dashboardFrame,
  instantQuery,
  labelVariable,
  prometheusVariable,
  query,
  runbookLink,
  stateTimelinePanel,
  statPanel,
  thresholds,
  timeseriesPanel,
} from "./common";
import { statusRow } from "./status";

/** Guide 1.4 Dependency Panel: Ollama latency, database pool, reachability and latency, external API status. */

const APP = `job="${Job.port8000}", instance=~"$instance"`;

function dependencyRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  const links = [runbookLink(ctx, "dependencies", "dependencies")];
  b.withRow(new dashboard.RowBuilder("Ollama and database"))
    .withPanel(
      timeseriesPanel({
        title: "Ollama latency",
        description: `Latency of the Ollama dependency as Port 8000 measures it (ollama_latency_ms); the lines are the ${AlertName.Port8000DependencyLatencyHigh} thresholds.`,
        unit: "ms",
        queries: [query(`ollama_latency_ms{${APP}}`, "{{instance}}")],
        thresholds: thresholds(t.dependencyLatencyMs),
        links,
        min: 0,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Database pool use",
        description: `Connections in use over the pool size (db_connection_pool_in_use / db_connection_pool_size); the line is the ${AlertName.Port8000DbPoolSaturated} threshold.`,
        unit: "percentunit",
        queries: [
          query(
            `db_connection_pool_in_use{${APP}}\n/\ndb_connection_pool_size{${APP}}`,
            "{{instance}}",
          ),
        ],
        thresholds: thresholds(t.dbPoolRatio),
        links,
        min: 0,
        max: 1,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Database connections",
        description: "Connections in use and the pool size (db_connection_pool_*).",
        unit: "short",
        queries: [
          query(`db_connection_pool_in_use{${APP}}`, "{{instance}} in use", "A"),
          query(`db_connection_pool_size{${APP}}`, "{{instance}} size", "B"),
        ],
        links,
        min: 0,
      }),
    );
}

function databaseRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  const links = [runbookLink(ctx, "dependencies", "dependencies")];
  b.withRow(new dashboard.RowBuilder("Database health"))
    .withPanel(
      stateTimelinePanel({
        title: "Database reachable",
        description: `Whether each instance's health query reaches the database (db_up: 1 up, 0 down); ${AlertName.Port8000DatabaseUnreachable} pages while any instance reads 0.`,
        queries: [query(`min by (instance) (db_up{${APP}})`, "{{instance}}")],
        states: [
          { value: 0, text: "unreachable", color: "red" },
          { value: 1, text: "up", color: "green" },
        ],
        links,
      }),
    )
    .withPanel(
      timeseriesPanel({
        title: "Database query latency",
        description: `Latency of the database queries as each instance measures it (db_query_latency_ms); the lines are the ${AlertName.Port8000DbLatencyHigh} thresholds.`,
        unit: "ms",
        queries: [query(`db_query_latency_ms{${APP}}`, "{{instance}}")],
        thresholds: thresholds(t.dbLatencyMs),
        links,
        width: 12,
        min: 0,
      }),
    );
}

function status(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  const t = ctx.config.thresholds;
  const links = [runbookLink(ctx, "dependencies", "dependencies")];
  statusRow(ctx, b, DashboardUid.dependencies, "dependencies", [
    statPanel({
      title: "Ollama latency now",
      description:
        "The slowest Ollama latency any Port 8000 instance measures (ollama_latency_ms).",
      unit: "ms",
      queries: [instantQuery(`max(ollama_latency_ms{${APP}})`, "ollama")],
      thresholds: thresholds(t.dependencyLatencyMs),
      links,
      width: 4,
    }),
    statPanel({
      title: "Database pool use",
      description: "The fullest database pool of any instance (db_connection_pool_in_use / size).",
      unit: "percentunit",
      queries: [
        instantQuery(
          `max(db_connection_pool_in_use{${APP}}\n/\ndb_connection_pool_size{${APP}})`,
          "pool",
        ),
      ],
      thresholds: thresholds(t.dbPoolRatio),
      links,
      width: 4,
    }),
    statPanel({
      title: "External APIs down",
      description: "External APIs some instance cannot reach now (external_api_up == 0).",
      unit: "short",
      queries: [
        instantQuery(`count(min by (api) (external_api_up{${APP}}) == 0) or vector(0)`, "down"),
      ],
      thresholds: thresholds({ critical: 1 }),
      links,
      width: 4,
    }),
  ]);
}

function externalRow(ctx: DashboardContext, b: dashboard.DashboardBuilder): void {
  b.withRow(new dashboard.RowBuilder("External APIs")).withPanel(
    stateTimelinePanel({
      title: "External API status",
      description:
        "Whether each external API answers Port 8000 (external_api_up: 1 up, 0 down), per API.",
      queries: [query(`min by (api) (external_api_up{${APP}})`, "{{api}}")],
      states: [
        { value: 0, text: "down", color: "red" },
        { value: 1, text: "up", color: "green" },
      ],
      links: [runbookLink(ctx, "dependencies", "dependencies")],
      width: 24,
    }),
  );
}

export function dependencies(ctx: DashboardContext): dashboard.Dashboard {
  const b = dashboardFrame(
    ctx,
    DashboardUid.dependencies,
    "Port 8000 / Dependencies",
    "What Port 8000 depends on: Ollama latency, the database (pool, reachability, query latency) and external APIs (guide 1.4).",
    [prometheusVariable(), labelVariable("instance", Job.port8000)],
  );
  status(ctx, b);
  dependencyRow(ctx, b);
  databaseRow(ctx, b);
  externalRow(ctx, b);
  return b.build();
}
