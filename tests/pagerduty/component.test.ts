import type { ProgramRun } from "../../scripts/mock-runtime";
import { named, ofType, runStack } from "../support/program";

/** What `pulumi up --stack prod` declares in PagerDuty, and how Alertmanager gets its keys. */

jest.setTimeout(120_000);

let prod: ProgramRun;
let dr: ProgramRun;
beforeAll(async () => {
  prod = await runStack("prod");
  dr = await runStack("dr");
});

/** The mocks answer getUser with a stable id per e-mail. */
const userId = () => expect.stringMatching(/^P[0-9A-F]{6}$/) as unknown as string;

describe("PagerDutyEscalation (prod)", () => {
  it("declares one schedule per rotation, starting at the hand-over in the stack's zone", () => {
    const [schedule] = ofType(prod, "pagerduty:index/schedule:Schedule");
    expect(ofType(prod, "pagerduty:index/schedule:Schedule")).toHaveLength(1);
    expect(schedule.inputs).toMatchObject({
      name: "DEIA on-call (port8000)",
      timeZone: "America/Chicago",
      layers: [
        {
          // 2026-01-05 is winter: Chicago is UTC-6.
          start: "2026-01-05T09:00:00-06:00",
          rotationVirtualStart: "2026-01-05T09:00:00-06:00",
          rotationTurnLengthSeconds: 7 * 86_400,
          users: [userId(), userId()],
        },
      ],
    });
    const [a, b] = (schedule.inputs.layers as { users: string[] }[])[0].users;
    expect(a).not.toBe(b);
  });

  it("escalates the critical service from the on-call schedule to the infra lead", () => {
    const policy = named(prod, "pagerduty-policy-critical");
    expect(policy.inputs).toMatchObject({ name: "port8000 critical", numLoops: 2 });
    const rules = policy.inputs.rules as {
      escalationDelayInMinutes: number;
      targets: { type: string; id: string }[];
    }[];
    expect(rules.map((r) => r.escalationDelayInMinutes)).toEqual([15, 15]);
    expect(rules[0].targets).toEqual([
      { type: "schedule_reference", id: "pagerduty-schedule-on-call-id" },
    ]);
    expect(rules[1].targets).toEqual([{ type: "user_reference", id: expect.stringMatching(/^P/) }]);
    const infraLead = named(prod, "pagerduty-policy-infraLead").inputs.rules as typeof rules;
    expect(infraLead[0].targets[0].id).toBe(rules[1].targets[0].id); // BOT-001 first there
  });

  it("one service per paging receiver, each with an Events API v2 integration", () => {
    const services = ofType(prod, "pagerduty:index/service:Service").sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    expect(services.map((s) => [s.name, s.inputs.name, s.inputs.escalationPolicy])).toEqual([
      ["pagerduty-service-critical", "port8000", "pagerduty-policy-critical-id"],
      ["pagerduty-service-infraLead", "port8000-infra-lead", "pagerduty-policy-infraLead-id"],
    ]);
    for (const s of services) expect(s.inputs.alertCreation).toBe("create_alerts_and_incidents");
    const integrations = ofType(prod, "pagerduty:index/serviceIntegration:ServiceIntegration");
    expect(integrations.map((i) => [i.inputs.service, i.inputs.type]).sort()).toEqual([
      ["pagerduty-service-critical-id", "events_api_v2_inbound_integration"],
      ["pagerduty-service-infraLead-id", "events_api_v2_inbound_integration"],
    ]);
  });

  it("Alertmanager's routing keys are the integrations' keys, secret, not hand-set", () => {
    const secret = named(prod, "alertmanager-receivers-secret");
    expect(secret.inputs.stringData).toBe("[secret]");
    expect(secret.propertyDependencies.stringData).toEqual(
      expect.arrayContaining([
        "pagerduty:index/serviceIntegration:ServiceIntegration::pagerduty-integration-critical",
        "pagerduty:index/serviceIntegration:ServiceIntegration::pagerduty-integration-infraLead",
      ]),
    );
  });

  it("the provider authenticates with the pagerdutyToken secret and waits for the freeze", () => {
    const provider = named(prod, "pagerduty");
    expect(provider.type).toBe("pulumi:providers:pagerduty");
    expect(provider.inputs.token).toBe("[secret]");
    expect(provider.dependsOn).toContain("deploy-freeze-state");
  });

  it("the dr stack names its objects apart: one PagerDuty account holds both", () => {
    const names = (run: ProgramRun) =>
      run.resources
        .filter((r) => /^pagerduty:index\/(service|schedule|escalationPolicy):/.test(r.type))
        .map((r) => r.inputs.name);
    expect(names(dr)).toContain("port8000-standby");
    expect(names(dr).filter((n) => names(prod).includes(n))).toEqual([]);
  });
});
