import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * One stack per `--state` directory: DIR/local.lock holds the running stack's pid. A lock whose
 * pid is gone (a stack killed with SIGKILL) is stale and taken over.
 */

export const LOCK_FILE = "local.lock";

export class StateLocked extends Error {
  constructor(
    readonly stateDir: string,
    readonly pid: number,
  ) {
    super(
      `another local stack (pid ${pid}) is running on --state ${stateDir}; stop it or pick another --state`,
    );
  }
}

/** Whether a process with this pid exists (one of another user's counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid a lock file holds, or undefined when it holds none. */
export function pidIn(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export interface StateLock {
  release(): void;
}

export function lockState(stateDir: string, pid = process.pid): StateLock {
  const file = join(stateDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      writeFileSync(file, `${pid}\n`, { flag: "wx" });
      return {
        release: () => {
          if (pidIn(file) === pid) rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const other = pidIn(file);
      if (other !== undefined && other !== pid && processAlive(other))
        throw new StateLocked(stateDir, other);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take ${file}`);
}
