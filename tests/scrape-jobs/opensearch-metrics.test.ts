import type { KubeObject } from "../../cluster/kube";
import { networkPolicies } from "../../components/logging/network";
import { opensearchCluster } from "../../components/opensearch/cluster";
import type { ProgramRun, RecordedResource } from "../../scripts/mock-runtime";
import { configOf } from "../logging/support";
import { crdErrors } from "../support/crds";
import { named, ofType, runStack } from "../support/program";
import { declaredObjects, selectedMonitors } from "./support";

/** OpenSearch's exporter plugin, its scrape user and the monitor that reads it as Prometheus. */

jest.setTimeout(240_000);

const SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const OPENSEARCH = "kubernetes:opensearch.org/v1";

interface Endpoint {
  scheme: string;
  path: string;
  port: string;
  tlsConfig: { ca: { secret: { name: string; key: string } }; serverName: string };
  basicAuth: Record<"username" | "password", { name: string; key: string }>;
  relabelings: { targetLabel: string; replacement?: string }[];
}

const spec = (r: RecordedResource) => r.inputs.spec as Record<string, unknown>;
const metadata = (r: RecordedResource) => r.inputs.metadata as { name: string; namespace: string };

describe("OpenSearch metrics in the prod stack", () => {
  let run: ProgramRun;
  let monitor: RecordedResource;
  let endpoint: Endpoint;
  beforeAll(async () => {
    run = await runStack("prod");
    monitor = named(run, "prometheus-opensearch-monitor");
    [endpoint] = spec(monitor).endpoints as Endpoint[];
  });
  const logging = () => configOf("prod").logging.namespace;
  const secretIn = (namespace: string, name: string) =>
    ofType(run, "kubernetes:core/v1:Secret").find(
      (s) => metadata(s).name === name && metadata(s).namespace === namespace,
    );

  it("installs the exporter plugin of the cluster's exact version", () => {
    const cluster = ofType(run, `${OPENSEARCH}:OpenSearchCluster`)[0];
    const general = spec(cluster).general as { pluginsList: string[]; version: string };
    expect(general.version).toBe("2.19.2");
    expect(general.pluginsList).toEqual([
      "repository-s3",
      "https://github.com/opensearch-project/opensearch-prometheus-exporter/releases/download/2.19.2.0/prometheus-exporter-2.19.2.0.zip",
    ]);
  });

  it("declares a ServiceMonitor the pinned CRD accepts, in the logging namespace", () => {
    expect(monitor.type).toBe(SERVICE_MONITOR);
    expect(crdErrors(monitor.inputs as { apiVersion: string; kind: string })).toEqual([]);
    expect(metadata(monitor).namespace).toBe(logging());
  });

  it("is selected by the stack's Prometheus (labels and namespace)", () => {
    const selected = selectedMonitors(declaredObjects(run.resources));
    const names = selected.map((m) => `${m.metadata.namespace}/${m.metadata.name}`);
    expect(names).toContain(`${logging()}/opensearch`);
  });

  it("scrapes the plugin's path over HTTPS as job opensearch", () => {
    expect([endpoint.scheme, endpoint.path, endpoint.port]).toEqual([
      "https",
      "/_prometheus/metrics",
      "http",
    ]);
    const job = endpoint.relabelings.filter((r) => r.targetLabel === "job");
    expect(job.map((r) => r.replacement)).toEqual(["opensearch"]);
  });

  it("verifies the server with the program's HTTP CA under a name the certificate carries", () => {
    const { ca, serverName } = endpoint.tlsConfig;
    const caSecret = secretIn(logging(), ca.secret.name);
    expect(caSecret).toBeDefined();
    expect(ca.secret.key).toBe("ca.crt");
    // The operator's HTTP certificate names <cluster>.<namespace>.svc, not pod addresses.
    expect(serverName).toBe(`port8000-logs.${logging()}.svc`);
  });

  it("logs in as the monitoring user, whose Secret the operator reads too", () => {
    const { username, password } = endpoint.basicAuth;
    expect(username.name).toBe(password.name);
    expect(secretIn(logging(), username.name)).toBeDefined();
    const user = ofType(run, `${OPENSEARCH}:OpensearchUser`).find(
      (u) => metadata(u).name === "prometheus-metrics",
    );
    expect(spec(user as RecordedResource)).toMatchObject({
      passwordFrom: { name: password.name, key: password.key },
      // The monitoring roles, and the snapshot/ISM explain role of the state exporter.
      opendistroSecurityRoles: ["port8000.metrics-reader", "port8000.pipeline-state-reader"],
    });
    const binding = ofType(run, `${OPENSEARCH}:OpensearchUserRoleBinding`).find((b) =>
      (spec(b).roles as string[]).includes("port8000.metrics-reader"),
    );
    expect(spec(binding as RecordedResource).users).toEqual(["prometheus-metrics"]);
  });

  it("is let through to port 9200 of the cluster's pods from Prometheus' namespace", () => {
    const config = configOf("prod");
    const prometheus = declaredObjects(run.resources).find(
      (o: KubeObject) => o.kind === "Prometheus",
    );
    if (!prometheus) throw new Error("no Prometheus resource");
    const ns = (prometheus.metadata as { namespace: string }).namespace;
    const ingress = networkPolicies(config).find((p) => p.name === "port8000-logs-ingress");
    const rules = (ingress?.spec.ingress ?? []) as {
      from: { namespaceSelector?: { matchLabels: Record<string, string> } }[];
      ports: { port: number }[];
    }[];
    const admits = rules.some(
      (r) =>
        r.ports.some((p) => p.port === 9200) &&
        r.from.some((f) => f.namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] === ns),
    );
    expect(admits).toBe(true);
  });
});

// The prod run above shows the program hands the cluster its configured version; the renderer
// alone shows the plugin follows a version other than prod's.
describe("the exporter plugin follows the configured OpenSearch version", () => {
  it("installs 2.18.0.0 for OpenSearch 2.18.0", () => {
    const config = configOf("prod", { logging: { opensearch: { version: "2.18.0" } } });
    const cluster = opensearchCluster(config);
    expect(cluster.spec.general).toMatchObject({ version: "2.18.0" });
    expect((cluster.spec.general as { pluginsList: string[] }).pluginsList).toContain(
      "https://github.com/opensearch-project/opensearch-prometheus-exporter/releases/download/2.18.0.0/prometheus-exporter-2.18.0.0.zip",
    );
  });
});
