import { Receiver } from "../../lib/conventions";
import { ChildName } from "../../local/children";
import type { LocalStack } from "../../local/stack";
import {
  firingInPrometheus,
  inject,
  startE2eStack,
  stopE2eStack,
  waitFor,
  waitForNotification,
} from "./support/harness";
import { about } from "./support/notifications";

/** Faults of the pipeline itself: restarts and a receiver outage lose no page and add none. */

jest.setTimeout(120_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let stack: LocalStack | undefined;

beforeAll(async () => {
  stack = await startE2eStack(19300);
}, 90_000);

afterAll(async () => {
  await stopE2eStack(stack);
});

async function activeInAlertmanager(s: LocalStack, alertname: string, severity: string) {
  const filter = encodeURIComponent(`alertname="${alertname}"`);
  const res = await fetch(`${s.urls.alertmanager}/api/v2/alerts?filter=${filter}`);
  const alerts = (await res.json()) as {
    labels: Record<string, string>;
    status: { state: string };
  }[];
  return alerts.some((a) => a.labels.severity === severity && a.status.state === "active");
}

function running(): LocalStack {
  if (!stack) throw new Error("the local stack did not start");
  return stack;
}

async function clearAndWaitResolved(s: LocalStack, alertname: string): Promise<void> {
  await inject(s, {});
  await waitForNotification(s, Receiver.pagerdutyCritical, alertname, "resolved");
}

test("Alertmanager restarted mid-incident pages once: its notification log is on disk", async () => {
  const s = running();
  await inject(s, { errorRatio: 0.2 });
  await waitForNotification(s, Receiver.pagerdutyCritical, "Port8000HighErrorRate");
  const pidBefore = s.supervisor.pid(ChildName.alertmanager);
  await s.restart(ChildName.alertmanager);
  expect(s.supervisor.pid(ChildName.alertmanager)).not.toBe(pidBefore);
  // Prometheus resends within 1 s; group_wait and group_interval are 1 s at this scale.
  await sleep(10_000);
  expect(await firingInPrometheus(s, "Port8000HighErrorRate", "critical")).toBe(true);
  const pages = about(s.stateDir, Receiver.pagerdutyCritical, "Port8000HighErrorRate", "firing");
  expect(pages).toHaveLength(1);
  await clearAndWaitResolved(s, "Port8000HighErrorRate");
});

test("PagerDuty down for a while, then back, still gets the page (Alertmanager retries)", async () => {
  const s = running();
  s.sinks.setOutage(Receiver.pagerdutyCritical, true);
  const outageFrom = Date.now();
  try {
    await inject(s, { queueDepth: 50 });
    // The SMS backup is paged meanwhile, so the alert did reach Alertmanager.
    await waitForNotification(s, Receiver.smsBackup, "Port8000QueueBacklog");
    await sleep(5_000);
    expect(about(s.stateDir, Receiver.pagerdutyCritical, "Port8000QueueBacklog")).toEqual([]);
  } finally {
    s.sinks.setOutage(Receiver.pagerdutyCritical, false);
  }
  const page = await waitForNotification(s, Receiver.pagerdutyCritical, "Port8000QueueBacklog");
  expect(page.receivedAt).toBeGreaterThan(outageFrom + 5_000);
  await clearAndWaitResolved(s, "Port8000QueueBacklog");
});

test("Prometheus restarted resumes the alert from its data on disk", async () => {
  const s = running();
  await inject(s, { ollamaLatencyMs: 900 });
  await waitForNotification(s, Receiver.pagerdutyCritical, "Port8000DependencyLatencyHigh");
  await s.restart(ChildName.prometheus);
  await waitFor("the alert firing again after the restart", async () =>
    (await firingInPrometheus(s, "Port8000DependencyLatencyHigh", "critical")) ? true : undefined,
  );
  await waitFor("the alert active in Alertmanager again", async () =>
    (await activeInAlertmanager(s, "Port8000DependencyLatencyHigh", "critical")) ? true : undefined,
  );
  await sleep(5_000);
  const pages = about(s.stateDir, Receiver.pagerdutyCritical, "Port8000DependencyLatencyHigh");
  expect(pages.map((p) => p.status)).toEqual(["firing"]);
  await clearAndWaitResolved(s, "Port8000DependencyLatencyHigh");
});
