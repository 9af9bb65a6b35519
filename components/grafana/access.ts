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
  /** The identity provider's groups Team Sync keeps the team equal to; undefined: `external`. */
  readonly syncGroups: readonly string[] | undefined;
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

/**
 * Teams with any Grafana access. Their members come from sign-in, never from a list this
 * program applies (components/config/grafana-teams.ts says why): Team Sync groups with
 * `grafana.teamMembership: sync`, else Grafana's own membership.
 */
export function grafanaTeams(config: StackConfig): GrafanaTeamSpec[] {
  const { teamMembership, teamSync } = config.grafana;
  return config.rbac.teams.flatMap((team) => {
    const permission = PERMISSION[team.grafana];
    if (!permission) return [];
    const groups = teamMembership === "sync" ? teamSync?.[team.name] : undefined;
    return [{ name: team.name, syncGroups: groups ? [...groups].sort() : undefined, permission }];
  });
}

export interface FolderGrant {
  readonly team: string;
  readonly permission: GrafanaPermission;
}

/**
 * The complete grant list of every folder the program creates, top-level included: a folder
 * permission resource replaces all grants, Grafana's Editor/Viewer role defaults among them,
 * and a nested folder inherits its parent's, so each level gets the teams' grants only.
 */
export function folderGrants(config: StackConfig): Map<string, FolderGrant[]> {
  const grants = grafanaTeams(config).map(({ name, permission }) => ({ team: name, permission }));
  return new Map(grafanaFolders(config).map((folder) => [folder.uid, grants]));
}
