import { Job, SERVICE_LABEL } from "../../lib/conventions";
import type { StackConfig } from "../config/schema";
import { exporterEndpoint } from "../logging/exporter";
import {
  METRICS_USER,
  OPENSEARCH_CLUSTER,
  OPENSEARCH_METRICS_PATH,
  TlsFile,
} from "../logging/names";
import { Secrets as LoggingSecrets } from "../logging/workloads";
import { ClusterSecrets } from "../opensearch/cluster";
import { NODE_RELABELING, RELEASE_NAME, STACK_LABELS } from "./values";

/** Prometheus Operator custom resources: how Port 8000 is scraped, probed and alerted on. */

export const BLACKBOX_RELEASE = "blackbox";
export const BLACKBOX_MODULE = "http_2xx";
/** The public endpoint's module: HTTPS only, so a downgrade to plain HTTP fails the probe. */
export const PUBLIC_MODULE = "https_2xx";
export const BLACKBOX_PORT = 9115;
/**
 * Port 8000, its /health probe and the log pipeline: one target each, so a 10 s scrape costs
 * little and takes 5 s off every page (docs/benchmarks.md, detection overhead).
 */
export const SCRAPE_INTERVAL = "10s";

interface CustomResource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

function metadata(config: StackConfig, name: string) {
  return { name, namespace: config.cluster.namespace, labels: { ...STACK_LABELS } };
}

export function port8000ServiceMonitor(config: StackConfig): CustomResource {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: metadata(config, SERVICE_LABEL),
    spec: {
      namespaceSelector: { matchNames: [config.service.namespace] },
      selector: { matchLabels: config.service.selector },
      endpoints: [
        {
          port: config.service.portName,
          path: config.service.metricsPath,
          interval: SCRAPE_INTERVAL,
          relabelings: [
            { action: "replace", targetLabel: "job", replacement: Job.port8000 },
            NODE_RELABELING,
          ],
        },
      ],
    },
  };
}

/** The log pipeline's ingest counter (Port8000LogVolumeSpike), scraped as job "logstash". */
export function logstashServiceMonitor(config: StackConfig): CustomResource {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: metadata(config, Job.logPipeline),
    spec: {
      namespaceSelector: { matchNames: [config.logging.namespace] },
      selector: { matchLabels: { "app.kubernetes.io/name": "logstash" } },
      endpoints: [
        {
          ...exporterEndpoint,
          interval: SCRAPE_INTERVAL,
          relabelings: [{ action: "replace", targetLabel: "job", replacement: Job.logPipeline }],
        },
      ],
    },
  };
}

/** The Secret of the scrape user: `username` for Prometheus, `password` for both sides. */
export const OPENSEARCH_METRICS_SECRET = ClusterSecrets.user(METRICS_USER);
/** Cluster health and disk fill change over minutes. */
export const OPENSEARCH_SCRAPE_INTERVAL = "30s";

/**
 * The exporter plugin on every OpenSearch node, as job "opensearch". It lives in the logging
 * namespace: its CA and credentials are Secrets there. The node pools' headless Services list
 * each node once (the cluster Service and the discovery Service would list them again); the
 * certificate names the cluster Service, not the pod addresses scraped, hence serverName.
 */
export function opensearchServiceMonitor(config: StackConfig): CustomResource {
  const namespace = config.logging.namespace;
  const fromSecret = (key: string) => ({ name: OPENSEARCH_METRICS_SECRET, key });
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: Job.opensearch, namespace, labels: { ...STACK_LABELS } },
    spec: {
      namespaceSelector: { matchNames: [namespace] },
      selector: {
        matchLabels: { "opensearch.org/opensearch-cluster": OPENSEARCH_CLUSTER },
        matchExpressions: [{ key: "opensearch.org/opensearch-nodepool", operator: "Exists" }],
      },
      endpoints: [
        {
          port: "http",
          scheme: "https",
          path: OPENSEARCH_METRICS_PATH,
          interval: OPENSEARCH_SCRAPE_INTERVAL,
          tlsConfig: {
            ca: { secret: { name: LoggingSecrets.opensearchCa, key: TlsFile.ca } },
            serverName: `${OPENSEARCH_CLUSTER}.${namespace}.svc`,
          },
          basicAuth: { username: fromSecret("username"), password: fromSecret("password") },
          relabelings: [
            { action: "replace", targetLabel: "job", replacement: Job.opensearch },
            NODE_RELABELING,
          ],
        },
      ],
    },
  };
}

function prober(config: StackConfig) {
  return {
    url: `${BLACKBOX_RELEASE}-prometheus-blackbox-exporter.${config.cluster.namespace}.svc:${BLACKBOX_PORT}`,
    path: "/probe",
  };
}

export function healthProbe(config: StackConfig): CustomResource {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Probe",
    metadata: metadata(config, Job.health),
    spec: {
      jobName: Job.health,
      interval: SCRAPE_INTERVAL,
      module: BLACKBOX_MODULE,
      prober: prober(config),
      targets: {
        staticConfig: { static: [config.service.healthUrl], labels: { service: SERVICE_LABEL } },
      },
    },
  };
}

/** A certificate expires over days: once a minute is plenty, and spares the public edge. */
export const PUBLIC_PROBE_INTERVAL = "60s";

/**
 * The public HTTPS endpoint as users reach it (DNS, ingress, TLS), when service.publicUrl is
 * set: probe_success and probe_ssl_earliest_cert_expiry of job "port8000-public".
 */
export function publicEndpointProbe(config: StackConfig): CustomResource | undefined {
  const url = config.service.publicUrl;
  if (!url) return undefined;
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Probe",
    metadata: metadata(config, Job.publicEndpoint),
    spec: {
      jobName: Job.publicEndpoint,
      interval: PUBLIC_PROBE_INTERVAL,
      module: PUBLIC_MODULE,
      prober: prober(config),
      targets: { staticConfig: { static: [url], labels: { service: SERVICE_LABEL } } },
    },
  };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly object[];
}

export function port8000PrometheusRule(
  config: StackConfig,
  groups: readonly RuleGroup[],
): CustomResource {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: metadata(config, `${SERVICE_LABEL}-rules`),
    spec: { groups },
  };
}

const HTTP_PROBE = {
  valid_http_versions: ["HTTP/1.1", "HTTP/2.0"],
  follow_redirects: true,
  preferred_ip_protocol: "ip4",
};

/** The blackbox exporter's probe modules; same keys as the chart's default module. */
export function blackboxModules() {
  return {
    [BLACKBOX_MODULE]: { prober: "http", timeout: "5s", http: HTTP_PROBE },
    [PUBLIC_MODULE]: {
      prober: "http",
      timeout: "5s",
      http: { ...HTTP_PROBE, fail_if_not_ssl: true },
    },
  };
}

export function blackboxValues(config: StackConfig) {
  return {
    replicas: Math.min(2, config.ha.prometheusReplicas),
    config: { modules: blackboxModules() },
    commonLabels: STACK_LABELS,
  };
}

export { RELEASE_NAME };
