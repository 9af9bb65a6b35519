import { AlertName } from "../../lib/alert-names";
import { Job } from "../../lib/conventions";
import { LogField } from "../../lib/log-fields";
import { percent, seconds, selector } from "../format";
import { levelsOf } from "../levels";
import { APP_LOGS } from "../log-queries";
import type { AlertDefinition, RuleContext } from "../model";
import { RecordName } from "../recording";

/** Request errors, latency and release regressions of the UI and API (guide 1.3, 2.1, 2.2, 4.5). */

const APP = selector(Job.port8000);

/**
 * Requests per second (over 5m) below which a deploy regression does not page: right after a
 * cold start 1 failure in 3 requests is a 33% error rate and a p95 of one slow request, not a
 * regression worth a rollback. 0.5/s is 150 requests in 5m, so > 5% takes at least 8 errors.
 */
const DEPLOY_REGRESSION_MIN_REQUESTS_PER_SECOND = 0.5;

/** Guide 2.2: the page carries the queue depth and CPU next to the latency. */
function queueAndCpu(ctx: RuleContext): string {
  const cpu = RecordName.hostCpu(ctx.t.hostCpuRatio.window);
  return (
    `Queue depth now: {{ with query \`max(task_queue_depth${APP})\` }}{{ . | first | value }}{{ else }}unknown{{ end }}; ` +
    `busiest host CPU: {{ with query \`max(${cpu})\` }}{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}.`
  );
}

function highErrorRate(ctx: RuleContext): AlertDefinition {
  const { window } = ctx.t.errorRate;
  return {
    name: AlertName.Port8000HighErrorRate,
    runbook: "error-rate",
    dashboard: "serviceOverview",
    summary: "Port 8000 answers {{ $value | humanizePercentage }} of requests with 5xx",
    description: `The 5xx share of http_requests_total over ${ctx.range(window)} is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). If a release went out in the last ${spoken(sinceDeploySeconds(ctx))}, roll it back.`,
    logQuery: `${APP_LOGS} and ${LogField.status} >= 500`,
    levels: levelsOf(
      ctx,
      ctx.t.errorRate,
      (v) => `${RecordName.errorRatio(window)}${APP} > ${v}`,
      percent,
    ),
  };
}

function highLatency(ctx: RuleContext): AlertDefinition {
  const p95 = `${RecordName.latency(0.95, ctx.t.latencyP95Seconds.window)}${APP}`;
  return {
    name: AlertName.Port8000HighLatency,
    runbook: "latency",
    dashboard: "serviceOverview",
    summary: "Port 8000 p95 latency is {{ $value | humanizeDuration }}",
    description: `p95 of http_request_duration_seconds is {{ $value | humanizeDuration }} (threshold %THRESHOLD%). ${queueAndCpu(ctx)}`,
    logQuery: `${APP_LOGS} and ${LogField.durationMs} >= 500`,
    levels: levelsOf(ctx, ctx.t.latencyP95Seconds, (v) => `${p95} > ${v}`, seconds),
  };
}

/** "15 minutes", or "15 seconds" for the short windows of a scaled local stack. */
function spoken(secondsValue: number): string {
  return secondsValue >= 60
    ? `${Number((secondsValue / 60).toFixed(1))} minutes`
    : `${secondsValue} seconds`;
}

/** The deploy regression window, divided by the time scale like every range window. */
function sinceDeploySeconds(ctx: RuleContext): number {
  return Math.max(1, Math.round(ctx.t.deployRegressionWindow.critical / ctx.timeScale));
}

/** Both signals of a regression as they stand, whichever of them fired. */
function nowTemplate(ctx: RuleContext): string {
  const ratio = `${RecordName.errorRatio(ctx.t.errorRate.window)}${APP}`;
  const p95 = `${RecordName.latency(0.95, ctx.t.latencyP95Seconds.window)}${APP}`;
  return (
    `Now: error rate {{ with query \`max(${ratio})\` }}{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}, ` +
    `p95 {{ with query \`max(${p95})\` }}{{ . | first | value | humanizeDuration }}{{ else }}unknown{{ end }}.`
  );
}

/**
 * Guide 4.5: error rate or latency past its critical threshold soon after a deploy, held for
 * `deployRegressionWindow.criticalFor` so one bad evaluation does not page, and only with
 * enough traffic for the error rate and p95 to mean something.
 */
function deployRegression(ctx: RuleContext): AlertDefinition {
  const { errorRate, latencyP95Seconds, deployRegressionWindow } = ctx.t;
  const recentSeconds = sinceDeploySeconds(ctx);
  const regressed = [
    `${RecordName.errorRatio(errorRate.window)}${APP} > ${errorRate.critical}`,
    `${RecordName.latency(0.95, latencyP95Seconds.window)}${APP} > ${latencyP95Seconds.critical}`,
  ].join("\nor\n");
  const recentDeploy = `time() - max by (job) (port8000_deploy_timestamp_seconds${APP}) < ${recentSeconds}`;
  const traffic = `${RecordName.requestRate("5m")}${APP} > ${DEPLOY_REGRESSION_MIN_REQUESTS_PER_SECOND}`;
  return {
    name: AlertName.Port8000DeployRegression,
    runbook: "deployment-rollback",
    dashboard: "serviceOverview",
    summary: "Port 8000 regressed within %THRESHOLD% of a deploy: roll back",
    description: `Error rate above ${percent(errorRate.critical)} or p95 latency above ${seconds(latencyP95Seconds.critical)} within %THRESHOLD% of the last deploy. ${nowTemplate(ctx)} Freeze the queue and redeploy the last known good release tag.`,
    logQuery: `${APP_LOGS} and (${LogField.status} >= 500 or ${LogField.level}:ERROR)`,
    levels: [
      {
        severity: "critical",
        expr: `(\n${regressed}\n)\nand on (job)\n(${recentDeploy})\nand on (job)\n(${traffic})`,
        for: ctx.hold(deployRegressionWindow.criticalFor),
        threshold: spoken(recentSeconds),
      },
    ],
  };
}

export function httpAlerts(ctx: RuleContext): AlertDefinition[] {
  return [highErrorRate(ctx), highLatency(ctx), deployRegression(ctx)];
}
