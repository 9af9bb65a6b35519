import { Job } from "../../lib/conventions";
import { mebibytes, percent, selector } from "../format";
import { levelsOf } from "../levels";
import type { AlertDefinition, RuleContext } from "../model";

/** The controller process itself: reachability, descriptors, memory, connections (2.3, 2.4, 4.4). */

const APP = selector(Job.port8000);
const NODE = selector(Job.node);
const APP_LOGS = "service:port8000";

function down(ctx: RuleContext): AlertDefinition {
  const probe = `probe_success${selector(Job.health)}`;
  return {
    name: "Port8000Down",
    runbook: "availability",
    dashboard: "serviceOverview",
    summary: "Port 8000 /health fails from the blackbox probe",
    description:
      "probe_success of {{ $labels.instance }} has been 0 (the /health check fails or times out). Users cannot reach the Port 8000 UI or API.",
    logQuery: `${APP_LOGS} and url.path:"/health"`,
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
    name: "Port8000FileDescriptorsHigh",
    runbook: "availability",
    dashboard: "resources",
    summary: "Port 8000 uses {{ $value | humanizePercentage }} of its file descriptors",
    description:
      "process_open_fds / process_max_fds on {{ $labels.instance }} is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). At the limit, new connections and log writes fail.",
    logQuery: `${APP_LOGS} and message:"Too many open files"`,
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
 */
function memoryLeak(ctx: RuleContext): AlertDefinition {
  const { window } = ctx.t.memoryLeakBytes;
  const w = ctx.range(window);
  const growth = `delta(process_resident_memory_bytes${APP}[${w}])`;
  const hostFalling = `min(deriv(node_memory_MemAvailable_bytes${NODE}[${w}])) < 0`;
  return {
    name: "Port8000MemoryLeak",
    runbook: "memory",
    dashboard: "resources",
    summary: `Port 8000 grew by {{ $value | humanize1024 }}B in ${window} while host memory falls`,
    description: `process_resident_memory_bytes of {{ $labels.instance }} rose by {{ $value | humanize1024 }}B in ${window} (threshold %THRESHOLD%) and node_memory_MemAvailable_bytes trends down. Automation captures a tracemalloc heap snapshot.`,
    logQuery: `${APP_LOGS} and (MemoryError or tracemalloc)`,
    levels: levelsOf(
      ctx,
      ctx.t.memoryLeakBytes,
      (v) => `${growth} > ${v}\nand on ()\n(${hostFalling})`,
      mebibytes,
    ),
  };
}

/** Guide 2.4 names two signals; each keeps its own `for:` as its own rule. */
function connectionDrops(ctx: RuleContext): AlertDefinition {
  const ws = ctx.t.websocketDisconnectsPerSecond;
  const tcp = ctx.t.tcpConnectionErrors;
  return {
    name: "Port8000ConnectionDrops",
    runbook: "websocket",
    dashboard: "serviceOverview",
    summary: "Port 8000 is dropping connections (%signal%: {{ $value | humanize }})",
    description:
      "%signal% on {{ $labels.instance }} is {{ $value | humanize }} (threshold %THRESHOLD%). Find the affected clients in the logs, then check the reverse proxy and the network.",
    logQuery: `${APP_LOGS} and (websocket or ConnectionReset)`,
    levels: [
      ...levelsOf(
        ctx,
        ws,
        (v) => `rate(websocket_disconnect_total${APP}[${ctx.range(ws.window)}]) > ${v}`,
        (v) => `${v}/s`,
      ).map((l) => ({ ...l, labels: { signal: "websocket_disconnects_per_second" } })),
      ...levelsOf(
        ctx,
        tcp,
        (v) => `increase(tcp_connection_errors_total${APP}[${ctx.range(tcp.window)}]) > ${v}`,
        (v) => `${v} in ${tcp.window}`,
      ).map((l) => ({ ...l, labels: { signal: "tcp_connection_errors" } })),
    ],
  };
}

function websocketStuck(ctx: RuleContext): AlertDefinition {
  const age = `time() - websocket_worker_last_heartbeat_timestamp_seconds${APP}`;
  return {
    name: "Port8000WebSocketWorkersStuck",
    runbook: "websocket",
    dashboard: "serviceOverview",
    summary:
      "WebSocket worker {{ $labels.worker }} sent no heartbeat for {{ $value | humanizeDuration }}",
    description:
      "The last heartbeat of worker {{ $labels.worker }} on {{ $labels.instance }} is {{ $value | humanizeDuration }} old (threshold %THRESHOLD%). Restart the WebSocket worker pool.",
    logQuery: `${APP_LOGS} and worker:"{{ $labels.worker }}"`,
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
    name: "Port8000MetricsAbsent",
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
