import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ROOT_DIR } from "../lib/tools";
import { writeSection } from "./doc";

/**
 * What `npm test` and the quick tier cost on this machine, phase by phase: wall time and the
 * CPU time (user + system) of each phase and all its children, read by GNU time. Run with
 * `npx tsx bench/test-suite.ts` on a machine with nothing else running; it rewrites the
 * "Test suite" section of docs/benchmarks.md. Figures, not a timed test.
 */

const TIME = "/usr/bin/time";
const BIN = join(ROOT_DIR, "node_modules", ".bin");

interface Phase {
  readonly label: string;
  readonly command: readonly string[];
}

interface Measured {
  readonly label: string;
  readonly wallS: number;
  readonly cpuS?: number;
  readonly load: [number, number];
}

interface SuiteFile {
  readonly name: string;
  readonly startTime: number;
  readonly endTime: number;
  readonly assertionResults: unknown[];
}

/** `stats`: where GNU time writes the phase's figures (overwritten by each phase). */
function measure(phase: Phase, stats: string): Measured {
  const before = loadavg()[0];
  const timed = existsSync(TIME);
  const [cmd, ...args] = timed
    ? [TIME, "-f", "%e %U %S", "-o", stats, ...phase.command]
    : phase.command;
  const started = Date.now();
  const run = spawnSync(cmd, args, { cwd: ROOT_DIR, stdio: ["ignore", "ignore", "inherit"] });
  const wallS = (Date.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`${phase.label} failed (exit ${run.status}): fix it first`);
  const load: [number, number] = [before, loadavg()[0]];
  if (!timed) return { label: phase.label, wallS, load };
  const [, user, sys] =
    readFileSync(stats, "utf8").trim().split("\n").pop()?.split(" ").map(Number) ?? [];
  return { label: phase.label, wallS, cpuS: user + sys, load };
}

function slowestFiles(report: string, count: number): string[] {
  const doc = JSON.parse(readFileSync(report, "utf8")) as { testResults: SuiteFile[] };
  return doc.testResults
    .map((f) => ({
      file: relative(ROOT_DIR, f.name),
      s: (f.endTime - f.startTime) / 1000,
      n: f.assertionResults.length,
    }))
    .sort((a, b) => b.s - a.s)
    .slice(0, count)
    .map((f) => `| \`${f.file}\` | ${f.s.toFixed(1)} s | ${f.n} |`);
}

const seconds = (s: number) =>
  s >= 60 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s.toFixed(1)} s`;

function row(m: Measured): string {
  const cpu = m.cpuS === undefined ? "— (no GNU time)" : `${Math.round(m.cpuS)} s`;
  return `| ${m.label} | ${seconds(m.wallS)} | ${cpu} | ${m.load[0].toFixed(1)} → ${m.load[1].toFixed(1)} |`;
}

function section(phases: Measured[], slowest: string[]): string {
  const total = phases
    .filter((p) => p.label.startsWith("npm test"))
    .reduce((s, p) => s + p.wallS, 0);
  return [
    "## Test suite",
    "",
    `Written by \`npx tsx bench/test-suite.ts\` on ${new Date().toISOString().slice(0, 10)}; ${cpus().length} CPUs, Node ${process.version}.`,
    "Warm caches: the tools built (`npm run tools` finds its stamp), the recorded program runs and",
    "the type-checker's build info present from an earlier run. CPU is user + system time of the",
    "phase and all its children; the load average (1 min) shows whether the machine was shared.",
    "",
    "| phase | wall | CPU | load |",
    "| --- | --- | --- | --- |",
    ...phases.map(row),
    "",
    `\`npm test\` end to end (its four phases): **${seconds(total)}**.`,
    "",
    "The slowest files of the full jest run (wall time of each file on its worker):",
    "",
    "| file | wall | tests |",
    "| --- | --- | --- |",
    ...slowest,
    "",
  ].join("\n");
}

/** One scratch directory for the run's time figures and jest's report, removed at the end. */
function main(scratch: string): void {
  const report = join(scratch, "report.json");
  const phases: Phase[] = [
    {
      label: "npm test: tools check (pretest)",
      command: [join(BIN, "tsx"), "scripts/ensure-tools.ts"],
    },
    { label: "npm test: lint (biome, actionlint)", command: ["npm", "run", "--silent", "lint"] },
    {
      label: "npm test: typecheck (tsc --build)",
      command: ["npm", "run", "--silent", "typecheck"],
    },
    {
      label: "npm test: jest (all suites)",
      command: [join(BIN, "jest"), "--silent", "--json", `--outputFile=${report}`],
    },
    {
      label: "npm run test:unit (quick tier)",
      command: [join(BIN, "jest"), "--silent", "--config", "jest.unit.config.js"],
    },
  ];
  const measured: Measured[] = [];
  for (const phase of phases) {
    process.stdout.write(`${phase.label} …\n`);
    const m = measure(phase, join(scratch, "time"));
    process.stdout.write(`${row(m)}\n`);
    measured.push(m);
  }
  const text = section(measured, slowestFiles(report, 10));
  process.stdout.write(`\n${text}`);
  writeSection("Test suite", text);
}

const scratch = mkdtempSync(join(tmpdir(), "bench-tests-"));
try {
  main(scratch);
} catch (error) {
  process.stderr.write(`bench/test-suite: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
