import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import {
  checkBearer,
  HttpError,
  parsePayload,
  readBody,
  send,
  type WebhookAlert,
} from "./alertmanager-webhook.ts";
import {
  applyFreeze,
  type FreezeStore,
  fileFreezeStore,
  memoryFreezeStore,
  writeJsonAtomic,
} from "./freeze.ts";

/**
 * The `automation` receiver: Alertmanager's webhook for the guide's automations (2.3, 2.5),
 * and the `log-only` receiver's sink (info alerts, one JSON line each on
 * stdout for the log pipeline). Runs unbuilt on Node 24 (type stripping), so: node: builtins
 * and sibling modules by their file name (`./freeze.ts`), erasable syntax only.
 */

export type Action = "rotate-logs" | "heap-snapshot" | "freeze" | "unfreeze" | "restart";

/** The alerts the service acts on, named by the component from the alert-name registry. */
export interface AutomationAlerts {
  diskSpace: string;
  memoryLeak: string;
}

export interface AutomationOptions {
  port: number;
  host?: string;
  token: string;
  alerts: AutomationAlerts;
  /** Keeps handled notifications (and, without freezeStore, the freeze) across restarts. */
  stateDir?: string;
  runLogRotation: (alert: WebhookAlert) => Promise<string>;
  requestHeapSnapshot: (alert: WebhookAlert) => Promise<string>;
  /** Rollout restart of Port 8000 (restart.ts); never called while the deploy freeze holds. */
  restartDeployment?: (alert: WebhookAlert) => Promise<string>;
  freezeStore?: FreezeStore;
  log?: (entry: Record<string, unknown>) => void;
  maxBodyBytes?: number;
  /** Handlers of other service files by path (annotations.ts); they answer themselves. */
  routes?: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>;
}

export interface AutomationServer {
  url: string;
  close(): Promise<void>;
}

export function actionsFor(alert: WebhookAlert, names: AutomationAlerts): Action[] {
  const { alertname, severity } = alert.labels;
  const firing = alert.status === "firing";
  // The critical mutes the warning (inhibition), so it rotates the logs too: a disk filling
  // fast past 10% is not left unrotated.
  if (alertname === names.diskSpace && severity === "critical") {
    return firing ? ["freeze", "rotate-logs"] : ["unfreeze"];
  }
  // A leak past the critical level: a controlled restart (the warning already took the heap
  // snapshot, minutes earlier).
  if (alertname === names.memoryLeak && severity === "critical") return firing ? ["restart"] : [];
  if (!firing || severity !== "warning") return [];
  if (alertname === names.diskSpace) return ["rotate-logs"];
  if (alertname === names.memoryLeak) return ["heap-snapshot"];
  return [];
}

/** Notifications already acted on, by fingerprint + startsAt + action (Alertmanager resends). */
class HandledLog {
  private readonly keys: Set<string>;
  private readonly path: string | undefined;
  constructor(stateDir: string | undefined) {
    this.path = stateDir ? join(stateDir, "handled.json") : undefined;
    this.keys = new Set(this.path ? readJsonArray(this.path) : []);
  }
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    this.keys.add(key);
    const recent = [...this.keys].slice(-5000);
    if (this.path) writeJsonAtomic(this.path, recent);
  }
}

function readJsonArray(path: string): string[] {
  try {
    const value = JSON.parse(readFileSync(path, "utf8"));
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}

export async function startAutomationServer(options: AutomationOptions): Promise<AutomationServer> {
  if (!options.token) throw new Error("automation server needs a non-empty token");
  if (options.stateDir) mkdirSync(options.stateDir, { recursive: true });
  const log = options.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const freezeStore =
    options.freezeStore ??
    (options.stateDir
      ? fileFreezeStore(join(options.stateDir, "deploy-freeze.json"))
      : memoryFreezeStore());
  const handled = new HandledLog(options.stateDir);
  const inFlight = new Map<string, Promise<string>>();
  let freezeQueue: Promise<unknown> = Promise.resolve();

  const changeFreeze = (alert: WebhookAlert, freeze: boolean): Promise<string> => {
    const next = freezeQueue.then(async () => {
      const state = await freezeStore.update((current) => applyFreeze(current, alert, freeze));
      return state.frozen
        ? `deploy freeze held (${state.alerts.length} alert(s))`
        : "deploy freeze lifted";
    });
    freezeQueue = next.catch(() => undefined);
    return next;
  };

  /** A restart is a deploy of sorts: the freeze (a disk filling) holds it too. */
  const restart = async (alert: WebhookAlert): Promise<string> => {
    const freeze = await freezeStore.read();
    if (freeze.frozen) return `restart skipped: deploy freeze held (${freeze.reason})`;
    if (!options.restartDeployment) return "restart skipped: no restart configured";
    return options.restartDeployment(alert);
  };

  const perform = (action: Action, alert: WebhookAlert): Promise<string> => {
    if (action === "restart") return restart(alert);
    if (action === "rotate-logs") return options.runLogRotation(alert);
    if (action === "heap-snapshot") return options.requestHeapSnapshot(alert);
    return changeFreeze(alert, action === "freeze");
  };

  const once = async (action: Action, alert: WebhookAlert) => {
    const key = `${alert.fingerprint}|${alert.startsAt}|${action}`;
    if (handled.has(key)) return { action, fingerprint: alert.fingerprint, duplicate: true };
    let running = inFlight.get(key);
    if (!running) {
      running = perform(action, alert).finally(() => inFlight.delete(key));
      inFlight.set(key, running);
    }
    const result = await running;
    handled.add(key);
    log({
      event: "automation.action",
      action,
      alert: alert.labels.alertname,
      fingerprint: alert.fingerprint,
      result,
    });
    return { action, fingerprint: alert.fingerprint, result };
  };

  /** Both webhooks: POST, bearer token, JSON, an Alertmanager v4 payload. */
  const receiveAlerts = async (req: IncomingMessage): Promise<WebhookAlert[]> => {
    if (req.method !== "POST") throw new HttpError(405, "use POST");
    checkBearer(req.headers.authorization, options.token);
    if (!String(req.headers["content-type"] ?? "").includes("application/json"))
      throw new HttpError(415, "content-type must be application/json");
    return parsePayload(await readBody(req, options.maxBodyBytes ?? 1_048_576));
  };

  /** The `log-only` receiver: each alert as one JSON line (stdout), nothing else. */
  const handleLogOnly = async (req: IncomingMessage, res: ServerResponse) => {
    const alerts = await receiveAlerts(req);
    for (const alert of alerts) {
      log({
        event: "alert.log-only",
        time: new Date().toISOString(),
        receiver: "log-only",
        status: alert.status,
        alertname: alert.labels.alertname,
        severity: alert.labels.severity ?? "",
        labels: alert.labels,
        annotations: alert.annotations,
        startsAt: alert.startsAt,
        ...(alert.endsAt ? { endsAt: alert.endsAt } : {}),
        fingerprint: alert.fingerprint,
      });
    }
    send(res, 200, { logged: alerts.length });
  };

  const handleAlerts = async (req: IncomingMessage, res: ServerResponse) => {
    const alerts = await receiveAlerts(req);
    const work = alerts.flatMap((alert) =>
      actionsFor(alert, options.alerts).map((action) => ({ action, alert })),
    );
    const outcomes = await Promise.allSettled(work.map((w) => once(w.action, w.alert)));
    const failed = outcomes.flatMap((o, i) =>
      o.status === "rejected" ? [{ action: work[i].action, error: String(o.reason) }] : [],
    );
    const done = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    for (const f of failed) log({ event: "automation.failed", ...f });
    // A 5xx makes Alertmanager retry; actions already done are skipped on the retry.
    send(res, failed.length > 0 ? 502 : 200, { done, failed });
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const route = async () => {
      if (path === "/healthz") return send(res, 200, { ok: true });
      if (path === "/freeze") {
        checkBearer(req.headers.authorization, options.token);
        // 423 Locked while frozen: a deploy pipeline's `curl --fail` stops on it.
        const state = await freezeStore.read();
        return send(res, state.frozen ? 423 : 200, state);
      }
      if (path === "/alerts") return handleAlerts(req, res);
      if (path === "/log-only") return handleLogOnly(req, res);
      const extra = options.routes?.[path];
      if (extra) return extra(req, res);
      throw new HttpError(404, `no route ${path}; POST /alerts or /log-only`);
    };
    route().catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 500) log({ event: "automation.error", error: String(error) });
      if (!res.headersSent) send(res, status, { error: (error as Error).message });
      if (status === 413) req.destroy();
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port, options.host ?? "127.0.0.1", resolve),
  );
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
