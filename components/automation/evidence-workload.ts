import { EvidenceAlert, LOG_INDEX_PATTERN } from "../../lib/conventions";
import { RESTRICTED_CONTAINER } from "../../lib/security-context";
import type { StackConfig } from "../config/schema";
import { opensearchUrl, PipelineUser } from "../logging/names";
import { RELEASE_NAME } from "../prometheus/values";
import { CLIENT_BUNDLE, CODE_DIR, LABELS } from "./workload";

/**
 * Pure pieces of the evidence poller (evidence.ts, pollFromEnv): one pod that asks Alertmanager
 * which evidence alerts fire, so the routing contract needs no route for them and the
 * service's replicas post nothing twice.
 */

export const EVIDENCE_DIR = "/var/run/evidence";
export const EVIDENCE_SECRET = "port8000-automation-evidence";
export const EvidenceKey = {
  password: "opensearch-password",
  ca: "opensearch-ca.crt",
  slack: "slack-webhook",
} as const;

/** Its own name: neither the service's Deployment selector nor its Service picks these pods. */
export const POLLER_LABELS = {
  ...LABELS,
  "app.kubernetes.io/name": "port8000-evidence-poller",
};
export const POLLER_NAME = POLLER_LABELS["app.kubernetes.io/name"];

/** kube-prometheus-stack's Service `<fullname>-alertmanager` on `alertmanager.service.port`. */
export const ALERTMANAGER_PORT = 9093;
export function alertmanagerUrl(config: StackConfig): string {
  return `http://${RELEASE_NAME}-alertmanager.${config.cluster.namespace}.svc:${ALERTMANAGER_PORT}`;
}

export const POLLER_ENTRY = `import("${CODE_DIR}/evidence.ts").then((e) => e.pollFromEnv()).catch((e) => { console.error(e); process.exit(1); })`;

/** Where to poll and search, as whom, where to post. */
export function evidenceEnv(config: StackConfig) {
  const { maxSamples, timeoutMs, window, pollSeconds } = config.logging.evidence;
  const file = (key: string) => `${EVIDENCE_DIR}/${key}`;
  return [
    { name: "ALERTMANAGER_URL", value: alertmanagerUrl(config) },
    { name: "EVIDENCE_POLL_INTERVAL_MS", value: String(pollSeconds * 1000) },
    { name: "OPENSEARCH_URL", value: opensearchUrl(config) },
    { name: "OPENSEARCH_INDEX", value: LOG_INDEX_PATTERN },
    { name: "OPENSEARCH_USER", value: PipelineUser.evidence },
    { name: "OPENSEARCH_PASSWORD_FILE", value: file(EvidenceKey.password) },
    { name: "OPENSEARCH_CA_FILE", value: file(EvidenceKey.ca) },
    { name: "OPENSEARCH_CLIENT_MODULE", value: `${CODE_DIR}/${CLIENT_BUNDLE}` },
    { name: "SLACK_WEBHOOK_FILE", value: file(EvidenceKey.slack) },
    { name: "EVIDENCE_ERRORS_ALERT", value: EvidenceAlert.errors },
    { name: "EVIDENCE_CLIENTS_ALERT", value: EvidenceAlert.clients },
    { name: "EVIDENCE_MAX_SAMPLES", value: String(maxSamples) },
    { name: "EVIDENCE_TIMEOUT_MS", value: String(timeoutMs) },
    { name: "EVIDENCE_WINDOW", value: window },
  ];
}

export function evidencePollerContainer(config: StackConfig) {
  return {
    name: "evidence-poller",
    image: config.alerting.automation.image,
    command: ["node", "-e", POLLER_ENTRY],
    env: evidenceEnv(config),
    volumeMounts: [
      { name: "code", mountPath: CODE_DIR, readOnly: true },
      { name: "evidence", mountPath: EVIDENCE_DIR, readOnly: true },
    ],
    resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
    securityContext: RESTRICTED_CONTAINER,
  };
}
