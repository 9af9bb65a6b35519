import { Job } from "../lib/conventions";
import { REAL_FILESYSTEMS } from "../lib/metrics";
import { sel } from "./promql";

/**
 * Guide 3.3 "capture p95 trends … validate headroom": each trend as data — the PromQL of one
 * month's value (with the offset of the month before) and of its chart line.
 */

export type Unit = "s" | "share" | "tasks";

export interface Trend {
  readonly id: string;
  readonly title: string;
  readonly unit: Unit;
  /** Which way is worse: a rising latency, a falling headroom. */
  readonly worse: "up" | "down";
  /** The value over the window `w`, `offset` being "" or " offset <w>". */
  readonly month: (w: string, offset: string) => string;
  /** The chart line, evaluated at each step. */
  readonly line: string;
}

const APP = sel(Job.port8000);
const NODE = sel(Job.node);
const REAL_FS = `{job="${Job.node}",${REAL_FILESYSTEMS}}`;
const FREE = `node_filesystem_avail_bytes${REAL_FS} / node_filesystem_size_bytes${REAL_FS}`;

export const TRENDS: readonly Trend[] = [
  {
    id: "p95-latency",
    title: "p95 latency",
    unit: "s",
    worse: "up",
    month: (w, o) =>
      `histogram_quantile(0.95, sum by (le) (increase(http_request_duration_seconds_bucket${APP}[${w}]${o})))`,
    line: `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket${APP}[5m])))`,
  },
  {
    id: "error-rate",
    title: "error rate (5xx share)",
    unit: "share",
    worse: "up",
    month: (w, o) =>
      `sum(increase(http_requests_total{job="${Job.port8000}",status=~"5.."}[${w}]${o})) / sum(increase(http_requests_total${APP}[${w}]${o}))`,
    line: `sum(rate(http_requests_total{job="${Job.port8000}",status=~"5.."}[5m])) / sum(rate(http_requests_total${APP}[5m]))`,
  },
  {
    id: "queue-depth",
    title: "queue depth (mean)",
    unit: "tasks",
    worse: "up",
    month: (w, o) => `sum(avg_over_time(task_queue_depth${APP}[${w}]${o}))`,
    line: `sum(task_queue_depth${APP})`,
  },
  {
    id: "cpu-headroom",
    title: "host CPU headroom (idle share)",
    unit: "share",
    worse: "down",
    month: (w, o) => `avg(rate(node_cpu_seconds_total{job="${Job.node}",mode="idle"}[${w}]${o}))`,
    line: `avg(rate(node_cpu_seconds_total{job="${Job.node}",mode="idle"}[5m]))`,
  },
  {
    id: "memory-headroom",
    title: "host memory headroom (available share)",
    unit: "share",
    worse: "down",
    month: (w, o) =>
      `sum(avg_over_time(node_memory_MemAvailable_bytes${NODE}[${w}]${o})) / sum(avg_over_time(node_memory_MemTotal_bytes${NODE}[${w}]${o}))`,
    line: `sum(node_memory_MemAvailable_bytes${NODE}) / sum(node_memory_MemTotal_bytes${NODE})`,
  },
  {
    id: "disk-headroom",
    title: "host disk headroom (least free filesystem)",
    unit: "share",
    worse: "down",
    month: (w, o) =>
      `min(min_over_time(node_filesystem_avail_bytes${REAL_FS}[${w}]${o}) / max_over_time(node_filesystem_size_bytes${REAL_FS}[${w}]${o}))`,
    line: `min(${FREE})`,
  },
];

export function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined) return "n/a";
  if (unit === "share") return `${Number((value * 100).toPrecision(6))}%`;
  if (unit === "s") return `${Number(value.toPrecision(6))} s`;
  return `${Number(value.toPrecision(6))} tasks`;
}

/** Month-over-month change as a share; undefined without a month before. */
export function change(
  current: number | undefined,
  previous: number | undefined,
): number | undefined {
  if (current === undefined || previous === undefined || previous === 0) return undefined;
  return current / previous - 1;
}
