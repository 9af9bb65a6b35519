import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import type { StackConfig } from "../config";
import { grafanaFolders, grafanaTeams } from "./access";

export interface GrafanaAccessArgs {
  readonly config: StackConfig;
}

/** The `Port 8000 / Production` folder, one team per RBAC team, and who may do what in it. */
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
    const teams = grafanaTeams(args.config).map((spec) => ({
      spec,
      team: new grafana.oss.Team(
        `${name}-team-${spec.name}`,
        { name: spec.name, members: [...spec.members] },
        { parent: this },
      ),
    }));
    const leaf = [...folders.values()].at(-1) as grafana.oss.Folder;
    new grafana.oss.FolderPermission(
      `${name}-folder-permission`,
      {
        folderUid: leaf.uid,
        permissions: teams.map(({ spec, team }) => ({
          teamId: team.teamId.apply(String),
          permission: spec.permission,
        })),
      },
      { parent: this },
    );
    this.folderUid = leaf.uid;
    this.teamIds = Object.fromEntries(teams.map(({ spec, team }) => [spec.name, team.teamId]));
    this.registerOutputs({ folderUid: this.folderUid });
  }
}
