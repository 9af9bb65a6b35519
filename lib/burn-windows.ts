import type { Severity } from "./conventions";
import { parseDurationMs } from "./duration";

/**
 * Multi-window, multi-burn-rate tiers of the SRE workbook (ch. 5, table 5-8), as sloth's google
 * windows: page when 2% of the budget burns in 1h or 5% in 6h; ticket on 10% in 1d or 3d. The
 * short window stops the alert soon after the burn ends. The factor follows from the SLO period
 * (burnFactor): 14.4/6/3/1 for 30d, 13.44/5.6/2.8/0.93 for 28d.
 */
export interface BurnTier {
  readonly severity: Severity;
  readonly longWindow: string;
  readonly shortWindow: string;
  /** Share of the period's error budget this tier alerts on, consumed within longWindow. */
  readonly budgetShare: number;
  readonly for: string;
}

export const BURN_TIERS: readonly BurnTier[] = [
  { severity: "critical", longWindow: "1h", shortWindow: "5m", budgetShare: 0.02, for: "2m" },
  { severity: "critical", longWindow: "6h", shortWindow: "30m", budgetShare: 0.05, for: "15m" },
  { severity: "warning", longWindow: "1d", shortWindow: "2h", budgetShare: 0.1, for: "1h" },
  { severity: "warning", longWindow: "3d", shortWindow: "6h", budgetShare: 0.1, for: "3h" },
];

/** The shortest SLO period these windows are tuned for (sloth ships them for 28d and 30d). */
export const MIN_SLO_PERIOD = "28d";

/** How many times faster than sustainable the budget burns when the tier's share goes in its window. */
export function burnFactor(tier: BurnTier, sloPeriod: string): number {
  const factor = (tier.budgetShare * parseDurationMs(sloPeriod)) / parseDurationMs(tier.longWindow);
  return Number(factor.toFixed(4));
}

/** Every window an error ratio is recorded for, shortest first. */
export const BURN_WINDOWS: readonly string[] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/** 1 - availability without float noise (0.995 → 0.005). */
export function errorBudget(availability: number): number {
  return Number((1 - availability).toFixed(10));
}
