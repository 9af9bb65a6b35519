import type { EscalationConfig, EscalationRole } from "../config/escalation";

/**
 * The contact matrix (docs/runbooks/contacts.md) and each runbook's "Escalate to" line, rendered
 * from `escalation` alone, so that what PagerDuty pages and what the runbooks say cannot differ.
 * `npm run docs:contacts` writes them; a test fails when the committed files drift.
 */

export const CONTACTS_FILE = "contacts.md";
export const BEGIN = "<!-- generated: escalation (npm run docs:contacts) -->";
export const END = "<!-- end generated: escalation -->";

export const ROLE_TITLE: Record<EscalationRole, string> = {
  onCall: "On-call",
  infraLead: "Infra lead",
  networkTeam: "Network team",
  codeOwners: "Code owners",
  dbOwner: "Database owner",
};

/** After the page, who is escalated to, per runbook (guide 2.x and 4.x). */
export const RUNBOOK_ESCALATION: Readonly<Record<string, readonly EscalationRole[]>> = {
  "availability.md": ["onCall", "infraLead"],
  "bots.md": ["onCall", "infraLead"],
  "dependencies.md": ["onCall", "dbOwner", "infraLead"],
  "deployment-rollback.md": ["onCall", "codeOwners", "infraLead"],
  "disk-space.md": ["infraLead", "onCall"],
  "error-rate.md": ["onCall", "codeOwners", "infraLead"],
  "high-cpu.md": ["onCall", "codeOwners", "infraLead"],
  "latency.md": ["onCall", "codeOwners", "infraLead"],
  "memory.md": ["onCall", "codeOwners", "infraLead"],
  "monitoring-pipeline.md": ["onCall", "infraLead"],
  "websocket.md": ["onCall", "networkTeam", "infraLead"],
};

interface Entity {
  readonly name: string;
  readonly reach: string;
}

function entity(e: EscalationConfig, id: string): Entity {
  const person = e.people.find((p) => p.id === id);
  if (person) {
    const phone = person.phone ? `, ${person.phone}` : "";
    return { name: person.name, reach: `PagerDuty user ${person.email}${phone}` };
  }
  const team = e.teams.find((t) => t.id === id);
  if (!team) return { name: id, reach: "unknown" };
  const emails = team.members.map((m) => e.people.find((p) => p.id === m)?.email ?? m);
  const how = [
    team.rotation ? "PagerDuty schedule" : `PagerDuty users ${emails.join(", ")}`,
    team.slack,
    team.email,
  ].filter(Boolean);
  return { name: team.name, reach: how.join(", ") };
}

const cell = (text: string) => text.replaceAll("|", "\\|");

function memberNames(e: EscalationConfig, ids: readonly string[]): string {
  return ids.map((id) => e.people.find((p) => p.id === id)?.name ?? id).join(", ");
}

function teamRow(e: EscalationConfig, t: EscalationConfig["teams"][number]): string {
  const rotation = t.rotation
    ? `${memberNames(e, t.rotation.members)}; turns of ${t.rotation.turnDays} d, hand-over ${t.rotation.handoff} ${e.timeZone} from ${t.rotation.startDate}`
    : "—";
  const reach = [t.slack, t.email].filter(Boolean).join(", ") || "—";
  return `| ${cell(t.name)} | ${cell(memberNames(e, t.members) || "—")} | ${cell(rotation)} | ${cell(reach)} |`;
}

function policyRows(e: EscalationConfig, id: "critical" | "infraLead", receiver: string): string[] {
  const p = e.policies[id];
  let after = 0;
  return p.levels.map((l, i) => {
    const who = l.targets.map((t) => entity(e, t).name).join(", ");
    const row = `| \`${receiver}\` | ${i + 1} | ${after} min | ${cell(who)} | ${l.delayMinutes} min |`;
    after += l.delayMinutes;
    return row;
  });
}

export function renderContacts(e: EscalationConfig): string {
  const roles = Object.entries(ROLE_TITLE).map(([role, title]) => {
    const id = e.roles[role as EscalationRole];
    const who = entity(e, id);
    return `| ${title} | ${cell(who.name)} | ${cell(who.reach)} |`;
  });
  const loops = (id: "critical" | "infraLead") => e.policies[id].loops;
  return [
    "# Contact matrix",
    "",
    "Generated from `escalation` in `Pulumi.prod.yaml` by `npm run docs:contacts`; do not edit",
    "by hand (a test fails on drift). The same section provisions the PagerDuty schedules,",
    "escalation policies and services, so this page is who PagerDuty calls (guide 3.4: verify",
    "the contact matrix every quarter, `npm run ops -- quarterly`).",
    "",
    "## Roles",
    "",
    "| role | who | reached by |",
    "| --- | --- | --- |",
    ...roles,
    "",
    "## Escalation policies",
    "",
    `Unacknowledged, an incident moves to the next level after the level's delay; the whole policy repeats ${loops("critical")} time(s) (\`pagerduty-critical\`) and ${loops("infraLead")} time(s) (\`pagerduty-infra-lead\`).`,
    "",
    "| receiver | level | paged after | who | escalates after |",
    "| --- | --- | --- | --- | --- |",
    ...policyRows(e, "critical", "pagerduty-critical"),
    ...policyRows(e, "infraLead", "pagerduty-infra-lead"),
    "",
    "## Teams",
    "",
    "| team | members | rotation | reached by |",
    "| --- | --- | --- | --- |",
    ...e.teams.map((t) => teamRow(e, t)),
    "",
    "## People",
    "",
    "| person | PagerDuty login | phone |",
    "| --- | --- | --- |",
    ...e.people.map((p) => `| ${cell(p.name)} | ${p.email} | ${p.phone ?? "—"} |`),
    "",
  ].join("\n");
}

/** The generated block of one runbook. */
export function escalateToBlock(e: EscalationConfig, roles: readonly EscalationRole[]): string {
  const steps = roles.map((role, i) => {
    const who = entity(e, e.roles[role]);
    return `${i + 1}. ${ROLE_TITLE[role]}: ${who.name} (${who.reach})`;
  });
  return [BEGIN, `**Escalate to** ([contact matrix](${CONTACTS_FILE})):`, "", ...steps, END].join(
    "\n",
  );
}

/** The runbook with its block replaced, or appended to its Escalation section. */
export function withEscalateTo(markdown: string, block: string): string {
  const start = markdown.indexOf(BEGIN);
  if (start >= 0) {
    const end = markdown.indexOf(END, start);
    if (end < 0) throw new Error(`"${BEGIN}" without "${END}"`);
    return markdown.slice(0, start) + block + markdown.slice(end + END.length);
  }
  const heading = markdown.indexOf("\n## Escalation");
  if (heading < 0) throw new Error("no ## Escalation section");
  const next = markdown.indexOf("\n## ", heading + 1);
  const at = next < 0 ? markdown.trimEnd().length : next;
  const before = markdown.slice(0, at).trimEnd();
  return `${before}\n\n${block}\n${next < 0 ? "" : markdown.slice(at)}`;
}

/** Every generated docs file, relative to docs/runbooks/, given the current runbooks. */
export function renderRunbookDocs(
  e: EscalationConfig,
  read: (file: string) => string,
): Record<string, string> {
  const files: Record<string, string> = { [CONTACTS_FILE]: renderContacts(e) };
  for (const [file, roles] of Object.entries(RUNBOOK_ESCALATION))
    files[file] = withEscalateTo(read(file), escalateToBlock(e, roles));
  return files;
}
