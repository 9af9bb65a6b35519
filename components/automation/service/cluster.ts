import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import type {
  AutomationOptions,
  AutomationServer,
  FreezeState,
  FreezeStore,
  WebhookAlert,
} from "./server";

/**
 * The automation service's real actions: the Kubernetes API (from inside the pod, with its
 * service account), the app's heap-snapshot endpoint, or a local command. node: builtins only.
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

/** Host the disk alert is about: node exporter's `nodename`/`node`, else `instance` minus port. */
export function alertNode(alert: WebhookAlert): string | undefined {
  const { nodename, node, instance } = alert.labels;
  const host = nodename ?? node ?? instance?.replace(/:\d+$/, "");
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

/** The deploy freeze as a ConfigMap the Pulumi program reads before it changes anything. */
export function configMapFreezeStore(api: KubeApi, namespace: string, name: string): FreezeStore {
  const path = `/api/v1/namespaces/${namespace}/configmaps/${name}`;
  return {
    read: async () => {
      const reply = await api.call("GET", path);
      if (reply.status === 404) return { frozen: false, alerts: [], reason: "", updatedAt: "" };
      const data = (ensureOk(reply, "read freeze").body.data ?? {}) as Record<string, string>;
      return {
        frozen: data.frozen === "true",
        alerts: data.alerts ? JSON.parse(data.alerts) : [],
        reason: data.reason ?? "",
        updatedAt: data.updatedAt ?? "",
      };
    },
    write: async (state: FreezeState) => {
      const data = {
        frozen: String(state.frozen),
        alerts: JSON.stringify(state.alerts),
        reason: state.reason,
        updatedAt: state.updatedAt,
      };
      ensureOk(
        await api.call("PATCH", path, { data }, "application/merge-patch+json"),
        "write freeze",
      );
    },
  };
}

export function heapSnapshotRequest(url: string) {
  return async (alert: WebhookAlert): Promise<string> => {
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
    return `heap snapshot requested (HTTP ${res.status})`;
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

/** Container entry: configuration from the Deployment's environment. */
export async function main(start: Start): Promise<AutomationServer> {
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
    runLogRotation: jobFromCronJob(api, namespace, env("LOG_ROTATION_CRONJOB")),
    requestHeapSnapshot: heapSnapshotRequest(env("HEAP_SNAPSHOT_URL")),
    freezeStore: configMapFreezeStore(api, namespace, env("FREEZE_CONFIGMAP")),
  });
}
