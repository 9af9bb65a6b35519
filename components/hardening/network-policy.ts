/**
 * NetworkPolicy manifests as data: "these pods accept traffic only from those pods on these
 * ports". Selecting pods with an Ingress policy denies them every other connection; traffic
 * from the pod's own node (kubelet probes) stays allowed, as Kubernetes documents. Pods on the
 * host network (node exporter) are not subject to NetworkPolicies at all.
 */

export type Labels = Readonly<Record<string, string>>;

export interface Peer {
  /** Labels of the pods allowed in. */
  readonly pods: Labels;
  /** Their namespace, when it is not the protected pods' own. */
  readonly namespace?: string;
}

export interface IngressRule {
  readonly from: readonly Peer[];
  /** Container ports (numbers, or port names of the protected pods). */
  readonly ports: readonly (number | string)[];
}

export interface EgressRule {
  readonly to: readonly Peer[];
  readonly ports: readonly (number | string)[];
}

export interface NetworkPolicySpec {
  readonly name: string;
  readonly namespace: string;
  readonly labels?: Labels;
  /** The pods protected. */
  readonly pods: Labels;
  readonly ingress: readonly IngressRule[];
  /** When given, the pods may only open these connections (plus DNS). */
  readonly egress?: readonly EgressRule[];
}

const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

function peer({ pods, namespace }: Peer) {
  return {
    podSelector: { matchLabels: { ...pods } },
    ...(namespace
      ? { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } } }
      : {}),
  };
}

function ports(list: readonly (number | string)[]) {
  return list.map((port) => ({ protocol: "TCP", port }));
}

/** Name resolution through the cluster DNS, which every pod with an egress policy needs. */
function dnsEgress() {
  return {
    to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } } }],
    ports: [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ],
  };
}

export function networkPolicy(spec: NetworkPolicySpec) {
  if (spec.ingress.some((rule) => rule.from.length === 0 || rule.ports.length === 0))
    throw new Error(`network policy ${spec.name}: every rule names its peers and ports`);
  const egress = spec.egress?.map((rule) => ({ to: rule.to.map(peer), ports: ports(rule.ports) }));
  return {
    apiVersion: "networking.k8s.io/v1" as const,
    kind: "NetworkPolicy" as const,
    metadata: { name: spec.name, namespace: spec.namespace, labels: { ...spec.labels } },
    spec: {
      podSelector: { matchLabels: { ...spec.pods } },
      policyTypes: egress ? ["Ingress", "Egress"] : ["Ingress"],
      ingress: spec.ingress.map((rule) => ({
        from: rule.from.map(peer),
        ports: ports(rule.ports),
      })),
      ...(egress ? { egress: [...egress, dnsEgress()] } : {}),
    },
  };
}

export type NetworkPolicyManifest = ReturnType<typeof networkPolicy>;
