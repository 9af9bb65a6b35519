import { DEPLOY_PATH, PAGERDUTY_PATH } from "../../automation/paths";
import {
  AUTOMATION_ALERTS_PATH,
  AUTOMATION_LOG_ONLY_PATH,
} from "../../components/alertmanager/receivers";
import { ConfigProblems } from "../../components/config/parse";
import { ALERTMANAGER_PODS, EXPORTERS, PROMETHEUS_PODS } from "../../components/prometheus/pods";
import { PROJECT } from "../../lib/conventions";
import type { ProgramRun } from "../../scripts/mock-runtime";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { ofType, runStack, stackFile, withConfig } from "../support/program";
import { admits, type Endpoint, type Policy } from "./admits";
import { type IngressManifest, route } from "./ingress";

/**
 * PagerDuty's webhooks must reach the in-cluster automation service from the internet, and
 * nothing else of it may: a request is reachable when an Ingress of the controller's class
 * routes its host and path to a Service, and the NetworkPolicies admit the controller's pods
 * to the container port behind it.
 */

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are untyped JSON, read by path.
type Json = any;

/** Every path the automation service answers, and near misses of the public one. */
const SERVICE_PATHS = [
  PAGERDUTY_PATH,
  DEPLOY_PATH,
  AUTOMATION_ALERTS_PATH,
  AUTOMATION_LOG_ONLY_PATH,
  "/healthz",
  "/freeze",
  "/",
  "/annotations",
  `${PAGERDUTY_PATH}/extra`,
  `${PAGERDUTY_PATH}x`,
];
const PUBLIC_PATHS = [PAGERDUTY_PATH];

function publicIngressOf(stack: string) {
  const config = JSON.parse(stackFile(stack).config[`${PROJECT}:alerting`]);
  return config.automation.publicIngress;
}

/** The pod endpoint and container port a routed request lands on, or undefined. */
function landing(run: ProgramRun, host: string, className: string, path: string) {
  const ingresses = ofType(run, "kubernetes:networking.k8s.io/v1:Ingress").map(
    (r) => r.inputs as unknown as IngressManifest,
  );
  const target = route(ingresses, className, host, path);
  if (!target) return undefined;
  const service = ofType(run, "kubernetes:core/v1:Service")
    .map((r) => r.inputs as Json)
    .find((s) => s.metadata.name === target.service && s.metadata.namespace === target.namespace);
  const servicePort = service.spec.ports.find(
    (p: Json) => p.name === target.port.name || p.port === target.port.number,
  );
  const labels = service.spec.selector as Record<string, string>;
  const pod = ofType(run, "kubernetes:apps/v1:Deployment")
    .map((r) => (r.inputs as Json).spec.template)
    .find((t) => Object.entries(labels).every(([k, v]) => t.metadata.labels[k] === v));
  const containerPort = pod.spec.containers
    .flatMap((c: Json) => c.ports ?? [])
    .find(
      (p: Json) => p.name === servicePort.targetPort || p.containerPort === servicePort.targetPort,
    ).containerPort as number;
  return { pod: { labels, namespace: target.namespace } as Endpoint, port: containerPort };
}

describe.each(["prod", "dr"])("the public path of the automation service on %s", (stack) => {
  let run: ProgramRun;
  let policies: Policy[];
  const ingress = publicIngressOf(stack);
  const controller: Endpoint = {
    labels: ingress.controller.pods,
    namespace: ingress.controller.namespace,
  };
  beforeAll(async () => {
    run = await runStack(stack);
    policies = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map(
      (r) => r.inputs as unknown as Policy,
    );
  }, 60_000);

  const reachable = (path: string, host = ingress.host, className = ingress.className) => {
    const at = landing(run, host, className, path);
    return at !== undefined && admits(policies, controller, at.pod, at.port);
  };

  it.each(SERVICE_PATHS)("reaches %s from the internet only if it is PagerDuty's path", (path) => {
    expect({ path, reachable: reachable(path) }).toEqual({
      path,
      reachable: PUBLIC_PATHS.includes(path),
    });
  });

  it("publishes nothing on another host or ingress class", () => {
    expect(reachable(PAGERDUTY_PATH, "other.example.com")).toBe(false);
    expect(reachable(PAGERDUTY_PATH, ingress.host, "another-class")).toBe(false);
  });

  it("serves the public host over TLS with the configured certificate", () => {
    const [manifest] = ofType(run, "kubernetes:networking.k8s.io/v1:Ingress").map(
      (r) => r.inputs as Json,
    );
    expect(manifest.spec.tls).toEqual([
      { hosts: [ingress.host], secretName: ingress.tlsSecretName },
    ]);
  });

  it.each(EXPORTERS.map((e) => [e.role, e] as const))(
    "lets the controller reach no %s",
    (_, exporter) => {
      const target = { labels: exporter.pods, namespace: "monitoring" };
      expect(admits(policies, controller, target, Number(exporter.port))).toBe(false);
    },
  );

  it("still keeps every other pod away from the webhook port", () => {
    const at = landing(run, ingress.host, ingress.className, PAGERDUTY_PATH);
    if (!at) throw new Error("PagerDuty's path is not routed");
    const impostors: Endpoint[] = [
      { labels: ingress.controller.pods, namespace: "port8000" },
      { labels: { app: "port8000" }, namespace: ingress.controller.namespace },
      { labels: PROMETHEUS_PODS, namespace: "monitoring" },
    ];
    for (const source of impostors) expect(admits(policies, source, at.pod, at.port)).toBe(false);
    expect(
      admits(policies, { labels: ALERTMANAGER_PODS, namespace: "monitoring" }, at.pod, at.port),
    ).toBe(true);
  });
});

describe("config of the public path", () => {
  const problems = (stack: string, alerting: Record<string, unknown>) => {
    try {
      parseStackFileConfig(stack, withConfig(stackFile(stack), { alerting }));
      return [];
    } catch (error) {
      if (error instanceof ConfigProblems) return [...error.problems];
      throw error;
    }
  };
  const prodAlerting = JSON.parse(stackFile("prod").config[`${PROJECT}:alerting`]);

  it("is required on a deployed stack whose automation service runs in the cluster", () => {
    expect(problems("prod", { ...prodAlerting, automation: {} })).toEqual([
      expect.stringMatching(
        /^alerting\.automation\.publicIngress: required for a production stack/,
      ),
    ]);
  });

  it("names the bad key of a malformed one", () => {
    const bad = {
      ...prodAlerting.automation.publicIngress,
      host: "not a host",
      controller: { namespace: "ingress-nginx", pods: {} },
    };
    const found = problems("prod", { ...prodAlerting, automation: { publicIngress: bad } });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^alerting\.automation\.publicIngress\.host \("not a host"\): expected a DNS host name/,
        ),
        expect.stringMatching(
          /^alerting\.automation\.publicIngress\.controller\.pods: needs at least one label/,
        ),
      ]),
    );
  });

  it("renders what the config says: host, class and the controller's namespace", async () => {
    const file = stackFile("dr");
    const alerting = JSON.parse(file.config[`${PROJECT}:alerting`]);
    const publicIngress = {
      className: "traefik",
      host: "pd.example.org",
      tlsSecretName: "pd-tls",
      controller: { namespace: "traefik", pods: { "app.kubernetes.io/name": "traefik" } },
    };
    const run = await runStack(
      "dr",
      withConfig(file, { alerting: { ...alerting, automation: { publicIngress } } }),
    );
    const [manifest] = ofType(run, "kubernetes:networking.k8s.io/v1:Ingress").map(
      (r) => r.inputs as Json,
    );
    expect(manifest.spec.ingressClassName).toBe("traefik");
    expect(manifest.spec.rules[0].host).toBe("pd.example.org");
    const policies = ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map(
      (r) => r.inputs as unknown as Policy,
    );
    const at = landing(run, "pd.example.org", "traefik", PAGERDUTY_PATH);
    if (!at) throw new Error("not routed");
    expect(
      admits(
        policies,
        { labels: publicIngress.controller.pods, namespace: "traefik" },
        at.pod,
        at.port,
      ),
    ).toBe(true);
    expect(
      admits(
        policies,
        { labels: publicIngress.controller.pods, namespace: "ingress-nginx" },
        at.pod,
        at.port,
      ),
    ).toBe(false);
  }, 60_000);
});
