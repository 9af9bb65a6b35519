import { BURN_TIERS, burnFactor, errorBudget, MIN_SLO_PERIOD } from "../../lib/burn-windows";
import { parseDurationMs } from "../../lib/duration";
import type { StackConfig } from "./schema";

/**
 * slo.window is the SLO period the burn-rate factors derive from (lib/burn-windows.ts). Refused:
 * a period shorter than the windows are tuned for, and one so long that a tier would need an
 * error ratio above 100% and could never fire.
 */
export function sloPeriodRules(config: StackConfig): string[] {
  const { window, availability } = config.slo;
  const at = `slo.window ("${window}")`;
  if (parseDurationMs(window) < parseDurationMs(MIN_SLO_PERIOD)) {
    return [
      `${at}: the burn-rate windows (${BURN_TIERS.map((t) => `${t.longWindow}/${t.shortWindow}`).join(", ")}) are tuned for SLO periods of ${MIN_SLO_PERIOD} or longer (sloth's google windows); use ${MIN_SLO_PERIOD} or 30d`,
    ];
  }
  const budget = errorBudget(availability);
  const silent = BURN_TIERS.filter((tier) => burnFactor(tier, window) * budget >= 1);
  return silent.map(
    (tier) =>
      `${at}: the ${tier.longWindow} tier would alert only above a ${(burnFactor(tier, window) * budget * 100).toFixed(0)}% error ratio (factor ${burnFactor(tier, window)} × budget ${budget}) and could never fire; use a shorter period`,
  );
}
