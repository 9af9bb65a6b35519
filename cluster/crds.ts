import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT_DIR } from "../lib/tools";
import { loadAllYamlFile } from "../lib/yaml-cache";
import { discover, getObject, type KubeObject, type KubeTarget, serverSideApply } from "./kube";

/**
 * The vendored CustomResourceDefinitions of the operators whose objects the program declares:
 * monitoring.coreos.com from kube-prometheus-stack 88.5.3 (prometheus-operator v0.93.1, which
 * the cluster tests run) and opensearch.org from the OpenSearch operator chart 3.0.4.
 */
export const CRD_DIRS = [
  join(ROOT_DIR, "vendor", "kube-prometheus-stack-88.5.3", "crds"),
  join(ROOT_DIR, "vendor", "opensearch-operator-3.0.0-alpha", "crds"),
] as const;

export const FIELD_MANAGER = "port8000-cluster";

export function vendoredCrds(dirs: readonly string[] = CRD_DIRS): KubeObject[] {
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .sort()
      .flatMap((f) => loadAllYamlFile(join(dir, f)) as KubeObject[])
      .filter((doc) => doc?.kind === "CustomResourceDefinition"),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function established(crd: unknown): boolean {
  const conditions = (crd as { status?: { conditions?: { type: string; status: string }[] } })
    ?.status?.conditions;
  return !!conditions?.some((c) => c.type === "Established" && c.status === "True");
}

/** Applies the CRDs and waits until each is Established and served by discovery. */
export async function installCrds(target: KubeTarget, crds = vendoredCrds()): Promise<void> {
  const kinds = await discover(target);
  const crdResource = kinds.get("apiextensions.k8s.io/v1/CustomResourceDefinition");
  if (!crdResource) throw new Error("the API server serves no CustomResourceDefinition");
  for (const crd of crds) {
    const res = await serverSideApply(target, crdResource, crd, { fieldManager: FIELD_MANAGER });
    if (res.status >= 300) {
      throw new Error(`CRD ${crd.metadata.name}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
  const deadline = Date.now() + 60_000;
  for (const crd of crds) {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
    while (!established(await getObject(target, path))) {
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} not established`);
      await sleep(200);
    }
  }
  await waitForDiscovery(target, crds, deadline);
}

/**
 * Waits until discovery serves every served version of the CRDs: on a store that already holds
 * them (a seed), they are Established when the server starts and served once it has read them.
 */
export async function waitForDiscovery(
  target: KubeTarget,
  crds = vendoredCrds(),
  deadline = Date.now() + 60_000,
): Promise<void> {
  const wanted = crds.flatMap((crd) => {
    const spec = crd.spec as {
      group: string;
      names: { kind: string };
      versions: { name: string; served: boolean }[];
    };
    return spec.versions
      .filter((v) => v.served)
      .map((v) => `${spec.group}/${v.name}/${spec.names.kind}`);
  });
  for (;;) {
    const kinds = await discover(target);
    if (wanted.every((k) => kinds.has(k))) return;
    if (Date.now() > deadline) throw new Error("CRDs established but not yet in discovery");
    await sleep(300);
  }
}
