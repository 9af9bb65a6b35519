import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import { PROJECT } from "../../lib/conventions";
import { ROOT, stackFile, withConfig } from "../support/program";

/** `escalation` refuses what PagerDuty or a reader of the runbooks could not use, by key path. */

const prodEscalation = () =>
  (
    yaml.load(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")) as {
      config: Record<string, Record<string, unknown>>;
    }
  ).config[`${PROJECT}:escalation`];

type Escalation = {
  people: { id: string }[];
  teams: { id: string; members: string[]; rotation?: unknown }[];
  roles: Record<string, string>;
  policies: Record<string, { levels: { delayMinutes: number; targets: string[] }[] }>;
};

function problemsWith(change: (e: Escalation) => void): string[] {
  const escalation = structuredClone(prodEscalation()) as unknown as Escalation;
  change(escalation);
  const file = withConfig(stackFile("prod"), { escalation });
  const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
  const result = parseStackConfig(raw, secrets);
  return result.ok ? [] : result.problems;
}

describe("escalation config", () => {
  it("accepts the prod and dr stack files", () => {
    expect(problemsWith(() => {})).toEqual([]);
  });

  it("refuses a level with no target", () => {
    expect(
      problemsWith((e) => {
        e.policies.critical.levels[1].targets = [];
      }),
    ).toEqual([
      "escalation.policies.critical.levels[1].targets: a level needs at least one target",
    ]);
  });

  it.each([0, 1441, 2.5])("refuses a delay PagerDuty does not accept (%s min)", (delay) => {
    const problems = problemsWith((e) => {
      e.policies.infraLead.levels[0].delayMinutes = delay;
    });
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^escalation\\.policies\\.infraLead\\.levels\\[0\\]\\.delayMinutes \\(${delay}\\): `,
        ),
      ),
    ]);
  });

  it("refuses an unknown team or person, naming where it is used", () => {
    const problems = problemsWith((e) => {
      e.roles.networkTeam = "netwrok";
      e.policies.critical.levels[0].targets = ["on-cal"];
      e.teams[0].rotation = { ...(e.teams[0].rotation as object), members: ["oncall-a", "ghost"] };
    });
    expect(problems.sort()).toEqual([
      'escalation.policies.critical.levels[0].targets[0] ("on-cal"): unknown person or team "on-cal"',
      'escalation.roles.networkTeam ("netwrok"): unknown person or team "netwrok"',
      'escalation.teams[0].rotation.members[1] ("ghost"): unknown person "ghost"',
    ]);
  });

  it("refuses duplicates: an id used twice, a target twice in one level", () => {
    const problems = problemsWith((e) => {
      e.teams[1].id = "bot-001";
      e.policies.critical.levels[0].targets = ["on-call", "on-call"];
    });
    expect(problems).toEqual([
      'escalation.teams[1].id ("bot-001"): duplicate id "bot-001" (also escalation.people[0])',
      // The network team's id is gone with it, and the role names it.
      'escalation.roles.networkTeam ("network"): unknown person or team "network"',
      'escalation.policies.critical.levels[0].targets: duplicate target "on-call"',
    ]);
  });

  it("refuses a team nobody can be paged for, and a time zone that is not one", () => {
    const problems = problemsWith((e) => {
      e.teams[1].members = [];
      (e as unknown as { timeZone: string }).timeZone = "America/Chicgo";
    });
    expect(problems.sort()).toEqual([
      "escalation.teams[1]: a team needs members or a rotation, or nobody can be paged for it",
      'escalation.timeZone ("America/Chicgo"): expected an IANA time zone',
    ]);
  });

  // PagerDuty takes only the zones of its own table (developer docs, "Types: Time Zone"; the
  // Terraform provider's copy is vendored): "UTC" and many valid IANA names fail at `pulumi up`.
  it.each(["UTC", "US/Mountain", "Europe/Kyiv"])(
    "refuses %s, a zone PagerDuty does not accept for a schedule",
    (zone) => {
      const problems = problemsWith((e) => {
        (e as unknown as { timeZone: string }).timeZone = zone;
      });
      expect(problems).toEqual([
        expect.stringMatching(
          new RegExp(`^escalation\\.timeZone \\("${zone.replace("/", "\\/")}"\\): .*PagerDuty`),
        ),
      ]);
    },
  );

  it("defaults the time zone to one PagerDuty accepts", () => {
    const escalation = structuredClone(prodEscalation()) as Record<string, unknown>;
    delete escalation.timeZone;
    const file = withConfig(stackFile("prod"), { escalation });
    const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
    const result = parseStackConfig(raw, secrets);
    if (!result.ok) throw new Error(result.problems.join("\n"));
    const accepted: string[] = JSON.parse(
      readFileSync(join(ROOT, "vendor", "pagerduty", "time-zones.json"), "utf8"),
    );
    expect(accepted).toContain(result.config.escalation?.timeZone);
  });

  it("is required for a deployed stack, and then needs the pagerdutyToken secret, not hand-set keys", () => {
    const without = withConfig(stackFile("prod"), { escalation: undefined });
    const a = fromEngineConfig(without.config, without.secretKeys);
    const refused = parseStackConfig(a.raw, a.secrets);
    expect(refused.ok ? [] : refused.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^pagerdutyRoutingKey: missing secret/),
        expect.stringMatching(/^escalation: required for a production stack/),
      ]),
    );
    const noToken = withConfig(stackFile("prod"), { pagerdutyToken: undefined });
    const b = fromEngineConfig(noToken.config, noToken.secretKeys);
    const result = parseStackConfig(b.raw, b.secrets);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^pagerdutyToken: missing secret .*PagerDuty REST API token/),
    ]);
  });

  it("keeps dr's escalation equal to prod's: one contact matrix for both", () => {
    const dr = (
      yaml.load(readFileSync(join(ROOT, "Pulumi.dr.yaml"), "utf8")) as {
        config: Record<string, unknown>;
      }
    ).config[`${PROJECT}:escalation`];
    expect(dr).toEqual(prodEscalation());
  });
});
