import { ConfigProblems } from "../../components/config/parse";
import { PROJECT } from "../../lib/conventions";
import { type ProgramRun, stableNumber } from "../../scripts/mock-runtime";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { ofType, runStack, stackFile, withConfig } from "../support/program";

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are untyped JSON, read by path.
type Json = any;

const FOLDER = "grafana:oss/folder:Folder";
const PERMISSION = "grafana:oss/folderPermission:FolderPermission";
const TEAM = "grafana:oss/team:Team";

/** Team name → the permission its teamId holds on the folder with `uid`. */
function grantsOn(run: ProgramRun, uid: string): Record<string, string> {
  const teamIds = new Map(
    ofType(run, TEAM).map((t) => [String(stableNumber(t.name)), t.inputs.name as string]),
  );
  const permissions = ofType(run, PERMISSION).filter((p) => p.inputs.folderUid === uid);
  expect(permissions).toHaveLength(1);
  return Object.fromEntries(
    (permissions[0].inputs.permissions as Json[]).map((p) => [
      p.role ? `role:${p.role}` : (teamIds.get(p.teamId) ?? `unknown team ${p.teamId}`),
      p.permission,
    ]),
  );
}

describe("Grafana folders (guide 1.4: edit Ops/SRE only, read-only leadership)", () => {
  let prod: ProgramRun;
  beforeAll(async () => {
    prod = await runStack("prod");
  });

  it("manage the permissions of every folder the program creates, the top-level one too", () => {
    const uids = ofType(prod, FOLDER).map((f) => f.inputs.uid as string);
    expect(uids).toEqual(["port-8000", "port-8000-production"]);
    for (const uid of uids) {
      expect(grantsOn(prod, uid)).toEqual({
        sre: "Admin",
        ops: "Edit",
        oncall: "View",
        leadership: "View",
      });
    }
  });

  it("grant nothing to a basic role, so Grafana's Editor/Viewer defaults are replaced", () => {
    const items = ofType(prod, PERMISSION).flatMap((p) => p.inputs.permissions as Json[]);
    expect(items.length).toBeGreaterThan(0);
    expect(items.filter((p) => p.role !== undefined || p.userId !== undefined)).toEqual([]);
  });
});

/** The problems the config parser reports for the stack file with `grafana` replaced. */
function grafanaProblems(stack: string, grafana: Record<string, unknown>): string[] {
  try {
    parseStackFileConfig(stack, withConfig(stackFile(stack), { grafana }));
    return [];
  } catch (error) {
    if (error instanceof ConfigProblems) return [...error.problems];
    throw error;
  }
}

const GROUPS = {
  ops: ["port8000-ops"],
  sre: ["port8000-sre"],
  oncall: ["port8000-oncall"],
  leadership: ["port8000-leadership", "execs"],
};

describe("Grafana team membership comes from sign-in, never from a member list", () => {
  it.each(["prod", "dr"])(
    "%s creates every team empty with its folder grants, and never sets or resets members",
    async (stack) => {
      const run = await runStack(stack);
      const teams = ofType(run, TEAM);
      expect(teams.map((t) => t.inputs.name).sort()).toEqual([
        "leadership",
        "oncall",
        "ops",
        "sre",
      ]);
      for (const team of teams) {
        expect(team.inputs.members).toBeUndefined();
        expect(team.inputs.teamSync).toBeUndefined();
        expect(team.ignoreChanges).toContain("members");
      }
      expect(grantsOn(run, "port-8000-production")).toEqual({
        sre: "Admin",
        ops: "Edit",
        oncall: "View",
        leadership: "View",
      });
    },
  );

  it("with Team Sync each team keeps its identity-provider groups, and synced members are not drift", async () => {
    const prod = stackFile("prod");
    const grafana = JSON.parse(prod.config[`${PROJECT}:grafana`]);
    const run = await runStack(
      "prod",
      withConfig(prod, { grafana: { ...grafana, teamMembership: "sync", teamSync: GROUPS } }),
    );
    const teams = ofType(run, TEAM);
    const byName = Object.fromEntries(teams.map((t) => [t.inputs.name as string, t]));
    expect(byName.leadership.inputs.teamSync).toEqual({ groups: ["execs", "port8000-leadership"] });
    expect(byName.ops.inputs.teamSync).toEqual({ groups: ["port8000-ops"] });
    for (const team of teams) {
      expect(team.inputs.members).toBeUndefined();
      expect(team.inputs.ignoreExternallySyncedMembers).toBe(true);
    }
    expect(grantsOn(run, "port-8000")).toMatchObject({ ops: "Edit", leadership: "View" });
  });

  it("refuses a member list (managed) on every stack, naming the key", () => {
    const grafana = JSON.parse(stackFile("prod").config[`${PROJECT}:grafana`]);
    for (const stack of ["prod", "dr"]) {
      const problems = grafanaProblems(stack, { ...grafana, teamMembership: "managed" });
      expect(problems).toEqual([
        expect.stringMatching(/^grafana\.teamMembership \("managed"\): .*signed in/),
      ]);
    }
  });

  it("refuses sync without groups for a team, groups for an unknown team, and groups it would ignore", () => {
    const grafana = JSON.parse(stackFile("prod").config[`${PROJECT}:grafana`]);
    const { oncall: _, ...withoutOncall } = GROUPS;
    expect(
      grafanaProblems("prod", {
        ...grafana,
        teamMembership: "sync",
        teamSync: { ...withoutOncall, nobody: ["x"] },
      }),
    ).toEqual([
      expect.stringMatching(/^grafana\.teamSync\.oncall: required/),
      expect.stringMatching(/^grafana\.teamSync\.nobody: no rbac\.teams entry/),
    ]);
    expect(
      grafanaProblems("prod", { ...grafana, teamMembership: "external", teamSync: GROUPS }),
    ).toEqual([
      expect.stringMatching(/^grafana\.teamSync: only read with grafana\.teamMembership: sync/),
    ]);
    expect(
      grafanaProblems("prod", { ...grafana, teamMembership: "sync", teamSync: GROUPS }),
    ).toEqual([]);
  });
});
