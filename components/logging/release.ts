import { LogField, logstashRef as ref } from "../../lib/log-fields";
import { RESTRICTED_CONTAINER } from "../../lib/security-context";
import type { StackConfig } from "../config/schema";
import { RELEASE_NAME } from "../prometheus/values";
import { SERVICE } from "./names";

/**
 * The running Port 8000 release for logs that do not carry one. Container logs get theirs from
 * the pod's app.kubernetes.io/version label; host logs (journal, Nginx, gunicorn, Werkzeug, bot
 * events) have none. A sidecar of Logstash asks Prometheus for port8000_build_info (the same
 * series the alerts' `release` annotation reads) every minute and writes it as a translate
 * dictionary, which the pipeline stamps as `release` on those events.
 */

export const RELEASE_DIR = "/usr/share/logstash/release";
export const RELEASE_FILE = "release.yml";
/** The dictionary's key: the service whose release it holds. */
export const RELEASE_KEY = SERVICE;
export const RELEASE_REFRESH_SECONDS = 60;
/** What `release` says until Prometheus has answered once. */
export const RELEASE_UNKNOWN = "unknown";
export const PROMETHEUS_PORT = 9090;
const QUERY = 'max by (version, commit) (port8000_build_info{job="port8000"})';

export const prometheusUrl = (config: StackConfig) =>
  `http://${RELEASE_NAME}-prometheus.${config.cluster.namespace}.svc:${PROMETHEUS_PORT}`;

/**
 * POSIX sh for curl's image. `once` (the init container) leaves a dictionary before Logstash
 * starts, since translate refuses to start without its file; without an argument it refreshes
 * forever, keeping the last answer when Prometheus fails. The file is replaced atomically.
 */
export const RELEASE_SCRIPT = `set -eu
write() { printf '%s: "%s"\\n' "$RELEASE_KEY" "$1" > "$RELEASE_DIR/.release.tmp" && mv "$RELEASE_DIR/.release.tmp" "$RELEASE_DIR/${RELEASE_FILE}"; }
fetch() {
  answer=$(curl -sS --fail --max-time 10 -G "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$QUERY") || return 1
  version=$(printf '%s' "$answer" | sed -n 's/.*"version":"\\([^"]*\\)".*/\\1/p')
  commit=$(printf '%s' "$answer" | sed -n 's/.*"commit":"\\([^"]*\\)".*/\\1/p')
  [ -n "$version" ] || return 1
  write "$version (commit $commit)"
}
[ -f "$RELEASE_DIR/${RELEASE_FILE}" ] || write "${RELEASE_UNKNOWN}"
fetch || echo "release: Prometheus did not answer; keeping the last release" >&2
[ "\${1:-}" = once ] && exit 0
while sleep "$INTERVAL"; do fetch || echo "release: Prometheus did not answer" >&2; done
`;

export function releaseEnv(config: StackConfig) {
  return [
    { name: "PROMETHEUS_URL", value: prometheusUrl(config) },
    { name: "QUERY", value: QUERY },
    { name: "RELEASE_DIR", value: RELEASE_DIR },
    { name: "RELEASE_KEY", value: RELEASE_KEY },
    { name: "INTERVAL", value: String(RELEASE_REFRESH_SECONDS) },
  ];
}

/** The init container (once) and the sidecar (forever), both on the shared `release` volume. */
export function releaseContainers(config: StackConfig, curlImage: string) {
  const container = (name: string, args: string[]) => ({
    name,
    image: curlImage,
    command: ["sh", "-c", RELEASE_SCRIPT, "release"],
    args,
    env: releaseEnv(config),
    securityContext: RESTRICTED_CONTAINER,
    resources: { requests: { cpu: "5m", memory: "8Mi" }, limits: { cpu: "50m", memory: "32Mi" } },
    volumeMounts: [{ name: "release", mountPath: RELEASE_DIR }],
  });
  return { init: container("release-init", ["once"]), sidecar: container("release", []) };
}

/** The pipeline's part: host events without a release get the current one. */
export function releaseFilter(): string[] {
  return [
    `if !${ref(LogField.release)} and ${ref(LogField.logKind)} != "container" {`,
    "  mutate {",
    `    add_field => { "[@metadata][release_of]" => "${RELEASE_KEY}" }`,
    "  }",
    "  translate {",
    '    source => "[@metadata][release_of]"',
    `    target => "${LogField.release}"`,
    `    dictionary_path => "${RELEASE_DIR}/${RELEASE_FILE}"`,
    `    refresh_interval => ${RELEASE_REFRESH_SECONDS}`,
    `    fallback => "${RELEASE_UNKNOWN}"`,
    "  }",
    "}",
  ];
}
