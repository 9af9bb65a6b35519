import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApplyResult } from "../../cluster/apply";
import { type ControlPlane, startControlPlane } from "../../cluster/control-plane";
import { FIELD_MANAGER, waitForDiscovery } from "../../cluster/crds";
import { discover, type KubeTarget, serverSideApply } from "../../cluster/kube";
import {
  type DeclaredObject,
  helmReleases,
  programObjects,
  renderReleaseAsync,
} from "../../cluster/objects";
import { seededStore } from "../../cluster/seed";
import { GO_TOOLS, type GoTool, pinnedModuleVersions, pinsFile } from "../../lib/tools";
import type { RecordedResource } from "../../scripts/mock-runtime";
import { ROOT } from "../support/program";

/**
 * A control plane per test file, with the vendored CRDs installed: its etcd starts on a copy of
 * the seeded store (cluster/seed.ts), built by installCrds when the cache lacks it.
 */
export async function startCluster(): Promise<ControlPlane> {
  const seed = await seededStore();
  const stateDir = mkdtempSync(join(tmpdir(), "port8000-cluster-test-"));
  const plane = await startControlPlane({ stateDir, seed });
  try {
    await waitForDiscovery(plane.target);
  } catch (err) {
    await plane.stop();
    throw err;
  }
  return {
    ...plane,
    stop: async () => {
      await plane.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

async function renderOptions(target: KubeTarget) {
  const kubernetes = GO_TOOLS.find((t) => t.module === "k8s.io/kubernetes") as GoTool;
  const pins = pinnedModuleVersions(readFileSync(pinsFile(kubernetes), "utf8"));
  const kinds = [...(await discover(target)).values()];
  const apiVersions = [
    ...new Set(kinds.flatMap((k) => [k.groupVersion, `${k.groupVersion}/${k.kind}`])),
  ].sort();
  return { kubeVersion: pins[kubernetes.module], apiVersions };
}

/**
 * The program's objects and its Helm releases' rendered manifests, each with its namespace. The
 * releases render at once, each in its own Helm process.
 */
export async function declaredObjects(target: KubeTarget, resources: readonly RecordedResource[]) {
  const options = await renderOptions(target);
  const releases = helmReleases(resources);
  const namespaces = new Map<DeclaredObject, string>();
  const perRelease = await Promise.all(releases.map((r) => renderReleaseAsync(r, options)));
  const rendered = perRelease.flatMap((objects, i) => {
    for (const o of objects) namespaces.set(o, releases[i].namespace);
    return objects;
  });
  return {
    releases,
    objects: [...programObjects(resources), ...rendered],
    namespaceOf: (d: DeclaredObject) => namespaces.get(d),
  };
}

export const REPORT_DIR = join(ROOT, "out", "cluster");

/** One line per object: verdict, object, source, and what the server said or changed. */
export function writeReport(name: string, results: readonly ApplyResult[]): string {
  mkdirSync(REPORT_DIR, { recursive: true });
  const lines = results.map((r) => {
    const detail = [
      r.message,
      ...r.lost.map((p) => `pruned ${p}`),
      ...r.rewritten.map((p) => `rewrote ${p}`),
      ...r.warnings.map((w) => `warning ${w}`),
    ].filter(Boolean);
    return `${r.verdict.padEnd(8)} ${r.object}  (${r.source})${detail.length ? `\n    ${detail.join("\n    ")}` : ""}`;
  });
  const file = join(REPORT_DIR, `${name}.txt`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** Namespaces a cluster has before anything is deployed to it. */
const BUILT_IN_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

/**
 * The namespaces the declared objects live in that neither the program nor Kubernetes creates:
 * they must exist on the cluster before `pulumi up` (the application's own).
 */
export function undeclaredNamespaces(
  objects: readonly DeclaredObject[],
  namespaceOf: (d: DeclaredObject) => string | undefined,
): string[] {
  const declared = new Set(
    objects.filter((d) => d.object.kind === "Namespace").map((d) => d.object.metadata.name),
  );
  const used = objects
    .map((d) => d.object.metadata.namespace ?? namespaceOf(d))
    .filter((ns): ns is string => !!ns);
  return [...new Set(used)]
    .filter((ns) => !declared.has(ns) && !BUILT_IN_NAMESPACES.includes(ns))
    .sort();
}

/** Creates namespaces as the cluster would already hold them. */
export async function ensureNamespaces(target: KubeTarget, names: readonly string[]) {
  const namespace = (await discover(target)).get("v1/Namespace");
  if (!namespace) throw new Error("the server serves no v1/Namespace");
  for (const name of names) {
    const object = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
    const res = await serverSideApply(target, namespace, object, { fieldManager: FIELD_MANAGER });
    if (res.status >= 300) throw new Error(`namespace ${name}: HTTP ${res.status}`);
  }
}
