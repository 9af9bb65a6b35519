/**
 * The faults `POST /admin/fault` accepts (docs/architecture.md, Commands). A body replaces every fault
 * at once, so `{}` clears them all; a bad body changes nothing and names each bad field.
 */

export interface Faults {
  /** Share of requests answered with 5xx, 0..1. */
  readonly errorRatio?: number;
  /** p95 of request latency, in milliseconds. */
  readonly latencyMs?: number;
  readonly queueDepth?: number;
  /** A bot that restarts over and over. */
  readonly crashBot?: string;
  /** CPU of every bot, percent of a core. */
  readonly botCpuPercent?: number;
  readonly ollamaLatencyMs?: number;
  /** false makes /health answer 503 (and the blackbox probe fail). */
  readonly healthy?: boolean;
  /** Beyond the contract: the controller's resident memory, to drive Port8000MemoryLeak. */
  readonly residentMemoryMb?: number;
  /** true: the database stops answering (db_up 0, external_api_up{api="postgres"} 0). */
  readonly dbDown?: boolean;
  /** Latency of the database health query, in milliseconds. */
  readonly dbLatencyMs?: number;
}

export const FAULT_FIELDS = [
  "errorRatio",
  "latencyMs",
  "queueDepth",
  "crashBot",
  "botCpuPercent",
  "ollamaLatencyMs",
  "healthy",
  "residentMemoryMb",
  "dbDown",
  "dbLatencyMs",
] as const;

export type FaultParse = { ok: true; faults: Faults } | { ok: false; problems: string[] };

type Check = (value: unknown, bots: ReadonlySet<string>) => string | undefined;

const number =
  (min: number, max = Number.POSITIVE_INFINITY): Check =>
  (value) =>
    typeof value === "number" && Number.isFinite(value) && value >= min && value <= max
      ? undefined
      : max === Number.POSITIVE_INFINITY
        ? `expected a number >= ${min}`
        : `expected a number from ${min} to ${max}`;

const CHECKS: Record<(typeof FAULT_FIELDS)[number], Check> = {
  errorRatio: number(0, 1),
  latencyMs: number(0),
  queueDepth: number(0),
  crashBot: (value, bots) =>
    typeof value === "string" && bots.has(value)
      ? undefined
      : `expected one of the simulated bots (${[...bots].slice(0, 3).join(", ")}, …)`,
  botCpuPercent: number(0, 100),
  ollamaLatencyMs: number(0),
  healthy: (value) => (typeof value === "boolean" ? undefined : "expected true or false"),
  residentMemoryMb: number(0),
  dbDown: (value) => (typeof value === "boolean" ? undefined : "expected true or false"),
  dbLatencyMs: number(0),
};

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text && text.length <= 40 ? text : typeof value;
}

export function parseFaults(body: string, bots: ReadonlySet<string>): FaultParse {
  let doc: unknown;
  try {
    doc = body.trim() === "" ? {} : JSON.parse(body);
  } catch {
    return { ok: false, problems: ["body: not valid JSON"] };
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return { ok: false, problems: ["body: expected a JSON object of faults"] };
  }
  const problems: string[] = [];
  for (const [field, value] of Object.entries(doc)) {
    const check = CHECKS[field as keyof typeof CHECKS];
    if (!check) {
      problems.push(`${field}: unknown fault (accepted: ${FAULT_FIELDS.join(", ")})`);
      continue;
    }
    const problem = check(value, bots);
    if (problem) problems.push(`${field} (${describe(value)}): ${problem}`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, faults: doc as Faults };
}
