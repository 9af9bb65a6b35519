import { join } from "node:path";
import { PROJECT } from "../../lib/conventions";
import type { ProgramRun, RecordedResource } from "../../scripts/mock-runtime";
import { readStackFile, type StackFileConfig } from "../../scripts/stack-file";
import { memoized } from "./memo";
import { recordedRun } from "./recorded-runs";

/** Runs index.ts under the recording mocks with any stack file, optionally overriding keys. */

type MockRuntime = typeof import("../../scripts/mock-runtime");

export const ROOT = join(__dirname, "..", "..");

export function stackFile(stack: string): StackFileConfig {
  return memoized(`stackFile ${stack}`, () => readStackFile(join(ROOT, `Pulumi.${stack}.yaml`)));
}

/** Replaces whole top-level project keys (e.g. "thresholds") with new values. */
export function withConfig(
  file: StackFileConfig,
  overrides: Record<string, unknown>,
): StackFileConfig {
  const config = { ...file.config };
  for (const [key, value] of Object.entries(overrides)) {
    const full = `${PROJECT}:${key}`;
    if (value === undefined) delete config[full];
    else config[full] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { config, secretKeys: file.secretKeys.filter((k) => k in config) };
}

// Each isolated load of index.ts brings a fresh copy of the Pulumi SDK, which hooks process
// exit once; a test file running many programs is expected to exceed Node's default of 10.
process.setMaxListeners(50);

/**
 * The stack's run: with its own stack file, the run the global setup recorded (a fresh copy);
 * with any other file, a live run.
 */
export async function runStack(stack: string, file?: StackFileConfig): Promise<ProgramRun> {
  return (file ? undefined : recordedRun(stack)) ?? runLive(stack, file ?? stackFile(stack));
}

/**
 * Runs index.ts now, whatever was recorded. The mock runtime (and with it the Pulumi SDK) is
 * loaded here, on the first live run: a file that only reads recorded runs never compiles it.
 */
export async function runLive(stack: string, file: StackFileConfig): Promise<ProgramRun> {
  const { runProgram } = require("../../scripts/mock-runtime") as MockRuntime;
  return runProgram({
    project: PROJECT,
    stack,
    config: file.config,
    secretKeys: file.secretKeys,
    load: loadProgram,
  });
}

let programLoaded = false;

/**
 * The program's exports, from a fresh load of index.ts: the program keeps module state, as in
 * a real run, where each `pulumi up` is a new process. The file's first run loads it into the
 * file's own module registry, where the mock runtime already loaded the Pulumi SDK; each later
 * run needs an isolated registry, which loads the SDK again.
 */
function loadProgram(): Record<string, unknown> {
  const index = join(ROOT, "index");
  if (!programLoaded) {
    programLoaded = true;
    return require(index);
  }
  let exports: Record<string, unknown> = {};
  jest.isolateModules(() => {
    exports = require(index);
  });
  return exports;
}

export function ofType(run: ProgramRun, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function named(run: ProgramRun, name: string): RecordedResource {
  const found = run.resources.find((r) => r.name === name);
  if (!found)
    throw new Error(
      `no resource named ${name}; have ${run.resources.map((r) => r.name).join(", ")}`,
    );
  return found;
}
