import * as pulumi from "@pulumi/pulumi";
import { ConfigProblems } from "../components/config/parse";
import { StackFileError } from "./stack-file";
import { summarize } from "./summary";
import { parseSynthArgs, UsageError } from "./synth-args";
import { OutDirError, synth } from "./synth-lib";
import { MissingTool } from "./validators";

/** Where the command writes: the process' streams, or a test's collectors. */
export interface SynthIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The mistakes a user can make: one line naming it, exit 2, no stack trace. */
const USER_ERRORS = [UsageError, ConfigProblems, StackFileError, MissingTool, OutDirError];

function report(err: unknown, io: SynthIo): number {
  if (USER_ERRORS.some((type) => err instanceof type) || pulumi.RunError.isInstance(err)) {
    io.stderr(`synth: ${(err as Error).message}\n`);
    return 2;
  }
  io.stderr(`synth failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}

/**
 * `npm run synth -- --stack NAME`: render, declare under mocks, validate, summarize; resolves
 * to the exit code (0 all validators passed, 1 one failed or synth broke, 2 a user error).
 */
export async function synthCli(argv: readonly string[], io: SynthIo): Promise<number> {
  try {
    const args = parseSynthArgs(argv);
    const result = await synth(args.stack, args.configFile, args.out, args.timeScale);
    io.stdout(summarize(args.stack, args.out, result));
    return result.validations.every((v) => v.ok) ? 0 : 1;
  } catch (err) {
    return report(err, io);
  }
}
