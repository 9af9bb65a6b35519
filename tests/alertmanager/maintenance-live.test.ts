import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { LOCAL_SNS_ENV, writeLocalAlertmanager } from "../../components/alertmanager/local";
import { alertmanagerVersion, supportsWebhookUrlFile } from "../../lib/alertmanager-version";
import { Receiver } from "../../lib/conventions";
import { localServerCommand } from "../../lib/tools";
import { PORT_OFFSET } from "../../local/ports";
import { loadLocalStackConfig } from "../../local/stack-config";
import { ROOT, tempDir } from "./support";

/**
 * Maintenance windows on the real Alertmanager, on loopback: inside a window that covers now a
 * warning and an info are muted while a critical still pages; outside one the warning is sent.
 */

jest.setTimeout(90_000);

/** Every group_wait at its 1 s floor (the info route's 5m too): flushes come within seconds. */
const TIME_SCALE = 300;
const { command } = localServerCommand("alertmanager");
const running: { am: ChildProcess; sink: Server }[] = [];

// Alertmanager writes its state on SIGTERM: wait for it to exit before its directory goes.
afterAll(async () => {
  await Promise.all(
    running.map(({ am, sink }) => {
      sink.close();
      if (am.exitCode !== null || am.signalCode !== null) return undefined;
      const exited = new Promise((done) => am.once("exit", done));
      am.kill("SIGTERM");
      return exited;
    }),
  );
});

/** "HH:MM" of `now` shifted by `minutes`, on the wall clock of `zone`. */
function clockIn(zone: string, minutes: number): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(Date.now() + minutes * 60_000));
}

const ALL_DAYS = "[sunday, monday, tuesday, wednesday, thursday, friday, saturday]";

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

/** Starts a sink (every path it is posted to, in order) and an Alertmanager muted by `window`. */
async function start(window: { start: string; end: string; zone: string }) {
  const received: string[] = [];
  const sink = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received.push(req.url ?? "");
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  const sinkPort = await listen(sink);
  const probe = createServer();
  const amPort = await listen(probe);
  await new Promise((r) => probe.close(r));
  const dir = tempDir("am-maintenance");
  const stackFile = join(dir, "Pulumi.local.yaml");
  const maintenance = `  port8000-monitoring:maintenance:\n    windows:\n      - name: os-patch\n        weekdays: ${ALL_DAYS}\n        start: "${window.start}"\n        end: "${window.end}"\n        timeZone: ${window.zone}\n`;
  writeFileSync(stackFile, readFileSync(join(ROOT, "Pulumi.local.yaml"), "utf8") + maintenance);
  const { config, secrets } = loadLocalStackConfig(stackFile, sinkPort - PORT_OFFSET.sinks);
  const configFile = writeLocalAlertmanager(config, dir, {
    timeScale: TIME_SCALE,
    secrets,
    urlFile: supportsWebhookUrlFile(alertmanagerVersion(command)),
  });
  const am = spawn(
    command,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      "--cluster.listen-address=",
    ],
    { stdio: "ignore", env: { ...process.env, ...LOCAL_SNS_ENV } },
  );
  running.push({ am, sink });
  const url = `http://127.0.0.1:${amPort}`;
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/-/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, received };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("Alertmanager did not become ready");
}

async function post(url: string) {
  const alert = (alertname: string, severity: string) => ({
    labels: { alertname, severity, service: "port8000", job: "port8000" },
    annotations: { summary: alertname },
    startsAt: new Date().toISOString(),
  });
  const res = await fetch(`${url}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([
      alert("Port8000QueueBacklog", "critical"),
      alert("Port8000HighLatency", "warning"),
      alert("Port8000LogVolumeSpike", "info"),
    ]),
  });
  expect(res.status).toBe(200);
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

interface AlertGroup {
  receiver: { name: string };
  alerts: { labels: Record<string, string>; status: { mutedBy: string[] } }[];
}

/**
 * The receivers of the groups that hold one of these alerts, each with whether Alertmanager has
 * muted it: a group is marked muted (mutedBy) when a flush found it inside a time interval.
 */
async function groupsOf(url: string, alertnames: string[]): Promise<Map<string, boolean>> {
  const groups = (await (await fetch(`${url}/api/v2/alerts/groups`)).json()) as AlertGroup[];
  const holding = groups.filter((g) =>
    g.alerts.some((a) => alertnames.includes(a.labels.alertname)),
  );
  return new Map(
    holding.map((g) => [
      g.receiver.name,
      g.alerts.every((a) => a.status.mutedBy.includes("os-patch")),
    ]),
  );
}

it("inside a window that covers now: the critical pages, the warning and the info are muted", async () => {
  const zone = "America/Chicago";
  const { url, received } = await start({
    start: clockIn(zone, -60),
    end: clockIn(zone, 60),
    zone,
  });
  await post(url);
  expect(await until(() => received.includes("/pagerduty"), 20_000)).toBe(true);
  expect(await until(() => received.includes("/sns"), 20_000)).toBe(true);
  // Every group of the warning and of the info has flushed and found itself in the window.
  const quiet = ["Port8000HighLatency", "Port8000LogVolumeSpike"];
  let groups = new Map<string, boolean>();
  const allMuted = async () => {
    groups = await groupsOf(url, quiet);
    return groups.size > 0 && [...groups.values()].every(Boolean);
  };
  expect(await until(allMuted, 20_000)).toBe(true);
  expect([...groups.keys()].sort()).toEqual([
    Receiver.emailDigest,
    Receiver.logOnly,
    Receiver.slackWarning,
  ]);
  expect(received).not.toContain("/slack");
  expect(received).not.toContain("/log-only");
});

it("outside the window (it starts in three hours): the warning and the info are sent", async () => {
  const { url, received } = await start({
    start: clockIn("UTC", 180),
    end: clockIn("UTC", 240),
    zone: "UTC",
  });
  await post(url);
  expect(await until(() => received.includes("/slack"), 20_000)).toBe(true);
  expect(await until(() => received.includes("/log-only"), 20_000)).toBe(true);
  // Every group waits the same scaled group_wait: the page may arrive after the other two.
  expect(await until(() => received.includes("/pagerduty"), 20_000)).toBe(true);
});
