import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BEGIN,
  CONTACTS_FILE,
  escalateToBlock,
  RUNBOOK_ESCALATION,
  renderContacts,
  withEscalateTo,
} from "../../components/pagerduty/contacts";
import { prodEscalationDocs } from "../../scripts/render-contacts";
import { ROOT } from "../support/program";

/** The contact matrix and the runbooks' "Escalate to" lines are generated, never hand-edited. */

const RUNBOOKS = join(ROOT, "docs", "runbooks");

describe("docs/runbooks from escalation", () => {
  const rendered = prodEscalationDocs();

  it.each(Object.keys(rendered))(
    "committed docs/runbooks/%s equals what escalation renders",
    (file) => {
      expect(readFileSync(join(RUNBOOKS, file), "utf8")).toBe(rendered[file]);
    },
  );

  it("every runbook with an Escalation section has a generated block", () => {
    const runbooks = readdirSync(RUNBOOKS).filter(
      (f) =>
        f.endsWith(".md") &&
        f !== "README.md" &&
        f !== CONTACTS_FILE &&
        readFileSync(join(RUNBOOKS, f), "utf8").includes("\n## Escalation"),
    );
    expect(runbooks.filter((f) => !(f in RUNBOOK_ESCALATION))).toEqual([]);
    for (const f of runbooks) expect(readFileSync(join(RUNBOOKS, f), "utf8")).toContain(BEGIN);
  });

  it("the runbook index links the contact matrix", () => {
    expect(readFileSync(join(RUNBOOKS, "README.md"), "utf8")).toContain(`(${CONTACTS_FILE})`);
  });
});

describe("the renderer", () => {
  const escalation = {
    timeZone: "UTC",
    people: [
      { id: "lead", name: "Lee Lead", email: "lee@x.example" },
      { id: "dba", name: "Dee Bee", email: "dee@x.example", phone: "+15550001111" },
    ],
    teams: [
      { id: "net", name: "Net", slack: "#net", members: ["lead"] },
      {
        id: "oc",
        name: "On call",
        members: [],
        rotation: {
          members: ["lead", "dba"],
          turnDays: 7,
          handoff: "08:30",
          startDate: "2026-02-02",
        },
      },
    ],
    roles: {
      onCall: "oc",
      infraLead: "lead",
      networkTeam: "net",
      codeOwners: "net",
      dbOwner: "dba",
    },
    policies: {
      critical: {
        loops: 1,
        levels: [
          { delayMinutes: 10, targets: ["oc"] },
          { delayMinutes: 20, targets: ["lead", "dba"] },
        ],
      },
      infraLead: { loops: 0, levels: [{ delayMinutes: 5, targets: ["lead"] }] },
    },
  };

  it("names each role's holder and how to reach them, levels with cumulative delays", () => {
    const md = renderContacts(escalation);
    expect(md).toContain(
      "| Database owner | Dee Bee | PagerDuty user dee@x.example, +15550001111 |",
    );
    expect(md).toContain("| Network team | Net | PagerDuty users lee@x.example, #net |");
    expect(md).toContain("| `pagerduty-critical` | 2 | 10 min | Lee Lead, Dee Bee | 20 min |");
    expect(md).toContain("hand-over 08:30 UTC from 2026-02-02");
  });

  it("replaces the block in place and is idempotent", () => {
    const runbook = "# X\n\n## Escalation\n\nPage people.\n\n## After\n\ntext\n";
    const once = withEscalateTo(runbook, escalateToBlock(escalation, ["dbOwner"]));
    expect(once).toContain("Page people.\n\n<!-- generated");
    expect(once).toContain("1. Database owner: Dee Bee");
    expect(once.indexOf("1. Database owner")).toBeLessThan(once.indexOf("## After"));
    expect(withEscalateTo(once, escalateToBlock(escalation, ["dbOwner"]))).toBe(once);
    const changed = withEscalateTo(once, escalateToBlock(escalation, ["networkTeam"]));
    expect(changed).not.toContain("Dee Bee");
    expect(changed).toContain("1. Network team: Net");
  });
});
