import { AlertName } from "../../lib/alert-names";
import { BURN_TIERS, type BurnTier, burnFactor, errorBudget } from "../../lib/burn-windows";
import { Job } from "../../lib/conventions";
import { LogField } from "../../lib/log-fields";
import { percent, selector } from "../format";
import { APP_LOGS } from "../log-queries";
import type { AlertDefinition, AlertLevel, RuleContext } from "../model";
import { RecordName } from "../recording";

/**
 * The availability SLO on the 5xx share (guide 1.3: 99.5%) as multi-window multi-burn-rate
 * alerts. Each tier is its own rule because each has its own `for:`; the window labels keep
 * the tiers apart in Alertmanager and never change with the time scale, while the text names
 * the scaled windows the expression evaluates.
 */

const APP = selector(Job.port8000);

function tierLevel(ctx: RuleContext, tier: BurnTier): AlertLevel {
  const budget = errorBudget(ctx.config.slo.availability);
  const factor = burnFactor(tier, ctx.config.slo.window);
  const over = (window: string) =>
    `${RecordName.errorRatio(window)}${APP} > (${factor} * ${budget})`;
  return {
    severity: tier.severity,
    expr: `${over(tier.longWindow)}\nand\n${over(tier.shortWindow)}`,
    for: ctx.hold(tier.for),
    threshold: `${factor}x`,
    labels: { long_window: tier.longWindow, short_window: tier.shortWindow },
    vars: { long_range: ctx.range(tier.longWindow), short_range: ctx.range(tier.shortWindow) },
  };
}

export function sloAlerts(ctx: RuleContext): AlertDefinition[] {
  const budget = errorBudget(ctx.config.slo.availability);
  return [
    {
      name: AlertName.Port8000ErrorBudgetBurn,
      runbook: "error-rate",
      dashboard: "serviceOverview",
      summary:
        "Port 8000 burns its error budget %THRESHOLD% too fast (%long_range% and %short_range% windows)",
      description: `The 5xx share over %long_range% is {{ $value | humanizePercentage }}, more than %THRESHOLD% the budget of the ${percent(ctx.config.slo.availability)} availability SLO (${percent(budget)} errors over ${ctx.config.slo.window}), and the %short_range% window confirms it is still burning.`,
      logQuery: `${APP_LOGS} and ${LogField.status} >= 500`,
      levels: BURN_TIERS.map((tier) => tierLevel(ctx, tier)),
    },
  ];
}
