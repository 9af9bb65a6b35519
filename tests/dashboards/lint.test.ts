import { ignoredVariables, type LintableDashboard, lintDashboard } from "../../dashboards/lint";
import { dashboards, type Json, plain } from "./support";

type Mutable = LintableDashboard & Json;
type Panel = NonNullable<LintableDashboard["panels"]>[number];

/** The first panel of `type` that honours every variable: the one the mutations can break. */
function firstPanel(d: Mutable, type = "timeseries"): Panel {
  const found = d.panels?.find(
    (p) => p.type === type && ignoredVariables(p.description).length === 0,
  );
  if (!found) throw new Error(`no ${type} panel`);
  return found;
}

function setExpr(d: Mutable, expr: string): void {
  const target = firstPanel(d).targets?.[0];
  if (!target) throw new Error("no target");
  target.expr = expr;
}

describe("dashboard lint (grafana/dashboard-linter's rules)", () => {
  it.each(Object.entries(dashboards()))("passes the rendered %s dashboard", (_, model) => {
    expect(lintDashboard(plain(model))).toEqual([]);
  });

  const cases: [string, string, (d: Mutable) => void][] = [
    [
      "a missing datasource variable",
      "template-datasource-rule",
      (d) => {
        d.templating = { list: d.templating?.list?.filter((v) => v.name !== "datasource") };
      },
    ],
    [
      "a missing instance variable",
      "template-instance-rule",
      (d) => {
        d.templating = { list: d.templating?.list?.filter((v) => v.name !== "instance") };
      },
    ],
    [
      "a variable query that is not label_values",
      "template-label-promql-rule",
      (d) => {
        const v = d.templating?.list?.find((x) => x.name === "instance");
        if (v) v.query = { query: "up" };
      },
    ],
    [
      "a panel on a fixed datasource",
      "panel-datasource-rule",
      (d) => {
        firstPanel(d).datasource = { type: "prometheus", uid: "prod-prometheus" };
      },
    ],
    [
      "a panel without a unit",
      "panel-units-rule",
      (d) => {
        const p = firstPanel(d);
        if (p.fieldConfig?.defaults) p.fieldConfig.defaults.unit = undefined;
      },
    ],
    [
      "a unit Grafana does not know",
      "panel-units-rule",
      (d) => {
        const p = firstPanel(d, "stat");
        if (p.fieldConfig?.defaults) p.fieldConfig.defaults.unit = "requests";
      },
    ],
    [
      "a panel without a description",
      "panel-title-description-rule",
      (d) => {
        firstPanel(d).description = "";
      },
    ],
    [
      "a panel without its runbook link",
      "panel-runbook-link-rule",
      (d) => {
        firstPanel(d).links = [];
      },
    ],
    [
      "rate over a fixed window",
      "target-rate-interval-rule",
      (d) =>
        setExpr(d, 'sum(rate(http_requests_total{job="port8000", instance=~"$instance"}[5m]))'),
    ],
    [
      "a selector without job",
      "target-job-rule",
      (d) => setExpr(d, 'sum(rate(http_requests_total{instance=~"$instance"}[$__rate_interval]))'),
    ],
    ["a bare metric name", "target-job-rule", (d) => setExpr(d, "task_queue_depth")],
    [
      "a raw series without the instance matcher",
      "target-instance-rule",
      (d) => setExpr(d, 'task_queue_depth{job="port8000"}'),
    ],
    [
      "a counter read raw",
      "target-counter-agg-rule",
      (d) => setExpr(d, 'sum(http_requests_total{job="port8000", instance=~"$instance"})'),
    ],
    [
      "a dashboard without the incident annotation",
      "annotation-rule",
      (d) => {
        d.annotations = {
          list: d.annotations?.list?.filter((a) => !a.target?.tags?.includes("incident")),
        };
      },
    ],
  ];

  it.each(cases)("flags %s (%s)", (_, rule, mutate) => {
    const model = plain(dashboards().serviceOverview);
    mutate(model);
    expect(lintDashboard(model).map((p) => p.rule)).toContain(rule);
  });

  it("lets recording rules that aggregated the instance away go without it, if the panel says so", () => {
    const model = plain(dashboards().serviceOverview);
    setExpr(model, 'job:http_requests:error_ratio_rate5m{job="port8000"}');
    expect(lintDashboard(model).map((p) => p.rule)).toEqual(["variable-honoured-rule"]);
    firstPanel(model).description = "5xx share. Ignores the instance variable: recorded.";
    expect(lintDashboard(model)).toEqual([]);
  });

  it("flags a panel that ignores a variable without saying so, on every dashboard", () => {
    const model = plain(dashboards().botFleet);
    const cpu = model.panels?.find((p) => p.title?.startsWith("CPU per bot"));
    if (!cpu?.targets?.[0]) throw new Error("no CPU per bot panel");
    cpu.targets[0].expr = 'topk(10, bot_cpu_percent{job="port8000", instance=~"$instance"})';
    expect(lintDashboard(model)).toEqual([
      expect.objectContaining({
        rule: "variable-honoured-rule",
        message: expect.stringContaining("$bot"),
      }),
    ]);
    cpu.description = `${cpu.description} Ignores the bot variable.`;
    expect(lintDashboard(model)).toEqual([]);
  });

  it("reads which variables a description says a panel ignores", () => {
    expect(ignoredVariables("x. Ignores the instance and bot variables: y")).toEqual([
      "instance",
      "bot",
    ]);
    expect(ignoredVariables("Ignores the node variable.")).toEqual(["node"]);
    expect(ignoredVariables("Ignores every variable: whole stack")).toEqual(["*"]);
    expect(ignoredVariables("Shows every instance.")).toEqual([]);
  });
});
