import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EVALUATION_INTERVAL } from "../components/prometheus/values";
import { formatDurationMs, parseDurationMs } from "../lib/duration";
import { ROOT_DIR } from "../lib/tools";
import { BACKTEST_USAGE, type BacktestArgs, parseBacktestArgs, UsageError } from "./args";
import { compare } from "./compare";
import { ensureEngine } from "./engine";
import { FETCH_STEP_MS, fetchRecording } from "./fetch";
import { repositoryRoot, resolveRef, rulesAt, workingTreeRules } from "./git";
import { metricNames, recordScenario } from "./record";
import { lookbackOf, replay, selectorsOf, writeRuleFile } from "./replay";
import { jsonReport, markdownReport, type ReportContext } from "./report";
import { changedAlerts, parseRuleFile, type RuleFile, replayFile } from "./rules";
import { type Incident, parseScenario } from "./scenario";

/**
 * `npm run backtest -- --base REF`: the alerting rules that differ between two revisions,
 * replayed by Prometheus' rule engine over recorded data, base against head.
 */

export const DEFAULT_SCENARIO = join(ROOT_DIR, "backtest", "scenarios", "week.json");
const DAY_MS = 86_400_000;
const ENGINE = "Prometheus' rule engine (rules, promql and tsdb packages of the pinned release)";

interface Data {
  readonly dir: string;
  /** The recorded samples' spacing (scrape interval or query step). */
  readonly stepMs: number;
  readonly description: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly incidents: readonly Incident[];
}

/** Progress lines (building the engine, recording), to stderr. */
type Log = (line: string) => void;

/** What the replayed rules read: their series selectors and how long before the window. */
interface Reads {
  readonly selectors: string[];
  readonly lookbackMs: number;
}

async function recordedData(
  args: BacktestArgs,
  reads: Reads,
  scratch: string,
  log: Log,
): Promise<Data> {
  const { selectors, lookbackMs } = reads;
  if (args.prometheus) {
    const toMs = args.untilMs ?? Date.now();
    const fromMs = toMs - args.days * DAY_MS;
    const source = args.prometheus;
    const dir = await fetchRecording(source, selectors, fromMs - lookbackMs, toMs, scratch);
    const description = `${args.days} days read from ${args.prometheus}`;
    return { dir, description, fromMs, toMs, stepMs: FETCH_STEP_MS, incidents: [] };
  }
  const path = args.scenario ?? DEFAULT_SCENARIO;
  const text = readFileSync(path, "utf8");
  const scenario = parseScenario(text, path);
  const spanDays = (scenario.endMs - scenario.startMs) / DAY_MS;
  if (args.days > spanDays) {
    throw new UsageError(`--days ${args.days}: the scenario ${scenario.name} holds ${spanDays}`);
  }
  const fromMs = scenario.endMs - args.days * DAY_MS;
  // The warm-up before the scenario's start is its steady traffic (faults only come with incidents).
  const recordFromMs = Math.min(scenario.startMs, fromMs - lookbackMs);
  const recording = recordScenario(scenario, text, metricNames(selectors), recordFromMs);
  log(`${recording.cached ? "cached" : "recorded"} ${recording.samples} samples`);
  return {
    dir: recording.dir,
    stepMs: scenario.scrapeIntervalMs,
    description: `${args.days} days of the recorded scenario ${scenario.name}`,
    fromMs,
    toMs: scenario.endMs,
    incidents: scenario.incidents,
  };
}

/**
 * Production's evaluation interval, or the data's spacing when coarser: between two samples an
 * evaluation reads what the previous one read, and every `for:` of the rule file is a multiple
 * of 30 s, so this costs no page, only up to one step of timing, at a fraction of the work.
 */
export function evaluationInterval(stepMs: number): string {
  return formatDurationMs(Math.max(parseDurationMs(EVALUATION_INTERVAL), stepMs));
}

interface Revisions {
  readonly base: RuleFile;
  readonly head: RuleFile;
  readonly baseRef: string;
  readonly headRef: string;
}

function revisions(args: BacktestArgs, cwd: string): Revisions {
  const root = repositoryRoot(cwd);
  const baseRef = resolveRef(args.base, root);
  const headRef = args.head ? resolveRef(args.head, root) : "working tree";
  const headText = args.head ? rulesAt(args.head, root) : workingTreeRules(root);
  return {
    base: parseRuleFile(rulesAt(args.base, root), `${args.base}:rules`),
    head: parseRuleFile(headText, `${headRef}:rules`),
    baseRef,
    headRef,
  };
}

export async function backtest(args: BacktestArgs, cwd: string, log: Log): Promise<string> {
  const revs = revisions(args, cwd);
  const keys = changedAlerts(revs.base, revs.head);
  const scratch = mkdtempSync(join(tmpdir(), "port8000-backtest-"));
  try {
    const engine = ensureEngine(log);
    const baseFile = replayFile(revs.base, keys);
    const headFile = replayFile(revs.head, keys);
    const basePath = baseFile && writeRuleFile(baseFile, scratch, "base");
    const headPath = headFile && writeRuleFile(headFile, scratch, "head");
    const paths = [basePath, headPath].filter((p): p is string => Boolean(p));
    const reads = {
      selectors: [...new Set(paths.flatMap((p) => selectorsOf(engine, p)))],
      lookbackMs: Math.max(0, ...paths.map((p) => lookbackOf(engine, p))),
    };
    const data = keys.length > 0 ? await recordedData(args, reads, scratch, log) : null;
    const interval = data ? evaluationInterval(data.stepMs) : EVALUATION_INTERVAL;
    const window = data && { ...data, dataDir: data.dir, interval };
    const [baseReport, headReport] = await Promise.all([
      baseFile && basePath && window ? replay(engine, baseFile, basePath, window) : null,
      headFile && headPath && window ? replay(engine, headFile, headPath, window) : null,
    ]);
    const ctx: ReportContext = {
      baseRef: revs.baseRef,
      headRef: revs.headRef,
      data: data?.description ?? "no data",
      fromMs: data?.fromMs ?? 0,
      toMs: data?.toMs ?? 0,
      interval,
      engine: ENGINE,
      incidents: data?.incidents ?? [],
    };
    const rows = compare(keys, baseReport, headReport);
    return args.json ? jsonReport(rows, ctx) : markdownReport(rows, ctx);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Where the command writes: the process' streams, or a test's collectors. */
export interface BacktestIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** The command in `cwd`; resolves to its exit code (2: bad usage, 1: it failed). */
export async function backtestCli(
  argv: readonly string[],
  cwd: string,
  io: BacktestIo,
): Promise<number> {
  try {
    const args = parseBacktestArgs(argv);
    io.stdout(await backtest(args, cwd, (line) => io.stderr(`backtest: ${line}\n`)));
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`backtest: ${error.message}\n${BACKTEST_USAGE}\n`);
      return 2;
    }
    io.stderr(`backtest: ${(error as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  const io = {
    stdout: (text: string) => process.stdout.write(text),
    stderr: (text: string) => process.stderr.write(text),
  };
  void backtestCli(process.argv.slice(2), process.cwd(), io).then((code) => process.exit(code));
}
