import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireTool, runTool, type ToolRun } from "../lib/tools";

/** promtool's rule unit tests (`promtool test rules`); a missing binary fails loudly. */
export function promtoolTestRules(file: string, cwd?: string): ToolRun {
  return runTool("promtool", ["test", "rules", file], cwd, 300_000);
}

/** One test group of a promtool test file and what promtool found wrong with it. */
export interface PromtoolCase {
  readonly name: string;
  readonly failures: readonly string[];
}

/** One test file: its groups, or the error that stopped promtool before they ran. */
export interface PromtoolFile {
  readonly file: string;
  readonly error?: string;
  readonly cases: readonly PromtoolCase[];
}

export interface PromtoolRuns {
  readonly ok: boolean;
  readonly output: string;
  /** Keyed by the file name as passed to promtool. */
  readonly files: ReadonlyMap<string, PromtoolFile>;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith("#x")) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith("#")) return String.fromCodePoint(Number(entity.slice(1)));
    return ENTITIES[entity] ?? whole;
  });
}

const elements = (xml: string, tag: string) =>
  [...xml.matchAll(new RegExp(`<${tag}( [^>]*)?>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => ({
    name: unescapeXml(/name="([^"]*)"/.exec(m[1] ?? "")?.[1] ?? ""),
    body: m[2],
  }));

/**
 * The JUnit report of `promtool test rules --junit` (Go's encoding/xml: one <testsuite> per
 * file, one <testcase> per test group, a <failure> per mismatch, an <error> when the file
 * could not be run).
 */
export function parseJunit(xml: string): Map<string, PromtoolFile> {
  const files = new Map<string, PromtoolFile>();
  for (const suite of elements(xml, "testsuite")) {
    const cases = elements(suite.body, "testcase").map((c) => ({
      name: c.name,
      failures: elements(c.body, "failure").map((f) => unescapeXml(f.body)),
      error: elements(c.body, "error").map((e) => unescapeXml(e.body))[0],
    }));
    const error = cases.find((c) => c.error)?.error;
    files.set(suite.name, {
      file: suite.name,
      ...(error ? { error } : {}),
      cases: cases.filter((c) => !c.error).map(({ name, failures }) => ({ name, failures })),
    });
  }
  return files;
}

/**
 * `promtool test rules` over many test files in one process, without blocking the caller; the
 * JUnit report tells which file and which group failed, which promtool's own output does not.
 */
export async function promtoolTestRuleFiles(
  files: readonly string[],
  cwd: string,
): Promise<PromtoolRuns> {
  const dir = mkdtempSync(join(tmpdir(), "promtool-junit-"));
  const junit = join(dir, "junit.xml");
  try {
    const args = ["test", `--junit=${junit}`, "rules", ...files];
    const child = spawn(requireTool("promtool"), args, { cwd });
    const output: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => output.push(c));
    child.stderr.on("data", (c: Buffer) => output.push(c));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", resolve);
    });
    const text = Buffer.concat(output).toString("utf8").trim();
    return { ok: code === 0, output: text, files: parseJunit(readFileSync(junit, "utf8")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
