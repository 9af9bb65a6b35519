import { renderRuleGroups } from "../../alerts";
import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import { PROJECT } from "../../lib/conventions";
import { alertingRules, stackConfig } from "../alerts/support";
import { stackFile, withConfig } from "../support/program";

/**
 * slo.window is the SLO period. The burn-rate factors follow from it as sloth derives them from
 * its google windows: factor = share of the budget consumed × period / long window, with the
 * SRE workbook's shares 2% (1h), 5% (6h), 10% (1d), 10% (3d).
 */

const SHARES: Record<string, number> = { "1h": 0.02, "6h": 0.05, "1d": 0.1, "3d": 0.1 };
const HOURS: Record<string, number> = {
  "1h": 1,
  "6h": 6,
  "1d": 24,
  "3d": 72,
  "28d": 672,
  "30d": 720,
};

function factors(window: string): Record<string, number> {
  const groups = renderRuleGroups(stackConfig("prod", { slo: { availability: 0.995, window } }), {
    timeScale: 1,
  });
  const burn = alertingRules(groups).filter((r) => r.alert === "Port8000ErrorBudgetBurn");
  return Object.fromEntries(
    burn.map((rule) => {
      const factor = rule.expr.match(/> \(([\d.]+) \* 0\.005\)/)?.[1];
      return [rule.labels.long_window, Number(factor)];
    }),
  );
}

function sloProblems(slo: Record<string, unknown>): string[] {
  const file = withConfig(stackFile("prod"), { slo });
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  const result = parseStackConfig(raw, secrets);
  return result.ok ? [] : result.problems;
}

describe("the SLO period drives the burn-rate factors", () => {
  it.each(["30d", "28d"])("derives each tier's factor from a %s period", (period) => {
    const expected = Object.fromEntries(
      Object.entries(SHARES).map(([w, share]) => [w, (share * HOURS[period]) / HOURS[w]]),
    );
    const got = factors(period);
    expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
    for (const [w, factor] of Object.entries(expected)) expect(got[w]).toBeCloseTo(factor, 3);
  });

  it("renders different alerts for different periods", () => {
    expect(factors("28d")["1h"]).toBeLessThan(factors("30d")["1h"]);
  });

  it("refuses a period shorter than the windows are tuned for, naming slo.window", () => {
    const problems = sloProblems({ availability: 0.995, window: "7d" });
    expect(problems).toEqual([expect.stringMatching(/^slo\.window \("7d"\): .*28d/)]);
  });

  it("refuses a period whose fastest tier could never fire (factor × budget ≥ 100%)", () => {
    const problems = sloProblems({ availability: 0.99, window: "365d" });
    expect(problems).toEqual([expect.stringMatching(/^slo\.window \("365d"\): .*1h/)]);
  });

  it("accepts the prod stack's period", () => {
    expect(sloProblems(JSON.parse(stackFile("prod").config[`${PROJECT}:slo`]))).toEqual([]);
  });
});
