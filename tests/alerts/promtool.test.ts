import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { renderRuleGroups } from "../../alerts";
import { promtoolTestRules } from "../../alerts/promtool";
import type { RuleGroups } from "../../alerts/render";
import { toYaml } from "../../lib/serialize";
import {
  alertingRules,
  committedRules,
  PAGING_TEXT_TESTS,
  PROMTOOL_TESTS,
  stackConfig,
} from "./support";

interface ExpAlert {
  exp_labels?: Record<string, string>;
}
interface RuleTest {
  alertname: string;
  eval_time: string;
  exp_alerts: ExpAlert[];
}
interface TestFile {
  rule_files: string[];
  tests: { name: string; alert_rule_test?: RuleTest[] }[];
}

const TEST_FILES = readdirSync(PROMTOOL_TESTS).filter((f) => f.endsWith(".test.yml"));
const cases = TEST_FILES.flatMap((file) => {
  const doc = yaml.load(readFileSync(join(PROMTOOL_TESTS, file), "utf8")) as TestFile;
  return doc.tests.flatMap((group) => group.alert_rule_test ?? []);
});

/** An alert level: its name, severity and the extra static labels that tell levels apart. */
function levelKey(alert: string, labels: Record<string, string>, extra: readonly string[]) {
  return [alert, labels.severity, ...extra.map((k) => `${k}=${labels[k] ?? ""}`)].join(" ");
}

const STATIC_EXTRAS = ["long_window", "short_window", "signal"];

/**
 * The boundary cases pin when each alert fires and with which labels; they run against the rule
 * file without annotations, so that the paging text is judged once, by the hand-written cases
 * of alerts/tests/text/ against the committed file.
 */
function withoutAnnotations(groups: RuleGroups): RuleGroups {
  return {
    groups: groups.groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) => ("alert" in r ? { ...r, annotations: {} } : r)),
    })),
  };
}

function runAgainst(rules: RuleGroups, testFile: string) {
  const dir = mkdtempSync(join(tmpdir(), "promtool-"));
  try {
    writeFileSync(join(dir, "port8000-rules.yml"), toYaml(rules));
    mkdirSync(join(dir, "tests"));
    writeFileSync(join(dir, "tests", "case.test.yml"), readFileSync(testFile, "utf8"));
    return promtoolTestRules("case.test.yml", join(dir, "tests"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("promtool unit tests", () => {
  it.each(TEST_FILES)("%s passes promtool test rules against the committed rules", (file) => {
    const doc = yaml.load(readFileSync(join(PROMTOOL_TESTS, file), "utf8")) as TestFile;
    expect(doc.rule_files).toEqual(["../port8000-rules.yml"]);
    const run = runAgainst(withoutAnnotations(committedRules()), join(PROMTOOL_TESTS, file));
    if (!run.ok) console.error(`promtool test rules ${file}:\n${run.output}`);
    expect(run.ok).toBe(true);
  });

  it.each(readdirSync(PAGING_TEXT_TESTS))("%s: what a person is paged with", (file) => {
    const run = promtoolTestRules(file, PAGING_TEXT_TESTS);
    if (!run.ok) console.error(`promtool test rules ${file}:\n${run.output}`);
    expect(run.ok).toBe(true);
  });

  it("expect every alert level of the rule file to fire in some case", () => {
    const levels = new Set(
      alertingRules(committedRules()).map((r) => levelKey(r.alert, r.labels, STATIC_EXTRAS)),
    );
    const fired = new Set(
      cases.flatMap((c) =>
        c.exp_alerts.map((a) => levelKey(c.alertname, a.exp_labels ?? {}, STATIC_EXTRAS)),
      ),
    );
    expect([...levels].filter((l) => !fired.has(l))).toEqual([]);
  });

  it("expect every alert to stay silent in some case (below its threshold or before its for:)", () => {
    const names = new Set(alertingRules(committedRules()).map((r) => r.alert));
    names.delete("Watchdog");
    const silent = new Set(cases.filter((c) => c.exp_alerts.length === 0).map((c) => c.alertname));
    expect([...names].filter((n) => !silent.has(n))).toEqual([]);
  });

  it("fail when a threshold moves: the cases pin the rendered rules", () => {
    const moved = stackConfig("prod", { thresholds: { queueDepth: { warning: 30 } } });
    const rules = withoutAnnotations(renderRuleGroups(moved, { timeScale: 1 }));
    const run = runAgainst(rules, join(PROMTOOL_TESTS, "bots.test.yml"));
    expect(run.ok).toBe(false);
    expect(run.output).toContain("Port8000QueueBacklog");
  });
});
