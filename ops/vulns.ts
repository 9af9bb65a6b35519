import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GO_TOOLS, pinnedModuleVersions, pinsFile, type ToolName, toolPath } from "../lib/tools";
import { type Check, check } from "./checks";

/**
 * Guide 3.4 "Full security audit (vuln scans, dependency review)": `npm audit` over the npm
 * dependencies and govulncheck over each Go tool built into .tools/bin. Without the vulnerability
 * databases (offline, a registry mirror without the audit endpoint) each is a warning saying so,
 * never a pass and never a failure of the run.
 */

/** govulncheck's command at a pinned version (the Go module proxy serves it), for `go install`. */
export const GOVULNCHECK = "golang.org/x/vuln/cmd/govulncheck@v1.1.4";
/** Past this, a scan that is still fetching modules or the database counts as unreachable. */
export const RUN_TIMEOUT_MS = 120_000;

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** spawn itself failed (command not installed). */
  readonly spawnError?: string;
  readonly timedOut?: boolean;
}

/** Runs a command in cwd; env adds to (or overrides) this process' environment. */
export type Runner = (
  cmd: string,
  args: readonly string[],
  cwd: string,
  env?: Readonly<Record<string, string>>,
) => Promise<Ran>;

/**
 * Runs commands with `base` plus a call's own `env` (its PATH finds them), stopped after
 * RUN_TIMEOUT_MS. Its own timer, not spawn's `timeout`: spawn leaves that timer running when the
 * command cannot be started, which holds an in-process caller (runOps) for the whole timeout.
 */
export const runCommandIn =
  (base: NodeJS.ProcessEnv): Runner =>
  (cmd, args, cwd, env) =>
    new Promise((done) => {
      const child = spawn(cmd, args, { cwd, env: env ? { ...base, ...env } : base });
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGTERM");
      }, RUN_TIMEOUT_MS);
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
      });
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      child.once("error", (err) => {
        clearTimeout(timer);
        done({ code: null, stdout, stderr, spawnError: err.message });
      });
      child.once("close", (code) => {
        clearTimeout(timer);
        done({ code, stdout, stderr, timedOut });
      });
    });

export const runCommand: Runner = runCommandIn(process.env);

const UNREACHABLE = "warn: could not reach the vulnerability database";
const NETWORK_ERROR =
  /dial tcp|no such host|ENOTFOUND|EAI_AGAIN|connection refused|i\/o timeout|TLS handshake|proxy/i;
const SEVERITIES = ["critical", "high", "moderate", "low", "info"] as const;

/** `npm audit --json`: exits 1 when it finds something, and prints an error object when it cannot ask. */
export function npmAuditCheck(ran: Ran): Check {
  const name = "npm audit";
  if (ran.spawnError) return check(name, "warn", `npm could not run (${ran.spawnError})`);
  let report: {
    metadata?: { vulnerabilities?: Record<string, number>; dependencies?: { total?: number } };
    error?: { code?: string; summary?: string };
    message?: string;
  };
  try {
    report = JSON.parse(ran.stdout);
  } catch {
    return check(name, "warn", `${UNREACHABLE} (${oneLine(ran.stderr)})`);
  }
  const counts = report.metadata?.vulnerabilities;
  if (!counts) {
    const why = report.error?.summary ?? report.message ?? oneLine(ran.stderr);
    return check(name, "warn", `${UNREACHABLE} (${oneLine(why)})`);
  }
  const found = SEVERITIES.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${counts[s]} ${s}`);
  const deps = report.metadata?.dependencies?.total;
  const scope = deps === undefined ? "" : ` in ${deps} dependencies`;
  if (found.length === 0) return check(name, "ok", `no known vulnerability${scope}`);
  const serious = (counts.critical ?? 0) + (counts.high ?? 0) > 0;
  return check(
    name,
    serious ? "fail" : "warn",
    `${found.join(", ")}${scope}; run npm audit for the advisories`,
  );
}

interface Finding {
  readonly osv: string;
  readonly module?: string;
}

/** govulncheck -json: a stream of JSON objects; `finding`s with a trace to a called symbol. */
export function govulncheckCheck(ran: Ran, tool = "tools"): Check {
  const name = `govulncheck (${tool})`;
  if (ran.spawnError) return check(name, "warn", `go could not run (${ran.spawnError})`);
  const messages = parseStream(ran.stdout);
  const called = new Map<string, Finding>();
  let scanned = false;
  for (const m of messages) {
    if ("config" in m) scanned = true;
    const f = m.finding as
      | { osv?: string; trace?: { module?: string; function?: string }[] }
      | undefined;
    if (f?.osv && f.trace?.some((t) => t.function))
      called.set(f.osv, { osv: f.osv, module: f.trace[0]?.module });
  }
  if (ran.timedOut)
    return check(name, "warn", `${UNREACHABLE} (no answer in ${RUN_TIMEOUT_MS / 1000}s)`);
  if (ran.code !== 0 && called.size === 0) {
    const why = oneLine(ran.stderr) || `exit ${ran.code}`;
    // Only a network failure is "unreachable"; anything else means nothing was scanned.
    if (!NETWORK_ERROR.test(ran.stderr)) return check(name, "fail", `could not scan (${why})`);
    return check(name, "warn", `${UNREACHABLE} (${why})`);
  }
  if (!scanned) return check(name, "warn", `${UNREACHABLE} (no scan output)`);
  if (called.size === 0)
    return check(name, "ok", "no vulnerability reachable from the tools' code");
  const list = [...called.values()].map((f) => `${f.osv} (${f.module ?? "?"})`).join(", ");
  return check(name, "fail", `${called.size} reachable: ${list}`);
}

function parseStream(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && --depth === 0) {
      try {
        out.push(JSON.parse(text.slice(start, i + 1)));
      } catch {
        // A truncated stream: keep what parsed.
      }
    }
  }
  return out;
}

function oneLine(text: string): string {
  const line =
    text
      .split("\n")
      .find((l) => /error|ERR|cannot|could not|refused|ENOTFOUND|EAI_AGAIN|timeout/i.test(l)) ??
    text;
  return line.replace(/\s+/g, " ").trim().slice(0, 160);
}

/**
 * govulncheck in binary mode over each tool `npm run tools` built: the code the tests and CI run,
 * each built in its own module context with its own tags (source mode would resolve the commands
 * through the pinning modules' tools.go, which imports `main` packages and cannot load).
 */
export async function vulnerabilityChecks(
  root: string,
  run: Runner = runCommand,
): Promise<Check[]> {
  const npm = await run("npm", ["audit", "--json"], root);
  return [npmAuditCheck(npm), ...(await govulncheckChecks(root, run))];
}

interface Tool {
  readonly command: string;
  readonly bin: string;
  /** The pinned version of the module it is built from. */
  readonly version: string | undefined;
}

function goTools(root: string): Tool[] {
  return GO_TOOLS.flatMap((tool) => {
    const version = pinnedModuleVersions(readFileSync(pinsFile(tool), "utf8"))[tool.module];
    return (tool.commands as ToolName[]).map((command) => {
      const bin = toolPath(command, join(root, ".tools", "bin"));
      return { command, bin, version };
    });
  });
}

/** One check per tool; govulncheck itself is built once, into a directory of this review. */
async function govulncheckChecks(root: string, run: Runner): Promise<Check[]> {
  const tools = goTools(root);
  const notBuilt = (t: Tool) =>
    check(`govulncheck (${t.command})`, "warn", "not built: run npm run tools");
  if (!tools.some((t) => existsSync(t.bin))) return tools.map(notBuilt);
  const dir = mkdtempSync(join(tmpdir(), "govulncheck-"));
  try {
    const installed = await installGovulncheck(dir, root, run);
    const checks: Check[] = [];
    for (const tool of tools) {
      if (!existsSync(tool.bin)) checks.push(notBuilt(tool));
      else if ("failed" in installed) checks.push(govulncheckCheck(installed.failed, tool.command));
      else checks.push(await scanBinary(tool, { ...installed, dir, root, run }));
    }
    return checks;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `go install` with GOBIN: the binary, built once per review. `go run` resolved, built and linked
 * it again for each of the two runs per tool.
 */
async function installGovulncheck(
  dir: string,
  root: string,
  run: Runner,
): Promise<{ govulncheck: string } | { failed: Ran }> {
  const installed = await run("go", ["install", GOVULNCHECK], root, { GOBIN: dir });
  if (installed.code === 0 && !installed.spawnError)
    return { govulncheck: join(dir, "govulncheck") };
  return { failed: { ...installed, code: installed.code || 1 } };
}

interface Scanner {
  readonly govulncheck: string;
  /** This review's directory: the extracts are written there. */
  readonly dir: string;
  readonly root: string;
  readonly run: Runner;
}

/**
 * Tools built from a copy of their module's source record their main module as `(devel)`, and
 * govulncheck skips the advisories of a main module without a version. So the binary is
 * extracted, its main module given the pinned version, and the extract scanned.
 */
async function scanBinary(tool: Tool, { govulncheck, dir, root, run }: Scanner): Promise<Check> {
  const extracted = await run(govulncheck, ["-mode", "extract", tool.bin], root);
  const blob = extracted.code === 0 ? withMainVersion(extracted.stdout, tool.version) : undefined;
  if (!blob) return govulncheckCheck({ ...extracted, code: extracted.code || 1 }, tool.command);
  const file = join(dir, `${tool.command}.blob`);
  writeFileSync(file, blob);
  const args = ["-mode", "binary", "-format", "json", file];
  return govulncheckCheck(await run(govulncheck, args, root), tool.command);
}

/** The extract's two JSON documents (header, body) with the main module's version filled in. */
export function withMainVersion(extract: string, version: string | undefined): string | undefined {
  // The body's modules are golang.org/x/tools' packages.Module: Go field names, no JSON tags.
  const [header, body] = parseStream(extract) as [
    Record<string, unknown>?,
    { main?: { Path?: string; Version?: string } }?,
  ];
  if (header?.name !== "govulncheck-extract" || !body) return undefined;
  const main = body.main;
  if (main && version && (!main.Version || main.Version === "(devel)")) main.Version = version;
  return `${JSON.stringify(header)}\n${JSON.stringify(body)}\n`;
}

/** CI's verdict: no failure, and every warning only a moderate/low npm advisory (all was scanned). */
export function reviewPasses(checks: readonly Check[]): boolean {
  const minorAdvisories = /^\d+ (moderate|low|info)\b/;
  return checks.every(
    (c) => c.status === "ok" || (c.status === "warn" && minorAdvisories.test(c.detail)),
  );
}
