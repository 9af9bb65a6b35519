import type { ChildOutput } from "./child-output";

/** Streams that keep what they are given, for a command's entry run in the test's own process. */
export interface CapturingStreams {
  readonly stdout: { write(text: string): boolean };
  readonly stderr: { write(text: string): boolean };
}

/**
 * What a command's in-process entry printed and the exit code it returned, in the shape of a
 * spawned child's output (tests/support/child-output.ts), so a case reads the same either way.
 */
export async function captured(
  run: (streams: CapturingStreams) => Promise<number>,
): Promise<ChildOutput> {
  let stdout = "";
  let stderr = "";
  const code = await run({
    stdout: {
      write: (text) => {
        stdout += text;
        return true;
      },
    },
    stderr: {
      write: (text) => {
        stderr += text;
        return true;
      },
    },
  });
  return { code, stdout, stderr };
}
