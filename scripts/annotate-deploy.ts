import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { DEPLOY_PATH } from "../automation/paths";
import { AUTOMATION_SERVICE_NAME } from "../components/alertmanager/receivers";
import { readStackFile } from "./stack-file";
import { parseStackFileConfig } from "./synth-lib";

/**
 * `npm run annotate-deploy -- --stack NAME --service S --version V --commit SHA --who WHO
 * [--url URL]`: posts a deploy event to the automation service, which writes it to Grafana as
 * a `deploy` annotation. Without --url it reaches the in-cluster service through
 * `kubectl port-forward` on the stack's context. The token comes from DEPLOY_WEBHOOK_TOKEN.
 * Retries a few times, then exits 1 with what went wrong; bad usage exits 2.
 */

export const USAGE =
  "usage: npm run annotate-deploy -- --stack NAME --service S --version V --commit SHA --who WHO [--url URL]";
const FLAGS = ["--stack", "--service", "--version", "--commit", "--who", "--url"] as const;

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!(FLAGS as readonly string[]).includes(flag))
      throw new UsageError(`unknown argument "${flag}"\n${USAGE}`);
    if (value === undefined || value.startsWith("--"))
      throw new UsageError(`${flag} needs a value\n${USAGE}`);
    values[flag.slice(2)] = value;
  }
  for (const flag of FLAGS.filter((f) => f !== "--url" && !(f.slice(2) in values)))
    throw new UsageError(`${flag} is required\n${USAGE}`);
  return values;
}

export interface PostResult {
  readonly ok: boolean;
  readonly detail: string;
}

/** POSTs the event, retrying network errors and 5xx; a 4xx is final (the request is wrong). */
export async function postDeploy(
  url: string,
  token: string,
  event: Record<string, string>,
  attempts = 5,
  delayMs = 2000,
): Promise<PostResult> {
  let detail = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(`${url.replace(/\/$/, "")}${DEPLOY_PATH}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(10_000),
      });
      detail = `HTTP ${res.status} ${await res.text()}`;
      if (res.ok) return { ok: true, detail };
      if (res.status < 500) return { ok: false, detail };
    } catch (error) {
      detail = String(error);
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, delayMs * attempt));
  }
  return { ok: false, detail: `gave up after ${attempts} attempts: ${detail}` };
}

function portForward(context: string | undefined, namespace: string, port: number) {
  const local = 18_000 + Math.floor(Math.random() * 1000);
  const args = [
    ...(context ? ["--context", context] : []),
    "-n",
    namespace,
    "port-forward",
    `svc/${AUTOMATION_SERVICE_NAME}`,
    `${local}:${port}`,
  ];
  const child: ChildProcess = spawn("kubectl", args, { stdio: ["ignore", "pipe", "inherit"] });
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      if (d.toString().includes("Forwarding from")) resolve(`http://127.0.0.1:${local}`);
    });
    child.on("exit", (code) => reject(new Error(`kubectl port-forward exited with ${code}`)));
    child.on("error", reject);
  });
  return { ready, stop: () => child.kill() };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const token = process.env.DEPLOY_WEBHOOK_TOKEN;
  if (!token)
    throw new UsageError("DEPLOY_WEBHOOK_TOKEN is not set (the deployWebhookToken secret)");
  const event = {
    service: args.service,
    version: args.version,
    commit: args.commit,
    who: args.who,
  };
  const config = parseStackFileConfig(
    args.stack,
    readStackFile(join(__dirname, "..", `Pulumi.${args.stack}.yaml`)),
  );
  const forward = args.url
    ? undefined
    : portForward(
        config.cluster.context,
        config.cluster.namespace,
        config.alerting.automation.port,
      );
  try {
    const result = await postDeploy(
      args.url ?? (await (forward as { ready: Promise<string> }).ready),
      token,
      event,
    );
    console.log(`annotate-deploy: ${result.ok ? "posted" : "FAILED"}: ${result.detail}`);
    return result.ok ? 0 : 1;
  } finally {
    forward?.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`annotate-deploy: ${(error as Error).message}`);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
