import { LABELS as AUTOMATION_PODS } from "../automation/workload";
import type { StackConfig } from "../config/schema";
import { ALERTMANAGER_PODS, EXPORTERS, PROMETHEUS_PODS } from "../prometheus/pods";
import { type Labels, type NetworkPolicySpec, networkPolicy } from "./network-policy";

/** Who may talk to what in the monitoring namespace (the log pipeline has its own, below). */

const PART_OF = { "app.kubernetes.io/part-of": "port8000-monitoring" };

/** Only Prometheus scrapes the exporters. */
export function exporterPolicies(namespace: string): NetworkPolicySpec[] {
  return EXPORTERS.map((exporter) => ({
    name: `${exporter.role}-from-prometheus`,
    namespace,
    labels: PART_OF,
    pods: exporter.pods,
    ingress: [{ from: [{ pods: PROMETHEUS_PODS }], ports: [exporter.port] }],
  }));
}

/**
 * Only Alertmanager reaches the automation webhooks, and the public ingress controller when the
 * stack publishes PagerDuty's path (its Ingress routes that one path; layer 4 cannot tell
 * paths apart). Prometheus reaches a `metrics` port when the service declares one (it shares
 * none with the webhooks, so the split holds at layer 4).
 */
export function automationPolicy(
  namespace: string,
  webhookPort: number,
  metricsPort?: number,
  ingressController?: { readonly namespace: string; readonly pods: Labels },
): NetworkPolicySpec {
  const controller = ingressController
    ? [{ pods: ingressController.pods, namespace: ingressController.namespace }]
    : [];
  return {
    name: "automation-from-alertmanager",
    namespace,
    labels: PART_OF,
    pods: AUTOMATION_PODS,
    ingress: [
      { from: [{ pods: ALERTMANAGER_PODS }, ...controller], ports: [webhookPort] },
      ...(metricsPort ? [{ from: [{ pods: PROMETHEUS_PODS }], ports: [metricsPort] }] : []),
    ],
  };
}

export function monitoringNetworkPolicies(config: StackConfig) {
  const namespace = config.cluster.namespace;
  const { url, port, publicIngress } = config.alerting.automation;
  const automation = url
    ? []
    : [automationPolicy(namespace, port, undefined, publicIngress?.controller)];
  return [...exporterPolicies(namespace), ...automation].map(networkPolicy);
}

export interface LogPipelinePods {
  readonly namespace: string;
  /** Where Prometheus runs (config.cluster.namespace), which scrapes Logstash. */
  readonly prometheusNamespace: string;
  readonly filebeat: Labels;
  readonly logstash: {
    readonly pods: Labels;
    readonly beatsPort: number;
    readonly metricsPort: number;
  };
  readonly opensearch: {
    readonly pods: Labels;
    readonly httpPort: number;
    readonly transportPort: number;
  };
  /** Other clients of the OpenSearch REST port (Dashboards, the operator, the automation service). */
  readonly opensearchClients?: readonly Labels[];
}

/**
 * Filebeat → Logstash → OpenSearch only: Logstash accepts beats from Filebeat and scrapes from
 * Prometheus; OpenSearch accepts REST from Logstash (and the named clients) and transport from
 * its own nodes. For the log pipeline component to declare with NetworkPolicies.
 */
export function logPipelinePolicies(pods: LogPipelinePods): NetworkPolicySpec[] {
  const { namespace, logstash, opensearch } = pods;
  return [
    {
      name: "logstash-from-filebeat",
      namespace,
      labels: PART_OF,
      pods: logstash.pods,
      ingress: [
        { from: [{ pods: pods.filebeat }], ports: [logstash.beatsPort] },
        {
          from: [{ pods: PROMETHEUS_PODS, namespace: pods.prometheusNamespace }],
          ports: [logstash.metricsPort],
        },
      ],
    },
    {
      name: "opensearch-from-logstash",
      namespace,
      labels: PART_OF,
      pods: opensearch.pods,
      ingress: [
        {
          from: [logstash.pods, ...(pods.opensearchClients ?? [])].map((p) => ({ pods: p })),
          ports: [opensearch.httpPort],
        },
        { from: [{ pods: opensearch.pods }], ports: [opensearch.transportPort] },
      ],
    },
  ];
}
