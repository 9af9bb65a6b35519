import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import {
  receiverSecretsFromStackConfig,
  writeLocalAlertmanager,
} from "../../components/alertmanager/local";
import { alertmanagerVersion, supportsWebhookUrlFile } from "../../lib/alertmanager-version";
import { localServerCommand } from "../../lib/tools";
import { stackConfig, stackFile, tempDir } from "./support";

/** Inhibition as the real Alertmanager applies it, on loopback, from the rendered local config. */

jest.setTimeout(60_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

interface ApiAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

let am: ChildProcess | undefined;
let url = "";

const { command } = localServerCommand("alertmanager");

beforeAll(async () => {
  const dir = tempDir("am-live");
  const configFile = writeLocalAlertmanager(stackConfig("local"), dir, {
    timeScale: 1,
    secrets: receiverSecretsFromStackConfig(stackFile("local").config),
    urlFile: supportsWebhookUrlFile(alertmanagerVersion(command)),
  });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  am = spawn(
    command,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ],
    { stdio: "ignore" },
  );
  am.on("error", (error) => {
    throw error;
  });
  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`${url}/-/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("Alertmanager did not become ready");
});

// Alertmanager writes its state on SIGTERM: wait for it to exit before its directory goes.
afterAll(async () => {
  if (!am || am.exitCode !== null || am.signalCode !== null) return;
  const exited = new Promise((done) => am?.once("exit", done));
  am.kill("SIGTERM");
  await exited;
});

const alert = (alertname: string, severity: string) => ({
  labels: { alertname, severity, service: "port8000" },
  annotations: { summary: alertname },
  startsAt: new Date().toISOString(),
});

async function stateOf(alertname: string, severity: string): Promise<ApiAlert | undefined> {
  const alerts = (await (await fetch(`${url}/api/v2/alerts`)).json()) as ApiAlert[];
  // Only the alert with exactly these labels (other tests post the same names with more).
  return alerts.find(
    (a) =>
      a.labels.alertname === alertname &&
      a.labels.severity === severity &&
      Object.keys(a.labels).length === 3,
  );
}

/** The alert whose labels include every one given (labels not given may be anything). */
async function stateWith(labels: Record<string, string>): Promise<string | undefined> {
  const alerts = (await (await fetch(`${url}/api/v2/alerts`)).json()) as ApiAlert[];
  const found = alerts.filter((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} alerts match ${JSON.stringify(labels)}`);
  return found[0].status.state;
}

/**
 * The inhibitor learns of posted alerts asynchronously: wait until `probe` reports `state`
 * (a muted alert is asked first, so the active ones after it are read once the batch is in).
 */
async function becomes(state: string, probe: () => Promise<string | undefined>): Promise<string> {
  let last: string | undefined;
  for (const end = Date.now() + 10_000; Date.now() < end; ) {
    last = await probe();
    if (last === state) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return last ?? "absent";
}

async function postAlerts(alerts: object[]) {
  const posted = await fetch(`${url}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(alerts),
  });
  expect(posted.status).toBe(200);
}

const labelled = (alertname: string, severity: string, labels: Record<string, string>) => {
  const base = alert(alertname, severity);
  return { ...base, labels: { ...base.labels, ...labels } };
};

it("a bot's critical mutes that bot's warning only, not another bot's", async () => {
  await postAlerts([
    labelled("Port8000BotHighMemory", "critical", { job: "port8000", bot: "bot-1" }),
    labelled("Port8000BotHighMemory", "warning", { job: "port8000", bot: "bot-1" }),
    labelled("Port8000BotHighMemory", "warning", { job: "port8000", bot: "bot-2" }),
  ]);
  const of = (severity: string, bot: string) =>
    stateWith({ alertname: "Port8000BotHighMemory", severity, bot });
  expect(await becomes("suppressed", () => of("warning", "bot-1"))).toBe("suppressed");
  expect(await of("warning", "bot-2")).toBe("active");
  expect(await of("critical", "bot-1")).toBe("active");
});

it("a host's critical disk mutes its own warning, not another host's (whose logs still rotate)", async () => {
  const disk = (severity: string, ip: string, node: string) =>
    labelled("HostDiskSpaceLow", severity, {
      job: "node",
      instance: `${ip}:9100`,
      node,
      mountpoint: "/var/log",
    });
  await postAlerts([
    disk("critical", "10.9.0.1", "host-a"),
    disk("warning", "10.9.0.1", "host-a"),
    disk("warning", "10.9.0.2", "host-b"),
  ]);
  const of = (severity: string, node: string) =>
    stateWith({ alertname: "HostDiskSpaceLow", severity, node });
  expect(await becomes("suppressed", () => of("warning", "host-a"))).toBe("suppressed");
  expect(await of("warning", "host-b")).toBe("active");
});

it("one Prometheus volume's critical does not mute another volume's warning behind the same kubelet", async () => {
  const volume = (severity: string, pvc: string) =>
    labelled("PrometheusVolumeFilling", severity, {
      job: "kubelet",
      instance: "10.9.0.5:10250",
      namespace: "monitoring",
      persistentvolumeclaim: pvc,
    });
  await postAlerts([
    volume("critical", "prometheus-db-0"),
    volume("warning", "prometheus-db-0"),
    volume("warning", "prometheus-db-1"),
  ]);
  const of = (severity: string, pvc: string) =>
    stateWith({ alertname: "PrometheusVolumeFilling", severity, persistentvolumeclaim: pvc });
  expect(await becomes("suppressed", () => of("warning", "prometheus-db-0"))).toBe("suppressed");
  expect(await of("warning", "prometheus-db-1")).toBe("active");
});

it("the fast-burn critical mutes the slow-burn warning", async () => {
  await postAlerts([
    labelled("Port8000ErrorBudgetBurn", "critical", {
      job: "port8000",
      long_window: "1h",
      short_window: "5m",
    }),
    labelled("Port8000ErrorBudgetBurn", "warning", {
      job: "port8000",
      long_window: "1d",
      short_window: "2h",
    }),
  ]);
  const slowBurn = () => stateWith({ alertname: "Port8000ErrorBudgetBurn", severity: "warning" });
  expect(await becomes("suppressed", slowBurn)).toBe("suppressed");
});

it("mutes a warning while its critical fires, and Port8000Down's symptoms, not its causes", async () => {
  const posted = await fetch(`${url}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([
      alert("HostDiskSpaceLow", "critical"),
      alert("HostDiskSpaceLow", "warning"),
      alert("Port8000Down", "critical"),
      alert("Port8000HighLatency", "warning"),
      alert("Port8000BotHighCpu", "warning"),
      alert("Port8000DependencyLatencyHigh", "warning"),
      alert("Port8000DbPoolSaturated", "warning"),
    ]),
  });
  expect(posted.status).toBe(200);
  const state = async (alertname: string, severity: string) =>
    (await stateOf(alertname, severity))?.status.state;
  expect(await becomes("suppressed", () => state("HostDiskSpaceLow", "warning"))).toBe(
    "suppressed",
  );
  expect(await becomes("suppressed", () => state("Port8000HighLatency", "warning"))).toBe(
    "suppressed",
  );
  expect((await stateOf("HostDiskSpaceLow", "critical"))?.status.state).toBe("active");
  expect((await stateOf("Port8000BotHighCpu", "warning"))?.status.state).toBe("active");
  // A lost database or a slow Ollama is a cause of a failing /health: still heard.
  expect((await stateOf("Port8000DependencyLatencyHigh", "warning"))?.status.state).toBe("active");
  expect((await stateOf("Port8000DbPoolSaturated", "warning"))?.status.state).toBe("active");
  expect((await stateOf("Port8000Down", "critical"))?.status.state).toBe("active");
});
