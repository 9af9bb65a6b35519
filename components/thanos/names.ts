import type { StackConfig } from "../config/schema";
import { PROMETHEUS_PODS } from "../prometheus/pods";
import { RELEASE_NAME } from "../prometheus/values";

/** Names, labels and ports of the Thanos workloads; what policies, monitors and tests select. */

export const HTTP_PORT = 10902;
export const GRPC_PORT = 10901;
/** The label the Prometheus operator gives each replica of the HA pair (external label). */
export const REPLICA_LABEL = "prometheus_replica";
/** The chart's headless Service of the sidecars (`prometheus.thanosService`). */
export const SIDECAR_SERVICE = `${RELEASE_NAME}-thanos-discovery`;
export { PROMETHEUS_PODS as SIDECAR_PODS };

export type ThanosRole = "query" | "store" | "store-history" | "compact";

export const THANOS_JOB: Readonly<Record<ThanosRole, string>> = {
  query: "thanos-query",
  store: "thanos-store",
  "store-history": "thanos-store",
  compact: "thanos-compact",
};

export function podLabels(role: ThanosRole): Record<string, string> {
  return {
    "app.kubernetes.io/name": `thanos-${role}`,
    "app.kubernetes.io/part-of": "port8000-monitoring",
  };
}

/** Workload, Service and ServiceAccount name of a role. */
export const workloadName = (role: ThanosRole) => `thanos-${role}`;

export function inClusterHost(config: StackConfig, role: ThanosRole): string {
  return `${workloadName(role)}.${config.cluster.namespace}.svc.cluster.local`;
}

export function roleName(config: StackConfig, role: ThanosRole): string {
  return `port8000-${config.deployment.environment}-${workloadName(role)}`;
}
