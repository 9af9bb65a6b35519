import { POLICIES } from "../../policy/policies";
import { runPolicies, stackRecord } from "../../policy/recorded";
import { runStack } from "../support/program";

/** The whole pack over what prod declares, exactly as synth records it (resources.json). */

describe("the policy pack over prod", () => {
  it("finds no violation", async () => {
    const { resources, outputs } = await runStack("prod");
    const records = [...resources.map((r) => ({ ...r })), stackRecord(outputs)];
    const found = await runPolicies(POLICIES, records);
    expect(found.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  }, 60_000);
});
