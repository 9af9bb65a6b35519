import { spawnSync } from "node:child_process";

/**
 * The Debian tools the tests and the local stack run for real. When root, installs what is
 * missing; otherwise names the one apt command to run.
 */
export const DEBIAN_PACKAGES = [
  "prometheus",
  "prometheus-alertmanager",
  "prometheus-node-exporter",
  "prometheus-blackbox-exporter",
] as const;
const BINARIES = [
  "promtool",
  "amtool",
  "prometheus",
  "prometheus-alertmanager",
  "prometheus-node-exporter",
  "prometheus-blackbox-exporter",
];
export const APT_COMMAND = `apt-get install -y --no-install-recommends ${DEBIAN_PACKAGES.join(" ")}`;

function onPath(binary: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${binary}`], { stdio: "ignore" }).status === 0;
}

export function missingBinaries(): string[] {
  return BINARIES.filter((b) => !onPath(b));
}

function install(): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
  if (update.status !== 0) return false;
  const args = ["install", "-y", "--no-install-recommends", ...DEBIAN_PACKAGES];
  return spawnSync("apt-get", args, { stdio: "inherit", env }).status === 0;
}

function main(): number {
  const missing = missingBinaries();
  if (missing.length === 0) return 0;
  if (process.getuid?.() === 0) {
    process.stderr.write(
      `installing ${DEBIAN_PACKAGES.join(", ")} (missing: ${missing.join(", ")})\n`,
    );
    if (install() && missingBinaries().length === 0) return 0;
  }
  process.stderr.write(`missing ${missing.join(", ")}; run: sudo ${APT_COMMAND}\n`);
  return 1;
}

if (require.main === module) process.exit(main());
