import { spawnSync } from "node:child_process";
import { buildTools } from "./build-tools";

/**
 * What the tests and the local stack run for real: Prometheus/promtool and Alertmanager/amtool
 * built from their Go modules at the deployed versions, and Debian's exporters. When root,
 * installs what is missing; otherwise names the one command to run.
 *
 * `--for local`: a failed Go build falls back to Debian's older Prometheus and Alertmanager.
 */

/**
 * The local stack's exporters, shellcheck for actionlint's checks of workflow scripts, and curl,
 * which the OpenSearch policy Job's script is tested with.
 */
export const DEBIAN_PACKAGES = [
  "prometheus-node-exporter",
  "prometheus-blackbox-exporter",
  "shellcheck",
  "curl",
] as const;
/** The local stack's fallback servers (older than what is deployed). */
export const FALLBACK_PACKAGES = ["prometheus", "prometheus-alertmanager"] as const;
export const APT_COMMAND = `apt-get install -y --no-install-recommends ${DEBIAN_PACKAGES.join(" ")}`;
const GO_HINT = "install Go 1.25 or newer (https://go.dev/dl) and put it on PATH";

function onPath(binary: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${binary}`], { stdio: "ignore" }).status === 0;
}

function aptInstall(packages: readonly string[]): boolean {
  if (process.getuid?.() !== 0) return false;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  process.stderr.write(`installing ${packages.join(", ")}\n`);
  if (spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env }).status !== 0) return false;
  const args = ["install", "-y", "--no-install-recommends", ...packages];
  return spawnSync("apt-get", args, { stdio: "inherit", env }).status === 0;
}

function ensurePackages(packages: readonly string[]): boolean {
  const missing = packages.filter((p) => !onPath(p));
  if (missing.length === 0 || (aptInstall(missing) && missing.every(onPath))) return true;
  process.stderr.write(
    `missing ${missing.join(", ")}; run: sudo apt-get install -y --no-install-recommends ${missing.join(" ")}\n`,
  );
  return false;
}

function ensureGoTools(): string | undefined {
  if (!onPath("go")) return `the Go toolchain is not on PATH; ${GO_HINT}`;
  try {
    buildTools((line) => process.stderr.write(`tools: ${line}\n`));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function main(argv = process.argv.slice(2)): number {
  const forLocal = argv.includes("--for") && argv[argv.indexOf("--for") + 1] === "local";
  if (!process.env.PATH?.split(":").includes("/usr/local/go/bin")) {
    process.env.PATH = `${process.env.PATH}:/usr/local/go/bin`;
  }
  const goProblem = ensureGoTools();
  if (goProblem && !forLocal) {
    process.stderr.write(`tools: ${goProblem}\n`);
    return 1;
  }
  if (goProblem) {
    process.stderr.write(
      `tools: ${goProblem}\ntools: falling back to Debian's older Prometheus and Alertmanager for the local stack\n`,
    );
    if (!ensurePackages(FALLBACK_PACKAGES)) return 1;
  }
  return ensurePackages(DEBIAN_PACKAGES) ? 0 : 1;
}

if (require.main === module) process.exit(main());
