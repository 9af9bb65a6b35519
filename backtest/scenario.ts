import { readFileSync } from "node:fs";
import { z } from "zod";
import { isDuration, parseDurationMs } from "../lib/duration";
import { type Faults, parseFaults } from "../local/simulator/faults";
import { botNames } from "../local/simulator/model";

/**
 * A recorded scenario: a week (or any span) of the simulator's traffic with incidents, each a
 * set of the simulator's faults held for a while. The definition is committed; the series are
 * produced from it by the simulator's model (record.ts), deterministically.
 */

const duration = z
  .string()
  .refine(isDuration, "expected a Prometheus duration such as 30s or 1d2h");

const incidentSchema = z.strictObject({
  name: z.string().min(1),
  /** Offset from the scenario's start. */
  at: duration,
  duration,
  faults: z.record(z.string(), z.unknown()),
});

const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string(),
  start: z.iso.datetime(),
  days: z.int().min(1).max(31),
  bots: z.int().min(1).max(10_000),
  scrapeInterval: duration,
  requestsPerSecond: z.number().positive().max(1000),
  incidents: z.array(incidentSchema),
});

export interface Incident {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly faults: Faults;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly bots: number;
  readonly scrapeIntervalMs: number;
  readonly requestsPerSecond: number;
  readonly incidents: readonly Incident[];
}

export function parseScenario(text: string, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`${source}: ${problems.join("; ")}`);
  }
  const s = parsed.data;
  const startMs = Date.parse(s.start);
  const endMs = startMs + s.days * 86_400_000;
  const bots = new Set(botNames(s.bots));
  const incidents = s.incidents.map((incident, i) => {
    const faults = parseFaults(JSON.stringify(incident.faults), bots);
    if (!faults.ok)
      throw new Error(`${source}: incidents.${i}.faults: ${faults.problems.join("; ")}`);
    const at = startMs + parseDurationMs(incident.at);
    const end = at + parseDurationMs(incident.duration);
    if (end > endMs) throw new Error(`${source}: incidents.${i}: ends after the scenario`);
    return { name: incident.name, startMs: at, endMs: end, faults: faults.faults };
  });
  return {
    name: s.name,
    description: s.description,
    startMs,
    endMs,
    bots: s.bots,
    scrapeIntervalMs: parseDurationMs(s.scrapeInterval),
    requestsPerSecond: s.requestsPerSecond,
    incidents,
  };
}

export function loadScenario(path: string): Scenario {
  return parseScenario(readFileSync(path, "utf8"), path);
}

/** The faults in force at `ms`: the incidents that cover it, later ones winning per field. */
export function faultsAt(scenario: Scenario, ms: number): Faults {
  const active = scenario.incidents.filter((i) => i.startMs <= ms && ms < i.endMs);
  return Object.assign({}, ...active.map((i) => i.faults));
}
