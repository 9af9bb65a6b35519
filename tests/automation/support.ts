import type { WebhookAlert } from "../../automation/alertmanager-webhook";
import {
  type AutomationOptions,
  type AutomationServer,
  startAutomationServer,
} from "../../automation/server";
import { AUTOMATION_ALERTS } from "../../components/automation/workload";

/** The automation service on loopback, as the suites that drive it over HTTP start it. */

export const TOKEN = "test-token-0123456789";

export interface AutomationHarness {
  readonly server: AutomationServer;
  /** The alerts each action was called for, in order. */
  readonly rotations: WebhookAlert[];
  readonly snapshots: WebhookAlert[];
  readonly restarts: WebhookAlert[];
  readonly logged: Record<string, unknown>[];
  /** Where it keeps handled notifications and the freeze; in memory without one. */
  readonly stateDir?: string;
}

export interface HarnessOptions {
  readonly stateDir?: string;
  /** The log rotation throws (its CronJob is missing). */
  readonly failRotation?: boolean;
}

/** The service with the real alert names, recording what it did instead of doing it. */
export async function startAutomation(options: HarnessOptions = {}): Promise<AutomationHarness> {
  const h: Recorders = { rotations: [], snapshots: [], restarts: [], logged: [] };
  const server = await startAutomationServer(serverOptions(h, options));
  return { ...h, server, stateDir: options.stateDir };
}

type Recorders = Omit<AutomationHarness, "server" | "stateDir">;

function serverOptions(h: Recorders, options: HarnessOptions): AutomationOptions {
  return {
    port: 0,
    host: "127.0.0.1",
    token: TOKEN,
    alerts: AUTOMATION_ALERTS,
    stateDir: options.stateDir,
    log: (entry) => h.logged.push(entry),
    runLogRotation: async (a) => {
      if (options.failRotation) throw new Error("cronjob missing");
      h.rotations.push(a);
      return "rotated";
    },
    requestHeapSnapshot: async (a) => {
      h.snapshots.push(a);
      return "snapshot";
    },
    restartDeployment: async (a) => {
      h.restarts.push(a);
      return "restarted";
    },
  };
}

/** One alert of an Alertmanager webhook notification, for node-a unless labels say otherwise. */
export function alert(
  alertname: string,
  severity: string,
  status = "firing",
  fingerprint = `fp-${alertname}-${severity}`,
) {
  return {
    status,
    labels: { alertname, severity, service: "port8000", instance: "node-a:9100" },
    annotations: { summary: "s" },
    startsAt: "2025-10-25T04:00:00Z",
    endsAt: "0001-01-01T00:00:00Z",
    fingerprint,
  };
}

/** The notification (webhook version 4) the `automation` receiver sends. */
export const payload = (...alerts: unknown[]) => ({
  version: "4",
  status: "firing",
  receiver: "automation",
  alerts,
});

/** POST a notification (or a raw body) the way Alertmanager does, with the bearer token. */
export function post(
  h: AutomationHarness,
  body: unknown,
  headers: Record<string, string> = {},
  path = "/alerts",
) {
  return fetch(`${h.server.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** GET /freeze: 200 or 423, the freeze state as JSON. */
export function freezeStatus(h: AutomationHarness) {
  return fetch(`${h.server.url}/freeze`, { headers: { authorization: `Bearer ${TOKEN}` } });
}
