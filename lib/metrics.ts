/**
 * Every series the rules, dashboards and the local simulator agree on (guide 1.1, 2.x, 4.x).
 * Port 8000 exposes the app series on :8000/metrics (job "port8000"); node exporter the host
 * ones (job "node"); the blackbox exporter probe_success (job "port8000-health"); Logstash the
 * log pipeline volume (job "logstash").
 */

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricSpec {
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
}

export const APP_METRICS = {
  http_requests_total: {
    type: "counter",
    help: "HTTP requests by status code",
    labels: ["method", "handler", "status"],
  },
  http_request_duration_seconds: {
    type: "histogram",
    help: "UI and API request latency",
    labels: ["handler"],
  },
  bot_dispatch_latency_seconds: {
    type: "histogram",
    help: "Time to hand a task to a bot",
    labels: [],
  },
  task_queue_depth: { type: "gauge", help: "Outstanding tasks in the orchestrator", labels: [] },
  bot_active: { type: "gauge", help: "1 while the bot is registered and running", labels: ["bot"] },
  bot_restarts_total: {
    type: "counter",
    help: "Restarts seen by bot_health_monitor",
    labels: ["bot"],
  },
  bot_cpu_percent: {
    type: "gauge",
    help: "CPU use of one bot, percent of a core",
    labels: ["bot"],
  },
  bot_memory_mb: { type: "gauge", help: "Resident memory of one bot", labels: ["bot"] },
  bot_memory_limit_mb: { type: "gauge", help: "Memory limit of one bot", labels: ["bot"] },
  bot_circuit_breaker_state: {
    type: "gauge",
    help: "0 closed, 1 half-open, 2 open",
    labels: ["bot"],
  },
  process_open_fds: { type: "gauge", help: "Open file descriptors", labels: [] },
  process_max_fds: { type: "gauge", help: "File descriptor limit", labels: [] },
  process_resident_memory_bytes: {
    type: "gauge",
    help: "Resident memory of the controller",
    labels: [],
  },
  process_start_time_seconds: {
    type: "gauge",
    help: "Start time, seconds since epoch",
    labels: [],
  },
  process_uptime_seconds: {
    type: "gauge",
    help: "Seconds since the controller started",
    labels: [],
  },
  ollama_latency_ms: { type: "gauge", help: "Latency of the Ollama dependency", labels: [] },
  db_connection_pool_in_use: { type: "gauge", help: "Database connections in use", labels: [] },
  db_connection_pool_size: { type: "gauge", help: "Database connection pool size", labels: [] },
  /** Guide 4.3: the app's own view of its database (a `SELECT 1` on a pooled connection). */
  db_up: { type: "gauge", help: "1 while the database answers the app's health query", labels: [] },
  /** Guide 1.3 "Ollama / DB": measured like ollama_latency_ms, so one threshold row fits both. */
  db_query_latency_ms: {
    type: "gauge",
    help: "Latency of the app's database health query",
    labels: [],
  },
  external_api_up: { type: "gauge", help: "1 while an external API answers", labels: ["api"] },
  websocket_disconnect_total: { type: "counter", help: "WebSocket disconnects", labels: [] },
  tcp_connection_errors_total: { type: "counter", help: "TCP connection errors", labels: [] },
  websocket_worker_last_heartbeat_timestamp_seconds: {
    type: "gauge",
    help: "Last heartbeat of a WebSocket worker, seconds since epoch",
    labels: ["worker"],
  },
  port8000_build_info: {
    type: "gauge",
    help: "Always 1; the running release",
    labels: ["version", "commit"],
  },
  port8000_deploy_timestamp_seconds: {
    type: "gauge",
    help: "When the running release was deployed",
    labels: [],
  },
} as const satisfies Record<string, MetricSpec>;

/** The log pipeline's counters, scraped from Logstash's exporter (job "logstash"). */
export const LOG_PIPELINE_METRICS = {
  logstash_events_in_total: {
    type: "counter",
    help: "Log events ingested by the pipeline",
    labels: ["pipeline"],
  },
  logstash_events_out_total: {
    type: "counter",
    help: "Log events the pipeline emitted",
    labels: ["pipeline"],
  },
  logstash_output_events_out_total: {
    type: "counter",
    help: "Log events the pipeline's s3 (archive) output emitted",
    labels: ["pipeline", "plugin"],
  },
  logstash_dead_letter_events_total: {
    type: "counter",
    help: "Events read back from the dead-letter queue (refused by OpenSearch)",
    labels: ["pipeline"],
  },
} as const satisfies Record<string, MetricSpec>;

export const NODE_METRICS = [
  "node_cpu_seconds_total",
  "node_memory_MemAvailable_bytes",
  "node_memory_MemTotal_bytes",
  "node_memory_SwapTotal_bytes",
  "node_memory_SwapFree_bytes",
  "node_vmstat_pswpin",
  "node_vmstat_pswpout",
  "node_vmstat_oom_kill",
  "node_filesystem_avail_bytes",
  "node_filesystem_size_bytes",
  "node_network_receive_bytes_total",
  "node_network_transmit_bytes_total",
] as const;

/** Latency buckets (seconds) the simulator and the app share, dense around the thresholds. */
export const HTTP_LATENCY_BUCKETS = [
  0.05, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 1, 1.5, 2.5, 5, 10,
] as const;
export const DISPATCH_LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5, 10] as const;

/**
 * node exporter filesystems that can fill up in a way anyone can fix: pseudo and read-only
 * image filesystems excluded (a label matcher, for the disk alert and the ops trends alike).
 */
export const REAL_FILESYSTEMS = 'fstype!~"tmpfs|ramfs|overlay|squashfs|nsfs|fuse.lxcfs"';
