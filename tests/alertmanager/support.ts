import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { StackConfig } from "../../components/config/schema";
import { requireTool, runTool } from "../../lib/tools";
import { readStackFile, type StackFileConfig } from "../../scripts/stack-file";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { memoized } from "../support/memo";
import { tempDir } from "../support/temp";

export const ROOT = join(__dirname, "..", "..");
export const STACKS = ["prod", "dr", "local"] as const;

export function stackFile(stack: string): StackFileConfig {
  return memoized(`stackFile ${stack}`, () => readStackFile(join(ROOT, `Pulumi.${stack}.yaml`)));
}

export function stackConfig(stack: string): StackConfig {
  return memoized(`stackConfig ${stack}`, () => parseStackFileConfig(stack, stackFile(stack)));
}

export { tempDir } from "../support/temp";

/** Writes relative path → content under a fresh temp dir; returns the dir. */
export function writeFiles(files: Record<string, string>, dir = tempDir("am")): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

export function amtool(args: string[]): { ok: boolean; output: string } {
  return runTool("amtool", args);
}

/**
 * Receivers amtool resolves for a label set, as a set (order is the tree's, not the contract's).
 * Asynchronous, so a suite can ask amtool about many label sets at once.
 */
export async function routedReceivers(
  configFile: string,
  labels: Record<string, string>,
): Promise<Set<string>> {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  const args = ["config", "routes", "test", `--config.file=${configFile}`, ...pairs];
  const result = await new Promise<{ ok: boolean; output: string }>((resolve, reject) =>
    execFile(requireTool("amtool"), args, { encoding: "utf8", timeout: 60_000 }, (err, out, e) => {
      if (err && typeof err.code !== "number") return reject(err);
      resolve({ ok: !err, output: `${out}${e}`.trim() });
    }),
  );
  if (!result.ok) throw new Error(`amtool config routes test failed: ${result.output}`);
  return new Set(
    result.output
      .split(",")
      .map((r) => r.trim())
      .filter(Boolean),
  );
}
