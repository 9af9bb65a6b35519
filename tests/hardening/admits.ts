/**
 * Evaluates NetworkPolicies the way Kubernetes does for ingress: a pod selected by any policy
 * accepts a connection only if some rule of some selecting policy allows its source and port.
 */

type Labels = Record<string, string>;
interface Peer {
  podSelector?: { matchLabels?: Labels };
  namespaceSelector?: { matchLabels?: Labels };
}
export interface Policy {
  metadata: { namespace: string };
  spec: {
    podSelector: { matchLabels?: Labels };
    ingress?: { from?: Peer[]; ports?: { port: number | string }[] }[];
  };
}
export interface Endpoint {
  labels: Labels;
  namespace: string;
}

const matches = (selector: Labels | undefined, labels: Labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

function peerAllows(peer: Peer, source: Endpoint, policyNamespace: string): boolean {
  const namespaceOk = peer.namespaceSelector
    ? matches(peer.namespaceSelector.matchLabels, {
        "kubernetes.io/metadata.name": source.namespace,
      })
    : source.namespace === policyNamespace;
  return namespaceOk && matches(peer.podSelector?.matchLabels, source.labels);
}

export function admits(
  policies: readonly Policy[],
  source: Endpoint,
  target: Endpoint,
  port: number,
): boolean {
  const selecting = policies.filter(
    (p) =>
      p.metadata.namespace === target.namespace &&
      matches(p.spec.podSelector.matchLabels, target.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (p.spec.ingress ?? []).some(
      (rule) =>
        (rule.ports ?? []).some((r) => r.port === port) &&
        (rule.from ?? []).some((peer) => peerAllows(peer, source, p.metadata.namespace)),
    ),
  );
}
