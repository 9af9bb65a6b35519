import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config";
import { archivePolicy, teamsWithArchiveAccess } from "./aws";
import { teamRoleBindings } from "./kubernetes";

export interface TeamAccessArgs {
  readonly config: StackConfig;
  readonly archiveBucketArn: pulumi.Input<string>;
  /** The archive's KMS key: reading SSE-KMS objects needs kms:Decrypt on it. */
  readonly archiveKmsKeyArn?: pulumi.Input<string>;
}

/**
 * Least-privilege access of each RBAC team outside Grafana: Kubernetes RoleBindings in the
 * monitoring namespace and an IAM group per team for the log archive (membership is the SSO's).
 */
export class TeamAccess extends pulumi.ComponentResource {
  constructor(name: string, args: TeamAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("port8000:access:TeamAccess", name, {}, opts);
    for (const binding of teamRoleBindings(args.config)) {
      new k8s.rbac.v1.RoleBinding(`${name}-${binding.metadata.name}`, binding, { parent: this });
    }
    for (const team of teamsWithArchiveAccess(args.config)) {
      const group = new aws.iam.Group(
        `${name}-group-${team.name}`,
        { name: `port8000-${args.config.deployment.environment}-${team.name}`, path: "/port8000/" },
        { parent: this },
      );
      new aws.iam.GroupPolicy(
        `${name}-archive-policy-${team.name}`,
        {
          group: group.name,
          policy: pulumi
            .all([args.archiveBucketArn, args.archiveKmsKeyArn])
            .apply(([arn, key]) => JSON.stringify(archivePolicy(team.aws, arn, key))),
        },
        { parent: this },
      );
    }
    this.registerOutputs({});
  }
}
