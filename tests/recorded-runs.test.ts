import { SECRET_PLACEHOLDER } from "../lib/conventions";
import type { StackFileConfig } from "../scripts/stack-file";
import { runLive, stackFile } from "./support/program";
import { RECORDED_STACKS, recordedRun } from "./support/recorded-runs";

/** The stack file with a distinct, recognisable value in place of each whole secret. */
function withSecretValues(file: StackFileConfig): { file: StackFileConfig; values: string[] } {
  const config = { ...file.config };
  const values: string[] = [];
  for (const key of file.secretKeys) {
    if (config[key] !== SECRET_PLACEHOLDER) continue;
    config[key] = `TOP-SECRET-VALUE-${key.replace(/\W/g, "-")}`;
    values.push(config[key]);
  }
  return { file: { ...file, config }, values };
}

// The suite reads recorded runs of each stack (tests/support/global-setup.ts); a recording
// that differed from what the program declares today would make every reader test the past.
// The live run is given real-looking secret values, which the recording never saw: the two
// can only be equal if every secret stays masked, so the same run proves that too.
describe.each(RECORDED_STACKS)("the recorded run of the %s stack", (stack) => {
  it("is exactly what a live run declares and exports, where no secret's value shows", async () => {
    const recorded = recordedRun(stack);
    expect(recorded).toBeDefined();
    const { file, values } = withSecretValues(stackFile(stack));
    if (stack === "prod") expect(values.length).toBeGreaterThan(5);
    const live = await runLive(stack, file);
    const text = JSON.stringify(live);
    expect(values.filter((value) => text.includes(value))).toEqual([]);
    expect(recorded).toStrictEqual(live);
  });

  it("is a fresh copy on every read, so a test that edits its run cannot leak into another", () => {
    const first = recordedRun(stack);
    if (first) (first.outputs as Record<string, unknown>).edited = true;
    expect(recordedRun(stack)).not.toStrictEqual(first);
  });
});

it("the recorded prod run hands Grafana's provider its auth as a secret", () => {
  const provider = recordedRun("prod")?.resources.find(
    (r) => r.type === "pulumi:providers:grafana",
  );
  expect(provider?.inputs.auth).toBe(SECRET_PLACEHOLDER);
});
