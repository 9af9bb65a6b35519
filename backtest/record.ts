import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { ROOT_DIR, requireTool } from "../lib/tools";
import { Port8000Model } from "../local/simulator/model";
import type { Family } from "../local/simulator/registry";
import { BACKTEST_DIR, ensureEngine } from "./engine";
import { faultsAt, type Scenario } from "./scenario";
import { ScrapeStream } from "./stream";

/**
 * Records a scenario as TSDB blocks: the simulator's model is driven through the scenario's
 * incidents, scraped every scrape interval (as Prometheus would, with its job and instance
 * labels and `up`), written as a scrape stream (stream.ts) and turned into day blocks by the
 * replay engine's `ingest` command (the tsdb package's block writer). Only the metrics the
 * replayed rules read are recorded; the blocks are cached by everything that shapes them.
 * `writeScrapes` also gives the same scrapes as OpenMetrics, for `promtool tsdb
 * create-blocks-from openmetrics` (the tests hold both recordings equal).
 */

const JOB_LABELS = 'job="port8000",instance="port8000:8000"';
/** 18h blocks (promtool's block ranges): a day's input takes two passes, not 12. */
const MAX_BLOCK_DURATION = "1d";
/** The sources whose code produces the series; a change to any of them re-records. */
const MODEL_SOURCES = [
  "local/simulator/model.ts",
  "local/simulator/registry.ts",
  "local/simulator/faults.ts",
  "lib/metrics.ts",
  "backtest/record.ts",
  "backtest/stream.ts",
  "backtest/engine/ingest.go",
];

export interface Recording {
  readonly dir: string;
  readonly samples: number;
  readonly cached: boolean;
}

/** The metric names of series selectors such as `task_queue_depth{job="port8000"}`; null: all. */
export function metricNames(selectors: readonly string[]): Set<string> | null {
  const names = new Set<string>();
  for (const selector of selectors) {
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(selector)?.[0];
    if (!name) return null;
    names.add(name);
  }
  return names;
}

function seriesNames(family: Family): string[] {
  const base = family.name;
  return family.spec.type === "histogram"
    ? [`${base}_bucket`, `${base}_sum`, `${base}_count`]
    : [base];
}

function cacheKey(scenarioText: string, names: Set<string> | null, fromMs: number): string {
  const hash = createHash("sha256").update(scenarioText).update(String(fromMs));
  for (const file of MODEL_SOURCES) hash.update(readFileSync(join(ROOT_DIR, file)));
  hash.update(names ? [...names].sort().join(",") : "*");
  return hash.digest("hex").slice(0, 16);
}

/** `name{labels} value` of the text format → OpenMetrics with the job's labels and a timestamp. */
function withJob(line: string, stamp: string): string {
  const brace = line.indexOf("{");
  if (brace >= 0) {
    return `${line.slice(0, brace + 1)}${JOB_LABELS},${line.slice(brace + 1)} ${stamp}`;
  }
  const space = line.indexOf(" ");
  return `${line.slice(0, space)}{${JOB_LABELS}}${line.slice(space)} ${stamp}`;
}

interface Scraper {
  readonly model: Port8000Model;
  readonly families: readonly Family[];
  readonly names: Set<string> | null;
}

function scraper(scenario: Scenario, names: Set<string> | null, fromMs: number): Scraper {
  const model = new Port8000Model(scenario.bots, 1, fromMs, scenario.requestsPerSecond);
  const families = [...model.families.values()].filter(
    (f) => !names || seriesNames(f).some((n) => names.has(n)),
  );
  return { model, families, names };
}

/** The scrape after the model's tick at `ms`, as OpenMetrics lines. */
function openMetricsScrape(s: Scraper, ms: number, out: string[]): void {
  const stamp = (ms / 1000).toFixed(3);
  const lines: string[] = [];
  for (const family of s.families) family.render(lines);
  for (const line of lines) {
    if (line.startsWith("#")) continue;
    if (s.names && !s.names.has(line.slice(0, line.search(/[ {]/)))) continue;
    out.push(`${withJob(line, stamp)}\n`);
  }
  if (!s.names || s.names.has("up")) out.push(`up{${JOB_LABELS}} 1 ${stamp}\n`);
}

/** The scrape after the model's tick at `ms`, into the stream. */
function streamScrape(s: Scraper, ms: number, stream: ScrapeStream): void {
  stream.begin(ms);
  for (const family of s.families) family.samples((series, value) => stream.sample(series, value));
  stream.sample("up", 1);
  stream.end();
}

/** A file written a batch of lines at a time; `lines` is filled by the caller. */
class LineFile {
  readonly lines: string[] = [];
  written = 0;
  private readonly fd: number;

  constructor(path: string) {
    this.fd = openSync(path, "w");
  }

  flushWhenFull(): void {
    if (this.lines.length > 50_000) this.flush();
  }

  /** Writes what is left and `trailer`; returns the number of lines written before it. */
  close(trailer: string): number {
    this.flush();
    writeSync(this.fd, trailer);
    closeSync(this.fd);
    return this.written;
  }

  private flush(): void {
    this.written += this.lines.length;
    writeSync(this.fd, this.lines.join(""));
    // Emptied in place: a ScrapeStream holds this array.
    this.lines.length = 0;
  }
}

/** Where a run of the model is written: as OpenMetrics, as a scrape stream, or both. */
export interface ScrapeFiles {
  readonly openMetrics?: string;
  readonly stream?: string;
}

/**
 * Drives the model through the scenario from `fromMs` and writes every scrape to `files` (one
 * run of the model for both forms); returns the number of OpenMetrics samples. Before the
 * scenario's start, its steady traffic (no incident) fills the warm-up the replayed rules read.
 */
export function writeScrapes(
  scenario: Scenario,
  names: Set<string> | null,
  files: ScrapeFiles,
  fromMs = scenario.startMs,
): number {
  const s = scraper(scenario, names, fromMs);
  const openMetrics = files.openMetrics ? new LineFile(files.openMetrics) : null;
  const streamFile = files.stream ? new LineFile(files.stream) : null;
  const stream = streamFile && new ScrapeStream(JOB_LABELS, names, streamFile.lines);
  for (let ms = fromMs; ms < scenario.endMs; ms += scenario.scrapeIntervalMs) {
    s.model.faults = faultsAt(scenario, ms);
    s.model.tick(ms);
    if (openMetrics) openMetricsScrape(s, ms, openMetrics.lines);
    if (stream) streamScrape(s, ms, stream);
    openMetrics?.flushWhenFull();
    streamFile?.flushWhenFull();
  }
  streamFile?.close("");
  return openMetrics ? openMetrics.close("# EOF\n") : 0;
}

/** Writes the whole scenario's scrapes as one OpenMetrics file; returns the number of samples. */
export function writeOpenMetrics(scenario: Scenario, names: Set<string> | null, file: string) {
  return writeScrapes(scenario, names, { openMetrics: file });
}

/** Writes the scenario's scrapes from `fromMs` as a scrape stream file. */
export function writeScrapeStream(
  scenario: Scenario,
  names: Set<string> | null,
  file: string,
  fromMs = scenario.startMs,
): void {
  writeScrapes(scenario, names, { stream: file }, fromMs);
}

/** Turns a scrape stream into day blocks in `dir`; returns the number of samples. */
export function ingestStream(file: string, dir: string): number {
  const fd = openSync(file, "r");
  try {
    const result = spawnSync(ensureEngine(), ["ingest", `--out=${dir}`], {
      stdio: [fd, "pipe", "pipe"],
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`ingest of ${file} failed:\n${result.stderr}`);
    return (JSON.parse(result.stdout) as { samples: number }).samples;
  } finally {
    closeSync(fd);
  }
}

function recordStream(
  scenario: Scenario,
  names: Set<string> | null,
  dir: string,
  fromMs: number,
): number {
  const input = join(dir, "scrapes.stream");
  writeScrapeStream(scenario, names, input, fromMs);
  const samples = ingestStream(input, dir);
  rmSync(input);
  return samples;
}

/**
 * The scenario's blocks for these metric names from `fromMs` (its start, or earlier for a
 * warm-up), recorded now or found in the cache.
 */
export function recordScenario(
  scenario: Scenario,
  scenarioText: string,
  names: Set<string> | null,
  fromMs = scenario.startMs,
): Recording {
  const key = cacheKey(scenarioText, names, fromMs);
  const dir = join(BACKTEST_DIR, "blocks", `${scenario.name}-${key}`);
  const countFile = join(dir, "samples");
  if (existsSync(countFile)) {
    return { dir, samples: Number(readFileSync(countFile, "utf8")), cached: true };
  }
  const work = `${dir}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const samples = recordStream(scenario, names, work, fromMs);
  writeFileSync(join(work, "samples"), String(samples));
  rmSync(dir, { recursive: true, force: true });
  renameSync(work, dir);
  return { dir, samples, cached: false };
}

export function createBlocks(input: string, outputDir: string): void {
  const args = ["tsdb", "create-blocks-from", "openmetrics", "--quiet"];
  args.push(`--max-block-duration=${MAX_BLOCK_DURATION}`, input, outputDir);
  const result = spawnSync(requireTool("promtool"), args, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`promtool ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  }
  if (!readdirSync(outputDir).some((f) => existsSync(join(outputDir, f, "meta.json")))) {
    throw new Error(`promtool wrote no blocks from ${input}`);
  }
}
