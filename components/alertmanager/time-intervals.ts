import {
  type Maintenance,
  type MaintenanceWindow,
  minutesOf,
  WEEKDAYS,
  windowMinutes,
} from "../config/maintenance";

/**
 * Maintenance windows as Alertmanager `time_intervals` (0.24+). Alertmanager's time ranges
 * stay within one day, so a window past midnight becomes two ranges: to 24:00 on its
 * weekdays, and from 00:00 on the following ones.
 */

export interface TimeRange {
  start_time: string;
  end_time: string;
}

export interface TimeIntervalSpec {
  weekdays: string[];
  times: TimeRange[];
  location: string;
}

export interface TimeInterval {
  name: string;
  time_intervals: TimeIntervalSpec[];
}

const nextDay = (day: (typeof WEEKDAYS)[number]) => WEEKDAYS[(WEEKDAYS.indexOf(day) + 1) % 7];

/** Weekdays in calendar order, so that a reordered config renders the same file. */
const inWeekOrder = (days: readonly string[]) =>
  WEEKDAYS.filter((d) => days.includes(d)) as string[];

function specsOf(w: MaintenanceWindow): TimeIntervalSpec[] {
  const spec = (days: readonly string[], start: string, end: string) => ({
    weekdays: inWeekOrder(days),
    times: [{ start_time: start, end_time: end }],
    location: w.timeZone,
  });
  const end = minutesOf(w.start) + windowMinutes(w);
  // Alertmanager wants end_time after start_time: a window ending at midnight ends at "24:00".
  if (end === 24 * 60) return [spec(w.weekdays, w.start, "24:00")];
  if (end < 24 * 60) return [spec(w.weekdays, w.start, w.end)];
  return [spec(w.weekdays, w.start, "24:00"), spec(w.weekdays.map(nextDay), "00:00", w.end)];
}

export function buildTimeIntervals(maintenance: Maintenance): TimeInterval[] {
  return maintenance.windows.map((w) => ({ name: w.name, time_intervals: specsOf(w) }));
}

/** What the warning and info routes name in `mute_time_intervals`; never critical ones. */
export function maintenanceMutes(maintenance: Maintenance): string[] {
  return maintenance.windows.map((w) => w.name);
}
