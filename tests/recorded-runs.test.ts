import { runLive, stackFile } from "./support/program";
import { RECORDED_STACKS, recordedRun } from "./support/recorded-runs";

// The suite reads recorded runs of each stack (tests/support/global-setup.ts); a recording
// that differed from what the program declares today would make every reader test the past.
describe.each(RECORDED_STACKS)("the recorded run of the %s stack", (stack) => {
  it("is exactly what a live run of the program declares and exports", async () => {
    const recorded = recordedRun(stack);
    expect(recorded).toBeDefined();
    expect(recorded).toStrictEqual(await runLive(stack, stackFile(stack)));
  });

  it("is a fresh copy on every read, so a test that edits its run cannot leak into another", () => {
    const first = recordedRun(stack);
    if (first) (first.outputs as Record<string, unknown>).edited = true;
    expect(recordedRun(stack)).not.toStrictEqual(first);
  });
});
