import type { Policies } from "@pulumi/policy";
import { type RecordedLike, runPolicies, type Violation } from "../../policy/recorded";

/** Builds recorded resources and runs one policy over them, as the policy server would. */

export function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<RecordedLike> = {},
): RecordedLike {
  return { type, name, parent: null, protect: false, inputs, ...extra };
}

export async function violations(
  policy: Policies[number],
  records: readonly RecordedLike[],
): Promise<Violation[]> {
  return runPolicies([policy], records);
}

export async function messages(
  policy: Policies[number],
  records: readonly RecordedLike[],
): Promise<string[]> {
  return (await violations(policy, records)).map((v) => v.message);
}
