import { LOG_INDEX_PATTERN } from "../../lib/conventions";
import { toSortedYaml } from "../../lib/serialize";
import type { StackConfig } from "../config/schema";
import {
  EXPORTER_PORT,
  METRICS_USER,
  opensearchUrl,
  SNAPSHOT_POLICY,
  TlsFile,
} from "../logging/names";
import { ConfigMaps, jsonExporterContainer, labelsOf, Secrets } from "../logging/workloads";
import { ClusterSecrets } from "./cluster";
import { snapshotsReadOnly } from "./documents";

/**
 * The prometheus-exporter plugin reports cluster health, node and index stats, but neither the
 * snapshot-management policy's runs nor ISM's per-index state. A json_exporter Deployment reads
 * both from the index-management plugin's explain APIs as Prometheus' scrape user (read-only
 * role port8000.pipeline-state-reader, components/opensearch/access.ts):
 * - `GET _plugins/_sm/policies/<policy>/_explain`: `policies[].creation|deletion.latest_execution.status`
 *   (IN_PROGRESS, SUCCESS, RETRYING, FAILED, TIME_LIMIT_EXCEEDED);
 * - `POST _plugins/_ism/explain/<pattern>` with `{"filter":{"failed":true}}`: the managed indices
 *   ISM stopped on, keyed by index name. The plugin (2.19) sets `action.failed` only once a step
 *   used up its retries (between retries it stays false, so the filter drops the index), and
 *   `retry_info.failed` only on a policy-level failure (version conflict, missing state or
 *   action); either one disables the index's job.
 */

export const STATE_EXPORTER = "opensearch-state-exporter";
export const StateModule = { snapshots: "opensearch-snapshots", ism: "opensearch-ism" } as const;
const USER_DIR = "/etc/opensearch-user";
const CA_DIR = "/etc/opensearch-ca";
const ISM_FAILED_FILTER = JSON.stringify({ filter: { failed: true } });

/** The index-management plugin's SMMetadata.LatestExecution.Status values that mean "did not happen". */
export const SNAPSHOT_FAILED_STATUSES = ["FAILED", "TIME_LIMIT_EXCEEDED"] as const;

export const StateMetric = {
  snapshotCreation: "opensearch_snapshot_creation_latest_execution",
  snapshotDeletion: "opensearch_snapshot_deletion_latest_execution",
  snapshotPolicyEnabled: "opensearch_snapshot_policy_enabled",
  ismPolicyFailed: "opensearch_ism_index_policy_failed",
  ismActionFailed: "opensearch_ism_index_action_failed",
} as const;

/** Where the exporter's probes go, per module; dr schedules no snapshots (read-only repository). */
export function stateTargets(config: StackConfig): Record<string, string> {
  const base = opensearchUrl(config);
  return {
    ...(snapshotsReadOnly(config)
      ? {}
      : { [StateModule.snapshots]: `${base}/_plugins/_sm/policies/${SNAPSHOT_POLICY}/_explain` }),
    [StateModule.ism]: `${base}/_plugins/_ism/explain/${LOG_INDEX_PATTERN}`,
  };
}

function httpClient() {
  return {
    basic_auth: { username: METRICS_USER, password_file: `${USER_DIR}/password` },
    tls_config: { ca_file: `${CA_DIR}/${TlsFile.ca}` },
  };
}

/** One latest-execution series per policy and workflow; the status is a label (1 = current). */
function snapshotWorkflow(workflow: "creation" | "deletion", help: string) {
  return {
    name: `opensearch_snapshot_${workflow}`,
    type: "object",
    help,
    path: "{.policies[*]}",
    labels: { policy: "{.name}", status: `{.${workflow}.latest_execution.status}` },
    values: { latest_execution: "1" },
    valuetype: "gauge",
  };
}

function snapshotModule() {
  return {
    http_client_config: httpClient(),
    metrics: [
      snapshotWorkflow("creation", "The latest snapshot creation of the policy, by status."),
      snapshotWorkflow("deletion", "The latest snapshot deletion of the policy, by status."),
      {
        name: "opensearch_snapshot_policy",
        type: "object",
        help: "1 while the snapshot-management policy is enabled.",
        path: "{.policies[*]}",
        labels: { policy: "{.name}" },
        values: { enabled: "{.enabled}" },
        valuetype: "gauge",
      },
    ],
  };
}

/**
 * Every value of the explain map: `{.*}` also yields total_managed_indices (a number) and the
 * settings-only object of an index without metadata yet, for which json_exporter logs an
 * extraction error and emits nothing. No path can select only the index objects: json_exporter
 * 0.7.0's JSONPath (client-go 0.31 util/jsonpath) filters (`[?(@.index)]`) only arrays; on this
 * map `{.*[?(@.index)]}` and `{[?(@.index)]}` fail the whole extraction (no series at all, tried
 * with the real binary), and the keys are index names, not known in advance.
 */
function ismModule() {
  return {
    http_client_config: httpClient(),
    headers: { "Content-Type": "application/json" },
    body: { content: ISM_FAILED_FILTER },
    metrics: [
      {
        name: "opensearch_ism_index",
        type: "object",
        help: "A managed index ISM stopped on: action_failed 1 when its step used up its retries, policy_failed 1 on a policy-level failure (version conflict, missing state or action).",
        path: "{.*}",
        labels: {
          index: "{.index}",
          policy_id: "{.policy_id}",
          state: "{.state.name}",
          action: "{.action.name}",
        },
        values: { policy_failed: "{.retry_info.failed}", action_failed: "{.action.failed}" },
        valuetype: "gauge",
      },
    ],
  };
}

export function stateExporterConfig(config: StackConfig) {
  return {
    modules: {
      ...(snapshotsReadOnly(config) ? {} : { [StateModule.snapshots]: snapshotModule() }),
      [StateModule.ism]: ismModule(),
    },
  };
}

export const stateExporterYaml = (config: StackConfig) => toSortedYaml(stateExporterConfig(config));

/** One replica: a second would only double the API calls; a restart loses nothing. */
export function stateExporterPodSpec(image: string) {
  return {
    automountServiceAccountToken: false,
    // fsGroup makes the mounted password file readable by the exporter's uid, and no one else.
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      fsGroup: 65534,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [
      {
        ...jsonExporterContainer(image, EXPORTER_PORT, "config"),
        volumeMounts: [
          { name: "config", mountPath: "/etc/json-exporter", readOnly: true },
          { name: "user", mountPath: USER_DIR, readOnly: true },
          { name: "ca", mountPath: CA_DIR, readOnly: true },
        ],
      },
    ],
    volumes: [
      {
        name: "config",
        configMap: {
          name: ConfigMaps.opensearchState,
          items: [{ key: "config.yml", path: "config.yml" }],
        },
      },
      {
        name: "user",
        secret: {
          secretName: ClusterSecrets.user(METRICS_USER),
          items: [{ key: "password", path: "password" }],
          defaultMode: 0o440,
        },
      },
      {
        name: "ca",
        secret: {
          secretName: Secrets.opensearchCa,
          items: [{ key: TlsFile.ca, path: TlsFile.ca }],
        },
      },
    ],
  };
}

export const stateExporterLabels = () => labelsOf(STATE_EXPORTER);
