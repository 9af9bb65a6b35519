import { DashboardUid } from "../../lib/conventions";
import type { StackConfig } from "../config/schema";
import { type GrafanaPermission, grafanaTeams } from "../grafana/access";

/**
 * Who may do what with the dashboards (guide 1.4: edit for Ops/SRE, read-only for leadership).
 * Teams only: the list replaces whatever Grafana granted by default (basic roles, the creator).
 */

export interface DashboardGrant {
  readonly team: string;
  readonly permission: GrafanaPermission;
}

export function dashboardGrants(config: StackConfig): DashboardGrant[] {
  return grafanaTeams(config).map((t) => ({ team: t.name, permission: t.permission }));
}

/** Login-free shared links, only when config turns them on. */
export function publicDashboardUids(config: StackConfig): string[] {
  return config.dashboards.sharing.publicDashboards ? Object.values(DashboardUid) : [];
}

/** The viewer path: where a signed-in viewer (leadership) opens each dashboard. */
export function viewerUrls(config: StackConfig): Record<string, string> {
  return Object.fromEntries(
    Object.values(DashboardUid).map((uid) => [uid, `${config.links.grafanaUrl}/d/${uid}`]),
  );
}
