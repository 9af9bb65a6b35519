import { relative } from "node:path";
import { ConfigProblems } from "../components/config/parse";
import { localServerCommand, toolBuilt } from "../lib/tools";
import { StackFileError } from "../scripts/stack-file";
import { parseLocalArgs, UsageError } from "./args";
import { StateLocked } from "./lock";
import { PortInUse } from "./preflight";
import { READY_FILE, startLocalStack } from "./stack";
import { ChildFailed } from "./supervisor";
import { THANOS_MISSING } from "./thanos";

/**
 * `npm run local`: the real alerting pipeline on loopback until Ctrl-C or SIGTERM. runLocal is
 * the whole command; local/main.ts hands it the process's arguments, streams and signals.
 */

export interface LocalIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Calls `stop` with what asked (Ctrl-C, SIGTERM) until the returned function is called. */
  readonly onStopRequest: (stop: (why: string) => void) => () => void;
}

// A Prometheus built from its Go module carries no web UI (its assets are a separate npm build).
const PROMETHEUS_GRAPH_HINT = "`.tools/bin/promtool query range` or `npm run ops -- monthly`";

function printUrls(io: LocalIo, stateDir: string, urls: Record<string, unknown>): void {
  const inside = relative(process.cwd(), stateDir);
  const rel = inside.startsWith("..") ? stateDir : inside || ".";
  const lines = [
    "",
    "local stack is up:",
    `  Prometheus    ${urls.prometheus}   (API only in the Go build: graph with ${PROMETHEUS_GRAPH_HINT})`,
    `  Alertmanager  ${urls.alertmanager}`,
    `  simulator     ${urls.simulator}   (POST /admin/fault with a JSON body; {} clears)`,
    ...(urls.thanosQuery
      ? [`  Thanos Query  ${urls.thanosQuery}   (the archive and Prometheus, deduplicated)`]
      : []),
    `  sinks         ${urls.sinks}   (what was paged: ${rel}/received/<receiver>.jsonl)`,
    `  ready file    ${rel}/${READY_FILE}`,
    "Ctrl-C stops everything.",
    "",
  ];
  io.stdout.write(lines.join("\n"));
}

/** The exit code of `npm run local -- <argv>` once the stack has stopped; never exits the process. */
export async function runLocal(argv: readonly string[], io: LocalIo): Promise<number> {
  try {
    return await runStack(argv, io);
  } catch (err) {
    return report(io, err);
  }
}

async function runStack(argv: readonly string[], io: LocalIo): Promise<number> {
  const args = parseLocalArgs(argv);
  io.stdout.write(`local stack: state in ${args.stateDir}, ports from ${args.portBase}\n`);
  for (const server of ["prometheus", "alertmanager"] as const) {
    const { warning } = localServerCommand(server);
    if (warning) io.stderr.write(`local: warning: ${warning}\n`);
  }
  if (!toolBuilt("thanos")) io.stderr.write(`local: warning: ${THANOS_MISSING}\n`);
  const stack = await startLocalStack({
    ...args,
    progress: (line) => io.stdout.write(`${line}\n`),
  });
  printUrls(io, stack.stateDir, { ...stack.urls });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = async (why: string, code: number) => {
      if (stopping) return;
      stopping = true;
      io.stdout.write(`\n${why}; stopping every component …\n`);
      await stack.stop();
      // Listening until everything stopped: a second Ctrl-C must not kill us mid-stop.
      stopListening();
      io.stdout.write("stopped.\n");
      resolve(code);
    };
    const stopListening = io.onStopRequest((why) => void shutdown(why, 0));
    stack.supervisor.onUnexpectedExit = (name, code, log) => {
      io.stderr.write(`\n${name} exited unexpectedly (code ${code}):\n${log}\n`);
      void shutdown(`${name} died`, 1);
    };
  });
}

function report(io: LocalIo, err: unknown): number {
  if (err instanceof UsageError || err instanceof PortInUse || err instanceof StateLocked) {
    io.stderr.write(`local: ${err.message}\n`);
    return 2;
  }
  if ([ConfigProblems, StackFileError, ChildFailed].some((t) => err instanceof t)) {
    io.stderr.write(`local: ${(err as Error).message}\n`);
    return 1;
  }
  io.stderr.write(`local failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  return 1;
}
