import { buildDashboards, type DashboardKey, type DashboardModel } from "../../dashboards";
import type { LintableDashboard } from "../../dashboards/lint";
import { stackConfig } from "../alerts/support";

export { stackConfig };

export type Json = Record<string, unknown>;

export function dashboards(overrides: Record<string, unknown> = {}) {
  return buildDashboards(stackConfig("prod", overrides));
}

/** A deep copy as plain JSON, the way Grafana receives it. */
export function plain(model: DashboardModel): LintableDashboard & Json {
  return JSON.parse(JSON.stringify(model));
}

interface PanelJson {
  title?: string;
  type: string;
  targets?: { expr?: string; query?: string; timeField?: string }[];
  fieldConfig?: {
    defaults?: { thresholds?: { steps: { value: number | null; color: string }[] } };
  };
}

export function panel(key: DashboardKey, title: string, overrides = {}): PanelJson {
  const model = plain(dashboards(overrides)[key]) as { panels: PanelJson[] };
  const found = model.panels.find((p) => p.title === title);
  if (!found) throw new Error(`no panel "${title}" in ${key}`);
  return found;
}

/** Threshold step values above the base step, in order. */
export function stepValues(p: PanelJson): (number | null)[] {
  return (p.fieldConfig?.defaults?.thresholds?.steps ?? []).slice(1).map((s) => s.value);
}
