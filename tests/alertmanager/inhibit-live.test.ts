import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import {
  receiverSecretsFromStackConfig,
  writeLocalAlertmanager,
} from "../../components/alertmanager/local";
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

beforeAll(async () => {
  const dir = tempDir("am-live");
  const configFile = writeLocalAlertmanager(stackConfig("local"), dir, {
    timeScale: 1,
    secrets: receiverSecretsFromStackConfig(stackFile("local").config),
  });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  am = spawn(
    "prometheus-alertmanager",
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

afterAll(() => {
  am?.kill("SIGTERM");
});

const alert = (alertname: string, severity: string) => ({
  labels: { alertname, severity, service: "port8000" },
  annotations: { summary: alertname },
  startsAt: new Date().toISOString(),
});

async function stateOf(alertname: string, severity: string): Promise<ApiAlert | undefined> {
  const alerts = (await (await fetch(`${url}/api/v2/alerts`)).json()) as ApiAlert[];
  return alerts.find((a) => a.labels.alertname === alertname && a.labels.severity === severity);
}

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
    ]),
  });
  expect(posted.status).toBe(200);
  expect((await stateOf("HostDiskSpaceLow", "warning"))?.status.state).toBe("suppressed");
  expect((await stateOf("Port8000HighLatency", "warning"))?.status.state).toBe("suppressed");
  expect((await stateOf("HostDiskSpaceLow", "critical"))?.status.state).toBe("active");
  expect((await stateOf("Port8000BotHighCpu", "warning"))?.status.state).toBe("active");
  expect((await stateOf("Port8000Down", "critical"))?.status.state).toBe("active");
});
