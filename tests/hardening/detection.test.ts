import { detectionOverheadMs } from "../../components/prometheus/detection";
import { parseDurationMs } from "../../lib/duration";
import type { ProgramRun } from "../../scripts/mock-runtime";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { named, runStack, stackFile, withConfig } from "../support/program";

/**
 * Detection overhead of a critical Port 8000 page, read from what prod deploys: the
 * ServiceMonitor's scrape interval, Prometheus's evaluation interval and the critical route's
 * group_wait in the Alertmanager config.
 */

interface Route {
  matchers?: string[];
  group_wait?: string;
  routes?: Route[];
}

function deployedOverheadMs(run: ProgramRun): number {
  const monitor = named(run, "prometheus-service-monitor").inputs as {
    spec: { endpoints: { interval: string }[] };
  };
  const values = named(run, "prometheus-kube-prometheus-stack").inputs.values as {
    prometheus: { prometheusSpec: { evaluationInterval: string } };
    alertmanager: { config: { route: Route } };
  };
  const critical = values.alertmanager.config.route.routes?.find((r) =>
    r.matchers?.includes('severity="critical"'),
  );
  if (!critical?.group_wait) throw new Error("no critical route with a group_wait");
  return (
    Math.max(...monitor.spec.endpoints.map((e) => parseDurationMs(e.interval))) +
    parseDurationMs(values.prometheus.prometheusSpec.evaluationInterval) +
    parseDurationMs(critical.group_wait)
  );
}

describe("detection overhead in prod", () => {
  it("is at most 30 s (scrape + evaluation + critical group_wait), as docs/benchmarks.md says", async () => {
    const run = await runStack("prod");
    const overhead = deployedOverheadMs(run);
    expect(overhead).toBeLessThanOrEqual(30_000);
    const config = parseStackFileConfig("prod", stackFile("prod"));
    expect(detectionOverheadMs(config).totalMs).toBe(overhead);
  }, 60_000);

  it("grows with a slower critical group_wait (the figure follows the config)", async () => {
    const prod = stackFile("prod");
    const alerting = JSON.parse(prod.config["port8000-monitoring:alerting"]);
    const slow = withConfig(prod, { alerting: { ...alerting, criticalGroupWait: "30s" } });
    const overhead = deployedOverheadMs(await runStack("prod", slow));
    expect(overhead).toBeGreaterThan(30_000);
    expect(detectionOverheadMs(parseStackFileConfig("prod", slow)).totalMs).toBe(overhead);
  }, 60_000);
});
