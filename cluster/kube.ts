import { Agent, request } from "node:https";

/**
 * A small client of the Kubernetes API over HTTPS: discovery, server-side apply with strict
 * field validation, reads. The throwaway control plane trusts its own self-signed certificate,
 * which the client pins with `ca`.
 */

export interface KubeTarget {
  readonly server: string;
  readonly ca: string;
  readonly token: string;
}

export interface KubeResponse {
  readonly status: number;
  readonly body: unknown;
  readonly warnings: readonly string[];
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string } & Record<
    string,
    unknown
  >;
  readonly [key: string]: unknown;
}

/**
 * One keep-alive agent per server and CA: a file's hundreds of requests reuse a few TLS
 * connections instead of a handshake each (idle sockets are unref'd and hold no process open).
 */
const agents = new Map<string, Agent>();

function agentFor(target: KubeTarget): Agent {
  const key = `${target.server}\0${target.ca}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: 8, ca: target.ca });
    agents.set(key, agent);
  }
  return agent;
}

export function kubeRequest(
  target: KubeTarget,
  method: string,
  path: string,
  body?: unknown,
  contentType = "application/json",
): Promise<KubeResponse> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${target.server}${path}`,
      {
        method,
        ca: target.ca,
        agent: agentFor(target),
        headers: {
          accept: "application/json",
          authorization: `Bearer ${target.token}`,
          ...(payload ? { "content-type": contentType } : {}),
        },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const warning = res.headers.warning;
          const warnings = (Array.isArray(warning) ? warning : warning ? [warning] : []).flatMap(
            (w) => w.split(/,\s*(?=\d{3} )/),
          );
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Plain text (e.g. /readyz answers "ok").
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, warnings });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export interface ApiResource {
  readonly groupVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

interface ResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

async function listOf(target: KubeTarget, path: string): Promise<ResourceList> {
  const res = await kubeRequest(target, "GET", path);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  return res.body as ResourceList;
}

/** Every served kind, keyed `apiVersion/Kind`, as the server's discovery documents list them. */
export async function discover(target: KubeTarget): Promise<Map<string, ApiResource>> {
  const groups = (await kubeRequest(target, "GET", "/apis")).body as {
    groups: { versions: { groupVersion: string }[] }[];
  };
  const versions = ["v1", ...groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion))];
  const lists = await Promise.all(
    versions.map((gv) => listOf(target, gv === "v1" ? "/api/v1" : `/apis/${gv}`)),
  );
  const kinds = new Map<string, ApiResource>();
  versions.forEach((groupVersion, i) => {
    for (const r of lists[i].resources) {
      if (r.name.includes("/")) continue;
      kinds.set(`${groupVersion}/${r.kind}`, { groupVersion, kind: r.kind, ...pluralOf(r) });
    }
  });
  return kinds;
}

function pluralOf(r: { name: string; namespaced: boolean }) {
  return { plural: r.name, namespaced: r.namespaced };
}

export function objectPath(resource: ApiResource, name: string, namespace?: string): string {
  const base = resource.groupVersion === "v1" ? "/api/v1" : `/apis/${resource.groupVersion}`;
  const ns = resource.namespaced ? `/namespaces/${namespace ?? "default"}` : "";
  return `${base}${ns}/${resource.plural}/${encodeURIComponent(name)}`;
}

export interface ApplyOptions {
  readonly fieldManager: string;
  readonly dryRun?: boolean;
}

/** Server-side apply with `fieldValidation=Strict`: an unknown or duplicate field is an error. */
export function serverSideApply(
  target: KubeTarget,
  resource: ApiResource,
  object: KubeObject,
  options: ApplyOptions,
): Promise<KubeResponse> {
  const query = new URLSearchParams({
    fieldManager: options.fieldManager,
    fieldValidation: "Strict",
    force: "true",
    ...(options.dryRun ? { dryRun: "All" } : {}),
  });
  const path = objectPath(resource, object.metadata.name, object.metadata.namespace);
  return kubeRequest(target, "PATCH", `${path}?${query}`, object, "application/apply-patch+yaml");
}

export async function getObject(target: KubeTarget, path: string): Promise<unknown | undefined> {
  const res = await kubeRequest(target, "GET", path);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function isReady(target: KubeTarget): Promise<boolean> {
  try {
    const res = await kubeRequest(target, "GET", "/readyz");
    return res.status === 200;
  } catch {
    return false;
  }
}
