import type { Labels } from "./network-policy";

/**
 * Voluntary disruptions (node drains, upgrades) take at most one replica at a time. A single
 * replica gets no budget: `minAvailable: 1` on it would block every drain forever.
 */
export function minAvailable(replicas: number): number | undefined {
  return replicas > 1 ? replicas - 1 : undefined;
}

export function podDisruptionBudget(spec: {
  readonly name: string;
  readonly namespace: string;
  readonly pods: Labels;
  readonly replicas: number;
}) {
  const min = minAvailable(spec.replicas);
  if (min === undefined) return undefined;
  return {
    apiVersion: "policy/v1" as const,
    kind: "PodDisruptionBudget" as const,
    metadata: { name: spec.name, namespace: spec.namespace, labels: { ...spec.pods } },
    spec: { minAvailable: min, selector: { matchLabels: { ...spec.pods } } },
  };
}

/** kube-prometheus-stack's `prometheus.podDisruptionBudget` / `alertmanager.podDisruptionBudget`. */
export function chartDisruptionBudget(replicas: number) {
  const min = minAvailable(replicas);
  return min === undefined ? { enabled: false } : { enabled: true, minAvailable: min };
}

/** An opensearch.org/v1 node pool's `pdb` (vendored CRD: enable, minAvailable, maxUnavailable). */
export function nodePoolDisruptionBudget(replicas: number) {
  const min = minAvailable(replicas);
  return min === undefined ? { enable: false } : { enable: true, minAvailable: min };
}
