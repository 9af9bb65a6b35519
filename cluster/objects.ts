import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump, load, loadAll } from "js-yaml";
import { SECRET_PLACEHOLDER } from "../lib/conventions";
import { ROOT_DIR, requireTool } from "../lib/tools";
import type { RecordedResource } from "../scripts/mock-runtime";
import { readRender, renderKey, storeRender } from "./helm-cache";
import type { KubeObject } from "./kube";

/**
 * Every Kubernetes object a program run declares: its `kubernetes:*` resources as recorded, and
 * the manifests Helm renders from each `helm.sh/v3:Release` with the values the program passes,
 * from the vendored chart source (vendor/charts/<chart>-<version>).
 */

export const CHARTS_DIR = join(ROOT_DIR, "vendor", "charts");
export const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

export interface DeclaredObject {
  /** `program:<resource name>` or `helm:<release>/<template file>`. */
  readonly source: string;
  readonly object: KubeObject;
}

/** synth masks secret values; a masked `stringData` map is applied as an empty map. */
function unmasked(object: KubeObject): KubeObject {
  if (object.kind === "Secret" && object.stringData === SECRET_PLACEHOLDER) {
    return { ...object, stringData: {} };
  }
  return object;
}

export function programObjects(resources: readonly RecordedResource[]): DeclaredObject[] {
  return resources
    .filter((r) => r.type.startsWith("kubernetes:") && r.type !== RELEASE_TYPE)
    .map((r) => ({ source: `program:${r.name}`, object: unmasked(r.inputs as KubeObject) }));
}

export interface HelmRelease {
  readonly resource: string;
  readonly name: string;
  readonly chart: string;
  readonly version: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
}

export function helmReleases(resources: readonly RecordedResource[]): HelmRelease[] {
  return resources
    .filter((r) => r.type === RELEASE_TYPE)
    .map((r) => {
      const i = r.inputs as Omit<HelmRelease, "resource" | "values"> & { values?: object };
      return {
        resource: r.name,
        name: i.name,
        chart: i.chart,
        version: i.version,
        namespace: i.namespace,
        values: (i.values ?? {}) as Record<string, unknown>,
      };
    });
}

function valueAt(values: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], values);
}

interface Dependency {
  name: string;
  condition?: string;
}

/**
 * A copy of the vendored chart for `helm template`. Subcharts that are not vendored are dropped
 * from its dependency list, as Helm drops a subchart whose condition is false — and only then:
 * a subchart the values enable but the vendor folder lacks is an error.
 */
function chartSource(release: HelmRelease, charts = CHARTS_DIR): string {
  const source = join(charts, `${release.chart}-${release.version}`);
  if (!existsSync(source))
    throw new Error(`chart ${release.chart} ${release.version} is not vendored`);
  return source;
}

export function chartCopy(release: HelmRelease, charts = CHARTS_DIR): string {
  const source = chartSource(release, charts);
  const copy = mkdtempSync(join(tmpdir(), `chart-${release.chart}-`));
  cpSync(source, copy, { recursive: true, dereference: true });
  const chartFile = join(copy, "Chart.yaml");
  const chart = load(readFileSync(chartFile, "utf8")) as { dependencies?: Dependency[] };
  const defaults = load(readFileSync(join(copy, "values.yaml"), "utf8"));
  const vendored = (chart.dependencies ?? []).filter((d) => {
    if (existsSync(join(copy, "charts", d.name))) return true;
    const path = d.condition ?? `${d.name}.enabled`;
    const enabled = valueAt(release.values, path) ?? valueAt(defaults, path);
    if (enabled !== false) {
      throw new Error(`${release.chart}: subchart ${d.name} is enabled (${path}) but not vendored`);
    }
    return false;
  });
  writeFileSync(chartFile, dump({ ...chart, dependencies: vendored }));
  return copy;
}

export interface RenderOptions {
  readonly kubeVersion: string;
  /** `group/version` list the server serves, for templates that ask `.Capabilities`. */
  readonly apiVersions: readonly string[];
}

interface HelmInvocation {
  readonly args: string[];
  readonly env: NodeJS.ProcessEnv;
  /** Removes the chart copy and Helm's home. */
  readonly cleanup: () => void;
}

function helmTemplate(release: HelmRelease, options: RenderOptions): HelmInvocation {
  const chart = chartCopy(release);
  const home = mkdtempSync(join(tmpdir(), "helm-home-"));
  const cleanup = () => {
    rmSync(chart, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  };
  const valuesFile = join(home, "values.json");
  writeFileSync(valuesFile, JSON.stringify(release.values));
  const args = [
    "template",
    release.name,
    chart,
    `--namespace=${release.namespace}`,
    `--values=${valuesFile}`,
    `--kube-version=${options.kubeVersion}`,
    ...options.apiVersions.map((v) => `--api-versions=${v}`),
  ];
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
  };
  return { args, env, cleanup };
}

function cacheKey(release: HelmRelease, options: RenderOptions): string {
  const { resource: _resource, ...request } = release;
  return renderKey({
    chartDir: chartSource(release),
    helm: requireTool("helm"),
    code: [__filename],
    request: { ...request, ...options },
  });
}

/** `helm template` of one release; each object is tagged with the template that made it. */
export function renderRelease(release: HelmRelease, options: RenderOptions): DeclaredObject[] {
  const key = cacheKey(release, options);
  const cached = readRender(key);
  if (cached !== undefined) return splitManifests(cached, release);
  const { args, env, cleanup } = helmTemplate(release, options);
  try {
    const run = spawnSync(requireTool("helm"), args, { encoding: "utf8", env, maxBuffer: 1 << 28 });
    if (run.status !== 0) throw new Error(`helm template ${release.name}: ${run.stderr}`);
    storeRender(key, run.stdout);
    return splitManifests(run.stdout, release);
  } finally {
    cleanup();
  }
}

/** renderRelease without blocking the caller, so that several releases render at once. */
export async function renderReleaseAsync(
  release: HelmRelease,
  options: RenderOptions,
): Promise<DeclaredObject[]> {
  const key = cacheKey(release, options);
  const cached = readRender(key);
  if (cached !== undefined) return splitManifests(cached, release);
  const { args, env, cleanup } = helmTemplate(release, options);
  try {
    const child = spawn(requireTool("helm"), args, { env });
    const [stdout, stderr]: Buffer[][] = [[], []];
    child.stdout.on("data", (c: Buffer) => stdout.push(c));
    child.stderr.on("data", (c: Buffer) => stderr.push(c));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", resolve);
    });
    if (code !== 0) throw new Error(`helm template ${release.name}: ${Buffer.concat(stderr)}`);
    const text = Buffer.concat(stdout).toString("utf8");
    storeRender(key, text);
    return splitManifests(text, release);
  } finally {
    cleanup();
  }
}

function splitManifests(text: string, release: HelmRelease): DeclaredObject[] {
  return text
    .split(/^---\s*$/m)
    .map((doc) => ({ template: /^# Source: (.+)$/m.exec(doc)?.[1] ?? "?", docs: loadAll(doc) }))
    .flatMap(({ template, docs }) =>
      (docs as (KubeObject | null)[])
        .filter((o): o is KubeObject => !!o && typeof o === "object" && "kind" in o)
        .map((object) => ({ source: `helm:${release.name}/${template}`, object })),
    );
}
