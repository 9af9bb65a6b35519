import { type MetricUse, metricsInOrder } from "../../dashboards/promql";
import { dashboardQueries } from "../../dashboards/queries";
import { committedRules } from "../alerts/support";
import { dashboards, plain } from "./support";

/**
 * An alert's `dashboard_url` must open a dashboard that shows the alert's signal: a panel whose
 * query reads the alert's main metric (the first metric of its expression, followed through
 * recording rules to the raw series they read), for the same job. Judged from the committed
 * rule file and the rendered dashboards, so every alert added to the catalogue is judged too.
 */

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

const rules = committedRules().groups.flatMap((g) => g.rules as Rule[]);
const recorded = new Map(rules.filter((r) => r.record).map((r) => [r.record as string, r.expr]));

/** A metric use followed through recording rules to the raw series it stands for. */
function raw(use: MetricUse): MetricUse[] {
  const expr = recorded.get(use.metric);
  if (expr === undefined) return [use];
  return metricsInOrder(expr).flatMap(raw);
}

function mainMetric(expr: string): MetricUse | undefined {
  const [first] = metricsInOrder(expr);
  return first ? raw(first)[0] : undefined;
}

/** Whether a panel's read of `metric` can show the alert's job (no job matcher shows every job). */
function sameJob(panel: MetricUse, alert: MetricUse): boolean {
  const wanted = alert.matchers.job?.replace(/^=/, "");
  const got = panel.matchers.job;
  if (!wanted || alert.matchers.job?.[0] !== "=" || !got) return true;
  if (got.startsWith("=~")) return new RegExp(`^(?:${got.slice(2)})$`).test(wanted);
  return got === `=${wanted}`;
}

const rendered = Object.values(dashboards()).map(plain);
const byUid = new Map(rendered.map((d) => [d.uid as string, d]));

/** Panel title → every raw metric its queries read, of the dashboard with `uid`. */
function panelsReading(uid: string, metric: MetricUse): string[] {
  const d = byUid.get(uid);
  if (!d) return [];
  return dashboardQueries(d)
    .filter((q) => q.where.includes(" panel "))
    .filter((q) =>
      metricsInOrder(q.expr)
        .flatMap(raw)
        .some((m) => m.metric === metric.metric && sameJob(m, metric)),
    )
    .map((q) => q.where);
}

const alerts = rules.filter((r) => r.alert);

describe("every alert's dashboard_url shows the alert's signal", () => {
  it("reads the main metric of alerts and recording rules through the parser", () => {
    expect(
      mainMetric('sum by (job) (rate(websocket_disconnect_total{job="port8000"}[1m])) > 20'),
    ).toEqual({ metric: "websocket_disconnect_total", matchers: { job: "=port8000" } });
    expect(mainMetric("1 - sum(sum_over_time(up[10m])) / sum(count_over_time(up[10m]))")).toEqual({
      metric: "up",
      matchers: {},
    });
    expect(mainMetric("vector(1)")).toBeUndefined();
    expect(
      mainMetric(
        'delta(process_resident_memory_bytes{job="port8000"}[15m]) > 5 and on (node) (deriv(node_memory_MemAvailable_bytes{job="node"}[15m]) < 0)',
      )?.metric,
    ).toBe("process_resident_memory_bytes");
    expect(mainMetric('instance:node_cpu_busy:ratio_rate5m{job="node"} > 0.75')?.metric).toBe(
      "node_cpu_seconds_total",
    );
  });

  it("judges a panel on another job's series as not showing the signal", () => {
    const alert = { metric: "up", matchers: { job: "=port8000" } };
    expect(sameJob({ metric: "up", matchers: { job: "=prometheus" } }, alert)).toBe(false);
    expect(sameJob({ metric: "up", matchers: { job: "=~port8000|node" } }, alert)).toBe(true);
  });

  it.each(alerts.map((r) => [`${r.alert} (${r.labels?.severity})`, r] as const))(
    "%s",
    (_, rule) => {
      const url = rule.annotations?.dashboard_url ?? "";
      const uid = /\/d\/([\w-]+)/.exec(url)?.[1] ?? "";
      expect({ url, rendered: byUid.has(uid) }).toEqual({ url, rendered: true });
      const metric = mainMetric(rule.expr);
      // An expression of no series (Watchdog's vector(1)) has no signal to show.
      if (!metric) return;
      expect({ uid, metric, panels: panelsReading(uid, metric).length > 0 }).toEqual({
        uid,
        metric,
        panels: true,
      });
    },
  );
});
