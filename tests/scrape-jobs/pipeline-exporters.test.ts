import type { KubeObject } from "../../cluster/kube";
import type { ProgramRun, RecordedResource } from "../../scripts/mock-runtime";
import { configOf } from "../logging/support";
import { crdErrors } from "../support/crds";
import { ofType, runStack } from "../support/program";
import { declaredObjects, monitorJobs, selectedMonitors } from "./support";

/**
 * The json_exporters of the log pipeline as the prod and dr programs declare them: each
 * PodMonitor is selected by the stack's Prometheus, selects pods the program runs, on a port
 * those pods open, and the OpenSearch state exporter mounts the scrape user's Secret and the
 * cluster's CA that the program declares.
 */

jest.setTimeout(240_000);

interface Container {
  name: string;
  ports?: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  volumes: {
    name: string;
    secret?: { secretName: string; items?: { key: string }[] };
    configMap?: { name: string; items?: { key: string; path: string }[] };
  }[];
}
interface Workload {
  metadata: { name: string; namespace: string };
  spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}
interface PodMonitor {
  metadata: { name: string; namespace: string };
  spec: {
    namespaceSelector: { matchNames: string[] };
    selector: { matchLabels: Record<string, string> };
    podMetricsEndpoints: {
      port: string;
      params: { module: string[]; target: string[] };
      relabelings: { targetLabel: string; sourceLabels?: string[] }[];
    }[];
  };
}

const inputs = <T>(r: RecordedResource) => r.inputs as unknown as T;
const monitorNamed = (run: ProgramRun, name: string) =>
  ofType(run, "kubernetes:monitoring.coreos.com/v1:PodMonitor")
    .map((r) => inputs<PodMonitor>(r))
    .find((m) => m.metadata.name === name) as PodMonitor;
const workloadsOf = (run: ProgramRun, kind: string) =>
  ofType(run, `kubernetes:apps/v1:${kind}`).map((r) => inputs<Workload>(r));

/** The workload whose pods the monitor selects, in the namespace it looks at. */
function selectedWorkload(run: ProgramRun, monitor: PodMonitor, kind: string): Workload[] {
  return workloadsOf(run, kind).filter(
    (w) =>
      monitor.spec.namespaceSelector.matchNames.includes(w.metadata.namespace) &&
      Object.entries(monitor.spec.selector.matchLabels).every(
        ([k, v]) => w.spec.template.metadata.labels[k] === v,
      ),
  );
}

describe("the log pipeline's json_exporters in the prod stack", () => {
  let run: ProgramRun;
  let objects: KubeObject[];
  beforeAll(async () => {
    run = await runStack("prod");
    objects = declaredObjects(run.resources);
  });
  const logging = () => configOf("prod").logging.namespace;
  const secretNames = () =>
    ofType(run, "kubernetes:core/v1:Secret")
      .map((s) => inputs<{ metadata: { name: string; namespace: string } }>(s).metadata)
      .filter((m) => m.namespace === logging())
      .map((m) => m.name);

  it.each(["filebeat", "opensearch-state"])(
    "declares the %s PodMonitor the pinned CRD accepts and Prometheus selects",
    (name) => {
      const monitor = monitorNamed(run, name);
      expect(crdErrors(monitor as unknown as { apiVersion: string; kind: string })).toEqual([]);
      const selected = selectedMonitors(objects).map((m) => m.metadata.name);
      expect(selected).toContain(name);
      expect(monitorJobs(monitor as never, []).every((job) => job === name)).toBe(true);
    },
  );

  it("scrapes every Filebeat pod's json_exporter sidecar, which reads the rendered module", () => {
    const monitor = monitorNamed(run, "filebeat");
    const [daemonSet] = selectedWorkload(run, monitor, "DaemonSet");
    expect(daemonSet.metadata.name).toBe("filebeat");
    const pod = daemonSet.spec.template.spec;
    const sidecar = pod.containers.find((c) => c.name === "json-exporter");
    const port = monitor.spec.podMetricsEndpoints[0].port;
    expect(sidecar?.ports?.map((p) => p.name)).toContain(port);
    const mount = sidecar?.volumeMounts?.find((m) => m.mountPath === "/etc/json-exporter");
    const volume = pod.volumes.find((v) => v.name === mount?.name);
    const configMaps = ofType(run, "kubernetes:core/v1:ConfigMap").map((c) =>
      inputs<{ metadata: { name: string }; data: Record<string, string> }>(c),
    );
    const data = configMaps.find((c) => c.metadata.name === volume?.configMap?.name)?.data ?? {};
    const key = volume?.configMap?.items?.find((i) => i.path === "config.yml")?.key ?? "";
    const module = monitor.spec.podMetricsEndpoints[0].params.module[0];
    expect(data[key]).toContain(`${module}:`);
    // Filebeat itself does not mount the exporter's file, nor the exporter Filebeat's.
    const filebeat = pod.containers.find((c) => c.name === "filebeat");
    expect(filebeat?.volumeMounts?.map((m) => m.name)).not.toContain(mount?.name);
  });

  it("runs the state exporter with the scrape user's password file and the cluster's CA", () => {
    const monitor = monitorNamed(run, "opensearch-state");
    const [deployment] = selectedWorkload(run, monitor, "Deployment");
    const pod = deployment.spec.template.spec;
    const secrets = pod.volumes.flatMap((v) => (v.secret ? [v.secret.secretName] : []));
    expect(secrets.sort()).toEqual([
      "port8000-logs-ca-cert",
      "port8000-logs-user-prometheus-metrics",
    ]);
    for (const name of secrets) expect(secretNames()).toContain(name);
    const modules = monitor.spec.podMetricsEndpoints.map((e) => e.params.module[0]);
    expect(modules.sort()).toEqual(["opensearch-ism", "opensearch-snapshots"]);
    for (const e of monitor.spec.podMetricsEndpoints) {
      expect(new URL(e.params.target[0]).host).toBe(`port8000-logs.${logging()}.svc:9200`);
      // Two targets on one pod differ only by module: the label keeps both.
      expect(e.relabelings).toContainEqual(
        expect.objectContaining({ sourceLabels: ["__param_module"], targetLabel: "module" }),
      );
    }
  });
});

describe("the dr stack's state exporter", () => {
  it("reads ISM only: dr schedules no snapshots", async () => {
    const run = await runStack("dr");
    const monitor = monitorNamed(run, "opensearch-state");
    expect(monitor.spec.podMetricsEndpoints.map((e) => e.params.module[0])).toEqual([
      "opensearch-ism",
    ]);
  });
});
