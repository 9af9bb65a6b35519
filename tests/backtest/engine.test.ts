import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import type { EngineReport } from "../../backtest/compare";
import { BACKTEST_DIR, ENGINE_BIN, ensureEngine } from "../../backtest/engine";
import { createBlocks } from "../../backtest/record";
import { pinnedModuleVersions, requireTool } from "../../lib/tools";

/**
 * The replay engine (its default range mode) against `promtool test rules`: both evaluate the
 * same rules over the same series, and promtool confirms that the alert fires exactly from the
 * first evaluation the engine reports to the last, and not one evaluation either side.
 */

jest.setTimeout(300_000);

const START = 1_767_225_600; // 2026-01-01T00:00:00Z, a multiple of the interval
const STEP = 30;
/** 10 min at 3, 25 min at 15, then 3: the test's own series, in promtool's notation too. */
const PHASES: [number, number][] = [
  [3, 20],
  [15, 50],
  [3, 60],
];
const RULES = {
  groups: [
    {
      name: "backlog",
      rules: [
        { record: "job:queue:max", expr: "max by (job) (task_queue_depth)" },
        {
          alert: "Backlog",
          expr: "job:queue:max > 10",
          for: "5m",
          keep_firing_for: "2m",
          labels: { severity: "warning" },
        },
      ],
    },
  ],
};

let dir: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openMetrics(): string {
  const lines: string[] = [];
  let t = START;
  for (const [value, count] of PHASES) {
    for (let i = 0; i < count; i += 1, t += STEP) {
      lines.push(`task_queue_depth{job="port8000"} ${value} ${t}`);
    }
  }
  return `${lines.join("\n")}\n# EOF\n`;
}

function promtoolAgrees(firingFrom: number, firingTo: number): string {
  const seconds = (t: number) => `${t - START}s`;
  const firing = [{ exp_labels: { alertname: "Backlog", job: "port8000", severity: "warning" } }];
  const at = (t: number, alerts: object[]) => ({
    eval_time: seconds(t),
    alertname: "Backlog",
    exp_alerts: alerts,
  });
  const series = PHASES.map(([v, n]) => `${v}x${n - 1}`).join(" ");
  const tests = {
    rule_files: ["rules.yml"],
    evaluation_interval: `${STEP}s`,
    tests: [
      {
        interval: `${STEP}s`,
        start_timestamp: START,
        input_series: [{ series: 'task_queue_depth{job="port8000"}', values: series }],
        alert_rule_test: [
          at(firingFrom - STEP, []),
          at(firingFrom, firing),
          at(firingTo - STEP, firing),
          at(firingTo, []),
        ],
      },
    ],
  };
  writeFileSync(join(dir, "tests.yml"), yaml.dump(tests));
  const result = spawnSync(requireTool("promtool"), ["test", "rules", "tests.yml"], {
    cwd: dir,
    encoding: "utf8",
  });
  return `${result.status} ${result.stdout}${result.stderr}`;
}

it("fires exactly when promtool test rules says the alert fires (for: and keep_firing_for:)", () => {
  dir = mkdtempSync(join(tmpdir(), "backtest-engine-"));
  writeFileSync(join(dir, "rules.yml"), yaml.dump(RULES));
  writeFileSync(join(dir, "in.om"), openMetrics());
  createBlocks(join(dir, "in.om"), join(dir, "blocks"));
  const end = START + 130 * STEP;
  const result = spawnSync(
    ensureEngine(),
    [
      "replay",
      `--data=${join(dir, "blocks")}`,
      `--rules=${join(dir, "rules.yml")}`,
      `--start=${START}`,
      `--end=${end}`,
      `--interval=${STEP}s`,
      "--group-order=backlog",
    ],
    { encoding: "utf8" },
  );
  expect(result.stderr).toBe("");
  const report = JSON.parse(result.stdout) as EngineReport;
  expect(report.evaluations).toBe(131);
  const [rule] = report.rules;
  expect(rule.episodes).toHaveLength(1);
  const [episode] = rule.episodes;
  // The backlog starts at +10m, for: 5m; false from +35m, keep_firing_for: 2m resolves at +37m.
  expect(episode.start - START).toBe(15 * 60);
  expect(episode.end - START).toBe(37 * 60);
  expect(promtoolAgrees(episode.start, episode.end)).toMatch(/^0 .*SUCCESS/s);
  // And promtool refutes a replay one evaluation off.
  expect(promtoolAgrees(episode.start + STEP, episode.end)).toMatch(/^1 /);
});

it("builds from backtest/engine alone, whatever a cached copy of its command directory holds", () => {
  const version = pinnedModuleVersions()["github.com/prometheus/prometheus"];
  const command = join(BACKTEST_DIR, "src", `prometheus@${version}`, "cmd", "port8000-backtest");
  ensureEngine();
  // A file since renamed or removed from backtest/engine, as a restored CI cache holds it.
  const stale = join(command, "stale.go");
  writeFileSync(stale, "package main\n\nfunc replayRange() {}\n");
  rmSync(`${ENGINE_BIN}.stamp`);
  expect(ensureEngine()).toBe(ENGINE_BIN);
  expect(existsSync(stale)).toBe(false);
});
