import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { renderRulesFile } from "../../alerts";
import { promtoolTestRules } from "../../alerts/promtool";
import { MissingTool } from "../../scripts/validators";
import { alertingRules, committedRules, PROMTOOL_TESTS, RULES_FILE, stackConfig } from "./support";

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

describe("promtool unit tests", () => {
  it.each(TEST_FILES)("%s passes promtool test rules against the committed rule file", (file) => {
    const doc = yaml.load(readFileSync(join(PROMTOOL_TESTS, file), "utf8")) as TestFile;
    expect(doc.rule_files).toEqual(["../port8000-rules.yml"]);
    const run = promtoolTestRules(file, PROMTOOL_TESTS);
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
    const dir = mkdtempSync(join(tmpdir(), "promtool-"));
    try {
      const moved = stackConfig("prod", { thresholds: { queueDepth: { warning: 30 } } });
      writeFileSync(join(dir, "port8000-rules.yml"), renderRulesFile(moved, { timeScale: 1 }));
      mkdirSync(join(dir, "tests"));
      copyFileSync(join(PROMTOOL_TESTS, "bots.test.yml"), join(dir, "tests", "bots.test.yml"));
      const run = promtoolTestRules("bots.test.yml", join(dir, "tests"));
      expect(run.ok).toBe(false);
      expect(run.output).toContain("Port8000QueueBacklog");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fail loudly when promtool is not installed", () => {
    expect(() => promtoolTestRules("x.yml", PROMTOOL_TESTS, "promtool-not-installed")).toThrow(
      MissingTool,
    );
  });

  it("read the rule file that is committed", () => {
    expect(readFileSync(RULES_FILE, "utf8").length).toBeGreaterThan(1000);
  });
});
