import { join } from "node:path";
import { PROJECT } from "../../lib/conventions";
import { type RecordedResource, runProgram } from "../../scripts/mock-runtime";
import { readStackFile } from "../../scripts/stack-file";

/**
 * Child process of gate.test.ts: runs index.ts under the recording mocks once per scenario of
 * argv[2] (JSON), in order, and prints one report per scenario (a JSON array). A scenario gives
 * the live freeze ConfigMap's data, or `missing` (a rebuilt cluster without it), and optionally
 * a stack file and environment. The engine refreshes first (Pulumi.yaml `options.refresh:
 * always`), so the declared ConfigMap's state is the live one, and a missing one is created
 * anew; reading a missing object by id fails, as the engine's read does.
 *
 * Each run loads the program's modules anew (the Pulumi SDK and providers stay loaded, as
 * between the tests of one file). A held freeze fails the program with rejections and leaves
 * registrations waiting forever, exactly as `pulumi up` sees it, so a failed run must be the
 * last one: the child reports and exits after it. Jest would pin those rejections on the test.
 */

export interface GateScenario {
  readonly data: Record<string, string> | "missing";
  readonly stackFile?: string;
  readonly env?: Record<string, string>;
}

export interface GateRun {
  outputs: Record<string, unknown>;
  names: string[];
  reads: string[];
  errors: string[];
  resources: RecordedResource[];
}

const ROOT = join(__dirname, "..", "..");
// The report carries error messages, not stacks: with tsx's source maps on, Node mapped every
// frame of the stack the Pulumi SDK captures for each promise it makes (a sixth of a run's CPU).
process.setSourceMapsEnabled(false);
/** Long enough for a failed run's rejections to be reported (they follow its verdict). */
const FAILED_RUN_SETTLE_MS = 300;

let errors: string[] = [];
process.on("unhandledRejection", (reason) =>
  errors.push(String((reason as Error)?.message ?? reason)),
);

function forgetProgramModules(): void {
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(ROOT) && !key.includes("/node_modules/")) delete require.cache[key];
  }
}

function readState(scenario: GateScenario, reads: string[]) {
  const missing = scenario.data === "missing";
  return (args: { type: string; name: string; id?: string }) => {
    const freeze =
      args.type === "kubernetes:core/v1:ConfigMap" && args.name.startsWith("deploy-freeze");
    if (args.id) reads.push(`${args.type} ${args.id}`);
    if (!freeze) return undefined;
    if (missing && args.id) throw new Error(`resource '${args.id}' does not exist`);
    return missing ? undefined : { data: scenario.data as Record<string, string> };
  };
}

/** Runs one scenario; `failed` when its freeze verdict failed the program (runs still pending). */
async function runScenario(scenario: GateScenario): Promise<{ run: GateRun; failed: boolean }> {
  const file = readStackFile(scenario.stackFile ?? join(ROOT, "Pulumi.prod.yaml"));
  const reads: string[] = [];
  const recorded: RecordedResource[] = [];
  errors = [];
  forgetProgramModules();
  let verdict!: (outputs: Record<string, unknown>) => void;
  const outputs = new Promise<Record<string, unknown>>((resolve) => {
    verdict = resolve;
  });
  const finished = runProgram({
    project: PROJECT,
    stack: "prod",
    config: file.config,
    secretKeys: file.secretKeys,
    recorded,
    readState: readState(scenario, reads),
    load: async () => {
      const exports = require(join(ROOT, "index"));
      const status = exports.deployFreeze as { promise(): Promise<unknown> };
      const deployFreeze = await status.promise().catch((e: Error) => `failed: ${e.message}`);
      verdict({ deployFreeze });
      return { deployFreeze };
    },
  });
  const result = await outputs;
  const failed = String(result.deployFreeze).startsWith("failed:");
  // A clean run completes (every registration answered); a failed one never does.
  if (failed) await new Promise((resolve) => setTimeout(resolve, FAILED_RUN_SETTLE_MS));
  else await finished.then(() => new Promise((resolve) => setImmediate(resolve)));
  const names = recorded.map((r) => r.name);
  return { run: { outputs: result, names, reads, errors, resources: recorded }, failed };
}

async function main() {
  const scenarios = JSON.parse(process.argv[2]) as GateScenario[];
  const runs: GateRun[] = [];
  for (const scenario of scenarios) {
    const env = Object.entries(scenario.env ?? {});
    const before = env.map(([key]) => [key, process.env[key]] as const);
    for (const [key, value] of env) process.env[key] = value;
    const { run, failed } = await runScenario(scenario);
    for (const [key, value] of before) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    runs.push(run);
    if (failed) break;
  }
  // Once the report has left the pipe (an exit before that cuts a large report short).
  process.stdout.write(JSON.stringify(runs), () => process.exit(0));
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
});
