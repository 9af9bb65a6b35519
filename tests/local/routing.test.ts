import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RECEIVERS, Receiver } from "../../lib/conventions";
import { APP_METRICS, LOG_PIPELINE_METRICS } from "../../lib/metrics";
import type { LocalStack } from "../../local/stack";
import {
  alertmanagerAlerts,
  alertmanagerCounter,
  firingInPrometheus,
  inject,
  startE2eStack,
  stopE2eStack,
  waitFor,
  waitForNotification,
} from "./support/harness";
import { eatMemory, samplesOf, stopEating } from "./support/memory";
import { about, notifications } from "./support/notifications";

/**
 * The routing contract on the real pipeline: simulator → Prometheus → Alertmanager → sinks,
 * at time scale 60 (a `for: 2m` is 2 s); the database detection and the automation path on the
 * same stack (one stack start is ~6 s of CPU).
 * Assertions name alerts, since host alerts of this machine may fire on their own.
 */

jest.setTimeout(120_000);

const PAGING = [
  Receiver.pagerdutyCritical,
  Receiver.smsBackup,
  Receiver.pagerdutyInfraLead,
  Receiver.slackWarning,
  Receiver.emailDigest,
];
/** Alertmanager counts each alert a group's flush drops as muted, by reason. */
const SUPPRESSED = "alertmanager_notifications_suppressed_total";

let stack: LocalStack | undefined;

beforeAll(async () => {
  stack = await startE2eStack(19200);
}, 90_000);

afterAll(async () => {
  await stopE2eStack(stack);
  expect(stack && existsSync(join(stack.stateDir, "ready.json"))).toBeFalsy();
});

function running(): LocalStack {
  if (!stack) throw new Error("the local stack did not start");
  return stack;
}

test("ready.json names every endpoint and the time scale", () => {
  const s = running();
  const ready = JSON.parse(readFileSync(join(s.stateDir, "ready.json"), "utf8"));
  expect(Object.keys(ready).sort()).toEqual(
    ["alertmanager", "prometheus", "simulator", "sinks", "timeScale"].sort(),
  );
  expect(ready.prometheus).toBe("http://127.0.0.1:19200");
  expect(ready.timeScale).toBe(60);
});

test("Prometheus scrapes every target, and the simulator serves every contract series", async () => {
  const s = running();
  const targets = await waitFor("every target up", async () => {
    const res = await fetch(`${s.urls.prometheus}/api/v1/targets`);
    const doc = (await res.json()) as {
      data: { activeTargets: { labels: { job: string }; health: string }[] };
    };
    const all = doc.data.activeTargets;
    return all.length >= 6 && all.every((t) => t.health === "up") ? all : undefined;
  });
  expect(targets.map((t) => t.labels.job).sort()).toEqual(
    ["alertmanager", "logstash", "node", "port8000", "port8000-health", "prometheus"].sort(),
  );
  const app = await (await fetch(`${s.urls.simulator}/metrics`)).text();
  for (const name of Object.keys(APP_METRICS)) expect(app).toContain(`# TYPE ${name} `);
  const logs = await (await fetch(`${s.urls.simulator}/logstash/metrics`)).text();
  for (const name of Object.keys(LOG_PIPELINE_METRICS)) expect(logs).toContain(`# TYPE ${name} `);
});

test("a bad fault is refused with the field named, and nothing is applied", async () => {
  const s = running();
  const res = await fetch(`${s.urls.simulator}/admin/fault`, {
    method: "POST",
    body: JSON.stringify({ queueDepth: 50, errorRatio: 7 }),
  });
  expect(res.status).toBe(400);
  expect(await res.text()).toContain("errorRatio");
  const now = await (await fetch(`${s.urls.simulator}/admin/fault`)).json();
  expect(now).toEqual({ faults: {} });
});

test("a warning reaches Slack and the e-mail digest over SMTP, never a pager; resolved follows", async () => {
  const s = running();
  await inject(s, { queueDepth: 30 });
  await waitForNotification(s, Receiver.slackWarning, "Port8000QueueBacklog");
  // The digest batches: a warning joins the next one, up to one (scaled) group_interval later.
  const mail = await waitForNotification(
    s,
    Receiver.emailDigest,
    "Port8000QueueBacklog",
    "firing",
    90_000,
  );
  expect((mail.body as { to: string[] }).to).toEqual(["oncall@localhost.localdomain"]);
  await inject(s, {});
  await waitForNotification(s, Receiver.slackWarning, "Port8000QueueBacklog", "resolved");
  for (const receiver of [Receiver.pagerdutyCritical, Receiver.smsBackup]) {
    expect(about(s.stateDir, receiver, "Port8000QueueBacklog")).toEqual([]);
  }
});

test("a critical error rate pages PagerDuty and the SMS backup, posts to Slack, and resolves after {}", async () => {
  const s = running();
  await inject(s, { errorRatio: 0.2 });
  const page = await waitForNotification(s, Receiver.pagerdutyCritical, "Port8000HighErrorRate");
  expect((page.body as { payload: { severity: string } }).payload.severity).toBe("critical");
  await waitForNotification(s, Receiver.smsBackup, "Port8000HighErrorRate");
  // Guide 2.1: the page is also posted to #deia-ops (the warning is inhibited, so this is it).
  await waitForNotification(s, Receiver.slackWarning, "Port8000HighErrorRate");
  await inject(s, {});
  await waitForNotification(s, Receiver.pagerdutyCritical, "Port8000HighErrorRate", "resolved");
  await waitForNotification(s, Receiver.smsBackup, "Port8000HighErrorRate", "resolved");
  expect(about(s.stateDir, Receiver.pagerdutyInfraLead, "Port8000HighErrorRate")).toEqual([]);
  // The routing contract: no automation receiver here (log evidence polls Alertmanager).
  expect(about(s.stateDir, Receiver.automation, "Port8000HighErrorRate")).toEqual([]);
});

test("a warning is muted while its critical fires", async () => {
  const s = running();
  const since = Date.now();
  const inhibition = { reason: "inhibition" };
  const mutedBefore = await alertmanagerCounter(s, SUPPRESSED, inhibition);
  await inject(s, { queueDepth: 50 });
  await waitForNotification(s, Receiver.pagerdutyCritical, "Port8000QueueBacklog");
  const ofSeverity = async (severity: string) =>
    (await alertmanagerAlerts(s, "Port8000QueueBacklog")).find(
      (a) => a.labels.severity === severity,
    );
  const critical = await waitFor("the critical in Alertmanager", () => ofSeverity("critical"));
  // Alertmanager's own word: the warning is inhibited, and by this critical.
  await waitFor("the warning inhibited by the critical", async () => {
    const warning = await ofSeverity("warning");
    return warning?.status.inhibitedBy.includes(critical.fingerprint) ? warning : undefined;
  });
  // Then its groups have flushed (Slack's and the digest's, or Slack's twice): every flush that
  // drops a muted alert counts it. Without the mute, these flushes would have sent it.
  await waitFor("flushes that dropped the muted warning", async () =>
    (await alertmanagerCounter(s, SUPPRESSED, inhibition)) >= mutedBefore + 2 ? true : undefined,
  );
  const muted = [Receiver.slackWarning, Receiver.emailDigest].flatMap((r) =>
    about(s.stateDir, r, "Port8000QueueBacklog", "firing").filter((n) => n.receivedAt > since),
  );
  expect(muted).toEqual([]);
  await inject(s, {});
  await waitForNotification(s, Receiver.pagerdutyCritical, "Port8000QueueBacklog", "resolved");
});

test("an unhealthy /health (blackbox probe) and a crash-looping bot page", async () => {
  const s = running();
  await inject(s, { healthy: false, crashBot: "bot-03" });
  await waitForNotification(s, Receiver.pagerdutyCritical, "Port8000Down");
  const crash = await waitForNotification(s, Receiver.pagerdutyCritical, "Port8000BotCrashLoop");
  expect(JSON.stringify(crash.body)).toContain("bot-03");
  await inject(s, {});
  await waitForNotification(s, Receiver.pagerdutyCritical, "Port8000Down", "resolved");
});

test("the Watchdog pings the heartbeat, never pages; info is logged only", async () => {
  const s = running();
  await waitForNotification(s, Receiver.heartbeat, "Watchdog");
  expect(about(s.stateDir, Receiver.logOnly, "Watchdog")).toEqual([]);
  expect(await firingInPrometheus(s, "Watchdog", "info")).toBe(true);
  for (const receiver of PAGING) expect(about(s.stateDir, receiver, "Watchdog")).toEqual([]);
  const infoElsewhere = PAGING.flatMap((r) => notifications(s.stateDir, r)).filter((n) =>
    JSON.stringify(n.body).includes('"severity":"info"'),
  );
  expect(infoElsewhere).toEqual([]);
  expect(RECEIVERS).toContain(Receiver.logOnly);
});

/** The database detection of issue 18: a lost database pages, a slow one warns. */
describe("database detection", () => {
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
});

/**
 * The automation path: Port8000MemoryLeak (warning) → Alertmanager → automation webhook (sink,
 * then the real automation service) → heap snapshot requested from Port 8000. Last, since it
 * eats host memory.
 */
describe("automation", () => {
  let eater: ChildProcess | undefined;
  afterAll(() => stopEating(eater));

  test("a memory leak warning reaches the automation service, which takes a heap snapshot", async () => {
    const s = running();
    await waitFor("a baseline of resident memory in Prometheus", () =>
      samplesOf(s, 'process_resident_memory_bytes{job="port8000"}', 3),
    );
    await inject(s, { residentMemoryMb: 900 });
    eater = eatMemory();
    const hook = await waitForNotification(s, Receiver.automation, "Port8000MemoryLeak");
    expect((hook.body as { status: string }).status).toBe("firing");
    await waitForNotification(s, Receiver.slackWarning, "Port8000MemoryLeak");
    const snapshots = join(s.stateDir, "automation", "heap-snapshots.jsonl");
    await waitFor("a heap snapshot taken on Port 8000", () =>
      existsSync(snapshots) && readFileSync(snapshots, "utf8").trim() !== "" ? true : undefined,
    );
    // The service records the action after the snapshot it took: wait for that line too.
    const actionLog = join(s.stateDir, "automation", "actions.jsonl");
    const actions = await waitFor("the heap snapshot in the action log", () => {
      const text = existsSync(actionLog) ? readFileSync(actionLog, "utf8") : "";
      return text.includes("heap-snapshot") ? text : undefined;
    });
    expect(actions).toContain("heap-snapshot");
    await stopEating(eater);
    await inject(s, {});
  });

  test("the automation service refuses a webhook without the bearer token", async () => {
    const s = running();
    const res = await fetch(`${s.urls.sinks}/automation`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "firing", alerts: [] }),
    });
    expect(res.status).toBe(401);
  });
});
