import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The validators and servers the tests, `synth` and the local stack run: Prometheus/promtool and
 * Alertmanager/amtool at the versions the pinned kube-prometheus-stack deploys, built from their
 * Go modules (tools/go/go.mod pins them) into the git-ignored .tools/bin by `npm run tools`.
 */

export const ROOT_DIR = join(__dirname, "..");
export const TOOLS_MODULE_DIR = join(ROOT_DIR, "tools", "go");
export const TOOLS_BIN = join(ROOT_DIR, ".tools", "bin");

export interface GoTool {
  /** Go module that holds the commands. */
  readonly module: string;
  readonly commands: readonly string[];
  /** `github.com/prometheus/common/version` is stamped so `--version` tells the release. */
  readonly stampsVersion: boolean;
  /** Build tags of the module's own release build (its .promu.yml), when it needs any. */
  readonly tags?: readonly string[];
}

export const GO_TOOLS: readonly GoTool[] = [
  {
    module: "github.com/prometheus/prometheus",
    commands: ["prometheus", "promtool"],
    stampsVersion: true,
  },
  {
    module: "github.com/prometheus/alertmanager",
    commands: ["alertmanager", "amtool"],
    stampsVersion: true,
  },
  { module: "github.com/rhysd/actionlint", commands: ["actionlint"], stampsVersion: false },
  // Sidecar, Store Gateway, Query and Compactor are one binary (the chart's sidecar image tag).
  // Its gRPC codecs read labels.Labels as a slice (unsafe casts): without `slicelabels` (its
  // .promu.yml) the sidecar panics on its first gRPC call (makeslice: len out of range). The
  // release's other tag, netgo, is what CGO_ENABLED=0 gives every tool already.
  {
    module: "github.com/thanos-io/thanos",
    commands: ["thanos"],
    stampsVersion: true,
    tags: ["slicelabels"],
  },
];

export type ToolName =
  | "prometheus"
  | "promtool"
  | "alertmanager"
  | "amtool"
  | "actionlint"
  | "thanos";

/** Module versions required by tools/go/go.mod. */
export function pinnedModuleVersions(
  goMod = readFileSync(join(TOOLS_MODULE_DIR, "go.mod"), "utf8"),
) {
  const versions: Record<string, string> = {};
  for (const [, module, version] of goMod.matchAll(
    /^[ \t]*(?:require[ \t]+)?(\S+)[ \t]+(v\S+)/gm,
  )) {
    versions[module] = version;
  }
  return versions;
}

/**
 * Prometheus 3 publishes its Go module as v0.3MMPP (3.14.0 → v0.314.0); Alertmanager's module
 * version is its release.
 */
export function releaseOfModule(module: string, version: string): string {
  const bare = version.replace(/^v/, "");
  if (module !== "github.com/prometheus/prometheus") return bare;
  const [, minorPart, patch] = bare.split(".");
  const major = minorPart.slice(0, -2) || "0";
  return `${major}.${Number(minorPart.slice(-2))}.${patch}`;
}

export class MissingTool extends Error {}

export const BUILD_HINT = "npm run tools (needs the Go toolchain: apt-get install -y golang-go)";

export function toolPath(tool: ToolName, bin = TOOLS_BIN): string {
  return join(bin, tool);
}

export function toolBuilt(tool: ToolName, bin = TOOLS_BIN): boolean {
  return existsSync(toolPath(tool, bin));
}

/** The project-built binary; never a different version from the PATH. */
export function requireTool(tool: ToolName, bin = TOOLS_BIN): string {
  if (!toolBuilt(tool, bin)) {
    throw new MissingTool(`${tool} is not built in ${bin}; run: ${BUILD_HINT}`);
  }
  return toolPath(tool, bin);
}

/** Debian's older packages, the local stack's fallback when the Go build is not possible. */
export const DEBIAN_SERVER: Readonly<Record<"prometheus" | "alertmanager", string>> = {
  prometheus: "prometheus",
  alertmanager: "prometheus-alertmanager",
};

export interface ServerCommand {
  readonly command: string;
  /** Set when the local stack falls back to Debian's older build. */
  readonly warning?: string;
}

export function localServerCommand(
  server: "prometheus" | "alertmanager",
  bin = TOOLS_BIN,
): ServerCommand {
  if (toolBuilt(server, bin)) return { command: toolPath(server, bin) };
  return {
    command: DEBIAN_SERVER[server],
    warning: `${server}: using Debian's ${DEBIAN_SERVER[server]}, older than the deployed release; for the deployed version run: ${BUILD_HINT}`,
  };
}

export interface ToolRun {
  readonly ok: boolean;
  readonly output: string;
}

/** Runs a project-built tool; a missing binary is an error naming the build step, never a pass. */
export function runTool(tool: ToolName, args: string[], cwd?: string, timeout = 60_000): ToolRun {
  const result = spawnSync(requireTool(tool), args, { cwd, encoding: "utf8", timeout });
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}`.trim() };
}
