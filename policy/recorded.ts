import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import { STACK_TYPE } from "./secrets";

/**
 * Runs the pack's policies over what synth records (resources.json and the stack outputs),
 * handing each policy the same arguments the policy server would.
 */

export interface RecordedLike {
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly protect: boolean;
  readonly inputs: Record<string, unknown>;
  readonly propertyDependencies?: Record<string, string[]>;
}

export interface Violation {
  readonly policy: string;
  readonly resource: string;
  readonly message: string;
}

const refOf = (r: { type: string; name: string }) => `${r.type}::${r.name}`;

function unsupported(what: string): never {
  throw new Error(`${what} is not available over recorded resources`);
}

function options(record: RecordedLike) {
  return {
    protect: record.protect,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
}

export function resourceArgs(record: RecordedLike): ResourceValidationArgs {
  return {
    type: record.type,
    name: record.name,
    urn: refOf(record),
    props: record.inputs,
    opts: options(record),
    stackTags: new Map(),
    isType: () => unsupported("isType"),
    asType: () => unsupported("asType"),
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string) => unsupported(`notApplicable(${reason})`),
  };
}

export function stackArgs(records: readonly RecordedLike[]): StackValidationArgs {
  const byRef = new Map<string, PolicyResource>();
  const resources = records.map((record) => {
    const resource = {
      ...resourceArgs(record),
      dependencies: [],
      propertyDependencies: {} as Record<string, PolicyResource[]>,
    } as PolicyResource;
    byRef.set(resource.urn, resource);
    return resource;
  });
  records.forEach((record, i) => {
    for (const [key, refs] of Object.entries(record.propertyDependencies ?? {}))
      resources[i].propertyDependencies[key] = refs.flatMap((ref) => byRef.get(ref) ?? []);
  });
  return {
    resources,
    stackTags: new Map(),
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string) => unsupported(`notApplicable(${reason})`),
  };
}

/** The stack's outputs as the engine shows them: properties of the root Stack resource. */
export function stackRecord(outputs: Record<string, unknown>): RecordedLike {
  return { type: STACK_TYPE, name: "stack", parent: null, protect: false, inputs: outputs };
}

type AnyPolicy = {
  readonly name: string;
  readonly validateResource?: unknown;
  readonly validateStack?: unknown;
};

export async function runPolicies(
  policies: readonly AnyPolicy[],
  records: readonly RecordedLike[],
): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const policy of policies) {
    const reportFor =
      (resource: string): ReportViolation =>
      (message, urn) =>
        violations.push({ policy: policy.name, resource: urn ?? resource, message });
    if (typeof policy.validateStack === "function")
      await policy.validateStack(stackArgs(records), reportFor("stack"));
    const validate = policy.validateResource;
    if (typeof validate === "function")
      for (const record of records) await validate(resourceArgs(record), reportFor(refOf(record)));
  }
  return violations;
}
