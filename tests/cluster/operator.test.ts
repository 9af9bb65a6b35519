import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { applyAll } from "../../cluster/apply";
import type { ControlPlane } from "../../cluster/control-plane";
import { FIELD_MANAGER } from "../../cluster/crds";
import { discover, getObject, type KubeObject, serverSideApply } from "../../cluster/kube";
import { type HelmRelease, RELEASE_TYPE } from "../../cluster/objects";
import {
  chartOperatorArgs,
  startPrometheusOperator,
  waitForGenerated,
} from "../../cluster/operator";
import { runTool } from "../../lib/tools";
import type { RecordedResource } from "../../scripts/mock-runtime";
import { runStack } from "../support/program";
import { tempDir } from "../support/temp";
import { declaredObjects, startCluster } from "./support";

/**
 * The real prometheus-operator reconciles the prod stack's Prometheus, Alertmanager,
 * ServiceMonitors, Probe and PrometheusRule on a real API server. No kubelet runs, so no Pod
 * starts: what is checked is what the operator decides — the configuration it generates.
 */

jest.setTimeout(600_000);

interface ScrapeJob {
  job_name: string;
  scrape_interval?: string;
  metrics_path?: string;
  params?: Record<string, string[]>;
  kubernetes_sd_configs?: { role: string; namespaces?: { names: string[] } }[];
  static_configs?: { targets: string[] }[];
  relabel_configs?: {
    source_labels?: string[];
    regex?: string;
    action?: string;
    target_label?: string;
    replacement?: string;
  }[];
}

let plane: ControlPlane;
let declared: KubeObject[];
let program: RecordedResource[];
let prometheusConfig: { scrape_jobs?: never; scrape_configs: ScrapeJob[] };
let ruleFiles: Record<string, string>;
let alertmanagerConfig: Record<string, unknown>;
let release: HelmRelease;
const work = tempDir("operator-configs");

const ofKind = (kind: string) => declared.filter((o) => o.kind === kind);

/** A ServiceMonitor without the labels the Prometheus selects on: it must not be selected. */
const UNSELECTED = "planted-unselected-monitor";

/**
 * The namespaces the Port 8000 ServiceMonitor watches belong to the application, not to this
 * program (the program only places its restart Role there); they exist before it is deployed.
 */
function applicationNamespaces(objects: readonly KubeObject[]): KubeObject[] {
  const own = new Set(objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name));
  const watched = objects
    .filter((o) => o.kind === "ServiceMonitor")
    .flatMap(
      (o) =>
        (o.spec as { namespaceSelector?: { matchNames?: string[] } }).namespaceSelector
          ?.matchNames ?? [],
    );
  return [...new Set(watched)]
    .filter((name) => !own.has(name))
    .map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } }));
}

/**
 * The operator refuses a Prometheus or Alertmanager whose volume claim names a StorageClass the
 * cluster lacks. The program names one (config storageClass) but does not declare it: it expects
 * the EKS cluster to provide it, so the test provides it as the cluster would.
 */
function clusterStorageClasses(objects: readonly KubeObject[]): KubeObject[] {
  const names = objects
    .filter((o) => o.kind === "Prometheus" || o.kind === "Alertmanager")
    .map(
      (o) =>
        (
          o.spec as {
            storage?: { volumeClaimTemplate?: { spec?: { storageClassName?: string } } };
          }
        ).storage?.volumeClaimTemplate?.spec?.storageClassName,
    )
    .filter((name): name is string => !!name);
  return [...new Set(names)].map((name) => ({
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name },
    provisioner: "ebs.csi.aws.com",
  }));
}

async function applyPlain(objects: readonly KubeObject[]): Promise<void> {
  const kinds = await discover(plane.target);
  for (const o of objects) {
    const resource = kinds.get(`${o.apiVersion}/${o.kind}`);
    if (!resource) throw new Error(`the server serves no ${o.apiVersion}/${o.kind}`);
    const res = await serverSideApply(plane.target, resource, o, { fieldManager: FIELD_MANAGER });
    if (res.status >= 300) throw new Error(`${o.kind} ${o.metadata.name}: ${res.status}`);
  }
}

function unselectedMonitor(selected: KubeObject, prometheus: KubeObject): KubeObject {
  const selector = (prometheus.spec as { serviceMonitorSelector: { matchLabels: object } })
    .serviceMonitorSelector.matchLabels;
  const labels = Object.fromEntries(
    Object.entries(selected.metadata.labels ?? {}).filter(([key]) => !(key in selector)),
  );
  return {
    apiVersion: selected.apiVersion,
    kind: "ServiceMonitor",
    metadata: { name: UNSELECTED, namespace: selected.metadata.namespace, labels },
    spec: selected.spec,
  };
}
/** The program's own object, by the suffix of its Pulumi resource name. */
const declaredBy = (suffix: string) => {
  const found = program.find((r) => r.name.endsWith(suffix));
  if (!found) throw new Error(`the program declares no resource named *${suffix}`);
  return found.inputs as KubeObject;
};

beforeAll(async () => {
  plane = await startCluster();
  const run = await runStack("prod");
  program = run.resources.filter(
    (r) => r.type.startsWith("kubernetes:") && r.type !== RELEASE_TYPE,
  );
  const { objects, namespaceOf, releases } = await declaredObjects(plane.target, run.resources);
  release = releases.find((r) => r.chart === "kube-prometheus-stack") as HelmRelease;
  declared = objects.map((d) => d.object);
  await applyPlain([...applicationNamespaces(declared), ...clusterStorageClasses(declared)]);
  const applied = await applyAll(
    plane.target,
    objects,
    { fieldManager: FIELD_MANAGER },
    namespaceOf,
  );
  expect(applied.filter((r) => r.verdict === "rejected")).toEqual([]);
  await applyPlain([unselectedMonitor(declaredBy("-service-monitor"), ofKind("Prometheus")[0])]);
  await startPrometheusOperator(plane, chartOperatorArgs(declared));
  const [prometheus] = ofKind("Prometheus");
  const [alertmanager] = ofKind("Alertmanager");
  const ns = (o: KubeObject) => o.metadata.namespace ?? "default";
  const secret = (o: KubeObject, name: string) => `/api/v1/namespaces/${ns(o)}/secrets/${name}`;
  const promName = prometheus.metadata.name;
  prometheusConfig = load(
    (await waitForGenerated(plane, secret(prometheus, `prometheus-${promName}`)))[
      "prometheus.yaml"
    ],
  ) as typeof prometheusConfig;
  ruleFiles = await waitForGenerated(
    plane,
    `/api/v1/namespaces/${ns(prometheus)}/configmaps/prometheus-${promName}-rulefiles-0`,
  );
  const generated = await waitForGenerated(
    plane,
    secret(alertmanager, `alertmanager-${alertmanager.metadata.name}-generated`),
  );
  alertmanagerConfig = load(generated["alertmanager.yaml"]) as Record<string, unknown>;
  writeFileSync(
    join(work, "prometheus.yaml"),
    (await waitForGenerated(plane, secret(prometheus, `prometheus-${promName}`)))[
      "prometheus.yaml"
    ],
  );
  writeFileSync(join(work, "alertmanager.yaml"), generated["alertmanager.yaml"]);
  for (const [file, text] of Object.entries(ruleFiles)) writeFileSync(join(work, file), text);
});

afterAll(async () => {
  await plane?.stop();
});

describe("the configuration the operator generates", () => {
  it("passes promtool check config", () => {
    const run = runTool("promtool", [
      "check",
      "config",
      "--syntax-only",
      join(work, "prometheus.yaml"),
    ]);
    expect(run.output).toContain("SUCCESS");
    expect(run.ok).toBe(true);
  });

  it("passes promtool check rules, every rule file", () => {
    const files = Object.keys(ruleFiles).map((f) => join(work, f));
    expect(files.length).toBeGreaterThan(0);
    const run = runTool("promtool", ["check", "rules", ...files]);
    expect(run.ok).toBe(true);
  });

  it("passes amtool check-config", () => {
    const run = runTool("amtool", ["check-config", join(work, "alertmanager.yaml")]);
    expect(run.output).toContain("SUCCESS");
    expect(run.ok).toBe(true);
  });
});

describe("what the operator made of the program's objects", () => {
  it("creates the Prometheus and Alertmanager StatefulSets (stored; no kubelet runs them)", async () => {
    const names = [
      ...ofKind("Prometheus").map((o) => [o.metadata.namespace, `prometheus-${o.metadata.name}`]),
      ...ofKind("Alertmanager").map((o) => [
        o.metadata.namespace,
        `alertmanager-${o.metadata.name}`,
      ]),
    ];
    expect(names.length).toBe(2);
    for (const [ns, name] of names) {
      const path = `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`;
      const deadline = Date.now() + 60_000;
      let found = await getObject(plane.target, path);
      while (!found && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        found = await getObject(plane.target, path);
      }
      expect(found).toMatchObject({ kind: "StatefulSet" });
    }
  });

  const job = (name: string) => {
    const found = prometheusConfig.scrape_configs.find((j) => j.job_name === name);
    if (!found) {
      throw new Error(
        `no job ${name}; have ${prometheusConfig.scrape_configs.map((j) => j.job_name).join(", ")}`,
      );
    }
    return found;
  };

  it("scrapes Port 8000 as its ServiceMonitor says: interval, path, namespace, selector, job", () => {
    const monitor = declaredBy("-service-monitor");
    const spec = monitor.spec as {
      namespaceSelector: { matchNames: string[] };
      selector: { matchLabels: Record<string, string> };
      endpoints: { interval: string; path: string; relabelings: { replacement?: string }[] }[];
    };
    const scrape = job(`serviceMonitor/${monitor.metadata.namespace}/${monitor.metadata.name}/0`);
    expect(scrape.scrape_interval).toBe(spec.endpoints[0].interval);
    expect(scrape.metrics_path).toBe(spec.endpoints[0].path);
    expect(scrape.kubernetes_sd_configs?.[0].namespaces?.names).toEqual(
      spec.namespaceSelector.matchNames,
    );
    for (const [label, value] of Object.entries(spec.selector.matchLabels)) {
      const sanitized = label.replace(/[^a-zA-Z0-9_]/g, "_");
      expect(scrape.relabel_configs).toContainEqual(
        expect.objectContaining({
          action: "keep",
          source_labels: [
            `__meta_kubernetes_service_label_${sanitized}`,
            `__meta_kubernetes_service_labelpresent_${sanitized}`,
          ],
          regex: `(${value});true`,
        }),
      );
    }
    const jobName = spec.endpoints[0].relabelings.find((r) => r.replacement)?.replacement;
    expect(scrape.relabel_configs).toContainEqual(
      expect.objectContaining({ target_label: "job", replacement: jobName }),
    );
  });

  it("leaves out a ServiceMonitor the Prometheus does not select (no selector labels)", () => {
    const jobs = prometheusConfig.scrape_configs.map((j) => j.job_name);
    const selected = declaredBy("-service-monitor");
    expect(jobs).toContain(
      `serviceMonitor/${selected.metadata.namespace}/${selected.metadata.name}/0`,
    );
    expect(jobs.filter((j) => j.includes(UNSELECTED))).toEqual([]);
  });

  it("probes /health through the blackbox exporter with the Probe's module and target", () => {
    const probe = declaredBy("-health-probe");
    const spec = probe.spec as {
      module: string;
      interval: string;
      prober: { url: string };
      targets: { staticConfig: { static: string[] } };
    };
    const scrape = job(`probe/${probe.metadata.namespace}/${probe.metadata.name}`);
    expect(scrape.params?.module).toEqual([spec.module]);
    expect(scrape.scrape_interval).toBe(spec.interval);
    expect(scrape.static_configs?.flatMap((s) => s.targets)).toEqual(
      spec.targets.staticConfig.static,
    );
    expect(scrape.relabel_configs).toContainEqual(
      expect.objectContaining({ target_label: "__address__", replacement: spec.prober.url }),
    );
  });

  it("loads every rule group of the PrometheusRule, each with all its rules", () => {
    const rule = declaredBy("-rules");
    const declaredGroups = (rule.spec as { groups: { name: string; rules: object[] }[] }).groups;
    const generated = Object.values(ruleFiles).flatMap(
      (text) => (load(text) as { groups: { name: string; rules: object[] }[] }).groups,
    );
    expect(generated.map((g) => [g.name, g.rules.length])).toEqual(
      declaredGroups.map((g) => [g.name, g.rules.length]),
    );
  });

  it("routes alerts as the program's Alertmanager configuration says", () => {
    const values = release.values as { alertmanager: { config: Record<string, unknown> } };
    const intended = values.alertmanager.config;
    expect(alertmanagerConfig.route).toEqual(intended.route);
    const names = (c: Record<string, unknown>) =>
      (c.receivers as { name: string }[]).map((r) => r.name).sort();
    expect(names(alertmanagerConfig)).toEqual(names(intended));
    expect(alertmanagerConfig.inhibit_rules).toEqual(intended.inhibit_rules);
  });
});
