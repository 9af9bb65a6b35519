import { LogField } from "../../lib/log-fields";
import { GENERATED_HEADER, toSortedYaml } from "../../lib/serialize";
import type { LogSource } from "../config/logging";
import type { StackConfig } from "../config/schema";
import { FILEBEAT_STATS_PORT } from "./filebeat-exporter";
import { BEATS_PORT, FILEBEAT_CERTS, logstashHost, SERVICE, TlsFile } from "./names";

/**
 * filebeat.yml: one input per configured source, each stamped with `log_kind` (which filter of
 * the pipeline reads it) and, for Port 8000's own logs, `service`; shipped to Logstash over
 * mutual TLS. The journald input runs the image's journalctl (filebeat-oss ships it).
 */

/** Filebeat expands ${VAR} from the pod environment. */
const NODE_NAME = `\${NODE_NAME}`;

export const FILEBEAT_DATA = "/usr/share/filebeat/data";
/** Host directories the DaemonSet mounts read-only, so the inputs' paths resolve in the pod. */
export const JOURNAL_DIRS = ["/var/log/journal", "/run/log/journal"] as const;

/**
 * Container logs, where the kubelet keeps them: /var/log/containers/<pod>_<namespace>_<container>-<id>.log
 * are links into /var/log/pods, so both are mounted.
 */
export const CONTAINER_LOG_DIRS = ["/var/log/containers", "/var/log/pods"] as const;

/**
 * Fields Filebeat's processors add (beats docs). add_fields sets host.name to the node's name,
 * which is what the host alerts' `node` label holds; add_host_metadata would name the pod.
 * add_kubernetes_metadata fills kubernetes.* only for container logs (it matches their path).
 */
export const PROCESSOR_FIELDS: Readonly<Record<string, readonly string[]>> = {
  add_fields: [LogField.hostName],
  add_kubernetes_metadata: [
    LogField.kubernetesNamespace,
    LogField.kubernetesPod,
    LogField.kubernetesContainer,
  ],
};
/** add_fields writes `name` under `host`: host.name. */
const [HOST_TARGET, HOST_KEY] = LogField.hostName.split(".");

function input(source: LogSource) {
  const fields = {
    [LogField.logKind]: source.kind,
    [LogField.logSource]: source.name,
    ...(source.kind === "journald" ? {} : { [LogField.service]: SERVICE }),
  };
  const common = { id: source.name, fields, fields_under_root: true };
  // First start (no cursor yet): from now on, not the node's whole journal.
  if (source.kind === "journald")
    return { type: "journald", ...common, seek: "cursor", cursor_seek_fallback: "tail" };
  return {
    type: "filestream",
    ...common,
    paths: source.paths,
    prospector: { scanner: { check_interval: "10s" } },
  };
}

/** The monitoring namespace's pods (Prometheus, Alertmanager, the automation service). */
function monitoringPodsInput(config: StackConfig) {
  return {
    type: "filestream",
    id: "monitoring-pods",
    fields: { [LogField.logKind]: "container", [LogField.logSource]: "monitoring-pods" },
    fields_under_root: true,
    paths: [`${CONTAINER_LOG_DIRS[0]}/*_${config.cluster.namespace}_*.log`],
    parsers: [{ container: {} }],
    prospector: { scanner: { check_interval: "10s", symlinks: true } },
  };
}

/** Directories the inputs read, deduplicated: the DaemonSet mounts each from the host. */
export function sourceHostDirs(config: StackConfig): string[] {
  const dirs = config.logging.sources.flatMap((s) =>
    s.paths.map((p) => p.slice(0, p.lastIndexOf("/")) || "/"),
  );
  const journald = config.logging.sources.some((s) => s.kind === "journald");
  const all = [
    ...new Set([...dirs, ...CONTAINER_LOG_DIRS, ...(journald ? JOURNAL_DIRS : [])]),
  ].sort();
  // A directory already under another mounted one needs no mount of its own.
  return all.filter((d) => !all.some((other) => other !== d && d.startsWith(`${other}/`)));
}

export function filebeatConfig(config: StackConfig) {
  return {
    name: NODE_NAME,
    "filebeat.inputs": [...config.logging.sources.map(input), monitoringPodsInput(config)],
    processors: [
      { add_fields: { target: HOST_TARGET, fields: { [HOST_KEY]: NODE_NAME } } },
      {
        add_kubernetes_metadata: {
          host: NODE_NAME,
          in_cluster: true,
          // Filebeat's default matcher reads /var/lib/docker/containers/ only; this one cuts the
          // container ID out of the kubelet's /var/log/containers/<pod>_<ns>_<container>-<id>.log.
          matchers: [{ logs_path: { logs_path: `${CONTAINER_LOG_DIRS[0]}/` } }],
        },
      },
    ],
    "output.logstash": {
      hosts: [`${logstashHost(config)}:${BEATS_PORT}`],
      loadbalance: true,
      "ssl.certificate_authorities": [`${FILEBEAT_CERTS}/${TlsFile.ca}`],
      "ssl.certificate": `${FILEBEAT_CERTS}/${TlsFile.cert}`,
      "ssl.key": `${FILEBEAT_CERTS}/${TlsFile.key}`,
      "ssl.verification_mode": "full",
    },
    "path.data": FILEBEAT_DATA,
    "http.enabled": true,
    // Only the json_exporter sidecar in the same pod reads /stats.
    "http.host": "127.0.0.1",
    "http.port": FILEBEAT_STATS_PORT,
    "logging.level": "info",
  };
}

export const filebeatYaml = (config: StackConfig) =>
  toSortedYaml(filebeatConfig(config), GENERATED_HEADER);
