import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import type { StackConfig } from "../../components/config";
import { backupPrefix } from "../../components/prometheus-backup/policy";
import { blockSources, renderSourceObjstore } from "../../components/thanos/bucket";
import { DatasourceUid } from "../../dashboards/conventions";
import type { ProgramRun } from "../../scripts/mock-runtime";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { stackConfig } from "../alerts/support";
import { SCHEMAS_DIR } from "../support/chart-values";
import { crdErrors } from "../support/crds";
import { named, ofType, runStack, stackFile, withConfig } from "../support/program";

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are untyped JSON, read by path.
type Json = any;

const CHART = "kube-prometheus-stack-88.5.3";

/** The Thanos release the pinned chart runs as the sidecar (prometheusOperator.thanosImage). */
function chartThanosTag(): string {
  const values = yaml.load(readFileSync(join(SCHEMAS_DIR, CHART, "values.yaml"), "utf8")) as Json;
  return values.prometheusOperator.thanosImage.tag;
}

/** The operator's replica label, as its CRD documents the default. */
function operatorReplicaLabel(): string {
  const crd = readFileSync(join(SCHEMAS_DIR, CHART, "crds", "crd-prometheuses.yaml"), "utf8");
  const at = crd.indexOf("replicaExternalLabelName:");
  const match = /Default: "([^"]+)"/.exec(crd.slice(at, at + 600));
  if (!match) throw new Error("the Prometheus CRD no longer documents the replica label default");
  return match[1];
}

const args = (run: ProgramRun, role: string): string[] =>
  (named(run, `long-term-metrics-${role}-deployment`).inputs as Json).spec.template.spec
    .containers[0].args;
const flag = (list: string[], name: string) =>
  list.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
/** The objstore.yml a role's pods mount (the Secret's data is a secret in the recording). */
function objstore(run: ProgramRun, config: StackConfig, role: string): Json {
  const deployment = named(run, `long-term-metrics-${role}-deployment`).inputs as Json;
  const secret = named(run, `long-term-metrics-${role}-objstore`).inputs as Json;
  const volume = deployment.spec.template.spec.volumes.find((v: Json) => v.name === "objstore");
  expect(volume.secret.secretName).toBe(secret.metadata.name);
  const source = blockSources(config).find((s) => s.role === role);
  if (!source) throw new Error(`no block source ${role}`);
  return yaml.load(renderSourceObjstore(config, source));
}

describe.each(["prod", "dr"])("long-term metrics on the %s stack", (stack) => {
  let run: ProgramRun;
  const config = stackConfig(stack);
  beforeAll(async () => {
    run = await runStack(stack);
  }, 60_000);

  it("deduplicates the HA pair by the label the operator gives each replica", () => {
    expect(flag(args(run, "query"), "query.replica-label")).toEqual([operatorReplicaLabel()]);
  });

  it("runs the chart's Thanos release, pinned by digest", () => {
    const images = ofType(run, "kubernetes:apps/v1:Deployment")
      .filter((d) => d.name.startsWith("long-term-metrics-"))
      .map((d) => (d.inputs as Json).spec.template.spec.containers[0].image);
    expect(images.length).toBeGreaterThanOrEqual(3);
    for (const image of images)
      expect(image).toMatch(
        new RegExp(`^quay\\.io/thanos/thanos:${chartThanosTag()}@sha256:[0-9a-f]{64}$`),
      );
  });

  it("lets Query find the sidecars and every Store Gateway by SRV, through headless named ports", () => {
    const sd = yaml.load(flag(args(run, "query"), "endpoint.sd-config")[0]) as Json;
    const addresses: string[] = sd.endpoints.map((e: Json) => e.address);
    const values = (named(run, "prometheus-kube-prometheus-stack").inputs as Json).values;
    expect(values.prometheus.thanosService.enabled).toBe(true);
    expect(addresses).toContain(
      "dnssrv+_grpc._tcp.kps-thanos-discovery.monitoring.svc.cluster.local",
    );
    const stores = stack === "dr" ? ["store", "store-history"] : ["store"];
    for (const role of stores) {
      const svc = named(run, `long-term-metrics-${role}-service`).inputs as Json;
      expect(svc.spec.clusterIP).toBe("None");
      expect(svc.spec.ports).toContainEqual(expect.objectContaining({ name: "grpc" }));
      expect(addresses).toContain(
        `dnssrv+_grpc._tcp.${svc.metadata.name}.monitoring.svc.cluster.local`,
      );
    }
    expect(addresses).toHaveLength(stores.length + 1);
  });

  it("serves and compacts the stack's own prefix of its archive bucket", () => {
    for (const role of ["store", "compact"])
      expect(objstore(run, config, role)).toMatchObject({
        type: "S3",
        prefix: backupPrefix(config),
        config: { bucket: config.archive.bucketName },
      });
  });

  it("compacts with the configured retention per resolution, and deletes after the Stores stop reading", () => {
    const compact = args(run, "compact");
    const { raw, fiveMinutes, oneHour } = config.longTermMetrics.retention;
    expect(flag(compact, "retention.resolution-raw")).toEqual([raw]);
    expect(flag(compact, "retention.resolution-5m")).toEqual([fiveMinutes]);
    expect(flag(compact, "retention.resolution-1h")).toEqual([oneHour]);
    expect(compact).toContain("--wait");
    const hours = (d: string) => Number(d.replace("h", ""));
    expect(hours(flag(compact, "delete-delay")[0])).toBeGreaterThan(
      hours(flag(args(run, "store"), "ignore-deletion-marks-delay")[0]),
    );
    const deployment = named(run, "long-term-metrics-compact-deployment").inputs as Json;
    expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: "Recreate" } });
  });

  it("gives each bucket role its own IRSA role on its service account", () => {
    for (const role of stack === "dr"
      ? ["store", "compact", "store-history"]
      : ["store", "compact"]) {
      const account = named(run, `long-term-metrics-${role}-account`).inputs as Json;
      const iam = named(run, `long-term-metrics-${role}-role`).inputs as Json;
      const trust = JSON.parse(iam.assumeRolePolicy);
      expect(Object.values(trust.Statement[0].Condition.StringEquals)).toContain(
        `system:serviceaccount:monitoring:${account.metadata.name}`,
      );
      expect(iam.name).toBe(`port8000-${config.deployment.environment}-thanos-${role}`);
      expect(Object.keys(account.metadata.annotations)).toEqual(["eks.amazonaws.com/role-arn"]);
    }
    const query = named(run, "long-term-metrics-query-account").inputs as Json;
    expect(query.metadata.annotations).toBeUndefined();
  });

  it("ServiceMonitors the operator accepts, Query's with the basic-auth Secret", () => {
    const monitors = ofType(run, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor").filter((m) =>
      m.name.startsWith("long-term-metrics-"),
    );
    expect(monitors.length).toBeGreaterThanOrEqual(3);
    for (const m of monitors) expect(crdErrors(m.inputs as Json)).toEqual([]);
    const query = named(run, "long-term-metrics-query-monitor").inputs as Json;
    expect(query.spec.endpoints[0].basicAuth.password).toEqual({
      name: "thanos-query-auth",
      key: "password",
    });
  });

  it("puts Query behind an Ingress for the datasource's host, which Grafana reads with basic auth", () => {
    const url = new URL(config.dashboards.datasources.prometheusUrl);
    const ingress = named(run, "long-term-metrics-query-ingress").inputs as Json;
    expect(ingress.spec.rules[0].host).toBe(url.hostname);
    expect(ingress.spec.tls[0].hosts).toEqual([url.hostname]);
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe("thanos-query");
    const datasource = named(run, "grafana-dashboards-datasource-prometheus").inputs as Json;
    expect(datasource).toMatchObject({
      uid: DatasourceUid.prometheus,
      url: config.dashboards.datasources.prometheusUrl,
      basicAuthEnabled: true,
      basicAuthUsername: "grafana",
      secureJsonDataEncoded: "[secret]",
    });
    const auth = named(run, "long-term-metrics-query-auth").inputs as Json;
    expect(auth.stringData).toBe("[secret]");
    expect(flag(args(run, "query"), "http.config")).toEqual(["/etc/thanos/web/web.yml"]);
  });
});

describe("the dr stack", () => {
  it("serves production's replicated history read-only, from its own bucket", async () => {
    const run = await runStack("dr");
    const config = stackConfig("dr");
    expect(objstore(run, config, "store-history")).toMatchObject({
      prefix: "prometheus/production/",
      config: { bucket: config.archive.bucketName },
    });
    expect(() => named(run, "long-term-metrics-compact-history-deployment")).toThrow();
    const compactors = ofType(run, "kubernetes:apps/v1:Deployment").filter(
      (d) => (d.inputs as Json).spec.template.spec.containers[0].args?.[0] === "compact",
    );
    expect(compactors).toHaveLength(1);
  }, 60_000);

  // The run above shows the program declares a Store Gateway per block source of its config.
  it("without historyFrom serves only its own blocks", () => {
    const file = withConfig(stackFile("dr"), { longTermMetrics: undefined });
    const own = parseStackFileConfig("dr", file);
    expect(blockSources(stackConfig("dr")).map((s) => s.role)).toContain("store-history");
    expect(blockSources(own).map((s) => s.role)).toEqual(["store", "compact"]);
  });
});

it("the local stack declares no Thanos resources", async () => {
  const run = await runStack("local");
  expect(run.resources.filter((r) => r.name.startsWith("long-term-metrics"))).toEqual([]);
}, 60_000);
