import { type Check, check } from "./checks";
import type { AlertingRule } from "./http";

/**
 * Guide 3.2 "dedupe rules": alerts that fire together most of the time (one of them is probably
 * enough, or an inhibition is missing) and rules that evaluate the same expression.
 */

/** Overlap (Jaccard of firing steps) from which two alerts count as firing together. */
export const CO_FIRING_SHARE = 0.8;
/** Fewer firing steps than this is too little to judge. */
const MIN_STEPS = 3;

export interface Firing {
  /** alertname/severity */
  readonly alert: string;
  /** Timestamps (aligned steps) at which it fired. */
  readonly steps: readonly number[];
}

export interface Pair {
  readonly a: string;
  readonly b: string;
  readonly share: number;
}

export function coFiring(firings: readonly Firing[]): Pair[] {
  const sets = firings
    .filter((f) => f.steps.length >= MIN_STEPS)
    .map((f) => ({ alert: f.alert, set: new Set(f.steps) }));
  const pairs: Pair[] = [];
  for (let i = 0; i < sets.length; i++)
    for (let j = i + 1; j < sets.length; j++) {
      const [x, y] = [sets[i], sets[j]];
      if (x.alert.split("/")[0] === y.alert.split("/")[0]) continue; // warning + critical of one alert
      let both = 0;
      for (const t of x.set) if (y.set.has(t)) both++;
      const share = both / (x.set.size + y.set.size - both);
      if (share >= CO_FIRING_SHARE) pairs.push({ a: x.alert, b: y.alert, share });
    }
  return pairs.sort((p, q) => q.share - p.share);
}

const normalize = (expr: string) => expr.replace(/\s+/g, "");

export function duplicateRules(rules: readonly AlertingRule[]): string[][] {
  const byExpr = new Map<string, string[]>();
  for (const r of rules) {
    const key = normalize(r.query);
    byExpr.set(key, [...(byExpr.get(key) ?? []), `${r.name}/${r.labels.severity ?? "?"}`]);
  }
  return [...byExpr.values()].filter((names) => names.length > 1);
}

export function dedupeCheck(pairs: readonly Pair[], duplicates: readonly string[][]): Check {
  const name = "alert dedupe (7d)";
  const lines = [
    ...pairs.map(
      (p) =>
        `${p.a} and ${p.b} fired together ${Math.round(p.share * 100)}% of their firing time: keep one, or inhibit one by the other`,
    ),
    ...duplicates.map((d) => `same expression in ${d.join(", ")}`),
  ];
  if (lines.length === 0)
    return check(name, "ok", "no alerts firing together, no duplicate rule expressions");
  return check(
    name,
    "warn",
    [
      `${pairs.length} co-firing pair(s), ${duplicates.length} duplicate expression(s)`,
      ...lines,
    ].join("\n"),
  );
}
