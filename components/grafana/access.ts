import type { StackConfig } from "../config/schema";

/** Grafana folders, teams and folder permissions from the RBAC config (guide 1.4). */

export type GrafanaPermission = "View" | "Edit" | "Admin";

const PERMISSION: Record<string, GrafanaPermission | undefined> = {
  none: undefined,
  viewer: "View",
  editor: "Edit",
  admin: "Admin",
};

export interface GrafanaFolderSpec {
  readonly uid: string;
  readonly title: string;
  readonly parentUid?: string;
}

export interface GrafanaTeamSpec {
  readonly name: string;
  readonly members: readonly string[];
  readonly permission: GrafanaPermission;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** Nested folders, parent first; uids derive from the path so they never change between runs. */
export function grafanaFolders(config: StackConfig): GrafanaFolderSpec[] {
  return config.grafana.folder.map((title, i, path) => ({
    uid: slug(path.slice(0, i + 1).join("-")).slice(0, 40),
    title,
    parentUid: i === 0 ? undefined : slug(path.slice(0, i).join("-")).slice(0, 40),
  }));
}

/** Teams with any Grafana access; the folder permission list replaces Grafana's defaults. */
export function grafanaTeams(config: StackConfig): GrafanaTeamSpec[] {
  return config.rbac.teams.flatMap((team) => {
    const permission = PERMISSION[team.grafana];
    return permission ? [{ name: team.name, members: team.members, permission }] : [];
  });
}
