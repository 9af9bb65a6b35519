import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The validators and servers the tests, `synth` and the local stack run, built from their Go
 * modules into the git-ignored .tools/bin by `npm run tools`: Prometheus/promtool and
 * Alertmanager/amtool at the versions the pinned kube-prometheus-stack deploys (tools/go), the
 * Kubernetes control plane (tools/k8s) and the operator and Helm that render and reconcile the
 * program's objects (tools/operators), and the json_exporter the log pipeline's sidecars run
 * (tools/json-exporter).
 */

export const ROOT_DIR = join(__dirname, "..");
export const TOOLS_DIR = join(ROOT_DIR, "tools");
export const TOOLS_MODULE_DIR = join(TOOLS_DIR, "go");
export const TOOLS_BIN = join(ROOT_DIR, ".tools", "bin");

export interface GoTool {
  /** Go module that holds the commands; its version is the pin. */
  readonly module: string;
  readonly commands: readonly string[];
  /** `github.com/prometheus/common/version` is stamped so `--version` tells the release. */
  readonly stampsVersion: boolean;
  /** Folder under tools/ whose go.mod pins the module (default `go`). */
  readonly pinnedIn?: string;
  /**
   * Package of each command, built inside the pinning module (its requires and replace lines
   * decide the dependencies). Without it, `./cmd/<command>` is built in a copy of the module's
   * own source, so the module's replace and exclude directives apply as in its release builds.
   */
  readonly packages?: Readonly<Record<string, string>>;
  /** Go build tags, e.g. Prometheus' `remove_all_sd` plus the discovery the artifacts use. */
  readonly tags?: readonly string[];
  /** Extra `-X` flags from the pinned version. */
  readonly versionFlags?: (version: string) => readonly string[];
}

const KUBE_VERSION_PKG = "k8s.io/component-base/version";

// Build tags (issue 19, cold set-up): Prometheus is the only module whose tags drop code these
// builds link. The others were checked at their pins with `go list -deps -tags=…`: a tag that
// leaves the compiled packages as they are would only make every warm machine rebuild.

export const GO_TOOLS: readonly GoTool[] = [
  {
    module: "github.com/prometheus/prometheus",
    commands: ["prometheus", "promtool"],
    stampsVersion: true,
    // Service discovery is compiled in only where used: the operator's generated configuration
    // discovers targets with kubernetes_sd_configs; file and HTTP discovery are always built.
    tags: ["remove_all_sd", "enable_kubernetes_sd"],
  },
  {
    module: "github.com/prometheus/alertmanager",
    commands: ["alertmanager", "amtool"],
    stampsVersion: true,
    // Every notifier is compiled in, with no tag to leave one out; the release's only tag, netgo
    // (.promu.yml), is what CGO_ENABLED=0 gives.
  },
  // Its only tags, gofuzz and wasm, select fuzz and browser builds.
  { module: "github.com/rhysd/actionlint", commands: ["actionlint"], stampsVersion: false },
  // Sidecar, Store Gateway, Query and Compactor are one binary (the chart's sidecar image tag).
  // Its gRPC codecs read labels.Labels as a slice (unsafe casts): without `slicelabels` (its
  // .promu.yml) the sidecar panics on its first gRPC call (makeslice: len out of range). The
  // release's other tag, netgo, is what CGO_ENABLED=0 gives every tool already. It imports
  // Prometheus' discovery core and file discovery, never discovery/install, so `remove_all_sd`
  // leaves its 1,577 packages as they are; its object-store clients (S3, GCS, Azure, …) have no tags.
  {
    module: "github.com/thanos-io/thanos",
    commands: ["thanos"],
    stampsVersion: true,
    tags: ["slicelabels"],
  },
  {
    module: "k8s.io/kubernetes",
    commands: ["kube-apiserver", "etcd"],
    stampsVersion: false,
    pinnedIn: "k8s",
    // No `providerless`: no file of 1.35 carries it since the in-tree cloud providers left in
    // 1.31. The release build's tags (selinux,notest,grpcnotrace in hack/lib/golang.sh) compile
    // the same 2,114 packages: grpcnotrace drops x/net/trace from gRPC, but etcd imports it itself.
    packages: { "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver", etcd: "./cmd/etcd" },
    versionFlags: (v) => {
      const [major, minor] = v.replace(/^v/, "").split(".");
      return [
        `${KUBE_VERSION_PKG}.gitVersion=${v}`,
        `${KUBE_VERSION_PKG}.gitMajor=${major}`,
        `${KUBE_VERSION_PKG}.gitMinor=${minor}`,
        `${KUBE_VERSION_PKG}.gitTreeState=clean`,
      ];
    },
  },
  {
    module: "github.com/prometheus-operator/prometheus-operator",
    commands: ["operator"],
    stampsVersion: true,
    pinnedIn: "operators",
    // Links Prometheus' model, PromQL parser and rule format, no discovery; its build sets no tags.
    packages: { operator: "github.com/prometheus-operator/prometheus-operator/cmd/operator" },
  },
  {
    module: "helm.sh/helm/v3",
    commands: ["helm"],
    stampsVersion: false,
    pinnedIn: "operators",
    packages: { helm: "helm.sh/helm/v3/cmd/helm" },
    // Its Makefile's TAGS is empty; its files are constrained by operating system only.
    versionFlags: (v) => [`helm.sh/helm/v3/internal/version.version=${v}`],
  },
  // The JSON-to-Prometheus exporter the pipeline's sidecars run (Logstash and Filebeat stats,
  // OpenSearch snapshot and ISM state): the tests scrape fixtures through the real one.
  // No file of it is behind a build tag.
  {
    module: "github.com/prometheus-community/json_exporter",
    commands: ["json_exporter"],
    stampsVersion: true,
    pinnedIn: "json-exporter",
    packages: { json_exporter: "github.com/prometheus-community/json_exporter" },
  },
];

export type ToolName =
  | "prometheus"
  | "promtool"
  | "alertmanager"
  | "amtool"
  | "actionlint"
  | "thanos"
  | "kube-apiserver"
  | "etcd"
  | "operator"
  | "helm"
  | "json_exporter";

export function pinsFile(tool: Pick<GoTool, "pinnedIn">): string {
  return join(TOOLS_DIR, tool.pinnedIn ?? "go", "go.mod");
}

/** Module versions required by a tools go.mod (tools/go/go.mod by default). */
export function pinnedModuleVersions(goMod = readFileSync(pinsFile({}), "utf8")) {
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
