import type {
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";

/**
 * What a policy sees of a resource, whether the engine hands it over (`pulumi preview`/`up`
 * with `--policy-pack policy`) or synth recorded it in resources.json. Each policy's logic is a
 * plain function of subjects, so tests call it without the policy server.
 */
export interface Subject {
  /** The URN (engine) or `type::name` (resources.json); property dependencies use the same. */
  readonly ref: string;
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  readonly protect: boolean;
  /** Input property → refs of the resources its value came from. */
  readonly propertyDependencies: Record<string, readonly string[]>;
}

export type Report = (message: string, ref?: string) => void;

export function subjectOfArgs(args: ResourceValidationArgs): Subject {
  return {
    ref: args.urn,
    type: args.type,
    name: args.name,
    props: args.props,
    protect: args.opts.protect,
    propertyDependencies: {},
  };
}

export function subjectOfResource(resource: PolicyResource): Subject {
  const deps = Object.entries(resource.propertyDependencies ?? {}).map(
    ([key, list]) => [key, list.map((r) => r.urn)] as const,
  );
  return {
    ref: resource.urn,
    type: resource.type,
    name: resource.name,
    props: resource.props,
    protect: resource.opts.protect,
    propertyDependencies: Object.fromEntries(deps),
  };
}

interface PolicyText {
  readonly name: string;
  readonly description: string;
}

/** A mandatory policy judging one resource at a time. */
export function resourcePolicy(
  text: PolicyText,
  check: (subject: Subject, report: Report) => void,
): ResourceValidationPolicy {
  return {
    ...text,
    enforcementLevel: "mandatory",
    validateResource: (args, report: ReportViolation) =>
      check(subjectOfArgs(args), (message) => report(message)),
  };
}

/** A mandatory policy judging resources together (a bucket and the settings beside it). */
export function stackPolicy(
  text: PolicyText,
  check: (subjects: readonly Subject[], report: Report) => void,
): StackValidationPolicy {
  return {
    ...text,
    enforcementLevel: "mandatory",
    validateStack: (args, report: ReportViolation) =>
      check(args.resources.map(subjectOfResource), report),
  };
}

/** Reads a nested property without throwing on a missing level. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
