import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MissingTool } from "../lib/tools";
import { StateLocked } from "../local/lock";
import { ChildFailed } from "../local/supervisor";
import { ClusterPortInUse, startControlPlane } from "./control-plane";
import { installCrds } from "./crds";

/** `npm run cluster -- [--state DIR] [--port-base N]` (docs/cluster.md). */

export class UsageError extends Error {}

export const CLUSTER_USAGE = "usage: npm run cluster -- [--state DIR] [--port-base N]";

export interface ClusterArgs {
  readonly stateDir?: string;
  readonly portBase?: number;
}

export function parseClusterArgs(argv: readonly string[]): ClusterArgs {
  let args: ClusterArgs = {};
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = inline ?? argv[++i];
    if (flag !== "--state" && flag !== "--port-base") {
      throw new UsageError(`unknown option "${flag}"\n${CLUSTER_USAGE}`);
    }
    if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
      throw new UsageError(`${flag} needs a value\n${CLUSTER_USAGE}`);
    }
    if (flag === "--state") args = { ...args, stateDir: value };
    else {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < 1024 || n > 65533) {
        throw new UsageError(
          `--port-base must be a whole number from 1024 to 65533 (got "${value}")`,
        );
      }
      args = { ...args, portBase: n };
    }
  }
  return args;
}

async function main(argv = process.argv.slice(2)): Promise<number> {
  const args = parseClusterArgs(argv);
  const started = Date.now();
  const stateDir = args.stateDir ?? mkdtempSync(join(tmpdir(), "port8000-cluster-"));
  const plane = await startControlPlane({ stateDir, portBase: args.portBase });
  const stop = async (why: string) => {
    process.stdout.write(`${why}; stopping kube-apiserver and etcd …\n`);
    await plane.stop();
    process.stdout.write("stopped.\n");
  };
  try {
    await installCrds(plane.target);
  } catch (err) {
    await stop("CRDs failed");
    throw err;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `cluster ready in ${seconds} s: ${plane.target.server} (KUBECONFIG=${plane.kubeconfig})\n`,
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (why: string, code: number) => {
      if (stopping) return;
      stopping = true;
      void stop(why).then(() => resolve(code));
    };
    process.on("SIGINT", () => shutdown("Ctrl-C", 0));
    process.on("SIGTERM", () => shutdown("SIGTERM", 0));
    plane.supervisor.onUnexpectedExit = (name, code, log) => {
      process.stderr.write(`${name} exited unexpectedly (code ${code}):\n${log}\n`);
      shutdown(`${name} died`, 1);
    };
  });
}

function report(err: unknown): number {
  if (err instanceof UsageError || err instanceof ClusterPortInUse) {
    process.stderr.write(`cluster: ${err.message}\n`);
    return 2;
  }
  if (err instanceof StateLocked) {
    process.stderr.write(
      `cluster: another run (pid ${err.pid}) holds --state ${err.stateDir}; stop it or pick another --state\n`,
    );
    return 2;
  }
  if (err instanceof MissingTool || err instanceof ChildFailed) {
    process.stderr.write(`cluster: ${err.message}\n`);
    return 1;
  }
  process.stderr.write(`cluster failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  return 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => process.exit(report(err)),
  );
}
