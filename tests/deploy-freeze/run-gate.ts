import { join } from "node:path";
import { PROJECT } from "../../lib/conventions";
import { type RecordedResource, runProgram } from "../../scripts/mock-runtime";
import { readStackFile } from "../../scripts/stack-file";

/**
 * Child process of gate.test.ts: runs index.ts under the recording mocks with the live freeze
 * ConfigMap holding argv[2] (JSON), or missing from the cluster when argv[2] is `missing` (a
 * rebuilt cluster), and prints what happened. The engine refreshes first (Pulumi.yaml
 * `options.refresh: always`), so the declared ConfigMap's state is the live one, and a missing
 * one is created anew; reading a missing object by id fails, as the engine's read does. A held
 * freeze fails the program with rejections, exactly as `pulumi up` sees it; jest would pin
 * those on the test itself.
 */

const ROOT = join(__dirname, "..", "..");

async function main() {
  const missing = process.argv[2] === "missing";
  const data = missing ? undefined : (JSON.parse(process.argv[2]) as Record<string, string>);
  const file = readStackFile(process.argv[3] ?? join(ROOT, "Pulumi.prod.yaml"));
  const reads: string[] = [];
  const errors: string[] = [];
  const recorded: RecordedResource[] = [];
  process.on("unhandledRejection", (reason) =>
    errors.push(String((reason as Error)?.message ?? reason)),
  );
  const report = async (outputs: Record<string, unknown>) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const names = recorded.map((r) => r.name);
    const json = JSON.stringify({ outputs, names, reads, errors, resources: recorded });
    // A failed run leaves registrations waiting forever, as the engine would; stop here, once
    // the report has left the pipe (an exit before that cuts a large report short).
    return new Promise<never>(() => process.stdout.write(json, () => process.exit(0)));
  };
  await runProgram({
    project: PROJECT,
    stack: "prod",
    config: file.config,
    secretKeys: file.secretKeys,
    recorded,
    readState: (args) => {
      const freeze =
        args.type === "kubernetes:core/v1:ConfigMap" && args.name.startsWith("deploy-freeze");
      if (args.id) reads.push(`${args.type} ${args.id}`);
      if (!freeze) return undefined;
      if (missing && args.id) throw new Error(`resource '${args.id}' does not exist`);
      return data && { data };
    },
    load: async () => {
      const exports = require(join(ROOT, "index"));
      const status = exports.deployFreeze as { promise(): Promise<unknown> };
      const deployFreeze = await status.promise().catch((e: Error) => `failed: ${e.message}`);
      return report({ deployFreeze });
    },
  });
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exit(1);
});
