import { formatDurationMs } from "../lib/duration";
import type { AlertComparison, Episode } from "./compare";
import type { Incident } from "./scenario";

/** The backtest as a Markdown table (the PR comment and the terminal) and as JSON. */

export interface ReportContext {
  readonly baseRef: string;
  readonly headRef: string;
  /** e.g. "7 days of the recorded scenario week" or "7 days from https://thanos…". */
  readonly data: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly interval: string;
  readonly engine: string;
  /** The scenario's incidents, to name the episodes; empty for recorded production data. */
  readonly incidents: readonly Incident[];
}

/** An alert names the incident that began most recently before it fired (within 6 h). */
const INCIDENT_REACH_MS = 6 * 3_600_000;

function when(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}

function incidentOf(episode: Episode, incidents: readonly Incident[]): string | undefined {
  const startMs = episode.start * 1000;
  const candidates = incidents.filter(
    (i) => i.startMs <= startMs && startMs - i.endMs <= INCIDENT_REACH_MS,
  );
  return candidates.sort((a, b) => b.startMs - a.startMs)[0]?.name;
}

/** Distinct episode lines a table cell lists; the JSON report lists every episode. */
const CELL_LINES = 10;

/**
 * Episodes of one alert as a cell: label sets that fired alike (a fleet-wide incident pages
 * once per bot) are one line with their count, so the PR comment stays readable and within
 * GitHub's comment size for 1,000 bots.
 */
function describeEpisodes(episodes: readonly Episode[], incidents: readonly Incident[]): string {
  if (episodes.length === 0) return "—";
  const counts = new Map<string, number>();
  for (const e of episodes) {
    const incident = incidentOf(e, incidents);
    const length = formatDurationMs((e.end - e.start) * 1000);
    const text = `${when(e.start * 1000)} for ${length}${incident ? ` (${incident})` : ""}`;
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  const lines = [...counts].map(([text, n]) => (n > 1 ? `${text} ×${n}` : text));
  const shown = lines.slice(0, CELL_LINES);
  if (lines.length > CELL_LINES) shown.push(`… ${lines.length - CELL_LINES} more`);
  return shown.join("<br>");
}

function labelText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
}

function sideText(defined: boolean, count: number, seconds: number): string[] {
  if (!defined) return ["(no rule)", "—"];
  return [String(count), seconds > 0 ? formatDurationMs(seconds * 1000) : "0s"];
}

export function markdownReport(rows: readonly AlertComparison[], ctx: ReportContext): string {
  const lines = [
    `### Backtest of alerting rules: base \`${ctx.baseRef}\` → head \`${ctx.headRef}\``,
    "",
    `Replayed by ${ctx.engine} over ${ctx.data} (${when(ctx.fromMs)} → ${when(ctx.toMs)} UTC), evaluating every ${ctx.interval}.`,
    "",
  ];
  if (rows.length === 0) {
    lines.push("No alerting rule differs between base and head: nothing to replay.");
    return `${lines.join("\n")}\n`;
  }
  lines.push(
    "| Alert | Labels | Base firings | Base firing time | Head firings | Head firing time | Missed by head | Added by head |",
    "|---|---|---:|---:|---:|---:|---|---|",
  );
  for (const row of rows) {
    const cells = [
      row.alert,
      labelText(row.labels),
      ...sideText(row.base.defined, row.base.firings, row.base.seconds),
      ...sideText(row.head.defined, row.head.firings, row.head.seconds),
      describeEpisodes(row.missed, ctx.incidents),
      describeEpisodes(row.added, ctx.incidents),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}

export function jsonReport(rows: readonly AlertComparison[], ctx: ReportContext): string {
  const alerts = rows.map((row) => ({
    alert: row.alert,
    labels: row.labels,
    base: row.base,
    head: row.head,
    missed: row.missed,
    added: row.added,
  }));
  const window = { from: ctx.fromMs / 1000, to: ctx.toMs / 1000, interval: ctx.interval };
  return `${JSON.stringify({ base: ctx.baseRef, head: ctx.headRef, data: ctx.data, window, alerts }, null, 2)}\n`;
}
