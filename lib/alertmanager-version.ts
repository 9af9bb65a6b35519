import { spawnSync } from "node:child_process";

/**
 * What the installed Alertmanager can read. `url_file` (webhook) arrived in 0.26; Debian's
 * fallback package is 0.25, so on it the local stack inlines the heartbeat's fake URL.
 */

export function alertmanagerVersion(command: string): [number, number] | undefined {
  const run = spawnSync(command, ["--version"], { encoding: "utf8", timeout: 10_000 });
  const match = /version (\d+)\.(\d+)/.exec(`${run.stdout ?? ""}${run.stderr ?? ""}`);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

export function supportsWebhookUrlFile(version: [number, number] | undefined): boolean {
  if (!version) return true;
  const [major, minor] = version;
  return major > 0 || minor >= 26;
}
