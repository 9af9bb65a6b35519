import type { LifecycleRule } from "./lifecycle";

/**
 * The archive's rule for Prometheus blocks (components/prometheus-backup uploads them under
 * `prometheus/<environment>/`): their own prefix and expiry, apart from the logs' tiers.
 */

export const PROMETHEUS_BLOCKS_PREFIX = "prometheus/";
/** A quarter: the monthly review compares a month with the one before, 3.4 plans by quarter. */
export const PROMETHEUS_BLOCKS_DAYS = 90;

export function prometheusBlocksRule(): LifecycleRule {
  return {
    ID: "port8000-prometheus-backup-retention",
    Status: "Enabled",
    Filter: { Prefix: PROMETHEUS_BLOCKS_PREFIX },
    Expiration: { Days: PROMETHEUS_BLOCKS_DAYS },
  };
}
