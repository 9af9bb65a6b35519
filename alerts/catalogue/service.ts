import { AlertName } from "../../lib/alert-names";
import { Job, NODE_LABEL } from "../../lib/conventions";
import { LogField } from "../../lib/log-fields";
import { mebibytes, percent, selector } from "../format";
import { levelsOf } from "../levels";
import { APP_LOGS } from "../log-queries";
import type { AlertDefinition, RuleContext } from "../model";

/** The controller process itself: reachability, descriptors, memory, connections (2.3, 2.4, 4.4). */

const APP = selector(Job.port8000);
const NODE = selector(Job.node);

function down(ctx: RuleContext): AlertDefinition {
  const probe = `probe_success${selector(Job.health)}`;
  return {
    name: AlertName.Port8000Down,
    runbook: "availability",
    dashboard: "serviceOverview",
    summary: "Port 8000 /health fails from the blackbox probe",
    description:
      "probe_success of {{ $labels.instance }} has been 0 (the /health check fails or times out). Users cannot reach the Port 8000 UI or API.",
    logQuery: `${APP_LOGS} and ${LogField.urlPath}:"/health"`,
    levels: levelsOf(
      ctx,
      ctx.t.healthProbe,
      (v) => `${probe} < ${v}`,
      () => "probe fails",
    ),
  };
}

function fileDescriptors(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.Port8000FileDescriptorsHigh,
    runbook: "availability",
    dashboard: "resources",
    summary: "Port 8000 uses {{ $value | humanizePercentage }} of its file descriptors",
    description:
      "process_open_fds / process_max_fds on {{ $labels.instance }} is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). At the limit, new connections and log writes fail.",
    logQuery: `${APP_LOGS} and ${LogField.message}:"Too many open files"`,
    levels: levelsOf(
      ctx,
      ctx.t.fileDescriptorRatio,
      (v) => `process_open_fds${APP}\n/ on (job, instance)\nprocess_max_fds${APP}\n> ${v}`,
      percent,
    ),
  };
}

/**
 * Guide 2.3. delta(), not increase(): resident memory is a gauge, and increase() would read
 * every drop as a counter reset and add the whole value back.
 *
 * The host side is joined on the `node` label (the Kubernetes node name, which the scrape
 * configs put on both the Port 8000 and the node exporter targets), so that only the node
 * the process runs on counts: memory falling on some other node is no evidence of a leak.
 * `and` is a set operation, so several node exporter series of one node need no aggregation.
 * Without a `node` label on both sides the join compares empty labels and degrades to "any
 * node's memory falls"; the runbook says so.
 */
function memoryLeak(ctx: RuleContext): AlertDefinition {
  const w = ctx.range(ctx.t.memoryLeakBytes.window);
  const growth = `delta(process_resident_memory_bytes${APP}[${w}])`;
  const nodeFalling = `deriv(node_memory_MemAvailable_bytes${NODE}[${w}]) < 0`;
  return {
    name: AlertName.Port8000MemoryLeak,
    runbook: "memory",
    dashboard: "resources",
    summary: `Port 8000 grew by {{ $value | humanize1024 }}B in ${w} while the memory of its node falls`,
    description: `process_resident_memory_bytes of {{ $labels.instance }} rose by {{ $value | humanize1024 }}B in ${w} (threshold %THRESHOLD%) and node_memory_MemAvailable_bytes of its node {{ $labels.node }} trends down. Automation captures a tracemalloc heap snapshot.`,
    logQuery: `${APP_LOGS} and (MemoryError or tracemalloc)`,
    levels: levelsOf(
      ctx,
      ctx.t.memoryLeakBytes,
      (v) => `${growth} > ${v}\nand on (${NODE_LABEL})\n(${nodeFalling})`,
      mebibytes,
    ),
  };
}

/**
 * Guide 2.4 names two signals; each keeps its own `for:` as its own rule. The thresholds are
 * for the service as a whole, so the signals are summed over its instances: three replicas
 * dropping 15 connections a second each are 45 a second for the users.
 */
function connectionDrops(ctx: RuleContext): AlertDefinition {
  const ws = ctx.t.websocketDisconnectsPerSecond;
  const tcp = ctx.t.tcpConnectionErrors;
  const perService = (inner: string) => `sum by (job) (${inner})`;
  return {
    name: AlertName.Port8000ConnectionDrops,
    runbook: "websocket",
    dashboard: "serviceOverview",
    summary: "Port 8000 is dropping connections (%signal%: {{ $value | humanize }})",
    description:
      "%signal% summed over all Port 8000 instances is {{ $value | humanize }} (threshold %THRESHOLD%). Find the affected clients and instances in the logs, then check the reverse proxy and the network.",
    logQuery: `${APP_LOGS} and (websocket or ConnectionReset)`,
    levels: [
      ...levelsOf(
        ctx,
        ws,
        (v) =>
          `${perService(`rate(websocket_disconnect_total${APP}[${ctx.range(ws.window)}])`)} > ${v}`,
        (v) => `${v}/s`,
      ).map((l) => ({ ...l, labels: { signal: "websocket_disconnects_per_second" } })),
      ...levelsOf(
        ctx,
        tcp,
        (v) =>
          `${perService(`increase(tcp_connection_errors_total${APP}[${ctx.range(tcp.window)}])`)} > ${v}`,
        (v) => `${v} in ${ctx.range(tcp.window)}`,
      ).map((l) => ({ ...l, labels: { signal: "tcp_connection_errors" } })),
    ],
  };
}

function websocketStuck(ctx: RuleContext): AlertDefinition {
  const age = `time() - websocket_worker_last_heartbeat_timestamp_seconds${APP}`;
  return {
    name: AlertName.Port8000WebSocketWorkersStuck,
    runbook: "websocket",
    dashboard: "serviceOverview",
    summary:
      "WebSocket worker {{ $labels.worker }} sent no heartbeat for {{ $value | humanizeDuration }}",
    description:
      "The last heartbeat of worker {{ $labels.worker }} on {{ $labels.instance }} is {{ $value | humanizeDuration }} old (threshold %THRESHOLD%). Restart the WebSocket worker pool.",
    logQuery: `${APP_LOGS} and ${LogField.worker}:"{{ $labels.worker }}"`,
    levels: levelsOf(
      ctx,
      ctx.t.websocketHeartbeatAgeSeconds,
      (v) => `${age} > ${v}`,
      (v) => `${v} s`,
    ),
  };
}

function metricsAbsent(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.Port8000MetricsAbsent,
    runbook: "availability",
    dashboard: "serviceOverview",
    summary: "Prometheus has no Port 8000 target up: every Port 8000 alert is blind",
    description:
      'No target of job "port8000" was scraped successfully. The app alerts cannot fire until /metrics is scraped again.',
    logQuery: APP_LOGS,
    levels: [
      {
        severity: "warning",
        expr: `absent(up${APP} == 1)`,
        for: ctx.hold("5m"),
        threshold: "no target up",
      },
    ],
  };
}

export function serviceAlerts(ctx: RuleContext): AlertDefinition[] {
  return [
    down(ctx),
    metricsAbsent(ctx),
    fileDescriptors(ctx),
    memoryLeak(ctx),
    connectionDrops(ctx),
    websocketStuck(ctx),
  ];
}
