import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { port8000ServiceMonitor } from "../../components/prometheus/monitors";
import { buildPrometheusConfig } from "../../components/prometheus/scrape";
import { Job } from "../../lib/conventions";
import { runTool } from "../../lib/tools";
import { parseLocalArgs, UsageError } from "../../local/args";
import { movePorts, portsFrom } from "../../local/ports";
import { renderLocalFiles } from "../../local/render";
import { loadLocalStackConfig } from "../../local/stack-config";

/** The local stack's config: flags, port moves, and the files it renders (judged by promtool). */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "port8000-local-config-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("flags default to the contract and a bad one is named", () => {
  expect(parseLocalArgs([])).toEqual({
    stateDir: ".local",
    portBase: 19090,
    timeScale: 1,
    bots: 8,
  });
  expect(
    parseLocalArgs(["--state", "x", "--port-base=20000", "--time-scale", "60", "--bots", "3"]),
  ).toEqual({ stateDir: "x", portBase: 20000, timeScale: 60, bots: 3 });
  expect(() => parseLocalArgs(["--bots", "many"])).toThrow(/--bots/);
  expect(() => parseLocalArgs(["--time-scale", "0"])).toThrow(/--time-scale/);
  expect(() => parseLocalArgs(["--verbose"])).toThrow(UsageError);
  expect(() => parseLocalArgs(["--state"])).toThrow(/--state needs a value/);
});

test("--port-base moves every loopback port of the stack file, and only those", () => {
  expect(movePorts("http://127.0.0.1:19093/slack", 20000)).toBe("http://127.0.0.1:20003/slack");
  expect(movePorts("http://127.0.0.1:3000", 20000)).toBe("http://127.0.0.1:3000");
  const { config, secrets } = loadLocalStackConfig("Pulumi.local.yaml", 20000);
  expect(config.alerting.pagerduty.url).toBe("http://127.0.0.1:20003/pagerduty");
  expect(config.alerting.email.smarthost).toBe("127.0.0.1:20006");
  expect(config.service.healthUrl).toBe("http://127.0.0.1:20002/health");
  expect(secrets.slackWebhookUrl).toBe("http://127.0.0.1:20003/slack");
});

test("the rendered local Prometheus config passes promtool with the rule file beside it", () => {
  const local = loadLocalStackConfig("Pulumi.local.yaml", 20000);
  const files = renderLocalFiles(dir, local, portsFrom(20000), 60);
  const check = runTool("promtool", ["check", "config", files.prometheusConfig]);
  expect(check.output).toContain("SUCCESS");
  expect(check.ok).toBe(true);
  const doc = yaml.load(readFileSync(files.prometheusConfig, "utf8")) as {
    global: Record<string, string>;
  };
  expect(doc.global.scrape_interval).toBe("1s");
  expect(doc.global.evaluation_interval).toBe("1s");
  const am = runTool("amtool", ["check-config", files.alertmanagerConfig]);
  expect(am.ok).toBe(true);
});

test("every contract job is scraped, the health probe through the blackbox exporter", () => {
  const { config } = loadLocalStackConfig("Pulumi.local.yaml", 19090);
  const built = buildPrometheusConfig(config, { timeScale: 1 });
  // The local stack scrapes as often as the deployed ServiceMonitor scrapes Port 8000.
  const [deployed] = port8000ServiceMonitor(config).spec.endpoints as { interval: string }[];
  expect(built.global.scrape_interval).toBe(deployed.interval);
  const jobs = built.scrape_configs.map((j) => j.job_name);
  expect(jobs).toEqual(
    expect.arrayContaining([Job.port8000, Job.node, Job.health, Job.logPipeline]),
  );
  const probe = built.scrape_configs.find((j) => j.job_name === Job.health);
  expect(probe).toMatchObject({ metrics_path: "/probe", params: { module: ["http_2xx"] } });
  expect(JSON.stringify(probe)).toContain(config.service.healthUrl);
});
