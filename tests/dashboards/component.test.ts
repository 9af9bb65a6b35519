import { dashboardArtifacts, dashboardPath } from "../../dashboards";
import { DatasourceUid } from "../../dashboards/conventions";
import { DashboardUid } from "../../lib/conventions";
import { type ProgramRun, stableNumber } from "../../scripts/mock-runtime";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { stackConfig } from "../alerts/support";
import { named, ofType, runStack, stackFile, withConfig } from "../support/program";

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are untyped JSON, read by path.
type Json = any;

describe.each(["prod", "dr"])("GrafanaDashboards on the %s stack", (stack) => {
  let run: ProgramRun;
  const config = stackConfig(stack);
  beforeAll(async () => {
    run = await runStack(stack);
  });

  it("puts every rendered dashboard (the guide's four and the pipeline's) in the Port 8000 / Production folder", () => {
    const rendered = dashboardArtifacts(config);
    const leaf = named(run, "grafana-folder-port-8000-production").inputs as Json;
    for (const uid of Object.values(DashboardUid)) {
      const dashboard = named(run, `grafana-dashboards-${uid}`);
      expect(dashboard.parent).toBe("grafana-dashboards");
      expect(dashboard.inputs).toMatchObject({ folder: leaf.uid, overwrite: true });
      expect((dashboard.inputs as Json).configJson).toBe(rendered[dashboardPath(uid)]);
    }
    expect(ofType(run, "grafana:oss/dashboard:Dashboard")).toHaveLength(5);
  });

  it("declares the stack's Prometheus and OpenSearch logs datasources from its config", () => {
    const { prometheusUrl, opensearch } = config.dashboards.datasources;
    const prometheus = named(run, "grafana-dashboards-datasource-prometheus").inputs as Json;
    const logs = named(run, "grafana-dashboards-datasource-logs").inputs as Json;
    expect(prometheus).toMatchObject({
      uid: DatasourceUid.prometheus,
      type: "prometheus",
      url: prometheusUrl,
    });
    expect(logs).toMatchObject({
      uid: DatasourceUid.logs,
      type: "grafana-opensearch-datasource",
      url: opensearch.url,
    });
    expect(logs).toMatchObject({
      basicAuthEnabled: true,
      basicAuthUsername: opensearch.basicAuthUser,
      secureJsonDataEncoded: "[secret]",
    });
    expect(JSON.parse(logs.jsonDataEncoded)).toMatchObject({
      database: opensearch.index,
      timeField: opensearch.timeField,
      flavor: "opensearch",
    });
  });

  it("grants each dashboard to teams only: ops and sre edit or more, oncall and leadership view", () => {
    const teamOf = new Map(
      config.rbac.teams.map((t) => [String(stableNumber(`grafana-team-${t.name}`)), t.name]),
    );
    for (const uid of Object.values(DashboardUid)) {
      const inputs = named(run, `grafana-dashboards-${uid}-permission`).inputs as Json;
      expect(inputs.dashboardUid).toBe(uid);
      const grants = Object.fromEntries(
        inputs.permissions.map((p: Json) => [teamOf.get(p.teamId), p.permission]),
      );
      expect(grants).toEqual({ ops: "Edit", sre: "Admin", oncall: "View", leadership: "View" });
      expect(
        inputs.permissions.every((p: Json) => p.role === undefined && p.userId === undefined),
      ).toBe(true);
    }
  });

  it("shares no login-free public dashboards unless the config turns them on", () => {
    expect(ofType(run, "grafana:oss/dashboardPublic:DashboardPublic")).toHaveLength(0);
    expect(run.outputs.dashboardUrls).toEqual(
      Object.fromEntries(
        Object.values(DashboardUid).map((u) => [u, `${config.links.grafanaUrl}/d/${u}`]),
      ),
    );
  });
});

describe("public dashboards switched on", () => {
  it("shares each dashboard read-only with annotations and the time picker", async () => {
    const config = stackConfig("prod");
    const file = withConfig(stackFile("prod"), {
      dashboards: { ...config.dashboards, sharing: { publicDashboards: true } },
    });
    const shared = ofType(
      await runStack("prod", file),
      "grafana:oss/dashboardPublic:DashboardPublic",
    );
    expect(shared.map((r) => (r.inputs as Json).dashboardUid).sort()).toEqual(
      Object.values(DashboardUid).sort(),
    );
    for (const r of shared)
      expect(r.inputs).toMatchObject({
        isEnabled: true,
        annotationsEnabled: true,
        timeSelectionEnabled: true,
      });
  });
});

describe("local stack", () => {
  it("declares no Grafana resources", async () => {
    const run = await runStack("local");
    expect(run.resources.filter((r) => r.type.startsWith("grafana:"))).toEqual([]);
  });
});

describe("annotation webhooks wiring on the prod stack", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runStack("prod");
  });

  it("gives the automation service a Grafana service-account token and the webhook secrets, all secret", () => {
    const secret = named(run, "automation-token").inputs as Json;
    // Any secret value makes the whole map secret: not even its keys reach the state in clear.
    expect(secret.stringData).toBe("[secret]");
    expect(named(run, "grafana-dashboards-annotation-writer").inputs).toMatchObject({
      role: "Editor",
    });
    expect(named(run, "grafana-dashboards-annotation-writer-token").parent).toBe(
      "grafana-dashboards",
    );
  });

  it("turns the webhooks on in the container, queued on a volume", () => {
    const pod = (named(run, "automation-deployment").inputs as Json).spec.template.spec;
    const env = Object.fromEntries(pod.containers[0].env.map((e: Json) => [e.name, e.value]));
    expect(env).toMatchObject({
      GRAFANA_URL: stackConfig("prod").grafana.url,
      DEPLOY_TOKEN_FILE: "/var/run/automation/deploy-token",
      PAGERDUTY_SECRET_FILE: "/var/run/automation/pagerduty-webhook-secret",
      GRAFANA_TOKEN_FILE: "/var/run/automation/grafana-token",
    });
    expect(pod.volumes.map((v: Json) => v.name)).toContain("state");
  });

  // The program parses its config as parseStackFileConfig does; tests/program.test.ts proves
  // a whole run stops on a missing secret.
  it("refuses an OpenSearch datasource user without its password secret", () => {
    const file = withConfig(stackFile("prod"), { opensearchGrafanaPassword: undefined });
    expect(() => parseStackFileConfig("prod", file)).toThrow(
      /opensearchGrafanaPassword: missing secret/,
    );
  });

  it("refuses a production stack without the webhook secrets, naming each", () => {
    const file = withConfig(stackFile("prod"), {
      deployWebhookToken: undefined,
      pagerdutyWebhookSecret: undefined,
    });
    expect(() => parseStackFileConfig("prod", file)).toThrow(
      /deployWebhookToken: missing secret[\s\S]*pagerdutyWebhookSecret: missing secret/,
    );
  });
});
