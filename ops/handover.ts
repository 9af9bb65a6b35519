import type { WindowOccurrence } from "../components/config/maintenance";
import { type Check, check } from "./checks";

/**
 * Guide 3.2 "Rotate on-call checklist & ensure documentation updated" and "Patch OS security
 * updates during low-traffic window": what the outgoing on-call hands over — alerts still firing,
 * silences in force and how long, and the next maintenance window.
 */

/** A silence meant to outlive a rotation is a finding. */
export const LONG_SILENCE_DAYS = 7;

export interface Silence {
  readonly id: string;
  readonly createdBy: string;
  readonly comment: string;
  readonly endsAt: string;
  readonly matchers: readonly {
    name: string;
    value: string;
    isRegex?: boolean;
    isEqual?: boolean;
  }[];
}

export function handoverCheck(
  firing: readonly string[],
  silences: readonly Silence[],
  next: WindowOccurrence | undefined,
  now: Date,
): Check {
  const name = "on-call hand-over";
  const long = silences.filter(
    (s) => (Date.parse(s.endsAt) - now.getTime()) / 86_400_000 > LONG_SILENCE_DAYS,
  );
  const matchers = (s: Silence) =>
    s.matchers
      .map((m) => `${m.name}${m.isEqual === false ? "!" : ""}${m.isRegex ? "=~" : "="}"${m.value}"`)
      .join(",");
  const window = next
    ? `next maintenance window: ${next.name} ${next.start.toISOString()} – ${next.end.toISOString()} (${next.timeZone})${next.start <= now ? ", IN PROGRESS" : ""}`
    : "no maintenance window configured in Alertmanager (time_intervals)";
  const lines = [
    `still firing: ${firing.length ? firing.join(", ") : "none"}`,
    ...silences.map(
      (s) =>
        `silence ${s.id} {${matchers(s)}} by ${s.createdBy} until ${s.endsAt}: ${s.comment || "NO COMMENT"}`,
    ),
    window,
  ];
  const uncommented = silences.filter((s) => !s.comment.trim());
  const status = long.length || uncommented.length || !next ? "warn" : "ok";
  const head = `${firing.length} firing, ${silences.length} active silence(s)${long.length ? `, ${long.length} longer than ${LONG_SILENCE_DAYS} days` : ""}`;
  return check(name, status, [head, ...lines].join("\n"));
}
