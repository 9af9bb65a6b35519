import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import type { WebhookAlert } from "./alertmanager-webhook.ts";
import type { FreezeState, FreezeStore } from "./freeze.ts";
import type { AutomationOptions, AutomationServer } from "./server.ts";

/**
 * The automation service's real actions: the Kubernetes API (from inside the pod, with its
 * service account), the app's heap-snapshot endpoint, or a local command.
 */

const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export interface KubeApi {
  call(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeReply>;
}
export interface KubeReply {
  status: number;
  body: Record<string, unknown>;
}

export function inClusterApi(): KubeApi {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT ?? "443";
  const ca = readFileSync(`${SA_DIR}/ca.crt`);
  return {
    call: (method, path, body, contentType = "application/json") =>
      new Promise((resolve, reject) => {
        // The projected token rotates; read it on every call.
        const token = readFileSync(`${SA_DIR}/token`, "utf8").trim();
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const headers: Record<string, string> = { authorization: `Bearer ${token}` };
        if (payload) headers["content-type"] = contentType;
        const req = request({ host, port, path, method, ca, headers, timeout: 15_000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
          });
        });
        req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
        req.on("error", reject);
        req.end(payload);
      }),
  };
}

function ensureOk(reply: KubeReply, what: string): KubeReply {
  if (reply.status >= 300)
    throw new Error(`${what}: HTTP ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply;
}

/**
 * Node the disk alert is about: the `node` label (the pod's node name, stamped on node-exporter
 * targets at scrape), else `nodename`, else `instance` minus its port when that is a name, not
 * an IP (node-exporter's `instance` is `IP:9100` in the cluster).
 */
export function alertNode(alert: WebhookAlert): string | undefined {
  const { nodename, node, instance } = alert.labels;
  const host = node || nodename || instance?.replace(/:\d+$/, "");
  return host && !/^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : undefined;
}

/**
 * Creates a Job from the suspended log-rotation CronJob, named after the notification: a
 * second replica or a resent notification gets 409 and does not rotate twice.
 */
export function jobFromCronJob(api: KubeApi, namespace: string, cronJob: string) {
  return async (alert: WebhookAlert): Promise<string> => {
    const base = `/apis/batch/v1/namespaces/${namespace}`;
    const cron = ensureOk(
      await api.call("GET", `${base}/cronjobs/${cronJob}`),
      "read CronJob",
    ).body;
    const template = (cron.spec as { jobTemplate: { spec: Record<string, unknown> } }).jobTemplate;
    const id = createHash("sha256").update(`${alert.fingerprint}|${alert.startsAt}`).digest("hex");
    const name = `${cronJob}-${id.slice(0, 10)}`;
    const spec = JSON.parse(JSON.stringify(template.spec));
    const node = alertNode(alert);
    if (node) spec.template.spec.nodeSelector = { "kubernetes.io/hostname": node };
    const job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name,
        labels: { "app.kubernetes.io/part-of": "port8000-monitoring", "port8000/trigger": "alert" },
        annotations: {
          "port8000/alert-fingerprint": alert.fingerprint,
          "cronjob.kubernetes.io/instantiate": "automation",
        },
      },
      spec,
    };
    const reply = await api.call("POST", `${base}/jobs`, job);
    if (reply.status === 409) return `job ${name} already exists`;
    ensureOk(reply, "create Job");
    return `job ${name} created${node ? ` on ${node}` : ""}`;
  };
}

/** Attempts of one freeze update before giving up (the next notification retries). */
export const FREEZE_UPDATE_ATTEMPTS = 5;

function freezeFromData(data: Record<string, string>): FreezeState {
  return {
    frozen: data.frozen === "true",
    alerts: data.alerts ? JSON.parse(data.alerts) : [],
    reason: data.reason ?? "",
    updatedAt: data.updatedAt ?? "",
  };
}

/**
 * The deploy freeze as a ConfigMap the Pulumi program reads before it changes anything. Every
 * replica writes it: an update is a read, then a PUT carrying the read's
 * `metadata.resourceVersion`; on 409 Conflict (another replica wrote in between) it reads and
 * applies the change again, at most FREEZE_UPDATE_ATTEMPTS times.
 */
export function configMapFreezeStore(api: KubeApi, namespace: string, name: string): FreezeStore {
  const path = `/api/v1/namespaces/${namespace}/configmaps/${name}`;
  return {
    read: async () => {
      const reply = await api.call("GET", path);
      if (reply.status === 404) return { frozen: false, alerts: [], reason: "", updatedAt: "" };
      return freezeFromData(
        (ensureOk(reply, "read freeze").body.data ?? {}) as Record<string, string>,
      );
    },
    update: async (change) => {
      for (let attempt = 1; ; attempt++) {
        const configMap = ensureOk(await api.call("GET", path), "read freeze").body;
        const metadata = (configMap.metadata ?? {}) as Record<string, unknown>;
        if (typeof metadata.resourceVersion !== "string" || !metadata.resourceVersion)
          throw new Error(`read freeze: ${path} has no metadata.resourceVersion`);
        const next = change(freezeFromData((configMap.data ?? {}) as Record<string, string>));
        const data = {
          frozen: String(next.frozen),
          alerts: JSON.stringify(next.alerts),
          reason: next.reason,
          updatedAt: next.updatedAt,
        };
        // The object as read (its resourceVersion included) with the new data: a PUT the API
        // server refuses with 409 if anyone changed the ConfigMap since the read.
        const reply = await api.call("PUT", path, { ...configMap, metadata, data });
        if (reply.status !== 409) {
          ensureOk(reply, "write freeze");
          return next;
        }
        if (attempt >= FREEZE_UPDATE_ATTEMPTS)
          throw new Error(
            `write freeze: still conflicting after ${FREEZE_UPDATE_ATTEMPTS} attempts (HTTP 409)`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt + Math.random() * 30));
      }
    },
  };
}

/**
 * The pod the alert is about: its `instance` label (pod IP:port, as Prometheus scraped it)
 * with the scheme, path and query of the configured URL. Without a usable `instance`, the
 * configured URL (the Service, which may pick any replica).
 */
export function heapSnapshotTarget(configured: string, alert: WebhookAlert): string {
  const instance = alert.labels.instance?.trim();
  if (!instance) return configured;
  const base = new URL(configured);
  try {
    return new URL(`${base.pathname}${base.search}`, `${base.protocol}//${instance}`).toString();
  } catch {
    return configured;
  }
}

export function heapSnapshotRequest(configured: string) {
  return async (alert: WebhookAlert): Promise<string> => {
    const url = heapSnapshotTarget(configured, alert);
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        reason: alert.labels.alertname,
        fingerprint: alert.fingerprint,
        startsAt: alert.startsAt,
      }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) throw new Error(`heap snapshot ${url}: HTTP ${res.status}`);
    return `heap snapshot requested from ${url} (HTTP ${res.status})`;
  };
}

/** Runs a local command (the laptop stack); the alert's labels are in ALERT_* variables. */
export function commandRunner(argv: string[]) {
  return (alert: WebhookAlert): Promise<string> =>
    new Promise((resolve, reject) => {
      const env = {
        ...process.env,
        ALERT_NAME: alert.labels.alertname,
        ALERT_FINGERPRINT: alert.fingerprint,
      };
      execFile(argv[0], argv.slice(1), { env, timeout: 120_000 }, (error, stdout) =>
        error ? reject(error) : resolve(`ran ${argv[0]}: ${stdout.trim().slice(0, 200)}`),
      );
    });
}

type Start = (options: AutomationOptions) => Promise<AutomationServer>;
/** Another service file that adds routes when its environment asks for them. */
export interface RoutePlugin {
  routesFromEnv?: (env: Record<string, string | undefined>) => AutomationOptions["routes"];
  /** restart.ts: the controlled restart, when the environment names a Deployment. */
  restartFromEnv?: (
    env: Record<string, string | undefined>,
    api: KubeApi,
  ) => AutomationOptions["restartDeployment"];
}

/** Container entry: configuration from the Deployment's environment. */
export async function main(start: Start, plugins: RoutePlugin[] = []): Promise<AutomationServer> {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`environment variable ${name} is required`);
    return value;
  };
  const api = inClusterApi();
  const namespace = readFileSync(`${SA_DIR}/namespace`, "utf8").trim();
  return start({
    port: Number(env("PORT")),
    host: "0.0.0.0",
    token: readFileSync(env("TOKEN_FILE"), "utf8").trim(),
    alerts: { diskSpace: env("DISK_SPACE_ALERT"), memoryLeak: env("MEMORY_LEAK_ALERT") },
    runLogRotation: jobFromCronJob(api, namespace, env("LOG_ROTATION_CRONJOB")),
    requestHeapSnapshot: heapSnapshotRequest(env("HEAP_SNAPSHOT_URL")),
    freezeStore: configMapFreezeStore(api, namespace, env("FREEZE_CONFIGMAP")),
    restartDeployment: plugins.map((p) => p.restartFromEnv?.(process.env, api)).find(Boolean),
    routes: Object.assign({}, ...plugins.map((p) => p.routesFromEnv?.(process.env) ?? {})),
  });
}
