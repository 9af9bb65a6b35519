import type { StackConfig } from "../config/schema";
import { ACCESS_REVIEW_ACCOUNT, OPS_LABELS } from "./workload";

/**
 * The quarterly access review reads who holds which role from the API server: its own service
 * account may list RoleBindings in the stack's namespace and ClusterRoleBindings, nothing else
 * (no get, no watch, no Roles, no Secrets). The other routines keep a service account without
 * any Kubernetes token.
 */

export { ACCESS_REVIEW_ACCOUNT };

const RBAC_GROUP = "rbac.authorization.k8s.io";
const RBAC_API = `${RBAC_GROUP}/v1` as const;

export function accessReviewRbac(config: StackConfig) {
  const namespace = config.cluster.namespace;
  const labels = { ...OPS_LABELS };
  const subjects = [{ kind: "ServiceAccount", name: ACCESS_REVIEW_ACCOUNT, namespace }];
  // Cluster-scoped names carry the namespace: two stacks may share a cluster.
  const clusterName = `${ACCESS_REVIEW_ACCOUNT}-${namespace}`;
  const roleRef = (kind: "Role" | "ClusterRole") => ({
    apiGroup: RBAC_GROUP,
    kind,
    name: kind === "Role" ? ACCESS_REVIEW_ACCOUNT : clusterName,
  });
  const rules = (resource: string) => [
    { apiGroups: [RBAC_GROUP], resources: [resource], verbs: ["list"] },
  ];
  return {
    serviceAccount: {
      apiVersion: "v1" as const,
      kind: "ServiceAccount" as const,
      metadata: { name: ACCESS_REVIEW_ACCOUNT, namespace, labels },
      // The token is mounted into the quarterly pods only (their pod spec asks for it).
      automountServiceAccountToken: false,
    },
    role: {
      apiVersion: RBAC_API,
      kind: "Role" as const,
      metadata: { name: ACCESS_REVIEW_ACCOUNT, namespace, labels },
      rules: rules("rolebindings"),
    },
    roleBinding: {
      apiVersion: RBAC_API,
      kind: "RoleBinding" as const,
      metadata: { name: ACCESS_REVIEW_ACCOUNT, namespace, labels },
      roleRef: roleRef("Role"),
      subjects,
    },
    clusterRole: {
      apiVersion: RBAC_API,
      kind: "ClusterRole" as const,
      metadata: { name: clusterName, labels },
      rules: rules("clusterrolebindings"),
    },
    clusterRoleBinding: {
      apiVersion: RBAC_API,
      kind: "ClusterRoleBinding" as const,
      metadata: { name: clusterName, labels },
      roleRef: roleRef("ClusterRole"),
      subjects,
    },
  };
}
