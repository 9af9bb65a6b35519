import { z } from "zod";
import { dnsLabel } from "./primitives";

/**
 * Weekly maintenance windows (guide 3.2: patch OS security updates during a low-traffic
 * window). Alertmanager mutes warning and info notifications inside them; critical still pages.
 * Pure: the schema, and the one next-window computation (`nextOccurrence`) for the weekly
 * checklist's reminder.
 */

export const WEEKDAYS = [
  "sunday",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
const clock = z.string().regex(CLOCK, 'expected a 24-hour time "HH:MM", such as "02:00"');

/** Whether the runtime's IANA database knows the zone (Go's LoadLocation reads the same one). */
export function isIanaZone(zone: string): boolean {
  if (zone === "Local" || !/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z
  .string()
  .refine(isIanaZone, 'expected an IANA time zone such as "America/Chicago" or "UTC"');

export const windowSchema = z
  .strictObject({
    /** Also the name of the Alertmanager time interval. */
    name: dnsLabel,
    weekdays: z
      .array(z.enum(WEEKDAYS))
      .min(1, "needs at least one weekday")
      .refine((d) => new Set(d).size === d.length, "lists a weekday twice"),
    /** Local wall-clock start; an end at or before the start runs past midnight. */
    start: clock,
    end: clock,
    timeZone,
  })
  .refine((w) => w.start !== w.end, { path: ["end"], message: "must differ from start" });

export const maintenanceSchema = z
  .strictObject({ windows: z.array(windowSchema).default([]) })
  .prefault({})
  .superRefine((m, ctx) => {
    const names = m.windows.map((w) => w.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i)
        ctx.addIssue({ code: "custom", path: ["windows", i, "name"], message: `duplicate "${n}"` });
    });
  });

export type MaintenanceWindow = z.output<typeof windowSchema>;
export type Maintenance = z.output<typeof maintenanceSchema>;

export const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
};

/** The window's length in minutes (an end at or before the start is on the next day). */
export function windowMinutes(w: MaintenanceWindow): number {
  const length = minutesOf(w.end) - minutesOf(w.start);
  return length > 0 ? length : length + 24 * 60;
}

/** One formatter per zone: building one costs far more than formatting with it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, format);
  }
  return format;
}

/** Wall-clock fields of an instant in a zone. */
function wallClock(instant: number, zone: string) {
  const parts = formatterOf(zone).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(instant: number, zone: string): number {
  const w = wallClock(instant, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The instant a local wall-clock time names in a zone (the later offset across a DST change). */
export function zonedInstant(
  zone: string,
  date: { year: number; month: number; day: number },
  minutes: number,
): number {
  const naive = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  const first = naive - offsetAt(naive, zone);
  return naive - offsetAt(first, zone);
}

export interface WindowOccurrence {
  readonly name: string;
  readonly start: Date;
  readonly end: Date;
  readonly timeZone: string;
  /** True when `now` lies inside this occurrence. */
  readonly active: boolean;
}

export interface LocalDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/**
 * A window that recurs on some local dates of a zone: the config's weekly windows, and the
 * `time_intervals` Alertmanager runs (ops/windows.ts), both go through `nextOccurrence`.
 */
export interface RecurringWindow {
  readonly name: string;
  readonly timeZone: string;
  /** Whether an occurrence starts on this local date. */
  readonly startsOn: (date: LocalDate) => boolean;
  /** Local minutes after midnight. */
  readonly startMinutes: number;
  readonly lengthMinutes: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Far enough for a window that recurs only on some days of a month. */
const HORIZON_DAYS = 35;

export const weekdayOf = (date: LocalDate): Weekday =>
  WEEKDAYS[new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay()];

function shiftDays(date: LocalDate, days: number): LocalDate {
  const next = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}

/** Occurrences of one window starting between a day before `now` and the horizon. */
function occurrences(w: RecurringWindow, now: number): WindowOccurrence[] {
  const out: WindowOccurrence[] = [];
  const endMinutes = w.startMinutes + w.lengthMinutes;
  for (let d = -1; d <= HORIZON_DAYS; d++) {
    const local = wallClock(now + d * DAY_MS, w.timeZone);
    const date = { year: local.year, month: local.month, day: local.day };
    if (!w.startsOn(date)) continue;
    const start = zonedInstant(w.timeZone, date, w.startMinutes);
    const endDay = shiftDays(date, Math.floor(endMinutes / (24 * 60)));
    const end = zonedInstant(w.timeZone, endDay, endMinutes % (24 * 60));
    out.push({
      name: w.name,
      start: new Date(start),
      end: new Date(end),
      timeZone: w.timeZone,
      active: start <= now && now < end,
    });
  }
  return out;
}

/** Occurrences of one name that touch or overlap become one (a range split at midnight). */
function joined(sorted: readonly WindowOccurrence[], now: number): WindowOccurrence[] {
  const out: WindowOccurrence[] = [];
  for (const o of sorted) {
    let i = out.length - 1;
    while (i >= 0 && !(out[i].name === o.name && o.start <= out[i].end)) i--;
    if (i < 0) {
      out.push(o);
      continue;
    }
    const p = out[i];
    const end = new Date(Math.max(p.end.getTime(), o.end.getTime()));
    out[i] = { ...p, end, active: p.start.getTime() <= now && now < end.getTime() };
  }
  return out;
}

/** The window in progress at `now`, or else the next one to start; undefined without any. */
export function nextOccurrence(
  windows: readonly RecurringWindow[],
  now: Date,
): WindowOccurrence | undefined {
  const at = now.getTime();
  const sorted = windows
    .flatMap((w) => occurrences(w, at))
    .sort((a, b) => a.start.getTime() - b.start.getTime() || a.name.localeCompare(b.name));
  return joined(sorted, at).find((o) => o.end.getTime() > at);
}

export const recurringWindow = (w: MaintenanceWindow): RecurringWindow => ({
  name: w.name,
  timeZone: w.timeZone,
  startsOn: (date) => w.weekdays.includes(weekdayOf(date)),
  startMinutes: minutesOf(w.start),
  lengthMinutes: windowMinutes(w),
});

/** The config's window in progress at `now`, or the next; the weekly checklist reminds of it. */
export function nextWindow(
  config: { readonly maintenance: Maintenance },
  now: Date,
): WindowOccurrence | undefined {
  return nextOccurrence(config.maintenance.windows.map(recurringWindow), now);
}

/**
 * The upstream Alertmanager image (prometheus/busybox base) carries no time zone database, and
 * Go's LoadLocation then fails for anything but UTC: the whole configuration would be refused
 * and a restarted pod would not start. Deployed stacks therefore name their windows in UTC;
 * the local stack runs the host's Alertmanager, which reads the host's database.
 */
export const ZONES_WITHOUT_TZDATA = ["UTC"] as const;

export function maintenanceZoneRules(config: {
  readonly deployment: { readonly environment: string };
  readonly maintenance: Maintenance;
}): string[] {
  if (config.deployment.environment === "local") return [];
  return config.maintenance.windows.flatMap((w, i) =>
    (ZONES_WITHOUT_TZDATA as readonly string[]).includes(w.timeZone)
      ? []
      : [
          `maintenance.windows[${i}].timeZone ("${w.timeZone}"): a ${config.deployment.environment} stack's Alertmanager image has no time zone database and would refuse its whole configuration; give the window in UTC`,
        ],
  );
}
