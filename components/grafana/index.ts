import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import type { StackConfig } from "../config";
import { folderGrants, type GrafanaTeamSpec, grafanaFolders, grafanaTeams } from "./access";

export interface GrafanaAccessArgs {
  readonly config: StackConfig;
}

/** The `Port 8000 / Production` folders, one team per RBAC team, and who may do what in them. */
export class GrafanaAccess extends pulumi.ComponentResource {
  readonly folderUid: pulumi.Output<string>;
  /** Team ids by team name, for permissions set elsewhere (dashboards). */
  readonly teamIds: Record<string, pulumi.Output<number>>;

  constructor(name: string, args: GrafanaAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:grafana:GrafanaAccess", name, {}, opts);
    const folders = new Map<string, grafana.oss.Folder>();
    for (const spec of grafanaFolders(args.config)) {
      const parent = spec.parentUid ? folders.get(spec.parentUid) : undefined;
      const folder = new grafana.oss.Folder(
        `${name}-folder-${spec.uid}`,
        {
          uid: spec.uid,
          title: spec.title,
          parentFolderUid: parent?.uid,
          preventDestroyIfNotEmpty: true,
        },
        { parent: this },
      );
      folders.set(spec.uid, folder);
    }
    const teamIds = new Map(
      grafanaTeams(args.config).map((spec) => [spec.name, this.team(name, spec).teamId]),
    );
    for (const [uid, grants] of folderGrants(args.config)) {
      new grafana.oss.FolderPermission(
        `${name}-folder-permission-${uid}`,
        {
          folderUid: (folders.get(uid) as grafana.oss.Folder).uid,
          permissions: grants.map(({ team, permission }) => ({
            teamId: (teamIds.get(team) as pulumi.Output<number>).apply(String),
            permission,
          })),
        },
        { parent: this },
      );
    }
    const leaf = [...folders.values()].at(-1) as grafana.oss.Folder;
    this.folderUid = leaf.uid;
    this.teamIds = Object.fromEntries(teamIds);
    this.registerOutputs({ folderUid: this.folderUid });
  }

  /**
   * Pulumi never sets members (Grafana keeps them), so a rebuild never waits for users to
   * exist; with Team Sync it keeps the team's groups, and the members sync adds are not drift.
   */
  private team(name: string, spec: GrafanaTeamSpec): grafana.oss.Team {
    const sync = spec.syncGroups !== undefined;
    return new grafana.oss.Team(
      `${name}-team-${spec.name}`,
      {
        name: spec.name,
        ...(sync
          ? {
              teamSync: { groups: [...(spec.syncGroups ?? [])] },
              ignoreExternallySyncedMembers: true,
            }
          : {}),
      },
      { parent: this, ignoreChanges: ["members", "admins"] },
    );
  }
}
