import { renderRuleGroups } from "../../alerts";
import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import { PROJECT } from "../../lib/conventions";
import { alertingRules, stackConfig } from "../alerts/support";
import { stackFile, withConfig } from "../support/program";

/**
 * slo.window is the SLO period. The burn-rate factors are sloth's google windows table (SRE
 * workbook shares 2% in 1h, 5% in 6h, 10% in 1d, 10% in 3d), written out as sloth prints them.
 */
const SLOTH_FACTORS: Record<string, Record<string, number>> = {
  "30d": { "1h": 14.4, "6h": 6, "1d": 3, "3d": 1 },
  "28d": { "1h": 13.44, "6h": 5.6, "1d": 2.8, "3d": 0.93 },
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

function sloProblems(slo: Record<string, unknown>, others: Record<string, unknown> = {}): string[] {
  const file = withConfig(stackFile("prod"), { slo, ...others });
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  const result = parseStackConfig(raw, secrets);
  return result.ok ? [] : result.problems;
}

describe("the SLO period drives the burn-rate factors", () => {
  it.each(["30d", "28d"])("renders sloth's factor for each tier of a %s period", (period) => {
    const got = factors(period);
    expect(Object.keys(got).sort()).toEqual(["1d", "1h", "3d", "6h"]);
    // sloth rounds 0.9333 to 0.93; two decimals is the precision of its table.
    for (const [w, factor] of Object.entries(SLOTH_FACTORS[period])) {
      expect({ w, factor: got[w] }).toEqual({ w, factor: expect.closeTo(factor, 2) });
    }
  });

  it("renders different alerts for different periods", () => {
    expect(factors("28d")["1h"]).toBeLessThan(factors("30d")["1h"]);
  });

  it("refuses a period shorter than the windows are tuned for, naming slo.window", () => {
    const problems = sloProblems({ availability: 0.995, window: "7d" });
    expect(problems).toEqual([expect.stringMatching(/^slo\.window \("7d"\): .*28d/)]);
  });

  it("refuses a period whose fastest tier could never fire (factor × budget ≥ 100%)", () => {
    // Long-term retention must cover the SLO window too: keep it long enough to leave only this.
    const longTermMetrics = {
      ...JSON.parse(stackFile("prod").config[`${PROJECT}:longTermMetrics`] ?? "{}"),
      retention: { raw: "400d", fiveMinutes: "400d", oneHour: "400d" },
    };
    const problems = sloProblems({ availability: 0.99, window: "365d" }, { longTermMetrics });
    expect(problems).toEqual([expect.stringMatching(/^slo\.window \("365d"\): .*1h/)]);
  });

  it("accepts the prod stack's period", () => {
    expect(sloProblems(JSON.parse(stackFile("prod").config[`${PROJECT}:slo`]))).toEqual([]);
  });
});
