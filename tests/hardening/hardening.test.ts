import { LABELS as AUTOMATION_PODS } from "../../components/automation/workload";
import { logPipelinePolicies, networkPolicy } from "../../components/hardening";
import { FILEBEAT_EXPORTER_PORT } from "../../components/logging/filebeat-exporter";
import { EXPORTER_PORT, LOGSTASH } from "../../components/logging/names";
import { FILEBEAT, labelsOf } from "../../components/logging/workloads";
import { STATE_EXPORTER } from "../../components/opensearch/state-exporter";
import { ALERTMANAGER_PODS, EXPORTERS, PROMETHEUS_PODS } from "../../components/prometheus/pods";
import { POLICY_EXEMPTION_PREFIX, PolicyName } from "../../lib/conventions";
import type { ProgramRun } from "../../scripts/mock-runtime";
import { named, ofType, runStack, stackFile, withConfig } from "../support/program";
import { admits, type Policy } from "./admits";

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

const NS = "monitoring";
const prometheus = { labels: PROMETHEUS_PODS, namespace: NS };
const alertmanager = { labels: ALERTMANAGER_PODS, namespace: NS };
const automation = { labels: AUTOMATION_PODS, namespace: NS };
const stranger = { labels: { app: "port8000" }, namespace: "port8000" };

describe("hardened workloads in prod", () => {
  let run: ProgramRun;
  let policies: Policy[];
  beforeAll(async () => {
    run = await runStack("prod");
    policies = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map(
      (r) => r.inputs as unknown as Policy,
    );
  }, 60_000);

  it.each(EXPORTERS.map((e) => [e.role, e] as const))(
    "let only Prometheus reach the %s",
    (_, exporter) => {
      const target = { labels: exporter.pods, namespace: NS };
      expect(admits(policies, prometheus, target, exporter.port)).toBe(true);
      for (const other of [alertmanager, automation, stranger])
        expect(admits(policies, other, target, exporter.port)).toBe(false);
    },
  );

  // json_exporter's /probe fetches any target it is given; the state exporter sends the scrape
  // user's basic auth with it.
  it.each([
    ["OpenSearch state exporter", STATE_EXPORTER, EXPORTER_PORT],
    ["Filebeat json_exporter sidecar", FILEBEAT, FILEBEAT_EXPORTER_PORT],
    ["Logstash json_exporter sidecar", LOGSTASH, EXPORTER_PORT],
  ])("let only Prometheus reach the %s's probe", (_, app, port) => {
    const selected = policies.find((p) => matches(p.spec.podSelector.matchLabels, labelsOf(app)));
    const target = { labels: labelsOf(app), namespace: String(selected?.metadata.namespace) };
    expect(admits(policies, prometheus, target, port)).toBe(true);
    for (const other of [alertmanager, automation, stranger])
      expect(admits(policies, other, target, port)).toBe(false);
  });

  it("let only Alertmanager reach the automation webhooks", () => {
    const port = Number(
      (named(run, "automation-service").inputs as { spec: { ports: { port: number }[] } }).spec
        .ports[0].port,
    );
    expect(admits(policies, alertmanager, automation, port)).toBe(true);
    for (const other of [prometheus, stranger])
      expect(admits(policies, other, automation, port)).toBe(false);
  });

  it("budget disruptions of Prometheus and Alertmanager in the chart, one pod at a time", () => {
    const values = named(run, "prometheus-kube-prometheus-stack").inputs.values as Record<
      string,
      { podDisruptionBudget: unknown }
    >;
    expect(values.prometheus.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    expect(values.alertmanager.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 2 });
  });

  it("budget disruptions of the automation service's pods", () => {
    const budget = named(run, "automation-disruption-budget").inputs as {
      spec: { minAvailable: number; selector: { matchLabels: object } };
    };
    const deployment = named(run, "automation-deployment").inputs as {
      spec: { template: { metadata: { labels: object } } };
    };
    expect(budget.spec.minAvailable).toBe(1);
    expect(deployment.spec.template.metadata.labels).toMatchObject(
      budget.spec.selector.matchLabels,
    );
  });

  it("give every pod template a pod security context with a seccomp profile", () => {
    const templates = [
      named(run, "automation-deployment").inputs.spec,
      (named(run, "automation-log-rotation").inputs.spec as { jobTemplate: { spec: object } })
        .jobTemplate.spec,
    ] as { template: { spec: { securityContext?: object } } }[];
    for (const { template } of templates)
      expect(template.spec.securityContext).toMatchObject({
        seccompProfile: { type: "RuntimeDefault" },
      });
  });

  it("exempt log rotation from the non-root policy only, with its reason", () => {
    const cron = named(run, "automation-log-rotation").inputs as {
      spec: {
        jobTemplate: {
          spec: {
            template: {
              metadata: { annotations: Record<string, string> };
              spec: { containers: { securityContext: Record<string, unknown> }[] };
            };
          };
        };
      };
    };
    const { metadata, spec } = cron.spec.jobTemplate.spec.template;
    const exempted = Object.keys(metadata.annotations)
      .filter((k) => k.startsWith(POLICY_EXEMPTION_PREFIX))
      .map((k) => k.slice(POLICY_EXEMPTION_PREFIX.length));
    expect(exempted).toEqual([PolicyName.containersNonRoot]);
    expect(Object.values(metadata.annotations).every((reason) => reason.length > 20)).toBe(true);
    // Root, but nothing more than file handling and chroot need, and a read-only image.
    expect(spec.containers[0].securityContext).toMatchObject({
      runAsUser: 0,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
  });
});

describe("a single replica", () => {
  it("gets no disruption budget, which would block every node drain", async () => {
    const file = withConfig(stackFile("prod"), {
      ha: { prometheusReplicas: 1, alertmanagerReplicas: 1, automationReplicas: 1 },
    });
    const run = await runStack("prod", file);
    expect(run.resources.some((r) => r.name === "automation-disruption-budget")).toBe(false);
    const values = named(run, "prometheus-kube-prometheus-stack").inputs.values as Record<
      string,
      { podDisruptionBudget: unknown }
    >;
    expect(values.prometheus.podDisruptionBudget).toEqual({ enabled: false });
  }, 60_000);
});

describe("the log pipeline's network policies", () => {
  const filebeat = { labels: { "app.kubernetes.io/name": "filebeat" }, namespace: "logging" };
  const logstash = { labels: { "app.kubernetes.io/name": "logstash" }, namespace: "logging" };
  const opensearch = { labels: { "opensearch.role": "node" }, namespace: "logging" };
  const dashboards = { labels: { "app.kubernetes.io/name": "dashboards" }, namespace: "logging" };
  const policies = logPipelinePolicies({
    namespace: "logging",
    prometheusNamespace: "monitoring",
    filebeat: filebeat.labels,
    logstash: { pods: logstash.labels, beatsPort: 5044, metricsPort: 9198 },
    opensearch: { pods: opensearch.labels, httpPort: 9200, transportPort: 9300 },
    opensearchClients: [dashboards.labels],
  }).map(networkPolicy) as unknown as Policy[];
  const scraper = { labels: PROMETHEUS_PODS, namespace: "monitoring" };

  it("let Filebeat reach Logstash and Logstash reach OpenSearch", () => {
    expect(admits(policies, filebeat, logstash, 5044)).toBe(true);
    expect(admits(policies, logstash, opensearch, 9200)).toBe(true);
    expect(admits(policies, dashboards, opensearch, 9200)).toBe(true);
    expect(admits(policies, opensearch, opensearch, 9300)).toBe(true);
  });

  it("keep Filebeat and strangers away from OpenSearch, and everyone but Filebeat off beats", () => {
    expect(admits(policies, filebeat, opensearch, 9200)).toBe(false);
    expect(admits(policies, stranger, opensearch, 9200)).toBe(false);
    expect(admits(policies, stranger, logstash, 5044)).toBe(false);
    expect(admits(policies, logstash, opensearch, 9300)).toBe(false);
  });

  it("let Prometheus scrape Logstash from the monitoring namespace, and nothing else", () => {
    expect(admits(policies, scraper, logstash, 9198)).toBe(true);
    expect(admits(policies, { ...scraper, namespace: "port8000" }, logstash, 9198)).toBe(false);
    expect(admits(policies, scraper, logstash, 5044)).toBe(false);
  });
});
