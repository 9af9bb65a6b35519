import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import type { StackConfig } from "../components/config/schema";
import { ArtifactPath, DashboardUid } from "../lib/conventions";
import { toSortedJson } from "../lib/serialize";
import { botFleet } from "./bot-fleet";
import type { DashboardContext } from "./common";
import { dependencies } from "./dependencies";
import { monitoringPipeline } from "./monitoring-pipeline";
import { resourceUtilization } from "./resource-utilization";
import { serviceOverview } from "./service-overview";

/** Pure renderer: typed config → the four dashboards of guide 1.4 and the pipeline's own, by uid. */

export type DashboardKey = keyof typeof DashboardUid;

const BUILDERS: Record<DashboardKey, (ctx: DashboardContext) => dashboard.Dashboard> = {
  serviceOverview,
  botFleet,
  resources: resourceUtilization,
  dependencies,
  monitoringPipeline,
};

export type DashboardModel = dashboard.Dashboard & { uid: string; title: string };

/** Grafana needs a unique id per panel; numbering in layout order keeps them stable. */
function numberPanels(model: DashboardModel): DashboardModel {
  return { ...model, panels: (model.panels ?? []).map((p, i) => ({ ...p, id: i + 1 })) };
}

export function buildDashboards(config: StackConfig): Record<DashboardKey, DashboardModel> {
  const ctx: DashboardContext = { config };
  const entries = (Object.keys(BUILDERS) as DashboardKey[]).map((key) => {
    const model = numberPanels(BUILDERS[key](ctx) as DashboardModel);
    if (model.uid !== DashboardUid[key])
      throw new Error(`dashboard ${key} has uid ${model.uid}, expected ${DashboardUid[key]}`);
    return [key, model] as const;
  });
  return Object.fromEntries(entries) as Record<DashboardKey, DashboardModel>;
}

/** The dashboard JSON Grafana imports: keys sorted so diffs show only real changes. */
export function dashboardJson(model: DashboardModel): string {
  return toSortedJson(model);
}

export function dashboardPath(uid: string): string {
  return `${ArtifactPath.dashboards}/${uid}.json`;
}

export function dashboardArtifacts(config: StackConfig): Record<string, string> {
  return Object.fromEntries(
    Object.values(buildDashboards(config)).map((m) => [dashboardPath(m.uid), dashboardJson(m)]),
  );
}
