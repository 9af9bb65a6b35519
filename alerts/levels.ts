import type { ThresholdLevels } from "../components/config/thresholds";
import type { Severity } from "../lib/conventions";
import type { AlertLevel, RuleContext } from "./model";

const ORDER: readonly Severity[] = ["critical", "warning", "info"];

/**
 * A level per severity the threshold configures, critical first; `expr` gets the level's
 * value and `show` renders it for people.
 */
export function levelsOf(
  ctx: RuleContext,
  threshold: ThresholdLevels,
  expr: (value: number) => string,
  show: (value: number) => string = String,
): AlertLevel[] {
  return ORDER.flatMap((severity) => {
    const value = threshold[severity];
    if (value === undefined) return [];
    const hold = threshold[`${severity}For`] ?? "0s";
    return [{ severity, expr: expr(value), for: ctx.hold(hold), threshold: show(value) }];
  });
}
