import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { irsaTrustPolicy } from "../../lib/irsa";

export interface IrsaRoleArgs {
  /** The IAM role's name. */
  readonly roleName: string;
  readonly oidcProviderArn: string;
  /** The Kubernetes service account that assumes it, and its namespace. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Its inline policy (an IAM policy document). */
  readonly policy: object;
}

/**
 * An IAM role one Kubernetes service account assumes through the cluster's OIDC provider (IRSA),
 * with its inline policy: `${prefix}-role` and `${prefix}-policy`, children of opts.parent.
 */
export function irsaRole(
  prefix: string,
  args: IrsaRoleArgs,
  opts: pulumi.CustomResourceOptions,
): aws.iam.Role {
  const role = new aws.iam.Role(
    `${prefix}-role`,
    {
      name: args.roleName,
      assumeRolePolicy: JSON.stringify(
        irsaTrustPolicy(args.oidcProviderArn, args.namespace, args.serviceAccount),
      ),
    },
    opts,
  );
  new aws.iam.RolePolicy(
    `${prefix}-policy`,
    { role: role.name, policy: JSON.stringify(args.policy) },
    opts,
  );
  return role;
}
