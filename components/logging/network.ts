import type { StackConfig } from "../config/schema";
import { STATE_EXPORTER } from "../opensearch/state-exporter";
import { PROMETHEUS_PODS } from "../prometheus/pods";
import { EXPORTER_PORT } from "./exporter";
import { FILEBEAT_EXPORTER_PORT } from "./filebeat-exporter";
import { BEATS_PORT, LOGSTASH, OPENSEARCH_CLUSTER, OPENSEARCH_HTTP_PORT } from "./names";
import { PROMETHEUS_PORT } from "./release";
import { FILEBEAT, labelsOf } from "./workloads";

/**
 * NetworkPolicies of the logging namespace: Filebeat → Logstash → OpenSearch and nothing else
 * inbound, plus Prometheus scraping the exporters and the automation service searching logs.
 */

/** The label operator 3.x puts on the cluster's pods (2.x used opster.io/opensearch-cluster). */
const CLUSTER_LABEL_KEY = "opensearch.org/opensearch-cluster";
const CLUSTER_LABEL = { [CLUSTER_LABEL_KEY]: OPENSEARCH_CLUSTER };
const inNamespace = (name: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});
const DNS = {
  to: [inNamespace("kube-system")],
  ports: [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ],
};
const NOT_FILEBEAT = { key: "app.kubernetes.io/name", operator: "NotIn", values: [FILEBEAT] };
const tcp = (port: number) => ({ protocol: "TCP", port });
/**
 * Only Prometheus' pods may reach a json_exporter: its /probe fetches any target it is handed,
 * the state exporter's with the scrape user's basic auth.
 */
const scrapedBy = (config: StackConfig, port: number) => ({
  from: [
    { ...inNamespace(config.cluster.namespace), podSelector: { matchLabels: PROMETHEUS_PODS } },
  ],
  ports: [tcp(port)],
});

export interface NetworkPolicySpec {
  readonly name: string;
  readonly spec: Record<string, unknown>;
}

export function networkPolicies(config: StackConfig): NetworkPolicySpec[] {
  const logstashPods = { podSelector: { matchLabels: labelsOf(LOGSTASH) } };
  return [
    {
      name: `${FILEBEAT}-egress`,
      spec: {
        podSelector: { matchLabels: labelsOf(FILEBEAT) },
        policyTypes: ["Ingress", "Egress"],
        // Prometheus scrapes the json_exporter sidecar; Filebeat's own /stats stays on loopback.
        ingress: [scrapedBy(config, FILEBEAT_EXPORTER_PORT)],
        egress: [
          { to: [logstashPods], ports: [tcp(BEATS_PORT)] },
          DNS,
          // add_kubernetes_metadata reads pods from the API server (any address, 443/6443).
          { ports: [tcp(443), tcp(6443)] },
        ],
      },
    },
    {
      name: `${LOGSTASH}-traffic`,
      spec: {
        podSelector: { matchLabels: labelsOf(LOGSTASH) },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: labelsOf(FILEBEAT) } }],
            ports: [tcp(BEATS_PORT)],
          },
          scrapedBy(config, EXPORTER_PORT),
        ],
        egress: [
          {
            to: [{ podSelector: { matchLabels: CLUSTER_LABEL } }],
            ports: [tcp(OPENSEARCH_HTTP_PORT)],
          },
          DNS,
          // The S3 archive and STS (IRSA) over HTTPS.
          { ports: [tcp(443)] },
          // The release watcher asks Prometheus for the running release.
          { to: [inNamespace(config.cluster.namespace)], ports: [tcp(PROMETHEUS_PORT)] },
        ],
      },
    },
    {
      name: `${STATE_EXPORTER}-traffic`,
      spec: {
        podSelector: { matchLabels: labelsOf(STATE_EXPORTER) },
        policyTypes: ["Ingress", "Egress"],
        ingress: [scrapedBy(config, EXPORTER_PORT)],
        egress: [
          {
            to: [{ podSelector: { matchLabels: CLUSTER_LABEL } }],
            ports: [tcp(OPENSEARCH_HTTP_PORT)],
          },
          DNS,
        ],
      },
    },
    {
      name: `${OPENSEARCH_CLUSTER}-ingress`,
      spec: {
        podSelector: { matchLabels: CLUSTER_LABEL },
        policyTypes: ["Ingress"],
        ingress: [
          { from: [logstashPods], ports: [tcp(OPENSEARCH_HTTP_PORT)] },
          // Nodes, Dashboards, the operator and the policy Jobs of this namespace; transport 9300.
          {
            from: [{ podSelector: { matchExpressions: [NOT_FILEBEAT] } }],
            ports: [tcp(OPENSEARCH_HTTP_PORT), tcp(9300)],
          },
          // The automation service searches log evidence for pages.
          { from: [inNamespace(config.cluster.namespace)], ports: [tcp(OPENSEARCH_HTTP_PORT)] },
        ],
      },
    },
  ];
}
