import { AlertName } from "../../lib/alert-names";
import { Receiver } from "../../lib/conventions";
import type { EscalationConfig } from "../config/escalation";

/**
 * The PagerDuty objects `escalation` stands for, as plain data: schedules from the teams'
 * rotations, one escalation policy and one service (with an Events API v2 integration) per
 * paging receiver. Users are referred to by e-mail; the component looks them up.
 */

/** PagerDuty's type of an Events API v2 integration (Alertmanager's pagerduty_configs speak v2). */
export const EVENTS_V2_INTEGRATION = "events_api_v2_inbound_integration";

export interface SchedulePlan {
  /** Team id; names the Pulumi resource. */
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  /** ISO 8601 with the zone's offset on that day, as PagerDuty expects. */
  readonly start: string;
  readonly turnSeconds: number;
  /** E-mails, in turn order. */
  readonly users: readonly string[];
}

export type TargetPlan =
  | { readonly kind: "schedule"; readonly team: string }
  | { readonly kind: "user"; readonly email: string };

export interface PolicyPlan {
  readonly id: "critical" | "infraLead";
  readonly name: string;
  readonly loops: number;
  readonly rules: readonly { delayMinutes: number; targets: readonly TargetPlan[] }[];
}

export interface ServicePlan {
  readonly id: "critical" | "infraLead";
  readonly name: string;
  readonly description: string;
  /** The Alertmanager receiver whose routing key is this service's integration key. */
  readonly receiver: Receiver;
}

export interface PagerDutyPlan {
  readonly schedules: readonly SchedulePlan[];
  readonly policies: readonly PolicyPlan[];
  readonly services: readonly ServicePlan[];
  /** Every e-mail to look up, sorted. */
  readonly users: readonly string[];
}

/** "+HH:MM" / "-HH:MM" of `zone` at that UTC instant. */
export function zoneOffset(zone: string, at: Date): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(at)
    .find((p) => p.type === "timeZoneName")?.value;
  const offset = part?.replace("GMT", "") ?? "";
  return offset === "" ? "+00:00" : offset;
}

/** The local wall time `date`T`time` in `zone`, with its offset. */
export function localStart(date: string, time: string, zone: string): string {
  // The offset at noon UTC of that day: hand-overs are not placed inside a DST jump.
  return `${date}T${time}:00${zoneOffset(zone, new Date(`${date}T12:00:00Z`))}`;
}

function targetsOf(e: EscalationConfig, ids: readonly string[]): TargetPlan[] {
  const email = new Map(e.people.map((p) => [p.id, p.email]));
  return ids.flatMap((id): TargetPlan[] => {
    const team = e.teams.find((t) => t.id === id);
    if (!team) return [{ kind: "user", email: email.get(id) ?? id }];
    if (team.rotation) return [{ kind: "schedule", team: team.id }];
    return team.members.map((m) => ({ kind: "user", email: email.get(m) ?? m }));
  });
}

export function pagerdutyPlan(e: EscalationConfig, service: string): PagerDutyPlan {
  const email = new Map(e.people.map((p) => [p.id, p.email]));
  const schedules = e.teams.flatMap((t): SchedulePlan[] =>
    t.rotation
      ? [
          {
            id: t.id,
            name: `${t.name} (${service})`,
            timeZone: e.timeZone,
            start: localStart(t.rotation.startDate, t.rotation.handoff, e.timeZone),
            turnSeconds: t.rotation.turnDays * 86_400,
            users: t.rotation.members.map((m) => email.get(m) ?? m),
          },
        ]
      : [],
  );
  const policy = (id: PolicyPlan["id"], name: string): PolicyPlan => ({
    id,
    name,
    loops: e.policies[id].loops,
    rules: e.policies[id].levels.map((l) => ({
      delayMinutes: l.delayMinutes,
      targets: targetsOf(e, l.targets),
    })),
  });
  const policies = [
    policy("critical", `${service} critical`),
    policy("infraLead", `${service} infra lead`),
  ];
  const services: ServicePlan[] = [
    {
      id: "critical",
      name: service,
      description: `${service}: critical alerts of the monitoring stack (Alertmanager)`,
      receiver: Receiver.pagerdutyCritical,
    },
    {
      id: "infraLead",
      name: `${service}-infra-lead`,
      description: `${service}: what pages the infra lead directly (${AlertName.HostDiskSpaceLow}, deploy freeze)`,
      receiver: Receiver.pagerdutyInfraLead,
    },
  ];
  const users = new Set<string>([
    ...schedules.flatMap((s) => s.users),
    ...policies.flatMap((p) =>
      p.rules.flatMap((r) => r.targets.flatMap((t) => (t.kind === "user" ? [t.email] : []))),
    ),
  ]);
  return { schedules, policies, services, users: [...users].sort() };
}
