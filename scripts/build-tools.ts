import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { runGo, writableModuleCopy } from "../lib/go";
import {
  GO_TOOLS,
  type GoTool,
  pinnedModuleVersions,
  pinsFile,
  releaseOfModule,
  TOOLS_BIN,
  type ToolName,
  toolBuilt,
} from "../lib/tools";

/**
 * Builds the pinned validators from their Go modules into .tools/bin. Each module is built in its
 * own module context (its go.mod's replace and exclude directives apply, as in its release
 * builds), which `go install module@version` refuses to do; a module whose go.mod replaces parts
 * of itself with paths its download lacks (Kubernetes, the prometheus-operator) is built inside
 * its pinning module under tools/ instead. A stamp skips the build when the binaries already
 * match the pins and build tags; Go's module and build caches make a rebuild cheap.
 */

const STAMP_FILE = ".versions.json";
const SOURCES = join(TOOLS_BIN, "..", "src");
const VERSION_PKG = "github.com/prometheus/common/version";
// The Alertmanager module embeds its web UI from ui/app/dist, a build output that the module
// does not carry; the API and amtool do not need it.
const UI_PLACEHOLDER =
  "<!doctype html><title>Alertmanager</title><p>Web UI not built; use amtool or /api/v2.</p>\n";

function moduleSource(tool: GoTool, version: string): string {
  const copy = writableModuleCopy(
    tool.module,
    version,
    dirname(pinsFile(tool)),
    join(SOURCES, `${tool.module.split("/").pop()}@${version}`),
  );
  const ui = join(copy, "ui", "app", "dist");
  if (tool.module.endsWith("/alertmanager") && !existsSync(join(ui, "index.html"))) {
    mkdirSync(ui, { recursive: true });
    writeFileSync(join(ui, "index.html"), UI_PLACEHOLDER);
  }
  return copy;
}

function ldflagsOf(tool: GoTool, version: string): string {
  const release = releaseOfModule(tool.module, version);
  const stamped = tool.stampsVersion
    ? [
        `${VERSION_PKG}.Version=${release}`,
        `${VERSION_PKG}.Revision=${tool.module}@${version}`,
        `${VERSION_PKG}.Branch=module`,
      ]
    : [];
  const flags = [...stamped, ...(tool.versionFlags?.(version) ?? [])];
  // -s -w: no symbol tables or DWARF; the binaries are run, never debugged.
  return ["-s", "-w", ...flags.map((f) => `-X ${f}`)].join(" ");
}

function buildTool(tool: GoTool, version: string, bin: string): void {
  const packages = tool.packages;
  const source = packages ? dirname(pinsFile(tool)) : moduleSource(tool, version);
  const targets = tool.commands.map((c) => packages?.[c] ?? `./cmd/${c}`);
  const tags = tool.tags?.length ? [`-tags=${tool.tags.join(",")}`] : [];
  const ldflags = `-ldflags=${ldflagsOf(tool, version)}`;
  runGo(["build", "-trimpath", ...tags, ldflags, "-o", `${bin}/`, ...targets], source);
}

/** What the stamp records: a change of version or build tags rebuilds. */
export function buildSignature(tool: GoTool, version: string): string {
  return tool.tags?.length ? `${version} tags=${tool.tags.join(",")}` : version;
}

function readStamp(stamp: string): Record<string, string> {
  try {
    return JSON.parse(readFileSync(stamp, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

export interface BuildTarget {
  /** Where the binaries and their stamp go. */
  readonly bin: string;
  /** Builds one module's commands into `bin`: the Go build, a stand-in in tests. */
  readonly build: (tool: GoTool, version: string, bin: string) => void;
}

/** Builds what is missing or stale; returns the modules it built. */
export function buildTools(
  log: (line: string) => void = () => {},
  tools: readonly GoTool[] = GO_TOOLS,
  { bin, build }: BuildTarget = { bin: TOOLS_BIN, build: buildTool },
): string[] {
  const stampFile = join(bin, STAMP_FILE);
  const stamp = readStamp(stampFile);
  mkdirSync(bin, { recursive: true });
  const built: string[] = [];
  for (const tool of tools) {
    const version = pinnedModuleVersions(readFileSync(pinsFile(tool), "utf8"))[tool.module];
    if (!version) throw new Error(`${pinsFile(tool)} does not require ${tool.module}`);
    const fresh = tool.commands.every((c) => toolBuilt(c as ToolName, bin));
    const signature = buildSignature(tool, version);
    if (fresh && stamp[tool.module] === signature) continue;
    log(
      `building ${tool.commands.join(", ")} from ${tool.module}@${version} (a few minutes the first time)`,
    );
    const started = Date.now();
    build(tool, version, bin);
    stamp[tool.module] = signature;
    writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
    log(`built ${tool.commands.join(", ")} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    built.push(tool.module);
  }
  return built;
}

/**
 * `--only promtool,amtool`: the modules that build those commands (a job that needs one tool
 * then builds one module on a cold cache); without it, every tool.
 */
export function selectTools(argv: readonly string[]): readonly GoTool[] {
  const at = argv.indexOf("--only");
  if (at < 0) return GO_TOOLS;
  const names = (argv[at + 1] ?? "").split(",").filter(Boolean);
  if (names.length === 0) throw new Error("--only needs a comma-separated list of commands");
  const known = GO_TOOLS.flatMap((t) => t.commands);
  const unknown = names.find((n) => !known.includes(n));
  if (unknown) throw new Error(`--only: no tool "${unknown}"; known: ${known.join(", ")}`);
  return GO_TOOLS.filter((t) => t.commands.some((c) => names.includes(c)));
}

/**
 * `--bin DIR`: build into DIR, with its own stamp, instead of .tools/bin; with an empty GOCACHE
 * this times a cold build exactly as `npm run tools` runs it, without touching the tests' tools.
 */
export function binOf(argv: readonly string[]): string {
  const at = argv.indexOf("--bin");
  if (at < 0) return TOOLS_BIN;
  const dir = argv[at + 1];
  if (!dir || dir.startsWith("--")) throw new Error("--bin needs a directory");
  return resolve(dir);
}

if (require.main === module) {
  try {
    const argv = process.argv.slice(2);
    const log = (line: string) => process.stderr.write(`tools: ${line}\n`);
    buildTools(log, selectTools(argv), { bin: binOf(argv), build: buildTool });
  } catch (error) {
    process.stderr.write(`tools: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
