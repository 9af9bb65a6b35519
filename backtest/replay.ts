import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { EngineReport } from "./compare";
import { type RuleFile, ruleFileYaml } from "./rules";

/** Runs the replay engine (engine.ts builds it) over one revision's reduced rule file. */

export interface ReplayWindow {
  readonly dataDir: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** The production evaluation interval, e.g. "10s". */
  readonly interval: string;
}

/**
 * range (the default): each rule's expression as range queries, Prometheus' rule code at every
 * step; manager: the rule manager's Group.Eval at every step. Both give the same episodes.
 */
export type ReplayMode = "range" | "manager";

export function writeRuleFile(file: RuleFile, dir: string, name: string): string {
  const path = join(dir, `${name}.rules.yml`);
  writeFileSync(path, ruleFileYaml(file));
  return path;
}

/** The series selectors a rule file reads from recorded data, parsed by Prometheus' parser. */
export function selectorsOf(engine: string, ruleFile: string): string[] {
  const result = spawnSync(engine, ["selectors", "--rules", ruleFile], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`selectors of ${ruleFile}: ${result.stderr}`);
  return result.stdout.split("\n").filter((line) => line !== "");
}

/**
 * How long before a window's start the rule file reads (range windows, offsets, subqueries, the
 * recording rules it reads, for: and keep_firing_for:), in ms: the recording starts that early.
 */
export function lookbackOf(engine: string, ruleFile: string): number {
  const result = spawnSync(engine, ["lookback", "--rules", ruleFile], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`lookback of ${ruleFile}: ${result.stderr}`);
  return Number(result.stdout.trim()) * 1000;
}

/** Replays `npm run backtest` runs at once: base's and head's. */
const CONCURRENT_REPLAYS = 2;

/**
 * Each replay gets its share of the cores unless GOMAXPROCS is set: a replay's evaluation is one
 * goroutine's work, and on a 2-core runner a second processor per replay only had Go's scheduler
 * spin for work and the collector mark in parallel (a sixth more CPU in the manager mode).
 */
export function replayEnv(env: NodeJS.ProcessEnv = process.env, cores = availableParallelism()) {
  if (env.GOMAXPROCS) return env;
  return { ...env, GOMAXPROCS: String(Math.max(1, Math.floor(cores / CONCURRENT_REPLAYS))) };
}

export function replay(
  engine: string,
  file: RuleFile,
  ruleFile: string,
  window: ReplayWindow,
  mode: ReplayMode = "range",
): Promise<EngineReport> {
  const args = [
    "replay",
    `--data=${window.dataDir}`,
    `--rules=${ruleFile}`,
    `--start=${Math.floor(window.fromMs / 1000)}`,
    `--end=${Math.floor(window.toMs / 1000)}`,
    `--interval=${window.interval}`,
    `--group-order=${file.groups.map((g) => g.name).join(",")}`,
    `--mode=${mode}`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(engine, args, { stdio: ["ignore", "pipe", "pipe"], env: replayEnv() });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`replay of ${ruleFile} failed: ${Buffer.concat(err).toString()}`));
        return;
      }
      resolve(JSON.parse(Buffer.concat(out).toString()) as EngineReport);
    });
  });
}
