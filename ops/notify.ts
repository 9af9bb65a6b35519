import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import type { Check } from "./checks";
import { credentialsFromEnvironment, putObject } from "./s3";

/**
 * What the scheduled runs (components/ops-schedule) do with a result: a short summary to
 * #deia-ops that names every failing check and finding, and the reports copied to the archive.
 */

const MAX_DETAIL = 300;

/** Pure: the Slack incoming-webhook payload. */
export function slackSummary(routine: string, checks: readonly Check[]): { text: string } {
  const count = (s: Check["status"]) => checks.filter((c) => c.status === s).length;
  const failed = checks.filter((c) => c.status === "fail");
  const warned = checks.filter((c) => c.status === "warn");
  const icon = failed.length
    ? ":red_circle:"
    : warned.length
      ? ":large_yellow_circle:"
      : ":white_check_mark:";
  const line = (c: Check) => {
    const first = c.detail.split("\n")[0];
    return `• *${c.status.toUpperCase()}* ${c.name}: ${first.length > MAX_DETAIL ? `${first.slice(0, MAX_DETAIL)}…` : first}`;
  };
  return {
    text: [
      `${icon} ops ${routine}: ${count("ok")} ok, ${count("warn")} warn, ${count("fail")} fail`,
      ...failed.map(line),
      ...warned.map(line),
    ].join("\n"),
  };
}

export async function notifySlack(
  webhookFile: string,
  routine: string,
  checks: readonly Check[],
  say: (l: string) => void,
): Promise<void> {
  const url = readFileSync(webhookFile, "utf8").trim();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(slackSummary(routine, checks)),
    signal: AbortSignal.timeout(20_000),
  });
  // A summary that did not arrive must be seen: the CronJob's log and a non-zero exit.
  if (!res.ok) throw new Error(`Slack refused the summary: HTTP ${res.status}`);
  say(`  posted the summary to Slack`);
}

const TYPES: Record<string, string> = {
  ".md": "text/markdown; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

export async function uploadReports(
  dir: string,
  bucket: string,
  prefix: string,
  say: (l: string) => void,
  env: NodeJS.ProcessEnv = process.env,
) {
  const files = readdirSync(dir).filter(
    (f) => statSync(join(dir, f)).isFile() && TYPES[extname(f)],
  );
  const creds = await credentialsFromEnvironment(env);
  const region = env.AWS_REGION ?? "us-east-1";
  for (const f of files.sort()) {
    const key = `${prefix.replace(/\/?$/, "/")}${f}`;
    await putObject(
      { bucket, key, region, endpoint: env.OPS_S3_ENDPOINT },
      readFileSync(join(dir, f)),
      TYPES[extname(f)],
      creds,
    );
    say(`  uploaded s3://${bucket}/${key}`);
  }
}
