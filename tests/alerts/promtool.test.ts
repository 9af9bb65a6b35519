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
  tests: { name: string; alert_rule_test?: RuleTest[]; promql_expr_test?: { expr: string }[] }[];
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

const NAME = /[A-Za-z_:][A-Za-z0-9_:]*/g;

/** What a boundary file's cases look at: the alerts they name, the names their queries read. */
function checkedBy(file: string): { alerts: Set<string>; read: Set<string> } {
  const doc = yaml.load(readFileSync(join(PROMTOOL_TESTS, file), "utf8")) as TestFile;
  const alerts = doc.tests.flatMap((t) => (t.alert_rule_test ?? []).map((c) => c.alertname));
  const exprs = doc.tests.flatMap((t) => (t.promql_expr_test ?? []).map((c) => c.expr));
  return { alerts: new Set(alerts), read: new Set(exprs.flatMap((e) => e.match(NAME) ?? [])) };
}

/**
 * The rules that decide what a file's cases look at: the alerting rules of the alerts they name
 * (every severity), the recording rules their queries read and, transitively, the recording rules
 * those rules read; groups and order kept. promtool compares only what a case names, so any other
 * rule would only be evaluated at every step of every case.
 */
function rulesDeciding(rules: RuleGroups, checked: ReturnType<typeof checkedBy>): RuleGroups {
  const all = rules.groups.flatMap((g) => g.rules);
  const kept = new Set(
    all.filter((r) => ("alert" in r ? checked.alerts : checked.read).has(nameOf(r))),
  );
  for (let grew = true; grew; ) {
    const read = new Set([...kept].flatMap((r) => r.expr.match(NAME) ?? []));
    const more = all.filter((r) => "record" in r && !kept.has(r) && read.has(r.record));
    for (const r of more) kept.add(r);
    grew = more.length > 0;
  }
  const groups = rules.groups.map((g) => ({ ...g, rules: g.rules.filter((r) => kept.has(r)) }));
  return { groups: groups.filter((g) => g.rules.length > 0) };
}

const nameOf = (rule: RuleGroups["groups"][number]["rules"][number]) =>
  "alert" in rule ? rule.alert : rule.record;

/**
 * The boundary cases, all in one promtool run: each file against the rules of `rules` that
 * decide its alerts, written beside it.
 */
async function runAgainst(rules: RuleGroups, testFiles: readonly string[]) {
  const dir = tempDir("promtool");
  mkdirSync(join(dir, "tests"));
  for (const file of testFiles) {
    const ruleFile = `rules-${file}`;
    writeFileSync(join(dir, ruleFile), toYaml(rulesDeciding(rules, checkedBy(file))));
    const text = readFileSync(join(PROMTOOL_TESTS, file), "utf8");
    const [committed] = (yaml.load(text) as TestFile).rule_files;
    writeFileSync(join(dir, "tests", file), text.replace(committed, `../${ruleFile}`));
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
