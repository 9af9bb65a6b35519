import { toYaml } from "../../lib/serialize";
import type { StackConfig } from "../config/schema";
import { type NetworkPolicySpec, networkPolicy } from "../hardening/network-policy";
import { PROMETHEUS_PODS } from "../prometheus/pods";
import { STACK_LABELS } from "../prometheus/values";
import { blockSources } from "./bucket";
import {
  GRPC_PORT,
  HTTP_PORT,
  podLabels,
  THANOS_JOB,
  type ThanosRole,
  workloadName,
} from "./names";
import { QUERY_AUTH_SECRET, WEB_CONFIG_KEY } from "./workloads";

/**
 * Who reaches the Thanos pods: Grafana (outside the cluster, grafana.url) reads Query through an
 * Ingress for the host of dashboards.datasources.prometheusUrl, with basic auth that Query itself
 * checks (so no ingress controller's annotations decide whether it is open); Query reaches the
 * Stores; Prometheus scrapes them all. Pure.
 */

/** Grafana's user at Query; the password is generated in the component (a Pulumi secret). */
export const QUERY_USER = "grafana";
export const AUTH_KEYS = { username: "username", password: "password" } as const;

/** Query's web config (Prometheus exporter-toolkit): every HTTP path needs the user. */
export function renderWebConfig(bcryptHash: string): string {
  return toYaml({ basic_auth_users: { [QUERY_USER]: bcryptHash } });
}

export function queryHost(config: StackConfig): string {
  return new URL(config.dashboards.datasources.prometheusUrl).hostname;
}

export function queryIngress(config: StackConfig) {
  const host = queryHost(config);
  const { className, tlsSecretName, annotations } = config.longTermMetrics.ingress;
  return {
    metadata: {
      name: workloadName("query"),
      namespace: config.cluster.namespace,
      labels: podLabels("query"),
      annotations,
    },
    spec: {
      ingressClassName: className,
      tls: [{ hosts: [host], secretName: tlsSecretName }],
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: { service: { name: workloadName("query"), port: { name: "http" } } },
              },
            ],
          },
        },
      ],
    },
  };
}

const PART_OF = { "app.kubernetes.io/part-of": "port8000-monitoring" };

export function thanosPolicySpecs(config: StackConfig): NetworkPolicySpec[] {
  const namespace = config.cluster.namespace;
  const { controller } = config.longTermMetrics.ingress;
  const scrape = { from: [{ pods: PROMETHEUS_PODS }], ports: [HTTP_PORT] };
  const query: NetworkPolicySpec = {
    name: "thanos-query-from-ingress",
    namespace,
    labels: PART_OF,
    pods: podLabels("query"),
    ingress: [
      { from: [{ pods: controller.pods, namespace: controller.namespace }], ports: [HTTP_PORT] },
      scrape,
    ],
  };
  const stores = blockSources(config).map((source) => ({
    name: `${workloadName(source.role)}-from-${source.role === "compact" ? "prometheus" : "query"}`,
    namespace,
    labels: PART_OF,
    pods: podLabels(source.role),
    ingress:
      source.role === "compact"
        ? [scrape]
        : [{ from: [{ pods: podLabels("query") }], ports: [GRPC_PORT] }, scrape],
  }));
  return [query, ...stores];
}

export function thanosNetworkPolicies(config: StackConfig) {
  return thanosPolicySpecs(config).map(networkPolicy);
}

/** Query's metrics need the same credentials as its API; the operator reads them from the Secret. */
export function serviceMonitor(config: StackConfig, role: ThanosRole) {
  const auth =
    role === "query"
      ? {
          basicAuth: {
            username: { name: QUERY_AUTH_SECRET, key: AUTH_KEYS.username },
            password: { name: QUERY_AUTH_SECRET, key: AUTH_KEYS.password },
          },
        }
      : {};
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: {
      name: workloadName(role),
      namespace: config.cluster.namespace,
      labels: { ...STACK_LABELS },
    },
    spec: {
      selector: { matchLabels: podLabels(role) },
      endpoints: [
        {
          port: "http",
          interval: "30s",
          ...auth,
          relabelings: [{ action: "replace", targetLabel: "job", replacement: THANOS_JOB[role] }],
        },
      ],
    },
  };
}

/** The chart's headless Service of the sidecars, which Query discovers them by (SRV). */
export function sidecarDiscoveryValues() {
  return { thanosService: { enabled: true } };
}

export { WEB_CONFIG_KEY };
