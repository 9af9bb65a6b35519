import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeObject } from "../../cluster/kube";
import { CHARTS_DIR, type HelmRelease, helmReleases, renderRelease } from "../../cluster/objects";
import { GO_TOOLS, type GoTool, pinnedModuleVersions, pinsFile } from "../../lib/tools";
import type { RecordedResource } from "../../scripts/mock-runtime";

/**
 * The job names Prometheus gives the targets of the monitors a stack renders: the program's own
 * custom resources and the ServiceMonitors its Helm releases render, resolved as the Prometheus
 * Operator does (a `job` relabeling, else the Service label named by jobLabel, else the Service).
 */

const MONITORING = "monitoring.coreos.com/v1";
const MONITOR_KINDS = ["ServiceMonitor", "PodMonitor", "Probe"];

interface Relabeling {
  action?: string;
  sourceLabels?: string[];
  targetLabel?: string;
  replacement?: string;
}
interface Monitor {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: {
    jobLabel?: string;
    jobName?: string;
    selector?: { matchLabels?: Record<string, string> };
    endpoints?: { relabelings?: Relabeling[] }[];
    podMetricsEndpoints?: { relabelings?: Relabeling[] }[];
  };
}

/** The replacement a relabeling writes into `job`, when it sets a constant. */
function jobFromRelabelings(relabelings: Relabeling[] = []): string | undefined {
  const setsJob = relabelings.filter(
    (r) => r.targetLabel === "job" && (r.action ?? "replace") === "replace",
  );
  const last = setsJob.at(-1);
  if (!last) return undefined;
  if (last.sourceLabels?.length) throw new Error(`job relabeling from ${last.sourceLabels}`);
  return last.replacement;
}

function serviceJob(monitor: Monitor, services: KubeObject[]): string {
  const match = monitor.spec.selector?.matchLabels ?? {};
  const { jobLabel } = monitor.spec;
  // A selected Service carries every matchLabels label, the job label among them.
  if (jobLabel && match[jobLabel]) return match[jobLabel];
  const selected = services.filter((s) => {
    const labels = (s.metadata as { labels?: Record<string, string> }).labels ?? {};
    return Object.entries(match).every(([k, v]) => labels[k] === v);
  });
  const names = selected.map((s) => {
    const meta = s.metadata as { name: string; labels?: Record<string, string> };
    return (jobLabel && meta.labels?.[jobLabel]) || meta.name;
  });
  if (names.length !== 1)
    throw new Error(`${monitor.metadata.name}: selects ${names.length} rendered Services`);
  return names[0];
}

export function monitorJobs(monitor: Monitor, services: KubeObject[]): string[] {
  if (monitor.kind === "Probe")
    return [monitor.spec.jobName ?? `probe/${monitor.metadata.namespace}/${monitor.metadata.name}`];
  const endpoints = monitor.spec.endpoints ?? monitor.spec.podMetricsEndpoints ?? [];
  return endpoints.map(
    (e) =>
      jobFromRelabelings(e.relabelings) ??
      (monitor.kind === "PodMonitor"
        ? `${monitor.metadata.namespace}/${monitor.metadata.name}`
        : serviceJob(monitor, services)),
  );
}

function kubeVersion(): string {
  const kubernetes = GO_TOOLS.find((t) => t.module === "k8s.io/kubernetes") as GoTool;
  return pinnedModuleVersions(readFileSync(pinsFile(kubernetes), "utf8"))[kubernetes.module];
}

/** Whether any template of the vendored chart (or its subcharts) can render a monitor. */
function chartHasMonitors(release: HelmRelease): boolean {
  const dir = join(CHARTS_DIR, `${release.chart}-${release.version}`);
  if (!existsSync(dir))
    throw new Error(`chart ${release.chart} ${release.version} is not vendored`);
  const kinds = new RegExp(`kind: (${MONITOR_KINDS.join("|")})\\b`);
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => /(^|\/)templates\//.test(f) && /\.(yaml|tpl)$/.test(f))
    .some((f) => kinds.test(readFileSync(join(dir, f), "utf8")));
}

/** The program's objects and the manifests of its Helm releases that can render monitors. */
export function declaredObjects(resources: readonly RecordedResource[]): KubeObject[] {
  const apiVersions = [MONITORING, ...MONITOR_KINDS.map((k) => `${MONITORING}/${k}`)];
  const rendered = helmReleases(resources)
    .filter(chartHasMonitors)
    .flatMap((release) =>
      renderRelease(release, { kubeVersion: kubeVersion(), apiVersions }).map((d) => d.object),
    );
  const program = resources
    .filter((r) => r.type.startsWith("kubernetes:") && !r.type.includes("helm.sh"))
    .map((r) => r.inputs as KubeObject);
  return [...program, ...rendered];
}

interface Selector {
  matchLabels?: Record<string, string>;
  matchNames?: string[];
}
type PrometheusSpec = Record<string, Selector | undefined>;

/** Label selector of the Prometheus CR (matchLabels only; anything else is refused). */
function selects(selector: Selector | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return false;
  const { matchLabels = {}, ...rest } = selector;
  if (Object.keys(rest).length) throw new Error(`unsupported selector ${JSON.stringify(rest)}`);
  return Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
}

/** `{}` selects every namespace; a missing selector only Prometheus' own. */
function selectsNamespace(selector: Selector | undefined, namespace: string, own: string) {
  if (!selector) return namespace === own;
  if (Object.keys(selector).length === 0) return true;
  throw new Error(`unsupported namespace selector ${JSON.stringify(selector)}`);
}

const SELECTOR_OF: Record<string, string> = {
  ServiceMonitor: "serviceMonitor",
  PodMonitor: "podMonitor",
  Probe: "probe",
};

/** Monitors the stack's one Prometheus selects, with the namespace each is declared in. */
export function selectedMonitors(objects: readonly KubeObject[]): Monitor[] {
  const prometheus = objects.filter((o) => o.kind === "Prometheus" && o.apiVersion === MONITORING);
  if (prometheus.length !== 1) throw new Error(`${prometheus.length} Prometheus resources`);
  const spec = prometheus[0].spec as PrometheusSpec;
  const own = (prometheus[0].metadata as { namespace: string }).namespace;
  return (objects as unknown as (Monitor & { apiVersion: string })[]).filter((o) => {
    if (o.apiVersion !== MONITORING || !MONITOR_KINDS.includes(o.kind)) return false;
    const key = SELECTOR_OF[o.kind];
    const meta = o.metadata as { namespace?: string; labels?: Record<string, string> };
    return (
      selects(spec[`${key}Selector`], meta.labels) &&
      selectsNamespace(spec[`${key}NamespaceSelector`], meta.namespace ?? own, own)
    );
  });
}

export function scrapedJobs(objects: readonly KubeObject[]): Set<string> {
  const services = objects.filter((o) => o.kind === "Service");
  return new Set(selectedMonitors(objects).flatMap((m) => monitorJobs(m, services)));
}

/**
 * `job="x"` and `job=~"x|y"` values in PromQL text. Grafana variables and patterns (`.+`) name
 * no job; literal alternatives do.
 */
export function selectedJobs(promql: string): Set<string> {
  const jobs = [...promql.matchAll(/\bjob\s*(=~?)\s*"([^"]*)"/g)].flatMap(([, op, value]) =>
    op === "=~" ? value.split("|") : [value],
  );
  return new Set(jobs.filter((j) => /^[\w-]+$/.test(j)));
}
