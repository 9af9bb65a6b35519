import type { ProgramRun } from "../../scripts/mock-runtime";
import { named, runStack } from "../support/program";

/**
 * What each resource of the AutomationService waits for (the engine's `dependencies`), read
 * from the recorded prod run: the program passes the deploy-freeze gate, its state ConfigMap
 * (`deploy-freeze-state`), to every gated component as dependsOn.
 */

const GATE = "deploy-freeze-state";

describe("AutomationService ordering", () => {
  let run: ProgramRun;

  beforeAll(async () => {
    run = await runStack("prod");
  });

  it("the gate it waits for is the deploy-freeze ConfigMap", () => {
    expect(named(run, GATE).type).toBe("kubernetes:core/v1:ConfigMap");
  });

  it("the Deployment waits for its code, its token and the identity it runs as", () => {
    expect([...named(run, "automation-deployment").dependsOn].sort()).toEqual(
      [
        "automation-account",
        "automation-binding",
        "automation-code",
        "automation-restart-binding",
        "automation-restart-role",
        "automation-role",
        "automation-token",
        GATE,
      ].sort(),
    );
  });

  it("every child still waits for the deploy-freeze gate", () => {
    for (const child of [
      "automation-code",
      "automation-token",
      "automation-role",
      "automation-service",
    ])
      expect(named(run, child).dependsOn).toContain(GATE);
  });
});
