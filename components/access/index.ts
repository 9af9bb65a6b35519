import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import type { IdentityProvider } from "../config/identity";
import { archivePolicy } from "./aws";
import {
  accessEntryGroups,
  clusterAccessPolicy,
  teamRoleName,
  teamRoleTrustPolicy,
  teamsWithRoles,
} from "./federation";
import { teamRoleBindings } from "./kubernetes";

export interface TeamAccessArgs {
  readonly config: StackConfig;
  readonly archiveBucketArn: pulumi.Input<string>;
}

type Team = StackConfig["rbac"]["teams"][number];

/**
 * Least-privilege access of each RBAC team outside Grafana: Kubernetes RoleBindings in the
 * monitoring namespace, and for SSO users a role per team they assume through the identity
 * provider, with the team's archive access and an EKS access entry into the team's group.
 */
export class TeamAccess extends pulumi.ComponentResource {
  constructor(name: string, args: TeamAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:access:TeamAccess", name, {}, opts);
    for (const binding of teamRoleBindings(args.config)) {
      new k8s.rbac.v1.RoleBinding(`${name}-${binding.metadata.name}`, binding, { parent: this });
    }
    const provider = args.config.identity.provider;
    // The config refuses a deployed stack without one; only a partial test stack lacks it.
    if (provider) {
      for (const team of teamsWithRoles(args.config)) this.teamRole(name, args, provider, team);
    }
    this.registerOutputs({});
  }

  private teamRole(name: string, args: TeamAccessArgs, provider: IdentityProvider, team: Team) {
    const { config } = args;
    const child = { parent: this };
    const role = new aws.iam.Role(
      `${name}-role-${team.name}`,
      {
        name: teamRoleName(config, team),
        path: "/port8000/",
        assumeRolePolicy: JSON.stringify(teamRoleTrustPolicy(provider, team)),
        maxSessionDuration: config.identity.maxSessionHours * 3600,
      },
      child,
    );
    if (team.aws !== "none") {
      new aws.iam.RolePolicy(
        `${name}-archive-policy-${team.name}`,
        {
          role: role.name,
          policy: pulumi
            .output(args.archiveBucketArn)
            .apply((arn) => JSON.stringify(archivePolicy(team.aws, arn))),
        },
        child,
      );
    }
    const groups = accessEntryGroups(team);
    if (groups.length === 0) return;
    new aws.iam.RolePolicy(
      `${name}-cluster-policy-${team.name}`,
      { role: role.name, policy: JSON.stringify(clusterAccessPolicy(config, provider)) },
      child,
    );
    new aws.eks.AccessEntry(
      `${name}-access-entry-${team.name}`,
      {
        clusterName: config.cluster.name as string,
        principalArn: role.arn,
        kubernetesGroups: groups,
        type: "STANDARD",
      },
      child,
    );
  }
}
