import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { APT_COMMAND } from "../scripts/ensure-tools";

/**
 * Runs the real binaries as children, each in its own process group so a stop takes its whole
 * tree. Stops are graceful (SIGTERM, then SIGKILL); a child that dies on its own is reported.
 */

export interface ChildSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Polled until it answers 200. */
  readonly readyUrl: string;
  /** Polled instead of readyUrl, for a server that answers only over its own TLS. */
  readonly ready?: () => Promise<boolean>;
  readonly readyTimeoutMs?: number;
  /** The port it will listen on; must be free before start. */
  readonly port: number;
  readonly logFile: string;
  readonly env?: Readonly<Record<string, string>>;
  /** What to run when the command is missing; Debian's exporters by default. */
  readonly installHint?: string;
}

export class ChildFailed extends Error {}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

interface Running {
  readonly spec: ChildSpec;
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
  stopping: boolean;
  failure?: string;
}

function logTail(file: string): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-8).join("\n");
  } catch {
    return "";
  }
}

export function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One exit hook for every live supervisor: a dying test runner or CLI leaves no child behind. */
const live = new Set<Supervisor>();
process.on("exit", () => {
  for (const supervisor of live) supervisor.killAllSync();
});

export class Supervisor {
  private readonly children = new Map<string, Running>();

  /** Called when a child exits without being asked to. */
  onUnexpectedExit: (name: string, code: number | null, log: string) => void = () => {};

  constructor() {
    live.add(this);
  }

  get names(): string[] {
    return [...this.children.keys()];
  }

  pid(name: string): number | undefined {
    return this.children.get(name)?.process.pid;
  }

  async start(spec: ChildSpec): Promise<void> {
    if (await portInUse(spec.port)) {
      throw new ChildFailed(
        `${spec.name}: port ${spec.port} is already in use; stop what uses it or pick another --port-base`,
      );
    }
    const running = this.spawn(spec);
    const timeout = spec.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const deadline = Date.now() + timeout;
    const ready = spec.ready ?? (() => answers(spec.readyUrl));
    let exited = false;
    running.exited.then(() => {
      exited = true;
    });
    while (!(await ready())) {
      if (exited) {
        throw new ChildFailed(
          running.failure ?? `${spec.name} exited while starting:\n${logTail(spec.logFile)}`,
        );
      }
      if (Date.now() > deadline) {
        await this.stop(spec.name);
        throw new ChildFailed(`${spec.name} not ready after ${timeout / 1000}s`);
      }
      await sleep(100);
    }
  }

  private spawn(spec: ChildSpec): Running {
    const log = openSync(spec.logFile, "a");
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ["ignore", log, log],
      env: { ...process.env, ...spec.env },
    });
    closeSync(log);
    const exited = new Promise<void>((resolve) => {
      child.once("error", (err: NodeJS.ErrnoException) => {
        running.stopping = true;
        running.failure =
          err.code === "ENOENT"
            ? `${spec.command} is not installed; run: ${spec.installHint ?? `sudo ${APT_COMMAND}`}`
            : `${spec.name}: ${err.message}`;
        this.children.delete(spec.name);
        resolve();
      });
      child.once("exit", (code) => {
        this.children.delete(spec.name);
        if (!running.stopping) this.onUnexpectedExit(spec.name, code, logTail(spec.logFile));
        resolve();
      });
    });
    const running: Running = { spec, process: child, exited, stopping: false };
    this.children.set(spec.name, running);
    return running;
  }

  async stop(name: string): Promise<void> {
    const running = this.children.get(name);
    if (!running) return;
    running.stopping = true;
    signalGroup(running.process, "SIGTERM");
    const kill = setTimeout(() => signalGroup(running.process, "SIGKILL"), STOP_TIMEOUT_MS);
    await running.exited;
    clearTimeout(kill);
  }

  async restart(name: string): Promise<void> {
    const running = this.children.get(name);
    if (!running) throw new Error(`${name} is not running`);
    await this.stop(name);
    await this.start(running.spec);
  }

  /** Stops in reverse start order: Prometheus lets go of Alertmanager before it goes. */
  async stopAll(): Promise<void> {
    for (const name of this.names.reverse()) await this.stop(name);
    live.delete(this);
  }

  killAllSync(): void {
    for (const running of this.children.values()) signalGroup(running.process, "SIGKILL");
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}
