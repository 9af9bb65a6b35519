import type { Severity } from "../lib/conventions";

/**
 * Multi-window, multi-burn-rate tiers of the SRE workbook (ch. 5, table 5-8) for a 30-day SLO:
 * page when 2% of the budget burns in 1h or 5% in 6h; ticket on 10% in 3d (1d/2h, 3d/6h).
 * The short window stops the alert soon after the burn ends.
 */
export interface BurnTier {
  readonly severity: Severity;
  readonly longWindow: string;
  readonly shortWindow: string;
  readonly factor: number;
  readonly for: string;
}

export const BURN_TIERS: readonly BurnTier[] = [
  { severity: "critical", longWindow: "1h", shortWindow: "5m", factor: 14.4, for: "2m" },
  { severity: "critical", longWindow: "6h", shortWindow: "30m", factor: 6, for: "15m" },
  { severity: "warning", longWindow: "1d", shortWindow: "2h", factor: 3, for: "1h" },
  { severity: "warning", longWindow: "3d", shortWindow: "6h", factor: 1, for: "3h" },
];

/** Every window an error ratio is recorded for, shortest first. */
export const BURN_WINDOWS: readonly string[] = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

/** 1 - availability without float noise (0.995 → 0.005). */
export function errorBudget(availability: number): number {
  return Number((1 - availability).toFixed(10));
}
