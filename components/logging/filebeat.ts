import { GENERATED_HEADER, toSortedYaml } from "../../lib/serialize";
import type { LogSource } from "../config/logging";
import type { StackConfig } from "../config/schema";
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

/** Fields Filebeat's processors add to every event (beats docs: add_host_metadata, add_kubernetes_metadata). */
export const PROCESSOR_FIELDS: Readonly<Record<string, readonly string[]>> = {
  add_host_metadata: ["host.name"],
  add_kubernetes_metadata: [
    "kubernetes.namespace",
    "kubernetes.pod.name",
    "kubernetes.container.name",
  ],
};

function input(source: LogSource) {
  const fields = {
    log_kind: source.kind,
    log_source: source.name,
    ...(source.kind === "journald" ? {} : { service: SERVICE }),
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

/** Directories the inputs read, deduplicated: the DaemonSet mounts each from the host. */
export function sourceHostDirs(config: StackConfig): string[] {
  const dirs = config.logging.sources.flatMap((s) =>
    s.paths.map((p) => p.slice(0, p.lastIndexOf("/")) || "/"),
  );
  const journald = config.logging.sources.some((s) => s.kind === "journald");
  const all = [...new Set([...dirs, ...(journald ? JOURNAL_DIRS : [])])].sort();
  // A directory already under another mounted one needs no mount of its own.
  return all.filter((d) => !all.some((other) => other !== d && d.startsWith(`${other}/`)));
}

export function filebeatConfig(config: StackConfig) {
  return {
    name: NODE_NAME,
    "filebeat.inputs": config.logging.sources.map(input),
    processors: [
      { add_host_metadata: { netinfo: { enabled: false } } },
      { add_kubernetes_metadata: { host: NODE_NAME, in_cluster: true } },
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
    "http.host": "127.0.0.1",
    "logging.level": "info",
  };
}

export const filebeatYaml = (config: StackConfig) =>
  toSortedYaml(filebeatConfig(config), GENERATED_HEADER);
