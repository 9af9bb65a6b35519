import type { IdentityProvider } from "../config/identity";
import type { StackConfig } from "../config/schema";
import { GROUP_PREFIX } from "./kubernetes";

/**
 * What federated (SSO) people assume: one IAM role per team with AWS or cluster access, trusted
 * by the organisation's identity provider, and the EKS access entry that gives the role's
 * sessions the team's Kubernetes group (the subject of its RoleBinding). Pure.
 */

type Team = StackConfig["rbac"]["teams"][number];

/** The session tag an OIDC IdP sets to the user's team (claim https://aws.amazon.com/tags). */
export const TEAM_SESSION_TAG = "port8000-team";
export const SAML_AUDIENCE = "https://signin.aws.amazon.com/saml";

export function teamsWithRoles(config: StackConfig): Team[] {
  return config.rbac.teams.filter((team) => team.aws !== "none" || team.kubernetes !== "none");
}

export function teamRoleName(config: StackConfig, team: Team): string {
  return `port8000-${config.deployment.environment}-${team.name}`;
}

export function teamRoleTrustPolicy(provider: IdentityProvider, team: Team) {
  const statement =
    provider.type === "saml"
      ? {
          Effect: "Allow",
          Principal: { Federated: provider.arn },
          Action: ["sts:AssumeRoleWithSAML", "sts:TagSession"],
          Condition: { StringEquals: { "SAML:aud": SAML_AUDIENCE } },
        }
      : {
          Effect: "Allow",
          Principal: { Federated: provider.arn },
          Action: ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
          Condition: {
            StringEquals: {
              [`${provider.arn.split(":oidc-provider/")[1]}:aud`]: provider.audience,
              [`aws:RequestTag/${TEAM_SESSION_TAG}`]: team.name,
            },
          },
        };
  return { Version: "2012-10-17", Statement: [statement] };
}

/** `aws eks update-kubeconfig` needs DescribeCluster on the stack's cluster. */
export function clusterAccessPolicy(config: StackConfig, provider: IdentityProvider) {
  const [, partition, , , account] = provider.arn.split(":");
  const { region } = config.deployment;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DescribeTheCluster",
        Effect: "Allow",
        Action: ["eks:DescribeCluster"],
        Resource: [`arn:${partition}:eks:${region}:${account}:cluster/${config.cluster.name}`],
      },
    ],
  };
}

export function accessEntryGroups(team: Team): string[] {
  return team.kubernetes === "none" ? [] : [`${GROUP_PREFIX}${team.name}`];
}
