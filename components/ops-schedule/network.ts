import type { StackConfig } from "../config/schema";
import { ALERTMANAGER_PODS, PROMETHEUS_PODS } from "../prometheus/pods";
import { OPS_LABELS, OPS_NAME, ROUTINE_LABEL, ROUTINES, type Routine } from "./workload";

/**
 * One NetworkPolicy per checklist: nothing reaches the ops pods, and each reaches only what its
 * routine talks to. Every routine: Prometheus, Alertmanager, DNS and public HTTPS (Slack's
 * webhook; for monthly also S3 and STS, which share those addresses). Daily (the bot registry)
 * and monthly (the load test) also Port 8000's namespace on the Service port; quarterly the
 * Kubernetes API for the access review.
 */

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"];
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
const tcp = (port: number) => ({ protocol: "TCP", port });

const pods = (labels: Record<string, string>) => ({ podSelector: { matchLabels: { ...labels } } });
const namespace = (name: string) => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: name } },
});

function routineEgress(config: StackConfig, routine: Routine) {
  if (routine === "daily" || routine === "monthly")
    // Port 8000's pod labels are not in the config (service.selector labels its Service).
    return [{ to: [namespace(config.service.namespace)], ports: [tcp(config.service.port)] }];
  if (routine === "quarterly")
    // The API server is outside the pod network (EKS: the control plane's ENIs), at an
    // address the config does not know; the policy can only name its ports.
    return [{ ports: [tcp(443), tcp(6443)] }];
  return [];
}

export function opsNetworkPolicy(config: StackConfig, routine: Routine) {
  return {
    apiVersion: "networking.k8s.io/v1" as const,
    kind: "NetworkPolicy" as const,
    metadata: {
      name: `${OPS_NAME}-${routine}-egress`,
      namespace: config.cluster.namespace,
      labels: { ...OPS_LABELS },
    },
    spec: {
      podSelector: { matchLabels: { ...OPS_LABELS, [ROUTINE_LABEL]: routine } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [
        { to: [pods(PROMETHEUS_PODS)], ports: [tcp(9090)] },
        { to: [pods(ALERTMANAGER_PODS)], ports: [tcp(9093)] },
        { to: [namespace("kube-system")], ports: [{ protocol: "UDP", port: 53 }, tcp(53)] },
        // Public HTTPS only: private ranges (the cluster, the VPC, instance metadata) stay closed.
        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE_RANGES } }], ports: [tcp(443)] },
        ...routineEgress(config, routine),
      ],
    },
  };
}

export const opsNetworkPolicies = (config: StackConfig) =>
  ROUTINES.map((routine) => ({ routine, policy: opsNetworkPolicy(config, routine) }));
