/**
 * Just enough PromQL reading for the dashboard lint: the vector selectors of an expression,
 * their matchers, range and the function applied to them. Not a parser; promtool judges
 * validity, this only finds what the lint rules look at.
 */

export interface Selector {
  readonly metric: string;
  readonly matchers: Readonly<Record<string, string>>;
  /** The `[...]` range right after the selector, if any. */
  readonly range?: string;
  /** The function whose first argument the selector is (`rate`, `increase`, ...). */
  readonly fn?: string;
}

const SELECTOR = /([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}(\s*\[([^\]]+)\])?/g;
const MATCHER = /([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;
const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "inf",
  "nan",
]);

function matchersOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(MATCHER)) out[m[1]] = `${m[2]}${m[3]}`;
  return out;
}

function enclosingFunction(expr: string, at: number): string | undefined {
  const before = expr.slice(0, at).trimEnd();
  return /([a-zA-Z_]\w*)\s*\(\s*$/.exec(before)?.[1];
}

export function selectorsOf(expr: string): Selector[] {
  return [...expr.matchAll(SELECTOR)].map((m) => ({
    metric: m[1],
    matchers: matchersOf(m[2]),
    ...(m[4] ? { range: m[4].trim() } : {}),
    ...(enclosingFunction(expr, m.index ?? 0) ? { fn: enclosingFunction(expr, m.index ?? 0) } : {}),
  }));
}

/** Metric names used without any `{...}` (which then carry no job matcher). */
export function bareMetrics(expr: string): string[] {
  const stripped = expr
    .replace(SELECTOR, " ")
    .replace(/"(?:[^"\\]|\\.)*"/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\boffset\s+-?[\dsmhdwy]+/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  return [...stripped.matchAll(/[a-zA-Z_:][\w:]*/g)]
    .filter((m) => !/^\s*\(/.test(stripped.slice((m.index ?? 0) + m[0].length)))
    .map((m) => m[0])
    .filter((word) => !KEYWORDS.has(word.toLowerCase()) && !/^\d/.test(word));
}

/** `rate(x[w])` and `irate(x[w])` windows, with the function name. */
export function rateWindows(expr: string): { fn: string; window: string }[] {
  return selectorsOf(expr)
    .filter((s) => s.fn === "rate" || s.fn === "irate")
    .map((s) => ({ fn: s.fn as string, window: s.range ?? "" }));
}

export interface MetricUse {
  readonly metric: string;
  readonly matchers: Readonly<Record<string, string>>;
}

/** Blanks a match out without moving what follows it, so positions stay comparable. */
const blank = (text: string) => " ".repeat(text.length);

/**
 * Every metric an expression reads, in the order it names them, with its matchers (none for a
 * bare name). Strings, ranges, grouping label lists and function names are not metrics.
 */
export function metricsInOrder(expr: string): MetricUse[] {
  const withSelectors = [...expr.matchAll(SELECTOR)].map((m) => ({
    at: m.index ?? 0,
    metric: m[1],
    matchers: matchersOf(m[2]),
  }));
  const stripped = expr
    .replace(SELECTOR, blank)
    .replace(/"(?:[^"\\]|\\.)*"/g, blank)
    .replace(/\[[^\]]*\]/g, blank)
    .replace(/\boffset\s+-?[\dsmhdwy]+/g, blank)
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, blank);
  const bare = [...stripped.matchAll(/[a-zA-Z_:][\w:]*/g)]
    .filter((m) => !/^\s*\(/.test(stripped.slice((m.index ?? 0) + m[0].length)))
    .filter((m) => !KEYWORDS.has(m[0].toLowerCase()))
    .map((m) => ({ at: m.index ?? 0, metric: m[0], matchers: {} }));
  return [...withSelectors, ...bare]
    .sort((a, b) => a.at - b.at)
    .map(({ metric, matchers }) => ({ metric, matchers }));
}
