import {
  APP_METRICS,
  DISPATCH_LATENCY_BUCKETS,
  HTTP_LATENCY_BUCKETS,
  LOG_PIPELINE_METRICS,
  type MetricSpec,
} from "../../lib/metrics";
import type { Faults } from "./faults";
import { Family } from "./registry";

/**
 * A Port 8000 controller in numbers. Healthy baselines sit well below every default threshold;
 * faults move exactly the series they name. Deterministic: no randomness, so tests can reason.
 */

export const BASELINE = {
  requestsPerSecond: 200,
  errorRatio: 0.001,
  clientErrorRatio: 0.005,
  latencyP95Seconds: 0.2,
  dispatchMedianSeconds: 0.3,
  queueDepth: 3,
  botCpuPercent: 20,
  botMemoryMb: 300,
  botMemoryLimitMb: 1024,
  ollamaLatencyMs: 120,
  dbPoolInUse: 6,
  dbLatencyMs: 8,
  dbPoolSize: 20,
  openFds: 120,
  maxFds: 1024,
  residentMemoryBytes: 180 * 1024 * 1024,
  websocketDisconnectsPerSecond: 0.5,
  logEventsPerSecond: 50,
  /** Restarts of a crashing bot per (unscaled) 10 minutes: far above the critical 4. */
  crashRestartsPer10m: 20,
} as const;

const HANDLERS = [
  { method: "POST", handler: "/api/chat" },
  { method: "GET", handler: "/api/bots" },
  { method: "GET", handler: "/" },
] as const;
/** Observations spread evenly from half the p95 up to it, so p95 ≈ the target. */
const SPREAD = Array.from({ length: 20 }, (_, k) => 0.5 + (0.5 * k) / 19);
const WS_WORKERS = ["ws-1", "ws-2"];

export function botNames(count: number): string[] {
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `bot-${String(i + 1).padStart(width, "0")}`);
}

function families(): Map<string, Family> {
  const all: [string, MetricSpec][] = [
    ...Object.entries(APP_METRICS),
    ...Object.entries(LOG_PIPELINE_METRICS),
  ];
  const buckets: Record<string, readonly number[]> = {
    http_request_duration_seconds: HTTP_LATENCY_BUCKETS,
    bot_dispatch_latency_seconds: DISPATCH_LATENCY_BUCKETS,
  };
  return new Map(all.map(([name, spec]) => [name, new Family(name, spec, buckets[name])]));
}

export interface SimulatedRequest {
  readonly method: string;
  readonly handler: string;
  readonly status: number;
  readonly seconds: number;
}

export class Port8000Model {
  readonly bots: readonly string[];
  readonly families = families();
  faults: Faults = {};
  /** Sees every simulated request (the access log writer, logs.ts). */
  onRequest?: (request: SimulatedRequest) => void;
  private readonly startedAt: number;
  private lastTick: number;
  private sequence = 0;
  private readonly carry = new Map<string, number>();
  /** The faults the bots' gauges were last set for: they depend on nothing else. */
  private botsSetFor?: string;

  constructor(
    botCount: number,
    private readonly timeScale: number,
    now = Date.now(),
    /** Lower for long recordings (the backtest's scenarios): ratios and quantiles are unchanged. */
    private readonly requestsPerSecond: number = BASELINE.requestsPerSecond,
  ) {
    this.bots = botNames(botCount);
    this.startedAt = now;
    this.lastTick = now;
    this.initCounters();
    this.refreshGauges(now);
  }

  family(name: string): Family {
    const found = this.families.get(name);
    if (!found) throw new Error(`unknown metric ${name}`);
    return found;
  }

  get healthy(): boolean {
    return this.faults.healthy !== false;
  }

  /** Advances the simulated traffic to `now`; called on a timer and before every scrape. */
  tick(now = Date.now()): void {
    const seconds = Math.max(0, (now - this.lastTick) / 1000);
    this.lastTick = now;
    this.serveRequests(this.take("requests", this.requestsPerSecond * seconds));
    this.family("websocket_disconnect_total").inc(
      {},
      this.take("ws", BASELINE.websocketDisconnectsPerSecond * seconds),
    );
    const logs = this.take("logs", BASELINE.logEventsPerSecond * seconds);
    // Healthy: every event ingested is indexed and archived, none dead-lettered.
    this.family("logstash_events_in_total").inc({ pipeline: "port8000" }, logs);
    this.family("logstash_events_out_total").inc({ pipeline: "port8000" }, logs);
    this.family("logstash_output_events_out_total").inc(
      { pipeline: "port8000", plugin: "s3" },
      logs,
    );
    this.crashLoop(seconds);
    this.refreshGauges(now);
  }

  /** Whole units due so far; the fractions carry over so rates stay exact. */
  private take(key: string, amount: number): number {
    const total = (this.carry.get(key) ?? 0) + amount;
    const whole = Math.floor(total);
    this.carry.set(key, total - whole);
    return whole;
  }

  private serveRequests(count: number): void {
    const errorRatio = this.faults.errorRatio ?? BASELINE.errorRatio;
    const p95 = (this.faults.latencyMs ?? BASELINE.latencyP95Seconds * 1000) / 1000;
    const requests = this.family("http_requests_total");
    const latency = this.family("http_request_duration_seconds");
    const dispatch = this.family("bot_dispatch_latency_seconds");
    for (let i = 0; i < count; i += 1) {
      const { method, handler } = HANDLERS[this.sequence % HANDLERS.length];
      const spread = SPREAD[this.sequence % SPREAD.length];
      this.sequence += 1;
      const status = this.nextStatus(errorRatio);
      requests.inc({ method, handler, status });
      latency.observe({ handler }, p95 * spread);
      this.onRequest?.({ method, handler, status: Number(status), seconds: p95 * spread });
      if (handler === "/api/chat") dispatch.observe({}, BASELINE.dispatchMedianSeconds * spread);
    }
  }

  private nextStatus(errorRatio: number): string {
    if (this.take("5xx", errorRatio) > 0) return "500";
    if (this.take("4xx", BASELINE.clientErrorRatio) > 0) return "404";
    return "200";
  }

  private crashLoop(seconds: number): void {
    const bot = this.faults.crashBot;
    if (!bot) return;
    const perSecond = (BASELINE.crashRestartsPer10m / 600) * this.timeScale;
    this.family("bot_restarts_total").inc({ bot }, this.take("crash", perSecond * seconds));
  }

  private initCounters(): void {
    for (const { method, handler } of HANDLERS) {
      for (const status of ["200", "404", "500"]) {
        this.family("http_requests_total").inc({ method, handler, status }, 0);
      }
      this.family("http_request_duration_seconds").observe({ handler }, 0, 0);
    }
    this.family("bot_dispatch_latency_seconds").observe({}, 0, 0);
    for (const bot of this.bots) this.family("bot_restarts_total").inc({ bot }, 0);
    this.family("websocket_disconnect_total").inc({}, 0);
    this.family("tcp_connection_errors_total").inc({}, 0);
    this.family("logstash_events_in_total").inc({ pipeline: "port8000" }, 0);
    this.family("logstash_events_out_total").inc({ pipeline: "port8000" }, 0);
    this.family("logstash_output_events_out_total").inc({ pipeline: "port8000", plugin: "s3" }, 0);
    this.family("logstash_dead_letter_events_total").inc({ pipeline: "dead-letter" }, 0);
  }

  private refreshGauges(now: number): void {
    const set = (name: string, value: number, labels: Record<string, string> = {}) =>
      this.family(name).set(labels, value);
    set("task_queue_depth", this.faults.queueDepth ?? BASELINE.queueDepth);
    this.refreshBots();
    set("process_open_fds", BASELINE.openFds);
    set("process_max_fds", BASELINE.maxFds);
    const residentMb = this.faults.residentMemoryMb;
    set(
      "process_resident_memory_bytes",
      residentMb === undefined ? BASELINE.residentMemoryBytes : residentMb * 1024 * 1024,
    );
    set("process_start_time_seconds", Math.floor(this.startedAt / 1000));
    set("process_uptime_seconds", Math.floor((now - this.startedAt) / 1000));
    set("ollama_latency_ms", this.faults.ollamaLatencyMs ?? BASELINE.ollamaLatencyMs);
    set("db_connection_pool_in_use", BASELINE.dbPoolInUse);
    set("db_connection_pool_size", BASELINE.dbPoolSize);
    set("external_api_up", 1, { api: "ollama" });
    const dbUp = this.faults.dbDown === true ? 0 : 1;
    set("db_up", dbUp);
    set("db_query_latency_ms", this.faults.dbLatencyMs ?? BASELINE.dbLatencyMs);
    set("external_api_up", dbUp, { api: "postgres" });
    for (const worker of WS_WORKERS) {
      set("websocket_worker_last_heartbeat_timestamp_seconds", now / 1000, { worker });
    }
    set("port8000_build_info", 1, { version: "local-simulator", commit: "0000000" });
    set("port8000_deploy_timestamp_seconds", Math.floor(this.startedAt / 1000) - 86_400);
  }

  private refreshBots(): void {
    // Recording a week of 1,000 bots ticks 20,160 times: setting 5,000 unchanged gauges on
    // each tick was most of that work.
    const shape = `${this.faults.crashBot}|${this.faults.botCpuPercent}`;
    if (shape === this.botsSetFor) return;
    this.botsSetFor = shape;
    this.bots.forEach((bot, i) => {
      const crashing = this.faults.crashBot === bot;
      const labels = { bot };
      this.family("bot_active").set(labels, crashing ? 0 : 1);
      this.family("bot_cpu_percent").set(
        labels,
        this.faults.botCpuPercent ?? BASELINE.botCpuPercent + (i % 5) * 3,
      );
      this.family("bot_memory_mb").set(labels, BASELINE.botMemoryMb + (i % 5) * 20);
      this.family("bot_memory_limit_mb").set(labels, BASELINE.botMemoryLimitMb);
      this.family("bot_circuit_breaker_state").set(labels, crashing ? 2 : 0);
    });
  }
}
