import { AlertName } from "./alert-names";

/** Names other tools depend on (docs/architecture.md, Contracts). Change them with the contract. */

export const SERVICE_LABEL = "port8000";
export const PROJECT = "port8000-monitoring";

export const Severity = {
  critical: "critical",
  warning: "warning",
  info: "info",
} as const;
export type Severity = (typeof Severity)[keyof typeof Severity];
export const SEVERITIES: readonly Severity[] = ["critical", "warning", "info"];

/**
 * The node a target runs on (`__meta_kubernetes_pod_node_name` in the cluster, a static label
 * in the local stack). Port 8000 and node exporter targets both carry it, so rules can join a
 * process with the host it runs on.
 */
export const NODE_LABEL = "node";

export const Job = {
  port8000: "port8000",
  node: "node",
  health: "port8000-health",
  /** The blackbox probe of the public HTTPS endpoint (service.publicUrl). */
  publicEndpoint: "port8000-public",
  /** The Prometheus pods' Thanos sidecar (backup uploads). */
  thanosSidecar: "thanos-sidecar",
  prometheus: "prometheus",
  alertmanager: "alertmanager",
  logPipeline: "logstash",
  /** OpenSearch's prometheus-exporter plugin, scraped on every node. */
  opensearch: "opensearch",
  /** json_exporter beside each Filebeat pod: its /stats (output errors, drops). */
  filebeat: "filebeat",
  /** json_exporter reading OpenSearch's snapshot-management and ISM explain APIs. */
  opensearchState: "opensearch-state",
} as const;

export const Receiver = {
  pagerdutyCritical: "pagerduty-critical",
  smsBackup: "sms-backup",
  pagerdutyInfraLead: "pagerduty-infra-lead",
  automation: "automation",
  slackWarning: "slack-warning",
  emailDigest: "email-digest",
  logOnly: "log-only",
  /** The dead-man's switch: Watchdog pings an external heartbeat service; silence pages. */
  heartbeat: "heartbeat",
} as const;
export type Receiver = (typeof Receiver)[keyof typeof Receiver];
export const RECEIVERS: readonly Receiver[] = Object.values(Receiver);

export const Label = {
  severity: "severity",
  service: "service",
  alertname: "alertname",
  bot: "bot",
  status: "status",
  release: "release",
} as const;

export const Annotation = {
  summary: "summary",
  description: "description",
  runbookUrl: "runbook_url",
  dashboardUrl: "dashboard_url",
  logsUrl: "logs_url",
  /** The running release (version, commit, deploy age), read from port8000_build_info. */
  release: "release",
} as const;

/** Where rendered artifacts land, relative to the synth output directory. */
export const ArtifactPath = {
  rules: "prometheus/alerts/port8000-rules.yml",
  prometheus: "prometheus/prometheus.yml",
  alertmanager: "alertmanager/alertmanager.yml",
  dashboards: "grafana/dashboards",
  logging: "logging",
  archiveLifecycle: "archive/s3-lifecycle.json",
  resources: "resources.json",
} as const;

/** Pinned upstream versions; the files under vendor/ are of these. */
export const Chart = {
  kubePrometheusStack: {
    name: "kube-prometheus-stack",
    version: "88.5.3",
    repo: "https://prometheus-community.github.io/helm-charts",
  },
  blackboxExporter: {
    name: "prometheus-blackbox-exporter",
    version: "11.17.2",
    repo: "https://prometheus-community.github.io/helm-charts",
  },
  opensearchOperator: {
    name: "opensearch-operator",
    version: "3.0.4",
    repo: "https://opensearch-project.github.io/opensearch-k8s-operator/",
  },
} as const;

/** Placeholder synth renders instead of a secret's value. */
export const SECRET_PLACEHOLDER = "[secret]";

/** Fixed dashboard uids (guide 1.4), so alert links survive re-imports. */
export const DashboardUid = {
  serviceOverview: "port8000-service-overview",
  botFleet: "port8000-bot-fleet",
  resources: "port8000-resource-utilization",
  dependencies: "port8000-dependencies",
  /** The monitoring pipeline's own health: scrapes, rules, notifications, backups, logs. */
  monitoringPipeline: "port8000-monitoring-pipeline",
} as const;

/** OpenSearch index pattern of the Port 8000 logs (guide 1.2). */
export const LOG_INDEX_PATTERN = "port8000-*";

/** Alerts whose pages the automation service backs with log evidence in #deia-ops (guide 2.1, 2.4). */
export const EvidenceAlert = {
  errors: AlertName.Port8000HighErrorRate,
  clients: AlertName.Port8000ConnectionDrops,
} as const;

/** Names of the policy pack's policies (policy/), as violations and exemptions spell them. */
export const PolicyName = {
  archiveBucketHardened: "archive-bucket-hardened",
  statefulResourcesProtected: "stateful-resources-protected",
  volumeClaimsRetained: "volume-claims-retained",
  noSecretInConfigMap: "no-secret-in-configmap",
  noSecretInHelmValues: "no-secret-in-helm-values",
  noSecretInPlainOutput: "no-secret-in-plain-output",
  noGrafanaFolderGrantToBasicRole: "no-grafana-folder-grant-to-basic-role",
  containersNonRoot: "containers-non-root",
  containersReadOnlyRootFilesystem: "containers-read-only-root-filesystem",
  containersResourceLimits: "containers-resource-limits",
  containerImagesPinnedByDigest: "container-images-pinned-by-digest",
} as const;

/**
 * A pod template annotated `${POLICY_EXEMPTION_PREFIX}<policy>` with the reason is exempt from
 * that policy (policy/containers.ts; only the policies that allow it). The reason is required.
 */
export const POLICY_EXEMPTION_PREFIX = "policy.port8000.io/exempt-";
