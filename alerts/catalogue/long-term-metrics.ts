import { THANOS_JOB } from "../../components/thanos/names";
import { AlertName } from "../../lib/alert-names";
import { LogField } from "../../lib/log-fields";
import { selector } from "../format";
import { MONITORING_LOGS } from "../log-queries";
import type { AlertDefinition, RuleContext } from "../model";

/**
 * Long-term metrics (components/thanos) watching themselves, after the Thanos mixin: a halted
 * Compactor stops downsampling and retention; a Store Gateway that cannot sync serves a stale
 * view of the archive. Neither loses data by itself, so both are warnings.
 */

// Pods by name: the index template maps kubernetes.pod.name, not the free-form kubernetes.labels.*.

/** Not in the guide's table, so fixed here rather than in config; the pipeline dashboard draws them. */
export const THANOS = {
  haltedFor: "5m",
  /** The Store syncs every 15m: two failures in an hour are half its attempts, not a blip. */
  syncWindow: "1h",
  syncFailures: 2,
  syncFor: "15m",
} as const;

function compactHalted(ctx: RuleContext): AlertDefinition {
  return {
    name: AlertName.ThanosCompactHalted,
    runbook: "monitoring-pipeline",
    dashboard: "monitoringPipeline",
    summary: "The Thanos Compactor {{ $labels.instance }} has halted",
    description:
      "thanos_compact_halted is 1 on {{ $labels.instance }}: the Compactor met an error it will not retry (overlapping or corrupt blocks). Nothing is compacted, downsampled or expired until someone fixes the bucket, so long-range panels slow down and the archive grows.",
    logQuery: `${MONITORING_LOGS} and ${LogField.kubernetesPod}:thanos-compact-*`,
    levels: [
      {
        severity: "warning",
        expr: `thanos_compact_halted${selector(THANOS_JOB.compact)} == 1`,
        for: ctx.hold(THANOS.haltedFor),
        threshold: "halted",
      },
    ],
  };
}

function storeSyncFailures(ctx: RuleContext): AlertDefinition {
  const w = ctx.range(THANOS.syncWindow);
  const failures = `sum by (job, instance) (increase(thanos_blocks_meta_sync_failures_total${selector(THANOS_JOB.store)}[${w}]))`;
  return {
    name: AlertName.ThanosStoreSyncFailures,
    runbook: "monitoring-pipeline",
    dashboard: "monitoringPipeline",
    summary: "The Thanos Store Gateway {{ $labels.instance }} cannot sync the archive's blocks",
    description: `{{ $value | humanize }} block syncs of {{ $labels.instance }} failed in ${w} (threshold %THRESHOLD%). It serves the blocks it knew before: new history is missing from long-range panels, and blocks the Compactor deletes may fail queries.`,
    logQuery: `${MONITORING_LOGS} and ${LogField.kubernetesPod}:thanos-store*`,
    levels: [
      {
        severity: "warning",
        expr: `${failures} >= ${THANOS.syncFailures}`,
        for: ctx.hold(THANOS.syncFor),
        threshold: `${THANOS.syncFailures} failed syncs in ${w}`,
      },
    ],
  };
}

export function longTermMetricsAlerts(ctx: RuleContext): AlertDefinition[] {
  return [compactHalted(ctx), storeSyncFailures(ctx)];
}
