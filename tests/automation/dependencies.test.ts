import * as pulumi from "@pulumi/pulumi";
import { AutomationService } from "../../components/automation";
import { PROJECT } from "../../lib/conventions";
import { runProgram } from "../../scripts/mock-runtime";
import { stackConfig } from "../alertmanager/support";

/** What each resource waits for (the engine's `dependencies`), recorded from the mock monitor. */

interface Registration {
  getName(): string;
  getType(): string;
  getDependenciesList(): string[];
}
type Register = (req: Registration, callback: (err: unknown, res: unknown) => void) => unknown;

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** Stands in for the deploy-freeze gate the program passes as dependsOn. */
class Gate extends pulumi.CustomResource {
  constructor(name: string) {
    super("test:index:Gate", name, {});
  }
}

describe("AutomationService ordering", () => {
  const dependencies = new Map<string, string[]>();

  beforeAll(async () => {
    await runProgram({
      project: PROJECT,
      stack: "prod",
      config: {},
      secretKeys: [],
      load: () => {
        const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource: Register };
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) => {
          dependencies.set(req.getName(), req.getDependenciesList().map(nameOf));
          return register(req, callback);
        };
        const gate = new Gate("gate");
        new AutomationService("automation", {
          config: stackConfig("prod"),
          token: "t",
          freezeConfigMap: "port8000-deploy-freeze",
          dependsOn: [gate],
        });
        return {};
      },
    });
  });

  it("the Deployment waits for its code, its token and the identity it runs as", () => {
    expect(dependencies.get("automation-deployment")?.sort()).toEqual(
      [
        "automation-account",
        "automation-binding",
        "automation-code",
        "automation-restart-binding",
        "automation-restart-role",
        "automation-role",
        "automation-token",
        "gate",
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
      expect(dependencies.get(child)).toContain("gate");
  });
});
