import { z } from "zod";
import { DURATION_PATTERN, parseDurationMs } from "../../lib/duration";
import { duration, path, positiveInt } from "./primitives";

/**
 * When the guide's checklists run in the cluster (section 3) and how hard the monthly synthetic
 * load test pushes Port 8000 (3.3). Pure: the schema and the cron check.
 */

export const OPS_ROUTINES = ["daily", "weekly", "monthly", "quarterly"] as const;
export type OpsRoutine = (typeof OPS_ROUTINES)[number];

const MONTH_NAMES = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** The five fields of a standard cron line, as the CronJob controller's parser bounds them. */
const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES },
  { name: "day of week", min: 0, max: 7, names: DAY_NAMES },
] as const;

function fieldValue(text: string, names?: readonly string[]): number {
  const named = names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return names === MONTH_NAMES ? named + 1 : named;
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

/** One comma-separated part of a field: `*`, `N`, `A-B`, each optionally `/STEP`. */
function cronPartProblem(part: string, f: (typeof CRON_FIELDS)[number]): string | undefined {
  const [range, step, extra] = part.split("/");
  if (extra !== undefined || (step !== undefined && !/^[1-9]\d*$/.test(step)))
    return `${f.name}: bad step in "${part}"`;
  if (range === "*") return undefined;
  const names = "names" in f ? f.names : undefined;
  const [a, b = a, more] = range.split("-");
  if (more !== undefined) return `${f.name}: bad range "${part}"`;
  const [from, to] = [fieldValue(a, names), fieldValue(b, names)];
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < f.min || to > f.max)
    return `${f.name}: "${part}" is outside ${f.min}-${f.max}`;
  if (from > to) return `${f.name}: "${part}" runs backwards`;
  return undefined;
}

/** What is wrong with a five-field cron line, or undefined. */
export function cronProblem(line: string): string | undefined {
  const fields = line.trim().split(/\s+/);
  if (fields.length !== 5)
    return `expected five fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  for (const [i, field] of fields.entries()) {
    for (const part of field.split(",")) {
      const problem = cronPartProblem(part, CRON_FIELDS[i]);
      if (problem) return problem;
    }
  }
  return undefined;
}

const cron = z.string().superRefine((line, ctx) => {
  const problem = cronProblem(line);
  if (problem) ctx.addIssue({ code: "custom", message: `not a cron schedule: ${problem}` });
});

const MIN_LOAD_S = 60;
const MAX_LOAD_S = 4 * 3600;

const loadTestDuration = duration.superRefine((d, ctx) => {
  // The pattern's own issue is reported by `duration`; nothing to bound without it.
  if (!DURATION_PATTERN.test(d)) return;
  const seconds = parseDurationMs(d) / 1000;
  if (seconds < MIN_LOAD_S)
    ctx.addIssue({ code: "custom", message: `must be at least ${MIN_LOAD_S}s` });
  if (seconds > MAX_LOAD_S) ctx.addIssue({ code: "custom", message: "must be at most 4h" });
});

export const opsSchema = z
  .strictObject({
    /** Cron lines in `escalation.timeZone` (UTC without one). */
    schedule: z
      .strictObject({
        /** Guide 3.1 "every morning". */
        daily: cron.default("0 7 * * *"),
        /** Guide 3.2, Mondays. */
        weekly: cron.default("0 8 * * 1"),
        /** Guide 3.3, the 1st of the month. */
        monthly: cron.default("0 9 1 * *"),
        /** Guide 3.4, the first day of each quarter, after the monthly run. */
        quarterly: cron.default("0 11 1 1,4,7,10 *"),
      })
      .prefault({}),
    /** Guide 3.3: the monthly synthetic load test of Port 8000's in-cluster Service. */
    loadTest: z
      .strictObject({
        duration: loadTestDuration.default("30m"),
        connections: positiveInt.max(1000, "must be at most 1000").default(10),
        /** Requests per second over all connections; unset: as fast as Port 8000 answers. */
        rate: positiveInt.optional(),
        /** What is requested on the Service. */
        path: path.default("/health"),
      })
      .prefault({}),
  })
  .prefault({});

export type OpsConfig = z.output<typeof opsSchema>;

/** The load test's length in whole seconds. */
export const loadTestSeconds = (ops: OpsConfig): number =>
  Math.round(parseDurationMs(ops.loadTest.duration) / 1000);
