import { z } from "zod";
import { DURATION_PATTERN, parseDurationMs } from "../../lib/duration";

/**
 * Every alert threshold of the operations guide (section 1.3 wins over 1.1; the alert contract
 * of docs/architecture.md). `above` alerts fire when the signal rises past the value, `below` when it falls
 * under it. Durations are Prometheus `for:` values; "0s" fires on the first true evaluation.
 */
export type Direction = "above" | "below";

/** The levels one threshold may have, each with its `for:`. */
export interface ThresholdLevels {
  readonly warning?: number;
  readonly warningFor?: string;
  readonly critical?: number;
  readonly criticalFor?: string;
  readonly info?: number;
  readonly infoFor?: string;
}

interface ThresholdDefaults extends ThresholdLevels {
  readonly direction: Direction;
  readonly unit: string;
  /** Range window of the expression, where the guide fixes one. */
  readonly window?: string;
}

export const THRESHOLD_DEFAULTS = {
  /** 5xx share of http_requests_total (guide 1.3, 2.1). */
  errorRate: {
    direction: "above",
    unit: "ratio",
    warning: 0.02,
    warningFor: "5m",
    critical: 0.05,
    criticalFor: "2m",
    window: "5m",
  },
  /** p95 of http_request_duration_seconds (guide 1.3, 2.2). */
  latencyP95Seconds: {
    direction: "above",
    unit: "seconds",
    warning: 0.5,
    warningFor: "3m",
    critical: 0.75,
    criticalFor: "1m",
    window: "2m",
  },
  /** Median of bot_dispatch_latency_seconds (guide 1.1). */
  botDispatchMedianSeconds: {
    direction: "above",
    unit: "seconds",
    warning: 2,
    warningFor: "5m",
    window: "5m",
  },
  /** task_queue_depth (guide 1.3). */
  queueDepth: {
    direction: "above",
    unit: "tasks",
    warning: 20,
    warningFor: "5m",
    critical: 40,
    criticalFor: "2m",
  },
  /** Restarts of one bot within the window, compared with >= (guide 1.3). */
  botRestarts: {
    direction: "above",
    unit: "restarts",
    warning: 2,
    warningFor: "0s",
    critical: 4,
    criticalFor: "0s",
    window: "10m",
  },
  /** bot_cpu_percent per bot (guide 1.1). */
  botCpuPercent: {
    direction: "above",
    unit: "percent",
    warning: 80,
    warningFor: "5m",
    critical: 90,
    criticalFor: "5m",
  },
  /** bot_memory_mb / bot_memory_limit_mb per bot (guide 1.1). */
  botMemoryRatio: {
    direction: "above",
    unit: "ratio",
    warning: 0.8,
    warningFor: "5m",
    critical: 0.9,
    criticalFor: "5m",
  },
  /** Busy share of node_cpu_seconds_total (guide 1.1). */
  hostCpuRatio: {
    direction: "above",
    unit: "ratio",
    warning: 0.75,
    warningFor: "5m",
    window: "5m",
  },
  /** 1 - MemAvailable/MemTotal (guide 1.3). */
  hostMemoryRatio: {
    direction: "above",
    unit: "ratio",
    warning: 0.75,
    warningFor: "5m",
    critical: 0.85,
    criticalFor: "2m",
  },
  /** node_filesystem avail/size (guide 1.3, 2.5). */
  hostDiskFreeRatio: {
    direction: "below",
    unit: "ratio",
    warning: 0.15,
    warningFor: "5m",
    critical: 0.1,
    criticalFor: "2m",
  },
  /** process_open_fds / process_max_fds (guide 1.1). */
  fileDescriptorRatio: { direction: "above", unit: "ratio", warning: 0.85, warningFor: "5m" },
  /** ollama_latency_ms (guide 1.3: Ollama / DB). */
  dependencyLatencyMs: {
    direction: "above",
    unit: "milliseconds",
    warning: 300,
    warningFor: "5m",
    critical: 500,
    criticalFor: "2m",
  },
  /** db_connection_pool_in_use / db_connection_pool_size (guide 1.1). */
  dbPoolRatio: { direction: "above", unit: "ratio", warning: 0.8, warningFor: "5m" },
  /**
   * increase(process_resident_memory_bytes[15m]) with MemAvailable falling (guide 2.3). The
   * critical (1 GiB in 15 min: the node runs out within the hour at that pace) pages and
   * starts the controlled restart of the automation service.
   */
  memoryLeakBytes: {
    direction: "above",
    unit: "bytes",
    warning: 524_288_000,
    warningFor: "0s",
    critical: 1_073_741_824,
    criticalFor: "5m",
    window: "15m",
  },
  /** db_query_latency_ms (guide 1.3: dependency latency, "Ollama / DB"). */
  dbLatencyMs: {
    direction: "above",
    unit: "milliseconds",
    warning: 300,
    warningFor: "5m",
    critical: 500,
    criticalFor: "2m",
  },
  /** db_up of every instance; 1 while the database answers (guide 4.3). */
  dbUp: { direction: "below", unit: "up", critical: 1, criticalFor: "1m" },
  /** Days left on the public endpoint's certificate (guide 4.4: certificate status). */
  certificateExpiryDays: {
    direction: "below",
    unit: "days",
    warning: 14,
    warningFor: "10m",
    critical: 3,
    criticalFor: "10m",
  },
  /** rate(websocket_disconnect_total[1m]) (guide 2.4). */
  websocketDisconnectsPerSecond: {
    direction: "above",
    unit: "per second",
    warning: 20,
    warningFor: "2m",
    window: "1m",
  },
  /** increase(tcp_connection_errors_total[1m]) (guide 2.4; counters are never compared raw). */
  tcpConnectionErrors: {
    direction: "above",
    unit: "errors",
    warning: 10,
    warningFor: "2m",
    window: "1m",
  },
  /** Seconds since the last WebSocket worker heartbeat (guide 4.4). */
  websocketHeartbeatAgeSeconds: {
    direction: "above",
    unit: "seconds",
    warning: 60,
    warningFor: "1m",
  },
  /** probe_success of the /health probe; 1 means up (guide 3.1). */
  healthProbe: { direction: "below", unit: "success", critical: 1, criticalFor: "2m" },
  /** Share of failed scrapes over all targets (guide 3.1: < 1%). */
  scrapeErrorRatio: {
    direction: "above",
    unit: "ratio",
    warning: 0.01,
    warningFor: "10m",
    window: "10m",
  },
  /** Log events ingested vs. the same window a day before (guide 3.1: spikes > 25%). */
  logVolumeRatio: { direction: "above", unit: "ratio", info: 1.25, infoFor: "0s", window: "1h" },
  /** Window after a deploy in which a regression triggers rollback (guide 4.5). */
  deployRegressionWindow: { direction: "above", unit: "seconds", critical: 900, criticalFor: "1m" },
} as const satisfies Record<string, ThresholdDefaults>;

export type ThresholdName = keyof typeof THRESHOLD_DEFAULTS;
export const THRESHOLD_NAMES = Object.keys(THRESHOLD_DEFAULTS) as ThresholdName[];

type Level = "warning" | "critical" | "info";
const LEVELS: readonly Level[] = ["warning", "critical", "info"];

type Widen<T> = {
  readonly [K in keyof T]: K extends "direction"
    ? Direction
    : T[K] extends number
      ? number
      : string;
};
export type Thresholds = { readonly [N in ThresholdName]: Widen<(typeof THRESHOLD_DEFAULTS)[N]> };

const duration = z.string().regex(DURATION_PATTERN, {
  message: 'expected a Prometheus duration such as "30s", "5m" or "1h"',
});
const nonNegative = z.number().finite().min(0);

/** Only the levels and windows a threshold has may be overridden; everything else is fixed. */
function thresholdSchema(name: ThresholdName) {
  const defaults: ThresholdDefaults = THRESHOLD_DEFAULTS[name];
  const shape: Record<string, z.ZodType> = {};
  for (const level of LEVELS) {
    if (defaults[level] === undefined) continue;
    shape[level] = nonNegative.default(defaults[level] as number);
    shape[`${level}For`] = duration.default(defaults[`${level}For`] as string);
  }
  if (defaults.window) {
    shape.window = duration
      .refine((d) => parseDurationMs(d) > 0, "window must be longer than 0s")
      .default(defaults.window);
  }
  return z
    .strictObject(shape)
    .prefault({})
    .transform((t) => ({ direction: defaults.direction, unit: defaults.unit, ...t }))
    .superRefine((t, ctx) =>
      checkOrder(t as unknown as Record<string, number>, defaults.direction, ctx),
    );
}

function checkOrder(t: Record<string, number>, direction: Direction, ctx: z.RefinementCtx): void {
  if (t.warning === undefined || t.critical === undefined) return;
  const ordered = direction === "above" ? t.warning < t.critical : t.warning > t.critical;
  if (ordered) return;
  const relation = direction === "above" ? "below" : "above";
  ctx.addIssue({
    code: "custom",
    path: ["warning"],
    params: { value: t.warning },
    message: `must be ${relation} critical (${t.critical})`,
  });
}

const thresholdShapes: Record<string, z.ZodType> = Object.fromEntries(
  THRESHOLD_NAMES.map((name) => [name, thresholdSchema(name)]),
);

/** Typed by hand: the shape is built from the table above, which zod cannot infer through. */
export const thresholdsSchema = z
  .strictObject(thresholdShapes)
  .prefault({}) as unknown as z.ZodType<Thresholds, Partial<Record<ThresholdName, unknown>>>;
