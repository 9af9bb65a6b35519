import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { WebhookAlert } from "../automation/alertmanager-webhook";
import { type AutomationServer, startAutomationServer } from "../automation/server";
import { AUTOMATION_ALERTS_PATH } from "../components/alertmanager/receivers";
import { AUTOMATION_ALERTS } from "../components/automation/workload";
import { httpUrl, LOOPBACK } from "./ports";
import type { LocalStackConfig } from "./stack-config";

/**
 * The real automation service behind the automation sink. Heap snapshots are real HTTP calls to
 * the simulator (service.heapSnapshotUrl); log rotation is recorded, not run, on a laptop.
 */

export interface LocalAutomation {
  readonly server: AutomationServer;
  /** Where the sink forwards Alertmanager's webhook. */
  readonly alertsUrl: string;
}

export const AUTOMATION_DIR = "automation";

function appendJson(file: string, entry: Record<string, unknown>): void {
  appendFileSync(file, `${JSON.stringify({ ...entry, at: Date.now() })}\n`);
}

export async function startLocalAutomation(
  stateDir: string,
  local: LocalStackConfig,
  port: number,
): Promise<LocalAutomation> {
  const dir = join(stateDir, AUTOMATION_DIR);
  mkdirSync(dir, { recursive: true });
  const token = local.secrets.automationToken;
  if (!token) throw new Error("automationToken: Pulumi.local.yaml needs a fake value");
  const server = await startAutomationServer({
    port,
    host: LOOPBACK,
    token,
    alerts: AUTOMATION_ALERTS,
    stateDir: dir,
    runLogRotation: async (alert: WebhookAlert) => {
      const command = local.config.alerting.automation.logRotationCommand.join(" ");
      appendJson(join(dir, "log-rotations.jsonl"), { command, alert: alert.labels });
      return `recorded (not run locally): ${command}`;
    },
    requestHeapSnapshot: async () => {
      const res = await fetch(local.config.service.heapSnapshotUrl, { method: "POST" });
      if (!res.ok) throw new Error(`heap snapshot request failed: ${res.status}`);
      return `heap snapshot taken: ${await res.text()}`;
    },
    log: (entry) => appendJson(join(dir, "actions.jsonl"), entry),
  });
  return { server, alertsUrl: `${httpUrl(port)}${AUTOMATION_ALERTS_PATH}` };
}
