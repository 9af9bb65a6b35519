/** Small PromQL and number helpers the checks share. */

export const sel = (job: string) => `{job="${job}"}`;

export function percent(share: number): string {
  const p = share * 100;
  return `${Math.abs(p) < 10 ? p.toFixed(2) : p.toFixed(1)}%`;
}

/** `signal OP threshold` of a simple alert expression, or undefined for compound ones. */
export interface Comparison {
  readonly signal: string;
  readonly op: ">" | ">=" | "<" | "<=";
  readonly threshold: number;
}

export function parseComparison(expr: string): Comparison | undefined {
  const flat = expr.replace(/\s+/g, " ").trim();
  const match = /^(.+?) (>=|<=|>|<) (-?[0-9.]+(?:e-?\d+)?)$/.exec(flat);
  if (!match || / (and|or|unless) /.test(match[1])) return undefined;
  return { signal: match[1], op: match[2] as Comparison["op"], threshold: Number(match[3]) };
}
