import { parseArgs } from "node:util";

/** Flags of `npm run backtest` (docs/backtest.md); a bad flag is an error naming it (exit 2). */

export class UsageError extends Error {}

export const BACKTEST_USAGE =
  "usage: npm run backtest -- --base REF [--head REF] [--days N] [--json] [--scenario FILE] [--prometheus URL [--until ISO-TIME]]";

export interface BacktestArgs {
  readonly base: string;
  /** undefined: the working tree. */
  readonly head?: string;
  readonly days: number;
  readonly json: boolean;
  readonly scenario?: string;
  /** Prometheus or Thanos Query to read the last `days` days from, instead of a scenario. */
  readonly prometheus?: string;
  readonly untilMs?: number;
}

const MAX_DAYS = 31;

function days(value: string | undefined): number {
  if (value === undefined) return 7;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_DAYS) {
    throw new UsageError(`--days must be a whole number from 1 to ${MAX_DAYS} (got "${value}")`);
  }
  return n;
}

function url(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(value)) {
    throw new UsageError(`--prometheus must be an http(s) URL (got "${value}")`);
  }
  return value.replace(/\/+$/, "");
}

function until(value: string | undefined, prometheus: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!prometheus) throw new UsageError("--until needs --prometheus");
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--until must be an ISO time (got "${value}")`);
  return ms;
}

export function parseBacktestArgs(argv: readonly string[]): BacktestArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        base: { type: "string" },
        head: { type: "string" },
        days: { type: "string" },
        json: { type: "boolean" },
        scenario: { type: "string" },
        prometheus: { type: "string" },
        until: { type: "string" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const base = values.base as string | undefined;
  if (!base) throw new UsageError("--base REF is required");
  const prometheus = url(values.prometheus as string | undefined);
  if (prometheus && values.scenario) {
    throw new UsageError("--scenario and --prometheus exclude each other");
  }
  return {
    base,
    head: values.head as string | undefined,
    days: days(values.days as string | undefined),
    json: values.json === true,
    scenario: values.scenario as string | undefined,
    prometheus,
    untilMs: until(values.until as string | undefined, prometheus),
  };
}
