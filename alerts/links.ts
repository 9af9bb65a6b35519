import type { StackConfig } from "../components/config/schema";
import { LOG_TENANT } from "../components/logging/names";
import { DashboardUid, LOG_INDEX_PATTERN } from "../lib/conventions";
import type { AlertDefinition } from "./model";

/** Links stamped on every alert: runbook section, dashboard, matching log search. */

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

export function runbookUrl(config: StackConfig, alert: AlertDefinition): string {
  return `${config.links.runbookBaseUrl}/${alert.runbook}.md#${githubAnchor(alert.name)}`;
}

/**
 * The guide's four dashboards, and the monitoring pipeline's own (built beside them) that the
 * alerts on Thanos, Logstash, Filebeat, OpenSearch and Prometheus' volume link to.
 */
export const ALERT_DASHBOARDS = {
  ...DashboardUid,
  monitoringPipeline: "port8000-monitoring-pipeline",
} as const;

export function dashboardUrl(config: StackConfig, alert: AlertDefinition): string {
  return `${config.links.grafanaUrl}/d/${ALERT_DASHBOARDS[alert.dashboard]}`;
}

/** Percent-encodes the literal text but keeps Go template actions, whose output is url-quoted. */
function encodeKeepingTemplates(text: string): string {
  return text
    .split(/(\{\{.*?\}\})/)
    .map((part) =>
      part.startsWith("{{")
        ? part.replace(/\s*\}\}$/, " | urlquery }}")
        : encodeURIComponent(part).replace(/'/g, "!'"),
    )
    .join("");
}

/** How far back the log search looks; covers the longest `for:` of the short-window alerts. */
export const LOG_SEARCH_WINDOW = "1h";

/**
 * OpenSearch Dashboards Discover, in the global tenant, on the port8000-* index pattern (whose
 * saved-object id is the pattern itself), filtered to the alert's context, over the last hour.
 */
export function logsUrl(config: StackConfig, alert: AlertDefinition): string {
  const query = encodeKeepingTemplates(alert.logQuery);
  const time = `(time:(from:now-${LOG_SEARCH_WINDOW},to:now))`;
  const app = `(index:'${LOG_INDEX_PATTERN}',query:(language:kuery,query:'${query}'))`;
  // The tenant goes in the query string (the security plugin reads it there, not in the
  // fragment): the index pattern exists only in the global tenant the policy Job saves it in.
  return `${config.links.opensearchDashboardsUrl}/app/discover?security_tenant=${LOG_TENANT}#/?_g=${time}&_a=${app}`;
}
