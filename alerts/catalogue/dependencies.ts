import { Job } from "../../lib/conventions";
import { percent, selector } from "../format";
import { levelsOf } from "../levels";
import type { AlertDefinition, RuleContext } from "../model";

/** External services Port 8000 needs: Ollama and the database (guide 1.1, 1.3, 4.3). */

const APP = selector(Job.port8000);

function ollamaLatency(ctx: RuleContext): AlertDefinition {
  return {
    name: "Port8000DependencyLatencyHigh",
    runbook: "dependencies",
    dashboard: "dependencies",
    summary: "Ollama answers Port 8000 in {{ $value | humanize }} ms",
    description:
      "ollama_latency_ms is {{ $value | humanize }} ms (threshold %THRESHOLD% ms). Bots wait on the model; expect dispatch latency and queue depth to follow.",
    logQuery: "service:port8000 and (ollama or message:*timeout*)",
    levels: levelsOf(ctx, ctx.t.dependencyLatencyMs, (v) => `ollama_latency_ms${APP} > ${v}`),
  };
}

function dbPool(ctx: RuleContext): AlertDefinition {
  return {
    name: "Port8000DbPoolSaturated",
    runbook: "dependencies",
    dashboard: "dependencies",
    summary: "Port 8000 uses {{ $value | humanizePercentage }} of its database pool",
    description:
      "db_connection_pool_in_use / db_connection_pool_size is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). Requests will soon wait for a connection; look for slow queries, leaks, or a database that stopped answering.",
    logQuery: "service:port8000 and (OperationalError or ConnectionReset)",
    levels: levelsOf(
      ctx,
      ctx.t.dbPoolRatio,
      (v) =>
        `db_connection_pool_in_use${APP}\n/ on (job, instance)\ndb_connection_pool_size${APP}\n> ${v}`,
      percent,
    ),
  };
}

export function dependencyAlerts(ctx: RuleContext): AlertDefinition[] {
  return [ollamaLatency(ctx), dbPool(ctx)];
}
