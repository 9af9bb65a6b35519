import { Job } from "../../lib/conventions";
import type { StackConfig } from "../config/schema";
import { filebeatExporterEndpoint } from "../logging/filebeat-exporter";
import { FILEBEAT, labelsOf } from "../logging/workloads";
import { STATE_EXPORTER, stateTargets } from "../opensearch/state-exporter";
import { NODE_RELABELING, STACK_LABELS } from "./values";

/**
 * PodMonitors of the log pipeline's json_exporters: Filebeat's sidecar on every node (job
 * "filebeat") and the OpenSearch state exporter (job "opensearch-state"), one endpoint per
 * module. Neither has a Service; the monitors live beside the others, in the monitoring
 * namespace, and select pods in the logging namespace.
 */

/** Output errors matter within minutes; snapshot and ISM state change over hours. */
export const FILEBEAT_SCRAPE_INTERVAL = "30s";
export const STATE_SCRAPE_INTERVAL = "60s";

const jobRelabeling = (job: string) => ({
  action: "replace",
  targetLabel: "job",
  replacement: job,
});

function podMonitor(config: StackConfig, name: string, app: string, endpoints: object[]) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name, namespace: config.cluster.namespace, labels: { ...STACK_LABELS } },
    spec: {
      namespaceSelector: { matchNames: [config.logging.namespace] },
      selector: { matchLabels: labelsOf(app) },
      podMetricsEndpoints: endpoints,
    },
  };
}

export function filebeatPodMonitor(config: StackConfig) {
  return podMonitor(config, Job.filebeat, FILEBEAT, [
    {
      ...filebeatExporterEndpoint,
      interval: FILEBEAT_SCRAPE_INTERVAL,
      relabelings: [jobRelabeling(Job.filebeat), NODE_RELABELING],
    },
  ]);
}

/**
 * One endpoint per module: without the `module` label both targets would carry the same labels
 * and Prometheus would keep only one of them.
 */
export function opensearchStatePodMonitor(config: StackConfig) {
  const endpoints = Object.entries(stateTargets(config)).map(([module, target]) => ({
    port: "metrics",
    path: "/probe",
    params: { module: [module], target: [target] },
    interval: STATE_SCRAPE_INTERVAL,
    relabelings: [
      jobRelabeling(Job.opensearchState),
      { action: "replace", sourceLabels: ["__param_module"], targetLabel: "module" },
    ],
  }));
  return podMonitor(config, Job.opensearchState, STATE_EXPORTER, endpoints);
}
