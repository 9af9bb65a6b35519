import { fromEngineConfig, parseStackConfig } from "../components/config/parse";
import { PROJECT } from "../lib/conventions";
import { stackFile, withConfig } from "./support/program";

function parse(stack: string, overrides: Record<string, unknown> = {}) {
  const file = withConfig(stackFile(stack), overrides);
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  return parseStackConfig(raw, secrets);
}

function problems(stack: string, overrides: Record<string, unknown>): string[] {
  const result = parse(stack, overrides);
  if (result.ok) throw new Error("expected the config to be rejected");
  return result.problems;
}

const prodSection = (key: string) => JSON.parse(stackFile("prod").config[`${PROJECT}:${key}`]);

describe("the typed config", () => {
  it.each(["prod", "dr", "local"])("accepts the %s stack file", (stack) => {
    const result = parse(stack);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it("fills every threshold of the guide when a stack sets none", () => {
    const result = parse("prod", { thresholds: undefined });
    if (!result.ok) throw new Error(result.problems.join("\n"));
    const t = result.config.thresholds;
    expect([
      t.errorRate.warning,
      t.errorRate.warningFor,
      t.errorRate.critical,
      t.errorRate.criticalFor,
    ]).toEqual([0.02, "5m", 0.05, "2m"]);
    expect([t.latencyP95Seconds.warning, t.latencyP95Seconds.critical]).toEqual([0.5, 0.75]);
    expect([t.queueDepth.warning, t.queueDepth.critical, t.queueDepth.criticalFor]).toEqual([
      20,
      40,
      "2m",
    ]);
    expect([t.hostDiskFreeRatio.warning, t.hostDiskFreeRatio.critical]).toEqual([0.15, 0.1]);
    expect(t.memoryLeakBytes.warning).toBe(500 * 1024 * 1024);
    expect(result.config.slo.availability).toBe(0.995);
    expect(result.config.logging.retention).toEqual({
      hotDays: 30,
      warmDays: 60,
      archiveDays: 180,
    });
  });

  it("lets a stack override one threshold and keeps the rest", () => {
    const result = parse("prod", { thresholds: { queueDepth: { warning: 30 } } });
    if (!result.ok) throw new Error(result.problems.join("\n"));
    expect(result.config.thresholds.queueDepth).toMatchObject({
      warning: 30,
      critical: 40,
      warningFor: "5m",
    });
  });

  it("lists every problem at once, each with its key path and what was expected", () => {
    const found = problems("prod", {
      thresholds: {
        errorRate: { warning: 0.07 },
        hostDiskFreeRatio: { critical: 0.2 },
        queueDepth: { for: "5m" },
      },
      service: { ...prodSection("service"), port: 80000, healthUrl: "not a url" },
      slo: { availability: 99.5 },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        "thresholds.errorRate.warning (0.07): must be below critical (0.05)",
        "thresholds.hostDiskFreeRatio.warning (0.15): must be above critical (0.2)",
        "thresholds.queueDepth.for: unknown key",
        expect.stringMatching(/^service\.port \(80000\): /),
        expect.stringMatching(/^service\.healthUrl \("not a url"\): expected an absolute URL/),
        expect.stringMatching(/^slo\.availability \(99\.5\): /),
      ]),
    );
    expect(found).toHaveLength(6);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      "deployment",
      { deployment: { environment: "staging", region: "us-east-1" } },
      /^deployment\.environment/,
    ],
    ["cluster", { cluster: { namespace: "Monitoring_NS" } }, /^cluster\.namespace .*DNS label/],
    [
      "service",
      { service: { ...prodSection("service"), metricsPath: "metrics" } },
      /^service\.metricsPath .*starting with "\/"/,
    ],
    [
      "thresholds",
      { thresholds: { latencyP95Seconds: { warningFor: "5 minutes" } } },
      /^thresholds\.latencyP95Seconds\.warningFor .*Prometheus duration/,
    ],
    ["slo", { slo: { window: "thirty days" } }, /^slo\.window/],
    [
      "alerting.sns",
      { alerting: { ...prodSection("alerting"), sns: { region: "us-east-1" } } },
      /^alerting\.sns: set topicArn or at least one of phoneNumbers/,
    ],
    [
      "alerting.slack",
      { alerting: { ...prodSection("alerting"), slack: { channel: "deia-ops" } } },
      /^alerting\.slack\.channel/,
    ],
    [
      "alerting.email",
      {
        alerting: {
          ...prodSection("alerting"),
          email: { ...prodSection("alerting").email, to: [] },
        },
      },
      /^alerting\.email\.to: needs at least one recipient/,
    ],
    ["links", { links: { ...prodSection("links"), grafanaUrl: "grafana" } }, /^links\.grafanaUrl/],
    ["logging", { logging: { retention: { hotDays: 0 } } }, /^logging\.retention\.hotDays \(0\)/],
    [
      "archive",
      { archive: { bucketName: "x", tiers: [] } },
      /^archive\.bucketName \("x"\): expected an S3 bucket name/,
    ],
    [
      "archive.tiers",
      {
        archive: {
          bucketName: "ok-bucket",
          tiers: [{ afterDays: 10, storageClass: "STANDARD_IA" }],
        },
      },
      /^archive\.tiers\[0\]\.afterDays \(10\): S3 allows STANDARD_IA only after 30 days/,
    ],
    ["grafana", { grafana: { url: "https://g.example.com", folder: [] } }, /^grafana\.folder/],
    [
      "rbac",
      {
        rbac: {
          teams: [
            { name: "ops", grafana: "owner", opensearch: "read", kubernetes: "view", aws: "none" },
          ],
        },
      },
      /^rbac\.teams\[0\]\.grafana/,
    ],
    [
      "rbac duplicates",
      { rbac: { teams: [prodSection("rbac").teams[0], prodSection("rbac").teams[0]] } },
      /^rbac\.teams\[1\]\.name \("ops"\): duplicate team "ops"/,
    ],
    ["ha", { ha: { alertmanagerReplicas: 1.5 } }, /^ha\.alertmanagerReplicas/],
    [
      "storage",
      { storage: { prometheus: { size: "100GB" } } },
      /^storage\.prometheus\.size .*Kubernetes quantity/,
    ],
  ])("rejects a bad %s section naming the key", (_section, overrides, expected) => {
    expect(problems("prod", overrides)).toEqual(
      expect.arrayContaining([expect.stringMatching(expected)]),
    );
  });

  it("names a missing required section and an unknown top-level key", () => {
    const found = problems("prod", { links: undefined, tresholds: {} });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^links: required/),
        expect.stringMatching(/^tresholds: unknown config key/),
      ]),
    );
  });

  it("requires every secret a production stack needs, and only as an encrypted value", () => {
    const file = stackFile("prod");
    const config = { ...file.config };
    delete config[`${PROJECT}:pagerdutyToken`];
    const secretKeys = file.secretKeys.filter((k) => k !== `${PROJECT}:slackWebhookUrl`);
    const { raw, secrets } = fromEngineConfig(config, secretKeys);
    const result = parseStackConfig(raw, secrets);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(
        /^pagerdutyToken: missing secret .*pulumi config set --secret pagerdutyToken/,
      ),
      expect.stringMatching(/^slackWebhookUrl: stored in plain text/),
    ]);
  });

  it("reports missing secrets even when the sections are broken too", () => {
    const file = withConfig(stackFile("prod"), {
      ha: { prometheusReplicas: -1 },
      automationToken: undefined,
    });
    const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
    const result = parseStackConfig(raw, secrets);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^ha\.prometheusReplicas/),
      expect.stringMatching(/^automationToken: missing secret/),
    ]);
  });

  it("requires the cluster context, name and OIDC provider of a deployed stack, not of the local one", () => {
    const cluster = { namespace: "monitoring" };
    expect(problems("dr", { cluster })).toEqual([
      expect.stringMatching(/^cluster\.context: required for a standby stack/),
      expect.stringMatching(/^cluster\.oidcProviderArn: required for a standby stack/),
      expect.stringMatching(/^cluster\.name: required for a standby stack/),
    ]);
    expect(parse("local", { cluster }).ok).toBe(true);
  });

  it("rejects an SMS topic in another region than the one Alertmanager signs for", () => {
    const alerting = prodSection("alerting");
    alerting.sns.topicArn = "arn:aws:sns:eu-west-1:111122223333:port8000-critical-sms";
    expect(problems("prod", { alerting })).toEqual([
      'alerting.sns.region ("us-east-1"): the topic arn:aws:sns:eu-west-1:111122223333:port8000-critical-sms is in eu-west-1',
    ]);
  });

  it("says a value has the wrong type rather than that it is missing", () => {
    expect(problems("prod", { ha: { prometheusReplicas: "2" } })).toEqual([
      'ha.prometheusReplicas ("2"): Invalid input: expected number, received string',
    ]);
    expect(problems("prod", { logging: { retention: { hotDays: 0 } } })).toEqual([
      "logging.retention.hotDays (0): Too small: expected number to be >0",
    ]);
  });
});
