import type { LifecycleRule } from "../archive/lifecycle";
import { longestRetentionDays } from "../config/long-term-metrics";
import type { StackConfig } from "../config/schema";

/**
 * The archive's rule for Prometheus blocks (the sidecar, policy.ts, uploads them under
 * `prometheus/<environment>/`): their own prefix and expiry, apart from the logs' tiers.
 */

export const PROMETHEUS_BLOCKS_PREFIX = "prometheus/";
/**
 * The Thanos Compactor expires blocks per resolution (longTermMetrics.retention); S3 only
 * catches what it missed, a week after the longest retention, so it never cuts history short.
 * A block's objects are written after its newest sample, so no object expires before its data.
 */
export const PROMETHEUS_BLOCKS_GRACE_DAYS = 7;

export function prometheusBlocksDays(config: StackConfig): number {
  return longestRetentionDays(config) + PROMETHEUS_BLOCKS_GRACE_DAYS;
}

export function prometheusBlocksRule(config: StackConfig): LifecycleRule {
  return {
    ID: "port8000-prometheus-backup-retention",
    Status: "Enabled",
    Filter: { Prefix: PROMETHEUS_BLOCKS_PREFIX },
    Expiration: { Days: prometheusBlocksDays(config) },
  };
}
