import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import type * as stat from "@grafana/grafana-foundation-sdk/stat";
import type { RunbookFile } from "../alerts/model";
import { isAlertingRule, renderRuleGroups } from "../alerts/render";
import { type DashboardContext, instantQuery, runbookLink, statPanel, thresholds } from "./common";

/**
 * The top row of every dashboard: "is it broken?" at a glance. Firing alerts of the alerts that
 * link to this dashboard (from the rendered rules, so a new alert counts as soon as it links
 * here), then the dashboard's own health stats, all instant queries.
 */

/** The alerts whose dashboard_url opens the dashboard `uid`, each once, in rule-file order. */
export function alertsLinkingTo(ctx: DashboardContext, uid: string): string[] {
  const rules = renderRuleGroups(ctx.config, { timeScale: 1 }).groups.flatMap((g) => g.rules);
  const names = rules
    .filter(isAlertingRule)
    .filter((r) => r.annotations.dashboard_url?.endsWith(`/d/${uid}`))
    .map((r) => r.alert);
  return [...new Set(names)];
}

/** `count` of the firing alerts among `names` at `severity`; 0, not "no data", when none. */
export function firingQuery(names: readonly string[], severity: string): string {
  return `count(ALERTS{alertstate="firing", severity="${severity}", alertname=~"${names.join("|")}"}) or vector(0)`;
}

function firingPanel(
  ctx: DashboardContext,
  names: readonly string[],
  severity: "critical" | "warning",
  runbook: RunbookFile,
): stat.PanelBuilder {
  return statPanel({
    title: severity === "critical" ? "Critical alerts firing" : "Warnings firing",
    description: `How many ${severity} alerts that link here fire now (${names.join(", ")}). Ignores every variable: it counts the whole stack.`,
    unit: "short",
    queries: [instantQuery(firingQuery(names, severity), severity)],
    thresholds: thresholds({ [severity === "critical" ? "critical" : "warning"]: 1 }),
    links: [runbookLink(ctx, runbook, "runbooks")],
    width: 4,
    min: 0,
  });
}

/** The status row: firing criticals and warnings, then `health` (each 4 or so wide). */
export function statusRow(
  ctx: DashboardContext,
  b: dashboard.DashboardBuilder,
  uid: string,
  runbook: RunbookFile,
  health: readonly stat.PanelBuilder[],
): void {
  const names = alertsLinkingTo(ctx, uid);
  b.withRow(new dashboard.RowBuilder("Is it broken?"));
  if (names.length > 0) {
    b.withPanel(firingPanel(ctx, names, "critical", runbook));
    b.withPanel(firingPanel(ctx, names, "warning", runbook));
  }
  for (const panel of health) b.withPanel(panel);
}
