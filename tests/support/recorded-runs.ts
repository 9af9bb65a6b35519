import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { deserialize } from "node:v8";
import type { ProgramRun } from "../../scripts/mock-runtime";

/**
 * The Pulumi program, run once per stack with its own stack file before jest starts (a global
 * setup), so the many tests that only read a stack's resources share one recorded run instead
 * of each running the program. Keyed by a hash of every source the program and the recorder
 * read: an edit to any of them records again. tests/recorded-runs.test.ts compares a live run
 * with each recording, so a recording can never drift from what the program declares.
 */

export const RECORDED_STACKS = ["prod", "dr", "local"] as const;

/** Set by the global setup for the workers: the directory holding `<stack>.v8`. */
export const RECORDED_RUNS_ENV = "PORT8000_RECORDED_RUNS";

const ROOT = join(__dirname, "..", "..");
const CACHE = join(ROOT, "node_modules", ".cache", "port8000-recorded-runs");
/**
 * What the program can read; tests, docs and the local tooling cannot change a run. ops/ (and
 * the cluster/ client it imports) can: the scheduled checklists ship its bundle in a ConfigMap.
 */
const SOURCE_DIRS = [
  "alerts",
  "automation",
  "cluster",
  "components",
  "dashboards",
  "lib",
  "ops",
  "policy",
  "scripts",
  "vendor",
];
const SOURCE_FILES = [
  "index.ts",
  "package-lock.json",
  "tsconfig.json",
  "tests/support/record-stack.ts",
];

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    // statSync follows symlinks: vendored chart folders link to CRD folders.
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

export function sourcesKey(): string {
  const stackFiles = readdirSync(ROOT).filter((f) => /^Pulumi\..*\.ya?ml$/.test(f));
  const files = [
    ...SOURCE_DIRS.flatMap((dir) => filesUnder(join(ROOT, dir))),
    ...[...SOURCE_FILES, ...stackFiles].map((f) => join(ROOT, f)),
  ].sort();
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(relative(ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

function recordOne(stack: string, path: string): Promise<void> {
  const tsx = join(ROOT, "node_modules", ".bin", "tsx");
  const script = join(ROOT, "tests", "support", "record-stack.ts");
  // Two jest runs may record at once: each writes its own file and renames it into place.
  const tmp = `${path}.${process.pid}.tmp`;
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [script, stack, tmp], { cwd: ROOT, stdio: "pipe" });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`recording the ${stack} stack failed:\n${stderr}`));
      renameSync(tmp, path);
      resolve();
    });
  });
}

/** Records every stack not yet recorded for today's sources; returns the directory. */
export async function recordRuns(): Promise<string> {
  const dir = join(CACHE, sourcesKey());
  mkdirSync(dir, { recursive: true });
  const missing = RECORDED_STACKS.filter((stack) => !existsSync(join(dir, `${stack}.v8`)));
  await Promise.all(missing.map((stack) => recordOne(stack, join(dir, `${stack}.v8`))));
  writeFileSync(join(dir, "stacks"), `${RECORDED_STACKS.join("\n")}\n`);
  return dir;
}

/** A fresh copy of the stack's recorded run, or undefined outside a jest run that recorded. */
export function recordedRun(stack: string): ProgramRun | undefined {
  const dir = process.env[RECORDED_RUNS_ENV];
  if (!dir) return undefined;
  const path = join(dir, `${stack}.v8`);
  if (!existsSync(path)) return undefined;
  return deserialize(readFileSync(path)) as ProgramRun;
}
