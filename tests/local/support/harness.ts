import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalStack, startLocalStack } from "../../../local/stack";
import { about, type Status } from "./notifications";

/** Starts the real local stack for one test file and waits on what its sinks receive. */

export const E2E_TIME_SCALE = 60;

export async function startE2eStack(
  portBase: number,
  bots = 8,
  nodeExporterArgs?: readonly string[],
): Promise<LocalStack> {
  const stateDir = mkdtempSync(join(tmpdir(), "port8000-e2e-"));
  return startLocalStack({ stateDir, portBase, timeScale: E2E_TIME_SCALE, bots, nodeExporterArgs });
}

export async function stopE2eStack(stack: LocalStack | undefined): Promise<void> {
  if (!stack) return;
  await stack.stop();
  rmSync(stack.stateDir, { recursive: true, force: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s: ${what}`);
    await sleep(250);
  }
}

export function waitForNotification(
  stack: LocalStack,
  receiver: string,
  alertname: string,
  status: Status = "firing",
  timeoutMs?: number,
) {
  return waitFor(
    `${status} ${alertname} at ${receiver}`,
    () => about(stack.stateDir, receiver, alertname, status)[0],
    timeoutMs,
  );
}

export async function inject(stack: LocalStack, faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${stack.urls.simulator}/admin/fault`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(faults),
  });
  if (res.status !== 200) throw new Error(`fault rejected: ${res.status} ${await res.text()}`);
}

export interface ActiveAlert {
  readonly labels: Record<string, string>;
  readonly state: string;
}

export async function prometheusAlerts(stack: LocalStack): Promise<ActiveAlert[]> {
  const res = await fetch(`${stack.urls.prometheus}/api/v1/alerts`);
  const doc = (await res.json()) as { data: { alerts: ActiveAlert[] } };
  return doc.data.alerts;
}

/** An alert as Alertmanager's API v2 reports it (state, and what inhibits or silences it). */
export interface AlertmanagerAlert {
  readonly fingerprint: string;
  readonly labels: Record<string, string>;
  readonly status: { state: string; inhibitedBy: string[]; silencedBy: string[] };
}

export async function alertmanagerAlerts(
  stack: LocalStack,
  alertname: string,
): Promise<AlertmanagerAlert[]> {
  const filter = encodeURIComponent(`alertname="${alertname}"`);
  const res = await fetch(`${stack.urls.alertmanager}/api/v2/alerts?filter=${filter}`);
  return (await res.json()) as AlertmanagerAlert[];
}

/** The sum of one of Alertmanager's own counters over the series with these labels. */
export async function alertmanagerCounter(
  stack: LocalStack,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await fetch(`${stack.urls.alertmanager}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => wanted.every((pair) => line.slice(0, line.lastIndexOf(" ")).includes(pair)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

export async function firingInPrometheus(
  stack: LocalStack,
  alertname: string,
  severity: string,
): Promise<boolean> {
  return (await prometheusAlerts(stack)).some(
    (a) =>
      a.state === "firing" && a.labels.alertname === alertname && a.labels.severity === severity,
  );
}
