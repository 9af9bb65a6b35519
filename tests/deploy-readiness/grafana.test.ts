import { PROJECT } from "../../lib/conventions";
import { type ProgramRun, stableNumber } from "../../scripts/mock-runtime";
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

describe("Grafana team membership", () => {
  it("prod manages the members of each team from rbac.teams[].members", async () => {
    const run = await runStack("prod");
    const ops = ofType(run, TEAM).find((t) => t.inputs.name === "ops");
    expect(ops?.inputs.members).toEqual(["ops-lead@deia.example.com"]);
    expect(ops?.ignoreChanges).not.toContain("members");
  });

  it("dr leaves membership to Grafana, so a rebuild never waits for users who never logged in", async () => {
    const run = await runStack("dr");
    const teams = ofType(run, TEAM);
    expect(teams.map((t) => t.inputs.name).sort()).toEqual(["leadership", "oncall", "ops", "sre"]);
    for (const team of teams) {
      expect(team.inputs.members).toBeUndefined();
      expect(team.ignoreChanges).toContain("members");
    }
  });

  it("a stack switches to managed members once its users exist", async () => {
    const dr = stackFile("dr");
    const grafana = JSON.parse(dr.config[`${PROJECT}:grafana`]);
    const run = await runStack(
      "dr",
      withConfig(dr, { grafana: { ...grafana, teamMembership: "managed" } }),
    );
    const sre = ofType(run, TEAM).find((t) => t.inputs.name === "sre");
    expect(sre?.inputs.members).toEqual(["sre-lead@deia.example.com"]);
  });
});
