import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderRuleGroups } from "../../alerts";
import { promtoolTestRules } from "../../alerts/promtool";
import { RecordName } from "../../alerts/recording";
import { toYaml } from "../../lib/serialize";
import { stackConfig } from "./support";

/**
 * The per-bot recording rules keep the rule cost linear in the bots: one per-bot value per
 * cycle for both severities, recorded only for the bots at or past an alert threshold.
 */

const bot = (metric: string, name: string, values: string) => ({
  series: `${metric}{job="port8000",instance="app:8000",bot="${name}"}`,
  values,
});

// Three bots for 10 minutes: bot-ok is healthy, bot-warm is past the warning thresholds only,
// bot-hot past the critical ones.
const INPUT = [
  bot("bot_cpu_percent", "bot-ok", "30x10"),
  bot("bot_cpu_percent", "bot-warm", "85x10"),
  bot("bot_cpu_percent", "bot-hot", "95x10"),
  ...["bot-ok", "bot-warm", "bot-hot"].map((b) => bot("bot_memory_limit_mb", b, "1000x10")),
  bot("bot_memory_mb", "bot-ok", "500x10"),
  bot("bot_memory_mb", "bot-warm", "850x10"),
  bot("bot_memory_mb", "bot-hot", "950x10"),
  bot("bot_restarts_total", "bot-ok", "0x10"),
  bot("bot_restarts_total", "bot-warm", "0 0 0 0 0 0 0 1 2 2 2"),
  bot("bot_restarts_total", "bot-hot", "0 0 0 0 0 0 1 2 3 4 5"),
];

function promqlCase(expr: string, bots: string[]) {
  return {
    expr: `sort(count by (bot) (${expr}))`,
    eval_time: "10m",
    exp_samples: bots.map((b) => ({ labels: `{bot="${b}"}`, value: 1 })),
  };
}

function runCases(cases: object[]) {
  const dir = mkdtempSync(join(tmpdir(), "bot-records-"));
  try {
    const rules = renderRuleGroups(stackConfig("prod"), { timeScale: 1 });
    writeFileSync(join(dir, "rules.yml"), toYaml(rules));
    const test = {
      rule_files: ["rules.yml"],
      evaluation_interval: "1m",
      tests: [{ interval: "1m", input_series: INPUT, promql_expr_test: cases }],
    };
    writeFileSync(join(dir, "test.yml"), toYaml(test));
    return promtoolTestRules("test.yml", dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("per-bot recording rules", () => {
  it("record only the bots at or past an alert threshold", () => {
    const run = runCases([
      promqlCase(RecordName.botCpu, ["bot-hot", "bot-warm"]),
      promqlCase(RecordName.botMemory, ["bot-hot", "bot-warm"]),
      promqlCase(RecordName.botRestarts("10m"), ["bot-hot", "bot-warm"]),
    ]);
    if (!run.ok) console.error(run.output);
    expect(run.ok).toBe(true);
  });

  it("would notice a healthy bot among them (the check can fail)", () => {
    const run = runCases([promqlCase(RecordName.botCpu, ["bot-hot", "bot-ok", "bot-warm"])]);
    expect(run.ok).toBe(false);
  });
});
