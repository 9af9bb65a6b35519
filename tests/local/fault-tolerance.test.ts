import { Receiver } from "../../lib/conventions";
import { ChildName } from "../../local/children";
import type { LocalStack } from "../../local/stack";
import {
  alertmanagerCounter,
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

/** Requests Alertmanager's PagerDuty integration made and the receiver refused (or lost). */
function failedPagerDutyRequests(s: LocalStack): Promise<number> {
  return alertmanagerCounter(s, "alertmanager_notification_requests_failed_total", {
    integration: "pagerduty",
  });
}

function pageStatuses(s: LocalStack, alertname: string): string[] {
  return about(s.stateDir, Receiver.pagerdutyCritical, alertname).map((p) => p.status);
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
  // Prometheus resends it to the new Alertmanager, whose group flushes it 1 s later (group_wait).
  await waitFor("the alert active in the restarted Alertmanager", async () =>
    (await activeInAlertmanager(s, "Port8000HighErrorRate", "critical")) ? true : undefined,
  );
  expect(await firingInPrometheus(s, "Port8000HighErrorRate", "critical")).toBe(true);
  await clearAndWaitResolved(s, "Port8000HighErrorRate");
  // The resolved notice is a later flush of that same group: a second page would have come first.
  expect(pageStatuses(s, "Port8000HighErrorRate")).toEqual(["firing", "resolved"]);
});

test("PagerDuty down for a while, then back, still gets the page (Alertmanager retries)", async () => {
  const s = running();
  const failedBefore = await failedPagerDutyRequests(s);
  s.sinks.setOutage(Receiver.pagerdutyCritical, true);
  let retried: number;
  try {
    await inject(s, { queueDepth: 50 });
    // The SMS backup is paged meanwhile, so the alert did reach Alertmanager.
    await waitForNotification(s, Receiver.smsBackup, "Port8000QueueBacklog");
    // Alertmanager tried PagerDuty, was refused, and tried again.
    await waitFor("two refused PagerDuty requests", async () =>
      (await failedPagerDutyRequests(s)) >= failedBefore + 2 ? true : undefined,
    );
    retried = Date.now();
    expect(about(s.stateDir, Receiver.pagerdutyCritical, "Port8000QueueBacklog")).toEqual([]);
  } finally {
    s.sinks.setOutage(Receiver.pagerdutyCritical, false);
  }
  const page = await waitForNotification(s, Receiver.pagerdutyCritical, "Port8000QueueBacklog");
  expect(page.receivedAt).toBeGreaterThan(retried);
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
  await clearAndWaitResolved(s, "Port8000DependencyLatencyHigh");
  // No resolve and re-page across the restart: one firing, then the final resolved notice.
  expect(pageStatuses(s, "Port8000DependencyLatencyHigh")).toEqual(["firing", "resolved"]);
});
