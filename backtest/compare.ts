import { alertKey } from "./rules";

/** Base against head, per changed alert: firing episodes, firing time, incidents missed and added. */

export interface Episode {
  readonly labels: Record<string, string>;
  /** Unix seconds: the first evaluation that found it firing, and the first that did not. */
  readonly start: number;
  readonly end: number;
}

/** One alerting rule's replay, as the engine prints it. */
export interface RuleReplay {
  readonly alert: string;
  readonly labels: Record<string, string>;
  readonly episodes: readonly Episode[];
}

export interface EngineReport {
  /** How the engine replayed: range queries per chunk, or the rule manager's loop. */
  readonly mode: "range" | "manager";
  readonly evaluations: number;
  readonly rules: readonly RuleReplay[];
}

export interface Side {
  /** false when this revision has no such rule (added or removed by the change). */
  readonly defined: boolean;
  readonly firings: number;
  readonly seconds: number;
}

export interface AlertComparison {
  readonly alert: string;
  readonly labels: Record<string, string>;
  readonly base: Side;
  readonly head: Side;
  /** Base episodes that no head episode overlaps: pages the change would have dropped. */
  readonly missed: readonly Episode[];
  /** Head episodes that overlap no base episode: pages the change would have added. */
  readonly added: readonly Episode[];
}

function side(replay: RuleReplay | undefined): Side {
  const episodes = replay?.episodes ?? [];
  return {
    defined: replay !== undefined,
    firings: episodes.length,
    seconds: episodes.reduce((total, e) => total + (e.end - e.start), 0),
  };
}

const overlaps = (a: Episode, b: Episode) => a.start < b.end && b.start < a.end;

function unmatched(episodes: readonly Episode[], others: readonly Episode[]): Episode[] {
  return episodes.filter((e) => !others.some((o) => overlaps(e, o)));
}

function byKey(report: EngineReport | null, keys: Set<string>): Map<string, RuleReplay> {
  const map = new Map<string, RuleReplay>();
  for (const rule of report?.rules ?? []) {
    const key = alertKey({ alert: rule.alert, labels: rule.labels, expr: "" });
    if (keys.has(key)) map.set(key, rule);
  }
  return map;
}

export function compare(
  keys: readonly string[],
  base: EngineReport | null,
  head: EngineReport | null,
): AlertComparison[] {
  const wanted = new Set(keys);
  const before = byKey(base, wanted);
  const after = byKey(head, wanted);
  return keys.map((key) => {
    const b = before.get(key);
    const h = after.get(key);
    const rule = (h ?? b) as RuleReplay;
    return {
      alert: rule.alert,
      labels: rule.labels,
      base: side(b),
      head: side(h),
      missed: unmatched(b?.episodes ?? [], h?.episodes ?? []),
      added: unmatched(h?.episodes ?? [], b?.episodes ?? []),
    };
  });
}
