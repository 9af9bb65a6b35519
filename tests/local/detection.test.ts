import { Receiver } from "../../lib/conventions";
import type { LocalStack } from "../../local/stack";
import { inject, startE2eStack, stopE2eStack, waitForNotification } from "./support/harness";
import { about } from "./support/notifications";

/**
 * The database detection of issue 18 on the real pipeline (simulator → Prometheus →
 * Alertmanager → sinks, time scale 60): a lost database pages, a slow one warns.
 */

jest.setTimeout(120_000);

let stack: LocalStack | undefined;

beforeAll(async () => {
  stack = await startE2eStack(19800);
}, 90_000);

afterAll(async () => {
  await stopE2eStack(stack);
});

function running(): LocalStack {
  if (!stack) throw new Error("the local stack did not start");
  return stack;
}

test("dbDown pages PagerDuty and the SMS backup with Port8000DatabaseUnreachable, and it resolves", async () => {
  const s = running();
  await inject(s, { dbDown: true });
  const page = await waitForNotification(
    s,
    Receiver.pagerdutyCritical,
    "Port8000DatabaseUnreachable",
  );
  expect((page.body as { payload: { severity: string } }).payload.severity).toBe("critical");
  await waitForNotification(s, Receiver.smsBackup, "Port8000DatabaseUnreachable");
  await inject(s, {});
  await waitForNotification(
    s,
    Receiver.pagerdutyCritical,
    "Port8000DatabaseUnreachable",
    "resolved",
  );
});

test("dbLatencyMs 400 warns in Slack with Port8000DbLatencyHigh, never a pager", async () => {
  const s = running();
  await inject(s, { dbLatencyMs: 400 });
  await waitForNotification(s, Receiver.slackWarning, "Port8000DbLatencyHigh");
  expect(about(s.stateDir, Receiver.pagerdutyCritical, "Port8000DbLatencyHigh")).toEqual([]);
  await inject(s, {});
});
