import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { alertmanagerHelmValues } from "../../components/alertmanager/helm-values";
import { PROD_PATHS, RECEIVER_SECRET_NAME } from "../../components/alertmanager/paths";
import {
  alertmanagerArtifacts,
  renderAlertmanagerConfig,
  renderAlertmanagerFile,
} from "../../components/alertmanager/render";
import { ArtifactPath, RECEIVERS, Receiver } from "../../lib/conventions";
import { loadChartDefaults, unknownValuePaths } from "../support/chart-values";
import { amtool, STACKS, stackConfig, tempDir, writeFiles } from "./support";

/** Deep copy with every object's keys in reverse insertion order. */
function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as object).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, reversedKeys(v)])) as T;
}

/** `amtool config routes` of the prod config: the routing contract, written out. */
const PROD_ROUTING_TREE = `Routing tree:
.
└── default-route  receiver: slack-warning
    ├── {alertname="Watchdog"}  receiver: heartbeat
    ├── {severity="critical"}  receiver: pagerduty-critical
    │   ├── default-route  continue: true  receiver: pagerduty-critical
    │   ├── default-route  continue: true  receiver: sms-backup
    │   ├── {alertname="Port8000HighErrorRate"}  continue: true  receiver: slack-warning
    │   ├── {alertname="HostDiskSpaceLow"}  continue: true  receiver: pagerduty-infra-lead
    │   └── {alertname=~"HostDiskSpaceLow|Port8000MemoryLeak"}  continue: true  receiver: automation
    ├── {severity="warning"}  receiver: slack-warning
    │   ├── default-route  continue: true  receiver: slack-warning
    │   ├── default-route  continue: true  receiver: email-digest
    │   └── {alertname=~"HostDiskSpaceLow|Port8000MemoryLeak"}  continue: true  receiver: automation
    └── {severity="info"}  receiver: log-only`;

describe("alertmanager.yml", () => {
  it.each(STACKS)("is accepted by amtool check-config for the %s stack", (stack) => {
    const dir = writeFiles(alertmanagerArtifacts(stackConfig(stack), { timeScale: 1 }));
    const { ok, output } = amtool(["check-config", join(dir, ArtifactPath.alertmanager)]);
    expect(output).toContain("SUCCESS");
    expect(ok).toBe(true);
  });

  it("is accepted with its templates loaded, so a template syntax error fails", () => {
    const dir = tempDir("am-templates");
    const files = alertmanagerArtifacts(stackConfig("prod"), { timeScale: 1 });
    writeFiles(files, dir);
    const config = renderAlertmanagerFile(stackConfig("prod"), {
      secretsDir: PROD_PATHS.secretsDir,
      templatesDir: join(dir, "alertmanager", "templates"),
      timeScale: 1,
    });
    writeFiles({ "with-templates.yml": config }, dir);
    const checked = amtool(["check-config", join(dir, "with-templates.yml")]);
    expect(checked.output).toContain(" - 1 templates");
    expect(checked.ok).toBe(true);

    writeFiles({ "alertmanager/templates/broken.tmpl": '{{ define "x" }}{{ if }}' }, dir);
    expect(amtool(["check-config", join(dir, "with-templates.yml")]).ok).toBe(false);
  });

  it("a broken config is rejected (the validator can fail)", () => {
    const dir = writeFiles({ "bad.yml": "route:\n  receiver: nobody\nreceivers: []\n" });
    expect(amtool(["check-config", join(dir, "bad.yml")]).ok).toBe(false);
  });

  it("declares every receiver of the routing contract, and only those", () => {
    const rendered = renderAlertmanagerConfig(stackConfig("prod"), { ...PROD_PATHS, timeScale: 1 });
    expect(rendered.receivers.map((r) => r.name).sort()).toEqual([...RECEIVERS].sort());
  });

  it("renders the same bytes, in a fixed key order, whatever order the config's keys come in", () => {
    const config = stackConfig("prod");
    const file = alertmanagerArtifacts(config, { timeScale: 1 })[ArtifactPath.alertmanager];
    const reordered = alertmanagerArtifacts(reversedKeys(config), { timeScale: 1 });
    expect(reordered[ArtifactPath.alertmanager]).toBe(file);
    expect(Object.keys(yaml.load(file) as object)).toEqual([
      "global",
      "route",
      "receivers",
      "inhibit_rules",
      "time_intervals",
      "templates",
    ]);
  });
});

describe("the log-only receiver", () => {
  const prod = stackConfig("prod");
  const logOnly = (config = prod) =>
    renderAlertmanagerConfig(config, { ...PROD_PATHS, timeScale: 1 }).receivers.find(
      (r) => r.name === Receiver.logOnly,
    );
  const alerting = (extra: object) => ({ ...prod, alerting: { ...prod.alerting, ...extra } });

  it("logs to the in-cluster automation service's /log-only, with its bearer token, in prod", () => {
    expect(prod.alerting.logOnlyUrl).toBeUndefined();
    expect(logOnly()).toEqual({
      name: Receiver.logOnly,
      webhook_configs: [
        {
          url: `http://port8000-automation.${prod.cluster.namespace}.svc:${prod.alerting.automation.port}/log-only`,
          send_resolved: true,
          http_config: {
            authorization: {
              type: "Bearer",
              credentials_file: `${PROD_PATHS.secretsDir}/automation-token`,
            },
          },
        },
      ],
    });
  });

  it("posts to alerting.logOnlyUrl, without credentials, when it is set", () => {
    const config = alerting({ logOnlyUrl: "http://sink.example:9/log-only" });
    expect(logOnly(config)).toEqual({
      name: Receiver.logOnly,
      webhook_configs: [{ url: "http://sink.example:9/log-only", send_resolved: true }],
    });
  });

  it("has no integration when the automation service runs outside the cluster", () => {
    const config = alerting({
      automation: { ...prod.alerting.automation, url: "https://automation.example/alerts" },
    });
    expect(logOnly(config)).toEqual({ name: Receiver.logOnly });
  });

  it("the prod config with the log-only webhook passes amtool check-config", () => {
    const dir = writeFiles(alertmanagerArtifacts(prod, { timeScale: 1 }));
    const file = join(dir, ArtifactPath.alertmanager);
    expect(amtool(["check-config", file]).ok).toBe(true);
    expect(yaml.load(readFileSync(file, "utf8"))).toMatchObject({
      receivers: expect.arrayContaining([
        expect.objectContaining({
          name: "log-only",
          webhook_configs: [expect.objectContaining({ url: expect.stringMatching(/\/log-only$/) })],
        }),
      ]),
    });
  });
});

describe("timings", () => {
  const route = (timeScale: number) =>
    renderAlertmanagerConfig(stackConfig("prod"), { ...PROD_PATHS, timeScale }).route;
  const branch = (timeScale: number, severity: string) =>
    route(timeScale).routes?.find((r) => r.matchers?.includes(`severity="${severity}"`));

  it("pages after the configured critical group_wait (5s)", () => {
    expect(branch(1, "critical")?.group_wait).toBe("5s");
  });

  it("sends the e-mail digest at most once per digest interval (1h)", () => {
    const digest = branch(1, "warning")?.routes?.find((r) => r.receiver === Receiver.emailDigest);
    expect(digest).toMatchObject({ group_interval: "1h", repeat_interval: "1h" });
  });

  it("divides every interval by the time scale, never below one second", () => {
    const digest = branch(60, "warning")?.routes?.find((r) => r.receiver === Receiver.emailDigest);
    expect(digest).toMatchObject({ group_interval: "1m", repeat_interval: "1m" });
    expect(branch(60, "critical")?.group_wait).toBe("1s");
    expect(route(60).repeat_interval).toBe("4m");
  });
});

describe("alertmanagerHelmValues", () => {
  const values = alertmanagerHelmValues(stackConfig("prod"));

  it("uses only keys kube-prometheus-stack 88.5.3 knows", () => {
    const defaults = loadChartDefaults("kube-prometheus-stack-88.5.3").alertmanager;
    // alertmanager.yml itself is passed through verbatim; amtool judges it (check-config).
    expect(unknownValuePaths(values, defaults, "alertmanager", ["alertmanager.config"])).toEqual(
      [],
    );
  });

  it("mounts the receiver Secret and loads templates from the chart's template dir", () => {
    expect(values.alertmanagerSpec.secrets).toEqual([RECEIVER_SECRET_NAME]);
    expect(values.config.templates).toEqual(["/etc/alertmanager/config/*.tmpl"]);
    expect(Object.keys(values.templateFiles).every((name) => name.endsWith(".tmpl"))).toBe(true);
  });

  it("carries the routing tree of the contract, as amtool reads it, like the file synth writes", () => {
    const synth = alertmanagerArtifacts(stackConfig("prod"), { timeScale: 1 });
    const dir = writeFiles({
      "values.yml": yaml.dump(values.config),
      "synth.yml": synth[ArtifactPath.alertmanager],
    });
    for (const file of ["values.yml", "synth.yml"]) {
      const tree = amtool(["config", "routes", `--config.file=${join(dir, file)}`]);
      expect({ file, tree: tree.output.trim() }).toEqual({ file, tree: PROD_ROUTING_TREE });
    }
  });
});
