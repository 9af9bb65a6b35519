import type { StackConfig } from "../components/config/schema";
import type { ThresholdLevels } from "../components/config/thresholds";
import { BURN_WINDOWS } from "../lib/burn-windows";
import { Job, NODE_LABEL } from "../lib/conventions";
import { parseDurationMs } from "../lib/duration";
import { selector } from "./format";
import type { RecordingRule, RuleContext } from "./model";

/**
 * Recording rules named level:metric:operation (sloth / kubernetes-mixin). Names keep the
 * unscaled window so dashboards never change with the time scale; the expressions scale.
 */

const app = (...matchers: string[]) => selector(Job.port8000, ...matchers);
const node = (...matchers: string[]) => selector(Job.node, ...matchers);

export const QUANTILES = [0.5, 0.95, 0.99] as const;

export const RecordName = {
  errorRatio: (window: string) => `job:http_requests:error_ratio_rate${window}`,
  errorRate: (window: string) => `job:http_requests_errors:rate${window}`,
  /** The error ratio over the whole SLO window (see sloRecords). */
  sloErrorRatio: (window: string) => `job:http_requests:error_ratio_slo${window}`,
  requestRate: (window: string) => `job:http_requests:rate${window}`,
  latencyBuckets: (window: string) => `job:http_request_duration_seconds_bucket:rate${window}`,
  latency: (q: number, window: string) =>
    `job:http_request_duration_seconds:p${Math.round(q * 100)}_rate${window}`,
  dispatchMedian: (window: string) => `job:bot_dispatch_latency_seconds:p50_rate${window}`,
  /** Per-bot series exist only for bots at or past an alert threshold (see botRecords). */
  botRestarts: (window: string) => `bot:bot_restarts:increase${window}_over_threshold`,
  botMemory: "bot:bot_memory_usage:ratio_over_threshold",
  botCpu: "bot:bot_cpu_percent:over_threshold",
  botCpuAvg: "job:bot_cpu_percent:avg",
  botsActive: "job:bot_active:sum",
  hostCpu: (window: string) => `instance:node_cpu_busy:ratio_rate${window}`,
  hostMemory: "instance:node_memory_used:ratio",
} as const;

function byDuration(windows: Iterable<string>): string[] {
  return [...new Set(windows)].sort((a, b) => parseDurationMs(a) - parseDurationMs(b));
}

/** Error ratio for every burn window plus the error-rate alert's own window. */
export function errorRatioWindows(ctx: RuleContext): string[] {
  return byDuration([...BURN_WINDOWS, ctx.t.errorRate.window]);
}

function errorRatio(ctx: RuleContext, window: string): RecordingRule {
  const w = ctx.range(window);
  return {
    record: RecordName.errorRatio(window),
    expr: `sum by (job) (rate(http_requests_total${app('status=~"5.."')}[${w}]))\n/\nsum by (job) (rate(http_requests_total${app()}[${w}]))`,
  };
}

function latency(ctx: RuleContext): RecordingRule[] {
  const window = ctx.t.latencyP95Seconds.window;
  const buckets = RecordName.latencyBuckets(window);
  return [
    {
      record: buckets,
      expr: `sum by (job, le) (rate(http_request_duration_seconds_bucket${app()}[${ctx.range(window)}]))`,
    },
    ...QUANTILES.map((q) => ({
      record: RecordName.latency(q, window),
      expr: `histogram_quantile(${q}, ${buckets})`,
    })),
  ];
}

/** The SLO window Prometheus can look back over: the configured one, capped at its retention. */
export function sloLookback(config: StackConfig): { window: string; capped: boolean } {
  const { window } = config.slo;
  const retention = config.storage.prometheus.retention;
  return parseDurationMs(retention) < parseDurationMs(window)
    ? { window: retention, capped: true }
    : { window, capped: false };
}

/**
 * The error ratio over the SLO window for the dashboards' SLO stats, from the 5m rates summed
 * over time (traffic-weighted, like increase() over the window): one series scanned per rule
 * evaluation instead of every raw series over weeks on every dashboard refresh.
 */
function sloRecords(ctx: RuleContext): RecordingRule[] {
  const { window } = sloLookback(ctx.config);
  const w = ctx.range(window);
  const errors = RecordName.errorRate("5m");
  const total = RecordName.requestRate("5m");
  return [
    {
      record: errors,
      expr: `sum by (job) (rate(http_requests_total${app('status=~"5.."')}[${ctx.range("5m")}]))`,
    },
    {
      record: RecordName.sloErrorRatio(window),
      expr: `sum_over_time(${errors}${app()}[${w}])\n/\nsum_over_time(${total}${app()}[${w}])`,
    },
  ];
}

export function httpRecords(ctx: RuleContext): RecordingRule[] {
  return [
    {
      record: RecordName.requestRate("5m"),
      expr: `sum by (job) (rate(http_requests_total${app()}[${ctx.range("5m")}]))`,
    },
    ...errorRatioWindows(ctx).map((w) => errorRatio(ctx, w)),
    ...sloRecords(ctx),
    ...latency(ctx),
  ];
}

/**
 * Per-bot values for dashboards, computed when a panel is viewed: the recorded per-bot series
 * hold only the bots past a threshold. `matchers` is the inside of a label selector.
 */
export const BotQuery = {
  memoryRatio: (matchers: string) =>
    `bot_memory_mb{${matchers}} / on (job, instance, bot) bot_memory_limit_mb{${matchers}}`,
  restarts: (window: string, matchers: string) =>
    `sum by (job, bot) (increase(bot_restarts_total{${matchers}}[${window}]))`,
};

/** The lowest value any level of an alert fires at (bot alerts all fire above a value). */
export function lowestLevel(threshold: ThresholdLevels): number {
  const values = [threshold.critical, threshold.warning, threshold.info];
  return Math.min(...values.filter((v): v is number => v !== undefined));
}

/**
 * Per-bot values are computed once per cycle for every severity, and only the bots at or past
 * the lowest alert threshold are recorded: the alerts then read a handful of series instead of
 * one per bot, and a healthy fleet adds no recorded series per bot (docs/benchmarks.md).
 */
export function botRecords(ctx: RuleContext): RecordingRule[] {
  const dispatch = ctx.t.botDispatchMedianSeconds.window;
  const restarts = ctx.t.botRestarts.window;
  return [
    { record: RecordName.botsActive, expr: `sum by (job) (bot_active${app()})` },
    { record: RecordName.botCpuAvg, expr: `avg by (job) (bot_cpu_percent${app()})` },
    {
      record: RecordName.botCpu,
      expr: `bot_cpu_percent${app()} > ${lowestLevel(ctx.t.botCpuPercent)}`,
    },
    {
      record: RecordName.botMemory,
      expr: `bot_memory_mb${app()}\n/ on (job, instance, bot)\nbot_memory_limit_mb${app()}\n> ${lowestLevel(ctx.t.botMemoryRatio)}`,
    },
    {
      record: RecordName.botRestarts(restarts),
      // Bots without a restart drop out before the sum; the sums that remain are unchanged.
      expr: `sum by (job, bot) (increase(bot_restarts_total${app()}[${ctx.range(restarts)}]) > 0)\n>= ${lowestLevel(ctx.t.botRestarts)}`,
    },
    {
      record: RecordName.dispatchMedian(dispatch),
      expr: `histogram_quantile(0.5, sum by (job, le) (rate(bot_dispatch_latency_seconds_bucket${app()}[${ctx.range(dispatch)}])))`,
    },
  ];
}

/** Host records keep the node label, so dashboards can scope app and host series by node. */
export function hostRecords(ctx: RuleContext): RecordingRule[] {
  const cpu = ctx.t.hostCpuRatio.window;
  return [
    {
      record: RecordName.hostCpu(cpu),
      expr: `1 - avg by (job, instance, ${NODE_LABEL}) (rate(node_cpu_seconds_total${node('mode="idle"')}[${ctx.range(cpu)}]))`,
    },
    {
      record: RecordName.hostMemory,
      expr: `1 - node_memory_MemAvailable_bytes${node()}\n/ on (job, instance, ${NODE_LABEL})\nnode_memory_MemTotal_bytes${node()}`,
    },
  ];
}
