import { PROMETHEUS_PODS } from "../../components/prometheus/pods";
import { thanosNetworkPolicies } from "../../components/thanos/access";
import { GRPC_PORT, HTTP_PORT, podLabels } from "../../components/thanos/names";
import type { ProgramRun } from "../../scripts/mock-runtime";
import { stackConfig } from "../alerts/support";
import { admits, type Policy } from "../hardening/admits";
import { named, ofType, runStack } from "../support/program";

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are untyped JSON, read by path.
type Json = any;

const NS = "monitoring";
const at = (labels: Record<string, string>, namespace = NS) => ({ labels, namespace });
const query = at(podLabels("query"));
const store = at(podLabels("store"));
const compact = at(podLabels("compact"));
const prometheus = at(PROMETHEUS_PODS);
const controller = at({ "app.kubernetes.io/name": "ingress-nginx" }, "ingress-nginx");
const stranger = at({ app: "port8000" }, "port8000");

describe("who reaches the Thanos pods (prod)", () => {
  const policies = thanosNetworkPolicies(stackConfig("prod")) as unknown as Policy[];

  it("lets only the ingress controller and Prometheus reach Query's HTTP port", () => {
    expect(admits(policies, controller, query, HTTP_PORT)).toBe(true);
    expect(admits(policies, prometheus, query, HTTP_PORT)).toBe(true);
    for (const other of [stranger, store, at(podLabels("query"), "port8000")])
      expect(admits(policies, other, query, HTTP_PORT)).toBe(false);
    expect(admits(policies, controller, query, GRPC_PORT)).toBe(false);
  });

  it("lets only Query reach the Store Gateway's gRPC, and only Prometheus the metrics", () => {
    expect(admits(policies, query, store, GRPC_PORT)).toBe(true);
    for (const other of [controller, stranger, prometheus, compact])
      expect(admits(policies, other, store, GRPC_PORT)).toBe(false);
    expect(admits(policies, prometheus, store, HTTP_PORT)).toBe(true);
    expect(admits(policies, query, store, HTTP_PORT)).toBe(false);
  });

  it("lets only Prometheus reach the Compactor", () => {
    expect(admits(policies, prometheus, compact, HTTP_PORT)).toBe(true);
    for (const other of [query, controller, stranger])
      expect(admits(policies, other, compact, HTTP_PORT)).toBe(false);
  });
});

describe("the Thanos workloads in prod", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runStack("prod");
  }, 60_000);
  const deployments = () =>
    ofType(run, "kubernetes:apps/v1:Deployment").filter((d) =>
      d.name.startsWith("long-term-metrics-"),
    );

  it("budget disruptions of Query and the Stores one pod at a time, never of the single Compactor", () => {
    for (const role of ["query", "store"]) {
      const budget = named(run, `long-term-metrics-${role}-disruption-budget`).inputs as Json;
      const pods = (named(run, `long-term-metrics-${role}-deployment`).inputs as Json).spec;
      expect(budget.spec.minAvailable).toBe(pods.replicas - 1);
      expect(pods.template.metadata.labels).toMatchObject(budget.spec.selector.matchLabels);
    }
    expect(
      run.resources.some((r) => r.name === "long-term-metrics-compact-disruption-budget"),
    ).toBe(false);
  });

  it("run non-root, read-only, without capabilities, with memory limits and no API token", () => {
    expect(deployments()).toHaveLength(3);
    for (const d of deployments()) {
      const pod = (d.inputs as Json).spec.template.spec;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(c.resources.limits.memory).toMatch(/Gi$/);
      }
    }
  });
});
