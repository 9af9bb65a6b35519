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

/** `npm run local`: the real alerting pipeline on loopback until Ctrl-C or SIGTERM. */

// A Prometheus built from its Go module carries no web UI (its assets are a separate npm build).
const PROMETHEUS_GRAPH_HINT = "`.tools/bin/promtool query range` or `npm run ops -- monthly`";

function printUrls(stateDir: string, urls: Record<string, unknown>): void {
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
  process.stdout.write(lines.join("\n"));
}

async function main(): Promise<number> {
  const args = parseLocalArgs(process.argv.slice(2));
  process.stdout.write(`local stack: state in ${args.stateDir}, ports from ${args.portBase}\n`);
  for (const server of ["prometheus", "alertmanager"] as const) {
    const { warning } = localServerCommand(server);
    if (warning) process.stderr.write(`local: warning: ${warning}\n`);
  }
  if (!toolBuilt("thanos")) process.stderr.write(`local: warning: ${THANOS_MISSING}\n`);
  const stack = await startLocalStack({
    ...args,
    progress: (line) => process.stdout.write(`${line}\n`),
  });
  printUrls(stack.stateDir, { ...stack.urls });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = async (why: string, code: number) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\n${why}; stopping every component …\n`);
      await stack.stop();
      process.stdout.write("stopped.\n");
      resolve(code);
    };
    process.on("SIGINT", () => void shutdown("Ctrl-C", 0));
    process.on("SIGTERM", () => void shutdown("SIGTERM", 0));
    stack.supervisor.onUnexpectedExit = (name, code, log) => {
      process.stderr.write(`\n${name} exited unexpectedly (code ${code}):\n${log}\n`);
      void shutdown(`${name} died`, 1);
    };
  });
}

function report(err: unknown): number {
  if (err instanceof UsageError || err instanceof PortInUse || err instanceof StateLocked) {
    process.stderr.write(`local: ${err.message}\n`);
    return 2;
  }
  if ([ConfigProblems, StackFileError, ChildFailed].some((t) => err instanceof t)) {
    process.stderr.write(`local: ${(err as Error).message}\n`);
    return 1;
  }
  process.stderr.write(`local failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (err) => process.exit(report(err)),
);
