import type { AlertName } from "../../lib/alert-names";
import { MONITORING_LOGS } from "../log-queries";
import type { AlertDefinition, AlertLevel, RuleContext } from "../model";

/** What every monitoring-pipeline alert shares: its runbook, dashboard and log query. */

const DASH = "monitoringPipeline";
const LOGS = MONITORING_LOGS;

export function pipelineLevel(
  ctx: RuleContext,
  severity: AlertLevel["severity"],
  expr: string,
  hold: string,
  threshold: string,
): AlertLevel {
  return { severity, expr, for: ctx.hold(hold), threshold };
}

export function pipelineAlert(
  name: AlertName,
  summary: string,
  description: string,
  levels: AlertLevel[],
): AlertDefinition {
  return {
    name,
    runbook: "monitoring-pipeline",
    dashboard: DASH,
    summary,
    description,
    logQuery: LOGS,
    levels,
  };
}
