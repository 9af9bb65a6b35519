import { AlertName } from "../../lib/alert-names";
import { Job } from "../../lib/conventions";
import { LogField } from "../../lib/log-fields";
import { REAL_FILESYSTEMS } from "../../lib/metrics";
import { percent, selector } from "../format";
import { levelsOf } from "../levels";
import { HOST_LOGS } from "../log-queries";
import type { AlertDefinition, RuleContext } from "../model";
import { RecordName } from "../recording";

/** The hosts Port 8000 runs on, from node exporter (guide 1.1, 1.3, 2.5, 4.1, 4.2). */

const NODE = selector(Job.node);
const REAL_FS = selector(Job.node, REAL_FILESYSTEMS);
/** The contract's "increased in 5m"; a kill is an event, not a threshold. */
const OOM_WINDOW = "5m";

function hostCpu(ctx: RuleContext): AlertDefinition {
  const busy = `${RecordName.hostCpu(ctx.t.hostCpuRatio.window)}${NODE}`;
  return {
    name: AlertName.HostHighCpu,
    runbook: "high-cpu",
    dashboard: "resources",
    summary: "Host {{ $labels.instance }} CPU is {{ $value | humanizePercentage }} busy",
    description:
      "The busy share of node_cpu_seconds_total on {{ $labels.instance }} is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). Find the culprit (bot or orchestrator) and bring it back under 70%.",
    logQuery: HOST_LOGS,
    levels: levelsOf(ctx, ctx.t.hostCpuRatio, (v) => `${busy} > ${v}`, percent),
  };
}

function memoryPressure(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.HostMemoryPressure,
    runbook: "memory",
    dashboard: "resources",
    summary: "Host {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its RAM",
    description:
      "1 - MemAvailable/MemTotal on {{ $labels.instance }} is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). Cross-check swap activity (node_vmstat_pswpin/pswpout) before the kernel OOM killer steps in.",
    logQuery: HOST_LOGS,
    levels: levelsOf(
      ctx,
      ctx.t.hostMemoryRatio,
      (v) => `${RecordName.hostMemory}${NODE} > ${v}`,
      percent,
    ),
  };
}

function diskSpace(ctx: RuleContext): AlertDefinition {
  const free = `node_filesystem_avail_bytes${REAL_FS}\n/\nnode_filesystem_size_bytes${REAL_FS}`;
  return {
    name: AlertName.HostDiskSpaceLow,
    runbook: "disk-space",
    dashboard: "resources",
    summary:
      "{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} free",
    description:
      "node_filesystem_avail_bytes / node_filesystem_size_bytes of {{ $labels.mountpoint }} ({{ $labels.device }}) on {{ $labels.instance }} is {{ $value | humanizePercentage }} (threshold %THRESHOLD%). Warning runs log rotation; critical freezes deployments and pages the infra lead.",
    logQuery: HOST_LOGS,
    levels: levelsOf(ctx, ctx.t.hostDiskFreeRatio, (v) => `${free} < ${v}`, percent),
  };
}

function oomKill(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.HostOomKill,
    runbook: "memory",
    dashboard: "resources",
    summary: "The kernel OOM killer ran on {{ $labels.instance }}",
    description: `node_vmstat_oom_kill on {{ $labels.instance }} rose by {{ $value | humanize }} in ${ctx.range(OOM_WINDOW)}: a process was killed for memory.`,
    logQuery: `${HOST_LOGS} and ${LogField.message}:"Out of memory"`,
    levels: [
      {
        severity: "critical",
        expr: `increase(node_vmstat_oom_kill${NODE}[${ctx.range(OOM_WINDOW)}]) > 0`,
        for: "0s",
        threshold: "any",
      },
    ],
  };
}

export function hostAlerts(ctx: RuleContext): AlertDefinition[] {
  return [hostCpu(ctx), memoryPressure(ctx), diskSpace(ctx), oomKill(ctx)];
}
