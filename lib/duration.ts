/** Prometheus durations ("90s", "5m", "1h30m"): parse, format and shrink for the local stack. */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const PART = /(\d+)(ms|s|m|h|d|w|y)/g;
export const DURATION_PATTERN = /^((\d+)(ms|s|m|h|d|w|y))+$/;

export function isDuration(text: string): boolean {
  return DURATION_PATTERN.test(text) && parseDurationMs(text) > 0;
}

export function parseDurationMs(text: string): number {
  if (!DURATION_PATTERN.test(text)) throw new Error(`not a Prometheus duration: "${text}"`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit];
  return total;
}

/** Largest units first, so "5m" stays "5m" and 90000 ms becomes "1m30s". */
export function formatDurationMs(ms: number): string {
  if (ms <= 0) return "0s";
  const units: [string, number][] = [
    ["d", UNIT_MS.d],
    ["h", UNIT_MS.h],
    ["m", UNIT_MS.m],
    ["s", UNIT_MS.s],
    ["ms", 1],
  ];
  let rest = Math.round(ms);
  let out = "";
  for (const [unit, size] of units) {
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      out += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return out;
}

/**
 * Divides a duration by the time scale, never below `floorMs`, so that a scaled range window
 * still holds enough samples for rate() (at least two scrapes).
 */
export function scaleDuration(text: string, timeScale: number, floorMs = 1000): string {
  if (timeScale === 1) return text;
  return formatDurationMs(Math.max(floorMs, parseDurationMs(text) / timeScale));
}
