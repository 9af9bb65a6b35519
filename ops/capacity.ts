import { Job } from "../lib/conventions";
import { REAL_FILESYSTEMS } from "../lib/metrics";
import type { Point } from "./charts";
import { type Check, check } from "./checks";
import { percent, sel } from "./promql";

const REAL_FS = `{job="${Job.node}",${REAL_FILESYSTEMS}}`;

/**
 * Guide 3.4 "Capacity planning (CPU, RAM, disk, network) with growth projections": each
 * resource's utilization over the last 90 days, a least-squares line through it, and the days
 * until that line crosses 80%.
 */

export const QUARTER_S = 90 * 86_400;
export const CAPACITY_LIMIT = 0.8;
/** Fewer days than this until the limit is a finding. */
export const CAPACITY_WARN_DAYS = 90;

const NODE = sel(Job.node);

export interface Resource {
  readonly id: string;
  readonly title: string;
  /** Utilization as a share of capacity (0..1), evaluated at each step. */
  readonly utilization: string;
}

export const RESOURCES: readonly Resource[] = [
  {
    id: "cpu",
    title: "CPU",
    utilization: `1 - avg(rate(node_cpu_seconds_total{job="${Job.node}",mode="idle"}[5m]))`,
  },
  {
    id: "memory",
    title: "memory",
    utilization: `1 - sum(node_memory_MemAvailable_bytes${NODE}) / sum(node_memory_MemTotal_bytes${NODE})`,
  },
  {
    id: "disk",
    title: "disk (fullest filesystem)",
    utilization: `max(1 - node_filesystem_avail_bytes${REAL_FS} / node_filesystem_size_bytes${REAL_FS})`,
  },
  {
    id: "network",
    title: "network (busiest link, in + out)",
    // Links that report no speed (virtual interfaces: -1 or 0) have no capacity to share.
    utilization: `max((rate(node_network_receive_bytes_total{job="${Job.node}",device!="lo"}[5m]) + on (instance, device) rate(node_network_transmit_bytes_total{job="${Job.node}",device!="lo"}[5m])) / on (instance, device) (node_network_speed_bytes{job="${Job.node}"} > 0))`,
  },
];

export interface Fit {
  /** Per second. */
  readonly slope: number;
  readonly intercept: number;
}

/** Ordinary least squares of v over t; undefined with fewer than two distinct times. */
export function leastSquares(points: readonly Point[]): Fit | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  let stt = 0;
  let stv = 0;
  for (const p of points) {
    stt += (p.t - mt) ** 2;
    stv += (p.t - mt) * (p.v - mv);
  }
  if (stt === 0) return undefined;
  const slope = stv / stt;
  return { slope, intercept: mv - slope * mt };
}

export interface Projection {
  readonly resource: Resource;
  readonly points: readonly Point[];
  readonly fit?: Fit;
  /** The fitted utilization now. */
  readonly now?: number;
  /** Days until the fit reaches the limit; 0 when it is there; undefined when it never will. */
  readonly daysToLimit?: number;
}

export function project(resource: Resource, points: readonly Point[], at: number): Projection {
  const fit = leastSquares(points);
  if (!fit) return { resource, points };
  const now = fit.slope * at + fit.intercept;
  if (now >= CAPACITY_LIMIT) return { resource, points, fit, now, daysToLimit: 0 };
  if (fit.slope <= 0) return { resource, points, fit, now };
  const days = (CAPACITY_LIMIT - now) / fit.slope / 86_400;
  return { resource, points, fit, now, daysToLimit: days };
}

export function capacityCheck(p: Projection): Check {
  const name = `capacity: ${p.resource.title}`;
  if (!p.fit || p.now === undefined)
    return check(name, "warn", `not enough data to project (${p.points.length} points)`);
  const span = p.points.length ? (p.points[p.points.length - 1].t - p.points[0].t) / 86_400 : 0;
  const trend = `${percent(p.now)} now (fit over ${span.toFixed(1)} days, ${p.fit.slope >= 0 ? "+" : ""}${percent(p.fit.slope * 86_400 * 30)} per 30 days)`;
  if (p.daysToLimit === 0)
    return check(name, "fail", `${trend}: at or above ${percent(CAPACITY_LIMIT)}`);
  if (p.daysToLimit === undefined)
    return check(name, "ok", `${trend}: not growing, never reaches ${percent(CAPACITY_LIMIT)}`);
  const days = Math.round(p.daysToLimit);
  const status = p.daysToLimit < CAPACITY_WARN_DAYS ? "warn" : "ok";
  return check(name, status, `${trend}: ${percent(CAPACITY_LIMIT)} in ${days} days`);
}

export function capacityTable(projections: readonly Projection[]): string {
  const cell = (p: Projection) => {
    if (p.daysToLimit === undefined) return p.fit ? "never (not growing)" : "n/a";
    return p.daysToLimit === 0 ? "reached" : `${Math.round(p.daysToLimit)}`;
  };
  return [
    `| resource | now (fit) | growth per 30 days | days until ${percent(CAPACITY_LIMIT)} | PromQL |`,
    "| --- | --- | --- | --- | --- |",
    ...projections.map(
      (p) =>
        `| ${p.resource.title} | ${p.now === undefined ? "n/a" : percent(p.now)} | ${p.fit ? percent(p.fit.slope * 86_400 * 30) : "n/a"} | ${cell(p)} | \`${p.resource.utilization.replaceAll("|", "\\|")}\` |`,
    ),
  ].join("\n");
}
