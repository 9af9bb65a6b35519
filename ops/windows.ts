import yaml from "js-yaml";

/**
 * Maintenance windows as Alertmanager runs them: the `time_intervals` of its live configuration
 * (`/api/v2/status`, config.original). The weekly hand-over names the next one. Weekdays and
 * times are evaluated in each interval's `location`; days_of_month, months and years, when an
 * interval sets them, restrict it further.
 */

export interface TimeRange {
  readonly start_time: string;
  readonly end_time: string;
}

export interface TimeInterval {
  readonly weekdays?: readonly string[];
  readonly times?: readonly TimeRange[];
  readonly location?: string;
  readonly days_of_month?: readonly string[];
  readonly months?: readonly string[];
  readonly years?: readonly string[];
}

export interface NamedInterval {
  readonly name: string;
  readonly time_intervals: readonly TimeInterval[];
}

export interface Window {
  readonly name: string;
  readonly start: Date;
  readonly end: Date;
  readonly location: string;
}

const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const HORIZON_DAYS = 35;

export function intervalsOf(originalConfig: string): NamedInterval[] {
  const doc = yaml.load(originalConfig) as {
    time_intervals?: NamedInterval[];
    mute_time_intervals?: NamedInterval[];
  };
  return [...(doc?.time_intervals ?? []), ...(doc?.mute_time_intervals ?? [])];
}

/** "monday:friday", "1:5", "5" → does `value` (index or number) fall in one of the ranges. */
function inRanges(
  ranges: readonly string[] | undefined,
  value: number,
  names?: readonly string[],
  count?: number,
): boolean {
  if (!ranges) return true;
  const num = (s: string) => {
    const i = names?.indexOf(s.toLowerCase()) ?? -1;
    if (i >= 0) return i + (names === MONTHS ? 1 : 0);
    const n = Number(s);
    return n < 0 && count ? count + n + 1 : n;
  };
  return ranges.some((r) => {
    const [a, b = a] = r.split(":");
    return value >= num(a) && value <= num(b);
  });
}

/** Wall-clock parts of `at` in `zone`. */
function local(at: Date, zone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      weekday: "long",
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: DAYS.indexOf(parts.weekday.toLowerCase()),
  };
}

/** The UTC instant of local midnight + `minutes` on that local date in `zone`. */
function instant(y: number, m: number, d: number, minutes: number, zone: string): Date {
  const guess = Date.UTC(y, m - 1, d, 0, minutes);
  const asLocal = new Date(
    `${new Date(guess).toLocaleString("en-US", { timeZone: zone, hourCycle: "h23" })} UTC`,
  );
  return new Date(guess - (asLocal.getTime() - guess));
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
};

/** The next window (or the one in progress) after `now`, over the next five weeks. */
export function nextWindow(intervals: readonly NamedInterval[], now: Date): Window | undefined {
  let best: Window | undefined;
  for (const named of intervals) {
    for (const ti of named.time_intervals) {
      const zone = ti.location && ti.location !== "Local" ? ti.location : "UTC";
      for (let i = -1; i <= HORIZON_DAYS; i++) {
        const day = local(new Date(now.getTime() + i * 86_400_000), zone);
        const daysInMonth = new Date(Date.UTC(day.year, day.month, 0)).getUTCDate();
        if (!inRanges(ti.weekdays, day.weekday, DAYS)) continue;
        if (!inRanges(ti.days_of_month, day.day, undefined, daysInMonth)) continue;
        if (!inRanges(ti.months, day.month, MONTHS)) continue;
        if (!inRanges(ti.years, day.year)) continue;
        const ranges = ti.times ?? [{ start_time: "00:00", end_time: "24:00" }];
        for (const r of ranges) {
          const start = instant(day.year, day.month, day.day, minutesOf(r.start_time), zone);
          const end = instant(day.year, day.month, day.day, minutesOf(r.end_time), zone);
          if (end <= now) continue;
          if (!best || start < best.start) best = { name: named.name, start, end, location: zone };
        }
      }
    }
  }
  return best;
}
