import type { ChildProcessWithoutNullStreams } from "node:child_process";

export interface ChildOutput {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * All a spawned child printed, once it has exited and its streams are closed. Async, so servers
 * in the test's own process keep answering the child meanwhile.
 */
export function childOutput(child: ChildProcessWithoutNullStreams): Promise<ChildOutput> {
  return new Promise((done) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.once("close", (code) => done({ code, stdout, stderr }));
  });
}
