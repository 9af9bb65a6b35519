import { teamRoleTrustPolicy } from "../../components/access/federation";
import { fromEngineConfig, parseStackConfig } from "../../components/config/parse";
import { PROJECT } from "../../lib/conventions";
import type { ProgramRun, RecordedResource } from "../../scripts/mock-runtime";
import { parseStackFileConfig } from "../../scripts/synth-lib";
import { ofType, runStack, stackFile, withConfig } from "../support/program";

// biome-ignore lint/suspicious/noExplicitAny: recorded inputs are untyped JSON, read by path.
type Json = any;

/**
 * SSO users are federated: they never belong to an IAM group. Each team with AWS or cluster
 * access gets a role its members assume through the organisation's identity provider, and an
 * EKS access entry that puts the role's sessions in the Kubernetes group its RoleBinding names.
 */

const ROLE = "aws:iam/role:Role";
const ENTRY = "aws:eks/accessEntry:AccessEntry";
const BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";

const section = (key: string) => JSON.parse(stackFile("prod").config[`${PROJECT}:${key}`]);
const teamRole = (run: ProgramRun, team: string) =>
  ofType(run, ROLE).find((r) => r.name === `team-access-role-${team}`) as RecordedResource;
const trust = (role: RecordedResource) => JSON.parse(String(role.inputs.assumeRolePolicy));

describe("team access for federated (SSO) users, prod", () => {
  let prod: ProgramRun;
  beforeAll(async () => {
    prod = await runStack("prod");
  });

  it("gives each team with AWS or cluster access a role, and no IAM group", () => {
    expect(ofType(prod, "aws:iam/group:Group")).toEqual([]);
    for (const team of ["ops", "sre", "oncall"]) expect(teamRole(prod, team)).toBeDefined();
    expect(teamRole(prod, "leadership")).toBeUndefined();
  });

  it("lets only the configured SAML provider's users assume a team role", () => {
    const { arn } = section("identity").provider;
    const [statement] = trust(teamRole(prod, "ops")).Statement;
    expect(statement.Principal).toEqual({ Federated: arn });
    expect(statement.Action).toContain("sts:AssumeRoleWithSAML");
    expect(statement.Condition.StringEquals["SAML:aud"]).toBe("https://signin.aws.amazon.com/saml");
  });

  it("attaches the team's archive access to its role", () => {
    const policy = ofType(prod, "aws:iam/rolePolicy:RolePolicy").find(
      (p) => p.name === "team-access-archive-policy-ops",
    );
    expect(policy?.inputs.role).toBe(teamRole(prod, "ops").inputs.name);
    expect(JSON.parse(String(policy?.inputs.policy)).Statement[0].Action).toContain(
      "s3:RestoreObject",
    );
  });

  it("maps each team role into the cluster, in the group its RoleBinding binds", () => {
    const entries = ofType(prod, ENTRY);
    const bindings = ofType(prod, BINDING).filter((b) => b.parent === "team-access");
    expect(entries).toHaveLength(bindings.length);
    for (const binding of bindings) {
      const [subject] = (binding.inputs as Json).subjects;
      const team = subject.name.split(":")[1];
      const entry = entries.find((e) => e.name === `team-access-access-entry-${team}`);
      expect(entry?.inputs).toEqual(
        expect.objectContaining({
          clusterName: section("cluster").name,
          principalArn: `arn:aws:iam::000000000000:role/${teamRole(prod, team).inputs.name}`,
          kubernetesGroups: [subject.name],
          type: "STANDARD",
        }),
      );
    }
  });
});

describe("team access through an OIDC identity provider", () => {
  // The prod run above shows the program trusts the configured provider with this policy.
  it("trusts web identities of the audience that carry the team's session tag", () => {
    const provider = {
      type: "oidc",
      arn: "arn:aws:iam::111122223333:oidc-provider/sso.deia.example.com",
      audience: "port8000-aws",
    };
    const config = parseStackFileConfig(
      "prod",
      withConfig(stackFile("prod"), { identity: { provider } }),
    );
    const sre = config.rbac.teams.find((team) => team.name === "sre");
    if (!sre || !config.identity.provider) throw new Error("prod has no sre team or provider");
    const [statement] = teamRoleTrustPolicy(config.identity.provider, sre).Statement;
    expect(statement.Principal).toEqual({ Federated: provider.arn });
    expect(statement.Action).toEqual(["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]);
    expect(statement.Condition.StringEquals).toEqual({
      "sso.deia.example.com:aud": "port8000-aws",
      "aws:RequestTag/port8000-team": "sre",
    });
  });
});

describe("config of a deployed stack", () => {
  it("requires the EKS cluster name and the identity provider", () => {
    const file = withConfig(stackFile("prod"), {
      identity: undefined,
      cluster: { ...section("cluster"), name: undefined },
    });
    const { raw, secrets } = fromEngineConfig(file.config, file.secretKeys);
    const result = parseStackConfig(raw, secrets);
    expect(result.ok ? [] : result.problems).toEqual([
      expect.stringMatching(/^cluster\.name: required/),
      expect.stringMatching(/^identity\.provider: required/),
    ]);
  });
});
