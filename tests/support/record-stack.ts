import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { serialize } from "node:v8";
import { readStackFile } from "../../scripts/stack-file";
import { declareResources } from "../../scripts/synth-lib";

// One stack per process: the program and the Pulumi SDK keep module state, as in a real run.
async function main(): Promise<void> {
  const [stack, out] = process.argv.slice(2);
  if (!stack || !out) throw new Error("usage: record-stack.ts <stack> <out-file>");
  const file = readStackFile(join(__dirname, "..", "..", `Pulumi.${stack}.yaml`));
  writeFileSync(out, serialize(await declareResources(stack, file)));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
