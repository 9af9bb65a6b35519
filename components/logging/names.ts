import { ArtifactPath, LOG_INDEX_PATTERN, SERVICE_LABEL } from "../../lib/conventions";
import type { StackConfig } from "../config/schema";

/** Names the pipeline's parts share: services, ports, mount paths, artifact files. */

export const LOG_INDEX_PREFIX = LOG_INDEX_PATTERN.replace(/-\*$/, "");
/** Daily indices; the ISM policy ages them hot → warm → delete. */
export const LOG_INDEX_NAME = `${LOG_INDEX_PREFIX}-%{+YYYY.MM.dd}`;

/** The Dashboards tenant every team reads: the index pattern is saved there, log links open it. */
export const LOG_TENANT = "global";

export const OPENSEARCH_CLUSTER = "port8000-logs";
export const OPENSEARCH_HTTP_PORT = 9200;
/**
 * The prometheus-exporter plugin, released per OpenSearch version as `<version>.0`; it installs
 * only into that exact version. It serves cluster health and this node's stats
 * (`prometheus.nodes.filter` defaults to `_local`) at OPENSEARCH_METRICS_PATH. The project moved
 * from Aiven-Open to opensearch-project; its tag 2.19.2.0 (2025-08-04) names this asset in its
 * README, and the old address only redirects.
 */
export const prometheusExporterPluginUrl = (version: string) =>
  `https://github.com/opensearch-project/opensearch-prometheus-exporter/releases/download/${version}.0/prometheus-exporter-${version}.0.zip`;
export const OPENSEARCH_METRICS_PATH = "/_prometheus/metrics";
export const opensearchUrl = (config: StackConfig) =>
  `https://${OPENSEARCH_CLUSTER}.${config.logging.namespace}.svc:${OPENSEARCH_HTTP_PORT}`;

export const LOGSTASH = "logstash";
export const BEATS_PORT = 5044;
export const LOGSTASH_API_PORT = 9600;
export const EXPORTER_PORT = 7979;
export const logstashHost = (config: StackConfig) => `${LOGSTASH}.${config.logging.namespace}.svc`;

/** Node attribute the hot and warm pools carry; the ISM allocation action requires it. */
export const TIER_ATTRIBUTE = "temp";
export const Tier = { hot: "hot", warm: "warm" } as const;

export const ISM_POLICY_ID = `${LOG_INDEX_PREFIX}-logs-lifecycle`;
export const SNAPSHOT_REPOSITORY = `${LOG_INDEX_PREFIX}-archive`;
export const SNAPSHOT_POLICY = `${LOG_INDEX_PREFIX}-daily-snapshots`;
/** Where the raw-event copy and the snapshots live in the archive bucket. */
export const ArchivePrefix = {
  events: "logs/",
  deadLetter: "logs/dead-letter/",
  snapshots: "snapshots/",
} as const;

/** Users the programs log in as (OpenSearch internal users, passwords as Pulumi secrets). */
export const PipelineUser = {
  logstash: "logstash-writer",
  evidence: "automation-evidence",
} as const;

/** The user Prometheus scrapes the exporter plugin as: cluster and index monitoring only. */
export const METRICS_USER = "prometheus-metrics";

export const LogstashPath = {
  settings: "/usr/share/logstash/config",
  pipeline: "/usr/share/logstash/pipeline",
  data: "/usr/share/logstash/data",
  certs: "/usr/share/logstash/certs",
} as const;
export const FILEBEAT_CERTS = "/usr/share/filebeat/certs";
export const TlsFile = { ca: "ca.crt", cert: "tls.crt", key: "tls.key" } as const;
/** Pod annotation: the hash of the certificates a pod reads at start, so a renewal rolls it. */
export const TLS_CHECKSUM_ANNOTATION = "port8000/tls-sha256";

export const LoggingArtifact = {
  filebeat: `${ArtifactPath.logging}/filebeat.yml`,
  logstashSettings: `${ArtifactPath.logging}/logstash/logstash.yml`,
  logstashPipelines: `${ArtifactPath.logging}/logstash/pipelines.yml`,
  logstashPipeline: `${ArtifactPath.logging}/logstash/port8000.conf`,
  logstashDeadLetter: `${ArtifactPath.logging}/logstash/dead-letter.conf`,
  logstashExporter: `${ArtifactPath.logging}/logstash/json-exporter.yml`,
  filebeatExporter: `${ArtifactPath.logging}/filebeat-json-exporter.yml`,
  opensearchStateExporter: `${ArtifactPath.logging}/opensearch/state-exporter.yml`,
  indexTemplate: `${ArtifactPath.logging}/opensearch/index-template.json`,
  ismPolicy: `${ArtifactPath.logging}/opensearch/ism-policy.json`,
  snapshotPolicy: `${ArtifactPath.logging}/opensearch/snapshot-policy.json`,
  roles: `${ArtifactPath.logging}/opensearch/roles.json`,
  roleMappings: `${ArtifactPath.logging}/opensearch/role-mappings.json`,
  securityConfig: `${ArtifactPath.logging}/opensearch/security-config.yml`,
} as const;

export const SERVICE = SERVICE_LABEL;
