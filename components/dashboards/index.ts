import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import { buildDashboards, dashboardJson } from "../../dashboards";
import type { StackConfig } from "../config";
import { datasourceSpecs } from "./datasources";
import { dashboardGrants, publicDashboardUids, viewerUrls } from "./sharing";

export interface GrafanaDashboardsArgs {
  readonly config: StackConfig;
  /** The `Port 8000 / Production` folder (components/grafana). */
  readonly folderUid: pulumi.Input<string>;
  /** Grafana team ids by team name (components/grafana). */
  readonly teamIds: Readonly<Record<string, pulumi.Input<number>>>;
  /** Password of the OpenSearch datasource's basic-auth user (a secret), when it has one. */
  readonly opensearchPassword?: pulumi.Input<string>;
  /** Password of Thanos Query's basic-auth user (components/thanos), a secret. */
  readonly prometheusPassword?: pulumi.Input<string>;
}

function basicAuth(user: string | undefined, password: pulumi.Input<string> | undefined) {
  if (!user) return {};
  if (password === undefined) throw new Error(`datasource user ${user} needs its password`);
  return {
    basicAuthEnabled: true,
    basicAuthUsername: user,
    secureJsonDataEncoded: pulumi
      .secret(password)
      .apply((p) => JSON.stringify({ basicAuthPassword: p })),
  };
}

/** The four dashboards of guide 1.4 in the folder, their datasources and who may see them. */
export class GrafanaDashboards extends pulumi.ComponentResource {
  readonly dashboardUrls: pulumi.Output<Record<string, string>>;
  /** Token of the service account the automation service writes annotations with. */
  readonly annotationToken: pulumi.Output<string>;

  constructor(name: string, args: GrafanaDashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:dashboards:GrafanaDashboards", name, {}, opts);
    const { config } = args;
    const datasources = datasourceSpecs(config).map(
      (spec) =>
        new grafana.oss.DataSource(
          `${name}-datasource-${spec.role}`,
          {
            uid: spec.uid,
            name: spec.name,
            type: spec.type,
            url: spec.url,
            accessMode: "proxy",
            databaseName: spec.databaseName,
            jsonDataEncoded: JSON.stringify(spec.jsonData),
            ...basicAuth(
              spec.basicAuthUser,
              spec.role === "prometheus" ? args.prometheusPassword : args.opensearchPassword,
            ),
          },
          { parent: this },
        ),
    );
    const grants = dashboardGrants(config);
    const dashboards = new Map<string, grafana.oss.Dashboard>();
    for (const model of Object.values(buildDashboards(config))) {
      const dashboard = new grafana.oss.Dashboard(
        `${name}-${model.uid}`,
        {
          configJson: dashboardJson(model),
          folder: args.folderUid,
          overwrite: true,
          message: "port8000-monitoring (pulumi up)",
        },
        { parent: this, dependsOn: datasources },
      );
      dashboards.set(model.uid, dashboard);
      new grafana.oss.DashboardPermission(
        `${name}-${model.uid}-permission`,
        {
          dashboardUid: model.uid,
          permissions: grants.map((g) => ({
            teamId: pulumi.output(args.teamIds[g.team]).apply(String),
            permission: g.permission,
          })),
        },
        { parent: this, dependsOn: [dashboard] },
      );
    }
    for (const uid of publicDashboardUids(config)) {
      new grafana.oss.DashboardPublic(
        `${name}-${uid}-public`,
        {
          dashboardUid: uid,
          isEnabled: true,
          timeSelectionEnabled: true,
          annotationsEnabled: true,
        },
        { parent: this, dependsOn: dashboards.get(uid) },
      );
    }
    this.annotationToken = this.annotationWriter(name);
    this.dashboardUrls = pulumi.output(viewerUrls(config));
    this.registerOutputs({ dashboardUrls: this.dashboardUrls });
  }

  /**
   * Editor is the narrowest basic role that may create organization annotations in Grafana OSS;
   * the folder and dashboard permissions list teams only, so it cannot edit these dashboards.
   */
  private annotationWriter(name: string): pulumi.Output<string> {
    const account = new grafana.oss.ServiceAccount(
      `${name}-annotation-writer`,
      { name: "port8000-annotations", role: "Editor" },
      { parent: this },
    );
    const token = new grafana.oss.ServiceAccountToken(
      `${name}-annotation-writer-token`,
      { name: "port8000-automation", serviceAccountId: account.id },
      { parent: this },
    );
    return pulumi.secret(token.key);
  }
}
