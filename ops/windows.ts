import yaml from "js-yaml";
import {
  type LocalDate,
  minutesOf,
  nextOccurrence,
  type RecurringWindow,
  WEEKDAYS,
  type WindowOccurrence,
  weekdayOf,
} from "../components/config/maintenance";

/**
 * Maintenance windows as Alertmanager runs them: the `time_intervals` of its live configuration
 * (`/api/v2/status`, config.original). The weekly hand-over names the next one. Weekdays and
 * times are evaluated in each interval's `location`; days_of_month, months and years, when an
 * interval sets them, restrict it further. The occurrences are the config's own computation.
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

/** Each time range of each interval as a recurring window, with its days' restrictions. */
export function recurringWindows(intervals: readonly NamedInterval[]): RecurringWindow[] {
  return intervals.flatMap((named) =>
    named.time_intervals.flatMap((ti) => {
      const timeZone = ti.location && ti.location !== "Local" ? ti.location : "UTC";
      const startsOn = (date: LocalDate) => {
        const daysInMonth = new Date(Date.UTC(date.year, date.month, 0)).getUTCDate();
        return (
          inRanges(ti.weekdays, WEEKDAYS.indexOf(weekdayOf(date)), WEEKDAYS) &&
          inRanges(ti.days_of_month, date.day, undefined, daysInMonth) &&
          inRanges(ti.months, date.month, MONTHS) &&
          inRanges(ti.years, date.year)
        );
      };
      const ranges = ti.times ?? [{ start_time: "00:00", end_time: "24:00" }];
      return ranges.map((r) => ({
        name: named.name,
        timeZone,
        startsOn,
        startMinutes: minutesOf(r.start_time),
        lengthMinutes: minutesOf(r.end_time) - minutesOf(r.start_time),
      }));
    }),
  );
}

/** The window in progress, or the next, of what Alertmanager runs (components/config's computation). */
export function nextWindow(
  intervals: readonly NamedInterval[],
  now: Date,
): WindowOccurrence | undefined {
  return nextOccurrence(recurringWindows(intervals), now);
}
