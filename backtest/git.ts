import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "./args";

/**
 * The committed rule file of a revision. A test keeps alerts/port8000-rules.yml equal to what
 * synth renders, so a revision's committed file is its rendered rules.
 */

export const RULES_PATH = "alerts/port8000-rules.yml";

function git(args: string[], cwd: string) {
  return spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 1 << 26 });
}

export function repositoryRoot(cwd: string): string {
  const result = git(["rev-parse", "--show-toplevel"], cwd);
  if (result.status !== 0) throw new UsageError(`${cwd} is not in a git repository`);
  return result.stdout.trim();
}

/** The commit a ref names, short; an unknown ref is a usage error. */
export function resolveRef(ref: string, cwd: string): string {
  const result = git(["rev-parse", "--verify", "--quiet", "--short", `${ref}^{commit}`], cwd);
  if (result.status !== 0)
    throw new UsageError(`unknown ref "${ref}": not a commit in this repository`);
  return result.stdout.trim();
}

export function rulesAt(ref: string, cwd: string): string {
  const result = git(["show", `${ref}:${RULES_PATH}`], cwd);
  if (result.status !== 0) throw new UsageError(`${ref} has no ${RULES_PATH}`);
  return result.stdout;
}

export function workingTreeRules(root: string): string {
  return readFileSync(join(root, RULES_PATH), "utf8");
}
