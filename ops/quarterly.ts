import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeTarget } from "../cluster/kube";
import type { ExpectedAccess } from "../components/access/matrix";
import { accessCheck, grafanaLiveCheck, grafanaTeams } from "./access";
import {
  CAPACITY_LIMIT,
  capacityCheck,
  capacityTable,
  type Projection,
  project,
  QUARTER_S,
  RESOURCES,
} from "./capacity";
import { type Point, projectionChartSpec, renderSpec } from "./charts";
import { type Check, check } from "./checks";
import type { PrometheusApi } from "./http";
import { kubernetesLiveCheck, liveBindings } from "./kube-access";
import { percent } from "./promql";
import { type Runner, runCommand, vulnerabilityChecks } from "./vulns";

/** Guide 3.4: capacity projections, access review, dependency vulnerability review. */

const CHART_POINTS = 500;

export interface QuarterlyOptions {
  readonly outDir: string;
  /** What the stack's config grants, for the access review; absent: that check says so. */
  readonly access?: ExpectedAccess;
  /** The API server whose bindings are compared with the grants, or why it cannot be used. */
  readonly kube?: KubeTarget | string;
  readonly grafanaUrl?: string;
  readonly grafanaToken?: string;
  /** The repository root (npm audit, tools/go). */
  readonly root: string;
  readonly run?: Runner;
  /** Where the dependency review runs instead; set where npm and Go are not installed. */
  readonly vulnerabilityReviewIn?: string;
}

export function quarterName(at: number): string {
  const d = new Date(at * 1000);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/** The fitted line from the first sample to the limit (or 90 days ahead, whichever is first). */
export function fitLine(p: Projection, at: number): Point[] {
  if (!p.fit || p.points.length === 0) return [];
  const start = p.points[0].t;
  const horizon = p.daysToLimit ? Math.min(p.daysToLimit, 90) : 90;
  const end = at + horizon * 86_400;
  return [start, end].map((t) => ({ t, v: (p.fit?.slope ?? 0) * t + (p.fit?.intercept ?? 0) }));
}

export function renderCapacityReport(
  at: number,
  prometheusUrl: string,
  projections: readonly Projection[],
): string {
  const q = quarterName(at);
  return [
    `# Port 8000 capacity projections ${q}`,
    "",
    `Evaluated at ${new Date(at * 1000).toISOString()} (unix ${at}) against ${prometheusUrl}: utilization over the last 90 days (or as far back as Prometheus keeps), a least-squares line through it, and the days until it reaches ${percent(CAPACITY_LIMIT)}. Guide 3.4.`,
    "",
    capacityTable(projections),
    "",
    ...projections.flatMap((p) => [
      `![${p.resource.title}](${q}-capacity-${p.resource.id}.svg)`,
      "",
    ]),
  ].join("\n");
}

async function series(prom: PrometheusApi, promql: string, at: number): Promise<Point[]> {
  const lowest = await prom.scalar("min(prometheus_tsdb_lowest_timestamp_seconds)", at);
  const start = Math.max(at - QUARTER_S, Math.floor(lowest ?? at - QUARTER_S));
  const step = Math.max(1, Math.ceil((at - start) / CHART_POINTS));
  const [first] = await prom.queryRange(promql, start, at, step);
  return (first?.values ?? []).filter(([, v]) => Number.isFinite(v)).map(([t, v]) => ({ t, v }));
}

export async function capacityChecks(
  prom: PrometheusApi,
  at: number,
  outDir: string,
): Promise<Check[]> {
  const projections: Projection[] = [];
  for (const r of RESOURCES)
    projections.push(project(r, await series(prom, r.utilization, at), at));
  mkdirSync(outDir, { recursive: true });
  const q = quarterName(at);
  for (const p of projections) {
    const spec = projectionChartSpec(
      `${p.resource.title} utilization`,
      p.points,
      fitLine(p, at),
      CAPACITY_LIMIT,
    );
    writeFileSync(join(outDir, `${q}-capacity-${p.resource.id}.svg`), await renderSpec(spec));
  }
  const report = join(outDir, `${q}-capacity.md`);
  writeFileSync(report, renderCapacityReport(at, prom.url, projections));
  return [
    ...projections.map(capacityCheck),
    check("capacity report", "ok", `${report} with ${projections.length} SVG charts`),
  ];
}

export async function quarterly(
  prom: PrometheusApi,
  at: number,
  o: QuarterlyOptions,
): Promise<Check[]> {
  const capacity = await capacityChecks(prom, at, o.outDir);
  const access = await accessChecks(o);
  const vulns = o.vulnerabilityReviewIn
    ? [
        check(
          "dependency vulnerabilities",
          "warn",
          `not run here (no npm or Go in this image): npm audit and govulncheck run in ${o.vulnerabilityReviewIn}; read its latest result`,
        ),
      ]
    : await vulnerabilityChecks(o.root, o.run ?? runCommand);
  return [...capacity, ...access, ...vulns];
}

async function accessChecks(o: QuarterlyOptions): Promise<Check[]> {
  if (!o.access)
    return [
      check(
        "access review (config)",
        "warn",
        "no stack file given (--stack-file or --expected-access): config roles not reviewed",
      ),
    ];
  const { rows, environment, namespace } = o.access;
  const checks = [accessCheck(rows, environment)];
  if (o.grafanaUrl)
    checks.push(grafanaLiveCheck(rows, await grafanaTeams(o.grafanaUrl, o.grafanaToken)));
  if (o.kube) {
    const live = typeof o.kube === "string" ? o.kube : await liveBindings(o.kube, namespace);
    checks.push(kubernetesLiveCheck(o.access, live));
  }
  return checks;
}
