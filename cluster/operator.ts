import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { requireTool } from "../lib/tools";
import { type ControlPlane, choosePorts, LOOPBACK } from "./control-plane";
import { getObject, type KubeObject } from "./kube";

/**
 * The prometheus-operator binary (built at the release the chart deploys) run against the test
 * control plane, with the arguments the chart's Deployment gives it. Only the flags that place
 * it in a Pod change: it reaches the API server by address instead of its service account, and
 * serves its own metrics over plain HTTP on loopback instead of the chart's TLS on :10250.
 */

const POD_ONLY_FLAGS = /^--(web\.|apiserver|ca-file|tls-insecure)/;

interface Container {
  name: string;
  args?: string[];
}

/** The operator container's arguments from the rendered chart. */
export function chartOperatorArgs(objects: readonly KubeObject[]): string[] {
  const deployment = objects.find(
    (o) =>
      o.kind === "Deployment" &&
      (o.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers.some(
        (c) => c.args?.some((a) => a.startsWith("--prometheus-config-reloader")),
      ),
  );
  if (!deployment) throw new Error("the rendered chart has no prometheus-operator Deployment");
  const containers = (deployment.spec as { template: { spec: { containers: Container[] } } })
    .template.spec.containers;
  const operator = containers.find((c) => c.args?.length);
  return operator?.args ?? [];
}

export async function startPrometheusOperator(
  plane: ControlPlane,
  chartArgs: readonly string[],
): Promise<void> {
  const { apiServer: port } = await choosePorts();
  const caFile = join(plane.stateDir, "apiserver-ca.crt");
  writeFileSync(caFile, plane.target.ca);
  const args = [
    ...chartArgs.filter((a) => !POD_ONLY_FLAGS.test(a)),
    `--apiserver=${plane.target.server}`,
    `--ca-file=${caFile}`,
    `--web.listen-address=${LOOPBACK}:${port}`,
    "--web.enable-tls=false",
  ];
  await plane.supervisor.start({
    name: "prometheus-operator",
    command: requireTool("operator"),
    args,
    readyUrl: `http://${LOOPBACK}:${port}/healthz`,
    readyTimeoutMs: 120_000,
    port,
    logFile: join(plane.stateDir, "prometheus-operator.log"),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls for an object the operator generates; its keys, decoded (gzip undone). */
export async function waitForGenerated(
  plane: ControlPlane,
  path: string,
  timeoutMs = 120_000,
): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await getObject(plane.target, path)) as
      | { data?: Record<string, string>; kind: string }
      | undefined;
    if (found?.data && Object.keys(found.data).length > 0) return decoded(found.kind, found.data);
    if (Date.now() > deadline) throw new Error(`the operator generated no ${path}`);
    await sleep(500);
  }
}

function decoded(kind: string, data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => {
      if (kind !== "Secret") return [key, value];
      const bytes = Buffer.from(value, "base64");
      return key.endsWith(".gz")
        ? [key.slice(0, -3), gunzipSync(bytes).toString("utf8")]
        : [key, bytes.toString("utf8")];
    }),
  );
}
