import { z } from "zod";
import pagerdutyTimeZones from "../../vendor/pagerduty/time-zones.json";
import { dnsLabel, email, text } from "./primitives";

/**
 * Who is called, in which order, after the on-call (guide 2.1, 4.2, 4.4, 3.4 "verify contact
 * matrix"). The single source of the PagerDuty schedules, escalation policies and services
 * (components/pagerduty), of Alertmanager's routing keys, and of the contact matrix and the
 * runbooks' "Escalate to" lines (components/pagerduty/contacts.ts).
 */

/** PagerDuty accepts an escalation delay of 1 to 1440 minutes and repeats a policy at most 9 times. */
export const ESCALATION_DELAY_MINUTES = { min: 1, max: 1440 } as const;
export const ESCALATION_MAX_LOOPS = 9;

const HANDOFF = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const person = z.strictObject({
  id: dnsLabel,
  name: text,
  /** Their PagerDuty login: the program looks the user up by it (users come from SSO). */
  email,
  phone: z
    .string()
    .regex(/^\+\d{6,15}$/, "expected E.164 (+15551234567)")
    .optional(),
});

const rotation = z.strictObject({
  /** Person ids, in turn order. */
  members: z.array(dnsLabel).min(1, "needs at least one member"),
  /** Length of one turn. */
  turnDays: z.number().int().min(1).max(28).default(7),
  /** Local time (escalation.timeZone) at which a turn hands over. */
  handoff: z.string().regex(HANDOFF, 'expected "HH:MM"').default("09:00"),
  /** The first day of the first turn. */
  startDate: z.string().regex(DATE, 'expected "YYYY-MM-DD"'),
});

const team = z.strictObject({
  id: dnsLabel,
  name: text,
  /** Where the team is reached without paging it. */
  slack: z
    .string()
    .regex(/^#[\w.-]+$/, 'expected a channel like "#deia-ops"')
    .optional(),
  email: email.optional(),
  /** Person ids; paged together when the team is a target and has no rotation. */
  members: z.array(dnsLabel).default([]),
  /** A rotation becomes a PagerDuty schedule, and the schedule is what a level pages. */
  rotation: rotation.optional(),
});

const level = z.strictObject({
  /** Minutes an unacknowledged incident waits here before the next level. */
  delayMinutes: z
    .number()
    .int()
    .min(ESCALATION_DELAY_MINUTES.min)
    .max(ESCALATION_DELAY_MINUTES.max),
  /** Person or team ids. */
  targets: z.array(dnsLabel).min(1, "a level needs at least one target"),
});

const policy = z.strictObject({
  levels: z.array(level).min(1, "needs at least one level"),
  /** How often PagerDuty runs the whole policy again when nobody acknowledges. */
  loops: z.number().int().min(0).max(ESCALATION_MAX_LOOPS).default(2),
});

/** Who answers for what; each a person or team id. */
const roles = z.strictObject({
  onCall: dnsLabel,
  infraLead: dnsLabel,
  networkTeam: dnsLabel,
  codeOwners: dnsLabel,
  dbOwner: dnsLabel,
});

export const ESCALATION_ROLES = [
  "onCall",
  "infraLead",
  "networkTeam",
  "codeOwners",
  "dbOwner",
] as const;
export type EscalationRole = (typeof ESCALATION_ROLES)[number];

type Ctx = z.core.$RefinementCtx;
type Escalation = z.output<typeof escalationObject>;

const escalationObject = z.strictObject({
  /** Zone of the rotations' hand-over times: one of PagerDuty's (not every IANA name is). */
  timeZone: text.default("Etc/UTC"),
  people: z.array(person).min(1, "needs at least one person"),
  teams: z.array(team).default([]),
  roles,
  /** `critical`: the Port 8000 service (pagerduty-critical); `infraLead`: pagerduty-infra-lead. */
  policies: z.strictObject({ critical: policy, infraLead: policy }),
});

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zones PagerDuty's API takes for a schedule; "UTC" and many IANA names are refused. */
const PAGERDUTY_TIME_ZONES: ReadonlySet<string> = new Set(pagerdutyTimeZones);

function duplicateIds(e: Escalation, ctx: Ctx): void {
  const seen = new Map<string, string>();
  const visit = (id: string, path: (string | number)[]) => {
    const first = seen.get(id);
    if (first)
      ctx.addIssue({ code: "custom", path, message: `duplicate id "${id}" (also ${first})` });
    else seen.set(id, `escalation.${path[0]}[${path[1]}]`);
  };
  e.people.forEach((p, i) => {
    visit(p.id, ["people", i, "id"]);
  });
  e.teams.forEach((t, i) => {
    visit(t.id, ["teams", i, "id"]);
  });
}

function references(e: Escalation, ctx: Ctx): void {
  const people = new Set(e.people.map((p) => p.id));
  const any = new Set([...people, ...e.teams.map((t) => t.id)]);
  const check = (id: string, known: Set<string>, what: string, path: (string | number)[]) => {
    if (!known.has(id))
      ctx.addIssue({
        code: "custom",
        path,
        message: `unknown ${what} "${id}"`,
        params: { value: id },
      });
  };
  e.teams.forEach((t, i) => {
    t.members.forEach((m, j) => {
      check(m, people, "person", ["teams", i, "members", j]);
    });
    t.rotation?.members.forEach((m, j) => {
      check(m, people, "person", ["teams", i, "rotation", "members", j]);
    });
    if (t.members.length === 0 && !t.rotation)
      ctx.addIssue({
        code: "custom",
        path: ["teams", i],
        message: "a team needs members or a rotation, or nobody can be paged for it",
      });
  });
  for (const role of ESCALATION_ROLES) check(e.roles[role], any, "person or team", ["roles", role]);
  for (const name of ["critical", "infraLead"] as const) {
    e.policies[name].levels.forEach((l, i) => {
      l.targets.forEach((t, j) => {
        check(t, any, "person or team", ["policies", name, "levels", i, "targets", j]);
      });
      const dup = l.targets.find((t, j) => l.targets.indexOf(t) !== j);
      if (dup)
        ctx.addIssue({
          code: "custom",
          path: ["policies", name, "levels", i, "targets"],
          message: `duplicate target "${dup}"`,
        });
    });
  }
  if (!validTimeZone(e.timeZone))
    ctx.addIssue({ code: "custom", path: ["timeZone"], message: "expected an IANA time zone" });
  else if (!PAGERDUTY_TIME_ZONES.has(e.timeZone))
    ctx.addIssue({
      code: "custom",
      path: ["timeZone"],
      message: 'not a time zone PagerDuty accepts (its table names UTC "Etc/UTC")',
    });
}

export const escalationSchema = escalationObject.superRefine((e, ctx) => {
  duplicateIds(e, ctx);
  references(e, ctx);
});

export type EscalationConfig = z.output<typeof escalationSchema>;
