import { AlertName } from "../../lib/alert-names";
import { Job } from "../../lib/conventions";
import { LogField } from "../../lib/log-fields";
import { percent, selector } from "../format";
import { levelsOf } from "../levels";
import { APP_LOGS } from "../log-queries";
import type { AlertDefinition, RuleContext } from "../model";

/** External services Port 8000 needs: Ollama and the database (guide 1.1, 1.3, 4.3). */

const APP = selector(Job.port8000);

function ollamaLatency(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.Port8000DependencyLatencyHigh,
    runbook: "dependencies",
    dashboard: "dependencies",
    summary: "Ollama answers Port 8000 in {{ $value | humanize }} ms",
    description:
      "ollama_latency_ms is {{ $value | humanize }} ms (threshold %THRESHOLD% ms). Bots wait on the model; expect dispatch latency and queue depth to follow.",
    logQuery: `${APP_LOGS} and (ollama or ${LogField.message}:*timeout*)`,
    levels: levelsOf(ctx, ctx.t.dependencyLatencyMs, (v) => `ollama_latency_ms${APP} > ${v}`),
  };
}

function dbPool(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.Port8000DbPoolSaturated,
    runbook: "dependencies",
    dashboard: "dependencies",
    summary: "Port 8000 uses {{ $value | humanizePercentage }} of its database pool",
    description:
      "db_connection_pool_in_use / db_connection_pool_size is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). Requests will soon wait for a connection; look for slow queries, leaks, or a database that stopped answering.",
    logQuery: `${APP_LOGS} and (OperationalError or ConnectionReset)`,
    levels: levelsOf(
      ctx,
      ctx.t.dbPoolRatio,
      (v) =>
        `db_connection_pool_in_use${APP}\n/ on (job, instance)\ndb_connection_pool_size${APP}\n> ${v}`,
      percent,
    ),
  };
}

/** Guide 4.3 "Database connection lost": any instance that cannot reach the database. */
function dbUnreachable(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.Port8000DatabaseUnreachable,
    runbook: "dependencies",
    dashboard: "dependencies",
    summary: "Port 8000 {{ $labels.instance }} cannot reach its database",
    description:
      "db_up of {{ $labels.instance }} is 0: the database does not answer the app's health query. Tasks fail or queue; check the database, then the network path (firewall/VPN). Fail over to the standby database after 5 minutes down.",
    logQuery: `${APP_LOGS} and (OperationalError or ConnectionReset)`,
    levels: levelsOf(
      ctx,
      ctx.t.dbUp,
      (v) => `db_up${APP} < ${v}`,
      () => "database unreachable",
    ),
  };
}

/** The guide's "Ollama / DB" latency row, on the database's own gauge. */
function dbLatency(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.Port8000DbLatencyHigh,
    runbook: "dependencies",
    dashboard: "dependencies",
    summary: "The database answers Port 8000 in {{ $value | humanize }} ms",
    description:
      "db_query_latency_ms of {{ $labels.instance }} is {{ $value | humanize }} ms (threshold %THRESHOLD% ms). Every request that touches the database waits; the pool fills next.",
    logQuery: `${APP_LOGS} and (OperationalError or ${LogField.message}:*timeout*)`,
    levels: levelsOf(ctx, ctx.t.dbLatencyMs, (v) => `db_query_latency_ms${APP} > ${v}`),
  };
}

export function dependencyAlerts(ctx: RuleContext): AlertDefinition[] {
  return [ollamaLatency(ctx), dbPool(ctx), dbUnreachable(ctx), dbLatency(ctx)];
}
