import type { ApplyResult } from "../../cluster/apply";
import { applyAll } from "../../cluster/apply";
import type { ControlPlane } from "../../cluster/control-plane";
import { FIELD_MANAGER, installCrds } from "../../cluster/crds";
import { discover } from "../../cluster/kube";
import { RELEASE_TYPE } from "../../cluster/objects";
import type { ProgramRun } from "../../scripts/mock-runtime";
import { stackConfig } from "../alertmanager/support";
import { runStack } from "../support/program";
import {
  declaredObjects,
  ensureNamespaces,
  startCluster,
  undeclaredNamespaces,
  writeReport,
} from "./support";

/**
 * Every Kubernetes object the program declares — its own resources and what Helm renders from
 * its releases — applied to a real kube-apiserver with server-side apply and strict field
 * validation. The report (out/cluster/apply-<stack>.txt) lists each object and the verdict.
 */

jest.setTimeout(600_000);

const STACKS = ["prod", "dr"];

let plane: ControlPlane;
/** Each stack's declared objects, rendered at once: Helm for dr runs beside Helm for prod. */
let declared: Map<string, Declared>;

type Declared = Awaited<ReturnType<typeof declaredObjects>> & { run: ProgramRun };

beforeAll(async () => {
  plane = await startCluster();
  const all = await Promise.all(
    STACKS.map(async (stack) => {
      const run = await runStack(stack);
      return [stack, { ...(await declaredObjects(plane.target, run.resources)), run }] as const;
    }),
  );
  declared = new Map(all);
});

afterAll(async () => {
  await plane?.stop();
});

const summary = (results: readonly ApplyResult[], verdict: string) =>
  results
    .filter((r) => r.verdict === verdict)
    .map((r) => `${r.object} (${r.source}): ${[r.message, ...r.lost, ...r.rewritten].join("; ")}`);

describe.each(STACKS)("the %s stack on a real API server", (stack) => {
  let results: ApplyResult[];
  let resourceCount: number;
  let releaseNames: string[];
  let prerequisites: string[];

  beforeAll(async () => {
    const { run, objects, namespaceOf } = declared.get(stack) as Declared;
    // What the cluster holds before the first `pulumi up`; apply would refuse objects in them.
    prerequisites = undeclaredNamespaces(objects, namespaceOf);
    await ensureNamespaces(plane.target, prerequisites);
    const k8s = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
    resourceCount = k8s.filter((r) => r.type !== RELEASE_TYPE).length;
    releaseNames = k8s.filter((r) => r.type === RELEASE_TYPE).map((r) => String(r.inputs.name));
    results = await applyAll(plane.target, objects, { fieldManager: FIELD_MANAGER }, namespaceOf);
    writeReport(`apply-${stack}`, results);
  });

  it("applies every object the program declares and every object its charts render", () => {
    expect(results.filter((r) => r.source.startsWith("program:"))).toHaveLength(resourceCount);
    for (const release of releaseNames) {
      expect(results.filter((r) => r.source.startsWith(`helm:${release}/`)).length).toBeGreaterThan(
        0,
      );
    }
  });

  it("relies on no namespace it does not create but the application's own", () => {
    expect(prerequisites).toEqual([stackConfig(stack).service.namespace]);
  });

  it("has no object the server rejects", () => {
    expect(summary(results, "rejected")).toEqual([]);
  });

  it("has no field the server prunes or rewrites", () => {
    expect(summary(results, "changed")).toEqual([]);
  });
});

describe("the apply check catches what a server refuses", () => {
  const snapshotPolicy = {
    apiVersion: "opensearch.org/v1",
    kind: "OpensearchSnapshotPolicy",
    metadata: { name: "planted-snake-case", namespace: "default" },
    spec: {
      policyName: "planted",
      opensearchCluster: { name: "port8000-logs" },
      // The field names of OpenSearch's REST API, not of the operator's CRD (snapshotConfig).
      snapshot_config: { repository: "archive" },
      creation: { schedule: { cron: { expression: "0 2 * * *", timezone: "UTC" } } },
    },
  };
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "planted-pod-key", namespace: "default" },
    spec: {
      selector: { matchLabels: { app: "planted" } },
      template: {
        metadata: { labels: { app: "planted" } },
        spec: { containers: [{ name: "c", image: "busybox" }], restartPolcy: "Always" },
      },
    },
  };

  it.each([
    [
      "a snake_case field of the snapshot policy",
      snapshotPolicy,
      /\.spec\.snapshot_config: field not declared in schema/,
    ],
    [
      "an unknown key in a pod spec",
      deployment,
      /\.spec\.template\.spec\.restartPolcy: field not declared in schema/,
    ],
  ])("rejects %s", async (_what, object, message) => {
    const [result] = await applyAll(plane.target, [{ source: "planted", object }], {
      fieldManager: FIELD_MANAGER,
    });
    expect(result.verdict).toBe("rejected");
    expect(result.message).toMatch(message);
  });

  it("applies the same objects once the planted key is fixed", async () => {
    const { snapshot_config, ...spec } = snapshotPolicy.spec;
    const fixed = { ...snapshotPolicy, spec: { ...spec, snapshotConfig: snapshot_config } };
    const [result] = await applyAll(plane.target, [{ source: "fixed", object: fixed }], {
      fieldManager: FIELD_MANAGER,
    });
    expect(result.message).toBeUndefined();
    expect(result.verdict).toBe("applied");
  });
});

/**
 * The control plane starts on a seeded store (cluster/seed.ts) that installCrds built; a warm
 * cache skips that build, so installing a CRD is proven here on every run.
 */
describe("installCrds on a real API server", () => {
  const crd = (kind: string, type: string, plural = `${kind.toLowerCase()}s`) => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.planted.port8000.io` },
    spec: {
      group: "planted.port8000.io",
      scope: "Namespaced",
      names: { plural, singular: kind.toLowerCase(), kind },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", properties: { spec: { type } } } },
        },
      ],
    },
  });

  it("installs a CRD and waits until discovery serves its kind", async () => {
    await installCrds(plane.target, [crd("Widget", "object")]);
    expect((await discover(plane.target)).has("planted.port8000.io/v1/Widget")).toBe(true);
  });

  it("fails naming a CRD the server refuses (a schema type that does not exist)", async () => {
    await expect(installCrds(plane.target, [crd("Gadget", "objekt")])).rejects.toThrow(
      /CRD gadgets\.planted\.port8000\.io: 422 .*objekt/,
    );
  });
});
