/**
 * Field names of the Port 8000 log documents, the one place they are spelled: what Filebeat
 * stamps, what the Logstash filters parse, rename and fill, what the index template maps and
 * what the alerts' log links, the dashboards' log panel and the evidence poller search
 * (docs/architecture.md). Dotted paths, as OpenSearch and KQL write them; `logstashRef` gives
 * Logstash's `[a][b]` form of the same path.
 */

export const LogField = {
  timestamp: "@timestamp",
  /** When Filebeat read a journal entry (the journald input's event.created, renamed). */
  readAt: "read_at",
  /** Port 8000's own logs (Filebeat input field); the journal's entries carry none. */
  service: "service",
  /** Which filter of the pipeline reads the event (Filebeat input field). */
  logKind: "log_kind",
  logSource: "log_source",
  release: "release",
  message: "message",
  level: "level",
  // Access logs (grok).
  status: "status",
  durationMs: "duration_ms",
  bytes: "bytes",
  ident: "ident",
  referrer: "referrer",
  clientIp: "client.ip",
  userName: "user.name",
  userAgent: "user_agent.original",
  httpMethod: "http.method",
  httpVersion: "http.version",
  urlPath: "url.path",
  urlQuery: "url.query",
  // Bot events (JSON lines).
  event: "event",
  bot: "bot",
  taskId: "task_id",
  clientId: "client_id",
  worker: "worker",
  // Filebeat's processors.
  hostName: "host.name",
  kubernetesNamespace: "kubernetes.namespace",
  kubernetesPod: "kubernetes.pod.name",
  kubernetesContainer: "kubernetes.container.name",
} as const;
export type LogField = (typeof LogField)[keyof typeof LogField];

/** Fields that exist only inside the pipeline: read, then renamed or removed; never indexed. */
export const PipelineField = {
  /** A line's own time; the date filter moves it into @timestamp. */
  lineTime: "timestamp",
  /** gunicorn's request time in microseconds, turned into duration_ms. */
  durationUs: "duration_us",
  /** Nginx's $request_time in seconds, turned into duration_ms. */
  requestTimeS: "request_time_s",
  /** The journald input's read time, renamed to read_at. */
  journalCreated: "event.created",
  /** A container's pod label, copied to release. */
  podVersion: "kubernetes.labels.app_kubernetes_io/version",
  /** Why OpenSearch refused an event; only in the dead-letter archive. */
  deadLetterReason: "dlq_reason",
} as const;

/** Logstash's field reference of a dotted path: `client.ip` → `[client][ip]`. */
export function logstashRef(path: string): string {
  return path
    .split(".")
    .map((part) => `[${part}]`)
    .join("");
}
