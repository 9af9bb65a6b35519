import { readFileSync } from "node:fs";
import { renderRuleGroups } from "../../alerts/render";
import { dashboardArtifacts, dashboardPath } from "../../dashboards";
import { AnnotationTag } from "../../dashboards/conventions";
import { metricsInOrder } from "../../dashboards/promql";
import { ArtifactPath, DashboardUid } from "../../lib/conventions";
import { renderArtifacts } from "../../scripts/artifacts";
import { alertingRules, committedRules, RULES_FILE } from "../alerts/support";
import { dashboards, panel, plain, stackConfig, stepValues } from "./support";

describe("dashboard artifacts", () => {
  const prod = stackConfig("prod");

  it("render one file per registered uid under grafana/dashboards, through the artifact registry", () => {
    const paths = Object.keys(renderArtifacts(prod)).filter((p) =>
      p.startsWith(`${ArtifactPath.dashboards}/`),
    );
    expect(paths.sort()).toEqual(Object.values(DashboardUid).map(dashboardPath).sort());
  });

  it("carry unique uids, each the target of the alerts' dashboard_url links and vice versa", () => {
    const uids = Object.values(dashboards()).map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    const linked = new Set(
      alertingRules(committedRules()).map((r) => {
        const match = /\/d\/([^/?#]+)$/.exec(r.annotations.dashboard_url);
        if (!match) throw new Error(`${r.alert}: dashboard_url ${r.annotations.dashboard_url}`);
        return match[1];
      }),
    );
    expect([...linked].sort()).toEqual([...uids].sort());
    expect(readFileSync(RULES_FILE, "utf8")).toContain(prod.links.grafanaUrl);
  });

  it("are byte-stable with keys sorted at every level", () => {
    const first = dashboardArtifacts(prod);
    expect(dashboardArtifacts(stackConfig("prod"))).toEqual(first);
    const unsorted: string[] = [];
    const walk = (value: unknown, path: string): void => {
      if (Array.isArray(value)) {
        value.forEach((v, i) => {
          walk(v, `${path}[${i}]`);
        });
        return;
      }
      if (value === null || typeof value !== "object") return;
      const keys = Object.keys(value);
      if (keys.join() !== [...keys].sort().join()) unsorted.push(path);
      for (const k of keys) walk((value as Record<string, unknown>)[k], `${path}.${k}`);
    };
    for (const text of Object.values(first)) walk(JSON.parse(text), "");
    expect(unsorted).toEqual([]);
  });

  it("give every panel a unique id and keep the deploy and incident annotation queries", () => {
    for (const model of Object.values(dashboards())) {
      const ids = (model.panels ?? []).map((p) => (p as { id: number }).id);
      expect(new Set(ids).size).toBe(ids.length);
      const tags = plain(model).annotations?.list?.flatMap((a) => a.target?.tags ?? []);
      expect(tags).toEqual(expect.arrayContaining(Object.values(AnnotationTag)));
    }
  });
});

describe("dashboard thresholds follow the typed config of the alerts", () => {
  const cases = [
    {
      key: "serviceOverview",
      title: "5xx error rate",
      name: "errorRate",
      next: { warning: 0.03, critical: 0.08 },
    },
    {
      key: "serviceOverview",
      title: "Request latency p50 / p95 / p99",
      name: "latencyP95Seconds",
      next: { warning: 0.4, critical: 0.9 },
    },
    {
      key: "serviceOverview",
      title: "Task queue depth",
      name: "queueDepth",
      next: { warning: 15, critical: 30 },
    },
    {
      key: "botFleet",
      title: "CPU per bot (top 10)",
      name: "botCpuPercent",
      next: { warning: 70, critical: 95 },
    },
    {
      key: "botFleet",
      title: "Memory per bot against its limit (top 10)",
      name: "botMemoryRatio",
      next: { warning: 0.7, critical: 0.95 },
    },
    {
      key: "botFleet",
      title: "Restarts per bot (top 10)",
      name: "botRestarts",
      next: { warning: 3, critical: 6 },
    },
    {
      key: "botFleet",
      title: "Dispatch latency",
      name: "botDispatchMedianSeconds",
      next: { warning: 1.5 },
    },
    { key: "resources", title: "Host CPU busy", name: "hostCpuRatio", next: { warning: 0.6 } },
    {
      key: "resources",
      title: "Host memory used",
      name: "hostMemoryRatio",
      next: { warning: 0.7, critical: 0.8 },
    },
    {
      key: "resources",
      title: "File descriptors used",
      name: "fileDescriptorRatio",
      next: { warning: 0.9 },
    },
    {
      key: "dependencies",
      title: "Ollama latency",
      name: "dependencyLatencyMs",
      next: { warning: 250, critical: 400 },
    },
    {
      key: "dependencies",
      title: "Database pool use",
      name: "dbPoolRatio",
      next: { warning: 0.7 },
    },
  ] as const;

  it.each(cases)(
    "$key / $title draws $name and moves when the config does",
    ({ key, title, name, next }) => {
      const t = stackConfig("prod").thresholds[name] as { warning?: number; critical?: number };
      expect(stepValues(panel(key, title))).toEqual(
        [t.warning, t.critical].filter((v) => v !== undefined),
      );
      const moved = panel(key, title, { thresholds: { [name]: next } });
      expect(stepValues(moved)).toEqual(Object.values(next));
    },
  );

  it("draws disk free the other way round: red under critical, orange under warning", () => {
    const t = stackConfig("prod").thresholds.hostDiskFreeRatio;
    const steps = panel("resources", "Disk free").fieldConfig?.defaults?.thresholds?.steps;
    expect(steps).toEqual([
      { value: null, color: "red" },
      { value: t.critical, color: "orange" },
      { value: t.warning, color: "green" },
    ]);
    const moved = panel("resources", "Disk free", {
      thresholds: { hostDiskFreeRatio: { warning: 0.25, critical: 0.2 } },
    });
    expect(stepValues(moved)).toEqual([0.2, 0.25]);
  });

  it("computes the error budget from slo.availability", () => {
    const expr = (availability: number) =>
      panel("serviceOverview", "Error budget remaining", { slo: { availability, window: "30d" } })
        .targets?.[0].expr;
    expect(expr(0.995)).toMatch(/\/ 0\.005$/);
    expect(expr(0.999)).toMatch(/\/ 0\.001$/);
  });

  it("reads the SLO stats as instant queries of a recorded ratio over the SLO window, capped at retention", () => {
    for (const [retention, window] of [
      ["15d", "15d"],
      ["45d", "30d"],
    ]) {
      const overrides = {
        slo: { availability: 0.995, window: "30d" },
        storage: { prometheus: { size: "100Gi", retention } },
      };
      const records = renderRuleGroups(stackConfig("prod", overrides), { timeScale: 1 })
        .groups.flatMap((g) => g.rules)
        .filter((r): r is { record: string; expr: string } => "record" in r);
      for (const title of ["Availability", "Error budget remaining"]) {
        const target = panel("serviceOverview", title, overrides).targets?.[0] as Record<
          string,
          unknown
        >;
        expect({ title, instant: target.instant, range: target.range }).toEqual({
          title,
          instant: true,
          range: false,
        });
        const [used] = metricsInOrder(String(target.expr));
        const record = records.find((r) => r.record === used.metric);
        // The panel reads no raw series and no range: one recorded value per refresh.
        expect(String(target.expr)).not.toMatch(/\[|http_requests_total/);
        expect(record?.expr).toContain(`[${window}]`);
      }
    }
  });

  it("reads the logs index time field from the config", () => {
    const config = stackConfig("prod");
    const opensearch = { ...config.dashboards.datasources.opensearch, timeField: "ts" };
    const logs = panel("serviceOverview", "Recent 5xx responses", {
      dashboards: {
        ...config.dashboards,
        datasources: { ...config.dashboards.datasources, opensearch },
      },
    });
    expect(logs.targets?.[0].timeField).toBe("ts");
    expect(logs.targets?.[0].query).toContain("status:[500 TO 599]");
  });
});
