import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { renderRuleGroups } from "../../alerts";
import { type PromtoolFile, type PromtoolRuns, promtoolTestRuleFiles } from "../../alerts/promtool";
import type { RuleGroups } from "../../alerts/render";
import { toYaml } from "../../lib/serialize";
import { tempDir } from "../support/temp";
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

/** The boundary cases, all in one promtool run, against `rules` written beside them. */
async function runAgainst(rules: RuleGroups, testFiles: readonly string[]) {
  const dir = tempDir("promtool");
  writeFileSync(join(dir, "port8000-rules.yml"), toYaml(rules));
  mkdirSync(join(dir, "tests"));
  for (const file of testFiles) {
    writeFileSync(join(dir, "tests", file), readFileSync(join(PROMTOOL_TESTS, file), "utf8"));
  }
  return promtoolTestRuleFiles(testFiles, join(dir, "tests"));
}

/** Each failure of a file's groups, prefixed with the group's name. */
const failuresOf = (file: PromtoolFile | undefined) =>
  (file?.cases ?? []).flatMap((c) => c.failures.map((f) => `${c.name}: ${f}`));

const PAGING_TEXT_FILES = readdirSync(PAGING_TEXT_TESTS);
const MOVED_FILES = ["bots.test.yml", "host.test.yml"];

let boundaries: PromtoolRuns;
let pagingText: PromtoolRuns;
let moved: PromtoolRuns;

beforeAll(async () => {
  const movedConfig = stackConfig("prod", { thresholds: { queueDepth: { warning: 30 } } });
  [boundaries, pagingText, moved] = await Promise.all([
    runAgainst(withoutAnnotations(committedRules()), TEST_FILES),
    promtoolTestRuleFiles(PAGING_TEXT_FILES, PAGING_TEXT_TESTS),
    runAgainst(withoutAnnotations(renderRuleGroups(movedConfig, { timeScale: 1 })), MOVED_FILES),
  ]);
}, 300_000);

describe("promtool unit tests", () => {
  it.each(TEST_FILES)("%s passes promtool test rules against the committed rules", (file) => {
    const doc = yaml.load(readFileSync(join(PROMTOOL_TESTS, file), "utf8")) as TestFile;
    expect(doc.rule_files).toEqual(["../port8000-rules.yml"]);
    const result = boundaries.files.get(file);
    expect(result?.error).toBeUndefined();
    expect(result?.cases.map((c) => c.name)).toEqual(doc.tests.map((t) => t.name));
    expect(failuresOf(result)).toEqual([]);
  });

  it("every boundary file ran, in one promtool run that passed", () => {
    expect([...boundaries.files.keys()]).toEqual(TEST_FILES);
    if (!boundaries.ok) console.error(boundaries.output);
    expect(boundaries.ok).toBe(true);
  });

  it.each(PAGING_TEXT_FILES)("%s: what a person is paged with", (file) => {
    const doc = yaml.load(readFileSync(join(PAGING_TEXT_TESTS, file), "utf8")) as TestFile;
    const result = pagingText.files.get(file);
    expect(result?.error).toBeUndefined();
    expect(result?.cases.map((c) => c.name)).toEqual(doc.tests.map((t) => t.name));
    expect(failuresOf(result)).toEqual([]);
    expect(pagingText.ok).toBe(true);
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

  it("fail when a threshold moves: the cases pin the rendered rules, and the failure names its file and case", () => {
    expect(moved.ok).toBe(false);
    const bots = moved.files.get("bots.test.yml");
    const failing = bots?.cases.filter((c) => c.failures.length > 0).map((c) => c.name);
    expect(failing).toEqual([expect.stringMatching(/^queue backlog:/)]);
    expect(failuresOf(bots).join("\n")).toContain("Port8000QueueBacklog");
    const host = moved.files.get("host.test.yml");
    expect(host?.cases.length).toBeGreaterThan(0);
    expect(failuresOf(host)).toEqual([]);
  });
});
