import type { StackConfig } from "../config/schema";

/**
 * Kubernetes access per RBAC team: a RoleBinding of the built-in view/edit/admin ClusterRole in
 * the monitoring namespace, for the identity-provider group `port8000:<team>`.
 */

export const GROUP_PREFIX = "port8000:";

export interface RoleBindingSpec {
  readonly apiVersion: "rbac.authorization.k8s.io/v1";
  readonly kind: "RoleBinding";
  readonly metadata: { name: string; namespace: string };
  readonly roleRef: { apiGroup: "rbac.authorization.k8s.io"; kind: "ClusterRole"; name: string };
  readonly subjects: { apiGroup: "rbac.authorization.k8s.io"; kind: "Group"; name: string }[];
}

export function teamRoleBindings(config: StackConfig): RoleBindingSpec[] {
  return config.rbac.teams
    .filter((team) => team.kubernetes !== "none")
    .map((team) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: {
        name: `port8000-${team.name}-${team.kubernetes}`,
        namespace: config.cluster.namespace,
      },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: team.kubernetes,
      },
      subjects: [
        {
          apiGroup: "rbac.authorization.k8s.io",
          kind: "Group",
          name: `${GROUP_PREFIX}${team.name}`,
        },
      ],
    }));
}
