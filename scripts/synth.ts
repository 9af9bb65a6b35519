import * as pulumi from "@pulumi/pulumi";
import { ConfigProblems } from "../components/config/parse";
import { StackFileError } from "./stack-file";
import { summarize } from "./summary";
import { parseSynthArgs, UsageError } from "./synth-args";
import { OutDirError, synth } from "./synth-lib";
import { MissingTool } from "./validators";

/** `npm run synth -- --stack NAME`: render, declare under mocks, validate, summarize. */
async function main(): Promise<number> {
  const args = parseSynthArgs(process.argv.slice(2));
  const result = await synth(args.stack, args.configFile, args.out, args.timeScale);
  process.stdout.write(summarize(args.stack, args.out, result));
  return result.validations.every((v) => v.ok) ? 0 : 1;
}

function report(err: unknown): number {
  const known = [UsageError, ConfigProblems, StackFileError, MissingTool, OutDirError];
  if (known.some((type) => err instanceof type) || pulumi.RunError.isInstance(err)) {
    process.stderr.write(`synth: ${(err as Error).message}\n`);
    return 2;
  }
  process.stderr.write(
    `synth failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => process.exit(report(err)),
);
