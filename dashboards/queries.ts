import { toYaml } from "../lib/serialize";
import type { LintableDashboard } from "./lint";

/**
 * Every PromQL query of a rendered dashboard (panel targets and label_values variables), with
 * Grafana's template variables replaced, so promtool and a live Prometheus can judge them.
 */

export interface DashboardQuery {
  readonly where: string;
  readonly expr: string;
}

/** What Grafana puts in for its built-in variables; windows long enough for a 15s scrape. */
export const BUILTIN_VALUES: Readonly<Record<string, string>> = {
  __rate_interval: "1m",
  __interval: "30s",
  __range: "1h",
};

/** `$name` and `${name}` → the built-in value, or `.+` for a multi-value label variable. */
export function substitute(expr: string, builtins = BUILTIN_VALUES): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (_, name: string) => builtins[name] ?? ".+");
}

function labelValuesSelector(query: string): string | undefined {
  return /^label_values\((.+),\s*\w+\)$/.exec(query)?.[1];
}

export function dashboardQueries(
  d: LintableDashboard,
  builtins = BUILTIN_VALUES,
): DashboardQuery[] {
  const uid = d.uid ?? "dashboard";
  const panels = (d.panels ?? []).filter((p) => p.type !== "row" && p.type !== "logs");
  const targets = panels.flatMap((p) =>
    (p.targets ?? []).map((t, i) => ({
      where: `${uid} panel "${p.title}" target ${i}`,
      expr: substitute(t.expr ?? "", builtins),
    })),
  );
  const variables = (d.templating?.list ?? []).flatMap((v) => {
    const q = typeof v.query === "string" ? v.query : v.query?.query;
    const selector = v.type === "query" && q ? labelValuesSelector(q) : undefined;
    return selector
      ? [{ where: `${uid} variable ${v.name}`, expr: substitute(selector, builtins) }]
      : [];
  });
  return [...targets, ...variables];
}

/** A throwaway rule file: one recording rule per query, for `promtool check rules`. */
export function queriesRuleFile(queries: readonly DashboardQuery[]): string {
  return toYaml({
    groups: [
      {
        name: "dashboard-queries",
        rules: queries.map((q, i) => ({ record: `dashboard_query_${i}`, expr: q.expr })),
      },
    ],
  });
}
