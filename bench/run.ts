import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { detectionOverheadMs } from "../components/prometheus/detection";
import { AlertName } from "../lib/alert-names";
import { readStackFile } from "../scripts/stack-file";
import { parseStackFileConfig } from "../scripts/synth-lib";
import { backtestSection, backtestTimings, writeBacktestSection } from "./backtest";
import {
  faultToPage,
  type PageTiming,
  type RuleCost,
  ruleCost,
  synthWallTime,
  withStack,
} from "./measure";

/**
 * `npm run bench`: fault→page latency against its floor, rule-evaluation cost at 100, 1,000 and
 * 10,000 bots, synth wall time, and the backtest's replay time (bench/backtest.ts). Prints the figures and writes docs/benchmarks.md.
 * Figures, not pass/fail: nothing here is a timed test.
 */

const TIME_SCALE = 60;
/**
 * Rule cost runs at time scale 5: scrape and evaluation every 2 s, so a range window holds as
 * many samples as in production (10m at a 10 s scrape = 60), and a 10,000-bot scrape fits its
 * timeout on a loaded machine (at scale 60 both are floored to 1 s).
 */
const RULE_TIME_SCALE = 5;
const RULE_WINDOW_S = 40;
const PORT_BASE = 19800;
const BOT_COUNTS = [100, 1_000, 10_000];
const RUNS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (n: number) => `${Math.round(n)} ms`;
const log = (line: string) => process.stdout.write(`${line}\n`);

async function pageTimings(): Promise<PageTiming[]> {
  return withStack({ portBase: PORT_BASE, timeScale: TIME_SCALE, bots: 8 }, async (stack) => [
    await faultToPage(stack, AlertName.Port8000QueueBacklog, { queueDepth: 50 }, "2m", RUNS),
    await faultToPage(stack, AlertName.Port8000HighErrorRate, { errorRatio: 0.2 }, "2m", RUNS),
  ]);
}

async function ruleCosts(): Promise<RuleCost[]> {
  const costs: RuleCost[] = [];
  for (const bots of BOT_COUNTS) {
    log(`  rule evaluation with ${bots} bots …`);
    costs.push(
      await withStack({ portBase: PORT_BASE, timeScale: RULE_TIME_SCALE, bots }, (s) =>
        ruleCost(s, bots, RULE_WINDOW_S),
      ),
    );
    const c = costs[costs.length - 1];
    log(`    ${c.perCycleMs.toFixed(2)} ms per cycle, ${c.seriesPerBot.toFixed(2)} series per bot`);
  }
  return costs;
}

const DOC = "docs/benchmarks.md";
/** Sections measured by hand (the validator build) that a bench run keeps as they are. */
const HAND_WRITTEN = "\n## Validator build";

function handWritten(): string {
  const current = existsSync(DOC) ? readFileSync(DOC, "utf8") : "";
  const at = current.indexOf(HAND_WRITTEN);
  return at < 0 ? "" : current.slice(at);
}

/** The targets (issue 9): 1,000 bots under 25 ms a cycle, 10,000 at most 12× that. */
const TARGET = { perCycle1kMs: 25, ratio10kTo1k: 12, seriesPerBot: 10, detectionMs: 30_000 };

function prodDetection() {
  return detectionOverheadMs(parseStackFileConfig("prod", readStackFile("Pulumi.prod.yaml")));
}

function detectionLines(): string[] {
  const d = prodDetection();
  const s = (n: number) => `${n / 1000} s`;
  return [
    `| scrape of Port 8000 | rule evaluation | critical group_wait | detection overhead | target |`,
    "| --- | --- | --- | --- | --- |",
    `| ${s(d.scrapeMs)} | ${s(d.evaluationMs)} | ${s(d.groupWaitMs)} | **${s(d.totalMs)}** | ≤ ${s(TARGET.detectionMs)} (was 35 s: 15 + 15 + 5) |`,
  ];
}

function summaryLines(costs: RuleCost[]): string[] {
  const at = (bots: number) => costs.find((c) => c.bots === bots);
  const [k1, k10] = [at(1_000), at(10_000)];
  if (!k1 || !k10) return [];
  const ratio = k10.perCycleMs / k1.perCycleMs;
  const series = Math.max(...costs.map((c) => c.seriesPerBot));
  const mark = (ok: boolean) => (ok ? "met" : "**missed**");
  return [
    "| figure | measured | target | |",
    "| --- | --- | --- | --- |",
    `| detection overhead (prod) | ${prodDetection().totalMs / 1000} s | ≤ ${TARGET.detectionMs / 1000} s | ${mark(prodDetection().totalMs <= TARGET.detectionMs)} |`,
    `| rule evaluation per cycle, 1,000 bots | ${k1.perCycleMs.toFixed(2)} ms | < ${TARGET.perCycle1kMs} ms | ${mark(k1.perCycleMs < TARGET.perCycle1kMs)} |`,
    `| rule evaluation per cycle, 10,000 bots | ${k10.perCycleMs.toFixed(2)} ms | | |`,
    `| 10k / 1k | ${ratio.toFixed(1)}× | ≤ ${TARGET.ratio10kTo1k}× | ${mark(ratio <= TARGET.ratio10kTo1k)} |`,
    `| series per bot (scraped + recorded) | ${series.toFixed(2)} | ≤ ${TARGET.seriesPerBot} | ${mark(series <= TARGET.seriesPerBot)} |`,
  ];
}

function pageTable(timings: PageTiming[]): string[] {
  return [
    "| alert (critical) | runs (fault → PagerDuty sink) | median | floor: for + group_wait | floor + scrape + eval interval |",
    "| --- | --- | --- | --- | --- |",
    ...timings.map(
      (t) =>
        `| ${t.alert} | ${t.runsMs.map(ms).join(", ")} | ${ms(median(t.runsMs))} | ${ms(t.floorMs)} | ${ms(t.worstFloorMs)} |`,
    ),
  ];
}

function ruleTable(costs: RuleCost[]): string[] {
  return [
    "| bots | samples per scrape of port8000 | series per bot | rule evaluation per cycle (all groups) | of which port8000.bots | scrape of port8000 |",
    "| --- | --- | --- | --- | --- | --- |",
    ...costs.map(
      (c) =>
        `| ${c.bots.toLocaleString("en")} | ${c.seriesScraped.toLocaleString("en")} | ${c.seriesPerBot.toFixed(2)} | ${c.perCycleMs.toFixed(2)} ms | ${c.botsGroupMs.toFixed(2)} ms | ${c.scrapeMs.toFixed(1)} ms |`,
    ),
  ];
}

function document(
  timings: PageTiming[],
  costs: RuleCost[],
  synth: number[],
  load: { before: number; after: number },
): string {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, Node ${process.version}`;
  return [
    "# Benchmarks",
    "",
    `Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}; machine: ${machine}.`,
    "Figures, not tests: rerun the script to refresh this page.",
    `Load average (1 min) of the machine, shared with other work: ${load.before.toFixed(1)} at the start, ${load.after.toFixed(1)} at the end; timings on a loaded machine are upper bounds.`,
    "",
    "## Summary",
    "",
    ...summaryLines(costs),
    "",
    "## Detection overhead",
    "",
    "What the pipeline adds at worst to a critical Port 8000 alert's `for:` in production: the",
    "fault lands just after a scrape, its sample just after a rule evaluation, and Alertmanager",
    "holds a new critical group for its group_wait (components/prometheus/detection.ts, from",
    "the prod stack's config). Port 8000, its /health probe and the log pipeline are scraped",
    "every 10 s (one target each); every rule group is evaluated every 10 s. Evaluating more",
    "often does not change what one evaluation reads. Scraping Port 8000 more often puts 1.5×",
    "as many samples in each range window over its series (rate and increase read them all;",
    "instant reads, most per-bot rules among them, read one sample per series): the rule cost",
    "below is measured at that density, and the per-bot rules now do far less per cycle.",
    "",
    ...detectionLines(),
    "",
    "## Fault → page",
    "",
    `The real local stack at time scale ${TIME_SCALE} (\`for: 2m\` = 2 s, group_wait 5s → 1 s floor,`,
    "scrape and evaluation interval 1 s). The time runs from the `POST /admin/fault` to the",
    "PagerDuty sink receiving the trigger. The floor is what the config allows at best (`for` +",
    "critical group_wait); a fault can land just after a scrape and an evaluation, so up to one",
    "scrape and one evaluation interval more is expected. The error-rate alert also needs its rate",
    "window (5m → 5 s) to fill with enough 5xx to cross 5%, hence its larger gap.",
    "Multiply by the time scale for the production equivalent. A run a few ms under the floor is",
    "evaluation-timestamp jitter: Prometheus stamps `activeAt` with the scheduled evaluation time.",
    "",
    ...pageTable(timings),
    "",
    "## Rule evaluation per cycle",
    "",
    "Prometheus's own `prometheus_rule_group_last_duration_seconds`, averaged over",
    `${RULE_WINDOW_S} s of cycles at time scale ${RULE_TIME_SCALE} (scrape and evaluation every 2 s, range`,
    "windows holding as many samples as in production), summed over the rule groups; the",
    "simulator reporting N bots (each bot adds its",
    "per-bot series: CPU, memory, limit, restarts, active, circuit breaker). Series per bot counts",
    "every series with a `bot` label, scraped and recorded, divided by the bots.",
    "",
    ...ruleTable(costs),
    "",
    "The per-bot rules compute each per-bot value once for every severity, and record only the",
    "bots at or past the lowest alert threshold (`bot:bot_cpu_percent:over_threshold`,",
    "`bot:bot_memory_usage:ratio_over_threshold`, `bot:bot_restarts:increase10m_over_threshold`):",
    "the alerts read those few series instead of one per bot, and a healthy fleet records no",
    "series per bot. Measured on this small machine, where the scrape, the simulator, the rules",
    "and other work share the CPUs (see the load above); production evaluates every 10 s.",
    "",
    "## synth --stack prod",
    "",
    `\`npm run synth -- --stack prod\` wall time (tsx start-up, mock Pulumi run, render, promtool and amtool), ${synth.length} runs: ${synth.map(ms).join(", ")}; median ${ms(median(synth))}.`,
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  for (const line of detectionLines()) log(line);
  log("fault → page on the local stack …");
  const timings = await pageTimings();
  for (const line of pageTable(timings)) log(line);
  log("rule evaluation cost …");
  const costs = await ruleCosts();
  for (const line of ruleTable(costs)) log(line);
  log("synth --stack prod wall time …");
  const synth = synthWallTime(RUNS);
  log(`  ${synth.map(ms).join(", ")} (median ${ms(median(synth))})`);
  log("backtest replay …");
  const backtest = backtestSection(backtestTimings(log));
  log(backtest);
  for (const line of summaryLines(costs)) log(line);
  const load = { before: loadBefore, after: loadavg()[0] };
  writeFileSync(DOC, document(timings, costs, synth, load) + handWritten());
  writeBacktestSection(backtest);
  log("written to docs/benchmarks.md");
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
